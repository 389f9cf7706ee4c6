//! Stata `.dta` files through the `dta` crate (pure Rust, every release 102–119, builds for
//! wasm32). Releases 118 and 119 store UTF-8 text; earlier releases have no declared encoding:
//! their text is read as UTF-8 when all of it is valid UTF-8 (files written by other programs
//! often are), otherwise as Windows-1252 (Stata's own), unless `--encoding` says otherwise.

use super::{chosen_encoding, code_text, encoding_info, Cells, Dataset, Display, Var};
use crate::error::{Error, Result};
use crate::table::csv::CsvOptions;
#[cfg(test)]
use dta::stata::dta::dta_error::Section;
use dta::stata::dta::dta_error::{DtaError, FormatErrorKind};
use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::long_string_table::LongStringTable;
use dta::stata::dta::value::Value;
use dta::stata::dta::value_label_table::ValueLabelTable;
use dta::stata::dta::variable_type::VariableType;
use dta::stata::missing_value::MissingValue;
use std::io::Cursor;

/// Does the file start like a binary (pre-117) `.dta`: a release byte 104–116, a byte order
/// (1 = big-endian, 2 = little-endian), file type 1 and a zero byte?
pub fn is_binary_dta(head: &[u8]) -> bool {
    head.len() >= 4
        && (104..=116).contains(&head[0])
        && matches!(head[1], 1 | 2)
        && head[2] == 1
        && head[3] == 0
}

/// The value Stata stores in a value-label table for the extended missing value `.a` (then
/// `.b` = this + 1, ... `.z`).
const LABEL_MISSING_A: i32 = 2_147_483_621;

/// Reads a `.dta` file.
pub(crate) fn read(bytes: &[u8], file: &str, opts: &CsvOptions) -> Result<Dataset> {
    check_lengths(bytes).map_err(|(at, what)| {
        super::corrupt(
            file,
            &format!("Stata .dta file: {what}"),
            at,
            "the file ends before it, or its stated length goes past the end of the file \
             (damaged or truncated file)",
        )
    })?;
    let fail = |(e, record): Failure| error(file, e, record);
    if let Some(chosen) = chosen_encoding(opts, file)? {
        return read_with(bytes, Some(chosen), "override").map_err(fail);
    }
    let old = match bytes.first() {
        Some(b'<') => bytes.starts_with(b"<stata_dta><header><release>117<"),
        Some(&release) => release < 118,
        None => false,
    };
    if !old {
        return read_with(bytes, None, "format").map_err(fail);
    }
    // No declared encoding: UTF-8 when all the text is, else Stata's own Windows-1252.
    match read_with(bytes, Some(encoding_rs::UTF_8), "detected") {
        Err((e, _)) if is_encoding_error(&e) => {
            read_with(bytes, Some(encoding_rs::WINDOWS_1252), "detected").map_err(fail)
        }
        other => other.map_err(fail),
    }
}

fn is_encoding_error(e: &DtaError) -> bool {
    matches!(e, DtaError::Format(f) if matches!(f.kind(), FormatErrorKind::InvalidEncoding { .. }))
}

/// The byte order of a file: little-endian?
fn u32_at(bytes: &[u8], at: usize, le: bool) -> Option<u64> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u64::from(if le {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    }))
}

fn u64_at(bytes: &[u8], at: usize, le: bool) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(if le {
        u64::from_le_bytes(b)
    } else {
        u64::from_be_bytes(b)
    })
}

/// Walks the parts of the file whose lengths the file itself states (characteristics, strLs,
/// value-label tables) and checks that each fits in the file, before the `dta` crate reads
/// them: it allocates a stated length before reading it, so a damaged length of 4 GB would
/// exhaust the memory (in the browser, end the worker). Returns the offset and the part at
/// fault. Releases before 113 are refused (their layouts are not walked here).
fn check_lengths(bytes: &[u8]) -> std::result::Result<(), (usize, &'static str)> {
    let size = bytes.len() as u64;
    let fits = |at: usize,
                len: Option<u64>,
                what: &'static str|
     -> std::result::Result<usize, (usize, &'static str)> {
        match len {
            Some(len) if (at as u64).saturating_add(len) <= size => Ok(at + len as usize),
            _ => Err((at, what)),
        }
    };
    if bytes.starts_with(b"<stata_dta>") {
        let release = bytes.get(28..31).unwrap_or_default();
        let le = bytes.windows(15).take(200).any(|w| w == b"<byteorder>LSF<");
        let Some(map) = bytes.windows(5).position(|w| w == b"<map>") else {
            return Err((0, "section map"));
        };
        let offset = |k: usize| u64_at(bytes, map + 5 + 8 * k, le).map(|o| o.min(size) as usize);
        let (Some(ch), Some(strls), Some(labels), Some(end)) =
            (offset(8), offset(10), offset(11), offset(12))
        else {
            return Err((map, "section map"));
        };
        // Characteristics: <ch> length bytes </ch> ... </characteristics>.
        let mut at = ch + b"<characteristics>".len();
        while bytes.get(at..at + 4) == Some(b"<ch>") {
            let len = u32_at(bytes, at + 4, le);
            at = fits(at + 8, len, "characteristic")? + b"</ch>".len();
        }
        // strLs: GSO v o t length bytes.
        let o_width = if release == b"117" { 4 } else { 8 };
        at = strls + b"<strls>".len();
        while bytes.get(at..at + 3) == Some(b"GSO") {
            let len_at = at + 3 + 4 + o_width + 1;
            let len = u32_at(bytes, len_at, le);
            at = fits(len_at + 4, len, "strL")?;
        }
        // Value labels: <lbl> length name padding table </lbl>.
        let name = if release == b"117" { 33 } else { 129 };
        at = labels + b"<value_labels>".len();
        while at < end && bytes.get(at..at + 5) == Some(b"<lbl>") {
            let len = u32_at(bytes, at + 5, le);
            at = fits(at + 9 + name + 3, len, "value-label table")? + b"</lbl>".len();
        }
        return Ok(());
    }
    let release = bytes.first().copied().unwrap_or(0);
    if !(113..=116).contains(&release) {
        return Err((
            0,
            "release (Stata releases before 113, Stata 8, are not read)",
        ));
    }
    let le = bytes.get(1) == Some(&2);
    let u16_at = |at: usize| -> Option<u64> {
        let b: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
        Some(u64::from(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }))
    };
    let k = u16_at(4).ok_or((4, "variable count"))? as usize;
    let n = u32_at(bytes, 6, le).ok_or((6, "observation count"))?;
    let types = bytes.get(109..109 + k).ok_or((109, "variable types"))?;
    let format_len = if release == 113 { 12 } else { 49 };
    let mut at = 109 + k + 33 * k + 2 * (k + 1) + format_len * k + 33 * k + 81 * k;
    // Expansion fields: type byte, length, data; ended by type 0 and length 0.
    loop {
        let kind = *bytes.get(at).ok_or((at, "expansion field"))?;
        let len = u32_at(bytes, at + 1, le);
        if kind == 0 && len == Some(0) {
            at += 5;
            break;
        }
        at = fits(at + 5, len, "expansion field")?;
    }
    let width: u64 = types
        .iter()
        .map(|&t| match t {
            1..=244 => u64::from(t),
            251 => 1,
            252 => 2,
            253 | 254 => 4,
            _ => 8,
        })
        .sum();
    at = fits(at, width.checked_mul(n), "data")?;
    // Value-label tables to the end: length, name (33), padding (3), table.
    while at < bytes.len() {
        let len = u32_at(bytes, at, le);
        at = fits(at + 4 + 33 + 3, len, "value-label table")?;
    }
    Ok(())
}

/// A reader error as the user sees it: the file, the section, the byte offset, the record.
fn error(file: &str, e: DtaError, record: Option<u64>) -> Error {
    let at = match record {
        Some(r) => format!(" (record {r})"),
        None => String::new(),
    };
    let message = match &e {
        DtaError::Format(f) => format!(
            "not a readable Stata .dta file: {} section at byte {}{at}: {}",
            f.section(),
            f.position(),
            f.kind()
        ),
        DtaError::Io { section, source } => {
            if source.kind() == std::io::ErrorKind::UnexpectedEof {
                format!(
                    "the Stata .dta file is truncated: it ends inside the {section} section{at}"
                )
            } else {
                format!("cannot read the Stata .dta file: {section} section{at}: {source}")
            }
        }
        other => format!("not a readable Stata .dta file{at}: {other}"),
    };
    Error::Input {
        file: file.to_string(),
        message,
    }
}

/// A cell before strL references are resolved.
enum Raw {
    Num(f64, Option<String>),
    Text(Option<String>),
    LongString(dta::stata::dta::long_string_ref::LongStringRef),
}

type Failure = (DtaError, Option<u64>);

fn read_with(
    bytes: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
    source: &str,
) -> std::result::Result<Dataset, Failure> {
    let mut reader = DtaReader::new();
    if let Some(e) = encoding {
        reader = reader.encoding(e);
    }
    let no_record = |e: DtaError| (e, None);
    let schema_reader = reader
        .from_reader(Cursor::new(bytes))
        .read_header()
        .map_err(no_record)?;
    let mut characteristics = schema_reader.read_schema().map_err(no_record)?;
    characteristics.skip_to_end().map_err(no_record)?;
    let mut records = characteristics.into_record_reader().map_err(no_record)?;
    let schema = records.schema().clone();
    let used = records.encoding();
    let width = schema.variables().len();
    let mut columns: Vec<Vec<Raw>> = (0..width).map(|_| Vec::new()).collect();
    let mut rows = 0u64;
    loop {
        let record = records.read_record().map_err(|e| (e, Some(rows + 1)))?;
        let Some(record) = record else { break };
        for (j, value) in record.values().iter().enumerate().take(width) {
            columns[j].push(match value {
                Value::Byte(v) => num(v.present().map(f64::from), missing(v)),
                Value::Int(v) => num(v.present().map(f64::from), missing(v)),
                Value::Long(v) => num(v.present().map(f64::from), missing(v)),
                Value::Float(v) => num(v.present().map(f64::from), missing(v)),
                Value::Double(v) => num(v.present(), missing(v)),
                Value::String(s) => Raw::Text(Some(s.trim_end_matches('\0').to_string())),
                Value::LongStringRef(r) => Raw::LongString(*r),
            });
        }
        rows += 1;
    }
    let mut strls = LongStringTable::for_reading();
    let mut long_strings = records.into_long_string_reader().map_err(no_record)?;
    long_strings
        .read_remaining_into(&mut strls)
        .map_err(no_record)?;
    let mut value_labels = long_strings.into_value_label_reader().map_err(no_record)?;
    let mut sets = ValueLabelTable::new();
    value_labels
        .read_remaining_into(&mut sets)
        .map_err(no_record)?;

    let mut vars = Vec::with_capacity(width);
    for (variable, raw) in schema.variables().iter().zip(columns) {
        let labels: Vec<(String, String)> = if variable.value_label_name().is_empty() {
            Vec::new()
        } else {
            sets.get(variable.value_label_name())
                .map(|set| {
                    set.entries()
                        .iter()
                        .map(|e| (label_code(e.value()), e.label().to_string()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let cells = if matches!(
            variable.variable_type(),
            VariableType::FixedString(_) | VariableType::LongString
        ) {
            Cells::Str {
                codes: Vec::new(),
                values: raw
                    .into_iter()
                    .map(|c| match c {
                        Raw::Text(t) => t,
                        Raw::LongString(r) => strls.get(&r).map(|s| {
                            used.decode_without_bom_handling(s.data())
                                .0
                                .trim_end_matches('\0')
                                .to_string()
                        }),
                        Raw::Num(..) => None,
                    })
                    .collect(),
            }
        } else {
            let mut values = Vec::with_capacity(raw.len());
            let mut codes = Vec::new();
            for (row, c) in raw.into_iter().enumerate() {
                match c {
                    Raw::Num(x, code) => {
                        values.push(x);
                        if let Some(code) = code {
                            codes.push((row, code));
                        }
                    }
                    _ => values.push(f64::NAN),
                }
            }
            Cells::Num {
                values,
                codes,
                single: variable.variable_type() == VariableType::Float,
            }
        };
        let (display, cells) = match (period(variable.format()), cells) {
            (
                Some(per),
                Cells::Num {
                    values,
                    codes,
                    single,
                },
            ) => (
                Display::Date(variable.format().to_string()),
                Cells::Num {
                    values: values.into_iter().map(|x| period_start(per, x)).collect(),
                    codes,
                    single,
                },
            ),
            (_, cells) => (display(variable.format(), &cells), cells),
        };
        let cells = super::from_1960(&display, cells, 1000.0);
        vars.push(Var {
            name: variable.name().to_string(),
            label: variable.label().to_string(),
            display,
            value_labels: labels,
            cells,
        });
    }
    Ok(Dataset {
        format: "dta",
        vars,
        rows: rows as usize,
        encoding: encoding_info(used.name(), source),
    })
}

/// A value-label code as text: the number, or `.a`–`.z` for an extended missing value.
fn label_code(value: i32) -> String {
    if (LABEL_MISSING_A..LABEL_MISSING_A + 26).contains(&value) {
        format!(".{}", (b'a' + (value - LABEL_MISSING_A) as u8) as char)
    } else {
        code_text(f64::from(value))
    }
}

fn num(x: Option<f64>, code: Option<MissingValue>) -> Raw {
    match x {
        Some(x) => Raw::Num(x, None),
        None => Raw::Num(
            f64::NAN,
            code.filter(|m| *m != MissingValue::System)
                .map(|m| m.to_string()),
        ),
    }
}

/// The missing value of a Stata number, if it is one.
fn missing<T: StataMissing>(v: &T) -> Option<MissingValue> {
    v.missing_value()
}

trait StataMissing {
    fn missing_value(&self) -> Option<MissingValue>;
}

macro_rules! stata_missing {
    ($($t:path),*) => {$(
        impl StataMissing for $t {
            fn missing_value(&self) -> Option<MissingValue> {
                match self {
                    Self::Missing(m) => Some(*m),
                    _ => None,
                }
            }
        }
    )*};
}

stata_missing!(
    dta::stata::stata_byte::StataByte,
    dta::stata::stata_int::StataInt,
    dta::stata::stata_long::StataLong,
    dta::stata::stata_float::StataFloat,
    dta::stata::stata_double::StataDouble
);

/// A Stata period format: weeks, months, quarters, half-years since 1960, or a year.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Period {
    Week,
    Month,
    Quarter,
    Half,
    Year,
}

fn period(format: &str) -> Option<Period> {
    let f = format.trim_start_matches('%').trim_start_matches('-');
    Some(match f.get(..2)? {
        "tw" => Period::Week,
        "tm" => Period::Month,
        "tq" => Period::Quarter,
        "th" => Period::Half,
        "ty" => Period::Year,
        _ => return None,
    })
}

/// The first day of a period (Stata's count since 1960, or the year for `%ty`) as days since
/// 1960-01-01. Stata's week 1 starts on 1 January, each week is 7 days, and week 52 takes the
/// rest of the year. NaN and out-of-range values give NaN (missing stays missing).
fn period_start(per: Period, x: f64) -> f64 {
    if !x.is_finite() || x.abs() > 1e7 {
        return f64::NAN;
    }
    let n = x.floor() as i64;
    let (months_per, count) = match per {
        Period::Month => (1, n),
        Period::Quarter => (3, n),
        Period::Half => (6, n),
        Period::Year => (1, (n - 1960) * 12),
        Period::Week => {
            let (year, week) = (1960 + n.div_euclid(52), n.rem_euclid(52));
            let day = super::days_from_civil(year, 1, 1) + 7 * week;
            return (day - super::EPOCH_1960) as f64;
        }
    };
    let months = count * months_per;
    let (year, month) = (
        1960 + months.div_euclid(12),
        months.rem_euclid(12) as u32 + 1,
    );
    (super::days_from_civil(year, month, 1) - super::EPOCH_1960) as f64
}

/// The display kind of a numeric variable from its Stata format: `%td` (and the old `%d`) are
/// days since 1960-01-01, `%tc`/`%tC` milliseconds since then. The period formats (`%tw`,
/// `%tm`, `%tq`, `%th`, `%ty`) are turned into the first day of their period by [`period_start`]
/// before this.
fn display(format: &str, cells: &Cells) -> Display {
    if !matches!(cells, Cells::Num { .. }) {
        return Display::Plain;
    }
    let f = format.trim_start_matches('%').trim_start_matches('-');
    if f.starts_with("td") || (f.starts_with('d') && !f.starts_with("dC")) {
        Display::Date(format.to_string())
    } else if f.starts_with("tc") || f.starts_with("tC") {
        Display::DateTime(format.to_string())
    } else {
        Display::Plain
    }
}

/// The section names, for tests of error texts.
#[cfg(test)]
fn section_name(s: Section) -> String {
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_label_codes_name_extended_missing_values() {
        assert_eq!(label_code(1), "1");
        assert_eq!(label_code(LABEL_MISSING_A), ".a");
        assert_eq!(label_code(LABEL_MISSING_A + 25), ".z");
        assert_eq!(section_name(Section::Records), "records");
    }

    #[test]
    fn periods_start_on_their_first_day() {
        let day = |per, x| period_start(per, x) as i64 + super::super::EPOCH_1960;
        let ymd = |y, m, d| super::super::days_from_civil(y, m, d);
        assert_eq!(period("%tm"), Some(Period::Month));
        assert_eq!(period("%-tq"), Some(Period::Quarter));
        assert_eq!(period("%td"), None);
        assert_eq!(day(Period::Month, 779.0), ymd(2024, 12, 1));
        assert_eq!(day(Period::Month, -1.0), ymd(1959, 12, 1));
        assert_eq!(day(Period::Quarter, 259.0), ymd(2024, 10, 1));
        assert_eq!(day(Period::Half, 129.0), ymd(2024, 7, 1));
        assert_eq!(day(Period::Year, 1999.0), ymd(1999, 1, 1));
        assert_eq!(day(Period::Week, 3378.0), ymd(2024, 12, 16));
        assert_eq!(day(Period::Week, -1.0), ymd(1959, 12, 24));
        assert!(period_start(Period::Month, f64::NAN).is_nan());
    }

    #[test]
    fn binary_headers_are_recognised() {
        assert!(is_binary_dta(&[115, 2, 1, 0, 7, 0]));
        assert!(!is_binary_dta(b"id,x\n"));
    }
}
