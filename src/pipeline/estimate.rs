//! The run's cost told before it starts: how many model inputs the recipe creates and an
//! ESTIMATE of each unit's time (issue #16). A simple cost model, documented in docs/report.md:
//!
//! - model inputs: 1 per numeric input column; a categorical column under `one_hot`, its
//!   distinct values up to the step's `max_categories` (default 20); other columns 1;
//! - fit: training rows × inputs × a per-kind constant (× trees / 100 for a forest, × max_iter
//!   / 100 for boosting, × inputs / 30 for the models whose fit grows with the inputs squared:
//!   logistic regression, SVM, MLP), × (1 + candidates × inner folds) with a search;
//! - predict: test rows × inputs × a per-kind constant;
//! - permutation importance: repeats × inputs × min(test rows, the sample cap) × the predict
//!   constant (× ½ for tree ensembles, whose rows keep their leaves when a path skips the
//!   shuffled input), shared by the threads.
//!
//! The constants were calibrated natively on a 2-core laptop-class machine (random forest of
//! 100 trees on 80,000 × 30: 1.6 s; boosting of 100 iterations: 1.0 s; logistic regression on
//! 4,000 × 3,500 one-hot inputs: about 70 s); the page runs about 1.5–3× slower per worker.
//! It is an estimate — right to within a factor of a few — for warning of a run that will take
//! minutes, and for weighting the progress of phases, not a promise.

use super::prepare::Prepared;
use crate::features::FeatureStep;
use crate::models::ModelSpec;
use crate::recipe::Recipe;
use crate::report::PhaseTime;
use crate::table::{ColumnType, Values};
use serde::{Deserialize, Serialize};

/// Model inputs above which the plan warns (each one costs every fit).
pub const MANY_INPUTS: usize = 500;
/// Estimated run time (ms) above which the plan warns.
pub const LONG_RUN_MS: f64 = 60_000.0;

/// The estimated cost of the units of a run (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Model inputs the feature steps create (on all modelling rows; a split may have fewer).
    pub inputs: usize,
    /// The input column that creates the most model inputs, and how many.
    pub widest: Option<(String, usize)>,
    /// Estimated milliseconds of each unit asked, in the order asked.
    pub units: Vec<f64>,
    /// Estimated milliseconds per phase (`fit`, `search`, `predict`, `importance`), summed.
    pub phases: Vec<PhaseTime>,
    /// Σ `units`, divided by the threads that run them at once.
    pub total_ms: f64,
    /// What a user should know before the run (many inputs, a long run).
    pub warnings: Vec<String>,
}

/// Model inputs `p`'s input columns make under `recipe`'s feature steps, and the widest column.
fn inputs(p: &Prepared, recipe: &Recipe) -> (usize, Option<(String, usize)>) {
    let one_hot = recipe.features.iter().find_map(|s| match s {
        FeatureStep::OneHot(o) => Some(o),
        _ => None,
    });
    let mut total = 0;
    let mut widest: Option<(String, usize)> = None;
    for c in &p.x_table.columns {
        let n = match (&c.values, c.ctype, one_hot) {
            (Values::Str(v), ColumnType::Categorical, Some(o))
                if o.columns.as_ref().is_none_or(|cs| cs.contains(&c.name)) =>
            {
                let mut seen = std::collections::HashSet::new();
                v.iter().flatten().for_each(|x| {
                    seen.insert(x.as_str());
                });
                let cap = o
                    .max_categories
                    .unwrap_or(crate::features::encode::DEFAULT_MAX_CATEGORIES);
                if cap > 1 {
                    seen.len().min(cap)
                } else {
                    seen.len()
                }
            }
            _ => 1,
        };
        total += n;
        if widest.as_ref().is_none_or(|(_, w)| n > *w) {
            widest = Some((c.name.clone(), n));
        }
    }
    (total, widest)
}

/// Per-kind constants: milliseconds per (row × input) of a fit and of a prediction, natively.
fn constants(spec: &ModelSpec, inputs: usize) -> (f64, f64) {
    let k = inputs as f64;
    match spec {
        ModelSpec::RandomForest(f) => (
            6.7e-4 * f.trees as f64 / 100.0,
            5e-4 * f.trees as f64 / 100.0,
        ),
        ModelSpec::GradientBoosting(b) => (4.2e-4 * b.max_iter as f64 / 100.0, 5e-5),
        ModelSpec::DecisionTree(_) => (2e-5, 5e-6),
        ModelSpec::LogisticRegression(_) => (1.5e-6 * k, 2e-6),
        ModelSpec::Svm(_) | ModelSpec::Mlp(_) => (5e-6 * k, 2e-5),
        ModelSpec::Knn(_) => (1e-6, 1e-3),
        _ => (1e-5, 2e-6),
    }
}

/// The estimated cost of `units` (split, model) of `p` (see the module doc).
pub(super) fn estimate(p: &Prepared, recipe: &Recipe, units: &[(usize, usize)]) -> Estimate {
    let (inputs, widest) = inputs(p, recipe);
    let k = inputs.max(1) as f64;
    let cap = recipe
        .evaluation
        .permutation_max_samples
        .unwrap_or(crate::eval::importance::DEFAULT_MAX_SAMPLES);
    let shap = recipe.evaluation.shap.clone().unwrap_or_default();
    let mut phases = [0.0f64; 5];
    let per_unit: Vec<f64> = units
        .iter()
        .map(|&(f, m)| {
            let Some(fold) = p.folds.get(f) else {
                return 0.0;
            };
            let spec = &recipe.models[m].spec;
            let (cf, cp) = constants(spec, inputs);
            let (ntr, nte) = (fold.train.len() as f64, fold.test.len() as f64);
            let fit = cf * ntr * k;
            let search = fit * (p.model_units[m] - 1) as f64 * 0.8;
            let predict = cp * nte * k;
            let sample = if cap == 0 { nte } else { nte.min(cap as f64) };
            let tree = matches!(
                spec,
                ModelSpec::RandomForest(_)
                    | ModelSpec::GradientBoosting(_)
                    | ModelSpec::DecisionTree(_)
            );
            let importance = p.repeats as f64 * k * sample * cp * if tree { 0.5 } else { 1.0 }
                / crate::par::threads() as f64;
            let explain = if p.explain && shap.enabled {
                shap_cost(spec, &shap, nte, ntr, k, cp)
            } else {
                0.0
            };
            for (acc, v) in phases
                .iter_mut()
                .zip([fit, search, predict, importance, explain])
            {
                *acc += v;
            }
            fit + search + predict + importance + explain
        })
        .collect();
    let total_ms = per_unit.iter().sum::<f64>() / crate::par::threads() as f64;
    let mut warnings = Vec::new();
    if inputs > MANY_INPUTS {
        let w = widest
            .as_ref()
            .map(|(c, n)| format!(" ('{c}' alone makes {n})"))
            .unwrap_or_default();
        warnings.push(format!(
            "the feature steps make {inputs} model inputs{w}: every fit reads them all; a one_hot max_categories or dropping wide columns makes the run faster"
        ));
    }
    if total_ms > LONG_RUN_MS {
        warnings.push(format!(
            "this run is estimated to take about {} (an estimate from the rows, {inputs} model inputs and the models; see docs/report.md)",
            duration(total_ms)
        ));
    }
    Estimate {
        inputs,
        widest,
        units: per_unit,
        phases: ["fit", "search", "predict", "importance", "shap"]
            .iter()
            .zip(phases)
            .map(|(phase, ms)| PhaseTime {
                phase: phase.to_string(),
                ms,
            })
            .collect(),
        total_ms,
        warnings,
    }
}

/// The estimated cost of explaining one split's model (see [`crate::explain`]): TreeSHAP about
/// eight predictions' work per explained row (leaves × depth² against depth), linear SHAP
/// one, permutation SHAP its budgeted predictions; plus partial dependence's predictions on
/// the training rows. `cp`: ms per predicted row and input.
fn shap_cost(
    spec: &ModelSpec,
    o: &crate::explain::ShapOptions,
    nte: f64,
    ntr: f64,
    k: f64,
    cp: f64,
) -> f64 {
    let rows = nte.min(o.max_rows as f64);
    let background = ntr.min(o.background as f64);
    let explain = match spec {
        ModelSpec::DecisionTree(_)
        | ModelSpec::RandomForest(_)
        | ModelSpec::GradientBoosting(_) => 8.0 * rows * cp * k,
        ModelSpec::LogisticRegression(_) | ModelSpec::LinearRegression(_) | ModelSpec::Ridge(_) => {
            rows * cp * k
        }
        _ => {
            let per_row =
                crate::explain::evaluations_per_row(k as usize, background as usize, o.pairs());
            (rows * per_row as f64).min(o.max_evaluations as f64) * cp * k
        }
    };
    let dependence = (o.dependence_features as f64).min(k)
        * o.grid as f64
        * ntr.min(o.dependence_rows as f64)
        * cp
        * k;
    explain + dependence
}

/// `ms` as a rounded duration: `45 s`, `12 min`.
fn duration(ms: f64) -> String {
    let s = ms / 1000.0;
    if s < 120.0 {
        format!("{:.0} s", s.max(1.0))
    } else {
        format!("{:.0} min", s / 60.0)
    }
}
