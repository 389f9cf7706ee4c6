//! `balance`: resample the *training* rows of each split so the classes are balanced; the test
//! rows are never touched.
//!
//! - `oversample`: draws minority rows at random with replacement and appends the copies.
//! - `undersample`: removes majority rows chosen at random (without replacement).
//! - `smote`: appends synthetic minority rows, each on the segment between a random minority row
//!   and one of its `neighbors` (default 5) nearest minority neighbours by Euclidean distance,
//!   at a uniform random position (Chawla et al. 2002; imbalanced-learn's `SMOTE`). Every column
//!   must be numeric and complete at this point: put `balance` after `impute` and `one_hot`.
//!
//! `ratio` (default 1.0) is the minority/majority size wanted afterwards. Randomness comes from
//! the recipe's seed and the split number only.

use super::linalg::dist2;
use super::{FitContext, FitError, Fitted, FittedStep, Step};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{Column, Table, Values};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceMethod {
    Oversample,
    Undersample,
    Smote,
}

/// `{"op": "balance", "method": "smote"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Balance {
    pub method: BalanceMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbors: Option<usize>,
}

/// The resampling plan learned on the training rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedBalance {
    pub method: BalanceMethod,
    pub minority: bool,
    pub before: [usize; 2],
    /// Training rows kept, in order (repeats = copies). Never saved: only training rows are
    /// resampled, and a saved pipeline only transforms new records.
    #[serde(skip)]
    pub keep: Vec<usize>,
    /// Synthetic rows (SMOTE): values in table column order, with the two parent rows and the gap.
    #[serde(skip)]
    pub synthetic: Vec<Synthetic>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Synthetic {
    pub values: Vec<f64>,
    pub from: usize,
    pub to: usize,
    pub gap: f64,
}

impl Step for Balance {
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
    // Not column by column: it resamples the training rows.
    fn column_wise(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        if self.ratio.is_some_and(|r| !(r > 0.0 && r <= 1.0)) {
            return Err((
                "ratio",
                "must be in (0, 1]: the minority/majority size afterwards".into(),
            ));
        }
        if self.neighbors.is_some() && self.method != BalanceMethod::Smote {
            return Err(("neighbors", "is only used with method \"smote\"".into()));
        }
        if self.neighbors == Some(0) {
            return Err(("neighbors", "must be at least 1".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
    fn fit(&self, train: &Table, ctx: &FitContext) -> Result<FittedStep, FitError> {
        let y = ctx.y;
        let pos = y.iter().filter(|&&b| b).count();
        let before = [y.len() - pos, pos];
        let minority = pos < before[0];
        let (n_min, n_maj) = (before[minority as usize], before[!minority as usize]);
        let ratio = self.ratio.unwrap_or(1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed);
        let min_rows: Vec<usize> = (0..y.len()).filter(|&r| y[r] == minority).collect();
        let maj_rows: Vec<usize> = (0..y.len()).filter(|&r| y[r] != minority).collect();
        let mut keep: Vec<usize> = (0..y.len()).collect();
        let mut synthetic = Vec::new();
        let wanted_min = ((ratio * n_maj as f64).round() as usize).max(n_min);
        match self.method {
            BalanceMethod::Oversample => {
                if n_min == 0 {
                    return Err(
                        "the training rows have only one class; nothing to oversample".into(),
                    );
                }
                for _ in n_min..wanted_min {
                    keep.push(min_rows[pick(&mut rng, n_min)]);
                }
            }
            BalanceMethod::Undersample => {
                let wanted_maj = ((n_min as f64 / ratio).round() as usize).min(n_maj);
                if wanted_maj == 0 {
                    return Err("the training rows have only one class; undersampling would remove them all".into());
                }
                let mut drop = maj_rows.clone();
                drop.shuffle(&mut rng);
                drop.truncate(n_maj - wanted_maj);
                drop.sort();
                keep.retain(|r| drop.binary_search(r).is_err());
            }
            BalanceMethod::Smote => {
                if n_min < 2 {
                    return Err(format!(
                        "smote needs at least 2 training rows of the minority class, found {n_min}"
                    ));
                }
                let data = numeric_rows(train)?;
                let k = self.neighbors.unwrap_or(5).min(n_min - 1);
                let neighbours: Vec<Vec<usize>> = min_rows
                    .iter()
                    .map(|&i| {
                        let mut d: Vec<(f64, usize)> = min_rows
                            .iter()
                            .filter(|&&j| j != i)
                            .map(|&j| (dist2(&data[i], &data[j]), j))
                            .collect();
                        d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                        d.into_iter().take(k).map(|(_, j)| j).collect()
                    })
                    .collect();
                for _ in n_min..wanted_min {
                    let a = pick(&mut rng, n_min);
                    let from = min_rows[a];
                    let to = neighbours[a][pick(&mut rng, neighbours[a].len())];
                    let gap: f64 = rng.gen();
                    let values = data[from]
                        .iter()
                        .zip(&data[to])
                        .map(|(x, z)| x + gap * (z - x))
                        .collect();
                    synthetic.push(Synthetic {
                        values,
                        from,
                        to,
                        gap,
                    });
                }
            }
        }
        Ok(FittedStep::from(FittedBalance {
            method: self.method,
            minority,
            before,
            keep,
            synthetic,
        }))
    }
}

/// A uniform index below `n`, drawn as a u64 so that native (64-bit `usize`) and wasm32 (32-bit)
/// draw the same numbers from the same seed (rand samples `usize` ranges at the pointer width).
fn pick(rng: &mut ChaCha8Rng, n: usize) -> usize {
    rng.gen_range(0..n as u64) as usize
}

/// Every row of an all-numeric, complete table.
fn numeric_rows(t: &Table) -> Result<Vec<Vec<f64>>, FitError> {
    let mut cols = Vec::new();
    for c in &t.columns {
        match &c.values {
            Values::Num(v) if v.iter().all(|x| !x.is_nan()) => cols.push(v),
            Values::Num(_) => {
                return Err(format!(
                    "column '{}' has missing values; put balance after impute",
                    c.name
                ))
            }
            Values::Str(_) => {
                return Err(format!(
                    "column '{}' is not numeric; put balance (smote) after one_hot or ordinal",
                    c.name
                ))
            }
        }
    }
    Ok((0..t.rows())
        .map(|r| cols.iter().map(|v| v[r]).collect())
        .collect())
}

impl Fitted for FittedBalance {
    fn transform(&self, _: &mut Table) -> usize {
        0
    }
    fn resample(&self, train: &mut Table, y: &mut Vec<bool>) {
        let mut t = train.take_rows(&self.keep);
        let mut labels: Vec<bool> = self.keep.iter().map(|&r| y[r]).collect();
        if !self.synthetic.is_empty() {
            let columns = std::mem::take(&mut t.columns);
            let columns = columns
                .into_iter()
                .enumerate()
                .map(|(j, c)| match c.values {
                    Values::Num(mut v) => {
                        std::sync::Arc::make_mut(&mut v)
                            .extend(self.synthetic.iter().map(|s| s.values[j]));
                        Column {
                            values: Values::Num(v),
                            ..c
                        }
                    }
                    other => Column { values: other, ..c },
                })
                .collect();
            t = Table::new(columns);
            labels.extend(std::iter::repeat_n(self.minority, self.synthetic.len()));
        }
        *train = t;
        *y = labels;
    }
    fn learned(&self) -> Value {
        let mut after = [0usize; 2];
        // Rows per class afterwards: the kept rows' classes plus the synthetic minority rows.
        let minority = self.minority as usize;
        let majority = 1 - minority;
        let copies = self.keep.len() as isize - (self.before[0] + self.before[1]) as isize;
        match self.method {
            BalanceMethod::Oversample => {
                after[minority] = self.before[minority] + copies.max(0) as usize;
                after[majority] = self.before[majority];
            }
            BalanceMethod::Undersample => {
                after[minority] = self.before[minority];
                after[majority] = self.keep.len() - self.before[minority];
            }
            BalanceMethod::Smote => {
                after[minority] = self.before[minority] + self.synthetic.len();
                after[majority] = self.before[majority];
            }
        }
        json!({
            "minority_class": if self.minority { "positive" } else { "negative" },
            "training_rows_before": {"negative": self.before[0], "positive": self.before[1]},
            "training_rows_after": {"negative": after[0], "positive": after[1]},
            "synthetic_rows": self.synthetic.len(),
        })
    }
}

impl Describe for Balance {
    const DOC: &'static str =
        "Balances the classes of the training rows (oversample, undersample or SMOTE).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req(
                "method",
                Ty::Enum(&["oversample", "undersample", "smote"]),
                "how rows are added or removed",
            ),
            Arg::def(
                "ratio",
                Ty::Number,
                json!(1.0),
                "the minority size reached, as a share of the majority",
            ),
            Arg::def(
                "neighbors",
                Ty::Integer,
                json!(5),
                "smote only: the neighbours interpolated",
            ),
        ]
    }
    fn example() -> Self {
        Balance {
            method: BalanceMethod::Oversample,
            ratio: None,
            neighbors: None,
        }
    }
}
