//! Attribute risk: which quasi-identifiers drive re-identification risk, and one concrete
//! generalization per driver with what it would remove.
//!
//! For every quasi-identifier on its own and every pair of them, `uniques` counts the records
//! whose value combination on just those columns occurs once in the table (missing is a value
//! of its own), and `share` = uniques / rows: the share of records a person knowing only
//! those facts could single out (ARX's attribute risk, sdcMicro's contributions). Sorted by
//! share, largest first.
//!
//! A risk suggestion takes a quasi-identifier among the top drivers and one generalization
//! step for it (age → bands of 10 with 90+, a code such as a ZIP → its first characters but two,
//! a date → month or year, a category → its frequent values with the rare ones merged into
//! "other", or the column dropped when it has no frequent values), applies the step with the
//! operator itself to the table, and counts the records that are unique over *all*
//! quasi-identifiers before and after: `removes_share` = (before − after) / before.
//!
//! ```
//! use bedside::privacy::attribute::attribute_risk;
//! use bedside::table::{Column, ColumnType, Table, Values};
//! let col = |n: &str, v: &[&str]| Column {
//!     name: n.into(),
//!     ctype: ColumnType::Categorical,
//!     values: Values::str(v.iter().map(|s| Some(s.to_string())).collect()),
//! };
//! let t = Table::new(vec![col("sex", &["F", "F", "M"]), col("zip", &["1", "2", "2"])]);
//! let r = attribute_risk(&t, &["sex".into(), "zip".into()]);
//! // sex+zip: all three rows unique; sex: the one M; zip: the one "1".
//! assert_eq!((r[0].columns.len(), r[0].uniques), (2, 3));
//! assert_eq!(r[1].uniques + r[2].uniques, 2);
//! ```

use super::ops::{
    date::{DateOp, Granularity},
    drop::Drop,
    generalize::Generalize,
    hierarchy::Hierarchy,
    truncate::Truncate,
};
use super::{PrivacyContext, PrivacyStep};
use crate::table::{csv::normalize_header, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The records made unique by one quasi-identifier or a pair of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeRisk {
    pub columns: Vec<String>,
    /// Records whose combination on `columns` is unique in the table.
    pub uniques: usize,
    /// `uniques` / rows (0 to 1).
    pub share: f64,
}

/// One generalization step for a risk driver and what it would remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskSuggestion {
    pub column: String,
    /// A privacy step (recipe JSON), e.g. `{"op": "truncate", "column": "zip", "keep": 3}`.
    pub step: serde_json::Value,
    /// Records unique over all quasi-identifiers now, and after the step.
    pub uniques_before: usize,
    pub uniques_after: usize,
    /// (uniques_before − uniques_after) / uniques_before (0 to 1).
    pub removes_share: f64,
}

/// Codes of one column per row (missing is a code of its own).
fn codes(table: &Table, name: &str) -> Option<Vec<u64>> {
    let col = table.column(name)?;
    let mut index: HashMap<Option<String>, u64> = HashMap::new();
    Some(
        (0..table.rows())
            .map(|r| {
                let next = index.len() as u64;
                *index.entry(col.values.text(r)).or_insert(next)
            })
            .collect(),
    )
}

/// Combines per-row codes into one class code per row.
fn combine(parts: &[&[u64]], rows: usize) -> Vec<u64> {
    let mut keys = vec![0u64; rows];
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            keys.copy_from_slice(p);
            continue;
        }
        let mut ids: HashMap<(u64, u64), u64> = HashMap::new();
        for (k, &x) in keys.iter_mut().zip(p.iter()) {
            let next = ids.len() as u64;
            *k = *ids.entry((*k, x)).or_insert(next);
        }
    }
    keys
}

/// Records whose key occurs once.
fn unique_count(keys: &[u64]) -> usize {
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for &k in keys {
        *counts.entry(k).or_insert(0) += 1;
    }
    counts.values().filter(|&&c| c == 1).count()
}

/// The quasi-identifiers present in `table`, in the order given.
fn present(table: &Table, quasi: &[String]) -> Vec<String> {
    quasi
        .iter()
        .filter(|q| table.column(q).is_some())
        .cloned()
        .collect()
}

/// Records unique over all quasi-identifiers (those present) of `table`.
pub fn uniques(table: &Table, quasi: &[String]) -> usize {
    let quasi = present(table, quasi);
    if quasi.is_empty() || table.rows() == 0 {
        return 0;
    }
    let all: Vec<Vec<u64>> = quasi.iter().filter_map(|q| codes(table, q)).collect();
    let parts: Vec<&[u64]> = all.iter().map(Vec::as_slice).collect();
    unique_count(&combine(&parts, table.rows()))
}

/// Attribute risk per quasi-identifier and per pair (see the module docs), largest share first
/// (ties: single columns first, then in the order of `quasi`).
pub fn attribute_risk(table: &Table, quasi: &[String]) -> Vec<AttributeRisk> {
    let quasi = present(table, quasi);
    let n = table.rows();
    if quasi.is_empty() || n == 0 {
        return Vec::new();
    }
    let all: Vec<Vec<u64>> = quasi.iter().filter_map(|q| codes(table, q)).collect();
    let mut out = Vec::new();
    let columns: Vec<(&String, &Vec<u64>)> = quasi.iter().zip(&all).collect();
    for (q, codes) in &columns {
        let u = unique_count(codes);
        out.push(AttributeRisk {
            columns: vec![q.to_string()],
            uniques: u,
            share: u as f64 / n as f64,
        });
    }
    for (i, (a, ca)) in columns.iter().enumerate() {
        for (b, cb) in &columns[i + 1..] {
            let u = unique_count(&combine(&[ca.as_slice(), cb.as_slice()], n));
            out.push(AttributeRisk {
                columns: vec![a.to_string(), b.to_string()],
                uniques: u,
                share: u as f64 / n as f64,
            });
        }
    }
    // The construction order (singles, then pairs in column order) breaks ties.
    out.sort_by(|a, b| b.share.total_cmp(&a.share));
    out
}

/// Whether present values are codes: all the same length (≥ 3), letters and digits, mostly digits.
fn code_like(values: &[&str]) -> Option<usize> {
    let len = values.first()?.chars().count();
    let digits = values
        .iter()
        .filter(|s| s.chars().all(|c| c.is_ascii_digit()))
        .count();
    (len >= 3
        && digits * 2 >= values.len()
        && values
            .iter()
            .all(|s| s.chars().count() == len && s.chars().all(|c| c.is_ascii_alphanumeric())))
    .then_some(len)
}

/// Candidate generalization steps for `name` in `table`, finest first.
fn candidate_steps(table: &Table, name: &str, k: usize) -> Vec<PrivacyStep> {
    let Some(col) = table.column(name) else {
        return Vec::new();
    };
    match (&col.values, col.ctype) {
        (Values::Num(v), _) => {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if present.is_empty() || super::ladder::zip_digits(name, &present).is_some() {
                return Vec::new();
            }
            let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if normalize_header(name).contains("age") {
                return vec![PrivacyStep::Generalize(Generalize {
                    top: (hi >= 90.0).then_some(90.0),
                    ..Generalize::width(name, 10.0)
                })];
            }
            match super::ladder::default_ladder(table, name) {
                Some(super::ladder::Ladder::Bands(w)) => {
                    vec![PrivacyStep::Generalize(Generalize::width(name, w[1]))]
                }
                _ => Vec::new(),
            }
        }
        (_, ColumnType::Date) => [Granularity::Month, Granularity::Year]
            .into_iter()
            .map(|to| {
                PrivacyStep::Date(DateOp {
                    columns: vec![name.to_string()],
                    to,
                    event: None,
                })
            })
            .collect(),
        (Values::Str(v), _) => {
            let present: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
            if let Some(len) = code_like(&present) {
                return vec![PrivacyStep::Truncate(Truncate {
                    column: name.to_string(),
                    keep: len.saturating_sub(2).max(1),
                })];
            }
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for s in &present {
                *counts.entry(s).or_insert(0) += 1;
            }
            let frequent: BTreeMap<String, Vec<String>> = counts
                .iter()
                .filter(|(_, &c)| c >= k)
                .map(|(v, _)| (v.to_string(), vec![v.to_string()]))
                .collect();
            if frequent.len() == counts.len() {
                return Vec::new(); // nothing rare to merge
            }
            if frequent.is_empty() || frequent.len() > 50 {
                vec![PrivacyStep::Drop(Drop {
                    columns: vec![name.to_string()],
                })]
            } else {
                vec![PrivacyStep::Hierarchy(Hierarchy {
                    column: name.to_string(),
                    hierarchy: frequent,
                    level: 1,
                    default: Some(super::ladder::OTHER.to_string()),
                })]
            }
        }
    }
}

/// For the top `top` quasi-identifiers driving the risk (largest single-column share first),
/// one generalization step and the share of the current uniques (over all quasi-identifiers)
/// it removes; `k` is the class size below which a category counts as rare. Steps that remove
/// nothing are left out; largest removal first.
pub fn risk_suggestions(
    table: &Table,
    quasi: &[String],
    k: usize,
    top: usize,
) -> Vec<RiskSuggestion> {
    let quasi = present(table, quasi);
    let before = uniques(table, &quasi);
    if before == 0 {
        return Vec::new();
    }
    // Only the quasi-identifiers are needed to count uniques.
    let small = Table::new(
        quasi
            .iter()
            .filter_map(|q| table.column(q).cloned())
            .collect(),
    );
    let rows: Vec<usize> = (0..small.rows()).collect();
    let drivers: Vec<String> = attribute_risk(&small, &quasi)
        .into_iter()
        .filter(|a| a.columns.len() == 1 && a.uniques > 0)
        .map(|a| a.columns[0].clone())
        .collect();
    let mut out = Vec::new();
    for column in drivers {
        if out.len() == top {
            break;
        }
        let mut best: Option<RiskSuggestion> = None;
        for step in candidate_steps(&small, &column, k.max(2)) {
            let mut t = small.clone();
            let ctx = PrivacyContext::standalone(&small, b"", &rows, &[]);
            if step.check().is_err() || step.apply(&mut t, &ctx).is_err() {
                continue;
            }
            let after = uniques(&t, &quasi);
            let s = RiskSuggestion {
                column: column.clone(),
                step: serde_json::to_value(&step).unwrap_or_default(),
                uniques_before: before,
                uniques_after: after,
                removes_share: before.saturating_sub(after) as f64 / before as f64,
            };
            // The finest step that removes at least half, else the one removing most.
            let done = s.removes_share >= 0.5;
            if best
                .as_ref()
                .is_none_or(|b| s.removes_share > b.removes_share + 1e-12)
            {
                best = Some(s);
            }
            if done {
                break;
            }
        }
        if let Some(b) = best.filter(|b| b.uniques_after < before) {
            out.push(b);
        }
    }
    out.sort_by(|a, b| b.removes_share.total_cmp(&a.removes_share));
    out
}
