//! `linear_regression` and `ridge`: least squares with an intercept, closed form on ndarray
//! (no BLAS), as scikit-learn's `LinearRegression` and `Ridge(alpha=1.0)`.
//!
//! X and y are centred (so the intercept is not penalised), then β solves
//! (XᵀX + αI) β = Xᵀy through the eigen-decomposition of XᵀX (the Jacobi solver the PCA step
//! uses, `features::linalg::symmetric_eigen`): eigenvalues
//! at or below 1e-10 × the largest are dropped, which gives the minimum-norm least-squares
//! solution for collinear inputs (one-hot columns with an intercept) as `lstsq` does.

use super::{FittedRegressor, Regressor, RegressorModel};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::features::linalg::symmetric_eigen;
use crate::models::{ClassWeight, Classifier, ModelKind, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::{Array1, Array2, Axis};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"kind": "linear_regression"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LinearParams {}

impl LinearParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        Ok(())
    }
}

/// `{"kind": "ridge", "alpha": 1.0}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RidgeParams {
    #[serde(default = "one")]
    pub alpha: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for RidgeParams {
    fn default() -> Self {
        RidgeParams { alpha: 1.0 }
    }
}

impl RidgeParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(("alpha", "must be a non-negative number".into()));
        }
        Ok(())
    }
}

/// A fitted linear model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Linear {
    pub coef: Array1<f64>,
    pub intercept: f64,
}

/// Centred (ridge) least squares.
pub fn fit_linear(x: &Array2<f64>, y: &[f64], alpha: f64, kind: &str) -> Result<Linear> {
    let n = y.len();
    if n == 0 || x.nrows() != n {
        return Err(Error::Model {
            kind: kind.into(),
            message: "no training rows".into(),
        });
    }
    let xm = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    let ym = y.iter().sum::<f64>() / n as f64;
    let xc = x - &xm;
    let yc = Array1::from_iter(y.iter().map(|v| v - ym));
    let (vals, vecs) = symmetric_eigen(&xc.t().dot(&xc));
    let xty = xc.t().dot(&yc);
    let top = vals.iter().fold(0.0f64, |a, &b| a.max(b));
    let proj = vecs.t().dot(&xty);
    let scaled = Array1::from_iter(vals.iter().zip(proj.iter()).map(|(&l, &p)| {
        if l <= 1e-10 * top {
            // Dropped direction (ridge still shrinks it to 0 since Xᵀy has no component there).
            0.0
        } else {
            p / (l + alpha)
        }
    }));
    let coef = vecs.dot(&scaled);
    if coef.iter().any(|c| !c.is_finite()) {
        return Err(Error::Model {
            kind: kind.into(),
            message: "the least-squares solution is not finite; check the inputs' scale".into(),
        });
    }
    let intercept = ym - xm.dot(&coef);
    Ok(Linear { coef, intercept })
}

impl Regressor for LinearParams {
    fn fit(&self, x: &Array2<f64>, y: &[f64]) -> Result<RegressorModel> {
        Ok(RegressorModel::Linear(fit_linear(
            x,
            y,
            0.0,
            "linear_regression",
        )?))
    }
}

impl Regressor for RidgeParams {
    fn fit(&self, x: &Array2<f64>, y: &[f64]) -> Result<RegressorModel> {
        Ok(RegressorModel::Linear(fit_linear(
            x, y, self.alpha, "ridge",
        )?))
    }
}

impl FittedRegressor for Linear {
    fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        (x.dot(&self.coef) + self.intercept).to_vec()
    }
}

impl ModelKind for LinearParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        LinearParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Regression]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        None
    }
    fn classifier(&self, _seed: u64) -> Option<Box<dyn Classifier>> {
        None
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        Some(Box::new(self.clone()))
    }
}

impl Describe for LinearParams {
    const DOC: &'static str = "Ordinary least squares for a numeric target.";
    fn args() -> Vec<Arg> {
        vec![]
    }
    fn example() -> Self {
        LinearParams::default()
    }
}

impl ModelKind for RidgeParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        RidgeParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Regression]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        None
    }
    fn classifier(&self, _seed: u64) -> Option<Box<dyn Classifier>> {
        None
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        Some(Box::new(self.clone()))
    }
}

impl Describe for RidgeParams {
    const DOC: &'static str = "Ridge (L2-penalized) least squares for a numeric target.";
    fn args() -> Vec<Arg> {
        vec![Arg::def(
            "alpha",
            Ty::Number,
            json!(1.0),
            "the L2 penalty strength",
        )]
    }
    fn example() -> Self {
        RidgeParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ordinary_least_squares_recovers_a_plane() {
        let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0], [5.0, 4.0]];
        let y: Vec<f64> = x
            .rows()
            .into_iter()
            .map(|r| 2.0 * r[0] - 3.0 * r[1] + 1.0)
            .collect();
        let m = fit_linear(&x, &y, 0.0, "t").unwrap();
        assert!((m.coef[0] - 2.0).abs() < 1e-9 && (m.coef[1] + 3.0).abs() < 1e-9);
        assert!((m.intercept - 1.0).abs() < 1e-9);
    }

    #[test]
    fn ridge_matches_scikit_learn() {
        // sklearn.linear_model.Ridge(alpha=1.0).fit([[0, 0], [0, 0], [1, 1]], [0, .1, 1]):
        // coef_ [0.27142857, 0.27142857], intercept_ 0.18571428571428572 (scikit-learn 1.9.1;
        // regenerated by scripts/references.py).
        let x = array![[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]];
        let m = fit_linear(&x, &[0.0, 0.1, 1.0], 1.0, "t").unwrap();
        assert!(
            (m.coef[0] - 0.2714285714285714).abs() < 1e-12,
            "{:?}",
            m.coef
        );
        assert!((m.coef[1] - 0.2714285714285714).abs() < 1e-12);
        assert!((m.intercept - 0.18571428571428572).abs() < 1e-12);
    }

    #[test]
    fn collinear_inputs_get_the_minimum_norm_solution() {
        // Two identical columns: lstsq splits the weight equally.
        let x = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let m = fit_linear(&x, &[2.0, 4.0, 6.0], 0.0, "t").unwrap();
        assert!((m.coef[0] - 1.0).abs() < 1e-9 && (m.coef[1] - 1.0).abs() < 1e-9);
    }
}
