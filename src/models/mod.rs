//! Models: one file per family behind one trait.
//!
//! Every classifier returns the probability of the positive class, so that ROC-AUC and curves
//! are real, not derived from hard labels.

pub mod logistic;
pub mod tree;

use crate::error::Result;
use crate::privacy::ArgError;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A model of a recipe, tagged by `kind`, with its hyper-parameters (defaults as scikit-learn's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelSpec {
    LogisticRegression(logistic::LogisticParams),
    DecisionTree(tree::TreeParams),
}

/// A binary classifier that can be fitted on a training matrix.
pub trait Classifier {
    /// Fits on rows `x` with labels `y` (true = positive class).
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<Box<dyn FittedClassifier>>;
}

/// A fitted binary classifier.
pub trait FittedClassifier {
    /// Probability of the positive class for each row of `x`.
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64>;
}

impl ModelSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            ModelSpec::LogisticRegression(_) => "logistic_regression",
            ModelSpec::DecisionTree(_) => "decision_tree",
        }
    }

    pub fn check(&self) -> std::result::Result<(), ArgError> {
        match self {
            ModelSpec::LogisticRegression(p) => p.check(),
            ModelSpec::DecisionTree(p) => p.check(),
        }
    }

    /// The classifier with these parameters; `seed` feeds any randomness it has.
    pub fn classifier(&self, _seed: u64) -> Box<dyn Classifier> {
        match self {
            ModelSpec::LogisticRegression(p) => Box::new(p.clone()),
            ModelSpec::DecisionTree(p) => Box::new(p.clone()),
        }
    }
}
