//! The same everywhere (issue 21, item 7): one table saved by independent writers as CSV, .xlsx,
//! .ods, .xls, Parquet (every codec) and Arrow IPC (file and stream) reads to the same table,
//! the same profile and the same Report. The files are written by
//! `scripts/gen-format-fixtures.py` (pandas, openpyxl, odfpy, xlwt, pyarrow; synthetic values).
//! Also: Parquet's logical types, and the Parquet export reading back to the same table.

use bedside::table::csv::{read_csv, CsvOptions, Parsed};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> bedside::Result<Parsed> {
    read_csv(&fixture(name), name, &CsvOptions::default())
}

/// The first difference between two tables, if any (short, for failure messages).
fn difference(a: &bedside::table::Table, b: &bedside::table::Table) -> Option<String> {
    if a.names() != b.names() || a.rows() != b.rows() {
        return Some(format!(
            "{:?} ({} rows) vs {:?} ({} rows)",
            a.names(),
            a.rows(),
            b.names(),
            b.rows()
        ));
    }
    for (x, y) in a.columns.iter().zip(&b.columns) {
        if x.ctype != y.ctype {
            return Some(format!("{}: {:?} vs {:?}", x.name, x.ctype, y.ctype));
        }
        for r in 0..a.rows() {
            if x.values.text(r) != y.values.text(r) {
                return Some(format!(
                    "{} row {r}: {:?} vs {:?}",
                    x.name,
                    x.values.text(r),
                    y.values.text(r)
                ));
            }
        }
    }
    None
}

fn recipe() -> bedside::recipe::Recipe {
    bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 7,
            "columns": {"name": "identifier", "mrn": "identifier", "age": "quasi", "sex": "quasi", "zip": "quasi"},
            "privacy": [{"op": "drop", "columns": ["name"]}, {"op": "pseudonymize", "columns": ["mrn"]},
                        {"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 3, "max_suppression": 0.2}],
            "features": [{"op": "impute", "strategy": "median"}, {"op": "one_hot"}],
            "target": "outcome", "models": [{"kind": "logistic_regression"}],
            "evaluation": {"method": "stratified_kfold", "folds": 3}}"#,
    )
    .unwrap()
}

/// The Report without what names the file itself (its name, bytes, encoding, format) and
/// without timings.
fn comparable(v: serde_json::Value) -> serde_json::Value {
    crate::common::comparable_report(
        v,
        &["file", "sha256", "encoding", "format", "sheet", "delimiter"],
    )
}

const SAME: &[(&str, &str)] = &[
    ("same.csv", "csv"),
    ("same.xlsx", "xlsx"),
    ("same.ods", "ods"),
    ("same.xls", "xls"),
    ("same.snappy.parquet", "parquet"),
    ("same.gzip.parquet", "parquet"),
    ("same.brotli.parquet", "parquet"),
    ("same.lz4.parquet", "parquet"),
    ("same.none.parquet", "parquet"),
    #[cfg(not(target_arch = "wasm32"))]
    ("same.zstd.parquet", "parquet"),
    ("same.arrow", "arrow"),
    ("same.arrows", "arrow_stream"),
];

#[test]
fn one_table_in_every_format_reads_profiles_and_runs_to_the_same_report() {
    let recipe = recipe();
    let mut reference: Option<(Parsed, serde_json::Value, serde_json::Value)> = None;
    for &(name, format) in SAME {
        let loaded = bedside::load_with(&fixture(name), name, &CsvOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(loaded.parsed.format, format, "{name}");
        assert_eq!(loaded.parsed.table.rows(), 120, "{name}");
        assert!(
            loaded.parsed.rejected.is_empty(),
            "{name}: {:?}",
            loaded.parsed.rejected
        );
        let profile = serde_json::to_value(loaded.profile().columns).unwrap();
        let out = loaded.run(&recipe, &mut |_| true, &|| 0.0).unwrap();
        let report = comparable(serde_json::to_value(&out.report).unwrap());
        match &reference {
            None => reference = Some((loaded.parsed.clone(), profile, report)),
            Some((p, prof, rep)) => {
                assert_eq!(
                    difference(&loaded.parsed.table, &p.table),
                    None,
                    "{name}: table differs"
                );
                assert_eq!(loaded.parsed.lines, p.lines, "{name}: lines differ");
                assert_eq!(&profile, prof, "{name}: profile differs");
                assert_eq!(&report, rep, "{name}: report differs");
            }
        }
    }
    // What the table holds: codes stay text, dates are dates, the ward is a category.
    let (p, _, _) = reference.unwrap();
    let ty = |c: &str| p.table.column(c).unwrap().ctype.name();
    assert_eq!(ty("zip"), "categorical");
    assert_eq!(ty("admitted"), "date");
    assert_eq!(ty("ward"), "categorical");
    assert_eq!(ty("glucose"), "numeric");
    assert!(p.table.column("glucose").unwrap().values.missing() > 0);
}

#[test]
fn parquet_logical_types_become_dates_numbers_categories_and_missing() {
    for name in ["typed.parquet", "typed.arrow"] {
        let p = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = |c: &str, r: usize| {
            p.table
                .column(c)
                .unwrap_or_else(|| panic!("{name}: no {c} in {:?}", p.table.names()))
                .values
                .text(r)
        };
        assert_eq!(p.table.rows(), 4, "{name}");
        assert_eq!(text("born", 0).as_deref(), Some("1950-01-31"), "{name}");
        assert_eq!(text("born", 3).as_deref(), Some("2000-02-29"), "{name}");
        assert_eq!(text("born", 2), None, "{name}");
        assert_eq!(text("seen", 0).as_deref(), Some("2024-03-01 08:30:00"));
        assert_eq!(text("seen", 1).as_deref(), Some("2024-03-02"));
        assert_eq!(text("seen_utc", 2).as_deref(), Some("2024-03-03 12:00:00"));
        assert_eq!(text("dose", 0).as_deref(), Some("1.25"));
        assert_eq!(text("dose", 3).as_deref(), Some("-0.75"));
        assert_eq!(
            text("ratio", 0).as_deref(),
            Some("0.1"),
            "float32 shortest form"
        );
        assert_eq!(text("city", 1).as_deref(), Some("北京"));
        assert_eq!(text("flag", 1).as_deref(), Some("false"));
        assert_eq!(text("ward", 2), None);
        let ty = |c: &str| p.table.column(c).unwrap().ctype.name();
        assert_eq!(ty("born"), "date");
        assert_eq!(ty("dose"), "numeric");
        assert_eq!(
            ty("ward"),
            "categorical",
            "a dictionary column is a category"
        );
        // The list column is left out, and said so; the zone is reported.
        assert!(p.table.column("codes").is_none());
        let said = |code: &str, col: &str| {
            p.repairs
                .iter()
                .any(|r| r.coded.code == code && r.column == col)
        };
        assert!(
            said("repair.unsupported_column", "codes"),
            "{:?}",
            p.repairs
        );
        assert!(said("repair.timestamp_utc", "seen_utc"), "{:?}", p.repairs);
    }
}

#[test]
fn a_truncated_or_mangled_columnar_file_is_a_clear_error_never_a_panic() {
    for name in ["same.snappy.parquet", "same.arrow", "same.arrows"] {
        let bytes = fixture(name);
        for cut in [8, bytes.len() / 3, bytes.len() / 2, bytes.len() - 9] {
            match read_csv(&bytes[..cut], name, &CsvOptions::default()) {
                Err(e) => {
                    let e = e.to_string();
                    assert!(e.contains(name), "{name}@{cut}: {e}");
                }
                // A stream cut between two batches is a shorter stream.
                Ok(p) => assert!(name.ends_with(".arrows") && p.table.rows() < 120),
            }
        }
    }
}

#[test]
fn the_masked_table_exports_as_parquet_that_reads_back_the_same() {
    use bedside::table::export::{export, ExportFormat};
    let loaded =
        bedside::load_with(&fixture("same.csv"), "same.csv", &CsvOptions::default()).unwrap();
    let mut recipe = recipe();
    recipe.models.clear();
    let out = loaded.run(&recipe, &mut |_| true, &|| 0.0).unwrap();
    assert_eq!(
        ExportFormat::for_path("masked.PARQUET", false),
        ExportFormat::Parquet
    );
    let (bytes, neutralised) = export(&out.masked, ExportFormat::Parquet).unwrap();
    assert_eq!(neutralised, 0);
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    let back = read_csv(&bytes, "masked.parquet", &CsvOptions::default()).unwrap();
    assert_eq!(difference(&back.table, &out.masked), None);
    // And the CSV export of the same table reads to the same table.
    let (csv, _) = export(&out.masked, ExportFormat::Csv).unwrap();
    let from_csv = read_csv(&csv, "masked.csv", &CsvOptions::default()).unwrap();
    assert_eq!(difference(&from_csv.table, &back.table), None);
}

#[test]
fn the_cli_writes_parquet_with_out() {
    let dir = std::env::temp_dir().join(format!("bedside-parquet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("same.parquet");
    std::fs::write(&data, fixture("same.snappy.parquet")).unwrap();
    let recipe_path = dir.join("recipe.json");
    std::fs::write(
        &recipe_path,
        r#"{"version": 1, "privacy": [{"op": "drop", "columns": ["name"]}]}"#,
    )
    .unwrap();
    let out = dir.join("masked.parquet");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_bedside"))
        .args(["run", "--data"])
        .arg(&data)
        .arg("--recipe")
        .arg(&recipe_path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["input"]["format"], "parquet");
    let back = read_csv(
        &std::fs::read(&out).unwrap(),
        "masked.parquet",
        &CsvOptions::default(),
    )
    .unwrap();
    let original = read("same.snappy.parquet").unwrap();
    assert_eq!(back.table.rows(), 120);
    assert!(back.table.column("name").is_none());
    for c in ["mrn", "age", "zip", "ward", "admitted", "glucose"] {
        let (x, y) = (
            back.table.column(c).unwrap(),
            original.table.column(c).unwrap(),
        );
        assert_eq!(x.ctype, y.ctype, "{c}");
        for r in 0..120 {
            assert_eq!(x.values.text(r), y.values.text(r), "{c} row {r}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The page's way (the columnar module makes the CSV text, the main module reads it with the
/// notes: `bedside::load_columnar_text`) gives what reading the file directly gives: table,
/// lines, repairs, types, `input.format` and the original file's SHA-256.
#[test]
fn columnar_text_with_notes_reads_as_the_file_itself() {
    for name in [
        "same.snappy.parquet",
        "same.arrow",
        "same.arrows",
        "typed.parquet",
        "typed.arrow",
    ] {
        let bytes = fixture(name);
        let direct = bedside::load_with(&bytes, name, &CsvOptions::default()).unwrap();
        let file = bedside_columnar::File::open(bytes).unwrap();
        let mut reader = file.text().unwrap();
        let mut text = Vec::new();
        while let Some(chunk) = reader.next_chunk().unwrap() {
            text.extend(chunk);
        }
        let notes = reader.notes().clone();
        // As the page passes them: JSON between the two modules.
        let notes: bedside::table::columnar::Notes =
            serde_json::from_str(&serde_json::to_string(&notes).unwrap()).unwrap();
        let sha = direct.summary.sha256.clone();
        let mut source: &[u8] = &text;
        let paged = bedside::load_columnar_text(
            &mut source,
            &notes,
            name,
            bedside::Digest::Given(&sha),
            &CsvOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            difference(&paged.parsed.table, &direct.parsed.table),
            None,
            "{name}"
        );
        assert_eq!(paged.parsed.lines, direct.parsed.lines, "{name}");
        assert_eq!(paged.parsed.format, direct.parsed.format, "{name}");
        assert_eq!(
            serde_json::to_value(&paged.parsed.repairs).unwrap(),
            serde_json::to_value(&direct.parsed.repairs).unwrap(),
            "{name}"
        );
        assert_eq!(
            serde_json::to_value(&paged.summary).unwrap(),
            serde_json::to_value(&direct.summary).unwrap(),
            "{name}"
        );
    }
    // The text is never hashed in place of the file.
    let mut source: &[u8] = b"a\n1\n";
    let err = bedside::load_columnar_text(
        &mut source,
        &Default::default(),
        "x.parquet",
        bedside::Digest::Compute,
        &CsvOptions::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("x.parquet") && err.contains("SHA-256"),
        "{err}"
    );
}
