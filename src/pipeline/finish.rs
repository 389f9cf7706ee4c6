//! Step 3 of a run: the report, from the staged run and the results of every unit.

use super::assemble::assemble;
use super::intervals::ModelIntervals;
use super::original::compare_original;
use super::units::{per_split, FoldResult};
use super::{Context, Output, Staged};
use crate::error::{Error, Result};
use crate::recipe::Recipe;
use crate::report::{Report, RunTimings};

/// Per model, intervals on one side (masked or original data), when computed apart.
type Given = Vec<Option<Vec<Option<[f64; 2]>>>>;

/// Assembles the report from the results of every split (in any order, each exactly once).
pub fn finish(
    staged: Staged,
    recipe: &Recipe,
    mut results: Vec<FoldResult>,
    intervals: Vec<ModelIntervals>,
    ctx: &mut Context,
) -> Result<Output> {
    let all = staged.units();
    let n_masked = staged.masked_splits();
    let n_models = staged.models();
    let Staged {
        start_ms,
        input,
        mut audit,
        mut warnings,
        privacy,
        masked,
        row_map,
        prepared,
        original,
        fitted: _,
    } = staged;
    results.sort_by_key(|r| r.unit);
    let units: Vec<usize> = results.iter().map(|r| r.unit).collect();
    if prepared.is_some() && units != (0..all).collect::<Vec<_>>() {
        return Err(Error::Protocol(format!(
            "the results cover units {units:?}; the evaluation has {all} (each exactly once)"
        )));
    }
    let mut results = if n_models == 0 {
        results
    } else {
        per_split(results, n_models)?
    };
    let original_results = results.split_off(n_masked.min(results.len()));
    let masked_rows = prepared.as_ref().map_or(0, |p| p.x_table.rows());
    let (given_masked, given_original) = given_intervals(intervals, n_models)?;
    let predictions = prepared
        .as_ref()
        .map(|p| super::predictions::out_of_fold(p, &row_map, &results))
        .transpose()?;
    let (target, evaluation, models) = match prepared {
        None => (None, None, Vec::new()),
        Some(p) => {
            let m = assemble(p, recipe, results, &given_masked, &mut audit)?;
            (Some(m.0), Some(m.1), m.2)
        }
    };
    let original = original
        .map(|o| {
            let masked = (masked_rows, models.as_slice());
            compare_original(
                o,
                recipe,
                original_results,
                n_masked,
                &given_original,
                masked,
            )
        })
        .transpose()?;
    // Invariant 7: the masked table is exported through the one CSV writer, which neutralises
    // formula-like cells; say how many it will change.
    let (_, formulas) = crate::table::csv::write_csv_counted(&masked);
    warnings.extend(crate::table::csv::formula_warning(
        formulas,
        "the masked table",
    ));
    let report = Report {
        bedside_version: crate::VERSION.to_string(),
        recipe: recipe.redacted(),
        input,
        privacy,
        target,
        evaluation,
        models,
        original,
        audit,
        warnings,
        timings: RunTimings {
            total_ms: (ctx.now_ms)() - start_ms,
        },
    };
    Ok(Output {
        report,
        masked,
        predictions,
    })
}

/// Intervals computed apart (by a pool while other units ran), by model: on the masked data
/// and on the original data. Each model at most once.
fn given_intervals(intervals: Vec<ModelIntervals>, n_models: usize) -> Result<(Given, Given)> {
    let mut given: Vec<Option<ModelIntervals>> = (0..n_models).map(|_| None).collect();
    for iv in intervals {
        match given.get_mut(iv.model) {
            Some(slot @ None) => *slot = Some(iv),
            _ => {
                return Err(Error::Protocol(format!(
                    "intervals of model {} given twice or for no model of the recipe",
                    iv.model + 1
                )))
            }
        }
    }
    let masked = given
        .iter()
        .map(|g| g.as_ref().map(|g| g.masked.clone()))
        .collect();
    let original = given
        .into_iter()
        .map(|g| g.and_then(|g| g.original))
        .collect();
    Ok((masked, original))
}
