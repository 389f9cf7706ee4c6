//! Every feature step against hand-computed values (scikit-learn's documented examples where
//! they exist), PCA against a known decomposition, SMOTE's geometry, and leakage: fitting
//! happens inside the training rows of each split only.

mod common;
use bedside::features::{fit_transform, FeatureStep, StepFit};
use bedside::models::FittedClassifier;
use bedside::table::{Column, ColumnType, Table, Values};
use serde_json::json;

fn num(name: &str, v: &[f64]) -> Column {
    Column {
        name: name.into(),
        ctype: ColumnType::Numeric,
        values: Values::Num(v.to_vec()),
    }
}

fn cat(name: &str, v: &[Option<&str>]) -> Column {
    Column {
        name: name.into(),
        ctype: ColumnType::Categorical,
        values: Values::Str(v.iter().map(|x| x.map(str::to_string)).collect()),
    }
}

fn date(name: &str, v: &[Option<&str>]) -> Column {
    Column {
        ctype: ColumnType::Date,
        ..cat(name, v)
    }
}

fn step(j: serde_json::Value) -> FeatureStep {
    serde_json::from_value(j).expect("step parses")
}

/// Fits `steps` on `train` (labels `y`) and applies them to `test`.
fn fit(
    steps: &[FeatureStep],
    train: &mut Table,
    y: &mut Vec<bool>,
    test: &mut Table,
) -> Vec<StepFit> {
    fit_transform(steps, train, y, test, 7).expect("fits")
}

/// Fits one step on `train` and returns (train, test) after it.
fn apply(s: serde_json::Value, train: Vec<Column>, test: Vec<Column>) -> (Table, Table, StepFit) {
    let mut tr = Table::new(train);
    let mut te = Table::new(test);
    let mut y: Vec<bool> = (0..tr.rows()).map(|i| i % 2 == 1).collect();
    let f = fit(&[step(s)], &mut tr, &mut y, &mut te).pop().unwrap();
    (tr, te, f)
}

fn col(t: &Table, name: &str) -> Vec<f64> {
    match &t
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .values
    {
        Values::Num(v) => v.clone(),
        Values::Str(_) => panic!("{name} is not numeric"),
    }
}

fn strs(t: &Table, name: &str) -> Vec<Option<String>> {
    match &t.column(name).unwrap().values {
        Values::Str(v) => v.clone(),
        Values::Num(_) => panic!("{name} is numeric"),
    }
}

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
    }
}

const NAN: f64 = f64::NAN;

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
    use bedside::features::dates::{age_years, days_from_civil};
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
