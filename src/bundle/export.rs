//! A model file written: the model fitted on all labelled rows with the one fold-fitting path
//! ([`crate::pipeline::fold`]), how each privacy step is treated on new records, the input schema.

use super::{
    bundle_err, BundleEvaluation, BundleSurvival, BundleTarget, CreatedFrom, Exported, InputColumn,
    ModelBundle, PrivacyHandling, FORMAT,
};
use crate::error::StepRef;
use crate::error::{Error, Result};
use crate::features::{self, matrix};
use crate::models::{self, Task};
use crate::pipeline::fold::fit_split;
use crate::pipeline::search::{select, SearchData};
use crate::privacy::{PrivacyStep, Replay};
use crate::recipe::Recipe;
use crate::report::Report;
use crate::seeds;
use crate::table::profile::InputSummary;
use crate::table::{Table, Values};

/// How new records treat privacy step `step` given the model's input columns.
/// `training(i)` is the table step `i` received in the training run (for [`Replay::Frozen`]).
fn handling(
    i: usize,
    step: &PrivacyStep,
    inputs: &[String],
    training: &dyn Fn(usize) -> Result<Table>,
) -> Result<PrivacyHandling> {
    let touched: Vec<&str> = step
        .op()
        .changed_columns()
        .into_iter()
        .filter(|c| inputs.iter().any(|n| n == c))
        .collect();
    let name = StepRef::privacy(i, step.name()).position();
    let h = |handling: &str, args: Option<PrivacyStep>, note: String| PrivacyHandling {
        step: name.clone(),
        op: step.name().into(),
        handling: handling.into(),
        args,
        generalization: None,
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
        Replay::Frozen => {
            let at = StepRef::privacy(i, step.name());
            let (pinned, generalization) = step
                .freeze(&training(i)?)
                .map_err(|e| at.error(e))?;
            let levels = generalization
                .iter()
                .map(|g| format!("{} to {}", g.column, g.level_name))
                .collect::<Vec<_>>()
                .join(", ");
            Ok(PrivacyHandling {
                generalization: Some(generalization),
                ..h(
                    "replayed",
                    Some(pinned),
                    format!("new records generalized as the training file was ({levels}), value by value: no record is removed and no group size is checked"),
                )
            })
        }
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

    let masked = crate::pipeline::apply_privacy(table, recipe, key, &mut |_, _| Ok(()))?;
    // The table privacy step `i` received: the steps before it run again (deterministic).
    let training = |i: usize| -> Result<Table> {
        let before = Recipe {
            privacy: recipe.privacy[..i].to_vec(),
            ..recipe.clone()
        };
        Ok(crate::pipeline::apply_privacy(table, &before, key, &mut |_, _| Ok(()))?.table)
    };
    // The target and inputs exactly as the cross-validation saw them.
    let prepared = crate::pipeline::prepare(&masked.table, recipe, &mut Vec::new())?;
    let (labels, yr) = (prepared.labels(), prepared.values());
    let x_table = &prepared.x_table;
    let inputs = x_table.names();
    let privacy = recipe
        .privacy
        .iter()
        .enumerate()
        .map(|(i, s)| handling(i, s, &inputs, &training))
        .collect::<Result<Vec<_>>>()?;
    // The labelled rows of the masked table (those `prepare` kept), for the row numbers.
    let rows: Vec<usize> = masked.table.column(&target.column).map_or(Vec::new(), |c| {
        (0..c.values.len())
            .filter(|&r| !c.values.is_missing(r))
            .collect()
    });
    // Every labelled row trains; none is held out.
    let all: Vec<usize> = (0..x_table.rows()).collect();
    let seed = seeds::final_fit(recipe.seed);
    let (split, pipeline) = fit_split(
        &recipe.features,
        target.task,
        x_table,
        labels,
        yr,
        (&all, &[]),
        seed,
        None,
    )?;
    let at = |e: Error| match e {
        Error::Model { kind, message } => Error::Model {
            kind: StepRef::models(model_index, &kind).to_string(),
            message: format!("final fit on all rows: {message}"),
        },
        e => e,
    };
    // With a search, choose as in each split, now over all labelled rows, then fit the choice.
    let (chosen, search_chosen) = match (&spec.search, prepared.searches.get(model_index)) {
        (Some(s), Some(Some(candidates))) => {
            let step = StepRef::models(model_index, spec.kind()).to_string();
            let data = SearchData {
                step: &step,
                x: x_table,
                labels,
                values: yr,
                task: target.task,
                features: &recipe.features,
            };
            let choice = select(s, candidates, &data, seed, &mut || Ok(())).map_err(at)?;
            let c = &candidates[choice.index];
            (&c.spec, Some(c.params.clone()))
        }
        _ => (&spec.spec, None),
    };
    // Recalibration and the threshold rule as in each split, now on inner folds of all rows.
    let (fitted, inner) = split
        .fit_entry(
            chosen,
            spec.calibration,
            recipe.evaluation.threshold.as_ref(),
            target.task,
            seed,
        )
        .map_err(at)?;
    let threshold = match (&recipe.evaluation.threshold, inner) {
        (Some(_), Some(c)) => c.threshold.unwrap_or(1.0),
        _ => evaluation.threshold,
    };
    // The model's predictions on the training rows, transformed as new rows are (no resampling).
    let mut same = x_table.clone();
    pipeline.transform(&mut same);
    let fitted_predictions: Vec<(usize, f64)> = rows
        .iter()
        .map(|&r| masked.row_map[r])
        .zip(fitted.predict(&matrix(&same)?))
        .collect();

    let shap = recipe.evaluation.shap.clone().unwrap_or_default();
    let explain = if shap.enabled {
        crate::explain::Reference::of(
            &fitted,
            &split.xtr,
            shap.background,
            seeds::shap(seeds::final_fit(recipe.seed), model_index, 0),
        )
    } else {
        crate::explain::Reference::default()
    };
    let mut contains = Vec::new();
    if !explain.background.is_empty() {
        contains.push(crate::explain::background_note(explain.background.len()));
    }
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
        model_inputs: split.names,
        pipeline,
        model: fitted,
        explain,
        search_chosen,
        target: BundleTarget {
            column: target.column.clone(),
            task: target.task,
            classes: target.classes.clone(),
            positive: (target.task == Task::Classification).then(|| target.positive.clone()),
        },
        survival: prepared.horizons.as_ref().map(|h| BundleSurvival {
            horizons: h.times.clone(),
            follow_up: yr.iter().copied().fold(0.0, f64::max),
        }),
        threshold,
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
