//! `drop`: remove whole columns (names, SSNs: anything not needed downstream).

use crate::privacy::Effect;
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// `{"op": "drop", "columns": ["name", "ssn"]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drop {
    pub columns: Vec<String>,
}

impl Drop {
    pub fn apply(&self, table: &mut Table) -> Effect {
        let rows = table.rows();
        let mut cells = 0;
        for c in &self.columns {
            if let Some(col) = table.remove(c) {
                cells += col.values.len() - col.values.missing();
            }
        }
        if table.columns.is_empty() {
            // keep the row count meaningful even when every column is dropped
            *table = Table::default();
        }
        Effect {
            rows_affected: rows,
            cells_affected: cells,
            note: format!("removed {} column(s)", self.columns.len()),
        }
    }
}
