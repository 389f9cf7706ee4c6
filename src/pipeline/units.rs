//! Step 2 of a run: the units of work (one model on one split) and their scheduling. Natively
//! the splits, and the models of a split, run on all cores; in the browser a pool of workers
//! each computes some units, one after another.

use super::fold::{
    explain_model, fit_features, fit_model, score_model, FoldData, ModelFold, Scored,
};
use super::original::Original;
use super::prepare::Prepared;
use super::{Context, Staged};
use crate::error::{Error, Result};
use crate::features;
use crate::par;
use crate::recipe::Recipe;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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
    /// Time fitting the split's feature steps for this unit (0 when an earlier unit of the
    /// split on the same worker had fitted them).
    #[serde(default)]
    pub features_ms: f64,
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
    pub(super) fn splits(&self) -> usize {
        self.masked_splits() + self.original_splits()
    }

    /// Models of the recipe (0 without modelling).
    pub(super) fn models(&self) -> usize {
        self.prepared.as_ref().map_or(0, |p| p.model_units.len())
    }

    /// Splits of the masked data.
    pub(super) fn masked_splits(&self) -> usize {
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

    /// The estimated cost of the units `which` (see [`super::estimate`]): masked and original
    /// units each estimated on their own modelling.
    pub fn estimate(&self, recipe: &Recipe, which: &[usize]) -> super::Estimate {
        let mut masked = Vec::new();
        let mut original = Vec::new();
        let mut order = Vec::new();
        for &u in which {
            if let Some((split, m)) = self.unit_of(u) {
                if let Some((_, f, orig)) = self.split_of(split) {
                    order.push(orig);
                    if orig { &mut original } else { &mut masked }.push((f, m));
                }
            }
        }
        let side = |o: bool, units: &[(usize, usize)]| -> Option<super::Estimate> {
            let p = if o {
                match &self.original {
                    Some(Original {
                        prepared: Ok(p), ..
                    }) => p,
                    _ => return None,
                }
            } else {
                self.prepared.as_ref()?
            };
            Some(super::estimate::estimate(p, recipe, units))
        };
        let m = side(false, &masked);
        let o = side(true, &original).filter(|_| !original.is_empty());
        let mut out = m.clone().unwrap_or(super::Estimate {
            inputs: 0,
            widest: None,
            units: Vec::new(),
            phases: Vec::new(),
            total_ms: 0.0,
            intervals: Vec::new(),
            finish: 0.0,
            worker_bytes: 0.0,
            warnings: Vec::new(),
            warning_codes: Vec::new(),
        });
        if let Some(o) = o {
            let (mut mi, mut oi) = (
                m.map(|m| m.units).unwrap_or_default().into_iter(),
                o.units.into_iter(),
            );
            out.units = order
                .iter()
                .map(|&orig| if orig { oi.next() } else { mi.next() }.unwrap_or(0.0))
                .collect();
            out.total_ms += o.total_ms;
            out.finish += o.finish;
            // One split at a time, of either table (their unchanged columns are shared).
            out.worker_bytes = out.worker_bytes.max(o.worker_bytes);
            out.intervals
                .resize(out.intervals.len().max(o.intervals.len()), 0.0);
            for (a, b) in out.intervals.iter_mut().zip(&o.intervals) {
                *a += b;
            }
            out.phases.push(crate::report::PhaseTime {
                phase: "original".into(),
                ms: o.phases.iter().map(|p| p.ms).sum(),
            });
        }
        out
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
    compute_units(staged, recipe, which, ctx, true)
}

/// As [`run_splits`] without the explanations (permutation importance, SHAP): each unit's
/// results as soon as its model is fitted and scored, its predictions complete, so that another
/// worker can start the model's bootstraps ([`super::model_intervals`]); the fitted models stay
/// in `staged` until [`explain_splits`] completes the same units.
pub fn score_splits(
    staged: &Staged,
    recipe: &Recipe,
    which: &[usize],
    ctx: &mut Context,
) -> Result<Vec<FoldResult>> {
    compute_units(staged, recipe, which, ctx, false)
}

/// A unit [`score_splits`] computed, waiting for [`explain_splits`]: its results (with
/// `failed` when its split of the original data failed, then there is nothing to explain) and
/// the fitted model with its split.
pub(crate) struct Unexplained {
    result: FoldResult,
    model: Option<(Arc<FoldData>, Scored)>,
}

/// Completes units that [`score_splits`] computed on this `staged` with their explanations:
/// the same results, bit for bit, as [`run_splits`] gives for them (the explanations come from
/// the same fitted model, test rows and seeds). A unit not scored here is an error.
pub fn explain_splits(
    staged: &Staged,
    recipe: &Recipe,
    which: &[usize],
    ctx: &mut Context,
) -> Result<Vec<FoldResult>> {
    let Some(p) = &staged.prepared else {
        return Ok(Vec::new());
    };
    let clock = ctx.now_ms;
    let splits = staged.splits();
    let weight = |u: usize| staged.unit_of(u).map_or(1, |(_, m)| p.model_units[m]);
    let total: usize = which.iter().map(|&u| weight(u)).sum();
    let mut out = Vec::with_capacity(which.len());
    let mut before = 0;
    for &u in which {
        let waiting = staged
            .scored
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&u);
        let Some(Unexplained { mut result, model }) = waiting else {
            return Err(Error::Protocol(format!(
                "unit {} was not scored by this worker, or was explained already",
                u + 1
            )));
        };
        let Some((data, scored)) = model else {
            out.push(result);
            before += weight(u);
            continue;
        };
        let (split, m) = staged
            .unit_of(u)
            .ok_or_else(|| Error::Protocol(format!("unit {} does not exist", u + 1)))?;
        let (p, f, original) = staged
            .split_of(split)
            .ok_or_else(|| Error::Protocol(format!("split {} does not exist", split + 1)))?;
        let explained = explain_model(
            p,
            recipe,
            (f, m),
            &data,
            scored,
            clock,
            &mut |d, phase, what| {
                ctx.report_phase(
                    "models",
                    phase,
                    before + d,
                    total,
                    Some(u),
                    format!("{what} ({phase}) on split {}/{splits}", split + 1),
                )
            },
        );
        match explained {
            Ok(fold) => result.models = vec![fold],
            Err(e) => result.failed = Some(recorded_failure(original, e)?),
        }
        out.push(result);
        before += weight(u);
    }
    Ok(out)
}

/// What becomes of a unit's error: on a split of the original data (compared for the cost of
/// privacy) a failure does not stop the run and is recorded in its results (`Ok`: the message);
/// elsewhere, or when the run is cancelled, it stops the run.
fn recorded_failure(original: bool, e: Error) -> Result<String> {
    if original && e != Error::Cancelled {
        Ok(e.to_string())
    } else {
        Err(e)
    }
}

/// [`run_splits`] (`explain`) or [`score_splits`].
fn compute_units(
    staged: &Staged,
    recipe: &Recipe,
    which: &[usize],
    ctx: &mut Context,
    explain: bool,
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
    let plan = staged.estimate(recipe, which);
    ctx.tell(super::Progress {
        stage: "plan".into(),
        done: 1,
        total: 1,
        message: format!(
            "{} model input(s); about {:.0} s estimated",
            plan.inputs,
            plan.total_ms / 1000.0
        ),
        phase: "plan".into(),
        unit: None,
        plan: Some(plan),
    })?;
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
    let results = run_groups(staged, recipe, &groups, ctx, total, &weight, explain)?;
    ctx.report("models", total, total, "evaluation done".into())?;
    Ok(results)
}

/// Computes the unit groups (each the units of one split) in batches of [`par::threads`]
/// groups, the results in group order. Natively a batch runs on the threads at once while this
/// thread tells their progress as it happens (each model's phases and its permutation
/// importance batch by batch, see [`run_batch_live`]) and "split k/n done" after the batch; in
/// wasm a batch is one group, and progress is told as each model goes ("… on split k/n").
fn run_groups(
    staged: &Staged,
    recipe: &Recipe,
    groups: &[&[usize]],
    ctx: &mut Context,
    total: usize,
    weight: &(dyn Fn(usize) -> usize + Sync),
    explain: bool,
) -> Result<Vec<FoldResult>> {
    let clock = ctx.now_ms;
    let (splits, models) = (staged.splits(), staged.models());
    let group_weight = |g: &[usize]| g.iter().map(|&u| weight(u)).sum::<usize>();
    let mut out = Vec::new();
    let mut done = 0;
    for batch in groups.chunks(par::threads()) {
        let results = if par::PARALLEL {
            run_batch_live(staged, recipe, batch, ctx, (done, total), explain)?
        } else {
            // Where each group's progress starts.
            let starts: Vec<usize> = batch
                .iter()
                .scan(done, |at, g| {
                    let start = *at;
                    *at += group_weight(g);
                    Some(start)
                })
                .collect();
            par::try_map(
                batch.len(),
                |i, tick| {
                    let split = batch[i][0] / models;
                    group_results(
                        staged,
                        recipe,
                        batch[i],
                        clock,
                        &mut |d, phase, what, u| {
                            tick((starts[i] + d, split, phase.to_string(), what.to_string(), u))
                        },
                        &|_, _, _, _| Ok(()),
                        explain,
                    )
                },
                &mut |(at, split, phase, what, u): (usize, usize, String, String, usize)| {
                    ctx.report_phase(
                        "models",
                        &phase,
                        at,
                        total,
                        Some(u),
                        format!("{what} ({phase}) on split {}/{splits}", split + 1),
                    )
                },
            )?
        };
        out.extend(results.into_iter().flatten());
        done += batch.iter().map(|g| group_weight(g)).sum::<usize>();
        if par::PARALLEL {
            let split = batch
                .last()
                .and_then(|g| g.first())
                .map_or(0, |&u| u / models);
            ctx.report(
                "models",
                done,
                total,
                format!("split {}/{splits} done", split + 1),
            )?;
        }
    }
    Ok(out)
}

/// One progress event of a unit, sent from the thread computing it.
struct LiveTick {
    unit: usize,
    /// Progress units of the unit's model done so far (see `Prepared::model_units`).
    done: usize,
    phase: String,
    what: String,
}

/// Natively: the groups of `batch` computed on rayon's threads (from a scoped thread, so that
/// this one stays free), while this thread tells `ctx` each unit's progress as it arrives:
/// `done` (the progress units before the batch) plus what each unit of the batch has done so
/// far, so the count only grows. When `ctx` asks to stop, the units stop at their next event.
fn run_batch_live(
    staged: &Staged,
    recipe: &Recipe,
    batch: &[&[usize]],
    ctx: &mut Context,
    (done, total): (usize, usize),
    explain: bool,
) -> Result<Vec<Vec<FoldResult>>> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let clock = ctx.now_ms;
    let (splits, models) = (staged.splits(), staged.models().max(1));
    let (tx, rx) = std::sync::mpsc::channel::<LiveTick>();
    let stop = AtomicBool::new(false);
    let stop = &stop;
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let tx = tx; // dropped when the batch is done, which ends the loop below
            par::try_map(
                batch.len(),
                |i, _tick| {
                    group_results(
                        staged,
                        recipe,
                        batch[i],
                        clock,
                        &mut |_, _, _, _| Ok(()),
                        &|d, phase, what, u| {
                            if stop.load(Ordering::Relaxed) {
                                return Err(Error::Cancelled);
                            }
                            // The receiver outlives the senders; a failed send only means
                            // that nobody listens any more.
                            let _ = tx.send(LiveTick {
                                unit: u,
                                done: d,
                                phase: phase.to_string(),
                                what: what.to_string(),
                            });
                            Ok(())
                        },
                        explain,
                    )
                },
                &mut |()| Ok(()),
            )
        });
        let mut unit_done = std::collections::BTreeMap::new();
        let mut told = Ok(());
        for t in rx {
            if told.is_err() {
                continue;
            }
            unit_done.insert(t.unit, t.done);
            let at = (done + unit_done.values().sum::<usize>()).min(total);
            told = ctx.report_phase(
                "models",
                &t.phase,
                at,
                total,
                Some(t.unit),
                format!(
                    "{} ({}) on split {}/{splits}",
                    t.what,
                    t.phase,
                    t.unit / models + 1
                ),
            );
            if told.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
        }
        let results = match worker.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        told?;
        results
    })
}

/// Computes consecutive units of one split (see [`Staged::units`]): the feature steps fitted
/// once (or taken from the last fit of this split), then each unit's model, explained, or
/// without `explain` only scored and kept for [`explain_splits`]. A failure on the original
/// data does not stop the run: it is kept in the results and reported in `Report::original`.
fn group_results(
    staged: &Staged,
    recipe: &Recipe,
    units: &[usize],
    clock: &(dyn Fn() -> f64 + Sync),
    on_unit: &mut dyn FnMut(usize, &str, &str, usize) -> Result<()>,
    live: &(dyn Fn(usize, &str, &str, usize) -> Result<()> + Sync),
    explain: bool,
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
        let message = recorded_failure(original, e)?;
        let results: Vec<FoldResult> = units
            .iter()
            .map(|&u| FoldResult {
                unit: u,
                inputs: Vec::new(),
                steps: Vec::new(),
                models: Vec::new(),
                failed: Some(message.clone()),
                features_ms: 0.0,
            })
            .collect();
        if !explain {
            let mut waiting = staged.scored.lock().unwrap_or_else(|e| e.into_inner());
            for r in &results {
                waiting.insert(
                    r.unit,
                    Unexplained {
                        result: r.clone(),
                        model: None,
                    },
                );
            }
        }
        Ok(results)
    };
    let (data, fresh) = match fitted_split(staged, p, recipe, split, f, clock) {
        Ok(d) => d,
        Err(e) => return failed(e),
    };
    let models: Vec<usize> = units.iter().map(|&u| u % staged.models()).collect();
    // The first error in model order: natively every model of the group is fitted on the
    // threads; in wasm they go one after another and stop at the first error.
    if fresh {
        live(0, "features", "feature steps fitted", units[0])?;
        on_unit(0, "features", "feature steps fitted", units[0])?;
    }
    let fits = par::try_map(
        models.len(),
        |i, tick| {
            let before: usize = models[..i].iter().map(|&m| p.model_units[m]).sum();
            let on_unit = &mut |d, phase: &str, what: &str| {
                live(d, phase, what, units[i])?;
                tick((before + d, phase.to_string(), what.to_string(), units[i]))
            };
            if explain {
                fit_model(p, recipe, f, models[i], &data, clock, on_unit).map(|mf| (mf, None))
            } else {
                score_model(p, recipe, f, models[i], &data, clock, on_unit)
                    .map(|scored| (scored.fold.clone(), Some(scored)))
            }
        },
        &mut |(d, phase, what, u): (usize, String, String, usize)| on_unit(d, &phase, &what, u),
    );
    // After the split's last model its fit is not needed again.
    if models.last() == Some(&(staged.models() - 1)) {
        let mut fitted = staged.fitted.lock().unwrap_or_else(|e| e.into_inner());
        if fitted.as_ref().is_some_and(|(s, _)| *s == split) {
            *fitted = None;
        }
    }
    match fits {
        Ok(fits) => {
            let mut waiting = staged.scored.lock().unwrap_or_else(|e| e.into_inner());
            Ok(units
                .iter()
                .zip(fits)
                .enumerate()
                .map(|(k, (&u, (mf, scored)))| {
                    let result = FoldResult {
                        unit: u,
                        inputs: data.split.names.clone(),
                        steps: data.split.steps.clone(),
                        models: vec![mf],
                        failed: None,
                        features_ms: if k == 0 && fresh {
                            data.features_ms
                        } else {
                            0.0
                        },
                    };
                    if let Some(scored) = scored {
                        let shell = FoldResult {
                            models: Vec::new(),
                            ..result.clone()
                        };
                        waiting.insert(
                            u,
                            Unexplained {
                                result: shell,
                                model: Some((data.clone(), scored)),
                            },
                        );
                    }
                    result
                })
                .collect())
        }
        Err(e) => failed(e),
    }
}

/// The feature steps of split `split` (fold `f` of `p`): the last fit, when it was of this
/// split, else fitted now (`true`) and kept for the split's next units instead of the last.
fn fitted_split(
    staged: &Staged,
    p: &Prepared,
    recipe: &Recipe,
    split: usize,
    f: usize,
    clock: &dyn Fn() -> f64,
) -> Result<(Arc<FoldData>, bool)> {
    {
        let mut last = staged.fitted.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, d)) = last.as_ref().filter(|(s, _)| *s == split) {
            return Ok((d.clone(), false));
        }
        // Another split's: let it go before this one's matrices are made, so that a worker
        // going from split to split never holds two (at 1,000,000 rows each is ~250 MB, and a
        // wasm heap keeps its high-water mark). A unit scored but not yet explained keeps its own.
        *last = None;
    }
    let d = Arc::new(fit_features(p, recipe, f, clock)?);
    *staged.fitted.lock().unwrap_or_else(|e| e.into_inner()) = Some((split, d.clone()));
    Ok((d, true))
}

/// The results of every unit (sorted, each exactly once) as one result per split, its models in
/// the recipe's order.
pub(super) fn per_split(results: Vec<FoldResult>, models: usize) -> Result<Vec<FoldResult>> {
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
                last.features_ms += r.features_ms;
                last.models.extend(r.models);
            }
            _ => out.push(FoldResult { unit: split, ..r }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A worker going from one split to the next lets the last split's matrices go before it
    /// makes the next one's, so that it never holds two (the page's memory at 1,000,000 rows).
    #[test]
    fn the_last_splits_matrices_go_before_the_next_ones_are_made() {
        let mut csv = String::from("a,b,y\n");
        for i in 0..200u32 {
            csv.push_str(&format!("{},{},{}\n", i % 13, (i * 7) % 11, i % 2));
        }
        let parsed =
            crate::table::csv::read_csv(csv.as_bytes(), "t.csv", &Default::default()).unwrap();
        let input = crate::table::profile::summary(&parsed, "t.csv", csv.as_bytes());
        let recipe = Recipe::from_json(
            r#"{"version": 1, "seed": 3, "target": "y",
                "models": [{"kind": "logistic_regression"}],
                "evaluation": {"method": "stratified_kfold", "folds": 3,
                               "compare_original": false}}"#,
        )
        .unwrap();
        let mut ctx = Context {
            progress: &mut |_| true,
            now_ms: &|| 0.0,
            key: vec![0; 32],
        };
        let staged = super::super::stage(&parsed.table, input, &recipe, &mut ctx).unwrap();
        let (p, f0, _) = staged.split_of(0).unwrap();
        let (first, fitted) = fitted_split(&staged, p, &recipe, 0, f0, &|| 0.0).unwrap();
        assert!(fitted);
        let (again, fitted) = fitted_split(&staged, p, &recipe, 0, f0, &|| 0.0).unwrap();
        assert!(
            !fitted && Arc::ptr_eq(&first, &again),
            "the same split is fitted once"
        );
        let last = Arc::downgrade(&first);
        drop((first, again));
        // `fit_features` reads the clock before it makes anything: the last split's must be
        // gone by then.
        let alive_when_fitting = Cell::new(None);
        let clock = || {
            if alive_when_fitting.get().is_none() {
                alive_when_fitting.set(Some(last.upgrade().is_some()));
            }
            0.0
        };
        let (_, f1, _) = staged.split_of(1).unwrap();
        let (_next, fitted) = fitted_split(&staged, p, &recipe, 1, f1, &clock).unwrap();
        assert!(fitted);
        assert_eq!(alive_when_fitting.get(), Some(false));
    }
}
