//! Re-identification risk over quasi-identifiers: equivalence classes, k-anonymity,
//! l-diversity, t-closeness and prosecutor risk.
//!
//! Definitions (as in ARX and pyCANON):
//! - an *equivalence class* is a set of records with equal values in every quasi-identifier
//!   (a missing value is a value of its own);
//! - *k-anonymity* is the size of the smallest class;
//! - *distinct l-diversity* is the smallest number of distinct sensitive values in a class;
//!   *entropy l-diversity* is the smallest `exp(H)` of a class's sensitive distribution;
//! - *t-closeness* is the largest Earth Mover's Distance between a class's sensitive
//!   distribution and the whole table's: with equal ground distance (½ Σ|pᵢ−qᵢ|) for categorical
//!   values, and ordered distance (1/(m−1) Σᵢ |Σⱼ≤ᵢ (pⱼ−qⱼ)| over the m sorted distinct values)
//!   for numeric ones;
//! - *prosecutor risk* of a record is 1 / (size of its class); `prosecutor_avg` is the mean
//!   over records (= classes / records); a record is *at risk* when its risk exceeds the
//!   threshold (default 0.2, i.e. classes smaller than 5).

use crate::table::{Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Default risk threshold for "records at risk".
pub const DEFAULT_THRESHOLD: f64 = 0.2;

/// Prosecutor-model risk figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub prosecutor_max: f64,
    pub prosecutor_avg: f64,
    pub records_at_risk: usize,
    pub records_at_risk_pct: f64,
    pub threshold: f64,
    /// Records alone in their class.
    pub uniques: usize,
}

/// Privacy measures of one table over its quasi-identifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// `None` when there are no quasi-identifiers or no rows.
    pub k_anonymity: Option<usize>,
    pub l_diversity: Option<usize>,
    pub l_diversity_entropy: Option<f64>,
    pub t_closeness: Option<f64>,
    pub equivalence_classes: usize,
    pub risk: Option<Risk>,
}

/// Groups row indices by their quasi-identifier values, in order of first appearance.
pub fn equivalence_classes(table: &Table, quasi: &[String]) -> Vec<Vec<usize>> {
    let cols: Vec<&Values> = quasi
        .iter()
        .filter_map(|q| table.column(q).map(|c| &c.values))
        .collect();
    let mut index: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    let mut classes: Vec<Vec<usize>> = Vec::new();
    for r in 0..table.rows() {
        let key: Vec<Option<String>> = cols.iter().map(|v| v.text(r)).collect();
        let next = classes.len();
        let i = *index.entry(key).or_insert(next);
        if i == next {
            classes.push(Vec::new());
        }
        classes[i].push(r);
    }
    classes
}

/// Measures `table` over the `quasi` columns (those present), with an optional sensitive column.
pub fn measure(
    table: &Table,
    quasi: &[String],
    sensitive: Option<&str>,
    threshold: f64,
) -> Measures {
    let present: Vec<String> = quasi
        .iter()
        .filter(|q| table.column(q).is_some())
        .cloned()
        .collect();
    let n = table.rows();
    if present.is_empty() || n == 0 {
        return Measures {
            k_anonymity: None,
            l_diversity: None,
            l_diversity_entropy: None,
            t_closeness: None,
            equivalence_classes: 0,
            risk: None,
        };
    }
    let classes = equivalence_classes(table, &present);
    let k = classes.iter().map(Vec::len).min().unwrap_or(0);
    let at_risk: usize = classes
        .iter()
        .filter(|c| 1.0 / c.len() as f64 > threshold)
        .map(Vec::len)
        .sum();
    let risk = Risk {
        prosecutor_max: 1.0 / k as f64,
        prosecutor_avg: classes.len() as f64 / n as f64,
        records_at_risk: at_risk,
        records_at_risk_pct: 100.0 * at_risk as f64 / n as f64,
        threshold,
        uniques: classes.iter().filter(|c| c.len() == 1).count(),
    };
    let (mut l, mut le, mut t) = (None, None, None);
    if let Some(col) = sensitive.and_then(|s| table.column(s)) {
        l = classes.iter().map(|c| distinct_count(&col.values, c)).min();
        le = classes
            .iter()
            .map(|c| entropy_l(&col.values, c))
            .min_by(f64::total_cmp);
        t = Some(t_closeness(&col.values, &classes));
    }
    Measures {
        k_anonymity: Some(k),
        l_diversity: l,
        l_diversity_entropy: le,
        t_closeness: t,
        equivalence_classes: classes.len(),
        risk: Some(risk),
    }
}

fn counts(values: &Values, rows: &[usize]) -> HashMap<Option<String>, usize> {
    let mut m = HashMap::new();
    for &r in rows {
        *m.entry(values.text(r)).or_insert(0) += 1;
    }
    m
}

fn distinct_count(values: &Values, rows: &[usize]) -> usize {
    counts(values, rows).len()
}

fn entropy_l(values: &Values, rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let h: f64 = counts(values, rows)
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum();
    h.exp()
}

/// Largest EMD between a class's sensitive distribution and the table's (see module docs).
pub fn t_closeness(values: &Values, classes: &[Vec<usize>]) -> f64 {
    let all: Vec<usize> = classes.iter().flatten().copied().collect();
    let n = all.len() as f64;
    match values {
        Values::Num(v) => {
            // Ordered distance over the sorted distinct present values; missing rows are left out.
            let mut distinct: Vec<f64> =
                all.iter().map(|&r| v[r]).filter(|x| !x.is_nan()).collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let m = distinct.len();
            if m < 2 {
                return 0.0;
            }
            let dist = |rows: &[usize]| -> Vec<f64> {
                let present: Vec<f64> =
                    rows.iter().map(|&r| v[r]).filter(|x| !x.is_nan()).collect();
                let mut p = vec![0.0; m];
                for x in &present {
                    if let Ok(i) = distinct.binary_search_by(|d| d.total_cmp(x)) {
                        p[i] += 1.0 / present.len() as f64;
                    }
                }
                p
            };
            let q = dist(&all);
            classes
                .iter()
                .map(|c| {
                    let p = dist(c);
                    let mut cum = 0.0;
                    let mut total = 0.0;
                    for i in 0..m {
                        cum += p[i] - q[i];
                        total += cum.abs();
                    }
                    total / (m - 1) as f64
                })
                .fold(0.0, f64::max)
        }
        Values::Str(_) => {
            let q = counts(values, &all);
            classes
                .iter()
                .map(|c| {
                    let p = counts(values, c);
                    let size = c.len() as f64;
                    0.5 * q
                        .iter()
                        .map(|(k, &qc)| {
                            (p.get(k).copied().unwrap_or(0) as f64 / size - qc as f64 / n).abs()
                        })
                        .sum::<f64>()
                })
                .fold(0.0, f64::max)
        }
    }
}
