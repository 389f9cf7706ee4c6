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

#[test]
fn journalist_marketer_and_zayatz_by_hand() {
    use bedside::privacy::risk::{hypergeometric_one, measure_with, zayatz, RiskOptions};
    // Classes of sizes 1, 1, 2 (n = 4).
    let t = table("zip,age\nA,1\nB,2\nC,3\nC,3\n");
    let m = measure(&t, &q(&["zip", "age"]), None, DEFAULT_THRESHOLD);
    let r = m.risk.unwrap();
    // Without a population the data set is its own population.
    assert_eq!((r.journalist_max, r.prosecutor_max), (1.0, 1.0));
    assert!((r.journalist_avg - 0.75).abs() < 1e-12 && (r.marketer - 0.75).abs() < 1e-12);
    assert_eq!(r.population_uniques, None);
    // Population N = 8: π = ½.
    let opts = RiskOptions {
        threshold: DEFAULT_THRESHOLD,
        population: Some(8.into()),
        ..Default::default()
    };
    let r = measure_with(&t, &q(&["zip", "age"]), None, &opts)
        .risk
        .unwrap();
    assert!((r.journalist_max - 0.5).abs() < 1e-12);
    assert!((r.marketer - 0.375).abs() < 1e-12, "3 classes · ½ / 4");
    // Zayatz: h(1) = 4/8; h(2) = 2·C(6,3)/C(8,4) = 40/70; P = (2/3 · ½) / (2/3 · ½ + 1/3 · 4/7) = 7/11.
    assert!((hypergeometric_one(8, 1, 4) - 0.5).abs() < 1e-12);
    assert!((hypergeometric_one(8, 2, 4) - 4.0 / 7.0).abs() < 1e-12);
    let (uniques, share) = zayatz(&[1, 1, 2], 4, 8);
    assert!((uniques - 28.0 / 11.0).abs() < 1e-9, "{uniques}");
    assert!((share - 7.0 / 22.0).abs() < 1e-9, "{share}");
    // At a sampling fraction above 10% Dankar's rule takes the smaller of Zayatz and SNB;
    // SNB cannot be fitted here (no two classes of size 2), so Zayatz's estimate is reported.
    assert!((r.population_uniques.unwrap() - 28.0 / 11.0).abs() < 1e-9);
    // The whole population sampled: every sample unique is a population unique.
    let (u, s) = zayatz(&[1, 1, 2], 4, 4);
    assert!((u - 2.0).abs() < 1e-9 && (s - 0.5).abs() < 1e-9);
    // Large populations: the hypergeometric stays finite and accurate.
    let h = hypergeometric_one(1_000_000, 3, 1000);
    let expected = 3.0 * 0.001 * 0.999f64.powi(2);
    assert!((h / expected - 1.0).abs() < 1e-3, "{h}");
}

#[test]
fn information_loss_by_hand() {
    use bedside::privacy::risk::information_loss;
    let orig = table("age\n30\n31\n40\n41\n");
    let banded = table("age\n30-39\n30-39\n40-49\n40-49\n");
    let l = information_loss(&orig, &banded, &[0, 1, 2, 3], &q(&["age"])).unwrap();
    // P(original | band) = ½ for every record: 1 bit each; the maximum is 2 bits each.
    assert!((l.non_uniform_entropy - 4.0).abs() < 1e-12);
    assert!((l.non_uniform_entropy_pct - 50.0).abs() < 1e-12);
    assert_eq!(l.discernibility, 8.0, "2² + 2²");
    // The last record suppressed: it costs log₂ 4 = 2 bits and n = 4 in discernibility.
    let kept = table("age\n30-39\n30-39\n40-49\n");
    let l = information_loss(&orig, &kept, &[0, 1, 2], &q(&["age"])).unwrap();
    assert!((l.non_uniform_entropy - 4.0).abs() < 1e-12, "1 + 1 + 0 + 2");
    assert_eq!(l.discernibility, 4.0 + 1.0 + 4.0);
    // Nothing changed: no loss.
    let l = information_loss(&orig, &orig, &[0, 1, 2, 3], &q(&["age"])).unwrap();
    assert_eq!((l.non_uniform_entropy, l.discernibility), (0.0, 4.0));
}

#[test]
fn population_size_in_the_recipe_reaches_the_report() {
    let csv = "age,sex,y\n30,F,0\n30,F,1\n41,M,0\n52,F,1\n";
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "columns": {"age": "quasi", "sex": "quasi"}, "risk": {"population": 400, "threshold": 0.5}}"#,
    )
    .unwrap();
    let out = bedside::run_file(csv.as_bytes(), "t.csv", &recipe, &mut |_| true, &|| 0.0).unwrap();
    let r = out.report.privacy.after.risk.unwrap();
    assert_eq!(
        (r.population_size, r.threshold, r.records_at_risk),
        (Some(400), 0.5, 2)
    );
    assert!(r.population_uniques.unwrap() > 0.0);
    let e = bedside::recipe::Recipe::from_json(r#"{"version": 1, "risk": {"population": 0}}"#)
        .unwrap_err();
    assert!(e.to_string().contains("risk, field 'population'"), "{e}");
}
