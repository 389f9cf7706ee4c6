//! `decision_tree`: a CART tree grown by linfa-trees (exact splits, Gini or entropy).
//!
//! linfa-trees predicts labels only. After growing, the tree is copied into a flat node array
//! and each leaf's positive-class share among the training rows that reach it is recorded, so
//! that the tree yields probabilities exactly as scikit-learn's `predict_proba` does.

use super::{Classifier, FittedClassifier};
use crate::error::{Error, Result};
use crate::privacy::ArgError;
use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::{Array1, Array2, ArrayView1};
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
}

/// A node of the flat tree: internal (`feature`, `threshold`, children) or a leaf (`proba`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    pub feature: usize,
    pub threshold: f64,
    pub left: usize,
    pub right: usize,
    pub leaf: bool,
    pub proba: f64,
}

/// A fitted tree in flat form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlatTree {
    pub nodes: Vec<Node>,
}

impl FlatTree {
    fn from_linfa(root: &TreeNode<f64, usize>) -> FlatTree {
        let mut nodes = Vec::new();
        fn add(n: &TreeNode<f64, usize>, nodes: &mut Vec<Node>) -> usize {
            let id = nodes.len();
            let (feature, threshold, _) = n.split();
            nodes.push(Node {
                feature,
                threshold,
                left: 0,
                right: 0,
                leaf: true,
                proba: 0.0,
            });
            let kids = n.children();
            if let (false, Some(l), Some(r)) = (n.is_leaf(), kids[0].as_deref(), kids[1].as_deref())
            {
                let left = add(l, nodes);
                let right = add(r, nodes);
                nodes[id] = Node {
                    feature,
                    threshold,
                    left,
                    right,
                    leaf: false,
                    proba: 0.0,
                };
            } else {
                nodes[id].proba = n.prediction().map_or(0.0, |p| p as f64);
            }
            id
        }
        add(root, &mut nodes);
        FlatTree { nodes }
    }

    /// The leaf a row reaches (linfa's rule: `x < threshold` goes left).
    pub fn leaf(&self, row: ArrayView1<f64>) -> usize {
        let mut i = 0;
        while !self.nodes[i].leaf {
            let n = &self.nodes[i];
            i = if row[n.feature] < n.threshold {
                n.left
            } else {
                n.right
            };
        }
        i
    }
}

impl Classifier for TreeParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<Box<dyn FittedClassifier>> {
        let err = |message: String| Error::Model {
            kind: "decision_tree".into(),
            message,
        };
        if y.is_empty() {
            return Err(err("no training rows".into()));
        }
        let targets: Array1<usize> = y.iter().map(|&b| b as usize).collect();
        let data = Dataset::new(x.clone(), targets);
        let quality = match self.criterion {
            Criterion::Gini => SplitQuality::Gini,
            Criterion::Entropy => SplitQuality::Entropy,
        };
        let tree = DecisionTree::params()
            .split_quality(quality)
            .max_depth(self.max_depth)
            .min_weight_leaf(self.min_samples_leaf as f32)
            .min_weight_split(2.0 * self.min_samples_leaf as f32)
            .min_impurity_decrease(1e-12)
            .fit(&data)
            .map_err(|e| err(e.to_string()))?;
        let mut flat = FlatTree::from_linfa(tree.root_node());
        // Leaf probabilities from the training rows that reach each leaf.
        let mut pos = vec![0usize; flat.nodes.len()];
        let mut tot = vec![0usize; flat.nodes.len()];
        for (row, &label) in x.rows().into_iter().zip(y) {
            let l = flat.leaf(row);
            tot[l] += 1;
            pos[l] += label as usize;
        }
        for (i, n) in flat.nodes.iter_mut().enumerate() {
            if n.leaf && tot[i] > 0 {
                n.proba = pos[i] as f64 / tot[i] as f64;
            }
        }
        Ok(Box::new(flat))
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
