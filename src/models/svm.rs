//! `svm`: a support vector machine (C-SVC) with a linear or RBF kernel, solved by our own SMO,
//! with Platt-scaled probabilities, following libsvm (which scikit-learn's `SVC` wraps):
//! - the dual is solved by SMO with libsvm's second-order working-set selection
//!   (Fan, Chen & Lin 2005), stopping when the maximal violating pair is within `tol` = 1e-3;
//!   the bias is the mean of `y·∇` over free support vectors;
//! - probabilities: decision values of a seeded internal 5-fold cross-validation on the training
//!   rows are fitted to a sigmoid `1 / (1 + exp(A·f + B))` by Lin, Lin & Weng's (2007) Newton
//!   method with backtracking (libsvm's `sigmoid_train`), then the SVM is refitted on all rows;
//! - `gamma`: `"scale"` = 1 / (p · Var(X)) (scikit-learn's default), `"auto"` = 1 / p, or a number;
//! - `class_weight: "balanced"` scales each row's box constraint: C_i = C · w_i.
//!
//! Why not linfa-svm: Platt scaling, per-row C and the seeded probability folds are the parts
//! we need to control, and the solver is ~150 lines.

use super::{class_weights, ClassWeight, Classifier, ClassifierModel, FittedClassifier};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    #[default]
    Rbf,
    Linear,
}

/// `gamma`: a rule or a positive number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Gamma {
    Value(f64),
    Rule(GammaRule),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GammaRule {
    Scale,
    Auto,
}

/// `{"kind": "svm", "kernel": "rbf", "c": 1.0, "gamma": "scale", "class_weight": null}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SvmParams {
    #[serde(default)]
    pub kernel: Kernel,
    #[serde(default = "one")]
    pub c: f64,
    #[serde(default = "scale")]
    pub gamma: Gamma,
    #[serde(default = "tol")]
    pub tol: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weight: Option<ClassWeight>,
}

fn one() -> f64 {
    1.0
}
fn scale() -> Gamma {
    Gamma::Rule(GammaRule::Scale)
}
fn tol() -> f64 {
    1e-3
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            kernel: Kernel::Rbf,
            c: 1.0,
            gamma: scale(),
            tol: 1e-3,
            class_weight: None,
        }
    }
}

impl SvmParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(("c", format!("must be a positive number, got {}", self.c)));
        }
        if let Gamma::Value(g) = self.gamma {
            if !(g.is_finite() && g > 0.0) {
                return Err((
                    "gamma",
                    format!("must be \"scale\", \"auto\" or a positive number, got {g}"),
                ));
            }
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(("tol", "must be a positive number".into()));
        }
        Ok(())
    }

    fn gamma_for(&self, x: &Array2<f64>) -> f64 {
        let p = x.ncols().max(1) as f64;
        match self.gamma {
            Gamma::Value(g) => g,
            Gamma::Rule(GammaRule::Auto) => 1.0 / p,
            Gamma::Rule(GammaRule::Scale) => {
                let n = x.len() as f64;
                let mean = x.sum() / n;
                let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                if var > 0.0 {
                    1.0 / (p * var)
                } else {
                    1.0
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct KernelFn {
    kernel: Kernel,
    gamma: f64,
}

impl KernelFn {
    #[inline]
    fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        match self.kernel {
            Kernel::Linear => a.iter().zip(b).map(|(u, v)| u * v).sum(),
            Kernel::Rbf => {
                let d: f64 = a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum();
                (-self.gamma * d).exp()
            }
        }
    }
}

/// A fitted decision function `f(x) = Σ coef_i K(sv_i, x) − rho`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Machine {
    k: KernelFn,
    p: usize,
    /// Support vectors, row-major.
    sv: Vec<f64>,
    coef: Vec<f64>,
    rho: f64,
}

impl Machine {
    fn decision(&self, row: &[f64]) -> f64 {
        self.sv
            .chunks_exact(self.p.max(1))
            .zip(&self.coef)
            .map(|(s, c)| c * self.k.eval(s, row))
            .sum::<f64>()
            - self.rho
    }
}

/// Kernel rows cached up to a memory budget (oldest evicted first).
struct Cache<'a> {
    x: &'a [f64],
    p: usize,
    k: KernelFn,
    rows: Vec<Option<Vec<f64>>>,
    order: VecDeque<usize>,
    budget: usize,
}

impl Cache<'_> {
    fn row(&mut self, i: usize) -> &[f64] {
        if self.rows[i].is_none() {
            if self.order.len() >= self.budget {
                if let Some(old) = self.order.pop_front() {
                    self.rows[old] = None;
                }
            }
            let n = self.rows.len();
            let p = self.p.max(1);
            let xi = &self.x[i * p..(i + 1) * p];
            let r: Vec<f64> = (0..n)
                .map(|j| self.k.eval(xi, &self.x[j * p..(j + 1) * p]))
                .collect();
            self.rows[i] = Some(r);
            self.order.push_back(i);
        }
        self.rows[i].as_deref().expect("filled above")
    }
}

/// Solves the C-SVC dual on row-major `x` (`n × p`) with labels ±1 and box bounds `c`.
fn smo(x: &[f64], p: usize, y: &[f64], c: &[f64], k: KernelFn, tol: f64) -> Machine {
    let n = y.len();
    let pp = p.max(1);
    let diag: Vec<f64> = (0..n)
        .map(|i| k.eval(&x[i * pp..(i + 1) * pp], &x[i * pp..(i + 1) * pp]))
        .collect();
    // About 64 MB of f64 kernel rows at most.
    let budget = ((64usize << 20) / (8 * n.max(1))).max(2);
    let mut cache = Cache {
        x,
        p,
        k,
        rows: vec![None; n],
        order: VecDeque::new(),
        budget,
    };
    let mut alpha = vec![0.0; n];
    let mut g = vec![-1.0; n];
    let up = |t: usize, a: &[f64]| (y[t] > 0.0 && a[t] < c[t]) || (y[t] < 0.0 && a[t] > 0.0);
    let low = |t: usize, a: &[f64]| (y[t] > 0.0 && a[t] > 0.0) || (y[t] < 0.0 && a[t] < c[t]);
    let max_iter = (100 * n).max(10_000_000);
    const TAU: f64 = 1e-12;
    for _ in 0..max_iter {
        let mut gmax = f64::NEG_INFINITY;
        let mut i = usize::MAX;
        for t in 0..n {
            if up(t, &alpha) && -y[t] * g[t] > gmax {
                gmax = -y[t] * g[t];
                i = t;
            }
        }
        if i == usize::MAX {
            break;
        }
        let ki = cache.row(i).to_vec();
        let mut gmin = f64::INFINITY;
        let mut j = usize::MAX;
        let mut best = f64::INFINITY;
        for t in 0..n {
            if !low(t, &alpha) {
                continue;
            }
            let v = -y[t] * g[t];
            gmin = gmin.min(v);
            let b = gmax - v;
            if b > 0.0 {
                let mut a = diag[i] + diag[t] - 2.0 * ki[t];
                if a <= 0.0 {
                    a = TAU;
                }
                let obj = -b * b / a;
                if obj < best {
                    best = obj;
                    j = t;
                }
            }
        }
        if gmax - gmin < tol || j == usize::MAX {
            break;
        }
        let kj = cache.row(j).to_vec();
        let (ci, cj) = (c[i], c[j]);
        let (oi, oj) = (alpha[i], alpha[j]);
        let mut quad = diag[i] + diag[j] - 2.0 * ki[j];
        if quad <= 0.0 {
            quad = TAU;
        }
        if y[i] != y[j] {
            let delta = (-g[i] - g[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > ci - cj {
                if alpha[i] > ci {
                    alpha[i] = ci;
                    alpha[j] = ci - diff;
                }
            } else if alpha[j] > cj {
                alpha[j] = cj;
                alpha[i] = cj + diff;
            }
        } else {
            let delta = (g[i] - g[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > ci {
                if alpha[i] > ci {
                    alpha[i] = ci;
                    alpha[j] = sum - ci;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > cj {
                if alpha[j] > cj {
                    alpha[j] = cj;
                    alpha[i] = sum - cj;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let (di, dj) = (alpha[i] - oi, alpha[j] - oj);
        for t in 0..n {
            // Q_it = y_i y_t K_it
            g[t] += y[t] * (y[i] * ki[t] * di + y[j] * kj[t] * dj);
        }
    }
    // rho: mean of y·G over free vectors, else the midpoint of the feasible interval.
    let (mut sum, mut free) = (0.0, 0usize);
    let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
    for t in 0..n {
        let yg = y[t] * g[t];
        if alpha[t] > 0.0 && alpha[t] < c[t] {
            sum += yg;
            free += 1;
        } else if (alpha[t] >= c[t] && y[t] < 0.0) || (alpha[t] <= 0.0 && y[t] > 0.0) {
            ub = ub.min(yg);
        } else {
            lb = lb.max(yg);
        }
    }
    let rho = if free > 0 {
        sum / free as f64
    } else if ub.is_finite() && lb.is_finite() {
        (ub + lb) / 2.0
    } else {
        0.0
    };
    let mut sv = Vec::new();
    let mut coef = Vec::new();
    for t in 0..n {
        if alpha[t] > 0.0 {
            sv.extend_from_slice(&x[t * pp..(t + 1) * pp]);
            coef.push(alpha[t] * y[t]);
        }
    }
    Machine {
        k,
        p: pp,
        sv,
        coef,
        rho,
    }
}

/// Platt's sigmoid fitted to decision values `f` and labels (libsvm's `sigmoid_train`).
/// Returns (A, B) with P(positive | f) = 1 / (1 + exp(A·f + B)).
pub fn platt(f: &[f64], y: &[bool]) -> (f64, f64) {
    let prior1 = y.iter().filter(|&&b| b).count() as f64;
    let prior0 = y.len() as f64 - prior1;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = y.iter().map(|&b| if b { hi } else { lo }).collect();
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let obj = |a: f64, b: f64| -> f64 {
        f.iter()
            .zip(&t)
            .map(|(&d, &ti)| {
                let z = d * a + b;
                if z >= 0.0 {
                    ti * z + (-z).exp().ln_1p()
                } else {
                    (ti - 1.0) * z + z.exp().ln_1p()
                }
            })
            .sum()
    };
    let mut fval = obj(a, b);
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (1e-12, 1e-12, 0.0, 0.0, 0.0);
        for (&d, &ti) in f.iter().zip(&t) {
            let z = d * a + b;
            let (p, q) = if z >= 0.0 {
                let e = (-z).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = z.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += d * d * d2;
            h22 += d2;
            h21 += d * d2;
            let d1 = ti - p;
            g1 += d * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = obj(na, nb);
            if nf < fval + 1e-4 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if step < 1e-10 {
            break;
        }
    }
    (a, b)
}

fn sigmoid_prob(f: f64, a: f64, b: f64) -> f64 {
    let z = f * a + b;
    if z >= 0.0 {
        let e = (-z).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + z.exp())
    }
}

/// An SVM classifier with the recipe seed (for the Platt folds).
pub struct Svm {
    pub params: SvmParams,
    pub seed: u64,
}

/// A fitted SVM with its Platt sigmoid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedSvm {
    machine: Machine,
    a: f64,
    b: f64,
}

impl FittedSvm {
    /// The raw decision values (positive = positive class).
    pub fn decision(&self, x: &Array2<f64>) -> Vec<f64> {
        x.rows()
            .into_iter()
            .map(|r| self.machine.decision(r.as_slice().unwrap_or(&r.to_vec())))
            .collect()
    }
}

impl Svm {
    fn train(&self, x: &[f64], p: usize, y: &[bool], w: &[f64], k: KernelFn) -> Machine {
        let ys: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
        let c: Vec<f64> = w.iter().map(|wi| self.params.c * wi).collect();
        smo(x, p, &ys, &c, k, self.params.tol)
    }
}

impl Classifier for Svm {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        let n = y.len();
        let pos = y.iter().filter(|&&b| b).count();
        if pos == 0 || pos == n || x.nrows() != n {
            return Err(Error::Model {
                kind: "svm".into(),
                message: "the training rows hold only one class".into(),
            });
        }
        let p = x.ncols();
        let k = KernelFn {
            kernel: self.params.kernel,
            gamma: self.params.gamma_for(x),
        };
        let flat: Vec<f64> = x.iter().copied().collect();
        let w = class_weights(y, self.params.class_weight);
        // Platt scaling on the decision values of an internal, seeded 5-fold CV.
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(self.seed));
        let folds = 5.min(n);
        let mut dec = vec![0.0; n];
        for f in 0..folds {
            let test: Vec<usize> = order.iter().copied().skip(f).step_by(folds).collect();
            let mut is_test = vec![false; n];
            test.iter().for_each(|&i| is_test[i] = true);
            let train: Vec<usize> = (0..n).filter(|&i| !is_test[i]).collect();
            let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
            let tp = ytr.iter().filter(|&&b| b).count();
            if tp == 0 || tp == ytr.len() {
                // libsvm: a one-class fold gives constant decision values.
                let v = if tp == 0 { -1.0 } else { 1.0 };
                test.iter().for_each(|&i| dec[i] = v);
                continue;
            }
            let xtr: Vec<f64> = train
                .iter()
                .flat_map(|&i| flat[i * p..(i + 1) * p].iter().copied())
                .collect();
            let wtr: Vec<f64> = train.iter().map(|&i| w[i]).collect();
            let m = self.train(&xtr, p, &ytr, &wtr, k);
            for &i in &test {
                dec[i] = m.decision(&flat[i * p..(i + 1) * p]);
            }
        }
        let (a, b) = platt(&dec, y);
        let machine = self.train(&flat, p, y, &w, k);
        Ok(ClassifierModel::Svm(FittedSvm { machine, a, b }))
    }
}

impl FittedClassifier for FittedSvm {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        self.decision(x)
            .into_iter()
            .map(|f| sigmoid_prob(f, self.a, self.b))
            .collect()
    }
}

impl ModelKind for SvmParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        SvmParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Classification]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        self.class_weight
    }
    fn classifier(&self, seed: u64) -> Option<Box<dyn Classifier>> {
        Some(Box::new(Svm {
            params: self.clone(),
            seed,
        }))
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        None
    }
}

impl Describe for SvmParams {
    const DOC: &'static str =
        "A support vector machine (RBF or linear kernel) with Platt-scaled probabilities.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "kernel",
                Ty::Enum(&["rbf", "linear"]),
                json!("rbf"),
                "the kernel",
            ),
            Arg::def(
                "c",
                Ty::Number,
                json!(1.0),
                "the penalty of margin violations",
            ),
            Arg::def(
                "gamma",
                Ty::Enum(&["scale", "auto"]),
                json!("scale"),
                "the RBF width: a rule or a positive number",
            ),
            Arg::def(
                "tol",
                Ty::Number,
                json!(1e-3),
                "the optimizer's stopping tolerance",
            ),
            Arg::opt(
                "class_weight",
                Ty::Enum(&["balanced"]),
                "balanced: weights inversely proportional to class frequencies",
            ),
        ]
    }
    fn example() -> Self {
        SvmParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn linear_svm_on_two_points_has_the_max_margin_solution() {
        // Points -1 and +1 (hard margin, C large): w = 1, b = 0, f(x) = x.
        let x = [-1.0, 1.0];
        let y = [-1.0, 1.0];
        let k = KernelFn {
            kernel: Kernel::Linear,
            gamma: 1.0,
        };
        let m = smo(&x, 1, &y, &[100.0, 100.0], k, 1e-6);
        assert!((m.decision(&[0.5]) - 0.5).abs() < 1e-9);
        assert!((m.decision(&[-2.0]) + 2.0).abs() < 1e-9);
    }

    /// (A, B) against an independent implementation: `scripts/platt-reference.py` (scikit-learn
    /// 1.9.1's `_sigmoid_calibration`, and scipy BFGS on Platt's objective, which agree to 1e-7;
    /// the second set is drawn with numpy seed 20261202). Bedside's Newton iteration (libsvm's
    /// `sigmoid_train`) stops at a gradient below 1e-5.
    #[test]
    fn platt_matches_an_independent_fit() {
        let f = [-2.0, -1.0, -0.5, 0.2, 0.5, 1.0, 2.0, -0.1];
        let y = [false, false, false, true, true, true, true, true];
        let (a, b) = platt(&f, &y);
        assert!((a - -1.2446435547).abs() < 1e-5, "A = {a}");
        assert!((b - -0.6046089234).abs() < 1e-5, "B = {b}");
        assert!(sigmoid_prob(2.0, a, b) > 0.8 && sigmoid_prob(-2.0, a, b) < 0.2);

        let f = [
            0.293, 0.173, 0.882, -0.858, 1.294, 0.457, -0.222, -3.167, 0.897, -1.069, -0.496,
            -1.995, 0.175, 0.956, -0.694, 1.039, -0.749, 0.081, -0.406, -0.065, 0.312, 2.323,
            1.038, 1.429, -1.626, -0.222, 1.009, -1.532, 1.648, 0.975, 0.026, -0.731, 0.776, 0.754,
            -1.452, 0.97, 1.258, 0.09, -1.697, 0.517, 0.095, -1.667, 0.185, 0.328, -0.576, 0.417,
            -1.265, 2.137, -0.601, 1.904, -0.709, 0.563, 0.192, -1.004, 0.074, 2.23, -1.333, 0.699,
            1.085, 0.6,
        ];
        let y = [
            true, true, true, false, true, false, true, false, false, false, false, false, false,
            true, false, false, false, true, false, false, false, false, true, true, false, true,
            true, false, true, true, false, false, false, true, false, true, true, true, false,
            true, true, false, false, false, false, false, false, true, false, true, true, false,
            true, false, true, true, true, true, false, false,
        ];
        let (a, b) = platt(&f, &y);
        assert!((a - -1.0090128863).abs() < 1e-5, "A = {a}");
        assert!((b - 0.3711554902).abs() < 1e-5, "B = {b}");
    }

    #[test]
    fn rbf_svm_separates_a_ring() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..80 {
            let t = i as f64 * 0.7;
            let r = if i % 2 == 0 { 1.0 } else { 3.0 };
            x.push([r * t.cos(), r * t.sin()]);
            y.push(i % 2 == 1);
        }
        let xa = Array2::from_shape_fn((80, 2), |(i, j)| x[i][j]);
        let m = Svm {
            params: SvmParams::default(),
            seed: 1,
        }
        .fit(&xa, &y)
        .unwrap();
        let p = m.predict_proba(&array![[0.0, 0.9], [0.0, 3.1]]);
        assert!(p[0] < 0.5 && p[1] > 0.5, "{p:?}");
    }
}
