//! Nested hyper-parameter search: parsing (every error names the step and field), candidate
//! generation, inner selection on data where the answer is known, determinism, and (end to
//! end) that the search never sees the outer test rows.

mod common;
use bedside::eval::search::{self, SearchData, SearchSpec};
use bedside::models::{ModelSpec, Task};
use bedside::recipe::Recipe;
use bedside::table::{Column, ColumnType, Table, Values};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

fn spec(kind: &str) -> ModelSpec {
    serde_json::from_value(json!({ "kind": kind })).unwrap()
}

/// The recipe error for a model entry `model`, as (step, field, message).
fn recipe_error(model: Value) -> (String, Option<String>, String) {
    let r = json!({"version": 1, "seed": 1, "target": "y", "models": [{"kind": "knn"}, model]});
    match Recipe::from_value(&r).unwrap_err() {
        bedside::Error::Recipe {
            step,
            field,
            message,
        } => (step, field, message),
        e => panic!("not a recipe error: {e}"),
    }
}

#[test]
fn every_search_parse_error_names_the_step_the_field_and_the_reason() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"depth": [1, 2]}}}),
            "search.grid.depth",
            "unknown hyper-parameter for random_forest",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": ["deep"]}}}),
            "search.grid.max_depth",
            "wrong type",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": []}}}),
            "search.grid.max_depth",
            "empty list",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": 3}}}),
            "search.grid.max_depth",
            "must be a list",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": [0, 3]}}}),
            "search.grid.max_depth",
            "must be at least 1",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {
                "max_depth": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
                "trees": [10, 20, 30, 40, 50, 60, 70, 80, 90],
                "min_samples_leaf": [1, 2, 3]}}}),
            "search.grid",
            "297 combinations; at most 200",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "random", "n_iter": 0, "space": {"max_depth": [2, 4]}}}),
            "search.n_iter",
            "from 1 to 200",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "random", "n_iter": 500, "space": {"max_depth": [2, 4]}}}),
            "search.n_iter",
            "from 1 to 200",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "n_iter": 5, "grid": {"max_depth": [2, 4]}}}),
            "search.n_iter",
            "applies to a random search",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "bayes", "grid": {}}}),
            "search.method",
            "unknown method 'bayes'",
        ),
        (
            json!({"kind": "random_forest", "search": {"grid": {"max_depth": [2]}}}),
            "search.method",
            "missing",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "space": {"max_depth": [2]}}}),
            "search.space",
            "belongs to the other method",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {}}}),
            "search.grid",
            "names no hyper-parameter",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": [2]}, "folds": 1}}),
            "search.folds",
            "from 2 to 10",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": [2]}, "metric": "auc"}}),
            "search.metric",
            "unknown metric",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": [2]}, "inner": 3}}),
            "search.inner",
            "unknown field",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"kind": ["svm"]}}}),
            "search.grid.kind",
            "not a hyper-parameter",
        ),
        (
            json!({"kind": "random_forest", "search": {"method": "grid", "grid": {"max_depth": {"int_min": 1, "int_max": 5}}}}),
            "search.grid.max_depth",
            "ranges belong to a random search",
        ),
        (
            json!({"kind": "gradient_boosting", "search": {"method": "random", "space": {"learning_rate": {"min": 0.5, "max": 0.1}}}}),
            "search.space.learning_rate",
            "must be below max",
        ),
        (
            json!({"kind": "gradient_boosting", "search": {"method": "random", "space": {"learning_rate": {"min": 0, "max": 0.1, "log": true}}}}),
            "search.space.learning_rate.min",
            "above 0 for a log range",
        ),
        (
            json!({"kind": "gradient_boosting", "search": {"method": "random", "space": {"max_depth": {"min": 1.5, "max": 6}}}}),
            "search.space.max_depth",
            "wrong type",
        ),
        (
            json!({"kind": "gradient_boosting", "search": {"method": "random", "space": {"max_depth": {"int_min": 2}}}}),
            "search.space.max_depth",
            "a range is",
        ),
        (
            json!({"kind": "gradient_boosting", "search": {"method": "random", "space": {"learning_rate": {"min": -1, "max": 0.3}}}}),
            "search.space.learning_rate",
            "range end -1",
        ),
        (
            json!({"kind": "linear_regression", "search": {"method": "grid", "grid": {"alpha": [1]}}}),
            "search.grid.alpha",
            "unknown hyper-parameter for linear_regression",
        ),
        (
            json!({"kind": "knn", "search": "grid"}),
            "search",
            "must be an object",
        ),
    ];
    for (model, field, reason) in cases {
        let kind = model["kind"].as_str().unwrap().to_string();
        let (step, f, message) = recipe_error(model.clone());
        assert_eq!(step, format!("models[1] ({kind})"), "{model}");
        assert_eq!(f.as_deref(), Some(field), "{model}: {message}");
        assert!(
            message.contains(reason),
            "{model}: '{message}' lacks '{reason}'"
        );
    }
    // The hyper-parameters of the kind are listed when a name is unknown.
    let (_, _, m) = recipe_error(
        json!({"kind": "knn", "search": {"method": "grid", "grid": {"neighbours": [1]}}}),
    );
    assert!(m.ends_with("(expected k)"), "{m}");
}

#[test]
fn a_search_round_trips_through_the_recipe_json() {
    let text = r#"{"version": 1, "seed": 4, "target": "y", "models": [
        {"kind": "random_forest", "trees": 20,
         "search": {"method": "grid", "grid": {"max_depth": [3, 6, null], "min_samples_leaf": [1, 5]}, "folds": 4, "metric": "pr_auc"}},
        {"kind": "gradient_boosting",
         "search": {"method": "random", "n_iter": 7, "space": {"learning_rate": {"min": 0.01, "max": 0.3, "log": true},
                    "max_depth": {"int_min": 2, "int_max": 8}, "l2_regularization": [0, 1]}}},
        {"kind": "knn"}]}"#;
    let r = Recipe::from_json(text).unwrap();
    let s = r.models[0].search.as_ref().unwrap();
    assert_eq!((s.folds, s.metric.as_deref()), (4, Some("pr_auc")));
    assert_eq!(r.models[1].search.as_ref().unwrap().n_iter, 7);
    assert!(r.models[2].search.is_none());
    let again = Recipe::from_json(&r.to_json()).unwrap();
    assert_eq!(again, r);
    // The knn entry has no search field at all.
    let v: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert!(v["models"][2].get("search").is_none());
    assert_eq!(
        v["models"][0]["search"]["grid"]["max_depth"],
        json!([3, 6, null])
    );
}

#[test]
fn grid_candidates_are_every_combination_in_documented_order() {
    let base = spec("random_forest");
    let s = SearchSpec::from_value(
        &json!({"method": "grid", "grid": {"trees": [10, 20], "max_depth": [3, null]}}),
        &base,
    )
    .unwrap();
    let c = s.candidates(&base, 1).unwrap();
    let shown: Vec<String> = c
        .iter()
        .map(|c| serde_json::to_string(&c.params).unwrap())
        .collect();
    assert_eq!(
        shown,
        [
            r#"{"max_depth":3,"trees":10}"#,
            r#"{"max_depth":3,"trees":20}"#,
            r#"{"max_depth":null,"trees":10}"#,
            r#"{"max_depth":null,"trees":20}"#
        ]
    );
    match &c[3].spec {
        ModelSpec::RandomForest(p) => assert_eq!((p.trees, p.max_depth), (20, None)),
        s => panic!("{s:?}"),
    }
}

#[test]
fn random_candidates_stay_in_their_ranges_and_follow_the_seed() {
    let base = spec("gradient_boosting");
    let s = SearchSpec::from_value(
        &json!({"method": "random", "n_iter": 40, "space": {
            "learning_rate": {"min": 0.01, "max": 0.3, "log": true},
            "max_depth": {"int_min": 2, "int_max": 5},
            "l2_regularization": [0, 1, 10]}}),
        &base,
    )
    .unwrap();
    let a = s.candidates(&base, 11).unwrap();
    assert!(a.len() > 20 && a.len() <= 40, "{}", a.len());
    let mut depths = std::collections::BTreeSet::new();
    for c in &a {
        let ModelSpec::GradientBoosting(p) = &c.spec else {
            panic!()
        };
        assert!(
            (0.01..=0.3).contains(&p.learning_rate),
            "{}",
            p.learning_rate
        );
        let d = p.max_depth.unwrap();
        assert!((2..=5).contains(&d));
        depths.insert(d);
        assert!([0.0, 1.0, 10.0].contains(&p.l2_regularization));
    }
    assert_eq!(depths.len(), 4, "every integer of the range is drawn");
    // Log-uniform: about half the draws fall below the geometric middle (0.055).
    let low = a
        .iter()
        .filter(|c| c.params["learning_rate"].as_f64().unwrap() < 0.0548)
        .count();
    assert!(
        low * 4 > a.len() && low * 4 < 3 * a.len(),
        "{low} of {}",
        a.len()
    );
    assert_eq!(s.candidates(&base, 11).unwrap(), a, "same seed, same draws");
    assert_ne!(
        s.candidates(&base, 12).unwrap(),
        a,
        "another seed, other draws"
    );
}

/// `n` rows with inputs x1, x2 uniform in [-1, 1] and a noise column; the signal is an
/// interaction: x1 > 0 and x2 > 0 (class, 5% flipped) or 10·x1·x2 (numeric). One split sees
/// only half of it.
fn interaction(n: usize, seed: u64) -> (Table, Vec<bool>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x1, mut x2, mut z, mut yc, mut yr) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let a: f64 = rng.gen_range(-1.0..1.0);
        let b: f64 = rng.gen_range(-1.0..1.0);
        x1.push(a);
        x2.push(b);
        z.push(rng.gen_range(-1.0..1.0));
        yc.push((a > 0.0 && b > 0.0) != rng.gen_bool(0.05));
        yr.push(10.0 * a * b + rng.gen_range(-0.5..0.5));
    }
    let col = |name: &str, v: Vec<f64>| Column {
        name: name.into(),
        ctype: ColumnType::Numeric,
        values: Values::Num(v),
    };
    (
        Table::new(vec![col("x1", x1), col("x2", x2), col("z", z)]),
        yc,
        yr,
    )
}

fn choose(
    kind: &str,
    search: Value,
    task: Task,
    seed: u64,
) -> (Vec<search::Candidate>, search::Choice) {
    let base = spec(kind);
    let s = SearchSpec::from_value(&search, &base).unwrap();
    let c = s.candidates(&base, seed).unwrap();
    let (x, yc, yr) = interaction(300, 5);
    let mut calls = 0;
    let choice = search::select(
        &s,
        &c,
        &SearchData {
            step: "models[0]",
            x: &x,
            labels: &yc,
            values: &yr,
            task,
            features: &[],
        },
        seed,
        &mut || {
            calls += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        calls,
        c.len() * s.folds,
        "progress once per candidate and inner fold"
    );
    (c, choice)
}

#[test]
fn on_an_interaction_signal_depth_one_loses() {
    let (c, choice) = choose(
        "decision_tree",
        json!({"method": "grid", "grid": {"max_depth": [1, 4]}, "folds": 3}),
        Task::Classification,
        9,
    );
    assert_eq!(c[choice.index].params["max_depth"], json!(4));
    let (s1, s4) = (choice.scores[0].unwrap(), choice.scores[1].unwrap());
    assert!(
        s1 < 0.8 && s4 > s1 + 0.05,
        "inner roc_auc depth 1: {s1}, depth 4: {s4}"
    );

    // Regression: boosting with stumps is additive and cannot fit x1·x2.
    let (c, choice) = choose(
        "gradient_boosting",
        json!({"method": "grid", "grid": {"max_depth": [1, 3], "max_iter": [50]}}),
        Task::Regression,
        9,
    );
    assert_eq!(c[choice.index].params["max_depth"], json!(3));
    assert!(
        choice.scores[1].unwrap() > choice.scores[0].unwrap() + 0.3,
        "{:?}",
        choice.scores
    );

    // A metric to minimise: rmse picks the same depth.
    let (c, choice) = choose(
        "gradient_boosting",
        json!({"method": "grid", "grid": {"max_depth": [1, 3], "max_iter": [50]}, "metric": "rmse"}),
        Task::Regression,
        9,
    );
    assert_eq!(c[choice.index].params["max_depth"], json!(3));
}

#[test]
fn ties_go_to_the_first_candidate_and_the_choice_is_deterministic() {
    // min_samples_leaf far above the row count: every candidate predicts the base rate alike.
    let (_, a) = choose(
        "decision_tree",
        json!({"method": "grid", "grid": {"min_samples_leaf": [400, 500, 600]}}),
        Task::Classification,
        3,
    );
    assert_eq!(a.index, 0);
    assert_eq!(a.scores[0], a.scores[2]);
    let search = json!({"method": "random", "n_iter": 6, "space": {"max_depth": {"int_min": 1, "int_max": 6}, "min_samples_leaf": {"int_min": 1, "int_max": 30}}});
    let (ca, x) = choose("decision_tree", search.clone(), Task::Classification, 21);
    let (cb, y) = choose("decision_tree", search, Task::Classification, 21);
    assert_eq!((ca, x), (cb, y));
}

#[test]
fn a_metric_of_the_other_task_is_refused_when_the_task_is_known() {
    let base = spec("random_forest");
    let s = SearchSpec::from_value(
        &json!({"method": "grid", "grid": {"max_depth": [2]}, "metric": "rmse"}),
        &base,
    )
    .unwrap();
    let (field, m) = s.check_task(Task::Classification).unwrap_err();
    assert_eq!(field, "search.metric");
    assert!(m.contains("class target"), "{m}");
    assert!(s.check_task(Task::Regression).is_ok());
}

#[test]
fn cancelling_stops_the_search() {
    let base = spec("decision_tree");
    let s = SearchSpec::from_value(
        &json!({"method": "grid", "grid": {"max_depth": [1, 2, 3]}}),
        &base,
    )
    .unwrap();
    let c = s.candidates(&base, 1).unwrap();
    let (x, yc, yr) = interaction(120, 1);
    let mut calls = 0;
    let e = search::select(
        &s,
        &c,
        &SearchData {
            step: "models[0]",
            x: &x,
            labels: &yc,
            values: &yr,
            task: Task::Classification,
            features: &[],
        },
        1,
        &mut || {
            calls += 1;
            if calls == 2 {
                Err(bedside::Error::Cancelled)
            } else {
                Ok(())
            }
        },
    )
    .unwrap_err();
    assert_eq!(e, bedside::Error::Cancelled);
    assert_eq!(calls, 2);
}
