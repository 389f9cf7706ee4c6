//! The Kaplan–Meier estimator with Greenwood 95% bands and the median survival time.
//!
//! At each distinct time `t` (event or censoring) with `n` at risk and `d` events,
//! `S(t) = Π (1 − d/n)`. The band is Greenwood's variance on the log(−log S) scale (the
//! "exponential Greenwood" interval, lifelines' default): with `v = Σ d / (n (n − d))`,
//! `S^exp(±1.96 √v / log S)`. See `docs/survival.md`.

use serde::{Deserialize, Serialize};

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959963984540054;

/// One step of a Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmPoint {
    /// A distinct event or censoring time.
    pub time: f64,
    /// Survival just after `time`.
    pub survival: f64,
    /// Lower and upper 95% band (`None` where it is undefined: survival 0 by then).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Records at risk just before `time` (time ≥ `time`).
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
    /// Censored at `time`.
    pub censored: usize,
}

/// The Kaplan–Meier curve of `time` (non-negative) and `event` (true: the event happened;
/// false: censored), one point per distinct time.
pub fn kaplan_meier(time: &[f64], event: &[bool]) -> Vec<KmPoint> {
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    let mut out = Vec::new();
    let (mut s, mut greenwood) = (1.0f64, 0.0f64);
    let mut at_risk = time.len();
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let (mut d, mut c) = (0, 0);
        while i < order.len() && time[order[i]] == t {
            if event[order[i]] {
                d += 1;
            } else {
                c += 1;
            }
            i += 1;
        }
        let n = at_risk as f64;
        if d > 0 {
            s *= 1.0 - d as f64 / n;
            if d < at_risk {
                greenwood += d as f64 / (n * (n - d as f64));
            } else {
                greenwood = f64::INFINITY;
            }
        }
        let (lower, upper) = band(s, greenwood);
        out.push(KmPoint {
            time: t,
            survival: s,
            lower,
            upper,
            at_risk,
            events: d,
            censored: c,
        });
        at_risk -= d + c;
    }
    out
}

/// The log-log Greenwood band of survival `s` with Greenwood sum `v`.
fn band(s: f64, v: f64) -> (Option<f64>, Option<f64>) {
    if s >= 1.0 {
        return (Some(1.0), Some(1.0));
    }
    if s <= 0.0 || !v.is_finite() {
        return (None, None);
    }
    let l = s.ln();
    let h = Z95 * v.sqrt() / l; // negative
                                // S^exp(−h) is the lower band (exp(−h) > 1), S^exp(h) the upper.
    (Some(s.powf((-h).exp())), Some(s.powf(h.exp())))
}

/// Median survival and its 95% interval: the first time the curve (its lower and upper band)
/// reaches 0.5 or below (`None`: not reached), as lifelines' `median_survival_time_` and
/// `median_survival_times(confidence_interval_)` and R's `survfit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Median {
    pub median: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The median of a Kaplan–Meier curve with its interval.
pub fn median(curve: &[KmPoint]) -> Median {
    let first = |f: &dyn Fn(&KmPoint) -> f64| curve.iter().find(|p| f(p) <= 0.5).map(|p| p.time);
    Median {
        median: first(&|p| p.survival),
        // The lower band reaches 0.5 first: the interval's lower end.
        lower: first(&|p| p.lower.unwrap_or(0.0)),
        upper: first(&|p| p.upper.unwrap_or(0.0)),
    }
}

/// Survival of a Kaplan–Meier curve at `t` (right-continuous step function; 1 before the first
/// time).
pub fn survival_at(curve: &[KmPoint], t: f64) -> f64 {
    curve
        .iter()
        .take_while(|p| p.time <= t)
        .last()
        .map_or(1.0, |p| p.survival)
}

/// Survival of a Kaplan–Meier curve just before `t` (the left limit).
pub fn survival_before(curve: &[KmPoint], t: f64) -> f64 {
    curve
        .iter()
        .take_while(|p| p.time < t)
        .last()
        .map_or(1.0, |p| p.survival)
}
