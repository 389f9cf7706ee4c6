//! `select`: keep the informative numeric columns, scored on the training rows.
//!
//! - `variance`: keeps columns whose training variance (population) is above `threshold`
//!   (default 0), as scikit-learn's `VarianceThreshold`.
//! - `anova_f`, `chi2`, `mutual_info`: scores each column against the training labels and keeps
//!   the `k` best (default 10; ties keep the earlier column). `anova_f` is scikit-learn's
//!   `f_classif`; `chi2` is its `chi2` (non-negative columns only, e.g. one-hot or counts);
//!   `mutual_info` is the mutual information in nats between the label and the column
//!   discretized into at most 10 bins (its distinct values if there are at most 10, else
//!   training deciles): a histogram estimate, not scikit-learn's nearest-neighbour estimator.
//!
//! Columns that are not numeric at this point, and columns not named in `columns` (when given),
//! are kept untouched.

use super::stats::{mean, quantile, variance};
use super::{
    check_columns, is_numeric, named, selected, FitContext, FitError, Fitted, FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectMethod {
    Variance,
    AnovaF,
    Chi2,
    MutualInfo,
}

/// `{"op": "select", "method": "anova_f", "k": 10}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Select {
    pub method: SelectMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedSelect {
    pub scores: BTreeMap<String, Option<f64>>,
    pub kept: Vec<String>,
    pub dropped: Vec<String>,
}

/// ANOVA F statistic of `x` between the two label groups (scikit-learn's `f_classif`);
/// `None` when undefined (a constant column or a class without rows).
pub fn anova_f(x: &[f64], y: &[bool]) -> Option<f64> {
    let groups: Vec<Vec<f64>> = [false, true]
        .iter()
        .map(|&c| {
            x.iter()
                .zip(y)
                .filter(|(_, &l)| l == c)
                .map(|(v, _)| *v)
                .collect()
        })
        .collect();
    if groups.iter().any(Vec::is_empty) || x.len() < 3 {
        return None;
    }
    let grand = mean(x);
    let ssb: f64 = groups
        .iter()
        .map(|g| g.len() as f64 * (mean(g) - grand).powi(2))
        .sum();
    let ssw: f64 = groups
        .iter()
        .map(|g| {
            let m = mean(g);
            g.iter().map(|v| (v - m).powi(2)).sum::<f64>()
        })
        .sum();
    let (dfb, dfw) = (1.0, x.len() as f64 - 2.0);
    (ssw > 0.0).then(|| (ssb / dfb) / (ssw / dfw))
}

/// Chi-square statistic of a non-negative column against the labels (scikit-learn's `chi2`).
pub fn chi2(x: &[f64], y: &[bool]) -> Option<f64> {
    let total: f64 = x.iter().sum();
    let n = y.len() as f64;
    let mut stat = 0.0;
    for c in [false, true] {
        let observed: f64 = x
            .iter()
            .zip(y)
            .filter(|(_, &l)| l == c)
            .map(|(v, _)| v)
            .sum();
        let share = y.iter().filter(|&&l| l == c).count() as f64 / n;
        let expected = share * total;
        if expected <= 0.0 {
            return None;
        }
        stat += (observed - expected).powi(2) / expected;
    }
    Some(stat)
}

/// Mutual information (nats) between the labels and `x` discretized into at most 10 bins.
pub fn mutual_info(x: &[f64], y: &[bool]) -> f64 {
    let mut distinct = x.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let bin: Box<dyn Fn(f64) -> usize> = if distinct.len() <= 10 {
        Box::new(move |v| distinct.partition_point(|d| *d < v))
    } else {
        let mut s = x.to_vec();
        let cuts: Vec<f64> = (1..10).map(|q| quantile(&mut s, q as f64 / 10.0)).collect();
        Box::new(move |v| cuts.partition_point(|c| *c < v))
    };
    let n = x.len() as f64;
    let mut joint: BTreeMap<(usize, bool), f64> = BTreeMap::new();
    let mut px: BTreeMap<usize, f64> = BTreeMap::new();
    for (&v, &l) in x.iter().zip(y) {
        let b = bin(v);
        *joint.entry((b, l)).or_default() += 1.0 / n;
        *px.entry(b).or_default() += 1.0 / n;
    }
    let py1 = y.iter().filter(|&&l| l).count() as f64 / n;
    joint
        .iter()
        .map(|(&(b, l), &p)| {
            let py = if l { py1 } else { 1.0 - py1 };
            p * (p / (px[&b] * py)).ln()
        })
        .sum::<f64>()
        .max(0.0)
}

impl Step for Select {
    fn reads_dates(&self) -> bool {
        false
    }
    fn encodes_categories(&self) -> bool {
        false
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    fn column_wise(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)?;
        let variance = self.method == SelectMethod::Variance;
        if variance && self.k.is_some() {
            return Err((
                "k",
                "is not used with method \"variance\" (use threshold)".into(),
            ));
        }
        if !variance && self.threshold.is_some() {
            return Err(("threshold", "is only used with method \"variance\"".into()));
        }
        if self.k == Some(0) {
            return Err(("k", "must be at least 1".into()));
        }
        if self.threshold.is_some_and(|t| !t.is_finite() || t < 0.0) {
            return Err(("threshold", "must be a number ≥ 0".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn fit(&self, train: &Table, ctx: &FitContext) -> Result<FittedStep, FitError> {
        let mut scores = BTreeMap::new();
        let mut order = Vec::new();
        for c in selected(train, &self.columns, is_numeric) {
            let Values::Num(v) = &c.values else { continue };
            if v.iter().any(|x| x.is_nan()) {
                return Err(format!(
                    "column '{}' has missing values in the training rows; put an impute step before select",
                    c.name
                ));
            }
            if self.method == SelectMethod::Chi2 && v.iter().any(|&x| x < 0.0) {
                return Err(format!(
                    "column '{}' has negative values; chi2 needs non-negative columns (counts, one-hot, min-max scaled)",
                    c.name
                ));
            }
            let score = match self.method {
                SelectMethod::Variance => Some(variance(v)),
                SelectMethod::AnovaF => anova_f(v, ctx.y),
                SelectMethod::Chi2 => chi2(v, ctx.y),
                SelectMethod::MutualInfo => Some(mutual_info(v, ctx.y)),
            };
            scores.insert(c.name.clone(), score);
            order.push(c.name.clone());
        }
        let kept: Vec<String> = if self.method == SelectMethod::Variance {
            let t = self.threshold.unwrap_or(0.0);
            order
                .iter()
                .filter(|n| scores[*n].is_some_and(|s| s > t))
                .cloned()
                .collect()
        } else {
            let mut ranked: Vec<(usize, &String)> = order.iter().enumerate().collect();
            ranked.sort_by(|a, b| {
                let (sa, sb) = (scores[a.1], scores[b.1]);
                sb.unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&sa.unwrap_or(f64::NEG_INFINITY))
                    .then(a.0.cmp(&b.0))
            });
            let k = self.k.unwrap_or(10);
            let mut best: Vec<usize> = ranked.iter().take(k).map(|&(i, _)| i).collect();
            best.sort();
            best.into_iter().map(|i| order[i].clone()).collect()
        };
        let dropped = order.into_iter().filter(|n| !kept.contains(n)).collect();
        Ok(FittedStep::from(FittedSelect {
            scores,
            kept,
            dropped,
        }))
    }
}

impl Fitted for FittedSelect {
    fn transform(&self, table: &mut Table) -> usize {
        let rows = table.rows();
        let before = table.columns.len();
        table.columns.retain(|c| !self.dropped.contains(&c.name));
        let removed = before - table.columns.len();
        *table = Table::new(std::mem::take(&mut table.columns));
        removed * rows
    }
    fn learned(&self) -> Value {
        json!({"scores": self.scores, "kept": self.kept, "dropped": self.dropped})
    }
}

impl Describe for Select {
    const DOC: &'static str =
        "Keeps the most informative columns (variance, ANOVA F, chi², mutual information).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "method",
                Ty::Enum(&["variance", "anova_f", "chi2", "mutual_info"]),
                "the score",
            ),
            Arg::def(
                "k",
                Ty::Integer,
                json!(10),
                "the number of columns kept (scores other than variance)",
            ),
            Arg::def(
                "threshold",
                Ty::Number,
                json!(0.0),
                "variance only: the smallest variance kept",
            ),
            Arg::opt("columns", Ty::Columns, "the columns scored (default: all)"),
        ]
    }
    fn example() -> Self {
        Select {
            method: SelectMethod::AnovaF,
            k: Some(5),
            threshold: None,
            columns: None,
        }
    }
}
