//! Stata `.dta` files through the `dta` crate (pure Rust, every release 102–119, builds for
//! wasm32). Releases 118 and 119 store UTF-8 text; earlier releases have no declared encoding:
//! their text is read as UTF-8 when all of it is valid UTF-8 (files written by other programs
//! often are), otherwise as Windows-1252 (Stata's own), unless `--encoding` says otherwise.

use super::{chosen_encoding, code_text, encoding_info, Cells, Dataset, Display, Var, EPOCH_1960};
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
        let display = display(variable.format(), &cells);
        let cells = match (&display, cells) {
            (
                Display::Date(_),
                Cells::Num {
                    values,
                    codes,
                    single,
                },
            ) => Cells::Num {
                values: values.iter().map(|d| d + EPOCH_1960 as f64).collect(),
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
                values: values
                    .iter()
                    .map(|ms| ms / 1000.0 + (EPOCH_1960 * 86_400) as f64)
                    .collect(),
                codes,
                single,
            },
            (_, cells) => cells,
        };
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
    if value >= LABEL_MISSING_A && value < LABEL_MISSING_A + 26 {
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

/// The display kind of a numeric variable from its Stata format: `%td` (and the old `%d`) are
/// days since 1960-01-01, `%tc`/`%tC` milliseconds since then. Other time formats (`%tw`,
/// `%tm`, `%tq`, `%th`, `%ty`) stay numbers.
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
    fn binary_headers_are_recognised() {
        assert!(is_binary_dta(&[115, 2, 1, 0, 7, 0]));
        assert!(!is_binary_dta(b"id,x\n"));
    }
}
