//! The whole chain: privacy invariants, leakage-free feature fitting, determinism, models.

use crate::common;
use bedside::eval::split::Evaluation;
use bedside::table::csv::{read_csv, CsvOptions};
use common::*;

fn original_values(csv: &str, column: usize) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').nth(column).unwrap().to_string())
        .collect()
}

#[test]
fn masked_output_contains_no_original_name_or_record_number() {
    let csv = patients_csv(300, 11);
    let out = run(&csv, &recipe_json(MASK, FEATURES, BOTH_MODELS, CV5)).unwrap();
    let masked = String::from_utf8(bedside::table::csv::write_csv(&out.masked)).unwrap();
    for name in original_values(&csv, 0) {
        assert!(!masked.contains(&name), "name survived masking");
    }
    for mrn in original_values(&csv, 1) {
        assert!(!masked.contains(&mrn), "record number survived masking");
    }
    assert!(!out.masked.names().contains(&"name".to_string()));
}

#[test]
fn pseudonyms_are_consistent_within_a_key_and_differ_across_keys() {
    use bedside::privacy::ops::pseudonymize::pseudonym;
    assert_eq!(pseudonym(b"k1", "00001234"), pseudonym(b"k1", "00001234"));
    assert_ne!(pseudonym(b"k1", "00001234"), pseudonym(b"k2", "00001234"));
    assert_ne!(pseudonym(b"k1", "00001234"), pseudonym(b"k1", "00001235"));
    // Within a run, equal inputs map to equal pseudonyms.
    let csv = "name,mrn,outcome\nA,001,0\nB,002,1\nC,001,0\n";
    let out = run(csv, r#"{"version": 1, "columns": {"name": "identifier", "mrn": "identifier"}, "privacy": [{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]}]}"#).unwrap();
    let m = &out.masked.column("mrn").unwrap().values;
    assert_eq!(m.text(0), m.text(2));
    assert_ne!(m.text(0), m.text(1));
    // Two runs get two fresh keys.
    let again = run(csv, r#"{"version": 1, "columns": {"name": "identifier", "mrn": "identifier"}, "privacy": [{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]}]}"#).unwrap();
    assert_ne!(
        again.masked.column("mrn").unwrap().values.text(0),
        m.text(0)
    );
}

#[test]
fn feature_steps_are_fitted_on_training_rows_only() {
    // Glucose of the rows is arranged so that every split's training mean differs from the
    // mean over all rows; the learned imputation and scaling must equal the training means.
    let csv = patients_csv(200, 5);
    let recipe = recipe_json(
        MASK,
        r#"[{"op": "impute", "strategy": "mean"}, {"op": "scale", "method": "standard"}, {"op": "one_hot"}]"#,
        r#"[{"kind": "logistic_regression"}]"#,
        CV5,
    );
    let out = run(&csv, &recipe).unwrap();
    let parsed = read_csv(csv.as_bytes(), "t", &CsvOptions::default()).unwrap();
    let glucose = match &parsed.table.column("glucose").unwrap().values {
        bedside::table::Values::Num(v) => v.clone(),
        _ => panic!("numeric"),
    };
    let y: Vec<bool> = (0..parsed.table.rows())
        .map(|r| {
            parsed
                .table
                .column("outcome")
                .unwrap()
                .values
                .text(r)
                .as_deref()
                == Some("1")
        })
        .collect();
    let folds = Evaluation::StratifiedKfold { folds: 5 }
        .folds(&y, 7)
        .unwrap();
    let impute = out.report.audit.iter().find(|a| a.op == "impute").unwrap();
    let learned = impute.args["learned"].as_array().unwrap();
    let mean_of = |rows: &[usize]| {
        let v: Vec<f64> = rows
            .iter()
            .map(|&r| glucose[r])
            .filter(|x| !x.is_nan())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let all: Vec<usize> = (0..glucose.len()).collect();
    for (f, fold) in folds.iter().enumerate() {
        let got = learned[f]["glucose"].as_f64().unwrap();
        assert!(
            (got - mean_of(&fold.train)).abs() < 1e-9,
            "split {f}: imputer learned {got}, training mean {}",
            mean_of(&fold.train)
        );
        assert!(
            (got - mean_of(&all)).abs() > 1e-6,
            "split {f}: the imputer saw every row"
        );
    }
}

#[test]
fn same_recipe_same_data_same_report() {
    let csv = patients_csv(150, 3);
    let recipe = recipe_json(MASK, FEATURES, BOTH_MODELS, CV5);
    let a = serde_json::to_value(run(&csv, &recipe).unwrap().report).unwrap();
    let b = serde_json::to_value(run(&csv, &recipe).unwrap().report).unwrap();
    assert_eq!(a, b);
    let other = recipe.replace("\"seed\": 7", "\"seed\": 8");
    let c = serde_json::to_value(run(&csv, &other).unwrap().report).unwrap();
    assert_ne!(
        a["models"], c["models"],
        "a different seed gives different folds"
    );
}

#[test]
fn models_find_the_signal_in_generated_data() {
    let csv = patients_csv(600, 21);
    let out = run(&csv, &recipe_json(MASK, FEATURES, BOTH_MODELS, CV5)).unwrap();
    let auc = |i: usize| out.report.models[i].metrics["roc_auc"].mean.unwrap();
    assert!(auc(0) > 0.75, "logistic regression AUC {}", auc(0));
    assert!(auc(1) > 0.65, "decision tree AUC {}", auc(1));
    for m in &out.report.models {
        for name in [
            "accuracy",
            "precision",
            "recall",
            "specificity",
            "f1",
            "roc_auc",
        ] {
            let s = &m.metrics[name];
            assert_eq!(s.folds.len(), 5);
            assert!(s
                .folds
                .iter()
                .all(|v| v.is_some_and(|x| (0.0..=1.0).contains(&x))));
        }
        let c = m.confusion_matrix.as_ref().unwrap();
        assert_eq!(c.tp + c.fp + c.tn + c.fn_, 600, "every row is tested once");
    }
}

#[test]
fn a_model_that_ignores_its_inputs_scores_chance() {
    // Labels independent of every input: cross-validated AUC must be near 0.5, not the
    // optimistic score a model gets on its own training rows.
    let mut csv = String::from("x1,x2,y\n");
    let mut s = 12345u64;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 1000) as f64 / 1000.0
    };
    for _ in 0..400 {
        let (a, b, c) = (next(), next(), next());
        csv.push_str(&format!("{a},{b},{}\n", (c > 0.5) as u8));
    }
    let out = run(&csv, r#"{"version": 1, "target": "y", "models": [{"kind": "decision_tree"}], "evaluation": {"method": "stratified_kfold", "folds": 5}}"#).unwrap();
    let auc = out.report.models[0].metrics["roc_auc"].mean.unwrap();
    assert!((auc - 0.5).abs() < 0.1, "AUC {auc} on noise");
}

#[test]
fn holdout_reports_one_split() {
    let out = run(
        &patients_csv(200, 2),
        &recipe_json(
            MASK,
            FEATURES,
            BOTH_MODELS,
            r#"{"method": "holdout", "test_fraction": 0.3}"#,
        ),
    )
    .unwrap();
    let ev = out.report.evaluation.unwrap();
    assert_eq!((ev.splits, ev.test_sizes[0]), (1, 60));
    assert_eq!(out.report.models[0].metrics["accuracy"].folds.len(), 1);
}

#[test]
fn rows_without_a_target_are_left_out_and_reported() {
    let csv = patients_csv(100, 4).replacen(",0\n", ",NA\n", 3);
    let out = run(&csv, &recipe_json(MASK, FEATURES, BOTH_MODELS, CV5)).unwrap();
    let t = out.report.target.unwrap();
    assert_eq!(t.missing, 3);
    assert_eq!(t.counts.iter().sum::<usize>(), 97);
    assert!(out
        .report
        .audit
        .iter()
        .any(|a| a.op == "exclude_missing_target" && a.rows_affected == 3));
}

#[test]
fn a_target_with_more_than_two_classes_is_explained() {
    let e = run("x,y\n1,a\n2,b\n3,c\n4,a\n", r#"{"version": 1, "target": "y", "features": [], "models": [{"kind": "decision_tree"}], "evaluation": {"method": "kfold", "folds": 2}}"#).err().unwrap();
    assert!(e.to_string().contains("3 distinct values"), "{e}");
}

#[test]
fn the_audit_has_one_entry_per_executed_step() {
    let out = run(
        &patients_csv(100, 9),
        &recipe_json(MASK, FEATURES, BOTH_MODELS, CV5),
    )
    .unwrap();
    let ops: Vec<&str> = out.report.audit.iter().map(|a| a.op.as_str()).collect();
    assert_eq!(
        ops,
        vec![
            "drop",
            "pseudonymize",
            "impute",
            "scale",
            "one_hot",
            "logistic_regression",
            "decision_tree"
        ]
    );
    let drop = &out.report.audit[0];
    assert_eq!((drop.rows_affected, drop.cells_affected), (100, 100));
}

#[test]
fn cancelling_from_the_progress_callback_stops_the_run() {
    let recipe =
        bedside::recipe::Recipe::from_json(&recipe_json(MASK, FEATURES, BOTH_MODELS, CV5)).unwrap();
    let mut calls = 0;
    let r = bedside::run_file(
        patients_csv(100, 1).as_bytes(),
        "t.csv",
        &recipe,
        &mut |p| {
            calls += 1;
            p.stage != "models" || p.done < 3
        },
        &|| 0.0,
    );
    assert!(matches!(r, Err(bedside::Error::Cancelled)));
    assert!(calls > 3);
}

/// A pool of workers computes the splits apart (each its own subset, results passed as JSON)
/// and one assembles the report: it must equal the report of one run.
#[test]
fn splits_computed_apart_give_the_same_report() {
    use bedside::pipeline::{
        explain_splits, finish, run_splits, score_splits, stage, Context, FoldResult,
    };
    let csv = patients_csv(150, 3);
    let recipe_text = recipe_json(MASK, FEATURES, BOTH_MODELS, CV5);
    let recipe = bedside::recipe::Recipe::from_json(&recipe_text).unwrap();
    let loaded = bedside::load(csv.as_bytes(), "test.csv").unwrap();
    let key = vec![7u8; 32];
    let clock = || 0.0;
    let mut progress = |_: &bedside::pipeline::Progress| true;
    macro_rules! ctx {
        () => {
            Context {
                progress: &mut progress,
                now_ms: &clock,
                key: key.clone(),
            }
        };
    }
    macro_rules! staged {
        () => {
            stage(
                &loaded.parsed.table,
                loaded.summary.clone(),
                &recipe,
                &mut ctx!(),
            )
            .unwrap()
        };
    }
    let whole = bedside::pipeline::run(
        &loaded.parsed.table,
        loaded.summary.clone(),
        &recipe,
        &mut ctx!(),
    )
    .unwrap();

    let mut parts: Vec<FoldResult> = Vec::new();
    // A unit is one model on one split: units 0–9 are the 2 models on the 5 splits of the
    // masked data (unit 2f + m), 10–19 the same on the original data (the recipe has privacy
    // steps, so the cost of privacy is measured). One worker is given units one at a time, as
    // the page's pool does (its second model of a split reuses the fitted feature steps), the
    // other several at once, in any order, a split's models apart or together.
    // Some of its units come in two calls, as the page's pool makes them when another worker
    // can start a model's bootstraps: scored (predictions, no explanations), then explained;
    // model 2's intervals below are computed from the scored results where there are some.
    let staged = staged!();
    assert_eq!(staged.units(), 20);
    let mut scored: Vec<FoldResult> = Vec::new();
    for u in [4, 5, 9, 1, 3, 18, 12, 13, 7] {
        let got = if [5, 9, 18, 13].contains(&u) {
            let early = score_splits(&staged, &recipe, &[u], &mut ctx!()).unwrap();
            assert!(early[0].models[0].permutation.is_none(), "unit {u}");
            scored.extend(early);
            explain_splits(&staged, &recipe, &[u], &mut ctx!()).unwrap()
        } else {
            run_splits(&staged, &recipe, &[u], &mut ctx!()).unwrap()
        };
        assert_eq!(got.iter().map(|r| r.unit).collect::<Vec<_>>(), [u]);
        let json = serde_json::to_string(&got).unwrap();
        parts.extend(serde_json::from_str::<Vec<FoldResult>>(&json).unwrap());
    }
    // (The original data's units have no importance: units 10–19.)
    assert!(parts
        .iter()
        .all(|r| (r.unit < 10) == r.models[0].permutation.is_some()));
    // A unit is explained once, by the worker that scored it.
    let err = explain_splits(&staged, &recipe, &[5], &mut ctx!())
        .err()
        .unwrap();
    assert!(err.to_string().contains("unit 6 was not scored"), "{err}");
    let err = explain_splits(&staged!(), &recipe, &[4], &mut ctx!())
        .err()
        .unwrap();
    assert!(err.to_string().contains("unit 5 was not scored"), "{err}");
    let staged = staged!();
    let which = [0, 2, 6, 8, 19, 10, 11, 14, 15, 16, 17];
    let got = run_splits(&staged, &recipe, &which, &mut ctx!()).unwrap();
    assert_eq!(got.iter().map(|r| r.unit).collect::<Vec<_>>(), which);
    let json = serde_json::to_string(&got).unwrap();
    parts.extend(serde_json::from_str::<Vec<FoldResult>>(&json).unwrap());
    let staged = staged!();
    // Model 2's bootstrap intervals computed apart (as a pool does while units still run), from
    // the results of its units on the masked and the original splits; model 1's by `finish`.
    let of_model_2: Vec<FoldResult> = parts
        .iter()
        .filter(|r| r.unit % 2 == 1)
        .map(|r| {
            scored
                .iter()
                .find(|s| s.unit == r.unit)
                .unwrap_or(r)
                .clone()
        })
        .collect();
    assert_eq!(
        of_model_2
            .iter()
            .filter(|r| r.unit < 10 && r.models[0].permutation.is_none())
            .count(),
        2
    );
    let iv =
        bedside::pipeline::model_intervals(&staged, &recipe, of_model_2.clone(), &|| 0.0).unwrap();
    assert_eq!(iv.model, 1);
    assert!(iv.original.is_some());
    let json = serde_json::to_string(&iv).unwrap();
    let iv: bedside::pipeline::ModelIntervals = serde_json::from_str(&json).unwrap();
    let err =
        bedside::pipeline::model_intervals(&staged, &recipe, of_model_2[1..].to_vec(), &|| 0.0)
            .err()
            .unwrap();
    assert!(err.to_string().contains("each exactly once"), "{err}");
    let err = bedside::pipeline::model_intervals(&staged, &recipe, parts.clone(), &|| 0.0)
        .err()
        .unwrap();
    assert!(err.to_string().contains("one model"), "{err}");
    let apart = finish(
        staged,
        &recipe,
        parts.clone(),
        vec![iv.clone()],
        &mut ctx!(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&whole.report).unwrap(),
        serde_json::to_value(&apart.report).unwrap()
    );
    assert!(whole.report.original.as_ref().unwrap().evaluated);

    // A split missing or given twice is an error, not a wrong report.
    let staged = staged!();
    let err = finish(
        staged,
        &recipe,
        parts[..4].to_vec(),
        Vec::new(),
        &mut ctx!(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("each exactly once"), "{err}");
    let staged = staged!();
    let err = finish(
        staged,
        &recipe,
        parts.clone(),
        vec![iv.clone(), iv],
        &mut ctx!(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("given twice"), "{err}");
    let staged = staged!();
    let err = run_splits(&staged, &recipe, &[20], &mut ctx!())
        .err()
        .unwrap();
    assert!(err.to_string().contains("unit 21"), "{err}");
    assert!(
        err.to_string().contains("10 split(s) × 2 model(s)"),
        "{err}"
    );
}

/// The warm-up the browser's workers run (reader, profiler, the units of a small recipe) must
/// itself succeed, or it would warm nothing: one hold-out split × three models.
#[test]
fn warm_up_runs_every_unit_of_its_recipe() {
    assert_eq!(bedside::warm_up().unwrap(), 3);
}

/// The fingerprint: hashed here, given by the caller (WebCrypto in the page), or given later
/// (the page hashes while a worker reads); a malformed one is refused, naming the file.
#[test]
fn the_sha256_fingerprint_is_hashed_given_or_set_later() {
    use bedside::{load, load_source, Digest};
    let bytes = b"age,sex,y\n34,F,1\n51,M,0\n";
    let hashed = load(bytes, "f.csv").unwrap().summary.sha256;
    // sha256sum of the same bytes.
    assert_eq!(
        hashed,
        "4df09b2ec73cb5daf1f42cc916abc92d3499cfda19ecf6a504d9fc56088e7ca2"
    );
    let upper = hashed.to_ascii_uppercase();
    let given = load_source(&mut &bytes[..], "f.csv", Digest::Given(&upper)).unwrap();
    assert_eq!(given.summary.sha256, hashed);
    let bad = load_source(&mut &bytes[..], "f.csv", Digest::Given("abc")).unwrap();
    assert_eq!(
        bad.summary.sha256, hashed,
        "a malformed digest is ignored and the file hashed"
    );
    let mut later = load_source(&mut &bytes[..], "f.csv", Digest::Later).unwrap();
    assert_eq!(later.summary.sha256, "");
    let err = later.set_sha256("not hex").unwrap_err().to_string();
    assert!(
        err.contains("f.csv") && err.contains("64 hex digits"),
        "{err}"
    );
    later.set_sha256(&upper).unwrap();
    assert_eq!(later.summary.sha256, hashed);
}

/// Columns are shared, copy on write: the masked table holds the loaded table's columns that no
/// privacy step changed (no copy of a wide file per table), and a step that changes a column in
/// place (noise, suppression) changes the masked table's copy only, never the loaded table a
/// later run or the original-data comparison reads.
#[test]
fn masked_columns_share_the_loaded_ones_until_a_step_changes_them() {
    use bedside::pipeline::{stage, Context};
    use bedside::table::Values;
    let mut csv = String::from("x,z,y\n");
    for i in 0..200 {
        csv.push_str(&format!("{},{},{}\n", 100 + i % 37, i % 11, i % 2));
    }
    let loaded = bedside::load(csv.as_bytes(), "shared.csv").unwrap();
    let before = loaded.parsed.table.clone();
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 7, "target": "y",
            "privacy": [{"op": "noise", "columns": ["x"], "epsilon": 1.0, "sensitivity": 1}],
            "models": [{"kind": "logistic_regression"}],
            "evaluation": {"method": "holdout", "test_fraction": 0.25}}"#,
    )
    .unwrap();
    let staged = stage(
        &loaded.parsed.table,
        loaded.summary.clone(),
        &recipe,
        &mut Context {
            progress: &mut |_| true,
            now_ms: &|| 0.0,
            key: vec![1; 32],
        },
    )
    .unwrap();
    let col = |t: &bedside::table::Table, n: &str| t.column(n).unwrap().values.clone();
    let (Values::Num(loaded_z), Values::Num(masked_z)) =
        (col(&loaded.parsed.table, "z"), col(&staged.masked, "z"))
    else {
        panic!("z is numeric")
    };
    assert!(
        std::sync::Arc::ptr_eq(&loaded_z, &masked_z),
        "an unchanged column is shared"
    );
    assert_ne!(
        col(&loaded.parsed.table, "x"),
        col(&staged.masked, "x"),
        "noise changed the masked x"
    );
    assert_eq!(loaded.parsed.table, before, "the loaded table is unchanged");
    // Taking every row in order shares the column; any other selection is a copy of its own.
    let z = col(&loaded.parsed.table, "z");
    let all: Vec<usize> = (0..200).collect();
    assert!(
        matches!((&z, &z.take(&all)), (Values::Num(a), Values::Num(b)) if std::sync::Arc::ptr_eq(a, b))
    );
    assert!(
        matches!((&z, &z.take(&all[1..])), (Values::Num(a), Values::Num(b)) if !std::sync::Arc::ptr_eq(a, b))
    );
}
