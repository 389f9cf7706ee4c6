//! Exports of a table: UTF-8 CSV (optionally with a byte-order mark, so that Excel reads it as
//! UTF-8), .xlsx (`rust_xlsxwriter`, pure Rust) and Parquet ([`super::columnar::write_parquet`]).
//! Every text cell of the formats a spreadsheet opens (CSV, .xlsx) goes through the one formula
//! rule ([`super::csv::safe_cell`], invariant 7), and the cells it changed are counted so that
//! the caller reports them; Parquet cells are typed, nothing executes them, and they are written
//! as they are.

use super::csv::{safe_cell, write_csv_after, write_csv_to};
use super::{format_number, Table, Values};
use crate::error::{Error, Result};
use serde::Serialize;
use std::borrow::Cow;

/// The UTF-8 byte-order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Rows of data an .xlsx sheet holds (below its header row).
pub const XLSX_MAX_ROWS: usize = 1_048_575;
/// Columns an .xlsx sheet holds.
pub const XLSX_MAX_COLUMNS: usize = 16_384;

/// The format of an exported table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// UTF-8 CSV.
    Csv,
    /// UTF-8 CSV starting with a byte-order mark.
    CsvBom,
    /// An Excel workbook with one sheet.
    Xlsx,
    /// A Parquet file.
    Parquet,
}

impl ExportFormat {
    /// Every format the masked table can be written in, in the order the page offers them. A
    /// new writer is one more line here (and its arms in the functions below).
    pub const ALL: &'static [ExportFormat] = &[
        ExportFormat::Csv,
        ExportFormat::CsvBom,
        ExportFormat::Xlsx,
        ExportFormat::Parquet,
    ];

    /// The format's stable name (the page's choice and `export_masked`'s argument).
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::CsvBom => "csv_bom",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Parquet => "parquet",
        }
    }

    /// The file-name extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::CsvBom => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Parquet => "parquet",
        }
    }

    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::CsvBom => "text/csv;charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Parquet => "application/vnd.apache.parquet",
        }
    }

    /// The format of a [`name`](ExportFormat::name).
    pub fn for_name(name: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The format for a file name: `.xlsx` is a workbook, `.parquet` Parquet, anything else CSV
    /// (with a BOM if `bom`).
    pub fn for_path(path: &str, bom: bool) -> ExportFormat {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".xlsx") {
            ExportFormat::Xlsx
        } else if lower.ends_with(".parquet") {
            ExportFormat::Parquet
        } else if bom {
            ExportFormat::CsvBom
        } else {
            ExportFormat::Csv
        }
    }
}

/// One format the core can write, as the page lists it (see [`formats`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormatInfo {
    pub name: &'static str,
    pub extension: &'static str,
    pub media_type: &'static str,
}

/// The formats the masked table can be exported in ([`ExportFormat::ALL`]), for the page's
/// choice.
pub fn formats() -> Vec<FormatInfo> {
    ExportFormat::ALL
        .iter()
        .map(|f| FormatInfo {
            name: f.name(),
            extension: f.extension(),
            media_type: f.media_type(),
        })
        .collect()
}

/// The message for a table too large for one .xlsx sheet.
pub fn too_large_for_xlsx(rows: usize, columns: usize) -> String {
    format!(
        "the table ({rows} rows × {columns} columns) does not fit an .xlsx sheet ({XLSX_MAX_ROWS} \
         rows × {XLSX_MAX_COLUMNS} columns at most); export CSV instead"
    )
}

/// What a CSV format writes before the table: Excel's byte-order mark for `CsvBom`.
fn csv_head(format: ExportFormat) -> &'static [u8] {
    if format == ExportFormat::CsvBom {
        UTF8_BOM
    } else {
        &[]
    }
}

/// The table's bytes in `format`, and how many cells the formula rule changed.
pub fn export(table: &Table, format: ExportFormat) -> Result<(Vec<u8>, usize)> {
    match format {
        ExportFormat::Csv | ExportFormat::CsvBom => Ok(write_csv_after(csv_head(format), table)),
        ExportFormat::Xlsx => write_xlsx(table),
        ExportFormat::Parquet => Ok((super::columnar::write_parquet(table)?, 0)),
    }
}

/// [`export`] into `sink`, whose name is `file` (for its errors): CSV in pieces as it is
/// written (a large masked table is never held whole as well as in its table), the other formats
/// built and then written. The count of cells the formula rule changed.
pub fn export_to<W: std::io::Write>(
    table: &Table,
    format: ExportFormat,
    mut sink: W,
    file: &str,
) -> Result<usize> {
    let io_err = |e: std::io::Error| crate::Error::Input {
        file: file.to_string(),
        message: format!("cannot write the file: {e}"),
    };
    let (mut sink, n) = match format {
        ExportFormat::Csv | ExportFormat::CsvBom => {
            sink.write_all(csv_head(format)).map_err(io_err)?;
            write_csv_to(table, sink).map_err(io_err)?
        }
        _ => {
            let (bytes, n) = export(table, format)?;
            sink.write_all(&bytes).map_err(io_err)?;
            (sink, n)
        }
    };
    sink.flush().map_err(io_err)?;
    Ok(n)
}

/// The table as an .xlsx workbook with one sheet named `data`: the header in row 1, numbers as
/// numbers, text (dates included, as ISO text) as text, missing cells empty.
pub fn write_xlsx(table: &Table) -> Result<(Vec<u8>, usize)> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let (rows, columns) = (table.rows(), table.columns.len());
    if rows > XLSX_MAX_ROWS || columns > XLSX_MAX_COLUMNS {
        return Err(Error::Data(too_large_for_xlsx(rows, columns)));
    }
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Data(format!("cannot write the .xlsx: {e}"));
    let mut wb = Workbook::new();
    // A fixed creation time, so that the file says nothing about when it was made.
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(fail)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = wb.add_worksheet();
    ws.set_name("data").map_err(fail)?;
    let mut neutralised = 0usize;
    let mut text = |s: &str| -> String {
        let safe = safe_cell(s);
        if matches!(safe, Cow::Owned(_)) {
            neutralised += 1;
        }
        safe.into_owned()
    };
    for (j, col) in table.columns.iter().enumerate() {
        let j = j as u16; // checked above: at most 16,384 columns
        ws.write_string(0, j, text(&col.name)).map_err(fail)?;
        match &col.values {
            Values::Num(v) => {
                for (r, &x) in v.iter().enumerate() {
                    let row = r as u32 + 1;
                    if x.is_finite() {
                        ws.write_number(row, j, x).map_err(fail)?;
                    } else if !x.is_nan() {
                        ws.write_string(row, j, text(&format_number(x)))
                            .map_err(fail)?;
                    }
                }
            }
            Values::Str(v) => {
                for (r, s) in v.iter().enumerate() {
                    if let Some(s) = s {
                        ws.write_string(r as u32 + 1, j, text(s)).map_err(fail)?;
                    }
                }
            }
        }
    }
    let bytes = wb.save_to_buffer().map_err(fail)?;
    Ok((bytes, neutralised))
}

/// The table in a CSV that [`super::csv::write_csv_counted`] wrote (the masked CSV a run gave the
/// page), read back without guessing: a column is numbers when every present cell is a number as
/// that writer prints it ([`format_number`]: `7`, `2.5`, never `07` or `7.0`), else text; empty
/// cells are missing. Writing the result as CSV gives the same bytes again, so
/// [`export_written_csv`] serves the page's formats from a run's CSV through the one [`export`].
/// Cells the writer neutralised keep their leading `'` (and are not counted again: the run's Report
/// counts them).
pub fn read_written_csv(csv: &[u8]) -> Result<Table> {
    use super::{Column, ColumnType};
    let bad = |e: csv::Error| Error::Data(format!("the masked CSV cannot be read back: {e}"));
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv);
    let names: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
    for record in reader.records() {
        let record = record.map_err(bad)?;
        for (j, column) in cells.iter_mut().enumerate() {
            let cell = record.get(j).unwrap_or_default();
            column.push((!cell.is_empty()).then(|| cell.to_string()));
        }
    }
    let number = |s: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && format_number(*x) == s)
    };
    let columns = names
        .into_iter()
        .zip(cells)
        .map(|(name, values)| {
            let numeric = values.iter().flatten().all(|s| number(s).is_some());
            if numeric {
                let v = values
                    .iter()
                    .map(|s| s.as_deref().and_then(number).unwrap_or(f64::NAN))
                    .collect();
                Column {
                    name,
                    ctype: ColumnType::Numeric,
                    values: Values::num(v),
                }
            } else {
                Column {
                    name,
                    ctype: ColumnType::Text,
                    values: Values::str(values),
                }
            }
        })
        .collect();
    Ok(Table::new(columns))
}

/// A run's masked CSV (as [`super::csv::write_csv_counted`] wrote it) exported in `format`
/// through [`export`], the function behind the command line's `--out`.
pub fn export_written_csv(csv: &[u8], format: ExportFormat) -> Result<(Vec<u8>, usize)> {
    export(&read_written_csv(csv)?, format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Column, ColumnType};

    fn table() -> Table {
        let text =
            |v: &[Option<&str>]| Values::str(v.iter().map(|s| s.map(String::from)).collect());
        Table::new(vec![
            Column {
                name: "age".into(),
                ctype: ColumnType::Numeric,
                values: Values::num(vec![41.0, f64::NAN, 2.5, -3.0]),
            },
            Column {
                name: "zip".into(),
                ctype: ColumnType::Categorical,
                values: text(&[Some("02139"), Some("7.0"), None, Some("12")]),
            },
            Column {
                name: "=note".into(),
                ctype: ColumnType::Text,
                values: text(&[
                    Some("=HYPERLINK(\"x\")"),
                    Some("a, \"b\""),
                    Some("@SUM(A1)"),
                    None,
                ]),
            },
        ])
    }

    #[test]
    fn formats_list_every_writer_once() {
        let names: Vec<&str> = formats().iter().map(|f| f.name).collect();
        assert_eq!(names, ["csv", "csv_bom", "xlsx", "parquet"]);
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::for_name(f.name()), Some(*f));
            // A file named with the format's extension is written in it (`--out`).
            let path = format!("masked.{}", f.extension());
            assert_eq!(
                ExportFormat::for_path(&path, *f == ExportFormat::CsvBom),
                *f
            );
        }
        assert_eq!(ExportFormat::for_name("ods"), None);
    }

    #[test]
    fn a_written_csv_reads_back_to_the_same_bytes_and_exports() {
        let t = table();
        let (csv, neutralised) = crate::table::csv::write_csv_counted(&t);
        assert_eq!(neutralised, 3); // the header, =HYPERLINK and @SUM
        let back = read_written_csv(&csv).unwrap();
        assert!(matches!(back.columns[0].values, Values::Num(_)));
        // "02139" and "7.0" are not numbers as the writer prints them: the column stays text.
        assert_eq!(back.columns[1].values.text(0).as_deref(), Some("02139"));
        assert!(matches!(back.columns[1].values, Values::Str(_)));
        assert_eq!(export_written_csv(&csv, ExportFormat::Csv).unwrap().0, csv);
        let (bom, _) = export_written_csv(&csv, ExportFormat::CsvBom).unwrap();
        assert_eq!(bom, [UTF8_BOM, &csv].concat());
        // The workbook holds what the CLI's workbook of the table holds.
        let (xlsx, _) = export_written_csv(&csv, ExportFormat::Xlsx).unwrap();
        let (direct, n) = export(&t, ExportFormat::Xlsx).unwrap();
        assert_eq!(n, 3);
        let read = |b: &[u8]| {
            let p =
                crate::table::spreadsheet::read_workbook(b, "m.xlsx", &Default::default()).unwrap();
            crate::table::csv::write_csv(&p.table)
        };
        assert_eq!(read(&xlsx), read(&direct));
        assert!(String::from_utf8(read(&xlsx))
            .unwrap()
            .contains("'=HYPERLINK"));
        // The Parquet file reads back to the table of the CSV: the same columns, numbers as
        // numbers, "02139" as text, missing cells missing, the neutralised cells as the CSV
        // has them.
        let (parquet, n) = export_written_csv(&csv, ExportFormat::Parquet).unwrap();
        assert_eq!(n, 0);
        assert!(parquet.starts_with(b"PAR1"));
        let got = crate::table::csv::read_csv(&parquet, "m.parquet", &Default::default())
            .unwrap()
            .table;
        assert_eq!(got.names(), back.names());
        assert_eq!(got.rows(), back.rows());
        for (a, b) in got.columns.iter().zip(&back.columns) {
            assert_eq!(
                matches!(a.values, Values::Num(_)),
                matches!(b.values, Values::Num(_)),
                "{}",
                a.name
            );
            for r in 0..got.rows() {
                assert_eq!(a.values.text(r), b.values.text(r), "{} row {r}", a.name);
            }
        }
        assert_eq!(crate::table::csv::write_csv(&got), csv);
    }
}
