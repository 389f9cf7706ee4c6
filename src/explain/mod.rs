//! Explanations: SHAP values (how much each model input moved one prediction away from the
//! average prediction) and partial dependence with centred ICE curves (how the prediction moves
//! when one input is varied). See docs/explanations.md.
//!
//! Which SHAP is used depends on the model (one [`Method`] per kind):
//! - trees, forests and boosting: exact path-dependent TreeSHAP ([`tree_shap`]);
//! - logistic, linear and ridge regression: exact linear SHAP with the training means
//!   ([`linear`]);
//! - every other classifier (naive Bayes, k-NN, SVM, MLP): permutation SHAP against a background
//!   sample of training rows ([`permutation`]) — an estimate whose contributions still sum
//!   exactly to the output minus the base value.
//!
//! In every case base value + Σ contributions = the explained output, row by row. The explained
//! output is on the model's own scale ([`Scale`]): the probability for trees, forests and the
//! model-agnostic kinds, the log-odds for boosting and logistic regression (their models are
//! additive there), the value for numeric targets.

pub mod dependence;
pub mod linear;
pub mod permutation;
pub mod pool;
pub mod tree_shap;

use crate::error::{Error, Result};
use crate::models::gradient_boosting::Loss;
use crate::models::tree::FlatTree;
use crate::models::{draw_index, ClassifierModel, Fitted, RegressorModel};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The scale contributions and the explained output are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Probability,
    LogOdds,
    Value,
}

/// How the contributions were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Exact path-dependent TreeSHAP.
    TreePathDependent,
    /// Exact linear SHAP with the training means.
    Linear,
    /// Permutation SHAP with antithetic permutations over a background sample (an estimate).
    Permutation,
}

/// `evaluation.shap`: `true` (the defaults), `false` (off) or an object of budgets.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapOptions {
    pub enabled: bool,
    /// Test rows explained per split at most (exact methods).
    pub max_rows: usize,
    /// Training rows in the background sample of permutation SHAP.
    pub background: usize,
    /// Permutations per explained row (permutation SHAP; rounded up to an even number: pairs of
    /// a permutation and its reverse).
    pub permutations: usize,
    /// Model predictions permutation SHAP may make per split and model; the rows explained are
    /// cut to fit (at least one).
    pub max_evaluations: usize,
    /// Inputs with the largest mean |SHAP| given partial dependence curves (0: none).
    pub dependence_features: usize,
    /// Grid points of each partial dependence curve at most (quantiles of the training rows).
    pub grid: usize,
    /// Training rows the partial dependence is averaged over per split at most.
    pub dependence_rows: usize,
}

impl ShapOptions {
    /// A run's explanations when the recipe does not ask for them (`evaluation.shap` absent):
    /// off (docs/explanations.md, "Cost and budget", says why). `true` turns on the budgets
    /// of [`ShapOptions::default`].
    pub fn off() -> Self {
        ShapOptions {
            enabled: false,
            ..ShapOptions::default()
        }
    }
}

impl Default for ShapOptions {
    fn default() -> Self {
        ShapOptions {
            enabled: true,
            max_rows: 1000,
            background: 20,
            permutations: 10,
            max_evaluations: 100_000,
            dependence_features: 5,
            grid: 11,
            dependence_rows: 200,
        }
    }
}

const OPTION_FIELDS: &[&str] = &[
    "max_rows",
    "background",
    "permutations",
    "max_evaluations",
    "dependence_features",
    "grid",
    "dependence_rows",
];

impl ShapOptions {
    fn field(&mut self, name: &str) -> Option<&mut usize> {
        Some(match name {
            "max_rows" => &mut self.max_rows,
            "background" => &mut self.background,
            "permutations" => &mut self.permutations,
            "max_evaluations" => &mut self.max_evaluations,
            "dependence_features" => &mut self.dependence_features,
            "grid" => &mut self.grid,
            "dependence_rows" => &mut self.dependence_rows,
            _ => return None,
        })
    }

    /// Reads `evaluation.shap` (`true`, `false` or an object of the budget fields).
    pub fn from_json(v: &serde_json::Value) -> std::result::Result<ShapOptions, String> {
        let mut o = ShapOptions::default();
        match v {
            serde_json::Value::Bool(b) => o.enabled = *b,
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k == "enabled" {
                        o.enabled = v.as_bool().ok_or(
                            "invalid type for `shap.enabled`: expected true or false".to_string(),
                        )?;
                        continue;
                    }
                    let min = if matches!(k.as_str(), "dependence_features") {
                        0
                    } else {
                        1
                    };
                    let slot = o.field(k).ok_or_else(|| {
                        format!(
                            "unknown field `shap.{k}`, expected one of enabled, {}",
                            OPTION_FIELDS.join(", ")
                        )
                    })?;
                    *slot = v
                        .as_u64()
                        .filter(|&n| n >= min && n <= 100_000_000)
                        .ok_or_else(|| {
                            format!(
                                "invalid value for `shap.{k}`: expected an integer from {min} to 100000000"
                            )
                        })? as usize;
                }
            }
            _ => {
                return Err(
                    "invalid type for `shap`: expected true, false or an object of budgets".into(),
                )
            }
        }
        Ok(o)
    }

    /// The JSON form (`false`, `true` for the defaults, or the object).
    pub fn to_json(&self) -> serde_json::Value {
        if !self.enabled {
            return false.into();
        }
        let d = ShapOptions::default();
        if *self == d {
            return true.into();
        }
        let mut m = serde_json::Map::new();
        let mut me = self.clone();
        let mut d = d;
        for k in OPTION_FIELDS {
            let v = *me.field(k).expect("known field");
            if v != *d.field(k).expect("known field") {
                m.insert(k.to_string(), v.into());
            }
        }
        serde_json::Value::Object(m)
    }

    /// Antithetic pairs of permutations.
    pub fn pairs(&self) -> usize {
        self.permutations.div_ceil(2).max(1)
    }
}

/// What explaining a model needs besides the model: the training means (linear SHAP) or a
/// background sample of training rows (permutation SHAP). A model file keeps it; it holds only
/// encoded model inputs (after the privacy and feature steps), never identifiers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub means: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub background: Vec<Vec<f64>>,
}

impl Reference {
    pub fn is_empty(&self) -> bool {
        self.means.is_empty() && self.background.is_empty()
    }

    /// The reference of `fitted` from its training rows `xtr`: the means for a linear model, a
    /// seeded sample of `size` rows for the model-agnostic kinds, nothing for trees.
    pub fn of(fitted: &Fitted, xtr: &Array2<f64>, size: usize, seed: u64) -> Reference {
        match method_of(fitted) {
            Method::TreePathDependent => Reference::default(),
            Method::Linear => Reference {
                means: xtr
                    .mean_axis(ndarray::Axis(0))
                    .map(|m| m.to_vec())
                    .unwrap_or_default(),
                background: Vec::new(),
            },
            Method::Permutation => Reference {
                means: Vec::new(),
                background: sample(xtr.nrows(), size, seed)
                    .into_iter()
                    .map(|r| xtr.row(r).to_vec())
                    .collect(),
            },
        }
    }
}

/// `k` distinct row indices of `0..n` (all of them when `k ≥ n`), sorted, drawn from `seed`.
pub fn sample(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    if k >= n {
        return idx;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in 0..k {
        let j = draw_index(&mut rng, i, n);
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx.sort_unstable();
    idx
}

/// The SHAP values of some rows.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub scale: Scale,
    pub method: Method,
    pub base_value: f64,
    /// One row per explained row, one column per model input.
    pub values: Array2<f64>,
    /// The explained output per row (= base value + the row's contributions, up to rounding).
    pub output: Vec<f64>,
    /// Background rows (permutation SHAP).
    pub background: Option<usize>,
    /// Permutations per row (permutation SHAP).
    pub permutations: Option<usize>,
}

/// The method used for a fitted model.
pub fn method_of(fitted: &Fitted) -> Method {
    match fitted {
        Fitted::Classifier(
            ClassifierModel::DecisionTree(_)
            | ClassifierModel::RandomForest(_)
            | ClassifierModel::GradientBoosting(_),
        )
        | Fitted::Regressor(
            RegressorModel::RandomForest(_) | RegressorModel::GradientBoosting(_),
        ) => Method::TreePathDependent,
        Fitted::Classifier(ClassifierModel::LogisticRegression(_))
        | Fitted::Regressor(RegressorModel::Linear(_)) => Method::Linear,
        Fitted::Classifier(
            ClassifierModel::NaiveBayes(_)
            | ClassifierModel::Knn(_)
            | ClassifierModel::Svm(_)
            | ClassifierModel::Mlp(_)
            // A recalibrated model maps its members' probabilities through fitted
            // calibrators: no closed form, so it is explained as any other function.
            | ClassifierModel::Calibrated(_),
        )
        // A time-to-event model's risk score (not explained in a run yet).
        | Fitted::Survival(_) => Method::Permutation,
    }
}

/// A tree ensemble as TreeSHAP sees it: output = offset + factor · Σ tree outputs.
fn ensemble(fitted: &Fitted) -> Option<(Vec<&FlatTree>, f64, f64, Scale)> {
    let avg = |n: usize| 1.0 / n.max(1) as f64;
    Some(match fitted {
        Fitted::Classifier(ClassifierModel::DecisionTree(t)) => {
            (vec![t], 1.0, 0.0, Scale::Probability)
        }
        Fitted::Classifier(ClassifierModel::RandomForest(f)) => (
            f.trees.iter().collect(),
            avg(f.trees.len()),
            0.0,
            Scale::Probability,
        ),
        Fitted::Regressor(RegressorModel::RandomForest(f)) => (
            f.trees.iter().collect(),
            avg(f.trees.len()),
            0.0,
            Scale::Value,
        ),
        Fitted::Classifier(ClassifierModel::GradientBoosting(b))
        | Fitted::Regressor(RegressorModel::GradientBoosting(b)) => (
            b.trees.iter().collect(),
            1.0,
            b.baseline,
            match b.loss {
                Loss::LogLoss => Scale::LogOdds,
                Loss::SquaredError | Loss::Cox => Scale::Value,
            },
        ),
        _ => return None,
    })
}

/// TreeSHAP of every row of `x` for a tree ensemble: (base value, contributions), telling
/// `on_step(done, total)` after each tree (`done` of the `total` trees); an error from it
/// stops (a cancelled run).
pub fn tree_ensemble_shap_with_progress(
    trees: &[&FlatTree],
    factor: f64,
    offset: f64,
    x: &Array2<f64>,
    on_step: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<(f64, Array2<f64>)> {
    let explainers: Vec<tree_shap::TreeExplainer> = trees
        .iter()
        .map(|t| tree_shap::TreeExplainer::new(t))
        .collect();
    let base = offset + factor * explainers.iter().map(|e| e.base_value()).sum::<f64>();
    let mut values = Array2::zeros(x.raw_dim());
    // Tree by tree, every row (one tree's nodes stay in the cache), in buffers reused
    // throughout; each row still adds its trees in order, so the sums are those of a row loop.
    let mut ws = tree_shap::Workspace::default();
    for (t, e) in explainers.iter().enumerate() {
        for (mut out, row) in values.rows_mut().into_iter().zip(x.rows()) {
            let phi = out.as_slice_mut().expect("a standard-layout row");
            e.add_shap_in(&mut ws, row, phi, factor);
        }
        on_step(t + 1, explainers.len())?;
    }
    Ok((base, values))
}

/// Explains every row of `x` with `fitted` (`reference` from [`Reference::of`] on its training
/// rows); permutation SHAP uses `pairs` antithetic pairs per row, seeded from `seed`.
pub fn explain(
    fitted: &Fitted,
    reference: &Reference,
    x: &Array2<f64>,
    pairs: usize,
    seed: u64,
) -> Result<Explanation> {
    explain_with_progress(fitted, reference, x, pairs, seed, &mut |_, _| Ok(()))
}

/// [`explain`], telling `on_step(done, total)` as the work goes: after each tree for TreeSHAP
/// (`total` trees), after each row for permutation SHAP (`total` rows), once for linear SHAP.
/// An error from it stops the explaining and is returned (a cancelled run).
pub fn explain_with_progress(
    fitted: &Fitted,
    reference: &Reference,
    x: &Array2<f64>,
    pairs: usize,
    seed: u64,
    on_step: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<Explanation> {
    let method = method_of(fitted);
    let missing = |what: &str| Error::Model {
        kind: "shap".into(),
        message: no_reference(what),
    };
    let (scale, base, values, background, permutations) = match method {
        Method::TreePathDependent => {
            let (trees, factor, offset, scale) = ensemble(fitted).expect("a tree model has trees");
            let (base, values) =
                tree_ensemble_shap_with_progress(&trees, factor, offset, x, on_step)?;
            (scale, base, values, None, None)
        }
        Method::Linear => {
            if reference.means.len() != x.ncols() {
                return Err(missing("training means"));
            }
            let (coef, intercept, scale): (Array1<f64>, f64, Scale) = match fitted {
                Fitted::Classifier(ClassifierModel::LogisticRegression(m)) => {
                    // The log-odds of our positive class (linfa's may be the other one).
                    let s = if m.positive_is_one { 1.0 } else { -1.0 };
                    (&m.coef * s, m.intercept * s, Scale::LogOdds)
                }
                Fitted::Regressor(RegressorModel::Linear(m)) => {
                    (m.coef.clone(), m.intercept, Scale::Value)
                }
                _ => unreachable!("method_of gives Linear for linear models only"),
            };
            let (base, values) = linear::linear_shap(coef.view(), intercept, &reference.means, x);
            on_step(1, 1)?;
            (scale, base, values, None, None)
        }
        Method::Permutation => {
            if reference.background.is_empty() {
                return Err(missing("background sample"));
            }
            let p = x.ncols();
            if reference.background.iter().any(|r| r.len() != p) {
                return Err(missing("background sample of these inputs"));
            }
            let bg = Array2::from_shape_fn((reference.background.len(), p), |(i, j)| {
                reference.background[i][j]
            });
            let predict = |m: &Array2<f64>| fitted.predict(m);
            let base = permutation::base_value(&predict, &bg);
            let mut values = Array2::zeros(x.raw_dim());
            for (r, (mut out, row)) in values.rows_mut().into_iter().zip(x.rows()).enumerate() {
                let phi = permutation::permutation_shap(
                    &predict,
                    &bg,
                    base,
                    row,
                    pairs,
                    crate::seeds::shap_row(seed, r),
                );
                out.assign(&Array1::from(phi));
                on_step(r + 1, x.nrows())?;
            }
            (
                Scale::Probability,
                base,
                values,
                Some(bg.nrows()),
                Some(2 * pairs.max(1)),
            )
        }
    };
    let output = explained_output(fitted, scale, x);
    Ok(Explanation {
        scale,
        method,
        base_value: base,
        values,
        output,
        background,
        permutations,
    })
}

/// The model's output on `scale` for every row of `x` (the log-odds for boosting and logistic
/// regression, the prediction otherwise).
pub fn explained_output(fitted: &Fitted, scale: Scale, x: &Array2<f64>) -> Vec<f64> {
    match (fitted, scale) {
        (Fitted::Classifier(ClassifierModel::GradientBoosting(b)), Scale::LogOdds) => b.raw(x),
        (Fitted::Classifier(ClassifierModel::LogisticRegression(m)), Scale::LogOdds) => {
            let s = if m.positive_is_one { 1.0 } else { -1.0 };
            ((x.dot(&m.coef) + m.intercept) * s).to_vec()
        }
        _ => fitted.predict(x),
    }
}

/// The model-agnostic explanation's cost in predictions per explained row.
pub fn evaluations_per_row(inputs: usize, background: usize, pairs: usize) -> usize {
    (2 * pairs * inputs * background).max(1)
}

/// The original column a model input came from: itself when it is one; the column `c` when it
/// is `c=category` (one-hot) or `c_part` (a date part), the longest such column; else itself.
pub fn column_of(input: &str, columns: &[String]) -> String {
    if columns.iter().any(|c| c == input) {
        return input.to_string();
    }
    columns
        .iter()
        .filter(|c| {
            input.len() > c.len()
                && input.starts_with(c.as_str())
                && matches!(input.as_bytes()[c.len()], b'=' | b'_' | b':' | b'.')
        })
        .max_by_key(|c| c.len())
        .cloned()
        .unwrap_or_else(|| input.to_string())
}

/// Why a model cannot be explained: its file lacks `what` (the training means or a background
/// sample).
pub fn no_reference(what: &str) -> String {
    format!(
        "the model has no {what} to explain against (it was written with evaluation.shap false or by an older Bedside: export it again)"
    )
}

/// The model file's note that it keeps `n` training rows as the explanations' background.
pub fn background_note(n: usize) -> String {
    format!(
        "explanations keep a background sample of {n} training rows (masked, after the feature steps) for permutation SHAP"
    )
}
