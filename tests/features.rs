//! Every feature step against hand-computed values (scikit-learn's documented examples where
//! they exist; `python3 scripts/references.py` recomputes those with scikit-learn), PCA against
//! a known decomposition, SMOTE's geometry, and leakage: fitting happens inside the training
//! rows of each split only.

use crate::common::features::*;
use bedside::features::fit_transform;
use bedside::table::Table;
use serde_json::json;

// ───────────── impute ─────────────

#[test]
fn simple_imputer_mean_matches_scikit_learn_example() {
    // SimpleImputer(strategy="mean").fit([[7, 2, 3], [4, nan, 6], [10, 5, 9]])
    // .transform([[nan, 2, 3], [4, nan, 6], [10, nan, 9]]) == [[7, 2, 3], [4, 3.5, 6], [10, 3.5, 9]]
    let (_, te, f) = apply(
        json!({"op": "impute", "strategy": "mean"}),
        vec![
            num("a", &[7.0, 4.0, 10.0]),
            num("b", &[2.0, NAN, 5.0]),
            num("c", &[3.0, 6.0, 9.0]),
        ],
        vec![
            num("a", &[NAN, 4.0, 10.0]),
            num("b", &[2.0, NAN, NAN]),
            num("c", &[3.0, 6.0, 9.0]),
        ],
    );
    close(&col(&te, "a"), &[7.0, 4.0, 10.0], 1e-12);
    close(&col(&te, "b"), &[2.0, 3.5, 3.5], 1e-12);
    // Filled per column: b once in training and twice in test, a once in test.
    assert_eq!(f.filled.get("a"), Some(&1));
    assert_eq!(f.filled.get("b"), Some(&3));
    assert_eq!(f.filled.get("c"), None);
}

#[test]
fn knn_imputer_matches_scikit_learn_example() {
    // KNNImputer(n_neighbors=2).fit_transform([[1, 2, nan], [3, 4, 3], [nan, 6, 5], [8, 8, 7]])
    // == [[1, 2, 4], [3, 4, 3], [5.5, 6, 5], [8, 8, 7]]
    let train = vec![
        num("a", &[1.0, 3.0, NAN, 8.0]),
        num("b", &[2.0, 4.0, 6.0, 8.0]),
        num("c", &[NAN, 3.0, 5.0, 7.0]),
    ];
    let test = vec![num("a", &[NAN]), num("b", &[7.0]), num("c", &[6.0])];
    let (tr, te, f) = apply(
        json!({"op": "impute", "strategy": "knn", "neighbors": 2}),
        train,
        test,
    );
    close(&col(&tr, "a"), &[1.0, 3.0, 5.5, 8.0], 1e-12);
    close(&col(&tr, "c"), &[4.0, 3.0, 5.0, 7.0], 1e-12);
    // Test row (nan, 7, 6): distances over (b, c) scaled by 3/2 to donors with a present:
    // row0 shares only b (c missing): sqrt(3·25) = 8.66; row1: sqrt(1.5·(9+9)) = 5.196;
    // row3: sqrt(1.5·(1+1)) = 1.732 → mean of rows 3 and 1 = (8 + 3) / 2.
    close(&col(&te, "a"), &[5.5], 1e-12);
    assert_eq!(f.filled.get("a"), Some(&2));
    assert_eq!(f.learned["knn"]["donor_rows"], 4);
}

#[test]
fn iterative_imputer_regresses_each_incomplete_column_on_the_others() {
    // a is missing once; ridge(alpha=1) of a on b over the 4 complete rows:
    // b̄ = 5, ā = 2.5, Sbb = 20, Sab = 10 → w = 10 / 21, intercept = 2.5 − 5·10/21;
    // prediction at b = 10: 2.5 + 5·10/21 = 4.880952...
    let (tr, te, f) = apply(
        json!({"op": "impute", "strategy": "iterative"}),
        vec![
            num("a", &[1.0, 2.0, 3.0, 4.0, NAN]),
            num("b", &[2.0, 4.0, 6.0, 8.0, 10.0]),
        ],
        vec![num("a", &[NAN]), num("b", &[0.0])],
    );
    close(&col(&tr, "a")[4..], &[2.5 + 50.0 / 21.0], 1e-9);
    close(&col(&te, "a"), &[2.5 - 50.0 / 21.0], 1e-9);
    let last = &f.learned["iterative"]["last_round"]["a"];
    assert!((last["weights"]["b"].as_f64().unwrap() - 10.0 / 21.0).abs() < 1e-12);
}

#[test]
fn iterative_imputer_with_several_incomplete_columns_converges_to_the_linear_relation() {
    // c = a + b exactly; with a tiny ridge the imputations recover the relation.
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, NAN, 2.0];
    let b = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, NAN];
    let c = [4.0, 3.0, 7.0, 5.0, 10.0, 15.0, 9.0, 14.0, 8.0, 7.0];
    let (tr, _, f) = apply(
        json!({"op": "impute", "strategy": "iterative", "alpha": 1e-9, "rounds": 50}),
        vec![num("a", &a), num("b", &b), num("c", &c)],
        vec![num("a", &[1.0]), num("b", &[1.0]), num("c", &[2.0])],
    );
    // Rounds stop once no value moves by more than 0.001 × max |x| = 0.015; the start (the
    // training means 4.22 and 4.0) is far off.
    close(&[col(&tr, "a")[8], col(&tr, "b")[9]], &[3.0, 5.0], 0.015);
    assert!(f.learned["iterative"]["rounds"].as_u64().unwrap() < 50);
}

#[test]
fn categorical_columns_get_their_most_frequent_value_and_constant_gets_missing() {
    let (tr, _, _) = apply(
        json!({"op": "impute", "strategy": "knn"}),
        vec![cat("s", &[Some("b"), Some("a"), Some("b"), None])],
        vec![cat("s", &[None])],
    );
    assert_eq!(strs(&tr, "s")[3].as_deref(), Some("b"));
}

// ───────────── missing ─────────────

#[test]
fn missing_indicator_and_drop_rows_touch_training_rows_only() {
    let mut tr = Table::new(vec![
        num("a", &[1.0, NAN, 3.0, 4.0]),
        num("b", &[1.0, 2.0, 3.0, 4.0]),
    ]);
    let mut te = Table::new(vec![num("a", &[NAN, 2.0]), num("b", &[5.0, 6.0])]);
    let mut y = vec![false, true, false, true];
    let steps = [
        step(json!({"op": "missing_indicator"})),
        step(json!({"op": "drop_rows", "columns": ["a"]})),
        step(json!({"op": "impute", "strategy": "median"})),
    ];
    let fits = fit(&steps, &mut tr, &mut y, &mut te);
    // The indicator for a (missing in training) exists on both sides; b has none.
    assert_eq!(col(&te, "a_missing"), vec![1.0, 0.0]);
    assert!(tr.column("b_missing").is_none());
    // drop_rows removed the incomplete training row with its label; test rows all stay.
    assert_eq!(col(&tr, "a"), vec![1.0, 3.0, 4.0]);
    assert_eq!(y, vec![false, false, true]);
    assert_eq!(fits[1].train_rows, (4, 3));
    assert_eq!(te.rows(), 2);
    // The later imputer fills the test row with the median of the kept training rows.
    assert_eq!(col(&te, "a"), vec![3.0, 2.0]);
}

// ───────────── scale / log ─────────────

#[test]
fn scalers_match_scikit_learn_examples() {
    // StandardScaler().fit([[0, 0], [0, 0], [1, 1], [1, 1]]).transform([[2, 2]]) == [[3, 3]]
    let (_, te, _) = apply(
        json!({"op": "scale", "method": "standard"}),
        vec![num("a", &[0.0, 0.0, 1.0, 1.0])],
        vec![num("a", &[2.0])],
    );
    close(&col(&te, "a"), &[3.0], 1e-12);
    // MinMaxScaler().fit([[-1, 2], [-0.5, 6], [0, 10], [1, 18]]).transform([[2, 2]]) == [[1.5, 0]]
    let (_, te, _) = apply(
        json!({"op": "scale", "method": "minmax"}),
        vec![
            num("a", &[-1.0, -0.5, 0.0, 1.0]),
            num("b", &[2.0, 6.0, 10.0, 18.0]),
        ],
        vec![num("a", &[2.0]), num("b", &[2.0])],
    );
    close(&[col(&te, "a")[0], col(&te, "b")[0]], &[1.5, 0.0], 1e-12);
    // RobustScaler().fit_transform([[1, -2, 2], [-2, 1, 3], [4, 1, -2]])
    // == [[0, -2, 0], [-1, 0, 0.4], [1, 0, -1.6]]
    let (tr, _, _) = apply(
        json!({"op": "scale", "method": "robust"}),
        vec![
            num("a", &[1.0, -2.0, 4.0]),
            num("b", &[-2.0, 1.0, 1.0]),
            num("c", &[2.0, 3.0, -2.0]),
        ],
        vec![num("a", &[0.0]), num("b", &[0.0]), num("c", &[0.0])],
    );
    close(&col(&tr, "a"), &[0.0, -1.0, 1.0], 1e-12);
    close(&col(&tr, "b"), &[-2.0, 0.0, 0.0], 1e-12);
    close(&col(&tr, "c"), &[0.0, 0.4, -1.6], 1e-12);
}

#[test]
fn log_transforms_skewed_columns_only() {
    let skewed = [0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 50.0];
    let symmetric = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let (tr, te, f) = apply(
        json!({"op": "log", "method": "log1p"}),
        vec![num("s", &skewed), num("n", &symmetric)],
        vec![num("s", &[-5.0]), num("n", &[1.0])],
    );
    close(
        &col(&tr, "s"),
        &skewed.iter().map(|x: &f64| x.ln_1p()).collect::<Vec<_>>(),
        1e-12,
    );
    assert_eq!(col(&tr, "n"), symmetric.to_vec());
    // A test value below the training minimum is raised to it first: log1p(0) = 0.
    assert_eq!(col(&te, "s"), vec![0.0]);
    assert!(f.learned.get("n").is_none());
    // Named columns outside the domain fail, naming the column.
    let mut tr = Table::new(vec![num("s", &skewed)]);
    let mut te = Table::new(vec![num("s", &[1.0])]);
    let e = fit_transform(
        &[step(
            json!({"op": "log", "method": "log", "columns": ["s"]}),
        )],
        &mut tr,
        &mut vec![false; 7],
        &mut te,
        1,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("features[0] (log)") && e.contains("column 's'"),
        "{e}"
    );
}

// ───────────── encode ─────────────

#[test]
fn one_hot_groups_rare_categories_like_scikit_learn_min_frequency() {
    // OneHotEncoder(min_frequency=6) on dog×5, cat×20, rabbit×10, snake×3: dog and snake are
    // infrequent; columns cat, rabbit, other.
    let mut v: Vec<Option<&str>> = Vec::new();
    for (c, n) in [("dog", 5), ("cat", 20), ("rabbit", 10), ("snake", 3)] {
        v.extend(std::iter::repeat_n(Some(c), n));
    }
    let (tr, te, f) = apply(
        json!({"op": "one_hot", "min_frequency": 6}),
        vec![cat("pet", &v)],
        vec![cat("pet", &[Some("dog"), Some("cat"), Some("horse"), None])],
    );
    assert_eq!(tr.names(), vec!["pet=cat", "pet=other", "pet=rabbit"]);
    // dog (rare) and horse (unseen) go to other; missing is all zeros.
    assert_eq!(col(&te, "pet=other"), vec![1.0, 0.0, 1.0, 0.0]);
    assert_eq!(col(&te, "pet=cat"), vec![0.0, 1.0, 0.0, 0.0]);
    assert_eq!(
        f.learned["grouped_into_other"]["pet"],
        json!(["dog", "snake"])
    );
    // Without min_frequency, unseen values are all zeros.
    let (_, te, _) = apply(
        json!({"op": "one_hot"}),
        vec![cat("pet", &[Some("a"), Some("b")])],
        vec![cat("pet", &[Some("c")])],
    );
    assert_eq!(col(&te, "pet=a"), vec![0.0]);
    assert_eq!(col(&te, "pet=b"), vec![0.0]);
}

#[test]
fn ordinal_matches_scikit_learn_and_maps_unknown_to_minus_one() {
    // OrdinalEncoder().fit([['Male'], ['Female'], ['Female']]) → Female 0, Male 1.
    let (tr, te, _) = apply(
        json!({"op": "ordinal"}),
        vec![cat("sex", &[Some("Male"), Some("Female"), Some("Female")])],
        vec![cat("sex", &[Some("Male"), Some("Other"), None])],
    );
    assert_eq!(col(&tr, "sex"), vec![1.0, 0.0, 0.0]);
    assert_eq!(col(&te, "sex"), vec![1.0, -1.0, -1.0]);
    let (tr, _, _) = apply(
        json!({"op": "ordinal", "order": {"stage": ["I", "II", "III"]}}),
        vec![cat("stage", &[Some("III"), Some("I"), Some("II")])],
        vec![cat("stage", &[Some("I")])],
    );
    assert_eq!(col(&tr, "stage"), vec![2.0, 0.0, 1.0]);
}

// ───────────── dates ─────────────

#[test]
fn date_steps_compute_calendar_arithmetic() {
    use bedside::calendar::days_from_civil;
    use bedside::features::dates::age_years;
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(days_from_civil(1969, 12, 31), -1);
    assert_eq!(age_years((1943, 8, 24), (2024, 2, 21)), 80);
    assert_eq!(age_years((2000, 2, 29), (2001, 2, 28)), 0);
    let mut tr = Table::new(vec![
        date("dob", &[Some("1943-08-24"), Some("1967-04-12"), None]),
        date(
            "adm",
            &[Some("2024-02-21"), Some("2025-02-18"), Some("2025-01-01")],
        ),
        date(
            "dis",
            &[Some("2024-03-02"), Some("2025-02-18"), Some("2025-01-05")],
        ),
    ]);
    let mut te = tr.clone();
    let steps = [
        step(json!({"op": "age_at", "birth": "dob", "event": "adm"})),
        step(json!({"op": "days_between", "start": "adm", "end": "dis", "name": "stay"})),
        step(
            json!({"op": "date_parts", "columns": ["adm"], "parts": ["year", "month", "weekday"]}),
        ),
    ];
    let fits = fit(&steps, &mut tr, &mut vec![false, true, false], &mut te);
    assert_eq!(col(&tr, "age_at_adm")[..2], [80.0, 57.0]);
    assert!(col(&tr, "age_at_adm")[2].is_nan());
    assert_eq!(col(&tr, "stay"), vec![10.0, 0.0, 4.0]);
    assert_eq!(col(&tr, "adm_month"), vec![2.0, 2.0, 1.0]);
    assert_eq!(col(&tr, "adm_year"), vec![2024.0, 2025.0, 2025.0]);
    // 2024-02-21 was a Wednesday, 2025-02-18 a Tuesday, 2025-01-01 a Wednesday (Monday = 0).
    assert_eq!(col(&tr, "adm_weekday"), vec![2.0, 1.0, 2.0]);
    assert_eq!(fits[0].learned["age_at_adm"]["missing_training_rows"], 1);
    // The date columns themselves are gone after the steps.
    assert!(tr.column("adm").is_none() && te.column("dob").is_none());
}

// ───────────── cleaning ─────────────

#[test]
fn cleaning_steps() {
    let (tr, te, f) = apply(
        json!({"op": "normalize_categories"}),
        vec![cat(
            "sex",
            &[Some(" Male"), Some("male"), Some("MALE  "), Some("F")],
        )],
        vec![cat("sex", &[Some("Fe  male ")])],
    );
    assert_eq!(
        strs(&tr, "sex"),
        vec![
            Some("male".into()),
            Some("male".into()),
            Some("male".into()),
            Some("f".into())
        ]
    );
    assert_eq!(strs(&te, "sex"), vec![Some("fe male".into())]);
    assert_eq!(
        f.learned["merged"]["sex"]["male"].as_array().unwrap().len(),
        3
    );

    // IQR: Q1 = 2, Q3 = 4 → [−1, 7].
    let (tr, te, f) = apply(
        json!({"op": "clip", "method": "iqr"}),
        vec![num("x", &[1.0, 2.0, 3.0, 4.0, 100.0])],
        vec![num("x", &[-10.0, 5.0])],
    );
    assert_eq!(col(&tr, "x"), vec![1.0, 2.0, 3.0, 4.0, 7.0]);
    assert_eq!(col(&te, "x"), vec![-1.0, 5.0]);
    assert_eq!(f.cells, 2);
    // z-score: mean 2, population std 1 (for 1, 1, 3, 3), factor 1 → [1, 3].
    let (_, te, _) = apply(
        json!({"op": "clip", "method": "zscore", "factor": 1.0}),
        vec![num("x", &[1.0, 1.0, 3.0, 3.0])],
        vec![num("x", &[0.0, 4.0, 2.5])],
    );
    assert_eq!(col(&te, "x"), vec![1.0, 3.0, 2.5]);

    // A weight recorded in grams among kilograms becomes missing; a merely large one does not.
    let (tr, te, f) = apply(
        json!({"op": "unit_outliers"}),
        vec![num(
            "kg",
            &[70.0, 72.0, 68.0, 75.0, 71.0, 69.0, 73.0, 70_500.0],
        )],
        vec![num("kg", &[7.1, 140.0, 72_000.0])],
    );
    assert!(col(&tr, "kg")[7].is_nan());
    let t = col(&te, "kg");
    assert!(t[0].is_nan() && t[1] == 140.0 && t[2].is_nan());
    assert_eq!(f.learned["kg"]["flagged_training_values"], 1);

    let (tr, te, f) = apply(
        json!({"op": "drop_constant", "max_share": 0.75}),
        vec![
            num("const", &[1.0, 1.0, 1.0, 1.0]),
            num("near", &[0.0, 0.0, 0.0, 1.0]),
            num("ok", &[0.0, 1.0, 0.0, 1.0]),
        ],
        vec![num("const", &[2.0]), num("near", &[0.0]), num("ok", &[1.0])],
    );
    assert_eq!(tr.names(), vec!["ok"]);
    assert_eq!(te.names(), vec!["ok"]);
    assert_eq!(f.learned["dropped"]["near"]["top_share"], 0.75);

    let (tr, _, _) = apply(
        json!({"op": "drop_missing", "threshold": 0.5}),
        vec![
            num("half", &[NAN, NAN, 1.0, 2.0]),
            num("most", &[NAN, NAN, NAN, 1.0]),
        ],
        vec![num("half", &[1.0]), num("most", &[1.0])],
    );
    assert_eq!(tr.names(), vec!["half"]);
}

// ───────────── PCA ─────────────

#[test]
fn pca_matches_scikit_learn_example() {
    // PCA(n_components=2).fit([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]]):
    // explained_variance_ratio_ = [0.9924..., 0.0075...], singular_values_ = [6.30061..., 0.54980...]
    // (explained variance = singular² / (n − 1) = [7.93954..., 0.06045...]).
    let (tr, te, f) = apply(
        json!({"op": "pca", "components": 2}),
        vec![
            num("a", &[-1.0, -2.0, -3.0, 1.0, 2.0, 3.0]),
            num("b", &[-1.0, -1.0, -2.0, 1.0, 1.0, 2.0]),
        ],
        vec![num("a", &[0.0]), num("b", &[0.0])],
    );
    let ratio: Vec<f64> =
        serde_json::from_value(f.learned["explained_variance_ratio"].clone()).unwrap();
    close(&ratio, &[0.99244289, 0.00755711], 1e-8);
    let var: Vec<f64> = serde_json::from_value(f.learned["explained_variance"].clone()).unwrap();
    close(
        &var,
        &[6.30061232f64.powi(2) / 5.0, 0.54980396f64.powi(2) / 5.0],
        1e-6,
    );
    // Loadings: ±[0.83849224, 0.54491354] and ±[−0.54491354, 0.83849224] (sign: largest positive).
    let c1: Vec<f64> =
        serde_json::from_value(f.learned["components"][0]["loadings"].clone()).unwrap();
    close(&c1, &[0.83849224, 0.54491354], 1e-7);
    assert_eq!(tr.names(), vec!["pc1", "pc2"]);
    // The scores have the component's variance, and the test row is projected with the
    // training mean (0, 0) → (0, 0).
    let s = col(&tr, "pc1");
    let var1 = s.iter().map(|x| x * x).sum::<f64>() / 5.0;
    assert!((var1 - var[0]).abs() < 1e-9);
    close(
        &[col(&te, "pc1")[0], col(&te, "pc2")[0]],
        &[0.0, 0.0],
        1e-12,
    );
}

#[test]
fn pca_recovers_a_known_decomposition() {
    // Data built from orthonormal directions u = (1, 1, 0)/√2, v = (1, −1, 0)/√2, w = (0, 0, 1)
    // with scores of variance 9 (u), 4 (v) and 0 (w): the components are u, v and the ratios
    // 9/13, 4/13.
    let s2 = std::f64::consts::SQRT_2;
    let su = [3.0, -3.0, 3.0, -3.0];
    let sv = [2.0, 2.0, -2.0, -2.0];
    let a: Vec<f64> = (0..4).map(|i| (su[i] + sv[i]) / s2).collect();
    let b: Vec<f64> = (0..4).map(|i| (su[i] - sv[i]) / s2).collect();
    let (_, _, f) = apply(
        json!({"op": "pca", "components": 2}),
        vec![num("a", &a), num("b", &b), num("c", &[5.0; 4])],
        vec![num("a", &[0.0]), num("b", &[0.0]), num("c", &[5.0])],
    );
    let ratio: Vec<f64> =
        serde_json::from_value(f.learned["explained_variance_ratio"].clone()).unwrap();
    close(&ratio, &[9.0 / 13.0, 4.0 / 13.0], 1e-12);
    let c1: Vec<f64> =
        serde_json::from_value(f.learned["components"][0]["loadings"].clone()).unwrap();
    let c2: Vec<f64> =
        serde_json::from_value(f.learned["components"][1]["loadings"].clone()).unwrap();
    close(&c1, &[1.0 / s2, 1.0 / s2, 0.0], 1e-12);
    close(
        &c2.iter().map(|x| x.abs()).collect::<Vec<_>>(),
        &[1.0 / s2, 1.0 / s2, 0.0],
        1e-12,
    );
    assert!(c2[0] * c2[1] < 0.0);
}

// ───────────── selection ─────────────

#[test]
fn selection_scores_match_hand_computation() {
    use bedside::features::select::{anova_f, chi2, mutual_info};
    let y = [false, false, true, true];
    // Group means 1.5 and 3.5 around 2.5: SSB = 4, SSW = 1, F = (4/1) / (1/2) = 8.
    assert!((anova_f(&[1.0, 2.0, 3.0, 4.0], &y).unwrap() - 8.0).abs() < 1e-12);
    // Observed per class 1 and 5, expected 3 and 3: chi² = 4/3 + 4/3.
    assert!((chi2(&[1.0, 0.0, 2.0, 3.0], &y).unwrap() - 8.0 / 3.0).abs() < 1e-12);
    // A feature equal to a balanced label carries ln 2 nats; an independent one 0.
    assert!((mutual_info(&[0.0, 0.0, 1.0, 1.0], &y) - 2f64.ln()).abs() < 1e-12);
    assert!(mutual_info(&[0.0, 1.0, 0.0, 1.0], &y).abs() < 1e-12);

    // VarianceThreshold().fit_transform([[0, 2, 0, 3], [0, 1, 4, 3], [0, 1, 1, 3]])
    // keeps the second and third columns.
    let (tr, _, f) = apply(
        json!({"op": "select", "method": "variance"}),
        vec![
            num("a", &[0.0, 0.0, 0.0]),
            num("b", &[2.0, 1.0, 1.0]),
            num("c", &[0.0, 4.0, 1.0]),
            num("d", &[3.0, 3.0, 3.0]),
        ],
        vec![
            num("a", &[0.0]),
            num("b", &[0.0]),
            num("c", &[0.0]),
            num("d", &[0.0]),
        ],
    );
    assert_eq!(tr.names(), vec!["b", "c"]);
    assert_eq!(f.learned["dropped"], json!(["a", "d"]));

    // Top-1 by ANOVA F keeps the informative column (labels alternate in `apply`).
    let (tr, te, f) = apply(
        json!({"op": "select", "method": "anova_f", "k": 1}),
        vec![
            num("noise", &[1.0, 1.0, 2.0, 2.0]),
            num("signal", &[0.0, 5.0, 0.1, 5.1]),
        ],
        vec![num("noise", &[0.0]), num("signal", &[0.0])],
    );
    assert_eq!(tr.names(), vec!["signal"]);
    assert_eq!(te.names(), vec!["signal"]);
    assert_eq!(f.learned["kept"], json!(["signal"]));
}

// ───────────── balance ─────────────
