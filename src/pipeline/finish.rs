//! Step 3 of a run: the report, from the staged run and the results of every unit.

use super::assemble::assemble;
use super::intervals::ModelIntervals;
use super::original::compare_original;
use super::units::{per_split, FoldResult};
use super::{Context, Output, Staged};
use crate::error::{Error, Result};
use crate::recipe::Recipe;
use crate::report::{PhaseTime, Report, RunTimings};

/// Per model, its bootstraps on one side (masked or original data), when computed apart.
type Given = Vec<Option<super::intervals::Bootstraps>>;

/// Assembles the report from the results of every split (in any order, each exactly once).
pub fn finish(
    staged: Staged,
    recipe: &Recipe,
    mut results: Vec<FoldResult>,
    intervals: Vec<ModelIntervals>,
    ctx: &mut Context,
) -> Result<Output> {
    let all = staged.units();
    let plan = staged.estimate(recipe, &(0..all).collect::<Vec<_>>());
    let n_masked = staged.masked_splits();
    let n_models = staged.models();
    let Staged {
        start_ms,
        stage_ms,
        input,
        mut audit,
        mut warnings,
        leakage,
        privacy,
        masked,
        row_map,
        prepared,
        original,
        fitted,
        scored,
    } = staged;
    // The last split's matrices and any unexplained unit: not needed for the report, so their
    // memory serves it.
    drop((fitted, scored));
    warnings.extend(plan.warning_codes);
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
    let mut phases = unit_phases(stage_ms, &results, &original_results);
    let masked_rows = prepared.as_ref().map_or(0, |p| p.x_table.rows());
    let (given_masked, given_original) = given_intervals(intervals, n_models)?;
    let clock = ctx.now_ms;
    ctx.report_phase(
        "report",
        "report",
        0,
        2,
        None,
        "assembling the report".into(),
    )?;
    let predictions = prepared
        .as_ref()
        .map(|p| super::predictions::out_of_fold(p, &row_map, &results))
        .transpose()?;
    let survival = match &prepared {
        Some(p) => super::survival::section(p, recipe, &masked, (&row_map, &input.lines))?,
        None => None,
    };
    let finals = match &prepared {
        Some(p) => super::survival::final_fits(p, recipe)?,
        None => Vec::new(),
    };
    let (target, evaluation, mut models) = match prepared {
        None => (None, None, Vec::new()),
        Some(p) => {
            let m = assemble(p, recipe, results, &given_masked, &mut audit, clock)?;
            (Some(m.0), Some(m.1), m.2)
        }
    };
    for (m, f) in models.iter_mut().zip(finals) {
        m.final_fit = f;
    }
    let t0 = clock();
    ctx.report_phase("report", "original", 1, 2, None, "original data".into())?;
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
                clock,
            )
        })
        .transpose()?;
    let t1 = clock();
    let intervals_ms: f64 = models.iter().map(|m| m.timings.intervals_ms).sum();
    let report_ms: f64 = models.iter().map(|m| m.timings.report_ms).sum();
    phases.push(PhaseTime {
        phase: "intervals".into(),
        ms: intervals_ms,
    });
    phases.push(PhaseTime {
        phase: "report".into(),
        ms: report_ms,
    });
    if let Some(o) = phases.iter_mut().find(|p| p.phase == "original") {
        o.ms += t1 - t0;
    }
    ctx.report_phase("report", "report", 2, 2, None, "report done".into())?;
    // Invariant 7: the masked table is exported through the one CSV writer, which neutralises
    // formula-like cells; say how many it will change (counted without writing the file).
    let formulas = crate::table::csv::count_formulas(&masked);
    warnings.extend(crate::table::csv::formula_warning(formulas, |n| {
        crate::message::warn_formula_cells_masked(n)
    }));
    let sample_size = crate::eval::sample_size::for_run(
        recipe,
        target.as_ref(),
        evaluation.as_ref(),
        &models,
        &mut warnings,
    );
    let report = Report {
        bedside_version: crate::VERSION.to_string(),
        recipe: recipe.redacted(),
        input,
        privacy,
        target,
        evaluation,
        models,
        original,
        sample_size,
        survival,
        audit,
        warnings: crate::message::texts(&warnings),
        warning_codes: warnings,
        leakage,
        timings: RunTimings {
            total_ms: (ctx.now_ms)() - start_ms,
            phases,
        },
    };
    Ok(Output {
        report,
        masked,
        predictions,
    })
}

/// The work time of the phases of step 1 and the units (summed over splits and models): the
/// masked data's `stage`, `features`, `search`, `fit`, `predict`, `importance`, `shap`, and, when the
/// original data is compared, `original` for every phase of its splits.
fn unit_phases(stage_ms: f64, masked: &[FoldResult], original: &[FoldResult]) -> Vec<PhaseTime> {
    let sum = |rs: &[FoldResult], f: &dyn Fn(&super::ModelFold) -> f64| -> f64 {
        rs.iter().flat_map(|r| &r.models).map(f).sum()
    };
    let features = |rs: &[FoldResult]| rs.iter().map(|r| r.features_ms).sum::<f64>();
    let all = |m: &super::ModelFold| m.search_ms + m.fit_ms + m.predict_ms + m.importance_ms;
    let mut phases = vec![
        ("stage", stage_ms),
        ("features", features(masked)),
        ("search", sum(masked, &|m| m.search_ms)),
        ("fit", sum(masked, &|m| m.fit_ms)),
        ("predict", sum(masked, &|m| m.predict_ms)),
        ("importance", sum(masked, &|m| m.importance_ms)),
        ("shap", sum(masked, &|m| m.shap_ms)),
    ];
    if !original.is_empty() {
        phases.push(("original", features(original) + sum(original, &all)));
    }
    phases
        .into_iter()
        .map(|(phase, ms)| PhaseTime {
            phase: phase.into(),
            ms,
        })
        .collect()
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
