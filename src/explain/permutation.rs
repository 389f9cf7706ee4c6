//! Permutation SHAP for any model, against a background sample (Štrumbelj and Kononenko 2014,
//! with antithetic permutations as SHAP's `PermutationExplainer`).
//!
//! The value of a coalition `S` for a row is the mean prediction over the background rows with
//! the inputs in `S` replaced by the row's values (the interventional expectation). For one
//! permutation of the inputs, adding them one at a time from the empty coalition to the full one
//! gives each input a marginal contribution; the contributions of one permutation sum to
//! `f(row) − mean f(background)` exactly (the sum telescopes), so their average over any number
//! of permutations does too: efficiency is exact while each value is an estimate. Every
//! permutation is used with its reverse (antithetic pairs), which cancels much of the sampling
//! noise and makes a model of two inputs exact.
//!
//! Cost per row: `pairs · 2 · inputs · background` predictions, made in one batch per
//! permutation.

use crate::models::draw_index;
use ndarray::{Array2, ArrayView1};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The mean prediction of `predict` over `background` (the base value).
pub fn base_value(predict: &dyn Fn(&Array2<f64>) -> Vec<f64>, background: &Array2<f64>) -> f64 {
    let p = predict(background);
    p.iter().sum::<f64>() / p.len().max(1) as f64
}

/// The permutation SHAP values of `row` with `pairs` antithetic pairs of permutations drawn
/// from `seed`; `base` is [`base_value`] of the same background.
pub fn permutation_shap(
    predict: &dyn Fn(&Array2<f64>) -> Vec<f64>,
    background: &Array2<f64>,
    base: f64,
    row: ArrayView1<f64>,
    pairs: usize,
    seed: u64,
) -> Vec<f64> {
    let p = row.len();
    let b = background.nrows();
    let mut phi = vec![0.0; p];
    if p == 0 || b == 0 {
        return phi;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pairs = pairs.max(1);
    let mut order: Vec<usize> = (0..p).collect();
    let mut batch = Array2::zeros((p * b, p));
    for _ in 0..pairs {
        for i in (1..p).rev() {
            let j = draw_index(&mut rng, 0, i + 1);
            order.swap(i, j);
        }
        for reversed in [false, true] {
            let ord: Vec<usize> = if reversed {
                order.iter().rev().copied().collect()
            } else {
                order.clone()
            };
            // Block k: the background with the first k + 1 inputs of the order set to the row's.
            for k in 0..p {
                for r in 0..b {
                    let mut out = batch.row_mut(k * b + r);
                    for &g in &ord[..=k] {
                        out[g] = row[g];
                    }
                    for &g in &ord[k + 1..] {
                        out[g] = background[[r, g]];
                    }
                }
            }
            let pred = predict(&batch);
            let mut before = base;
            for (k, &f) in ord.iter().enumerate() {
                let after = pred[k * b..(k + 1) * b].iter().sum::<f64>() / b as f64;
                phi[f] += after - before;
                before = after;
            }
        }
    }
    let n = (2 * pairs) as f64;
    phi.iter_mut().for_each(|v| *v /= n);
    phi
}
