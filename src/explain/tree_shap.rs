//! Path-dependent TreeSHAP (Lundberg et al. 2020, "From local explanations to global
//! understanding with explainable AI for trees", Algorithm 2), written for [`FlatTree`].
//!
//! The value of a coalition `S` of inputs is the tree's conditional expectation given the
//! inputs in `S`: at a split on an input in `S` the row's branch is followed; at a split on any
//! other input both branches are followed, weighted by the training cover of each child (the
//! share of the parent's weighted training rows that went there). The Shapley values of that
//! set function are computed exactly in `O(leaves · depth²)` per row by carrying, along the
//! path from the root, the weights of every subset size ("the unique path"): extending the path
//! by a split and unwinding an input that is split on twice are the two operations.
//!
//! The base value is the same expectation with the empty coalition (the cover-weighted mean of
//! the leaves), so that base + Σ contributions equals the tree's output for every row, up to
//! rounding.
//!
//! Covers: a node's `cover` (weighted training rows; bootstrap counts and class weights
//! included, as scikit-learn's `weighted_n_node_samples` that SHAP's TreeExplainer uses); a
//! model file written before covers were kept falls back to the row counts `samples`. A split
//! node's cover is the sum of its children's, so the expectations are consistent whatever the
//! source.

use crate::models::tree::FlatTree;
use ndarray::ArrayView1;

/// One element of the unique path: the input split on (`u32::MAX` for the root's dummy), the
/// share of cover that flows this way when the input is absent (`zero`), whether the row goes
/// this way when present (`one`, always 0 or 1 on a path), and the weight of the subsets of
/// that size.
#[derive(Clone, Copy)]
struct Elem {
    feature: u32,
    one: bool,
    zero: f64,
    weight: f64,
}

const NO_FEATURE: u32 = u32::MAX;

impl Default for Elem {
    fn default() -> Self {
        Elem {
            feature: NO_FEATURE,
            one: false,
            zero: 0.0,
            weight: 0.0,
        }
    }
}

/// A node as the recursion reads it: flat, with the shares of cover of its two children
/// computed once (`feature` is [`NO_FEATURE`] for a leaf, whose output is `value`).
#[derive(Clone, Copy)]
struct Step {
    threshold: f64,
    value: f64,
    left_share: f64,
    right_share: f64,
    feature: u32,
    left: u32,
    right: u32,
}

/// A tree prepared for TreeSHAP: its covers, its nodes in the compact form the recursion
/// reads, and the depth that sizes the path buffer.
pub struct TreeExplainer<'a> {
    tree: &'a FlatTree,
    cover: Vec<f64>,
    steps: Vec<Step>,
    depth: usize,
}

/// The buffers TreeSHAP works in, reused over rows and trees: the path segments of every
/// depth (lengths 1, 2, ..., depth + 2 one after the other) and the reciprocals 1/k.
#[derive(Default)]
pub struct Workspace {
    path: Vec<Elem>,
    inv: Vec<f64>,
}

impl Workspace {
    /// Sizes the buffers for trees of depth up to `depth`.
    fn fit(&mut self, depth: usize) {
        let d = depth + 2;
        let need = d * (d + 1) / 2 + 1;
        if self.path.len() < need {
            self.path.resize(need, Elem::default());
        }
        if self.inv.len() < d + 2 {
            self.inv = (0..d + 2)
                .map(|k| if k == 0 { 0.0 } else { 1.0 / k as f64 })
                .collect();
        }
    }
}

impl<'a> TreeExplainer<'a> {
    pub fn new(tree: &'a FlatTree) -> TreeExplainer<'a> {
        let nodes = &tree.nodes;
        let weighted = nodes.iter().any(|n| n.leaf && n.cover > 0.0);
        let mut cover: Vec<f64> = nodes
            .iter()
            .map(|n| match (n.leaf, weighted) {
                (true, true) => n.cover,
                (true, false) => n.samples as f64,
                (false, _) => 0.0,
            })
            .collect();
        // Children are stored after their parent: one backward pass sums the covers up.
        let mut depth = vec![0usize; nodes.len()];
        for i in (0..nodes.len()).rev() {
            if !nodes[i].leaf {
                cover[i] = cover[nodes[i].left] + cover[nodes[i].right];
            }
        }
        let mut max_depth = 0;
        for i in 0..nodes.len() {
            if !nodes[i].leaf {
                depth[nodes[i].left] = depth[i] + 1;
                depth[nodes[i].right] = depth[i] + 1;
                max_depth = max_depth.max(depth[i] + 1);
            }
        }
        let mut ex = TreeExplainer {
            tree,
            cover,
            steps: Vec::with_capacity(nodes.len()),
            depth: max_depth,
        };
        ex.steps = nodes
            .iter()
            .enumerate()
            .map(|(j, n)| {
                if n.leaf {
                    Step {
                        threshold: 0.0,
                        value: n.value,
                        left_share: 0.0,
                        right_share: 0.0,
                        feature: NO_FEATURE,
                        left: 0,
                        right: 0,
                    }
                } else {
                    Step {
                        threshold: n.threshold,
                        value: 0.0,
                        left_share: ex.fraction(j, n.left),
                        right_share: ex.fraction(j, n.right),
                        feature: u32::try_from(n.feature).expect("fewer than 2^32 inputs"),
                        left: u32::try_from(n.left).expect("fewer than 2^32 nodes"),
                        right: u32::try_from(n.right).expect("fewer than 2^32 nodes"),
                    }
                }
            })
            .collect();
        ex
    }

    /// The share of node `j`'s cover that goes to its child `c` (an even split when the node
    /// has no cover, so that the expectation stays an average).
    fn fraction(&self, j: usize, c: usize) -> f64 {
        if self.cover[j] > 0.0 {
            self.cover[c] / self.cover[j]
        } else {
            0.5
        }
    }

    /// The expected output with no input known (the cover-weighted mean of the leaves).
    pub fn base_value(&self) -> f64 {
        let nodes = &self.tree.nodes;
        let mut total = 0.0;
        let mut stack = vec![(0usize, 1.0f64)];
        while let Some((j, share)) = stack.pop() {
            let n = &nodes[j];
            if n.leaf {
                total += share * n.value;
            } else {
                stack.push((n.left, share * self.fraction(j, n.left)));
                stack.push((n.right, share * self.fraction(j, n.right)));
            }
        }
        total
    }

    /// Adds `scale` × the SHAP values of `row` to `phi` (one per input).
    pub fn add_shap(&self, row: ArrayView1<f64>, phi: &mut [f64], scale: f64) {
        self.add_shap_in(&mut Workspace::default(), row, phi, scale);
    }

    /// [`TreeExplainer::add_shap`] in the buffers of `ws` (no allocation once they are sized).
    pub fn add_shap_in(
        &self,
        ws: &mut Workspace,
        row: ArrayView1<f64>,
        phi: &mut [f64],
        scale: f64,
    ) {
        ws.fit(self.depth);
        let Workspace { path, inv } = ws;
        let mut walk = Walk {
            steps: &self.steps,
            row,
            phi,
            scale,
            inv,
        };
        walk.recurse(path, 0, 0, 0, 1.0, true, NO_FEATURE);
    }
}

/// One row's walk down one tree.
struct Walk<'w, 'r> {
    steps: &'w [Step],
    row: ArrayView1<'r, f64>,
    phi: &'w mut [f64],
    scale: f64,
    inv: &'w [f64],
}

impl Walk<'_, '_> {
    /// Visits node `j` with the parent's path in `buf[at..at + len]`; the new segment starts at
    /// `at + len` and holds the parent's path extended by (`zero`, `one`, `feature`).
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &mut self,
        buf: &mut [Elem],
        at: usize,
        len: usize,
        j: usize,
        zero: f64,
        one: bool,
        feature: u32,
    ) {
        let start = at + len;
        buf.copy_within(at..at + len, start);
        // `depth` is the index of the new element (the path has depth + 1 elements).
        let mut depth = len;
        extend(&mut buf[start..], self.inv, depth, zero, one, feature);
        let node = self.steps[j];
        if node.feature == NO_FEATURE {
            self.leaf(&buf[start..start + depth + 1], depth, node.value);
            return;
        }
        let goes_left = self.row[node.feature as usize] <= node.threshold;
        let (hot, cold, hot_share, cold_share) = if goes_left {
            (node.left, node.right, node.left_share, node.right_share)
        } else {
            (node.right, node.left, node.right_share, node.left_share)
        };
        let (mut in_zero, mut in_one) = (1.0, true);
        if let Some(k) = (1..=depth).find(|&k| buf[start + k].feature == node.feature) {
            in_zero = buf[start + k].zero;
            in_one = buf[start + k].one;
            unwind(&mut buf[start..], self.inv, depth, k);
            depth -= 1;
        }
        let len = depth + 1;
        self.recurse(
            buf,
            start,
            len,
            hot as usize,
            hot_share * in_zero,
            in_one,
            node.feature,
        );
        self.recurse(
            buf,
            start,
            len,
            cold as usize,
            cold_share * in_zero,
            false,
            node.feature,
        );
    }

    /// Adds a leaf's share to every input on its path. An element the row does not follow
    /// (`one` = 0) gets −value · (depth + 1) · Σᵢ wᵢ / (depth − i), whatever its `zero` (the
    /// unwound sum is that sum over `zero`, times `one − zero` = −`zero`): one sum for all of
    /// them, so that only the elements the row follows cost a pass each (Fast TreeSHAP v1's
    /// observation, Yang 2021).
    fn leaf(&mut self, path: &[Elem], depth: usize, value: f64) {
        let inv = self.inv;
        let l1 = (depth + 1) as f64;
        let v = self.scale * value * l1;
        let mut cold = f64::NAN;
        for e in &path[1..=depth] {
            let f = e.feature as usize;
            if e.one {
                // The unwound sum with this element removed: a backward pass over the weights.
                let zero = e.zero;
                let mut next = path[depth].weight;
                let mut total = 0.0;
                for i in (0..depth).rev() {
                    let t = next * inv[i + 1];
                    total += t;
                    next = path[i].weight - t * zero * (depth - i) as f64;
                }
                self.phi[f] += v * total * (1.0 - zero);
            } else {
                if cold.is_nan() {
                    cold = (0..depth).map(|i| path[i].weight * inv[depth - i]).sum();
                }
                self.phi[f] -= v * cold;
            }
        }
    }
}

/// Appends (`zero`, `one`, `feature`) at index `depth` and updates the subset-size weights.
fn extend(path: &mut [Elem], inv: &[f64], depth: usize, zero: f64, one: bool, feature: u32) {
    path[depth] = Elem {
        feature,
        one,
        zero,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let r = inv[depth + 1];
    let z = zero * r;
    if one {
        for i in (0..depth).rev() {
            let w = path[i].weight;
            path[i + 1].weight += w * (i + 1) as f64 * r;
            path[i].weight = z * w * (depth - i) as f64;
        }
    } else {
        for i in (0..depth).rev() {
            path[i].weight *= z * (depth - i) as f64;
        }
    }
}

/// Removes element `k` from the path of `depth + 1` elements, undoing its extension.
fn unwind(path: &mut [Elem], inv: &[f64], depth: usize, k: usize) {
    let (one, zero) = (path[k].one, path[k].zero);
    let l1 = (depth + 1) as f64;
    if one {
        let z = zero * inv[depth + 1];
        let mut next = path[depth].weight;
        for i in (0..depth).rev() {
            let t = path[i].weight;
            path[i].weight = next * l1 * inv[i + 1];
            next = t - path[i].weight * z * (depth - i) as f64;
        }
    } else {
        let z = l1 / zero;
        for i in (0..depth).rev() {
            path[i].weight *= z * inv[depth - i];
        }
    }
    for i in k..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/// The path-dependent value of coalition `known` (one flag per input) for `row`: the
/// definition TreeSHAP computes the Shapley values of, by direct recursion. Exponential use
/// only (tests over all subsets of a few inputs).
pub fn coalition_value(tree: &FlatTree, row: ArrayView1<f64>, known: &[bool]) -> f64 {
    let ex = TreeExplainer::new(tree);
    let mut total = 0.0;
    let mut stack = vec![(0usize, 1.0f64)];
    while let Some((j, share)) = stack.pop() {
        let n = &tree.nodes[j];
        if n.leaf {
            total += share * n.value;
        } else if known[n.feature] {
            let next = if row[n.feature] <= n.threshold {
                n.left
            } else {
                n.right
            };
            stack.push((next, share));
        } else {
            stack.push((n.left, share * ex.fraction(j, n.left)));
            stack.push((n.right, share * ex.fraction(j, n.right)));
        }
    }
    total
}
