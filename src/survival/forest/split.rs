//! The log-rank split search of a random survival forest: a node's risk sets, the exact
//! statistic of a split (as scikit-survival's `LogrankCriterion`), and the running form that
//! screens the candidates before the exact pass.

use super::Grower;

/// Values of an input closer than this are one value (scikit-learn's `FEATURE_THRESHOLD`).
pub(super) const FEATURE_THRESHOLD: f64 = 1e-7;

/// A node's risk sets: its event times (grid indices, ascending), the weighted numbers at
/// risk and of events at each.
pub(super) struct RiskSets {
    pub(super) at: Vec<u32>,
    pub(super) n: Vec<f64>,
    pub(super) d: Vec<f64>,
    /// Prefix sums over the event times (entry `k`: the sum over the first `k`) of `d/n`,
    /// `v/n` and `v/n²`, `v = (n − d)/(n − 1) · d` (0 when `n ≤ 1`), for the running form of
    /// the statistic ([`Grower::best_on`]).
    pre_d: Vec<f64>,
    pre_a: Vec<f64>,
    pre_c: Vec<f64>,
    /// `Σ v`: the scale of the variance.
    scale: f64,
}

impl RiskSets {
    fn new(at: Vec<u32>, n: Vec<f64>, d: Vec<f64>) -> RiskSets {
        let m = at.len();
        let (mut pre_d, mut pre_a, mut pre_c) =
            (vec![0.0; m + 1], vec![0.0; m + 1], vec![0.0; m + 1]);
        let mut scale = 0.0;
        for j in 0..m {
            let v = if n[j] > 1.0 {
                (n[j] - d[j]) / (n[j] - 1.0) * d[j]
            } else {
                0.0
            };
            scale += v;
            pre_d[j + 1] = pre_d[j] + d[j] / n[j];
            pre_a[j + 1] = pre_a[j] + v / n[j];
            pre_c[j + 1] = pre_c[j] + v / (n[j] * n[j]);
        }
        RiskSets {
            at,
            n,
            d,
            pre_d,
            pre_a,
            pre_c,
            scale,
        }
    }
}

/// Prefix sums under point additions (a Fenwick tree); `prefix(k)` sums the entries below `k`.
pub(super) struct Fenwick(pub(super) Vec<f64>);

impl Fenwick {
    fn reset(&mut self, len: usize) {
        self.0.clear();
        self.0.resize(len + 1, 0.0);
    }
    fn add(&mut self, k: usize, v: f64) {
        let mut i = k + 1;
        while i < self.0.len() {
            self.0[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    fn prefix(&self, k: usize) -> f64 {
        let (mut i, mut s) = (k, 0.0);
        while i > 0 {
            s += self.0[i];
            i &= i - 1;
        }
        s
    }
}

/// The log-rank statistic between a node's left child and the rest, from the left child's
/// weight `w_left`, its weight leaving the risk set after each of the node's event times
/// (`out_left[m]`: weight of left rows at risk at the first `m` event times only) and its
/// events (`d_left`), exactly as scikit-survival's `LogrankCriterion` computes it; −∞ when
/// the variance is 0 (no split).
pub(super) fn logrank_split(
    n: &[f64],
    d: &[f64],
    w_left: f64,
    out_left: &[f64],
    d_left: &[f64],
) -> f64 {
    let (mut numer, mut denom) = (0.0, 0.0);
    let mut at_risk = w_left - out_left[0];
    for m in 0..n.len() {
        let ratio = at_risk / n[m];
        numer += d_left[m] - d[m] * ratio;
        if n[m] > 1.0 {
            let v = (n[m] - d[m]) / (n[m] - 1.0) * d[m];
            denom += ratio * (1.0 - ratio) * v;
        }
        at_risk -= out_left[m + 1];
    }
    if denom != 0.0 {
        (numer / denom.sqrt()).abs()
    } else {
        f64::NEG_INFINITY
    }
}

impl<'a> Grower<'a> {
    pub(super) fn risk_sets(&mut self, rows: &[usize]) -> RiskSets {
        let data = self.data;
        let mut at: Vec<u32> = rows
            .iter()
            .filter(|&&r| data.event[r])
            .map(|&r| data.bucket[r] - 1)
            .collect();
        at.sort_unstable();
        at.dedup();
        let m = at.len();
        let mut out = vec![0.0; m + 1];
        let mut d = vec![0.0; m];
        let mut total = 0.0;
        for &r in rows {
            let k = at.partition_point(|&j| j < data.bucket[r]);
            self.local[r] = k as u32;
            out[k] += self.w[r];
            total += self.w[r];
            if data.event[r] {
                d[k - 1] += self.w[r];
            }
        }
        let mut n = vec![0.0; m];
        let mut at_risk = total - out[0];
        for j in 0..m {
            n[j] = at_risk;
            at_risk -= out[j + 1];
        }
        RiskSets::new(at, n, d)
    }

    /// The best split of `rows` on input `f`: `(statistic, threshold)`, or `None` when the
    /// input is constant in the node.
    ///
    /// The statistic of every candidate is first computed in a running form, `O(log M)` per
    /// row moved left (`M` event times): with `n_Lj` growing by a row's weight `w` at the
    /// event times it is at risk at, the expected left events `Σ d_j n_Lj/n_j` and the
    /// variance `Σ v_j n_Lj/n_j − Σ (v_j/n_j²) n_Lj²` are updated through prefix sums and two
    /// Fenwick trees. Those values differ from the exact arithmetic in the last bits only, so
    /// they serve to pass over the candidates that cannot be the best: the candidates within
    /// a relative 1e-6 of the largest running value, and those whose running variance is too
    /// small (below 1e-6 of `Σ v_j`) to trust, are then computed exactly
    /// ([`logrank_split`], `O(M)` each) in a second pass, and the first largest exact value
    /// wins, as when every candidate is computed exactly.
    pub(super) fn best_on(
        &mut self,
        f: usize,
        rows: &[usize],
        sets: &RiskSets,
    ) -> Option<(f64, f64)> {
        let col = &self.data.cols[f];
        self.sorted.clear();
        self.sorted.extend(rows.iter().map(|&r| (col[r], r)));
        self.sorted
            .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let n = self.sorted.len();
        if self.sorted[n - 1].0 <= self.sorted[0].0 + FEATURE_THRESHOLD {
            return None;
        }
        let m = sets.at.len();
        let min_leaf = self.s.min_leaf;
        let is_candidate = |sorted: &[(f64, usize)], i: usize| {
            sorted[i + 1].0 > sorted[i].0 + FEATURE_THRESHOLD
                && i >= min_leaf.saturating_sub(1)
                && n - i > min_leaf
        };
        // Pass 1: the running statistic of every candidate (`NAN`: to be computed exactly).
        self.fw.reset(m + 1);
        self.fwc.reset(m + 1);
        self.fast.clear();
        let (mut w_left, mut d_left_sum, mut expected, mut a, mut b) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut top = f64::NEG_INFINITY;
        let trust = 1e-6 * sets.scale;
        for i in 0..n - 1 {
            let r = self.sorted[i].1;
            let (k, w) = (self.local[r] as usize, self.w[r]);
            let q = sets.pre_c[k] * (w_left - self.fw.prefix(k)) + self.fwc.prefix(k);
            b += 2.0 * w * q + w * w * sets.pre_c[k];
            a += w * sets.pre_a[k];
            expected += w * sets.pre_d[k];
            if self.data.event[r] {
                d_left_sum += w;
            }
            w_left += w;
            self.fw.add(k, w);
            self.fwc.add(k, w * sets.pre_c[k]);
            if !is_candidate(&self.sorted, i) {
                continue;
            }
            let var = a - b;
            if var > trust {
                let stat = (d_left_sum - expected).abs() / var.sqrt();
                top = top.max(stat);
                self.fast.push((i, stat));
            } else {
                self.fast.push((i, f64::NAN));
            }
        }
        let floor = top - (1e-6 * top.abs() + 1e-6);
        // Pass 2: the exact statistic of the candidates that may be the best, in order.
        let mut out_left = vec![0.0; m + 1];
        let mut d_left = vec![0.0; m];
        let mut w_left = 0.0;
        let mut best = (f64::NEG_INFINITY, f64::NAN);
        let mut next = 0;
        for i in 0..n - 1 {
            let r = self.sorted[i].1;
            let k = self.local[r] as usize;
            out_left[k] += self.w[r];
            w_left += self.w[r];
            if self.data.event[r] {
                d_left[k - 1] += self.w[r];
            }
            while next < self.fast.len() && self.fast[next].0 < i {
                next += 1;
            }
            let Some(&(at, fast)) = self.fast.get(next) else {
                break;
            };
            if at != i || fast < floor {
                continue;
            }
            let stat = logrank_split(&sets.n, &sets.d, w_left, &out_left, &d_left);
            if stat > best.0 {
                let (a, b) = (self.sorted[i].0, self.sorted[i + 1].0);
                let mut threshold = a / 2.0 + b / 2.0;
                if threshold == b || threshold.is_infinite() {
                    threshold = a;
                }
                best = (stat, threshold);
            }
        }
        Some(best)
    }
}
