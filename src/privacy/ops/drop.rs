//! `drop`: remove whole columns (names, SSNs: anything not needed downstream).

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};

/// `{"op": "drop", "columns": ["name", "ssn"]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drop {
    pub columns: Vec<String>,
}

impl Op for Drop {
    fn masks_identifiers(&self) -> bool {
        true
    }
    fn replay(&self) -> Replay {
        Replay::Replayed
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        None
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
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
        Ok(Effect {
            rows_affected: rows,
            cells_affected: cells,
            note: crate::message::op_drop(self.columns.len()),
            ..Effect::default()
        })
    }
}

impl Describe for Drop {
    const DOC: &'static str = "Removes columns from the table.";
    fn args() -> Vec<Arg> {
        vec![Arg::req("columns", Ty::Columns, "the columns to remove")]
    }
    fn example() -> Self {
        Drop {
            columns: vec!["name".into(), "mrn".into(), "phone".into(), "email".into()],
        }
    }
}

impl crate::privacy::Secrets for Drop {
    /// No argument of `Drop` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
