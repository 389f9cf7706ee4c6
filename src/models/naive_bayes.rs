//! `naive_bayes`: Gaussian naive Bayes, as scikit-learn's `GaussianNB`.
//!
//! Per class: prior = class share, and per feature the mean and (population) variance of the
//! class's training rows, plus `var_smoothing` × the largest feature variance over all rows.
//! The posterior is computed in log space and normalised with log-sum-exp.

use super::{Classifier, ClassifierModel, FittedClassifier};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ClassWeight, ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"kind": "naive_bayes", "var_smoothing": 1e-9}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NaiveBayesParams {
    #[serde(default = "smoothing")]
    pub var_smoothing: f64,
}

fn smoothing() -> f64 {
    1e-9
}

impl Default for NaiveBayesParams {
    fn default() -> Self {
        NaiveBayesParams {
            var_smoothing: 1e-9,
        }
    }
}

impl NaiveBayesParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if !(self.var_smoothing.is_finite() && self.var_smoothing >= 0.0) {
            return Err(("var_smoothing", "must be a non-negative number".into()));
        }
        Ok(())
    }
}

/// Class priors, means and variances (index 0 = negative, 1 = positive).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GaussianNb {
    pub prior: [f64; 2],
    pub mean: [Vec<f64>; 2],
    pub var: [Vec<f64>; 2],
}

fn mean_var<'a>(values: impl Iterator<Item = &'a f64> + Clone) -> (f64, f64) {
    let n = values.clone().count() as f64;
    let m = values.clone().sum::<f64>() / n;
    let v = values.map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (m, v)
}

impl Classifier for NaiveBayesParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        if !(y.contains(&true) && y.contains(&false)) || x.nrows() != y.len() {
            return Err(Error::Model {
                kind: "naive_bayes".into(),
                message: "the training rows hold only one class".into(),
            });
        }
        let p = x.ncols();
        let eps = self.var_smoothing
            * (0..p)
                .map(|f| mean_var(x.column(f).iter()).1)
                .fold(0.0, f64::max);
        let mut nb = GaussianNb {
            prior: [0.0; 2],
            mean: [vec![0.0; p], vec![0.0; p]],
            var: [vec![0.0; p], vec![0.0; p]],
        };
        for c in 0..2 {
            let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == (c == 1)).collect();
            nb.prior[c] = rows.len() as f64 / y.len() as f64;
            for f in 0..p {
                let col = x.column(f);
                let vals: Vec<f64> = rows.iter().map(|&r| col[r]).collect();
                let (m, v) = mean_var(vals.iter());
                nb.mean[c][f] = m;
                nb.var[c][f] = v + eps;
            }
        }
        Ok(ClassifierModel::NaiveBayes(nb))
    }
}

impl FittedClassifier for GaussianNb {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        x.rows()
            .into_iter()
            .map(|row| {
                let mut jll = [0.0; 2];
                for (c, j) in jll.iter_mut().enumerate() {
                    *j = self.prior[c].ln();
                    for (f, &v) in row.iter().enumerate() {
                        let var = self.var[c][f];
                        let d = v - self.mean[c][f];
                        *j -= 0.5 * (2.0 * std::f64::consts::PI * var).ln() + d * d / (2.0 * var);
                    }
                }
                // P(pos) = 1 / (1 + exp(jll0 - jll1)), stable for large differences.
                let z = jll[1] - jll[0];
                if z.is_nan() {
                    0.5
                } else {
                    1.0 / (1.0 + (-z).exp())
                }
            })
            .collect()
    }
}

impl ModelKind for NaiveBayesParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        NaiveBayesParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Classification]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        None
    }
    fn classifier(&self, _seed: u64) -> Option<Box<dyn Classifier>> {
        Some(Box::new(self.clone()))
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        None
    }
}

impl Describe for NaiveBayesParams {
    const DOC: &'static str = "Gaussian naive Bayes.";
    fn args() -> Vec<Arg> {
        vec![Arg::def(
            "var_smoothing",
            Ty::Number,
            json!(1e-9),
            "the share of the largest variance added to every variance",
        )]
    }
    fn example() -> Self {
        NaiveBayesParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn posterior_by_hand() {
        // Negatives at 0 and 2 (mean 1, var 1), positives at 4 and 6 (mean 5, var 1), equal
        // priors. At x = 3 both likelihoods are equal: 0.5. At x = 4: log ratio =
        // (-(4-5)² + (4-1)²) / 2 = 4, so P = 1 / (1 + e^-4).
        let x = array![[0.0], [2.0], [4.0], [6.0]];
        let y = [false, false, true, true];
        let nb = NaiveBayesParams { var_smoothing: 0.0 }.fit(&x, &y).unwrap();
        let p = nb.predict_proba(&array![[3.0], [4.0]]);
        assert!((p[0] - 0.5).abs() < 1e-12);
        assert!((p[1] - 1.0 / (1.0 + (-4.0f64).exp())).abs() < 1e-12);
    }
}
