//! Property tests for the invariants (docs/design.md, "Invariants") that this layer owns.

use crate::common;
use bedside::eval::split::Evaluation;
use bedside::privacy::ops::pseudonymize::pseudonym;
use bedside::table::csv::{read_csv, write_csv, CsvOptions};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// The reader never panics, and every loaded row has its line.
    #[test]
    fn reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(p) = read_csv(&bytes, "p.csv", &CsvOptions::default()) {
            prop_assert_eq!(p.lines.len(), p.table.rows());
            prop_assert!(p.lines.windows(2).all(|w| w[0] < w[1]));
        }
    }

    /// A table written by Bedside reads back with the same cells.
    #[test]
    fn written_tables_read_back(cells in proptest::collection::vec(proptest::collection::vec("[a-z0-9 ,\"\n]{0,8}", 3), 1..20)) {
        let mut csv = String::from("a,b,c\n");
        for row in &cells {
            let quoted: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
            csv.push_str(&quoted.join(","));
            csv.push('\n');
        }
        let p = read_csv(csv.as_bytes(), "p.csv", &CsvOptions::default()).unwrap();
        let again = read_csv(&write_csv(&p.table), "q.csv", &CsvOptions::default()).unwrap();
        prop_assert_eq!(write_csv(&again.table), write_csv(&p.table));
        prop_assert_eq!(p.table.rows() + p.rejected.len(), cells.len());
    }

    /// Pseudonyms are a function of (key, value): equal inputs agree, other keys or values differ.
    #[test]
    fn pseudonyms_are_consistent_and_keyed(value in ".{0,40}", other in ".{0,40}", k1 in any::<[u8; 32]>(), k2 in any::<[u8; 32]>()) {
        prop_assert_eq!(pseudonym(&k1, &value), pseudonym(&k1, &value));
        if k1 != k2 {
            prop_assert_ne!(pseudonym(&k1, &value), pseudonym(&k2, &value));
        }
        if value != other {
            prop_assert_ne!(pseudonym(&k1, &value), pseudonym(&k1, &other));
        }
        prop_assert!(!pseudonym(&k1, &value).contains(&value) || value.is_empty() || value.len() < 3);
    }

    /// Stratified folds partition the rows, never share a row between train and test, and keep
    /// each class within one row of its even share.
    #[test]
    fn stratified_folds_partition(labels in proptest::collection::vec(any::<bool>(), 10..200), folds in 2usize..6, seed in any::<u64>()) {
        let pos = labels.iter().filter(|&&b| b).count();
        let neg = labels.len() - pos;
        prop_assume!(pos >= folds && neg >= folds);
        let splits = Evaluation::StratifiedKfold { folds }.folds(&labels, seed).unwrap();
        let mut seen = vec![0; labels.len()];
        for f in &splits {
            prop_assert_eq!(f.train.len() + f.test.len(), labels.len());
            let test_pos = f.test.iter().filter(|&&i| labels[i]).count() as f64;
            prop_assert!((test_pos - pos as f64 / folds as f64).abs() <= 1.0);
            for &i in &f.test {
                seen[i] += 1;
                prop_assert!(f.train.binary_search(&i).is_err());
            }
        }
        prop_assert!(seen.iter().all(|&c| c == 1));
    }
}

/// `common::patients_csv` with both outcomes present at least twice (the first four records are
/// set to 0, 0, 1, 1), so a two-fold stratified run always has a target to learn: any error of
/// the run is a failure of the test, not a skipped case.
fn two_class_patients(n: usize, seed: u64) -> String {
    let csv = common::patients_csv(n, seed);
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    for (i, y) in ["0", "0", "1", "1"].iter().enumerate() {
        let line = &mut lines[i + 1];
        let cut = line.rfind(',').unwrap();
        line.truncate(cut + 1);
        line.push_str(y);
    }
    lines.join("\n") + "\n"
}

proptest! {
    // 96 cases (8 before): two full runs each on up to 120 records, about 0.05 s a case in the
    // test profile on one core.
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// No original name or record number survives masking, and the same seed gives the same
    /// report, for any generated patient table.
    #[test]
    fn masking_and_determinism(n in 30usize..120, seed in any::<u64>()) {
        let csv = two_class_patients(n, seed);
        let recipe = common::recipe_json(common::MASK, common::FEATURES, r#"[{"kind": "decision_tree", "max_depth": 3}]"#, r#"{"method": "stratified_kfold", "folds": 2}"#);
        let a = common::run(&csv, &recipe).map_err(|e| TestCaseError::fail(format!("run failed: {e}")))?;
        prop_assert_eq!(a.masked.rows(), n);
        let masked = String::from_utf8(write_csv(&a.masked)).unwrap();
        for line in csv.lines().skip(1) {
            let mut f = line.split(',');
            let (name, mrn) = (f.next().unwrap(), f.next().unwrap());
            prop_assert!(!masked.contains(name));
            prop_assert!(!masked.contains(mrn));
        }
        let b = common::run(&csv, &recipe).unwrap();
        prop_assert_eq!(serde_json::to_value(&a.report).unwrap(), serde_json::to_value(&b.report).unwrap());
    }
}
