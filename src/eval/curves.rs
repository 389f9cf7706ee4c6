//! ROC, precision–recall and calibration curves from pooled out-of-fold predictions.
//!
//! ROC and PR points are taken at every distinct score, highest first, as scikit-learn's
//! `roc_curve(drop_intermediate=False)` / `precision_recall_curve`; the first point (nothing
//! predicted positive) carries the threshold `max score + 1`, scikit-learn's convention before
//! 1.3 (1.3 and later write `inf` there, which JSON cannot hold; every other point is the same). Above 1,001 thresholds the points
//! are thinned to 1,001 evenly spaced ones (first and last kept). Because the ROC points carry
//! the class totals, the page rebuilds the exact confusion matrix at any listed threshold:
//! TP = TPR·P, FP = FPR·N. The calibration curve uses 10 equal-width bins on [0, 1] and leaves
//! out empty bins (scikit-learn's `calibration_curve(strategy="uniform")`).

use serde::{Deserialize, Serialize};

/// Most points kept per curve.
pub const MAX_POINTS: usize = 1001;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roc {
    pub fpr: Vec<f64>,
    pub tpr: Vec<f64>,
    pub thresholds: Vec<f64>,
    pub positives: usize,
    pub negatives: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pr {
    pub recall: Vec<f64>,
    pub precision: Vec<f64>,
    pub thresholds: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub bins: usize,
    pub mean_predicted: Vec<f64>,
    pub fraction_positive: Vec<f64>,
    pub count: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curves {
    pub roc: Roc,
    pub pr: Pr,
    pub calibration: Calibration,
}

/// (threshold, cumulative tp, cumulative fp) at each distinct score, highest first.
fn steps(y: &[bool], p: &[f64]) -> Vec<(f64, usize, usize)> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut out = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    let mut i = 0;
    while i < order.len() {
        let s = p[order[i]];
        while i < order.len() && p[order[i]] == s {
            if y[order[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        out.push((s, tp, fp));
    }
    out
}

fn thin<T: Copy>(v: Vec<T>) -> Vec<T> {
    if v.len() <= MAX_POINTS {
        return v;
    }
    let m = v.len() - 1;
    (0..MAX_POINTS)
        .map(|k| v[(k * m + (MAX_POINTS - 1) / 2) / (MAX_POINTS - 1)])
        .collect()
}

/// All three curves (`None` when the rows hold one class).
pub fn curves(y: &[bool], p: &[f64]) -> Option<Curves> {
    let pos = y.iter().filter(|&&b| b).count();
    let neg = y.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let st = steps(y, p);
    let top = st.first().map_or(1.0, |s| s.0) + 1.0;
    let mut pts = vec![(top, 0usize, 0usize)];
    pts.extend(st);
    let pts = thin(pts);
    let roc = Roc {
        fpr: pts.iter().map(|s| s.2 as f64 / neg as f64).collect(),
        tpr: pts.iter().map(|s| s.1 as f64 / pos as f64).collect(),
        thresholds: pts.iter().map(|s| s.0).collect(),
        positives: pos,
        negatives: neg,
    };
    let pr = Pr {
        recall: pts.iter().map(|s| s.1 as f64 / pos as f64).collect(),
        precision: pts
            .iter()
            .map(|s| {
                if s.1 + s.2 == 0 {
                    1.0
                } else {
                    s.1 as f64 / (s.1 + s.2) as f64
                }
            })
            .collect(),
        thresholds: pts.iter().map(|s| s.0).collect(),
    };
    Some(Curves {
        roc,
        pr,
        calibration: calibration(y, p, 10),
    })
}

/// Reliability diagram over `bins` equal-width bins (empty bins left out).
pub fn calibration(y: &[bool], p: &[f64], bins: usize) -> Calibration {
    let mut sum_p = vec![0.0; bins];
    let mut sum_y = vec![0.0; bins];
    let mut count = vec![0usize; bins];
    // Inner edges as numpy.linspace computes them (k · 1/bins); a probability on an edge goes to
    // the lower bin (numpy.searchsorted, side "left"), as scikit-learn.
    let step = 1.0 / bins as f64;
    let edges: Vec<f64> = (1..bins).map(|k| k as f64 * step).collect();
    for (&t, &q) in y.iter().zip(p) {
        let b = edges.partition_point(|&e| e < q);
        sum_p[b] += q;
        sum_y[b] += t as u8 as f64;
        count[b] += 1;
    }
    let keep: Vec<usize> = (0..bins).filter(|&b| count[b] > 0).collect();
    Calibration {
        bins,
        mean_predicted: keep.iter().map(|&b| sum_p[b] / count[b] as f64).collect(),
        fraction_positive: keep.iter().map(|&b| sum_y[b] / count[b] as f64).collect(),
        count: keep.iter().map(|&b| count[b]).collect(),
    }
}

/// Most (actual, predicted) pairs kept for the predicted-vs-actual scatter.
pub const MAX_PAIRS: usize = 2000;
/// Bins of the residual histogram.
pub const RESIDUAL_BINS: usize = 20;

/// What the page draws for a numeric target: a sample of (actual, predicted) pairs of the pooled
/// out-of-fold predictions and the histogram of all residuals (predicted − actual).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionPlot {
    /// Pairs in the pooled order; above [`MAX_PAIRS`] rows, [`MAX_PAIRS`] evenly spaced ones.
    pub actual: Vec<f64>,
    pub predicted: Vec<f64>,
    /// Pooled predictions in all (the sample may hold fewer).
    pub total: usize,
    /// [`RESIDUAL_BINS`] + 1 equal-width edges from the smallest to the largest residual.
    pub residual_edges: Vec<f64>,
    /// Residuals per bin (the last bin includes its upper edge).
    pub residual_counts: Vec<usize>,
}

/// The scatter sample and residual histogram of pooled predictions `p` of actual values `y`.
pub fn regression_plot(y: &[f64], p: &[f64]) -> RegressionPlot {
    let n = y.len().min(p.len());
    let keep: Vec<usize> = if n <= MAX_PAIRS {
        (0..n).collect()
    } else {
        (0..MAX_PAIRS).map(|k| k * n / MAX_PAIRS).collect()
    };
    let r: Vec<f64> = (0..n).map(|i| p[i] - y[i]).collect();
    let (lo, hi) = r
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let (residual_edges, residual_counts) = if n == 0 {
        (Vec::new(), Vec::new())
    } else {
        let width = if hi > lo {
            (hi - lo) / RESIDUAL_BINS as f64
        } else {
            1.0
        };
        let edges = (0..=RESIDUAL_BINS).map(|k| lo + k as f64 * width).collect();
        let mut counts = vec![0usize; RESIDUAL_BINS];
        for &x in &r {
            counts[(((x - lo) / width) as usize).min(RESIDUAL_BINS - 1)] += 1;
        }
        (edges, counts)
    };
    RegressionPlot {
        actual: keep.iter().map(|&i| y[i]).collect(),
        predicted: keep.iter().map(|&i| p[i]).collect(),
        total: n,
        residual_edges,
        residual_counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_plot_caps_the_sample_and_counts_every_residual() {
        let y: Vec<f64> = (0..5000).map(|i| i as f64).collect();
        let p: Vec<f64> = y.iter().map(|v| v + (v % 7.0) - 3.0).collect();
        let r = regression_plot(&y, &p);
        assert_eq!(
            (r.actual.len(), r.predicted.len(), r.total),
            (MAX_PAIRS, MAX_PAIRS, 5000)
        );
        assert_eq!(r.residual_counts.iter().sum::<usize>(), 5000);
        assert_eq!(r.residual_edges.len(), RESIDUAL_BINS + 1);
        assert_eq!(
            (r.residual_edges[0], r.residual_edges[RESIDUAL_BINS]),
            (-3.0, 3.0)
        );
        assert_eq!(r, regression_plot(&y, &p), "deterministic");
        let small = regression_plot(&[1.0, 2.0], &[1.5, 2.5]);
        assert_eq!(small.actual, vec![1.0, 2.0]);
        assert_eq!(small.residual_counts.iter().sum::<usize>(), 2);
    }

    #[test]
    fn roc_points_as_scikit_learn() {
        // roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], drop_intermediate=False):
        // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1]
        // with scikit-learn ≥ 1.3 (1.9.1 checked); [1.8, 0.8, 0.4, 0.35, 0.1] before 1.3, whose
        // first threshold (max score + 1) Bedside keeps because JSON has no infinity.
        let c = curves(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
        assert_eq!(c.roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(c.roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(
            c.roc.thresholds[1..],
            [0.8, 0.4, 0.35, 0.1],
            "as scikit-learn ≥ 1.3"
        );
        assert_eq!(
            c.roc.thresholds[0],
            0.8 + 1.0,
            "max score + 1, as scikit-learn < 1.3"
        );
        // precision_recall_curve: precision [1, 1, 0.5, 2/3, 0.5] from the top threshold down.
        assert_eq!(c.pr.precision[..3], [1.0, 1.0, 0.5]);
        assert!((c.pr.precision[3] - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn calibration_bins_as_scikit_learn() {
        // calibration_curve([0, 0, 0, 0, 1, 1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8,
        // 0.9, 1.0], n_bins=3) gives prob_true [0, 0.5, 1], prob_pred [0.2, 0.525, 0.85].
        let y = [false, false, false, false, true, true, true, true, true];
        let p = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0];
        let c = calibration(&y, &p, 3);
        assert_eq!(c.fraction_positive, vec![0.0, 0.5, 1.0]);
        let want = [0.2, 0.525, 0.85];
        for (a, b) in c.mean_predicted.iter().zip(want) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
