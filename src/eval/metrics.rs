//! Classification and regression metrics, computed from labels and positive-class
//! probabilities (or predicted values).
//!
//! Conventions follow scikit-learn: a ratio whose denominator is zero is 0 (its
//! `zero_division=0`), ROC-AUC and PR-AUC are undefined (`None`) when the rows hold one class,
//! PR-AUC is average precision (Σ (Rₙ − Rₙ₋₁)·Pₙ over thresholds, no interpolation), log loss
//! clips probabilities to [ε, 1 − ε] with ε = 2.2e-16 (float64 machine epsilon), and MCC is 0
//! when any margin of the confusion matrix is empty.
//!
//! Every threshold-free metric is computed over rows sorted by score with per-row weights, so
//! the bootstrap ([`super::uncertainty`]) reuses one sort and resamples by weights.

use serde::{Deserialize, Serialize};

/// Counts at a threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// Weighted confusion counts (weights are bootstrap multiplicities or 1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub tp: f64,
    pub fp: f64,
    pub tn: f64,
    pub fn_: f64,
}

impl Counts {
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Sensitivity, true positive rate.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn specificity(&self) -> f64 {
        ratio(self.tn, self.tn + self.fp)
    }
    pub fn f1(&self) -> f64 {
        ratio(2.0 * self.tp, 2.0 * self.tp + self.fp + self.fn_)
    }
    /// Mean of sensitivity and specificity (scikit-learn's `balanced_accuracy_score`).
    pub fn balanced_accuracy(&self) -> f64 {
        (self.recall() + self.specificity()) / 2.0
    }
    /// Matthews correlation coefficient.
    pub fn mcc(&self) -> f64 {
        let d =
            (self.tp + self.fp) * (self.tp + self.fn_) * (self.tn + self.fp) * (self.tn + self.fn_);
        if d == 0.0 {
            0.0
        } else {
            (self.tp * self.tn - self.fp * self.fn_) / d.sqrt()
        }
    }
}

impl Confusion {
    /// Counts predictions `p >= threshold` as positive.
    pub fn at(y: &[bool], p: &[f64], threshold: f64) -> Confusion {
        let mut c = Confusion::default();
        for (&t, &s) in y.iter().zip(p) {
            match (t, s >= threshold) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (false, false) => c.tn += 1,
                (true, false) => c.fn_ += 1,
            }
        }
        c
    }

    pub fn add(&mut self, o: &Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.tn += o.tn;
        self.fn_ += o.fn_;
    }

    pub fn counts(&self) -> Counts {
        Counts {
            tp: self.tp as f64,
            fp: self.fp as f64,
            tn: self.tn as f64,
            fn_: self.fn_ as f64,
        }
    }

    pub fn accuracy(&self) -> f64 {
        self.counts().accuracy()
    }
    pub fn precision(&self) -> f64 {
        self.counts().precision()
    }
    /// Sensitivity.
    pub fn recall(&self) -> f64 {
        self.counts().recall()
    }
    pub fn specificity(&self) -> f64 {
        self.counts().specificity()
    }
    pub fn f1(&self) -> f64 {
        self.counts().f1()
    }
}

/// Row indices ordered by ascending score (ties in row order).
pub fn ascending(score: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    order
}

/// Weighted ROC-AUC over rows in ascending score order: the Mann–Whitney statistic, ties
/// counting one half.
pub fn roc_auc_sorted(y: &[bool], score: &[f64], w: &[f64], order: &[usize]) -> Option<f64> {
    let (mut pos, mut neg, mut num) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        let (mut gp, mut gn) = (0.0, 0.0);
        while j < order.len() && score[order[j]] == score[order[i]] {
            let r = order[j];
            if y[r] {
                gp += w[r];
            } else {
                gn += w[r];
            }
            j += 1;
        }
        num += gp * (neg + 0.5 * gn);
        pos += gp;
        neg += gn;
        i = j;
    }
    if pos == 0.0 || neg == 0.0 {
        None
    } else {
        Some(num / (pos * neg))
    }
}

/// Weighted average precision over rows in ascending score order (scikit-learn's
/// `average_precision_score`).
pub fn average_precision_sorted(
    y: &[bool],
    score: &[f64],
    w: &[f64],
    order: &[usize],
) -> Option<f64> {
    let total_pos: f64 = order.iter().filter(|&&r| y[r]).map(|&r| w[r]).sum();
    let total: f64 = order.iter().map(|&r| w[r]).sum();
    if total_pos == 0.0 || total_pos == total {
        return None;
    }
    let (mut tp, mut fp, mut ap, mut last_recall) = (0.0, 0.0, 0.0, 0.0);
    let mut j = order.len();
    while j > 0 {
        let mut i = j;
        while i > 0 && score[order[i - 1]] == score[order[j - 1]] {
            i -= 1;
            let r = order[i];
            if y[r] {
                tp += w[r];
            } else {
                fp += w[r];
            }
        }
        if tp + fp > 0.0 {
            let recall = tp / total_pos;
            ap += (recall - last_recall) * tp / (tp + fp);
            last_recall = recall;
        }
        j = i;
    }
    Some(ap)
}

/// Area under the ROC curve by the Mann–Whitney statistic (ties count one half).
pub fn roc_auc(y: &[bool], score: &[f64]) -> Option<f64> {
    roc_auc_sorted(y, score, &vec![1.0; y.len()], &ascending(score))
}

/// Average precision (PR-AUC), as scikit-learn's `average_precision_score`.
pub fn average_precision(y: &[bool], score: &[f64]) -> Option<f64> {
    average_precision_sorted(y, score, &vec![1.0; y.len()], &ascending(score))
}

const LOG_EPS: f64 = f64::EPSILON;

/// Names of the classification metrics, in report order.
pub const CLASSIFICATION: &[&str] = &[
    "accuracy",
    "precision",
    "recall",
    "specificity",
    "f1",
    "roc_auc",
    "balanced_accuracy",
    "mcc",
    "pr_auc",
    "brier",
    "log_loss",
];

/// All classification metrics (in [`CLASSIFICATION`] order) of weighted rows, given the rows
/// in ascending score order.
pub fn classification_weighted(
    y: &[bool],
    p: &[f64],
    w: &[f64],
    order: &[usize],
    threshold: f64,
) -> Vec<Option<f64>> {
    let mut c = Counts::default();
    let (mut wsum, mut brier, mut ll) = (0.0, 0.0, 0.0);
    for (i, (&t, &s)) in y.iter().zip(p).enumerate() {
        let wi = w[i];
        if wi == 0.0 {
            continue;
        }
        match (t, s >= threshold) {
            (true, true) => c.tp += wi,
            (false, true) => c.fp += wi,
            (false, false) => c.tn += wi,
            (true, false) => c.fn_ += wi,
        }
        let yt = t as u8 as f64;
        wsum += wi;
        brier += wi * (s - yt) * (s - yt);
        let q = s.clamp(LOG_EPS, 1.0 - LOG_EPS);
        ll -= wi * if t { q.ln() } else { (1.0 - q).ln() };
    }
    in_order(
        &c,
        roc_auc_sorted(y, p, w, order),
        average_precision_sorted(y, p, w, order),
        ratio(brier, wsum),
        ratio(ll, wsum),
    )
}

/// The classification metrics in [`CLASSIFICATION`] order.
fn in_order(
    c: &Counts,
    roc_auc: Option<f64>,
    pr_auc: Option<f64>,
    brier: f64,
    log_loss: f64,
) -> Vec<Option<f64>> {
    vec![
        Some(c.accuracy()),
        Some(c.precision()),
        Some(c.recall()),
        Some(c.specificity()),
        Some(c.f1()),
        roc_auc,
        Some(c.balanced_accuracy()),
        Some(c.mcc()),
        pr_auc,
        Some(brier),
        Some(log_loss),
    ]
}

/// Rows in ascending score order with what each contributes to the classification metrics
/// whatever its weight (predicted class, squared error, log loss) and the runs of equal scores:
/// [`classification_weighted`] for the many weightings of a bootstrap, each one pass over the
/// rows in order and one over the runs, without a logarithm or an indirect read.
pub struct SortedRows {
    y: Vec<bool>,
    positive: Vec<bool>,
    error: Vec<f64>,
    log_loss: Vec<f64>,
    /// End (exclusive) of each run of equal scores.
    ends: Vec<usize>,
    /// Row → its position in score order.
    rank: Vec<usize>,
}

impl SortedRows {
    pub fn new(y: &[bool], p: &[f64], threshold: f64) -> Self {
        let order = ascending(p);
        let n = order.len();
        let mut rows = SortedRows {
            y: Vec::with_capacity(n),
            positive: Vec::with_capacity(n),
            error: Vec::with_capacity(n),
            log_loss: Vec::with_capacity(n),
            ends: Vec::new(),
            rank: vec![0; n],
        };
        for (j, &r) in order.iter().enumerate() {
            let (t, s) = (y[r], p[r]);
            rows.rank[r] = j;
            rows.y.push(t);
            rows.positive.push(s >= threshold);
            rows.error.push(s - t as u8 as f64);
            let q = s.clamp(LOG_EPS, 1.0 - LOG_EPS);
            rows.log_loss.push(if t { q.ln() } else { (1.0 - q).ln() });
            if j + 1 == n || p[order[j + 1]] != s {
                rows.ends.push(j + 1);
            }
        }
        rows
    }

    /// The position in score order of row `r`: where its weight goes in [`SortedRows::metrics`].
    pub fn position(&self, r: usize) -> usize {
        self.rank[r]
    }

    /// [`classification_weighted`] with weights `w` by position in score order.
    pub fn metrics(&self, w: &[f64]) -> Vec<Option<f64>> {
        let mut c = Counts::default();
        let (mut wsum, mut brier, mut ll) = (0.0, 0.0, 0.0);
        // Per run of equal scores: positive and negative weight, for ROC-AUC and PR-AUC.
        let mut auc = (0.0, 0.0, 0.0); // (positives, negatives, Mann–Whitney numerator)
        let mut runs: Vec<(f64, f64)> = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        for &end in &self.ends {
            let (mut gp, mut gn) = (0.0, 0.0);
            for (j, &wj) in w.iter().enumerate().take(end).skip(start) {
                if wj == 0.0 {
                    continue;
                }
                let t = self.y[j];
                match (t, self.positive[j]) {
                    (true, true) => c.tp += wj,
                    (false, true) => c.fp += wj,
                    (false, false) => c.tn += wj,
                    (true, false) => c.fn_ += wj,
                }
                if t {
                    gp += wj;
                } else {
                    gn += wj;
                }
                wsum += wj;
                let e = self.error[j];
                brier += wj * e * e;
                ll -= wj * self.log_loss[j];
            }
            auc.2 += gp * (auc.1 + 0.5 * gn);
            auc.0 += gp;
            auc.1 += gn;
            runs.push((gp, gn));
            start = end;
        }
        let roc_auc = (auc.0 != 0.0 && auc.1 != 0.0).then(|| auc.2 / (auc.0 * auc.1));
        // Average precision: thresholds from the highest score down.
        let total_pos = auc.0;
        let pr_auc = (total_pos != 0.0 && total_pos != wsum).then(|| {
            let (mut tp, mut fp, mut ap, mut last_recall) = (0.0, 0.0, 0.0, 0.0);
            for &(gp, gn) in runs.iter().rev() {
                tp += gp;
                fp += gn;
                if tp + fp > 0.0 {
                    let recall = tp / total_pos;
                    ap += (recall - last_recall) * tp / (tp + fp);
                    last_recall = recall;
                }
            }
            ap
        });
        in_order(&c, roc_auc, pr_auc, ratio(brier, wsum), ratio(ll, wsum))
    }
}

/// All classification metrics for one fold, in [`CLASSIFICATION`] order.
pub fn classification(y: &[bool], p: &[f64], threshold: f64) -> (Confusion, Vec<Option<f64>>) {
    let c = Confusion::at(y, p, threshold);
    let values = classification_weighted(y, p, &vec![1.0; y.len()], &ascending(p), threshold);
    (c, values)
}

/// Names of the regression metrics, in report order.
pub const REGRESSION: &[&str] = &["mae", "rmse", "r2"];

/// Weighted regression metrics (MAE, RMSE, R²; R² is `None` when the target is constant).
pub fn regression_weighted(y: &[f64], p: &[f64], w: &[f64]) -> Vec<Option<f64>> {
    let wsum: f64 = w.iter().sum();
    if wsum == 0.0 {
        return vec![None, None, None];
    }
    let mean = y.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / wsum;
    let (mut ae, mut se, mut st) = (0.0, 0.0, 0.0);
    for ((&t, &q), &wi) in y.iter().zip(p).zip(w) {
        ae += wi * (t - q).abs();
        se += wi * (t - q) * (t - q);
        st += wi * (t - mean) * (t - mean);
    }
    vec![
        Some(ae / wsum),
        Some((se / wsum).sqrt()),
        if st > 0.0 { Some(1.0 - se / st) } else { None },
    ]
}

/// Regression metrics for one fold, in [`REGRESSION`] order.
pub fn regression(y: &[f64], p: &[f64]) -> Vec<Option<f64>> {
    regression_weighted(y, p, &vec![1.0; y.len()])
}

/// Mean and population standard deviation of the defined values (`None` if none are defined).
pub fn mean_std(values: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let v: Vec<f64> = values.iter().flatten().copied().collect();
    if v.is_empty() {
        return (None, None);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    (Some(mean), Some(std))
}
