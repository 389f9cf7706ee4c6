//! `microaggregate`: sort records so that similar ones are adjacent, cut them into groups of
//! `size` (the last group takes the remainder, so every group has `size` to 2·`size`−1
//! records) and replace each value by its group's mean. One column: sorted by its value. Several
//! columns: sorted by the sum of their z-scores (a projection of multivariate fixed-size
//! microaggregation; ties broken by row order). Rows missing any of the columns are left out
//! and keep their exact values in the other columns: the audit entry counts them
//! (`details.rows_left_exact`, `details.cells_left_exact` and the note), so a reviewer sees that
//! those cells are not aggregated (impute first, or drop or suppress them, to aggregate every
//! value).

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};

/// `{"op": "microaggregate", "columns": ["age", "bmi"], "size": 3}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Microaggregate {
    pub columns: Vec<String>,
    pub size: usize,
    /// Round the means to this many decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u32>,
}

fn nums(table: &Table, name: &str) -> Vec<f64> {
    match table.column(name).map(|c| &c.values) {
        Some(Values::Num(v)) => v.to_vec(),
        _ => vec![f64::NAN; table.rows()],
    }
}

impl Op for Microaggregate {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Refused(
            "depends on the whole training file (groups and levels chosen over all records)",
        )
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
        if self.size < 2 {
            return Err(("size", format!("must be at least 2, got {}", self.size)));
        }
        if self.decimals.is_some_and(|d| d > 10) {
            return Err(("decimals", "must be at most 10".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn accepts(&self, _: &str) -> Option<&'static [ColumnType]> {
        Some(super::NUMERIC)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let cols: Vec<Vec<f64>> = self.columns.iter().map(|c| nums(table, c)).collect();
        let rows: Vec<usize> = (0..table.rows())
            .filter(|&r| cols.iter().all(|c| !c[r].is_nan()))
            .collect();
        let n = rows.len();
        if n < self.size {
            return Err((
                "size",
                format!(
                    "only {n} complete record(s), fewer than the group size {}",
                    self.size
                ),
            ));
        }
        // Sort key: the value itself, or the sum of z-scores.
        let key: Vec<f64> = if cols.len() == 1 {
            rows.iter().map(|&r| cols[0][r]).collect()
        } else {
            let mut k = vec![0.0; n];
            for c in &cols {
                let mean = rows.iter().map(|&r| c[r]).sum::<f64>() / n as f64;
                let sd =
                    (rows.iter().map(|&r| (c[r] - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
                for (i, &r) in rows.iter().enumerate() {
                    k[i] += if sd > 0.0 { (c[r] - mean) / sd } else { 0.0 };
                }
            }
            k
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| key[a].total_cmp(&key[b]).then(a.cmp(&b)));
        let groups = n / self.size;
        let round = |x: f64| match self.decimals {
            Some(d) => {
                let f = 10f64.powi(d as i32);
                (x * f).round() / f
            }
            None => x,
        };
        let mut out = cols.clone();
        for g in 0..groups {
            let lo = g * self.size;
            let hi = if g + 1 == groups { n } else { lo + self.size };
            let members: Vec<usize> = order[lo..hi].iter().map(|&i| rows[i]).collect();
            for (j, c) in cols.iter().enumerate() {
                let mean = round(members.iter().map(|&r| c[r]).sum::<f64>() / members.len() as f64);
                for &r in &members {
                    out[j][r] = mean;
                }
            }
        }
        // Rows missing some (not all) of the columns keep exact values in the others.
        let (mut rows_exact, mut cells_exact) = (0, 0);
        for r in 0..table.rows() {
            let present = cols.iter().filter(|c| !c[r].is_nan()).count();
            if present > 0 && present < cols.len() {
                rows_exact += 1;
                cells_exact += present;
            }
        }
        for (name, v) in self.columns.iter().zip(out) {
            if let Some(col) = table.column_mut(name) {
                col.values = Values::num(v);
            }
        }
        Ok(Effect {
            rows_affected: n,
            cells_affected: n * self.columns.len(),
            note: if rows_exact == 0 {
                crate::message::op_microaggregate(n, groups, self.size)
            } else {
                crate::message::op_microaggregate_partial(
                    n,
                    groups,
                    self.size,
                    rows_exact,
                    cells_exact,
                )
            },
            details: Some(serde_json::json!({
                "groups": groups,
                "rows_left_exact": rows_exact,
                "cells_left_exact": cells_exact,
            })),
            ..Effect::default()
        })
    }
}

impl Describe for Microaggregate {
    const DOC: &'static str =
        "Replaces numbers by the mean of groups of at least size similar records.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "columns",
                Ty::Columns,
                "the numeric columns to aggregate together",
            ),
            Arg::req("size", Ty::Integer, "the smallest group"),
            Arg::opt(
                "decimals",
                Ty::Integer,
                "round the means to this many decimals",
            ),
        ]
    }
    fn example() -> Self {
        Microaggregate {
            columns: vec!["glucose".into()],
            size: 3,
            decimals: None,
        }
    }
}

impl crate::privacy::Secrets for Microaggregate {
    /// No argument of `Microaggregate` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
