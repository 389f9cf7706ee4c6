//! `truncate`: keep the first characters of a code (ZIP 02139 → "021**").

use crate::privacy::{ArgError, Effect};
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};

/// `{"op": "truncate", "column": "zip", "keep": 3}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Truncate {
    pub column: String,
    pub keep: usize,
}

impl Truncate {
    pub fn check(&self) -> Result<(), ArgError> {
        if self.keep == 0 {
            return Err((
                "keep",
                "must be at least 1 (use drop to remove the column)".into(),
            ));
        }
        Ok(())
    }

    pub fn apply(&self, table: &mut Table) -> Effect {
        let Some(col) = table.column_mut(&self.column) else {
            return Effect::default();
        };
        let mut cells = 0;
        let out = (0..col.values.len())
            .map(|r| {
                col.values.text(r).map(|v| {
                    let n = v.chars().count();
                    if n > self.keep {
                        cells += 1;
                    }
                    let kept: String = v.chars().take(self.keep).collect();
                    kept + &"*".repeat(n.saturating_sub(self.keep))
                })
            })
            .collect();
        col.values = Values::Str(out);
        col.ctype = ColumnType::Categorical;
        Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: format!("kept the first {} character(s)", self.keep),
        }
    }
}
