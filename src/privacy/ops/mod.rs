//! Masking operators, one per file, each with its arguments beside it.

pub mod date;
pub mod date_shift;
pub mod deduplicate;
pub mod drop;
pub mod generalize;
pub mod hierarchy;
pub mod mask;
pub mod microaggregate;
pub mod noise;
pub mod pram;
pub mod pseudonymize;
pub mod redact;
pub mod replace_random;
pub mod scrub_text;
pub mod suppress;
pub mod truncate;

use super::ArgError;
use crate::table::{ColumnType, Table, Values};

/// Checks that a `columns` argument names at least one column, each once.
pub fn non_empty(columns: &[String]) -> Result<(), ArgError> {
    if columns.is_empty() {
        return Err(("columns", "names no column".into()));
    }
    for (i, c) in columns.iter().enumerate() {
        if columns[..i].contains(c) {
            return Err(("columns", format!("names column '{c}' twice")));
        }
    }
    Ok(())
}

/// `columns` as the (field, column) pairs of `Op::columns`.
pub fn named(columns: &[String]) -> Vec<(&'static str, &str)> {
    columns.iter().map(|c| ("columns", c.as_str())).collect()
}

/// The cells of a column as text (`None` when missing or when the column is absent).
pub fn texts(table: &Table, name: &str) -> Vec<Option<String>> {
    match table.column(name) {
        Some(c) => (0..c.values.len()).map(|r| c.values.text(r)).collect(),
        None => vec![None; table.rows()],
    }
}

/// Replaces a column's values by text cells of type `ctype`.
pub fn set_text(table: &mut Table, name: &str, values: Vec<Option<String>>, ctype: ColumnType) {
    if let Some(col) = table.column_mut(name) {
        col.values = Values::str(values);
        col.ctype = ctype;
    }
}

/// Replaces every present value of column `name` by `f(value)`, making it a text column of type
/// `ctype`; missing cells stay missing. Returns how many cells were replaced.
pub fn map_present(
    table: &mut Table,
    name: &str,
    ctype: ColumnType,
    mut f: impl FnMut(&str) -> String,
) -> usize {
    let mut cells = 0;
    let out = texts(table, name)
        .into_iter()
        .map(|v| {
            v.map(|v| {
                cells += 1;
                f(&v)
            })
        })
        .collect();
    set_text(table, name, out, ctype);
    cells
}

/// An error about a data cell: names the data row (1-based) and column, never the value.
pub fn cell_error(field: &'static str, row: usize, column: &str, what: &str) -> ArgError {
    (
        field,
        format!("data row {}, column '{column}': {what}", row + 1),
    )
}

/// Checks a probability-like argument lies in an interval.
pub fn in_range(field: &'static str, x: f64, lo: f64, hi: f64) -> Result<(), ArgError> {
    if x.is_finite() && x >= lo && x <= hi {
        Ok(())
    } else {
        Err((field, format!("must be between {lo} and {hi}, got {x}")))
    }
}

/// Types accepted by numeric-only operators.
pub const NUMERIC: &[ColumnType] = &[ColumnType::Numeric];
/// Types accepted by date operators.
pub const DATE: &[ColumnType] = &[ColumnType::Date];
