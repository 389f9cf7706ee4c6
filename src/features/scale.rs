//! `scale` (standardize, min-max or robust-scale numeric columns with training statistics) and
//! `log` (log / log1p of skewed positive columns).

use super::stats::{mean, present, quantile, skewness, variance};
use super::{
    check_columns, is_numeric, named, selected, update_numeric, FitContext, FitError, Fitted,
    FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// (x − mean) / std, population std as scikit-learn's StandardScaler; std 0 → 1.
    Standard,
    /// (x − min) / (max − min); a constant column maps to 0.
    Minmax,
    /// (x − median) / (Q3 − Q1), quartiles interpolated as numpy's percentile, as
    /// scikit-learn's RobustScaler; an IQR of 0 → 1.
    Robust,
}

/// `{"op": "scale", "method": "standard"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedScale {
    /// column → (offset, divisor): x ↦ (x − offset) / divisor
    pub params: BTreeMap<String, (f64, f64)>,
}

impl Step for Scale {
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
        Some(ColumnType::Numeric)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        Ok(FittedStep::from(self.fit_table(train)))
    }
}

impl Scale {
    pub fn fit_table(&self, train: &Table) -> FittedScale {
        let mut params = BTreeMap::new();
        for c in selected(train, &self.columns, is_numeric) {
            let Values::Num(v) = &c.values else { continue };
            let mut p = present(v);
            if p.is_empty() {
                params.insert(c.name.clone(), (0.0, 1.0));
                continue;
            }
            let nonzero = |d: f64| if d > 0.0 { d } else { 1.0 };
            let pair = match self.method {
                Method::Standard => (mean(&p), nonzero(variance(&p).sqrt())),
                Method::Minmax => {
                    let min = p.iter().copied().fold(f64::INFINITY, f64::min);
                    let max = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (min, nonzero(max - min))
                }
                Method::Robust => {
                    let q1 = quantile(&mut p, 0.25);
                    let q3 = quantile(&mut p, 0.75);
                    (quantile(&mut p, 0.5), nonzero(q3 - q1))
                }
            };
            params.insert(c.name.clone(), pair);
        }
        FittedScale { params }
    }
}

impl Fitted for FittedScale {
    fn transform(&self, table: &mut Table) -> usize {
        update_numeric(table, &self.params, |&(off, div), x| {
            (!x.is_nan()).then(|| (x - off) / div)
        })
    }

    fn learned(&self) -> Value {
        json!(self
            .params
            .iter()
            .map(|(k, (o, d))| (k.clone(), json!({"offset": o, "divisor": d})))
            .collect::<BTreeMap<_, _>>())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogMethod {
    /// ln(x), for columns whose training values are all > 0.
    Log,
    /// ln(1 + x), for columns whose training values are all ≥ 0 (counts, lengths of stay).
    Log1p,
}

/// `{"op": "log", "method": "log1p"}`: without `columns`, applies to the numeric columns whose
/// training skewness exceeds `min_skew` (default 1.0) and whose training values are in the
/// method's domain. A named column with training values outside the domain is an error. A test
/// value below the domain is first raised to the training minimum (counted in the audit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub method: LogMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_skew: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedLog {
    pub shift: f64,
    /// column → (training skewness, training minimum)
    pub columns: BTreeMap<String, (f64, f64)>,
}

impl Step for Log {
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
        if self.min_skew.is_some() && self.columns.is_some() {
            return Err((
                "min_skew",
                "is only used when no columns are named (it picks the skewed ones)".into(),
            ));
        }
        if self.min_skew.is_some_and(|s| !s.is_finite()) {
            return Err(("min_skew", "must be a finite number".into()));
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
        let shift = match self.method {
            LogMethod::Log => 0.0,
            LogMethod::Log1p => 1.0,
        };
        let min_skew = self.min_skew.unwrap_or(1.0);
        let mut columns = BTreeMap::new();
        for c in selected(train, &self.columns, is_numeric) {
            let Values::Num(v) = &c.values else { continue };
            let p = present(v);
            if p.is_empty() {
                continue;
            }
            let min = p.iter().copied().fold(f64::INFINITY, f64::min);
            let in_domain = min + shift > 0.0;
            let skew = skewness(&p);
            if self.columns.is_some() {
                if !in_domain {
                    return Err(format!(
                        "column '{}' has training values {} so {} is undefined; use method log1p or clip first",
                        c.name,
                        if shift == 0.0 { "≤ 0" } else { "≤ -1" },
                        if shift == 0.0 { "log" } else { "log1p" }
                    ));
                }
            } else if !in_domain || skew <= min_skew {
                continue;
            }
            columns.insert(c.name.clone(), (skew, min));
        }
        Ok(FittedStep::from(FittedLog { shift, columns }))
    }
}

impl Fitted for FittedLog {
    fn transform(&self, table: &mut Table) -> usize {
        update_numeric(table, &self.columns, |&(_, min), x| {
            (!x.is_nan()).then(|| (x.max(min) + self.shift).ln())
        })
    }

    fn learned(&self) -> Value {
        json!(self
            .columns
            .iter()
            .map(|(k, (s, m))| (k.clone(), json!({"skewness": s, "training_min": m})))
            .collect::<BTreeMap<_, _>>())
    }
}

impl Describe for Scale {
    const DOC: &'static str = "Scales numbers (standard, min-max or robust) with parameters learned on the training rows.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "method",
                Ty::Enum(&["standard", "minmax", "robust"]),
                "the scaling",
            ),
            Arg::opt("columns", Ty::Columns, "the numeric columns (default: all)"),
        ]
    }
    fn example() -> Self {
        Scale {
            method: Method::Standard,
            columns: None,
        }
    }
}

impl Describe for Log {
    const DOC: &'static str = "Log-transforms skewed numbers.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("method", Ty::Enum(&["log", "log1p"]), "the transform"),
            Arg::def(
                "min_skew",
                Ty::Number,
                json!(1.0),
                "only columns at least this skewed (when no columns are named)",
            ),
            Arg::opt(
                "columns",
                Ty::Columns,
                "the numeric columns (default: all skewed enough)",
            ),
        ]
    }
    fn example() -> Self {
        Log {
            method: LogMethod::Log1p,
            min_skew: None,
            columns: Some(vec!["glucose".into()]),
        }
    }
}
