//! A model's bootstraps from its pooled out-of-fold predictions — the intervals of its metrics
//! and (a classifier) its calibration with their intervals: computed in [`super::finish`], or
//! apart by a pool ([`model_intervals`]) while other units run.

use super::fold::THRESHOLD;
use super::original::Original;
use super::prepare::{Prepared, Target};
use super::units::FoldResult;
use super::Staged;
use crate::error::{Error, Result};
use crate::eval::calibration::{self, CalibrationReport};
use crate::eval::uncertainty;
use crate::models::Task;
use crate::recipe::Recipe;
use serde::{Deserialize, Serialize};

/// Adds split `split`'s predictions for its test rows to a model's pooled out-of-fold
/// predictions `(row, prediction)`.
pub(super) fn pool(
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

/// A model's bootstraps on one side (masked or original data), computed apart.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bootstraps {
    /// The 95% intervals, per metric.
    pub ci: Vec<Option<[f64; 2]>>,
    /// A classifier's calibration with its bootstrap intervals (None otherwise, or when it
    /// cannot be computed).
    pub calibration: Option<CalibrationReport>,
    /// Milliseconds the intervals took, and the calibration (the Report's timings).
    pub intervals_ms: f64,
    pub calibration_ms: f64,
}

/// The bootstraps of model `m` from its pooled out-of-fold predictions `(row, prediction)`, in
/// split order, with (a time-to-event target) each pooled row's predicted survival `surv` at
/// the prediction times of `horizons`: the 95% intervals of every metric and, for a classifier,
/// the calibration (the same resamples, from the same seed).
#[allow(clippy::too_many_arguments)]
pub(super) fn bootstraps(
    task: Task,
    y: &Target,
    seed: u64,
    m: usize,
    pooled: &[(usize, f64)],
    surv: &[Vec<f64>],
    horizons: &[f64],
    clock: &dyn Fn() -> f64,
) -> Bootstraps {
    let p: Vec<f64> = pooled.iter().map(|&(_, v)| v).collect();
    let seed = crate::seeds::intervals(seed, m);
    let t0 = clock();
    let ci = match task {
        Task::Classification => {
            let py: Vec<bool> = pooled.iter().map(|&(r, _)| y.labels[r]).collect();
            uncertainty::classification_intervals(&py, &p, THRESHOLD, seed)
        }
        Task::Regression => {
            let py: Vec<f64> = pooled.iter().map(|&(r, _)| y.values[r]).collect();
            uncertainty::regression_intervals(&py, &p, seed)
        }
        Task::Survival => {
            let pt: Vec<f64> = pooled.iter().map(|&(r, _)| y.values[r]).collect();
            let pe: Vec<bool> = pooled.iter().map(|&(r, _)| y.labels[r]).collect();
            crate::survival::intervals(&pt, &pe, &p, surv, horizons, seed)
        }
    };
    let t1 = clock();
    let calibration = (task == Task::Classification)
        .then(|| {
            let py: Vec<bool> = pooled.iter().map(|&(r, _)| y.labels[r]).collect();
            calibration::calibration(&py, &p, seed)
        })
        .flatten();
    Bootstraps {
        ci,
        calibration,
        intervals_ms: t1 - t0,
        calibration_ms: clock() - t1,
    }
}

/// One model's bootstraps, computed apart from [`super::finish`] (see [`model_intervals`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelIntervals {
    /// The model (index in the recipe).
    pub model: usize,
    /// On the masked data.
    pub masked: Bootstraps,
    /// On the original data, when it is compared and every split of it succeeded.
    pub original: Option<Bootstraps>,
}

/// The bootstraps of one model (its metrics' intervals, a classifier's calibration) from the
/// results of all its units (masked and original splits): what [`super::finish`] would compute
/// for it, and nearly all of its work there. A pool computes them on a free worker as soon as a
/// model's last unit is done, while other units run. `clock` (ms) times them for the Report.
pub fn model_intervals(
    staged: &Staged,
    recipe: &Recipe,
    mut results: Vec<FoldResult>,
    clock: &dyn Fn() -> f64,
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
    #[allow(clippy::type_complexity)]
    let pooled_of = |p: &Prepared,
                     rs: &[FoldResult],
                     offset: usize|
     -> Result<(Vec<(usize, f64)>, Vec<Vec<f64>>)> {
        let mut pooled = Vec::new();
        let mut surv = Vec::new();
        for r in rs {
            let fold = &p.folds[r.unit / models - offset];
            let Some(mf) = r.models.first() else {
                return Err(Error::Protocol(format!(
                    "the results of unit {} hold no model",
                    r.unit + 1
                )));
            };
            pool(&mut pooled, fold, &mf.predictions, r.unit / models)?;
            surv.extend(mf.survival.iter().flatten().cloned());
        }
        Ok((pooled, surv))
    };
    let Some(p) = staged.prepared.as_ref() else {
        return Err(Error::Protocol("the recipe has no models".into()));
    };
    let (masked, original) = results.split_at(n_masked);
    let boot = |p: &Prepared, (pooled, surv): (Vec<(usize, f64)>, Vec<Vec<f64>>)| {
        let horizons = p.horizons.as_ref().map_or(&[][..], |h| &h.times[..]);
        bootstraps(
            p.task,
            &p.y,
            recipe.seed,
            m,
            &pooled,
            &surv,
            horizons,
            clock,
        )
    };
    let masked = boot(p, pooled_of(p, masked, 0)?);
    let original = match &staged.original {
        Some(Original {
            prepared: Ok(o), ..
        }) if !original.is_empty() && original.iter().all(|r| r.failed.is_none()) => {
            Some(boot(o, pooled_of(o, original, n_masked)?))
        }
        _ => None,
    };
    Ok(ModelIntervals {
        model: m,
        masked,
        original,
    })
}
