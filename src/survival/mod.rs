//! Time-to-event (survival) analysis: a recipe target `{"time": COL, "event": COL}`.
//!
//! - [`km`]: Kaplan–Meier estimates with Greenwood 95% bands (log-log transform), numbers at
//!   risk and median survival with its interval;
//! - [`logrank`]: the log-rank test between groups, and its stratified form;
//! - [`cox`]: the Cox proportional-hazards model (`cox_ph`): Efron ties, Newton–Raphson,
//!   optional ridge, lasso or elastic-net penalty, Breslow baseline hazard, the proportional-hazards check by scaled
//!   Schoenfeld residuals;
//! - [`boost`]: the Cox partial-likelihood loss of `gradient_boosting` on a time-to-event target
//!   and the boosted model (risk score, Breslow baseline);
//! - [`forest`]: the random survival forest (`random_survival_forest`): log-rank splits,
//!   Nelson–Aalen and Kaplan–Meier leaves;
//! - [`concordance`]: Harrell's and Uno's C;
//! - [`model`]: a fitted model of any kind (risk score, predicted survival);
//! - [`horizons`]: the times predicted survival is scored at (`evaluation.horizons`);
//! - [`ipcw`]: time-dependent AUC, Brier score and integrated Brier score (IPCW);
//! - [`calibration`]: predicted against Kaplan–Meier survival at a horizon, by risk group.
//!
//! The method, formulas and references are in `docs/survival.md`.

pub mod boost;
pub mod calibration;
pub mod concordance;
pub mod cox;
pub mod describe;
pub mod forest;
pub mod horizons;
pub mod ipcw;
pub mod km;
pub mod logrank;
pub mod model;
pub mod stats;

/// Metrics of a time-to-event target, in the order of a split's metric values: Harrell's C
/// (`c_index`) and Uno's C (`uno_c`, IPCW, truncated at the largest training event time).
pub const METRICS: &[&str] = &["c_index", "uno_c"];

/// The metrics of risk scores `risk` of test rows (in [`METRICS`] order): Harrell's C, and
/// Uno's C with the censoring curve of the training rows, truncated at its default time (see
/// [`concordance::default_truncation`]).
pub fn metrics(
    (train_time, train_event): (&[f64], &[bool]),
    (time, event): (&[f64], &[bool]),
    risk: &[f64],
) -> Vec<Option<f64>> {
    let g = concordance::censoring_curve(train_time, train_event);
    let tau = concordance::default_truncation(train_time, train_event, &g);
    vec![
        concordance::harrell(time, event, risk),
        tau.and_then(|tau| concordance::uno(time, event, risk, &g, tau)),
    ]
}

/// The names of every metric of a time-to-event target with `horizons`: [`METRICS`], then the
/// horizon metrics ([`horizons::metric_names`]).
pub fn metric_names(horizons: &[f64]) -> Vec<String> {
    let mut names: Vec<String> = METRICS.iter().map(|m| m.to_string()).collect();
    names.extend(horizons::metric_names(horizons));
    names
}

/// The horizon metrics, prepared once for many row weightings (the bootstrap): the
/// time-dependent AUC at each horizon, each row's Brier term at each horizon and its term of
/// the integrated Brier score.
pub(crate) struct HorizonScorer {
    aucs: Vec<ipcw::Auc>,
    briers: Vec<Vec<f64>>,
    integrated: Option<Option<Vec<f64>>>,
}

impl HorizonScorer {
    /// Rows with `time`, `event` and predicted survival `surv` (per row, at
    /// [`horizons::prediction_times`] of `horizons`), censoring curve `g`.
    pub(crate) fn new(
        time: &[f64],
        event: &[bool],
        surv: &[Vec<f64>],
        horizons: &[f64],
        g: &ipcw::Censoring,
    ) -> HorizonScorer {
        let at = |k: usize| -> Vec<f64> { surv.iter().map(|r| r[k]).collect() };
        let grid = horizons::ibs_grid(horizons);
        let on_grid: Vec<Vec<f64>> = surv.iter().map(|r| r[horizons.len()..].to_vec()).collect();
        HorizonScorer {
            aucs: horizons
                .iter()
                .enumerate()
                .map(|(k, &t)| ipcw::Auc::new(time, event, &at(k), t, g))
                .collect(),
            briers: horizons
                .iter()
                .enumerate()
                .map(|(k, &t)| ipcw::brier_terms(time, event, &at(k), t, g))
                .collect(),
            integrated: (horizons.len() >= 2)
                .then(|| ipcw::integrated_terms(time, event, &on_grid, &grid, g)),
        }
    }

    /// The values in [`horizons::metric_names`] order, rows weighted by `w` (`None`: 1 each).
    pub(crate) fn values(&self, w: Option<&[f64]>) -> Vec<Option<f64>> {
        let mut v: Vec<Option<f64>> = self.aucs.iter().map(|a| a.value(w)).collect();
        v.extend(self.briers.iter().map(|b| ipcw::weighted_mean(b, w)));
        if let Some(i) = &self.integrated {
            v.push(i.as_ref().and_then(|i| ipcw::weighted_mean(i, w)));
        }
        v
    }
}

/// The horizon metrics ([`horizons::metric_names`] order) of test rows with predicted survival
/// `surv` (per row, at [`horizons::prediction_times`]), with the censoring curve of the
/// training rows.
pub fn horizon_metrics(
    (train_time, train_event): (&[f64], &[bool]),
    (time, event): (&[f64], &[bool]),
    surv: &[Vec<f64>],
    horizons: &[f64],
) -> Vec<Option<f64>> {
    let g = ipcw::Censoring::fit(train_time, train_event);
    HorizonScorer::new(time, event, surv, horizons, &g).values(None)
}

/// 95% percentile-bootstrap intervals of every metric ([`metric_names`] order) of pooled
/// out-of-fold risk scores and predicted survival `surv` (Uno's C and the horizon metrics with
/// the censoring curves of all the rows).
pub fn intervals(
    time: &[f64],
    event: &[bool],
    risk: &[f64],
    surv: &[Vec<f64>],
    horizons: &[f64],
    seed: u64,
) -> Vec<Option<[f64; 2]>> {
    let g = concordance::censoring_curve(time, event);
    let tau = concordance::default_truncation(time, event, &g);
    let scorer = (surv.len() == time.len()).then(|| {
        HorizonScorer::new(
            time,
            event,
            surv,
            horizons,
            &ipcw::Censoring::fit(time, event),
        )
    });
    let names = metric_names(horizons).len();
    crate::eval::uncertainty::intervals_parallel(
        time.len(),
        names,
        seed,
        |r| r,
        |w| {
            let mut v = vec![
                concordance::harrell_weighted(time, event, risk, w),
                tau.and_then(|tau| concordance::uno_weighted(time, event, risk, w, &g, tau)),
            ];
            match &scorer {
                Some(s) => v.extend(s.values(Some(w))),
                None => v.resize(names, None),
            }
            v
        },
    )
}
