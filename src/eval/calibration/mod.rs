//! Calibration of a binary classifier's pooled out-of-fold probabilities: slope, intercept
//! (calibration-in-the-large), expected and integrated calibration error, Brier score and scaled
//! Brier score, each with a 95% bootstrap interval, and a smoothed calibration curve with its
//! band.
//!
//! With p the predicted probability (clipped to [1e-15, 1 − 1e-15] for the logit) and y the
//! outcome (1 = positive class):
//! - **slope** b and the intercept of logit P(y) = a + b·logit(p), a logistic regression fitted
//!   by Newton's method (IRLS) — 1 when the spread of the predictions is right, below 1 when they
//!   are too extreme (overfitting);
//! - **intercept** a of logit P(y) = a + offset(logit p) (the slope fixed at 1):
//!   calibration-in-the-large, 0 when the predictions are right on average, above 0 when they
//!   are too low;
//! - **ece**: over 10 equal-width bins of p on [0, 1] (as [`super::curves::calibration`]), the
//!   mean over rows of |observed rate − mean predicted| of the row's bin;
//! - **ici** (Austin & Steyerberg 2019, Stat Med 38:4051): the mean over rows of
//!   |p − s(p)|, s the smoothed observed rate: a **lowess** of y on p — local linear
//!   regression, tricube weights, span 0.75 (the 75% of rows nearest each point), no
//!   robustness iterations, as statsmodels' `lowess(y, p, frac=0.75, it=0)`. (R's `loess`
//!   default that Austin & Steyerberg used is local *quadratic*; values differ slightly.) s is
//!   evaluated at every distinct p when there are at most [`CURVE_POINTS`] of them, otherwise
//!   at [`CURVE_POINTS`] evenly spaced values from the smallest to the largest p, and linearly
//!   interpolated in between;
//! - **brier** = mean (p − y)², and **brier_scaled** = 1 − brier / (prev·(1 − prev)), prev the
//!   observed rate (1 is perfect, 0 no better than predicting the prevalence for everyone).
//!
//! Intervals: the percentile bootstrap of [`super::uncertainty`] over the pooled rows — the same
//! 1,000 resamples, drawn from the same seed, as the model's metric intervals. The curve's band
//! at each point is the 2.5th–97.5th percentile of the resampled smooths there. On a resample
//! the smoother keeps the neighbourhoods (rows and radius) of the pooled rows and reweights the
//! rows in them (a fixed-bandwidth bootstrap of the smooth): one pass over each neighbourhood,
//! so 1,000 resamples stay affordable in the browser. Above [`GROUPED_ABOVE`] pooled rows a
//! resample is evaluated on [`GROUPS`] groups of adjacent rows ([`Grouped`]): still drawn row by
//! row, the rows' weights summed into one pseudo-row per group and outcome (at the group's mean p
//! and mean logit); the grouping error is far below the Monte Carlo error (docs/evaluation.md).

use super::uncertainty;
use serde::{Deserialize, Serialize};

mod fit;
mod grouped;

use fit::{local_linear, logistic, tricube, window};
pub use fit::{logistic_offset, logistic_slope};
pub use grouped::Grouped;

/// Most points of the smoothed curve (and evaluations of the smoother per resample).
pub const CURVE_POINTS: usize = 101;
/// Share of the rows in each local fit of the smoother.
pub const SPAN: f64 = 0.75;
/// Equal-width bins of the expected calibration error.
pub const ECE_BINS: usize = 10;
/// Probabilities are clipped to [EPS, 1 − EPS] before the logit.
pub const EPS: f64 = 1e-15;
/// Pooled rows above which bootstrap resamples are evaluated on groups ([`Grouped`]).
pub const GROUPED_ABOVE: usize = 20_000;
/// Groups of adjacent rows (in p order) a resample is evaluated on above [`GROUPED_ABOVE`].
pub const GROUPS: usize = 4_000;

/// One calibration measure: its value on the pooled predictions and its 95% interval
/// (`null` where undefined, e.g. a slope when the outcome is perfectly separated).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// One point of the smoothed calibration curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Predicted probability.
    pub p: f64,
    /// Smoothed observed rate at `p` (lowess; may stray slightly outside [0, 1]).
    pub observed: f64,
    /// 95% bootstrap band of `observed`.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// `models[i].calibration` of the Report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    pub slope: Estimate,
    pub intercept: Estimate,
    pub ece: Estimate,
    pub ici: Estimate,
    pub brier: Estimate,
    pub brier_scaled: Estimate,
    /// How `ici` and `curve` smooth the outcomes: `lowess_linear_tricube_span_0.75`.
    pub smoother: String,
    /// The smoothed calibration curve with its band, by increasing `p`.
    pub curve: Vec<CurvePoint>,
}

/// The pooled rows sorted by predicted probability, with what every measure needs.
pub struct Rows {
    /// Predicted probability, ascending.
    p: Vec<f64>,
    /// Outcome (0 or 1) in the same order.
    y: Vec<f64>,
    /// logit of the clipped p.
    logit: Vec<f64>,
    /// ECE bin of each row.
    bin: Vec<usize>,
    /// Row (input order) → position in `p`.
    rank: Vec<usize>,
    /// Where the smoother is evaluated, ascending.
    grid: Vec<f64>,
    /// For each position: the grid interval [g, g+1] holding p and the share of the way to g+1.
    at: Vec<(usize, f64)>,
    /// The smoother's neighbourhood of each grid point, found on the pooled rows.
    windows: Vec<Window>,
    /// The tricube weight of each row of each window (`kernels[g][j - windows[g].l]`): fixed
    /// over the resamples, which only reweight the rows, so kept when the resamples are
    /// evaluated on these rows. Empty when they are evaluated on groups ([`Grouped`]): the
    /// rows' one smooth then computes each window's weights as it goes (at 1,000,000 rows the
    /// kept weights would be 101 windows × 750,000 rows = 600 MB).
    kernels: Vec<Vec<f64>>,
    /// Where Newton's method starts on a resample: the pooled rows' slope fit (a, b) and
    /// intercept.
    start: ((f64, f64), f64),
}

/// One local fit of the smoother: rows [l, r) around x0, tricube weights over `radius`.
#[derive(Debug, Clone, Copy)]
struct Window {
    l: usize,
    r: usize,
    x0: f64,
    radius: f64,
}

impl Rows {
    /// Rows of outcomes `y` and probabilities `p` (same length), on which resamples are
    /// evaluated (the smoother's weights are kept).
    pub fn new(y: &[bool], p: &[f64]) -> Self {
        Rows::with_kernels(y, p, true)
    }

    /// [`Rows::new`]; `keep`: whether the smoother's weights are kept for the resamples (not
    /// when they are evaluated on groups).
    fn with_kernels(y: &[bool], p: &[f64], keep: bool) -> Self {
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
        let mut rank = vec![0; p.len()];
        for (j, &r) in order.iter().enumerate() {
            rank[r] = j;
        }
        let ps: Vec<f64> = order.iter().map(|&r| p[r]).collect();
        let ys: Vec<f64> = order.iter().map(|&r| y[r] as u8 as f64).collect();
        let logit = ps
            .iter()
            .map(|&q| {
                let q = q.clamp(EPS, 1.0 - EPS);
                (q / (1.0 - q)).ln()
            })
            .collect();
        let step = 1.0 / ECE_BINS as f64;
        let edges: Vec<f64> = (1..ECE_BINS).map(|k| k as f64 * step).collect();
        let bin = ps
            .iter()
            .map(|&q| edges.partition_point(|&e| e < q))
            .collect();
        let mut distinct: Vec<f64> = ps.clone();
        distinct.dedup();
        let grid = if distinct.len() <= CURVE_POINTS {
            distinct
        } else {
            let (lo, hi) = (distinct[0], distinct[distinct.len() - 1]);
            (0..CURVE_POINTS)
                .map(|k| lo + (hi - lo) * k as f64 / (CURVE_POINTS - 1) as f64)
                .collect()
        };
        let at = grid_positions(&grid, &ps);
        let n = ps.len() as f64;
        // As statsmodels: k = int(frac·n + 1e-10) nearest rows, at least 2, at most n.
        let k = (SPAN * n + 1e-10).floor().clamp(2.0_f64.min(n), n);
        let ones = vec![1.0; ps.len()];
        let windows: Vec<Window> = grid.iter().map(|&x0| window(&ps, &ones, x0, k)).collect();
        let kernels = if keep {
            windows.iter().map(|win| tricube(&ps, win)).collect()
        } else {
            Vec::new()
        };
        let mut rows = Rows {
            p: ps,
            y: ys,
            logit,
            bin,
            rank,
            grid,
            at,
            windows,
            kernels,
            start: ((0.0, 1.0), 0.0),
        };
        let slope = logistic(&rows.logit, &rows.y, &ones, false, (0.0, 1.0)).unwrap_or((0.0, 1.0));
        let offset = logistic(&rows.logit, &rows.y, &ones, true, (0.0, 1.0)).map_or(0.0, |v| v.0);
        rows.start = (slope, offset);
        rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.p.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.p.is_empty()
    }

    /// Position in sorted order of input row `r` (where its bootstrap weight goes).
    pub fn position(&self, r: usize) -> usize {
        self.rank[r]
    }

    /// Where the smoother is evaluated.
    pub fn grid(&self) -> &[f64] {
        &self.grid
    }

    /// Calibration slope and intercept with weights `w` (per sorted position).
    pub fn slope_intercept(&self, w: &[f64]) -> (Option<f64>, Option<f64>) {
        let ((a, b), a0) = self.start;
        (
            logistic(&self.logit, &self.y, w, false, (a, b)).map(|(_, b)| b),
            logistic(&self.logit, &self.y, w, true, (a0, 1.0)).map(|(a, _)| a),
        )
    }

    /// Expected calibration error over [`ECE_BINS`] bins.
    pub fn ece(&self, w: &[f64]) -> Option<f64> {
        let mut sp = [0.0; ECE_BINS];
        let mut sy = [0.0; ECE_BINS];
        let mut sw = [0.0; ECE_BINS];
        for (j, &wj) in w.iter().enumerate().take(self.p.len()) {
            let b = self.bin[j];
            sp[b] += wj * self.p[j];
            sy[b] += wj * self.y[j];
            sw[b] += wj;
        }
        let total: f64 = sw.iter().sum();
        if total <= 0.0 {
            return None;
        }
        Some(
            (0..ECE_BINS)
                .filter(|&b| sw[b] > 0.0)
                .map(|b| (sy[b] - sp[b]).abs())
                .sum::<f64>()
                / total,
        )
    }

    /// Brier score and scaled Brier score.
    pub fn brier(&self, w: &[f64]) -> (Option<f64>, Option<f64>) {
        let (mut sw, mut se, mut sy) = (0.0, 0.0, 0.0);
        for ((&wj, &p), &y) in w.iter().zip(&self.p).zip(&self.y) {
            sw += wj;
            se += wj * (p - y).powi(2);
            sy += wj * y;
        }
        if sw <= 0.0 {
            return (None, None);
        }
        let brier = se / sw;
        let prev = sy / sw;
        let scaled = (prev > 0.0 && prev < 1.0).then(|| 1.0 - brier / (prev * (1.0 - prev)));
        (Some(brier), scaled)
    }

    /// The smoothed observed rate at every grid point with weights `w`. The neighbourhoods
    /// (rows and radius) are those of the pooled rows; a resample reweights the rows in them.
    pub fn smooth(&self, w: &[f64]) -> Vec<Option<f64>> {
        if self.kernels.is_empty() {
            return self
                .windows
                .iter()
                .map(|win| local_linear(&self.p, &self.y, w, win, &tricube(&self.p, win)))
                .collect();
        }
        self.windows
            .iter()
            .zip(&self.kernels)
            .map(|(win, kernel)| local_linear(&self.p, &self.y, w, win, kernel))
            .collect()
    }

    /// Integrated calibration index from the smooth `s` at the grid points.
    pub fn ici(&self, w: &[f64], s: &[Option<f64>]) -> Option<f64> {
        let (mut sw, mut sum) = (0.0, 0.0);
        for (j, &wj) in w.iter().enumerate().take(self.p.len()) {
            if wj == 0.0 {
                continue;
            }
            let (g, f) = self.at[j];
            let v = if f == 0.0 {
                s[g]?
            } else {
                s[g]? * (1.0 - f) + s[g + 1]? * f
            };
            sw += wj;
            sum += wj * (self.p[j] - v).abs();
        }
        (sw > 0.0).then(|| sum / sw)
    }

    /// Every measure with weights `w`: slope, intercept, ece, ici, brier, brier_scaled, then
    /// the smooth at each grid point.
    pub fn measures(&self, w: &[f64]) -> Vec<Option<f64>> {
        let (slope, intercept) = self.slope_intercept(w);
        let (brier, scaled) = self.brier(w);
        let s = self.smooth(w);
        let mut out = vec![
            slope,
            intercept,
            self.ece(w),
            self.ici(w, &s),
            brier,
            scaled,
        ];
        out.extend(s);
        out
    }
}

/// For each of the sorted `x`: the interval [g, g+1] of `grid` holding it and the share of the
/// way to g+1.
fn grid_positions(grid: &[f64], x: &[f64]) -> Vec<(usize, f64)> {
    x.iter()
        .map(|&q| {
            let g = grid.partition_point(|&v| v <= q).saturating_sub(1);
            if g + 1 >= grid.len() || grid[g] == q {
                (g, 0.0)
            } else {
                (g, (q - grid[g]) / (grid[g + 1] - grid[g]))
            }
        })
        .collect()
}

/// The calibration of pooled predictions `p` of outcomes `y`, with intervals from `seed`
/// (`None` when the rows hold one class). Above [`GROUPED_ABOVE`] rows the resamples are
/// evaluated on [`GROUPS`] groups ([`Grouped`]); the values always on every row.
pub fn calibration(y: &[bool], p: &[f64], seed: u64) -> Option<CalibrationReport> {
    let groups = (y.len() > GROUPED_ABOVE).then_some(GROUPS);
    calibration_grouped(y, p, seed, groups)
}

/// [`calibration`] with the resamples evaluated on about `groups` groups of adjacent rows
/// (`None`: on every row, whatever the number of rows).
pub fn calibration_grouped(
    y: &[bool],
    p: &[f64],
    seed: u64,
    groups: Option<usize>,
) -> Option<CalibrationReport> {
    let pos = y.iter().filter(|&&b| b).count();
    if pos == 0 || pos == y.len() {
        return None;
    }
    let rows = Rows::with_kernels(y, p, groups.is_none());
    let ones = vec![1.0; rows.len()];
    let values = rows.measures(&ones);
    let ci = match groups {
        None => uncertainty::intervals_parallel(
            rows.len(),
            values.len(),
            seed,
            |r| rows.position(r),
            |w| rows.measures(w),
        ),
        Some(g) => {
            let grouped = Grouped::new(&rows, g);
            uncertainty::intervals_parallel(
                rows.len(),
                values.len(),
                seed,
                |r| rows.position(r),
                |w| grouped.measures(w, &mut Vec::new()),
            )
        }
    };
    let est = |k: usize| Estimate {
        value: values[k],
        lower: ci[k].map(|c| c[0]),
        upper: ci[k].map(|c| c[1]),
    };
    let curve = rows
        .grid()
        .iter()
        .enumerate()
        .filter_map(|(g, &x)| {
            values[6 + g].map(|v| CurvePoint {
                p: x,
                observed: v,
                lower: ci[6 + g].map(|c| c[0]),
                upper: ci[6 + g].map(|c| c[1]),
            })
        })
        .collect();
    Some(CalibrationReport {
        slope: est(0),
        intercept: est(1),
        ece: est(2),
        ici: est(3),
        brier: est(4),
        brier_scaled: est(5),
        smoother: format!("lowess_linear_tricube_span_{SPAN}"),
        curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_calibrated_logits_give_slope_one() {
        // Outcomes drawn exactly at the predicted rates in groups: slope 1, intercept 0.
        let mut y = Vec::new();
        let mut p = Vec::new();
        for (q, pos, n) in [(0.2, 2, 10), (0.5, 5, 10), (0.8, 8, 10)] {
            for i in 0..n {
                p.push(q);
                y.push(i < pos);
            }
        }
        let rows = Rows::new(&y, &p);
        let w = vec![1.0; y.len()];
        let (s, a) = rows.slope_intercept(&w);
        assert!((s.unwrap() - 1.0).abs() < 1e-8, "{s:?}");
        assert!(a.unwrap().abs() < 1e-8);
        assert!(rows.ece(&w).unwrap() < 1e-12);
    }

    #[test]
    fn the_smooth_is_the_same_whether_the_windows_weights_are_kept_or_computed_as_it_goes() {
        // Above GROUPED_ABOVE rows the weights are not kept (600 MB at 1,000,000 rows): the
        // rows' one smooth must not change for it, to the last digit.
        let n = 3_000;
        let p: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64 / n as f64).collect();
        let y: Vec<bool> = (0..n).map(|i| (i * 31 % 97) as f64 / 97.0 < p[i]).collect();
        let w: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let kept = Rows::new(&y, &p);
        let computed = Rows::with_kernels(&y, &p, false);
        assert!(!kept.kernels.is_empty());
        assert!(computed.kernels.is_empty());
        assert_eq!(kept.measures(&w), computed.measures(&w));
        let big = n.max(GROUPED_ABOVE + 1);
        let p: Vec<f64> = (0..big)
            .map(|i| ((i * 7919) % big) as f64 / big as f64)
            .collect();
        let y: Vec<bool> = (0..big)
            .map(|i| (i * 31 % 97) as f64 / 97.0 < p[i])
            .collect();
        let on_groups = calibration(&y, &p, 1).unwrap();
        let on_rows = calibration_grouped(&y, &p, 1, None).unwrap();
        assert_eq!(on_groups.ici.value, on_rows.ici.value);
        assert_eq!(
            on_groups
                .curve
                .iter()
                .map(|c| c.observed)
                .collect::<Vec<_>>(),
            on_rows.curve.iter().map(|c| c.observed).collect::<Vec<_>>()
        );
    }

    #[test]
    fn weights_count_rows_twice() {
        let y = [false, true, false, true, true, false, true];
        let p = [0.1, 0.3, 0.35, 0.6, 0.7, 0.2, 0.9];
        let rows = Rows::new(&y, &p);
        let mut w = vec![1.0; 7];
        w[rows.position(3)] = 2.0;
        let mut y2 = y.to_vec();
        let mut p2 = p.to_vec();
        y2.push(y[3]);
        p2.push(p[3]);
        let rows2 = Rows::new(&y2, &p2);
        let a = rows.measures(&w);
        let b = rows2.measures(&[1.0; 8]);
        // The smoother's neighbourhoods are fixed by the pooled rows, so ICI (3) may differ.
        for k in [0, 1, 2, 4, 5] {
            assert!((a[k].unwrap() - b[k].unwrap()).abs() < 1e-9, "{k}");
        }
    }
}
