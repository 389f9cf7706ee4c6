//! The cost of privacy: the same models, feature steps, evaluation and seed on the original
//! values of the columns the privacy steps keep, against the masked data's results.

use super::assemble::assemble;
use super::prepare::{prepare, Prepared};
use super::units::FoldResult;
use crate::error::Result;
use crate::eval::search;
use crate::message as msg;
use crate::models::Task;
use crate::recipe::Recipe;
use crate::report::{ModelReport, OriginalModel, OriginalReport, PrivacyCost};
use crate::table::Table;

/// The original-data side of the privacy-cost comparison.
pub(super) struct Original {
    /// Columns kept (those the privacy steps leave).
    pub(super) columns: Vec<String>,
    pub(super) prepared: std::result::Result<Prepared, String>,
}

/// The modelling of `table`'s original values of the columns `masked` keeps, when the recipe
/// has privacy steps and does not turn the comparison off (`compare_original: false`). A
/// recipe that cannot be prepared on them keeps why, for the report. A time-to-event target
/// is scored at the masked data's `horizons`, so that both sides have the same metrics.
pub(super) fn prepare_original(
    table: &Table,
    masked: &Table,
    recipe: &Recipe,
    horizons: Option<&crate::survival::horizons::Horizons>,
) -> Option<Original> {
    if recipe.privacy.is_empty() || recipe.evaluation.compare_original == Some(false) {
        return None;
    }
    // Same names, same inputs: the original values of the columns the privacy steps keep.
    let kept = Table::new(
        table
            .columns
            .iter()
            .filter(|c| masked.column(&c.name).is_some())
            .cloned()
            .collect(),
    );
    let mut scratch = Vec::new();
    let prepared = prepare(&kept, recipe, &mut scratch)
        .map(|mut p| {
            // The comparison reports metrics only: no permutation importance, no explanations.
            p.repeats = 0;
            p.explain = false;
            if p.horizons.is_some() {
                p.horizons = horizons.cloned();
            }
            p
        })
        .map_err(|e| e.to_string());
    Some(Original {
        columns: kept.names(),
        prepared,
    })
}

/// The original-data side of the comparison: the same models on the original values of the
/// columns the privacy steps keep (results of units `offset..`), and the cost of privacy per
/// model against `masked` (its modelling rows and model reports).
pub(super) fn compare_original(
    o: Original,
    recipe: &Recipe,
    mut results: Vec<FoldResult>,
    offset: usize,
    given: &[Option<super::intervals::Bootstraps>],
    masked: (usize, &[ModelReport]),
    clock: &dyn Fn() -> f64,
) -> Result<OriginalReport> {
    let Original { columns, prepared } = o;
    let failed = |columns: Vec<String>, why: String| OriginalReport {
        note: msg::original_failed(why.as_str()).to_string(),
        coded: msg::original_failed(why),
        evaluated: false,
        columns,
        rows: 0,
        splits: 0,
        models: Vec::new(),
        cost: Vec::new(),
    };
    let p = match prepared {
        Err(why) => return Ok(failed(columns, why)),
        Ok(p) => p,
    };
    if let Some(why) = results.iter().find_map(|r| r.failed.clone()) {
        return Ok(failed(columns, why));
    }
    for r in &mut results {
        r.unit -= offset;
    }
    let (rows, splits, task) = (p.x_table.rows(), p.folds.len(), p.task);
    let horizons = p
        .horizons
        .as_ref()
        .map(|h| h.times.clone())
        .unwrap_or_default();
    let (_, _, models) = assemble(p, recipe, results, given, &mut Vec::new(), clock)?;
    let cost = privacy_cost(task, &horizons, &models, masked.1);
    let note = if rows != masked.0 {
        msg::original_evaluated_suppressed(columns.len(), rows, masked.0)
    } else {
        msg::original_evaluated(columns.len(), rows)
    };
    Ok(OriginalReport {
        note: note.to_string(),
        coded: note,
        evaluated: true,
        columns,
        rows,
        splits,
        models: models
            .into_iter()
            .map(|m| OriginalModel {
                kind: m.kind,
                metrics: m.metrics,
                search: m.search,
            })
            .collect(),
        cost,
    })
}

/// Per model, the mean of the task's headline metrics on the original (`original`) and the
/// masked data (`masked`), and the difference masked − original: two for a class or numeric
/// target; for a time-to-event target every metric (the concordances, then the horizon
/// metrics of `horizons`).
fn privacy_cost(
    task: Task,
    horizons: &[f64],
    original: &[ModelReport],
    masked: &[ModelReport],
) -> Vec<PrivacyCost> {
    let keys: Vec<String> = match task {
        Task::Classification => vec!["roc_auc".into(), "accuracy".into()],
        Task::Regression => vec!["r2".into(), "rmse".into()],
        Task::Survival => crate::survival::metric_names(horizons),
    };
    let keys = &keys;
    let mean = |m: &ModelReport, k: &str| m.metrics.get(k).and_then(|s| s.mean);
    original
        .iter()
        .zip(masked)
        .enumerate()
        .flat_map(|(i, (o, m))| {
            keys.iter().map(move |k| {
                let (original, masked) = (mean(o, k), mean(m, k));
                PrivacyCost {
                    model: i,
                    kind: m.kind.clone(),
                    metric: k.clone(),
                    higher_is_better: !search::lower_is_better(k),
                    original,
                    masked,
                    difference: original.zip(masked).map(|(a, b)| b - a),
                }
            })
        })
        .collect()
}
