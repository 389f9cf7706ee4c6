//! Exact SHAP for a linear score `b + Σ wᵢ xᵢ` with independent inputs: the contribution of
//! input `i` is `wᵢ (xᵢ − x̄ᵢ)` and the base value `b + Σ wᵢ x̄ᵢ`, with `x̄` the training rows'
//! means (SHAP's `LinearExplainer` with its default independent masker). For logistic
//! regression the score is the log-odds of the positive class; for linear and ridge regression
//! it is the predicted value.

use ndarray::{Array2, ArrayView1};

/// Base value and contributions of every row of `x` for weights `coef`, intercept `intercept`
/// and training means `means`.
pub fn linear_shap(
    coef: ArrayView1<f64>,
    intercept: f64,
    means: &[f64],
    x: &Array2<f64>,
) -> (f64, Array2<f64>) {
    let base = intercept + coef.iter().zip(means).map(|(w, m)| w * m).sum::<f64>();
    let mut values = Array2::zeros(x.raw_dim());
    for (mut out, row) in values.rows_mut().into_iter().zip(x.rows()) {
        for i in 0..row.len() {
            out[i] = coef[i] * (row[i] - means[i]);
        }
    }
    (base, values)
}
