//! Feature steps in the pipeline: SMOTE's geometry and resampling of training rows only,
//! leakage (fitting happens inside the training rows of each split only), step errors naming the
//! step, split and column, a full recipe with every family, and the eigen-decomposition.

use crate::common;
use crate::common::features::*;
use bedside::features::{fit_transform, FeatureStep};
use bedside::models::FittedClassifier;
use bedside::table::{Table, Values};
use serde_json::json;

fn imbalanced(n_neg: usize, n_pos: usize) -> (Table, Vec<bool>) {
    let n = n_neg + n_pos;
    let a: Vec<f64> = (0..n).map(|i| (i * 7 % 13) as f64).collect();
    let b: Vec<f64> = (0..n).map(|i| (i * 5 % 11) as f64 * 0.5).collect();
    let y = (0..n).map(|i| i >= n_neg).collect();
    (Table::new(vec![num("a", &a), num("b", &b)]), y)
}

#[test]
fn smote_creates_points_only_on_segments_between_same_class_neighbours() {
    let (mut tr, mut y) = imbalanced(30, 6);
    let original = tr.clone();
    let y0 = y.clone();
    let mut te = Table::new(vec![num("a", &[1.0, 2.0]), num("b", &[3.0, 4.0])]);
    let te0 = te.clone();
    let k = 3;
    let fits = fit(
        &[step(
            json!({"op": "balance", "method": "smote", "neighbors": k}),
        )],
        &mut tr,
        &mut y,
        &mut te,
    );
    assert_eq!(te, te0, "test rows are never touched");
    assert_eq!(y.iter().filter(|&&b| b).count(), 30);
    assert_eq!(y.len(), 60);
    assert_eq!(fits[0].learned["synthetic_rows"], 24);
    let (a0, b0) = (col(&original, "a"), col(&original, "b"));
    let (a, b) = (col(&tr, "a"), col(&tr, "b"));
    let minority: Vec<usize> = (0..36).filter(|&i| y0[i]).collect();
    for s in 36..60 {
        assert!(y[s], "synthetic rows are minority rows");
        // Some pair (i, j) of minority rows, j among i's k nearest minority neighbours, has the
        // point on its segment.
        let on_segment = minority.iter().any(|&i| {
            let mut d: Vec<(f64, usize)> = minority
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| ((a0[i] - a0[j]).powi(2) + (b0[i] - b0[j]).powi(2), j))
                .collect();
            d.sort_by(|x, z| x.0.total_cmp(&z.0).then(x.1.cmp(&z.1)));
            d.iter().take(k).any(|&(_, j)| {
                let (da, db) = (a0[j] - a0[i], b0[j] - b0[i]);
                let t = if da.abs() > db.abs() {
                    (a[s] - a0[i]) / da
                } else {
                    (b[s] - b0[i]) / db
                };
                (0.0..=1.0).contains(&t)
                    && (a0[i] + t * da - a[s]).abs() < 1e-9
                    && (b0[i] + t * db - b[s]).abs() < 1e-9
            })
        });
        assert!(
            on_segment,
            "synthetic row {s} ({}, {}) is not on a neighbour segment",
            a[s], b[s]
        );
    }
    // The original rows are kept as they were.
    assert_eq!(a[..36], a0[..]);
}

#[test]
fn over_and_under_sampling_resample_training_rows_only() {
    let (mut tr, mut y) = imbalanced(20, 5);
    let mut te = Table::new(vec![num("a", &[1.0]), num("b", &[1.0])]);
    fit(
        &[step(json!({"op": "balance", "method": "oversample"}))],
        &mut tr,
        &mut y,
        &mut te,
    );
    assert_eq!((y.len(), y.iter().filter(|&&b| b).count()), (40, 20));
    assert_eq!(tr.rows(), 40);
    assert_eq!(te.rows(), 1);
    let (mut tr, mut y) = imbalanced(20, 5);
    let fits = fit(
        &[step(
            json!({"op": "balance", "method": "undersample", "ratio": 0.5}),
        )],
        &mut tr,
        &mut y,
        &mut te,
    );
    assert_eq!((y.len(), y.iter().filter(|&&b| b).count()), (15, 5));
    assert_eq!(fits[0].learned["training_rows_after"]["negative"], 10);
    // Same seed, same resampling.
    let (mut tr2, mut y2) = imbalanced(20, 5);
    fit(
        &[step(
            json!({"op": "balance", "method": "undersample", "ratio": 0.5}),
        )],
        &mut tr2,
        &mut y2,
        &mut te,
    );
    assert_eq!(tr, tr2);
}

// ───────────── leakage ─────────────

#[test]
fn fitting_on_all_rows_would_change_the_fold_metrics_and_the_pipeline_does_not() {
    use bedside::eval::metrics;
    use bedside::eval::split::Evaluation;
    // x separates the classes except for one row with a huge x. In the split where that row is
    // a test row, a scaler fitted on all rows sees it and squeezes the training range to almost
    // nothing, which changes the regularized logistic regression and so the fold metrics.
    let mut csv = String::from("x,g,y\n");
    for i in 0..60 {
        let y = i % 2;
        let x = if i == 17 {
            1e6
        } else {
            y as f64 * 2.0 + (i % 7) as f64 * 0.4
        };
        let g = if i % 5 == 0 {
            "NA".to_string()
        } else {
            format!("{}", (i % 9) as f64 + y as f64)
        };
        csv.push_str(&format!("{x},{g},{y}\n"));
    }
    let features = r#"[{"op": "impute", "strategy": "mean"}, {"op": "scale", "method": "minmax"}]"#;
    let recipe = format!(
        r#"{{"version": 1, "seed": 3, "features": {features}, "target": "y",
            "models": [{{"kind": "logistic_regression"}}], "evaluation": {{"method": "kfold", "folds": 3}}}}"#
    );
    let out = common::run(&csv, &recipe).unwrap();
    let reported = &out.report.models[0].metrics;

    let parsed = bedside::load(csv.as_bytes(), "t.csv").unwrap().parsed.table;
    let x_all = Table::new(vec![
        parsed.column("x").unwrap().clone(),
        parsed.column("g").unwrap().clone(),
    ]);
    let y: Vec<bool> = (0..60).map(|i| i % 2 == 1).collect();
    let steps: Vec<FeatureStep> = serde_json::from_str(features).unwrap();
    let spec: bedside::models::ModelSpec =
        serde_json::from_value(json!({"kind": "logistic_regression"})).unwrap();
    let folds = Evaluation::Kfold { folds: 3 }.folds(&y, 3).unwrap();
    let matrix = |t: &Table| {
        let mut m = ndarray::Array2::<f64>::zeros((t.rows(), t.columns.len()));
        for (j, c) in t.columns.iter().enumerate() {
            let Values::Num(v) = &c.values else { panic!() };
            for (i, x) in v.iter().enumerate() {
                m[[i, j]] = *x;
            }
        }
        m
    };
    let mut honest = Vec::new();
    let mut leaky = Vec::new();
    for fold in &folds {
        let ytr: Vec<bool> = fold.train.iter().map(|&i| y[i]).collect();
        let yte: Vec<bool> = fold.test.iter().map(|&i| y[i]).collect();
        let score = |tr: &Table, te: &Table| {
            let fitted = spec.classifier(0).fit(&matrix(tr), &ytr).unwrap();
            metrics::classification(&yte, &fitted.predict_proba(&matrix(te)), 0.5).1
        };
        // Inside the fold: fit on the training rows only.
        let (mut tr, mut te) = (x_all.take_rows(&fold.train), x_all.take_rows(&fold.test));
        fit_transform(&steps, &mut tr, &mut ytr.clone(), &mut te, 0).unwrap();
        honest.push(score(&tr, &te));
        // Leaky: fit on every row, then split.
        let mut all = x_all.clone();
        fit_transform(&steps, &mut all, &mut y.clone(), &mut Table::default(), 0).unwrap();
        leaky.push(score(
            &all.take_rows(&fold.train),
            &all.take_rows(&fold.test),
        ));
    }
    let names = bedside::eval::metrics::CLASSIFICATION;
    for (k, name) in names.iter().enumerate() {
        let got = &reported[*name].folds;
        for f in 0..folds.len() {
            assert_eq!(
                got[f], honest[f][k],
                "{name} split {f}: the report matches in-fold fitting"
            );
        }
    }
    assert_ne!(
        honest, leaky,
        "fitting on all rows changes the fold metrics (the test can fail)"
    );
}

// ───────────── recipe validation ─────────────

#[test]
fn bad_step_arguments_fail_naming_the_step_and_field() {
    let cases = [
        (
            r#"{"op": "impute", "strategy": "knn", "neighbors": 0}"#,
            "features[0] (impute)",
            "neighbors",
        ),
        (
            r#"{"op": "impute", "strategy": "mean", "rounds": 3}"#,
            "features[0] (impute)",
            "rounds",
        ),
        (
            r#"{"op": "impute", "strategy": "iterative", "alpha": -1}"#,
            "features[0] (impute)",
            "alpha",
        ),
        (
            r#"{"op": "pca", "components": 0}"#,
            "features[0] (pca)",
            "components",
        ),
        (
            r#"{"op": "select", "method": "variance", "k": 3}"#,
            "features[0] (select)",
            "k",
        ),
        (
            r#"{"op": "select", "method": "anova_f", "k": 0}"#,
            "features[0] (select)",
            "k",
        ),
        (
            r#"{"op": "balance", "method": "oversample", "neighbors": 3}"#,
            "features[0] (balance)",
            "neighbors",
        ),
        (
            r#"{"op": "balance", "method": "smote", "ratio": 2}"#,
            "features[0] (balance)",
            "ratio",
        ),
        (
            r#"{"op": "one_hot", "min_frequency": 2.5}"#,
            "features[0] (one_hot)",
            "min_frequency",
        ),
        (
            r#"{"op": "clip", "method": "iqr", "factor": -1}"#,
            "features[0] (clip)",
            "factor",
        ),
        (
            r#"{"op": "drop_constant", "max_share": 1.5}"#,
            "features[0] (drop_constant)",
            "max_share",
        ),
        (
            r#"{"op": "drop_missing", "threshold": 1}"#,
            "features[0] (drop_missing)",
            "threshold",
        ),
        (
            r#"{"op": "days_between", "start": "d", "end": "d"}"#,
            "features[0] (days_between)",
            "end",
        ),
        (
            r#"{"op": "scale", "method": "robust", "columns": []}"#,
            "features[0] (scale)",
            "columns",
        ),
        (
            r#"{"op": "balance", "method": "smite"}"#,
            "features[0] (balance)",
            "method",
        ),
        (r#"{"op": "pca"}"#, "features[0] (pca)", "components"),
        (
            r#"{"op": "log", "method": "log", "base": 2}"#,
            "features[0] (log)",
            "base",
        ),
    ];
    for (s, at, field) in cases {
        let e =
            bedside::recipe::Recipe::from_json(&format!(r#"{{"version": 1, "features": [{s}]}}"#))
                .unwrap_err();
        let bedside::Error::Recipe { step, field: f, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(step, at, "{s}: {e}");
        assert_eq!(f.as_deref(), Some(field), "{s}: {e}");
    }
}

#[test]
fn data_dependent_step_errors_name_the_step_split_and_column() {
    let csv = common::patients_csv(80, 2);
    // PCA before imputation: glucose has missing values.
    let e = common::run(
        &csv,
        &common::recipe_json(
            common::MASK,
            r#"[{"op": "one_hot"}, {"op": "pca", "components": 2}, {"op": "impute", "strategy": "mean"}]"#,
            r#"[{"kind": "logistic_regression"}]"#,
            common::CV5,
        ),
    )
    .err()
    .expect("fails")
    .to_string();
    assert!(
        e.contains("features[1] (pca)") && e.contains("split 1") && e.contains("'glucose'"),
        "{e}"
    );
    // A date step on a numeric column.
    let e = common::run(
        &csv,
        &common::recipe_json(
            common::MASK,
            r#"[{"op": "date_parts", "columns": ["age"]}, {"op": "impute", "strategy": "mean"}, {"op": "one_hot"}]"#,
            r#"[{"kind": "logistic_regression"}]"#,
            common::CV5,
        ),
    )
    .err()
    .expect("fails")
    .to_string();
    assert!(
        e.contains("features[0] (date_parts)") && e.contains("'age'") && e.contains("date"),
        "{e}"
    );
}

#[test]
fn a_full_recipe_with_every_family_runs_and_reports_what_each_step_learned() {
    let csv = common::patients_csv(200, 4);
    let features = r#"[
        {"op": "normalize_categories"},
        {"op": "unit_outliers", "action": "report"},
        {"op": "clip", "method": "iqr", "factor": 3},
        {"op": "drop_missing", "threshold": 0.5},
        {"op": "missing_indicator"},
        {"op": "impute", "strategy": "iterative", "columns": ["age", "glucose"]},
        {"op": "log", "method": "log1p"},
        {"op": "scale", "method": "robust"},
        {"op": "one_hot", "min_frequency": 0.05},
        {"op": "ordinal", "columns": ["smoker"]},
        {"op": "drop_constant"},
        {"op": "select", "method": "mutual_info", "k": 6},
        {"op": "pca", "components": 3},
        {"op": "balance", "method": "smote"}
    ]"#
    .replace(
        r#"{"op": "one_hot", "min_frequency": 0.05}"#,
        r#"{"op": "one_hot", "min_frequency": 0.05, "columns": ["sex", "zip"]}"#,
    );
    let out = common::run(
        &csv,
        &common::recipe_json(
            common::MASK,
            &features,
            r#"[{"kind": "logistic_regression"}]"#,
            common::CV5,
        ),
    )
    .unwrap();
    let audit: Vec<_> = out
        .report
        .audit
        .iter()
        .filter(|a| a.step.starts_with("features["))
        .collect();
    assert_eq!(audit.len(), 14);
    for a in &audit {
        assert_eq!(
            a.args["learned"].as_array().unwrap().len(),
            5,
            "{}: learned per split",
            a.op
        );
    }
    let impute = audit.iter().find(|a| a.op == "impute").unwrap();
    assert!(
        impute.args["filled"]["glucose"].as_u64().unwrap() > 0,
        "{}",
        impute.args
    );
    let pca = audit.iter().find(|a| a.op == "pca").unwrap();
    assert_eq!(
        pca.args["learned"][0]["explained_variance_ratio"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let balance = audit.iter().find(|a| a.op == "balance").unwrap();
    assert!(balance.args["training_rows"].as_array().unwrap().len() == 5);
    assert!(balance.rows_affected > 0);
    assert_eq!(
        out.report.evaluation.as_ref().unwrap().model_inputs,
        vec!["pc1", "pc2", "pc3"]
    );
    // Test sizes are the folds' sizes: balancing never touched them.
    assert_eq!(
        out.report
            .evaluation
            .as_ref()
            .unwrap()
            .test_sizes
            .iter()
            .sum::<usize>(),
        200
    );
}

#[test]
fn symmetric_eigen_decomposes_random_symmetric_matrices() {
    use bedside::features::linalg::symmetric_eigen;
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for n in 1..=7 {
        let mut a = ndarray::Array2::<f64>::zeros((n, n));
        for i in 0..n {
            for j in 0..=i {
                let x: f64 = rng.gen_range(-3.0..3.0);
                a[[i, j]] = x;
                a[[j, i]] = x;
            }
        }
        let (values, vectors) = symmetric_eigen(&a);
        for w in values.windows(2) {
            assert!(w[0] >= w[1], "descending: {values:?}");
        }
        // A v = λ v, and V is orthonormal.
        let av = a.dot(&vectors);
        for k in 0..n {
            for i in 0..n {
                assert!(
                    (av[[i, k]] - values[k] * vectors[[i, k]]).abs() < 1e-9,
                    "n={n} k={k}"
                );
            }
        }
        let vtv = vectors.t().dot(&vectors);
        for i in 0..n {
            for j in 0..n {
                let id = if i == j { 1.0 } else { 0.0 };
                assert!((vtv[[i, j]] - id).abs() < 1e-9);
            }
        }
        // The trace is the sum of the eigenvalues.
        let trace: f64 = (0..n).map(|i| a[[i, i]]).sum();
        assert!((trace - values.iter().sum::<f64>()).abs() < 1e-9);
    }
}

/// A table of `n` rows with every kind of column a column-wise recipe treats: numbers with
/// missing values and outliers, categories with spelling variants, rare ones and missing ones,
/// a constant column and an unread date; labels by row.
fn mixed(n: usize) -> (Table, Vec<bool>) {
    let age: Vec<f64> = (0..n)
        .map(|i| {
            if i % 9 == 4 {
                f64::NAN
            } else {
                20.0 + (i * 37 % 61) as f64
            }
        })
        .collect();
    let bmi: Vec<f64> = (0..n)
        .map(|i| {
            if i % 50 == 7 {
                300.0
            } else {
                18.0 + (i * 13 % 17) as f64 * 0.7
            }
        })
        .collect();
    let wards = ["North", "north ", "South", "East", "West", "Annex"];
    let ward: Vec<Option<&str>> = (0..n)
        .map(|i| (i % 11 != 3).then(|| wards[if i % 40 == 0 { 5 } else { i % 5 }]))
        .collect();
    let sex: Vec<Option<&str>> = (0..n)
        .map(|i| Some(if i % 3 == 0 { "F" } else { "M" }))
        .collect();
    let when: Vec<Option<&str>> = (0..n).map(|_| Some("2024-01-02")).collect();
    let y = (0..n).map(|i| (i * 7 % 10) < 4).collect();
    (
        Table::new(vec![
            num("age", &age),
            num("bmi", &bmi),
            cat("ward", &ward),
            cat("sex", &sex),
            num("constant", &vec![1.0; n]),
            date("admitted", &when),
        ]),
        y,
    )
}

/// The split as it was always built: the training and test rows taken whole, the steps fitted
/// on the first and applied to both, both made matrices.
fn split_from_rows(
    steps: &[FeatureStep],
    x: &Table,
    y: &[bool],
    (train, test): (&[usize], &[usize]),
) -> (Vec<String>, Vec<bedside::features::StepFit>, Vec<Vec<f64>>) {
    let mut tr = x.take_rows(train);
    let mut te = x.take_rows(test);
    let mut ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
    let fits = fit_transform(steps, &mut tr, &mut ytr, &mut te, 3).unwrap();
    let names = tr.names();
    let m = |t: Table| {
        bedside::features::into_matrix(t)
            .unwrap()
            .into_raw_vec_and_offset()
            .0
    };
    (names, fits, vec![m(tr), m(te)])
}

#[test]
fn a_split_built_one_column_at_a_time_is_the_split_built_from_its_rows() {
    use bedside::models::Task;
    use bedside::pipeline::fold::fit_split;
    let n = 400;
    let train: Vec<usize> = (0..n).filter(|i| i % 4 != 1).collect();
    let test: Vec<usize> = (0..n).filter(|i| i % 4 == 1).collect();
    let recipe = |extra: serde_json::Value| -> Vec<FeatureStep> {
        let mut steps = vec![
            json!({"op": "normalize_categories"}),
            json!({"op": "clip", "method": "iqr"}),
            json!({"op": "missing_indicator"}),
            json!({"op": "impute", "strategy": "median"}),
            json!({"op": "drop_constant"}),
            json!({"op": "scale", "method": "standard"}),
            json!({"op": "one_hot", "min_frequency": 12}),
        ];
        steps.push(extra);
        steps.into_iter().map(step).collect()
    };
    let (mut x, y) = mixed(n);
    // Column by column (every step is), with a selection after; then the same recipe where a
    // one-hot column's name is already an input's (the outputs are not the names once each, so
    // the rows are taken whole); then a step that reads several columns (PCA).
    let column_wise = recipe(json!({"op": "select", "method": "variance", "threshold": 0.0}));
    let pca = recipe(json!({"op": "pca", "components": 2}));
    assert!(column_wise.iter().all(FeatureStep::column_wise));
    assert!(!pca.iter().all(FeatureStep::column_wise));
    let mut clash = x.clone();
    clash.columns.push(num(
        "sex=f",
        &(0..n).map(|i| (i % 7) as f64).collect::<Vec<_>>(),
    ));
    clash = Table::new(clash.columns);
    for (steps, table) in [(&column_wise, &x), (&column_wise, &clash), (&pca, &x)] {
        let values = vec![0.0; n];
        let (split, _) = fit_split(
            steps,
            Task::Classification,
            table,
            &y,
            &values,
            (&train, &test),
            3,
            None,
        )
        .unwrap();
        let (names, fits, matrices) = split_from_rows(steps, table, &y, (&train, &test));
        assert_eq!(split.names, names);
        assert_eq!(
            split
                .xtr
                .as_standard_layout()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            matrices[0]
        );
        assert_eq!(
            split
                .xte
                .as_standard_layout()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            matrices[1]
        );
        assert_eq!(split.steps.len(), fits.len());
        for (a, b) in split.steps.iter().zip(&fits) {
            assert_eq!(
                (a.cells, &a.filled, &a.learned, a.train_rows),
                (b.cells, &b.filled, &b.learned, b.train_rows)
            );
        }
        // The audit counted test rows: the impute step filled missing ages on both sides.
        let impute = &split.steps[3];
        let missing = |rows: &[usize]| rows.iter().filter(|&&i| i % 9 == 4).count();
        assert_eq!(impute.filled["age"], missing(&train) + missing(&test));
    }
    // An error names the same column either way: a category left as text.
    x.columns.push(cat("unit", &vec![Some("a"); n]));
    x = Table::new(x.columns);
    let steps: Vec<FeatureStep> = [json!({"op": "impute", "strategy": "median"})]
        .into_iter()
        .map(step)
        .collect();
    let err = fit_split(
        &steps,
        Task::Classification,
        &x,
        &y,
        &vec![0.0; n],
        (&train, &test),
        3,
        None,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("column 'ward' is not numeric"), "{err}");
}
