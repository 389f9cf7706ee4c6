//! `deduplicate`: removes records identical to an earlier one over `columns` (all columns when
//! absent), keeping the first. Run before the splits, so that no record is in the training rows
//! and its copy in the test rows (the optimism the leakage checks warn about). The count of
//! removed records is in the audit trail and in `privacy.suppressed_rows`.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// `{"op": "deduplicate", "columns": ["age", "sex", "bmi"]}`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deduplicate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

/// The audit note of a deduplication.
pub fn deduplicate_note(removed: usize, compared: usize) -> crate::message::Message {
    crate::message::op_deduplicate(removed, compared)
}

impl Op for Deduplicate {
    fn replay(&self) -> Replay {
        Replay::TrainingRecordsOnly
    }
    fn masks_identifiers(&self) -> bool {
        false
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
        match &self.columns {
            Some(c) => super::non_empty(c),
            None => Ok(()),
        }
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        self.columns.as_deref().map_or_else(Vec::new, super::named)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let cols: Vec<usize> = match &self.columns {
            Some(names) => names.iter().filter_map(|n| table.index_of(n)).collect(),
            None => (0..table.columns.len()).collect(),
        };
        let mut seen: HashSet<Vec<Option<String>>> = HashSet::with_capacity(table.rows());
        let kept: Vec<usize> = (0..table.rows())
            .filter(|&r| {
                let key: Vec<Option<String>> = cols
                    .iter()
                    .map(|&i| table.columns[i].values.text(r))
                    .collect();
                seen.insert(key)
            })
            .collect();
        let removed = table.rows() - kept.len();
        *table = table.take_rows(&kept);
        Ok(Effect {
            rows_affected: removed,
            cells_affected: removed * table.columns.len(),
            note: deduplicate_note(removed, cols.len()),
            kept_rows: Some(kept),
            ..Effect::default()
        })
    }
}

impl Describe for Deduplicate {
    const DOC: &'static str =
        "Removes records identical to an earlier one on the given columns (default: all), keeping the first.";
    fn args() -> Vec<Arg> {
        vec![Arg::opt(
            "columns",
            Ty::Columns,
            "the columns compared (default: all; leave out identifiers to find near duplicates)",
        )]
    }
    fn example() -> Self {
        Deduplicate {
            columns: Some(vec!["age".into(), "sex".into()]),
        }
    }
}

impl crate::privacy::Secrets for Deduplicate {
    /// No argument of `Deduplicate` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
