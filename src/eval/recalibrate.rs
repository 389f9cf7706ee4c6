//! Recalibration of a classifier's probabilities: a model entry's `calibration` option
//! (`"sigmoid"` or `"isotonic"`), as scikit-learn's `CalibratedClassifierCV(ensemble=True)`.
//!
//! Inside one training split (never its test rows), the rows after the feature steps are cut
//! into [`INNER_FOLDS`] stratified inner folds. On each inner fold the model is fitted on the
//! inner training part and a [`Calibrator`] on its predictions for the inner held-out part;
//! the calibrated model predicts the mean of the calibrated members ([`Calibrated`]). The
//! fitting itself is `pipeline::fold::FittedSplit::fit_inner`, the one path of the run's splits
//! and a model file's final fit.
//!
//! - `sigmoid`: Platt's scaling of the predicted probability, `1 / (1 + exp(a·p + b))`, fitted
//!   with Platt's smoothed targets (the same fit as the SVM's own Platt step,
//!   [`crate::models::svm::platt`]).
//! - `isotonic`: the pool-adjacent-violators fit of the labels on the predicted probability
//!   ([`isotonic`]), interpolated linearly between its points and clipped at both ends.
//!
//! Unlike scikit-learn, which calibrates a model's decision function where it has one (a
//! logistic regression's logit, an SVM's margin), Bedside calibrates the probability every
//! model gives; for models without a decision function (trees, forests, naive Bayes) the two
//! are the same.
//!
//! ```
//! use bedside::eval::recalibrate::{isotonic, Calibrator, Method};
//! // The hand example: the violators 0.8 > 0.2 pool to 0.5.
//! let (x, y) = isotonic(&[0.1, 0.2, 0.3, 0.4], &[0.0, 0.8, 0.2, 1.0], &[1.0; 4]);
//! assert_eq!(x, vec![0.1, 0.2, 0.3, 0.4]);
//! assert_eq!(y, vec![0.0, 0.5, 0.5, 1.0]);
//! let c = Calibrator::fit(Method::Isotonic, &[0.1, 0.2, 0.3, 0.4], &[false, true, false, true]);
//! assert_eq!(c.apply(0.25), 0.5);
//! assert_eq!(c.apply(0.9), 1.0);
//! ```

use crate::models::{ClassifierModel, FittedClassifier};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Inner folds of a training split that a calibrated model is fitted on (scikit-learn's
/// default `cv=5`).
pub const INNER_FOLDS: usize = 5;

/// How probabilities are recalibrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Platt's logistic scaling (two parameters).
    Sigmoid,
    /// Isotonic regression (a monotone step function; needs more rows).
    Isotonic,
}

impl Method {
    /// Every method as written in recipes.
    pub const NAMES: &'static [&'static str] = &["sigmoid", "isotonic"];

    pub fn name(self) -> &'static str {
        match self {
            Method::Sigmoid => "sigmoid",
            Method::Isotonic => "isotonic",
        }
    }

    /// Parses a recipe's `calibration` value.
    pub fn parse(v: &serde_json::Value) -> std::result::Result<Method, String> {
        match v.as_str() {
            Some("sigmoid") => Ok(Method::Sigmoid),
            Some("isotonic") => Ok(Method::Isotonic),
            _ => Err(format!("must be \"sigmoid\" or \"isotonic\", got {v}")),
        }
    }
}

/// The model entry option `calibration` as the schema describes it (`bedside schema`,
/// `model_options`).
pub fn schema_arg() -> crate::schema::Arg {
    crate::schema::Arg::opt(
        "calibration",
        crate::schema::Ty::Enum(Method::NAMES),
        "recalibrate the predicted probabilities on 5 inner folds of each training split (class targets): sigmoid (Platt) or isotonic",
    )
}

/// A fitted map from a model's probability to a recalibrated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibrator {
    /// `1 / (1 + exp(a·p + b))`.
    Sigmoid { a: f64, b: f64 },
    /// Increasing points `(x, y)`, interpolated linearly, clipped outside.
    Isotonic { x: Vec<f64>, y: Vec<f64> },
}

impl Calibrator {
    /// Fits `method` to probabilities `p` and labels `y` (the held-out rows of an inner fold).
    pub fn fit(method: Method, p: &[f64], y: &[bool]) -> Calibrator {
        match method {
            Method::Sigmoid => {
                let (a, b) = crate::models::svm::platt(p, y);
                Calibrator::Sigmoid { a, b }
            }
            Method::Isotonic => {
                let yf: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect();
                let (x, y) = isotonic(p, &yf, &vec![1.0; p.len()]);
                Calibrator::Isotonic { x, y }
            }
        }
    }

    /// The recalibrated probability of `p`.
    pub fn apply(&self, p: f64) -> f64 {
        match self {
            Calibrator::Sigmoid { a, b } => {
                let z = a * p + b;
                if z >= 0.0 {
                    let e = (-z).exp();
                    e / (1.0 + e)
                } else {
                    1.0 / (1.0 + z.exp())
                }
            }
            Calibrator::Isotonic { x, y } => interpolate(x, y, p),
        }
    }
}

/// Linear interpolation through increasing `x` (clipped to the end values outside).
fn interpolate(x: &[f64], y: &[f64], p: f64) -> f64 {
    match x.len() {
        0 => p,
        1 => y[0],
        n => {
            if p <= x[0] {
                return y[0];
            }
            if p >= x[n - 1] {
                return y[n - 1];
            }
            // First point strictly above p: p lies in [x[i-1], x[i]).
            let i = x.partition_point(|&v| v <= p);
            let (x0, x1, y0, y1) = (x[i - 1], x[i], y[i - 1], y[i]);
            if x1 == x0 {
                y1
            } else {
                y0 + (y1 - y0) * (p - x0) / (x1 - x0)
            }
        }
    }
}

/// The isotonic (non-decreasing) least-squares fit of `y` on `x` with weights `w` by pool
/// adjacent violators: returns the distinct `x` values in increasing order and the fitted value
/// at each (ties in `x` are first merged into their weighted mean, as scikit-learn does).
pub fn isotonic(x: &[f64], y: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    // Distinct x with their weighted mean y and total weight.
    let mut xs: Vec<f64> = Vec::new();
    let mut blocks: Vec<(f64, f64)> = Vec::new(); // (weighted sum of y, weight)
    for &i in &order {
        if xs.last() == Some(&x[i]) {
            if let Some(b) = blocks.last_mut() {
                b.0 += w[i] * y[i];
                b.1 += w[i];
            }
        } else {
            xs.push(x[i]);
            blocks.push((w[i] * y[i], w[i]));
        }
    }
    // Pool adjacent violators over the distinct points: a stack of (sum, weight, count).
    let mut stack: Vec<(f64, f64, usize)> = Vec::new();
    for &(s, wt) in &blocks {
        stack.push((s, wt, 1));
        while stack.len() > 1 {
            let n = stack.len();
            let (s1, w1, c1) = stack[n - 1];
            let (s0, w0, c0) = stack[n - 2];
            let mean = |s: f64, w: f64| if w > 0.0 { s / w } else { 0.0 };
            if mean(s0, w0) > mean(s1, w1) {
                stack.truncate(n - 2);
                stack.push((s0 + s1, w0 + w1, c0 + c1));
            } else {
                break;
            }
        }
    }
    let mut ys = Vec::with_capacity(xs.len());
    for (s, wt, c) in stack {
        let v = if wt > 0.0 { s / wt } else { 0.0 };
        ys.extend(std::iter::repeat_n(v, c));
    }
    (xs, ys)
}

/// How a model was recalibrated (`models[i].recalibration` of the Report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecalibrationReport {
    /// `sigmoid` or `isotonic`.
    pub method: Method,
    /// Inner folds of each training split (members of each calibrated model).
    pub inner_folds: usize,
    pub note: String,
}

/// The report of a model recalibrated by `method`.
pub fn recalibration_report(method: Method) -> RecalibrationReport {
    RecalibrationReport {
        method,
        inner_folds: INNER_FOLDS,
        note: recalibration_note(method.name(), INNER_FOLDS),
    }
}

/// The note of a recalibrated model's report.
pub fn recalibration_note(method: &str, folds: usize) -> String {
    format!(
        "recalibrated ({method}) on {folds} inner folds of each outer training split: each inner fold's model calibrated on its held-out part, predictions the mean of the {folds} calibrated models; the outer test rows never took part"
    )
}

/// One member of a calibrated model: the model fitted on an inner fold's training part and the
/// calibrator fitted on its held-out part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub model: ClassifierModel,
    pub calibrator: Calibrator,
}

/// A calibrated classifier: the mean of its members' calibrated probabilities.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Calibrated {
    pub method: Method,
    pub members: Vec<Member>,
}

impl FittedClassifier for Calibrated {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        let mut sum = vec![0.0; x.nrows()];
        for m in &self.members {
            for (s, p) in sum.iter_mut().zip(m.model.predict_proba(x)) {
                *s += m.calibrator.apply(p);
            }
        }
        let k = self.members.len().max(1) as f64;
        sum.into_iter().map(|s| s / k).collect()
    }

    /// The members' mean impurity importance, when they have one.
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        let all: Vec<Vec<f64>> = self
            .members
            .iter()
            .map(|m| m.model.impurity_importance())
            .collect::<Option<_>>()?;
        let first = all.first()?;
        let mut mean = vec![0.0; first.len()];
        for v in &all {
            for (m, x) in mean.iter_mut().zip(v) {
                *m += x / all.len() as f64;
            }
        }
        Some(mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pav_pools_every_violator_and_merges_ties() {
        // 3 > 1 pools to 2, then 2 > 0 (with the next) pools the three to 4/3.
        let (x, y) = isotonic(&[1.0, 2.0, 3.0, 4.0], &[3.0, 1.0, 0.0, 5.0], &[1.0; 4]);
        assert_eq!(x, vec![1.0, 2.0, 3.0, 4.0]);
        assert!((y[0] - 4.0 / 3.0).abs() < 1e-12 && y[0] == y[1] && y[1] == y[2]);
        assert_eq!(y[3], 5.0);
        // Ties at x = 2 become their mean (0.5) before pooling; weights count.
        let (x, y) = isotonic(&[2.0, 1.0, 2.0], &[1.0, 0.0, 0.0], &[1.0, 1.0, 1.0]);
        assert_eq!(x, vec![1.0, 2.0]);
        assert_eq!(y, vec![0.0, 0.5]);
        let (_, y) = isotonic(&[1.0, 2.0], &[1.0, 0.0], &[3.0, 1.0]);
        assert_eq!(y, vec![0.75, 0.75]);
    }

    #[test]
    fn sigmoid_calibrator_is_monotone_and_bounded() {
        let p = [0.1, 0.2, 0.3, 0.6, 0.7, 0.9, 0.4, 0.8];
        let y = [false, false, true, false, true, true, false, true];
        let c = Calibrator::fit(Method::Sigmoid, &p, &y);
        let mut last = 0.0;
        for k in 0..=10 {
            let v = c.apply(k as f64 / 10.0);
            assert!(v > 0.0 && v < 1.0 && v >= last);
            last = v;
        }
    }
}
