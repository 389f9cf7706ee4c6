//! Typed columnar table: the data every step reads and writes.

pub mod columnar;
pub mod csv;
pub mod encoding;
pub mod export;
pub mod profile;
pub mod quality;
pub mod spreadsheet;
pub mod stats;
pub mod values;
pub mod vocabulary;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A file format that is not delimited text, recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryFormat {
    /// .xlsx, .xlsm, .ods (ZIP) or .xls (OLE).
    Workbook,
    /// Stata .dta, SPSS .sav/.zsav, SAS .xpt (and .sas7bdat, refused with advice).
    Stats(stats::StatsFormat),
    /// Parquet or Arrow IPC.
    Columnar(columnar::Columnar),
}

/// The binary format a file's first bytes announce, if any.
pub fn binary_format(head: &[u8]) -> Option<BinaryFormat> {
    if let Some(c) = columnar::columnar_format(head) {
        return Some(BinaryFormat::Columnar(c));
    }
    if spreadsheet::is_workbook(head) {
        return Some(BinaryFormat::Workbook);
    }
    stats::recognise(head).map(BinaryFormat::Stats)
}

/// Reads a file of a binary format (whole, in memory) into a table.
pub(crate) fn read_binary(
    format: BinaryFormat,
    source: &mut dyn csv::Source,
    file: &str,
    opts: &csv::CsvOptions,
) -> crate::Result<csv::Parsed> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(source.len() as usize);
    source
        .open(0)
        .and_then(|mut r| r.read_to_end(&mut bytes))
        .map_err(|e| crate::Error::Input {
            file: file.to_string(),
            message: format!("cannot read the file: {e}"),
        })?;
    match format {
        BinaryFormat::Workbook => spreadsheet::read_workbook(&bytes, file, opts),
        BinaryFormat::Stats(format) => stats::read(format, &bytes, file, opts),
        BinaryFormat::Columnar(_) => columnar::read_columnar(bytes, file, opts),
    }
}

/// What a column holds, as inferred from its values and header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Every present value parses as a finite number without a leading zero.
    Numeric,
    /// A small set of repeated labels.
    Categorical,
    /// Calendar dates (ISO `YYYY-MM-DD`, `YYYY/MM/DD`, optionally with a time).
    Date,
    /// Free text (long values with spaces).
    Text,
    /// Values that single out a person: names, record numbers, phones (by header or uniqueness).
    Identifier,
}

impl ColumnType {
    /// The name used in profiles and recipes.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Numeric => "numeric",
            ColumnType::Categorical => "categorical",
            ColumnType::Date => "date",
            ColumnType::Text => "text",
            ColumnType::Identifier => "identifier",
        }
    }
}

/// Column storage: numbers (NaN = missing) or strings (`None` = missing). Shared, copy on
/// write: cloning a column or a table, or taking all of its rows in order, copies no cell, so
/// the masked table and the model inputs hold the loaded table's columns that no step changed
/// (a step that changes one gets its own copy through `Arc::make_mut`).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Num(Arc<Vec<f64>>),
    Str(Arc<Vec<Option<String>>>),
}

impl Values {
    /// Numbers (NaN = missing), without the spare capacity a reader grew them with.
    pub fn num(mut v: Vec<f64>) -> Values {
        v.shrink_to_fit();
        Values::Num(Arc::new(v))
    }

    /// Strings (`None` = missing), without spare capacity.
    pub fn str(mut v: Vec<Option<String>>) -> Values {
        v.shrink_to_fit();
        Values::Str(Arc::new(v))
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Num(v) => v.len(),
            Values::Str(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Is the cell at `row` missing?
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            Values::Num(v) => v[row].is_nan(),
            Values::Str(v) => v[row].is_none(),
        }
    }

    /// Number of missing cells.
    pub fn missing(&self) -> usize {
        (0..self.len()).filter(|&r| self.is_missing(r)).count()
    }

    /// The cell at `row` as text (`None` when missing). Numbers use Rust's shortest round-trip form.
    pub fn text(&self, row: usize) -> Option<String> {
        match self {
            Values::Num(v) => (!v[row].is_nan()).then(|| format_number(v[row])),
            Values::Str(v) => v[row].clone(),
        }
    }

    /// A column holding only `rows`, in that order: this one, shared, when `rows` are all of
    /// its rows in order.
    pub fn take(&self, rows: &[usize]) -> Values {
        if rows.len() == self.len() && rows.iter().enumerate().all(|(i, &r)| i == r) {
            return self.clone();
        }
        match self {
            Values::Num(v) => Values::num(rows.iter().map(|&r| v[r]).collect()),
            Values::Str(v) => Values::str(rows.iter().map(|&r| v[r].clone()).collect()),
        }
    }
}

/// Formats a number the way it is written back to CSV: integers without a fraction.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// One named, typed column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ctype: ColumnType,
    pub values: Values,
}

/// A table of equally long columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// Builds a table; all columns must have the same length.
    pub fn new(columns: Vec<Column>) -> Table {
        let rows = columns.first().map_or(0, |c| c.values.len());
        debug_assert!(columns.iter().all(|c| c.values.len() == rows));
        Table { columns, rows }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// About how many bytes the table's values take in memory: 8 a number; a text cell its
    /// slot (24) and, when present, its bytes rounded up to the allocator's 8 plus 8 of
    /// bookkeeping. An estimate for planning a run's memory (see `pipeline::estimate`).
    pub fn bytes(&self) -> usize {
        self.columns
            .iter()
            .map(|c| match &c.values {
                Values::Num(v) => 8 * v.len(),
                Values::Str(v) => v
                    .iter()
                    .map(|s| 24 + s.as_ref().map_or(0, |s| s.len().div_ceil(8) * 8 + 8))
                    .sum(),
            })
            .sum()
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Removes a column by name, returning it.
    pub fn remove(&mut self, name: &str) -> Option<Column> {
        let i = self.index_of(name)?;
        Some(self.columns.remove(i))
    }

    /// A new table holding only `rows` (indices into this table), in that order.
    pub fn take_rows(&self, rows: &[usize]) -> Table {
        Table {
            columns: self
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    ctype: c.ctype,
                    values: c.values.take(rows),
                })
                .collect(),
            rows: rows.len(),
        }
    }
}
