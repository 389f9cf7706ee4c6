//! `decision_tree`: an exact CART classification tree (Gini or entropy), grown depth-first.
//!
//! Splits are searched over every feature and every midpoint between consecutive distinct
//! values, as scikit-learn's `DecisionTreeClassifier(splitter="best")`; ties go to the first
//! feature and the smallest threshold, so a tree is a pure function of its training rows.
//! Leaves hold the positive-class share of their training rows (`predict_proba`).
//!
//! Why not linfa-trees: it sums class weights through a `HashMap`, so equal-quality splits are
//! broken by hash order and two runs of the same recipe could grow different trees, which
//! breaks Bedside's "same recipe + data + seed = same report" invariant. It also predicts
//! labels only.

use super::{Classifier, FittedClassifier};
use crate::error::{Error, Result};
use crate::privacy::ArgError;
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    #[default]
    Gini,
    Entropy,
}

/// `{"kind": "decision_tree", "max_depth": null, "min_samples_leaf": 1, "criterion": "gini"}`
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
        }
    }
}

impl TreeParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if self.max_depth == Some(0) {
            return Err((
                "max_depth",
                "must be at least 1 (or null for no limit)".into(),
            ));
        }
        if self.min_samples_leaf == 0 {
            return Err(("min_samples_leaf", "must be at least 1".into()));
        }
        Ok(())
    }

    /// Impurity of a node with `pos` positives among `n` rows, times `n`.
    fn weighted_impurity(&self, pos: usize, n: usize) -> f64 {
        if n == 0 {
            return 0.0;
        }
        let p = pos as f64 / n as f64;
        let q = 1.0 - p;
        let per_row = match self.criterion {
            Criterion::Gini => 1.0 - p * p - q * q,
            Criterion::Entropy => {
                let h = |x: f64| if x > 0.0 { -x * x.log2() } else { 0.0 };
                h(p) + h(q)
            }
        };
        per_row * n as f64
    }
}

/// A node of the flat tree: internal (`feature`, `threshold`, children) or a leaf (`proba`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub feature: usize,
    pub threshold: f64,
    pub left: usize,
    pub right: usize,
    pub leaf: bool,
    /// Positive-class share of the training rows in this node.
    pub proba: f64,
    pub samples: usize,
}

/// A fitted tree in flat form (root at index 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlatTree {
    pub nodes: Vec<Node>,
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
}

struct Grower<'a> {
    params: &'a TreeParams,
    x: &'a Array2<f64>,
    y: &'a [bool],
    nodes: Vec<Node>,
    scratch: Vec<(f64, bool)>,
}

impl Grower<'_> {
    fn grow(&mut self, rows: &mut [usize], depth: usize) -> usize {
        let n = rows.len();
        let pos = rows.iter().filter(|&&r| self.y[r]).count();
        let id = self.nodes.len();
        self.nodes.push(Node {
            feature: 0,
            threshold: 0.0,
            left: 0,
            right: 0,
            leaf: true,
            proba: pos as f64 / n.max(1) as f64,
            samples: n,
        });
        let min_leaf = self.params.min_samples_leaf;
        if pos == 0
            || pos == n
            || n < 2 * min_leaf
            || self.params.max_depth.is_some_and(|d| depth >= d)
        {
            return id;
        }
        let parent = self.params.weighted_impurity(pos, n);
        let mut best: Option<(f64, usize, f64)> = None; // (children impurity, feature, threshold)
        for f in 0..self.x.ncols() {
            self.scratch.clear();
            self.scratch
                .extend(rows.iter().map(|&r| (self.x[[r, f]], self.y[r])));
            self.scratch.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut left_pos = 0;
            for k in 0..n - 1 {
                left_pos += self.scratch[k].1 as usize;
                let left_n = k + 1;
                let (v, next) = (self.scratch[k].0, self.scratch[k + 1].0);
                if v == next || left_n < min_leaf || n - left_n < min_leaf {
                    continue;
                }
                let children = self.params.weighted_impurity(left_pos, left_n)
                    + self.params.weighted_impurity(pos - left_pos, n - left_n);
                if best.is_none_or(|(b, _, _)| children < b - 1e-12) {
                    let mid = v + (next - v) / 2.0;
                    best = Some((children, f, if mid < next { mid } else { v }));
                }
            }
        }
        let Some((children, feature, threshold)) = best else {
            return id;
        };
        if children >= parent - 1e-12 {
            return id;
        }
        // Partition rows in place: left (<= threshold) first, keeping relative order.
        let (mut left, mut right): (Vec<usize>, Vec<usize>) = rows
            .iter()
            .partition(|&&r| self.x[[r, feature]] <= threshold);
        let split = left.len();
        rows[..split].copy_from_slice(&left);
        rows[split..].copy_from_slice(&right);
        left.clear();
        right.clear();
        let (l, r) = rows.split_at_mut(split);
        let left_id = self.grow(l, depth + 1);
        let right_id = self.grow(r, depth + 1);
        let node = &mut self.nodes[id];
        node.leaf = false;
        node.feature = feature;
        node.threshold = threshold;
        node.left = left_id;
        node.right = right_id;
        id
    }
}

impl Classifier for TreeParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<Box<dyn FittedClassifier>> {
        if y.is_empty() || x.nrows() != y.len() {
            return Err(Error::Model {
                kind: "decision_tree".into(),
                message: "no training rows".into(),
            });
        }
        let mut grower = Grower {
            params: self,
            x,
            y,
            nodes: Vec::new(),
            scratch: Vec::with_capacity(y.len()),
        };
        let mut rows: Vec<usize> = (0..y.len()).collect();
        grower.grow(&mut rows, 0);
        Ok(Box::new(FlatTree {
            nodes: grower.nodes,
        }))
    }
}

impl FittedClassifier for FlatTree {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        x.rows()
            .into_iter()
            .map(|r| self.nodes[self.leaf(r)].proba)
            .collect()
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
}
