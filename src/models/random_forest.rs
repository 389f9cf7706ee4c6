//! `random_forest`: bagged CART trees (classification, or regression on squared error) with per-node feature subsampling (Breiman 2001), as
//! scikit-learn's `RandomForestClassifier` (100 trees, `max_features="sqrt"`, bootstrap,
//! fully grown trees, probabilities averaged over the trees).
//!
//! Built on [`super::tree`]'s grower in its binned mode: the features are binned once per fit
//! (≤ 255 cut points each) and shared read-only by every tree, so a node's split search is one
//! histogram pass over its rows per tried feature. A bootstrap sample is a vector of draw counts
//! used as sample weights (no copied rows). Tree `t` draws from its own ChaCha8 stream `t` of the
//! recipe seed, so the forest does not depend on the order trees are grown in.

use super::binning::Binned;
use super::tree::{check_depth_leaf, grow, Criterion, FlatTree, Grow, Impurity, Source};
use super::{
    class_weights, ClassWeight, Classifier, ClassifierModel, FittedClassifier, FittedRegressor,
    Regressor, RegressorModel,
};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ModelKind, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::Value;

/// Features tried per split: a count or a rule over the number of features `p`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MaxFeatures {
    Count(usize),
    Rule(FeatureRule),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureRule {
    /// ⌊√p⌋ (at least 1), scikit-learn's default for classification.
    Sqrt,
    /// ⌊log₂ p⌋ (at least 1).
    Log2,
    /// All p features (bagging only), scikit-learn's default for regression.
    All,
}

impl MaxFeatures {
    pub fn resolve(self, p: usize) -> usize {
        let n = match self {
            MaxFeatures::Count(c) => c,
            MaxFeatures::Rule(FeatureRule::Sqrt) => (p as f64).sqrt().floor() as usize,
            MaxFeatures::Rule(FeatureRule::Log2) => (p as f64).log2().floor() as usize,
            MaxFeatures::Rule(FeatureRule::All) => p,
        };
        n.clamp(1, p.max(1))
    }
}

/// `{"kind": "random_forest", "trees": 100, "max_features": "sqrt", "max_depth": null,
/// "min_samples_leaf": 1, "criterion": "gini", "bootstrap": true, "class_weight": null}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForestParams {
    #[serde(default = "hundred")]
    pub trees: usize,
    /// Default (`null`): `"sqrt"` for a class target, `"all"` for a numeric one (scikit-learn's).
    #[serde(default)]
    pub max_features: Option<MaxFeatures>,
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default = "one")]
    pub min_samples_leaf: usize,
    #[serde(default)]
    pub criterion: Criterion,
    #[serde(default = "yes")]
    pub bootstrap: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weight: Option<ClassWeight>,
}

fn hundred() -> usize {
    100
}
fn one() -> usize {
    1
}
fn yes() -> bool {
    true
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            trees: 100,
            max_features: None,
            max_depth: None,
            min_samples_leaf: 1,
            criterion: Criterion::Gini,
            bootstrap: true,
            class_weight: None,
        }
    }
}

impl ForestParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if self.trees == 0 || self.trees > 10_000 {
            return Err(("trees", format!("must be 1 to 10000, got {}", self.trees)));
        }
        if self.max_features == Some(MaxFeatures::Count(0)) {
            return Err(("max_features", "must be at least 1".into()));
        }
        check_depth_leaf(self.max_depth, self.min_samples_leaf)
    }
}

/// A forest of trees whose leaf values are averaged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Forest {
    pub trees: Vec<FlatTree>,
}

impl Forest {
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        let mut out = vec![0.0; x.nrows()];
        for t in &self.trees {
            for (o, row) in out.iter_mut().zip(x.rows()) {
                *o += t.nodes[t.leaf(row)].value;
            }
        }
        let k = self.trees.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= k);
        out
    }

    /// Mean of the trees' normalised impurity importances.
    pub fn importances(&self) -> Vec<f64> {
        let p = self.trees.first().map_or(0, |t| t.importances.len());
        let mut imp = vec![0.0; p];
        for t in &self.trees {
            for (a, b) in imp.iter_mut().zip(&t.importances) {
                *a += b;
            }
        }
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }
}

/// Grows a forest on targets `y` (0/1 or numeric) with base weights `w`.
pub(crate) fn grow_forest(
    x: &Array2<f64>,
    y: &[f64],
    w: &[f64],
    cfg: Grow,
    trees: usize,
    bootstrap: bool,
    seed: u64,
) -> Forest {
    let binned = Binned::new(x);
    let n = y.len();
    // Tree `t` draws from its own stream of the seed, so the trees are independent: grown on
    // threads natively (in the order of `t` either way, the same forest), one after another in
    // wasm. Each thread keeps its own bootstrap buffers.
    let grow_tree = |t: usize, (counts, weights): &mut (Vec<f64>, Vec<f64>)| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(t as u64);
        if bootstrap {
            counts.iter_mut().for_each(|c| *c = 0.0);
            for _ in 0..n {
                counts[super::draw_index(&mut rng, 0, n)] += 1.0;
            }
        } else {
            counts.iter_mut().for_each(|c| *c = 1.0);
        }
        for ((o, c), b) in weights.iter_mut().zip(counts.iter()).zip(w) {
            *o = c * b;
        }
        grow(cfg, Source::Binned(&binned), y, weights, Some(&mut rng))
    };
    let buffers = || (vec![0.0f64; n], vec![0.0f64; n]);
    let trees = crate::par::map_init(trees, buffers, |b, t| grow_tree(t, b));
    Forest { trees }
}

/// A forest classifier with the recipe seed.
pub struct RandomForest {
    pub params: ForestParams,
    pub seed: u64,
}

impl Classifier for RandomForest {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        if y.is_empty() || x.nrows() != y.len() {
            return Err(Error::Model {
                kind: "random_forest".into(),
                message: "no training rows".into(),
            });
        }
        let p = &self.params;
        let yf: Vec<f64> = y.iter().map(|&b| b as u8 as f64).collect();
        let cfg = Grow {
            max_depth: p.max_depth,
            min_samples_leaf: p.min_samples_leaf,
            impurity: Impurity::from(p.criterion),
            max_features: p
                .max_features
                .unwrap_or(MaxFeatures::Rule(FeatureRule::Sqrt))
                .resolve(x.ncols()),
        };
        let w = class_weights(y, p.class_weight);
        Ok(ClassifierModel::RandomForest(grow_forest(
            x,
            &yf,
            &w,
            cfg,
            p.trees,
            p.bootstrap,
            self.seed,
        )))
    }
}

impl Regressor for RandomForest {
    fn fit(&self, x: &Array2<f64>, y: &[f64]) -> Result<RegressorModel> {
        if y.is_empty() || x.nrows() != y.len() {
            return Err(Error::Model {
                kind: "random_forest".into(),
                message: "no training rows".into(),
            });
        }
        let p = &self.params;
        let cfg = Grow {
            max_depth: p.max_depth,
            min_samples_leaf: p.min_samples_leaf,
            impurity: Impurity::SquaredError,
            max_features: p
                .max_features
                .unwrap_or(MaxFeatures::Rule(FeatureRule::All))
                .resolve(x.ncols()),
        };
        let w = vec![1.0; y.len()];
        Ok(RegressorModel::RandomForest(grow_forest(
            x,
            y,
            &w,
            cfg,
            p.trees,
            p.bootstrap,
            self.seed,
        )))
    }
}

impl FittedRegressor for Forest {
    fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        Forest::predict(self, x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        Some(self.importances())
    }
}

impl FittedClassifier for Forest {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        self.predict(x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        Some(self.importances())
    }
}

impl ModelKind for ForestParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        ForestParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Classification, Task::Regression]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        self.class_weight
    }
    fn classifier(&self, seed: u64) -> Option<Box<dyn Classifier>> {
        Some(Box::new(RandomForest {
            params: self.clone(),
            seed,
        }))
    }
    fn regressor(&self, seed: u64) -> Option<Box<dyn Regressor>> {
        Some(Box::new(RandomForest {
            params: self.clone(),
            seed,
        }))
    }
}

impl Describe for ForestParams {
    const DOC: &'static str = "A random forest of CART trees on bootstrap samples.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def("trees", Ty::Integer, json!(100), "the number of trees"),
            Arg::def("max_features", Ty::Enum(&["sqrt", "log2", "all"]), Value::Null, "features tried per split: a rule or a count (null: sqrt for classes, all for numbers)"),
            crate::models::tree::max_depth_arg(),
            Arg::def("min_samples_leaf", Ty::Integer, json!(1), "the fewest training rows in a leaf"),
            Arg::def("criterion", Ty::Enum(&["gini", "entropy"]), json!("gini"), "the split impurity (class targets)"),
            Arg::def("bootstrap", Ty::Boolean, json!(true), "draw each tree's rows with replacement"),
            Arg::opt("class_weight", Ty::Enum(&["balanced"]), "balanced: weights inversely proportional to class frequencies"),
        ]
    }
    fn example() -> Self {
        ForestParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    impl RandomForest {
        fn classify(&self, x: &Array2<f64>, y: &[bool]) -> ClassifierModel {
            Classifier::fit(self, x, y).unwrap()
        }
    }

    #[test]
    fn regression_forest_fits_a_smooth_function() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let x = Array2::from_shape_fn((300, 3), |_| rng.gen_range(-1.0..1.0));
        let y: Vec<f64> = x
            .rows()
            .into_iter()
            .map(|r| 3.0 * r[0] + r[1] * r[1])
            .collect();
        let f = Regressor::fit(
            &RandomForest {
                params: ForestParams::default(),
                seed: 1,
            },
            &x,
            &y,
        )
        .unwrap();
        let p = f.predict(&x);
        let mse = p.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / 300.0;
        let var = y.iter().map(|v| v * v).sum::<f64>() / 300.0;
        assert!(mse < 0.05 * var, "{mse} vs {var}");
        assert!(f.impurity_importance().unwrap()[2] < 0.05);
    }

    fn data(n: usize, seed: u64) -> (Array2<f64>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = Array2::from_shape_fn((n, 6), |_| rng.gen_range(-1.0..1.0));
        let y = x
            .rows()
            .into_iter()
            .map(|r| r[0] + r[1] * r[1] > 0.3)
            .collect();
        (x, y)
    }

    #[test]
    fn max_features_rules() {
        assert_eq!(MaxFeatures::Rule(FeatureRule::Sqrt).resolve(30), 5);
        assert_eq!(MaxFeatures::Rule(FeatureRule::Log2).resolve(30), 4);
        assert_eq!(MaxFeatures::Rule(FeatureRule::All).resolve(30), 30);
        assert_eq!(MaxFeatures::Count(50).resolve(30), 30);
        assert_eq!(MaxFeatures::Rule(FeatureRule::Sqrt).resolve(1), 1);
    }

    #[test]
    fn same_seed_same_forest_other_seed_other_forest() {
        let (x, y) = data(200, 1);
        let fit = |seed| {
            RandomForest {
                params: ForestParams {
                    trees: 10,
                    ..ForestParams::default()
                },
                seed,
            }
            .classify(&x, &y)
            .predict_proba(&x)
        };
        assert_eq!(fit(3), fit(3));
        assert_ne!(fit(3), fit(4));
    }

    #[test]
    fn importance_finds_the_signal_features() {
        let (x, y) = data(400, 2);
        let f = RandomForest {
            params: ForestParams::default(),
            seed: 0,
        }
        .classify(&x, &y);
        let imp = f.impurity_importance().unwrap();
        assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        for noise in &imp[2..] {
            assert!(imp[0] > *noise && imp[1] > *noise, "{imp:?}");
        }
    }
}
