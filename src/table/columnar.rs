//! Columnar files: Parquet and Arrow IPC (file and stream). The arrow-rs code is the workspace
//! crate `bedside-columnar` (columnar/): natively this crate links it; the page's main wasm
//! module does not (it would double the module), and the page's worker turns a columnar file
//! into CSV text with the columnar crate's own wasm module, loaded only then.
//!
//! Either way the file becomes CSV text, batch by batch, read by the CSV reader's own inference,
//! so that one table gives the same types, repairs, profile and Report whatever format it came
//! in (issue 21, item 7); and [`apply_notes`], here and only here, adds what the text leaves
//! unsaid: the columns left out and the timestamps written in UTC (repairs), dictionary columns
//! as categories, the text's lines as record lines (header 1, first record 2, as in a CSV of the
//! same table) and `input.format`.

use super::csv::{CsvOptions, EncodingInfo, Parsed, Repair, Source};
use super::{ColumnType, Table, Values};
use crate::error::{Error, Result};
use crate::message;
pub use bedside_columnar::{Format as Columnar, Notes, OutColumn, OutValues};

/// The columnar format the first bytes announce, if any (`bedside_columnar::format_of`: one
/// rule for the reader and the page's worker, which asks the main module's `columnar_format`).
pub fn columnar_format(head: &[u8]) -> Option<Columnar> {
    bedside_columnar::format_of(head)
}

/// Reads the CSV text of a columnar file (already made: the page's columnar module wrote it)
/// as the file: the CSV reader's inference, then [`apply_notes`].
pub fn read_columnar_text(
    text: &mut dyn Source,
    notes: &Notes,
    file: &str,
    opts: &CsvOptions,
) -> Result<Parsed> {
    let opts = CsvOptions {
        delimiter: Some(','),
        encoding: None,
        sheet: None,
        ..opts.clone()
    };
    let mut parsed = super::csv::read_source_text(text, file, &opts, EncodingInfo::binary())?;
    apply_notes(&mut parsed, notes);
    Ok(parsed)
}

/// What the text of a columnar file leaves unsaid, added to what the CSV reader made of it.
pub fn apply_notes(parsed: &mut Parsed, notes: &Notes) {
    let mut repairs = Vec::new();
    let note = |column: &str, coded: message::Message| Repair {
        column: column.to_string(),
        lines: Vec::new(),
        count: 1,
        message: coded.to_string(),
        coded,
    };
    for (column, kind) in &notes.left_out {
        repairs.push(note(
            column,
            message::repair_unsupported_column(kind.clone()),
        ));
    }
    for (column, zone) in &notes.utc {
        repairs.push(note(column, message::repair_timestamp_utc(zone.clone())));
    }
    // CSV lines → record lines (header 1, first record 2).
    if !notes.shifts.is_empty() {
        for l in parsed.lines.iter_mut() {
            *l = notes.record_line(*l);
        }
        for r in parsed.rejected.iter_mut() {
            r.line = notes.record_line(r.line);
        }
        for r in parsed.repairs.iter_mut() {
            for l in r.lines.iter_mut() {
                *l = notes.record_line(*l);
            }
        }
    }
    // A column the file declares as a category (Arrow's dictionary type, pandas' `category`)
    // is one, unless its values single out people or are numbers or dates.
    for col in parsed.table.columns.iter_mut() {
        if col.ctype == ColumnType::Text && notes.dictionary.contains(&col.name) {
            col.ctype = ColumnType::Categorical;
        }
    }
    repairs.append(&mut parsed.repairs);
    parsed.repairs = repairs;
    if let Some(format) = notes.format {
        parsed.format = format.name().to_string();
    }
}

/// The table as columns to write to Parquet: numeric columns as numbers, categorical ones as
/// categories, a column of plain `YYYY-MM-DD` dates (every present value, at least one) as
/// dates, other columns as text.
pub fn out_columns(table: &Table) -> Vec<OutColumn> {
    table
        .columns
        .iter()
        .map(|col| OutColumn {
            name: col.name.clone(),
            values: match &col.values {
                Values::Num(v) => {
                    OutValues::Numbers(v.iter().map(|&x| (!x.is_nan()).then_some(x)).collect())
                }
                Values::Str(v) if col.ctype == ColumnType::Categorical => {
                    OutValues::Category(v.to_vec())
                }
                Values::Str(v) => match plain_dates(v) {
                    Some(days) => OutValues::Dates(days),
                    None => OutValues::Text(v.to_vec()),
                },
            },
        })
        .collect()
}

/// Days since 1970 of every value when all present values are plain `YYYY-MM-DD` dates (and at
/// least one is present).
fn plain_dates(v: &[Option<String>]) -> Option<Vec<Option<i32>>> {
    let mut any = false;
    let days = v
        .iter()
        .map(|s| match s {
            None => Some(None),
            Some(s) if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => {
                let (y, m, d) = super::values::parse_date(s)?;
                any = true;
                i32::try_from(bedside_columnar::days_from_civil(i64::from(y), m, d))
                    .ok()
                    .map(Some)
            }
            Some(_) => None,
        })
        .collect::<Option<Vec<_>>>()?;
    any.then_some(days)
}

/// The message for a columnar file given to a build without the columnar reader (the page's
/// main module: the page converts such files with its columnar module first).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn not_in_this_build(format: Columnar) -> String {
    format!(
        "this is {} {} file, which this module does not read itself: the page reads it with its \
         columnar module (not part of the single-file page); the command line reads it too",
        if format == Columnar::Parquet {
            "a"
        } else {
            "an"
        },
        format.title()
    )
}

/// Reads a Parquet or Arrow IPC file (whole, in memory) into a table, batch by batch.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_columnar(bytes: Vec<u8>, file: &str, opts: &CsvOptions) -> Result<Parsed> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let input_err = |message: String| Error::Input {
        file: file.to_string(),
        message,
    };
    let columnar = bedside_columnar::File::open(bytes).map_err(input_err)?;
    /// The file as a [`Source`] of CSV text, made batch by batch each time it is opened.
    struct CsvText {
        file: bedside_columnar::File,
        len: u64,
        /// The notes of the last text read to its end (with every line shift).
        notes: Rc<RefCell<Notes>>,
    }
    struct Reading<'a> {
        text: bedside_columnar::Text,
        notes: &'a RefCell<Notes>,
    }
    impl std::io::Read for Reading<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.text.read(out)?;
            if n == 0 && !out.is_empty() {
                *self.notes.borrow_mut() = self.text.notes().clone();
            }
            Ok(n)
        }
    }
    impl Source for CsvText {
        fn len(&self) -> u64 {
            self.len
        }
        fn open(&mut self, from: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
            use std::io::Read;
            let text = self.file.text().map_err(std::io::Error::other)?;
            let mut r = Reading {
                text,
                notes: &self.notes,
            };
            std::io::copy(&mut (&mut r).take(from), &mut std::io::sink())?;
            Ok(Box::new(r))
        }
    }
    let notes = Rc::new(RefCell::new(columnar.notes().clone()));
    let mut text = CsvText {
        file: columnar,
        len: 0,
        notes: notes.clone(),
    };
    // The text's length (the CSV reader tells an empty file by it), and every line shift.
    text.len = {
        let mut counting = text.open(0).map_err(|e| input_err(e.to_string()))?;
        std::io::copy(&mut counting, &mut std::io::sink()).map_err(|e| input_err(e.to_string()))?
    };
    let notes = notes.borrow().clone();
    read_columnar_text(&mut text, &notes, file, opts)
}

/// Without the columnar crate's reader (the page's main module): a clear error naming the file.
#[cfg(target_arch = "wasm32")]
pub fn read_columnar(bytes: Vec<u8>, file: &str, _opts: &CsvOptions) -> Result<Parsed> {
    let format = columnar_format(&bytes).unwrap_or(Columnar::Parquet);
    Err(Error::Input {
        file: file.to_string(),
        message: not_in_this_build(format),
    })
}

/// The table as a Parquet file ([`out_columns`], written by `bedside_columnar::write_parquet`).
#[cfg(not(target_arch = "wasm32"))]
pub fn write_parquet(table: &Table) -> Result<Vec<u8>> {
    bedside_columnar::write_parquet(&out_columns(table)).map_err(Error::Data)
}

/// Without the columnar crate's writer (the page's main module writes the column descriptions,
/// `wasm::masked_columns`, and the page's columnar module the file).
#[cfg(target_arch = "wasm32")]
pub fn write_parquet(_table: &Table) -> Result<Vec<u8>> {
    Err(Error::Data(
        "Parquet files are written by the page's columnar module, not by this module".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_round_trip_keeps_values_and_types() {
        let csv = "id,age,sex,seen,note\n001,34,F,2020-01-05,\"a, b\"\n002,,M,2021-12-31,x\n003,51.5,F,,\"two\nlines\"\n004,40,M,2020-02-02,y\n";
        let p =
            super::super::csv::read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default()).unwrap();
        let bytes = write_parquet(&p.table).unwrap();
        let q = read_columnar(bytes, "t.parquet", &CsvOptions::default()).unwrap();
        assert_eq!(format!("{:?}", q.table), format!("{:?}", p.table));
        assert_eq!(q.format, "parquet");
        assert_eq!(q.lines, vec![2, 3, 4, 5]);
        assert!(q.rejected.is_empty());
    }

    #[test]
    fn not_parquet_is_a_clear_error() {
        let err = read_columnar(
            b"PAR1 not really".to_vec(),
            "x.parquet",
            &CsvOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("x.parquet") && err.contains("Parquet"),
            "{err}"
        );
    }

    #[test]
    fn the_message_without_the_reader_names_the_format() {
        assert!(not_in_this_build(Columnar::ArrowFile).starts_with("this is an Arrow file"));
    }
}
