//! The Recipe: an ordered, serializable description of everything a run does.
//!
//! The page builds one, the worker runs it, the CLI runs the same file and the Report embeds it.
//! Parsing is strict: unknown fields, unknown ops and bad arguments fail with a message naming
//! the step (`privacy[1]`, `models[0]`...) and the field.
//!
//! ```
//! let r = bedside::recipe::Recipe::from_json(r#"{"version": 1, "seed": 7, "target": "y",
//!     "models": [{"kind": "logistic_regression"}]}"#).unwrap();
//! assert_eq!(r.models.len(), 1);
//! let e = bedside::recipe::Recipe::from_json(r#"{"version": 1, "privacy": [{"op": "shred"}]}"#).unwrap_err();
//! assert!(e.to_string().contains("privacy[0]"));
//! ```

use crate::error::{Error, Result, StepRef};
use crate::eval::search::SearchSpec;
use crate::eval::split::EvaluationSpec;
use crate::features::FeatureStep;
use crate::models::ModelSpec;
use crate::privacy::risk::RiskOptions;
use crate::privacy::PrivacyStep;
use crate::table::{ColumnType, Table};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The recipe format version this build reads and writes.
pub const VERSION: u32 = 1;

/// What a column is for. Columns not named in `Recipe::columns` are features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Singles out a person (name, record number): must be masked by a privacy step.
    Identifier,
    /// Could identify a person in combination (age, sex, ZIP): measured for k-anonymity; used as a feature.
    Quasi,
    /// The attribute to protect (diagnosis): measured for l-diversity and t-closeness; never a
    /// model input (give the column the role `feature` to use it as one).
    Sensitive,
    /// The outcome to predict.
    Target,
    /// Free text: never a model input.
    Text,
    /// A model input (the default).
    Feature,
    /// Kept in the masked file, never used.
    Ignore,
}

impl Role {
    /// Roles whose columns are model inputs (a sensitive column is not: the attribute to
    /// protect is not learned from unless the recipe makes it a `feature`).
    pub fn is_model_input(self) -> bool {
        matches!(self, Role::Feature | Role::Quasi)
    }
}

/// A whole recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    pub version: u32,
    /// Seeds every random choice (fold assignment, model randomness).
    pub seed: u64,
    /// Column roles; unnamed columns are `feature`.
    pub columns: BTreeMap<String, Role>,
    pub privacy: Vec<PrivacyStep>,
    pub features: Vec<FeatureStep>,
    /// The target: a column (class or numeric), or a time-to-event pair (see [`Target`]).
    pub target: Option<Target>,
    /// The class counted as positive; by default `1`, `yes`, `true`, `positive` or else the
    /// second of the two classes in sorted order.
    pub positive: Option<String>,
    pub models: Vec<ModelEntry>,
    pub evaluation: EvaluationSpec,
    /// How re-identification risk is measured (threshold, population size).
    #[serde(default, skip_serializing_if = "is_default_risk")]
    pub risk: RiskOptions,
}

/// A recipe's `target`: a column name (`"outcome"`: classification or regression), or a
/// time-to-event outcome `{"time": COL, "event": COL, "event_value": V}` (survival analysis,
/// see `docs/survival.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Target {
    Column(String),
    Survival(SurvivalTarget),
}

/// A time-to-event target: the follow-up time column, the event column (two values) and which
/// of its values is the event (default: the rule of `positive`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurvivalTarget {
    pub time: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_value: Option<String>,
}

impl Target {
    /// The column named in messages: the target column, or a time-to-event target's time.
    pub fn name(&self) -> &str {
        match self {
            Target::Column(c) => c,
            Target::Survival(s) => &s.time,
        }
    }

    /// The columns the target reads (one, or time and event).
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Target::Column(c) => vec![c.as_str()],
            Target::Survival(s) => vec![s.time.as_str(), s.event.as_str()],
        }
    }
}

/// A model of the recipe: its kind and hyper-parameters, optionally a nested hyper-parameter
/// `search` (see [`crate::eval::search`]) and a `calibration` (`"sigmoid"` or `"isotonic"`,
/// see [`crate::eval::recalibrate`]). In JSON both sit beside the hyper-parameters:
/// `{"kind": "decision_tree", "max_depth": 4, "search": {...}, "calibration": "sigmoid"}`.
/// It dereferences to the [`ModelSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModelEntry {
    pub spec: ModelSpec,
    pub search: Option<SearchSpec>,
    /// Recalibration on inner folds of each training split (class targets).
    pub calibration: Option<crate::eval::recalibrate::Method>,
}

impl std::ops::Deref for ModelEntry {
    type Target = ModelSpec;
    fn deref(&self) -> &ModelSpec {
        &self.spec
    }
}

impl From<ModelSpec> for ModelEntry {
    fn from(spec: ModelSpec) -> Self {
        ModelEntry {
            spec,
            search: None,
            calibration: None,
        }
    }
}

impl ModelEntry {
    /// Parses one entry of `models`; errors name `step` and the field.
    fn parse(value: &Value, step: &str) -> Result<ModelEntry> {
        let mut rest = value.clone();
        let search = rest.as_object_mut().and_then(|o| o.remove("search"));
        let calibration = rest.as_object_mut().and_then(|o| o.remove("calibration"));
        let spec: ModelSpec = parse_part(&rest, step, Some("kind"))?;
        let search = match search {
            None | Some(Value::Null) => None,
            Some(s) => Some(
                SearchSpec::from_value(&s, &spec)
                    .map_err(|(field, m)| Error::recipe(step, Some(&field), m))?,
            ),
        };
        let calibration = match calibration {
            None | Some(Value::Null) => None,
            Some(c) => Some(
                crate::eval::recalibrate::Method::parse(&c)
                    .map_err(|m| Error::recipe(step, Some("calibration"), m))?,
            ),
        };
        Ok(ModelEntry {
            spec,
            search,
            calibration,
        })
    }

    /// Why this entry cannot serve `task`, if it cannot: its model (see
    /// [`ModelSpec::check_task`]) or its calibration, which needs a class target.
    pub fn check_task(
        &self,
        task: crate::models::Task,
    ) -> std::result::Result<(), crate::error::ArgError> {
        self.spec.check_task(task)?;
        if self.calibration.is_some() && task == crate::models::Task::Regression {
            return Err((
                "calibration",
                "recalibrates probabilities of a class target; this target is numeric".into(),
            ));
        }
        Ok(())
    }
}

impl Serialize for ModelEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.spec).map_err(serde::ser::Error::custom)?;
        if let (Some(o), Some(search)) = (v.as_object_mut(), &self.search) {
            o.insert("search".into(), search.to_value());
        }
        if let (Some(o), Some(c)) = (v.as_object_mut(), self.calibration) {
            o.insert("calibration".into(), c.name().into());
        }
        v.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ModelEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        ModelEntry::parse(&v, "model").map_err(serde::de::Error::custom)
    }
}

fn is_default_risk(r: &RiskOptions) -> bool {
    *r == RiskOptions::default()
}

/// Every top-level field a recipe may have.
pub const TOP_FIELDS: &[&str] = &[
    "version",
    "seed",
    "columns",
    "privacy",
    "features",
    "target",
    "positive",
    "models",
    "evaluation",
    "risk",
];

impl Recipe {
    /// Parses a recipe from JSON text.
    pub fn from_json(text: &str) -> Result<Recipe> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::recipe("(file)", None, format!("not valid JSON: {e}")))?;
        Recipe::from_value(&value)
    }

    /// Parses a recipe from a JSON value, step by step, so that errors name the step.
    pub fn from_value(value: &Value) -> Result<Recipe> {
        let obj = value
            .as_object()
            .ok_or_else(|| Error::recipe("(top level)", None, "a recipe is a JSON object"))?;
        for key in obj.keys() {
            if !TOP_FIELDS.contains(&key.as_str()) {
                return Err(Error::recipe(
                    "(top level)",
                    Some(key),
                    format!("unknown field; expected one of {}", TOP_FIELDS.join(", ")),
                ));
            }
        }
        let version = match obj.get("version") {
            None => {
                return Err(Error::recipe(
                    "(top level)",
                    Some("version"),
                    "missing; this build reads version 1",
                ))
            }
            Some(v) => v.as_u64().filter(|&v| v == VERSION as u64).ok_or_else(|| {
                Error::recipe(
                    "(top level)",
                    Some("version"),
                    format!("unsupported version {v}; this build reads version 1"),
                )
            })? as u32,
        };
        let seed = match obj.get("seed") {
            None => 0,
            Some(v) => v.as_u64().ok_or_else(|| {
                Error::recipe(
                    "(top level)",
                    Some("seed"),
                    "must be a non-negative integer",
                )
            })?,
        };
        let columns = match obj.get("columns") {
            None => BTreeMap::new(),
            Some(v) => parse_part(v, "columns", None)?,
        };
        let privacy = parse_list(obj.get("privacy"), "privacy", "op")?;
        let features = parse_list(obj.get("features"), "features", "op")?;
        let models = match obj.get("models") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| ModelEntry::parse(v, &list_step("models", i, v, "kind")))
                .collect::<Result<_>>()?,
            Some(_) => return Err(Error::recipe("models", None, "must be a list")),
        };
        let target = match obj.get("target") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(Target::Column(s.clone())),
            Some(v @ Value::Object(o)) => {
                // `event_value` may be written as a number (`1`) or as text.
                let mut v = v.clone();
                if let Some(Value::Number(n)) = o.get("event_value") {
                    v["event_value"] = Value::String(n.to_string());
                }
                let t: SurvivalTarget = parse_part(&v, "target", None)?;
                if t.time == t.event {
                    return Err(Error::recipe(
                        "target",
                        Some("event"),
                        "the event column must differ from the time column",
                    ));
                }
                Some(Target::Survival(t))
            }
            Some(_) => {
                return Err(Error::recipe(
                    "(top level)",
                    Some("target"),
                    "must be a column name or a time-to-event object {\"time\": COLUMN, \"event\": COLUMN}",
                ))
            }
        };
        let positive = match obj.get("positive") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                return Err(Error::recipe(
                    "(top level)",
                    Some("positive"),
                    "must be a class label",
                ))
            }
        };
        let evaluation = match obj.get("evaluation") {
            None => EvaluationSpec::default(),
            Some(v) => parse_part(v, "evaluation", Some("method"))?,
        };
        let risk = match obj.get("risk") {
            None | Some(Value::Null) => RiskOptions::default(),
            Some(v) => parse_part(v, "risk", None)?,
        };
        let recipe = Recipe {
            risk,
            version,
            seed,
            columns,
            privacy,
            features,
            target,
            positive,
            models,
            evaluation,
        };
        recipe.check_arguments()?;
        Ok(recipe)
    }

    /// A copy safe to write into a Report: secrets (a user pseudonymization key) redacted.
    pub fn redacted(&self) -> Recipe {
        Recipe {
            privacy: self.privacy.iter().map(PrivacyStep::redacted).collect(),
            ..self.clone()
        }
    }

    /// The recipe as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The target column's name (a time-to-event target: its time column).
    pub fn target_name(&self) -> Option<&str> {
        self.target.as_ref().map(Target::name)
    }

    /// The time-to-event target, if the target is one.
    pub fn survival(&self) -> Option<&SurvivalTarget> {
        match &self.target {
            Some(Target::Survival(s)) => Some(s),
            _ => None,
        }
    }

    /// The role of a column (default `feature`, or `target` for the target column(s)).
    pub fn role(&self, column: &str) -> Role {
        if self
            .target
            .as_ref()
            .is_some_and(|t| t.columns().contains(&column))
        {
            return Role::Target;
        }
        self.columns.get(column).copied().unwrap_or(Role::Feature)
    }

    /// The quasi-identifiers the recipe names (role `quasi` in `columns`).
    pub fn quasi_identifiers(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|(_, r)| **r == Role::Quasi)
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// Checks `risk.population_table`: it parses and its columns are quasi-identifiers of the
    /// recipe; errors name the table's file, line and field.
    pub fn check_population_table(&self) -> Result<()> {
        if let Some(spec) = &self.risk.population_table {
            crate::privacy::kmap::parse(spec, &self.quasi_identifiers())
                .map_err(|e| Error::recipe("risk", Some("population_table"), e.to_string()))?;
        }
        Ok(())
    }

    /// Checks arguments that do not depend on the data.
    fn check_arguments(&self) -> Result<()> {
        for (i, s) in self.privacy.iter().enumerate() {
            s.check()
                .map_err(|e| StepRef::privacy(i, s.name()).error(e))?;
        }
        for (i, s) in self.features.iter().enumerate() {
            s.check()
                .map_err(|e| StepRef::features(i, s.name()).error(e))?;
        }
        for (i, m) in self.models.iter().enumerate() {
            let step = StepRef::models(i, m.kind());
            m.check().map_err(|e| step.error(e))?;
            if let Some(s) = &m.search {
                // Every candidate is parsed and checked before any work.
                s.candidates(m, crate::seeds::search_draws(self.seed, i))
                    .map_err(|e| step.error(e))?;
            }
        }
        self.evaluation
            .check()
            .map_err(|(field, m)| Error::recipe("evaluation", Some(field), m))?;
        self.risk
            .check()
            .map_err(|(field, m)| Error::recipe("risk", Some(field), m))?;
        self.check_population_table()?;
        if !self.models.is_empty() && self.target.is_none() {
            return Err(Error::recipe(
                "(top level)",
                Some("target"),
                "models need a target column",
            ));
        }
        let named_targets: Vec<&String> = self
            .columns
            .iter()
            .filter(|(_, r)| **r == Role::Target)
            .map(|(c, _)| c)
            .collect();
        for c in named_targets {
            if !self
                .target
                .as_ref()
                .is_some_and(|t| t.columns().contains(&c.as_str()))
            {
                return Err(Error::recipe(
                    "columns",
                    Some(c),
                    "has role target but the recipe's target is another column",
                ));
            }
        }
        Ok(())
    }

    /// Checks the recipe against the table it will run on: every named column exists (at that
    /// point of the privacy steps), identifiers are masked, the target is usable.
    pub fn check_against(&self, table: &Table) -> Result<()> {
        for name in self.columns.keys() {
            if table.column(name).is_none() {
                return Err(Error::recipe(
                    "columns",
                    Some(name),
                    "no such column in the data",
                ));
            }
        }
        // Walk the privacy steps over the evolving set of column names and types.
        let mut present: BTreeMap<String, ColumnType> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ctype))
            .collect();
        let mut masked: Vec<String> = Vec::new();
        for (i, step) in self.privacy.iter().enumerate() {
            let at = StepRef::privacy(i, step.name()).to_string();
            for (field, col) in step.columns() {
                match present.get(col) {
                    None if table.column(col).is_some() => {
                        return Err(Error::recipe(
                            at,
                            Some(field),
                            format!("column '{col}' was dropped by an earlier step"),
                        ))
                    }
                    None => {
                        return Err(Error::recipe(
                            at,
                            Some(field),
                            format!("no such column '{col}' in the data"),
                        ))
                    }
                    Some(t) => {
                        if let Some(need) = step.accepts(field) {
                            if !need.contains(t) {
                                let names: Vec<&str> = need.iter().map(|n| n.name()).collect();
                                return Err(Error::recipe(
                                    at,
                                    Some(field),
                                    format!(
                                        "column '{col}' is {}, this step needs a {} column",
                                        t.name(),
                                        names.join(" or ")
                                    ),
                                ));
                            }
                        }
                    }
                }
                if step.masks_identifiers() && field == "columns" {
                    masked.push(col.to_string());
                }
            }
            step.update_types(&mut present);
        }
        for (name, role) in &self.columns {
            if *role == Role::Identifier && !masked.contains(name) {
                return Err(Error::recipe(
                    "columns",
                    Some(name),
                    "has role identifier but no privacy step removes its values (drop, redact, mask keeping nothing, pseudonymize or replace_random)",
                ));
            }
        }
        for target in self.target.iter().flat_map(Target::columns) {
            if table.column(target).is_none() {
                return Err(Error::recipe(
                    "(top level)",
                    Some("target"),
                    format!("no such column '{target}' in the data"),
                ));
            }
            if !present.contains_key(target) {
                return Err(Error::recipe(
                    "(top level)",
                    Some("target"),
                    format!("column '{target}' is dropped by a privacy step"),
                ));
            }
            if masked.iter().any(|m| m == target)
                || self
                    .columns
                    .get(target)
                    .is_some_and(|r| *r == Role::Identifier)
            {
                return Err(Error::recipe(
                    "(top level)",
                    Some("target"),
                    format!("column '{target}' is an identifier"),
                ));
            }
        }
        for (i, step) in self.features.iter().enumerate() {
            for (field, col) in step.named_columns() {
                let at = StepRef::features(i, step.name()).to_string();
                if !present.contains_key(col) {
                    return Err(Error::recipe(
                        at,
                        Some(field),
                        format!("no such column '{col}' after the privacy steps"),
                    ));
                }
                if !self.role(col).is_model_input() {
                    return Err(Error::recipe(
                        at,
                        Some(field),
                        format!(
                            "column '{col}' is not a model input (role {:?})",
                            self.role(col)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Parses one part of the recipe, naming `step` and the offending field on error.
fn parse_part<T: DeserializeOwned>(value: &Value, step: &str, tag: Option<&str>) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| {
        let message = e.to_string();
        let variant = message.split('`').nth(1).unwrap_or_default();
        // An unknown variant of the tag (`op`, `kind`) or of an argument (`method`...).
        let field = if message.starts_with("unknown variant") {
            value
                .as_object()
                .and_then(|o| {
                    o.iter()
                        .filter(|(k, _)| Some(k.as_str()) != tag)
                        .find(|(_, v)| v.as_str() == Some(variant))
                        .map(|(k, _)| k.clone())
                })
                .or_else(|| tag.map(str::to_string))
        } else if message.contains("missing field `")
            && tag.is_some_and(|t| message.contains(&format!("`{t}`")))
        {
            tag.map(str::to_string)
        } else if message.starts_with("invalid") {
            // "invalid value: integer `-2`, expected usize" / "invalid type: string \"ten\", ...":
            // the argument is the one holding that value.
            let literal = if message.contains('`') {
                variant.to_string()
            } else {
                message.split('"').nth(1).unwrap_or_default().to_string()
            };
            value.as_object().and_then(|o| {
                o.iter()
                    .filter(|(k, _)| Some(k.as_str()) != tag)
                    .find(|(_, v)| v.as_str() == Some(literal.as_str()) || v.to_string() == literal)
                    .map(|(k, _)| k.clone())
            })
        } else {
            message.split('`').nth(1).map(str::to_string)
        };
        Error::Recipe {
            step: step.to_string(),
            field,
            message,
        }
    })
}

/// `section[i] (name)`: where an error in a list item points.
fn list_step(section: &str, i: usize, v: &Value, tag: &str) -> String {
    let name = v
        .get(tag)
        .and_then(Value::as_str)
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    format!("{section}[{i}]{name}")
}

fn parse_list<T: DeserializeOwned>(
    value: Option<&Value>,
    section: &str,
    tag: &str,
) -> Result<Vec<T>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| parse_part(v, &list_step(section, i, v, tag), Some(tag)))
            .collect(),
        Some(_) => Err(Error::recipe(section, None, "must be a list")),
    }
}
