//! `random_survival_forest`: a random survival forest (Ishwaran, Kogalur, Blackstone & Lauer
//! 2008), as scikit-survival's `RandomSurvivalForest` (0.28).
//!
//! Each tree grows on a bootstrap sample of the rows (a vector of draw counts used as weights;
//! the rows drawn 0 times are left out), tries `max_features` inputs drawn at random at each
//! node, and splits at the midpoint between two sorted distinct values of an input where the
//! log-rank statistic between the two children is largest, as scikit-survival's
//! `LogrankCriterion` computes it (the same arithmetic, so the same split, ties included):
//! `|Σ_j (d_Lj − d_j r_j)| / √(Σ_j r_j (1 − r_j) v_j)` over the node's event times `j`, with
//! `r_j = n_Lj / n_j` (weighted numbers at risk on the left and in the node) and
//! `v_j = (n_j − d_j) / (n_j − 1) · d_j` (0 when `n_j ≤ 1`). A node is a leaf when it has fewer
//! than `min_samples_split` rows (distinct rows, as scikit-learn counts them), at `max_depth`,
//! or when no split leaves `min_samples_leaf` rows on each side with a positive variance. A
//! leaf holds the Nelson–Aalen cumulative hazard and the Kaplan–Meier survival of its (in-bag,
//! weighted) rows at its event times, which are among the forest's grid: the distinct event
//! times of all the training rows.
//!
//! Prediction: the cumulative hazard and survival of a row are the means over the trees of
//! its leaves' curves; its risk score is the sum of the ensemble cumulative hazard over the
//! grid (scikit-survival's `predict`: the expected number of events).
//!
//! Tree `t` draws from its own ChaCha8 stream `t` of the seed, so the forest does not depend on
//! the order or the threads the trees grow on (natively on rayon's threads, in wasm one after
//! another). See `docs/survival.md`.

use crate::error::{ArgError, Error, Result};
use crate::models::random_forest::{FeatureRule, MaxFeatures};
use crate::models::{draw_index, ClassWeight, Classifier, ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::{Array2, ArrayView1};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Values of an input closer than this are one value (scikit-learn's `FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;

/// `{"kind": "random_survival_forest", "n_estimators": 100, "max_features": "sqrt",
/// "max_depth": null, "min_samples_split": 6, "min_samples_leaf": 3, "bootstrap": true}`
/// (scikit-survival 0.28's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurvivalForestParams {
    #[serde(default = "hundred")]
    pub n_estimators: usize,
    #[serde(default = "sqrt")]
    pub max_features: MaxFeatures,
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default = "six")]
    pub min_samples_split: usize,
    #[serde(default = "three")]
    pub min_samples_leaf: usize,
    #[serde(default = "yes")]
    pub bootstrap: bool,
}

fn hundred() -> usize {
    100
}
fn sqrt() -> MaxFeatures {
    MaxFeatures::Rule(FeatureRule::Sqrt)
}
fn six() -> usize {
    6
}
fn three() -> usize {
    3
}
fn yes() -> bool {
    true
}

impl Default for SurvivalForestParams {
    fn default() -> Self {
        SurvivalForestParams {
            n_estimators: 100,
            max_features: sqrt(),
            max_depth: None,
            min_samples_split: 6,
            min_samples_leaf: 3,
            bootstrap: true,
        }
    }
}

impl ModelKind for SurvivalForestParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        if self.n_estimators == 0 || self.n_estimators > 10_000 {
            return Err((
                "n_estimators",
                format!("must be 1 to 10000, got {}", self.n_estimators),
            ));
        }
        if self.max_features == MaxFeatures::Count(0) {
            return Err(("max_features", "must be at least 1".into()));
        }
        if self.min_samples_split < 2 {
            return Err((
                "min_samples_split",
                format!("must be at least 2, got {}", self.min_samples_split),
            ));
        }
        crate::models::tree::check_depth_leaf(self.max_depth, self.min_samples_leaf)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Survival]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        None
    }
    fn classifier(&self, _seed: u64) -> Option<Box<dyn Classifier>> {
        None
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        None
    }
}

impl Describe for SurvivalForestParams {
    const DOC: &'static str =
        "A random survival forest (log-rank splits, Nelson–Aalen leaves) for a time-to-event target.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "n_estimators",
                Ty::Integer,
                json!(100),
                "the number of trees",
            ),
            Arg::def(
                "max_features",
                Ty::Enum(&["sqrt", "log2", "all"]),
                json!("sqrt"),
                "inputs tried per split: a rule or a count",
            ),
            crate::models::tree::max_depth_arg(),
            Arg::def(
                "min_samples_split",
                Ty::Integer,
                json!(6),
                "the fewest training rows in a node that is split",
            ),
            Arg::def(
                "min_samples_leaf",
                Ty::Integer,
                json!(3),
                "the fewest training rows in a leaf",
            ),
            Arg::def(
                "bootstrap",
                Ty::Boolean,
                json!(true),
                "draw each tree's rows with replacement",
            ),
        ]
    }
    fn example() -> Self {
        SurvivalForestParams::default()
    }
}

/// A leaf: the Nelson–Aalen cumulative hazard and Kaplan–Meier survival of its rows, at its
/// event times (`at`: indices into the forest's `forest_event_times`), and its risk score (the
/// sum of its cumulative hazard over the whole grid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leaf {
    pub at: Vec<u32>,
    pub chf: Vec<f64>,
    pub survival: Vec<f64>,
    pub risk: f64,
}

/// One tree. Split `i` sends a row with `x[feature[i]] <= threshold[i]` to `left[i]`, else to
/// `right[i]`; a child `c ≥ 0` is split `c`, `c < 0` is leaf `−c − 1`. Without splits the
/// tree is leaf 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalTree {
    pub feature: Vec<u32>,
    pub threshold: Vec<f64>,
    pub left: Vec<i32>,
    pub right: Vec<i32>,
    pub leaves: Vec<Leaf>,
}

impl SurvivalTree {
    /// The leaf a row falls in.
    pub fn leaf(&self, row: ArrayView1<f64>) -> &Leaf {
        let mut c: i32 = if self.feature.is_empty() { -1 } else { 0 };
        while c >= 0 {
            let i = c as usize;
            c = if row[self.feature[i] as usize] <= self.threshold[i] {
                self.left[i]
            } else {
                self.right[i]
            };
        }
        &self.leaves[(-c - 1) as usize]
    }
}

/// A fitted random survival forest (the model file's `forest_event_times` and
/// `survival_trees`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurvivalForest {
    /// The distinct event times of the training rows, ascending (the grid of the curves).
    pub forest_event_times: Vec<f64>,
    pub survival_trees: Vec<SurvivalTree>,
}

/// The value of a leaf's step curve (`values` at grid indices `at`) at time `t`; `before`
/// ahead of its first time.
fn step(grid: &[f64], at: &[u32], values: &[f64], t: f64, before: f64) -> f64 {
    let k = at.partition_point(|&j| grid[j as usize] <= t);
    if k == 0 {
        before
    } else {
        values[k - 1]
    }
}

impl SurvivalForest {
    /// The risk score of each row: the sum over the grid of the forest's mean cumulative
    /// hazard (higher: the event sooner).
    pub fn risk(&self, x: &Array2<f64>) -> Vec<f64> {
        let k = self.survival_trees.len().max(1) as f64;
        x.rows()
            .into_iter()
            .map(|row| {
                self.survival_trees
                    .iter()
                    .map(|t| t.leaf(row).risk)
                    .sum::<f64>()
                    / k
            })
            .collect()
    }

    fn mean_curve(&self, x: &Array2<f64>, times: &[f64], chf: bool) -> Array2<f64> {
        let grid = &self.forest_event_times;
        let k = self.survival_trees.len().max(1) as f64;
        let mut out = Array2::zeros((x.nrows(), times.len()));
        for (r, row) in x.rows().into_iter().enumerate() {
            for t in &self.survival_trees {
                let leaf = t.leaf(row);
                let (values, before) = if chf {
                    (&leaf.chf, 0.0)
                } else {
                    (&leaf.survival, 1.0)
                };
                for (j, &time) in times.iter().enumerate() {
                    out[[r, j]] += step(grid, &leaf.at, values, time, before);
                }
            }
        }
        out.mapv_inplace(|v| v / k);
        out
    }

    /// Predicted survival `S(t | x)`: the mean of the trees' leaf Kaplan–Meier curves, per row
    /// and time.
    pub fn survival(&self, x: &Array2<f64>, times: &[f64]) -> Array2<f64> {
        self.mean_curve(x, times, false)
    }

    /// The cumulative hazard `H(t | x)`: the mean of the trees' leaf Nelson–Aalen curves.
    pub fn cumulative_hazard(&self, x: &Array2<f64>, times: &[f64]) -> Array2<f64> {
        self.mean_curve(x, times, true)
    }
}

/// The settings every tree grows with.
#[derive(Debug, Clone, Copy)]
struct Settings {
    max_features: usize,
    max_depth: Option<usize>,
    min_split: usize,
    min_leaf: usize,
}

/// The training rows, shared read-only by every tree.
struct Data<'a> {
    /// Inputs by column.
    cols: Vec<Vec<f64>>,
    /// Per row: how many grid (event) times are ≤ its time (the row is at risk at grid
    /// indices below this).
    bucket: Vec<u32>,
    event: &'a [bool],
    /// The number of grid times.
    grid: usize,
}

impl<'a> Data<'a> {
    /// The distinct event times of the rows, ascending: the grid every curve is kept on.
    fn event_grid(time: &[f64], event: &[bool]) -> Vec<f64> {
        let mut grid: Vec<f64> = (0..time.len())
            .filter(|&r| event[r])
            .map(|r| time[r])
            .collect();
        grid.sort_by(f64::total_cmp);
        grid.dedup();
        grid
    }

    /// The rows `x` by column, each row's place among the ascending `grid` times.
    fn new(x: &Array2<f64>, time: &[f64], event: &'a [bool], grid: &[f64]) -> Self {
        Data {
            cols: x.columns().into_iter().map(|c| c.to_vec()).collect(),
            bucket: time
                .iter()
                .map(|&t| grid.partition_point(|&g| g <= t) as u32)
                .collect(),
            event,
            grid: grid.len(),
        }
    }
}

/// A node's risk sets: its event times (grid indices, ascending), the weighted numbers at
/// risk and of events at each.
struct RiskSets {
    at: Vec<u32>,
    n: Vec<f64>,
    d: Vec<f64>,
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
struct Fenwick(Vec<f64>);

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
pub(crate) fn logrank_split(
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

/// Grows one tree: scratch buffers reused between the nodes.
struct Grower<'a> {
    data: &'a Data<'a>,
    w: &'a [f64],
    s: Settings,
    rng: ChaCha8Rng,
    features: Vec<usize>,
    /// Per row: the number of the node's event times at which it is at risk.
    local: Vec<u32>,
    sorted: Vec<(f64, usize)>,
    /// Pass 1 of [`Self::best_on`]: each candidate's position and running statistic.
    fast: Vec<(usize, f64)>,
    fw: Fenwick,
    fwc: Fenwick,
    tree: SurvivalTree,
}

impl<'a> Grower<'a> {
    /// A grower of one tree over `p` inputs and `n` rows weighted by `w`, with empty buffers.
    fn new(
        data: &'a Data<'a>,
        w: &'a [f64],
        s: Settings,
        rng: ChaCha8Rng,
        p: usize,
        n: usize,
    ) -> Self {
        Grower {
            data,
            w,
            s,
            rng,
            features: (0..p).collect(),
            local: vec![0; n],
            sorted: vec![],
            fast: vec![],
            fw: Fenwick(vec![]),
            fwc: Fenwick(vec![]),
            tree: SurvivalTree {
                feature: vec![],
                threshold: vec![],
                left: vec![],
                right: vec![],
                leaves: vec![],
            },
        }
    }

    fn risk_sets(&mut self, rows: &[usize]) -> RiskSets {
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

    fn leaf(&mut self, sets: &RiskSets) -> i32 {
        let (mut h, mut s) = (0.0, 1.0);
        let mut chf = Vec::with_capacity(sets.at.len());
        let mut survival = Vec::with_capacity(sets.at.len());
        for (n, d) in sets.n.iter().zip(&sets.d) {
            let ratio = d / n;
            h += ratio;
            s *= 1.0 - ratio;
            chf.push(h);
            survival.push(s);
        }
        // The sum of the step curve over the grid: each value holds until the next event time.
        let mut risk = 0.0;
        for (m, &j) in sets.at.iter().enumerate() {
            let next = sets.at.get(m + 1).map_or(self.data.grid as u32, |&k| k);
            risk += chf[m] * (next - j) as f64;
        }
        self.tree.leaves.push(Leaf {
            at: sets.at.clone(),
            chf,
            survival,
            risk,
        });
        -(self.tree.leaves.len() as i32)
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
    fn best_on(&mut self, f: usize, rows: &[usize], sets: &RiskSets) -> Option<(f64, f64)> {
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

    /// Grows the node of `rows` at `depth`; returns its child code.
    fn grow(&mut self, rows: &mut [usize], depth: usize) -> i32 {
        let sets = self.risk_sets(rows);
        let n = rows.len();
        if n < self.s.min_split
            || n < 2 * self.s.min_leaf
            || self.s.max_depth.is_some_and(|d| depth >= d)
        {
            return self.leaf(&sets);
        }
        // Inputs drawn without replacement until `max_features` are tried and one of them
        // varies in the node (scikit-learn's rule: constant inputs are passed over).
        let p = self.features.len();
        let (mut drawn, mut varying) = (0, 0);
        let mut best: (f64, usize, f64) = (f64::NEG_INFINITY, 0, f64::NAN);
        while drawn < p && (drawn < self.s.max_features || varying == 0) {
            let j = draw_index(&mut self.rng, drawn, p);
            self.features.swap(drawn, j);
            let f = self.features[drawn];
            drawn += 1;
            if let Some((stat, threshold)) = self.best_on(f, rows, &sets) {
                varying += 1;
                if stat > best.0 {
                    best = (stat, f, threshold);
                }
            }
        }
        if best.0 == f64::NEG_INFINITY {
            return self.leaf(&sets);
        }
        let (_, f, threshold) = best;
        // Left rows first, each side in row order.
        let col = &self.data.cols[f];
        rows.sort_by_key(|&r| col[r] > threshold);
        let split = rows.partition_point(|&r| col[r] <= threshold);
        let node = self.tree.feature.len();
        self.tree.feature.push(f as u32);
        self.tree.threshold.push(threshold);
        self.tree.left.push(0);
        self.tree.right.push(0);
        let (l, r) = rows.split_at_mut(split);
        let left = self.grow(l, depth + 1);
        let right = self.grow(r, depth + 1);
        self.tree.left[node] = left;
        self.tree.right[node] = right;
        node as i32
    }
}

/// Fits the forest on rows `x` with follow-up times `time` and events `event`; tree `t` uses
/// stream `t` of `seed`.
pub fn fit(
    params: &SurvivalForestParams,
    x: &Array2<f64>,
    time: &[f64],
    event: &[bool],
    seed: u64,
) -> Result<SurvivalForest> {
    let n = time.len();
    if n == 0 || x.nrows() != n || event.len() != n {
        return Err(Error::Model {
            kind: "random_survival_forest".into(),
            message: "no training rows".into(),
        });
    }
    let grid = Data::event_grid(time, event);
    let data = Data::new(x, time, event, &grid);
    let p = x.ncols();
    let s = Settings {
        max_features: params.max_features.resolve(p),
        max_depth: params.max_depth,
        min_split: params.min_samples_split.max(2 * params.min_samples_leaf),
        min_leaf: params.min_samples_leaf,
    };
    let grow_tree = |t: usize| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(t as u64);
        let mut w = vec![0.0f64; n];
        if params.bootstrap {
            for _ in 0..n {
                w[draw_index(&mut rng, 0, n)] += 1.0;
            }
        } else {
            w.iter_mut().for_each(|v| *v = 1.0);
        }
        let mut rows: Vec<usize> = (0..n).filter(|&r| w[r] > 0.0).collect();
        let mut g = Grower::new(&data, &w, s, rng, p, n);
        g.sorted.reserve(rows.len());
        g.grow(&mut rows, 0);
        g.tree
    };
    let trees = crate::par::map_init(params.n_estimators, || (), |_, t| grow_tree(t));
    Ok(SurvivalForest {
        forest_event_times: grid,
        survival_trees: trees,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log-rank statistic of a split of 6 rows, worked by hand.
    ///
    /// Rows (time, event): left {(1, 1), (3, 1), (6, 0)}, right {(2, 1), (3, 0), (5, 1)}.
    /// Event times 1, 2, 3, 5:
    /// - t=1: n=6, d=1, n_L=3, d_L=1: O−E = 1 − 3/6 = 0.5; V = 1·(5/5)·(3/6)(3/6) = 0.25
    /// - t=2: n=5, d=1, n_L=2, d_L=0: O−E = −2/5 = −0.4; V = (2/5)(3/5) = 0.24
    /// - t=3: n=4, d=1, n_L=2, d_L=1: O−E = 1 − 2/4 = 0.5; V = (3/3)·(1/2)(1/2) = 0.25
    /// - t=5: n=2, d=1, n_L=1, d_L=0: O−E = −1/2 = −0.5; V = (1/1)·(1/2)(1/2) = 0.25
    ///
    /// U = 0.1, V = 0.99, statistic |U|/√V = 0.1/√0.99 (the square root of the chi-squared
    /// of the two-group log-rank test, 0.0101).
    #[test]
    fn logrank_split_by_hand() {
        let time = [1.0, 3.0, 6.0, 2.0, 3.0, 5.0];
        let event = [true, true, false, true, false, true];
        let x = Array2::from_shape_vec((6, 1), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]).unwrap();
        // The event times, by hand (as listed above).
        let grid = [1.0, 2.0, 3.0, 5.0];
        assert_eq!(Data::event_grid(&time, &event), grid);
        let data = Data::new(&x, &time, &event, &grid);
        let w = vec![1.0; 6];
        let mut g = Grower::new(
            &data,
            &w,
            Settings {
                max_features: 1,
                max_depth: None,
                min_split: 2,
                min_leaf: 1,
            },
            ChaCha8Rng::seed_from_u64(0),
            1,
            6,
        );
        let rows: Vec<usize> = (0..6).collect();
        let sets = g.risk_sets(&rows);
        assert_eq!(sets.n, vec![6.0, 5.0, 4.0, 2.0]);
        assert_eq!(sets.d, vec![1.0; 4]);
        let (stat, threshold) = g.best_on(0, &rows, &sets).unwrap();
        assert!((stat - 0.1 / 0.99f64.sqrt()).abs() < 1e-15, "{stat}");
        assert_eq!(threshold, 0.5);
        // The same by the two-group log-rank test of the survival module.
        let lr = super::super::logrank::log_rank(&time, &event, &[0, 0, 0, 1, 1, 1], 2, None);
        assert!((lr.unwrap().0 - stat * stat).abs() < 1e-12);
        // Every row censored: no split.
        assert_eq!(logrank_split(&[], &[], 3.0, &[0.0], &[]), f64::NEG_INFINITY);
    }

    /// The best split of an input with every candidate's statistic computed exactly.
    fn exact_best(g: &mut Grower, f: usize, rows: &[usize], sets: &RiskSets) -> (f64, f64) {
        let col = &g.data.cols[f];
        let mut sorted: Vec<(f64, usize)> = rows.iter().map(|&r| (col[r], r)).collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let m = sets.at.len();
        let (mut out_left, mut d_left, mut w_left) = (vec![0.0; m + 1], vec![0.0; m], 0.0);
        let mut best = (f64::NEG_INFINITY, f64::NAN);
        for i in 0..sorted.len() - 1 {
            let r = sorted[i].1;
            let k = g.local[r] as usize;
            out_left[k] += g.w[r];
            w_left += g.w[r];
            if g.data.event[r] {
                d_left[k - 1] += g.w[r];
            }
            if sorted[i + 1].0 > sorted[i].0 + FEATURE_THRESHOLD
                && i >= g.s.min_leaf.saturating_sub(1)
                && sorted.len() - i > g.s.min_leaf
            {
                let stat = logrank_split(&sets.n, &sets.d, w_left, &out_left, &d_left);
                if stat > best.0 {
                    best = (stat, sorted[i].0 / 2.0 + sorted[i + 1].0 / 2.0);
                }
            }
        }
        best
    }

    /// The running statistic passes over candidates only: on nodes with bootstrap weights,
    /// tied times and tied, rounded input values, the best split of every input is the one
    /// found by computing every candidate exactly, bit for bit.
    #[test]
    fn screened_split_search_equals_the_exact_one() {
        use rand::Rng;
        let (x, time, event) = synthetic(400);
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let x = x.mapv(|v| (v * 20.0).round() / 20.0);
        let grid = Data::event_grid(&time, &event);
        let data = Data::new(&x, &time, &event, &grid);
        for trial in 0..6 {
            let mut w = vec![0.0; 400];
            for _ in 0..400 {
                w[rng.gen_range(0..400)] += 1.0;
            }
            // Nodes of every size: a prefix of the rows drawn.
            let size = [400, 200, 60, 25, 9, 4][trial];
            let rows: Vec<usize> = (0..size).filter(|&r| w[r] > 0.0).collect();
            let mut g = Grower::new(
                &data,
                &w,
                Settings {
                    max_features: 4,
                    max_depth: None,
                    min_split: 2,
                    min_leaf: 1 + trial % 3,
                },
                ChaCha8Rng::seed_from_u64(0),
                4,
                400,
            );
            let sets = g.risk_sets(&rows);
            for f in 0..4 {
                let want = exact_best(&mut g, f, &rows, &sets);
                match g.best_on(f, &rows, &sets) {
                    Some(got) => {
                        assert_eq!(got.0.to_bits(), want.0.to_bits(), "trial {trial} input {f}");
                        if got.0 > f64::NEG_INFINITY {
                            assert_eq!(got.1, want.1);
                        }
                    }
                    None => assert_eq!(want.0, f64::NEG_INFINITY),
                }
            }
        }
    }

    fn synthetic(n: usize) -> (Array2<f64>, Vec<f64>, Vec<bool>) {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let x = Array2::from_shape_fn((n, 4), |_| rng.gen_range(-1.0..1.0));
        let time: Vec<f64> = x
            .rows()
            .into_iter()
            .map(|r| {
                let u: f64 = rng.gen_range(0.01..1.0);
                (-u.ln() / (1.5f64 * r[0] + r[1]).exp() * 10.0).round() + 1.0
            })
            .collect();
        let event = (0..n).map(|_| rng.gen_bool(0.7)).collect();
        (x, time, event)
    }

    /// The same forest, bit for bit, on 1 and 2 threads; survival and hazard curves agree.
    #[test]
    fn same_forest_on_any_thread_count() {
        let (x, time, event) = synthetic(200);
        let params = SurvivalForestParams {
            n_estimators: 12,
            ..SurvivalForestParams::default()
        };
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit(&params, &x, &time, &event, 11).unwrap())
        };
        let (a, b) = (on(1), on(2));
        assert_eq!(a, b);
        assert_ne!(a, fit(&params, &x, &time, &event, 12).unwrap());
        let times = [0.5, 3.0, 8.0];
        let s = a.survival(&x, &times);
        let h = a.cumulative_hazard(&x, &times);
        let risk = a.risk(&x);
        for r in 0..x.nrows() {
            assert_eq!((s[[r, 0]], h[[r, 0]]), (1.0, 0.0));
            assert!(s[[r, 1]] >= s[[r, 2]] && h[[r, 1]] <= h[[r, 2]]);
            assert!(risk[r] > 0.0);
        }
        // The risk score is the sum of the mean cumulative hazard over the grid.
        let sum: f64 = a
            .cumulative_hazard(
                &x.slice(ndarray::s![0..1, ..]).to_owned(),
                &a.forest_event_times,
            )
            .iter()
            .sum();
        assert!((sum - risk[0]).abs() < 1e-9 * sum);
        // A higher risk for the rows with the larger hazard.
        let c = super::super::concordance::harrell(&time, &event, &risk).unwrap();
        assert!(c > 0.7, "{c}");
    }
}
