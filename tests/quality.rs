//! Data quality flags of the profile and the leakage checks of a run, on generated tables:
//! each flag fires on the fault it names and stays silent on clean data.

use crate::common;

use bedside::privacy::profile::{ColumnProfile, Profile};
use bedside::table::quality::QualityFlag;
use bedside::table::ColumnType;
use common::messy::{duplicated_csv, messy_ehr_csv};
use common::{patients_csv, run};

fn profile(csv: &str) -> Profile {
    bedside::load(csv.as_bytes(), "t.csv").unwrap().profile()
}

fn col<'a>(p: &'a Profile, name: &str) -> &'a ColumnProfile {
    p.columns.iter().find(|c| c.name == name).unwrap()
}

fn flags<'a>(p: &'a Profile, name: &str, code: &str) -> Vec<&'a QualityFlag> {
    col(p, name)
        .quality
        .iter()
        .filter(|f| f.code == code)
        .collect()
}

fn codes(p: &Profile, name: &str) -> Vec<String> {
    col(p, name)
        .quality
        .iter()
        .map(|f| f.code.clone())
        .collect()
}

#[test]
fn zip_with_zip4_is_read_as_text_keeping_every_value() {
    let p = profile(&messy_ehr_csv(1000, 1));
    let zip = col(&p, "zip");
    assert_eq!(zip.ctype, ColumnType::Categorical);
    assert_eq!(zip.mean, None, "no ZIP mean");
    assert_eq!(zip.missing, 0, "no ZIP+4 blanked");
    let f = flags(&p, "zip", "read_as_text");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].params["reason"], "dashes");
    assert!(f[0].params["count"].as_u64().unwrap() > 10);
    // Real quantities stay numbers and are not flagged.
    assert_eq!(col(&p, "glucose").ctype, ColumnType::Numeric);
    assert!(
        codes(&p, "glucose").is_empty(),
        "{:?}",
        codes(&p, "glucose")
    );
}

#[test]
fn a_zip_header_alone_makes_plain_five_digit_zips_text_and_dates_stay_dates() {
    let mut csv = String::from("zipcode,visit,ref,glucose\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{},2024-01-{:02},555-{:03}-{:04},{}\n",
            85700 + i,
            1 + i % 28,
            100 + i,
            1000 + i,
            80 + i
        ));
    }
    let p = profile(&csv);
    assert_ne!(col(&p, "zipcode").ctype, ColumnType::Numeric);
    assert_eq!(col(&p, "zipcode").mean, None);
    assert_eq!(
        flags(&p, "zipcode", "read_as_text")[0].params["reason"],
        "header"
    );
    assert_eq!(col(&p, "visit").ctype, ColumnType::Date);
    assert_ne!(col(&p, "ref").ctype, ColumnType::Numeric);
    assert_eq!(
        flags(&p, "ref", "read_as_text")[0].params["reason"],
        "dashes"
    );
    assert_eq!(col(&p, "glucose").ctype, ColumnType::Numeric);
}

#[test]
fn short_ranges_and_plain_numbers_are_not_codes() {
    let mut csv = String::from("score,dose\n");
    for i in 0..30 {
        let score = if i == 3 {
            "10-20".to_string()
        } else {
            format!("{}", 10 + i)
        };
        csv.push_str(&format!("{score},{}\n", 5 + i));
    }
    let p = profile(&csv);
    assert_eq!(col(&p, "score").ctype, ColumnType::Numeric);
    assert!(codes(&p, "dose").is_empty());
    // The one non-number is counted and explained.
    let c = flags(&p, "score", "coerced");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].params["count"], 1);
}

#[test]
fn sex_spellings_are_flagged_with_a_recode_fix_and_two_spellings_are_not() {
    let p = profile(&messy_ehr_csv(1000, 2));
    let f = flags(&p, "sex", "spellings");
    assert_eq!(f.len(), 1);
    let map = f[0].params["map"].as_object().unwrap();
    // 8 spellings become 2: six are mapped.
    assert_eq!(map.len(), 6, "{map:?}");
    let to: std::collections::BTreeSet<&str> = map.values().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(to.len(), 2);
    assert!(map.contains_key("f") && map.contains_key("male") || map.contains_key("M"));
    let fix = f[0].fix.as_ref().unwrap();
    assert_eq!(fix["section"], "features");
    assert_eq!(fix["step"]["op"], "recode");
    assert_eq!(fix["step"]["column"], "sex");

    let clean = profile(&patients_csv(200, 3));
    assert!(flags(&clean, "sex", "spellings").is_empty());
}

#[test]
fn the_recode_fix_runs_as_a_feature_step_and_merges_the_spellings() {
    let csv = messy_ehr_csv(400, 4);
    let p = profile(&csv);
    let step = &flags(&p, "sex", "spellings")[0].fix.as_ref().unwrap()["step"];
    let recipe = format!(
        r#"{{"version": 1, "seed": 1, "target": "outcome", "columns": {{"patient_id": "identifier", "zip": "ignore"}},
        "privacy": [{{"op": "drop", "columns": ["patient_id"]}}],
        "features": [{step}, {{"op": "missing_indicator", "columns": ["npreg"]}}, {{"op": "impute", "strategy": "median"}}, {{"op": "one_hot"}}],
        "models": [{{"kind": "logistic_regression"}}], "evaluation": {{"method": "stratified_kfold", "folds": 3}}}}"#
    );
    let out = run(&csv, &recipe).unwrap();
    let recode = out
        .report
        .audit
        .iter()
        .find(|a| a.op == "recode")
        .expect("recode audited");
    assert!(recode.cells_affected > 0);
}

#[test]
fn npreg_missing_for_every_male_is_structural_and_random_gaps_are_not() {
    let p = profile(&messy_ehr_csv(1000, 5));
    let f = flags(&p, "npreg", "structural_missing");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].params["when_column"], "sex");
    let v = f[0].params["when_value"].as_str().unwrap().to_lowercase();
    assert!(v.starts_with('m'), "{v}");
    assert_eq!(
        f[0].fix.as_ref().unwrap()["step"]["op"],
        "missing_indicator"
    );
    // glucose in patients_csv is missing at random (5%): not structural.
    let clean = profile(&patients_csv(400, 6));
    assert!(flags(&clean, "glucose", "structural_missing").is_empty());
}

#[test]
fn the_suggested_recipe_keeps_structural_missingness_with_an_indicator() {
    let csv = messy_ehr_csv(600, 7);
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let s = bedside::suggest::suggest_explained(&loaded.parsed.table, Some("outcome"));
    let json = serde_json::to_value(&s.recipe).unwrap();
    let features = json["features"].as_array().unwrap();
    let first = &features[0];
    assert_eq!(first["op"], "missing_indicator", "{features:?}");
    assert_eq!(first["columns"], serde_json::json!(["npreg"]));
    assert_eq!(features[1]["op"], "impute");
    assert!(s.notes.iter().any(|n| n.contains("npreg")));
}

#[test]
fn impossible_ages_and_bmi_are_flagged_not_changed() {
    let p = profile(&messy_ehr_csv(1000, 8));
    let age = flags(&p, "age", "impossible");
    assert_eq!(age[0].params["count"], 4);
    let bmi = flags(&p, "bmi", "impossible");
    assert_eq!(bmi[0].params["count"], 2);
    assert!(col(&p, "age").min.as_ref().unwrap().as_f64().unwrap() < 0.0);
    let clean = profile(&patients_csv(300, 9));
    assert!(flags(&clean, "age", "impossible").is_empty());
}

#[test]
fn weights_in_pounds_and_kilograms_and_heights_in_metres_and_cm_are_flagged() {
    let p = profile(&messy_ehr_csv(1000, 10));
    let w = flags(&p, "weight", "unit_mix");
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].params["kind"], "weight_lb_kg");
    let mut csv = String::from("height,weight\n");
    for i in 0..100 {
        let h = if i % 10 == 0 {
            format!("{:.2}", 1.6 + (i % 7) as f64 / 100.0)
        } else {
            format!("{}", 160 + i % 30)
        };
        csv.push_str(&format!("{h},{}\n", 60 + i % 35));
    }
    let p = profile(&csv);
    assert_eq!(
        flags(&p, "height", "unit_mix")[0].params["kind"],
        "height_m_cm"
    );
    assert!(flags(&p, "weight", "unit_mix").is_empty(), "kg only");
}

#[test]
fn duplicates_repeated_patients_and_constant_columns_are_flagged_on_the_table() {
    let p = profile(&messy_ehr_csv(1000, 11));
    let codes: Vec<&str> = p.quality.table.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"repeated_patients"), "{codes:?}");
    let rp = p
        .quality
        .table
        .iter()
        .find(|f| f.code == "repeated_patients")
        .unwrap();
    assert_eq!(rp.params["column"], "patient_id");
    assert_eq!(rp.fix.as_ref().unwrap()["step"]["method"], "group_kfold");
    assert!(!flags(&p, "sex", "constant_within_patient").is_empty());
    assert!(flags(&p, "glucose", "constant_within_patient").is_empty());
    assert_eq!(
        p.quality.column_flags,
        p.columns.iter().map(|c| c.quality.len()).sum::<usize>()
    );

    let d = profile(&duplicated_csv(100, 5, 12));
    let dup = d
        .quality
        .table
        .iter()
        .find(|f| f.code == "duplicates")
        .unwrap();
    assert_eq!(dup.params["exact"], 0, "record numbers differ");
    assert_eq!(dup.params["near"], 400);
    assert_eq!(dup.fix.as_ref().unwrap()["step"]["op"], "deduplicate");
    // Clean continuous data has no duplicates; three yes/no columns repeat by necessity.
    assert!(profile(&patients_csv(300, 13))
        .quality
        .table
        .iter()
        .all(|f| f.code != "duplicates"));
    let mut small = String::from("a,b,c\n");
    for i in 0..200 {
        small.push_str(&format!("{},{},{}\n", i % 2, i / 2 % 2, i / 4 % 2));
    }
    assert!(profile(&small).quality.table.is_empty());
}

const FOREST: &str = r#"[{"kind": "random_forest", "trees": 20}]"#;

fn leak_run(csv: &str, privacy: &str, evaluation: &str) -> bedside::report::Report {
    let header = csv.lines().next().unwrap();
    let roles: Vec<String> = [
        ("record_no", "identifier"),
        ("patient_id", "identifier"),
        ("name", "identifier"),
        ("mrn", "identifier"),
        ("zip", "ignore"),
        ("sex", "ignore"),
    ]
    .iter()
    .filter(|(c, _)| header.split(',').any(|h| h == *c))
    .map(|(c, r)| format!("\"{c}\": \"{r}\""))
    .collect();
    let roles = roles.join(", ");
    let recipe = format!(
        r#"{{"version": 1, "seed": 3, "target": "outcome", "columns": {{{roles}}},
        "privacy": {privacy}, "features": [{{"op": "impute", "strategy": "median"}}, {{"op": "one_hot"}}], "models": {FOREST}, "evaluation": {evaluation}}}"#
    );
    run(csv, &recipe).unwrap().report
}

fn leak_codes(r: &bedside::report::Report) -> Vec<String> {
    r.leakage.iter().map(|f| f.code.clone()).collect()
}

#[test]
fn duplicated_records_warn_before_the_optimistic_score_and_deduplicate_fixes_it() {
    let csv = duplicated_csv(532, 9, 14);
    let cv = r#"{"method": "stratified_kfold", "folds": 5}"#;
    let drop = r#"{"op": "drop", "columns": ["record_no"]}"#;
    let r = leak_run(&csv, &format!("[{drop}]"), cv);
    let f = r
        .leakage
        .iter()
        .find(|f| f.code == "duplicates")
        .expect("duplicates warned");
    assert_eq!(f.params["rows"], 532 * 9);
    assert_eq!(f.params["distinct"], 532);
    assert!(r.warnings.contains(&f.message));
    let fix = &f.fix.as_ref().unwrap()["step"];
    assert_eq!(fix["op"], "deduplicate");
    // The fix: deduplicate over the inputs and the target, as proposed.
    assert!(fix["columns"]
        .as_array()
        .unwrap()
        .contains(&"outcome".into()));
    let step = fix.clone();
    let fixed = leak_run(&csv, &format!("[{step}, {drop}]"), cv);
    assert!(!leak_codes(&fixed).contains(&"duplicates".to_string()));
    let audit = fixed.audit.iter().find(|a| a.op == "deduplicate").unwrap();
    assert_eq!(audit.rows_affected, 532 * 8);
    // The optimism the warning is about: the copies' score is far above the distinct rows'.
    let auc = |r: &bedside::report::Report| r.models[0].metrics["roc_auc"].mean.unwrap();
    eprintln!(
        "forest ROC-AUC with copies {:.3}, deduplicated {:.3}",
        auc(&r),
        auc(&fixed)
    );
    assert!(auc(&r) > auc(&fixed) + 0.05);
}

#[test]
fn repeated_patients_warn_without_group_kfold_and_not_with_it() {
    let csv = messy_ehr_csv(600, 15);
    let drop = r#"[{"op": "pseudonymize", "columns": ["patient_id"]}]"#;
    let r = leak_run(&csv, drop, r#"{"method": "stratified_kfold", "folds": 5}"#);
    let f = r
        .leakage
        .iter()
        .find(|f| f.code == "repeated_patients")
        .expect("warned");
    assert_eq!(f.params["column"], "patient_id");
    let grouped = leak_run(
        &csv,
        drop,
        r#"{"method": "group_kfold", "folds": 5, "group": "patient_id"}"#,
    );
    assert!(!leak_codes(&grouped).contains(&"repeated_patients".to_string()));
    // Dropping the patient column does not hide the repeats (checked on the input file), but
    // then no group_kfold fix can be offered.
    let dropped = leak_run(
        &csv,
        r#"[{"op": "drop", "columns": ["patient_id"]}]"#,
        r#"{"method": "stratified_kfold", "folds": 5}"#,
    );
    let f = dropped
        .leakage
        .iter()
        .find(|f| f.code == "repeated_patients")
        .unwrap();
    assert!(f.fix.is_none());
}

#[test]
fn a_near_perfect_input_and_an_after_outcome_input_warn_and_honest_inputs_do_not() {
    let base = patients_csv(300, 16);
    let mut lines = base.lines();
    let header = lines.next().unwrap();
    let mut csv = format!("{header},lab_after,discharge_status\n");
    for (i, l) in lines.enumerate() {
        let y: u8 = l.rsplit(',').next().unwrap().parse().unwrap();
        csv.push_str(&format!(
            "{l},{:.2},{}\n",
            y as f64 * 10.0 + (i % 7) as f64 / 10.0,
            if i % 3 == 0 { "home" } else { "ward" }
        ));
    }
    let r = leak_run(
        &csv,
        r#"[{"op": "drop", "columns": ["name", "mrn"]}]"#,
        r#"{"method": "stratified_kfold", "folds": 5}"#,
    );
    let near: Vec<&QualityFlag> = r
        .leakage
        .iter()
        .filter(|f| f.code == "near_perfect_input")
        .collect();
    assert_eq!(near.len(), 1, "{:?}", r.leakage);
    assert_eq!(near[0].params["column"], "lab_after");
    assert_eq!(near[0].fix.as_ref().unwrap()["step"]["role"], "ignore");
    let after: Vec<&QualityFlag> = r
        .leakage
        .iter()
        .filter(|f| f.code == "after_outcome")
        .collect();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].params["column"], "discharge_status");

    let honest = leak_run(
        &base,
        r#"[{"op": "drop", "columns": ["name", "mrn"]}]"#,
        r#"{"method": "stratified_kfold", "folds": 5}"#,
    );
    assert!(honest.leakage.is_empty(), "{:?}", honest.leakage);
}

#[test]
fn folded_auc_matches_hand_counts() {
    use bedside::eval::leakage::folded_auc;
    // Positives 3 and 4 above negatives 1 and 2: perfect.
    assert_eq!(
        folded_auc(&[1.0, 2.0, 3.0, 4.0], &[false, false, true, true]),
        Some(1.0)
    );
    // Reversed order folds to 1 as well.
    assert_eq!(
        folded_auc(&[4.0, 3.0, 2.0, 1.0], &[false, false, true, true]),
        Some(1.0)
    );
    // One tie across the classes counts half: pairs (p,n) = 4, wins 3.5 → 0.875.
    assert_eq!(
        folded_auc(&[1.0, 2.0, 2.0, 3.0], &[false, false, true, true]),
        Some(0.875)
    );
    assert_eq!(folded_auc(&[1.0, 2.0], &[true, true]), None);
}
