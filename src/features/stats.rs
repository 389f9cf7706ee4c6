//! Small statistics over the present (non-missing) values of a column, shared by the steps.

/// The present (non-NaN) values.
pub fn present(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| !x.is_nan()).collect()
}

/// Mean of a slice (0 when empty).
pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Population variance (divides by n, as scikit-learn's scalers and VarianceThreshold).
pub fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    mean(&v.iter().map(|x| (x - m).powi(2)).collect::<Vec<_>>())
}

/// Median of a non-empty slice (mean of the two middle values for even lengths).
pub fn median(v: &mut [f64]) -> f64 {
    quantile(v, 0.5)
}

/// The `q` quantile (0..=1) with linear interpolation between order statistics, as numpy's
/// default `percentile`; sorts `v` in place. 0 for an empty slice.
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Sample skewness (Fisher-Pearson, biased, as scipy.stats.skew); 0 when the variance is 0.
pub fn skewness(v: &[f64]) -> f64 {
    let m = mean(v);
    let m2 = mean(&v.iter().map(|x| (x - m).powi(2)).collect::<Vec<_>>());
    let m3 = mean(&v.iter().map(|x| (x - m).powi(3)).collect::<Vec<_>>());
    if m2 > 0.0 {
        m3 / m2.powf(1.5)
    } else {
        0.0
    }
}
