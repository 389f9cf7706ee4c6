//! Recipe parsing and validation: errors name the step and the field.

use crate::common;
use bedside::recipe::Recipe;
use common::*;

fn err(json: &str) -> String {
    Recipe::from_json(json).unwrap_err().to_string()
}

fn err_on_data(json: &str) -> String {
    run(&patients_csv(40, 1), json)
        .err()
        .expect("should fail")
        .to_string()
}

#[test]
fn unknown_op_names_step_and_field() {
    let e = err(
        r#"{"version": 1, "privacy": [{"op": "drop", "columns": ["a"]}, {"op": "shred", "columns": ["a"]}]}"#,
    );
    assert!(
        e.starts_with("recipe privacy[1] (shred), field 'op': unknown variant `shred`"),
        "{e}"
    );
}

#[test]
fn unknown_argument_names_the_field() {
    let e = err(r#"{"version": 1, "privacy": [{"op": "drop", "colums": ["a"]}]}"#);
    assert!(
        e.starts_with("recipe privacy[0] (drop), field 'colums'"),
        "{e}"
    );
}

#[test]
fn wrong_argument_type_names_the_step() {
    let e = err(
        r#"{"version": 1, "privacy": [{"op": "generalize", "column": "age", "width": "ten"}]}"#,
    );
    assert!(e.starts_with("recipe privacy[0] (generalize)"), "{e}");
    assert!(e.contains("invalid type"), "{e}");
}

#[test]
fn bad_argument_values_are_rejected_before_any_work() {
    assert!(err(
        r#"{"version": 1, "privacy": [{"op": "generalize", "column": "age", "width": 0}]}"#
    )
    .contains("field 'width'"));
    assert!(
        err(r#"{"version": 1, "privacy": [{"op": "truncate", "column": "zip", "keep": 0}]}"#)
            .contains("field 'keep'")
    );
    assert!(
        err(r#"{"version": 1, "evaluation": {"method": "stratified_kfold", "folds": 1}}"#)
            .contains("field 'folds'")
    );
    assert!(
        err(r#"{"version": 1, "evaluation": {"method": "holdout", "test_fraction": 1.5}}"#)
            .contains("field 'test_fraction'")
    );
    assert!(err(
        r#"{"version": 1, "target": "y", "models": [{"kind": "decision_tree", "max_depth": 0}]}"#
    )
    .contains("models[0] (decision_tree), field 'max_depth'"));
    assert!(
        err(r#"{"version": 1, "target": "y", "models": [{"kind": "forest"}]}"#)
            .contains("models[0] (forest), field 'kind'")
    );
    assert!(
        err(r#"{"version": 1, "evaluation": {"method": "bootstrap"}}"#)
            .contains("evaluation, field 'method'")
    );
}

#[test]
fn top_level_errors() {
    assert!(err(r#"{"seed": 1}"#).contains("field 'version'"));
    assert!(err(r#"{"version": 2}"#).contains("unsupported version 2"));
    assert!(err(r#"{"version": 1, "modles": []}"#).contains("field 'modles'"));
    assert!(
        err(r#"{"version": 1, "models": [{"kind": "logistic_regression"}]}"#)
            .contains("models need a target column")
    );
    assert!(err("[1, 2]").contains("a recipe is a JSON object"));
    assert!(err("{not json").contains("not valid JSON"));
}

#[test]
fn unknown_columns_are_named() {
    let e = err_on_data(&recipe_json(
        r#"[{"op": "drop", "columns": ["name", "nmae"]}, {"op": "pseudonymize", "columns": ["mrn"]}]"#,
        FEATURES,
        BOTH_MODELS,
        CV5,
    ));
    assert_eq!(
        e,
        "recipe privacy[0] (drop), field 'columns': no such column 'nmae' in the data"
    );
    let e = err_on_data(
        &recipe_json(MASK, FEATURES, BOTH_MODELS, CV5)
            .replace("\"target\": \"outcome\"", "\"target\": \"outcom\""),
    );
    assert!(e.contains("field 'target': no such column 'outcom'"), "{e}");
}

#[test]
fn identifiers_must_be_masked_and_cannot_be_the_target() {
    let e = err_on_data(&recipe_json(
        r#"[{"op": "drop", "columns": ["name"]}]"#,
        FEATURES,
        BOTH_MODELS,
        CV5,
    ));
    assert_eq!(e, "recipe columns, field 'mrn': has role identifier but no privacy step removes its values (drop, redact, mask keeping nothing, pseudonymize or replace_random)");
    let e = err_on_data(
        &recipe_json(MASK, FEATURES, BOTH_MODELS, CV5)
            .replace("\"target\": \"outcome\"", "\"target\": \"mrn\""),
    );
    assert!(e.contains("'mrn' is an identifier"), "{e}");
}

#[test]
fn a_column_used_after_it_was_dropped_is_named() {
    let e = err_on_data(&recipe_json(
        r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn", "name"]}]"#,
        FEATURES,
        BOTH_MODELS,
        CV5,
    ));
    assert!(e.contains("privacy[1] (pseudonymize), field 'columns': column 'name' was dropped by an earlier step"), "{e}");
}

#[test]
fn generalize_needs_a_numeric_column() {
    let e = err_on_data(&recipe_json(
        r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]}, {"op": "generalize", "column": "sex", "width": 5}]"#,
        FEATURES,
        BOTH_MODELS,
        CV5,
    ));
    assert!(
        e.contains("privacy[2] (generalize), field 'column': column 'sex' is categorical"),
        "{e}"
    );
}

#[test]
fn missing_feature_steps_are_explained() {
    let e = err_on_data(&recipe_json(
        MASK,
        r#"[{"op": "one_hot"}]"#,
        BOTH_MODELS,
        CV5,
    ));
    assert!(
        e.contains("column 'glucose' has") && e.contains("impute"),
        "{e}"
    );
    let e = err_on_data(&recipe_json(
        MASK,
        r#"[{"op": "impute", "strategy": "mean"}]"#,
        BOTH_MODELS,
        CV5,
    ));
    assert!(
        e.contains("is categorical and no one_hot step covers it"),
        "{e}"
    );
}

#[test]
fn recipes_round_trip_through_json() {
    let text = recipe_json(
        r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]}, {"op": "generalize", "column": "age", "width": 10}, {"op": "truncate", "column": "zip", "keep": 3}]"#,
        r#"[{"op": "impute", "strategy": "constant", "value": 5}, {"op": "scale", "method": "minmax", "columns": ["age"]}, {"op": "one_hot"}]"#,
        BOTH_MODELS,
        r#"{"method": "repeated_stratified_kfold", "folds": 3, "repeats": 2}"#,
    );
    let r = Recipe::from_json(&text).unwrap();
    assert_eq!(Recipe::from_json(&r.to_json()).unwrap(), r);
}

#[test]
fn the_design_doc_example_shape_parses_for_the_ops_this_build_has() {
    let r = Recipe::from_json(
        r#"{ "version": 1, "seed": 7,
      "columns": { "mrn": "identifier", "age": "quasi", "sex": "quasi", "zip": "quasi", "outcome": "target", "note": "text" },
      "privacy": [ {"op": "drop", "columns": ["name", "ssn"]}, {"op": "pseudonymize", "columns": ["mrn"]},
                   {"op": "generalize", "column": "age", "width": 10}, {"op": "truncate", "column": "zip", "keep": 3} ],
      "features": [ {"op": "impute", "strategy": "median"}, {"op": "scale", "method": "standard"}, {"op": "one_hot"} ],
      "target": "outcome",
      "models": [ {"kind": "logistic_regression"}, {"kind": "decision_tree"} ],
      "evaluation": { "method": "stratified_kfold", "folds": 5 } }"#,
    )
    .unwrap();
    assert_eq!(r.privacy.len(), 4);
}
