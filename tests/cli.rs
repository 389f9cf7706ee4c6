//! The command-line face: JSON on stdout, one clear paragraph on stderr and a non-zero exit on failure.

use crate::common;
use common::{bedside, temp};

#[test]
fn profile_prints_the_contract_shape() {
    let data = temp("p.csv", "mrn,age,y\n001,30,0\n002,41,1\n003\n");
    let (ok, out, _) = bedside(&["profile", "--data", &data]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["input"]["rows"], 2);
    assert_eq!(v["input"]["columns"], 3);
    assert_eq!(v["input"]["rejected_rows"][0]["line"], 4);
    assert_eq!(v["columns"][0]["name"], "mrn");
    assert_eq!(v["columns"][0]["type"], "identifier");
    assert_eq!(v["columns"][1]["type"], "numeric");
    assert!(v["columns"][1]["missing"].is_number() && v["columns"][1]["distinct"].is_number());
}

#[test]
fn run_prints_the_report_and_writes_the_masked_csv() {
    let csv = common::patients_csv(120, 8);
    let data = temp("r.csv", &csv);
    let recipe = temp(
        "r.json",
        &common::recipe_json(
            common::MASK,
            common::FEATURES,
            common::BOTH_MODELS,
            common::CV5,
        ),
    );
    let masked = temp("masked.csv", "");
    let (ok, out, err) = bedside(&[
        "run", "--data", &data, "--recipe", &recipe, "--out", &masked,
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["input"]["rows"], 120);
    assert_eq!(v["models"][0]["kind"], "logistic_regression");
    assert_eq!(
        v["models"][1]["metrics"]["roc_auc"]["folds"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert!(v["privacy"]["risk"]["prosecutor_max"].is_number());
    let written = std::fs::read_to_string(&masked).unwrap();
    assert!(written.starts_with("mrn,age,sex,zip,glucose,smoker,outcome\n"));
    assert_eq!(written.lines().count(), 121);
}

#[test]
fn failures_exit_non_zero_with_the_file_step_and_field() {
    let data = temp("f.csv", &common::patients_csv(30, 1));
    let recipe = temp(
        "bad.json",
        r#"{"version": 1, "privacy": [{"op": "drop", "columns": ["nope"]}]}"#,
    );
    let (ok, out, err) = bedside(&["run", "--data", &data, "--recipe", &recipe]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(
        err.contains("bad.json: recipe privacy[0] (drop), field 'columns': no such column 'nope'"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one paragraph");

    let (ok, _, err) = bedside(&["profile", "--data", "/nonexistent/x.csv"]);
    assert!(
        !ok && err.contains("/nonexistent/x.csv: cannot read the file"),
        "{err}"
    );

    let bad = temp("bad.csv", "");
    std::fs::write(&bad, b"a,\xFF\n1,2\n").unwrap();
    let (ok, _, err) = bedside(&["profile", "--data", &bad, "--encoding", "utf-8"]);
    assert!(
        !ok && err.contains("bad.csv, line 1, field '#2': header name is not valid UTF-8"),
        "{err}"
    );

    let (ok, _, err) = bedside(&["run", "--data", &data]);
    assert!(!ok && err.contains("needs --recipe"), "{err}");
    let (ok, _, err) = bedside(&["frobnicate"]);
    assert!(!ok && err.contains("unknown command"), "{err}");
}

#[test]
fn suggest_gives_a_recipe_that_runs() {
    let data = temp("s.csv", &common::patients_csv(100, 2));
    let (ok, out, err) = bedside(&["suggest", "--data", &data, "--target", "outcome"]);
    assert!(ok, "{err}");
    let recipe = temp("s.json", &out);
    let (ok, out, err) = bedside(&["run", "--data", &data, "--recipe", &recipe]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["recipe"]["privacy"][0]["op"], "drop");
    assert_eq!(v["models"].as_array().unwrap().len(), 2);
}

#[test]
fn run_exports_models_and_apply_scores_new_records() {
    let data = temp("train.csv", &common::patients_csv(120, 21));
    let recipe = temp(
        "bundle.json",
        &common::recipe_json(
            common::MASK,
            common::FEATURES,
            common::BOTH_MODELS,
            common::CV5,
        ),
    );
    let dir = std::env::temp_dir().join(format!("bedside-cli-models-{}", std::process::id()));
    let dir_s = dir.to_string_lossy().to_string();
    let (ok, _, err) = bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--export-model",
        &dir_s,
    ]);
    assert!(ok, "{err}");
    let model = dir.join("model-1-decision_tree.json");
    assert!(dir.join("model-0-logistic_regression.json").exists() && model.exists());
    let model = model.to_string_lossy().to_string();

    let new = temp(
        "new.csv",
        "name,mrn,age,sex,zip,glucose,smoker\nA B,00000001,44,F,01003,120,no\nC D,00000002,71,M,01004,oops,yes\nE F,00000003,60,M,01001,90,yes\n",
    );
    let out = temp("pred.csv", "");
    let (ok, stdout, err) = bedside(&["apply", "--model", &model, "--input", &new, "--out", &out]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["scored"], 2);
    assert_eq!(v["not_scored"][0]["line"], 3);
    assert_eq!(v["not_scored"][0]["field"], "glucose");
    let pred = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = pred.lines().collect();
    assert_eq!(lines[0], "row,line,probability,predicted_class,not_scored");
    assert_eq!(lines.len(), 4);
    let p: f64 = lines[1].split(',').nth(2).unwrap().parse().unwrap();
    assert!((0.0..=1.0).contains(&p));
    assert!(!pred.contains("00000001"));

    // Errors name the file and the column or field.
    let few = temp("few.csv", "age,sex\n40,F\n");
    let (ok, _, err) = bedside(&["apply", "--model", &model, "--input", &few, "--out", &out]);
    assert!(
        !ok && err.contains("few.csv") && err.contains("no column 'zip'"),
        "{err}"
    );
    let bad = temp("bad-model.json", r#"{"format": "something-else"}"#);
    let (ok, _, err) = bedside(&["apply", "--model", &bad, "--input", &new, "--out", &out]);
    assert!(
        !ok && err.contains("bad-model.json") && err.contains("format 'something-else'"),
        "{err}"
    );
}
