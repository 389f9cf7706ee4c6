//! `impute`: fill missing cells with a statistic of the training rows.

use super::{selected, Fitted};
use crate::privacy::ArgError;
use crate::table::{Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Mean,
    Median,
    MostFrequent,
    Constant,
}

/// `{"op": "impute", "strategy": "median"}`. Numeric columns get the strategy's statistic;
/// categorical columns get their most frequent training value (or `"missing"` with `constant`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impute {
    pub strategy: Strategy,
    /// The fill value for numeric columns with `constant` (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    Num(f64),
    Str(String),
}

pub struct FittedImpute {
    pub fills: BTreeMap<String, Fill>,
}

impl Impute {
    pub fn check(&self) -> Result<(), ArgError> {
        if self.value.is_some() && self.strategy != Strategy::Constant {
            return Err(("value", "is only used with strategy \"constant\"".into()));
        }
        if self.value.is_some_and(|v| !v.is_finite()) {
            return Err(("value", "must be a finite number".into()));
        }
        Ok(())
    }

    pub fn fit(&self, train: &Table) -> FittedImpute {
        let mut fills = BTreeMap::new();
        for c in selected(train, &self.columns, |_| true) {
            let fill = match &c.values {
                Values::Num(v) => {
                    let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    let stat = match self.strategy {
                        _ if present.is_empty() => 0.0,
                        Strategy::Constant => self.value.unwrap_or(0.0),
                        Strategy::Mean => present.iter().sum::<f64>() / present.len() as f64,
                        Strategy::Median => median(&mut present),
                        Strategy::MostFrequent => {
                            most_frequent(present.iter().map(|&x| OrdF64(x))).map_or(0.0, |x| x.0)
                        }
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
        FittedImpute { fills }
    }
}

impl Fitted for FittedImpute {
    fn transform(&self, table: &mut Table) -> usize {
        let mut filled = 0;
        for c in &mut table.columns {
            match (self.fills.get(&c.name), &mut c.values) {
                (Some(Fill::Num(f)), Values::Num(v)) => {
                    v.iter_mut().filter(|x| x.is_nan()).for_each(|x| {
                        *x = *f;
                        filled += 1;
                    })
                }
                (Some(Fill::Str(f)), Values::Str(v)) => {
                    v.iter_mut().filter(|x| x.is_none()).for_each(|x| {
                        *x = Some(f.clone());
                        filled += 1;
                    })
                }
                _ => {}
            }
        }
        filled
    }

    fn learned(&self) -> Value {
        json!(self
            .fills
            .iter()
            .map(|(k, f)| (
                k.clone(),
                match f {
                    Fill::Num(x) => json!(x),
                    Fill::Str(s) => json!(s),
                }
            ))
            .collect::<BTreeMap<_, _>>())
    }
}

/// Median of a non-empty slice (mean of the two middle values for even lengths).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
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
fn most_frequent<T: Ord + Clone>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, c)| *c == best).map(|(v, _)| v)
}
