//! The Cox partial-likelihood loss for `gradient_boosting` on a time-to-event target (as
//! scikit-survival's `GradientBoostingSurvivalAnalysis(loss="coxph")` and XGBoost's
//! `survival:cox`): Breslow's handling of tied times, the gradient and the diagonal of the
//! Hessian of the negative log partial likelihood with respect to each row's score `f`.
//!
//! With `S₀(τ) = Σ_{t_j ≥ τ} e^{f_j}` and `d_τ` events at the distinct event time `τ`:
//! `L(f) = −Σ_i δ_i f_i + Σ_τ d_τ log S₀(τ)`,
//! `g_i = e^{f_i} Σ_{τ ≤ t_i} d_τ / S₀(τ) − δ_i`,
//! `h_i = e^{f_i} Σ_{τ ≤ t_i} d_τ / S₀(τ) − e^{2 f_i} Σ_{τ ≤ t_i} d_τ / S₀(τ)²`.
//! Scores are shifted by their maximum before exponentiation (the loss's gradient and Hessian
//! do not change), so no score overflows.

use serde::{Deserialize, Serialize};

use super::cox::breslow_baseline;
use crate::models::gradient_boosting::Boosted;
use ndarray::Array2;

/// The rows of a time-to-event sample arranged for the Cox loss.
pub struct CoxLoss<'a> {
    time: &'a [f64],
    event: &'a [bool],
    /// Row indices by ascending time.
    order: Vec<usize>,
}

impl<'a> CoxLoss<'a> {
    pub fn new(time: &'a [f64], event: &'a [bool]) -> Self {
        let mut order: Vec<usize> = (0..time.len()).collect();
        order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
        CoxLoss { time, event, order }
    }

    /// Per distinct time (ascending): `(first position in order, end, events, log S₀)` with
    /// scores shifted by `shift`.
    fn blocks(&self, f: &[f64], shift: f64) -> Vec<(usize, usize, f64, f64)> {
        let n = self.order.len();
        let mut out = Vec::new();
        let mut i = 0;
        while i < n {
            let t = self.time[self.order[i]];
            let mut j = i;
            let mut d = 0.0;
            while j < n && self.time[self.order[j]] == t {
                d += self.event[self.order[j]] as u8 as f64;
                j += 1;
            }
            out.push((i, j, d, 0.0));
            i = j;
        }
        // S₀ from the latest time back.
        let mut s0 = 0.0;
        for b in out.iter_mut().rev() {
            s0 += self.order[b.0..b.1]
                .iter()
                .map(|&r| (f[r] - shift).exp())
                .sum::<f64>();
            b.3 = s0.ln();
        }
        out
    }

    fn shift(f: &[f64]) -> f64 {
        f.iter().copied().fold(f64::NEG_INFINITY, f64::max).max(0.0)
    }

    /// The negative log partial likelihood (Breslow) of scores `f`.
    pub fn loss(&self, f: &[f64]) -> f64 {
        let shift = Self::shift(f);
        let mut l = 0.0;
        for (start, end, d, log_s0) in self.blocks(f, shift) {
            for &r in &self.order[start..end] {
                if self.event[r] {
                    l -= f[r];
                }
            }
            l += d * (log_s0 + shift);
        }
        l
    }

    /// The gradient `g` and the diagonal of the Hessian `h` of [`Self::loss`] at `f`.
    pub fn gradients(&self, f: &[f64], g: &mut [f64], h: &mut [f64]) {
        let shift = Self::shift(f);
        let (mut ca, mut cb) = (0.0, 0.0);
        for (start, end, d, log_s0) in self.blocks(f, shift) {
            if d > 0.0 {
                let inv = (-log_s0).exp();
                ca += d * inv;
                cb += d * inv * inv;
            }
            for &r in &self.order[start..end] {
                let w = (f[r] - shift).exp();
                g[r] = w * ca - self.event[r] as u8 as f64;
                h[r] = w * ca - w * w * cb;
            }
        }
    }
}

/// A boosted Cox model: the boosted score is the log relative hazard (the risk score); the
/// Breslow baseline on the training scores gives predicted survival.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoostedCox {
    /// The trees of `gradient_boosting` with the Cox loss.
    pub cox_boosted: Boosted,
    /// Breslow's baseline cumulative hazard at a score of 0: `(time, H₀(time))` at each
    /// distinct training event time.
    pub breslow_baseline: Vec<(f64, f64)>,
}

impl BoostedCox {
    /// Builds the model from the boosted trees and the training rows.
    pub fn new(boosted: Boosted, x: &Array2<f64>, time: &[f64], event: &[bool]) -> Self {
        let f = boosted.raw(x);
        BoostedCox {
            breslow_baseline: breslow_baseline(time, event, &f),
            cox_boosted: boosted,
        }
    }

    /// The risk score of each row (the boosted log relative hazard).
    pub fn risk(&self, x: &Array2<f64>) -> Vec<f64> {
        self.cox_boosted.raw(x)
    }

    /// `S(t | x) = exp(−H₀(t) · e^{f(x)})` per row and time.
    pub fn survival(&self, x: &Array2<f64>, times: &[f64]) -> Array2<f64> {
        let f = self.risk(x);
        let h0: Vec<f64> = times
            .iter()
            .map(|&t| super::cox::step_at(&self.breslow_baseline, t))
            .collect();
        Array2::from_shape_fn((f.len(), times.len()), |(r, j)| (-h0[j] * f[r].exp()).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gradient and Hessian diagonal against central finite differences of the loss, with
    /// tied times (event and censored at the same time).
    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        let time = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];
        let event = [
            true, true, false, true, true, false, false, true, false, true,
        ];
        let f = [0.3, -1.2, 0.8, 0.1, -0.4, 2.0, 0.0, -0.7, 1.1, 0.5];
        let loss = CoxLoss::new(&time, &event);
        let (mut g, mut h) = (vec![0.0; 10], vec![0.0; 10]);
        loss.gradients(&f, &mut g, &mut h);
        let eps = 1e-4;
        for i in 0..10 {
            let at = |d: f64| {
                let mut v = f.to_vec();
                v[i] += d;
                loss.loss(&v)
            };
            let (lp, l0, lm) = (at(eps), at(0.0), at(-eps));
            let gd = (lp - lm) / (2.0 * eps);
            let hd = (lp - 2.0 * l0 + lm) / (eps * eps);
            assert!((g[i] - gd).abs() < 1e-7, "g[{i}] {} vs {gd}", g[i]);
            assert!((h[i] - hd).abs() < 1e-5, "h[{i}] {} vs {hd}", h[i]);
        }
        // Shifting every score changes nothing.
        let shifted: Vec<f64> = f.iter().map(|v| v + 700.0).collect();
        let (mut g2, mut h2) = (vec![0.0; 10], vec![0.0; 10]);
        loss.gradients(&shifted, &mut g2, &mut h2);
        for i in 0..10 {
            assert!((g[i] - g2[i]).abs() < 1e-9 && (h[i] - h2[i]).abs() < 1e-9);
        }
    }
}
