//! Evaluation end to end: grouped CV keeps a patient's rows together (and that matters),
//! leave-one-out, regression targets, intervals, curves, importances, the paired test, and
//! errors that name the step.

use crate::common;
use bedside::eval::split::Evaluation;
use common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `patients` patients with 4–8 visits each. Each patient has a random outcome (no signal
/// shared between patients) and a random `fingerprint` that is nearly constant over their
/// visits: a model can only score above chance by recognising a patient it saw in training.
fn visits_csv(patients: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = String::from("mrn,fingerprint,noise,outcome\n");
    for p in 0..patients {
        let y = rng.gen_bool(0.5) as u8;
        let fp: f64 = rng.gen_range(0.0..100.0);
        for _ in 0..rng.gen_range(4..=8) {
            out.push_str(&format!(
                "P{p:05},{:.3},{:.3},{y}\n",
                fp + rng.gen_range(-0.01..0.01),
                rng.gen_range(0.0..0.01)
            ));
        }
    }
    out
}

fn visits_recipe(evaluation: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": 3, "columns": {{"mrn": "identifier"}},
        "privacy": [{{"op": "pseudonymize", "columns": ["mrn"]}}],
        "target": "outcome", "models": [{{"kind": "knn", "k": 1}}], "evaluation": {evaluation}}}"#
    )
}

#[test]
fn group_kfold_never_puts_one_patients_rows_in_train_and_test() {
    let groups: Vec<String> = (0..230).map(|i| format!("p{}", (i * 7919) % 41)).collect();
    let y: Vec<bool> = (0..230).map(|i| i % 3 == 0).collect();
    let folds = Evaluation::GroupKfold {
        folds: 5,
        group: "mrn".into(),
    }
    .folds_grouped(&y, Some(&groups), 1)
    .unwrap();
    assert_eq!(folds.len(), 5);
    let mut tested = vec![0; 230];
    for f in &folds {
        for &i in &f.test {
            tested[i] += 1;
            assert!(
                f.train.iter().all(|&j| groups[j] != groups[i]),
                "patient {} is in both train and test",
                groups[i]
            );
        }
        assert_eq!(f.train.len() + f.test.len(), 230);
    }
    assert!(tested.iter().all(|&t| t == 1), "every row is tested once");
    // Balanced deal: fold sizes within the largest group size (6 here) of each other.
    let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
    assert!(
        sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 6,
        "{sizes:?}"
    );
}

#[test]
fn grouped_cv_removes_the_leak_that_row_wise_cv_rewards() {
    let csv = visits_csv(120, 4);
    let leaky = run(&csv, &visits_recipe(r#"{"method": "kfold", "folds": 5}"#)).unwrap();
    let grouped = run(
        &csv,
        &visits_recipe(r#"{"method": "group_kfold", "folds": 5, "group": "mrn"}"#),
    )
    .unwrap();
    let auc = |o: &bedside::pipeline::Output| o.report.models[0].metrics["roc_auc"].pooled.unwrap();
    // Row-wise CV: the 1-NN finds the same patient's other visit and "predicts" the outcome.
    assert!(auc(&leaky) > 0.95, "{}", auc(&leaky));
    // Grouped CV: no patient is seen in training, so there is nothing to recognise.
    assert!((auc(&grouped) - 0.5).abs() < 0.12, "{}", auc(&grouped));
    let ev = grouped.report.evaluation.as_ref().unwrap();
    assert_eq!(ev.group.as_deref(), Some("mrn"));
    assert!(
        !ev.model_inputs.contains(&"mrn".to_string()),
        "the group is never an input"
    );
}

#[test]
fn group_kfold_errors_name_the_field() {
    let csv = visits_csv(3, 1);
    let e = run(
        &csv,
        &visits_recipe(r#"{"method": "group_kfold", "folds": 5, "group": "mrn"}"#),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("evaluation") && e.contains("'folds'") && e.contains("3 distinct"),
        "{e}"
    );
    let e = run(
        &csv,
        &visits_recipe(r#"{"method": "group_kfold", "group": "nope"}"#),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("'group'") && e.contains("nope"), "{e}");
}

#[test]
fn leave_one_out_tests_every_row_once() {
    let csv = patients_csv(60, 2);
    let out = run(
        &csv,
        &recipe_json(
            MASK,
            FEATURES,
            r#"[{"kind": "naive_bayes"}]"#,
            r#"{"method": "leave_one_out"}"#,
        ),
    )
    .unwrap();
    let m = &out.report.models[0];
    assert_eq!(m.metrics["accuracy"].folds.len(), 60);
    assert!(
        m.metrics["roc_auc"].folds.iter().all(|v| v.is_none()),
        "one-row folds have no AUC"
    );
    assert!(m.metrics["roc_auc"].pooled.is_some() && m.metrics["roc_auc"].ci.is_some());
    let c = m.confusion_matrix.unwrap();
    assert_eq!(c.tp + c.fp + c.tn + c.fn_, 60);
    assert!(
        m.importance.permutation.is_empty(),
        "one-row test folds cannot measure it"
    );
}

#[test]
fn report_has_intervals_curves_importances_and_the_paired_test() {
    let csv = patients_csv(400, 8);
    let models = r#"[{"kind": "logistic_regression"}, {"kind": "random_forest", "trees": 30}, {"kind": "gradient_boosting", "max_iter": 30}]"#;
    let recipe = recipe_json(MASK, FEATURES, models, CV5);
    let out = run(&csv, &recipe).unwrap();
    for m in &out.report.models {
        for (name, s) in &m.metrics {
            let (p, [lo, hi]) = (s.pooled.unwrap(), s.ci.unwrap());
            assert!(lo <= p && p <= hi, "{} {name}: {lo} {p} {hi}", m.kind);
        }
        let c = m.curves.as_ref().unwrap();
        assert_eq!(c.roc.fpr.first(), Some(&0.0));
        assert_eq!(c.roc.tpr.last(), Some(&1.0));
        assert_eq!(c.roc.positives + c.roc.negatives, 400);
        assert!(c.calibration.count.iter().sum::<usize>() == 400);
        // age and glucose carry the signal; they must lead the permutation importance.
        let top: Vec<&str> = m.importance.permutation[..2]
            .iter()
            .map(|f| f.feature.as_str())
            .collect();
        assert!(
            top.contains(&"age") && top.contains(&"glucose"),
            "{} {top:?}",
            m.kind
        );
    }
    assert!(out.report.models[0].importance.impurity.is_none());
    let imp = out.report.models[1].importance.impurity.as_ref().unwrap();
    assert!((imp.iter().map(|f| f.mean).sum::<f64>() - 1.0).abs() < 1e-9);
    let cmp = out
        .report
        .evaluation
        .as_ref()
        .unwrap()
        .comparison
        .as_ref()
        .unwrap();
    assert_eq!(cmp.metric, "roc_auc");
    assert_eq!(cmp.df, 4);
    assert!(cmp.p_value.is_some_and(|p| (0.0..=1.0).contains(&p)));
    // Same recipe, data and seed: same numbers.
    let again = run(&csv, &recipe).unwrap();
    let strip = |o: &bedside::pipeline::Output| {
        let mut v = serde_json::to_value(&o.report.models).unwrap();
        for m in v.as_array_mut().unwrap() {
            m.as_object_mut().unwrap().remove("timings");
        }
        v
    };
    assert_eq!(strip(&out), strip(&again));
}

fn regression_csv(n: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut out = String::from("age,dose,site,los\n");
    for _ in 0..n {
        let age: f64 = rng.gen_range(20.0..90.0);
        let dose: f64 = rng.gen_range(0.0..10.0);
        let site = ["A", "B", "C"][rng.gen_range(0..3)];
        let bump = match site {
            "A" => 0.0,
            "B" => 2.0,
            _ => -1.0,
        };
        let los = 1.0 + 0.05 * age + 0.3 * dose + bump + rng.gen_range(-0.5..0.5);
        out.push_str(&format!("{age:.1},{dose:.2},{site},{los:.3}\n"));
    }
    out
}

#[test]
fn numeric_targets_are_regression() {
    let csv = regression_csv(300);
    let recipe = r#"{"version": 1, "seed": 1, "features": [{"op": "one_hot"}], "target": "los",
        "models": [{"kind": "linear_regression"}, {"kind": "ridge"}, {"kind": "random_forest", "trees": 50},
                   {"kind": "gradient_boosting"}],
        "evaluation": {"method": "kfold", "folds": 5}}"#;
    let out = run(&csv, recipe).unwrap();
    assert_eq!(
        out.report.target.as_ref().unwrap().task,
        bedside::models::Task::Regression
    );
    for m in &out.report.models {
        assert!(m.confusion_matrix.is_none() && m.curves.is_none());
        let r2 = m.metrics["r2"].mean.unwrap();
        let rmse = m.metrics["rmse"].mean.unwrap();
        assert!(m.metrics["mae"].mean.unwrap() < rmse);
        // Noise is U(-0.5, 0.5): RMSE 0.289 at best; the linear models should be near it.
        let floor = if m.kind.contains("linear") || m.kind == "ridge" {
            0.35
        } else {
            0.7
        };
        assert!(rmse < floor && r2 > 0.9, "{}: rmse {rmse} r2 {r2}", m.kind);
    }
    let cmp = out
        .report
        .evaluation
        .as_ref()
        .unwrap()
        .comparison
        .as_ref()
        .unwrap();
    assert_eq!(cmp.metric, "r2");
}

#[test]
fn regression_refuses_stratification_and_classifiers_by_step() {
    let csv = regression_csv(50);
    let e = run(
        &csv,
        r#"{"version": 1, "features": [{"op": "one_hot"}], "target": "los",
        "models": [{"kind": "ridge"}], "evaluation": {"method": "stratified_kfold"}}"#,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("evaluation") && e.contains("'method'") && e.contains("numeric"),
        "{e}"
    );
    let e = run(
        &csv,
        r#"{"version": 1, "features": [{"op": "one_hot"}], "target": "los",
        "models": [{"kind": "ridge"}, {"kind": "svm"}], "evaluation": {"method": "kfold"}}"#,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("models[1] (svm)") && e.contains("'kind'"), "{e}");
    let csv = patients_csv(50, 1);
    let e = run(
        &csv,
        &recipe_json(MASK, FEATURES, r#"[{"kind": "ridge"}]"#, CV5),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("models[0] (ridge)") && e.contains("numeric target"),
        "{e}"
    );
}

/// Two subgroups of four rows whose rates are counted by hand at the threshold 0.5:
/// A: y = [1, 1, 0, 0], p = [0.9, 0.2, 0.1, 0.7] → TPR 1/2, FPR 1/2, PPV 1/2, AUC 3/4;
/// B: y = [1, 1, 0, 0], p = [0.9, 0.8, 0.1, 0.2] → TPR 1, FPR 0, PPV 1, AUC 1.
#[test]
fn fairness_rates_and_flag_by_hand() {
    use bedside::eval::fairness::audit;
    let group: Vec<String> = ["A", "A", "A", "A", "B", "B", "B", "B"]
        .map(String::from)
        .to_vec();
    let y = [true, true, false, false, true, true, false, false];
    let p = [0.9, 0.2, 0.1, 0.7, 0.9, 0.8, 0.1, 0.2];
    let pooled: Vec<(usize, f64)> = p.iter().cloned().enumerate().collect();
    let f = audit("g", &group, &y, &pooled, 0.5, 0.2);
    let a = &f.groups[0];
    assert_eq!(
        (a.tpr, a.fpr, a.ppv, a.auc),
        (Some(0.5), Some(0.5), Some(0.5), Some(0.75))
    );
    let b = &f.groups[1];
    assert_eq!(
        (b.tpr, b.fpr, b.ppv, b.auc),
        (Some(1.0), Some(0.0), Some(1.0), Some(1.0))
    );
    let gaps: Vec<(&str, f64)> = f.gaps.iter().map(|g| (g.metric.as_str(), g.gap)).collect();
    assert_eq!(
        gaps,
        [("tpr", 0.5), ("fpr", 0.5), ("ppv", 0.5), ("auc", 0.25)]
    );
    assert_eq!(f.largest.as_ref().unwrap().gap, 0.5);
    assert!(f.flagged, "0.5 > 0.2");
    assert!(
        !audit("g", &group, &y, &pooled, 0.5, 0.6).flagged,
        "0.5 < 0.6"
    );
}

#[test]
fn fairness_audit_per_subgroup() {
    let csv = patients_csv(300, 5);
    let recipe = recipe_json(
        MASK,
        FEATURES,
        r#"[{"kind": "logistic_regression"}]"#,
        r#"{"method": "stratified_kfold", "folds": 5, "fairness": "sex", "fairness_threshold": 0.2}"#,
    );
    let out = run(&csv, &recipe).unwrap();
    let f = out.report.models[0].fairness.as_ref().unwrap();
    assert_eq!(f.column, "sex");
    assert_eq!(f.threshold, 0.2);
    let values: Vec<&str> = f.groups.iter().map(|g| g.value.as_str()).collect();
    assert_eq!(values, ["F", "M"]);
    assert_eq!(f.groups.iter().map(|g| g.count).sum::<usize>(), 300);
    // The largest gap and the flag, recomputed here from the subgroups' rates (each rate is
    // checked against hand-counted values in `fairness_rates_and_flag_by_hand`).
    let mut gaps = Vec::new();
    for get in [
        (|g: &bedside::eval::fairness::Subgroup| g.tpr) as fn(&_) -> Option<f64>,
        |g| g.fpr,
        |g| g.ppv,
        |g| g.auc,
    ] {
        let v: Vec<f64> = f.groups.iter().filter_map(get).collect();
        if v.len() >= 2 {
            gaps.push(
                v.iter().cloned().fold(f64::MIN, f64::max)
                    - v.iter().cloned().fold(f64::MAX, f64::min),
            );
        }
    }
    let largest = gaps.iter().cloned().fold(0.0, f64::max);
    assert_eq!(gaps.len(), 4);
    assert!((f.largest.as_ref().unwrap().gap - largest).abs() < 1e-12);
    assert_eq!(f.flagged, largest > 0.2);
    // The recipe round-trips with its fairness options.
    let r = bedside::recipe::Recipe::from_json(&recipe).unwrap();
    let back = bedside::recipe::Recipe::from_json(&r.to_json()).unwrap();
    assert_eq!(r, back);
    assert_eq!(back.evaluation.fairness.as_deref(), Some("sex"));
    // A column with too many values is refused, naming the field.
    let e = run(
        &csv,
        &recipe_json(
            MASK,
            FEATURES,
            r#"[{"kind": "logistic_regression"}]"#,
            r#"{"method": "stratified_kfold", "fairness": "glucose"}"#,
        ),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("evaluation, field 'fairness'") && e.contains("distinct values"),
        "{e}"
    );
}

#[test]
fn permutation_importance_can_be_turned_off() {
    let csv = patients_csv(120, 3);
    let recipe = recipe_json(
        MASK,
        FEATURES,
        r#"[{"kind": "decision_tree", "max_depth": 3}]"#,
        r#"{"method": "stratified_kfold", "folds": 3, "permutation_repeats": 0}"#,
    );
    let out = run(&csv, &recipe).unwrap();
    let m = &out.report.models[0];
    assert!(m.importance.permutation.is_empty());
    assert!(
        m.importance.impurity.is_some(),
        "impurity importance costs nothing extra"
    );
    assert!(out.report.evaluation.as_ref().unwrap().importance.is_none());
    let e = bedside::recipe::Recipe::from_json(
        &recipe.replace("\"permutation_repeats\": 0", "\"permutation_repeats\": -1"),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("evaluation") && e.contains("permutation_repeats"),
        "{e}"
    );
}
