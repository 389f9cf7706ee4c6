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

use crate::error::{Error, Result};
use crate::features::matrix;
use crate::features::{self, Pipeline};
use crate::models::{self, Task};
use crate::privacy::{PrivacyContext, PrivacyStep, Replay};
use crate::recipe::Recipe;
use crate::report::{MetricSummary, Report};
use crate::table::profile::InputSummary;
use crate::table::{format_number, Column, ColumnType, Table, Values};
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
    /// The hyper-parameters a nested search chose for this final fit (by inner cross-validation
    /// over all labelled rows), when the model entry has a `search`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_chosen: Option<BTreeMap<String, serde_json::Value>>,
    pub target: BundleTarget,
    /// Probability at or above which a record is given the positive class.
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

/// How new records treat privacy step `step` given the model's input columns.
fn handling(i: usize, step: &PrivacyStep, inputs: &[String]) -> Result<PrivacyHandling> {
    let touched: Vec<&str> = step
        .op()
        .changed_columns()
        .into_iter()
        .filter(|c| inputs.iter().any(|n| n == c))
        .collect();
    let name = format!("privacy[{i}]");
    let h = |handling: &str, args: Option<PrivacyStep>, note: String| PrivacyHandling {
        step: name.clone(),
        op: step.name().into(),
        handling: handling.into(),
        args,
        note,
    };
    if touched.is_empty() {
        return Ok(h("not_applied", None, "changes no model input".into()));
    }
    let cols = touched.join("', '");
    let refuse = |why: &str| {
        Err(Error::recipe(
            format!("{name} ({})", step.name()),
            None,
            format!("model input '{cols}' passes through this step, which {why}; a saved model cannot reproduce it on new records. Give the column the role ignore (or identifier) and run again to export this model"),
        ))
    };
    match step.op().replay() {
        Replay::Refused(why) => refuse(why),
        Replay::TrainingRecordsOnly => Ok(h(
            "not_applied",
            None,
            "removes training records only; every new record is scored".into(),
        )),
        Replay::RawValues => Ok(h(
            "raw_values",
            None,
            format!("randomized during training; new records are scored on their true values of '{cols}'"),
        )),
        Replay::Replayed => Ok(h(
            "replayed",
            Some(step.redacted()),
            format!("applied to '{cols}' of new records as to the training file"),
        )),
    }
}

/// Fits model `model_index` of `recipe` on all labelled rows of `table` (after the privacy steps,
/// with `key` for pseudonymization) and saves it with the metrics of `report`, the Report of the
/// run of the same recipe on the same file.
pub fn export(
    table: &Table,
    input: &InputSummary,
    recipe: &Recipe,
    report: &Report,
    model_index: usize,
    key: &[u8],
) -> Result<Exported> {
    let field = |m: &str| bundle_err(m.to_string());
    if report.input.sha256 != input.sha256 {
        return Err(field(
            "the report is of another file (its sha256 differs); run the recipe on this file first",
        ));
    }
    if serde_json::to_value(&report.recipe).ok() != serde_json::to_value(recipe.redacted()).ok() {
        return Err(field(
            "the report is of another recipe; run this recipe first",
        ));
    }
    let spec = recipe.models.get(model_index).ok_or_else(|| {
        field(&format!(
            "model_index {model_index}: the recipe has {} model(s)",
            recipe.models.len()
        ))
    })?;
    let model_report = report
        .models
        .get(model_index)
        .ok_or_else(|| field("the report has no metrics for this model"))?;
    let (Some(target), Some(evaluation)) = (&report.target, &report.evaluation) else {
        return Err(field("the report trained no model"));
    };

    let masked = crate::run::apply_privacy(table, recipe, key, &mut |_, _| Ok(()))?;
    // The target and inputs exactly as the cross-validation saw them.
    let prepared = crate::run::prepare(&masked.table, recipe, &mut Vec::new())?;
    let (mut yc, yr) = (prepared.labels().to_vec(), prepared.values().to_vec());
    let labels = yc.clone();
    let prepared_searches = prepared.searches;
    let x_table = prepared.x_table;
    let inputs = x_table.names();
    let privacy = recipe
        .privacy
        .iter()
        .enumerate()
        .map(|(i, s)| handling(i, s, &inputs))
        .collect::<Result<Vec<_>>>()?;
    // The labelled rows of the masked table (those `prepare` kept), for the row numbers.
    let rows: Vec<usize> = masked.table.column(&target.column).map_or(Vec::new(), |c| {
        (0..c.values.len())
            .filter(|&r| !c.values.is_missing(r))
            .collect()
    });
    let mut train = x_table.clone();
    let mut empty = x_table.take_rows(&[]);
    let (_, pipeline) = features::fit_pipeline(
        &recipe.features,
        &mut train,
        &mut yc,
        &mut empty,
        recipe.seed,
    )?;
    if target.task == Task::Regression && yc.len() != rows.len() {
        return Err(Error::recipe(
            "features",
            None,
            "a step that adds or removes training rows needs a class target",
        ));
    }
    let xtr = matrix(&train)?;
    let at = |e: Error| match e {
        Error::Model { kind, message } => Error::Model {
            kind: format!("models[{model_index}] ({kind})"),
            message: format!("final fit on all rows: {message}"),
        },
        e => e,
    };
    // With a search, choose as in each split, now over all labelled rows, then fit the choice.
    let (chosen, search_chosen) = match (&spec.search, prepared_searches.get(model_index)) {
        (Some(s), Some(Some(candidates))) => {
            let step = format!("models[{model_index}] ({})", spec.kind());
            let data = crate::eval::search::SearchData {
                step: &step,
                x: &x_table,
                labels: &labels,
                values: &yr,
                task: target.task,
                features: &recipe.features,
            };
            let choice =
                crate::eval::search::select(s, candidates, &data, recipe.seed, &mut || Ok(()))
                    .map_err(at)?;
            let c = &candidates[choice.index];
            (c.spec.clone(), Some(c.params.clone()))
        }
        _ => (spec.spec.clone(), None),
    };
    let fitted = chosen
        .fit(target.task, &xtr, &yc, &yr, recipe.seed)
        .map_err(at)?;
    // The model's predictions on the training rows, transformed as new rows are (no resampling).
    let mut same = x_table.clone();
    pipeline.transform(&mut same);
    let fitted_predictions: Vec<(usize, f64)> = rows
        .iter()
        .map(|&r| masked.row_map[r])
        .zip(fitted.predict(&matrix(&same)?))
        .collect();

    let mut contains = Vec::new();
    match &fitted {
        models::Fitted::Classifier(models::ClassifierModel::Knn(n)) => contains.push(format!(
            "knn stores all {} training rows it was fitted on (masked, after the feature steps) to find neighbours",
            n.y.len()
        )),
        models::Fitted::Classifier(models::ClassifierModel::Svm(_)) => contains.push(
            "svm stores its support vectors: training rows (masked, after the feature steps)".into(),
        ),
        _ => {}
    }
    for s in &pipeline.steps {
        if let features::FittedStep::Impute(f) = s {
            if let Some(features::impute::Model::Knn(_)) = &f.model {
                contains.push(
                    "impute (knn) stores the training rows' numeric columns as donors (masked)"
                        .into(),
                );
            }
        }
    }

    let schema: Vec<InputColumn> = x_table
        .columns
        .iter()
        .map(|c| {
            let categories = matches!(c.values, Values::Str(_)).then(|| {
                let mut cats: Vec<String> = (0..c.values.len())
                    .filter_map(|r| c.values.text(r))
                    .collect();
                cats.sort();
                cats.dedup();
                cats
            });
            InputColumn {
                name: c.name.clone(),
                raw_type: table.column(&c.name).map_or(c.ctype, |r| r.ctype),
                ctype: c.ctype,
                categories,
            }
        })
        .collect();
    let mut warnings = report.warnings.clone();
    warnings.retain(|w| w.contains("date column"));
    let bundle = ModelBundle {
        format: FORMAT.into(),
        bedside_version: crate::VERSION.into(),
        created_from: CreatedFrom {
            file: input.file.clone(),
            sha256: input.sha256.clone(),
            rows_used: rows.len(),
        },
        recipe: recipe.redacted(),
        model_index,
        kind: spec.kind().into(),
        privacy,
        inputs: schema,
        model_inputs: train.names(),
        pipeline,
        model: fitted,
        search_chosen,
        target: BundleTarget {
            column: target.column.clone(),
            task: target.task,
            classes: target.classes.clone(),
            positive: (target.task == Task::Classification).then(|| target.positive.clone()),
        },
        threshold: evaluation.threshold,
        evaluation: BundleEvaluation {
            method: evaluation.method.clone(),
            splits: evaluation.splits,
            metrics: model_report.metrics.clone(),
        },
        contains_training_rows: contains,
        warnings: Vec::new(),
    };
    // Every number must survive JSON (no NaN or infinity in what was learned).
    ModelBundle::from_json(&bundle.to_json()?)?;
    Ok(Exported {
        bundle,
        fitted_predictions,
    })
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

    /// Scores every row of `table` (a raw file with the training file's columns; `lines[r]` is
    /// the physical line of row `r`, `file` names it in messages).
    pub fn apply(&self, table: &Table, lines: &[u64], file: &str) -> Result<Predictions> {
        let n = table.rows();
        let line = |r: usize| lines.get(r).copied().unwrap_or(r as u64 + 2);
        for c in &self.inputs {
            if table.column(&c.name).is_none() {
                return Err(Error::Input {
                    file: file.into(),
                    message: format!(
                        "no column '{}': the model needs it (inputs: {})",
                        c.name,
                        self.inputs
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        let mut bad: Vec<Option<(String, String)>> = vec![None; n];
        // The inputs read as in the training file, then the replayed privacy steps.
        let raw: Vec<(String, ColumnType)> = self
            .inputs
            .iter()
            .map(|c| (c.name.clone(), c.raw_type))
            .collect();
        let mut t = conform(table, &raw, &mut bad);
        let no_ids: Vec<String> = Vec::new();
        let row_map: Vec<usize> = (0..n).collect();
        for (i, h) in self.privacy.iter().enumerate() {
            let Some(step) = &h.args else { continue };
            let ctx = PrivacyContext {
                key: &[],
                seed: self.recipe.seed,
                step: i,
                original: table,
                row_map: &row_map,
                identifiers: &no_ids,
            };
            step.apply(&mut t, &ctx).map_err(|(field, message)| {
                Error::recipe(format!("{} ({})", h.step, h.op), Some(field), message)
            })?;
        }
        let masked: Vec<(String, ColumnType)> = self
            .inputs
            .iter()
            .map(|c| (c.name.clone(), c.ctype))
            .collect();
        let t = conform(&t, &masked, &mut bad);
        let mut x = Table::new(
            self.inputs
                .iter()
                .filter_map(|c| t.column(&c.name).cloned())
                .collect(),
        );

        // Categories never seen in training (one_hot treats them as it was fitted to).
        let mut unseen: BTreeMap<String, usize> = BTreeMap::new();
        for c in &self.inputs {
            let (Some(cats), Some(col)) = (&c.categories, x.column(&c.name)) else {
                continue;
            };
            let k = (0..n)
                .filter(|&r| {
                    col.values
                        .text(r)
                        .is_some_and(|v| cats.binary_search(&v).is_err())
                })
                .count();
            if k > 0 {
                unseen.insert(c.name.clone(), k);
            }
        }
        let before = x.clone();
        self.pipeline.transform(&mut x);
        let names = x.names();
        if names != self.model_inputs {
            return Err(bundle_err(format!(
                "the feature steps gave columns {names:?}, the model reads {:?}",
                self.model_inputs
            )));
        }
        // Rows the pipeline leaves incomplete cannot be scored: name the input at fault.
        for r in 0..n {
            if bad[r].is_some() {
                continue;
            }
            let incomplete = x.columns.iter().find(|c| match &c.values {
                Values::Num(v) => !v[r].is_finite(),
                Values::Str(_) => true,
            });
            if let Some(c) = incomplete {
                let field = before
                    .columns
                    .iter()
                    .find(|b| b.values.is_missing(r))
                    .map_or(c.name.clone(), |b| b.name.clone());
                bad[r] = Some((
                    field,
                    "missing, and no feature step of the model fills it".into(),
                ));
            }
        }
        let ok: Vec<usize> = (0..n).filter(|&r| bad[r].is_none()).collect();
        let m = matrix(&x.take_rows(&ok))?;
        let values = self.model.predict(&m);
        let mut scored = Vec::with_capacity(ok.len());
        for (&r, &v) in ok.iter().zip(&values) {
            let (probability, class, value) = match self.target.task {
                Task::Classification => {
                    let pos = v >= self.threshold;
                    (
                        Some(v),
                        self.target.classes.get(pos as usize).cloned(),
                        None,
                    )
                }
                Task::Regression => (None, None, Some(v)),
            };
            scored.push(Scored {
                row: r + 1,
                line: line(r),
                probability,
                class,
                value,
            });
        }
        let unscorable: Vec<Unscorable> = bad
            .into_iter()
            .enumerate()
            .filter_map(|(r, b)| {
                b.map(|(field, reason)| Unscorable {
                    row: r + 1,
                    line: line(r),
                    field,
                    reason,
                })
            })
            .collect();
        let mut warnings = Vec::new();
        for (c, k) in &unseen {
            warnings.push(format!(
                "column '{c}': {k} value(s) not seen in training, encoded as the fitted one_hot step encodes an unknown category (its 'other' column, or all zeros)"
            ));
        }
        if !unscorable.is_empty() {
            warnings.push(format!("{} row(s) could not be scored", unscorable.len()));
        }
        Ok(Predictions {
            file: file.into(),
            task: self.target.task,
            kind: self.kind.clone(),
            rows: n,
            threshold: self.threshold,
            classes: self.target.classes.clone(),
            scored,
            unscorable,
            unseen,
            warnings,
        })
    }
}

/// The given columns of `table` converted to the types they had in training (`Values::Num` for
/// numeric, text otherwise); a cell that does not convert marks its row in `bad`.
fn conform(
    table: &Table,
    columns: &[(String, ColumnType)],
    bad: &mut [Option<(String, String)>],
) -> Table {
    let mut out = table.clone();
    for (name, ctype) in columns {
        let Some(col) = out.column_mut(name) else {
            continue;
        };
        let values = match (&col.values, *ctype) {
            (Values::Str(v), ColumnType::Numeric) => Values::Num(
                v.iter()
                    .enumerate()
                    .map(|(r, s)| match s {
                        None => f64::NAN,
                        Some(s) => crate::table::csv::parse_number(s).unwrap_or_else(|| {
                            if bad[r].is_none() {
                                bad[r] = Some((name.clone(), "not a number".into()));
                            }
                            f64::NAN
                        }),
                    })
                    .collect(),
            ),
            (Values::Num(v), t) if t != ColumnType::Numeric => Values::Str(
                v.iter()
                    .map(|x| (!x.is_nan()).then(|| format_number(*x)))
                    .collect(),
            ),
            (v, _) => v.clone(),
        };
        *col = Column {
            name: name.clone(),
            ctype: *ctype,
            values,
        };
    }
    out
}

/// One scored row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// 1-based data row of the input file.
    pub row: usize,
    /// Physical line of the input file.
    pub line: u64,
    /// Probability of the positive class (class targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The predicted class at the threshold (class targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The predicted value (numeric targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// A row that could not be scored, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unscorable {
    pub row: usize,
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// The result of applying a bundle to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predictions {
    pub file: String,
    pub task: Task,
    pub kind: String,
    /// Rows in the file.
    pub rows: usize,
    pub threshold: f64,
    pub classes: Vec<String>,
    pub scored: Vec<Scored>,
    pub unscorable: Vec<Unscorable>,
    /// Per categorical input: values not seen in training.
    pub unseen: BTreeMap<String, usize>,
    pub warnings: Vec<String>,
}

impl Predictions {
    /// The predictions as CSV, one line per input row in order: `row,line,probability,
    /// predicted_class` (class targets) or `row,line,predicted_value`, and `not_scored` (the
    /// field and reason for a row that could not be scored). No input value is repeated.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let class = self.task == Task::Classification;
        let header: &[&str] = if class {
            &[
                "row",
                "line",
                "probability",
                "predicted_class",
                "not_scored",
            ]
        } else {
            &["row", "line", "predicted_value", "not_scored"]
        };
        let _ = w.write_record(header);
        let mut rows: Vec<(usize, Vec<String>)> = self
            .scored
            .iter()
            .map(|s| {
                let mut rec = vec![s.row.to_string(), s.line.to_string()];
                if class {
                    rec.push(s.probability.map(|p| p.to_string()).unwrap_or_default());
                    rec.push(s.class.clone().unwrap_or_default());
                } else {
                    rec.push(s.value.map(|v| v.to_string()).unwrap_or_default());
                }
                rec.push(String::new());
                (s.row, rec)
            })
            .collect();
        for u in &self.unscorable {
            let mut rec = vec![u.row.to_string(), u.line.to_string(), String::new()];
            if class {
                rec.push(String::new());
            }
            rec.push(format!("{}: {}", u.field, u.reason));
            rows.push((u.row, rec));
        }
        rows.sort_by_key(|r| r.0);
        for (_, rec) in rows {
            let _ = w.write_record(&rec);
        }
        w.into_inner().unwrap_or_default()
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
        let key = crate::run::new_key()?;
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
        let mut p = bundle.apply(&self.parsed.table, &self.parsed.lines, &self.file)?;
        for r in &self.parsed.repairs {
            if bundle.inputs.iter().any(|c| c.name == r.column) {
                p.warnings.push(format!(
                    "column '{}': {} (lines {:?}); the model's feature steps treat them as missing",
                    r.column, r.message, r.lines
                ));
            }
        }
        Ok(p)
    }
}
