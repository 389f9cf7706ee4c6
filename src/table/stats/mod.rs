//! Statistics-package files: Stata `.dta` ([`stata`], through the pure-Rust `dta` crate), SPSS
//! `.sav`/`.zsav` ([`spss`]), SAS transport `.xpt` ([`sas`]) and SAS data sets `.sas7bdat`
//! ([`sas7bdat`]), the last three read here.
//!
//! Each reader fills a [`Dataset`] (variables with their labels, display formats, cells and the
//! file's own missing-value codes); [`to_parsed`] then writes the cells as text and hands them to
//! the CSV reader's own inference, so that a table gives the same types, repairs and profile
//! whatever file it came in (as the spreadsheet reader does). What the turning does is reported,
//! never silent:
//!
//! - **value labels** become categories: a labelled code is read as its label's text; codes
//!   without a label stay as they are, counted; the labels are kept in the profile (code → label).
//! - **missing-value codes** (Stata `.a`–`.z`, SPSS user-missing values and ranges, SAS special
//!   missing `.A`–`.Z`, `._`) are read as missing, counted per column with their codes.
//! - **dates and datetimes** stored as numbers with a date format are written as ISO dates
//!   (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`).
//! - **variable labels** are kept in the profile beside the column names.
//!
//! Row numbers in messages (`line`) are the file's record (observation) numbers, from 1.

pub mod sas;
pub mod sas7bdat;
pub mod spss;
pub mod stata;

use super::csv::{read_decoded_csv, CsvOptions, EncodingInfo, Parsed, Repair};
use crate::error::{Error, Result};
use crate::message::{self, Message};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A statistics-package format, recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    /// Stata `.dta`, releases 117–119 (`<stata_dta>`) and 104–115 (binary header).
    Stata,
    /// SPSS `.sav` (`$FL2`) and `.zsav` (`$FL3`).
    Spss,
    /// SAS transport (XPORT) `.xpt`, version 5 or 8.
    SasTransport,
    /// SAS `.sas7bdat` data sets (32- and 64-bit, either byte order, RLE/RDC compressed).
    Sas7bdat,
}

/// The first 32 bytes of every `.sas7bdat` file.
const SAS7BDAT_MAGIC: [u8; 32] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC2, 0xEA, 0x81, 0x60, 0xB3, 0x14, 0x11, 0xCF, 0xBD, 0x92,
    0x08, 0x00, 0x09, 0xC7, 0x31, 0x8C, 0x18, 0x1F, 0x10, 0x11,
];

/// The statistics-package format the file's first bytes announce, if any.
pub fn recognise(head: &[u8]) -> Option<StatsFormat> {
    if head.starts_with(b"<stata_dta>") || stata::is_binary_dta(head) {
        Some(StatsFormat::Stata)
    } else if head.starts_with(b"$FL2") || head.starts_with(b"$FL3") {
        Some(StatsFormat::Spss)
    } else if sas::is_xport(head) {
        Some(StatsFormat::SasTransport)
    } else if head.starts_with(&SAS7BDAT_MAGIC) {
        Some(StatsFormat::Sas7bdat)
    } else {
        None
    }
}

/// The statistics-package format a file name's extension names, if any.
pub fn by_extension(file: &str) -> Option<StatsFormat> {
    let ext = file.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "dta" => Some(StatsFormat::Stata),
        "sav" | "zsav" => Some(StatsFormat::Spss),
        "xpt" | "xport" => Some(StatsFormat::SasTransport),
        "sas7bdat" => Some(StatsFormat::Sas7bdat),
        _ => None,
    }
}

/// A file named like a statistics-package file whose bytes are not one is an error (read as
/// text it would give a table of garbage).
pub fn check_extension(file: &str, head: &[u8]) -> Result<()> {
    match by_extension(file) {
        Some(format) if recognise(head) != Some(format) => Err(Error::Input {
            file: file.to_string(),
            message: format!(
                "the name says {} but the file does not start like one (it may be damaged, or \
                 another format renamed)",
                describe(format)
            ),
        }),
        _ => Ok(()),
    }
}

fn describe(format: StatsFormat) -> &'static str {
    match format {
        StatsFormat::Stata => "a Stata .dta file",
        StatsFormat::Spss => "an SPSS .sav/.zsav file",
        StatsFormat::SasTransport => "a SAS transport (.xpt) file",
        StatsFormat::Sas7bdat => "a SAS .sas7bdat file",
    }
}

/// Reads a statistics-package file (whole, in memory).
pub fn read(format: StatsFormat, bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Parsed> {
    let dataset = match format {
        StatsFormat::Stata => stata::read(bytes, file, opts)?,
        StatsFormat::Spss => spss::read(bytes, file, opts)?,
        StatsFormat::SasTransport => sas::read(bytes, file, opts)?,
        StatsFormat::Sas7bdat => sas7bdat::read(bytes, file, opts)?,
    };
    to_parsed(dataset, file, opts)
}

/// The labels of one column, kept in the profile (`columns[i].label`, `.value_labels`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ColumnLabels {
    /// The variable label (a description of the column), when the file has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The value labels: each code (as the file stores it) with its text, in code order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_labels: Vec<ValueLabel>,
}

/// One value label: a code and the text it stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueLabel {
    pub code: String,
    pub label: String,
}

/// How a numeric variable is displayed in its package.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Display {
    Plain,
    /// Days since 1970-01-01 (the reader converts from its package's epoch); the format name.
    Date(String),
    /// Seconds since 1970-01-01 00:00:00; the format name.
    DateTime(String),
}

/// The cells of one variable.
pub(crate) enum Cells {
    /// Numbers (NaN = missing). `codes`: the rows holding a missing-value code and the code as
    /// the package writes it (`.a`, `999`, `.A`). `single`: stored as 4-byte floats (written
    /// with the shortest text that reads back to the same float).
    Num {
        values: Vec<f64>,
        codes: Vec<(usize, String)>,
        single: bool,
    },
    /// Text (`None` = missing); `codes` as for numbers (SPSS user-missing strings).
    Str {
        values: Vec<Option<String>>,
        codes: Vec<(usize, String)>,
    },
}

impl Cells {
    fn len(&self) -> usize {
        match self {
            Cells::Num { values, .. } => values.len(),
            Cells::Str { values, .. } => values.len(),
        }
    }
}

/// One variable as a reader found it.
pub(crate) struct Var {
    pub name: String,
    pub label: String,
    pub display: Display,
    /// Code text (as [`code_text`] writes a number, or `.a` for a missing code) → label.
    pub value_labels: Vec<(String, String)>,
    pub cells: Cells,
}

/// A file as a reader found it.
pub(crate) struct Dataset {
    /// `dta`, `sav`, `zsav`, `xpt`, `sas7bdat`.
    pub format: &'static str,
    pub vars: Vec<Var>,
    pub rows: usize,
    pub encoding: EncodingInfo,
}

/// A number as a code or cell text: integers without a fraction.
pub(crate) fn code_text(x: f64) -> String {
    super::format_number(x)
}

/// The text encoding of a file's strings: `name` (WHATWG) and how it was decided.
pub(crate) fn encoding_info(name: &str, source: &str) -> EncodingInfo {
    EncodingInfo {
        name: name.to_string(),
        confidence: 1.0,
        source: source.to_string(),
        note: None,
    }
}

/// The encoding a user chose (`--encoding`), if any.
pub(crate) fn chosen_encoding(
    opts: &CsvOptions,
    file: &str,
) -> Result<Option<&'static encoding_rs::Encoding>> {
    opts.encoding
        .as_deref()
        .map(|label| {
            super::encoding::for_label(label).map_err(|message| Error::Input {
                file: file.to_string(),
                message,
            })
        })
        .transpose()
}

/// The calendar date of a day count since 1970-01-01 (proleptic Gregorian), if in years 1–9999.
pub(crate) fn civil(days: i64) -> Option<(i64, u32, u32)> {
    // A day count this far out would overflow the calendar's arithmetic; no stats file's date is.
    days.checked_add(719_468)?;
    let (y, m, d) = crate::calendar::civil_from_days(days);
    (1..=9999).contains(&y).then_some((y, m, d))
}

pub(crate) use crate::calendar::days_from_civil;

/// Days from 1970-01-01 to 1960-01-01 (the Stata and SAS epoch).
pub(crate) const EPOCH_1960: i64 = -3653;

/// Numbers counted from 1 January 1960 (Stata and SAS) as days/seconds since 1970 for a date or
/// datetime display: `days` as they are for a date, `units_per_second` of a stored datetime (1 for
/// SAS seconds, 1,000 for Stata milliseconds). Other cells unchanged.
pub(crate) fn from_1960(display: &Display, cells: Cells, units_per_second: f64) -> Cells {
    let shift = |values: Vec<f64>, f: &dyn Fn(f64) -> f64| values.into_iter().map(f).collect();
    match (display, cells) {
        (
            Display::Date(_),
            Cells::Num {
                values,
                codes,
                single,
            },
        ) => Cells::Num {
            values: shift(values, &|d| d + EPOCH_1960 as f64),
            codes,
            single,
        },
        (
            Display::DateTime(_),
            Cells::Num {
                values,
                codes,
                single,
            },
        ) => Cells::Num {
            values: shift(values, &|s| {
                s / units_per_second + (EPOCH_1960 * 86_400) as f64
            }),
            codes,
            single,
        },
        (_, cells) => cells,
    }
}

/// A date cell as ISO text, or None when out of range.
fn date_text(days: f64) -> Option<String> {
    if !days.is_finite() || days.abs() > 4e6 {
        return None;
    }
    let (y, m, d) = civil(days.floor() as i64)?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// A datetime cell as ISO text (whole seconds), or None when out of range.
fn datetime_text(seconds: f64) -> Option<String> {
    if !seconds.is_finite() || seconds.abs() > 3e11 {
        return None;
    }
    let s = seconds.round() as i64;
    let (y, m, d) = civil(s.div_euclid(86_400))?;
    let t = s.rem_euclid(86_400);
    Some(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        t / 3600,
        t % 3600 / 60,
        t % 60
    ))
}

fn number_text(x: f64, single: bool) -> String {
    if single && x.fract() != 0.0 {
        format!("{}", x as f32)
    } else {
        code_text(x)
    }
}

/// Per column: how many cells of a kind, and the first records.
#[derive(Default)]
struct Tally {
    count: usize,
    lines: Vec<u64>,
}

impl Tally {
    fn add(&mut self, line: u64) {
        self.count += 1;
        if self.lines.len() < 20 {
            self.lines.push(line);
        }
    }
}

fn repair(column: &str, tally: Tally, note: Message) -> Repair {
    Repair {
        column: column.to_string(),
        lines: tally.lines,
        count: tally.count,
        message: note.to_string(),
        coded: note,
    }
}

/// Writes a dataset's cells as text and reads them with the CSV reader's inference.
pub(crate) fn to_parsed(ds: Dataset, file: &str, opts: &CsvOptions) -> Result<Parsed> {
    if ds.vars.is_empty() {
        return Err(Error::Input {
            file: file.to_string(),
            message: "the file has no variables".into(),
        });
    }
    if ds.rows == 0 {
        return Err(Error::Input {
            file: file.to_string(),
            message: "the file has no records (observations)".into(),
        });
    }
    if let Some(v) = ds.vars.iter().find(|v| v.cells.len() != ds.rows) {
        return Err(Error::Input {
            file: file.to_string(),
            message: format!(
                "variable '{}' has {} values for {} records (damaged file?)",
                v.name,
                v.cells.len(),
                ds.rows
            ),
        });
    }
    let mut repairs = Vec::new();
    let mut labels = BTreeMap::new();
    let mut texts: Vec<Vec<String>> = Vec::with_capacity(ds.vars.len());
    for var in &ds.vars {
        let lookup: HashMap<&str, &str> = var
            .value_labels
            .iter()
            .map(|(c, l)| (c.as_str(), l.as_str()))
            .collect();
        let mut column = Vec::with_capacity(ds.rows);
        let (mut labelled, mut unlabelled, mut dated) =
            (Tally::default(), Tally::default(), Tally::default());
        let codes = match &var.cells {
            Cells::Str { values, codes } => {
                for (row, cell) in values.iter().enumerate() {
                    let text = cell.as_deref().unwrap_or("").trim_end();
                    match lookup.get(text) {
                        Some(label) if cell.is_some() => {
                            labelled.add(row as u64 + 1);
                            column.push(label.trim().to_string());
                        }
                        _ => column.push(text.to_string()),
                    }
                }
                codes
            }
            Cells::Num {
                values,
                codes,
                single,
            } => {
                for (row, &x) in values.iter().enumerate() {
                    let line = row as u64 + 1;
                    if x.is_nan() {
                        column.push(String::new());
                        continue;
                    }
                    let code = code_text(x);
                    if let Some(label) = lookup.get(code.as_str()) {
                        labelled.add(line);
                        column.push(label.trim().to_string());
                        continue;
                    }
                    if !lookup.is_empty() {
                        unlabelled.add(line);
                    }
                    let text = match &var.display {
                        Display::Plain => None,
                        Display::Date(_) => date_text(x),
                        Display::DateTime(_) => datetime_text(x),
                    };
                    match text {
                        Some(t) => {
                            dated.add(line);
                            column.push(t);
                        }
                        None => column.push(number_text(x, *single)),
                    }
                }
                codes
            }
        };
        if !codes.is_empty() {
            let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
            let mut tally = Tally::default();
            for (row, code) in codes {
                *by_code.entry(code.as_str()).or_default() += 1;
                tally.add(*row as u64 + 1);
            }
            let list = by_code
                .iter()
                .map(|(code, n)| match lookup.get(code) {
                    Some(label) => format!("{code} '{label}' ×{n}"),
                    None => format!("{code} ×{n}"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            repairs.push(repair(
                &var.name,
                tally,
                message::repair_missing_codes(list),
            ));
        }
        if labelled.count > 0 {
            repairs.push(repair(&var.name, labelled, message::repair_value_labels()));
        }
        if unlabelled.count > 0 {
            repairs.push(repair(
                &var.name,
                unlabelled,
                message::repair_unlabelled_codes(),
            ));
        }
        if dated.count > 0 {
            let note = match &var.display {
                Display::DateTime(f) => message::repair_stats_datetimes(f.as_str()),
                Display::Date(f) => message::repair_stats_dates(f.as_str()),
                Display::Plain => message::repair_stats_dates(""),
            };
            repairs.push(repair(&var.name, dated, note));
        }
        texts.push(column);
        let entry = ColumnLabels {
            label: Some(var.label.trim().to_string()).filter(|l| !l.is_empty()),
            value_labels: var
                .value_labels
                .iter()
                .map(|(code, label)| ValueLabel {
                    code: code.clone(),
                    label: label.clone(),
                })
                .collect(),
        };
        if entry != ColumnLabels::default() {
            labels.insert(var.name.clone(), entry);
        }
    }
    // The cells as CSV text, with the map from each record's first CSV line to its number.
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut line_records = BTreeMap::new();
    let mut line = 1u64;
    let header: Vec<&str> = ds.vars.iter().map(|v| v.name.as_str()).collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(&header);
    line += header.iter().map(|h| newlines(h)).sum::<u64>() + 1;
    let mut record = Vec::with_capacity(texts.len());
    for row in 0..ds.rows {
        record.clear();
        record.extend(texts.iter().map(|c| c[row].as_str()));
        line_records.insert(line, row as u64 + 1);
        line += 1 + record.iter().map(|c| newlines(c)).sum::<u64>();
        let _ = w.write_record(&record);
    }
    drop(texts);
    let csv_text = w.into_inner().unwrap_or_default();
    let opts = CsvOptions {
        delimiter: Some(','),
        ..opts.clone()
    };
    let mut parsed = read_decoded_csv(&csv_text, file, &opts, ds.encoding)?;
    let remap = |line: u64| -> u64 {
        line_records
            .range(..=line)
            .next_back()
            .map_or(line, |(_, &r)| r)
    };
    for l in parsed.lines.iter_mut() {
        *l = remap(*l);
    }
    for r in parsed.rejected.iter_mut() {
        r.line = remap(r.line);
    }
    for r in parsed.repairs.iter_mut() {
        for l in r.lines.iter_mut() {
            *l = remap(*l);
        }
    }
    repairs.append(&mut parsed.repairs);
    parsed.repairs = repairs;
    parsed.format = ds.format.to_string();
    parsed.labels = labels;
    Ok(parsed)
}

fn newlines(s: &str) -> u64 {
    s.bytes().filter(|&b| b == b'\n').count() as u64
}

/// A reader's error: what it was reading, where (byte offset), and what is wrong.
pub(crate) fn corrupt(file: &str, what: &str, offset: usize, problem: &str) -> Error {
    Error::Input {
        file: file.to_string(),
        message: format!("{what} at byte {offset}: {problem}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil(0), Some((1970, 1, 1)));
        assert_eq!(civil(EPOCH_1960), Some((1960, 1, 1)));
        assert_eq!(civil(19_797), Some((2024, 3, 15)));
        assert_eq!(civil(-719_162), Some((1, 1, 1)));
        assert_eq!(civil(i64::MAX), None);
        for d in [-700_000, EPOCH_1960, -1, 0, 59, 19_797, 2_000_000] {
            let (y, m, day) = civil(d).unwrap();
            assert_eq!(days_from_civil(y, m, day), d);
        }
        assert_eq!(date_text(f64::INFINITY), None);
        assert_eq!(
            datetime_text(1_706_776_200.0).as_deref(),
            Some("2024-02-01 08:30:00")
        );
    }

    #[test]
    fn extensions_and_magic_are_recognised() {
        assert_eq!(by_extension("a.DTA"), Some(StatsFormat::Stata));
        assert_eq!(by_extension("a.zsav"), Some(StatsFormat::Spss));
        assert_eq!(by_extension("a.csv"), None);
        assert_eq!(recognise(b"$FL2@(#) IBM"), Some(StatsFormat::Spss));
        assert_eq!(recognise(b"<stata_dta><header>"), Some(StatsFormat::Stata));
        assert_eq!(recognise(&SAS7BDAT_MAGIC), Some(StatsFormat::Sas7bdat));
        assert_eq!(recognise(b"id,age\n1,2\n"), None);
        assert!(check_extension("x.dta", b"id,age\n").is_err());
        assert!(check_extension("x.csv", b"id,age\n").is_ok());
    }
}
