//! Model bundles: export → JSON → import → apply gives the fitted model's own predictions, for
//! every family and both tasks; privacy steps are replayed or refused; bad files and rows are
//! named.

use crate::common;
use bedside::bundle::{export, ModelBundle};
use bedside::recipe::Recipe;

const KEY: &[u8] = &[7u8; 32];

fn recipe(privacy: &str, features: &str, models: &str, target: &str, eval: &str) -> Recipe {
    let text = common::recipe_json(privacy, features, models, eval).replace(
        r#""target": "outcome""#,
        &format!(r#""target": "{target}""#),
    );
    Recipe::from_json(&text).unwrap()
}

/// Runs `recipe` on `csv`, exports every model, and checks for each: the JSON round trip is
/// exact, and applying the bundle (before and after the round trip) to the raw training file
/// gives exactly the predictions of the model fitted in `export`.
fn check_all_models(csv: &str, recipe: &Recipe) -> Vec<ModelBundle> {
    let loaded = bedside::load(csv.as_bytes(), "train.csv").unwrap();
    let mut ctx = bedside::pipeline::Context {
        progress: &mut |_| true,
        now_ms: &|| 0.0,
        key: KEY.to_vec(),
    };
    let out = bedside::pipeline::run(
        &loaded.parsed.table,
        loaded.summary.clone(),
        recipe,
        &mut ctx,
    )
    .unwrap();
    let mut bundles = Vec::new();
    for m in 0..recipe.models.len() {
        let kind = recipe.models[m].kind();
        let ex = export(
            &loaded.parsed.table,
            &loaded.summary,
            recipe,
            &out.report,
            m,
            KEY,
        )
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let json = ex.bundle.to_json().unwrap();
        let back = ModelBundle::from_json(&json).unwrap();
        assert_eq!(back.to_json().unwrap(), json, "{kind}: JSON round trip");
        let p1 = loaded.apply(&ex.bundle).unwrap();
        let p2 = loaded.apply(&back).unwrap();
        assert_eq!(p1, p2, "{kind}: imported bundle predicts differently");
        assert!(p1.unscorable.is_empty(), "{kind}: {:?}", p1.unscorable);
        assert!(!ex.fitted_predictions.is_empty());
        for &(row, want) in &ex.fitted_predictions {
            let got = p1.scored.iter().find(|s| s.row == row + 1).unwrap();
            let got = got.probability.or(got.value).unwrap();
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "{kind}: row {row}: bundle {got} vs fitted model {want}"
            );
        }
        assert_eq!(ex.bundle.kind, kind);
        assert_eq!(
            ex.bundle.evaluation.metrics, out.report.models[m].metrics,
            "{kind}: metrics from the report"
        );
        bundles.push(back);
    }
    bundles
}

const CV3: &str = r#"{"method": "stratified_kfold", "folds": 3}"#;
const KFOLD3: &str = r#"{"method": "kfold", "folds": 3}"#;
const DEMO_PRIVACY: &str = r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]},
    {"op": "generalize", "column": "age", "width": 10}, {"op": "truncate", "column": "zip", "keep": 4}]"#;

#[test]
fn every_classifier_round_trips_and_reproduces_its_predictions() {
    let csv = common::patients_csv(150, 3);
    let models = r#"[{"kind": "logistic_regression"}, {"kind": "decision_tree", "max_depth": 4},
        {"kind": "random_forest", "trees": 10}, {"kind": "gradient_boosting", "max_iter": 10},
        {"kind": "naive_bayes"}, {"kind": "knn", "k": 5}, {"kind": "svm"},
        {"kind": "mlp", "max_iter": 30}]"#;
    let r = recipe(DEMO_PRIVACY, common::FEATURES, models, "outcome", CV3);
    let bundles = check_all_models(&csv, &r);
    assert_eq!(bundles.len(), 8);
    // The replayed privacy steps: generalize and truncate feed inputs; drop and pseudonymize not.
    let h: Vec<&str> = bundles[0]
        .privacy
        .iter()
        .map(|p| p.handling.as_str())
        .collect();
    assert_eq!(h, ["not_applied", "not_applied", "replayed", "replayed"]);
    assert_eq!(bundles[0].target.classes, ["0", "1"]);
    // knn and svm carry training rows in the model; the model-agnostic kinds (naive Bayes, knn,
    // svm, mlp) also keep a background sample of them for `apply --explain`.
    let carry: Vec<&str> = bundles
        .iter()
        .filter(|b| !b.contains_training_rows.is_empty())
        .map(|b| b.kind.as_str())
        .collect();
    assert_eq!(carry, ["naive_bayes", "knn", "svm", "mlp"]);
}

#[test]
fn every_regressor_round_trips_and_reproduces_its_predictions() {
    let csv = common::patients_csv(150, 4);
    let models = r#"[{"kind": "linear_regression"}, {"kind": "ridge", "alpha": 2.0},
        {"kind": "random_forest", "trees": 10}, {"kind": "gradient_boosting", "max_iter": 10}]"#;
    let r = recipe(DEMO_PRIVACY, common::FEATURES, models, "glucose", KFOLD3);
    let bundles = check_all_models(&csv, &r);
    assert!(bundles
        .iter()
        .all(|b| b.target.task == bedside::models::Task::Regression));
    // 5% of glucose values are missing: those rows were not used to fit.
    assert!(bundles[0].created_from.rows_used < 150);
}

#[test]
fn richer_pipelines_round_trip_too() {
    let csv = common::patients_csv(160, 5);
    let features = r#"[{"op": "missing_indicator"}, {"op": "impute", "strategy": "knn"},
        {"op": "log", "method": "log", "columns": ["glucose"]}, {"op": "scale", "method": "robust"},
        {"op": "one_hot"}, {"op": "pca", "components": 3}, {"op": "balance", "method": "smote"}]"#;
    let r = recipe(
        DEMO_PRIVACY,
        features,
        r#"[{"kind": "logistic_regression"}]"#,
        "outcome",
        CV3,
    );
    let b = &check_all_models(&csv, &r)[0];
    assert!(b
        .contains_training_rows
        .iter()
        .any(|w| w.contains("impute")));
    // SMOTE's synthetic rows are training rows: never saved.
    let json = b.to_json().unwrap();
    assert!(!json.contains("synthetic\":[{"));
}

#[test]
fn the_file_never_holds_the_key_or_an_identifier() {
    let csv = common::patients_csv(120, 6);
    let privacy = r#"[{"op": "drop", "columns": ["name"]},
        {"op": "pseudonymize", "columns": ["mrn"], "key": "correct horse battery staple"}]"#;
    let r = recipe(
        privacy,
        common::FEATURES,
        r#"[{"kind": "knn"}]"#,
        "outcome",
        CV3,
    );
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let out = loaded.run(&r, &mut |_| true, &|| 0.0).unwrap();
    let b = export(
        &loaded.parsed.table,
        &loaded.summary,
        &r,
        &out.report,
        0,
        KEY,
    )
    .unwrap();
    let json = b.bundle.to_json().unwrap();
    assert!(!json.contains("correct horse"));
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(!json.contains(f[0]), "name in the model file");
        assert!(
            !json.contains(&format!("\"{}\"", f[1])),
            "mrn in the model file"
        );
    }
    assert_eq!(b.bundle.created_from.sha256, loaded.summary.sha256);
}

#[test]
fn keyed_columns_are_never_inputs_and_whole_file_steps_on_inputs_are_refused() {
    let csv = common::patients_csv(100, 7);
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let export_err = |privacy: &str| {
        let r = recipe(
            privacy,
            common::FEATURES,
            r#"[{"kind": "naive_bayes"}]"#,
            "outcome",
            CV3,
        );
        let out = loaded.run(&r, &mut |_| true, &|| 0.0).unwrap();
        export(
            &loaded.parsed.table,
            &loaded.summary,
            &r,
            &out.report,
            0,
            KEY,
        )
        .map(|e| e.bundle)
    };
    // A pseudonymized column becomes an identifier: never a model input, so the key is never needed.
    let b = export_err(
        r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn", "zip"]}]"#,
    )
    .unwrap();
    assert!(b.inputs.iter().all(|c| c.name != "zip" && c.name != "mrn"));
    assert_eq!(b.privacy[1].handling, "not_applied");
    // k_anonymize chooses its generalization over the whole file: frozen into the bundle.
    let b = export_err(
        r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]},
            {"op": "k_anonymize", "quasi": ["age", "sex"], "k": 3, "max_suppression": 0.1}]"#,
    )
    .unwrap();
    assert_eq!(b.privacy[2].handling, "replayed");
    let g = b.privacy[2].generalization.as_ref().unwrap();
    assert_eq!(g.len(), 2);
}

#[test]
fn export_checks_the_report_and_the_index() {
    let csv = common::patients_csv(80, 8);
    let r = recipe(
        DEMO_PRIVACY,
        common::FEATURES,
        common::BOTH_MODELS,
        "outcome",
        CV3,
    );
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let out = loaded.run(&r, &mut |_| true, &|| 0.0).unwrap();
    let t = &loaded.parsed.table;
    let e = export(t, &loaded.summary, &r, &out.report, 2, KEY)
        .err()
        .unwrap();
    assert!(e.to_string().contains("model_index 2"), "{e}");
    let other = bedside::load(common::patients_csv(80, 9).as_bytes(), "o.csv").unwrap();
    let e = export(t, &other.summary, &r, &out.report, 0, KEY)
        .err()
        .unwrap();
    assert!(e.to_string().contains("another file"), "{e}");
    let mut r2 = r.clone();
    r2.seed = 8;
    let e = export(t, &loaded.summary, &r2, &out.report, 0, KEY)
        .err()
        .unwrap();
    assert!(e.to_string().contains("another recipe"), "{e}");
}

fn demo_bundle(features: &str, csv: &str) -> ModelBundle {
    let r = recipe(
        DEMO_PRIVACY,
        features,
        r#"[{"kind": "logistic_regression"}]"#,
        "outcome",
        CV3,
    );
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let out = loaded.run(&r, &mut |_| true, &|| 0.0).unwrap();
    export(
        &loaded.parsed.table,
        &loaded.summary,
        &r,
        &out.report,
        0,
        KEY,
    )
    .unwrap()
    .bundle
}

#[test]
fn import_names_what_is_wrong() {
    let b = demo_bundle(common::FEATURES, &common::patients_csv(80, 10));
    let mut v: serde_json::Value = serde_json::from_str(&b.to_json().unwrap()).unwrap();
    let err = |v: &serde_json::Value| {
        ModelBundle::from_json(&v.to_string())
            .err()
            .unwrap()
            .to_string()
    };
    assert!(ModelBundle::from_json("{oops")
        .err()
        .unwrap()
        .to_string()
        .contains("not JSON"));
    let mut w = v.clone();
    w["format"] = "bedside-model/9".into();
    assert!(err(&w).contains("format 'bedside-model/9' is not supported"));
    let mut w = v.clone();
    w.as_object_mut().unwrap().remove("pipeline");
    assert!(err(&w).contains("missing field 'pipeline'"));
    v.as_object_mut().unwrap().remove("format");
    assert!(err(&v).contains("missing field 'format'"));
}

#[test]
fn apply_names_missing_columns_bad_rows_and_unseen_categories() {
    let b = demo_bundle(common::FEATURES, &common::patients_csv(100, 11));
    let new = "name,mrn,age,sex,zip,glucose,smoker\n\
               Ann,00000001,44,F,01003,120,no\n\
               Bob,00000002,71,X,01004,abc,yes\n\
               Cy,00000003,,M,99999,,no\n";
    let loaded = bedside::load(new.as_bytes(), "new.csv").unwrap();
    let p = loaded.apply(&b).unwrap();
    assert_eq!(p.rows, 3);
    // Row 2 has text in the numeric column glucose: line 3, field glucose.
    assert_eq!(p.unscorable.len(), 1);
    assert_eq!(
        (p.unscorable[0].line, p.unscorable[0].field.as_str()),
        (3, "glucose")
    );
    // Missing age and glucose are imputed (median); sex X and zip 9999 were never seen.
    assert_eq!(p.scored.len(), 2);
    assert!(p
        .scored
        .iter()
        .all(|s| (0.0..=1.0).contains(&s.probability.unwrap())));
    assert!(p.scored.iter().all(|s| s.class.as_deref()
        == Some(if s.probability.unwrap() >= 0.5 {
            "1"
        } else {
            "0"
        })));
    assert_eq!(p.unseen.get("sex"), Some(&1));
    assert_eq!(p.unseen.get("zip"), Some(&1));
    let csv = String::from_utf8(p.to_csv()).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.starts_with("row,line,probability,predicted_class,not_scored\n"));
    assert!(!csv.contains("Ann") && !csv.contains("00000001"));

    let e = bedside::load(b"age,sex,glucose,smoker\n40,F,100,no\n", "few.csv")
        .unwrap()
        .apply(&b)
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("few.csv: no column 'zip'"), "{e}");
}

#[test]
fn a_missing_value_no_step_fills_makes_the_row_unscorable() {
    // Training data without missing glucose, and no impute step.
    let csv = common::patients_csv(100, 12).replace(",NA,", ",100,");
    let b = demo_bundle(
        r#"[{"op": "scale", "method": "standard"}, {"op": "one_hot"}]"#,
        &csv,
    );
    let new = "age,sex,zip,glucose,smoker\n50,F,01003,,no\n60,M,01002,130,yes\n";
    let p = bedside::load(new.as_bytes(), "n.csv")
        .unwrap()
        .apply(&b)
        .unwrap();
    assert_eq!(p.scored.len(), 1);
    assert_eq!(p.unscorable[0].line, 2);
    assert_eq!(p.unscorable[0].field, "glucose");
    assert!(p.unscorable[0].reason.contains("missing"));
}

#[test]
fn a_few_non_numbers_read_as_missing_are_warned_about() {
    let b = demo_bundle(common::FEATURES, &common::patients_csv(100, 13));
    let mut new = String::from("age,sex,zip,glucose,smoker\n");
    for i in 0..40 {
        let g = if i == 7 {
            "high".to_string()
        } else {
            (90 + i).to_string()
        };
        new.push_str(&format!("{},F,01003,{g},no\n", 30 + i));
    }
    let p = bedside::load(new.as_bytes(), "n.csv")
        .unwrap()
        .apply(&b)
        .unwrap();
    assert_eq!(p.scored.len(), 40);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("'glucose'") && w.contains("[9]")),
        "{:?}",
        p.warnings
    );
}

/// The suggested recipe puts every quasi-identifier into one `k_anonymize` step; its model can be
/// saved, and applying it to the training file reproduces the masked inputs and the final
/// model's predictions; new records with unseen values are generalized by the training ladders.
#[test]
fn suggested_recipe_with_k_anonymize_exports_and_replays() {
    let csv = common::patients_csv(300, 21);
    let loaded = bedside::load(csv.as_bytes(), "train.csv").unwrap();
    let mut r = bedside::suggest::suggest(&loaded.parsed.table, Some("outcome"));
    r.models.truncate(1);
    let k_index = r
        .privacy
        .iter()
        .position(|s| s.name() == "k_anonymize")
        .expect("the suggested recipe has a k_anonymize step");
    let bundles = check_all_models(&csv, &r);
    let b = &bundles[0];
    let h = &b.privacy[k_index];
    assert_eq!(h.handling, "replayed");
    let g = h.generalization.as_ref().unwrap();
    // The pinned step: explicit ladders and levels for every quasi-identifier.
    let Some(bedside::privacy::PrivacyStep::KAnonymize(pinned)) = &h.args else {
        panic!("{:?}", h.args)
    };
    assert_eq!(pinned.levels.len(), pinned.quasi.len());
    assert!(g.iter().any(|g| g.level > 0), "{g:?}");
    // The same levels as the training run applied.
    let masked =
        bedside::pipeline::apply_privacy(&loaded.parsed.table, &r, KEY, &mut |_, _| Ok(()))
            .unwrap();
    let plan = match &r.privacy[k_index] {
        bedside::privacy::PrivacyStep::KAnonymize(k) => k.clone(),
        _ => unreachable!(),
    };
    for q in &plan.quasi {
        assert!(g.iter().any(|g| &g.column == q), "{q}");
    }
    // Every row's generalized inputs equal the masked table's, for the rows not suppressed.
    let (x, bad) = b.masked_inputs(&loaded.parsed.table).unwrap();
    assert!(bad.iter().all(Option::is_none), "{bad:?}");
    let mut compared = 0;
    for c in &b.inputs {
        let ours = x.column(&c.name).unwrap();
        let theirs = masked.table.column(&c.name).unwrap();
        for (m, &orig) in masked.row_map.iter().enumerate() {
            assert_eq!(
                ours.values.text(orig),
                theirs.values.text(m),
                "column {} row {orig}",
                c.name
            );
            compared += 1;
        }
    }
    assert!(compared > 0);
    // New records: unseen values generalized by the training ladders, unplaceable ones reported.
    let mut new_csv = String::from("name,mrn,age,sex,zip,glucose,smoker,outcome\n");
    new_csv.push_str("Zed Zu1,00009999,131,F,09999,120,yes,\n");
    new_csv.push_str("Zed Zu2,00009998,44,X,01003,100,no,\n");
    new_csv.push_str("Zed Zu3,00009997,-7,M,-5,100,no,\n");
    new_csv.push_str("Zed Zu4,00009996,51,M,01001,90,no,\n");
    let new = bedside::load(new_csv.as_bytes(), "new.csv").unwrap();
    let p = new.apply(b).unwrap();
    assert_eq!(p.rows, 4);
    assert_eq!(p.scored.len() + p.unscorable.len(), 4);
    let (x, bad) = b.masked_inputs(&new.parsed.table).unwrap();
    for gz in g.iter().filter(|g| g.level > 0) {
        let col = x.column(&gz.column).unwrap();
        for (r, b) in bad.iter().enumerate().take(4) {
            match b {
                None => {
                    // A value the training ladder places gets that ladder's label.
                    let raw = new.parsed.table.column(&gz.column).unwrap();
                    let want = gz.rule.label(raw.values.text(r).as_deref()).unwrap();
                    assert_eq!(col.values.text(r), want, "{} row {r}", gz.column);
                }
                Some((field, reason)) => {
                    assert!(!reason.is_empty(), "{field}");
                    assert!(p.unscorable.iter().any(|u| u.row == r + 1));
                }
            }
        }
    }
    for u in &p.unscorable {
        assert!(!u.reason.is_empty() && !u.field.is_empty(), "{u:?}");
    }
    // Row 4 holds only values seen in training: scored.
    assert!(p.scored.iter().any(|s| s.row == 4), "{:?}", p.unscorable);
    eprintln!("generalization: {}", serde_json::to_string(g).unwrap());
    eprintln!("unscorable: {:?}", p.unscorable);
    eprintln!("unseen: {:?}", p.unseen);
}

/// A frozen generalization relabels values one by one; a value its rule cannot place marks the
/// row (column and reason), never a panic; `frequent` sends unlisted values to "other".
#[test]
fn frozen_generalization_reports_values_it_cannot_place() {
    use bedside::privacy::anonymize::{replay, Generalization, Rule};
    let csv = "zip,ward,age\nA1,north,34\nB2,east,51\nC3,south,\n";
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let mut t = loaded.parsed.table.clone();
    let g = vec![
        Generalization {
            column: "zip".into(),
            level: 1,
            level_name: "hierarchy level 1".into(),
            rule: Rule::Hierarchy([("A1".to_string(), "A".to_string())].into_iter().collect()),
        },
        Generalization {
            column: "ward".into(),
            level: 1,
            level_name: "frequent".into(),
            rule: Rule::Frequent(vec!["north".into()]),
        },
        Generalization {
            column: "age".into(),
            level: 1,
            level_name: "bands of 10".into(),
            rule: Rule::Bands {
                width: 10.0,
                integers: true,
            },
        },
    ];
    let bad = replay(&mut t, &g);
    assert!(bad[0].is_none());
    let (field, reason) = bad[1].clone().unwrap();
    assert_eq!(field, "zip");
    assert!(reason.contains("not in the hierarchy"), "{reason}");
    assert!(bad[2].is_some());
    let text = |c: &str, r: usize| t.column(c).unwrap().values.text(r);
    assert_eq!(text("zip", 0).as_deref(), Some("A"));
    assert_eq!(text("ward", 0).as_deref(), Some("north"));
    assert_eq!(text("ward", 1).as_deref(), Some("other"));
    assert_eq!(text("age", 0).as_deref(), Some("30-39"));
    assert_eq!(text("age", 2), None);
}
