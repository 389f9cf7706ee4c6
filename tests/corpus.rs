//! Every case of the malformed-input corpus (tests/corpus/, made by scripts/gen-corpus.mjs) gives
//! its expected outcome: a specific error, or the rows, rejections and repairs it must report.
//! Large inputs (a 10 MB field, 10,000 columns) are made here rather than stored.

use bedside::recipe::Recipe;
use bedside::table::csv::{read_csv, CsvOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpus(sub: &str, ext: &str) -> Vec<(String, PathBuf, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(sub);
    let mut cases: Vec<(String, PathBuf, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run node scripts/gen-corpus.mjs", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.to_string_lossy().ends_with(ext) && !p.to_string_lossy().ends_with(".expect.json")
        })
        .map(|p| {
            let name = p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(ext)
                .to_string();
            let expect = std::fs::read_to_string(dir.join(format!("{name}.expect.json"))).unwrap();
            (name, p, serde_json::from_str(&expect).unwrap())
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

/// Checks one CSV against its expectation; returns a failure description.
fn check_csv(name: &str, bytes: &[u8], expect: &Value) -> Option<String> {
    let got = read_csv(bytes, name, &CsvOptions::default());
    match (got, expect.get("error").and_then(Value::as_str)) {
        (Err(e), Some(want)) => {
            (!e.to_string().contains(want)).then(|| format!("{name}: error {e:?} lacks {want:?}"))
        }
        (Err(e), None) => Some(format!("{name}: unexpected error {e}")),
        (Ok(_), Some(want)) => Some(format!(
            "{name}: read fine, expected an error containing {want:?}"
        )),
        (Ok(p), None) => {
            let mut problems = Vec::new();
            if p.table.rows() as u64 != expect["rows"].as_u64().unwrap() {
                problems.push(format!("rows {} != {}", p.table.rows(), expect["rows"]));
            }
            if p.table.columns.len() as u64 != expect["columns"].as_u64().unwrap() {
                problems.push(format!(
                    "columns {} != {}",
                    p.table.columns.len(),
                    expect["columns"]
                ));
            }
            let want = expect["rejected"].as_array().unwrap();
            if p.rejected.len() != want.len() {
                problems.push(format!("rejected {:?} vs expected {want:?}", p.rejected));
            } else {
                for (r, w) in p.rejected.iter().zip(want) {
                    if r.line != w[0].as_u64().unwrap()
                        || !r.reason.contains(w[1].as_str().unwrap())
                    {
                        problems.push(format!("rejected {r:?} vs expected {w}"));
                    }
                }
            }
            let repairs: Vec<&str> = expect["repairs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let got_repairs: Vec<&str> = p.repairs.iter().map(|r| r.column.as_str()).collect();
            if got_repairs != repairs {
                problems.push(format!("repairs {:?} vs expected {repairs:?}", p.repairs));
            }
            // Invariant: every record is either loaded or rejected, never lost.
            if p.lines.len() != p.table.rows() {
                problems.push("row lines out of step with rows".into());
            }
            (!problems.is_empty()).then(|| format!("{name}: {}", problems.join("; ")))
        }
    }
}

#[test]
fn csv_corpus() {
    let cases = corpus("csv", ".csv");
    assert!(cases.len() >= 100, "only {} CSV cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, path, expect)| check_csv(name, &std::fs::read(path).unwrap(), expect))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn recipe_corpus() {
    let data_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/recipe-data.csv");
    let data = std::fs::read(&data_path).unwrap();
    let loaded = bedside::load(&data, "recipe-data.csv").unwrap();
    let cases = corpus("recipe", ".json");
    assert!(cases.len() >= 80, "only {} recipe cases", cases.len());
    let mut failures = Vec::new();
    for (name, path, expect) in &cases {
        let text = std::fs::read_to_string(path).unwrap();
        let outcome = Recipe::from_json(&text)
            .and_then(|r| loaded.run(&r, &mut |_| true, &|| 0.0).map(|_| ()));
        if let Err(e) = &outcome {
            // Errors quote positions and column names, never cell values of identifier columns.
            let message = e.to_string();
            let leaked = (0..40).any(|i| {
                message.contains(&format!("Person {i}"))
                    || message.contains(&format!("{:08}", 1000 + i))
            });
            if leaked {
                failures.push(format!(
                    "{name}: the error message quotes an identifier value: {message}"
                ));
            }
        }
        match (outcome, expect.get("error").and_then(Value::as_str)) {
            (Ok(()), None) => {}
            (Err(e), Some(want)) if e.to_string().contains(want) => {}
            (Err(e), Some(want)) => {
                failures.push(format!("{name}: error {:?} lacks {want:?}", e.to_string()))
            }
            (Err(e), None) => failures.push(format!("{name}: unexpected error {e}")),
            (Ok(()), Some(want)) => failures.push(format!(
                "{name}: ran, expected an error containing {want:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_has_at_least_200_cases() {
    assert!(corpus("csv", ".csv").len() + corpus("recipe", ".json").len() + LARGE_CASES >= 200);
}

/// The large cases below.
const LARGE_CASES: usize = 4;

#[test]
fn a_10_mb_single_field_is_read() {
    let mut csv = b"id,note\n1,\"".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    csv.extend_from_slice(b"\"\n2,short\n");
    let p = read_csv(&csv, "big.csv", &CsvOptions::default()).unwrap();
    assert_eq!(p.table.rows(), 2);
    assert_eq!(
        p.table
            .column("note")
            .unwrap()
            .values
            .text(0)
            .unwrap()
            .len(),
        10 * 1024 * 1024
    );
}

#[test]
fn ten_thousand_columns_are_read_and_a_short_row_rejected() {
    let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..10_000).map(|i| (i % 7).to_string()).collect();
    let csv = format!(
        "{}\n{}\n{}\n1,2\n",
        header.join(","),
        row.join(","),
        row.join(",")
    );
    let p = read_csv(csv.as_bytes(), "wide.csv", &CsvOptions::default()).unwrap();
    assert_eq!((p.table.rows(), p.table.columns.len()), (2, 10_000));
    assert_eq!(p.rejected[0].line, 4);
    let profile = bedside::load(csv.as_bytes(), "wide.csv").unwrap().profile();
    assert_eq!(profile.columns.len(), 10_000);
}

#[test]
fn ten_thousand_duplicate_headers_are_renamed_quickly() {
    let csv = format!(
        "{}\n{}\n",
        vec!["x"; 10_000].join(","),
        vec!["1"; 10_000].join(",")
    );
    let p = read_csv(csv.as_bytes(), "dups.csv", &CsvOptions::default()).unwrap();
    assert_eq!(p.table.columns[9_999].name, "x_10000");
    assert_eq!(p.repairs[0].count, 9_999);
}

#[test]
fn a_million_short_rows_are_read() {
    let mut csv = String::with_capacity(8_000_000);
    csv.push_str("a,b\n");
    for i in 0..1_000_000 {
        csv.push_str(&format!("{},{}\n", i % 100, i % 3));
    }
    let p = read_csv(csv.as_bytes(), "long.csv", &CsvOptions::default()).unwrap();
    assert_eq!(p.table.rows(), 1_000_000);
}

/// Reads in pieces of at most 7 bytes, as a file read chunk by chunk; counts how often it is
/// opened (the reader's passes).
struct Trickle<'a> {
    bytes: &'a [u8],
    opens: usize,
}

struct TrickleReader<'a>(&'a [u8]);

impl std::io::Read for TrickleReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(7).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

impl bedside::table::csv::Source for Trickle<'_> {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
    fn open(&mut self, from: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        self.opens += 1;
        Ok(Box::new(TrickleReader(&self.bytes[from as usize..])))
    }
}

/// Every corpus file read through a source in 7-byte pieces gives exactly what reading the
/// bytes whole gives: the same table, rejected rows, repairs, or the same error.
#[test]
fn corpus_read_in_pieces_equals_read_whole() {
    use bedside::table::csv::{read_csv, read_source, CsvOptions};
    let cases = corpus("csv", ".csv");
    assert!(cases.len() > 100);
    for (name, path, _) in cases {
        let bytes = std::fs::read(&path).unwrap();
        let whole = read_csv(&bytes, &name, &CsvOptions::default());
        let mut source = Trickle {
            bytes: &bytes,
            opens: 0,
        };
        let pieces = read_source(&mut source, &name, &CsvOptions::default());
        match (whole, pieces) {
            (Ok(a), Ok(b)) => {
                // (NaN marks a missing number: compared by its printed form.)
                assert_eq!(
                    format!("{:?}", a.table),
                    format!("{:?}", b.table),
                    "{name}: table"
                );
                assert_eq!(a.rejected, b.rejected, "{name}: rejected");
                assert_eq!(a.repairs, b.repairs, "{name}: repairs");
                assert_eq!(a.lines, b.lines, "{name}: lines");
                assert_eq!(
                    (a.delimiter, &a.encoding),
                    (b.delimiter, &b.encoding),
                    "{name}"
                );
                assert!(source.opens <= 5, "{name}: opened {} times", source.opens);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}: error"),
            (a, b) => panic!("{name}: whole {:?} vs pieces {:?}", a.err(), b.err()),
        }
    }
}

/// The statistics-package cases (tests/corpus/stats/, written by
/// scripts/gen-stats-fixtures.py): damaged Stata, SPSS and SAS files give an error naming the
/// file and containing the expected text; good ones read to the expected size.
#[test]
fn statistics_file_cases_give_their_expected_outcome() {
    binary_cases("stats", "scripts/gen-stats-fixtures.py", 8);
}

/// The Parquet and Arrow IPC cases (tests/corpus/columnar/, written by
/// `scripts/gen-format-fixtures.py --corpus`): lengths that arrow-rs would trust, damaged, give
/// an error naming the file and the part; whole files read to the expected size.
#[test]
fn columnar_file_cases_give_their_expected_outcome() {
    binary_cases("columnar", "scripts/gen-format-fixtures.py --corpus", 12);
}

/// The spreadsheet cases (tests/corpus/sheets/, written by
/// `scripts/gen-format-fixtures.py --corpus`): each kind of workbook whole, and cut in half,
/// refused naming the file and the kind of workbook (not "Cannot detect file format").
#[test]
fn spreadsheet_file_cases_give_their_expected_outcome() {
    binary_cases("sheets", "scripts/gen-format-fixtures.py --corpus", 6);
}

fn binary_cases(sub: &str, generator: &str, at_least: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(sub);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run {generator}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.to_string_lossy().ends_with(".expect.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= at_least, "{cases:?}");
    let mut failures = Vec::new();
    for path in cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let expect: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.expect.json"))).unwrap(),
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut source: &[u8] = &bytes;
        let got = bedside::table::csv::read_source(&mut source, &name, &CsvOptions::default());
        match (got, expect.get("error").and_then(Value::as_str)) {
            (Err(e), Some(want)) => {
                let text = e.to_string();
                if !text.contains(want) || !text.contains(&name) {
                    failures.push(format!("{name}: error {text:?} lacks {want:?} or the name"));
                }
            }
            (Err(e), None) => failures.push(format!("{name}: unexpected error {e}")),
            (Ok(_), Some(want)) => failures.push(format!("{name}: read fine, expected {want:?}")),
            (Ok(p), None) => {
                if p.table.rows() as u64 != expect["rows"].as_u64().unwrap()
                    || p.table.columns.len() as u64 != expect["columns"].as_u64().unwrap()
                {
                    failures.push(format!(
                        "{name}: {} rows, {} columns",
                        p.table.rows(),
                        p.table.columns.len()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
