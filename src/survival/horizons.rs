//! The horizons of a time-to-event evaluation (`evaluation.horizons`): the times at which
//! predicted survival is scored (time-dependent AUC, Brier score), integrated (the integrated
//! Brier score), checked for calibration and written out (`--predictions`, `bedside apply`).
//! Without the recipe's list: the 25th, 50th and 75th percentiles of the event times.

use crate::message::{self as msg, Message};
use serde::{Deserialize, Serialize};

/// The Report's `survival.horizons`: the times and where they come from (`"recipe"` or
/// `"default"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Horizons {
    pub times: Vec<f64>,
    pub source: String,
}

/// Percentiles of the event times giving the default horizons.
pub const DEFAULT_PERCENTILES: [f64; 3] = [25.0, 50.0, 75.0];

/// Points of the grid the integrated Brier score is computed on (see [`ibs_grid`]).
pub const IBS_POINTS: usize = 20;

/// The horizons of rows with follow-up `time` and `event`: the recipe's (`asked`, sorted,
/// duplicates dropped; each must be positive and at most the largest follow-up time), else the
/// 25th, 50th and 75th percentiles of the event times (linear interpolation, numpy's default).
/// The error is the catalogued sentence naming the horizon at fault.
pub fn resolve(
    asked: Option<&[f64]>,
    time: &[f64],
    event: &[bool],
) -> std::result::Result<Horizons, Message> {
    let largest = time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some(asked) = asked {
        let mut times = Vec::with_capacity(asked.len());
        for &t in asked {
            if !(t.is_finite() && t > 0.0) {
                return Err(msg::survival_horizon_not_positive(t));
            }
            if t > largest {
                return Err(msg::survival_horizon_beyond(t, largest));
            }
            times.push(t);
        }
        times.sort_by(f64::total_cmp);
        times.dedup();
        return Ok(Horizons {
            times,
            source: "recipe".into(),
        });
    }
    let mut events: Vec<f64> = time
        .iter()
        .zip(event)
        .filter(|(_, &e)| e)
        .map(|(&t, _)| t)
        .collect();
    events.sort_by(f64::total_cmp);
    let mut times: Vec<f64> = if events.is_empty() {
        Vec::new()
    } else {
        DEFAULT_PERCENTILES
            .iter()
            .map(|&q| crate::eval::uncertainty::percentile(&events, q))
            .filter(|&t| t > 0.0)
            .collect()
    };
    times.dedup();
    Ok(Horizons {
        times,
        source: "default".into(),
    })
}

/// The key of a metric at horizon `t`: `auc@365`, `brier@2.5` (the time in its shortest
/// round-trip form).
pub fn key(metric: &str, t: f64) -> String {
    format!("{metric}@{t}")
}

/// The column of predicted survival at horizon `t` (`survival@365`).
pub fn survival_column(t: f64) -> String {
    key("survival", t)
}

/// The names of the horizon metrics, in the order of [`super::horizon_metrics`]: `auc@T` for
/// each horizon, `brier@T` for each horizon, then `integrated_brier` (with two horizons or more).
pub fn metric_names(horizons: &[f64]) -> Vec<String> {
    let mut names: Vec<String> = horizons.iter().map(|&t| key("auc", t)).collect();
    names.extend(horizons.iter().map(|&t| key("brier", t)));
    if horizons.len() >= 2 {
        names.push("integrated_brier".into());
    }
    names
}

/// The grid of the integrated Brier score: [`IBS_POINTS`] equally spaced times from the first
/// to the last horizon, both included (empty with fewer than two horizons).
pub fn ibs_grid(horizons: &[f64]) -> Vec<f64> {
    let (Some(&a), Some(&b)) = (horizons.first(), horizons.last()) else {
        return Vec::new();
    };
    if horizons.len() < 2 || b <= a {
        return Vec::new();
    }
    let step = (b - a) / (IBS_POINTS - 1) as f64;
    (0..IBS_POINTS)
        .map(|i| {
            if i + 1 == IBS_POINTS {
                b
            } else {
                a + step * i as f64
            }
        })
        .collect()
}

/// The times a model is asked for its predicted survival: the horizons, then the grid of the
/// integrated Brier score.
pub fn prediction_times(horizons: &[f64]) -> Vec<f64> {
    let mut t = horizons.to_vec();
    t.extend(ibs_grid(horizons));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_shortest() {
        assert_eq!(key("auc", 365.0), "auc@365");
        assert_eq!(key("brier", 2.5), "brier@2.5");
        assert_eq!(key("auc", 0.1 + 0.2), "auc@0.30000000000000004");
    }

    #[test]
    fn default_and_recipe_horizons() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 9.0];
        let event = [true, true, false, true, true, false];
        let h = resolve(None, &time, &event).unwrap();
        assert_eq!(h.source, "default");
        // Event times 1, 2, 4, 5: numpy percentiles 25/50/75 = 1.75, 3, 4.25.
        assert_eq!(h.times, vec![1.75, 3.0, 4.25]);
        let h = resolve(Some(&[4.0, 2.0, 4.0]), &time, &event).unwrap();
        assert_eq!((h.times, h.source.as_str()), (vec![2.0, 4.0], "recipe"));
        assert_eq!(
            resolve(Some(&[10.0]), &time, &event).unwrap_err().code,
            "survival.horizon_beyond"
        );
        assert_eq!(
            resolve(Some(&[0.0]), &time, &event).unwrap_err().code,
            "survival.horizon_not_positive"
        );
        let g = ibs_grid(&[2.0, 4.0]);
        assert_eq!((g.len(), g[0], g[IBS_POINTS - 1]), (IBS_POINTS, 2.0, 4.0));
        assert!(ibs_grid(&[2.0]).is_empty());
    }
}
