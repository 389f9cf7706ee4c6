//! `decision_tree`: a CART tree (Gini, entropy or squared error), and the grower that the
//! random forest and the regression trees share.
//!
//! The grower takes per-row sample weights (0 = row not used: a bootstrap count or a class
//! weight), a `max_features` per node (drawn from a seeded RNG, for forests) and one of two split
//! searches over the same node logic:
//! - **exact** (`decision_tree`): every midpoint between consecutive distinct values of every
//!   feature, as scikit-learn's `DecisionTreeClassifier(splitter="best")`;
//! - **binned** (forests): the ≤ 255 pre-computed cut points of [`super::binning::Binned`], found
//!   with one histogram pass over the node's rows per feature instead of a sort.
//!
//! Ties go to the first feature tried and the smallest threshold, so a tree is a pure function
//! of its rows, weights and seed. Leaves hold the weighted positive share (classification) or
//! weighted mean (regression). Impurity importance (weighted impurity decrease per feature,
//! normalised to sum 1, as scikit-learn's `feature_importances_`) is recorded while growing.
//! Rows are partitioned in place in one index buffer and nodes are grown from an explicit stack:
//! no allocation per node and no recursion depth limit.
//!
//! Why not linfa-trees: it sums class weights through a `HashMap`, so equal-quality splits are
//! broken by hash order and two runs of the same recipe could grow different trees, which
//! breaks Bedside's "same recipe + data + seed = same report" invariant. It also predicts
//! labels only.

use super::binning::Binned;
use super::{class_weights, ClassWeight, Classifier, ClassifierModel, FittedClassifier};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::{Array2, ArrayView1};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    #[default]
    Gini,
    Entropy,
}

/// `{"kind": "decision_tree", "max_depth": null, "min_samples_leaf": 1, "criterion": "gini",
/// "class_weight": null}` (`class_weight`: `null` or `"balanced"`)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeParams {
    /// Deepest level grown (`null` = until leaves are pure, as scikit-learn's default).
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default = "one")]
    pub min_samples_leaf: usize,
    #[serde(default)]
    pub criterion: Criterion,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weight: Option<ClassWeight>,
}

fn one() -> usize {
    1
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: None,
            min_samples_leaf: 1,
            criterion: Criterion::Gini,
            class_weight: None,
        }
    }
}

impl TreeParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        check_depth_leaf(self.max_depth, self.min_samples_leaf)
    }
}

/// The `max_depth` argument of every tree-growing kind (tree, random forest, boosting, survival
/// forest).
pub(crate) fn max_depth_arg() -> Arg {
    Arg::def(
        "max_depth",
        Ty::Integer,
        Value::Null,
        "the deepest level (null: unlimited)",
    )
}

/// Checks `max_depth` and `min_samples_leaf` (shared with the forests).
pub(crate) fn check_depth_leaf(
    max_depth: Option<usize>,
    min_samples_leaf: usize,
) -> std::result::Result<(), ArgError> {
    if max_depth == Some(0) {
        return Err((
            "max_depth",
            "must be at least 1 (or null for no limit)".into(),
        ));
    }
    if min_samples_leaf == 0 {
        return Err(("min_samples_leaf", "must be at least 1".into()));
    }
    Ok(())
}

/// The node impurity a grower minimises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Impurity {
    Gini,
    Entropy,
    SquaredError,
}

impl From<Criterion> for Impurity {
    fn from(c: Criterion) -> Self {
        match c {
            Criterion::Gini => Impurity::Gini,
            Criterion::Entropy => Impurity::Entropy,
        }
    }
}

/// How a tree is grown.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grow {
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub impurity: Impurity,
    /// Features tried per node (all when ≥ the number of features).
    pub max_features: usize,
}

/// Where split thresholds come from.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Exact(&'a Array2<f64>),
    Binned(&'a Binned),
}

/// Sufficient statistics of a set of rows: count, weight, weighted target sum and square sum.
#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    n: usize,
    w: f64,
    wy: f64,
    wyy: f64,
}

impl Stats {
    #[inline]
    fn add(&mut self, w: f64, y: f64) {
        self.n += 1;
        self.w += w;
        self.wy += w * y;
        self.wyy += w * y * y;
    }
    #[inline]
    fn plus(&mut self, o: &Stats) {
        self.n += o.n;
        self.w += o.w;
        self.wy += o.wy;
        self.wyy += o.wyy;
    }
    #[inline]
    fn minus(&self, o: &Stats) -> Stats {
        Stats {
            n: self.n - o.n,
            w: self.w - o.w,
            wy: self.wy - o.wy,
            wyy: self.wyy - o.wyy,
        }
    }
}

impl Impurity {
    /// Impurity of a node times its weight.
    #[inline]
    fn weighted(self, s: &Stats) -> f64 {
        if s.w <= 0.0 {
            return 0.0;
        }
        match self {
            Impurity::Gini => (2.0 * s.wy * (s.w - s.wy) / s.w).max(0.0),
            Impurity::Entropy => {
                let p = (s.wy / s.w).clamp(0.0, 1.0);
                let h = |x: f64| if x > 0.0 { -x * x.log2() } else { 0.0 };
                (h(p) + h(1.0 - p)) * s.w
            }
            Impurity::SquaredError => (s.wyy - s.wy * s.wy / s.w).max(0.0),
        }
    }
}

/// A node of the flat tree: internal (`feature`, `threshold`, children) or a leaf.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub feature: usize,
    pub threshold: f64,
    pub left: usize,
    pub right: usize,
    pub leaf: bool,
    /// Weighted positive-class share (classification) or weighted mean (regression) of the
    /// training rows in this node.
    pub value: f64,
    pub samples: usize,
    /// Weighted training rows in this node (sample and bootstrap weights; boosting: rows), the
    /// cover TreeSHAP weighs the branches by. 0 in model files written before it was kept
    /// (explanations then fall back to `samples`).
    #[serde(default)]
    pub cover: f64,
}

/// A fitted tree in flat form (root at index 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlatTree {
    pub nodes: Vec<Node>,
    /// Impurity decrease per feature, normalised to sum 1 (all 0 for a single leaf).
    pub importances: Vec<f64>,
}

impl FlatTree {
    /// The leaf a row reaches (`x <= threshold` goes left, as scikit-learn).
    pub fn leaf(&self, row: ArrayView1<f64>) -> usize {
        let mut i = 0;
        while !self.nodes[i].leaf {
            let n = &self.nodes[i];
            i = if row[n.feature] <= n.threshold {
                n.left
            } else {
                n.right
            };
        }
        i
    }

    /// The leaf value for each row of `x`.
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        x.rows()
            .into_iter()
            .map(|r| self.nodes[self.leaf(r)].value)
            .collect()
    }
}

struct Grower<'a> {
    cfg: Grow,
    source: Source<'a>,
    y: &'a [f64],
    w: &'a [f64],
    nodes: Vec<Node>,
    importances: Vec<f64>,
    sorted: Vec<(f64, u32)>,
    hist: Vec<Stats>,
    feats: Vec<usize>,
    tmp: Vec<usize>,
}

/// A split candidate: children impurity, feature, threshold and (binned) the last left bin.
#[derive(Clone, Copy)]
struct Split {
    children: f64,
    feature: usize,
    threshold: f64,
    bin: usize,
}

impl Grower<'_> {
    fn stats(&self, rows: &[usize]) -> Stats {
        let mut s = Stats::default();
        for &r in rows {
            s.add(self.w[r], self.y[r]);
        }
        s
    }

    fn new_node(&mut self, s: &Stats) -> usize {
        self.nodes.push(Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            leaf: true,
            value: if s.w > 0.0 { s.wy / s.w } else { 0.0 },
            samples: s.n,
            cover: s.w,
        });
        self.nodes.len() - 1
    }

    fn consider(
        &self,
        best: &mut Option<Split>,
        left: &Stats,
        parent: &Stats,
        (f, t, bin): (usize, f64, usize),
    ) {
        let min_leaf = self.cfg.min_samples_leaf;
        if left.n < min_leaf || parent.n - left.n < min_leaf {
            return;
        }
        let right = parent.minus(left);
        let children = self.cfg.impurity.weighted(left) + self.cfg.impurity.weighted(&right);
        if best.is_none_or(|b| children < b.children - 1e-12) {
            *best = Some(Split {
                children,
                feature: f,
                threshold: t,
                bin,
            });
        }
    }

    fn best_split(&mut self, rows: &[usize], parent: &Stats, f: usize, best: &mut Option<Split>) {
        match self.source {
            Source::Exact(x) => {
                let mut sorted = std::mem::take(&mut self.sorted);
                sorted.clear();
                sorted.extend(rows.iter().map(|&r| (x[[r, f]], r as u32)));
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut left = Stats::default();
                for k in 0..sorted.len() - 1 {
                    let r = sorted[k].1 as usize;
                    left.add(self.w[r], self.y[r]);
                    let (v, next) = (sorted[k].0, sorted[k + 1].0);
                    if v == next {
                        continue;
                    }
                    let mid = v + (next - v) / 2.0;
                    self.consider(
                        best,
                        &left,
                        parent,
                        (f, if mid < next { mid } else { v }, 0),
                    );
                }
                self.sorted = sorted;
            }
            Source::Binned(b) => {
                let bins = b.bins(f);
                let codes = b.feature(f);
                let mut hist = std::mem::take(&mut self.hist);
                hist.clear();
                hist.resize(bins, Stats::default());
                for &r in rows {
                    hist[codes[r] as usize].add(self.w[r], self.y[r]);
                }
                let mut left = Stats::default();
                for (k, h) in hist[..bins - 1].iter().enumerate() {
                    if h.n == 0 {
                        continue;
                    }
                    left.plus(h);
                    if left.n == parent.n {
                        break;
                    }
                    self.consider(best, &left, parent, (f, b.cuts[f][k], k));
                }
                self.hist = hist;
            }
        }
    }

    fn grow(&mut self, rows: &mut [usize], rng: &mut Option<&mut ChaCha8Rng>) {
        let p = self.importances.len();
        let root = self.stats(rows);
        self.new_node(&root);
        // (node id, start, end, depth, stats)
        let mut stack = vec![(0usize, 0usize, rows.len(), 0usize, root)];
        while let Some((id, start, end, depth, s)) = stack.pop() {
            let parent_imp = self.cfg.impurity.weighted(&s);
            if s.n < 2 * self.cfg.min_samples_leaf
                || parent_imp <= 1e-12 * s.w.max(1.0)
                || self.cfg.max_depth.is_some_and(|d| depth >= d)
            {
                continue;
            }
            let node_rows = &rows[start..end];
            let tried = self.cfg.max_features.min(p);
            if tried < p {
                if let Some(rng) = rng.as_deref_mut() {
                    for i in 0..tried {
                        let j = super::draw_index(rng, i, p);
                        self.feats.swap(i, j);
                    }
                }
            }
            let mut best = None;
            for i in 0..tried {
                let f = self.feats[i];
                self.best_split(node_rows, &s, f, &mut best);
            }
            let Some(split) = best else { continue };
            if split.children >= parent_imp - 1e-12 {
                continue;
            }
            self.importances[split.feature] += parent_imp - split.children;
            // Stable in-place partition through the shared buffer.
            self.tmp.clear();
            let mut l = start;
            for k in start..end {
                let r = rows[k];
                let goes_left = match self.source {
                    Source::Exact(x) => x[[r, split.feature]] <= split.threshold,
                    Source::Binned(b) => (b.feature(split.feature)[r] as usize) <= split.bin,
                };
                if goes_left {
                    rows[l] = r;
                    l += 1;
                } else {
                    self.tmp.push(r);
                }
            }
            rows[l..end].copy_from_slice(&self.tmp);
            let ls = self.stats(&rows[start..l]);
            let rs = s.minus(&ls);
            let left_id = self.new_node(&ls);
            let right_id = self.new_node(&rs);
            let node = &mut self.nodes[id];
            node.leaf = false;
            node.feature = split.feature;
            node.threshold = split.threshold;
            node.left = left_id;
            node.right = right_id;
            stack.push((right_id, l, end, depth + 1, rs));
            stack.push((left_id, start, l, depth + 1, ls));
        }
    }
}

/// Grows one tree on the rows with positive weight. `y` holds 0/1 (classification) or the
/// target (regression). `rng` draws the features tried per node when `max_features` is below
/// the number of features.
pub(crate) fn grow(
    cfg: Grow,
    source: Source,
    y: &[f64],
    w: &[f64],
    mut rng: Option<&mut ChaCha8Rng>,
) -> FlatTree {
    let p = match source {
        Source::Exact(x) => x.ncols(),
        Source::Binned(b) => b.features(),
    };
    let mut rows: Vec<usize> = (0..y.len()).filter(|&r| w[r] > 0.0).collect();
    let mut g = Grower {
        cfg,
        source,
        y,
        w,
        nodes: Vec::new(),
        importances: vec![0.0; p],
        sorted: Vec::with_capacity(rows.len()),
        hist: Vec::with_capacity(super::binning::MAX_BINS),
        feats: (0..p).collect(),
        tmp: Vec::with_capacity(rows.len()),
    };
    g.grow(&mut rows, &mut rng);
    let total: f64 = g.importances.iter().sum();
    if total > 0.0 {
        g.importances.iter_mut().for_each(|v| *v /= total);
    }
    FlatTree {
        nodes: g.nodes,
        importances: g.importances,
    }
}

impl Classifier for TreeParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        if y.is_empty() || x.nrows() != y.len() {
            return Err(Error::Model {
                kind: "decision_tree".into(),
                message: "no training rows".into(),
            });
        }
        let yf: Vec<f64> = y.iter().map(|&b| b as u8 as f64).collect();
        let w = class_weights(y, self.class_weight);
        let cfg = Grow {
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            impurity: self.criterion.into(),
            max_features: x.ncols(),
        };
        Ok(ClassifierModel::DecisionTree(grow(
            cfg,
            Source::Exact(x),
            &yf,
            &w,
            None,
        )))
    }
}

impl FittedClassifier for FlatTree {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        self.predict(x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        Some(self.importances.clone())
    }
}

impl ModelKind for TreeParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        TreeParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Classification]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        self.class_weight
    }
    fn classifier(&self, _seed: u64) -> Option<Box<dyn Classifier>> {
        Some(Box::new(self.clone()))
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        None
    }
}

impl Describe for TreeParams {
    const DOC: &'static str = "A CART decision tree.";
    fn args() -> Vec<Arg> {
        vec![
            crate::models::tree::max_depth_arg(),
            Arg::def(
                "min_samples_leaf",
                Ty::Integer,
                json!(1),
                "the fewest training rows in a leaf",
            ),
            Arg::def(
                "criterion",
                Ty::Enum(&["gini", "entropy"]),
                json!("gini"),
                "the split impurity",
            ),
            Arg::opt(
                "class_weight",
                Ty::Enum(&["balanced"]),
                "balanced: weights inversely proportional to class frequencies",
            ),
        ]
    }
    fn example() -> Self {
        TreeParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_pure_split_is_found_at_the_midpoint() {
        let x = array![[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [10.0, 5.0], [11.0, 5.0]];
        let y = [false, false, false, true, true];
        let t = TreeParams::default().fit(&x, &y).unwrap();
        assert_eq!(
            t.predict_proba(&array![[2.5, 0.0], [6.4, 0.0], [6.6, 0.0]]),
            vec![0.0, 0.0, 1.0]
        );
        assert_eq!(t.impurity_importance().unwrap(), vec![1.0, 0.0]);
    }

    #[test]
    fn max_depth_one_gives_leaf_shares() {
        // Best first split is x <= 2.5; the right leaf holds 1 negative and 2 positives.
        let x = array![[1.0], [2.0], [3.0], [4.0], [5.0]];
        let y = [false, false, true, false, true];
        let t = TreeParams {
            max_depth: Some(1),
            ..TreeParams::default()
        }
        .fit(&x, &y)
        .unwrap();
        let p = t.predict_proba(&array![[0.0], [9.0]]);
        assert_eq!(p[0], 0.0);
        assert!((p[1] - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn min_samples_leaf_is_respected() {
        let x = array![[1.0], [2.0], [3.0], [4.0]];
        let y = [true, false, false, false];
        let t = TreeParams {
            min_samples_leaf: 2,
            ..TreeParams::default()
        }
        .fit(&x, &y)
        .unwrap();
        let flat = t.predict_proba(&array![[1.0], [4.0]]);
        assert_eq!(flat, vec![0.5, 0.0]);
    }

    #[test]
    fn balanced_class_weight_reweights_leaf_shares() {
        // One positive among four rows in a leaf: share 1/4 unweighted; balanced weights are
        // 4/(2·1) = 2 for the positive and 4/(2·3) = 2/3 per negative, so 2 / (2 + 2) = 1/2.
        let x = array![[1.0], [1.0], [1.0], [1.0]];
        let y = [true, false, false, false];
        let t = TreeParams {
            class_weight: Some(ClassWeight::Balanced),
            ..TreeParams::default()
        }
        .fit(&x, &y)
        .unwrap();
        assert!((t.predict_proba(&array![[1.0]])[0] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn binned_and_exact_agree_when_values_are_few() {
        let x = array![
            [1.0, 0.0],
            [2.0, 1.0],
            [3.0, 0.0],
            [4.0, 1.0],
            [5.0, 1.0],
            [6.0, 0.0]
        ];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let w = [1.0; 6];
        let cfg = Grow {
            max_depth: None,
            min_samples_leaf: 1,
            impurity: Impurity::Gini,
            max_features: 2,
        };
        let exact = grow(cfg, Source::Exact(&x), &y, &w, None);
        let b = Binned::new(&x);
        let binned = grow(cfg, Source::Binned(&b), &y, &w, None);
        assert_eq!(exact.predict(&x), binned.predict(&x));
        assert_eq!(exact.importances, binned.importances);
    }

    #[test]
    fn squared_error_tree_fits_a_step() {
        let x = array![[1.0], [2.0], [3.0], [4.0]];
        let y = [1.0, 1.0, 5.0, 7.0];
        let cfg = Grow {
            max_depth: Some(1),
            min_samples_leaf: 1,
            impurity: Impurity::SquaredError,
            max_features: 1,
        };
        let t = grow(cfg, Source::Exact(&x), &y, &[1.0; 4], None);
        assert_eq!(t.predict(&array![[0.0], [9.0]]), vec![1.0, 6.0]);
    }
}
