//! Messages as codes (`src/message.rs`): every code of the catalogue renders, has a string in
//! both languages of the page (`msg.CODE` in `www/i18n/LANG.*.json`) with the same placeholders
//! as the code's parameters, and a run's Report carries each sentence beside its code.

use crate::common;

use bedside::message::{self, placeholders, Message, CATALOGUE};
use bedside::recipe::Recipe;
use serde_json::Value;
use std::collections::BTreeSet;

fn names(template: &str) -> BTreeSet<String> {
    placeholders(template).into_iter().collect()
}

#[test]
fn every_code_has_a_string_in_both_languages_with_its_parameters() {
    let mut faults = Vec::new();
    for lang in ["en", "zh"] {
        let s = common::strings(lang);
        for spec in CATALOGUE {
            let key = format!("msg.{}", spec.code);
            let Some(text) = s
                .get(&key)
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
            else {
                faults.push(format!("i18n/{lang}: no string '{key}'"));
                continue;
            };
            let want: BTreeSet<String> = spec.params.iter().map(|p| p.to_string()).collect();
            let have = names(text);
            if have != want {
                faults.push(format!(
                    "i18n/{lang} '{key}': placeholders {have:?}, the code's parameters {want:?}"
                ));
            }
        }
        // A string for a code the core no longer has is stale.
        for key in s.keys().filter(|k| k.starts_with("msg.")) {
            if message::spec(&key["msg.".len()..]).is_none() {
                faults.push(format!(
                    "i18n/{lang}: '{key}' names no code of src/message.rs"
                ));
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
fn every_code_renders_with_every_parameter_in_place() {
    for spec in CATALOGUE {
        let params = spec
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| (std::borrow::Cow::Borrowed(*p), Value::from(1000 + i)))
            .collect();
        let m = Message {
            code: spec.code.into(),
            params,
        };
        let text = m.to_string();
        assert!(!text.is_empty(), "{}: renders empty", spec.code);
        assert!(
            !text.contains('{') || spec.english.contains("{{"),
            "{}: a placeholder is left in {text:?}",
            spec.code
        );
        for i in 0..spec.params.len() {
            assert!(
                text.contains(&(1000 + i).to_string()),
                "{}: parameter {} is not in {text:?}",
                spec.code,
                spec.params[i]
            );
        }
        // JSON round trip keeps the code and the rendering.
        let back: Message = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(back.to_string(), text, "{}", spec.code);
    }
}

#[test]
fn a_report_carries_each_sentence_beside_its_code() {
    let mut csv = common::patients_csv(300, 5);
    csv.push_str("Bad Row,1,2\n"); // a row with 3 fields of 8
    let recipe = Recipe::from_json(&common::recipe_json(
        r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]}]"#,
        r#"[{"op": "impute", "strategy": "median"}, {"op": "one_hot"}]"#,
        r#"[{"kind": "logistic_regression"}]"#,
        r#"{"method": "stratified_kfold", "folds": 3}"#,
    ))
    .unwrap();
    let out = bedside::run_file(
        csv.as_bytes(),
        "patients.csv",
        &recipe,
        &mut |_| true,
        &|| 0.0,
    )
    .unwrap();
    let report = serde_json::to_value(&out.report).unwrap();

    let rejected = report["input"]["rejected_rows"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["code"], "csv.field_count");
    assert_eq!(rejected[0]["params"]["expected"], 8);
    assert_eq!(rejected[0]["params"]["found"], 3);
    assert_eq!(rejected[0]["reason"], "expected 8 fields, found 3");

    // Warnings: the English list and the coded list, in the same order, one rendering the other.
    let warnings = report["warnings"].as_array().unwrap();
    let codes: Vec<Message> =
        serde_json::from_value(report["warning_codes"].clone()).expect("warning_codes");
    assert_eq!(warnings.len(), codes.len());
    assert!(
        !codes.is_empty(),
        "the quasi-identifiers are left exact: a warning is due"
    );
    for (w, c) in warnings.iter().zip(&codes) {
        assert!(message::spec(&c.code).is_some(), "unknown code {}", c.code);
        assert_eq!(w.as_str().unwrap(), c.to_string());
    }
    assert!(codes.iter().any(|c| c.code == "warn.records_at_risk"));

    // Every audit entry with a note carries its code; the note is its rendering.
    let audit = report["audit"].as_array().unwrap();
    let mut seen = BTreeSet::new();
    for a in audit {
        let note = a["note"].as_str().unwrap();
        if note.is_empty() {
            continue;
        }
        let m: Message = serde_json::from_value(a.clone()).unwrap();
        assert!(message::spec(&m.code).is_some(), "audit {a}: no code");
        assert_eq!(note, m.to_string(), "audit {a}");
        seen.insert(m.code.to_string());
    }
    for code in [
        "audit.rejected_rows",
        "op.drop",
        "op.pseudonymize.fresh_key",
        "audit.features_fitted",
        "audit.model_fitted",
    ] {
        assert!(seen.contains(code), "no audit entry with {code}: {seen:?}");
    }
}

#[test]
fn an_error_is_a_code_with_the_same_english_text() {
    let e = bedside::load(b"a,b\n1,2\n", "x.csv")
        .unwrap()
        .run(
            &Recipe::from_json(
                r#"{"version": 1, "target": "nope", "models": [{"kind": "logistic_regression"}]}"#,
            )
            .unwrap(),
            &mut |_| true,
            &|| 0.0,
        )
        .err()
        .expect("an unknown target is an error");
    let m = e.message();
    assert!(m.code.starts_with("error."), "{}", m.code);
    assert_eq!(e.to_string(), m.to_string());
    let j = m.to_json();
    assert_eq!(j["message"], Value::from(e.to_string()));
    assert_eq!(j["code"], Value::from(m.code.to_string()));
}
