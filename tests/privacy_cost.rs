//! Original vs masked: with privacy steps the same models are evaluated on the original values
//! of the columns that survive the privacy steps, so the cost of privacy is visible.

use crate::common;
use common::*;

const LOGISTIC: &str = r#"[{"kind": "logistic_regression"}]"#;

fn coarse_age(width: u32) -> String {
    format!(
        r#"[{{"op": "drop", "columns": ["name"]}}, {{"op": "pseudonymize", "columns": ["mrn"]}},
           {{"op": "generalize", "column": "age", "width": {width}}}]"#
    )
}

#[test]
fn coarsening_a_strong_predictor_shows_a_measurable_cost() {
    let csv = patients_csv(1200, 8);
    let r = run(&csv, &recipe_json(&coarse_age(40), FEATURES, LOGISTIC, CV5))
        .unwrap()
        .report;
    let o = r.original.as_ref().expect("an original section");
    assert!(o.evaluated, "{}", o.note);
    assert_eq!((o.rows, o.splits), (1200, 5));
    assert!(o.columns.contains(&"age".to_string()));
    assert!(
        !o.columns.contains(&"name".to_string()),
        "dropped columns stay out"
    );
    let cost = o
        .cost
        .iter()
        .find(|c| c.metric == "roc_auc")
        .expect("roc_auc cost");
    assert_eq!(cost.kind, "logistic_regression");
    assert!(cost.higher_is_better);
    let (orig, masked, d) = (
        cost.original.unwrap(),
        cost.masked.unwrap(),
        cost.difference.unwrap(),
    );
    assert_eq!(masked, r.models[0].metrics["roc_auc"].mean.unwrap());
    assert_eq!(o.models[0].metrics["roc_auc"].mean.unwrap(), orig);
    assert!((d - (masked - orig)).abs() < 1e-12);
    assert!(
        d < -0.02,
        "age in 40-year bands should cost ROC-AUC: original {orig:.3}, masked {masked:.3}"
    );

    // Privacy steps that leave every model input as it was cost nothing: the same numbers.
    let r = run(&csv, &recipe_json(MASK, FEATURES, LOGISTIC, CV5))
        .unwrap()
        .report;
    let o = r.original.unwrap();
    for c in &o.cost {
        assert_eq!(c.difference, Some(0.0), "{c:?}");
    }
}

#[test]
fn no_privacy_steps_or_compare_original_false_means_no_original_section() {
    let csv = patients_csv(200, 2);
    let r = run(
        &csv,
        &recipe_json("[]", FEATURES, LOGISTIC, CV5).replace(
            r#""columns": {"name": "identifier", "mrn": "identifier", "#,
            r#""columns": {"name": "ignore", "mrn": "ignore", "#,
        ),
    )
    .unwrap()
    .report;
    assert!(r.original.is_none());
    assert!(!serde_json::to_string(&r).unwrap().contains("\"original\""));
    let off = r#"{"method": "stratified_kfold", "folds": 5, "compare_original": false}"#;
    let r = run(&csv, &recipe_json(&coarse_age(10), FEATURES, LOGISTIC, off))
        .unwrap()
        .report;
    assert!(r.original.is_none());
    assert_eq!(r.recipe.evaluation.compare_original, Some(false));
    // The flag round-trips and is type-checked.
    let bad = r#"{"method": "kfold", "compare_original": "no"}"#;
    let e = bedside::recipe::Recipe::from_json(&recipe_json("[]", "[]", LOGISTIC, bad))
        .err()
        .unwrap();
    assert!(e.to_string().contains("compare_original"), "{e}");
}

#[test]
fn when_the_original_cannot_be_modelled_the_run_still_reports_the_masked_one() {
    // The feature steps one-hot encode 'age' by name: fine on the banded (categorical) masked
    // age, refused on the original numeric age. The masked evaluation stands; the comparison
    // says why it is missing.
    let features = r#"[{"op": "impute", "strategy": "median"}, {"op": "one_hot", "columns": ["age", "sex", "smoker", "zip"]}]"#;
    let r = run(
        &patients_csv(300, 4),
        &recipe_json(&coarse_age(20), features, LOGISTIC, CV5),
    );
    let r = match r {
        Ok(o) => o.report,
        Err(e) => panic!("{e}"),
    };
    assert!(r.models[0].metrics["roc_auc"].mean.is_some());
    let o = r.original.unwrap();
    assert!(!o.evaluated);
    assert!(o.models.is_empty() && o.cost.is_empty());
    assert!(o.note.contains("could not be evaluated"), "{}", o.note);
}
