//! Recalibration (a model entry's `calibration`) and clinical thresholds
//! (`evaluation.threshold`): against scikit-learn's CalibratedClassifierCV on fixed folds, a
//! hand-worked isotonic example, the leakage test (outer test rows scrambled → the inner
//! choices bit-identical), the report, the model file and clear errors.

use crate::common;
use bedside::eval::recalibrate::{Calibrated, Calibrator, Member, Method};
use bedside::eval::split::{Evaluation, Fold};
use bedside::eval::threshold::ThresholdSpec;
use bedside::models::{ClassifierModel, FittedClassifier, ModelSpec, Task};
use bedside::pipeline::fold::{fit_inner, fit_split};
use bedside::recipe::Recipe;
use bedside::table::{Column, ColumnType, Table, Values};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

fn spec(v: serde_json::Value) -> ModelSpec {
    serde_json::from_value(v).unwrap()
}

/// The data and folds of `scripts/calibration-reference.py`, built by the same formulas.
fn reference_data() -> (Array2<f64>, Vec<bool>, Vec<Fold>) {
    let y: Vec<bool> = (0..40).map(|i| (i * 7) % 5 < 2).collect();
    let mut x = Array2::zeros((40, 2));
    for i in 0..40 {
        x[[i, 0]] = ((i * 13) % 11) as f64 / 5.0 + if y[i] { 0.8 } else { 0.0 };
        x[[i, 1]] = ((i * 29) % 7) as f64 / 3.0 - if y[i] { 0.5 } else { 0.0 };
    }
    let folds = (0..5)
        .map(|j| Fold {
            train: (0..40).filter(|i| i / 8 != j).collect(),
            test: (8 * j..8 * j + 8).collect(),
        })
        .collect();
    (x, y, folds)
}

#[test]
fn recalibration_matches_sklearn_calibrated_classifier_cv_on_fixed_folds() {
    let (x, y, folds) = reference_data();
    let new = Array2::from_shape_vec(
        (5, 2),
        vec![0.0, 0.0, 1.0, 1.0, 2.0, 0.5, 2.8, -0.4, 0.5, 2.0],
    )
    .unwrap();
    // python3 scripts/calibration-reference.py (scikit-learn 1.9.1).
    let cases = [
        (
            Method::Sigmoid,
            [
                0.1935175224,
                0.2318374895,
                0.6622194108,
                0.7758733002,
                0.1693230832,
            ],
            1e-4,
        ),
        (
            Method::Isotonic,
            [
                0.0734192952,
                0.1276846411,
                0.8333117208,
                0.9200000000,
                0.0019273685,
            ],
            1e-7,
        ),
    ];
    for (method, expected, tol) in cases {
        let nb = spec(json!({"kind": "naive_bayes"}));
        let (members, oof) = fit_inner(&nb, &x, &y, &folds, Some(method), 1).unwrap();
        assert_eq!(oof.len(), 40);
        let model = Calibrated {
            method,
            members: members
                .into_iter()
                .map(|(model, c)| Member {
                    model,
                    calibrator: c.unwrap(),
                })
                .collect(),
        };
        let p = model.predict_proba(&new);
        for (k, (got, want)) in p.iter().zip(expected).enumerate() {
            assert!(
                (got - want).abs() < tol,
                "{method:?} row {k}: {got} vs scikit-learn {want}"
            );
        }
    }
}

#[test]
fn isotonic_pav_hand_example() {
    // Scores 0.1..0.6 with labels 0 1 0 0 1 1: the violators (1 at 0.2, 0 at 0.3 and 0.4)
    // pool to 1/3; PAV gives 0, 1/3, 1/3, 1/3, 1, 1.
    let p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    let y = [false, true, false, false, true, true];
    let c = Calibrator::fit(Method::Isotonic, &p, &y);
    let Calibrator::Isotonic { x, y: fitted } = &c else {
        panic!("not isotonic")
    };
    assert_eq!(x, &p.to_vec());
    let third = 1.0 / 3.0;
    assert_eq!(fitted, &vec![0.0, third, third, third, 1.0, 1.0]);
    // Between points: linear; outside: clipped.
    assert!((c.apply(0.15) - third / 2.0).abs() < 1e-12);
    assert!((c.apply(0.45) - (third + 1.0) / 2.0).abs() < 1e-12);
    assert_eq!(c.apply(0.0), 0.0);
    assert_eq!(c.apply(0.99), 1.0);
}

/// A table of `n` rows (`a`, `b` numeric with some missing, `noise`) with a class target of
/// real signal; rows in `scramble` get fresh random inputs and a random label.
fn clinical_data(n: usize, scramble: &[usize]) -> (Table, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut other = ChaCha8Rng::seed_from_u64(77);
    let (mut a, mut b, mut noise, mut y) = (vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let (x1, x2, x3): (f64, f64, f64) = (
            rng.gen_range(-2.0..2.0),
            rng.gen_range(-2.0..2.0),
            rng.gen_range(-1.0..1.0),
        );
        let z = 1.5 * x1 - x2 + rng.gen_range(-1.0..1.0);
        let label = rng.gen_bool(1.0 / (1.0 + (-z).exp()));
        let missing = i % 17 == 3;
        if scramble.contains(&i) {
            a.push(other.gen_range(-9.0..9.0));
            b.push(other.gen_range(-9.0..9.0));
            noise.push(other.gen_range(-9.0..9.0));
            y.push(other.gen_bool(0.5));
        } else {
            a.push(if missing { f64::NAN } else { x1 });
            b.push(x2);
            noise.push(x3);
            y.push(label);
        }
    }
    let col = |name: &str, v: Vec<f64>| Column {
        name: name.into(),
        ctype: ColumnType::Numeric,
        values: Values::num(v),
    };
    (
        Table::new(vec![col("a", a), col("b", b), col("noise", noise)]),
        y,
    )
}

#[test]
fn scrambled_outer_test_rows_leave_the_inner_choices_bit_identical() {
    let n = 240;
    let test: Vec<usize> = (0..n).filter(|i| i % 4 == 1).collect();
    let train: Vec<usize> = (0..n).filter(|i| i % 4 != 1).collect();
    let steps: Vec<bedside::features::FeatureStep> = serde_json::from_value(json!([
        {"op": "impute", "strategy": "median"},
        {"op": "scale", "method": "standard"}
    ]))
    .unwrap();
    let threshold = ThresholdSpec::from_value(&json!({"rule": "net_benefit", "pt": 0.3})).unwrap();
    let choose = |scramble: &[usize], method: Method, kind: &str| {
        let (x, y) = clinical_data(n, scramble);
        let values = vec![0.0; n];
        let (split, _) = fit_split(
            &steps,
            Task::Classification,
            &x,
            &y,
            &values,
            (&train, &test),
            5,
            None,
        )
        .unwrap();
        let (fitted, inner) = split
            .fit_entry(
                &spec(json!({ "kind": kind })),
                Some(method),
                Some(&threshold),
                Task::Classification,
                5,
            )
            .unwrap();
        (inner.unwrap(), fitted.predict(&split.xte))
    };
    for (method, kind) in [
        (Method::Sigmoid, "logistic_regression"),
        (Method::Isotonic, "random_forest"),
    ] {
        let (a, pa) = choose(&[], method, kind);
        let (b, pb) = choose(&test, method, kind);
        assert_eq!(a.calibrators.len(), 5);
        assert!(a.threshold.is_some());
        // Bit-identical: the same calibrators and the same threshold, to the last bit.
        assert_eq!(a, b, "{kind}: the test rows changed an inner choice");
        // The scrambled test rows are what the model is then scored on: those changed.
        assert_ne!(pa, pb);
        // Scrambling training rows does change the choice (the test can fail).
        let (c, _) = choose(&train[..20], method, kind);
        assert_ne!(a, c, "{kind}: training rows must matter");
    }
}

/// A CSV of [`clinical_data`] (`a` missing as empty cells).
fn clinical_csv(n: usize, scramble: &[usize]) -> String {
    let (x, y) = clinical_data(n, scramble);
    let col = |name: &str| match &x.column(name).unwrap().values {
        Values::Num(v) => v.clone(),
        _ => unreachable!(),
    };
    let (a, b, noise) = (col("a"), col("b"), col("noise"));
    let mut out = String::from("a,b,noise,y\n");
    for i in 0..n {
        let cell = |v: f64| {
            if v.is_nan() {
                String::new()
            } else {
                format!("{v:.6}")
            }
        };
        out.push_str(&format!(
            "{},{},{},{}\n",
            cell(a[i]),
            cell(b[i]),
            cell(noise[i]),
            y[i] as u8
        ));
    }
    out
}

fn clinical_recipe(threshold: serde_json::Value) -> String {
    json!({
        "version": 1, "seed": 13, "target": "y",
        "features": [{"op": "impute", "strategy": "median"}, {"op": "scale", "method": "standard"}],
        "models": [
            {"kind": "logistic_regression", "calibration": "sigmoid"},
            {"kind": "decision_tree", "max_depth": 3, "calibration": "isotonic"},
            {"kind": "naive_bayes"}
        ],
        "evaluation": {"method": "kfold", "folds": 4, "threshold": threshold}
    })
    .to_string()
}

#[test]
fn a_run_chooses_thresholds_inside_each_training_split_only() {
    let n = 320;
    let recipe = clinical_recipe(json!({"rule": "youden"}));
    let run = |csv: &str| common::run(csv, &recipe).unwrap().report;
    let a = run(&clinical_csv(n, &[]));
    // The outer splits as the run makes them: plain k-fold ignores the labels, so the test rows
    // of split 1 can be scrambled (inputs and labels) without moving any row between splits.
    let folds = Evaluation::Kfold { folds: 4 }
        .folds(&vec![false; n], 13)
        .unwrap();
    let b = run(&clinical_csv(n, &folds[0].test));
    for m in 0..3 {
        let (ta, tb) = (
            a.models[m].threshold.as_ref().unwrap(),
            b.models[m].threshold.as_ref().unwrap(),
        );
        assert_eq!(ta.chosen.folds.len(), 4);
        assert!(ta.chosen.folds.iter().all(|t| t.is_some()));
        // Split 1 trains on the same rows: the same threshold to the bit.
        assert_eq!(
            ta.chosen.folds[0].map(f64::to_bits),
            tb.chosen.folds[0].map(f64::to_bits),
            "model {m}"
        );
        // Its test rows changed, so what they score at that threshold changes.
        assert_ne!(
            ta.sensitivity.folds[0], tb.sensitivity.folds[0],
            "model {m}"
        );
        // Operating values are proportions with intervals around the pooled value.
        for s in [&ta.sensitivity, &ta.specificity, &ta.ppv, &ta.npv] {
            let (v, [lo, hi]) = (s.pooled.unwrap(), s.ci.unwrap());
            assert!((0.0..=1.0).contains(&v) && lo <= v && v <= hi, "{s:?}");
        }
        assert_eq!(ta.rule, json!({"rule": "youden"}));
    }
    // The other splits train on the scrambled rows: some choice moves.
    let moved = (0..3).any(|m| {
        let (ta, tb) = (
            a.models[m].threshold.as_ref().unwrap(),
            b.models[m].threshold.as_ref().unwrap(),
        );
        (1..4).any(|s| ta.chosen.folds[s] != tb.chosen.folds[s])
    });
    assert!(moved);
    let r = a.models[0].recalibration.as_ref().unwrap();
    assert_eq!((r.method, r.inner_folds), (Method::Sigmoid, 5));
    assert!(a.models[2].recalibration.is_none());
    // The recipe keeps both options (the report embeds it) and `params` does not repeat them.
    let text = serde_json::to_value(&a).unwrap();
    assert_eq!(text["recipe"]["models"][1]["calibration"], "isotonic");
    assert_eq!(text["recipe"]["evaluation"]["threshold"]["rule"], "youden");
    assert!(text["models"][0]["params"].get("calibration").is_none());
}

#[test]
fn min_sensitivity_holds_near_its_value_on_the_outer_rows_and_recalibration_keeps_the_ranking() {
    let n = 400;
    let recipe = json!({
        "version": 1, "seed": 3, "target": "y",
        "features": [{"op": "impute", "strategy": "median"}],
        "models": [{"kind": "naive_bayes", "var_smoothing": 0.5},
                   {"kind": "naive_bayes", "var_smoothing": 0.5, "calibration": "sigmoid"}],
        "evaluation": {"method": "stratified_kfold", "folds": 4,
                       "threshold": {"rule": "min_sensitivity", "value": 0.9}}
    })
    .to_string();
    let r = common::run(&clinical_csv(n, &[]), &recipe).unwrap().report;
    for m in &r.models {
        let t = m.threshold.as_ref().unwrap();
        // Chosen for ≥ 90% sensitivity inside; on the outer rows it lands near it.
        assert!(t.sensitivity.pooled.unwrap() > 0.8, "{t:?}");
    }
    // Recalibration is monotone per member: the ranking, so ROC-AUC, barely moves.
    let auc = |m: usize| r.models[m].metrics["roc_auc"].pooled.unwrap();
    assert!((auc(0) - auc(1)).abs() < 0.05);
}

#[test]
fn bad_options_fail_with_the_step_and_field() {
    let err = |v: serde_json::Value| Recipe::from_value(&v).unwrap_err().to_string();
    let base = |model: serde_json::Value, evaluation: serde_json::Value| json!({"version": 1, "target": "y", "models": [model], "evaluation": evaluation});
    let e = err(base(
        json!({"kind": "knn", "calibration": "platt"}),
        json!({"method": "kfold"}),
    ));
    assert!(
        e.contains("models[0]") && e.contains("calibration") && e.contains("sigmoid"),
        "{e}"
    );
    let e = err(base(
        json!({"kind": "knn"}),
        json!({"method": "kfold", "threshold": {"rule": "net_benefit", "pt": 2}}),
    ));
    assert!(
        e.contains("evaluation") && e.contains("threshold.pt"),
        "{e}"
    );
    let e = err(base(
        json!({"kind": "knn"}),
        json!({"method": "kfold", "threshold": {"rule": "cost", "fn_cost": 3}}),
    ));
    assert!(e.contains("threshold.fp_cost"), "{e}");
    // A numeric target: calibration and a threshold rule are refused before any fit.
    let mut csv = String::from("a,level\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},{}\n", i * 3 % 7));
    }
    let recipe = |model: &str, evaluation: &str| {
        format!(
            r#"{{"version": 1, "target": "level", "models": [{model}], "evaluation": {evaluation}}}"#
        )
    };
    let e = common::run(
        &csv,
        &recipe(
            r#"{"kind": "linear_regression", "calibration": "sigmoid"}"#,
            r#"{"method": "kfold"}"#,
        ),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("calibration") && e.contains("numeric"), "{e}");
    let e = common::run(
        &csv,
        &recipe(
            r#"{"kind": "linear_regression"}"#,
            r#"{"method": "kfold", "threshold": {"rule": "youden"}}"#,
        ),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("threshold") && e.contains("numeric"), "{e}");
}

#[test]
fn the_model_file_and_apply_use_the_calibrated_predictor_and_the_chosen_threshold() {
    let csv = clinical_csv(200, &[]);
    let recipe = clinical_recipe(json!({"rule": "cost", "ratio": 4}));
    let r = Recipe::from_json(&recipe).unwrap();
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let out = loaded.run(&r, &mut |_| true, &|| 0.0).unwrap();
    let exported = bedside::bundle::export(
        &loaded.parsed.table,
        &loaded.summary,
        &r,
        &out.report,
        1,
        &[7u8; 32],
    )
    .unwrap();
    let bundle = &exported.bundle;
    let bedside::models::Fitted::Classifier(ClassifierModel::Calibrated(c)) = &bundle.model else {
        panic!("the model file does not hold the calibrated model")
    };
    assert_eq!((c.method, c.members.len()), (Method::Isotonic, 5));
    // A cost ratio of 4 puts the threshold below 0.5 on this balanced-ish outcome.
    assert!(
        bundle.threshold > 0.0 && bundle.threshold < 0.5,
        "{}",
        bundle.threshold
    );
    // The bundle round-trips through JSON with its members and predicts the same.
    let back = bedside::bundle::ModelBundle::from_json(&bundle.to_json().unwrap()).unwrap();
    let x = Array2::from_shape_vec((2, 3), vec![1.0, -1.0, 0.0, -1.0, 1.0, 0.0]).unwrap();
    assert_eq!(bundle.model.predict(&x), back.model.predict(&x));
}

#[test]
fn too_few_events_for_the_inner_folds_is_a_clear_error() {
    // 6 positives among 60 rows: an outer training split of 3-fold CV has about 4, fewer than
    // the 5 inner folds.
    let mut csv = String::from("a,y\n");
    for i in 0..60 {
        csv.push_str(&format!("{},{}\n", i % 13, (i % 10 == 0) as u8));
    }
    let run = |model: &str, evaluation: &str| {
        let recipe = format!(
            r#"{{"version": 1, "target": "y", "models": [{model}], "evaluation": {evaluation}}}"#
        );
        common::run(&csv, &recipe).err().unwrap().to_string()
    };
    let e = run(
        r#"{"kind": "naive_bayes", "calibration": "isotonic"}"#,
        r#"{"method": "stratified_kfold", "folds": 3}"#,
    );
    assert!(
        e.contains("models[0]") && e.contains("calibration") && e.contains("5 inner folds"),
        "{e}"
    );
    let e = run(
        r#"{"kind": "naive_bayes"}"#,
        r#"{"method": "stratified_kfold", "folds": 3, "threshold": {"rule": "youden"}}"#,
    );
    assert!(
        e.contains("threshold") && e.contains("5 inner folds"),
        "{e}"
    );
}
