//! `impute`: fill missing cells from the training rows.
//!
//! - `mean`, `median`, `most_frequent`, `constant`: a statistic of the training rows per column
//!   (scikit-learn's `SimpleImputer`).
//! - `knn`: the mean of the column over the `neighbors` nearest training rows that have it,
//!   by scikit-learn's `nan_euclidean` distance over the step's numeric columns (as
//!   `KNNImputer(n_neighbors)` with uniform weights); the training mean when no training row
//!   shares a coordinate. Columns are not rescaled: put a `scale` step first if their units differ.
//! - `iterative`: every numeric column with missing training values is regressed on the other
//!   numeric columns with ridge regression (`alpha`), starting from the training means, in
//!   ascending order of missing count, for up to `rounds` rounds (stopping early when no imputed
//!   value moves by more than 0.001 × the largest absolute training value), as scikit-learn's
//!   `IterativeImputer(estimator=Ridge(alpha), max_iter=rounds, tol=1e-3)`. Test rows replay the
//!   same sequence of fitted regressions. A column complete in the training rows but missing in
//!   a test row gets its training mean (as scikit-learn does).
//!
//! With every strategy, categorical columns get their most frequent training value (or
//! `"missing"` with `constant`).

use super::linalg::{nan_euclidean, ridge};
use super::stats::{mean, present};
use super::{
    check_columns, is_numeric, named, selected, FitContext, FitError, Fitted, FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub use super::stats::median;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Mean,
    Median,
    MostFrequent,
    Constant,
    Knn,
    Iterative,
}

/// `{"op": "impute", "strategy": "median"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impute {
    pub strategy: Strategy,
    /// The fill value for numeric columns with `constant` (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Neighbours averaged with `knn` (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbors: Option<usize>,
    /// Maximum rounds with `iterative` (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Ridge strength with `iterative` (default 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

impl Impute {
    /// A simple imputer with `strategy` over every column.
    pub fn new(strategy: Strategy) -> Impute {
        Impute {
            strategy,
            value: None,
            neighbors: None,
            rounds: None,
            alpha: None,
            columns: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fill {
    Num(f64),
    Str(String),
}

/// KNN imputation: the training rows of the numeric columns are the donors (a saved model
/// holds them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Knn {
    pub k: usize,
    pub columns: Vec<String>,
    /// Missing cells are NaN here, `null` in JSON.
    #[serde(with = "nan_as_null")]
    donors: Vec<Vec<f64>>,
    pub means: Vec<f64>,
}

/// One fitted regression of an iterative round: column `target` from every other column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Regression {
    pub target: usize,
    pub intercept: f64,
    /// Weights over the other columns, in column order without `target`.
    pub weights: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Iterative {
    pub columns: Vec<String>,
    pub means: Vec<f64>,
    pub rounds: Vec<Vec<Regression>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Model {
    Knn(Knn),
    Iterative(Iterative),
}

/// Rows of numbers with NaN for a missing cell, written as JSON `null` (JSON has no NaN).
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(rows: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|r| r.iter().map(|x| (!x.is_nan()).then_some(*x)).collect())
            .collect();
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        let v: Vec<Vec<Option<f64>>> = Vec::deserialize(d)?;
        Ok(v.into_iter()
            .map(|r| r.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            .collect())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedImpute {
    pub strategy: Strategy,
    /// Per-column fills (every column for simple strategies; categorical columns with knn and
    /// iterative).
    pub fills: BTreeMap<String, Fill>,
    pub model: Option<Model>,
}

impl Step for Impute {
    fn reads_dates(&self) -> bool {
        false
    }
    fn encodes_categories(&self) -> bool {
        false
    }
    fn imputes(&self) -> bool {
        true
    }
    fn makes_missing(&self) -> bool {
        false
    }
    // Not column by column: KNN and iterative impute read the other columns.
    fn column_wise(&self) -> bool {
        !matches!(self.strategy, Strategy::Knn | Strategy::Iterative)
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)?;
        if self.value.is_some() && self.strategy != Strategy::Constant {
            return Err(("value", "is only used with strategy \"constant\"".into()));
        }
        if self.value.is_some_and(|v| !v.is_finite()) {
            return Err(("value", "must be a finite number".into()));
        }
        if self.neighbors.is_some() && self.strategy != Strategy::Knn {
            return Err(("neighbors", "is only used with strategy \"knn\"".into()));
        }
        if self.neighbors == Some(0) {
            return Err(("neighbors", "must be at least 1".into()));
        }
        if (self.rounds.is_some() || self.alpha.is_some()) && self.strategy != Strategy::Iterative {
            let f = if self.rounds.is_some() {
                "rounds"
            } else {
                "alpha"
            };
            return Err((f, "is only used with strategy \"iterative\"".into()));
        }
        if self.rounds.is_some_and(|r| r == 0 || r > 100) {
            return Err(("rounds", "must be between 1 and 100".into()));
        }
        if self.alpha.is_some_and(|a| !a.is_finite() || a < 0.0) {
            return Err(("alpha", "must be a finite number ≥ 0".into()));
        }
        Ok(())
    }

    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }

    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        Ok(FittedStep::from(self.fit_table(train)))
    }
}

impl Impute {
    /// Learns the fills (and the KNN donors or iterative regressions) from the training table.
    pub fn fit_table(&self, train: &Table) -> FittedImpute {
        let model_based = matches!(self.strategy, Strategy::Knn | Strategy::Iterative);
        let mut fills = BTreeMap::new();
        // Date columns are left to the date steps (a missing date gives a missing feature,
        // which a later impute step fills).
        for c in selected(train, &self.columns, |c| c.ctype != ColumnType::Date) {
            let fill = match &c.values {
                Values::Num(_) if model_based => continue,
                Values::Num(v) => {
                    let mut p = present(v);
                    let stat = match self.strategy {
                        _ if p.is_empty() => 0.0,
                        Strategy::Constant => self.value.unwrap_or(0.0),
                        Strategy::Median => median(&mut p),
                        Strategy::MostFrequent => {
                            most_frequent(p.iter().map(|&x| OrdF64(x))).map_or(0.0, |x| x.0)
                        }
                        _ => mean(&p),
                    };
                    Fill::Num(stat)
                }
                Values::Str(v) => Fill::Str(match self.strategy {
                    Strategy::Constant => "missing".to_string(),
                    _ => most_frequent(v.iter().flatten().cloned())
                        .unwrap_or_else(|| "missing".to_string()),
                }),
            };
            fills.insert(c.name.clone(), fill);
        }
        let model = model_based.then(|| self.fit_model(train)).flatten();
        FittedImpute {
            strategy: self.strategy,
            fills,
            model,
        }
    }

    /// The KNN donors or the iterative regressions of a model-based strategy, on the training
    /// rows (None without numeric columns). Only these strategies hold the rows as vectors: at
    /// 800,000 training rows × 30 columns that is 200 MB, which a fill by a statistic never needs.
    fn fit_model(&self, train: &Table) -> Option<Model> {
        let numeric: Vec<&crate::table::Column> = selected(train, &self.columns, is_numeric);
        let columns: Vec<String> = numeric.iter().map(|c| c.name.clone()).collect();
        let rows = rows_of(train, &columns);
        let means: Vec<f64> = numeric
            .iter()
            .map(|c| match &c.values {
                Values::Num(v) => mean(&present(v)),
                Values::Str(_) => 0.0,
            })
            .collect();
        match self.strategy {
            Strategy::Knn if !columns.is_empty() => Some(Model::Knn(Knn {
                k: self.neighbors.unwrap_or(5),
                columns,
                donors: rows,
                means,
            })),
            Strategy::Iterative if !columns.is_empty() => Some(Model::Iterative(fit_iterative(
                columns,
                rows,
                means,
                self.rounds.unwrap_or(10),
                self.alpha.unwrap_or(1.0),
            ))),
            _ => None,
        }
    }
}

/// The rows of `columns` (numeric) as vectors, NaN for missing.
fn rows_of(t: &Table, columns: &[String]) -> Vec<Vec<f64>> {
    let cols: Vec<&Vec<f64>> = columns
        .iter()
        .filter_map(|n| match t.column(n).map(|c| &c.values) {
            Some(Values::Num(v)) => Some(&**v),
            _ => None,
        })
        .collect();
    (0..t.rows())
        .map(|r| cols.iter().map(|v| v[r]).collect())
        .collect()
}

fn write_rows(t: &mut Table, columns: &[String], rows: &[Vec<f64>]) {
    for (j, name) in columns.iter().enumerate() {
        if let Some(Values::Num(v)) = t.column_mut(name).map(|c| &mut c.values) {
            let v = std::sync::Arc::make_mut(v);
            for (r, x) in v.iter_mut().enumerate() {
                *x = rows[r][j];
            }
        }
    }
}

/// Fits the rounds of regressions on the training rows.
fn fit_iterative(
    columns: Vec<String>,
    mut rows: Vec<Vec<f64>>,
    means: Vec<f64>,
    max_rounds: usize,
    alpha: f64,
) -> Iterative {
    let p = columns.len();
    let mask: Vec<Vec<bool>> = rows
        .iter()
        .map(|r| r.iter().map(|x| x.is_nan()).collect())
        .collect();
    let mut order: Vec<(usize, usize)> = (0..p)
        .map(|j| (mask.iter().filter(|m| m[j]).count(), j))
        .filter(|&(n, _)| n > 0)
        .collect();
    order.sort();
    let scale = rows
        .iter()
        .flatten()
        .filter(|x| !x.is_nan())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    for r in rows.iter_mut() {
        for (j, x) in r.iter_mut().enumerate() {
            if x.is_nan() {
                *x = means[j];
            }
        }
    }
    let mut rounds = Vec::new();
    if p < 2 {
        return Iterative {
            columns,
            means,
            rounds,
        };
    }
    for _ in 0..max_rounds {
        let mut round = Vec::new();
        let mut change = 0.0f64;
        for &(_, j) in &order {
            let observed: Vec<usize> = (0..rows.len()).filter(|&i| !mask[i][j]).collect();
            let mut x = Array2::<f64>::zeros((observed.len(), p - 1));
            let mut y = Vec::with_capacity(observed.len());
            for (a, &i) in observed.iter().enumerate() {
                for (b, k) in (0..p).filter(|&k| k != j).enumerate() {
                    x[[a, b]] = rows[i][k];
                }
                y.push(rows[i][j]);
            }
            let (intercept, weights) = ridge(&x, &y, alpha);
            let reg = Regression {
                target: j,
                intercept,
                weights,
            };
            for i in 0..rows.len() {
                if mask[i][j] {
                    let new = predict(&reg, &rows[i]);
                    change = change.max((new - rows[i][j]).abs());
                    rows[i][j] = new;
                }
            }
            round.push(reg);
        }
        rounds.push(round);
        if change <= 1e-3 * scale {
            break;
        }
    }
    Iterative {
        columns,
        means,
        rounds,
    }
}

fn predict(reg: &Regression, row: &[f64]) -> f64 {
    reg.intercept
        + (0..row.len())
            .filter(|&k| k != reg.target)
            .zip(&reg.weights)
            .map(|(k, w)| w * row[k])
            .sum::<f64>()
}

impl Knn {
    fn impute(&self, rows: &mut [Vec<f64>]) {
        let original: Vec<Vec<f64>> = rows.to_vec();
        for (r, row) in rows.iter_mut().enumerate() {
            let src = &original[r];
            if !src.iter().any(|x| x.is_nan()) {
                continue;
            }
            let dists: Vec<Option<f64>> =
                self.donors.iter().map(|d| nan_euclidean(src, d)).collect();
            for j in 0..src.len() {
                if !src[j].is_nan() {
                    continue;
                }
                let mut cand: Vec<(f64, usize)> = self
                    .donors
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| Some((dists[i]?, i)).filter(|_| !d[j].is_nan()))
                    .collect();
                cand.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                cand.truncate(self.k);
                row[j] = if cand.is_empty() {
                    self.means[j]
                } else {
                    cand.iter().map(|&(_, i)| self.donors[i][j]).sum::<f64>() / cand.len() as f64
                };
            }
        }
    }
}

impl Iterative {
    fn impute(&self, rows: &mut [Vec<f64>]) {
        let mask: Vec<Vec<bool>> = rows
            .iter()
            .map(|r| r.iter().map(|x| x.is_nan()).collect())
            .collect();
        for r in rows.iter_mut() {
            for (j, x) in r.iter_mut().enumerate() {
                if x.is_nan() {
                    *x = self.means[j];
                }
            }
        }
        for round in &self.rounds {
            for reg in round {
                for (i, row) in rows.iter_mut().enumerate() {
                    if mask[i][reg.target] {
                        row[reg.target] = predict(reg, row);
                    }
                }
            }
        }
    }
}

impl Fitted for FittedImpute {
    fn transform(&self, table: &mut Table) -> usize {
        let mut filled = 0;
        if let Some(model) = &self.model {
            let columns = match model {
                Model::Knn(k) => &k.columns,
                Model::Iterative(it) => &it.columns,
            };
            let mut rows = rows_of(table, columns);
            filled += rows.iter().flatten().filter(|x| x.is_nan()).count();
            match model {
                Model::Knn(k) => k.impute(&mut rows),
                Model::Iterative(it) => it.impute(&mut rows),
            }
            write_rows(table, columns, &rows);
        }
        for c in &mut table.columns {
            match (self.fills.get(&c.name), &mut c.values) {
                // A column with nothing to fill stays shared (not copied by `make_mut`).
                (Some(Fill::Num(_)), Values::Num(v)) if !v.iter().any(|x| x.is_nan()) => {}
                (Some(Fill::Str(_)), Values::Str(v)) if !v.iter().any(Option::is_none) => {}
                (Some(Fill::Num(f)), Values::Num(v)) => std::sync::Arc::make_mut(v)
                    .iter_mut()
                    .filter(|x| x.is_nan())
                    .for_each(|x| {
                        *x = *f;
                        filled += 1;
                    }),
                (Some(Fill::Str(f)), Values::Str(v)) => std::sync::Arc::make_mut(v)
                    .iter_mut()
                    .filter(|x| x.is_none())
                    .for_each(|x| {
                        *x = Some(f.clone());
                        filled += 1;
                    }),
                _ => {}
            }
        }
        filled
    }

    fn learned(&self) -> Value {
        let mut out: BTreeMap<String, Value> = self
            .fills
            .iter()
            .map(|(k, f)| {
                (
                    k.clone(),
                    match f {
                        Fill::Num(x) => json!(x),
                        Fill::Str(s) => json!(s),
                    },
                )
            })
            .collect();
        match &self.model {
            Some(Model::Knn(k)) => {
                out.insert(
                    "knn".into(),
                    json!({
                        "neighbors": k.k,
                        "columns": k.columns,
                        "donor_rows": k.donors.len(),
                        "fallback_means": k.columns.iter().cloned().zip(k.means.iter().copied()).collect::<BTreeMap<_, _>>(),
                    }),
                );
            }
            Some(Model::Iterative(it)) => {
                let last: BTreeMap<String, Value> = it
                    .rounds
                    .last()
                    .into_iter()
                    .flatten()
                    .map(|reg| {
                        let others: BTreeMap<String, f64> = it
                            .columns
                            .iter()
                            .enumerate()
                            .filter(|&(k, _)| k != reg.target)
                            .map(|(_, n)| n.clone())
                            .zip(reg.weights.iter().copied())
                            .collect();
                        (
                            it.columns[reg.target].clone(),
                            json!({"intercept": reg.intercept, "weights": others}),
                        )
                    })
                    .collect();
                out.insert(
                    "iterative".into(),
                    json!({
                        "columns": it.columns,
                        "initial_means": it.columns.iter().cloned().zip(it.means.iter().copied()).collect::<BTreeMap<_, _>>(),
                        "rounds": it.rounds.len(),
                        "last_round": last,
                    }),
                );
            }
            None => {}
        }
        json!(out)
    }
}

#[derive(Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// The most frequent value; ties go to the smallest value (as scikit-learn's SimpleImputer).
pub(crate) fn most_frequent<T: Ord + Clone>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, c)| *c == best).map(|(v, _)| v)
}

impl Describe for Impute {
    const DOC: &'static str = "Fills missing values (mean, median, most frequent, constant, KNN or iterative regression).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "strategy",
                Ty::Enum(&[
                    "mean",
                    "median",
                    "most_frequent",
                    "constant",
                    "knn",
                    "iterative",
                ]),
                "how missing values are filled",
            ),
            Arg::opt(
                "value",
                Ty::Number,
                "constant only: the fill value (default 0 for numbers, \"missing\" for categories)",
            ),
            Arg::def(
                "neighbors",
                Ty::Integer,
                json!(5),
                "knn only: the neighbours averaged",
            ),
            Arg::def(
                "rounds",
                Ty::Integer,
                json!(10),
                "iterative only: the rounds of regressions",
            ),
            Arg::def(
                "alpha",
                Ty::Number,
                json!(1.0),
                "iterative only: the ridge penalty of each regression",
            ),
            Arg::opt("columns", Ty::Columns, "the columns filled (default: all)"),
        ]
    }
    fn example() -> Self {
        Impute {
            strategy: Strategy::Median,
            value: None,
            neighbors: None,
            rounds: None,
            alpha: None,
            columns: None,
        }
    }
}
