//! Concordance of risk scores with observed survival: Harrell's C and Uno's C.
//!
//! A pair `(i, j)` is comparable when `i` had the event and `j` was observed longer:
//! `t_i < t_j`, or `t_i = t_j` with `j` censored (a censoring tied with an event counts as
//! later, as R's `survival` and scikit-survival). It is concordant when the higher risk score
//! is `i`'s; tied scores count ½. Pairs with both events at the same time are not comparable.

use super::km::{kaplan_meier, survival_before, KmPoint};

/// Harrell's C: concordant (ties ½) over comparable pairs; `None` without a comparable pair.
pub fn harrell(time: &[f64], event: &[bool], risk: &[f64]) -> Option<f64> {
    weighted(time, event, risk, None, &|_| 1.0, f64::INFINITY)
}

/// The censoring distribution `G` of training rows: the Kaplan–Meier curve of censoring (the
/// event indicator reversed).
pub fn censoring_curve(time: &[f64], event: &[bool]) -> Vec<KmPoint> {
    let flipped: Vec<bool> = event.iter().map(|e| !e).collect();
    kaplan_meier(time, &flipped)
}

/// The default truncation time of Uno's C: the largest event time of the training rows at
/// which the censoring survival `G(t−)` is still positive.
pub fn default_truncation(train_time: &[f64], train_event: &[bool], g: &[KmPoint]) -> Option<f64> {
    train_time
        .iter()
        .zip(train_event)
        .filter(|(&t, &e)| e && survival_before(g, t) > 0.0)
        .map(|(&t, _)| t)
        .max_by(f64::total_cmp)
}

/// Uno's C (IPCW): comparable pairs with `t_i ≤ tau` weighted by `1 / G(t_i−)²`, `G` the
/// censoring curve of the training rows (see [`censoring_curve`]). `None` without a
/// comparable pair.
pub fn uno(time: &[f64], event: &[bool], risk: &[f64], g: &[KmPoint], tau: f64) -> Option<f64> {
    weighted(time, event, risk, None, &|t| ipcw(g, t), tau)
}

/// Harrell's C with row weights (a bootstrap resample: how often each row was drawn).
pub fn harrell_weighted(time: &[f64], event: &[bool], risk: &[f64], w: &[f64]) -> Option<f64> {
    weighted(time, event, risk, Some(w), &|_| 1.0, f64::INFINITY)
}

/// Uno's C with row weights (see [`harrell_weighted`]).
pub fn uno_weighted(
    time: &[f64],
    event: &[bool],
    risk: &[f64],
    w: &[f64],
    g: &[KmPoint],
    tau: f64,
) -> Option<f64> {
    weighted(time, event, risk, Some(w), &|t| ipcw(g, t), tau)
}

fn ipcw(g: &[KmPoint], t: f64) -> f64 {
    let s = survival_before(g, t);
    if s > 0.0 {
        1.0 / (s * s)
    } else {
        0.0
    }
}

/// A Fenwick tree of weights by risk rank.
struct Fenwick(Vec<f64>);

impl Fenwick {
    fn add(&mut self, mut i: usize, v: f64) {
        i += 1;
        while i < self.0.len() {
            self.0[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    /// Sum of ranks `0..i`.
    fn prefix(&self, mut i: usize) -> f64 {
        let mut s = 0.0;
        while i > 0 {
            s += self.0[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
}

/// Weighted concordance in O(n log n): rows by time, latest first; each event is compared with
/// the rows already passed (later times) and the censored rows of its own time, through a
/// Fenwick tree of their weights by risk rank.
fn weighted(
    time: &[f64],
    event: &[bool],
    risk: &[f64],
    row_w: Option<&[f64]>,
    pair_w: &dyn Fn(f64) -> f64,
    tau: f64,
) -> Option<f64> {
    let n = time.len();
    let w = |i: usize| row_w.map_or(1.0, |w| w[i]);
    let mut levels: Vec<f64> = risk.to_vec();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let rank = |v: f64| levels.partition_point(|x| x.total_cmp(&v).is_lt());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
    let mut tree = Fenwick(vec![0.0; levels.len() + 1]);
    let mut total = 0.0;
    let (mut num, mut den) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let t = time[order[i]];
        let mut j = i;
        while j < n && time[order[j]] == t {
            j += 1;
        }
        let block = &order[i..j];
        for &r in block.iter().filter(|&&r| !event[r]) {
            tree.add(rank(risk[r]), w(r));
            total += w(r);
        }
        if t <= tau {
            for &r in block.iter().filter(|&&r| event[r]) {
                let wi = w(r) * pair_w(t);
                if wi == 0.0 {
                    continue;
                }
                let k = rank(risk[r]);
                let below = tree.prefix(k);
                let equal = tree.prefix(k + 1) - below;
                den += wi * total;
                num += wi * (below + 0.5 * equal);
            }
        }
        for &r in block.iter().filter(|&&r| event[r]) {
            tree.add(rank(risk[r]), w(r));
            total += w(r);
        }
        i = j;
    }
    (den > 0.0).then(|| num / den)
}
