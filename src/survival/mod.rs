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
//! - [`concordance`]: Harrell's and Uno's C;
//! - [`model`]: a fitted model of any kind (risk score, predicted survival).
//!
//! The method, formulas and references are in `docs/survival.md`.

pub mod boost;
pub mod concordance;
pub mod cox;
pub mod describe;
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

/// 95% percentile-bootstrap intervals of [`METRICS`] of pooled out-of-fold risk scores (Uno's C
/// with the censoring curve of all the rows).
pub fn intervals(time: &[f64], event: &[bool], risk: &[f64], seed: u64) -> Vec<Option<[f64; 2]>> {
    let g = concordance::censoring_curve(time, event);
    let tau = concordance::default_truncation(time, event, &g);
    crate::eval::uncertainty::intervals(
        time.len(),
        METRICS.len(),
        seed,
        |r| r,
        |w| {
            vec![
                concordance::harrell_weighted(time, event, risk, w),
                tau.and_then(|tau| concordance::uno_weighted(time, event, risk, w, &g, tau)),
            ]
        },
    )
}
