//! `logistic_regression`: L2-regularized logistic regression (linfa-logistic, L-BFGS).

use super::{Classifier, ClassifierModel, FittedClassifier};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ClassWeight, ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// L-BFGS stops when the gradient of the summed log-loss is below this much per training row.
/// linfa's default (1e-4, whatever the rows) is absolute on a sum that grows with the rows: on
/// 160,000 × 30 it ran every one of its 100 iterations (27 s, 1 thread) for a fit that was
/// already at the optimum; scaled by the rows, the same fit takes 3.3 s and predicts within
/// 7e-6 of the fully converged optimum (scikit-learn's default stopping, 1e-4 on the mean
/// log-loss's gradient, stops 1.1e-4 from it). docs/benchmarks.md, round 4.
const GRADIENT_TOLERANCE_PER_ROW: f64 = 1e-6;

/// `{"kind": "logistic_regression", "alpha": 1.0, "max_iterations": 100}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticParams {
    /// L2 penalty strength (the inverse of scikit-learn's `C`; 1.0 as its default).
    #[serde(default = "one")]
    pub alpha: f64,
    #[serde(default = "hundred")]
    pub max_iterations: u64,
}

fn one() -> f64 {
    1.0
}
fn hundred() -> u64 {
    100
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 100,
        }
    }
}

impl LogisticParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err((
                "alpha",
                format!("must be a non-negative number, got {}", self.alpha),
            ));
        }
        if self.max_iterations == 0 {
            return Err(("max_iterations", "must be at least 1".into()));
        }
        Ok(())
    }
}

/// A fitted logistic regression: linfa's coefficients, stored in our own (serializable) form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Logistic {
    pub coef: Array1<f64>,
    pub intercept: f64,
    /// Does linfa's positive class (the more frequent one in training) match our label 1?
    /// If not, the probability is flipped.
    pub positive_is_one: bool,
}

impl From<FittedLogisticRegression<f64, usize>> for Logistic {
    fn from(m: FittedLogisticRegression<f64, usize>) -> Logistic {
        Logistic {
            coef: m.params().clone(),
            intercept: m.intercept(),
            positive_is_one: m.labels().pos.class == 1,
        }
    }
}

impl Classifier for LogisticParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        let err = |message: String| Error::Model {
            kind: "logistic_regression".into(),
            message,
        };
        if !(y.contains(&true) && y.contains(&false)) {
            return Err(err("the training rows hold only one class".into()));
        }
        let targets: Array1<usize> = y.iter().map(|&b| b as usize).collect();
        // A view: linfa fits on borrowed records, so the training matrix is not copied.
        let data = linfa::DatasetBase::new(x.view(), targets.view());
        let model = LogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(GRADIENT_TOLERANCE_PER_ROW * y.len() as f64)
            .fit(&data)
            .map_err(|e| err(e.to_string()))?;
        Ok(ClassifierModel::LogisticRegression(model.into()))
    }
}

impl FittedClassifier for Logistic {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        // linfa gives the probability of the class it calls positive (the more frequent one
        // in the training rows), so map it to our positive class (label 1). The arithmetic is
        // linfa's `predict_probabilities`: logistic(x · params + intercept).
        let mut p = x.dot(&self.coef) + self.intercept;
        p.mapv_inplace(|z| 1.0 / (1.0 + (-z).exp()));
        if self.positive_is_one {
            p.to_vec()
        } else {
            p.iter().map(|q| 1.0 - q).collect()
        }
    }
}

impl ModelKind for LogisticParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        LogisticParams::check(self)
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

impl Describe for LogisticParams {
    const DOC: &'static str = "L2-penalized logistic regression.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "alpha",
                Ty::Number,
                json!(1.0),
                "the L2 penalty strength (the inverse of scikit-learn's C)",
            ),
            Arg::def(
                "max_iterations",
                Ty::Integer,
                json!(100),
                "the optimizer's iteration limit",
            ),
        ]
    }
    fn example() -> Self {
        LogisticParams::default()
    }
}
