//! k-map against a population table (`risk.population_table`, `--population-table`): the
//! figures against hand-worked examples, the cautious fall-back to the data's count, columns
//! summed out or not covered, and errors naming the table's file, line and field.

use crate::common;

use bedside::privacy::kmap::{parse, PopulationTableSpec};
use serde_json::{json, Value};

/// Five records over sex and an age band (already banded: no privacy step needed).
const DATA: &str = "sex,band,y\nF,40-49,0\nF,40-49,1\nM,40-49,0\nM,50-59,1\nF,50-59,0\n";

fn recipe(privacy: Value, table: &str) -> String {
    json!({
        "version": 1,
        "columns": {"sex": "quasi", "band": "quasi"},
        "privacy": privacy,
        "risk": {"population_table": {"name": "census.csv", "source": "synthetic counts", "csv": table}},
    })
    .to_string()
}

/// `privacy.risk` of a run (the Report's JSON).
fn risk_of(data: &str, recipe: &str) -> (Value, Vec<String>) {
    let out = common::run(data, recipe).unwrap();
    let report = serde_json::to_value(&out.report).unwrap();
    (
        report["privacy"]["risk"].clone(),
        out.report.warnings.clone(),
    )
}

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("not a number: {a}"));
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn k_map_by_hand_with_missing_and_undercounted_combinations() {
    // F,40-49 (2 records): 10 people → 1/10 each. M,40-49: 3 → 1/3. M,50-59: the table says 0
    // but the data has 1 → 1 (undercounted). F,50-59: not listed → the data's 1 (missing).
    let table = "sex,band,count\nF,40-49,10\nM,40-49,3\nM,50-59,0\n";
    let (r, warnings) = risk_of(DATA, &recipe(json!([]), table));
    assert_eq!(r["k_map"], 1);
    close(&r["k_map_max"], 1.0);
    close(&r["k_map_avg"], (0.1 + 0.1 + 1.0 / 3.0 + 1.0 + 1.0) / 5.0);
    // Above 0.2: M,40-49 (1/3), M,50-59 and F,50-59.
    assert_eq!(r["k_map_records_at_risk"], 3);
    close(&r["k_map_records_at_risk_pct"], 60.0);
    let t = &r["population_table"];
    assert_eq!(t["name"], "census.csv");
    assert_eq!(t["source"], "synthetic counts");
    assert_eq!(t["columns"], json!(["sex", "band"]));
    assert_eq!(t["uncovered"], json!([]));
    assert_eq!(t["combinations"], 3);
    assert_eq!(t["missing_records"], 1);
    assert_eq!(t["below_sample_records"], 1);
    // The prosecutor figures are the file's own: every class has 1 or 2 records, all above 0.2.
    assert_eq!(r["records_at_risk"], 5);
    assert!(warnings
        .iter()
        .any(|w| w.contains("census.csv") && w.contains("3 record(s) (60.0%)")));
    assert!(warnings
        .iter()
        .any(|w| w.contains("1 record(s) have a combination the table does not list")));
}

#[test]
fn k_map_of_a_population_that_covers_every_record() {
    let table = "band,sex,count\n40-49,F,10\n40-49,M,5\n50-59,M,7\n50-59,F,6\n";
    let (r, warnings) = risk_of(DATA, &recipe(json!([]), table));
    assert_eq!(r["k_map"], 5);
    close(&r["k_map_max"], 0.2);
    close(
        &r["k_map_avg"],
        (0.1 + 0.1 + 0.2 + 1.0 / 7.0 + 1.0 / 6.0) / 5.0,
    );
    // 1/5 is not above the threshold 0.2.
    assert_eq!(r["k_map_records_at_risk"], 0);
    assert_eq!(r["population_table"]["missing_records"], 0);
    assert!(!warnings.iter().any(|w| w.contains("census.csv")));
    // A stricter threshold, 0.15: 1/5 (M,40-49) and 1/6 (F,50-59) are above it, 1/7 and 1/10 not.
    let mut strict: Value = serde_json::from_str(&recipe(json!([]), table)).unwrap();
    strict["risk"]["threshold"] = json!(0.15);
    let (r, _) = risk_of(DATA, &strict.to_string());
    assert_eq!(r["k_map_records_at_risk"], 2);
}

#[test]
fn a_column_the_steps_drop_is_summed_out_and_an_uncovered_one_is_stated() {
    // band dropped by the recipe: the table's counts are summed over it (F 14, M 5).
    let table = "sex,band,count\nF,40-49,10\nF,50-59,4\nM,40-49,3\nM,50-59,2\n";
    let (r, _) = risk_of(
        DATA,
        &recipe(json!([{"op": "drop", "columns": ["band"]}]), table),
    );
    assert_eq!(r["k_map"], 5);
    close(&r["k_map_avg"], (3.0 / 14.0 + 2.0 / 5.0) / 5.0);
    assert_eq!(r["population_table"]["summed_out"], json!(["band"]));
    assert_eq!(r["population_table"]["columns"], json!(["sex"]));
    // A table over sex only: band is not covered, and said so.
    let (r, warnings) = risk_of(DATA, &recipe(json!([]), "sex,count\nF,100\nM,50\n"));
    assert_eq!(r["k_map"], 50);
    assert_eq!(r["population_table"]["uncovered"], json!(["band"]));
    assert!(warnings
        .iter()
        .any(|w| w.contains("does not cover the quasi-identifier(s) band")));
}

#[test]
fn cells_match_after_the_recipe_steps_and_numbers_match_as_numbers() {
    // Ages generalized to 10-year bands; the table lists the bands as they read after the step.
    let data = "age,sex\n41,F\n45,F\n47,M\n52,M\n";
    let r = json!({
        "version": 1,
        "columns": {"age": "quasi", "sex": "quasi"},
        "privacy": [{"op": "generalize", "column": "age", "width": 10}],
        "risk": {"population_table": {"name": "bands.csv", "csv": "age,sex,count\n40-49,F,20\n40-49,M,9\n50-59,M,30\n"}},
    });
    let (risk, _) = risk_of(data, &r.to_string());
    assert_eq!(risk["k_map"], 9);
    assert_eq!(risk["population_table"]["missing_records"], 0);
    // A numeric column: 45.0 and " 52 " in the table are 45 and 52 in the data.
    let r = json!({
        "version": 1,
        "columns": {"age": "quasi"},
        "risk": {"population_table": {"name": "ages.csv", "csv": "age,count\n45.0,8\n 52 ,9\n41,12\n47,30\n"}},
    });
    let (risk, _) = risk_of(data, &r.to_string());
    assert_eq!(risk["k_map"], 8);
    assert_eq!(risk["population_table"]["missing_records"], 0);
}

#[test]
fn no_table_no_k_map() {
    let r = json!({"version": 1, "columns": {"sex": "quasi", "band": "quasi"}});
    let (risk, _) = risk_of(DATA, &r.to_string());
    assert!(risk.get("k_map").is_none() && risk.get("population_table").is_none());
}

fn table_error(csv: &str) -> String {
    let spec = PopulationTableSpec {
        name: "census.csv".into(),
        source: None,
        csv: csv.into(),
    };
    parse(&spec, &["sex".to_string(), "band".to_string()])
        .unwrap_err()
        .to_string()
}

#[test]
fn errors_name_the_file_line_and_field() {
    assert_eq!(
        table_error("sex,zip,count\nF,021,3\n"),
        "census.csv, line 1, field 'zip': unknown column: not a quasi-identifier of the recipe (quasi-identifiers: sex, band)"
    );
    assert_eq!(
        table_error("sex,count\nF,3\nM,-2\n"),
        "census.csv, line 3, field 'count': must be a whole number ≥ 0, got '-2'"
    );
    assert_eq!(
        table_error("sex,count\nF,2.5\n"),
        "census.csv, line 2, field 'count': must be a whole number ≥ 0, got '2.5'"
    );
    assert_eq!(
        table_error("sex,band,count\nF,40-49,3\nM,40-49,4\n\nF, 40-49 ,5\n"),
        "census.csv, line 5: this combination is already listed on line 2"
    );
    assert_eq!(
        table_error("sex,band\nF,40-49\n"),
        "census.csv, line 1: no 'count' column (the population count of each combination)"
    );
    assert_eq!(
        table_error("sex,count\nF,3,4\n"),
        "census.csv, line 2: 3 cell(s), the header has 2"
    );
    assert_eq!(
        table_error("sex,count\n\"F,3\n"),
        "census.csv, line 2: a quoted cell is not closed on its line"
    );
    // Quoted cells with commas are one cell.
    let spec = PopulationTableSpec {
        name: "q.csv".into(),
        source: None,
        csv: "band,count\r\n\"40-49, urban\",3\r\n".into(),
    };
    let t = parse(&spec, &["band".to_string()]).unwrap();
    assert_eq!(t.counts[&vec![Some("40-49, urban".to_string())]], 3);
    // In a recipe, the error names the risk section as well.
    let e = common::run(DATA, &recipe(json!([]), "sex,band,count\nF,40-49,ten\n"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("risk") && e.contains("census.csv, line 2, field 'count'"),
        "{e}"
    );
}

#[test]
fn cli_flag_reads_the_table_and_names_it_in_errors() {
    let data = common::temp("kmap-data.csv", DATA);
    let recipe = common::temp(
        "kmap-recipe.json",
        &json!({"version": 1, "columns": {"sex": "quasi", "band": "quasi"}}).to_string(),
    );
    let table = common::temp(
        "kmap-counts.csv",
        "sex,band,count\nF,40-49,10\nM,40-49,5\nM,50-59,7\nF,50-59,6\n",
    );
    let (ok, out, err) = common::bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--population-table",
        &table,
    ]);
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["privacy"]["risk"]["k_map"], 5);
    assert_eq!(report["privacy"]["risk"]["population_table"]["name"], table);
    // The table travels in the Report's recipe, so the run can be repeated from it.
    assert!(report["recipe"]["risk"]["population_table"]["csv"]
        .as_str()
        .unwrap()
        .contains("M,50-59,7"));
    let bad = common::temp("kmap-bad.csv", "sex,band,count\nF,40-49,10\nF,40-49,3\n");
    let (ok, _, err) = common::bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--population-table",
        &bad,
    ]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{bad}, line 3: this combination is already listed on line 2"
        )),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
