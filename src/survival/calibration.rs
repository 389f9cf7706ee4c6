//! Calibration at a horizon (`models[i].survival_calibration`): the pooled out-of-fold rows
//! ordered by predicted risk at `T` (lowest first), cut into groups of near-equal size, and in
//! each group the mean predicted survival `S(T | x)` beside the Kaplan–Meier survival at `T`
//! observed in the group, with its Greenwood log-log 95% band.
//!
//! Groups: 10, or fewer when fewer than 50 rows had the event by `T`: `events / 5` (at least 5
//! events per group on average), never fewer than 2 nor more than the rows.

use super::km::kaplan_meier;
use serde::{Deserialize, Serialize};

/// The most groups.
pub const MAX_GROUPS: usize = 10;
/// Events by the horizon per group, on average, below which there are fewer groups.
pub const EVENTS_PER_GROUP: usize = 5;

/// One risk group at a horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationGroup {
    pub rows: usize,
    /// Rows of the group with the event by the horizon.
    pub events: usize,
    /// Mean predicted survival at the horizon.
    pub predicted: f64,
    /// Kaplan–Meier survival of the group at the horizon, with its 95% band (`None` where the
    /// band is undefined: survival 0).
    pub observed: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Calibration at one horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HorizonCalibration {
    pub time: f64,
    pub groups: Vec<CalibrationGroup>,
}

/// How many groups rows with `events` events by the horizon are cut into (see the module docs).
pub fn group_count(rows: usize, events: usize) -> usize {
    let k = if events >= MAX_GROUPS * EVENTS_PER_GROUP {
        MAX_GROUPS
    } else {
        (events / EVENTS_PER_GROUP).max(2)
    };
    k.min(rows)
}

/// Calibration at horizon `t` of rows with `time`, `event` and predicted survival `s_t` at `t`.
/// Rows are ordered by predicted risk (highest predicted survival first; ties in row order) and
/// cut into contiguous groups whose sizes differ by at most one (the first groups larger).
pub fn calibration(time: &[f64], event: &[bool], s_t: &[f64], t: f64) -> HorizonCalibration {
    let n = time.len();
    let events = time
        .iter()
        .zip(event)
        .filter(|(&ti, &e)| e && ti <= t)
        .count();
    let k = group_count(n, events);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| s_t[b].total_cmp(&s_t[a]));
    let mut groups = Vec::with_capacity(k);
    let mut start = 0;
    for g in 0..k {
        let size = n / k + usize::from(g < n % k);
        let rows = &order[start..start + size];
        start += size;
        let gt: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
        let ge: Vec<bool> = rows.iter().map(|&i| event[i]).collect();
        let curve = kaplan_meier(&gt, &ge);
        let (observed, lower, upper) = curve
            .iter()
            .take_while(|p| p.time <= t)
            .last()
            .map_or((1.0, Some(1.0), Some(1.0)), |p| {
                (p.survival, p.lower, p.upper)
            });
        groups.push(CalibrationGroup {
            rows: size,
            events: gt.iter().zip(&ge).filter(|(&ti, &e)| e && ti <= t).count(),
            predicted: rows.iter().map(|&i| s_t[i]).sum::<f64>() / size as f64,
            observed,
            lower,
            upper,
        });
    }
    HorizonCalibration { time: t, groups }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_counts() {
        assert_eq!(group_count(1000, 400), 10);
        assert_eq!(group_count(1000, 50), 10);
        assert_eq!(group_count(1000, 49), 9);
        assert_eq!(group_count(1000, 12), 2);
        assert_eq!(group_count(1000, 0), 2);
        assert_eq!(group_count(1, 0), 1);
    }
}
