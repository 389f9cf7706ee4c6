//! Classification metrics, computed from labels and positive-class probabilities.
//!
//! Conventions follow scikit-learn: a ratio whose denominator is zero is 0 (its
//! `zero_division=0`), and ROC-AUC is undefined (`None`) when the test rows hold one class.

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

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
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

    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Sensitivity.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn specificity(&self) -> f64 {
        ratio(self.tn, self.tn + self.fp)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

/// Area under the ROC curve by the Mann–Whitney statistic (ties count one half).
pub fn roc_auc(y: &[bool], score: &[f64]) -> Option<f64> {
    let pos = y.iter().filter(|&&b| b).count();
    let neg = y.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    // Average ranks over ties.
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += order[i..=j].iter().filter(|&&k| y[k]).count() as f64 * avg_rank;
        i = j + 1;
    }
    let u = rank_sum_pos - (pos * (pos + 1)) as f64 / 2.0;
    Some(u / (pos * neg) as f64)
}

/// Names of the classification metrics, in report order.
pub const CLASSIFICATION: &[&str] = &[
    "accuracy",
    "precision",
    "recall",
    "specificity",
    "f1",
    "roc_auc",
];

/// All classification metrics for one fold.
pub fn classification(y: &[bool], p: &[f64], threshold: f64) -> (Confusion, Vec<Option<f64>>) {
    let c = Confusion::at(y, p, threshold);
    let values = vec![
        Some(c.accuracy()),
        Some(c.precision()),
        Some(c.recall()),
        Some(c.specificity()),
        Some(c.f1()),
        roc_auc(y, p),
    ];
    (c, values)
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
