//! Running a recipe on a table: privacy steps, then cross-validated feature steps and models.
//!
//! Feature steps are fitted inside each training split only (DESIGN invariant 4): for every
//! split the pipeline is fitted on the training rows and applied to both sides.

use crate::error::{Error, Result};
use crate::eval::metrics::{self, Confusion};
use crate::eval::search::{self, SearchData, SearchReport};
use crate::eval::{curves, fairness, importance, uncertainty};
use crate::features;
use crate::models::Task;
use crate::privacy::{risk, PrivacyContext};
use crate::recipe::{Recipe, Role};
use crate::report::*;
use crate::table::profile::InputSummary;
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// A progress event: `done` of `total` units of the current `stage`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Progress {
    pub stage: String,
    pub done: usize,
    pub total: usize,
    pub message: String,
}

/// What a face provides to a run: progress reporting (return `false` to cancel), a clock,
/// and the pseudonymization key.
pub struct Context<'a> {
    pub progress: &'a mut dyn FnMut(&Progress) -> bool,
    /// Milliseconds from an arbitrary origin (`performance.now()` in the browser).
    pub now_ms: &'a (dyn Fn() -> f64 + Sync),
    pub key: Vec<u8>,
}

impl Context<'_> {
    fn report(&mut self, stage: &str, done: usize, total: usize, message: String) -> Result<()> {
        if (self.progress)(&Progress {
            stage: stage.into(),
            done,
            total,
            message,
        }) {
            Ok(())
        } else {
            Err(Error::Cancelled)
        }
    }
}

/// A fresh 32-byte pseudonymization key from the OS (natively) or the browser's CSPRNG (wasm).
pub fn new_key() -> Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    getrandom::getrandom(&mut key)
        .map_err(|e| Error::Data(format!("no secure random source: {e}")))?;
    Ok(key)
}

/// The result of a run: the report and the masked table (after the privacy steps).
pub struct Output {
    pub report: Report,
    pub masked: Table,
}

/// Runs `recipe` on `table` (read from the file summarized by `input`): [`stage`], every split
/// with [`run_splits`], then [`finish`]. A pool of workers calls the three apart, each worker
/// computing some of the splits; the report is the same either way.
pub fn run(
    table: &Table,
    input: InputSummary,
    recipe: &Recipe,
    ctx: &mut Context,
) -> Result<Output> {
    let staged = stage(table, input, recipe, ctx)?;
    let all: Vec<usize> = (0..staged.units()).collect();
    let results = run_splits(&staged, recipe, &all, ctx)?;
    finish(staged, recipe, results, Vec::new(), ctx)
}

/// What the privacy steps and the modelling preparation produced: everything the splits need.
pub struct Staged {
    start_ms: f64,
    input: InputSummary,
    audit: Vec<AuditEntry>,
    warnings: Vec<String>,
    privacy: PrivacyReport,
    /// The table after the privacy steps.
    pub masked: Table,
    prepared: Option<Prepared>,
    /// The modelling of the original data restricted to the columns that survive the privacy
    /// steps (see [`Report::original`]), or why it cannot be prepared.
    original: Option<Original>,
    /// The feature steps last fitted on a split (by split number of [`Staged::split_of`]), kept
    /// for the next unit of the same split: a worker given the models of one split one at a
    /// time fits them once.
    fitted: std::sync::Mutex<Option<(usize, std::sync::Arc<FoldData>)>>,
}

/// The original-data side of the privacy-cost comparison.
struct Original {
    /// Columns kept (those the privacy steps leave).
    columns: Vec<String>,
    prepared: std::result::Result<Prepared, String>,
}

impl Staged {
    /// Independent units of work: every model on every split of the evaluation (0 without
    /// models), followed, when the original data is compared, by every model on every split of
    /// the original data. Unit `u` is model `u % m` on split `u / m` (`m` models); the units of
    /// one split are consecutive.
    pub fn units(&self) -> usize {
        self.splits() * self.models()
    }

    /// Splits of the masked data, then of the original data.
    fn splits(&self) -> usize {
        self.masked_splits() + self.original_splits()
    }

    /// Models of the recipe (0 without modelling).
    fn models(&self) -> usize {
        self.prepared.as_ref().map_or(0, |p| p.model_units.len())
    }

    /// Splits of the masked data.
    fn masked_splits(&self) -> usize {
        self.prepared.as_ref().map_or(0, |p| p.folds.len())
    }

    /// Splits of the original data (0 when it is not compared or cannot be prepared).
    fn original_splits(&self) -> usize {
        match &self.original {
            Some(Original {
                prepared: Ok(p), ..
            }) => p.folds.len(),
            _ => 0,
        }
    }

    /// The split and model of unit `u`.
    fn unit_of(&self, u: usize) -> Option<(usize, usize)> {
        let m = self.models();
        (m > 0 && u < self.units()).then(|| (u / m, u % m))
    }

    /// The modelling and fold of split `u` (masked splits first, then the original data's),
    /// and whether it is on the original data.
    fn split_of(&self, u: usize) -> Option<(&Prepared, usize, bool)> {
        let n = self.masked_splits();
        if u < n {
            return self.prepared.as_ref().map(|p| (p, u, false));
        }
        match &self.original {
            Some(Original {
                prepared: Ok(p), ..
            }) if u - n < p.folds.len() => Some((p, u - n, true)),
            _ => None,
        }
    }
}

/// Applies the privacy steps, measures risk before and after, and prepares the modelling
/// (target, inputs, splits) when the recipe has models.
pub fn stage(
    table: &Table,
    input: InputSummary,
    recipe: &Recipe,
    ctx: &mut Context,
) -> Result<Staged> {
    let start = (ctx.now_ms)();
    let mut audit = Vec::new();
    let mut warnings = Vec::new();
    if !input.rejected_rows.is_empty() {
        audit.push(AuditEntry {
            step: "input".into(),
            op: "read_csv".into(),
            args: json!({"file": input.file}),
            rows_affected: input.rejected_rows.len(),
            cells_affected: 0,
            note: format!(
                "{} row(s) rejected while reading; see input.rejected_rows",
                input.rejected_rows.len()
            ),
        });
    }

    for r in &input.repairs {
        audit.push(AuditEntry {
            step: "input".into(),
            op: "repair".into(),
            args: json!({"column": r.column, "lines": r.lines}),
            rows_affected: 0,
            cells_affected: r.count,
            note: r.message.clone(),
        });
    }

    // Privacy.
    let quasi: Vec<String> = role_columns(recipe, table, Role::Quasi);
    let sensitive_cols = role_columns(recipe, table, Role::Sensitive);
    if sensitive_cols.len() > 1 {
        warnings.push(format!(
            "several sensitive columns; l-diversity and t-closeness are measured for '{}' only",
            sensitive_cols[0]
        ));
    }
    let sensitive = sensitive_cols.first().map(String::as_str);
    let before = risk::measure_with(table, &quasi, sensitive, &recipe.risk);
    let key = ctx.key.clone();
    let steps = recipe.privacy.len();
    let masked_out = {
        let mut on_step = |i: usize, name: &str| {
            ctx.report("privacy", i, steps, format!("{name} ({}/{steps})", i + 1))
        };
        apply_privacy(table, recipe, &key, &mut on_step)?
    };
    ctx.report("privacy", steps, steps, "privacy steps done".into())?;
    audit.extend(masked_out.audit);
    let masked = masked_out.table;
    let after = risk::measure_with(
        &masked,
        &quasi,
        sensitive.filter(|s| masked.column(s).is_some()),
        &recipe.risk,
    );
    for c in &masked.columns {
        if c.ctype == ColumnType::Text
            && recipe.role(&c.name) != Role::Ignore
            && !masked_out.scrubbed.contains(&c.name)
        {
            warnings.push(format!("text column '{}' is kept in the masked output unscrubbed; drop it or add a scrub_text step if it may name patients", c.name));
        }
    }
    let dated: Vec<&str> = recipe
        .privacy
        .iter()
        .filter(|s| s.op().coarsens_dates())
        .flat_map(|s| {
            s.columns()
                .into_iter()
                .filter(|(f, _)| *f == "columns")
                .map(|(_, c)| c)
        })
        .collect();
    for c in &masked.columns {
        if c.ctype == ColumnType::Date && !dated.contains(&c.name.as_str()) {
            let d = crate::privacy::detect::detect_column(c, &[]);
            if d.reasons.iter().any(|r| r.code == "header") {
                warnings.push(format!("date column '{}' is tied to a person and kept exact; HIPAA Safe Harbor keeps only the year: add a date step (to year) or date_shift before sharing the masked file", c.name));
            }
        }
    }
    if let (Some(k), Some(r)) = (after.k_anonymity, &after.risk) {
        if r.records_at_risk > 0 {
            warnings.push(format!(
                "k-anonymity over the quasi-identifiers is {k}: {} record(s) ({:.1}%) sit in classes whose re-identification risk exceeds {}; generalize or suppress further before sharing the masked file",
                r.records_at_risk, r.records_at_risk_pct, r.threshold
            ));
        }
    }
    let information_loss = risk::information_loss(table, &masked, &masked_out.row_map, &quasi);
    let privacy = PrivacyReport {
        quasi_identifiers: quasi,
        sensitive: sensitive.map(str::to_string),
        after,
        before,
        suppressed_rows: masked_out.suppressed_rows,
        output_rows: masked.rows(),
        output_columns: masked.names(),
        information_loss,
    };

    let prepared = if recipe.models.is_empty() {
        None
    } else {
        Some(prepare(&masked, recipe, &mut audit)?)
    };
    let original = if prepared.is_some()
        && !recipe.privacy.is_empty()
        && recipe.evaluation.compare_original != Some(false)
    {
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
                // The comparison reports metrics only: no permutation importance.
                p.repeats = 0;
                p
            })
            .map_err(|e| e.to_string());
        Some(Original {
            columns: kept.names(),
            prepared,
        })
    } else {
        None
    };
    Ok(Staged {
        start_ms: start,
        input,
        audit,
        warnings,
        privacy,
        masked,
        prepared,
        original,
        fitted: std::sync::Mutex::new(None),
    })
}

/// Computes the units `which` (a model on a split, see [`Staged::units`]), one result per
/// unit in the order asked. Consecutive units of one split share one fit of the feature steps.
/// Natively the splits, and the models of a split, run on all cores (rayon); in the browser a
/// pool of workers each computes some units.
pub fn run_splits(
    staged: &Staged,
    recipe: &Recipe,
    which: &[usize],
    ctx: &mut Context,
) -> Result<Vec<FoldResult>> {
    let Some(p) = &staged.prepared else {
        return Ok(Vec::new());
    };
    if let Some(&bad) = which.iter().find(|&&u| u >= staged.units()) {
        return Err(Error::Protocol(format!(
            "unit {} asked for, but the evaluation has {} ({} split(s) × {} model(s))",
            bad + 1,
            staged.units(),
            staged.splits(),
            staged.models()
        )));
    }
    // Progress units: per unit, its model's (1, plus candidates × inner folds with a search).
    let weight = |u: usize| staged.unit_of(u).map_or(1, |(_, m)| p.model_units[m]);
    let total: usize = which.iter().map(|&u| weight(u)).sum();
    ctx.report("models", 0, total, "evaluation started".into())?;
    // Runs of consecutive units on the same split.
    let mut groups: Vec<&[usize]> = Vec::new();
    let mut rest = which;
    while let Some(&first) = rest.first() {
        let split = first / staged.models();
        let n = rest
            .iter()
            .take_while(|&&u| u / staged.models() == split)
            .count();
        groups.push(&rest[..n]);
        rest = &rest[n..];
    }
    let results = splits_parallel(staged, recipe, &groups, ctx, total, &weight)?;
    ctx.report("models", total, total, "evaluation done".into())?;
    Ok(results)
}

#[cfg(not(target_arch = "wasm32"))]
fn splits_parallel(
    staged: &Staged,
    recipe: &Recipe,
    groups: &[&[usize]],
    ctx: &mut Context,
    total: usize,
    weight: &(dyn Fn(usize) -> usize + Sync),
) -> Result<Vec<FoldResult>> {
    use rayon::prelude::*;
    let clock = ctx.now_ms;
    let threads = rayon::current_num_threads().max(1);
    let splits = staged.splits();
    let mut out = Vec::new();
    let mut done = 0;
    for chunk in groups.chunks(threads) {
        let results: Vec<Result<Vec<FoldResult>>> = chunk
            .par_iter()
            .map(|units| group_results(staged, recipe, units, clock, &mut |_, _| Ok(())))
            .collect();
        for r in results {
            out.extend(r?);
        }
        done += chunk
            .iter()
            .flat_map(|g| g.iter())
            .map(|&u| weight(u))
            .sum::<usize>();
        let split = chunk
            .last()
            .and_then(|g| g.first())
            .map_or(0, |&u| u / staged.models());
        ctx.report(
            "models",
            done,
            total,
            format!("split {}/{splits} done", split + 1),
        )?;
    }
    Ok(out)
}

#[cfg(target_arch = "wasm32")]
fn splits_parallel(
    staged: &Staged,
    recipe: &Recipe,
    groups: &[&[usize]],
    ctx: &mut Context,
    total: usize,
    weight: &(dyn Fn(usize) -> usize + Sync),
) -> Result<Vec<FoldResult>> {
    let now = ctx.now_ms;
    let splits = staged.splits();
    let mut out = Vec::new();
    let mut offset = 0;
    for units in groups {
        let split = units[0] / staged.models();
        let r = {
            let mut on_unit = |done: usize, what: &str| {
                ctx.report(
                    "models",
                    offset + done,
                    total,
                    format!("{what} on split {}/{splits}", split + 1),
                )
            };
            group_results(staged, recipe, units, now, &mut on_unit)?
        };
        offset += units.iter().map(|&u| weight(u)).sum::<usize>();
        out.extend(r);
    }
    Ok(out)
}

/// Computes consecutive units of one split (see [`Staged::units`]): the feature steps fitted
/// once (or taken from the last fit of this split), then each unit's model. A failure on the
/// original data does not stop the run: it is kept in the results and reported in
/// `Report::original`.
fn group_results(
    staged: &Staged,
    recipe: &Recipe,
    units: &[usize],
    clock: &(dyn Fn() -> f64 + Sync),
    on_unit: &mut dyn FnMut(usize, &str) -> Result<()>,
) -> Result<Vec<FoldResult>> {
    let Some((split, _)) = units.first().and_then(|&u| staged.unit_of(u)) else {
        return Ok(Vec::new());
    };
    let Some((p, f, original)) = staged.split_of(split) else {
        return Err(Error::Protocol(format!(
            "split {} does not exist",
            split + 1
        )));
    };
    let failed = |e: Error| -> Result<Vec<FoldResult>> {
        if original && e != Error::Cancelled {
            Ok(units
                .iter()
                .map(|&u| FoldResult {
                    unit: u,
                    inputs: Vec::new(),
                    steps: Vec::new(),
                    models: Vec::new(),
                    failed: Some(e.to_string()),
                })
                .collect())
        } else {
            Err(e)
        }
    };
    let cached = staged
        .fitted
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .filter(|(s, _)| *s == split)
        .map(|(_, d)| d.clone());
    let data = match cached {
        Some(d) => d,
        None => match fit_features(p, recipe, f) {
            Ok(d) => {
                let d = std::sync::Arc::new(d);
                *staged.fitted.lock().unwrap_or_else(|e| e.into_inner()) = Some((split, d.clone()));
                d
            }
            Err(e) => return failed(e),
        },
    };
    let models: Vec<usize> = units.iter().map(|&u| u % staged.models()).collect();
    #[cfg(not(target_arch = "wasm32"))]
    // The first error in model order, whichever thread met it first.
    let fits: Result<Vec<ModelFold>> = {
        use rayon::prelude::*;
        let _ = on_unit;
        let fits: Vec<Result<ModelFold>> = models
            .par_iter()
            .map(|&m| fit_model(p, recipe, f, m, &data, clock, &mut |_, _| Ok(())))
            .collect();
        fits.into_iter().collect()
    };
    // Stops at the first error.
    #[cfg(target_arch = "wasm32")]
    let fits: Result<Vec<ModelFold>> = {
        let mut done = 0;
        models
            .iter()
            .map(|&m| {
                let r = fit_model(p, recipe, f, m, &data, clock, &mut |d, what| {
                    on_unit(done + d, what)
                });
                done += p.model_units[m];
                r
            })
            .collect()
    };
    // After the split's last model its fit is not needed again.
    if models.last() == Some(&(staged.models() - 1)) {
        let mut fitted = staged.fitted.lock().unwrap_or_else(|e| e.into_inner());
        if fitted.as_ref().is_some_and(|(s, _)| *s == split) {
            *fitted = None;
        }
    }
    match fits {
        Ok(fits) => Ok(units
            .iter()
            .zip(fits)
            .map(|(&u, mf)| FoldResult {
                unit: u,
                inputs: data.names.clone(),
                steps: data.steps.clone(),
                models: vec![mf],
                failed: None,
            })
            .collect()),
        Err(e) => failed(e),
    }
}

/// The results of every unit (sorted, each exactly once) as one result per split, its models in
/// the recipe's order.
fn per_split(results: Vec<FoldResult>, models: usize) -> Result<Vec<FoldResult>> {
    let mut out: Vec<FoldResult> = Vec::with_capacity(results.len() / models.max(1));
    for r in results {
        let split = r.unit / models;
        match out.last_mut() {
            Some(last) if last.unit == split => {
                if last.failed.is_none()
                    && r.failed.is_none()
                    && (last.inputs != r.inputs || last.steps.len() != r.steps.len())
                {
                    return Err(Error::Protocol(format!(
                        "the results of split {} disagree on the fitted feature steps",
                        split + 1
                    )));
                }
                last.failed = last.failed.take().or(r.failed);
                last.models.extend(r.models);
            }
            _ => out.push(FoldResult { unit: split, ..r }),
        }
    }
    Ok(out)
}

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
        warnings,
        privacy,
        masked,
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
    // Intervals computed apart (by a pool while other units ran), by model.
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
    let given_masked: Vec<Option<Vec<Option<[f64; 2]>>>> = given
        .iter()
        .map(|g| g.as_ref().map(|g| g.masked.clone()))
        .collect();
    let given_original: Vec<Option<Vec<Option<[f64; 2]>>>> = given
        .into_iter()
        .map(|g| g.and_then(|g| g.original))
        .collect();
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
    Ok(Output { report, masked })
}

/// The original-data side of the comparison: the same models on the original values of the
/// columns the privacy steps keep (results of units `offset..`), and the cost of privacy per
/// model against `masked` (its modelling rows and model reports).
fn compare_original(
    o: Original,
    recipe: &Recipe,
    mut results: Vec<FoldResult>,
    offset: usize,
    given: &[Option<Vec<Option<[f64; 2]>>>],
    masked: (usize, &[ModelReport]),
) -> Result<OriginalReport> {
    let Original { columns, prepared } = o;
    let failed = |columns: Vec<String>, why: String| OriginalReport {
        note: format!("the models could not be evaluated on the original data: {why}"),
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
    let (_, _, models) = assemble(p, recipe, results, given, &mut Vec::new())?;
    let keys: [&str; 2] = match task {
        Task::Classification => ["roc_auc", "accuracy"],
        Task::Regression => ["r2", "rmse"],
    };
    let mean = |m: &ModelReport, k: &str| m.metrics.get(k).and_then(|s| s.mean);
    let cost = models
        .iter()
        .zip(masked.1)
        .enumerate()
        .flat_map(|(i, (o, m))| {
            keys.iter().map(move |&k| {
                let (original, masked) = (mean(o, k), mean(m, k));
                PrivacyCost {
                    model: i,
                    kind: m.kind.clone(),
                    metric: k.into(),
                    higher_is_better: !search::lower_is_better(k),
                    original,
                    masked,
                    difference: original.zip(masked).map(|(a, b)| b - a),
                }
            })
        })
        .collect();
    let suppressed = if rows != masked.0 {
        format!(
            "; the masked data has {} modelling rows, so its splits differ",
            masked.0
        )
    } else {
        String::new()
    };
    Ok(OriginalReport {
        note: format!(
            "the same models, feature steps, evaluation and seed on the original values of the {} column(s) the privacy steps keep ({rows} modelling rows{suppressed}); difference = masked − original, averaged over the splits",
            columns.len()
        ),
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

/// The result of the privacy steps.
pub struct Masked {
    pub table: Table,
    /// For each row of `table`, its row in the input.
    pub row_map: Vec<usize>,
    pub audit: Vec<AuditEntry>,
    /// Records removed by `suppress` (records: true) and `k_anonymize`.
    pub suppressed_rows: usize,
    /// Columns a `scrub_text` step scrubbed.
    pub scrubbed: Vec<String>,
}

/// Applies the recipe's privacy steps to `table` (checked with `Recipe::check_against` first).
/// `on_step(i, op)` is called before each step; an error from it stops the run.
pub fn apply_privacy(
    table: &Table,
    recipe: &Recipe,
    key: &[u8],
    on_step: &mut dyn FnMut(usize, &str) -> Result<()>,
) -> Result<Masked> {
    recipe.check_against(table)?;
    // Identifier columns for scrub_text: those with the role, plus those detected as direct
    // identifiers (so notes lose a phone number even when its column was left a feature).
    let mut identifiers: Vec<String> = role_columns(recipe, table, Role::Identifier);
    if recipe.privacy.iter().any(|s| s.op().scrubs_text()) {
        let detected = crate::privacy::detect::detect_table(table);
        for (c, d) in table.columns.iter().zip(detected) {
            if d.verdict == crate::privacy::detect::Verdict::DirectIdentifier
                && c.ctype != ColumnType::Text
                && !identifiers.contains(&c.name)
            {
                identifiers.push(c.name.clone());
            }
        }
    }
    let mut masked = table.clone();
    let mut row_map: Vec<usize> = (0..table.rows()).collect();
    let mut audit = Vec::new();
    let mut suppressed_rows = 0;
    let mut scrubbed = Vec::new();
    for (i, step) in recipe.privacy.iter().enumerate() {
        on_step(i, step.name())?;
        let ctx = PrivacyContext {
            key,
            seed: recipe.seed,
            step: i,
            original: table,
            row_map: &row_map,
            identifiers: &identifiers,
        };
        let effect = step.apply(&mut masked, &ctx).map_err(|(field, message)| {
            Error::recipe(
                format!("privacy[{i}] ({})", step.name()),
                Some(field),
                message,
            )
        })?;
        if let Some(kept) = &effect.kept_rows {
            suppressed_rows += row_map.len() - kept.len();
            row_map = kept.iter().map(|&r| row_map[r]).collect();
        }
        if step.op().scrubs_text() {
            let text = step.columns().into_iter().filter(|(f, _)| *f == "columns");
            scrubbed.extend(text.map(|(_, c)| c.to_string()));
        }
        let mut args = args_of(&step.redacted());
        if let (Some(d), Some(o)) = (&effect.details, args.as_object_mut()) {
            o.insert("result".into(), d.clone());
        }
        audit.push(AuditEntry {
            step: format!("privacy[{i}]"),
            op: step.name().into(),
            args,
            rows_affected: effect.rows_affected,
            cells_affected: effect.cells_affected,
            note: effect.note,
        });
    }
    Ok(Masked {
        table: masked,
        row_map,
        audit,
        suppressed_rows,
        scrubbed,
    })
}

/// A quick look at what the privacy steps do: risk before and after, the first rows before and
/// after, the audit entries. The page calls this as the user edits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preview {
    pub quasi_identifiers: Vec<String>,
    pub before: risk::Measures,
    pub after: risk::Measures,
    pub suppressed_rows: usize,
    pub original_columns: Vec<String>,
    pub original_rows: Vec<Vec<Option<String>>>,
    pub masked_columns: Vec<String>,
    pub masked_rows: Vec<Vec<Option<String>>>,
    pub audit: Vec<AuditEntry>,
}

fn head(table: &Table, rows: usize) -> Vec<Vec<Option<String>>> {
    (0..rows.min(table.rows()))
        .map(|r| table.columns.iter().map(|c| c.values.text(r)).collect())
        .collect()
}

/// Applies the privacy steps and summarizes them (see [`Preview`]); `rows` rows are shown.
pub fn preview(table: &Table, recipe: &Recipe, key: &[u8], rows: usize) -> Result<Preview> {
    let masked = apply_privacy(table, recipe, key, &mut |_, _| Ok(()))?;
    let quasi = role_columns(recipe, table, Role::Quasi);
    let sensitive = role_columns(recipe, table, Role::Sensitive);
    let sensitive = sensitive.first().map(String::as_str);
    // The original rows shown are those of the first masked rows, so both sides line up.
    let shown: Vec<usize> = masked.row_map.iter().take(rows).copied().collect();
    Ok(Preview {
        before: risk::measure_with(table, &quasi, sensitive, &recipe.risk),
        after: risk::measure_with(
            &masked.table,
            &quasi,
            sensitive.filter(|s| masked.table.column(s).is_some()),
            &recipe.risk,
        ),
        quasi_identifiers: quasi,
        suppressed_rows: masked.suppressed_rows,
        original_columns: table.names(),
        original_rows: head(&table.take_rows(&shown), rows),
        masked_columns: masked.table.names(),
        masked_rows: head(&masked.table, rows),
        audit: masked.audit,
    })
}

fn role_columns(recipe: &Recipe, table: &Table, role: Role) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| recipe.role(&c.name) == role)
        .map(|c| c.name.clone())
        .collect()
}

fn args_of<T: serde::Serialize>(step: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(step).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("op");
    }
    v
}

/// The positive class: the recipe's, else a conventional positive label, else the second in order.
fn positive_class(classes: &[String], asked: Option<&str>) -> Result<usize> {
    if let Some(p) = asked {
        return classes.iter().position(|c| c == p).ok_or_else(|| {
            Error::recipe(
                "(top level)",
                Some("positive"),
                format!("'{p}' is not one of the target's classes"),
            )
        });
    }
    const POSITIVE: &[&str] = &["1", "yes", "y", "true", "positive", "pos", "1.0", "是"];
    Ok(classes
        .iter()
        .position(|c| POSITIVE.contains(&c.to_lowercase().as_str()))
        .unwrap_or(1))
}

type Modelled = (TargetReport, EvaluationReport, Vec<ModelReport>);

/// What one model accumulates over the splits.
#[derive(Default)]
struct Record {
    /// Metric values per split (in `metrics::CLASSIFICATION` or `REGRESSION` order).
    folds: Vec<Vec<Option<f64>>>,
    confusion: Confusion,
    timings: ModelTimings,
    /// Out-of-fold predictions: (row of the modelling table, prediction), every split.
    pooled: Vec<(usize, f64)>,
    permutation: importance::Collector,
    impurity: importance::Collector,
    /// What the search chose on each split (models with a search).
    choices: Vec<search::Choice>,
}

/// The target of the modelling rows: binary labels or numeric values.
struct Target {
    /// Labels (classification) or all false (regression; unused by the splits that allow it).
    labels: Vec<bool>,
    values: Vec<f64>,
}

/// The modelling problem as every split sees it: the target, the input table of the labelled
/// rows, and the splits.
pub struct Prepared {
    pub task: Task,
    pub target: String,
    /// The two classes, negative first (empty for regression).
    pub classes: Vec<String>,
    counts: Vec<usize>,
    /// Rows without a target value, left out.
    missing: usize,
    y: Target,
    group: Option<String>,
    audit_groups: Option<(String, Vec<String>)>,
    /// The model input columns of the labelled rows, before the feature steps.
    pub x_table: Table,
    pub folds: Vec<crate::eval::split::Fold>,
    repeats: usize,
    threshold: f64,
    /// Per model, the candidates of its nested search (`None` without one).
    /// Candidates of each model's hyper-parameter search (`None` without one).
    pub searches: Vec<Option<Vec<search::Candidate>>>,
    /// Per model, progress units of one split: 1, plus candidates × inner folds with a search.
    model_units: Vec<usize>,
}

impl Prepared {
    /// Class labels of the modelling rows (all false for regression).
    pub fn labels(&self) -> &[bool] {
        &self.y.labels
    }
    /// Target values of the modelling rows (0/1 for classification).
    pub fn values(&self) -> &[f64] {
        &self.y.values
    }
}

/// What one model gave on one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFold {
    /// Metric values (in `metrics::CLASSIFICATION` or `REGRESSION` order).
    pub values: Vec<Option<f64>>,
    pub confusion: Option<Confusion>,
    /// Predictions for the split's test rows, in their order.
    pub predictions: Vec<f64>,
    pub fit_ms: f64,
    pub predict_ms: f64,
    pub impurity: Option<Vec<f64>>,
    pub permutation: Option<Vec<f64>>,
    /// What the nested search chose on this split's training rows (models with a search).
    #[serde(default)]
    pub search: Option<search::Choice>,
    #[serde(default)]
    pub search_ms: f64,
}

/// What one split gave: the fitted feature steps' audit and every model's results. Serializable,
/// so that workers can compute splits apart and one of them assemble the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoldResult {
    /// The split (unit of [`Staged::units`]).
    pub unit: usize,
    /// Model input columns after the feature steps.
    pub inputs: Vec<String>,
    pub steps: Vec<features::StepFit>,
    pub models: Vec<ModelFold>,
    /// Why a split of the original data (compared for the cost of privacy) failed; such a
    /// failure does not stop the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// Prepares the modelling of the masked table: target classes and task, labelled rows, groups,
/// fairness subgroups, model inputs and the splits. Audit entries for rows or columns left out.
pub fn prepare(masked: &Table, recipe: &Recipe, audit: &mut Vec<AuditEntry>) -> Result<Prepared> {
    let target = recipe.target.as_deref().unwrap_or_default();
    let tcol = masked
        .column(target)
        .ok_or_else(|| Error::recipe("(top level)", Some("target"), "no such column"))?;

    // Target classes.
    let labels: Vec<Option<String>> = (0..masked.rows()).map(|r| tcol.values.text(r)).collect();
    let mut classes: Vec<String> = labels.iter().flatten().cloned().collect();
    classes.sort_by(|a, b| {
        match (
            crate::table::csv::parse_number(a),
            crate::table::csv::parse_number(b),
        ) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        }
    });
    classes.dedup();
    let task = if tcol.ctype == ColumnType::Numeric && classes.len() > 2 {
        Task::Regression
    } else {
        Task::Classification
    };
    if task == Task::Classification && classes.len() != 2 {
        return Err(Error::Data(format!(
            "target '{target}' has {} distinct values; a class target needs exactly 2 (a numeric target with more than 2 values is modelled as regression)",
            classes.len()
        )));
    }
    let classes = if task == Task::Classification {
        let pos = positive_class(&classes, recipe.positive.as_deref())?;
        if pos == 0 {
            vec![classes[1].clone(), classes[0].clone()]
        } else {
            classes
        }
    } else {
        if recipe.positive.is_some() {
            return Err(Error::recipe(
                "(top level)",
                Some("positive"),
                format!(
                    "target '{target}' is numeric ({} distinct values): there is no positive class",
                    classes.len()
                ),
            ));
        }
        Vec::new()
    };
    let mut searches = Vec::with_capacity(recipe.models.len());
    let mut model_units = Vec::with_capacity(recipe.models.len());
    for (i, m) in recipe.models.iter().enumerate() {
        let step = format!("models[{i}] ({})", m.kind());
        m.check_task(task)
            .map_err(|(field, msg)| Error::recipe(&step, Some(field), msg))?;
        let Some(s) = &m.search else {
            searches.push(None);
            model_units.push(1);
            continue;
        };
        let at = |(field, msg): (String, String)| Error::recipe(&step, Some(&field), msg);
        s.check_task(task).map_err(at)?;
        let candidates = s
            .candidates(m, search::seed_for(recipe.seed, i))
            .map_err(at)?;
        for c in &candidates {
            c.spec.check_task(task).map_err(|(field, msg)| {
                let shown = serde_json::to_string(&c.params).unwrap_or_default();
                at((
                    format!("search ({field})"),
                    format!("candidate {shown}: {msg}"),
                ))
            })?;
        }
        model_units.push(1 + candidates.len() * s.folds);
        searches.push(Some(candidates));
    }
    if task == Task::Regression
        && recipe.evaluation.is_stratified()
        && recipe.evaluation.name() != "holdout"
    {
        return Err(Error::recipe(
            "evaluation",
            Some("method"),
            format!(
                "{} keeps class ratios, which does not apply to the numeric target '{target}'; use kfold, holdout, group_kfold or leave_one_out",
                recipe.evaluation.name()
            ),
        ));
    }
    let rows: Vec<usize> = (0..masked.rows())
        .filter(|&r| labels[r].is_some())
        .collect();
    let missing = masked.rows() - rows.len();
    if missing > 0 {
        audit.push(AuditEntry {
            step: "target".into(),
            op: "exclude_missing_target".into(),
            args: json!({"column": target}),
            rows_affected: missing,
            cells_affected: 0,
            note: format!("{missing} row(s) without a value in '{target}' left out of training and evaluation"),
        });
    }
    let y = match task {
        Task::Classification => {
            let labels: Vec<bool> = rows
                .iter()
                .map(|&r| labels[r].as_deref() == Some(classes[1].as_str()))
                .collect();
            let values = labels.iter().map(|&b| b as u8 as f64).collect();
            Target { labels, values }
        }
        Task::Regression => {
            let Values::Num(v) = &tcol.values else {
                return Err(Error::Data(format!("target '{target}' is not numeric")));
            };
            Target {
                labels: vec![false; rows.len()],
                values: rows.iter().map(|&r| v[r]).collect(),
            }
        }
    };
    let counts = if task == Task::Classification {
        vec![
            y.labels.iter().filter(|&&b| !b).count(),
            y.labels.iter().filter(|&&b| b).count(),
        ]
    } else {
        Vec::new()
    };

    // Groups for group_kfold: never a model input.
    let group = recipe.evaluation.group_column();
    let groups: Option<Vec<String>> = match group {
        None => None,
        Some(g) => {
            let col = masked.column(g).ok_or_else(|| {
                Error::recipe(
                    "evaluation",
                    Some("group"),
                    format!("no such column '{g}' after the privacy steps"),
                )
            })?;
            let vals: Vec<Option<String>> = rows.iter().map(|&r| col.values.text(r)).collect();
            let empty = vals.iter().filter(|v| v.is_none()).count();
            if empty > 0 {
                return Err(Error::recipe(
                    "evaluation",
                    Some("group"),
                    format!("column '{g}' is missing in {empty} row(s); every row needs a group"),
                ));
            }
            Some(vals.into_iter().flatten().collect())
        }
    };

    // Fairness subgroups (class targets only).
    let audit_groups: Option<(String, Vec<String>)> = match &recipe.evaluation.fairness {
        None => None,
        Some(c) => {
            if task == Task::Regression {
                return Err(Error::recipe(
                    "evaluation",
                    Some("fairness"),
                    format!(
                        "the subgroup audit compares class rates; target '{target}' is numeric"
                    ),
                ));
            }
            let col = masked.column(c).ok_or_else(|| {
                Error::recipe(
                    "evaluation",
                    Some("fairness"),
                    format!("no such column '{c}' after the privacy steps"),
                )
            })?;
            let vals: Vec<String> = rows
                .iter()
                .map(|&r| {
                    col.values
                        .text(r)
                        .unwrap_or_else(|| fairness::MISSING.into())
                })
                .collect();
            let mut distinct: Vec<&String> = vals.iter().collect();
            distinct.sort();
            distinct.dedup();
            if distinct.len() > fairness::MAX_GROUPS {
                return Err(Error::recipe(
                    "evaluation",
                    Some("fairness"),
                    format!(
                        "column '{c}' has {} distinct values; the audit compares at most {} subgroups (generalize it into bands first)",
                        distinct.len(),
                        fairness::MAX_GROUPS
                    ),
                ));
            }
            Some((c.clone(), vals))
        }
    };

    // Model inputs.
    let mut inputs = Vec::new();
    let mut excluded = Vec::new();
    let date_inputs = features::date_inputs(&recipe.features);
    for c in &masked.columns {
        if !recipe.role(&c.name).is_model_input() || Some(c.name.as_str()) == group {
            continue;
        }
        match c.ctype {
            ColumnType::Numeric | ColumnType::Categorical => inputs.push(c.name.clone()),
            // Date columns are inputs of the date feature steps that name them.
            ColumnType::Date if date_inputs.contains(&c.name.as_str()) => {
                inputs.push(c.name.clone())
            }
            t => excluded.push(format!("{} ({})", c.name, t.name())),
        }
    }
    if !excluded.is_empty() {
        audit.push(AuditEntry {
            step: "features".into(),
            op: "select_inputs".into(),
            args: json!({"excluded": excluded}),
            rows_affected: 0,
            cells_affected: 0,
            note: "columns of these types are not model inputs (a date column is one when a date feature step names it); give them the role ignore to silence this".into(),
        });
    }
    if inputs.is_empty() {
        return Err(Error::Data("no model input columns: every column is an identifier, text, date, the target, the group or ignored".into()));
    }
    let x_table = Table::new(
        inputs
            .iter()
            .filter_map(|n| masked.column(n).cloned())
            .collect(),
    )
    .take_rows(&rows);
    features::check_pipeline(&x_table, &recipe.features)?;

    let folds = recipe
        .evaluation
        .folds_grouped(&y.labels, groups.as_deref(), recipe.seed)?;
    Ok(Prepared {
        task,
        target: target.to_string(),
        classes,
        counts,
        missing,
        y,
        group: group.map(str::to_string),
        audit_groups,
        x_table,
        folds,
        repeats: recipe
            .evaluation
            .permutation_repeats
            .unwrap_or(importance::DEFAULT_REPEATS),
        threshold: 0.5,
        searches,
        model_units,
    })
}

/// The feature steps fitted on one split's training rows and applied to both sides: what every
/// model of the split is fitted and scored on.
pub(crate) struct FoldData {
    /// Model input columns after the feature steps.
    names: Vec<String>,
    steps: Vec<features::StepFit>,
    xtr: ndarray::Array2<f64>,
    xte: ndarray::Array2<f64>,
    /// Training labels after the steps (a balancing step may add or remove rows).
    ytr: Vec<bool>,
    yr_tr: Vec<f64>,
    yte: Vec<bool>,
    yr_te: Vec<f64>,
    /// The outer training rows before the feature steps (all a nested search may see), when a
    /// model has a search.
    raw_train: Option<(Table, Vec<bool>)>,
}

/// Fits the feature steps on split `f`'s training rows and applies them to both sides.
fn fit_features(p: &Prepared, recipe: &Recipe, f: usize) -> Result<FoldData> {
    let (task, y, x_table, folds) = (p.task, &p.y, &p.x_table, &p.folds);
    let fold = &folds[f];
    let mut train = x_table.take_rows(&fold.train);
    let mut test = x_table.take_rows(&fold.test);
    let mut ytr: Vec<bool> = fold.train.iter().map(|&i| y.labels[i]).collect();
    let raw_train = p
        .searches
        .iter()
        .any(Option::is_some)
        .then(|| (train.clone(), ytr.clone()));
    let steps = features::fit_transform(
        &recipe.features,
        &mut train,
        &mut ytr,
        &mut test,
        recipe.seed.wrapping_add(f as u64),
    )
    .map_err(|e| e.in_context(&format!("split {}", f + 1)))?;
    if task == Task::Regression && ytr.len() != fold.train.len() {
        return Err(Error::recipe(
            "features",
            None,
            "a step that adds or removes training rows needs a class target",
        ));
    }
    Ok(FoldData {
        names: train.names(),
        steps,
        xtr: features::matrix(&train)?,
        xte: features::matrix(&test)?,
        ytr,
        yr_tr: fold.train.iter().map(|&i| y.values[i]).collect(),
        yte: fold.test.iter().map(|&i| y.labels[i]).collect(),
        yr_te: fold.test.iter().map(|&i| y.values[i]).collect(),
        raw_train,
    })
}

/// Fits model `m` on split `f`'s transformed training rows `d` (a model with a nested search:
/// the candidate the search picks on those training rows alone) and scores it on the test rows.
/// `on_unit(done, what)` reports the progress units of this model done so far (see
/// `Prepared::model_units`); an error from it stops.
fn fit_model(
    p: &Prepared,
    recipe: &Recipe,
    f: usize,
    m: usize,
    d: &FoldData,
    clock: &dyn Fn() -> f64,
    on_unit: &mut dyn FnMut(usize, &str) -> Result<()>,
) -> Result<ModelFold> {
    let (task, folds, threshold, repeats) = (p.task, &p.folds, p.threshold, p.repeats);
    let (xtr, xte, ytr, yr_tr, yte, yr_te) = (&d.xtr, &d.xte, &d.ytr, &d.yr_tr, &d.yte, &d.yr_te);
    let score = |p: &[f64]| -> Option<f64> {
        match task {
            Task::Classification => metrics::roc_auc(yte, p),
            Task::Regression => metrics::regression(yr_te, p)[2],
        }
    };
    let spec = &recipe.models[m];
    on_unit(0, spec.kind())?;
    let at = |e: Error| {
        match e {
            Error::Model { kind, message } => Error::Model {
                kind: format!("models[{m}] ({kind})"),
                message,
            },
            e => e,
        }
        .in_context(&format!("split {}", f + 1))
    };
    let ts = clock();
    let (chosen, choice) = match (&spec.search, &p.searches[m], &d.raw_train) {
        (Some(s), Some(candidates), Some((x, labels))) => {
            let step = format!("models[{m}] ({})", spec.kind());
            let data = SearchData {
                step: &step,
                x,
                labels,
                values: yr_tr,
                task,
                features: &recipe.features,
            };
            let what = format!("{}: hyper-parameter search", spec.kind());
            let mut k = 0;
            let choice = search::select(
                s,
                candidates,
                &data,
                recipe
                    .seed
                    .wrapping_add(f as u64)
                    .wrapping_mul(0x2545_F491_4F6C_DD1D),
                &mut || {
                    k += 1;
                    on_unit(k, &what)
                },
            )
            .map_err(at)?;
            (&candidates[choice.index].spec, Some(choice))
        }
        _ => (&spec.spec, None),
    };
    let t0 = clock();
    let search_ms = if choice.is_some() { t0 - ts } else { 0.0 };
    let seed = recipe.seed.wrapping_add(f as u64);
    let fitted = chosen.fit(task, xtr, ytr, yr_tr, seed).map_err(at)?;
    let t1 = clock();
    let predictions = fitted.predict(xte);
    let t2 = clock();
    if predictions.iter().any(|v| !v.is_finite()) {
        return Err(at(Error::Model {
            kind: spec.kind().into(),
            message: "the model predicted a non-finite value".into(),
        }));
    }
    let (values, confusion) = match task {
        Task::Classification => {
            let (conf, values) = metrics::classification(yte, &predictions, threshold);
            (values, Some(conf))
        }
        Task::Regression => (metrics::regression(yr_te, &predictions), None),
    };
    let pseed = recipe
        .seed
        .wrapping_mul(1_000_003)
        .wrapping_add((m * folds.len() + f) as u64);
    let permutation = importance::permutation(xte, &|x| fitted.predict(x), &score, repeats, pseed);
    Ok(ModelFold {
        values,
        confusion,
        predictions,
        fit_ms: t1 - t0,
        predict_ms: t2 - t1,
        impurity: fitted.impurity_importance(),
        permutation,
        search: choice,
        search_ms,
    })
}

/// The 95% bootstrap intervals of every metric of model `m` from its pooled out-of-fold
/// predictions `(row, prediction)`, in split order.
fn pooled_intervals(
    task: Task,
    y: &Target,
    threshold: f64,
    seed: u64,
    m: usize,
    pooled: &[(usize, f64)],
) -> Vec<Option<[f64; 2]>> {
    let p: Vec<f64> = pooled.iter().map(|&(_, v)| v).collect();
    let seed = seed.wrapping_add(m as u64);
    match task {
        Task::Classification => {
            let py: Vec<bool> = pooled.iter().map(|&(r, _)| y.labels[r]).collect();
            uncertainty::classification_intervals(&py, &p, threshold, seed)
        }
        Task::Regression => {
            let py: Vec<f64> = pooled.iter().map(|&(r, _)| y.values[r]).collect();
            uncertainty::regression_intervals(&py, &p, seed)
        }
    }
}

/// Adds split `split`'s predictions for its test rows to a model's pooled out-of-fold
/// predictions `(row, prediction)`.
fn pool(
    pooled: &mut Vec<(usize, f64)>,
    fold: &crate::eval::split::Fold,
    predictions: &[f64],
    split: usize,
) -> Result<()> {
    if predictions.len() != fold.test.len() {
        return Err(Error::Protocol(format!(
            "the results of split {} do not match its test rows",
            split + 1
        )));
    }
    pooled.extend(fold.test.iter().copied().zip(predictions.iter().copied()));
    Ok(())
}

/// One model's bootstrap intervals, computed apart from [`finish`] (see [`model_intervals`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelIntervals {
    /// The model (index in the recipe).
    pub model: usize,
    /// On the masked data, per metric.
    pub masked: Vec<Option<[f64; 2]>>,
    /// On the original data, when it is compared and every split of it succeeded.
    pub original: Option<Vec<Option<[f64; 2]>>>,
}

/// The bootstrap intervals of one model from the results of all its units (masked and original
/// splits): what [`finish`] would compute for it, and the larger part of its work. A pool
/// computes them on the workers as soon as a model's last unit is done, while other units run.
pub fn model_intervals(
    staged: &Staged,
    recipe: &Recipe,
    mut results: Vec<FoldResult>,
) -> Result<ModelIntervals> {
    let models = staged.models();
    let Some(m) = results.first().map(|r| r.unit % models.max(1)) else {
        return Err(Error::Protocol("intervals of no results".into()));
    };
    if models == 0 || results.iter().any(|r| r.unit % models != m) {
        return Err(Error::Protocol(
            "intervals are computed from the results of one model".into(),
        ));
    }
    results.sort_by_key(|r| r.unit);
    let splits: Vec<usize> = results.iter().map(|r| r.unit / models).collect();
    let (n_masked, all) = (staged.masked_splits(), staged.splits());
    if splits != (0..all).collect::<Vec<_>>() {
        return Err(Error::Protocol(format!(
            "the results of model {} cover splits {splits:?}; the evaluation has {all} (each exactly once)",
            m + 1
        )));
    }
    let pooled_of = |p: &Prepared, rs: &[FoldResult], offset: usize| -> Result<Vec<(usize, f64)>> {
        let mut pooled = Vec::new();
        for r in rs {
            let fold = &p.folds[r.unit / models - offset];
            let Some(mf) = r.models.first() else {
                return Err(Error::Protocol(format!(
                    "the results of unit {} hold no model",
                    r.unit + 1
                )));
            };
            pool(&mut pooled, fold, &mf.predictions, r.unit / models)?;
        }
        Ok(pooled)
    };
    let Some(p) = staged.prepared.as_ref() else {
        return Err(Error::Protocol("the recipe has no models".into()));
    };
    let (masked, original) = results.split_at(n_masked);
    let ci = |p: &Prepared, pooled: &[(usize, f64)]| {
        pooled_intervals(p.task, &p.y, p.threshold, recipe.seed, m, pooled)
    };
    let masked = ci(p, &pooled_of(p, masked, 0)?);
    let original = match &staged.original {
        Some(Original {
            prepared: Ok(o), ..
        }) if !original.is_empty() && original.iter().all(|r| r.failed.is_none()) => {
            Some(ci(o, &pooled_of(o, original, n_masked)?))
        }
        _ => None,
    };
    Ok(ModelIntervals {
        model: m,
        masked,
        original,
    })
}

/// Assembles the per-split results (sorted, one per split) into the target, evaluation and
/// model sections of the report.
fn assemble(
    p: Prepared,
    recipe: &Recipe,
    results: Vec<FoldResult>,
    given: &[Option<Vec<Option<[f64; 2]>>>],
    audit: &mut Vec<AuditEntry>,
) -> Result<Modelled> {
    let Prepared {
        task,
        target,
        classes,
        counts,
        missing,
        y,
        group,
        audit_groups,
        x_table,
        folds,
        repeats,
        threshold,
        searches,
        model_units: _,
    } = p;
    let mut records: Vec<Record> = recipe.models.iter().map(|_| Record::default()).collect();
    let n_steps = recipe.features.len();
    let mut step_cells = vec![0usize; n_steps];
    let mut step_learned: Vec<Vec<serde_json::Value>> = vec![Vec::new(); n_steps];
    let mut step_filled: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); n_steps];
    let mut step_rows: Vec<Vec<serde_json::Value>> = vec![Vec::new(); n_steps];
    let model_inputs = results
        .first()
        .map(|r| r.inputs.clone())
        .unwrap_or_default();
    for r in results {
        let fold = &folds[r.unit];
        if r.steps.len() != n_steps || r.models.len() != records.len() {
            return Err(Error::Protocol(format!(
                "the results of split {} do not match the recipe",
                r.unit + 1
            )));
        }
        for (s, fit) in r.steps.into_iter().enumerate() {
            step_cells[s] += fit.cells;
            step_learned[s].push(fit.learned);
            for (col, n) in fit.filled {
                *step_filled[s].entry(col).or_insert(0) += n;
            }
            if fit.train_rows.0 != fit.train_rows.1 {
                step_rows[s].push(json!({"before": fit.train_rows.0, "after": fit.train_rows.1}));
            }
        }
        for (rec, mf) in records.iter_mut().zip(r.models) {
            pool(&mut rec.pooled, fold, &mf.predictions, r.unit)?;
            rec.folds.push(mf.values);
            if let Some(c) = &mf.confusion {
                rec.confusion.add(c);
            }
            rec.timings.fit_ms += mf.fit_ms;
            rec.timings.predict_ms += mf.predict_ms;
            rec.timings.search_ms += mf.search_ms;
            if let Some(c) = mf.search {
                rec.choices.push(c);
            }
            if let Some(imp) = &mf.impurity {
                rec.impurity.add(&r.inputs, imp);
            }
            if let Some(imp) = &mf.permutation {
                rec.permutation.add(&r.inputs, imp);
            }
        }
    }

    for (s, step) in recipe.features.iter().enumerate() {
        // `filled`: missing cells each step filled per column, summed over the splits'
        // training and test rows. `training_rows`: per split, the training rows before and
        // after a step that resamples them (drop_rows, balance); test rows are never resampled.
        let mut args = json!({"args": args_of(step), "learned": step_learned[s]});
        if !step_filled[s].is_empty() {
            args["filled"] = json!(step_filled[s]);
        }
        let resampled: usize = step_rows[s]
            .iter()
            .map(|r| {
                let (b, a) = (
                    r["before"].as_u64().unwrap_or(0),
                    r["after"].as_u64().unwrap_or(0),
                );
                b.abs_diff(a) as usize
            })
            .sum();
        if !step_rows[s].is_empty() {
            args["training_rows"] = json!(step_rows[s]);
        }
        audit.push(AuditEntry {
            step: format!("features[{s}]"),
            op: step.name().into(),
            args,
            rows_affected: if step_rows[s].is_empty() {
                x_table.rows()
            } else {
                resampled
            },
            cells_affected: step_cells[s],
            note: if step_rows[s].is_empty() {
                format!(
                    "fitted on the training rows of each of {} split(s); learned per split",
                    folds.len()
                )
            } else {
                format!(
                    "training rows only, in each of {} split(s): {resampled} row(s) removed or added in total; test rows untouched",
                    folds.len()
                )
            },
        });
    }

    let names = match task {
        Task::Classification => metrics::CLASSIFICATION,
        Task::Regression => metrics::REGRESSION,
    };
    let models: Vec<ModelReport> = recipe
        .models
        .iter()
        .zip(&records)
        .enumerate()
        .map(|(m, (spec, rec))| {
            audit.push(AuditEntry {
                step: format!("models[{m}]"),
                op: spec.kind().into(),
                args: args_of(spec),
                rows_affected: x_table.rows(),
                cells_affected: 0,
                note: format!("fitted and evaluated on {} split(s)", folds.len()),
            });
            let pooled_p: Vec<f64> = rec.pooled.iter().map(|&(_, p)| p).collect();
            let ci = match given.get(m).cloned().flatten() {
                Some(ci) => ci,
                None => pooled_intervals(task, &y, threshold, recipe.seed, m, &rec.pooled),
            };
            let (pooled, curves, regression) = match task {
                Task::Classification => {
                    let py: Vec<bool> = rec.pooled.iter().map(|&(r, _)| y.labels[r]).collect();
                    (
                        metrics::classification(&py, &pooled_p, threshold).1,
                        curves::curves(&py, &pooled_p),
                        None,
                    )
                }
                Task::Regression => {
                    let py: Vec<f64> = rec.pooled.iter().map(|&(r, _)| y.values[r]).collect();
                    (
                        metrics::regression(&py, &pooled_p),
                        None,
                        Some(curves::regression_plot(&py, &pooled_p)),
                    )
                }
            };
            if ci.len() != pooled.len() {
                return Err(Error::Protocol(format!(
                    "the intervals of model {} do not match its metrics",
                    m + 1
                )));
            }
            let metrics = names
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let folds: Vec<Option<f64>> = rec.folds.iter().map(|v| v[k]).collect();
                    let (mean, std) = metrics::mean_std(&folds);
                    (
                        name.to_string(),
                        MetricSummary {
                            mean,
                            std,
                            folds,
                            pooled: pooled[k],
                            ci: ci[k],
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>();
            let mut params = args_of(spec);
            if let Some(o) = params.as_object_mut() {
                o.remove("kind");
                o.remove("search");
            }
            let search = spec
                .search
                .as_ref()
                .zip(searches[m].as_ref())
                .map(|(s, c)| SearchReport::new(s, task, c, &rec.choices));
            Ok(ModelReport {
                kind: spec.kind().into(),
                params,
                metrics,
                confusion_matrix: (task == Task::Classification).then_some(rec.confusion),
                timings: rec.timings.clone(),
                curves,
                importance: Importance {
                    permutation: rec.permutation.summary(),
                    impurity: (!rec.impurity.is_empty()).then(|| rec.impurity.summary()),
                },
                fairness: audit_groups.as_ref().map(|(c, g)| {
                    fairness::audit(
                        c,
                        g,
                        &y.labels,
                        &rec.pooled,
                        threshold,
                        recipe
                            .evaluation
                            .fairness_threshold
                            .unwrap_or(fairness::DEFAULT_THRESHOLD),
                    )
                }),
                search,
                regression,
            })
        })
        .collect::<Result<_>>()?;
    let key = match task {
        Task::Classification => "roc_auc",
        Task::Regression => "r2",
    };
    let comparison = compare(&models, &folds, key);

    let target_report = TargetReport {
        column: target,
        task,
        positive: classes.get(1).cloned().unwrap_or_default(),
        classes,
        counts,
        missing,
    };
    let evaluation = EvaluationReport {
        method: recipe.evaluation.name().into(),
        splits: folds.len(),
        seed: recipe.seed,
        threshold,
        train_sizes: folds.iter().map(|f| f.train.len()).collect(),
        test_sizes: folds.iter().map(|f| f.test.len()).collect(),
        model_inputs,
        group,
        intervals: Some(IntervalMethod {
            method: "percentile_bootstrap_of_pooled_out_of_fold_predictions".into(),
            resamples: uncertainty::RESAMPLES,
            level: 0.95,
            seed: recipe.seed,
        }),
        importance: (repeats > 0).then(|| ImportanceMethod {
            method: "permutation_on_test_folds".into(),
            score: key.into(),
            repeats,
        }),
        comparison,
    };
    Ok((target_report, evaluation, models))
}

/// The Nadeau–Bengio test between the two models with the best mean `key` (first on ties),
/// over the splits where both have it.
fn compare(
    models: &[ModelReport],
    folds: &[crate::eval::split::Fold],
    key: &str,
) -> Option<uncertainty::PairedTest> {
    if models.len() < 2 {
        return None;
    }
    let mean = |m: &ModelReport| m.metrics.get(key).and_then(|s| s.mean);
    let mut order: Vec<usize> = (0..models.len())
        .filter(|&i| mean(&models[i]).is_some())
        .collect();
    order.sort_by(|&a, &b| {
        mean(&models[b])
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&mean(&models[a]).unwrap_or(f64::NEG_INFINITY))
    });
    let (a, b) = (*order.first()?, *order.get(1)?);
    let fa = &models[a].metrics[key].folds;
    let fb = &models[b].metrics[key].folds;
    let mut d = Vec::new();
    let (mut n_train, mut n_test) = (0.0, 0.0);
    for (j, (x, y)) in fa.iter().zip(fb).enumerate() {
        if let (Some(x), Some(y)) = (x, y) {
            d.push(x - y);
            n_train += folds[j].train.len() as f64;
            n_test += folds[j].test.len() as f64;
        }
    }
    let mean_difference = if d.is_empty() {
        0.0
    } else {
        d.iter().sum::<f64>() / d.len() as f64
    };
    let result = uncertainty::nadeau_bengio(&d, n_train, n_test);
    let note = match (&result, d.len()) {
        (_, 0 | 1) => format!(
            "{key} is defined in {} split(s); the test needs at least 2",
            d.len()
        ),
        (None, _) => "the per-split differences have no spread; t is undefined".into(),
        (Some((_, p)), _) if *p < 0.05 => format!(
            "{} scores higher than {} on {key} (p < 0.05, corrected for overlapping training sets)",
            models[a].kind, models[b].kind
        ),
        (Some(_), _) => format!(
            "no significant difference in {key} between {} and {} (p ≥ 0.05)",
            models[a].kind, models[b].kind
        ),
    };
    Some(uncertainty::PairedTest {
        method: "nadeau_bengio_corrected_paired_t".into(),
        metric: key.into(),
        models: [a, b],
        kinds: [models[a].kind.clone(), models[b].kind.clone()],
        mean_difference,
        t: result.map(|r| r.0),
        df: d.len().saturating_sub(1),
        p_value: result.map(|r| r.1),
        note,
    })
}
