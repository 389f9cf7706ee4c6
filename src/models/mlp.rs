//! `mlp`: a multilayer perceptron, as scikit-learn's `MLPClassifier` defaults: one hidden layer
//! of 100 ReLU units, a logistic output, log loss with L2 penalty `alpha` = 1e-4, Adam
//! (learning rate 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8), mini-batches of min(200, n) rows shuffled
//! every epoch, at most 200 epochs, Glorot-uniform initialisation. Everything random (weights,
//! shuffles, the validation rows) comes from the recipe seed.
//!
//! Early stopping (on by default here, off by default in scikit-learn): a stratified 10% of
//! the training rows is held out; training stops when the validation log loss has not improved
//! by `tol` = 1e-4 for 10 epochs, and the weights of the best epoch are kept. (scikit-learn
//! monitors validation accuracy; the log loss is a finer signal for probabilities.) Without it,
//! training stops when the training loss has not improved by `tol` for 10 epochs.
//! No `class_weight`: scikit-learn's MLP has none either.

use super::{Classifier, ClassifierModel, FittedClassifier};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ClassWeight, ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::{Array1, Array2, Axis};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"kind": "mlp", "hidden": 100, "alpha": 0.0001, "learning_rate": 0.001, "max_iter": 200,
/// "batch_size": 200, "early_stopping": true, "validation_fraction": 0.1}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpParams {
    #[serde(default = "hundred")]
    pub hidden: usize,
    #[serde(default = "alpha")]
    pub alpha: f64,
    #[serde(default = "lr")]
    pub learning_rate: f64,
    #[serde(default = "two_hundred")]
    pub max_iter: usize,
    #[serde(default = "two_hundred")]
    pub batch_size: usize,
    #[serde(default = "yes")]
    pub early_stopping: bool,
    #[serde(default = "tenth")]
    pub validation_fraction: f64,
}

fn hundred() -> usize {
    100
}
fn alpha() -> f64 {
    1e-4
}
fn lr() -> f64 {
    1e-3
}
fn two_hundred() -> usize {
    200
}
fn yes() -> bool {
    true
}
fn tenth() -> f64 {
    0.1
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            hidden: 100,
            alpha: 1e-4,
            learning_rate: 1e-3,
            max_iter: 200,
            batch_size: 200,
            early_stopping: true,
            validation_fraction: 0.1,
        }
    }
}

impl MlpParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if self.hidden == 0 || self.hidden > 10_000 {
            return Err(("hidden", "must be 1 to 10000".into()));
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(("alpha", "must be a non-negative number".into()));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(("learning_rate", "must be a positive number".into()));
        }
        if self.max_iter == 0 {
            return Err(("max_iter", "must be at least 1".into()));
        }
        if self.batch_size == 0 {
            return Err(("batch_size", "must be at least 1".into()));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err((
                "validation_fraction",
                "must be between 0 and 1 (exclusive)".into(),
            ));
        }
        Ok(())
    }
}

/// Weights of the network: `w1` (p × h), `b1` (h), `w2` (h), `b2`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Network {
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array1<f64>,
    pub b2: f64,
}

impl Network {
    fn forward(&self, x: &Array2<f64>) -> (Array2<f64>, Vec<f64>) {
        let mut h = x.dot(&self.w1);
        h += &self.b1;
        h.mapv_inplace(|v| v.max(0.0));
        let z = h.dot(&self.w2);
        let p = z.iter().map(|&v| sigmoid(v + self.b2)).collect();
        (h, p)
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn log_loss(y: &[f64], p: &[f64]) -> f64 {
    let e = 1e-15;
    y.iter()
        .zip(p)
        .map(|(&t, &q)| {
            let q = q.clamp(e, 1.0 - e);
            -(t * q.ln() + (1.0 - t) * (1.0 - q).ln())
        })
        .sum::<f64>()
        / y.len().max(1) as f64
}

/// Adam state for one parameter block.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
    fn step<'a>(&mut self, params: impl Iterator<Item = &'a mut f64>, grads: &[f64], lr_t: f64) {
        for ((p, g), (m, v)) in params
            .zip(grads)
            .zip(self.m.iter_mut().zip(self.v.iter_mut()))
        {
            *m = 0.9 * *m + 0.1 * g;
            *v = 0.999 * *v + 0.001 * g * g;
            *p -= lr_t * *m / (v.sqrt() + 1e-8);
        }
    }
}

/// An MLP classifier with the recipe seed.
pub struct Mlp {
    pub params: MlpParams,
    pub seed: u64,
}

impl Classifier for Mlp {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        let n = y.len();
        if !(y.contains(&true) && y.contains(&false)) || x.nrows() != n {
            return Err(Error::Model {
                kind: "mlp".into(),
                message: "the training rows hold only one class".into(),
            });
        }
        let prm = &self.params;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let (p, hd) = (x.ncols(), prm.hidden);
        let b1 = (6.0 / (p + hd) as f64).sqrt();
        let b2 = (2.0 / (hd + 1) as f64).sqrt();
        let mut net = Network {
            w1: Array2::from_shape_fn((p, hd), |_| rng.gen_range(-b1..b1)),
            b1: Array1::from_shape_fn(hd, |_| rng.gen_range(-b1..b1)),
            w2: Array1::from_shape_fn(hd, |_| rng.gen_range(-b2..b2)),
            b2: rng.gen_range(-b2..b2),
        };
        // Stratified validation rows.
        let mut train: Vec<usize> = Vec::new();
        let mut val: Vec<usize> = Vec::new();
        if prm.early_stopping {
            for class in [false, true] {
                let mut idx: Vec<usize> = (0..n).filter(|&i| y[i] == class).collect();
                idx.shuffle(&mut rng);
                let k = ((idx.len() as f64) * prm.validation_fraction).round() as usize;
                let k = k.min(idx.len().saturating_sub(1));
                val.extend_from_slice(&idx[..k]);
                train.extend_from_slice(&idx[k..]);
            }
            train.sort_unstable();
            val.sort_unstable();
        } else {
            train = (0..n).collect();
        }
        let early = prm.early_stopping && !val.is_empty();
        let xval = x.select(Axis(0), &val);
        let yval: Vec<f64> = val.iter().map(|&i| y[i] as u8 as f64).collect();
        let yf: Vec<f64> = y.iter().map(|&b| b as u8 as f64).collect();
        let batch = prm.batch_size.min(train.len()).max(1);
        let (mut a_w1, mut a_b1, mut a_w2, mut a_b2) = (
            Adam::new(p * hd),
            Adam::new(hd),
            Adam::new(hd),
            Adam::new(1),
        );
        let mut t = 0i32;
        let mut best_loss = f64::INFINITY;
        let mut best_net = net.clone();
        let mut stall = 0;
        for _epoch in 0..prm.max_iter {
            train.shuffle(&mut rng);
            let mut epoch_loss = 0.0;
            for chunk in train.chunks(batch) {
                let xb = x.select(Axis(0), chunk);
                let yb: Vec<f64> = chunk.iter().map(|&i| yf[i]).collect();
                let bn = chunk.len() as f64;
                let (h, pr) = net.forward(&xb);
                let l2 = 0.5
                    * prm.alpha
                    * (net.w1.iter().map(|w| w * w).sum::<f64>()
                        + net.w2.iter().map(|w| w * w).sum::<f64>())
                    / bn;
                epoch_loss += (log_loss(&yb, &pr) + l2) * bn;
                let dz = Array1::from_iter(pr.iter().zip(&yb).map(|(q, t)| (q - t) / bn));
                let gw2 = h.t().dot(&dz) + &(&net.w2 * (prm.alpha / bn));
                let gb2 = dz.sum();
                let mut dh = Array2::from_shape_fn(h.dim(), |(i, j)| {
                    if h[[i, j]] > 0.0 {
                        dz[i] * net.w2[j]
                    } else {
                        0.0
                    }
                });
                let gw1 = xb.t().dot(&dh) + &(&net.w1 * (prm.alpha / bn));
                let gb1 = dh.sum_axis(Axis(0));
                dh.fill(0.0);
                t += 1;
                let lr_t =
                    prm.learning_rate * (1.0 - 0.999f64.powi(t)).sqrt() / (1.0 - 0.9f64.powi(t));
                let gw1: Vec<f64> = gw1.iter().copied().collect();
                a_w1.step(net.w1.iter_mut(), &gw1, lr_t);
                a_b1.step(net.b1.iter_mut(), &gb1.to_vec(), lr_t);
                a_w2.step(net.w2.iter_mut(), &gw2.to_vec(), lr_t);
                a_b2.step(std::iter::once(&mut net.b2), &[gb2], lr_t);
            }
            let loss = if early {
                log_loss(&yval, &net.forward(&xval).1)
            } else {
                epoch_loss / train.len() as f64
            };
            if !loss.is_finite() {
                return Err(Error::Model {
                    kind: "mlp".into(),
                    message: "training diverged (non-finite loss); scale the inputs or lower learning_rate".into(),
                });
            }
            if loss < best_loss - 1e-4 {
                stall = 0;
            } else {
                stall += 1;
            }
            if loss < best_loss {
                best_loss = loss;
                if early {
                    best_net = net.clone();
                }
            }
            if stall >= 10 {
                break;
            }
        }
        Ok(ClassifierModel::Mlp(if early { best_net } else { net }))
    }
}

impl FittedClassifier for Network {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        self.forward(x).1
    }
}

impl ModelKind for MlpParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        MlpParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Classification]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        None
    }
    fn classifier(&self, seed: u64) -> Option<Box<dyn Classifier>> {
        Some(Box::new(Mlp {
            params: self.clone(),
            seed,
        }))
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        None
    }
}

impl Describe for MlpParams {
    const DOC: &'static str = "A neural network with one hidden layer (ReLU, Adam).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "hidden",
                Ty::Integer,
                json!(100),
                "the units of the hidden layer",
            ),
            Arg::def("alpha", Ty::Number, json!(1e-4), "the L2 penalty"),
            Arg::def("learning_rate", Ty::Number, json!(1e-3), "Adam's step size"),
            Arg::def("max_iter", Ty::Integer, json!(200), "the most epochs"),
            Arg::def(
                "batch_size",
                Ty::Integer,
                json!(200),
                "the rows per minibatch",
            ),
            Arg::def(
                "early_stopping",
                Ty::Boolean,
                json!(true),
                "stop when a held-out share stops improving",
            ),
            Arg::def(
                "validation_fraction",
                Ty::Number,
                json!(0.1),
                "the held-out share for early stopping",
            ),
        ]
    }
    fn example() -> Self {
        MlpParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_xor_and_is_seeded() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let x = Array2::from_shape_fn((400, 2), |_| rng.gen_range(-1.0..1.0));
        let y: Vec<bool> = x.rows().into_iter().map(|r| r[0] * r[1] > 0.0).collect();
        let fit = |seed| {
            Mlp {
                params: MlpParams {
                    learning_rate: 0.01,
                    ..MlpParams::default()
                },
                seed,
            }
            .fit(&x, &y)
            .unwrap()
            .predict_proba(&x)
        };
        let p = fit(1);
        let acc = p.iter().zip(&y).filter(|(q, &t)| (**q >= 0.5) == t).count() as f64 / 400.0;
        assert!(acc > 0.9, "{acc}");
        assert_eq!(p, fit(1));
        assert_ne!(p, fit(2));
    }
}
