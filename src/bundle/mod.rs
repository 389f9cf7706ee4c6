//! Model bundles: a trained model saved as JSON, imported again and applied to new records.
//!
//! A [`ModelBundle`] holds everything needed to score a new, raw record: which privacy steps to
//! replay on it (never the pseudonymization key: a column that reaches the model only through a
//! keyed step cannot be reproduced, so [`export`] refuses it), the input schema, the fitted
//! feature pipeline, the fitted model, the target, the threshold and the cross-validated metrics
//! that say what the model is worth. The model is fitted on all labelled rows of the masked table
//! with the recipe seed, after the cross-validation that estimated its worth.
//!
//! Learned parameters can be training records: a kNN model stores every (masked, transformed)
//! training row, an SVM its support vectors, KNN imputation its donor rows. The bundle says so in
//! `contains_training_rows`.

mod apply;
mod export;

pub use apply::{ApplyExplanation, ApplySurvival, Predictions, Scored, Unscorable};
pub use export::export;

use crate::error::{Error, Result};
use crate::features::Pipeline;
use crate::models::{self, Task};
use crate::privacy::PrivacyStep;
use crate::recipe::Recipe;
use crate::report::{MetricSummary, Report};
use crate::table::ColumnType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` of the bundles this build writes and reads.
pub const FORMAT: &str = "bedside-model/1";

/// A trained model with everything needed to apply it to new records (see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelBundle {
    /// Always [`FORMAT`].
    pub format: String,
    pub bedside_version: String,
    pub created_from: CreatedFrom,
    /// The recipe, redacted (a user's pseudonymization key never appears).
    pub recipe: Recipe,
    /// Which of the recipe's models this is, and its kind.
    pub model_index: usize,
    pub kind: String,
    /// What happens to each privacy step when a new record is scored.
    pub privacy: Vec<PrivacyHandling>,
    /// The model's input columns, as the new file must provide them.
    pub inputs: Vec<InputColumn>,
    /// The fitted feature steps, in order.
    pub pipeline: Pipeline,
    /// The columns the model reads, after the feature steps.
    pub model_inputs: Vec<String>,
    pub model: models::Fitted,
    /// What `apply --explain` explains new records against: the training means (linear models)
    /// or a background sample of training rows (model-agnostic kinds; masked, encoded model
    /// inputs only). Empty for tree models and with `evaluation.shap: false`.
    #[serde(default, skip_serializing_if = "crate::explain::Reference::is_empty")]
    pub explain: crate::explain::Reference,
    /// The hyper-parameters a nested search chose for this final fit (by inner cross-validation
    /// over all labelled rows), when the model entry has a `search`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_chosen: Option<BTreeMap<String, serde_json::Value>>,
    pub target: BundleTarget,
    /// A time-to-event model: the horizons its predicted survival is given at and the largest
    /// follow-up time of the rows it was fitted on (the curves of `apply` span 0 to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survival: Option<BundleSurvival>,
    /// Probability at or above which a record is given the positive class: 0.5, or with the
    /// recipe's `evaluation.threshold` the one its rule chose on inner folds of all labelled rows
    /// (1 when no threshold met the rule).
    pub threshold: f64,
    /// The evaluation method and the model's cross-validated metrics (from the Report).
    pub evaluation: BundleEvaluation,
    /// Why this file contains (masked) training records, if it does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contains_training_rows: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The data a bundle was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedFrom {
    pub file: String,
    pub sha256: String,
    /// Labelled rows of the masked table the final model was fitted on.
    pub rows_used: usize,
}

/// How a privacy step is treated when new records are scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivacyHandling {
    /// Like `privacy[3]`.
    pub step: String,
    pub op: String,
    /// `replayed` (applied to new records as to the training file), `not_applied` (it changes
    /// no model input, or only removes training records) or `raw_values` (a randomized step:
    /// new records are scored on their true values).
    pub handling: String,
    /// The replayed step (only for `replayed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<PrivacyStep>,
    /// For a step chosen over the whole training file (`k_anonymize`): the level each column
    /// was generalized to, resolved on the training file; new records are relabelled through it
    /// value by value instead of running `args` (which shows the step with those levels pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generalization: Option<Vec<crate::privacy::ladder::Generalization>>,
    pub note: String,
}

/// One input column of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputColumn {
    pub name: String,
    /// The type in the training file (new files are read to it).
    pub raw_type: ColumnType,
    /// The type after the privacy steps (what the feature steps saw).
    #[serde(rename = "type")]
    pub ctype: ColumnType,
    /// Categories seen in training after the privacy steps (categorical columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
}

/// The target a bundle predicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleTarget {
    pub column: String,
    pub task: Task,
    /// `[negative, positive]` for a class target; empty for a numeric one.
    pub classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<String>,
}

/// The horizons of a time-to-event model and its follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleSurvival {
    pub horizons: Vec<f64>,
    /// The largest follow-up time of the rows the model was fitted on.
    pub follow_up: f64,
}

/// What the cross-validation said about the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleEvaluation {
    pub method: String,
    pub splits: usize,
    pub metrics: BTreeMap<String, MetricSummary>,
}

/// A bundle and the predictions of the model it holds on the rows it was fitted on (for checks:
/// applying the bundle to the same raw rows must give exactly these).
pub struct Exported {
    pub bundle: ModelBundle,
    /// (row of the input table, prediction) for every row the model was fitted on.
    pub fitted_predictions: Vec<(usize, f64)>,
}

fn bundle_err(message: impl Into<String>) -> Error {
    Error::Data(format!("model file: {}", message.into()))
}

impl ModelBundle {
    /// The bundle as JSON text.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| bundle_err(e.to_string()))
    }

    /// Reads a bundle; errors name what is wrong (not JSON, another format, a missing field).
    pub fn from_json(text: &str) -> Result<ModelBundle> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bundle_err(format!("not JSON ({e})")))?;
        let Some(obj) = value.as_object() else {
            return Err(bundle_err(
                "not a Bedside model (a JSON object is expected)",
            ));
        };
        match obj.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(bundle_err(format!(
                    "format '{other}' is not supported; this build reads '{FORMAT}'"
                )))
            }
            None => {
                return Err(bundle_err(format!(
                    "missing field 'format': not a Bedside model ('{FORMAT}')"
                )))
            }
        }
        for f in [
            "bedside_version",
            "created_from",
            "recipe",
            "inputs",
            "pipeline",
            "model",
            "target",
            "threshold",
            "evaluation",
        ] {
            if !obj.contains_key(f) {
                return Err(bundle_err(format!("missing field '{f}'")));
            }
        }
        let bundle: ModelBundle = serde_json::from_value(value).map_err(|e| {
            bundle_err(format!(
                "{e} (a number may be missing: NaN and infinity cannot be saved)"
            ))
        })?;
        if !(0.0..=1.0).contains(&bundle.threshold) {
            return Err(bundle_err("field 'threshold' must be between 0 and 1"));
        }
        Ok(bundle)
    }
}

impl crate::Loaded {
    /// Exports model `model_index` of `recipe`, whose run on this file gave `report` (a fresh
    /// pseudonymization key: keyed columns are never model inputs, and the key is not saved).
    pub fn export_model(
        &self,
        recipe: &Recipe,
        report: &Report,
        model_index: usize,
    ) -> Result<ModelBundle> {
        let key = crate::pipeline::new_key()?;
        Ok(export(
            &self.parsed.table,
            &self.summary,
            recipe,
            report,
            model_index,
            &key,
        )?
        .bundle)
    }

    /// Applies `bundle` to every row of this file.
    /// The reader's repairs of model input columns (values that are not numbers in a mostly
    /// numeric column, read as missing) are listed among the warnings.
    pub fn apply(&self, bundle: &ModelBundle) -> Result<Predictions> {
        self.apply_explained(bundle, false)
    }

    /// [`Self::apply`], with SHAP values of every scored row when `explain` (see
    /// [`ModelBundle::apply_explained`]).
    pub fn apply_explained(&self, bundle: &ModelBundle, explain: bool) -> Result<Predictions> {
        let mut p =
            bundle.apply_explained(&self.parsed.table, &self.parsed.lines, &self.file, explain)?;
        for r in &self.parsed.repairs {
            if bundle.inputs.iter().any(|c| c.name == r.column) {
                p.warn(crate::message::apply_repaired(
                    r.column.as_str(),
                    r.coded.clone(),
                    r.lines.clone(),
                ));
            }
        }
        Ok(p)
    }
}
