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

/// One element of the unique path: the input split on (`usize::MAX` for the root's dummy), the
/// share of cover that flows this way when the input is absent (`zero`), whether the row goes
/// this way when present (`one`), and the weight of the subsets of that size.
#[derive(Clone, Copy, Default)]
struct Elem {
    feature: usize,
    zero: f64,
    one: f64,
    weight: f64,
}

/// A tree prepared for TreeSHAP: its covers and the buffer the recursion works in.
pub struct TreeExplainer<'a> {
    tree: &'a FlatTree,
    cover: Vec<f64>,
    depth: usize,
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
        TreeExplainer {
            tree,
            cover,
            depth: max_depth,
        }
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
        // Segments of the path for every depth: lengths 1, 2, ..., depth + 2.
        let d = self.depth + 2;
        let mut buf = vec![Elem::default(); d * (d + 1) / 2 + 1];
        self.recurse(row, phi, scale, &mut buf, 0, 0, 0, 1.0, 1.0, usize::MAX);
    }

    /// Visits node `j` with the parent's path in `buf[at..at + len]`; the new segment starts at
    /// `at + len` and holds the parent's path extended by (`zero`, `one`, `feature`).
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &self,
        row: ArrayView1<f64>,
        phi: &mut [f64],
        scale: f64,
        buf: &mut [Elem],
        at: usize,
        len: usize,
        j: usize,
        zero: f64,
        one: f64,
        feature: usize,
    ) {
        let start = at + len;
        buf.copy_within(at..at + len, start);
        // `depth` is the index of the new element (the path has depth + 1 elements).
        let mut depth = len;
        extend(&mut buf[start..], depth, zero, one, feature);
        let node = &self.tree.nodes[j];
        if node.leaf {
            let path = &buf[start..start + depth + 1];
            for i in 1..=depth {
                let w = unwound_sum(path, depth, i);
                let e = path[i];
                phi[e.feature] += scale * w * (e.one - e.zero) * node.value;
            }
            return;
        }
        let (hot, cold) = if row[node.feature] <= node.threshold {
            (node.left, node.right)
        } else {
            (node.right, node.left)
        };
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        if let Some(k) = (1..=depth).find(|&k| buf[start + k].feature == node.feature) {
            in_zero = buf[start + k].zero;
            in_one = buf[start + k].one;
            unwind(&mut buf[start..], depth, k);
            depth -= 1;
        }
        let len = depth + 1;
        let hz = self.fraction(j, hot) * in_zero;
        let cz = self.fraction(j, cold) * in_zero;
        self.recurse(
            row,
            phi,
            scale,
            buf,
            start,
            len,
            hot,
            hz,
            in_one,
            node.feature,
        );
        self.recurse(
            row,
            phi,
            scale,
            buf,
            start,
            len,
            cold,
            cz,
            0.0,
            node.feature,
        );
    }
}

/// Appends (`zero`, `one`, `feature`) at index `depth` and updates the subset-size weights.
fn extend(path: &mut [Elem], depth: usize, zero: f64, one: f64, feature: usize) {
    path[depth] = Elem {
        feature,
        zero,
        one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let l = depth as f64;
    for i in (0..depth).rev() {
        let fi = i as f64;
        path[i + 1].weight += one * path[i].weight * (fi + 1.0) / (l + 1.0);
        path[i].weight = zero * path[i].weight * (l - fi) / (l + 1.0);
    }
}

/// Removes element `k` from the path of `depth + 1` elements, undoing its extension.
fn unwind(path: &mut [Elem], depth: usize, k: usize) {
    let (one, zero) = (path[k].one, path[k].zero);
    let l = depth as f64;
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        let fi = i as f64;
        if one != 0.0 {
            let t = path[i].weight;
            path[i].weight = next * (l + 1.0) / ((fi + 1.0) * one);
            next = t - path[i].weight * zero * (l - fi) / (l + 1.0);
        } else {
            path[i].weight = path[i].weight * (l + 1.0) / (zero * (l - fi));
        }
    }
    for i in k..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/// The total weight the path would have with element `k` unwound (without changing it).
fn unwound_sum(path: &[Elem], depth: usize, k: usize) -> f64 {
    let (one, zero) = (path[k].one, path[k].zero);
    let l = depth as f64;
    let mut next = path[depth].weight;
    let mut total = 0.0;
    if one != 0.0 {
        for i in (0..depth).rev() {
            let fi = i as f64;
            let t = next / ((fi + 1.0) * one);
            total += t;
            next = path[i].weight - t * zero * (l - fi);
        }
    } else {
        for i in (0..depth).rev() {
            total += path[i].weight / (zero * (l - i as f64));
        }
    }
    total * (l + 1.0)
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
