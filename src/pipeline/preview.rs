//! A quick look at what the privacy steps do, for the page as the user edits them.

use super::stage::{apply_privacy, role_columns};
use crate::error::Result;
use crate::privacy::risk;
use crate::recipe::{Recipe, Role};
use crate::report::AuditEntry;
use crate::table::Table;

/// A quick look at what the privacy steps do: risk before and after, the first rows before and
/// after, the audit entries. The page calls this as the user edits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preview {
    pub quasi_identifiers: Vec<String>,
    pub before: risk::Measures,
    pub after: risk::Measures,
    pub suppressed_rows: usize,
    pub original_columns: Vec<String>,
    pub original_rows: Vec<Vec<Option<String>>>,
    pub masked_columns: Vec<String>,
    pub masked_rows: Vec<Vec<Option<String>>>,
    pub audit: Vec<AuditEntry>,
}

/// The first `rows` rows of `table`, as text.
fn head(table: &Table, rows: usize) -> Vec<Vec<Option<String>>> {
    (0..rows.min(table.rows()))
        .map(|r| table.columns.iter().map(|c| c.values.text(r)).collect())
        .collect()
}

/// Applies the privacy steps and summarizes them (see [`Preview`]); `rows` rows are shown.
pub fn preview(table: &Table, recipe: &Recipe, key: &[u8], rows: usize) -> Result<Preview> {
    let masked = apply_privacy(table, recipe, key, &mut |_, _| Ok(()))?;
    let quasi = role_columns(recipe, table, Role::Quasi);
    let sensitive = role_columns(recipe, table, Role::Sensitive);
    let sensitive = sensitive.first().map(String::as_str);
    // The original rows shown are those of the first masked rows, so both sides line up.
    let shown: Vec<usize> = masked.row_map.iter().take(rows).copied().collect();
    Ok(Preview {
        before: risk::measure_with(table, &quasi, sensitive, &recipe.risk),
        after: risk::measure_with(
            &masked.table,
            &quasi,
            sensitive.filter(|s| masked.table.column(s).is_some()),
            &recipe.risk,
        ),
        quasi_identifiers: quasi,
        suppressed_rows: masked.suppressed_rows,
        original_columns: table.names(),
        original_rows: head(&table.take_rows(&shown), rows),
        masked_columns: masked.table.names(),
        masked_rows: head(&masked.table, rows),
        audit: masked.audit,
    })
}
