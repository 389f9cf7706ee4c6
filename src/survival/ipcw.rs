//! Scores of predicted survival at horizons, weighted by the inverse probability of censoring
//! (IPCW), as scikit-survival computes them:
//!
//! - the cumulative/dynamic time-dependent AUC at `t` (Uno et al. 2007; sksurv's
//!   `cumulative_dynamic_auc`): cases are rows with the event by `t` (weight `1 / G(t_i)`),
//!   controls rows still followed after `t` (weight 1); the AUC is the weighted share of
//!   case–control pairs where the case has the higher predicted risk `1 − S(t | x)`, ties ½;
//! - the Brier score at `t` (Graf et al. 1999; sksurv's `brier_score`):
//!   `mean[ 1(t_i ≤ t, event) S(t|x_i)² / G(t_i) + 1(t_i > t) (1 − S(t|x_i))² / G(t) ]`;
//! - the integrated Brier score: the Brier score over a grid of times by the trapezoid rule,
//!   divided by the grid's range (sksurv's `integrated_brier_score`).
//!
//! `G` is the Kaplan–Meier curve of censoring ([`Censoring`]), with an event tied with a
//! censoring counted first (sksurv's `CensoringDistributionEstimator`). A weight whose `G` is
//! 0 is 0 (sksurv: an infinite denominator). Every score takes row weights (a bootstrap
//! resample: how often each row was drawn).

/// The censoring distribution `G(t)` of training rows: the Kaplan–Meier curve of censoring,
/// right-continuous, 1 before the first time and its last value after the last time. At a
/// time with `n` rows at risk, `d` events and `c` censorings, `G` drops by the factor
/// `1 − c / (n − d)` (the events at that time leave first).
#[derive(Debug, Clone, PartialEq)]
pub struct Censoring {
    times: Vec<f64>,
    g: Vec<f64>,
}

impl Censoring {
    /// The censoring curve of rows with `time` and `event`.
    pub fn fit(time: &[f64], event: &[bool]) -> Censoring {
        // The Kaplan–Meier walk already groups the rows by time with their counts.
        let mut s = 1.0;
        let (times, g) = super::km::kaplan_meier(time, event)
            .iter()
            .map(|p| {
                if p.censored > 0 {
                    s *= 1.0 - p.censored as f64 / (p.at_risk - p.events) as f64;
                }
                (p.time, s)
            })
            .unzip();
        Censoring { times, g }
    }

    /// `G(t)`.
    pub fn at(&self, t: f64) -> f64 {
        match self.times.partition_point(|&x| x <= t) {
            0 => 1.0,
            k => self.g[k - 1],
        }
    }

    /// `1 / G(t)`, or 0 where `G(t)` is 0.
    fn inverse(&self, t: f64) -> f64 {
        let g = self.at(t);
        if g > 0.0 {
            1.0 / g
        } else {
            0.0
        }
    }
}

/// The cumulative/dynamic AUC at `t` of predicted survival `s_t` (`S(t | x)` of each row) for
/// rows with `time` and `event`, censoring curve `g` (of the training rows), row weights `w`
/// (`None`: 1 each). `None` without a case or a control of positive weight.
pub fn auc(
    time: &[f64],
    event: &[bool],
    s_t: &[f64],
    t: f64,
    g: &Censoring,
    w: Option<&[f64]>,
) -> Option<f64> {
    Auc::new(time, event, s_t, t, g).value(w)
}

/// The IPCW Brier score at `t` of predicted survival `s_t` (see [`auc`] for the arguments).
/// `None` without rows of positive weight.
pub fn brier(
    time: &[f64],
    event: &[bool],
    s_t: &[f64],
    t: f64,
    g: &Censoring,
    w: Option<&[f64]>,
) -> Option<f64> {
    weighted_mean(&brier_terms(time, event, s_t, t, g), w)
}

/// The integrated Brier score over the times `grid` (increasing, at least two):
/// `∫ BS(t) dt / (grid_last − grid_first)` by the trapezoid rule; `surv[i][k]` is row `i`'s
/// `S(grid_k | x)`. `None` with fewer than two grid times or without rows of positive weight.
pub fn integrated_brier(
    time: &[f64],
    event: &[bool],
    surv: &[Vec<f64>],
    grid: &[f64],
    g: &Censoring,
    w: Option<&[f64]>,
) -> Option<f64> {
    weighted_mean(&integrated_terms(time, event, surv, grid, g)?, w)
}

/// Each row's term of the Brier score at `t` (the score is their mean).
pub(crate) fn brier_terms(
    time: &[f64],
    event: &[bool],
    s_t: &[f64],
    t: f64,
    g: &Censoring,
) -> Vec<f64> {
    let g_t = g.inverse(t);
    time.iter()
        .zip(event)
        .zip(s_t)
        .map(|((&ti, &e), &s)| {
            if ti <= t && e {
                s * s * g.inverse(ti)
            } else if ti > t {
                (1.0 - s) * (1.0 - s) * g_t
            } else {
                0.0
            }
        })
        .collect()
}

/// Each row's term of the integrated Brier score (the score is their mean: the trapezoid rule
/// is linear in the rows' terms).
pub(crate) fn integrated_terms(
    time: &[f64],
    event: &[bool],
    surv: &[Vec<f64>],
    grid: &[f64],
    g: &Censoring,
) -> Option<Vec<f64>> {
    let (&a, &b) = (grid.first()?, grid.last()?);
    if grid.len() < 2 || b <= a {
        return None;
    }
    let mut total = vec![0.0; time.len()];
    let mut previous: Option<Vec<f64>> = None;
    for (k, &t) in grid.iter().enumerate() {
        let s_t: Vec<f64> = surv.iter().map(|r| r[k]).collect();
        let terms = brier_terms(time, event, &s_t, t, g);
        if let Some(p) = &previous {
            let dt = t - grid[k - 1];
            for ((acc, x), y) in total.iter_mut().zip(p).zip(&terms) {
                *acc += 0.5 * (x + y) * dt;
            }
        }
        previous = Some(terms);
    }
    Some(total.into_iter().map(|v| v / (b - a)).collect())
}

/// The mean of `terms` with weights `w` (`None`: 1 each).
pub(crate) fn weighted_mean(terms: &[f64], w: Option<&[f64]>) -> Option<f64> {
    let (mut sum, mut total) = (0.0, 0.0);
    for (i, &x) in terms.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        sum += wi * x;
        total += wi;
    }
    (total > 0.0).then(|| sum / total)
}

/// The time-dependent AUC at one time, prepared once for many weightings: the rows ordered by
/// predicted survival (highest first: lowest risk first), each row's case weight
/// (`1 / G(t_i)` for an event by `t`, else 0) and whether it is a control (`t_i > t`).
pub(crate) struct Auc {
    order: Vec<usize>,
    s_t: Vec<f64>,
    case: Vec<f64>,
    control: Vec<bool>,
}

impl Auc {
    pub(crate) fn new(time: &[f64], event: &[bool], s_t: &[f64], t: f64, g: &Censoring) -> Auc {
        let mut order: Vec<usize> = (0..time.len()).collect();
        order.sort_by(|&a, &b| s_t[b].total_cmp(&s_t[a]));
        Auc {
            order,
            s_t: s_t.to_vec(),
            case: time
                .iter()
                .zip(event)
                .map(|(&ti, &e)| if ti <= t && e { g.inverse(ti) } else { 0.0 })
                .collect(),
            control: time.iter().map(|&ti| ti > t).collect(),
        }
    }

    /// The AUC with row weights `w`: one pass from the lowest predicted risk up, each group of
    /// tied predictions crediting its cases with the control weight below it and half of its own.
    pub(crate) fn value(&self, w: Option<&[f64]>) -> Option<f64> {
        let wt = |i: usize| w.map_or(1.0, |w| w[i]);
        let (mut below, mut num, mut cases) = (0.0, 0.0, 0.0);
        let mut k = 0;
        while k < self.order.len() {
            let s = self.s_t[self.order[k]];
            let (mut a, mut c) = (0.0, 0.0);
            while k < self.order.len() && self.s_t[self.order[k]] == s {
                let i = self.order[k];
                a += wt(i) * self.case[i];
                if self.control[i] {
                    c += wt(i);
                }
                k += 1;
            }
            num += a * (below + 0.5 * c);
            cases += a;
            below += c;
        }
        (cases > 0.0 && below > 0.0).then(|| num / (cases * below))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn censoring_counts_events_first_at_tied_times() {
        // At time 2: 4 at risk, 1 event and 1 censoring: G drops by 1 − 1/3.
        let g = Censoring::fit(
            &[1.0, 2.0, 2.0, 3.0, 4.0],
            &[true, true, false, false, true],
        );
        assert_eq!(g.at(0.5), 1.0);
        assert_eq!(g.at(1.0), 1.0);
        assert!((g.at(2.0) - 2.0 / 3.0).abs() < 1e-15);
        assert!((g.at(3.5) - 2.0 / 3.0 * 0.5).abs() < 1e-15);
        assert!((g.at(9.0) - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn auc_is_the_weighted_pair_share() {
        // No censoring: G = 1; cases at t = 2: rows 0, 1; controls: rows 2, 3.
        let time = [1.0, 2.0, 3.0, 4.0];
        let event = [true; 4];
        let g = Censoring::fit(&time, &event);
        // Risk order: row 0 highest; row 1 tied with row 2.
        let s = [0.1, 0.5, 0.5, 0.9];
        // Pairs: (0,2) 1, (0,3) 1, (1,2) ½, (1,3) 1 → 3.5 / 4.
        assert_eq!(auc(&time, &event, &s, 2.0, &g, None), Some(0.875));
        assert_eq!(auc(&time, &event, &s, 0.5, &g, None), None);
        // Row 1 drawn twice: (1,2) and (1,3) count double → 5 / 6.
        let w = [1.0, 2.0, 1.0, 1.0];
        let v = auc(&time, &event, &s, 2.0, &g, Some(&w)).unwrap();
        assert!((v - 5.0 / 6.0).abs() < 1e-15);
    }
}
