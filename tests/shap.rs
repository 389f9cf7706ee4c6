//! SHAP values and partial dependence: TreeSHAP against the definition by brute force over all
//! coalitions, linear SHAP against the interventional expectation, permutation SHAP against the
//! exact values where two inputs make it exact, additivity (base + Σ = output) for every model
//! kind on every row, the report's fields, and agreement with SHAP's TreeExplainer.

#![allow(clippy::needless_range_loop)]

use crate::common;
use bedside::explain::tree_shap::{coalition_value, TreeExplainer};
use bedside::explain::{self, Method, Reference, Scale};
use bedside::models::{Fitted, ModelSpec, Task};
use common::*;
use ndarray::{Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A generated data set: `n` rows of `p` inputs (some discrete, so trees split on the same
/// input twice) with a class label and a numeric target depending on interactions.
fn data(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<bool>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, p), |(_, j)| {
        if j % 3 == 2 {
            rng.gen_range(0..4) as f64
        } else {
            rng.gen_range(-2.0..2.0)
        }
    });
    let mut yc = Vec::new();
    let mut yr = Vec::new();
    for r in x.rows() {
        let z = 1.2 * r[0] - 0.8 * r[1 % p] * r[2 % p] + 0.5 * r[p - 1].powi(2) - 0.7;
        let noise: f64 = rng.gen_range(-1.0..1.0);
        yc.push(z + noise > 0.0);
        yr.push(3.0 * z + noise);
    }
    (x, yc, yr)
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Exact Shapley values of the set function `v` over `p` players, by all coalitions.
fn shapley(p: usize, v: &dyn Fn(&[bool]) -> f64) -> Vec<f64> {
    let mut phi = vec![0.0; p];
    for mask in 0u32..(1 << p) {
        let known: Vec<bool> = (0..p).map(|j| mask & (1 << j) != 0).collect();
        let s = known.iter().filter(|&&k| k).count();
        let without = v(&known);
        for i in 0..p {
            if known[i] {
                continue;
            }
            let mut with = known.clone();
            with[i] = true;
            let w = factorial(s) * factorial(p - s - 1) / factorial(p);
            phi[i] += w * (v(&with) - without);
        }
    }
    phi
}

fn spec(json: &str) -> ModelSpec {
    serde_json::from_str(json).unwrap()
}

fn trees_of(fitted: &Fitted) -> Vec<bedside::models::tree::FlatTree> {
    use bedside::models::{ClassifierModel as C, RegressorModel as R};
    match fitted {
        Fitted::Classifier(C::DecisionTree(t)) => vec![t.clone()],
        Fitted::Classifier(C::RandomForest(f)) | Fitted::Regressor(R::RandomForest(f)) => {
            f.trees.clone()
        }
        Fitted::Classifier(C::GradientBoosting(b)) | Fitted::Regressor(R::GradientBoosting(b)) => {
            b.trees.clone()
        }
        _ => panic!("not a tree model"),
    }
}

#[test]
fn tree_shap_equals_the_shapley_values_of_the_path_dependent_expectation() {
    let models = [
        (r#"{"kind": "decision_tree"}"#, Task::Classification),
        (
            r#"{"kind": "decision_tree", "max_depth": 3, "class_weight": "balanced"}"#,
            Task::Classification,
        ),
        (
            r#"{"kind": "random_forest", "trees": 3}"#,
            Task::Classification,
        ),
        (
            r#"{"kind": "gradient_boosting", "max_iter": 3}"#,
            Task::Classification,
        ),
        (r#"{"kind": "random_forest", "trees": 2}"#, Task::Regression),
        (
            r#"{"kind": "gradient_boosting", "max_iter": 3}"#,
            Task::Regression,
        ),
    ];
    let mut checked = 0;
    for p in [2, 4, 6] {
        let (x, yc, yr) = data(120, p, p as u64);
        for (json, task) in models {
            let fitted = spec(json).fit(task, &x, &yc, &yr, 3).unwrap();
            for tree in trees_of(&fitted) {
                let ex = TreeExplainer::new(&tree);
                let none = vec![false; p];
                for r in (0..x.nrows()).step_by(13) {
                    let row = x.row(r);
                    let mut phi = vec![0.0; p];
                    ex.add_shap(row, &mut phi, 1.0);
                    let want = shapley(p, &|k: &[bool]| coalition_value(&tree, row, k));
                    for (a, b) in phi.iter().zip(&want) {
                        assert!((a - b).abs() < 1e-9, "{json} p={p}: {phi:?} vs {want:?}");
                    }
                    assert!((ex.base_value() - coalition_value(&tree, row, &none)).abs() < 1e-12);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100);
}

#[test]
fn the_path_dependent_expectation_weighs_branches_by_training_cover() {
    // One split on x0 at 0.5: 3 rows left (all negative), 1 row right (positive). Unknown x0:
    // 3/4 · 0 + 1/4 · 1.
    let x = ndarray::array![[0.0], [0.0], [0.0], [1.0]];
    let y = [false, false, false, true];
    let fitted = spec(r#"{"kind": "decision_tree"}"#)
        .fit(Task::Classification, &x, &y, &[], 0)
        .unwrap();
    let tree = &trees_of(&fitted)[0];
    assert_eq!(TreeExplainer::new(tree).base_value(), 0.25);
    let e = explain::explain(&fitted, &Reference::default(), &x, 1, 0).unwrap();
    assert_eq!(e.values[[3, 0]], 0.75);
    assert_eq!(e.values[[0, 0]], -0.25);
}

/// Every kind of the registry on a generated set: base + Σ contributions = explained output on
/// every row, and the explained output is the model's prediction on its scale.
#[test]
fn contributions_add_up_to_the_output_for_every_model_kind() {
    let (x, yc, yr) = data(150, 5, 11);
    let (xte, _, _) = data(40, 5, 12);
    for example in ModelSpec::examples() {
        let tasks = example.params().tasks().to_vec();
        for task in tasks {
            let fitted = example.fit(task, &x, &yc, &yr, 5).unwrap();
            let reference = Reference::of(&fitted, &x, 20, 9);
            let e = explain::explain(&fitted, &reference, &xte, 3, 9).unwrap();
            let pred = fitted.predict(&xte);
            for r in 0..xte.nrows() {
                let sum: f64 = e.base_value + e.values.row(r).sum();
                assert!(
                    (sum - e.output[r]).abs() < 1e-9,
                    "{} {task:?} row {r}: {sum} vs {}",
                    example.kind(),
                    e.output[r]
                );
                let on_scale = match e.scale {
                    Scale::LogOdds => 1.0 / (1.0 + (-e.output[r]).exp()),
                    _ => e.output[r],
                };
                assert!((on_scale - pred[r]).abs() < 1e-9, "{}", example.kind());
            }
            // A time-to-event model's risk score is explained as any other function.
            let want = match example.kind() {
                _ if task == Task::Survival => Method::Permutation,
                "decision_tree" | "random_forest" | "gradient_boosting" => {
                    Method::TreePathDependent
                }
                "logistic_regression" | "linear_regression" | "ridge" => Method::Linear,
                _ => Method::Permutation,
            };
            assert_eq!(e.method, want, "{}", example.kind());
            if want == Method::Permutation {
                assert_eq!(e.background, Some(20));
                assert_eq!(e.permutations, Some(6));
            }
        }
    }
}

/// Linear SHAP = the interventional expectation over the training rows: input i's value is
/// mean f(training rows with input i set to the row's) − mean f(training rows) on the score
/// scale, computed here by predicting, not from the coefficients.
#[test]
fn linear_shap_matches_the_expectation_over_the_training_rows() {
    let (x, yc, yr) = data(200, 4, 21);
    let logit = |p: f64| (p / (1.0 - p)).ln();
    for (json, task) in [
        (r#"{"kind": "logistic_regression"}"#, Task::Classification),
        (r#"{"kind": "linear_regression"}"#, Task::Regression),
        (r#"{"kind": "ridge", "alpha": 3.0}"#, Task::Regression),
    ] {
        let fitted = spec(json).fit(task, &x, &yc, &yr, 0).unwrap();
        let score = |m: &Array2<f64>| -> Vec<f64> {
            let p = fitted.predict(m);
            match task {
                Task::Classification => p.into_iter().map(logit).collect(),
                Task::Regression | Task::Survival => p,
            }
        };
        let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
        let reference = Reference::of(&fitted, &x, 0, 0);
        let e = explain::explain(&fitted, &reference, &x, 1, 0).unwrap();
        let base = mean(score(&x));
        assert!((e.base_value - base).abs() < 1e-8, "{json}");
        for r in (0..x.nrows()).step_by(17) {
            for i in 0..4 {
                let mut m = x.clone();
                m.column_mut(i).fill(x[[r, i]]);
                let want = mean(score(&m)) - base;
                assert!(
                    (e.values[[r, i]] - want).abs() < 1e-8,
                    "{json} row {r} input {i}"
                );
            }
        }
    }
}

/// With two inputs a permutation and its reverse are every order, so permutation SHAP is the
/// exact interventional Shapley value over the background.
#[test]
fn permutation_shap_is_exact_with_two_inputs() {
    let (x, yc, yr) = data(120, 2, 31);
    for kind in ["knn", "naive_bayes", "svm", "mlp"] {
        let fitted = spec(&format!(r#"{{"kind": "{kind}"}}"#))
            .fit(Task::Classification, &x, &yc, &yr, 1)
            .unwrap();
        let reference = Reference::of(&fitted, &x, 15, 4);
        let bg = Array2::from_shape_fn((15, 2), |(i, j)| reference.background[i][j]);
        let e = explain::explain(&fitted, &reference, &x, 1, 4).unwrap();
        for r in (0..x.nrows()).step_by(23) {
            let row: ArrayView1<f64> = x.row(r);
            let v = |known: &[bool]| {
                let mut m = bg.clone();
                for j in 0..2 {
                    if known[j] {
                        m.column_mut(j).fill(row[j]);
                    }
                }
                let p = fitted.predict(&m);
                p.iter().sum::<f64>() / p.len() as f64
            };
            let want = shapley(2, &v);
            for j in 0..2 {
                assert!((e.values[[r, j]] - want[j]).abs() < 1e-12, "{kind}");
            }
        }
    }
}

#[test]
fn the_report_holds_shap_and_dependence_for_every_model() {
    let csv = patients_csv(240, 3);
    let models = r#"[{"kind": "logistic_regression"}, {"kind": "random_forest", "trees": 20},
        {"kind": "gradient_boosting", "max_iter": 20}, {"kind": "knn"}]"#;
    let cv5_shap = r#"{"method": "stratified_kfold", "folds": 5, "shap": true}"#;
    let recipe = recipe_json(MASK, FEATURES, models, cv5_shap);
    let out = run(&csv, &recipe).unwrap();
    let test_rows: usize = out
        .report
        .evaluation
        .as_ref()
        .unwrap()
        .test_sizes
        .iter()
        .sum();
    for m in &out.report.models {
        let shap = m.shap.as_ref().expect("shap with evaluation.shap: true");
        assert_eq!(shap.test_rows, test_rows);
        let scale = match m.kind.as_str() {
            "logistic_regression" | "gradient_boosting" => Scale::LogOdds,
            _ => Scale::Probability,
        };
        assert_eq!(shap.scale, scale, "{}", m.kind);
        if m.kind == "knn" {
            assert_eq!(shap.method, Method::Permutation);
            assert_eq!(shap.background, Some(20));
            assert!(shap.explained_rows > 0 && shap.explained_rows <= test_rows);
        } else {
            assert_eq!(shap.explained_rows, test_rows, "{}", m.kind);
        }
        // Ranked, and one-hot parts summed back to their column.
        assert!(shap
            .features
            .windows(2)
            .all(|w| w[0].mean_abs >= w[1].mean_abs));
        let smoker: Vec<_> = shap
            .features
            .iter()
            .filter(|f| f.column == "smoker")
            .collect();
        assert!(smoker.len() >= 2, "{:?}", shap.features);
        assert!(smoker.iter().all(|f| f.feature.starts_with("smoker=")));
        assert!(shap.columns.iter().any(|c| c.feature == "smoker"));
        assert!(shap.columns.iter().all(|c| !c.feature.contains('=')));
        // The beeswarm rows add up.
        let rows = &shap.rows;
        assert_eq!(rows.values.len(), rows.output.len());
        assert!(!rows.values.is_empty() && rows.values.len() <= 1000);
        for (r, v) in rows.values.iter().enumerate() {
            assert_eq!(v.len(), rows.features.len());
            let sum: f64 = rows.base[r] + v.iter().sum::<f64>();
            assert!((sum - rows.output[r]).abs() < 1e-9, "{}", m.kind);
        }
        // Partial dependence of the top inputs.
        assert_eq!(m.dependence.len(), 5, "{}", m.kind);
        for d in &m.dependence {
            assert!(!d.grid.is_empty());
            assert!(d.grid.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(d.pd.mean.len(), d.grid.len());
            assert!((1..=5).contains(&d.splits), "{} {}", m.kind, d.feature);
            for i in 0..d.grid.len() {
                assert!(
                    d.pd.lower[i] <= d.pd.mean[i] + 1e-12 && d.pd.mean[i] <= d.pd.upper[i] + 1e-12
                );
                assert!((0.0..=1.0).contains(&d.pd.mean[i]));
            }
            assert!(d.ice_centred_sample.iter().all(|c| c[0] == 0.0));
        }
    }
    // Age drives the outcome in the generated data: it leads the linear model's columns.
    let lr = out.report.models[0].shap.as_ref().unwrap();
    assert_eq!(lr.columns[0].feature, "age", "{:?}", lr.columns);
}

#[test]
fn shap_can_be_turned_off_or_budgeted() {
    let csv = patients_csv(150, 4);
    let off = r#"{"method": "stratified_kfold", "folds": 3, "shap": false}"#;
    let out = run(&csv, &recipe_json(MASK, FEATURES, BOTH_MODELS, off)).unwrap();
    assert!(out
        .report
        .models
        .iter()
        .all(|m| m.shap.is_none() && m.dependence.is_empty()));
    let budget = r#"{"method": "stratified_kfold", "folds": 3, "shap": {"max_rows": 10, "dependence_features": 2}}"#;
    let recipe = recipe_json(MASK, FEATURES, BOTH_MODELS, budget);
    let out = run(&csv, &recipe).unwrap();
    for m in &out.report.models {
        assert_eq!(m.shap.as_ref().unwrap().explained_rows, 30);
        assert_eq!(m.dependence.len(), 2);
    }
    // The recipe keeps the option as written.
    let back = serde_json::to_value(&out.report.recipe).unwrap();
    assert_eq!(
        back["evaluation"]["shap"],
        serde_json::json!({"max_rows": 10, "dependence_features": 2})
    );
    let bad = r#"{"method": "stratified_kfold", "folds": 3, "shap": {"rows": 10}}"#;
    let err = match run(&csv, &recipe_json(MASK, FEATURES, BOTH_MODELS, bad)) {
        Err(e) => e,
        Ok(_) => panic!("an unknown shap field was accepted"),
    };
    assert!(err.to_string().contains("shap.rows"), "{err}");
}

/// SHAP 0.51's TreeExplainer (an independent implementation) on scikit-learn trees fitted to
/// the breast cancer data shipped in scikit-learn: the same trees rebuilt here give the same
/// values to 1e-9 and the same ranking by mean |SHAP| (tests/reference/shap_breast_cancer.json,
/// from scripts/shap-reference.py).
#[test]
fn tree_shap_agrees_with_shap_tree_explainer_on_breast_cancer_trees() {
    use bedside::models::gradient_boosting::{Boosted, Loss};
    use bedside::models::random_forest::Forest;
    use bedside::models::tree::FlatTree;
    use bedside::models::{ClassifierModel, Fitted};
    let text = include_str!("reference/shap_breast_cancer.json");
    let reference: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(reference["shap_version"], "0.51.0");
    let rows: Vec<Vec<f64>> = serde_json::from_value(reference["rows"].clone()).unwrap();
    let p = rows[0].len();
    assert_eq!(p, 30);
    let x = Array2::from_shape_fn((rows.len(), p), |(i, j)| rows[i][j]);
    let rank = |v: &Array2<f64>| {
        let mean: Vec<f64> = (0..p)
            .map(|j| v.column(j).mapv(f64::abs).mean().unwrap())
            .collect();
        let mut order: Vec<usize> = (0..p).collect();
        order.sort_by(|&a, &b| mean[b].total_cmp(&mean[a]));
        order
    };
    for m in reference["models"].as_array().unwrap() {
        let kind = m["kind"].as_str().unwrap();
        let trees: Vec<FlatTree> = serde_json::from_value(m["trees"].clone()).unwrap();
        let fitted = match kind {
            "decision_tree" => Fitted::Classifier(ClassifierModel::DecisionTree(trees[0].clone())),
            "random_forest" => Fitted::Classifier(ClassifierModel::RandomForest(Forest { trees })),
            _ => Fitted::Classifier(ClassifierModel::GradientBoosting(Boosted {
                loss: Loss::LogLoss,
                baseline: m["baseline"].as_f64().unwrap(),
                trees,
                importances: Vec::new(),
            })),
        };
        let e = explain::explain(&fitted, &Reference::default(), &x, 1, 0).unwrap();
        let want: Vec<Vec<f64>> = serde_json::from_value(m["shap"].clone()).unwrap();
        let want = Array2::from_shape_fn((rows.len(), p), |(i, j)| want[i][j]);
        let output: Vec<f64> = serde_json::from_value(m["output"].clone()).unwrap();
        assert!(
            (e.base_value - m["base_value"].as_f64().unwrap()).abs() < 1e-9,
            "{kind}"
        );
        for r in 0..x.nrows() {
            assert!((e.output[r] - output[r]).abs() < 1e-9, "{kind} row {r}");
            for j in 0..p {
                assert!(
                    (e.values[[r, j]] - want[[r, j]]).abs() < 1e-9,
                    "{kind} row {r} input {j}: {} vs {}",
                    e.values[[r, j]],
                    want[[r, j]]
                );
            }
        }
        assert_eq!(rank(&e.values)[..10], rank(&want)[..10], "{kind}");
    }
}

/// `bedside apply --explain`: the header is the prediction columns, then `explained_output`,
/// `base_value` and `shap:INPUT` per model input; base + Σ shap = explained output per row.
#[test]
fn apply_explain_writes_per_patient_shap_that_adds_up() {
    let csv = patients_csv(200, 8);
    let models = r#"[{"kind": "gradient_boosting", "max_iter": 15}, {"kind": "knn"}, {"kind": "logistic_regression"}]"#;
    let recipe = recipe_json(
        MASK,
        FEATURES,
        models,
        r#"{"method": "stratified_kfold", "folds": 3}"#,
    );
    let data = temp("explain-train.csv", &csv);
    let recipe_path = temp("explain-recipe.json", &recipe);
    let dir = std::path::Path::new(&data)
        .parent()
        .unwrap()
        .join("explain-models");
    let dir = dir.to_string_lossy().to_string();
    let (ok, _, err) = bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe_path,
        "--export-model",
        &dir,
    ]);
    assert!(ok, "{err}");
    let new = temp("explain-new.csv", &patients_csv(30, 99));
    for (i, kind, scale) in [
        (0, "gradient_boosting", "log_odds"),
        (1, "knn", "probability"),
        (2, "logistic_regression", "log_odds"),
    ] {
        let model = format!("{dir}/model-{i}-{kind}.json");
        let bundle: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
        let inputs: Vec<String> = serde_json::from_value(bundle["model_inputs"].clone()).unwrap();
        let out = format!("{dir}/explained-{i}.csv");
        let (ok, stdout, err) = bedside(&[
            "apply",
            "--model",
            &model,
            "--input",
            &new,
            "--out",
            &out,
            "--explain",
        ]);
        assert!(ok, "{err}");
        let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(summary["explanation"]["scale"], scale, "{kind}");
        let text = std::fs::read_to_string(&out).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let mut want = vec![
            "row".to_string(),
            "line".into(),
            "probability".into(),
            "predicted_class".into(),
            "not_scored".into(),
            "explained_output".into(),
            "base_value".into(),
        ];
        want.extend(inputs.iter().map(|i| format!("shap:{i}")));
        assert_eq!(header, want.join(","), "{kind}");
        let mut rows = 0;
        for l in lines {
            let cells: Vec<f64> = l.split(',').skip(5).map(|c| c.parse().unwrap()).collect();
            assert_eq!(cells.len(), inputs.len() + 2);
            let sum = cells[1] + cells[2..].iter().sum::<f64>();
            assert!((sum - cells[0]).abs() < 1e-9, "{kind}: {l}");
            // The probability column is the explained output on the probability scale.
            let p: f64 = l.split(',').nth(2).unwrap().parse().unwrap();
            let on_p = if scale == "log_odds" {
                1.0 / (1.0 + (-cells[0]).exp())
            } else {
                cells[0]
            };
            assert!((p - on_p).abs() < 1e-9, "{kind}");
            rows += 1;
        }
        assert_eq!(rows, 30);
        // Only the model-agnostic kind keeps a background sample, and says so.
        let background = bundle["explain"]["background"]
            .as_array()
            .map_or(0, |b| b.len());
        let notes = bundle["contains_training_rows"].to_string();
        if kind == "knn" {
            assert_eq!(background, 20);
            assert!(notes.contains("background sample of 20"), "{notes}");
        } else {
            assert_eq!(background, 0);
            assert!(!notes.contains("background"));
        }
        // Without --explain the file is as before.
        let (ok, _, _) = bedside(&["apply", "--model", &model, "--input", &new, "--out", &out]);
        assert!(ok);
        let plain = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            plain.lines().next().unwrap(),
            "row,line,probability,predicted_class,not_scored"
        );
    }
}

/// Explaining tells its progress (phase `shap`, its percent in the message) as permutation
/// SHAP goes through the rows, and a progress callback that asks to stop there stops the run.
#[test]
fn permutation_shap_tells_its_progress_and_can_be_cancelled() {
    let csv = patients_csv(150, 5);
    let holdout = r#"{"method": "holdout", "test_fraction": 0.3,
        "shap": {"max_evaluations": 10000000, "dependence_features": 0}}"#;
    let recipe = bedside::recipe::Recipe::from_json(&recipe_json(
        MASK,
        FEATURES,
        r#"[{"kind": "knn"}]"#,
        holdout,
    ))
    .unwrap();
    let mut told = Vec::new();
    let out = bedside::run_file(
        csv.as_bytes(),
        "t.csv",
        &recipe,
        &mut |p| {
            if p.phase == "shap" {
                told.push(p.message.clone());
            }
            true
        },
        &|| 0.0,
    )
    .unwrap();
    let rows = out.report.models[0].shap.as_ref().unwrap().explained_rows;
    assert!(rows > 30, "every test row within this budget: {rows}");
    // "knn: SHAP 40% (shap) on split 1/1": the percent after "SHAP ".
    let percents: Vec<usize> = told
        .iter()
        .map(|m| {
            let at = m.find("SHAP ").expect("the share in the message") + 5;
            let digits: String = m[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect();
    assert_eq!(percents.first(), Some(&0), "{told:?}");
    assert_eq!(percents.last(), Some(&100), "{told:?}");
    assert!(percents.len() > 10, "one event per row here: {told:?}");
    assert!(percents.windows(2).all(|w| w[0] < w[1]), "{told:?}");
    // Cancelled as soon as explaining has done some of its rows: nothing is told after that.
    let mut after = 0;
    let mut stopped = false;
    let r = bedside::run_file(
        csv.as_bytes(),
        "t.csv",
        &recipe,
        &mut |p| {
            if stopped {
                after += 1;
            }
            stopped = stopped || (p.phase == "shap" && !p.message.contains("SHAP 0%"));
            !stopped
        },
        &|| 0.0,
    );
    assert!(matches!(r, Err(bedside::Error::Cancelled)), "{:?}", r.err());
    assert!(stopped);
    assert_eq!(after, 0);
}

/// The suggested recipe explains its models on small data only: at most 5,000 rows and 50
/// input columns (docs/explanations.md); a recipe without the field still means off.
#[test]
fn the_suggested_recipe_explains_small_data_only() {
    let suggested = |csv: &str| {
        let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
        bedside::suggest::suggest(&loaded.parsed.table, Some("outcome"))
            .evaluation
            .shap
    };
    let table = |rows: usize, inputs: usize| {
        let mut csv: String = (0..inputs).map(|j| format!("x{j},")).collect();
        csv.push_str("outcome\n");
        for r in 0..rows {
            for j in 0..inputs {
                csv.push_str(&format!("{},", (r * 7 + j * 3) % 11));
            }
            csv.push_str(if r % 3 == 0 { "1\n" } else { "0\n" });
        }
        csv
    };
    assert_eq!(
        suggested(&table(5000, 3)),
        Some(explain::ShapOptions::default())
    );
    assert_eq!(suggested(&table(5001, 3)), None);
    assert_eq!(
        suggested(&table(100, 50)),
        Some(explain::ShapOptions::default())
    );
    assert_eq!(suggested(&table(100, 51)), None);
    // A small table of patients (identifiers, quasi-identifiers) is explained too.
    let demo = patients_csv(200, 6);
    let loaded = bedside::load(demo.as_bytes(), "p.csv").unwrap();
    let names: Vec<&str> = loaded
        .parsed
        .table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let target = *names.last().unwrap();
    let recipe = bedside::suggest::suggest(&loaded.parsed.table, Some(target));
    assert_eq!(
        recipe.evaluation.shap,
        Some(explain::ShapOptions::default())
    );
    // Absent means off.
    let json = serde_json::to_value(&recipe).unwrap();
    assert_eq!(json["evaluation"]["shap"], serde_json::json!(true));
    let mut without = json.clone();
    without["evaluation"]
        .as_object_mut()
        .unwrap()
        .remove("shap");
    let back = bedside::recipe::Recipe::from_json(&without.to_string()).unwrap();
    assert_eq!(back.evaluation.shap, None);
}
