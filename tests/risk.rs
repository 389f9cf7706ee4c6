//! Privacy measures on small hand-checked tables.

use bedside::privacy::risk::{measure, DEFAULT_THRESHOLD};
use bedside::table::csv::{read_csv, CsvOptions};

fn table(csv: &str) -> bedside::table::Table {
    read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default())
        .unwrap()
        .table
}

fn q(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn k_l_and_categorical_t_by_hand() {
    let t = table(
        "band,sex,dx\n30s,F,flu\n30s,F,flu\n30s,F,cold\n40s,M,flu\n40s,M,cancer\n40s,M,cancer\n",
    );
    let m = measure(&t, &q(&["band", "sex"]), Some("dx"), DEFAULT_THRESHOLD);
    assert_eq!(m.k_anonymity, Some(3));
    assert_eq!(m.equivalence_classes, 2);
    assert_eq!(m.l_diversity, Some(2));
    // H = -(2/3 ln 2/3 + 1/3 ln 1/3) in both classes
    let h: f64 = -(2.0 / 3.0 * (2.0f64 / 3.0).ln() + 1.0 / 3.0 * (1.0f64 / 3.0).ln());
    assert!((m.l_diversity_entropy.unwrap() - h.exp()).abs() < 1e-12);
    // Equal-distance EMD: ½(|2/3−1/2| + |1/3−1/6| + |0−1/3|) = 1/3 for both classes.
    assert!((m.t_closeness.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    let r = m.risk.unwrap();
    assert!((r.prosecutor_max - 1.0 / 3.0).abs() < 1e-12);
    assert!((r.prosecutor_avg - 2.0 / 6.0).abs() < 1e-12);
    assert_eq!((r.records_at_risk, r.uniques), (6, 0));
}

#[test]
fn numeric_t_closeness_matches_the_t_closeness_paper_example() {
    // Li, Li & Venkatasubramanian (2007): salaries 3k..11k, a class holding {3k, 4k, 5k} is
    // at ordered-distance EMD 0.375 from the whole table.
    let mut csv = String::from("g,salary\n");
    for (i, s) in (3..=11).enumerate() {
        csv.push_str(&format!("{},{}\n", ["A", "B", "C"][i / 3], s * 1000));
    }
    let m = measure(&table(&csv), &q(&["g"]), Some("salary"), DEFAULT_THRESHOLD);
    assert!(
        (m.t_closeness.unwrap() - 0.375).abs() < 1e-12,
        "{:?}",
        m.t_closeness
    );
    assert_eq!(m.l_diversity, Some(3));
}

#[test]
fn uniques_and_records_at_risk() {
    let t = table(
        "zip,age\n02139,30\n02139,30\n02139,30\n02139,30\n02139,30\n02140,41\n02141,52\n02141,52\n",
    );
    let m = measure(&t, &q(&["zip", "age"]), None, DEFAULT_THRESHOLD);
    assert_eq!(m.k_anonymity, Some(1));
    let r = m.risk.unwrap();
    assert_eq!(r.uniques, 1);
    assert_eq!(
        r.records_at_risk, 3,
        "the unique and the pair are above risk 0.2; the class of 5 is not"
    );
    assert_eq!(r.prosecutor_max, 1.0);
    assert!((r.prosecutor_avg - 3.0 / 8.0).abs() < 1e-12);
    assert_eq!(m.l_diversity, None);
}

#[test]
fn missing_quasi_values_form_their_own_class_and_no_quasi_means_no_measure() {
    let t = table("sex,x\nF,1\n,2\nF,3\n");
    let m = measure(&t, &q(&["sex"]), None, DEFAULT_THRESHOLD);
    assert_eq!((m.k_anonymity, m.equivalence_classes), (Some(1), 2));
    let none = measure(&t, &[], None, DEFAULT_THRESHOLD);
    assert_eq!(none.k_anonymity, None);
    assert!(none.risk.is_none());
}

#[test]
fn generalization_in_a_recipe_raises_k() {
    let csv = "name,age,zip,y\nA,31,02139,0\nB,35,02138,1\nC,38,02137,0\nD,44,02231,1\nE,47,02232,0\nF,49,02233,1\n";
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "columns": {"name": "identifier", "age": "quasi", "zip": "quasi"},
        "privacy": [{"op": "drop", "columns": ["name"]}, {"op": "generalize", "column": "age", "width": 10}, {"op": "truncate", "column": "zip", "keep": 3}]}"#,
    )
    .unwrap();
    let out = bedside::run_file(csv.as_bytes(), "t.csv", &recipe, &mut |_| true, &|| 0.0).unwrap();
    assert_eq!(out.report.privacy.before.k_anonymity, Some(1));
    assert_eq!(out.report.privacy.after.k_anonymity, Some(3));
    let masked = String::from_utf8(bedside::table::csv::write_csv(&out.masked)).unwrap();
    assert!(masked.starts_with("age,zip,y\n30-39,021**,0\n"), "{masked}");
}
