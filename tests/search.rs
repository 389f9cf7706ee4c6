//! Nested hyper-parameter search: parsing (every error names the step and field), candidate
//! generation, inner selection on data where the answer is known, determinism, and (end to
//! end) that the search never sees the outer test rows.

use crate::common;
use bedside::eval::search::{self, SearchSpec};
use bedside::models::{ModelSpec, Task};
use bedside::pipeline::search::{select, SearchData};
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
        values: Values::num(v),
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
    let choice = select(
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
    let (field, m) = s.check_task(Task::Classification).err().unwrap();
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
    let e = select(
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
    .err()
    .unwrap();
    assert_eq!(e, bedside::Error::Cancelled);
    assert_eq!(calls, 2);
}

/// The interaction data as CSV (`x1, x2, z, y, level`): `y` the class, `level` the numeric
/// target. Rows in `scramble` get fresh random inputs (their targets unchanged).
fn interaction_csv(n: usize, scramble: &[usize]) -> String {
    let (x, yc, yr) = interaction(n, 5);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let col = |name: &str| match &x.column(name).unwrap().values {
        Values::Num(v) => v.clone(),
        _ => unreachable!(),
    };
    let (x1, x2, z) = (col("x1"), col("x2"), col("z"));
    let mut out = String::from("x1,x2,z,y,level\n");
    for i in 0..n {
        let (a, b, c) = if scramble.contains(&i) {
            (
                rng.gen_range(-1.0..1.0),
                rng.gen_range(-1.0..1.0),
                rng.gen_range(-1.0..1.0),
            )
        } else {
            (x1[i], x2[i], z[i])
        };
        out.push_str(&format!(
            "{a:.6},{b:.6},{c:.6},{},{:.6}\n",
            yc[i] as u8, yr[i]
        ));
    }
    out
}

fn tree_search_recipe(target: &str, model: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": 13, "target": "{target}", "columns": {{"{other}": "ignore"}},
        "features": [{{"op": "scale", "method": "standard"}}],
        "models": [{model}], "evaluation": {{"method": "{method}", "folds": 4}}}}"#,
        other = if target == "y" { "level" } else { "y" },
        method = if target == "y" {
            "stratified_kfold"
        } else {
            "kfold"
        },
    )
}

const TREE_SEARCH: &str = r#"{"kind": "decision_tree", "search": {"method": "grid", "grid": {"max_depth": [1, 2, 3, 5, 8]}, "folds": 3}}"#;

#[test]
fn the_search_never_sees_the_outer_test_rows() {
    let n = 400;
    let recipe = tree_search_recipe("y", TREE_SEARCH);
    let run = |csv: &str| common::run(csv, &recipe).unwrap().report;
    let a = run(&interaction_csv(n, &[]));
    let sa = a.models[0].search.as_ref().unwrap();
    // The outer splits, as the run makes them (labels only, the recipe seed).
    let (_, yc, _) = interaction(n, 5);
    let folds = bedside::eval::split::Evaluation::StratifiedKfold { folds: 4 }
        .folds(&yc, 13)
        .unwrap();
    assert_eq!(
        a.evaluation.as_ref().unwrap().test_sizes[0],
        folds[0].test.len()
    );
    // Scramble the inputs of split 1's test rows: the search on split 1 must not change at all
    // (same choice, same inner score to the bit); the other splits train on those rows and do.
    let b = run(&interaction_csv(n, &folds[0].test));
    let sb = b.models[0].search.as_ref().unwrap();
    assert_eq!(sa.chosen[0], sb.chosen[0]);
    assert!(
        (1..4).all(|s| sa.chosen[s].inner_score != sb.chosen[s].inner_score),
        "{:?} vs {:?}",
        sa.chosen,
        sb.chosen
    );
    // Split 1's test score does change: its test rows are scrambled.
    let auc = |r: &bedside::report::Report| r.models[0].metrics["roc_auc"].folds[0];
    assert_ne!(auc(&a), auc(&b));
}

#[test]
fn a_run_reports_the_chosen_values_and_a_stump_never_wins_an_interaction() {
    let recipe = tree_search_recipe("y", TREE_SEARCH);
    let csv = interaction_csv(400, &[]);
    let mut events = Vec::new();
    let r = bedside::run_file(
        csv.as_bytes(),
        "t.csv",
        &Recipe::from_json(&recipe).unwrap(),
        &mut |p| {
            events.push(p.clone());
            true
        },
        &|| 0.0,
    )
    .unwrap()
    .report;
    let s = r.models[0].search.as_ref().unwrap();
    assert_eq!(
        (
            s.method.as_str(),
            s.metric.as_str(),
            s.inner_folds,
            s.candidates
        ),
        ("grid", "roc_auc", 3, 5)
    );
    assert_eq!(s.chosen.len(), 4);
    for c in &s.chosen {
        assert_ne!(c.params["max_depth"], json!(1), "{:?}", s.chosen);
        assert!(c.inner_score.unwrap() > 0.8);
    }
    assert!(s.most_chosen["max_depth"].as_u64().unwrap() >= 2);
    // The model's params are the entry's own; the search sits apart.
    assert!(r.models[0].params.get("search").is_none());
    // Progress counts every candidate on every inner fold of every split.
    let total = events
        .iter()
        .filter(|p| p.stage == "models")
        .map(|p| p.total)
        .max();
    assert_eq!(total, Some(4 * (1 + 5 * 3)));
    // Same recipe and seed, same choices.
    let again = common::run(&csv, &recipe).unwrap().report;
    assert_eq!(again.models[0].search, r.models[0].search);
}

#[test]
fn a_regression_search_and_its_plot() {
    let model = r#"{"kind": "gradient_boosting", "max_iter": 40,
        "search": {"method": "random", "n_iter": 4, "space": {"max_depth": {"int_min": 1, "int_max": 4}, "learning_rate": [0.1, 0.3]}}}"#;
    let r = common::run(
        &interaction_csv(300, &[]),
        &tree_search_recipe("level", model),
    )
    .unwrap()
    .report;
    let m = &r.models[0];
    let s = m.search.as_ref().unwrap();
    assert_eq!((s.method.as_str(), s.metric.as_str()), ("random", "r2"));
    assert!(s.candidates >= 2 && s.candidates <= 4);
    assert_eq!(s.chosen.len(), 4);
    let plot = m.regression.as_ref().unwrap();
    assert_eq!((plot.total, plot.actual.len()), (300, 300));
    assert_eq!(plot.residual_counts.iter().sum::<usize>(), 300);
    assert!(m.timings.search_ms >= 0.0);
}

#[test]
fn search_errors_that_need_the_data_name_the_step() {
    let csv = interaction_csv(60, &[]);
    // A regression metric on a class target.
    let model = r#"{"kind": "decision_tree", "search": {"method": "grid", "grid": {"max_depth": [1, 2]}, "metric": "rmse"}}"#;
    let e = common::run(&csv, &tree_search_recipe("y", model))
        .err()
        .unwrap();
    assert!(
        e.to_string()
            .contains("models[0] (decision_tree), field 'search.metric'"),
        "{e}"
    );
    // class_weight among the candidates of a numeric target.
    let model = r#"{"kind": "random_forest", "trees": 5, "search": {"method": "grid", "grid": {"class_weight": [null, "balanced"]}}}"#;
    let e = common::run(&csv, &tree_search_recipe("level", model))
        .err()
        .unwrap();
    assert!(e.to_string().contains("models[0] (random_forest)"), "{e}");
    assert!(e.to_string().contains("class_weight"), "{e}");
    // More inner folds than the smaller class has rows in an outer training split.
    let mut small = String::from("x1,x2,z,y,level\n");
    for i in 0..40 {
        small.push_str(&format!("{i},{},{},{},{i}\n", i % 3, i % 5, (i < 5) as u8));
    }
    let model = r#"{"kind": "decision_tree", "search": {"method": "grid", "grid": {"max_depth": [1, 2]}, "folds": 10}}"#;
    let recipe = tree_search_recipe("y", model).replace("\"folds\": 4", "\"folds\": 2");
    let e = common::run(&small, &recipe).err().unwrap();
    assert!(
        e.to_string()
            .contains("models[0] (decision_tree), field 'search.folds'"),
        "{e}"
    );
}
