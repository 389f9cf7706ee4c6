//! `truncate`: keep the first characters of a code (ZIP 02139 → "021**").

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};

/// `{"op": "truncate", "column": "zip", "keep": 3}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Truncate {
    pub column: String,
    pub keep: usize,
}

/// `v` cut to its first `keep` characters, padded with `*` to its length.
pub fn truncated(v: &str, keep: usize) -> String {
    let n = v.chars().count();
    let kept: String = v.chars().take(keep).collect();
    kept + &"*".repeat(n.saturating_sub(keep))
}

impl Op for Truncate {
    fn masks_identifiers(&self) -> bool {
        false
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
        if self.keep == 0 {
            return Err((
                "keep",
                "must be at least 1 (use drop to remove the column)".into(),
            ));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![("column", self.column.as_str())]
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut cells = 0;
        let out = super::texts(table, &self.column)
            .into_iter()
            .map(|v| {
                v.map(|v| {
                    if v.chars().count() > self.keep {
                        cells += 1;
                    }
                    truncated(&v, self.keep)
                })
            })
            .collect();
        super::set_text(table, &self.column, out, ColumnType::Categorical);
        Ok(Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: crate::message::op_truncate(self.keep),
            ..Effect::default()
        })
    }
}

impl Describe for Truncate {
    const DOC: &'static str = "Keeps the first characters of values and pads the rest with *.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("column", Ty::Column, "the column to truncate"),
            Arg::req("keep", Ty::Integer, "characters kept at the start"),
        ]
    }
    fn example() -> Self {
        Truncate {
            column: "zip".into(),
            keep: 3,
        }
    }
}

impl crate::privacy::Secrets for Truncate {
    /// No argument of `Truncate` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
