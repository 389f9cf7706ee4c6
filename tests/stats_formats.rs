//! Statistics-package files (Stata .dta, SPSS .sav/.zsav, SAS .xpt) written by an independent
//! implementation (pyreadstat/ReadStat, `scripts/gen-stats-fixtures.py`) read to the same table
//! as the CSV of the same data, with their labels, missing codes and dates explained; the same
//! table profiles and runs to the same Report; damaged files give an error naming the file and
//! the place, never a panic.

use crate::common;

use bedside::table::csv::{read_csv, read_source, CsvOptions, Parsed};
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_as(bytes: &[u8], name: &str) -> bedside::Result<Parsed> {
    let mut source = bytes;
    read_source(&mut source, name, &CsvOptions::default())
}

fn read(name: &str) -> Parsed {
    read_as(&fixture(name), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every fixture with the CSV of its data.
const PAIRS: &[(&str, &str)] = &[
    ("stats.dta", "stats.csv"),
    ("stats-117.dta", "stats.csv"),
    ("stats-119.dta", "stats.csv"),
    ("stats-115.dta", "stats-latin.csv"),
    ("stats-114.dta", "stats-latin.csv"),
    ("stats-113.dta", "stats-latin.csv"),
    ("stats.sav", "stats.csv"),
    ("stats-rle.sav", "stats.csv"),
    ("stats.zsav", "stats.csv"),
    ("stats.xpt", "stats-latin.csv"),
    ("stats-v8.xpt", "stats-latin.csv"),
];

#[test]
fn every_fixture_reads_to_the_same_table_as_the_csv_of_its_data() {
    for (file, csv) in PAIRS {
        let p = read(file);
        let want = read_csv(&fixture(csv), csv, &CsvOptions::default()).unwrap();
        assert_eq!(p.table.rows(), 12, "{file}");
        assert!(p.rejected.is_empty(), "{file}: {:?}", p.rejected);
        assert_eq!(p.table.names(), want.table.names(), "{file}");
        for (got, exp) in p.table.columns.iter().zip(&want.table.columns) {
            assert_eq!(got.ctype, exp.ctype, "{file}: column {}", got.name);
            let cells = |c: &bedside::table::Column| {
                (0..c.values.len())
                    .map(|r| c.values.text(r))
                    .collect::<Vec<_>>()
            };
            assert_eq!(cells(got), cells(exp), "{file}: column {}", got.name);
            assert_eq!(
                matches!(got.values, bedside::table::Values::Num(_)),
                matches!(exp.values, bedside::table::Values::Num(_)),
                "{file}: column {} storage",
                got.name
            );
        }
        assert_eq!(
            p.lines,
            (1..=12).collect::<Vec<u64>>(),
            "{file}: record numbers"
        );
        let ext = file.rsplit('.').next().unwrap();
        assert_eq!(p.format, ext, "{file}");
    }
}

fn repair<'a>(p: &'a Parsed, column: &str, code: &str) -> &'a bedside::table::csv::Repair {
    p.repairs
        .iter()
        .find(|r| r.column == column && r.coded.code == code)
        .unwrap_or_else(|| panic!("no {code} repair on {column}: {:?}", p.repairs))
}

#[test]
fn missing_codes_are_counted_per_column_and_named() {
    for (file, codes) in [
        ("stats.dta", ".a ×1, .b ×1"),
        ("stats-113.dta", ".a ×1, .b ×1"),
        ("stats.sav", "999 ×2"),
        ("stats.zsav", "999 ×2"),
        ("stats.xpt", ".A ×1, .B ×1"),
    ] {
        let p = read(file);
        let r = repair(&p, "age", "repair.missing_codes");
        assert_eq!(r.count, 2, "{file}");
        assert_eq!(r.lines, vec![3, 7], "{file}");
        assert_eq!(r.coded.param("codes"), Some(&Value::from(codes)), "{file}");
        // The profile says so in the column's quality flags.
        let loaded = bedside::load_with(&fixture(file), file, &CsvOptions::default()).unwrap();
        let profile = loaded.profile();
        let age = profile.columns.iter().find(|c| c.name == "age").unwrap();
        assert_eq!(age.missing, 2);
        assert!(
            age.quality
                .iter()
                .any(|q| q.code == "coerced" && q.params["count"] == 2),
            "{file}: {:?}",
            age.quality
        );
    }
}

#[test]
fn value_labels_become_categories_and_labels_stay_in_the_profile() {
    for file in [
        "stats.dta",
        "stats-113.dta",
        "stats.sav",
        "stats-rle.sav",
        "stats.zsav",
    ] {
        let loaded = bedside::load_with(&fixture(file), file, &CsvOptions::default()).unwrap();
        let profile = loaded.profile();
        let json = serde_json::to_value(&profile).unwrap();
        let sex = json["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "sex")
            .unwrap();
        assert_eq!(sex["type"], "categorical", "{file}");
        assert_eq!(sex["label"], "Sex at birth", "{file}");
        assert_eq!(
            sex["value_labels"],
            serde_json::json!([{"code": "1", "label": "Male"}, {"code": "2", "label": "Female"}]),
            "{file}"
        );
        let r = repair(&loaded.parsed, "sex", "repair.value_labels");
        assert_eq!(r.count, 12, "{file}");
        // Variable labels of every column; none on a CSV.
        let bp = profile.columns.iter().find(|c| c.name == "bp").unwrap();
        assert!(bp.label.as_deref().unwrap().contains("ystolic"), "{file}");
    }
    let csv = bedside::load_with(&fixture("stats.csv"), "stats.csv", &CsvOptions::default())
        .unwrap()
        .profile();
    assert!(csv
        .columns
        .iter()
        .all(|c| c.label.is_none() && c.value_labels.is_empty()));
    let text = serde_json::to_string(&csv).unwrap();
    assert!(!text.contains("\"label\"") && !text.contains("value_labels"));
}

#[test]
fn dates_and_datetimes_are_explained_with_their_format() {
    for (file, date, datetime) in [
        ("stats.dta", "%td", "%tc"),
        ("stats.sav", "DATE", "DATETIME"),
        ("stats.xpt", "DATE", "DATETIME"),
    ] {
        let p = read(file);
        let d = repair(&p, "visit", "repair.stats_dates");
        assert_eq!(d.count, 11, "{file}: one visit is missing");
        assert_eq!(d.coded.param("format"), Some(&Value::from(date)), "{file}");
        let t = repair(&p, "seen", "repair.stats_datetimes");
        assert_eq!(
            t.coded.param("format"),
            Some(&Value::from(datetime)),
            "{file}"
        );
        assert_eq!(p.table.column("visit").unwrap().ctype.name(), "date");
    }
}

#[test]
fn the_encoding_is_stated() {
    let dta = read("stats.dta");
    assert_eq!(
        (dta.encoding.name.as_str(), dta.encoding.source.as_str()),
        ("UTF-8", "format")
    );
    // Release 115 declares no encoding: ReadStat wrote UTF-8, which is detected.
    let old = read("stats-115.dta");
    assert_eq!(
        (old.encoding.name.as_str(), old.encoding.source.as_str()),
        ("UTF-8", "detected")
    );
    let sav = read("stats.sav");
    assert_eq!(sav.encoding.name, "UTF-8");
    let xpt = read("stats.xpt");
    assert_eq!(xpt.encoding.source, "detected");
}

/// The Report with what legitimately differs between formats removed: where the table came
/// from and what the reader had to explain to make it.
fn comparable(v: Value) -> Value {
    let mut v = crate::common::comparable_report(
        v,
        &[
            "file",
            "sha256",
            "encoding",
            "format",
            "delimiter",
            "repairs",
        ],
    );
    // The audit lists the reader's repairs too (step `input`).
    v["audit"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["step"] != "input");
    v
}

#[test]
fn one_table_saved_by_each_package_profiles_and_runs_to_the_same_report() {
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 7, "target": "y", "columns": {"visit": "ignore"},
            "privacy": [], "features": [{"op": "impute", "strategy": "median"}, {"op": "one_hot"}],
            "models": [{"kind": "logistic_regression"}],
            "evaluation": {"method": "stratified_kfold", "folds": 3}}"#,
    )
    .unwrap();
    let mut reference: Option<(Value, Value)> = None;
    for file in ["run.csv", "run.dta", "run.sav", "run.xpt"] {
        let loaded = bedside::load_with(&fixture(file), file, &CsvOptions::default())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(loaded.parsed.table.rows(), 90, "{file}");
        let mut profile = serde_json::to_value(loaded.profile().columns).unwrap();
        for c in profile.as_array_mut().unwrap() {
            let c = c.as_object_mut().unwrap();
            c.remove("label");
            c.remove("value_labels");
            // The reader's explanations (value labels, dates) are flags of their own.
            let q = c["quality"].as_array_mut().unwrap();
            q.retain(|f| f["code"] != "coerced");
        }
        let out = loaded.run(&recipe, &mut |_| true, &|| 0.0).unwrap();
        let report = comparable(serde_json::to_value(&out.report).unwrap());
        match &reference {
            None => reference = Some((profile, report)),
            Some((p, r)) => {
                assert_eq!(&profile, p, "{file}: profile differs");
                assert_eq!(&report, r, "{file}: report differs");
            }
        }
    }
}

#[test]
fn damaged_files_give_an_error_naming_the_file_and_place_never_a_panic() {
    for (file, _) in PAIRS {
        let bytes = fixture(file);
        // Every truncation point (a step of 7 bytes) and a flipped byte at each of them.
        for cut in (1..bytes.len()).step_by(7) {
            if let Err(e) = read_as(&bytes[..cut], file) {
                let text = e.to_string();
                assert!(text.contains(file), "{file} cut at {cut}: {text}");
            }
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0xA5;
            let _ = read_as(&flipped, file);
        }
    }
    // Specific places.
    let sav = fixture("stats.sav");
    let e = read_as(&sav[..sav.len() - 20], "stats.sav")
        .unwrap_err()
        .to_string();
    assert!(e.contains("record 12") && e.contains("truncated"), "{e}");
    let xpt = fixture("stats.xpt");
    let cut = xpt.len() - 160;
    let e = read_as(&xpt[..cut], "stats.xpt").unwrap_err().to_string();
    assert!(e.contains("observation") && e.contains("truncated"), "{e}");
    let dta = fixture("stats.dta");
    let e = read_as(&dta[..dta.len() / 2], "stats.dta")
        .unwrap_err()
        .to_string();
    assert!(e.contains("Stata .dta") && e.contains("stats.dta"), "{e}");
}

#[test]
fn a_stated_length_past_the_end_of_the_file_is_refused_before_it_is_allocated() {
    // Release 118: the first value-label table's length (after `<lbl>`).
    let mut dta = fixture("stats.dta");
    let at = dta.windows(5).position(|w| w == b"<lbl>").unwrap() + 5;
    dta[at..at + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let e = read_as(&dta, "stats.dta").unwrap_err().to_string();
    assert!(
        e.contains("value-label table") && e.contains(&format!("byte {}", at + 4 + 129 + 3)),
        "{e}"
    );
    // Release 113: the tables follow the data to the end of the file.
    let old = fixture("stats-113.dta");
    // One table (Male, Female): length, name, padding, then n, text length, 2 offsets, 2 values, text.
    let start = old.len() - (4 + 33 + 3 + 4 + 4 + 2 * 4 + 2 * 4 + 12);
    let mut bad = old.clone();
    bad[start..start + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let e = read_as(&bad, "stats-113.dta").unwrap_err().to_string();
    assert!(e.contains("value-label table"), "{e}");
    assert!(read_as(&old, "stats-113.dta").is_ok());
}

#[test]
fn a_name_that_promises_a_statistics_file_is_checked() {
    let e = read_as(b"id,age\n1,2\n", "export.sav")
        .unwrap_err()
        .to_string();
    assert!(e.contains("export.sav") && e.contains("SPSS"), "{e}");
    let mut sas = vec![0u8; 12];
    sas.extend_from_slice(&[
        0xC2, 0xEA, 0x81, 0x60, 0xB3, 0x14, 0x11, 0xCF, 0xBD, 0x92, 0x08, 0x00, 0x09, 0xC7, 0x31,
        0x8C, 0x18, 0x1F, 0x10, 0x11,
    ]);
    sas.resize(1024, 0);
    // A .sas7bdat signature with an empty header is read, and refused as damaged.
    let e = read_as(&sas, "trial.sas7bdat").unwrap_err().to_string();
    assert!(
        e.contains("trial.sas7bdat") && e.contains(".sas7bdat file: header"),
        "{e}"
    );
    // The content decides, whatever the name: a .sav renamed .bin still reads.
    assert_eq!(
        read_as(&fixture("stats.sav"), "x.bin")
            .unwrap()
            .table
            .rows(),
        12
    );
}

#[test]
fn the_cli_profiles_a_statistics_file_with_its_labels() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/stats.zsav");
    let (ok, out, err) = common::bedside(&["profile", "--data", path.to_str().unwrap()]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["input"]["format"], "zsav");
    assert_eq!(v["input"]["rows"], 12);
    let sex = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sex")
        .unwrap();
    assert_eq!(sex["label"], "Sex at birth");
    assert_eq!(sex["value_labels"][1]["label"], "Female");
}

/// Stata period formats (%tm, %tq, %th, %tw, %ty) become the first day of their period, and SPSS
/// value labels of long strings (record 7.21) become categories; both files written by pyreadstat.
#[test]
fn stata_periods_and_spss_long_string_labels_read_as_their_csv() {
    for (file, csv, rows) in [
        ("stats-periods.dta", "stats-periods.csv", 5),
        ("stats-longlabels.sav", "stats-longlabels.csv", 5),
    ] {
        let p = read(file);
        let want = read_csv(&fixture(csv), csv, &CsvOptions::default()).unwrap();
        assert_eq!(p.table.rows(), rows, "{file}");
        assert_eq!(p.table.names(), want.table.names(), "{file}");
        for (got, exp) in p.table.columns.iter().zip(&want.table.columns) {
            let cells = |c: &bedside::table::Column| {
                (0..c.values.len())
                    .map(|r| c.values.text(r))
                    .collect::<Vec<_>>()
            };
            assert_eq!(cells(got), cells(exp), "{file}: column {}", got.name);
            assert_eq!(got.ctype, exp.ctype, "{file}: column {}", got.name);
        }
    }
    let p = read("stats-periods.dta");
    assert!(p
        .repairs
        .iter()
        .any(|r| r.column == "m" && r.coded.code == "repair.stats_dates" && r.count == 4));
    let p = read("stats-longlabels.sav");
    let ward = &p.labels["ward"].value_labels;
    assert_eq!(ward.len(), 2, "{ward:?}");
    assert_eq!(ward[1].label, "Oncology (B wing)");
    // The label replaced its code in 4 records.
    assert_eq!(repair(&p, "ward", "repair.value_labels").count, 4);
}
