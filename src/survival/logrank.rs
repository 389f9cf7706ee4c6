//! The log-rank test of equal survival between groups, and its stratified form.
//!
//! At each distinct event time with `n` at risk and `d` events (`n_g`, `d_g` in group `g`):
//! `O_g − E_g = Σ (d_g − d n_g / n)` and the hypergeometric covariance
//! `V_gh = Σ d (n − d) / (n − 1) · n_g / n · (δ_gh − n_h / n)`. The statistic is
//! `U' V⁻ U` over the first `G − 1` groups, chi-squared with `G − 1` degrees of freedom. The
//! stratified test sums `U` and `V` over the strata (each stratum's risk sets apart).

use super::stats::{chi2_sf, invert};
use serde::{Deserialize, Serialize};

/// `survival.log_rank` of the Report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    pub statistic: f64,
    pub df: usize,
    pub p: f64,
    /// Observed and expected events per group, in the order of `groups`.
    pub groups: Vec<String>,
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    /// The column the test is stratified by, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strata: Option<String>,
}

/// What [`log_rank`] gives: statistic, degrees of freedom, p, and observed and expected events
/// per group.
pub type Outcome = (f64, usize, f64, Vec<f64>, Vec<f64>);

/// The log-rank test of the groups `group[i]` (indices `0..n_groups`), stratified by
/// `stratum[i]` when given. `None` with fewer than two groups or when the covariance is
/// singular (no events).
pub fn log_rank(
    time: &[f64],
    event: &[bool],
    group: &[usize],
    n_groups: usize,
    stratum: Option<&[usize]>,
) -> Option<Outcome> {
    if n_groups < 2 {
        return None;
    }
    let k = n_groups;
    let mut obs = vec![0.0; k];
    let mut exp = vec![0.0; k];
    let mut v = vec![0.0; k * k];
    let n_strata = stratum.map_or(1, |s| s.iter().max().map_or(1, |m| m + 1));
    for s in 0..n_strata {
        let rows: Vec<usize> = (0..time.len())
            .filter(|&i| stratum.is_none_or(|st| st[i] == s))
            .collect();
        let mut order = rows.clone();
        order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
        let mut at_risk = vec![0.0; k];
        for &i in &order {
            at_risk[group[i]] += 1.0;
        }
        let mut i = 0;
        while i < order.len() {
            let t = time[order[i]];
            let mut d_g = vec![0.0; k];
            let mut left = vec![0.0; k];
            while i < order.len() && time[order[i]] == t {
                let r = order[i];
                if event[r] {
                    d_g[group[r]] += 1.0;
                }
                left[group[r]] += 1.0;
                i += 1;
            }
            let n: f64 = at_risk.iter().sum();
            let d: f64 = d_g.iter().sum();
            if d > 0.0 {
                for g in 0..k {
                    obs[g] += d_g[g];
                    exp[g] += d * at_risk[g] / n;
                }
                if n > 1.0 {
                    let f = d * (n - d) / (n - 1.0);
                    for g in 0..k {
                        for h in 0..k {
                            let delta = if g == h { 1.0 } else { 0.0 };
                            v[g * k + h] += f * at_risk[g] / n * (delta - at_risk[h] / n);
                        }
                    }
                }
            }
            for g in 0..k {
                at_risk[g] -= left[g];
            }
        }
    }
    let m = k - 1;
    let u: Vec<f64> = (0..m).map(|g| obs[g] - exp[g]).collect();
    let sub: Vec<f64> = (0..m)
        .flat_map(|g| (0..m).map(move |h| (g, h)))
        .map(|(g, h)| v[g * k + h])
        .collect();
    let inv = invert(&sub, m)?;
    let mut stat = 0.0;
    for g in 0..m {
        for h in 0..m {
            stat += u[g] * inv[g * m + h] * u[h];
        }
    }
    Some((stat, m, chi2_sf(stat, m as f64), obs, exp))
}
