//! Invariant 7: every exported file is safe to open. No cell of a CSV Bedside writes (the masked
//! table, the predictions of `apply`) runs as a formula in a spreadsheet: a text cell beginning
//! with `=`, `+`, `-`, `@`, a tab or a carriage return that is not a number gets a leading `'`,
//! and the run says how many cells it changed (a warning: never silent).

use bedside::table::csv::{is_formula, read_csv, safe_cell, write_csv, CsvOptions};

const HOSTILE: [&str; 5] = [
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
];

#[test]
fn formula_cells_are_recognised_and_numbers_are_not() {
    for cell in HOSTILE {
        assert!(is_formula(cell), "{cell:?} must be neutralised");
        assert_eq!(safe_cell(cell), format!("'{cell}"));
    }
    for cell in [
        "-5.2",
        "+3",
        "-0",
        "1e5",
        "-1.5e-3",
        "plain",
        "",
        "a=b",
        "5-2",
        "2024-03-01",
    ] {
        assert!(!is_formula(cell), "{cell:?} must stay as it is");
        assert_eq!(safe_cell(cell), cell);
    }
    // The reader trims a cell's surrounding whitespace, so a tab or CR can only lead a cell that a
    // step wrote; the writer neutralises those too.
    assert!(is_formula("\rline"));
    assert!(is_formula("\tdata"));
}

/// The file's rows with every hostile cell in a text column, a negative number in a numeric one.
fn hostile_csv() -> String {
    let mut csv = String::from("id,comment,delta\n");
    for (i, cell) in HOSTILE.iter().enumerate() {
        csv.push_str(&format!("{i},\"{}\",-5.2\n", cell.replace('"', "\"\"")));
    }
    csv.push_str("9,fine,1.5\n");
    csv
}

#[test]
fn the_masked_table_neutralises_formula_cells_and_the_report_counts_them() {
    let csv = hostile_csv();
    let recipe = bedside::recipe::Recipe::from_json(r#"{"version": 1, "privacy": []}"#).unwrap();
    let out = bedside::run_file(csv.as_bytes(), "h.csv", &recipe, &mut |_| true, &|| 0.0).unwrap();
    let written = write_csv(&out.masked);
    let back = read_csv(&written, "out.csv", &CsvOptions::default()).unwrap();
    let comment = &back.table.column("comment").unwrap().values;
    for r in 0..HOSTILE.len() {
        let got = comment.text(r).unwrap();
        assert!(got.starts_with('\''), "row {r}: {got:?} not neutralised");
        assert!(!is_formula(&got));
    }
    assert_eq!(comment.text(HOSTILE.len()).as_deref(), Some("fine"));
    // -5.2 stays a number (read back as a numeric column, not text with a quote).
    let text = String::from_utf8(written).unwrap();
    assert!(text.contains(",-5.2\n"), "{text}");
    assert!(!text.contains("'-5.2"));
    assert!(matches!(
        back.table.column("delta").unwrap().values,
        bedside::table::Values::Num(_)
    ));
    let warning = out
        .report
        .warnings
        .iter()
        .find(|w| w.contains("formulas"))
        .unwrap_or_else(|| panic!("no warning: {:?}", out.report.warnings));
    assert!(
        warning.starts_with(&format!("{} cell(s) of the masked table", HOSTILE.len())),
        "{warning}"
    );
}

#[test]
fn a_clean_table_has_no_formula_warning() {
    let recipe = bedside::recipe::Recipe::from_json(r#"{"version": 1, "privacy": []}"#).unwrap();
    let csv = "id,delta\n1,-5.2\n2,+3\n";
    let out = bedside::run_file(csv.as_bytes(), "c.csv", &recipe, &mut |_| true, &|| 0.0).unwrap();
    assert!(
        out.report.warnings.iter().all(|w| !w.contains("formulas")),
        "{:?}",
        out.report.warnings
    );
}

#[test]
fn predictions_neutralise_a_class_named_like_a_formula() {
    // A target whose classes are formula-like text: the predicted class column of `apply`.
    let mut csv = String::from("x,y\n");
    for i in 0..40 {
        let y = if i % 2 == 0 { "=1+1" } else { "@ok" };
        csv.push_str(&format!("{},{y}\n", i % 2 * 10 + i % 3));
    }
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "target": "y", "positive": "=1+1",
            "models": [{"kind": "logistic_regression"}],
            "evaluation": {"method": "stratified_kfold", "folds": 2}}"#,
    )
    .unwrap();
    let loaded = bedside::load(csv.as_bytes(), "t.csv").unwrap();
    let out = loaded.run(&recipe, &mut |_| true, &|| 0.0).unwrap();
    let bundle = bedside::bundle::export(
        &loaded.parsed.table,
        &loaded.summary,
        &recipe,
        &out.report,
        0,
        &[7u8; 32],
    )
    .unwrap()
    .bundle;
    let p = loaded.apply(&bundle).unwrap();
    let text = String::from_utf8(p.to_csv()).unwrap();
    let body: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(body.len(), 40);
    for line in &body {
        let class = line.split(',').nth(3).unwrap();
        assert!(class == "'=1+1" || class == "'@ok", "{line}");
    }
    let warning = p.warnings.iter().find(|w| w.contains("formulas")).unwrap();
    assert!(
        warning.starts_with("40 cell(s) of the predictions"),
        "{warning}"
    );
}

#[test]
fn the_count_without_writing_equals_the_writers_count() {
    let parsed = read_csv(
        hostile_csv().as_bytes(),
        "hostile.csv",
        &CsvOptions::default(),
    )
    .unwrap();
    let (_, written) = bedside::table::csv::write_csv_counted(&parsed.table);
    assert!(written > 0);
    assert_eq!(bedside::table::csv::count_formulas(&parsed.table), written);
}

/// A large table is written into one buffer sized from its first rows, not one that doubles
/// (which, at the last doubling, holds up to three times the file at once); the bytes are those
/// of a table read back the same.
#[test]
fn a_large_table_is_written_into_a_buffer_of_about_its_size() {
    let mut text = String::from("id,age,unit\n");
    for i in 0..60_000u32 {
        text.push_str(&format!("P{i:06},{}.5,ward {}\n", 20 + i % 70, i % 37));
    }
    let parsed = read_csv(text.as_bytes(), "big.csv", &CsvOptions::default()).unwrap();
    let written = write_csv(&parsed.table);
    assert!(
        written == text.as_bytes(),
        "the file read and written back differs"
    );
    assert!(
        written.capacity() <= written.len() + written.len() / 5,
        "capacity {} for {} bytes",
        written.capacity(),
        written.len()
    );
}
