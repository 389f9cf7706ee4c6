//! `scale`: standardize or min-max numeric columns with training-row statistics.

use super::{selected, Fitted};
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
}

/// `{"op": "scale", "method": "standard"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub method: Method,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

pub struct FittedScale {
    /// column → (offset, divisor): x ↦ (x − offset) / divisor
    pub params: BTreeMap<String, (f64, f64)>,
}

impl Scale {
    pub fn fit(&self, train: &Table) -> FittedScale {
        let mut params = BTreeMap::new();
        for c in selected(train, &self.columns, |c| c.ctype == ColumnType::Numeric) {
            let Values::Num(v) = &c.values else { continue };
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if present.is_empty() {
                params.insert(c.name.clone(), (0.0, 1.0));
                continue;
            }
            let n = present.len() as f64;
            let p = match self.method {
                Method::Standard => {
                    let mean = present.iter().sum::<f64>() / n;
                    let std = (present.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
                    (mean, if std > 0.0 { std } else { 1.0 })
                }
                Method::Minmax => {
                    let min = present.iter().copied().fold(f64::INFINITY, f64::min);
                    let max = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (min, if max > min { max - min } else { 1.0 })
                }
            };
            params.insert(c.name.clone(), p);
        }
        FittedScale { params }
    }
}

impl Fitted for FittedScale {
    fn transform(&self, table: &mut Table) -> usize {
        let mut cells = 0;
        for c in &mut table.columns {
            if let (Some(&(off, div)), Values::Num(v)) = (self.params.get(&c.name), &mut c.values) {
                for x in v.iter_mut().filter(|x| !x.is_nan()) {
                    *x = (*x - off) / div;
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
            .map(|(k, (o, d))| (k.clone(), json!({"offset": o, "divisor": d})))
            .collect::<BTreeMap<_, _>>())
    }
}
