//! `bedside run --predictions PRED.csv`: every model's out-of-fold predictions, one line per
//! (test row, split, model), rows pointing at the accepted records of the input.

use crate::common;
use bedside::eval::metrics;
use common::{bedside, temp};
use std::collections::BTreeMap;

struct Line {
    row: usize,
    split: usize,
    model: usize,
    y_true: String,
    score: f64,
}

/// Runs `recipe` on `csv` with `--predictions`; the report and the lines of PRED.csv.
fn run(tag: &str, csv: &str, recipe: &str) -> (serde_json::Value, Vec<Line>) {
    let data = temp(&format!("{tag}.csv"), csv);
    let recipe = temp(&format!("{tag}.json"), recipe);
    let pred = temp(&format!("{tag}-pred.csv"), "");
    let (ok, out, err) = bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--predictions",
        &pred,
    ]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = std::fs::read_to_string(&pred).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("row,split,model,y_true,score"));
    let lines = lines
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            assert_eq!(c.len(), 5, "{l}");
            Line {
                row: c[0].parse().unwrap(),
                split: c[1].parse().unwrap(),
                model: c[2].parse().unwrap(),
                y_true: c[3].to_string(),
                score: c[4].parse().unwrap(),
            }
        })
        .collect();
    (report, lines)
}

/// The accepted records of `csv` (lines with as many fields as the header), by column name.
fn accepted(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c.len() == header.len())
        .map(|c| {
            header
                .iter()
                .zip(c)
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Patients with a malformed line (rejected), some records without an outcome.
fn patients_with_gaps(n: usize) -> String {
    let csv = common::patients_csv(n, 11);
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        if i > 0 && i % 9 == 0 {
            // No outcome.
            let cut = line.rfind(',').unwrap();
            out.push_str(&line[..=cut]);
        } else {
            out.push_str(line);
        }
        out.push('\n');
        if i == 20 {
            out.push_str("only,three,fields\n");
        }
    }
    out
}

fn sorted(lines: &[Line]) -> bool {
    lines
        .windows(2)
        .all(|w| (w[0].split, w[0].model, w[0].row) < (w[1].split, w[1].model, w[1].row))
}

fn folds(report: &serde_json::Value, model: usize, metric: &str) -> Vec<Option<f64>> {
    report["models"][model]["metrics"][metric]["folds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64())
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} != {b}"),
        (a, b) => assert_eq!(a, b),
    }
}

#[test]
fn class_target_rows_point_at_the_accepted_records_and_reproduce_the_metrics() {
    let csv = patients_with_gaps(200);
    let privacy = r#"[{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]},
        {"op": "suppress", "columns": ["sex"], "values": ["M"], "records": true}]"#;
    let recipe = common::recipe_json(privacy, common::FEATURES, common::BOTH_MODELS, common::CV5);
    let (report, lines) = run("class", &csv, &recipe);
    let records = accepted(&csv);
    assert_eq!(report["input"]["rows"], records.len());
    assert!(sorted(&lines));
    // The records the models saw: women (suppress removed the men) with an outcome.
    let expected: Vec<usize> = (0..records.len())
        .filter(|&r| records[r]["sex"] == "F" && !records[r]["outcome"].is_empty())
        .collect();
    assert!(expected.len() > 50 && expected.len() < records.len() - 20);
    assert_eq!(report["target"]["positive"], "1");
    for model in 0..2 {
        let mut rows: Vec<usize> = lines
            .iter()
            .filter(|l| l.model == model)
            .map(|l| l.row)
            .collect();
        rows.sort();
        assert_eq!(rows, expected, "model {model}: every record exactly once");
    }
    for l in &lines {
        assert_eq!(l.y_true, records[l.row]["outcome"], "row {}", l.row);
        assert!((0.0..=1.0).contains(&l.score));
    }
    let splits = report["evaluation"]["splits"].as_u64().unwrap() as usize;
    assert_eq!(splits, 5);
    for model in 0..2 {
        let per_split = folds(&report, model, "roc_auc");
        for (split, want) in per_split.iter().enumerate() {
            let of: Vec<&Line> = lines
                .iter()
                .filter(|l| l.model == model && l.split == split)
                .collect();
            assert_eq!(
                of.len(),
                report["evaluation"]["test_sizes"][split].as_u64().unwrap() as usize
            );
            let y: Vec<bool> = of.iter().map(|l| l.y_true == "1").collect();
            let s: Vec<f64> = of.iter().map(|l| l.score).collect();
            close(metrics::roc_auc(&y, &s), *want);
        }
        let of: Vec<&Line> = lines.iter().filter(|l| l.model == model).collect();
        let y: Vec<bool> = of.iter().map(|l| l.y_true == "1").collect();
        let s: Vec<f64> = of.iter().map(|l| l.score).collect();
        close(
            metrics::roc_auc(&y, &s),
            report["models"][model]["metrics"]["roc_auc"]["pooled"].as_f64(),
        );
    }
}

#[test]
fn repeated_kfold_gives_every_record_once_per_repeat_and_model() {
    let csv = common::patients_csv(90, 3);
    let recipe = common::recipe_json(
        common::MASK,
        common::FEATURES,
        r#"[{"kind": "logistic_regression"}]"#,
        r#"{"method": "repeated_stratified_kfold", "folds": 3, "repeats": 2}"#,
    );
    let (report, lines) = run("repeated", &csv, &recipe);
    assert_eq!(report["evaluation"]["splits"], 6);
    assert!(sorted(&lines));
    assert_eq!(lines.len(), 90 * 2);
    let mut seen = vec![0; 90];
    for l in &lines {
        assert_eq!(l.model, 0);
        assert!(l.split < 6);
        seen[l.row] += 1;
    }
    assert!(seen.iter().all(|&n| n == 2), "{seen:?}");
    // Within one repeat (3 splits), each record once.
    for repeat in 0..2 {
        let mut rows: Vec<usize> = lines
            .iter()
            .filter(|l| l.split / 3 == repeat)
            .map(|l| l.row)
            .collect();
        rows.sort();
        assert_eq!(rows, (0..90).collect::<Vec<_>>());
    }
    let per_split = folds(&report, 0, "roc_auc");
    for (split, want) in per_split.iter().enumerate() {
        let of: Vec<&Line> = lines.iter().filter(|l| l.split == split).collect();
        let y: Vec<bool> = of.iter().map(|l| l.y_true == "1").collect();
        let s: Vec<f64> = of.iter().map(|l| l.score).collect();
        close(metrics::roc_auc(&y, &s), *want);
    }
}

#[test]
fn numeric_target_writes_the_value_and_the_prediction() {
    let csv = patients_with_gaps(120);
    // glucose as the target: numeric, some NA (left out).
    let recipe = r#"{"version": 1, "seed": 5, "columns": {"name": "identifier", "mrn": "identifier", "outcome": "ignore"},
        "privacy": [{"op": "drop", "columns": ["name", "mrn"]}], "features": [{"op": "impute", "strategy": "median"}, {"op": "one_hot"}],
        "target": "glucose", "models": [{"kind": "linear_regression"}], "evaluation": {"method": "kfold", "folds": 4}}"#;
    let (report, lines) = run("regression", &csv, recipe);
    assert_eq!(report["target"]["task"], "regression");
    let records = accepted(&csv);
    let expected: Vec<usize> = (0..records.len())
        .filter(|&r| records[r]["glucose"] != "NA")
        .collect();
    let mut rows: Vec<usize> = lines.iter().map(|l| l.row).collect();
    rows.sort();
    assert_eq!(rows, expected);
    for l in &lines {
        let want: f64 = records[l.row]["glucose"].parse().unwrap();
        assert_eq!(l.y_true.parse::<f64>().unwrap(), want, "row {}", l.row);
    }
    let names = metrics::REGRESSION;
    let r2 = names.iter().position(|&n| n == "r2").unwrap();
    for (split, want) in folds(&report, 0, "r2").iter().enumerate() {
        let of: Vec<&Line> = lines.iter().filter(|l| l.split == split).collect();
        let y: Vec<f64> = of.iter().map(|l| l.y_true.parse().unwrap()).collect();
        let s: Vec<f64> = of.iter().map(|l| l.score).collect();
        let got = metrics::regression(&y, &s)[r2];
        match (got, want) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{a} != {b}"),
            (a, b) => assert_eq!(a, *b),
        }
    }
}

#[test]
fn no_models_or_a_bad_path_is_an_error_naming_it() {
    let data = temp("nomodel.csv", &common::patients_csv(30, 1));
    let recipe = temp(
        "nomodel.json",
        r#"{"version": 1, "privacy": [{"op": "drop", "columns": ["name"]}]}"#,
    );
    let pred = temp("nomodel-pred.csv", "");
    let (ok, _, err) = bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--predictions",
        &pred,
    ]);
    assert!(!ok);
    assert!(err.contains("the recipe trains no model"), "{err}");
    assert!(err.contains("--predictions"), "{err}");

    let recipe = temp(
        "badpath.json",
        &common::recipe_json(
            common::MASK,
            common::FEATURES,
            r#"[{"kind": "logistic_regression"}]"#,
            common::CV5,
        ),
    );
    let bad = std::env::temp_dir()
        .join(format!("bedside-pred-{}", std::process::id()))
        .join("no-such-dir")
        .join("pred.csv");
    let bad = bad.to_string_lossy().to_string();
    let (ok, _, err) = bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--predictions",
        &bad,
    ]);
    assert!(!ok);
    assert!(err.contains(&bad), "{err}");
}
