//! One split's explanations ([`FoldShap`], computed where the split's test rows are predicted)
//! and their pooling over the splits into the report's `shap` and `dependence`
//! ([`ShapPool`]).

use super::dependence::{self, Curve};
use super::{column_of, Method, Reference, Scale, ShapOptions};
use crate::error::Result;
use crate::models::Fitted;
use crate::report::{Band, DependenceReport, ShapFeature, ShapReport, ShapRows};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Explained rows kept for the beeswarm over all splits.
pub const BEESWARM_ROWS: usize = 1000;

/// The explanations of one model on one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoldShap {
    pub scale: Scale,
    pub method: Method,
    pub base_value: f64,
    pub background: Option<usize>,
    pub permutations: Option<usize>,
    /// Test rows of the split.
    pub test_rows: usize,
    /// Test rows explained.
    pub explained: usize,
    /// Per input of the split: Σ |SHAP| and Σ SHAP over the explained rows.
    pub sum_abs: Vec<f64>,
    pub sum: Vec<f64>,
    /// Per original column (`columns`): Σ |row's SHAP summed over the column's inputs|.
    pub column_sum_abs: Vec<f64>,
    pub columns: Vec<String>,
    /// The first explained rows (the beeswarm's share of this split): SHAP, inputs, output.
    pub values: Vec<Vec<f64>>,
    pub inputs: Vec<Vec<f64>>,
    pub output: Vec<f64>,
    pub dependence: Vec<Curve>,
}

/// Explains model `fitted` on a split: SHAP of (a budgeted sample of) the test rows `xte` with
/// the reference from the training rows `xtr`, and partial dependence of the inputs with the
/// largest mean |SHAP| on `xtr`. `names`: the split's inputs; `raw`: the original columns;
/// `splits`: how many splits share the beeswarm. `on_step(done, total)` is told as the SHAP values are computed (see
/// [`super::explain_with_progress`]); an error from it stops (a cancelled run).
#[allow(clippy::too_many_arguments)]
pub fn fold_shap_with_progress(
    fitted: &Fitted,
    xtr: &Array2<f64>,
    xte: &Array2<f64>,
    names: &[String],
    raw: &[String],
    opts: &ShapOptions,
    splits: usize,
    seed: u64,
    on_step: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<FoldShap> {
    let reference = Reference::of(fitted, xtr, opts.background, seed);
    let p = xte.ncols();
    let mut cap = opts.max_rows;
    if super::method_of(fitted) == Method::Permutation {
        let per_row = super::evaluations_per_row(p, reference.background.len(), opts.pairs());
        cap = cap.min((opts.max_evaluations / per_row).max(1));
    }
    let rows = super::sample(xte.nrows(), cap, seed);
    let x = xte.select(ndarray::Axis(0), &rows);
    let e = super::explain_with_progress(fitted, &reference, &x, opts.pairs(), seed, on_step)?;
    let columns: Vec<String> = {
        let mut c: Vec<String> = Vec::new();
        for n in names {
            let col = column_of(n, raw);
            if !c.contains(&col) {
                c.push(col);
            }
        }
        c
    };
    let col_index: Vec<usize> = names
        .iter()
        .map(|n| {
            let col = column_of(n, raw);
            columns.iter().position(|c| *c == col).unwrap_or(0)
        })
        .collect();
    let mut sum_abs = vec![0.0; p];
    let mut sum = vec![0.0; p];
    let mut column_sum_abs = vec![0.0; columns.len()];
    for row in e.values.rows() {
        let mut by_col = vec![0.0; columns.len()];
        for k in 0..p {
            sum_abs[k] += row[k].abs();
            sum[k] += row[k];
            by_col[col_index[k]] += row[k];
        }
        for (a, v) in column_sum_abs.iter_mut().zip(by_col) {
            *a += v.abs();
        }
    }
    let keep = rows.len().min(BEESWARM_ROWS.div_ceil(splits.max(1)));
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&a, &b| sum_abs[b].total_cmp(&sum_abs[a]));
    let top: Vec<usize> = order.into_iter().take(opts.dependence_features).collect();
    let predict = |m: &Array2<f64>| fitted.predict(m);
    let dependence = dependence::curves(
        &predict,
        xtr,
        &top,
        opts,
        crate::seeds::shap_dependence(seed),
    );
    Ok(FoldShap {
        scale: e.scale,
        method: e.method,
        base_value: e.base_value,
        background: e.background,
        permutations: e.permutations,
        test_rows: xte.nrows(),
        explained: rows.len(),
        sum_abs,
        sum,
        column_sum_abs,
        columns,
        // `+ 0.0` writes a negative zero as 0: the page's pool passes these rows through
        // JavaScript's JSON, which drops the sign, and its report must equal one worker's.
        values: (0..keep)
            .map(|r| e.values.row(r).iter().map(|v| v + 0.0).collect())
            .collect(),
        inputs: (0..keep)
            .map(|r| x.row(r).iter().map(|v| v + 0.0).collect())
            .collect(),
        output: e.output[..keep].to_vec(),
        dependence,
    })
}

/// Per-name sums over the splits, in first-seen order.
#[derive(Default)]
struct Sums {
    order: Vec<String>,
    abs: BTreeMap<String, f64>,
    sum: BTreeMap<String, f64>,
}

impl Sums {
    fn add(&mut self, name: &str, abs: f64, sum: f64) {
        if !self.abs.contains_key(name) {
            self.order.push(name.to_string());
        }
        *self.abs.entry(name.to_string()).or_default() += abs;
        *self.sum.entry(name.to_string()).or_default() += sum;
    }
}

/// The splits' explanations of one model, gathered.
#[derive(Default)]
pub struct ShapPool {
    folds: Vec<(usize, Vec<String>, FoldShap)>,
}

impl ShapPool {
    /// Adds split `split`'s explanations (its inputs `names`).
    pub fn add(&mut self, split: usize, names: &[String], f: FoldShap) {
        self.folds.push((split, names.to_vec(), f));
    }

    /// The report's `shap` and `dependence` (`raw`: the original columns).
    pub fn finish(&self, raw: &[String]) -> (Option<ShapReport>, Vec<DependenceReport>) {
        let Some((_, _, first)) = self.folds.first() else {
            return (None, Vec::new());
        };
        let n: usize = self.folds.iter().map(|f| f.2.explained).sum();
        let test_rows: usize = self.folds.iter().map(|f| f.2.test_rows).sum();
        let denom = n.max(1) as f64;
        let mut inputs = Sums::default();
        let mut cols = Sums::default();
        let mut base = 0.0;
        for (_, names, f) in &self.folds {
            base += f.base_value * f.explained as f64;
            for (k, name) in names.iter().enumerate() {
                inputs.add(name, f.sum_abs[k], f.sum[k]);
            }
            let mut col_sum = vec![0.0; f.columns.len()];
            for (k, name) in names.iter().enumerate() {
                if let Some(c) = f.columns.iter().position(|c| *c == column_of(name, raw)) {
                    col_sum[c] += f.sum[k];
                }
            }
            for (c, col) in f.columns.iter().enumerate() {
                cols.add(col, f.column_sum_abs[c], col_sum[c]);
            }
        }
        let summary = |s: &Sums, as_column: bool| {
            let mut out: Vec<ShapFeature> = s
                .order
                .iter()
                .map(|name| ShapFeature {
                    feature: name.clone(),
                    column: if as_column {
                        name.clone()
                    } else {
                        column_of(name, raw)
                    },
                    mean_abs: s.abs[name] / denom,
                    mean: s.sum[name] / denom,
                })
                .collect();
            out.sort_by(|a, b| b.mean_abs.total_cmp(&a.mean_abs));
            out
        };
        let features = summary(&inputs, false);
        let columns = summary(&cols, true);
        let mut rows = ShapRows {
            features: inputs.order.clone(),
            ..ShapRows::default()
        };
        for (split, names, f) in &self.folds {
            let at: Vec<usize> = names
                .iter()
                .map(|nm| inputs.order.iter().position(|o| o == nm).unwrap_or(0))
                .collect();
            for r in 0..f.values.len() {
                let mut v = vec![0.0; inputs.order.len()];
                let mut x = vec![None; inputs.order.len()];
                for (k, &a) in at.iter().enumerate() {
                    v[a] = f.values[r][k];
                    x[a] = Some(f.inputs[r][k]).filter(|v| v.is_finite());
                }
                rows.split.push(split + 1);
                rows.base.push(f.base_value);
                rows.output.push(f.output[r]);
                rows.values.push(v);
                rows.inputs.push(x);
            }
        }
        let shap = ShapReport {
            scale: first.scale,
            base_value: base / denom,
            method: first.method,
            background: first.background,
            permutations: first.permutations,
            explained_rows: n,
            test_rows,
            features,
            columns,
            rows,
        };
        let dependence = self.dependence(&shap, raw);
        (Some(shap), dependence)
    }

    /// Partial dependence of the inputs with the largest pooled mean |SHAP| that some split
    /// computed curves for.
    fn dependence(&self, shap: &ShapReport, raw: &[String]) -> Vec<DependenceReport> {
        let wanted = self
            .folds
            .iter()
            .map(|f| f.2.dependence.len())
            .max()
            .unwrap_or(0);
        let mut out = Vec::new();
        for feat in &shap.features {
            if out.len() >= wanted {
                break;
            }
            let curves: Vec<&Curve> = self
                .folds
                .iter()
                .filter_map(|(_, names, f)| {
                    let k = names.iter().position(|n| *n == feat.feature)?;
                    f.dependence.iter().find(|c| c.input == k)
                })
                .collect();
            let Some(first) = curves.first() else {
                continue;
            };
            let grid = first.grid.clone();
            let at: Vec<Vec<f64>> = curves
                .iter()
                .map(|c| {
                    grid.iter()
                        .map(|&g| dependence::interpolate(&c.grid, &c.pd, g))
                        .collect()
                })
                .collect();
            let g = grid.len();
            let k = at.len() as f64;
            let pd = Band {
                mean: (0..g)
                    .map(|i| at.iter().map(|c| c[i]).sum::<f64>() / k)
                    .collect(),
                lower: (0..g)
                    .map(|i| at.iter().map(|c| c[i]).fold(f64::INFINITY, f64::min))
                    .collect(),
                upper: (0..g)
                    .map(|i| at.iter().map(|c| c[i]).fold(f64::NEG_INFINITY, f64::max))
                    .collect(),
            };
            out.push(DependenceReport {
                feature: feat.feature.clone(),
                column: column_of(&feat.feature, raw),
                grid,
                pd,
                splits: curves.len(),
                ice_centred_sample: first.ice_centred.clone(),
            });
        }
        out
    }
}
