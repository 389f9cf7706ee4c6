//! Fitting one split: the feature steps fitted on its training rows and applied to its other
//! rows ([`fit_split`]), then models fitted and scored ([`FittedSplit`]). The one path of the
//! run's splits ([`fit_model`]), the nested search's inner folds
//! ([`super::search::select`]) and a model file's final fit on all rows
//! ([`crate::bundle::export`]).
//!
//! Feature steps are fitted inside each training split only (DESIGN invariant 4): what the
//! models are scored on never took part in fitting them.

use super::prepare::Prepared;
use super::search::{self, SearchData};
use crate::error::StepRef;
use crate::error::{Error, Result};
use crate::eval::importance;
use crate::eval::metrics::{self, Confusion};
use crate::eval::recalibrate::{self, Calibrated, Calibrator, Member};
use crate::eval::split::Evaluation;
use crate::eval::threshold::{self as clinical_threshold, ThresholdSpec};
use crate::features::{self, matrix, FeatureStep};
use crate::models::{self, ModelSpec, Task};
use crate::recipe::Recipe;
use crate::seeds;
use crate::table::Table;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

/// Probability at or above which a record is given the positive class: in every split's
/// metrics, the inner folds' scores, the pooled metrics and intervals, the fairness audit and
/// a model file.
pub const THRESHOLD: f64 = 0.5;

/// The feature steps fitted on one split's training rows and applied to both sides: what every
/// model of the split is fitted and scored on.
pub struct FittedSplit {
    /// Model input columns after the feature steps.
    pub names: Vec<String>,
    /// What each feature step did (for the audit).
    pub steps: Vec<features::StepFit>,
    pub xtr: Array2<f64>,
    pub xte: Array2<f64>,
    /// Training labels after the steps (a balancing step may add or remove rows).
    pub ytr: Vec<bool>,
    /// Numeric target of the training rows (regression; never resampled).
    pub yr_tr: Vec<f64>,
    pub yte: Vec<bool>,
    pub yr_te: Vec<f64>,
}

/// Fits the feature `steps` on rows `train` of `x` (labels `labels`, numeric target `values`,
/// both by row of `x`) with `seed`, and applies them to rows `test`. A feature step's error is
/// told in `context` (e.g. `split 2`) when given. Also returns the fitted pipeline (a model
/// file keeps it; the others drop it).
#[allow(clippy::too_many_arguments)]
pub fn fit_split(
    steps: &[FeatureStep],
    task: Task,
    x: &Table,
    labels: &[bool],
    values: &[f64],
    (train, test): (&[usize], &[usize]),
    seed: u64,
    context: Option<&str>,
) -> Result<(FittedSplit, features::Pipeline)> {
    let mut ytr: Vec<bool> = train.iter().map(|&i| labels[i]).collect();
    let in_context = |e: Error| match context {
        Some(c) => e.in_context(c),
        None => e,
    };
    // When every step treats each column on its own, the steps are fitted on the training rows
    // and those rows let go; both matrices are then built from `x` one column at a time, so a
    // copy of the split's rows is never held beside them. Otherwise the test rows go through
    // the steps with the training rows, as they always did.
    let column_wise = matrix::by_column(steps);
    let mut xtr = x.take_rows(train);
    let mut xte = x.take_rows(if column_wise { &[] } else { test });
    let (mut fits, pipeline) =
        features::fit_pipeline(steps, &mut xtr, &mut ytr, &mut xte, seed).map_err(in_context)?;
    if task != Task::Classification && ytr.len() != train.len() {
        return Err(Error::recipe(
            "features",
            None,
            "a step that adds or removes training rows needs a class target",
        ));
    }
    let names = xtr.names();
    let (xtr, xte) = if column_wise {
        drop((xtr, xte));
        let (xtr, _) = matrix::through(&pipeline, steps, x, train, &names, false)?;
        let (xte, counts) = matrix::through(&pipeline, steps, x, test, &names, true)?;
        for (fit, c) in fits.iter_mut().zip(counts) {
            fit.add(c);
        }
        (xtr, xte)
    } else {
        (features::into_matrix(xtr)?, features::into_matrix(xte)?)
    };
    let split = FittedSplit {
        names,
        steps: fits,
        xtr,
        xte,
        ytr,
        yr_tr: train.iter().map(|&i| values[i]).collect(),
        yte: test.iter().map(|&i| labels[i]).collect(),
        yr_te: test.iter().map(|&i| values[i]).collect(),
    };
    Ok((split, pipeline))
}

/// What the inner folds of one training split chose for a recalibrated model or a threshold
/// rule: from the training rows alone (DESIGN invariant 4; `tests/clinical.rs` scrambles the
/// test rows and finds them bit-identical).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InnerChoice {
    /// Each inner fold's calibrator (a recalibrated model), in fold order.
    #[serde(default)]
    pub calibrators: Vec<Calibrator>,
    /// The threshold the rule chose (`None`: no threshold met it, or no rule).
    #[serde(default)]
    pub threshold: Option<f64>,
}

impl FittedSplit {
    /// Fits `spec` for `task` on the training rows with `seed`.
    pub fn fit_model(&self, spec: &ModelSpec, task: Task, seed: u64) -> Result<models::Fitted> {
        spec.fit(task, &self.xtr, &self.ytr, &self.yr_tr, seed)
    }

    /// Fits `spec` for `task` on the training rows with `seed` as its recipe entry asks:
    /// recalibrated by `calibration` and/or with an operating threshold chosen by `threshold`,
    /// both on [`recalibrate::INNER_FOLDS`] stratified inner folds of the training rows (after
    /// the feature steps), as scikit-learn's `Pipeline(steps, CalibratedClassifierCV(model,
    /// ensemble=True))` and `TunedThresholdClassifierCV`. The one path of the run's splits and
    /// a model file's final fit. Without either (or for a numeric target) it is
    /// [`Self::fit_model`] and the choice is `None`.
    ///
    /// Inner fold `j`'s model is fitted on its inner training part and predicts its held-out
    /// part; a calibrator is fitted on those predictions. A recalibrated model is the mean of
    /// the calibrated members (no refit on all training rows, scikit-learn's `ensemble=True`);
    /// otherwise the model is refitted on all training rows. The threshold is chosen on the
    /// pooled inner out-of-fold predictions (calibrated by their fold's calibrator).
    pub fn fit_entry(
        &self,
        spec: &ModelSpec,
        calibration: Option<recalibrate::Method>,
        threshold: Option<&ThresholdSpec>,
        task: Task,
        seed: u64,
    ) -> Result<(models::Fitted, Option<InnerChoice>)> {
        if task == Task::Regression && threshold.is_some() {
            return Err(Error::recipe(
                "evaluation",
                Some("threshold"),
                "chooses an operating threshold for a class target; this target is numeric",
            ));
        }
        if task == Task::Survival && (calibration.is_some() || threshold.is_some()) {
            return Err(Error::recipe(
                "evaluation",
                Some(if threshold.is_some() {
                    "threshold"
                } else {
                    "calibration"
                }),
                "applies to class targets only; this target is a time-to-event outcome",
            ));
        }
        if task != Task::Classification || (calibration.is_none() && threshold.is_none()) {
            return Ok((self.fit_model(spec, task, seed)?, None));
        }
        let inner_seed = seeds::clinical_inner(seed);
        let inner = Evaluation::StratifiedKfold {
            folds: recalibrate::INNER_FOLDS,
        }
        .folds(&self.ytr, inner_seed)
        .map_err(|e| match e {
            // Recalibration belongs to the model entry (`models[i] (kind)`), a threshold rule
            // to the evaluation.
            Error::Recipe { message, .. } if calibration.is_some() => Error::Model {
                kind: spec.kind().into(),
                message: format!(
                    "calibration: {}",
                    inner_folds_error(recalibrate::INNER_FOLDS, &message)
                ),
            },
            Error::Recipe { message, .. } => Error::recipe(
                "evaluation",
                Some("threshold"),
                inner_folds_error(recalibrate::INNER_FOLDS, &message),
            ),
            e => e,
        })?;
        let (members, oof) =
            fit_inner(spec, &self.xtr, &self.ytr, &inner, calibration, inner_seed)?;
        let chosen = threshold.and_then(|t| clinical_threshold::choose(t, &oof, &self.ytr));
        let calibrators: Vec<Calibrator> = members.iter().filter_map(|m| m.1.clone()).collect();
        let fitted = match calibration {
            Some(method) => {
                models::Fitted::Classifier(models::ClassifierModel::Calibrated(Calibrated {
                    method,
                    members: members
                        .into_iter()
                        .filter_map(|(model, c)| c.map(|calibrator| Member { model, calibrator }))
                        .collect(),
                }))
            }
            None => self.fit_model(spec, task, seed)?,
        };
        Ok((
            fitted,
            Some(InnerChoice {
                calibrators,
                threshold: chosen,
            }),
        ))
    }

    /// The metrics of `predictions` of the test rows (in `metrics::CLASSIFICATION` or
    /// `REGRESSION` order) and, for a class target, the confusion matrix at [`THRESHOLD`].
    pub fn metrics(
        &self,
        task: Task,
        predictions: &[f64],
    ) -> (Vec<Option<f64>>, Option<Confusion>) {
        match task {
            Task::Classification => {
                let (conf, values) = metrics::classification(&self.yte, predictions, THRESHOLD);
                (values, Some(conf))
            }
            Task::Regression => (metrics::regression(&self.yr_te, predictions), None),
            // Labels are the events, values the follow-up times.
            Task::Survival => (
                crate::survival::metrics(
                    (&self.yr_tr, &self.ytr),
                    (&self.yr_te, &self.yte),
                    predictions,
                ),
                None,
            ),
        }
    }
}

/// One member per inner fold: the model and its calibrator (when recalibrating).
pub type InnerMembers = Vec<(models::ClassifierModel, Option<Calibrator>)>;

/// Fits `spec`'s classifier on the training part of each of the `inner` folds of rows `x`
/// (labels `y`; inner fold `j` seeded with [`seeds::inner_split`] of `inner_seed`), predicts its
/// held-out part and fits a `calibration` calibrator on those predictions. Returns the members
/// and the out-of-fold predictions of every row (calibrated by its fold's calibrator).
pub fn fit_inner(
    spec: &ModelSpec,
    x: &Array2<f64>,
    y: &[bool],
    inner: &[crate::eval::split::Fold],
    calibration: Option<recalibrate::Method>,
    inner_seed: u64,
) -> Result<(InnerMembers, Vec<f64>)> {
    let mut members = Vec::with_capacity(inner.len());
    let mut oof = vec![0.0; y.len()];
    for (j, fold) in inner.iter().enumerate() {
        let xtr = x.select(Axis(0), &fold.train);
        let xte = x.select(Axis(0), &fold.test);
        let ytr: Vec<bool> = fold.train.iter().map(|&r| y[r]).collect();
        let yte: Vec<bool> = fold.test.iter().map(|&r| y[r]).collect();
        let context = format!("inner fold {}", j + 1);
        let model = spec
            .classifier(seeds::inner_split(inner_seed, j))
            .fit(&xtr, &ytr)
            .map_err(|e| e.in_context(&context))?;
        let p = models::FittedClassifier::predict_proba(&model, &xte);
        if p.iter().any(|v| !v.is_finite()) {
            return Err(Error::Model {
                kind: spec.kind().into(),
                message: format!("{context}: the model predicted a non-finite value"),
            });
        }
        let calibrator = calibration.map(|m| Calibrator::fit(m, &p, &yte));
        for (k, &r) in fold.test.iter().enumerate() {
            oof[r] = calibrator.as_ref().map_or(p[k], |c| c.apply(p[k]));
        }
        members.push((model, calibrator));
    }
    Ok((members, oof))
}

/// Why the inner folds of a training split could not be cut (`message` from the split).
fn inner_folds_error(folds: usize, message: &str) -> String {
    format!("{folds} inner folds of a training split for recalibration or the threshold rule: {message}")
}

/// A split of the run fitted ([`fit_features`]), kept while its models are fitted.
pub(crate) struct FoldData {
    pub(super) split: FittedSplit,
    /// The outer training rows before the feature steps (all a nested search may see), when a
    /// model has a search.
    raw_train: Option<(Table, Vec<bool>)>,
    /// Time fitting and applying the feature steps.
    pub(super) features_ms: f64,
}

/// What one model gave on one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFold {
    /// Metric values (in `metrics::CLASSIFICATION` or `REGRESSION` order).
    pub values: Vec<Option<f64>>,
    pub confusion: Option<Confusion>,
    /// Predictions for the split's test rows, in their order.
    pub predictions: Vec<f64>,
    /// A time-to-event model: each test row's predicted survival at the horizons, then at the
    /// grid of the integrated Brier score (`crate::survival::horizons::prediction_times`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survival: Option<Vec<Vec<f64>>>,
    pub fit_ms: f64,
    pub predict_ms: f64,
    pub impurity: Option<Vec<f64>>,
    pub permutation: Option<Vec<f64>>,
    /// What the nested search chose on this split's training rows (models with a search).
    #[serde(default)]
    pub search: Option<crate::eval::search::Choice>,
    #[serde(default)]
    pub search_ms: f64,
    /// Time in permutation importance (0 when it is off).
    #[serde(default)]
    pub importance_ms: f64,
    /// Boosting iterations the fit used (gradient boosting; fewer than `max_iter` when it
    /// stopped early).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_iter: Option<usize>,
    /// What the inner folds chose (a recalibrated model or a threshold rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<InnerChoice>,
    /// SHAP values of the test rows and partial dependence on the training rows (absent with
    /// `evaluation.shap: false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shap: Option<crate::explain::pool::FoldShap>,
    /// Time in SHAP and partial dependence.
    #[serde(default)]
    pub shap_ms: f64,
}

/// The boosting iterations a fitted model used (`None` for other kinds).
pub fn fit_iterations(fitted: &models::Fitted) -> Option<usize> {
    use models::{ClassifierModel, Fitted, RegressorModel};
    match fitted {
        Fitted::Classifier(ClassifierModel::GradientBoosting(b))
        | Fitted::Regressor(RegressorModel::GradientBoosting(b)) => Some(b.trees.len()),
        _ => None,
    }
}

/// Fits the feature steps on split `f`'s training rows and applies them to both sides.
pub(super) fn fit_features(
    p: &Prepared,
    recipe: &Recipe,
    f: usize,
    clock: &dyn Fn() -> f64,
) -> Result<FoldData> {
    let t0 = clock();
    let fold = &p.folds[f];
    let raw_train = p.searches.iter().any(Option::is_some).then(|| {
        let labels = fold.train.iter().map(|&i| p.labels()[i]).collect();
        (p.x_table.take_rows(&fold.train), labels)
    });
    let (split, _) = fit_split(
        &recipe.features,
        p.task,
        &p.x_table,
        p.labels(),
        p.values(),
        (&fold.train, &fold.test),
        seeds::split(recipe.seed, f),
        Some(&format!("split {}", f + 1)),
    )?;
    Ok(FoldData {
        split,
        raw_train,
        features_ms: clock() - t0,
    })
}

/// A model fitted on a split and scored on its test rows, before its explanations
/// (permutation importance, SHAP): in the page's pool another worker starts the model's
/// bootstraps from these predictions while this one explains it ([`explain_model`]).
pub(crate) struct Scored {
    /// The split's results without explanations (`permutation` and `shap` not yet computed).
    pub(super) fold: ModelFold,
    pub(super) fitted: models::Fitted,
}

/// Fits model `m` on split `f`'s transformed training rows `d` (a model with a nested search:
/// the candidate the search picks on those training rows alone), scores it on the test rows and
/// explains it. `on_unit(done, phase, what)` reports the progress units of this model done so
/// far (see `Prepared::model_units`) and the phase starting (`search`, `fit`, `predict`,
/// `importance`, `shap`); an error from it stops.
pub(super) fn fit_model(
    p: &Prepared,
    recipe: &Recipe,
    f: usize,
    m: usize,
    d: &FoldData,
    clock: &dyn Fn() -> f64,
    on_unit: &mut dyn FnMut(usize, &str, &str) -> Result<()>,
) -> Result<ModelFold> {
    let scored = score_model(p, recipe, f, m, d, clock, on_unit)?;
    explain_model(p, recipe, (f, m), d, scored, clock, on_unit)
}

/// A model's error told with its place in the recipe and the split.
fn in_place(m: usize, f: usize) -> impl Fn(Error) -> Error {
    move |e: Error| {
        match e {
            Error::Model { kind, message } => Error::Model {
                kind: StepRef::models(m, &kind).to_string(),
                message,
            },
            e => e,
        }
        .in_context(&format!("split {}", f + 1))
    }
}

/// The first part of [`fit_model`]: the search, the fit, the predictions and the metrics.
pub(super) fn score_model(
    p: &Prepared,
    recipe: &Recipe,
    f: usize,
    m: usize,
    d: &FoldData,
    clock: &dyn Fn() -> f64,
    on_unit: &mut dyn FnMut(usize, &str, &str) -> Result<()>,
) -> Result<Scored> {
    let task = p.task;
    let s = &d.split;
    let spec = &recipe.models[m];
    let searched = p.model_units[m] - 1;
    let first = if spec.search.is_some() {
        "search"
    } else {
        "fit"
    };
    on_unit(0, first, spec.kind())?;
    let at = in_place(m, f);
    let ts = clock();
    let (chosen, choice) = match (&spec.search, &p.searches[m], &d.raw_train) {
        (Some(search_spec), Some(candidates), Some((x, labels))) => {
            let step = StepRef::models(m, spec.kind()).to_string();
            let data = SearchData {
                step: &step,
                x,
                labels,
                values: &s.yr_tr,
                task,
                features: &recipe.features,
            };
            let what = format!("{}: hyper-parameter search", spec.kind());
            let mut k = 0;
            let choice = search::select(
                search_spec,
                candidates,
                &data,
                seeds::split_search(recipe.seed, f),
                &mut || {
                    k += 1;
                    on_unit(k, "search", &what)
                },
            )
            .map_err(&at)?;
            (&candidates[choice.index].spec, Some(choice))
        }
        _ => (&spec.spec, None),
    };
    if choice.is_some() {
        on_unit(searched, "fit", spec.kind())?;
    }
    let t0 = clock();
    let search_ms = if choice.is_some() { t0 - ts } else { 0.0 };
    let (fitted, inner) = s
        .fit_entry(
            chosen,
            spec.calibration,
            recipe.evaluation.threshold.as_ref(),
            task,
            seeds::split(recipe.seed, f),
        )
        .map_err(&at)?;
    let t1 = clock();
    on_unit(searched, "predict", spec.kind())?;
    let predictions = fitted.predict(&s.xte);
    if predictions.iter().any(|v| !v.is_finite()) {
        return Err(at(Error::Model {
            kind: spec.kind().into(),
            message: "the model predicted a non-finite value".into(),
        }));
    }
    let (mut values, confusion) = s.metrics(task, &predictions);
    // A time-to-event model: its predicted survival at the horizons (and the grid of the
    // integrated Brier score), scored with the censoring curve of the training rows.
    let survival = p.horizons.as_ref().and_then(|h| {
        let surv = super::survival::predicted_survival(&fitted, &s.xte, &h.times)?;
        values.extend(crate::survival::horizon_metrics(
            (&s.yr_tr, &s.ytr),
            (&s.yr_te, &s.yte),
            &surv,
            &h.times,
        ));
        Some(surv)
    });
    if survival.iter().flatten().flatten().any(|v| !v.is_finite()) {
        return Err(at(Error::Model {
            kind: spec.kind().into(),
            message: "the model predicted a non-finite survival".into(),
        }));
    }
    Ok(Scored {
        fold: ModelFold {
            values,
            confusion,
            predictions,
            survival,
            fit_ms: t1 - t0,
            // With the split's metrics (and a time-to-event model's at the horizons).
            predict_ms: clock() - t1,
            impurity: fitted.impurity_importance(),
            permutation: None,
            search: choice,
            search_ms,
            importance_ms: 0.0,
            n_iter: fit_iterations(&fitted),
            inner,
            shap: None,
            shap_ms: 0.0,
        },
        fitted,
    })
}

/// The second part of [`fit_model`]: the scored model's permutation importance on the test
/// rows and its SHAP values and partial dependence; returns its whole results.
pub(super) fn explain_model(
    p: &Prepared,
    recipe: &Recipe,
    (f, m): (usize, usize),
    d: &FoldData,
    scored: Scored,
    clock: &dyn Fn() -> f64,
    on_unit: &mut dyn FnMut(usize, &str, &str) -> Result<()>,
) -> Result<ModelFold> {
    let (task, folds, repeats) = (p.task, &p.folds, p.repeats);
    let s = &d.split;
    let Scored { mut fold, fitted } = scored;
    // The score of predictions of the test rows `rows` (`None`: all of them, in order).
    let score = |rows: Option<&[usize]>, p: &[f64]| -> Option<f64> {
        match (task, rows) {
            (Task::Classification, None) => metrics::roc_auc(&s.yte, p),
            (Task::Classification, Some(rows)) => {
                let y: Vec<bool> = rows.iter().map(|&i| s.yte[i]).collect();
                metrics::roc_auc(&y, p)
            }
            (Task::Regression, None) => metrics::regression(&s.yr_te, p)[2],
            (Task::Regression, Some(rows)) => {
                let y: Vec<f64> = rows.iter().map(|&i| s.yr_te[i]).collect();
                metrics::regression(&y, p)[2]
            }
            (Task::Survival, None) => crate::survival::concordance::harrell(&s.yr_te, &s.yte, p),
            (Task::Survival, Some(rows)) => {
                let t: Vec<f64> = rows.iter().map(|&i| s.yr_te[i]).collect();
                let e: Vec<bool> = rows.iter().map(|&i| s.yte[i]).collect();
                crate::survival::concordance::harrell(&t, &e, p)
            }
        }
    };
    let spec = &recipe.models[m];
    let searched = p.model_units[m] - 1;
    let t2 = clock();
    if repeats > 0 {
        on_unit(searched, "importance", spec.kind())?;
    }
    let pseed = seeds::permutation(recipe.seed, folds.len(), m, f);
    let max_samples = recipe
        .evaluation
        .permutation_max_samples
        .unwrap_or(importance::DEFAULT_MAX_SAMPLES);
    let predict = |x: &Array2<f64>| fitted.predict(x);
    let predictor = importance::Predictor::of(&fitted, &predict);
    fold.permutation = importance::permutation_with_progress(
        &s.xte,
        &predictor,
        &score,
        repeats,
        max_samples,
        pseed,
        &mut |done, inputs| {
            let what = format!("{}: {done}/{inputs} inputs", spec.kind());
            on_unit(searched, "importance", &what)
        },
    )?;
    let t3 = clock();
    // Explaining tells `shap` as it starts and then each whole percent of its work (trees or
    // rows), so the page's bar moves and a cancel stops it there.
    let mut shown = usize::MAX;
    fold.shap = explain_split(p, recipe, (f, m), s, &fitted, &mut |done, total| {
        let percent = if done == 0 {
            0
        } else {
            100 * done / total.max(1)
        };
        if percent == shown {
            return Ok(());
        }
        shown = percent;
        let what = format!("{}: SHAP {percent}%", spec.kind());
        on_unit(searched, "shap", &what)
    })
    .map_err(in_place(m, f))?;
    fold.importance_ms = if repeats > 0 { t3 - t2 } else { 0.0 };
    fold.shap_ms = clock() - t3;
    Ok(fold)
}

/// The explanations of model `m` fitted on split `f` (`None` with `evaluation.shap: false`):
/// its test rows explained by the model fitted on its training rows.
fn explain_split(
    p: &Prepared,
    recipe: &Recipe,
    (f, m): (usize, usize),
    s: &FittedSplit,
    fitted: &models::Fitted,
    on_step: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<Option<crate::explain::pool::FoldShap>> {
    let opts = recipe
        .evaluation
        .shap
        .clone()
        .unwrap_or_else(crate::explain::ShapOptions::off);
    if !p.explain || !opts.enabled {
        return Ok(None);
    }
    on_step(0, 1)?;
    crate::explain::pool::fold_shap_with_progress(
        fitted,
        &s.xtr,
        &s.xte,
        &s.names,
        &p.x_table.names(),
        &opts,
        p.folds.len(),
        seeds::shap(recipe.seed, m, f),
        on_step,
    )
    .map(Some)
}
