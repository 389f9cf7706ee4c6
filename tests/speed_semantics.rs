//! Issue #16: what makes a run fast must not change what it reports. Permutation importance
//! through the tree paths, in parallel and below the sample cap gives the same bits as predicting
//! shuffled matrices one input after another (the algorithm before the issue, kept here as the
//! reference); boosting stops early as scikit-learn's HistGradientBoosting does; one_hot caps its
//! columns; the profile flags wide columns; the report times every phase and the progress tells
//! the plan before the first unit.

mod common;

use bedside::eval::importance::{self, Predictor};
use bedside::eval::metrics::roc_auc;
use bedside::models::{ModelSpec, Task};
use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Rows with signal in inputs 0–2 and noise in the rest.
fn data(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<bool>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, p), |_| rng.gen_range(-2.0..2.0));
    let yr: Vec<f64> = (0..n)
        .map(|i| x[[i, 0]] - 0.7 * x[[i, 1]] + 0.4 * x[[i, 2]] * x[[i, 0]])
        .collect();
    let y = yr
        .iter()
        .map(|v| v + rng.gen_range(-0.8..0.8) > 0.0)
        .collect();
    (x, y, yr)
}

/// The permutation importance of before issue #16: one input after another, each shuffle
/// predicted on the whole shuffled matrix, every shuffle drawn from one generator.
fn reference(
    x: &Array2<f64>,
    predict: &dyn Fn(&Array2<f64>) -> Vec<f64>,
    score: &dyn Fn(&[f64]) -> Option<f64>,
    repeats: usize,
    seed: u64,
) -> Option<Vec<f64>> {
    let settled = |p: Vec<f64>| -> Vec<f64> { p.into_iter().map(settle).collect() };
    let base = score(&settled(predict(x)))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut xs = x.clone();
    let mut perm: Vec<usize> = (0..x.nrows()).collect();
    let mut out = Vec::new();
    for j in 0..x.ncols() {
        let (mut drop, mut k) = (0.0, 0);
        for _ in 0..repeats {
            perm.shuffle(&mut rng);
            for (i, &src) in perm.iter().enumerate() {
                xs[[i, j]] = x[[src, j]];
            }
            if let Some(s) = score(&settled(predict(&xs))) {
                drop += base - s;
                k += 1;
            }
        }
        xs.column_mut(j).assign(&x.column(j));
        out.push(if k > 0 { drop / k as f64 } else { 0.0 });
    }
    Some(out)
}

fn settle(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(11 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

fn spec(json: &str) -> ModelSpec {
    serde_json::from_str(json).unwrap()
}

#[test]
fn importance_below_the_cap_is_the_same_bits_as_before_for_every_model_family() {
    let (x, y, yr) = data(600, 20, 3);
    let (xt, yt, yrt) = data(300, 20, 4);
    let models = [
        (
            r#"{"kind": "random_forest", "trees": 30}"#,
            Task::Classification,
        ),
        (
            r#"{"kind": "gradient_boosting", "max_iter": 40}"#,
            Task::Classification,
        ),
        (
            r#"{"kind": "decision_tree", "max_depth": 6}"#,
            Task::Classification,
        ),
        (r#"{"kind": "logistic_regression"}"#, Task::Classification),
        (
            r#"{"kind": "random_forest", "trees": 20}"#,
            Task::Regression,
        ),
        (
            r#"{"kind": "gradient_boosting", "max_iter": 30}"#,
            Task::Regression,
        ),
    ];
    for (json, task) in models {
        let fitted = spec(json).fit(task, &x, &y, &yr, 7).unwrap();
        let predict = |m: &Array2<f64>| fitted.predict(m);
        let score_all = |p: &[f64]| match task {
            Task::Classification => roc_auc(&yt, p),
            Task::Regression => bedside::eval::metrics::regression(&yrt, p)[2],
        };
        let score = |rows: Option<&[usize]>, p: &[f64]| {
            assert!(rows.is_none(), "300 rows are below every cap used here");
            score_all(p)
        };
        let before = reference(&xt, &predict, &score_all, 3, 11).unwrap();
        let fast = importance::permutation(
            &xt,
            &Predictor::of(&fitted, &predict),
            &score,
            3,
            importance::DEFAULT_MAX_SAMPLES,
            11,
        )
        .unwrap();
        let generic =
            importance::permutation(&xt, &Predictor::Any(&predict), &score, 3, 0, 11).unwrap();
        assert_eq!(fast, before, "{json}: tree paths differ from the reference");
        assert_eq!(generic, before, "{json}: the generic path differs");
        assert!(before[0] > 0.01, "{json}: {before:?}");
    }
}

#[test]
fn importance_is_the_same_on_one_thread_and_on_many() {
    let (x, y, yr) = data(500, 40, 5);
    let fitted = spec(r#"{"kind": "random_forest", "trees": 25}"#)
        .fit(Task::Classification, &x, &y, &yr, 1)
        .unwrap();
    let predict = |m: &Array2<f64>| fitted.predict(m);
    let score = |_: Option<&[usize]>, p: &[f64]| roc_auc(&y, p);
    let run =
        || importance::permutation(&x, &Predictor::of(&fitted, &predict), &score, 2, 0, 9).unwrap();
    let many = run();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(run);
    assert_eq!(many, one);
}

#[test]
fn above_the_cap_importance_is_measured_on_a_seeded_sample_of_rows() {
    let (x, y, yr) = data(3000, 6, 8);
    let fitted = spec(r#"{"kind": "gradient_boosting", "max_iter": 30}"#)
        .fit(Task::Classification, &x, &y, &yr, 1)
        .unwrap();
    let predict = |m: &Array2<f64>| fitted.predict(m);
    let seen = std::sync::Mutex::new(Vec::new());
    let score = |rows: Option<&[usize]>, p: &[f64]| {
        let rows = rows.expect("3,000 rows are above a cap of 1,000");
        assert_eq!((rows.len(), p.len()), (1000, 1000));
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        seen.lock().unwrap().push(rows.to_vec());
        let y: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
        roc_auc(&y, p)
    };
    let predictor = Predictor::of(&fitted, &predict);
    let capped = importance::permutation(&x, &predictor, &score, 3, 1000, 2).unwrap();
    let again = importance::permutation(&x, &predictor, &score, 3, 1000, 2).unwrap();
    assert_eq!(capped, again);
    let seen = seen.into_inner().unwrap();
    assert!(seen.iter().all(|r| r == &seen[0]), "one sample for all");
    // Close to the importance on every row: the signal inputs first, the noise near 0.
    let full_score = |_: Option<&[usize]>, p: &[f64]| roc_auc(&y, p);
    let full = importance::permutation(&x, &predictor, &full_score, 3, 0, 2).unwrap();
    for (c, f) in capped.iter().zip(&full) {
        assert!((c - f).abs() < 0.03, "{capped:?} vs {full:?}");
    }
    assert!(capped[0] > capped[3] && capped[1] > capped[4]);
}

/// Rows with a class signal for early stopping and the comparison with scikit-learn.
fn boosting_fit(json: &str, n: usize) -> usize {
    let (x, y, yr) = data(n, 5, 21);
    match spec(json)
        .fit(Task::Classification, &x, &y, &yr, 3)
        .unwrap()
    {
        bedside::models::Fitted::Classifier(
            bedside::models::ClassifierModel::GradientBoosting(b),
        ) => b.trees.len(),
        _ => unreachable!("a boosting spec fits a boosted model"),
    }
}

#[test]
fn boosting_stops_early_above_ten_thousand_rows_as_scikit_learn() {
    // Auto: on above 10,000 training rows; 1,000 rounds would overfit long before.
    let auto = boosting_fit(r#"{"kind": "gradient_boosting", "max_iter": 1000}"#, 12_000);
    assert!(auto > 10 && auto < 1000, "{auto}");
    // Auto at or below 10,000 rows, and false: every round.
    assert_eq!(
        boosting_fit(r#"{"kind": "gradient_boosting", "max_iter": 60}"#, 2_000),
        60
    );
    assert_eq!(
        boosting_fit(
            r#"{"kind": "gradient_boosting", "max_iter": 60, "early_stopping": false}"#,
            12_000
        ),
        60
    );
    // True on a small table stops too (n_iter_no_change 3: soon after the loss stops falling).
    let on = boosting_fit(
        r#"{"kind": "gradient_boosting", "max_iter": 1000, "early_stopping": "true", "n_iter_no_change": 3}"#,
        2_000,
    );
    assert!(on < 1000, "{on}");
    for bad in [
        r#"{"kind": "gradient_boosting", "early_stopping": "sometimes"}"#,
        r#"{"kind": "gradient_boosting", "validation_fraction": 1.5}"#,
    ] {
        let recipe = format!(
            r#"{{"version": 1, "target": "y", "models": [{bad}], "evaluation": {{"method": "holdout"}}}}"#
        );
        assert!(
            bedside::recipe::Recipe::from_json(&recipe).is_err(),
            "{bad}"
        );
    }
}

fn city_csv(n: usize, cities: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut out = String::from("age,city,y\n");
    for i in 0..n {
        let age: f64 = rng.gen_range(20.0..80.0);
        let y = age + rng.gen_range(-20.0..20.0) > 50.0;
        // A few common cities and a long tail.
        let city = if i % 2 == 0 {
            format!("C{}", (i / 2) % 6)
        } else {
            format!("T{}", rng.gen_range(0..cities))
        };
        out.push_str(&format!("{age:.1},{city},{}\n", u8::from(y)));
    }
    out
}

#[test]
fn one_hot_keeps_at_most_max_categories_columns_per_column() {
    let csv = city_csv(600, 200);
    let recipe = |one_hot: &str| {
        format!(
            r#"{{"version": 1, "seed": 1, "target": "y", "features": [{one_hot}],
            "models": [{{"kind": "logistic_regression"}}],
            "evaluation": {{"method": "holdout", "permutation_repeats": 0}}}}"#
        )
    };
    let out = common::run(&csv, &recipe(r#"{"op": "one_hot"}"#)).unwrap();
    let inputs = &out.report.evaluation.as_ref().unwrap().model_inputs;
    let city: Vec<&String> = inputs.iter().filter(|n| n.starts_with("city=")).collect();
    assert_eq!(city.len(), 20, "{inputs:?}");
    assert!(city.iter().any(|n| *n == "city=other"));
    // The six common cities are among the kept ones.
    for c in 0..6 {
        assert!(city.iter().any(|n| **n == format!("city=C{c}")), "{city:?}");
    }
    let out = common::run(&csv, &recipe(r#"{"op": "one_hot", "max_categories": 5}"#)).unwrap();
    let inputs = &out.report.evaluation.as_ref().unwrap().model_inputs;
    assert_eq!(inputs.iter().filter(|n| n.starts_with("city=")).count(), 5);
    let out = common::run(&csv, &recipe(r#"{"op": "one_hot", "max_categories": 0}"#)).unwrap();
    let inputs = &out.report.evaluation.as_ref().unwrap().model_inputs;
    assert!(inputs.iter().filter(|n| n.starts_with("city=")).count() > 100);
    assert!(bedside::recipe::Recipe::from_json(&recipe(
        r#"{"op": "one_hot", "max_categories": 1}"#
    ))
    .is_err());
}

#[test]
fn the_profile_flags_wide_columns_and_the_plan_warns_of_many_inputs() {
    let csv = city_csv(1200, 2000);
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let profile = serde_json::to_value(loaded.profile()).unwrap();
    let col = |name: &str| {
        profile["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        col("city")["wide"]["reason"],
        "many_categories",
        "{}",
        col("city")
    );
    assert!(col("age").get("wide").is_none());
    use bedside::table::{profile::wide, ColumnType};
    assert_eq!(
        wide(ColumnType::Categorical, 900, 1000).unwrap().reason,
        "identifier_like"
    );
    assert!(wide(ColumnType::Categorical, 20, 1000).is_none());
    assert!(wide(ColumnType::Numeric, 900, 1000).is_none());
    // Without the cap, 600+ inputs: the plan warns before the first unit, with the count.
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 1, "target": "y",
            "features": [{"op": "one_hot", "max_categories": 0}],
            "models": [{"kind": "logistic_regression"}, {"kind": "random_forest", "trees": 5}],
            "evaluation": {"method": "holdout"}}"#,
    )
    .unwrap();
    let mut events = Vec::new();
    let out = bedside::run_file(
        csv.as_bytes(),
        "t.csv",
        &recipe,
        &mut |p| {
            events.push(p.clone());
            true
        },
        &|| 0.0,
    )
    .unwrap();
    let first_unit = events.iter().position(|e| e.stage == "models").unwrap();
    let plan_at = events.iter().position(|e| e.stage == "plan").unwrap();
    assert!(plan_at < first_unit);
    let plan = events[plan_at].plan.clone().unwrap();
    assert!(plan.inputs > 500, "{}", plan.inputs);
    assert_eq!(plan.widest.as_ref().unwrap().0, "city");
    assert_eq!(plan.units.len(), 2);
    assert!(plan.units.iter().all(|&ms| ms > 0.0));
    assert!(plan.warnings[0].contains(&format!("{} model inputs", plan.inputs)));
    assert!(out
        .report
        .warnings
        .iter()
        .any(|w| w.contains("model inputs")));
}

#[test]
fn the_report_times_every_phase_and_counts_boosting_iterations() {
    let csv = common::patients_csv(200, 2);
    let recipe = format!(
        r#"{{"version": 1, "seed": 3, "target": "outcome", "columns": {{"name": "identifier", "mrn": "identifier"}},
        "privacy": {}, "features": {},
        "models": [{{"kind": "gradient_boosting", "max_iter": 15}}, {{"kind": "logistic_regression"}}],
        "evaluation": {}}}"#,
        common::MASK,
        common::FEATURES,
        common::CV5
    );
    let recipe = bedside::recipe::Recipe::from_json(&recipe).unwrap();
    let tick = std::sync::atomic::AtomicU64::new(0);
    let clock = || tick.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as f64;
    let mut phases = std::collections::BTreeSet::new();
    let out = bedside::run_file(
        csv.as_bytes(),
        "t.csv",
        &recipe,
        &mut |p| {
            phases.insert(p.phase.clone());
            true
        },
        &clock,
    )
    .unwrap();
    let r = &out.report;
    let names: Vec<&str> = r.timings.phases.iter().map(|p| p.phase.as_str()).collect();
    assert_eq!(
        names,
        [
            "stage",
            "features",
            "search",
            "fit",
            "predict",
            "importance",
            "shap",
            "original",
            "intervals",
            "report"
        ]
    );
    let ms = |name: &str| {
        r.timings
            .phases
            .iter()
            .find(|p| p.phase == name)
            .unwrap()
            .ms
    };
    for p in [
        "stage",
        "features",
        "fit",
        "predict",
        "importance",
        "original",
        "intervals",
    ] {
        assert!(ms(p) > 0.0, "{p}: {:?}", r.timings.phases);
    }
    assert!(r.models[0].timings.importance_ms > 0.0);
    assert_eq!(r.models[0].fit_info.as_ref().unwrap().n_iter, vec![15; 5]);
    assert!(r.models[1].fit_info.is_none());
    // Natively the units' own phases are told per batch of splits (in wasm as they go).
    for p in ["privacy", "plan", "models", "original", "report"] {
        assert!(phases.contains(p), "no progress of phase {p}: {phases:?}");
    }
}
