//! Cleaning steps, learned on the training rows and applied to both sides:
//! `normalize_categories` (spellings), `unit_outliers` (values recorded in another unit),
//! `clip` (IQR or z-score bounds), `drop_constant` (constant and near-constant columns) and
//! `drop_missing` (columns missing too often).

use super::stats::{mean, present, quantile, variance};
use super::{
    check_columns, is_categorical, is_numeric, named, selected, update_numeric, FitContext,
    FitError, Fitted, FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    #[default]
    Lower,
    Upper,
    Keep,
}

/// `{"op": "normalize_categories"}`: trims categorical values, collapses inner runs of
/// whitespace to one space and changes the case (`case`: lower (default), upper, keep), so
/// that ` Male`, `male` and `MALE ` become one category. Stateless: the audit lists the
/// training spellings that were merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizeCategories {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

/// The normalized spelling of a category.
pub fn normalize(s: &str, case: Case) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match case {
        Case::Lower => joined.to_lowercase(),
        Case::Upper => joined.to_uppercase(),
        Case::Keep => joined,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedNormalize {
    pub case: Case,
    pub columns: Vec<String>,
    /// column → normalized value → the distinct training spellings merged into it (≥ 2).
    pub merged: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Step for NormalizeCategories {
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
        check_columns(&self.columns)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let case = self.case.unwrap_or_default();
        let mut merged = BTreeMap::new();
        let mut columns = Vec::new();
        for c in selected(train, &self.columns, is_categorical) {
            let Values::Str(v) = &c.values else { continue };
            columns.push(c.name.clone());
            let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for x in v.iter().flatten() {
                groups
                    .entry(normalize(x, case))
                    .or_default()
                    .insert(x.clone());
            }
            let m: BTreeMap<String, Vec<String>> = groups
                .into_iter()
                .filter(|(_, s)| s.len() > 1)
                .map(|(k, s)| (k, s.into_iter().collect()))
                .collect();
            if !m.is_empty() {
                merged.insert(c.name.clone(), m);
            }
        }
        Ok(FittedStep::from(FittedNormalize {
            case,
            columns,
            merged,
        }))
    }
}

impl Fitted for FittedNormalize {
    fn transform(&self, table: &mut Table) -> usize {
        let mut cells = 0;
        for name in &self.columns {
            let Some(Values::Str(v)) = table.column_mut(name).map(|c| &mut c.values) else {
                continue;
            };
            let v = std::sync::Arc::make_mut(v);
            for x in v.iter_mut().flatten() {
                let n = normalize(x, self.case);
                if n != *x {
                    *x = n;
                    cells += 1;
                }
            }
        }
        cells
    }
    fn learned(&self) -> Value {
        json!({"columns": self.columns, "merged": self.merged})
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    /// Flagged values become missing (a later `impute` step fills them).
    #[default]
    Missing,
    /// Flagged values are only counted in the audit.
    Report,
}

/// `{"op": "unit_outliers"}`: flags numeric values that look recorded in another unit: outside
/// the training far-out fences (Q1 − 3·IQR, Q3 + 3·IQR) and within a factor 1.26 of the
/// training median times a power of ten (10, 100, 1000, or 1/10, 1/100, 1/1000), the signature of
/// grams among kilograms or millimetres among centimetres.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitOutliers {
    #[serde(default)]
    pub action: OutlierAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedUnitOutliers {
    pub action: OutlierAction,
    /// column → (median, low fence, high fence, flagged training values)
    pub params: BTreeMap<String, (f64, f64, f64, usize)>,
}

/// Does `x` look like the median recorded in another unit (a power of ten away)?
pub fn unit_like(x: f64, median: f64, low: f64, high: f64) -> bool {
    if x >= low && x <= high || median == 0.0 || x == 0.0 || x.signum() != median.signum() {
        return false;
    }
    let decades = (x / median).abs().log10();
    let nearest = decades.round();
    (1.0..=3.0).contains(&nearest.abs()) && (decades - nearest).abs() < 0.1
}

impl Step for UnitOutliers {
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
        self.action == OutlierAction::Missing
    }
    fn column_wise(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Numeric)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let mut params = BTreeMap::new();
        for c in selected(train, &self.columns, is_numeric) {
            let Values::Num(v) = &c.values else { continue };
            let mut p = present(v);
            if p.is_empty() {
                continue;
            }
            let (q1, q3) = (quantile(&mut p, 0.25), quantile(&mut p, 0.75));
            let med = quantile(&mut p, 0.5);
            let (low, high) = (q1 - 3.0 * (q3 - q1), q3 + 3.0 * (q3 - q1));
            let flagged = p.iter().filter(|&&x| unit_like(x, med, low, high)).count();
            params.insert(c.name.clone(), (med, low, high, flagged));
        }
        Ok(FittedStep::from(FittedUnitOutliers {
            action: self.action,
            params,
        }))
    }
}

impl Fitted for FittedUnitOutliers {
    fn transform(&self, table: &mut Table) -> usize {
        if self.action == OutlierAction::Report {
            return 0;
        }
        let mut cells = 0;
        for c in &mut table.columns {
            if let (Some(&(m, lo, hi, _)), Values::Num(v)) =
                (self.params.get(&c.name), &mut c.values)
            {
                let v = std::sync::Arc::make_mut(v);
                for x in v.iter_mut().filter(|x| unit_like(**x, m, lo, hi)) {
                    *x = f64::NAN;
                    cells += 1;
                }
            }
        }
        cells
    }
    fn learned(&self) -> Value {
        json!(self
            .params
            .iter()
            .map(|(k, (m, lo, hi, n))| (
                k.clone(),
                json!({"median": m, "low_fence": lo, "high_fence": hi, "flagged_training_values": n})
            ))
            .collect::<BTreeMap<_, _>>())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClipMethod {
    /// [Q1 − factor·IQR, Q3 + factor·IQR], factor default 1.5 (Tukey's fences).
    Iqr,
    /// [mean − factor·std, mean + factor·std] (population std), factor default 3.
    Zscore,
}

/// `{"op": "clip", "method": "iqr"}`: clamps numeric values to bounds learned on the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clip {
    pub method: ClipMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedClip {
    pub bounds: BTreeMap<String, (f64, f64)>,
}

impl Step for Clip {
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
        if self.factor.is_some_and(|f| !f.is_finite() || f <= 0.0) {
            return Err(("factor", "must be a positive number".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Numeric)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let mut bounds = BTreeMap::new();
        for c in selected(train, &self.columns, is_numeric) {
            let Values::Num(v) = &c.values else { continue };
            let mut p = present(v);
            if p.is_empty() {
                continue;
            }
            let b = match self.method {
                ClipMethod::Iqr => {
                    let f = self.factor.unwrap_or(1.5);
                    let (q1, q3) = (quantile(&mut p, 0.25), quantile(&mut p, 0.75));
                    (q1 - f * (q3 - q1), q3 + f * (q3 - q1))
                }
                ClipMethod::Zscore => {
                    let f = self.factor.unwrap_or(3.0);
                    let (m, s) = (mean(&p), variance(&p).sqrt());
                    (m - f * s, m + f * s)
                }
            };
            bounds.insert(c.name.clone(), b);
        }
        Ok(FittedStep::from(FittedClip { bounds }))
    }
}

impl Fitted for FittedClip {
    fn transform(&self, table: &mut Table) -> usize {
        update_numeric(table, &self.bounds, |&(lo, hi), x| {
            (x < lo || x > hi).then(|| x.clamp(lo, hi))
        })
    }
    fn learned(&self) -> Value {
        json!(self
            .bounds
            .iter()
            .map(|(k, (lo, hi))| (k.clone(), json!({"low": lo, "high": hi})))
            .collect::<BTreeMap<_, _>>())
    }
}

/// Removes the columns named in `dropped` from a table; returns the cells removed.
fn drop_columns(table: &mut Table, dropped: &BTreeMap<String, f64>) -> usize {
    let rows = table.rows();
    let before = table.columns.len();
    table.columns.retain(|c| !dropped.contains_key(&c.name));
    let removed = before - table.columns.len();
    *table = Table::new(std::mem::take(&mut table.columns));
    removed * rows
}

/// `{"op": "drop_constant"}`: drops columns whose most frequent training value covers at least
/// `max_share` of the present training values (default 1.0: constant columns only; 0.95 also
/// drops near-constant ones). Columns with no present training value are dropped too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropConstant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_share: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

/// Drops the columns it learned; `learned` lists them with their training measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedDrop {
    pub measure: String,
    pub dropped: BTreeMap<String, f64>,
}

impl Fitted for FittedDrop {
    fn transform(&self, table: &mut Table) -> usize {
        drop_columns(table, &self.dropped)
    }
    fn learned(&self) -> Value {
        json!({ "dropped": self.dropped.iter().map(|(k, v)| (k.clone(), json!({self.measure.as_str(): v}))).collect::<BTreeMap<_, _>>() })
    }
}

fn check_fraction(field: &'static str, v: Option<f64>) -> Result<(), ArgError> {
    if v.is_some_and(|f| !(f > 0.0 && f <= 1.0)) {
        return Err((field, "must be a fraction in (0, 1]".into()));
    }
    Ok(())
}

impl Step for DropConstant {
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
        check_fraction("max_share", self.max_share)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let max_share = self.max_share.unwrap_or(1.0);
        let mut dropped = BTreeMap::new();
        for c in selected(train, &self.columns, |c| c.ctype != ColumnType::Date) {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for r in 0..c.values.len() {
                if let Some(t) = c.values.text(r) {
                    *counts.entry(t).or_insert(0) += 1;
                }
            }
            let present: usize = counts.values().sum();
            let top = counts.values().copied().max().unwrap_or(0);
            let share = if present == 0 {
                1.0
            } else {
                top as f64 / present as f64
            };
            if share >= max_share - 1e-12 {
                dropped.insert(c.name.clone(), share);
            }
        }
        Ok(FittedStep::from(FittedDrop {
            measure: "top_share".into(),
            dropped,
        }))
    }
}

/// `{"op": "drop_missing"}`: drops columns missing in more than `threshold` (default 0.5) of the
/// training rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropMissing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

impl Step for DropMissing {
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
        if self.threshold.is_some_and(|f| !(0.0..1.0).contains(&f)) {
            return Err(("threshold", "must be a fraction in [0, 1)".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let threshold = self.threshold.unwrap_or(0.5);
        let rows = train.rows().max(1) as f64;
        let dropped = selected(train, &self.columns, |c| c.ctype != ColumnType::Date)
            .into_iter()
            .map(|c| (c.name.clone(), c.values.missing() as f64 / rows))
            .filter(|&(_, f)| f > threshold)
            .collect();
        Ok(FittedStep::from(FittedDrop {
            measure: "missing_fraction".into(),
            dropped,
        }))
    }
}

impl Describe for NormalizeCategories {
    const DOC: &'static str = "Merges spellings of the same category (case, spaces, accents).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "case",
                Ty::Enum(&["lower", "upper", "keep"]),
                json!("lower"),
                "the case of merged categories",
            ),
            Arg::opt(
                "columns",
                Ty::Columns,
                "the categorical columns (default: all)",
            ),
        ]
    }
    fn example() -> Self {
        NormalizeCategories {
            case: None,
            columns: Some(vec!["dx".into()]),
        }
    }
}

impl Describe for UnitOutliers {
    const DOC: &'static str = "Finds values recorded in another unit (e.g. pounds for kilograms) and makes them missing or reports them.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "action",
                Ty::Enum(&["missing", "report"]),
                json!("missing"),
                "make the values missing or only report them",
            ),
            Arg::opt("columns", Ty::Columns, "the numeric columns (default: all)"),
        ]
    }
    fn example() -> Self {
        UnitOutliers {
            action: OutlierAction::Missing,
            columns: Some(vec!["glucose".into()]),
        }
    }
}

impl Describe for Clip {
    const DOC: &'static str =
        "Clips numbers to bounds learned on the training rows (IQR or z-score).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "method",
                Ty::Enum(&["iqr", "zscore"]),
                "how the bounds are learned",
            ),
            Arg::opt(
                "factor",
                Ty::Number,
                "the bound width (default 1.5 for iqr, 3 for zscore)",
            ),
            Arg::opt("columns", Ty::Columns, "the numeric columns (default: all)"),
        ]
    }
    fn example() -> Self {
        Clip {
            method: ClipMethod::Iqr,
            factor: None,
            columns: Some(vec!["glucose".into()]),
        }
    }
}

impl Describe for DropConstant {
    const DOC: &'static str =
        "Drops columns where one value covers at least a share of the training rows.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "max_share",
                Ty::Number,
                json!(1.0),
                "the share of the most frequent value at which a column is dropped",
            ),
            Arg::opt(
                "columns",
                Ty::Columns,
                "the columns considered (default: all)",
            ),
        ]
    }
    fn example() -> Self {
        DropConstant {
            max_share: None,
            columns: None,
        }
    }
}

impl Describe for DropMissing {
    const DOC: &'static str = "Drops columns missing in more than a share of the training rows.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "threshold",
                Ty::Number,
                json!(0.5),
                "the share of missing values above which a column is dropped",
            ),
            Arg::opt(
                "columns",
                Ty::Columns,
                "the columns considered (default: all)",
            ),
        ]
    }
    fn example() -> Self {
        DropMissing {
            threshold: None,
            columns: None,
        }
    }
}
