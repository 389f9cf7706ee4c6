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

mod split;
use split::{Fenwick, RiskSets};

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
mod tests;
