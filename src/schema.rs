//! The schema of every registered step: what `bedside schema` prints and `www/steps.json` holds.
//!
//! Each privacy operator, feature step and model parameter struct describes its arguments once,
//! beside its serde struct, by implementing [`Describe`]: a one-line doc, the argument list
//! (name, type, required, default, doc, whether it can hold values taken from the data's cells)
//! and an example. The registries (`privacy_ops!`, `feature_steps!`, `model_kinds!`) collect
//! them in registry order; `tests/schema.rs` proves every argument list true to its serde struct
//! and `www/steps.json` equal to [`schema`].

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The type of one argument, as the page builds its form field.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// One column name.
    Column,
    /// A list of column names.
    Columns,
    Integer,
    Number,
    Boolean,
    String,
    /// One of fixed strings.
    Enum(&'static [&'static str]),
    /// An object from strings to values.
    Map,
    /// A list of items of one type.
    List(Box<Ty>),
    /// A nested object with its own arguments.
    Object(Vec<Arg>),
}

/// One argument of a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The value the core applies when the argument is omitted (`Null`: required, or none).
    pub default: Value,
    pub doc: &'static str,
    /// Can this argument hold values taken from the data's cells?
    pub data_values: bool,
}

impl Arg {
    /// A required argument.
    pub fn req(name: &'static str, ty: Ty, doc: &'static str) -> Arg {
        Arg {
            name,
            ty,
            required: true,
            default: Value::Null,
            doc,
            data_values: false,
        }
    }

    /// An optional argument without a default value (omitted: the step does without it).
    pub fn opt(name: &'static str, ty: Ty, doc: &'static str) -> Arg {
        Arg {
            required: false,
            ..Arg::req(name, ty, doc)
        }
    }

    /// An optional argument with the default the core applies when it is omitted.
    pub fn def(name: &'static str, ty: Ty, default: Value, doc: &'static str) -> Arg {
        Arg {
            default,
            ..Arg::opt(name, ty, doc)
        }
    }

    /// Marks the argument as able to hold values taken from the data's cells.
    pub fn data(self) -> Arg {
        Arg {
            data_values: true,
            ..self
        }
    }

    /// The argument as JSON, in the order of `www/steps.json`.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), json!(self.name));
        ty_json(&self.ty, &mut o);
        o.insert("required".into(), json!(self.required));
        o.insert("default".into(), self.default.clone());
        o.insert("doc".into(), json!(self.doc));
        o.insert("data_values".into(), json!(self.data_values));
        Value::Object(o)
    }
}

fn ty_name(ty: &Ty) -> &'static str {
    match ty {
        Ty::Column => "column",
        Ty::Columns => "columns",
        Ty::Integer => "integer",
        Ty::Number => "number",
        Ty::Boolean => "boolean",
        Ty::String => "string",
        Ty::Enum(_) => "enum",
        Ty::Map => "map",
        Ty::List(_) => "list",
        Ty::Object(_) => "object",
    }
}

/// Writes `type` and its companions (`values`, `items`, `args`) into `o`.
fn ty_json(ty: &Ty, o: &mut Map<String, Value>) {
    o.insert("type".into(), json!(ty_name(ty)));
    match ty {
        Ty::Enum(values) => {
            o.insert("values".into(), json!(values));
        }
        Ty::List(items) => {
            let mut inner = Map::new();
            ty_json(items, &mut inner);
            // A list of plain items is `"items": "number"`; of enums or objects, the full type.
            let items = if inner.len() == 1 {
                inner.remove("type").unwrap_or(Value::Null)
            } else {
                Value::Object(inner)
            };
            o.insert("items".into(), items);
        }
        Ty::Object(args) => {
            o.insert(
                "args".into(),
                Value::Array(args.iter().map(Arg::to_json).collect()),
            );
        }
        _ => {}
    }
}

/// A registered step's description: written once, beside its serde struct.
pub trait Describe: Serialize + DeserializeOwned + Sized {
    /// One line of English: what the step does.
    const DOC: &'static str;
    /// Every argument serde accepts, in the order the page shows them.
    fn args() -> Vec<Arg>;
    /// An example that passes `check()` and the invariant tests. Columns come from the
    /// synthetic patient file of the tests: name, mrn, phone, email (identifiers), age, sex, zip
    /// (quasi-identifiers), admitted, discharged, birth_date (dates), glucose, bmi (numbers),
    /// smoker, dx (categories), note (free text).
    fn example() -> Self;
}

/// The recipe's own top-level fields that can hold values taken from the data's cells (the
/// steps' arguments say so themselves, in `data_values`). `positive` names a class of the target
/// column. Column names (`columns`, `target`, the steps' column arguments) are not cell values:
/// they travel in a share link. Every top-level field is classified by `tests/schema.rs`.
pub const RECIPE_DATA_VALUES: &[&str] = &["positive"];

/// The whole schema: `{"version": 1, "privacy": [...], "features": [...], "models": [...],
/// "model_options": [...], "evaluation_options": [...], "recipe": {"data_values": [...]}, "populations": [{name, label, size, source}]}`
/// (`populations`: the built-in populations of `risk.population`).
/// `model_options` are arguments any model entry takes beside its hyper-parameters (today
/// `calibration`); `evaluation_options` are arguments of the recipe's `evaluation` besides its
/// method (today `threshold` and `outcome_date`).
pub fn schema() -> Value {
    json!({
        "version": 1,
        "privacy": crate::privacy::PrivacyStep::schema(),
        "features": crate::features::FeatureStep::schema(),
        "models": crate::models::ModelSpec::schema(),
        "model_options": [crate::eval::recalibrate::schema_arg().to_json()],
        "evaluation_options": [
            crate::eval::threshold::schema_arg().to_json(),
            Arg::opt(
                "outcome_date",
                Ty::Column,
                "a date column holding each record's outcome date: date inputs dated after it are flagged as leakage",
            )
            .to_json(),
        ],
        "recipe": { "data_values": RECIPE_DATA_VALUES },
        "populations": crate::privacy::population::BUILT_IN,
    })
}

/// The schema as `bedside schema` prints it and `www/steps.json` holds it (pretty, final newline).
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}

/// `args` of `T` as JSON.
pub fn args_json<T: Describe>() -> Value {
    Value::Array(T::args().iter().map(Arg::to_json).collect())
}
