//! Running a nested hyper-parameter search (the `search` object of a model entry, parsed by
//! [`crate::eval::search`]): inside one outer training split, every candidate is scored by
//! inner cross-validation over those rows only, each inner fold fitted with [`fit_split`].

use super::fold::fit_split;
use crate::error::{Error, Result};
use crate::eval::metrics;
use crate::eval::search::{lower_is_better, Candidate, Choice, SearchSpec};
use crate::eval::split::Evaluation;
use crate::features::FeatureStep;
use crate::models::Task;
use crate::seeds;
use crate::table::Table;

/// The rows a search may look at: the outer training split only.
pub struct SearchData<'a> {
    /// Where errors point, e.g. `models[0] (random_forest)`.
    pub step: &'a str,
    /// The model inputs of the outer training rows, before the feature steps.
    pub x: &'a Table,
    /// Class labels of those rows (classification).
    pub labels: &'a [bool],
    /// Numeric target of those rows (regression).
    pub values: &'a [f64],
    pub task: Task,
    pub features: &'a [FeatureStep],
}

/// Scores every candidate by inner cross-validation over `data` (the outer training rows) and
/// returns the best. The feature steps are refitted on each inner training part; `progress` is
/// called after each candidate's fit on each inner fold (candidates × folds calls) and stops the
/// search with its error (e.g. [`Error::Cancelled`]).
pub fn select(
    search: &SearchSpec,
    candidates: &[Candidate],
    data: &SearchData,
    seed: u64,
    progress: &mut dyn FnMut() -> Result<()>,
) -> Result<Choice> {
    let metric = search.metric_for(data.task);
    let names = match data.task {
        Task::Classification => metrics::CLASSIFICATION,
        Task::Regression => metrics::REGRESSION,
        Task::Survival => crate::survival::METRICS,
    };
    let k = names.iter().position(|n| *n == metric).ok_or_else(|| {
        let (f, m) = search.check_task(data.task).err().unwrap_or_default();
        Error::recipe(data.step, Some(&f), m)
    })?;
    let split = match data.task {
        Task::Classification => Evaluation::StratifiedKfold {
            folds: search.folds,
        },
        Task::Regression | Task::Survival => Evaluation::Kfold {
            folds: search.folds,
        },
    };
    let inner = split.folds(data.labels, seed).map_err(|e| match e {
        Error::Recipe { message, .. } => Error::recipe(
            data.step,
            Some("search.folds"),
            format!("inner split of an outer training split: {message}"),
        ),
        e => e,
    })?;
    // Every candidate's inner metric on inner split `j` (None where undefined); `progress` after
    // each candidate's fit.
    let on_fold =
        |j: usize, progress: &mut dyn FnMut() -> Result<()>| -> Result<Vec<Option<f64>>> {
            let fold = &inner[j];
            let fseed = seeds::inner_split(seed, j);
            let context = format!("search, inner split {}", j + 1);
            let (d, _) = fit_split(
                data.features,
                data.task,
                data.x,
                data.labels,
                data.values,
                (&fold.train, &fold.test),
                fseed,
                Some(&context),
            )?;
            let mut values = Vec::with_capacity(candidates.len());
            for cand in candidates {
                let fitted = d
                    .fit_model(&cand.spec, data.task, fseed)
                    .map_err(|e| e.in_context(&context))?;
                let p = fitted.predict(&d.xte);
                let value = if p.iter().all(|v| v.is_finite()) {
                    d.metrics(data.task, &p).0[k].filter(|v| v.is_finite())
                } else {
                    None
                };
                values.push(value);
                progress()?;
            }
            Ok(values)
        };
    // The inner splits run on threads natively (progress told afterwards), one after another
    // in wasm; the sums below are taken in split order either way: the same scores.
    let per_fold = crate::par::try_map(
        inner.len(),
        |j, tick| on_fold(j, &mut || tick(())),
        &mut |()| progress(),
    )?;
    let mut sums = vec![(0.0, 0usize); candidates.len()];
    for values in &per_fold {
        for (c, v) in values.iter().enumerate() {
            if let Some(v) = v {
                sums[c].0 += v;
                sums[c].1 += 1;
            }
        }
    }
    let scores: Vec<Option<f64>> = sums
        .iter()
        .map(|&(s, n)| (n > 0).then(|| s / n as f64))
        .collect();
    let lower = lower_is_better(metric);
    let mut best: Option<(usize, f64)> = None;
    for (c, s) in scores.iter().enumerate() {
        let Some(s) = *s else { continue };
        let better = match best {
            None => true,
            Some((_, b)) => {
                if lower {
                    s < b
                } else {
                    s > b
                }
            }
        };
        if better {
            best = Some((c, s));
        }
    }
    Ok(Choice {
        index: best.map(|b| b.0).unwrap_or(0),
        scores,
    })
}
