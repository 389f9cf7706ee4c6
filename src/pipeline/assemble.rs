//! The modelling sections of the report (target, evaluation, models) from the per-split
//! results: every split's models gathered per model ([`Record`]), the feature steps' audit, each
//! model's metrics, intervals, curves, importance, fairness and search, and the paired test
//! between the two best models.

use super::args_of;
use super::fold::THRESHOLD;
use super::intervals::{bootstraps, pool, Bootstraps};
use super::prepare::{Prepared, Target};
use super::units::FoldResult;
use crate::error::StepRef;
use crate::error::{Error, Result};
use crate::eval::metrics::{self, Confusion};
use crate::eval::search::{self, SearchReport};
use crate::eval::split::Fold;
use crate::eval::{calibration, curves, decision, fairness, importance, uncertainty};
use crate::models::Task;
use crate::recipe::Recipe;
use crate::report::*;
use serde_json::json;
use std::collections::BTreeMap;

/// The target, evaluation and model sections of a report.
pub(super) type Modelled = (TargetReport, EvaluationReport, Vec<ModelReport>);

/// What one model accumulates over the splits.
#[derive(Default)]
struct Record {
    /// Metric values per split (in `metrics::CLASSIFICATION` or `REGRESSION` order).
    folds: Vec<Vec<Option<f64>>>,
    confusion: Confusion,
    timings: ModelTimings,
    /// Out-of-fold predictions: (row of the modelling table, prediction), every split.
    pooled: Vec<(usize, f64)>,
    /// A time-to-event model: the predicted survival of each pooled row (same order), at
    /// `crate::survival::horizons::prediction_times`.
    pooled_survival: Vec<Vec<f64>>,
    permutation: importance::Collector,
    impurity: importance::Collector,
    /// What the search chose on each split (models with a search).
    choices: Vec<search::Choice>,
    /// Boosting iterations per split.
    n_iter: Vec<usize>,
    /// Per split with a threshold rule: the chosen threshold, the test labels and predictions.
    thresholds: Vec<(Option<f64>, Vec<bool>, Vec<f64>)>,
    /// The splits' explanations.
    shap: crate::explain::pool::ShapPool,
}

/// What one feature step did over the splits.
#[derive(Default, Clone)]
struct StepTotal {
    /// Cells changed, summed over the splits.
    cells: usize,
    /// What it learned on each split.
    learned: Vec<serde_json::Value>,
    /// Missing cells filled per column, summed over the splits' training and test rows.
    filled: BTreeMap<String, usize>,
    /// Per split where it resampled them, the training rows before and after.
    rows: Vec<serde_json::Value>,
}

/// What every model's report draws on besides its own record.
struct Shared<'a> {
    recipe: &'a Recipe,
    task: Task,
    y: &'a Target,
    /// The horizons of a time-to-event target (empty for other targets).
    horizons: &'a [f64],
    searches: &'a [Option<Vec<search::Candidate>>],
    audit_groups: Option<&'a (String, Vec<String>)>,
    clock: &'a dyn Fn() -> f64,
    /// The original columns the model inputs come from.
    columns: Vec<String>,
}

/// Assembles the per-split results (sorted, one per split) into the target, evaluation and
/// model sections of the report. `given`: per model, its intervals when computed apart.
pub(super) fn assemble(
    p: Prepared,
    recipe: &Recipe,
    results: Vec<FoldResult>,
    given: &[Option<Bootstraps>],
    audit: &mut Vec<AuditEntry>,
    clock: &dyn Fn() -> f64,
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
        searches,
        model_units: _,
        explain: _,
        survival_rejected: _,
        horizons,
    } = p;
    let horizons = horizons.map(|h| h.times).unwrap_or_default();
    let model_inputs = results
        .first()
        .map(|r| r.inputs.clone())
        .unwrap_or_default();
    let labels = (task == Task::Classification).then_some(y.labels.as_slice());
    let (records, steps) = gather(recipe, &folds, labels, results)?;
    audit_feature_steps(recipe, &steps, x_table.rows(), folds.len(), audit);
    let shared = Shared {
        recipe,
        task,
        y: &y,
        horizons: &horizons,
        searches: &searches,
        audit_groups: audit_groups.as_ref(),
        clock,
        columns: x_table.names(),
    };
    let models: Vec<ModelReport> = recipe
        .models
        .iter()
        .zip(&records)
        .enumerate()
        .map(|(m, (spec, rec))| {
            audit.push(AuditEntry {
                step: StepRef::models(m, spec.kind()).position(),
                op: spec.kind().into(),
                args: args_of(spec),
                rows_affected: x_table.rows(),
                cells_affected: 0,
                note: crate::message::audit_model_fitted(folds.len()).to_string(),
                coded: crate::message::audit_model_fitted(folds.len()),
            });
            model_report(&shared, m, rec, given.get(m).cloned().flatten())
        })
        .collect::<Result<_>>()?;
    let key = match task {
        Task::Classification => "roc_auc",
        Task::Regression => "r2",
        Task::Survival => "c_index",
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
        threshold: THRESHOLD,
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

/// Every split's results gathered per model and per feature step.
fn gather(
    recipe: &Recipe,
    folds: &[Fold],
    y: Option<&[bool]>,
    results: Vec<FoldResult>,
) -> Result<(Vec<Record>, Vec<StepTotal>)> {
    let mut records: Vec<Record> = recipe.models.iter().map(|_| Record::default()).collect();
    let n_steps = recipe.features.len();
    let mut steps = vec![StepTotal::default(); n_steps];
    for r in results {
        let fold = &folds[r.unit];
        let labels: Option<Vec<bool>> = y.map(|y| fold.test.iter().map(|&i| y[i]).collect());
        if r.steps.len() != n_steps || r.models.len() != records.len() {
            return Err(Error::Protocol(format!(
                "the results of split {} do not match the recipe",
                r.unit + 1
            )));
        }
        for (total, fit) in steps.iter_mut().zip(r.steps) {
            total.cells += fit.cells;
            total.learned.push(fit.learned);
            for (col, n) in fit.filled {
                *total.filled.entry(col).or_insert(0) += n;
            }
            if fit.train_rows.0 != fit.train_rows.1 {
                total
                    .rows
                    .push(json!({"before": fit.train_rows.0, "after": fit.train_rows.1}));
            }
        }
        for (rec, mf) in records.iter_mut().zip(r.models) {
            pool(&mut rec.pooled, fold, &mf.predictions, r.unit)?;
            rec.pooled_survival
                .extend(mf.survival.iter().flatten().cloned());
            rec.folds.push(mf.values);
            if let Some(c) = &mf.confusion {
                rec.confusion.add(c);
            }
            rec.timings.fit_ms += mf.fit_ms;
            rec.timings.predict_ms += mf.predict_ms;
            rec.timings.search_ms += mf.search_ms;
            rec.timings.importance_ms += mf.importance_ms;
            rec.n_iter.extend(mf.n_iter);
            if let (Some(inner), Some(labels), Some(_)) =
                (&mf.inner, &labels, &recipe.evaluation.threshold)
            {
                rec.thresholds
                    .push((inner.threshold, labels.clone(), mf.predictions.clone()));
            }
            rec.timings.shap_ms += mf.shap_ms;
            if let Some(sh) = mf.shap {
                rec.shap.add(r.unit, &r.inputs, sh);
            }
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
    Ok((records, steps))
}

/// One audit entry per feature step: what it learned on each of `splits` splits, the cells it
/// changed, the missing cells it filled and the training rows it resampled (`rows`: the
/// modelling rows).
fn audit_feature_steps(
    recipe: &Recipe,
    steps: &[StepTotal],
    rows: usize,
    splits: usize,
    audit: &mut Vec<AuditEntry>,
) {
    for (s, (step, total)) in recipe.features.iter().zip(steps).enumerate() {
        // `filled`: missing cells each step filled per column, summed over the splits'
        // training and test rows. `training_rows`: per split, the training rows before and
        // after a step that resamples them (drop_rows, balance); test rows are never resampled.
        let mut args = json!({"args": args_of(step), "learned": total.learned});
        if !total.filled.is_empty() {
            args["filled"] = json!(total.filled);
        }
        let resampled: usize = total
            .rows
            .iter()
            .map(|r| {
                let (b, a) = (
                    r["before"].as_u64().unwrap_or(0),
                    r["after"].as_u64().unwrap_or(0),
                );
                b.abs_diff(a) as usize
            })
            .sum();
        if !total.rows.is_empty() {
            args["training_rows"] = json!(total.rows);
        }
        let note = if total.rows.is_empty() {
            crate::message::audit_features_fitted(splits)
        } else {
            crate::message::audit_resampled(splits, resampled)
        };
        audit.push(AuditEntry {
            step: StepRef::features(s, step.name()).position(),
            op: step.name().into(),
            args,
            rows_affected: if total.rows.is_empty() {
                rows
            } else {
                resampled
            },
            cells_affected: total.cells,
            note: note.to_string(),
            coded: note,
        });
    }
}

/// The report of model `m` from its record: per-split and pooled metrics with their intervals
/// (`given` when computed apart), curves, importance, fairness and search.
fn model_report(
    sh: &Shared,
    m: usize,
    rec: &Record,
    given: Option<Bootstraps>,
) -> Result<ModelReport> {
    let (task, y, spec) = (sh.task, sh.y, &sh.recipe.models[m]);
    let names: Vec<String> = match task {
        Task::Classification => metrics::CLASSIFICATION
            .iter()
            .map(|n| n.to_string())
            .collect(),
        Task::Regression => metrics::REGRESSION.iter().map(|n| n.to_string()).collect(),
        Task::Survival => crate::survival::metric_names(sh.horizons),
    };
    let pooled_p: Vec<f64> = rec.pooled.iter().map(|&(_, p)| p).collect();
    let boot = match given {
        Some(b) => b,
        None => bootstraps(
            task,
            y,
            sh.recipe.seed,
            m,
            &rec.pooled,
            &rec.pooled_survival,
            sh.horizons,
            sh.clock,
        ),
    };
    let (ci, calibration) = (boot.ci, boot.calibration);
    let t1 = (sh.clock)();
    let mut clinical = Clinical::default();
    let mut survival_calibration = Vec::new();
    let (pooled, curves, regression) = match task {
        Task::Classification => {
            let py: Vec<bool> = rec.pooled.iter().map(|&(r, _)| y.labels[r]).collect();
            clinical = Clinical::new(&py, &pooled_p, calibration);
            (
                metrics::classification(&py, &pooled_p, THRESHOLD).1,
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
        Task::Survival => {
            // Labels are the events, values the follow-up times.
            let pt: Vec<f64> = rec.pooled.iter().map(|&(r, _)| y.values[r]).collect();
            let pe: Vec<bool> = rec.pooled.iter().map(|&(r, _)| y.labels[r]).collect();
            let mut values = crate::survival::metrics((&pt, &pe), (&pt, &pe), &pooled_p);
            if rec.pooled_survival.len() == pt.len() {
                values.extend(crate::survival::horizon_metrics(
                    (&pt, &pe),
                    (&pt, &pe),
                    &rec.pooled_survival,
                    sh.horizons,
                ));
                survival_calibration = sh
                    .horizons
                    .iter()
                    .enumerate()
                    .map(|(k, &t)| {
                        let s_t: Vec<f64> = rec.pooled_survival.iter().map(|r| r[k]).collect();
                        crate::survival::calibration::calibration(&pt, &pe, &s_t, t)
                    })
                    .collect();
            } else {
                values.resize(names.len(), None);
            }
            (values, None, None)
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
            let folds: Vec<Option<f64>> = rec
                .folds
                .iter()
                .map(|v| v.get(k).copied().flatten())
                .collect();
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
        o.remove("calibration");
    }
    let threshold = sh.recipe.evaluation.threshold.as_ref().and_then(|t| {
        (task == Task::Classification).then(|| {
            crate::eval::threshold::ThresholdReport::new(
                t,
                &rec.thresholds,
                crate::eval::recalibrate::INNER_FOLDS,
                crate::seeds::intervals(sh.recipe.seed, m),
            )
        })
    });
    let search = spec
        .search
        .as_ref()
        .zip(sh.searches[m].as_ref())
        .map(|(s, c)| SearchReport::new(s, task, c, &rec.choices));
    let fairness = sh.audit_groups.map(|(c, g)| {
        fairness::audit(
            c,
            g,
            &y.labels,
            &rec.pooled,
            THRESHOLD,
            sh.recipe
                .evaluation
                .fairness_threshold
                .unwrap_or(fairness::DEFAULT_THRESHOLD),
        )
    });
    let (shap, dependence) = rec.shap.finish(&sh.columns);
    let timings = ModelTimings {
        intervals_ms: boot.intervals_ms,
        report_ms: (sh.clock)() - t1 + boot.calibration_ms,
        ..rec.timings.clone()
    };
    Ok(ModelReport {
        kind: spec.kind().into(),
        final_fit: None,
        params,
        metrics,
        confusion_matrix: (task == Task::Classification).then_some(rec.confusion),
        timings,
        fit_info: (!rec.n_iter.is_empty()).then(|| FitInfo {
            n_iter: rec.n_iter.clone(),
        }),
        curves,
        importance: Importance {
            permutation: rec.permutation.summary(),
            impurity: (!rec.impurity.is_empty()).then(|| rec.impurity.summary()),
        },
        fairness,
        search,
        regression,
        recalibration: spec
            .calibration
            .map(crate::eval::recalibrate::recalibration_report),
        threshold,
        shap,
        dependence,
        calibration: clinical.calibration,
        decision_curve: clinical.decision_curve,
        beneficial_thresholds: clinical.beneficial,
        survival_calibration,
    })
}

/// Calibration and decision curve of a classifier's pooled out-of-fold probabilities.
#[derive(Default)]
struct Clinical {
    calibration: Option<calibration::CalibrationReport>,
    decision_curve: Vec<decision::DecisionPoint>,
    beneficial: Vec<decision::Range>,
}

impl Clinical {
    /// From outcomes `y` and probabilities `p` of a model and its calibration (computed with
    /// its bootstraps: [`super::intervals::bootstraps`]).
    fn new(y: &[bool], p: &[f64], calibration: Option<calibration::CalibrationReport>) -> Self {
        let decision_curve = decision::decision_curve(y, p);
        Clinical {
            calibration,
            beneficial: decision::beneficial(&decision_curve),
            decision_curve,
        }
    }
}

/// The Nadeau–Bengio test between the two models with the best mean `key` (first on ties),
/// over the splits where both have it.
fn compare(models: &[ModelReport], folds: &[Fold], key: &str) -> Option<uncertainty::PairedTest> {
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
