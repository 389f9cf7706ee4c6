//! The Report: everything a run did and measured, with the recipe that produced it.

use crate::eval::calibration::CalibrationReport;
use crate::eval::curves::{Curves, RegressionPlot};
use crate::eval::decision::{DecisionPoint, Range};
use crate::eval::fairness::Fairness;
use crate::eval::importance::FeatureImportance;
use crate::eval::metrics::Confusion;
use crate::eval::sample_size::SampleSize;
use crate::eval::search::SearchReport;
use crate::eval::uncertainty::PairedTest;
use crate::message::Message;
use crate::models::Task;
use crate::privacy::anonymize::FrontierPoint;
use crate::privacy::attribute::{AttributeRisk, RiskSuggestion};
use crate::privacy::risk::{InformationLoss, Measures};
use crate::privacy::safe_harbor::SafeHarborWarning;
use crate::recipe::Recipe;
use crate::table::profile::InputSummary;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The whole report of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub bedside_version: String,
    pub recipe: Recipe,
    pub input: InputSummary,
    pub privacy: PrivacyReport,
    pub target: Option<TargetReport>,
    pub evaluation: Option<EvaluationReport>,
    pub models: Vec<ModelReport>,
    /// The same models evaluated on the original (unmasked) data, when the recipe has privacy
    /// steps and `evaluation.compare_original` is not false: the cost of privacy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<OriginalReport>,
    /// Minimum sample size by Riley et al.'s criteria for a binary outcome, with the data's
    /// events per candidate parameter (classification with both classes; see
    /// `eval::sample_size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<SampleSize>,
    /// A time-to-event target's Kaplan–Meier curves, medians, log-rank test and rows left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survival: Option<crate::pipeline::survival::SurvivalSection>,
    /// One entry per executed step, in order.
    pub audit: Vec<AuditEntry>,
    /// What a user should know, in English (the rendering of `warning_codes`).
    pub warnings: Vec<String>,
    /// The warnings as codes with parameters, in the same order (see `crate::message`).
    #[serde(default)]
    pub warning_codes: Vec<Message>,
    /// Leakage and optimism checks on the modelling rows, before any score (each also in
    /// `warnings`): code, parameters, message and the one-click fix (see `eval::leakage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leakage: Vec<crate::table::quality::QualityFlag>,
    pub timings: RunTimings,
}

/// Privacy measures after the privacy steps (flattened) and before them (`before`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivacyReport {
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Option<String>,
    #[serde(flatten)]
    pub after: Measures,
    pub before: Measures,
    pub suppressed_rows: usize,
    /// Rows and columns of the masked output.
    pub output_rows: usize,
    pub output_columns: Vec<String>,
    /// Information loss over the quasi-identifiers (None without quasi-identifiers).
    pub information_loss: Option<InformationLoss>,
    /// Records made unique by each quasi-identifier and each pair, on the released table
    /// (largest share first; see `privacy::attribute`).
    #[serde(default)]
    pub attribute_risk: Vec<AttributeRisk>,
    /// The same on the input, before the privacy steps.
    #[serde(default)]
    pub attribute_risk_before: Vec<AttributeRisk>,
    /// For the top risk drivers of the released table: one generalization step each and the
    /// share of the remaining uniques it would remove.
    #[serde(default)]
    pub risk_suggestions: Vec<RiskSuggestion>,
    /// The risk–utility frontier of the last `k_anonymize` step (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontier: Option<Vec<FrontierPoint>>,
    /// Some released record's prosecutor risk is above `risk.threshold` (records_at_risk > 0).
    /// With `risk.accept` in the recipe the release is audited as `accept_risk`; without it a
    /// warning says so.
    #[serde(default)]
    pub above_threshold: bool,
    /// HIPAA Safe Harbor geography and dates left in the released table
    /// ([`crate::privacy::safe_harbor`]).
    #[serde(default)]
    pub safe_harbor: Vec<SafeHarborWarning>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetReport {
    pub column: String,
    /// `classification` (two classes) or `regression` (a numeric target).
    #[serde(default = "classification")]
    pub task: Task,
    /// The two classes, negative first (empty for regression).
    pub classes: Vec<String>,
    pub positive: String,
    /// Rows per class (same order as `classes`).
    pub counts: Vec<usize>,
    /// Rows left out of modelling because the target is missing.
    pub missing: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationReport {
    pub method: String,
    pub splits: usize,
    pub seed: u64,
    pub threshold: f64,
    pub train_sizes: Vec<usize>,
    pub test_sizes: Vec<usize>,
    /// Model input columns as the models saw them (after encoding), from the first split.
    pub model_inputs: Vec<String>,
    /// The column whose values keep rows together (`group_kfold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// How `metrics.NAME.ci` and `pooled` are computed.
    #[serde(default)]
    pub intervals: Option<IntervalMethod>,
    /// How `importance.permutation` is computed.
    #[serde(default)]
    pub importance: Option<ImportanceMethod>,
    /// The corrected paired t-test between the two best models (two or more models).
    #[serde(default)]
    pub comparison: Option<PairedTest>,
}

fn classification() -> Task {
    Task::Classification
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntervalMethod {
    /// `percentile_bootstrap_of_pooled_out_of_fold_predictions`.
    pub method: String,
    pub resamples: usize,
    pub level: f64,
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportanceMethod {
    /// `permutation_on_test_folds`.
    pub method: String,
    /// The score whose decrease is reported (`roc_auc` or `r2`).
    pub score: String,
    pub repeats: usize,
}

/// One metric over the splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub folds: Vec<Option<f64>>,
    /// The metric on the pooled out-of-fold predictions of all splits.
    #[serde(default)]
    pub pooled: Option<f64>,
    /// 95% bootstrap interval of `pooled` (see `evaluation.intervals`).
    #[serde(default)]
    pub ci: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelReport {
    pub kind: String,
    /// A Cox model's fit on all rows: coefficients, hazard ratios, proportional-hazards check.
    #[serde(rename = "final", default, skip_serializing_if = "Option::is_none")]
    pub final_fit: Option<crate::pipeline::survival::FinalFit>,
    /// A time-to-event model: predicted against Kaplan–Meier survival by risk group at each
    /// horizon, from the pooled out-of-fold predictions (`crate::survival::calibration`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub survival_calibration: Vec<crate::survival::calibration::HorizonCalibration>,
    pub params: Value,
    pub metrics: BTreeMap<String, MetricSummary>,
    /// Summed over the test folds at the report threshold (`null` for regression).
    pub confusion_matrix: Option<Confusion>,
    pub timings: ModelTimings,
    /// What the fits did (gradient boosting: iterations per split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_info: Option<FitInfo>,
    /// ROC, precision–recall and calibration curves of the pooled out-of-fold predictions
    /// (classification with both classes present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curves: Option<Curves>,
    #[serde(default)]
    pub importance: Importance,
    /// Subgroup audit over `evaluation.fairness` (when the recipe names a column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<Fairness>,
    /// The nested hyper-parameter search (when the model entry has `search`): what was chosen
    /// inside each outer training split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchReport>,
    /// Predicted-vs-actual sample and residual histogram (numeric targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionPlot>,
    /// The recalibration of the model entry's `calibration` (how it was fitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recalibration: Option<crate::eval::recalibrate::RecalibrationReport>,
    /// The operating threshold of `evaluation.threshold`: chosen per outer training split and
    /// the outer test rows' sensitivity, specificity, PPV and NPV at it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<crate::eval::threshold::ThresholdReport>,
    /// SHAP values of the outer test rows, each explained by the model fitted on its split's
    /// training rows (absent with `evaluation.shap: false`). See docs/explanations.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shap: Option<ShapReport>,
    /// Partial dependence and centred ICE curves of the inputs with the largest mean |SHAP|,
    /// on the training rows of each split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependence: Vec<DependenceReport>,
    /// Calibration of the pooled out-of-fold probabilities with 95% bootstrap intervals and the
    /// smoothed curve (classification with both classes; see `eval::calibration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationReport>,
    /// Decision curve of the pooled out-of-fold probabilities at thresholds 0.01–0.99
    /// (classification; see `eval::decision`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decision_curve: Vec<DecisionPoint>,
    /// The threshold ranges of `decision_curve` where the model's net benefit is above both
    /// treat-all and treat-none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beneficial_thresholds: Vec<Range>,
}

/// `models[i].shap`: SHAP values pooled over the splits' test rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShapReport {
    /// The scale of the contributions and the explained output: `probability`, `log_odds` or
    /// `value`.
    pub scale: crate::explain::Scale,
    /// The expected output with no input known, averaged over the explained rows (each split
    /// has its own; `rows.base` holds each row's).
    pub base_value: f64,
    /// `tree_path_dependent` and `linear` are exact; `permutation` is an estimate (its
    /// contributions still sum exactly to output − base value).
    pub method: crate::explain::Method,
    /// Background rows per split (`permutation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<usize>,
    /// Permutations per explained row (`permutation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permutations: Option<usize>,
    /// Test rows explained, over all splits.
    pub explained_rows: usize,
    /// Test rows of the splits (explained_rows is smaller when a budget cut it).
    pub test_rows: usize,
    /// Per model input (after encoding), largest `mean_abs` first: the mean |SHAP| and mean
    /// SHAP over the explained rows (an input absent from a split counts 0 on its rows), and the
    /// original column it came from (one-hot parts share their column).
    pub features: Vec<ShapFeature>,
    /// Per original column: the sum over its inputs of each row's SHAP, then mean |·| and mean
    /// (one-hot parts summed back), largest first.
    pub columns: Vec<ShapFeature>,
    /// A bounded sample of explained rows for a beeswarm.
    pub rows: ShapRows,
}

/// One input's (or column's) SHAP summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShapFeature {
    pub feature: String,
    pub column: String,
    pub mean_abs: f64,
    pub mean: f64,
}

/// Up to 1,000 explained rows: `values[r][k]` is row r's SHAP for `features[k]` and
/// `inputs[r][k]` the input value it had (null when the input did not exist on its split);
/// `base[r] + Σₖ values[r][k] = output[r]`.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ShapRows {
    pub features: Vec<String>,
    pub split: Vec<usize>,
    pub base: Vec<f64>,
    pub output: Vec<f64>,
    pub values: Vec<Vec<f64>>,
    pub inputs: Vec<Vec<Option<f64>>>,
}

/// `models[i].dependence[k]`: partial dependence of one input.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DependenceReport {
    pub feature: String,
    pub column: String,
    /// Grid of input values (quantiles of the training rows of the first split that has the
    /// input).
    pub grid: Vec<f64>,
    /// Mean prediction over the training rows at each grid value: the mean over splits, and
    /// the lowest and highest split (curves of other splits read at this grid by linear
    /// interpolation).
    pub pd: Band,
    /// Splits the curve was computed on.
    pub splits: usize,
    /// Up to 20 centred ICE curves (prediction minus the row's prediction at the first grid
    /// value) from the first split, at `grid`.
    pub ice_centred_sample: Vec<Vec<f64>>,
}

/// A curve with its spread over the splits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Band {
    pub mean: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// The models evaluated on the original data (see `Report::original`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OriginalReport {
    /// How the comparison was made, or why it could not be (English rendering of `coded`).
    pub note: String,
    /// The note as a code with parameters (`code`, `params` in JSON).
    #[serde(flatten)]
    pub coded: Message,
    /// Whether the original data could be evaluated (`models` and `cost` are empty if not).
    pub evaluated: bool,
    /// Columns of the original data used: those that survive the privacy steps.
    pub columns: Vec<String>,
    /// Modelling rows and splits on the original data.
    pub rows: usize,
    pub splits: usize,
    pub models: Vec<OriginalModel>,
    /// Per model, the key metrics on both: `difference` = masked − original.
    pub cost: Vec<PrivacyCost>,
}

/// One model on the original data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OriginalModel {
    pub kind: String,
    pub metrics: BTreeMap<String, MetricSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchReport>,
}

/// One model's metric on the original and the masked data (means over the splits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivacyCost {
    /// Position in `models`.
    pub model: usize,
    pub kind: String,
    pub metric: String,
    /// Whether a higher value is better (`roc_auc`, `r2`) or lower (`mae`, `rmse`).
    pub higher_is_better: bool,
    pub original: Option<f64>,
    pub masked: Option<f64>,
    /// masked − original.
    pub difference: Option<f64>,
}

/// Explanations of one model, most important input first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Importance {
    /// Permutation importance on the test folds (empty when no split could measure it).
    pub permutation: Vec<FeatureImportance>,
    /// Impurity importance (tree models only).
    pub impurity: Option<Vec<FeatureImportance>>,
}

/// One model's time, summed over the splits (work time: splits fitted at the same time on
/// several threads add up to more than the wall-clock time they took).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelTimings {
    pub fit_ms: f64,
    pub predict_ms: f64,
    /// Time in the nested hyper-parameter search (0 without one).
    #[serde(default)]
    pub search_ms: f64,
    /// Time in permutation importance (0 when it is off).
    #[serde(default)]
    pub importance_ms: f64,
    /// Time computing the bootstrap intervals of the pooled metrics (0 when a pool of workers
    /// computed them apart: the page times those itself).
    #[serde(default)]
    pub intervals_ms: f64,
    /// Time of the curves and the fairness audit of the pooled predictions.
    #[serde(default)]
    pub report_ms: f64,
    /// Time in SHAP values and partial dependence (0 when they are off).
    #[serde(default)]
    pub shap_ms: f64,
}

/// How a run's time went: `total_ms` wall-clock from the start of the privacy steps to the
/// report, and `phases` the work time of each phase (summed over splits and models; see
/// docs/report.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunTimings {
    pub total_ms: f64,
    /// In run order: `stage` (privacy steps, risk, preparing the splits), `features`, `search`,
    /// `fit`, `predict`, `importance`, `intervals`, `report` (curves, fairness, assembling),
    /// `original` (every phase of the original-data comparison).
    #[serde(default)]
    pub phases: Vec<PhaseTime>,
}

/// One phase of a run and its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTime {
    pub phase: String,
    pub ms: f64,
}

/// What a model's fits did, per split (gradient boosting: the iterations used, fewer than
/// `max_iter` when early stopping stopped them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    /// Boosting iterations per split, in split order.
    pub n_iter: Vec<usize>,
}

/// One executed step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Where in the recipe: `privacy[0]`, `features[1]`, `models[0]`, or `input`/`target`.
    pub step: String,
    pub op: String,
    pub args: Value,
    pub rows_affected: usize,
    pub cells_affected: usize,
    /// What the step did, in English (the rendering of `coded`).
    pub note: String,
    /// The note as a code with parameters (`code`, `params` in JSON; absent for notes from
    /// versions before codes).
    #[serde(flatten)]
    pub coded: Message,
}
