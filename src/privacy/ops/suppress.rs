//! `suppress`: blank cells, or drop whole records, that make people stand out.
//!
//! Which records: those whose combination of values over `columns` is shared by fewer than `k`
//! records (local suppression of rare combinations), and/or those holding one of `values` in
//! any of `columns`. With `records: false` (default) their cells in `columns` become missing;
//! with `records: true` the records are removed, counted in `privacy.suppressed_rows` and in the
//! audit trail.

use crate::privacy::risk::class_ids;
use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;

/// `{"op": "suppress", "columns": ["age", "zip"], "k": 5, "records": true}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppress {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(default)]
    pub records: bool,
}

impl Op for Suppress {
    fn replay(&self) -> Replay {
        if self.records {
            Replay::TrainingRecordsOnly
        } else if self.k.is_some() {
            Replay::Refused("depends on the whole training file (class sizes)")
        } else {
            Replay::Replayed
        }
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
        super::non_empty(&self.columns)?;
        match (&self.k, &self.values) {
            (None, None) => Err(("k", "give k (rare combinations) and/or values".into())),
            (Some(k), _) if *k < 2 => Err(("k", format!("must be at least 2, got {k}"))),
            (_, Some(v)) if v.is_empty() => Err(("values", "names no value".into())),
            _ => Ok(()),
        }
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let n = table.rows();
        let mut hit = vec![false; n];
        if let Some(k) = self.k {
            let (ids, sizes) = class_ids(table, &self.columns);
            for r in 0..n {
                hit[r] |= sizes[ids[r]] < k;
            }
        }
        if let Some(values) = &self.values {
            let set: HashSet<&str> = values.iter().map(String::as_str).collect();
            for c in &self.columns {
                for (r, v) in super::texts(table, c).iter().enumerate() {
                    hit[r] |= v.as_deref().is_some_and(|v| set.contains(v));
                }
            }
        }
        let count = hit.iter().filter(|&&h| h).count();
        if self.records {
            let kept: Vec<usize> = (0..n).filter(|&r| !hit[r]).collect();
            *table = table.take_rows(&kept);
            return Ok(Effect {
                rows_affected: count,
                cells_affected: count * table.columns.len(),
                note: crate::message::op_suppress_records(count),
                kept_rows: Some(kept),
                ..Effect::default()
            });
        }
        let mut cells = 0;
        for c in &self.columns {
            if let Some(col) = table.column_mut(c) {
                for (r, &h) in hit.iter().enumerate() {
                    if !h || col.values.is_missing(r) {
                        continue;
                    }
                    cells += 1;
                    match &mut col.values {
                        Values::Num(v) => std::sync::Arc::make_mut(v)[r] = f64::NAN,
                        Values::Str(v) => std::sync::Arc::make_mut(v)[r] = None,
                    }
                }
            }
        }
        Ok(Effect {
            rows_affected: count,
            cells_affected: cells,
            note: crate::message::op_suppress_cells(cells, count),
            ..Effect::default()
        })
    }
}

impl Describe for Suppress {
    const DOC: &'static str = "Removes rare combinations (fewer than k records) or given values, as cells or whole records.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "columns",
                Ty::Columns,
                "the columns whose combinations are counted",
            ),
            Arg::opt(
                "k",
                Ty::Integer,
                "combinations with fewer records are suppressed",
            ),
            Arg::opt(
                "values",
                Ty::List(Box::new(Ty::String)),
                "values to suppress wherever they occur",
            )
            .data(),
            Arg::def(
                "records",
                Ty::Boolean,
                json!(false),
                "remove the whole record instead of the cells",
            ),
        ]
    }
    fn example() -> Self {
        Suppress {
            columns: vec!["age".into(), "sex".into()],
            k: Some(2),
            values: None,
            records: true,
        }
    }
}

impl crate::privacy::Secrets for Suppress {
    /// No argument of `Suppress` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
