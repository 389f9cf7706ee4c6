//! Issue #16: what makes a run fast must not change what it reports. Permutation importance
//! through the tree paths, in parallel and below the sample cap gives the same bits as predicting
//! shuffled matrices one input after another (the algorithm before the issue, kept here as the
//! reference); boosting stops early as scikit-learn's HistGradientBoosting does; one_hot caps its
//! columns; the profile flags wide columns; the report times every phase and the progress tells
//! the plan before the first unit.

use crate::common;

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
            Task::Survival => unreachable!("no survival model in this list"),
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
    // Natively as in wasm the units' own phases are told as they go.
    for p in [
        "privacy",
        "plan",
        "models",
        "features",
        "fit",
        "predict",
        "importance",
        "original",
        "report",
    ] {
        assert!(phases.contains(p), "no progress of phase {p}: {phases:?}");
    }
}

/// `n` rows of `p` numeric inputs with signal in the first three, and `y`.
fn numeric_csv(n: usize, p: usize) -> String {
    let (x, y, _) = data(n, p, 12);
    let mut out: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    out.push("y".into());
    let mut text = out.join(",") + "\n";
    for (i, row) in x.rows().into_iter().enumerate() {
        let mut line: Vec<String> = row.iter().map(|v| format!("{v:.4}")).collect();
        line.push(u8::from(y[i]).to_string());
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text
}

#[test]
fn native_progress_tells_importance_batch_by_batch_within_a_split_and_can_stop_there() {
    let csv = numeric_csv(500, 40);
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 2, "target": "y",
            "models": [{"kind": "random_forest", "trees": 8}, {"kind": "logistic_regression"}],
            "evaluation": {"method": "holdout", "permutation_repeats": 2}}"#,
    )
    .unwrap();
    let mut events = Vec::new();
    bedside::run_file(
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
    let models: Vec<&bedside::pipeline::Progress> =
        events.iter().filter(|e| e.stage == "models").collect();
    let split_done = models
        .iter()
        .position(|e| e.message == "split 1/1 done")
        .expect("the split's end is told");
    // 40 inputs in batches of 16: each model tells 16, 32 and 40 of 40 before the split ends.
    for kind in ["random_forest", "logistic_regression"] {
        for done in [16, 32, 40] {
            let what = format!("{kind}: {done}/40 inputs (importance) on split 1/1");
            let at = models
                .iter()
                .position(|e| e.message == what && e.phase == "importance")
                .unwrap_or_else(|| panic!("no event '{what}': {models:#?}"));
            assert!(at < split_done, "'{what}' after the split's end");
        }
        for phase in ["fit", "predict"] {
            assert!(
                models[..split_done]
                    .iter()
                    .any(|e| e.phase == phase && e.message.starts_with(kind)),
                "{kind}: no {phase} event before the split's end"
            );
        }
    }
    // The count of work done never goes back and ends at the total.
    assert!(models.windows(2).all(|w| w[0].done <= w[1].done));
    assert_eq!(models.last().unwrap().done, models.last().unwrap().total);
    // A face that stops at the first importance batch stops the run there.
    let mut seen = 0;
    let stopped = bedside::run_file(
        csv.as_bytes(),
        "t.csv",
        &recipe,
        &mut |p| {
            seen += 1;
            !(p.phase == "importance" && p.message.contains("16/40 inputs"))
        },
        &|| 0.0,
    );
    assert_eq!(stopped.err(), Some(bedside::Error::Cancelled));
    assert!(seen < events.len());
}

#[test]
fn the_estimate_before_a_run_is_the_runs_own_plan_and_warns_of_a_wide_one_hot() {
    let csv = city_csv(1200, 2000);
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 1, "target": "y",
            "features": [{"op": "one_hot", "max_categories": 0}],
            "models": [{"kind": "logistic_regression"}, {"kind": "random_forest", "trees": 5}],
            "evaluation": {"method": "stratified_kfold", "folds": 3}}"#,
    )
    .unwrap();
    let estimate =
        bedside::pipeline::estimate_run(&loaded.parsed.table, loaded.summary.clone(), &recipe)
            .unwrap();
    assert!(estimate.inputs > 500, "{}", estimate.inputs);
    let codes: Vec<&str> = estimate
        .warning_codes
        .iter()
        .map(|m| m.code.as_ref())
        .collect();
    assert_eq!(codes, ["warn.many_inputs.widest"]);
    assert_eq!(estimate.warnings.len(), estimate.warning_codes.len());
    assert_eq!(estimate.units.len(), 6);
    let phase = |name: &str| estimate.phases.iter().find(|p| p.phase == name).unwrap().ms;
    assert!(phase("fit") > 0.0 && phase("predict") > 0.0 && phase("importance") > 0.0);
    // The run tells the same plan before its first unit.
    let mut plan = None;
    loaded
        .run(
            &recipe,
            &mut |p| {
                if p.plan.is_some() {
                    plan = p.plan.clone();
                }
                true
            },
            &|| 0.0,
        )
        .unwrap();
    assert_eq!(plan.unwrap(), estimate);
    // A recipe the run would refuse is refused by the estimate too, with the same message.
    let bad = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 1, "target": "no_such_column",
            "models": [{"kind": "logistic_regression"}], "evaluation": {"method": "holdout"}}"#,
    )
    .unwrap();
    let e = bedside::pipeline::estimate_run(&loaded.parsed.table, loaded.summary.clone(), &bad)
        .unwrap_err();
    let Err(r) = loaded.run(&bad, &mut |_| true, &|| 0.0) else {
        panic!("the run accepted a recipe whose target does not exist");
    };
    assert_eq!(e.to_string(), r.to_string());
}

#[test]
fn the_cli_prints_the_estimate_without_running_and_the_plan_with_its_phases() {
    let data = common::temp("wide.csv", &city_csv(1200, 2000));
    let recipe = common::temp(
        "wide.json",
        r#"{"version": 1, "seed": 1, "target": "y",
            "features": [{"op": "one_hot", "max_categories": 0}],
            "models": [{"kind": "logistic_regression"}],
            "evaluation": {"method": "holdout", "permutation_repeats": 1}}"#,
    );
    let (ok, out, err) = common::bedside(&["estimate", "--data", &data, "--recipe", &recipe]);
    assert!(ok, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(plan["inputs"].as_u64().unwrap() > 500, "{plan}");
    assert_eq!(plan["warning_codes"][0]["code"], "warn.many_inputs.widest");
    assert!(plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["phase"] == "intervals" && p["ms"].as_f64().unwrap() > 0.0));
    assert!(plan["total_ms"].as_f64().unwrap() > 0.0);
    // `run --progress`: the plan line gives its phases, and its warning follows.
    let (ok, _, err) =
        common::bedside(&["run", "--data", &data, "--recipe", &recipe, "--progress"]);
    assert!(ok, "{err}");
    let plan_line = err.lines().find(|l| l.starts_with("[plan] 1/1")).unwrap();
    assert!(plan_line.contains("(fit "), "{plan_line}");
    assert!(err
        .lines()
        .any(|l| l.starts_with("[plan] warning: the feature steps make")));
    assert!(err
        .lines()
        .any(|l| l.contains("inputs (importance) on split 1/1")));
    // A recipe that does not parse: the message names the recipe file.
    let bad = common::temp("bad.json", "{");
    let (ok, _, err) = common::bedside(&["estimate", "--data", &data, "--recipe", &bad]);
    assert!(!ok);
    assert!(err.contains("bad.json"), "{err}");
}
