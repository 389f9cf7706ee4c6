//! The run's cost told before it starts: how many model inputs the recipe creates and an
//! ESTIMATE of each unit's time (issue #16). A simple cost model, documented in docs/report.md:
//!
//! - model inputs: 1 per numeric input column; a categorical column under `one_hot`, its
//!   distinct values up to the step's `max_categories` (default 20); other columns 1;
//! - fit: training rows × inputs × a per-kind constant (× trees / 100 for a forest, × max_iter
//!   / 100 for boosting, × inputs for the models whose fit grows with the inputs squared:
//!   logistic regression, SVM, MLP), × (1 + candidates × inner folds) with a search;
//! - predict: test rows × inputs × a per-kind constant (× trees / 100 for a forest);
//! - permutation importance: repeats × inputs × min(test rows, the sample cap) × a per-kind
//!   constant (× trees / 100 for a forest);
//! - a model's bootstraps (per model in `intervals`, which the page's pool computes apart, not
//!   part of a unit's own work): its metrics' intervals, resamples × test rows × one constant,
//!   and a classifier's calibration bootstrap, resamples × pooled test rows × another;
//! - the rest of the report (`finish`): the curves and the rest, small beside the bootstraps
//!   and not estimated (0);
//! - the total: all of it shared by the threads (× [`ENGINE`] in wasm).
//!
//! The constants ([`CALIBRATED`]) are fitted by `node benches/calibrate.mjs` from runs on this
//! project's 2-core machine; the same script checks whole runs against the estimate. It is an
//! estimate — right to within a factor of a few — for warning of a run that will take minutes,
//! and for weighting the progress of phases, not a promise. Staging (privacy steps, splits) is
//! not counted.

use super::prepare::Prepared;
use crate::eval::uncertainty::RESAMPLES;
use crate::features::FeatureStep;
use crate::message::{self as msg, Message};
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
    /// Σ `units` + Σ `intervals` + `finish`, divided by the threads that run them at once.
    pub total_ms: f64,
    /// Estimated milliseconds (one thread) of each model's bootstraps (its metrics' intervals
    /// and a classifier's calibration), in recipe order: the page's pool weighs its progress and
    /// time left by them.
    #[serde(default)]
    pub intervals: Vec<f64>,
    /// Estimated milliseconds (one thread) of assembling the report beyond the models'
    /// bootstraps: not estimated (0), small beside them.
    #[serde(default)]
    pub finish: f64,
    /// Estimated peak bytes of one worker computing these units (a wasm instance of the page's
    /// pool, or the CLI on one thread): the input columns, one split's copy of its rows and its
    /// model matrix ([`worker_bytes`]). The page runs a large table on fewer workers, each
    /// holding its own copy (docs/design.md, "The pool's memory").
    #[serde(default)]
    pub worker_bytes: f64,
    /// What a user should know before the run (many inputs, a long run), in English.
    pub warnings: Vec<String>,
    /// The same as codes with parameters, in the same order.
    #[serde(default)]
    pub warning_codes: Vec<Message>,
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

/// `(kind, fit, predict, importance)` constants of [`constants`] (ms, one native thread; a
/// forest's per 100 trees, boosting's fit per 100 iterations, the fit of logistic regression,
/// SVM and MLP per input more). Fitted by `node benches/calibrate.mjs` on this project's 2-core
/// machine (2026-12-02): one model per run on one rayon thread, on generated tables of 2,000 to
/// 16,000 rows × 10–310 inputs, least squares through the origin of the Report's fit, predict and
/// importance milliseconds on the size terms above. The machine was shared (each run got about
/// 8% of a core), so each run's milliseconds were scaled by its CPU share (user + system time
/// over wall time); the forest's fitted fit constant (1.94e-3) matches the idle single-thread
/// measurement of docs/benchmarks.md (0.947 s for 16,000 × 30 = 1.97e-3). Fits too fast to
/// time (naive Bayes, k-NN) get 1e-6.
const CALIBRATED: &[(&str, f64, f64, f64)] = &[
    // Importance: the fitted 7.56e-3 and 8.47e-4 divided by the speed-up of the tree path
    // measured side by side with the old one (3.87× forest, 2.03× boosting; docs/benchmarks.md).
    ("random_forest", 1.94e-3, 6.27e-4, 1.95e-3),
    ("gradient_boosting", 7.76e-4, 1.11e-4, 4.17e-4),
    ("decision_tree", 3.94e-4, 1.33e-5, 7.0e-5),
    ("logistic_regression", 2.07e-6, 2.06e-5, 1.38e-4),
    ("naive_bayes", 1e-6, 1.67e-6, 5.6e-4),
    ("knn", 1e-6, 4.08e-3, 9.54e-2),
    ("svm", 3.4e-4, 7.3e-4, 1.48e-2),
    ("mlp", 1.56e-4, 8.67e-5, 2.0e-4),
];

/// Milliseconds per (bootstrap resample × pooled test row) of a model's intervals (the 11
/// classification metrics), one native thread: from the Report of the quick end-to-end bench
/// on an idle machine (random forest 0.089 s, boosting 0.124 s for 1000 resamples of 5,000
/// rows, docs/benchmarks.md).
const INTERVALS: f64 = 2.1e-5;

/// Milliseconds per (bootstrap resample × pooled test row) of a classification model's
/// calibration (its bootstrap intervals: slope, intercept, ECE, ICI, Brier and the smoothed
/// curve), one native thread, up to [`crate::eval::calibration::GROUPED_ABOVE`] rows; above,
/// the resamples are evaluated on groups: [`CALIBRATION_GROUPED`] ms per resample plus
/// [`CALIBRATION_GROUPED_ROW`] per row. Measured in the test profile on the shared machine
/// (5,000 / 25,000 / 100,000 rows: 7.0 / 11.8 / 17.8 s on one thread) and divided by 5, the
/// ratio of the intervals' own test-profile constant (1.0e-4) to their release one
/// ([`INTERVALS`]); to be refitted by `node benches/calibrate.mjs`.
const CALIBRATION: f64 = 2.8e-4;
const CALIBRATION_GROUPED: f64 = 2.0;
const CALIBRATION_GROUPED_ROW: f64 = 1.6e-5;

/// Estimated ms of the calibration bootstrap of `rows` pooled rows (one native thread).
fn calibration_cost(rows: f64) -> f64 {
    RESAMPLES as f64
        * if rows > crate::eval::calibration::GROUPED_ABOVE as f64 {
            CALIBRATION_GROUPED + CALIBRATION_GROUPED_ROW * rows
        } else {
            CALIBRATION * rows
        }
}

/// How much slower this engine computes than the native build the constants were measured
/// on: 1 natively; in wasm (one page worker) the same fits measured 1.6–1.7× slower than one
/// native thread (docs/benchmarks.md: forest 1.60 s vs 0.95 s, boosting 0.48 s vs 0.30 s).
const ENGINE: f64 = if cfg!(target_arch = "wasm32") {
    1.65
} else {
    1.0
};

/// Per-kind constants, natively on one thread: milliseconds per (training row × input) of a
/// fit, per (test row × input) of a prediction and per (repeat × input × sampled test row) of
/// permutation importance. See [`CALIBRATED`] for how they were measured.
fn constants(spec: &ModelSpec, inputs: usize) -> (f64, f64, f64) {
    let k = inputs as f64;
    let c = |kind: &str| {
        CALIBRATED
            .iter()
            .find(|(n, ..)| *n == kind)
            .map_or((1e-5, 2e-6, 2e-6), |&(_, f, p, i)| (f, p, i))
    };
    let (f, p, i) = c(spec.kind());
    match spec {
        ModelSpec::RandomForest(r) => {
            let t = r.trees as f64 / 100.0;
            (f * t, p * t, i * t)
        }
        ModelSpec::GradientBoosting(b) => (f * b.max_iter as f64 / 100.0, p, i),
        ModelSpec::LogisticRegression(_) | ModelSpec::Svm(_) | ModelSpec::Mlp(_) => (f * k, p, i),
        _ => (f, p, i),
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
    let shap = recipe
        .evaluation
        .shap
        .clone()
        .unwrap_or_else(crate::explain::ShapOptions::off);
    let mut phases = [0.0f64; 6];
    let mut intervals_by_model = vec![0.0; recipe.models.len()];
    let mut pooled = vec![0.0; recipe.models.len()];
    let per_unit: Vec<f64> = units
        .iter()
        .map(|&(f, m)| {
            let Some(fold) = p.folds.get(f) else {
                return 0.0;
            };
            let spec = &recipe.models[m].spec;
            let (cf, cp, ci) = constants(spec, inputs);
            let (cf, cp, ci) = (cf * ENGINE, cp * ENGINE, ci * ENGINE);
            let (ntr, nte) = (fold.train.len() as f64, fold.test.len() as f64);
            let fit = cf * ntr * k;
            let search = fit * (p.model_units[m] - 1) as f64 * 0.8;
            let predict = cp * nte * k;
            let sample = if cap == 0 { nte } else { nte.min(cap as f64) };
            let importance = p.repeats as f64 * k * sample * ci;
            // The model's bootstrap intervals resample its pooled test rows: this unit's share
            // (not part of the unit's own work, which the page weighs apart).
            let intervals = INTERVALS * ENGINE * RESAMPLES as f64 * nte;
            if let Some(v) = intervals_by_model.get_mut(m) {
                *v += intervals;
            }
            if let Some(v) = pooled.get_mut(m) {
                *v += nte;
            }
            let explain = if p.explain && shap.enabled {
                shap_cost(spec, &shap, nte, ntr, k, cp)
            } else {
                0.0
            };
            for (acc, v) in phases
                .iter_mut()
                .zip([fit, search, predict, importance, intervals, explain])
            {
                *acc += v;
            }
            fit + search + predict + importance + explain
        })
        .collect();
    // A classifier's bootstraps include its calibration of its pooled test rows (measured in
    // the Report's `report` phase, as before; the `intervals` phase is the metrics' intervals).
    let mut calibration = 0.0;
    if p.task == crate::models::Task::Classification {
        for (v, &rows) in intervals_by_model.iter_mut().zip(&pooled) {
            let c = calibration_cost(rows) * ENGINE;
            *v += c;
            calibration += c;
        }
    }
    // All the work shared by the threads (natively the units, the trees of a forest and the
    // inputs of permutation importance run on all of them).
    let total_ms =
        (per_unit.iter().sum::<f64>() + phases[4] + calibration) / crate::par::threads() as f64;
    let mut warnings = Vec::new();
    if inputs > MANY_INPUTS {
        warnings.push(match &widest {
            Some((c, n)) => msg::warn_many_inputs_widest(inputs, c.as_str(), *n),
            None => msg::warn_many_inputs(inputs),
        });
    }
    if total_ms > LONG_RUN_MS {
        warnings.push(duration_warning(total_ms, inputs));
    }
    Estimate {
        inputs,
        widest,
        units: per_unit,
        phases: [
            "fit",
            "search",
            "predict",
            "importance",
            "intervals",
            "shap",
        ]
        .iter()
        .zip(phases)
        .map(|(phase, ms)| PhaseTime {
            phase: phase.to_string(),
            ms,
        })
        .collect(),
        total_ms,
        intervals: intervals_by_model,
        finish: 0.0,
        worker_bytes: worker_bytes(p, recipe, inputs),
        warnings: msg::texts(&warnings),
        warning_codes: warnings,
    }
}

/// Estimated peak bytes of one worker computing units of `p` under `recipe` with `inputs` model
/// inputs: the input columns as loaded, plus the largest split's model matrices of 8-byte
/// numbers and, while its feature steps are fitted, its copy of the training rows. When every
/// step treats each column on its own the matrices are built from the loaded columns after that
/// copy is let go (`features::matrix::through`), so the split adds the larger of the two;
/// otherwise both rows (training and test) are copied and held beside the matrices. The
/// measured peaks are below it (natively on one thread, 1,000,000 × 30 with the suggested
/// recipe: docs/benchmarks.md, round 7): an upper bound is what deciding how many copies of the
/// data a page can hold needs.
pub fn worker_bytes(p: &Prepared, recipe: &Recipe, inputs: usize) -> f64 {
    let table = p.x_table.bytes() as f64;
    let per_row = table / p.x_table.rows().max(1) as f64;
    let (train, split) = p
        .folds
        .iter()
        .map(|f| (f.train.len(), f.train.len() + f.test.len()))
        .fold((0, 0), |(t, s), (a, b)| (t.max(a), s.max(b)));
    let matrices = split as f64 * 8.0 * inputs.max(1) as f64;
    if crate::features::matrix::by_column(&recipe.features) {
        table + matrices.max(train as f64 * per_row)
    } else {
        table + split as f64 * per_row + matrices
    }
}

/// The plan of a whole run of `recipe` on `table` before it starts (the page's Train step and
/// `bedside estimate`): the privacy steps applied with a throwaway key and the splits prepared,
/// exactly as a run stages them, then every unit estimated. Nothing is fitted.
pub fn estimate_run(
    table: &crate::table::Table,
    input: crate::table::profile::InputSummary,
    recipe: &Recipe,
) -> crate::error::Result<Estimate> {
    let mut quiet = |_: &super::Progress| true;
    let now = || 0.0;
    let mut ctx = super::Context {
        progress: &mut quiet,
        now_ms: &now,
        key: super::new_key()?,
    };
    let staged = super::stage(table, input, recipe, &mut ctx)?;
    Ok(staged.estimate(recipe, &(0..staged.units()).collect::<Vec<_>>()))
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

/// The long-run warning with `ms` as a rounded duration: `45 s`, `12 min`.
fn duration_warning(ms: f64, inputs: usize) -> Message {
    let s = ms / 1000.0;
    if s < 120.0 {
        msg::warn_long_run_seconds(s.max(1.0).round(), inputs)
    } else {
        msg::warn_long_run_minutes((s / 60.0).round(), inputs)
    }
}
