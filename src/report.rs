//! The Report: everything a run did and measured, with the recipe that produced it.

use crate::eval::metrics::Confusion;
use crate::privacy::risk::Measures;
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
    /// One entry per executed step, in order.
    pub audit: Vec<AuditEntry>,
    pub warnings: Vec<String>,
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetReport {
    pub column: String,
    /// The two classes, negative first.
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
}

/// One metric over the splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub folds: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelReport {
    pub kind: String,
    pub params: Value,
    pub metrics: BTreeMap<String, MetricSummary>,
    /// Summed over the test folds at the report threshold.
    pub confusion_matrix: Confusion,
    pub timings: ModelTimings,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelTimings {
    pub fit_ms: f64,
    pub predict_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunTimings {
    pub total_ms: f64,
}

/// One executed step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Where in the recipe: `privacy[0]`, `features[1]`, `models[0]`, or `input`/`target`.
    pub step: String,
    pub op: String,
    pub args: Value,
    pub rows_affected: usize,
    pub cells_affected: usize,
    pub note: String,
}
