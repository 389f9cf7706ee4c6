//! A fitted time-to-event model of any kind: what the folds, the report and `bedside apply`
//! ask of it (a risk score, and predicted survival at chosen times).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::boost::BoostedCox;
use super::cox::CoxModel;
use super::forest::SurvivalForest;

/// A fitted time-to-event model. Untagged so that a `cox_ph` model file keeps the shape it had
/// before other kinds existed; every kind has fields the others lack.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SurvivalModel {
    /// The Cox proportional-hazards model (`cox_ph`).
    Cox(CoxModel),
    /// `gradient_boosting` with the Cox loss (fields `cox_boosted`, `breslow_baseline`).
    BoostedCox(BoostedCox),
    /// `random_survival_forest` (fields `forest_event_times`, `survival_trees`).
    Forest(SurvivalForest),
}

impl SurvivalModel {
    /// The risk score of each row of `x` (higher: the event sooner).
    pub fn risk(&self, x: &Array2<f64>) -> Vec<f64> {
        match self {
            SurvivalModel::Cox(m) => m.predict(x),
            SurvivalModel::BoostedCox(m) => m.risk(x),
            SurvivalModel::Forest(m) => m.risk(x),
        }
    }

    /// Predicted survival `S(t | x)` of each row of `x` at each time of `times`: one row per
    /// record, one column per time.
    pub fn survival(&self, x: &Array2<f64>, times: &[f64]) -> Array2<f64> {
        match self {
            SurvivalModel::Cox(m) => {
                let lp = m.predict(x);
                let h0: Vec<f64> = times.iter().map(|&t| m.baseline_at(t)).collect();
                Array2::from_shape_fn((lp.len(), times.len()), |(r, j)| {
                    (-h0[j] * lp[r].exp()).exp()
                })
            }
            SurvivalModel::BoostedCox(m) => m.survival(x, times),
            SurvivalModel::Forest(m) => m.survival(x, times),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cox_survival_matches_the_model() {
        let m = CoxModel {
            coef: vec![0.5],
            means: vec![1.0],
            baseline: vec![(1.0, 0.1), (3.0, 0.4)],
        };
        let x = Array2::from_shape_vec((2, 1), vec![1.0, 3.0]).unwrap();
        let s = SurvivalModel::Cox(m.clone()).survival(&x, &[0.5, 2.0, 3.0]);
        let lp = m.predict(&x);
        for r in 0..2 {
            assert_eq!(s[[r, 0]], 1.0);
            assert!((s[[r, 1]] - m.survival_at(lp[r], 2.0)).abs() < 1e-15);
            assert!((s[[r, 2]] - m.survival_at(lp[r], 3.0)).abs() < 1e-15);
        }
        // The file shape of a Cox model is unchanged by the wrapper.
        let a = serde_json::to_value(SurvivalModel::Cox(m.clone())).unwrap();
        assert_eq!(a, serde_json::to_value(&m).unwrap());
    }
}
