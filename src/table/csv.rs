//! CSV reader: encoding and delimiter sniffing, missing tokens, type inference, bad-row reporting.
//!
//! Rows with the wrong number of fields or undecodable bytes are *rejected* and reported with
//! their physical line number (1-based, the header is line 1); they are never padded or dropped
//! silently.
//!
//! ```
//! use bedside::table::csv::{read_csv, CsvOptions};
//! let parsed = read_csv(b"id,age\n001,34\n002,NA\n003\n", "t.csv", &CsvOptions::default()).unwrap();
//! assert_eq!(parsed.table.rows(), 2);
//! assert_eq!(parsed.rejected[0].line, 4);
//! ```

use super::{Column, ColumnType, Table, Values};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The cell texts that mean "missing" unless the caller says otherwise.
pub const DEFAULT_MISSING: &[&str] = &["", "NA", "N/A", "NaN", "NULL", "?", "-"];

/// How to read a CSV file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Field delimiter; sniffed from `, ; TAB |` when absent.
    pub delimiter: Option<char>,
    /// Cell texts (after trimming spaces) read as missing. Compared case-sensitively.
    pub missing: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            missing: DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// A data row that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// Physical line (1-based) where the record starts.
    pub line: u64,
    pub reason: String,
}

/// The result of reading a file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub table: Table,
    pub rejected: Vec<RejectedRow>,
    pub delimiter: char,
    /// `utf-8`, `utf-8 (BOM)`, `utf-16le (BOM)` or `utf-16be (BOM)`.
    pub encoding: String,
}

/// Reads `bytes` (the whole file) into a typed table. `file` names the file in messages.
pub fn read_csv(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Parsed> {
    let input_err = |message: String| Error::Input {
        file: file.to_string(),
        message,
    };
    let (text, encoding) = decode(bytes).map_err(input_err)?;
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(input_err("the file is empty".into()));
    }
    let delimiter = match opts.delimiter {
        Some(d) if d.is_ascii() => d as u8,
        Some(d) => {
            return Err(input_err(format!(
                "delimiter '{d}' must be a single ASCII character"
            )))
        }
        None => sniff_delimiter(&text),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[..]);

    let mut record = csv::ByteRecord::new();
    let header: Vec<String> = match reader.read_byte_record(&mut record) {
        Ok(true) => header_fields(&record, file, record.position().map_or(1, |p| p.line()))?,
        Ok(false) => return Err(input_err("the file has no header row".into())),
        Err(e) => return Err(input_err(format!("cannot read the header: {e}"))),
    };

    let width = header.len();
    let missing: Vec<&str> = opts.missing.iter().map(String::as_str).collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
    let mut rejected = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) && width > 1 {
                    continue; // a blank line (spaces only) is not a record
                }
                if record.len() != width {
                    rejected.push(RejectedRow {
                        line,
                        reason: format!("expected {width} fields, found {}", record.len()),
                    });
                    continue;
                }
                match decode_row(&record, &header) {
                    Ok(row) => {
                        for (col, cell) in cells.iter_mut().zip(row) {
                            let cell = cell.trim();
                            col.push((!missing.contains(&cell)).then(|| cell.to_string()));
                        }
                    }
                    Err(reason) => rejected.push(RejectedRow { line, reason }),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rejected.push(RejectedRow {
                    line,
                    reason: format!("unreadable record: {e}"),
                });
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    break; // I/O-level errors cannot be resumed
                }
            }
        }
    }

    let columns = header
        .into_iter()
        .zip(cells)
        .map(|(name, values)| {
            let ctype = infer_type(&name, &values);
            let values = if ctype == ColumnType::Numeric {
                Values::Num(
                    values
                        .iter()
                        .map(|v| v.as_deref().and_then(parse_number).unwrap_or(f64::NAN))
                        .collect(),
                )
            } else {
                Values::Str(values)
            };
            Column {
                name,
                ctype,
                values,
            }
        })
        .collect();
    Ok(Parsed {
        table: Table::new(columns),
        rejected,
        delimiter: delimiter as char,
        encoding,
    })
}

/// Writes a table as UTF-8 CSV with a header; missing cells are empty.
pub fn write_csv(table: &Table) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(table.columns.iter().map(|c| c.name.as_str()));
    for r in 0..table.rows() {
        let _ = w.write_record(
            table
                .columns
                .iter()
                .map(|c| c.values.text(r).unwrap_or_default()),
        );
    }
    w.into_inner().unwrap_or_default()
}

fn decode(bytes: &[u8]) -> std::result::Result<(Vec<u8>, String), String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok((rest.to_vec(), "utf-8 (BOM)".into()));
    }
    let utf16 = |rest: &[u8], le: bool, name: &str| {
        if !rest.len().is_multiple_of(2) {
            return Err(format!("{name} text has an odd number of bytes"));
        }
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let s: std::result::Result<String, _> = char::decode_utf16(units).collect();
        s.map(|s| (s.into_bytes(), format!("{name} (BOM)")))
            .map_err(|_| format!("invalid {name} text"))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true, "utf-16le");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false, "utf-16be");
    }
    Ok((bytes.to_vec(), "utf-8".into()))
}

/// Picks the candidate delimiter that appears most consistently (outside quotes) in the first lines.
fn sniff_delimiter(text: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let sample = &text[..text.len().min(64 * 1024)];
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut current = [0usize; 4];
    let mut in_quotes = false;
    for &b in sample {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                counts.push(current);
                current = [0; 4];
                if counts.len() >= 50 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    current[i] += 1;
                }
            }
            _ => {}
        }
    }
    if current.iter().any(|&c| c > 0) {
        counts.push(current);
    }
    let score = |i: usize| -> (usize, usize) {
        let first = counts.first().map_or(0, |c| c[i]);
        let consistent = counts.iter().filter(|c| c[i] == first && first > 0).count();
        (consistent, first)
    };
    (0..4)
        .max_by_key(|&i| (score(i), std::cmp::Reverse(i)))
        .map_or(b',', |i| CANDIDATES[i])
}

fn header_fields(record: &csv::ByteRecord, file: &str, line: u64) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        let field = Some(format!("#{}", i + 1));
        let name = std::str::from_utf8(raw)
            .map_err(|_| Error::Csv {
                file: file.into(),
                line,
                field: field.clone(),
                message: "header name is not valid UTF-8".into(),
            })?
            .trim()
            .to_string();
        if name.is_empty() {
            return Err(Error::Csv {
                file: file.into(),
                line,
                field,
                message: "header name is empty".into(),
            });
        }
        if names.contains(&name) {
            return Err(Error::Csv {
                file: file.into(),
                line,
                field: Some(name),
                message: "duplicate header name".into(),
            });
        }
        names.push(name);
    }
    Ok(names)
}

fn decode_row<'a>(
    record: &'a csv::ByteRecord,
    header: &[String],
) -> std::result::Result<Vec<&'a str>, String> {
    record
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            std::str::from_utf8(raw)
                .map_err(|_| format!("field '{}' is not valid UTF-8", header[i]))
        })
        .collect()
}

/// Parses a plain decimal number. Codes with leading zeros ("007", "02139"), signs like "+1",
/// and words like "inf" or "nan" are not numbers.
pub fn parse_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let first = digits.chars().next()?;
    if !(first.is_ascii_digit() || first == '.') {
        return None;
    }
    let b = digits.as_bytes();
    if b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Parses `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time, into (year, month, day).
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let date = s.split([' ', 'T']).next()?;
    let mut parts = date.split(['-', '/']);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || d.is_empty()
        || d.len() > 2
    {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]).then_some((y, m, d))
}

/// Header names (lower-case, ASCII letters only compared) that name a direct identifier.
const IDENTIFIER_HEADERS: &[&str] = &[
    "name",
    "patientname",
    "fullname",
    "firstname",
    "lastname",
    "surname",
    "givenname",
    "familyname",
    "mrn",
    "medicalrecordnumber",
    "recordnumber",
    "patientid",
    "id",
    "ssn",
    "socialsecuritynumber",
    "phone",
    "phonenumber",
    "telephone",
    "mobile",
    "cell",
    "fax",
    "email",
    "emailaddress",
    "address",
    "streetaddress",
    "street",
    "姓名",
    "身份证号",
    "身份证",
    "电话",
    "手机",
    "手机号",
    "住址",
    "地址",
    "病历号",
];

/// Normalizes a header for matching: lower-case, without spaces, `_`, `-` and `.`.
pub fn normalize_header(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Is this header the name of a direct identifier?
pub fn is_identifier_header(name: &str) -> bool {
    IDENTIFIER_HEADERS.contains(&normalize_header(name).as_str())
}

/// Infers a column's type from its header and present values.
pub fn infer_type(name: &str, values: &[Option<String>]) -> ColumnType {
    if is_identifier_header(name) {
        return ColumnType::Identifier;
    }
    let present: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    if present.is_empty() {
        return ColumnType::Categorical;
    }
    if present.iter().all(|s| parse_number(s).is_some()) {
        return ColumnType::Numeric;
    }
    if present.iter().all(|s| parse_date(s).is_some()) {
        return ColumnType::Date;
    }
    let n = present.len();
    let avg_len = present.iter().map(|s| s.chars().count()).sum::<usize>() as f64 / n as f64;
    let with_spaces = present.iter().filter(|s| s.contains(' ')).count() as f64 / n as f64;
    if avg_len > 20.0 && with_spaces > 0.5 {
        return ColumnType::Text;
    }
    let mut distinct: Vec<&str> = present.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if n >= 20 && distinct.len() == n {
        return ColumnType::Identifier;
    }
    ColumnType::Categorical
}
