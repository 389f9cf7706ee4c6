//! `gradient_boosting`: histogram-based gradient boosting, as scikit-learn's
//! `HistGradientBoostingClassifier` (and `…Regressor` for numeric targets).
//!
//! Features are pre-binned once per fit into ≤ 255 `u8` bins ([`super::binning`]). Each boosting
//! iteration grows one tree leaf-wise (best-first, up to `max_leaf_nodes` leaves) on the
//! gradients and hessians of the loss (binary log loss or squared error): every node keeps one
//! histogram of (Σg, Σh, count) per feature and bin; a split's children get their histograms by
//! building the smaller child's from its rows and subtracting it from the parent's for the
//! larger one (the sibling-subtraction trick), so each level scans at most half the rows.
//! Histograms are built row by row from a row-major copy of the bins, four rows at a time, so
//! the updates to thirty histograms overlap instead of waiting on each other; the root's scans
//! every row in order and takes its bin counts from a table built once per fit (counts do not
//! change from tree to tree). Histogram buffers come from a pool allocated once per fit. The split gain and leaf values
//! follow scikit-learn: gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaf = −η·G/(H+λ), with
//! `min_samples_leaf` rows and a hessian of at least 1e-3 on each side. Gains within 1e-10
//! (relative) of each other are ties, won by the first feature and the lowest bin. Early
//! stopping follows scikit-learn's defaults (`early_stopping: "auto"`: on above 10,000 training
//! rows; 10% of them held out, stratified; stop when the held-out loss has not improved by
//! `tol` = 1e-7 over `n_iter_no_change` = 10 rounds; see [`boost`]). Sample weights
//! (`class_weight`) multiply gradients and hessians.

use super::binning::Binned;
use super::tree::FlatTree;
use booster::Booster;

#[path = "gradient_boosting_booster.rs"]
mod booster;
use super::{
    class_weights, ClassWeight, Classifier, ClassifierModel, FittedClassifier, FittedRegressor,
    Regressor, RegressorModel,
};
use crate::error::ArgError;
use crate::error::{Error, Result};
use crate::models::{ModelKind, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::Value;

/// `{"kind": "gradient_boosting", "learning_rate": 0.1, "max_iter": 100, "max_leaf_nodes": 31,
/// "max_depth": null, "min_samples_leaf": 20, "l2_regularization": 0.0, "class_weight": null,
/// "early_stopping": "auto", "validation_fraction": 0.1, "n_iter_no_change": 10, "tol": 1e-7}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoostingParams {
    #[serde(default = "tenth")]
    pub learning_rate: f64,
    #[serde(default = "hundred")]
    pub max_iter: usize,
    #[serde(default = "thirty_one")]
    pub max_leaf_nodes: usize,
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default = "twenty")]
    pub min_samples_leaf: usize,
    #[serde(default)]
    pub l2_regularization: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weight: Option<ClassWeight>,
    /// Stop when the validation loss has not improved by `tol` in `n_iter_no_change`
    /// iterations: `"auto"` (on above [`AUTO_EARLY_STOPPING_ROWS`] training rows), `true`,
    /// `false`.
    #[serde(default)]
    pub early_stopping: EarlyStopping,
    #[serde(default = "tenth")]
    pub validation_fraction: f64,
    #[serde(default = "ten")]
    pub n_iter_no_change: usize,
    #[serde(default = "tol")]
    pub tol: f64,
}

/// Training rows above which `early_stopping: "auto"` stops early (scikit-learn's 10,000).
pub const AUTO_EARLY_STOPPING_ROWS: usize = 10_000;

/// `early_stopping`: `"auto"`, `true` or `false` (also accepted as the strings `"true"` and
/// `"false"`, as the page's menus give them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EarlyStopping {
    #[default]
    Auto,
    On,
    Off,
}

impl EarlyStopping {
    /// Whether a fit on `rows` training rows stops early.
    pub fn applies(self, rows: usize) -> bool {
        match self {
            EarlyStopping::Auto => rows > AUTO_EARLY_STOPPING_ROWS,
            EarlyStopping::On => true,
            EarlyStopping::Off => false,
        }
    }
}

impl Serialize for EarlyStopping {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            EarlyStopping::Auto => s.serialize_str("auto"),
            EarlyStopping::On => s.serialize_bool(true),
            EarlyStopping::Off => s.serialize_bool(false),
        }
    }
}

impl<'de> Deserialize<'de> for EarlyStopping {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(true) => Ok(EarlyStopping::On),
            Value::Bool(false) => Ok(EarlyStopping::Off),
            Value::String(t) if t == "auto" => Ok(EarlyStopping::Auto),
            Value::String(t) if t == "true" => Ok(EarlyStopping::On),
            Value::String(t) if t == "false" => Ok(EarlyStopping::Off),
            v => Err(serde::de::Error::custom(format!(
                "invalid value for `early_stopping`: expected \"auto\", true or false, got {v}"
            ))),
        }
    }
}

fn tenth() -> f64 {
    0.1
}
fn hundred() -> usize {
    100
}
fn thirty_one() -> usize {
    31
}
fn twenty() -> usize {
    20
}
fn ten() -> usize {
    10
}
fn tol() -> f64 {
    1e-7
}

impl Default for BoostingParams {
    fn default() -> Self {
        BoostingParams {
            learning_rate: 0.1,
            max_iter: 100,
            max_leaf_nodes: 31,
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            class_weight: None,
            early_stopping: EarlyStopping::Auto,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
        }
    }
}

impl BoostingParams {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err((
                "learning_rate",
                format!("must be a positive number, got {}", self.learning_rate),
            ));
        }
        if self.max_iter == 0 || self.max_iter > 100_000 {
            return Err((
                "max_iter",
                format!("must be 1 to 100000, got {}", self.max_iter),
            ));
        }
        if self.max_leaf_nodes < 2 {
            return Err(("max_leaf_nodes", "must be at least 2".into()));
        }
        if self.max_depth == Some(0) {
            return Err(("max_depth", "must be at least 1 (or null)".into()));
        }
        if self.min_samples_leaf == 0 {
            return Err(("min_samples_leaf", "must be at least 1".into()));
        }
        if !(self.l2_regularization.is_finite() && self.l2_regularization >= 0.0) {
            return Err(("l2_regularization", "must be a non-negative number".into()));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err((
                "validation_fraction",
                format!(
                    "must be between 0 and 1 (exclusive), got {}",
                    self.validation_fraction
                ),
            ));
        }
        if self.n_iter_no_change == 0 {
            return Err(("n_iter_no_change", "must be at least 1".into()));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(("tol", "must be a non-negative number".into()));
        }
        Ok(())
    }
}

/// The loss boosted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Binary log loss on a raw score (the log-odds); predictions are probabilities.
    LogLoss,
    SquaredError,
    /// The Cox partial likelihood of a time-to-event target (Breslow ties); the raw score is
    /// the log relative hazard, the risk score.
    Cox,
}

/// A fitted boosted ensemble: baseline + Σ tree outputs (learning rate folded into the leaves).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Boosted {
    pub loss: Loss,
    pub baseline: f64,
    pub trees: Vec<FlatTree>,
    /// Total split gain per feature, normalised to sum 1.
    pub importances: Vec<f64>,
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Boosted {
    /// Raw scores (log-odds or regression values).
    pub fn raw(&self, x: &Array2<f64>) -> Vec<f64> {
        let mut out = vec![self.baseline; x.nrows()];
        for t in &self.trees {
            for (o, row) in out.iter_mut().zip(x.rows()) {
                *o += t.nodes[t.leaf(row)].value;
            }
        }
        out
    }

    /// Probabilities (log loss) or values (squared error).
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        let raw = self.raw(x);
        match self.loss {
            Loss::LogLoss => raw.into_iter().map(sigmoid).collect(),
            Loss::SquaredError | Loss::Cox => raw,
        }
    }
}

/// Boosts up to `p.max_iter` trees on targets `y` (0/1 for log loss) with sample weights `w`;
/// with early stopping (see [`EarlyStopping::applies`]) a seeded `validation_fraction` of the
/// rows (stratified by class for log loss) is held out, and boosting stops once its loss has not
/// improved by more than `tol` over `n_iter_no_change` iterations (scikit-learn's
/// `scoring="loss"`). Without it, the rows are used whole and exactly `max_iter` trees grown.
pub(crate) fn boost(
    p: &BoostingParams,
    loss: Loss,
    x: &Array2<f64>,
    y: &[f64],
    w: &[f64],
    seed: u64,
) -> Boosted {
    // The starting score of the rows boosted on: the log-odds or the mean of their targets.
    let start = |y: &[f64], w: &[f64]| {
        let wsum: f64 = w.iter().sum();
        let mean = y.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / wsum.max(f64::MIN_POSITIVE);
        match loss {
            Loss::LogLoss => {
                let q = mean.clamp(1e-12, 1.0 - 1e-12);
                (q / (1.0 - q)).ln()
            }
            Loss::SquaredError | Loss::Cox => mean,
        }
    };
    let gradients = |y: &[f64], w: &[f64], raw: &[f64], g: &mut [f64], h: &mut [f64]| {
        for r in 0..raw.len() {
            match loss {
                Loss::LogLoss => {
                    let q = sigmoid(raw[r]);
                    g[r] = w[r] * (q - y[r]);
                    h[r] = w[r] * q * (1.0 - q);
                }
                Loss::SquaredError | Loss::Cox => {
                    g[r] = w[r] * (raw[r] - y[r]);
                    h[r] = w[r];
                }
            }
        }
    };
    let grown = if !p.early_stopping.applies(y.len()) {
        None
    } else {
        let (train, valid) = validation_split(loss, y, p.validation_fraction, seed);
        (!train.is_empty() && !valid.is_empty()).then(|| {
            let pick =
                |rows: &[usize], v: &[f64]| -> Vec<f64> { rows.iter().map(|&r| v[r]).collect() };
            let xt = x.select(ndarray::Axis(0), &train);
            let xv = x.select(ndarray::Axis(0), &valid);
            let (yt, wt) = (pick(&train, y), pick(&train, w));
            let (yv, wv) = (pick(&valid, y), pick(&valid, w));
            let validation = Validation {
                x: &xv,
                score: &|raw: &[f64]| validation_score(loss, &yv, &wv, raw),
            };
            let baseline = start(&yt, &wt);
            let grown = boost_on(
                p,
                &xt,
                baseline,
                &wt,
                &mut |raw, g, h| gradients(&yt, &wt, raw, g, h),
                Some(validation),
            );
            (baseline, grown)
        })
    };
    let (baseline, (trees, importances)) = grown.unwrap_or_else(|| {
        let baseline = start(y, w);
        let grown = boost_on(
            p,
            x,
            baseline,
            w,
            &mut |raw, g, h| gradients(y, w, raw, g, h),
            None,
        );
        (baseline, grown)
    });
    Boosted {
        loss,
        baseline,
        trees,
        importances,
    }
}

/// Boosts the Cox partial likelihood (Breslow ties; [`crate::survival::boost::CoxLoss`]) of
/// follow-up `time` and `event` from a score of 0. Early stopping as [`boost`], the held-out
/// rows stratified by event and scored by their own partial likelihood per row.
pub(crate) fn boost_cox(
    p: &BoostingParams,
    x: &Array2<f64>,
    time: &[f64],
    event: &[bool],
    seed: u64,
) -> Boosted {
    use crate::survival::boost::CoxLoss;
    let n = time.len();
    let ones = vec![1.0; n];
    let split = p.early_stopping.applies(n).then(|| {
        let labels: Vec<f64> = event.iter().map(|&e| e as u8 as f64).collect();
        validation_split(Loss::LogLoss, &labels, p.validation_fraction, seed)
    });
    let grown = split
        .filter(|(train, valid)| !train.is_empty() && valid.iter().any(|&r| event[r]))
        .map(|(train, valid)| {
            let xt = x.select(ndarray::Axis(0), &train);
            let xv = x.select(ndarray::Axis(0), &valid);
            let tt: Vec<f64> = train.iter().map(|&r| time[r]).collect();
            let et: Vec<bool> = train.iter().map(|&r| event[r]).collect();
            let tv: Vec<f64> = valid.iter().map(|&r| time[r]).collect();
            let ev: Vec<bool> = valid.iter().map(|&r| event[r]).collect();
            let (lt, lv) = (CoxLoss::new(&tt, &et), CoxLoss::new(&tv, &ev));
            let nv = valid.len() as f64;
            let validation = Validation {
                x: &xv,
                score: &|raw: &[f64]| -lv.loss(raw) / nv,
            };
            boost_on(
                p,
                &xt,
                0.0,
                &ones[..train.len()],
                &mut |raw, g, h| lt.gradients(raw, g, h),
                Some(validation),
            )
        });
    let (trees, importances) = grown.unwrap_or_else(|| {
        let l = CoxLoss::new(time, event);
        boost_on(
            p,
            x,
            0.0,
            &ones,
            &mut |raw, g, h| l.gradients(raw, g, h),
            None,
        )
    });
    Boosted {
        loss: Loss::Cox,
        baseline: 0.0,
        trees,
        importances,
    }
}

/// The rows (in order) boosted on and held out for early stopping: `fraction` of the rows,
/// rounded up, chosen by a seeded shuffle within each class (log loss) or of all rows.
fn validation_split(loss: Loss, y: &[f64], fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0xE5_7011);
    let groups: Vec<Vec<usize>> = match loss {
        Loss::LogLoss => [0.0, 1.0]
            .iter()
            .map(|&c| (0..y.len()).filter(|&r| y[r] == c).collect())
            .collect(),
        Loss::SquaredError | Loss::Cox => vec![(0..y.len()).collect()],
    };
    let mut held = vec![false; y.len()];
    for mut g in groups {
        g.shuffle(&mut rng);
        let k = ((g.len() as f64) * fraction).ceil() as usize;
        g[..k.min(g.len())].iter().for_each(|&r| held[r] = true);
    }
    let train = (0..y.len()).filter(|&r| !held[r]).collect();
    let valid = (0..y.len()).filter(|&r| held[r]).collect();
    (train, valid)
}

/// Rows held out to stop early on, and the score of their raw scores (higher is better).
struct Validation<'a> {
    x: &'a Array2<f64>,
    score: &'a dyn Fn(&[f64]) -> f64,
}

/// The weighted mean loss of raw scores `raw` (binary log loss, or half the squared error as
/// scikit-learn's), negated: higher is better.
fn validation_score(loss: Loss, y: &[f64], w: &[f64], raw: &[f64]) -> f64 {
    let (mut sum, mut wsum) = (0.0, 0.0);
    for ((&r, &y), &w) in raw.iter().zip(y).zip(w) {
        let l = match loss {
            // log(1 + e^r) − y·r, computed without overflow.
            Loss::LogLoss => r.max(0.0) + (-r.abs()).exp().ln_1p() - y * r,
            Loss::SquaredError | Loss::Cox => 0.5 * (r - y) * (r - y),
        };
        sum += w * l;
        wsum += w;
    }
    -sum / wsum.max(f64::MIN_POSITIVE)
}

/// Whether the last `n` scores all fail to beat the one before them by more than `tol`
/// (scikit-learn's `_should_stop`).
fn should_stop(scores: &[f64], n: usize, tol: f64) -> bool {
    if scores.len() < n + 1 {
        return false;
    }
    let reference = scores[scores.len() - n - 1] + tol;
    !scores[scores.len() - n..].iter().any(|&s| s > reference)
}

/// The gradients and hessians of a loss at raw scores: `(raw, g, h)`.
type GradientsOf<'a> = dyn FnMut(&[f64], &mut [f64], &mut [f64]) + 'a;

/// Boosts on all of `x` from the raw score `baseline`, the gradients and hessians of the loss
/// from `gradients(raw, g, h)` (rows of weight `w` 0 are left out), and stops early on
/// `validation` when given. Returns the trees and the normalised split-gain importances.
fn boost_on(
    p: &BoostingParams,
    x: &Array2<f64>,
    baseline: f64,
    w: &[f64],
    gradients: &mut GradientsOf,
    validation: Option<Validation>,
) -> (Vec<FlatTree>, Vec<f64>) {
    let binned = Binned::new(x);
    let n = w.len();
    let mut raw = vec![baseline; n];
    let mut g = vec![0.0; n];
    let mut h = vec![0.0; n];
    let mut rows: Vec<u32> = (0..n as u32).filter(|&r| w[r as usize] > 0.0).collect();
    let mut booster = Booster::new(p, &binned, &rows);
    let mut trees = Vec::with_capacity(p.max_iter);
    let mut valid_raw = validation.as_ref().map(|v| vec![baseline; v.x.nrows()]);
    let mut scores = Vec::new();
    if let (Some(v), Some(vr)) = (&validation, &valid_raw) {
        scores.push((v.score)(vr));
    }
    for _ in 0..p.max_iter {
        gradients(&raw, &mut g, &mut h);
        let tree = booster.tree(&mut rows, &g, &h, &mut raw);
        if let (Some(v), Some(vr)) = (&validation, &mut valid_raw) {
            for (o, row) in vr.iter_mut().zip(v.x.rows()) {
                *o += tree.nodes[tree.leaf(row)].value;
            }
            scores.push((v.score)(vr));
        }
        trees.push(tree);
        if validation.is_some() && should_stop(&scores, p.n_iter_no_change, p.tol) {
            break;
        }
    }
    let mut importances = booster.importances;
    let total: f64 = importances.iter().sum();
    if total > 0.0 {
        importances.iter_mut().for_each(|v| *v /= total);
    }
    (trees, importances)
}

/// The parameters with the seed of a fit (the validation rows of early stopping).
struct Seeded {
    p: BoostingParams,
    seed: u64,
}

impl Classifier for Seeded {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        fit_classifier(&self.p, x, y, self.seed)
    }
}

impl Regressor for Seeded {
    fn fit(&self, x: &Array2<f64>, y: &[f64]) -> Result<RegressorModel> {
        fit_regressor(&self.p, x, y, self.seed)
    }
}

fn fit_classifier(
    p: &BoostingParams,
    x: &Array2<f64>,
    y: &[bool],
    seed: u64,
) -> Result<ClassifierModel> {
    if !(y.contains(&true) && y.contains(&false)) || x.nrows() != y.len() {
        return Err(Error::Model {
            kind: "gradient_boosting".into(),
            message: "the training rows hold only one class".into(),
        });
    }
    let yf: Vec<f64> = y.iter().map(|&b| b as u8 as f64).collect();
    let w = class_weights(y, p.class_weight);
    Ok(ClassifierModel::GradientBoosting(boost(
        p,
        Loss::LogLoss,
        x,
        &yf,
        &w,
        seed,
    )))
}

fn fit_regressor(
    p: &BoostingParams,
    x: &Array2<f64>,
    y: &[f64],
    seed: u64,
) -> Result<RegressorModel> {
    if y.is_empty() || x.nrows() != y.len() {
        return Err(Error::Model {
            kind: "gradient_boosting".into(),
            message: "no training rows".into(),
        });
    }
    Ok(RegressorModel::GradientBoosting(boost(
        p,
        Loss::SquaredError,
        x,
        y,
        &vec![1.0; y.len()],
        seed,
    )))
}

impl Classifier for BoostingParams {
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel> {
        fit_classifier(self, x, y, 0)
    }
}

impl Regressor for BoostingParams {
    fn fit(&self, x: &Array2<f64>, y: &[f64]) -> Result<RegressorModel> {
        fit_regressor(self, x, y, 0)
    }
}

impl FittedRegressor for Boosted {
    fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        Boosted::predict(self, x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        Some(self.importances.clone())
    }
}

impl FittedClassifier for Boosted {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        self.predict(x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        Some(self.importances.clone())
    }
}

#[cfg(test)]
#[path = "gradient_boosting_tests.rs"]
mod tests;

impl ModelKind for BoostingParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        BoostingParams::check(self)
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Classification, Task::Regression, Task::Survival]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        self.class_weight
    }
    fn classifier(&self, seed: u64) -> Option<Box<dyn Classifier>> {
        Some(Box::new(Seeded {
            p: self.clone(),
            seed,
        }))
    }
    fn regressor(&self, seed: u64) -> Option<Box<dyn Regressor>> {
        Some(Box::new(Seeded {
            p: self.clone(),
            seed,
        }))
    }
}

impl Describe for BoostingParams {
    const DOC: &'static str = "Histogram gradient boosting of shallow trees.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "learning_rate",
                Ty::Number,
                json!(0.1),
                "the shrinkage of each tree",
            ),
            Arg::def(
                "max_iter",
                Ty::Integer,
                json!(100),
                "the number of boosting rounds",
            ),
            Arg::def(
                "max_leaf_nodes",
                Ty::Integer,
                json!(31),
                "the most leaves per tree",
            ),
            crate::models::tree::max_depth_arg(),
            Arg::def(
                "min_samples_leaf",
                Ty::Integer,
                json!(20),
                "the fewest training rows in a leaf",
            ),
            Arg::def(
                "l2_regularization",
                Ty::Number,
                json!(0.0),
                "the L2 penalty on leaf values",
            ),
            Arg::opt(
                "class_weight",
                Ty::Enum(&["balanced"]),
                "balanced: weights inversely proportional to class frequencies",
            ),
            Arg::def(
                "early_stopping",
                Ty::Enum(&["auto", "true", "false"]),
                json!("auto"),
                "stop when the loss on held-out training rows stops improving (auto: above 10,000 training rows)",
            ),
            Arg::def(
                "validation_fraction",
                Ty::Number,
                json!(0.1),
                "the share of training rows held out to stop early on",
            ),
            Arg::def(
                "n_iter_no_change",
                Ty::Integer,
                json!(10),
                "stop after this many rounds without improvement",
            ),
            Arg::def(
                "tol",
                Ty::Number,
                json!(1e-7),
                "the least improvement of the held-out loss that counts",
            ),
        ]
    }
    fn example() -> Self {
        BoostingParams::default()
    }
}
