//! SAS data sets (`.sas7bdat`) written by SAS (tests/data/sas7bdat/, sources in its README) read
//! to the same table, cell by cell, as an independent reader (pyreadstat/ReadStat) gives it
//! (`scripts/gen-sas7bdat-reference.py` wrote each `NAME.csv` and `NAME.json`): 32- and 64-bit
//! layouts, both byte orders, uncompressed, RLE and RDC rows, dates, special missing values and
//! Big5 text. Damaged copies give an error naming the file and the place, never a panic.

use bedside::table::csv::{read_csv, read_source, CsvOptions, Parsed};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sas7bdat")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_as(bytes: &[u8], name: &str) -> bedside::Result<Parsed> {
    let mut source = bytes;
    read_source(&mut source, name, &CsvOptions::default())
}

/// (fixture, layout it covers)
const FIXTURES: &[(&str, &str)] = &[
    ("airline-32le", "32-bit little-endian, uncompressed, labels"),
    ("cp950-32le", "32-bit little-endian, Big5 (CP950) text"),
    ("datetime-64be", "64-bit big-endian, DATE, DATETIME, TIME"),
    ("missing-64le", "64-bit little-endian, .A-.Z and ._"),
    (
        "sample-64le-rdc",
        "64-bit little-endian, RDC, dates before 1960",
    ),
    ("test12-32be-rle", "32-bit big-endian, RLE"),
    ("test14-64be-rdc", "64-bit big-endian, RDC"),
    ("test9-64le-rle", "64-bit little-endian, RLE"),
];

fn cells(c: &bedside::table::Column) -> Vec<Option<String>> {
    (0..c.values.len()).map(|r| c.values.text(r)).collect()
}

#[test]
fn every_fixture_reads_cell_by_cell_as_the_independent_reader_gives_it() {
    for (name, covers) in FIXTURES {
        let file = format!("{name}.sas7bdat");
        let p = read_as(&fixture(&file), &file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let csv = format!("{name}.csv");
        let want = read_csv(&fixture(&csv), &csv, &CsvOptions::default()).unwrap();
        let info: Value =
            serde_json::from_slice(&fixture(&format!("{name}.json"))).expect("reference json");
        let ctx = format!("{file} ({covers})");
        assert_eq!(p.format, "sas7bdat", "{ctx}");
        assert!(p.rejected.is_empty(), "{ctx}: {:?}", p.rejected);
        assert_eq!(
            p.table.rows() as u64,
            info["rows"].as_u64().unwrap(),
            "{ctx}"
        );
        assert_eq!(p.table.names(), want.table.names(), "{ctx}");
        for (got, exp) in p.table.columns.iter().zip(&want.table.columns) {
            assert_eq!(cells(got), cells(exp), "{ctx}: column {}", got.name);
            assert_eq!(got.ctype, exp.ctype, "{ctx}: column {}", got.name);
        }
        // Column labels.
        for (column, label) in info["labels"].as_object().unwrap() {
            assert_eq!(
                p.labels.get(column).and_then(|l| l.label.as_deref()),
                label.as_str(),
                "{ctx}: label of {column}"
            );
        }
        // Special missing values: one repair per column naming the codes.
        for (column, codes) in info["missing_codes"].as_object().unwrap() {
            let r = p
                .repairs
                .iter()
                .find(|r| &r.column == column && r.coded.code == "repair.missing_codes")
                .unwrap_or_else(|| panic!("{ctx}: no missing-code repair on {column}"));
            let codes = codes.as_array().unwrap();
            assert_eq!(r.count, codes.len(), "{ctx}: {column}");
            let first = codes[0].as_str().unwrap();
            assert!(
                r.coded
                    .param("codes")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .contains(first),
                "{ctx}: {column} {:?}",
                r.coded
            );
        }
        // The encoding the file states (ReadStat's name for the same code).
        let stated = info["encoding"].as_str().unwrap().to_ascii_lowercase();
        let ours = p.encoding.name.to_ascii_lowercase();
        // A file that states no encoding (byte 0): ReadStat assumes Windows-1252, Bedside
        // looks at the text (ASCII reads the same either way).
        let same = p.encoding.source == "detected"
            || match stated.as_str() {
                "iso-8859-1" | "windows-1252" => ours == "windows-1252",
                "cp950" => ours == "big5",
                s => ours == s,
            };
        assert!(same, "{ctx}: encoding {ours} for {stated}");
    }
}

#[test]
fn dates_and_datetimes_are_explained_by_their_format() {
    let p = read_as(&fixture("datetime-64be.sas7bdat"), "d.sas7bdat").unwrap();
    let has = |column: &str, code: &str, param: &str| {
        p.repairs.iter().any(|r| {
            r.column == column
                && r.coded.code == code
                && r.coded.param("format").and_then(Value::as_str) == Some(param)
        })
    };
    assert!(has("mtg", "repair.stats_dates", "DATE"), "{:?}", p.repairs);
    assert!(
        has("dt", "repair.stats_datetimes", "DATETIME"),
        "{:?}",
        p.repairs
    );
    let col = |n: &str| p.table.columns.iter().find(|c| c.name == n).unwrap();
    assert_eq!(col("mtg").ctype, bedside::table::ColumnType::Date);
    // TIME stays a number of seconds.
    assert!(matches!(col("tm").values, bedside::table::Values::Num(_)));
}

#[test]
fn damaged_files_give_an_error_naming_the_file_and_place_never_a_panic() {
    for (name, _) in FIXTURES {
        let file = format!("{name}.sas7bdat");
        let bytes = fixture(&file);
        // Cuts in the header, the first pages and the end; a flipped byte at each of them.
        let cuts = (1..bytes.len().min(12_288))
            .step_by(97)
            .chain((1..bytes.len()).step_by(4093));
        for cut in cuts {
            if let Err(e) = read_as(&bytes[..cut], &file) {
                let text = e.to_string();
                assert!(text.contains(&file), "{file} cut at {cut}: {text}");
            }
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0xA5;
            let _ = read_as(&flipped, &file);
        }
    }
    // A truncated file: the header's page count is checked against the file.
    let bytes = fixture("test9-64le-rle.sas7bdat");
    let e = read_as(&bytes[..bytes.len() - 100], "t.sas7bdat")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.sas7bdat") && e.contains("pages") && e.contains("truncated"),
        "{e}"
    );
    // A column text reference past its block names the column.
    let bytes = fixture("airline-32le.sas7bdat");
    let mut bad = bytes.clone();
    // The row count grown past what the pages hold.
    let header = u32::from_le_bytes(bytes[196..200].try_into().unwrap()) as usize;
    let row_size = (header..bytes.len())
        .step_by(4)
        .find(|&i| bytes[i..i + 4] == [0xF7; 4])
        .unwrap();
    bad[row_size + 24..row_size + 28].copy_from_slice(&1000u32.to_le_bytes());
    let e = read_as(&bad, "a.sas7bdat").unwrap_err().to_string();
    assert!(e.contains("1000 rows") && e.contains("row 33"), "{e}");
    // A row length larger than any page: refused before allocation.
    let mut bad = bytes.clone();
    bad[row_size + 20..row_size + 24].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let e = read_as(&bad, "a.sas7bdat").unwrap_err().to_string();
    assert!(e.contains("row size") && e.contains("byte"), "{e}");
}
