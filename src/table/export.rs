//! Exports of a table: UTF-8 CSV (optionally with a byte-order mark, so that Excel reads it as
//! UTF-8), .xlsx (`rust_xlsxwriter`, pure Rust) and Parquet ([`super::parquet::write_parquet`]).
//! Every text cell of the formats a spreadsheet opens (CSV, .xlsx) goes through the one formula
//! rule ([`super::csv::safe_cell`], invariant 7), and the cells it changed are counted so that
//! the caller reports them; Parquet cells are typed, nothing executes them, and they are written
//! as they are.

use super::csv::{safe_cell, write_csv_counted};
use super::{format_number, Table, Values};
use crate::error::{Error, Result};
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

/// The message for a table too large for one .xlsx sheet.
pub fn too_large_for_xlsx(rows: usize, columns: usize) -> String {
    format!(
        "the table ({rows} rows × {columns} columns) does not fit an .xlsx sheet ({XLSX_MAX_ROWS} \
         rows × {XLSX_MAX_COLUMNS} columns at most); export CSV instead"
    )
}

/// The table's bytes in `format`, and how many cells the formula rule changed.
pub fn export(table: &Table, format: ExportFormat) -> Result<(Vec<u8>, usize)> {
    match format {
        ExportFormat::Csv => Ok(write_csv_counted(table)),
        ExportFormat::CsvBom => {
            let (csv, n) = write_csv_counted(table);
            Ok(([UTF8_BOM, &csv].concat(), n))
        }
        ExportFormat::Xlsx => write_xlsx(table),
        ExportFormat::Parquet => Ok((super::parquet::write_parquet(table)?, 0)),
    }
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
