//! Decision curve analysis (Vickers & Elkin 2006) of a binary classifier's pooled out-of-fold
//! probabilities.
//!
//! At a threshold probability pt, everyone with p ≥ pt is treated (as the `dcurves` package):
//! - net benefit = TP/n − FP/n · pt/(1 − pt);
//! - treat all = prev − (1 − prev) · pt/(1 − pt), prev the observed rate (treat none is 0);
//! - interventions avoided per 100 = (net benefit − treat all) · (1 − pt)/pt · 100 (dcurves'
//!   `net_intervention_avoided` with `nper=100`).
//!
//! Thresholds run from 0.01 to 0.99 by 0.01. The model is *useful* at a threshold where its
//! net benefit is above both treat all and treat none; [`beneficial`] gathers those thresholds
//! into ranges.

use serde::{Deserialize, Serialize};

/// One threshold of `models[i].decision_curve`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecisionPoint {
    pub threshold: f64,
    pub net_benefit: f64,
    pub treat_all: f64,
    pub interventions_avoided: f64,
}

/// A run of consecutive thresholds where the model beats treat-all and treat-none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub from: f64,
    pub to: f64,
}

/// The thresholds of the curve: 0.01, 0.02, …, 0.99.
pub fn thresholds() -> impl Iterator<Item = f64> {
    (1..100).map(|k| k as f64 / 100.0)
}

/// The decision curve of predictions `p` of outcomes `y` (empty without rows).
pub fn decision_curve(y: &[bool], p: &[f64]) -> Vec<DecisionPoint> {
    let n = y.len().min(p.len());
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    let prev = y[..n].iter().filter(|&&b| b).count() as f64 / nf;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let counts = counts_at(y, p, &order);
    thresholds()
        .zip(counts)
        .map(|(pt, (tp, fp))| {
            let odds = pt / (1.0 - pt);
            let net_benefit = tp as f64 / nf - fp as f64 / nf * odds;
            let treat_all = prev - (1.0 - prev) * odds;
            DecisionPoint {
                threshold: pt,
                net_benefit,
                treat_all,
                interventions_avoided: (net_benefit - treat_all) / odds * 100.0,
            }
        })
        .collect()
}

/// (TP, FP) at p ≥ pt for each threshold, from the rows in descending order of p.
fn counts_at(y: &[bool], p: &[f64], descending: &[usize]) -> Vec<(usize, usize)> {
    let ts: Vec<f64> = thresholds().collect();
    let mut out = vec![(0, 0); ts.len()];
    let (mut i, mut tp, mut fp) = (0, 0usize, 0usize);
    // Highest threshold first: the rows at or above it only grow as it falls.
    for (k, &pt) in ts.iter().enumerate().rev() {
        while i < descending.len() && p[descending[i]] >= pt {
            if y[descending[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        out[k] = (tp, fp);
    }
    out
}

/// The ranges of thresholds where the net benefit is above both treat all and treat none.
pub fn beneficial(curve: &[DecisionPoint]) -> Vec<Range> {
    let mut out: Vec<Range> = Vec::new();
    let mut open: Option<Range> = None;
    for d in curve {
        let useful = d.net_benefit > d.treat_all.max(0.0) + 1e-12;
        match (&mut open, useful) {
            (Some(r), true) => r.to = d.threshold,
            (None, true) => {
                open = Some(Range {
                    from: d.threshold,
                    to: d.threshold,
                })
            }
            (Some(r), false) => {
                out.push(*r);
                open = None;
            }
            (None, false) => {}
        }
    }
    out.extend(open);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beneficial_ranges_join_consecutive_thresholds() {
        let pt = |t: f64, nb: f64, all: f64| DecisionPoint {
            threshold: t,
            net_benefit: nb,
            treat_all: all,
            interventions_avoided: 0.0,
        };
        let c = [
            pt(0.01, 0.3, 0.31),
            pt(0.02, 0.3, 0.29),
            pt(0.03, 0.2, 0.1),
            pt(0.04, 0.0, -0.1),
            pt(0.05, 0.01, -0.2),
        ];
        assert_eq!(
            beneficial(&c),
            vec![
                Range {
                    from: 0.02,
                    to: 0.03
                },
                Range {
                    from: 0.05,
                    to: 0.05
                }
            ]
        );
    }
}
