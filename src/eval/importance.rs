//! Explanations: permutation importance (any model) and impurity importance (trees).
//!
//! **Permutation importance** is measured on each test fold, as scikit-learn's
//! `permutation_importance` on held-out rows: the fitted model's score (ROC-AUC for
//! classification, R² for regression) minus its score after shuffling one input column,
//! averaged over 5 seeded shuffles (`evaluation.permutation_repeats`; 0 turns it off, e.g. for
//! large tables where it costs inputs × repeats extra predictions per split). Per input it reports the mean and the
//! population std over the splits. Inputs are the columns the models see (after one-hot
//! encoding); a column that exists only in some splits (a category absent from a training
//! split) is averaged over the splits that have it. Splits whose score is undefined (a
//! one-row or one-class test fold, as with leave-one-out) are skipped.
//!
//! **Impurity importance** (trees, forests, boosting): each model's own normalised total
//! impurity decrease (split gain for boosting), averaged over the splits the same way.

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Shuffles per input column unless `evaluation.permutation_repeats` says otherwise.
pub const DEFAULT_REPEATS: usize = 5;

/// The decrease in `score` when each column of `x` is shuffled (mean over `repeats`
/// shuffles); `None` if the score on the intact rows is undefined or `repeats` is 0.
pub fn permutation(
    x: &Array2<f64>,
    predict: &dyn Fn(&Array2<f64>) -> Vec<f64>,
    score: &dyn Fn(&[f64]) -> Option<f64>,
    repeats: usize,
    seed: u64,
) -> Option<Vec<f64>> {
    if repeats == 0 {
        return None;
    }
    let settled = |p: Vec<f64>| -> Vec<f64> { p.into_iter().map(settle).collect() };
    let base = score(&settled(predict(x)))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut xs = x.clone();
    let mut perm: Vec<usize> = (0..x.nrows()).collect();
    let mut out = Vec::with_capacity(x.ncols());
    for j in 0..x.ncols() {
        let mut drop = 0.0;
        let mut k = 0;
        for _ in 0..repeats {
            perm.shuffle(&mut rng);
            for (i, &src) in perm.iter().enumerate() {
                xs[[i, j]] = x[[src, j]];
            }
            if let Some(s) = score(&settled(predict(&xs))) {
                drop += base - s;
                k += 1;
            }
        }
        xs.column_mut(j).assign(&x.column(j));
        out.push(if k > 0 { drop / k as f64 } else { 0.0 });
    }
    Some(out)
}

/// A prediction rounded to 12 significant digits before scoring: `exp` may differ in the last
/// bit between the native and the wasm math library, and a near-tie of two predictions must not
/// count as a tie for the AUC on one platform only (same recipe, same report).
fn settle(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(11 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// One input's importance over the splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub feature: String,
    pub mean: f64,
    pub std: f64,
    /// Splits that measured it.
    pub splits: usize,
}

/// Collects per-split values by input name.
#[derive(Debug, Default, Clone)]
pub struct Collector {
    values: BTreeMap<String, Vec<f64>>,
    /// First-seen order of the names, for stable output on ties.
    order: Vec<String>,
}

impl Collector {
    pub fn add(&mut self, names: &[String], values: &[f64]) {
        for (n, v) in names.iter().zip(values) {
            if !self.values.contains_key(n) {
                self.order.push(n.clone());
            }
            self.values.entry(n.clone()).or_default().push(*v);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Mean and population std per input, most important first.
    pub fn summary(&self) -> Vec<FeatureImportance> {
        let mut out: Vec<FeatureImportance> = self
            .order
            .iter()
            .map(|n| {
                let v = &self.values[n];
                let k = v.len() as f64;
                let mean = v.iter().sum::<f64>() / k;
                let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / k).sqrt();
                FeatureImportance {
                    feature: n.clone(),
                    mean,
                    std,
                    splits: v.len(),
                }
            })
            .collect();
        out.sort_by(|a, b| b.mean.total_cmp(&a.mean));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::roc_auc;
    use ndarray::array;

    #[test]
    fn only_the_used_column_matters() {
        // The "model" reads column 0 only; shuffling column 1 changes nothing.
        let x = array![
            [0.1, 5.0],
            [0.2, 4.0],
            [0.8, 3.0],
            [0.9, 2.0],
            [0.3, 1.0],
            [0.7, 0.0]
        ];
        let y = [false, false, true, true, false, true];
        let predict = |m: &Array2<f64>| m.column(0).to_vec();
        let score = |p: &[f64]| roc_auc(&y, p);
        let imp = permutation(&x, &predict, &score, 5, 3).unwrap();
        assert_eq!(permutation(&x, &predict, &score, 0, 3), None);
        assert!(imp[0] > 0.2, "{imp:?}");
        assert_eq!(imp[1], 0.0);
    }

    #[test]
    fn collector_averages_by_name_and_sorts() {
        let mut c = Collector::default();
        c.add(&["a".into(), "b".into()], &[0.1, 0.4]);
        c.add(&["b".into(), "c".into()], &[0.2, 0.05]);
        let s = c.summary();
        assert_eq!(s[0].feature, "b");
        assert!((s[0].mean - 0.3).abs() < 1e-12 && (s[0].std - 0.1).abs() < 1e-12);
        assert_eq!(s[0].splits, 2);
        assert_eq!(s[2].feature, "c");
    }
}
