//! Pre-binned features for the histogram learners (random forest, gradient boosting).
//!
//! Each feature is cut into at most 255 bins, as scikit-learn's `HistGradientBoosting`
//! (`max_bins=255`): a feature with at most 255 distinct values gets one bin per value (cut at
//! the midpoints), any other at 254 interpolated quantiles of its training values. A row's bin
//! is the number of cuts strictly below its value, so "bin ≤ b" is exactly "value ≤ cut[b]":
//! a split learned on bins is applied to raw values with the threshold `cut[b]`, and a fitted
//! model never needs the binning again. The binned matrix is column-major `u8`, built once per
//! fit and shared by every tree.

use ndarray::Array2;

/// Most bins per feature.
pub const MAX_BINS: usize = 255;

/// Column-major binned features.
#[derive(Debug, Clone)]
pub struct Binned {
    pub rows: usize,
    /// `codes[f * rows + r]` is the bin of row `r` in feature `f`.
    pub codes: Vec<u8>,
    /// Per feature, the ascending cut points (`bins - 1` of them).
    pub cuts: Vec<Vec<f64>>,
}

impl Binned {
    /// Bins every column of `x` (values must be finite).
    pub fn new(x: &Array2<f64>) -> Binned {
        let (rows, cols) = x.dim();
        let mut codes = vec![0u8; rows * cols];
        let mut cuts = Vec::with_capacity(cols);
        let mut sorted = Vec::with_capacity(rows);
        for f in 0..cols {
            sorted.clear();
            sorted.extend(x.column(f).iter().copied());
            sorted.sort_by(f64::total_cmp);
            let c = cut_points(&sorted);
            let col = &mut codes[f * rows..(f + 1) * rows];
            for (r, v) in x.column(f).iter().enumerate() {
                col[r] = c.partition_point(|&t| t < *v) as u8;
            }
            cuts.push(c);
        }
        Binned { rows, codes, cuts }
    }

    /// The bins of feature `f`, one per row.
    pub fn feature(&self, f: usize) -> &[u8] {
        &self.codes[f * self.rows..(f + 1) * self.rows]
    }

    pub fn features(&self) -> usize {
        self.cuts.len()
    }

    /// Number of bins of feature `f`.
    pub fn bins(&self, f: usize) -> usize {
        self.cuts[f].len() + 1
    }
}

/// Cut points of sorted values: midpoints between distinct values if there are at most
/// `MAX_BINS`, else midpoints of consecutive quantiles (deduplicated).
fn cut_points(sorted: &[f64]) -> Vec<f64> {
    let mut distinct: Vec<f64> = Vec::new();
    for &v in sorted {
        if distinct.last() != Some(&v) {
            distinct.push(v);
            if distinct.len() > MAX_BINS {
                break;
            }
        }
    }
    let mid = |a: f64, b: f64| {
        let m = a + (b - a) / 2.0;
        if m < b {
            m
        } else {
            a
        }
    };
    if distinct.len() <= MAX_BINS {
        return distinct.windows(2).map(|w| mid(w[0], w[1])).collect();
    }
    // Quantiles at k / MAX_BINS, k = 1 .. MAX_BINS - 1, linear interpolation (numpy's default).
    let n = sorted.len();
    let mut out: Vec<f64> = Vec::with_capacity(MAX_BINS - 1);
    for k in 1..MAX_BINS {
        let pos = k as f64 / MAX_BINS as f64 * (n - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        let q = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64);
        if out.last().is_none_or(|&l| q > l) {
            out.push(q);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn few_values_get_one_bin_each_cut_at_midpoints() {
        let b = Binned::new(&array![[1.0], [3.0], [3.0], [2.0]]);
        assert_eq!(b.cuts[0], vec![1.5, 2.5]);
        assert_eq!(b.feature(0), &[0, 2, 2, 1]);
    }

    #[test]
    fn many_values_are_cut_at_quantiles() {
        let x = Array2::from_shape_fn((1000, 1), |(i, _)| i as f64);
        let b = Binned::new(&x);
        assert_eq!(b.bins(0), MAX_BINS);
        // Bins are monotone in the value and "bin <= k" is "value <= cut[k]".
        for r in 0..1000 {
            let code = b.feature(0)[r] as usize;
            if code < b.cuts[0].len() {
                assert!(r as f64 <= b.cuts[0][code]);
            }
            if code > 0 {
                assert!(r as f64 > b.cuts[0][code - 1]);
            }
        }
    }
}
