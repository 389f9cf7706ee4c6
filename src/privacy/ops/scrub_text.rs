//! `scrub_text`: remove identifiers from free-text columns (see `privacy::text` for what is
//! found): pattern matches, titles + names, and the values of the identifier columns — the same
//! row's values anywhere in the text, and words of any row's values. Identifier columns are those
//! with the role identifier or detected as direct identifiers, plus any named in `identifiers`;
//! their values are read from the input before any privacy step, so dropping a name column first
//! does not weaken scrubbing.

use crate::privacy::text::{identifier_tokens, scrub};
use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};

/// `{"op": "scrub_text", "columns": ["note"], "identifiers": ["name", "mrn"]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrubText {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<String>>,
}

impl Op for ScrubText {
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
        true
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)?;
        if let Some(ids) = &self.identifiers {
            if let Some(c) = ids.iter().find(|c| self.columns.contains(c)) {
                return Err(("identifiers", format!("'{c}' is also a scrubbed column")));
            }
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn output_type(&self, t: ColumnType) -> Option<ColumnType> {
        Some(t)
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut id_cols: Vec<&str> = ctx.identifiers.iter().map(String::as_str).collect();
        for c in self.identifiers.iter().flatten() {
            if ctx.original.column(c).is_none() {
                return Err(("identifiers", format!("no such column '{c}' in the data")));
            }
            if !id_cols.contains(&c.as_str()) {
                id_cols.push(c);
            }
        }
        id_cols.retain(|c| !self.columns.iter().any(|s| s == c));
        let id_values: Vec<Vec<Option<String>>> = id_cols
            .iter()
            .map(|c| super::texts(ctx.original, c))
            .collect();
        let tokens = identifier_tokens(id_values.iter().flatten().flatten().map(String::as_str));
        let mut cells = 0;
        let mut found = 0;
        for name in &self.columns {
            let ctype = table.column(name).map_or(ColumnType::Text, |c| c.ctype);
            let out = super::texts(table, name)
                .into_iter()
                .enumerate()
                .map(|(r, v)| {
                    v.map(|v| {
                        let orig = ctx.row_map.get(r).copied().unwrap_or(r);
                        let same_row: Vec<String> = id_values
                            .iter()
                            .filter_map(|c| c.get(orig).cloned().flatten())
                            .collect();
                        let (s, n) = scrub(&v, &same_row, Some(&tokens));
                        if n > 0 {
                            cells += 1;
                            found += n;
                        }
                        s
                    })
                })
                .collect();
            let ctype = if ctype == ColumnType::Identifier {
                ColumnType::Text
            } else {
                ctype
            };
            super::set_text(table, name, out, ctype);
        }
        Ok(Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: format!(
                "{found} identifier(s) removed from {cells} text cell(s), using {} identifier column(s)",
                id_cols.len()
            ),
            ..Effect::default()
        })
    }
}

impl Describe for ScrubText {
    const DOC: &'static str = "Removes identifiers (the row's own identifier values, phone numbers, emails, dates, ...) from free text.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the free-text columns to scrub"),
            Arg::opt(
                "identifiers",
                Ty::Columns,
                "more columns whose same-row values are removed (identifier columns always are)",
            ),
        ]
    }
    fn example() -> Self {
        ScrubText {
            columns: vec!["note".into()],
            identifiers: None,
        }
    }
}
