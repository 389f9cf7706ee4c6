//! Masking operators, one per file, each with its arguments beside it.

pub mod drop;
pub mod generalize;
pub mod pseudonymize;
pub mod truncate;

use super::ArgError;

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
