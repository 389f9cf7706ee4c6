//! The registries and their schema: `www/steps.json` is what `bedside schema` prints, every
//! argument list is true to its serde struct (names, required, defaults, enum values), every
//! registered item has an example that passes its checks and a run, and i18n strings in both
//! languages.

use crate::common;

use bedside::features::FeatureStep;
use bedside::models::{ModelSpec, Task};
use bedside::privacy::{PrivacyStep, Replay};
use bedside::recipe::Recipe;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

fn schema() -> Value {
    bedside::schema::schema()
}

#[test]
fn steps_json_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/steps.json");
    let file = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        file == bedside::schema::schema_text(),
        "www/steps.json is stale (or missing): regenerate it with `node scripts/gen-steps.mjs` \
         (or `cargo run --bin bedside -- schema > www/steps.json`) and commit it"
    );
}

/// The families: schema key, tag field, and how an object of the family deserializes (the error
/// text on failure).
type Parse = fn(Value) -> Result<Value, String>;

fn parse_privacy(v: Value) -> Result<Value, String> {
    serde_json::from_value::<PrivacyStep>(v)
        .map(|s| serde_json::to_value(s).unwrap())
        .map_err(|e| e.to_string())
}
fn parse_feature(v: Value) -> Result<Value, String> {
    serde_json::from_value::<FeatureStep>(v)
        .map(|s| serde_json::to_value(s).unwrap())
        .map_err(|e| e.to_string())
}
fn parse_model(v: Value) -> Result<Value, String> {
    serde_json::from_value::<ModelSpec>(v)
        .map(|s| serde_json::to_value(s).unwrap())
        .map_err(|e| e.to_string())
}

const FAMILIES: [(&str, &str, Parse); 3] = [
    ("privacy", "op", parse_privacy),
    ("features", "op", parse_feature),
    ("models", "kind", parse_model),
];

/// A value of an argument's type for building an object (not meant to pass `check()`).
fn sample(arg: &Value) -> Value {
    match arg["type"].as_str().unwrap() {
        "column" => json!("age"),
        "columns" => json!(["age"]),
        "integer" => json!(2),
        "number" => json!(0.5),
        "boolean" => json!(true),
        "string" => json!("x"),
        "enum" => arg["values"][0].clone(),
        "map" => json!({}),
        "list" => {
            let items = match &arg["items"] {
                Value::String(t) => json!({"type": t}),
                t => t.clone(),
            };
            json!([sample(&items)])
        }
        "object" => Value::Object(
            arg["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["name"].as_str().unwrap().to_string(), value_of(a)))
                .collect(),
        ),
        t => panic!("unknown argument type {t}"),
    }
}

/// The default of an argument when it has one, else a sample.
fn value_of(arg: &Value) -> Value {
    if arg["default"].is_null() {
        sample(arg)
    } else {
        arg["default"].clone()
    }
}

fn object(tag: &str, name: &str, args: &[&Value]) -> Value {
    let mut o = Map::new();
    o.insert(tag.into(), json!(name));
    for a in args {
        o.insert(a["name"].as_str().unwrap().into(), value_of(a));
    }
    Value::Object(o)
}

/// The field names serde expects, read from its unknown-field error.
fn serde_fields(parse: Parse, tag: &str, name: &str) -> BTreeSet<String> {
    let e = parse(json!({tag: name, "__probe__": 1})).expect_err("unknown field accepted");
    assert!(e.contains("unknown field `__probe__`"), "{name}: {e}");
    if e.contains("there are no fields") {
        return BTreeSet::new();
    }
    let expected = e.split("expected").nth(1).unwrap_or_default();
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_argument_list_is_true_to_its_serde_struct() {
    let schema = schema();
    assert_eq!(schema["version"], 1);
    let mut checked = 0;
    for (family, tag, parse) in FAMILIES {
        for entry in schema[family].as_array().unwrap() {
            let name = entry[tag].as_str().unwrap();
            assert!(!entry["doc"].as_str().unwrap().is_empty(), "{name}: no doc");
            let args: Vec<&Value> = entry["args"].as_array().unwrap().iter().collect();
            let names: BTreeSet<String> = args
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(names.len(), args.len(), "{name}: an argument listed twice");
            for a in &args {
                assert!(
                    !a["doc"].as_str().unwrap().is_empty(),
                    "{name}: undocumented argument"
                );
                if a["required"] == true {
                    assert!(
                        a["default"].is_null(),
                        "{name}.{}: required with a default",
                        a["name"]
                    );
                }
            }
            // Every field serde accepts is in the schema, and nothing else.
            assert_eq!(
                serde_fields(parse, tag, name),
                names,
                "{family} {name}: the schema's arguments differ from the serde struct's fields"
            );
            // Every argument given: accepted; what serializes back is in the schema.
            let full = parse(object(tag, name, &args))
                .unwrap_or_else(|e| panic!("{name} with every argument: {e}"));
            for k in full.as_object().unwrap().keys().filter(|k| *k != tag) {
                assert!(
                    names.contains(k),
                    "{name}: serializes '{k}', not in the schema"
                );
            }
            // Only the required ones: accepted, and the defaults serde fills are the schema's.
            let required: Vec<&Value> = args
                .iter()
                .copied()
                .filter(|a| a["required"] == true)
                .collect();
            let minimal = parse(object(tag, name, &required))
                .unwrap_or_else(|e| panic!("{name} with only its required arguments: {e}"));
            for a in args.iter().filter(|a| a["required"] == false) {
                if let Some(v) = minimal.get(a["name"].as_str().unwrap()) {
                    assert_eq!(
                        v, &a["default"],
                        "{name}.{}: serde's default differs from the schema's",
                        a["name"]
                    );
                }
            }
            // Each required one left out: refused.
            for a in &required {
                let rest: Vec<&Value> = required.iter().copied().filter(|b| b != a).collect();
                let e = parse(object(tag, name, &rest))
                    .expect_err(&format!("{name} without {} accepted", a["name"]));
                assert!(e.contains("missing field"), "{name}: {e}");
            }
            // Every enum value is accepted and nothing else is.
            for a in args.iter().filter(|a| a["type"] == "enum") {
                for v in a["values"].as_array().unwrap() {
                    let mut o = object(tag, name, &required);
                    o[a["name"].as_str().unwrap()] = v.clone();
                    parse(o).unwrap_or_else(|e| panic!("{name}.{} = {v}: {e}", a["name"]));
                }
                let mut o = object(tag, name, &required);
                o[a["name"].as_str().unwrap()] = json!("no_such_value");
                assert!(
                    parse(o).is_err(),
                    "{name}.{}: accepts any string",
                    a["name"]
                );
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        PrivacyStep::NAMES.len() + FeatureStep::NAMES.len() + ModelSpec::KINDS.len()
    );
}

#[test]
fn every_registered_item_has_a_schema_entry_and_a_checked_example() {
    let schema = schema();
    let listed = |family: &str, tag: &str| -> Vec<String> {
        schema[family]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[tag].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(listed("privacy", "op"), PrivacyStep::NAMES);
    assert_eq!(listed("features", "op"), FeatureStep::NAMES);
    assert_eq!(listed("models", "kind"), ModelSpec::KINDS);

    let privacy = PrivacyStep::examples();
    assert_eq!(
        privacy.iter().map(|s| s.name()).collect::<Vec<_>>(),
        PrivacyStep::NAMES
    );
    for s in &privacy {
        s.check().unwrap_or_else(|e| panic!("{}: {e:?}", s.name()));
        let back: PrivacyStep = serde_json::from_value(serde_json::to_value(s).unwrap()).unwrap();
        assert_eq!(&back, s);
        // A randomized step is never replayed on new records.
        if s.op().randomized() {
            assert_ne!(s.op().replay(), Replay::Replayed, "{}", s.name());
        }
    }
    let features = FeatureStep::examples();
    assert_eq!(
        features.iter().map(|s| s.name()).collect::<Vec<_>>(),
        FeatureStep::NAMES
    );
    for s in &features {
        s.check().unwrap_or_else(|e| panic!("{}: {e:?}", s.name()));
        let back: FeatureStep = serde_json::from_value(serde_json::to_value(s).unwrap()).unwrap();
        assert_eq!(&back, s);
    }
    let models = ModelSpec::examples();
    assert_eq!(
        models.iter().map(|m| m.kind()).collect::<Vec<_>>(),
        ModelSpec::KINDS
    );
    for m in &models {
        m.check().unwrap_or_else(|e| panic!("{}: {e:?}", m.kind()));
        assert!(
            !m.params().tasks().is_empty(),
            "{} serves no task",
            m.kind()
        );
        for task in [Task::Classification, Task::Regression] {
            assert_eq!(
                m.check_task(task).is_ok(),
                m.params().tasks().contains(&task),
                "{}",
                m.kind()
            );
        }
    }
}

#[test]
fn every_registered_item_has_strings_in_both_languages() {
    for lang in ["en", "zh"] {
        let s = common::strings(lang);
        let mut keys = Vec::new();
        for op in PrivacyStep::NAMES {
            keys.push(format!("op.{op}.label"));
            keys.push(format!("op.{op}.help"));
        }
        for op in FeatureStep::NAMES {
            keys.push(format!("features.op.{op}"));
            keys.push(format!("features.help.{op}"));
        }
        for kind in ModelSpec::KINDS {
            keys.push(format!("model.{kind}"));
        }
        for k in keys {
            assert!(
                s.get(&k)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.is_empty()),
                "i18n/{lang}: no string '{k}'"
            );
        }
    }
}

/// A synthetic file with every column the examples name (see `Describe::example`).
fn patients(n: usize) -> String {
    let mut out = String::from(
        "name,mrn,phone,email,age,sex,zip,admitted,discharged,birth_date,glucose,bmi,smoker,dx,note,outcome\n",
    );
    for i in 0..n {
        let day = 1 + i % 27;
        out.push_str(&format!(
            "Pat Doe{i},{:08},617-555-{:04},p{i}@mail.example.org,{},{},021{:02},2024-03-{day:02},2024-04-{day:02},19{:02}-0{}-1{},{},{:.1},{},{},\"seen; stable\",{}\n",
            4000 + i * 13,
            1000 + i,
            20 + (i * 7) % 70,
            if i % 2 == 0 { "F" } else { "M" },
            30 + i % 7,
            30 + (i * 3) % 60,
            1 + i % 9,
            i % 10,
            70 + (i * 37) % 150,
            18.0 + (i * 13 % 170) as f64 / 10.0,
            if i % 3 == 0 { "yes" } else { "no" },
            ["flu", "asthma", "copd", "sepsis"][i % 4],
            u8::from((i * 7) % 5 < 2),
        ));
    }
    out
}

fn run(features: Value, model: Value, target: impl Into<Value>) -> Result<(), String> {
    let target: Value = target.into();
    let recipe = json!({
        "version": 1, "seed": 3,
        "columns": {"name": "identifier", "mrn": "identifier", "phone": "identifier",
                    "email": "identifier", "note": "text"},
        "privacy": [{"op": "drop", "columns": ["name", "mrn", "phone", "email", "note"]}],
        "features": features,
        "target": target,
        "models": [model],
        "evaluation": {"method": "kfold", "folds": 2},
    });
    let recipe = Recipe::from_json(&recipe.to_string()).map_err(|e| e.to_string())?;
    bedside::run_file(
        patients(80).as_bytes(),
        "p.csv",
        &recipe,
        &mut |_| true,
        &|| 0.0,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn every_feature_example_and_model_example_runs() {
    let tail = [
        json!({"op": "impute", "strategy": "median"}),
        json!({"op": "one_hot"}),
    ];
    for step in FeatureStep::examples() {
        let mut steps = vec![serde_json::to_value(&step).unwrap()];
        steps.extend(tail.iter().cloned());
        run(
            json!(steps),
            json!({"kind": "logistic_regression"}),
            "outcome",
        )
        .unwrap_or_else(|e| panic!("feature step {}: {e}", step.name()));
    }
    for m in ModelSpec::examples() {
        for task in m.params().tasks() {
            let target = match task {
                Task::Classification => json!("outcome"),
                Task::Regression => json!("glucose"),
                Task::Survival => json!({"time": "bmi", "event": "outcome"}),
            };
            run(json!(tail), serde_json::to_value(&m).unwrap(), target)
                .unwrap_or_else(|e| panic!("model {} ({task:?}): {e}", m.kind()));
        }
    }
}
