//! Partial dependence and centred ICE curves (Friedman 2001; Goldstein et al. 2015) of one
//! model input, on the training rows of a split.
//!
//! For each grid value `g` of input `j` (quantiles of the training column), every sampled
//! training row is predicted with input `j` set to `g`: one row's predictions over the grid is
//! its ICE curve; their mean is the partial dependence. A centred ICE curve is an ICE curve
//! minus its value at the first grid point, so curves of different rows can be compared by
//! shape. Predictions are the model's (probability or value), not the SHAP scale.

use crate::explain::{sample, ShapOptions};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Centred ICE curves kept per input and split at most.
pub const ICE_KEPT: usize = 20;

/// The curves of one input on one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Curve {
    /// The model input (column of the split's matrix).
    pub input: usize,
    pub grid: Vec<f64>,
    /// Mean prediction at each grid value.
    pub pd: Vec<f64>,
    /// Up to [`ICE_KEPT`] centred ICE curves.
    pub ice_centred: Vec<Vec<f64>>,
}

/// Up to `points` distinct quantiles (0 to 1 in equal steps) of `values`.
pub fn quantile_grid(values: &[f64], points: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Vec::new();
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let points = points.max(1);
    let mut grid: Vec<f64> = (0..points)
        .map(|k| {
            let q = if points == 1 {
                0.5
            } else {
                k as f64 / (points - 1) as f64
            };
            v[(q * (n - 1) as f64).round() as usize]
        })
        .collect();
    grid.dedup();
    grid
}

/// The curves of `inputs` for `predict` on the training rows `xtr` (a seeded sample of at most
/// `opts.dependence_rows` of them).
pub fn curves(
    predict: &dyn Fn(&Array2<f64>) -> Vec<f64>,
    xtr: &Array2<f64>,
    inputs: &[usize],
    opts: &ShapOptions,
    seed: u64,
) -> Vec<Curve> {
    let rows = sample(xtr.nrows(), opts.dependence_rows, seed);
    if rows.is_empty() {
        return Vec::new();
    }
    inputs
        .iter()
        .map(|&j| {
            let column: Vec<f64> = xtr.column(j).to_vec();
            let grid = quantile_grid(&column, opts.grid);
            let (n, g) = (rows.len(), grid.len());
            let mut batch = Array2::zeros((n * g, xtr.ncols()));
            for (i, &r) in rows.iter().enumerate() {
                for (k, &v) in grid.iter().enumerate() {
                    let mut out = batch.row_mut(i * g + k);
                    out.assign(&xtr.row(r));
                    out[j] = v;
                }
            }
            let pred = predict(&batch);
            let pd = (0..g)
                .map(|k| (0..n).map(|i| pred[i * g + k]).sum::<f64>() / n as f64)
                .collect();
            let ice_centred = (0..n.min(ICE_KEPT))
                .map(|i| {
                    let c = &pred[i * g..(i + 1) * g];
                    c.iter().map(|v| v - c[0]).collect()
                })
                .collect();
            Curve {
                input: j,
                grid,
                pd,
                ice_centred,
            }
        })
        .collect()
}

/// The value of the piecewise-linear curve through (`grid`, `values`) at `x` (constant beyond
/// its ends).
pub fn interpolate(grid: &[f64], values: &[f64], x: f64) -> f64 {
    match grid.len() {
        0 => f64::NAN,
        1 => values[0],
        _ => {
            if x <= grid[0] {
                return values[0];
            }
            let last = grid.len() - 1;
            if x >= grid[last] {
                return values[last];
            }
            let k = grid.partition_point(|&g| g <= x);
            let (x0, x1) = (grid[k - 1], grid[k]);
            let t = (x - x0) / (x1 - x0);
            values[k - 1] + t * (values[k] - values[k - 1])
        }
    }
}
