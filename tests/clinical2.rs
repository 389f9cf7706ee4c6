//! Issue #17, the rest of clinical evaluation: inputs recorded after the outcome by their dates
//! (`evaluation.outcome_date`), with hand-counted rows; the recipe field's checks and round trip;
//! the out-of-fold predictions the CLI writes (the page gets the same text from the same core
//! function, tests/wasm/predictions.test.mjs).

use crate::common;
use bedside::table::quality::QualityFlag;
use common::run;

/// 200 records: `x1` mildly informative, `lab_date` five days before `outcome_date` except every
/// tenth record (three days after), missing for every 25th, and `y`.
fn dated_csv() -> String {
    let mut csv = String::from("x1,lab_date,outcome_date,y\n");
    for i in 0..200 {
        let y = usize::from(i % 3 == 0);
        let day = 10 + i % 15;
        let lab = if i % 25 == 0 {
            String::new()
        } else if i % 10 == 0 {
            format!("2024-05-{:02}", day + 3)
        } else {
            format!("2024-05-{:02}", day - 5)
        };
        csv.push_str(&format!(
            "{},{lab},2024-05-{day:02},{y}\n",
            (i * 7) % 13 + 2 * y
        ));
    }
    csv
}

fn recipe(date_input: &str, evaluation_extra: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": 5, "target": "y", "columns": {{}}, "privacy": [],
        "features": [{{"op": "date_parts", "columns": ["{date_input}"], "parts": ["weekday"]}}, {{"op": "impute", "strategy": "median"}}],
        "models": [{{"kind": "decision_tree", "max_depth": 3}}],
        "evaluation": {{"method": "stratified_kfold", "folds": 3{evaluation_extra}}}}}"#
    )
}

fn flags<'a>(r: &'a bedside::report::Report, code: &str) -> Vec<&'a QualityFlag> {
    r.leakage.iter().filter(|f| f.code == code).collect()
}

#[test]
fn an_input_dated_after_the_outcome_warns_with_hand_counted_rows_and_a_drop_fix() {
    let csv = dated_csv();
    // By hand: 8 records (i % 25 == 0) have no lab date, so 192 are compared; the records with
    // i % 10 == 0 but not i % 50 == 0 (20 − 4 = 16) have it after the outcome.
    let out = run(
        &csv,
        &recipe("lab_date", r#", "outcome_date": "outcome_date""#),
    )
    .unwrap();
    let r = &out.report;
    let f = flags(r, "after_outcome_date");
    assert_eq!(f.len(), 1, "{:?}", r.leakage);
    assert_eq!(f[0].params["column"], "lab_date");
    assert_eq!(f[0].params["outcome"], "outcome_date");
    assert_eq!(f[0].params["rows"], 16);
    assert_eq!(f[0].params["compared"], 192);
    let fix = f[0].fix.as_ref().expect("a fix");
    assert_eq!(fix["section"], "columns");
    assert_eq!(fix["step"]["column"], "lab_date");
    assert_eq!(fix["step"]["role"], "ignore");
    // In plain words among the run's warnings, coded for the page.
    assert!(r.warnings.contains(&f[0].message), "{:?}", r.warnings);
    assert!(f[0].message.contains("16 of the 192"));
    assert_eq!(
        f[0].coded.as_ref().map(|m| m.code.to_string()),
        Some("leak.after_outcome_date".to_string())
    );

    // Without the outcome's date, nothing is said about dates (the name check has no word here).
    let plain = run(&csv, &recipe("lab_date", "")).unwrap().report;
    assert!(flags(&plain, "after_outcome_date").is_empty());

    // The fix applied (the input dropped, and with it the date step that named it): no warning.
    let fixed = r#"{"version": 1, "seed": 5, "target": "y", "columns": {"lab_date": "ignore"}, "privacy": [],
        "features": [], "models": [{"kind": "decision_tree", "max_depth": 3}],
        "evaluation": {"method": "stratified_kfold", "folds": 3, "outcome_date": "outcome_date"}}"#;
    let r = run(&csv, fixed).unwrap().report;
    assert!(r.leakage.is_empty(), "{:?}", r.leakage);
}

#[test]
fn inputs_dated_before_the_outcome_do_not_warn_and_the_outcome_date_as_input_does() {
    // Every lab date five days before the outcome: nothing after it.
    let csv: String = dated_csv()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return format!("{l}\n");
            }
            let c: Vec<&str> = l.split(',').collect();
            let day: u32 = c[2][8..].parse().unwrap();
            format!("{},2024-05-{:02},{},{}\n", c[0], day - 5, c[2], c[3])
        })
        .collect();
    let r = run(
        &csv,
        &recipe("lab_date", r#", "outcome_date": "outcome_date""#),
    )
    .unwrap()
    .report;
    assert!(
        flags(&r, "after_outcome_date").is_empty(),
        "{:?}",
        r.leakage
    );
    // The outcome's own date made an input (through a date step): said, with the drop fix.
    let r = run(
        &csv,
        &recipe("outcome_date", r#", "outcome_date": "outcome_date""#),
    )
    .unwrap()
    .report;
    let f = flags(&r, "outcome_date_input");
    assert_eq!(f.len(), 1, "{:?}", r.leakage);
    assert_eq!(f[0].params["column"], "outcome_date");
    assert_eq!(f[0].fix.as_ref().unwrap()["step"]["role"], "ignore");
}

#[test]
fn outcome_date_must_name_a_date_column_and_survives_a_round_trip() {
    let csv = dated_csv();
    for (column, words) in [("x1", "numeric"), ("nope", "no such column")] {
        let e = run(
            &csv,
            &recipe("lab_date", &format!(r#", "outcome_date": "{column}""#)),
        )
        .err()
        .expect("refused")
        .to_string();
        assert!(
            e.contains("outcome_date") && e.contains(words),
            "{column}: {e}"
        );
    }
    let e = bedside::recipe::Recipe::from_json(&recipe("lab_date", r#", "outcome_date": 3"#))
        .unwrap_err()
        .to_string();
    assert!(e.contains("outcome_date"), "{e}");
    let r = bedside::recipe::Recipe::from_json(&recipe(
        "lab_date",
        r#", "outcome_date": "outcome_date""#,
    ))
    .unwrap();
    assert_eq!(r.evaluation.outcome_date.as_deref(), Some("outcome_date"));
    let again = bedside::recipe::Recipe::from_json(&r.to_json()).unwrap();
    assert_eq!(again, r);
    assert!(
        r.to_json().contains(r#""outcome_date":"outcome_date""#)
            || r.to_json().contains(r#""outcome_date": "outcome_date""#)
    );
}

#[test]
fn the_predictions_text_has_one_line_per_test_record_and_model_and_no_identifier() {
    // The text the CLI writes and the page downloads (OutOfFold::to_csv), on masked data.
    let csv = common::patients_csv(120, 4);
    let recipe = common::recipe_json(
        common::MASK,
        common::FEATURES,
        common::BOTH_MODELS,
        common::CV5,
    );
    let out = run(&csv, &recipe).unwrap();
    let oof = out.predictions.as_ref().unwrap();
    let (bytes, formulas) = oof.to_csv();
    assert_eq!(formulas, 0);
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("row,split,model,y_true,score"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let modelled: usize = out.report.target.as_ref().unwrap().counts.iter().sum();
    assert_eq!(rows.len(), modelled * 2);
    for r in &rows {
        assert_eq!(r.len(), 5);
    }
    // No name or record number of the input in it.
    let input = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    for name in ["name", "mrn"] {
        let c = input.parsed.table.column(name).unwrap();
        for i in 0..input.parsed.table.rows() {
            if let Some(v) = c.values.text(i) {
                assert!(
                    !text.split([',', '\n']).any(|cell| cell == v),
                    "{name} value in predictions"
                );
            }
        }
    }
}
