//! `knn`: k-nearest neighbours, as scikit-learn's `KNeighborsClassifier` (k = 5, uniform
//! weights, Euclidean distance, brute force). The probability is the positive share of the k
//! nearest training rows; equal distances are broken by training row order.

use super::{Classifier, ClassifierModel, FittedClassifier};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ClassWeight, ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"kind": "knn", "k": 5}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnnParams {
    #[serde(default = "five")]
    pub k: usize,
}

fn five() -> usize {
    5
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams { k: 5 }
    }
}

impl KnnParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if self.k == 0 {
            return Err(("k", "must be at least 1".into()));
        }
        Ok(())
    }
}

/// The training rows themselves (after the feature steps): a saved kNN model holds them all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Neighbours {
    pub k: usize,
    pub x: Array2<f64>,
    pub y: Vec<bool>,
}

impl Classifier for KnnParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        if y.len() < self.k || x.nrows() != y.len() {
            return Err(Error::Model {
                kind: "knn".into(),
                message: format!(
                    "k = {} but the training split has only {} rows",
                    self.k,
                    y.len()
                ),
            });
        }
        Ok(ClassifierModel::Knn(Neighbours {
            k: self.k,
            x: x.clone(),
            y: y.to_vec(),
        }))
    }
}

impl FittedClassifier for Neighbours {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        let mut best: Vec<(f64, usize)> = Vec::with_capacity(self.k + 1);
        x.rows()
            .into_iter()
            .map(|q| {
                best.clear();
                for (i, t) in self.x.rows().into_iter().enumerate() {
                    let d: f64 = q.iter().zip(t.iter()).map(|(a, b)| (a - b) * (a - b)).sum();
                    if best.len() == self.k && d >= best[self.k - 1].0 {
                        continue;
                    }
                    let at = best.partition_point(|&(bd, _)| bd <= d);
                    best.insert(at, (d, i));
                    best.truncate(self.k);
                }
                best.iter().filter(|&&(_, i)| self.y[i]).count() as f64 / self.k as f64
            })
            .collect()
    }
}

impl ModelKind for KnnParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        KnnParams::check(self)
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

impl Describe for KnnParams {
    const DOC: &'static str = "k nearest neighbours (the saved model holds the training rows).";
    fn args() -> Vec<Arg> {
        vec![Arg::def(
            "k",
            Ty::Integer,
            json!(5),
            "the neighbours that vote",
        )]
    }
    fn example() -> Self {
        KnnParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn share_of_the_k_nearest() {
        let x = array![[0.0], [1.0], [2.0], [10.0], [11.0]];
        let y = [true, false, true, false, false];
        let m = KnnParams { k: 3 }.fit(&x, &y).unwrap();
        // Nearest three to 0.9: 1, 0, 2 -> 2 positives; to 10.4: 10, 11, 2 -> 1 positive.
        let p = m.predict_proba(&array![[0.9], [10.4]]);
        assert!((p[0] - 2.0 / 3.0).abs() < 1e-12 && (p[1] - 1.0 / 3.0).abs() < 1e-12);
        // Ties in distance go to the earlier row: 1.5 is equidistant from 1 and 2.
        let m = KnnParams { k: 1 }.fit(&x, &y).unwrap();
        assert_eq!(m.predict_proba(&array![[1.5]]), vec![0.0]);
    }
}
