//! `pram` (post-randomization): each category is kept or changed at random according to a
//! stated transition matrix, so no single released value can be trusted while the category
//! frequencies stay estimable. Give either `keep` (probability of keeping a value; otherwise it
//! becomes one of the other categories of the column, uniformly) or the full `matrix`
//! (`{"from": {"to": probability}}`, each row summing to 1). Drawn from the recipe seed and step
//! index. The matrix used is recorded in the audit trail.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::csv::parse_number;
use crate::table::{ColumnType, Table, Values};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"op": "pram", "column": "smoker", "keep": 0.8}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pram {
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<BTreeMap<String, BTreeMap<String, f64>>>,
}

impl Op for Pram {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::RawValues
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        match (&self.keep, &self.matrix) {
            (Some(k), None) => super::in_range("keep", *k, 0.0, 1.0),
            (None, Some(m)) => {
                if m.is_empty() {
                    return Err(("matrix", "names no category".into()));
                }
                for (from, row) in m {
                    if row
                        .values()
                        .any(|p| !(p.is_finite() && (0.0..=1.0).contains(p)))
                    {
                        return Err((
                            "matrix",
                            format!("row '{from}': probabilities must be between 0 and 1"),
                        ));
                    }
                    let s: f64 = row.values().sum();
                    if (s - 1.0).abs() > 1e-9 {
                        return Err(("matrix", format!("row '{from}' sums to {s}, not 1")));
                    }
                    if let Some(to) = row.keys().find(|t| !m.contains_key(*t)) {
                        return Err((
                            "matrix",
                            format!("row '{from}': '{to}' is not a category (no row of its own)"),
                        ));
                    }
                }
                Ok(())
            }
            (Some(_), Some(_)) => Err(("matrix", "give either keep or matrix, not both".into())),
            (None, None) => Err((
                "keep",
                "give keep (probability of keeping a value) or matrix".into(),
            )),
        }
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![("column", self.column.as_str())]
    }
    fn accepts(&self, _: &str) -> Option<&'static [ColumnType]> {
        Some(&[ColumnType::Categorical, ColumnType::Numeric])
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let values = super::texts(table, &self.column);
        let matrix: BTreeMap<String, BTreeMap<String, f64>> = match (&self.matrix, self.keep) {
            (Some(m), _) => m.clone(),
            (None, keep) => {
                let keep = keep.unwrap_or(1.0);
                let mut cats: Vec<&String> = values.iter().flatten().collect();
                cats.sort();
                cats.dedup();
                let m = cats.len();
                cats.iter()
                    .map(|from| {
                        let row = cats
                            .iter()
                            .map(|to| {
                                let p = if to == from {
                                    if m == 1 {
                                        1.0
                                    } else {
                                        keep
                                    }
                                } else {
                                    (1.0 - keep) / (m - 1) as f64
                                };
                                ((*to).clone(), p)
                            })
                            .collect();
                        ((*from).clone(), row)
                    })
                    .collect()
            }
        };
        let mut rng = ctx.rng(table, &[self.column.as_str()]);
        let mut changed = 0;
        let mut out = Vec::with_capacity(values.len());
        for (r, v) in values.iter().enumerate() {
            let Some(v) = v else {
                out.push(None);
                continue;
            };
            let Some(row) = matrix.get(v) else {
                return Err(super::cell_error(
                    "matrix",
                    r,
                    &self.column,
                    "value is not a category of the matrix",
                ));
            };
            let u: f64 = rng.gen();
            let mut acc = 0.0;
            let mut pick = v;
            for (to, p) in row {
                acc += p;
                if u < acc {
                    pick = to;
                    break;
                }
            }
            if pick != v {
                changed += 1;
            }
            out.push(Some(pick.clone()));
        }
        if let Some(col) = table.column_mut(&self.column) {
            if col.ctype == ColumnType::Numeric
                && out.iter().flatten().all(|s| parse_number(s).is_some())
            {
                col.values = Values::num(
                    out.iter()
                        .map(|s| s.as_deref().and_then(parse_number).unwrap_or(f64::NAN))
                        .collect(),
                );
            } else {
                col.values = Values::str(out);
                col.ctype = ColumnType::Categorical;
            }
        }
        Ok(Effect {
            rows_affected: changed,
            cells_affected: changed,
            note: crate::message::op_pram(changed),
            details: Some(serde_json::json!({ "matrix": matrix })),
            ..Effect::default()
        })
    }
}

impl Describe for Pram {
    const DOC: &'static str = "Randomly changes categories (post-randomization): keeps each with a probability or follows a matrix.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("column", Ty::Column, "the categorical column to randomize"),
            Arg::opt(
                "keep",
                Ty::Number,
                "the probability a value is kept, else drawn from the others (or give matrix)",
            ),
            Arg::opt(
                "matrix",
                Ty::Map,
                "category → {category: probability} (or give keep)",
            )
            .data(),
        ]
    }
    fn example() -> Self {
        Pram {
            column: "smoker".into(),
            keep: Some(0.8),
            matrix: None,
        }
    }
}

impl crate::privacy::Secrets for Pram {
    /// No argument of `Pram` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
