//! Fairness: the same model's out-of-fold predictions compared across subgroups of one column
//! (`evaluation.fairness`, e.g. sex or an age band).
//!
//! Per subgroup: the number of rows, the prevalence of the positive class, and at the report
//! threshold the true positive rate (sensitivity), false positive rate and positive predictive
//! value, plus ROC-AUC; all from the pooled out-of-fold predictions (each row once per repeat).
//! For each rate the gap is the largest minus the smallest subgroup value; the largest gap over
//! the four is flagged when above `fairness_threshold` (default 0.1, an absolute difference as
//! in the "equalized odds difference" of fairness toolkits). A missing value forms its own
//! subgroup `(missing)`. Subgroups are listed in sorted order of their values.

use super::metrics::{roc_auc, Confusion};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Default flag threshold for the largest gap.
pub const DEFAULT_THRESHOLD: f64 = 0.1;
/// Most subgroups audited (a column with more values should be generalized first).
pub const MAX_GROUPS: usize = 20;
/// Label of the subgroup of rows without a value.
pub const MISSING: &str = "(missing)";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subgroup {
    pub value: String,
    pub count: usize,
    pub prevalence: f64,
    pub tpr: Option<f64>,
    pub fpr: Option<f64>,
    pub ppv: Option<f64>,
    pub auc: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub metric: String,
    pub gap: f64,
    /// Subgroups with the lowest and the highest value.
    pub between: [String; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fairness {
    pub column: String,
    pub threshold: f64,
    pub groups: Vec<Subgroup>,
    /// Gap per metric (`tpr`, `fpr`, `ppv`, `auc`) where two or more subgroups define it.
    pub gaps: Vec<Gap>,
    pub largest: Option<Gap>,
    pub flagged: bool,
}

/// Audits pooled predictions `(row, probability)`; `group[row]` is the row's subgroup value
/// and `y[row]` its label.
pub fn audit(
    column: &str,
    group: &[String],
    y: &[bool],
    pooled: &[(usize, f64)],
    threshold: f64,
    flag: f64,
) -> Fairness {
    let mut rows: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (r, g) in group.iter().enumerate() {
        rows.entry(g.as_str()).or_default().push(r);
    }
    let mut preds: BTreeMap<&str, (Vec<bool>, Vec<f64>)> = BTreeMap::new();
    for &(r, p) in pooled {
        let e = preds.entry(group[r].as_str()).or_default();
        e.0.push(y[r]);
        e.1.push(p);
    }
    let groups: Vec<Subgroup> = rows
        .iter()
        .map(|(value, rs)| {
            let (py, pp) = preds.get(value).cloned().unwrap_or_default();
            let c = Confusion::at(&py, &pp, threshold);
            let rate = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
            Subgroup {
                value: value.to_string(),
                count: rs.len(),
                prevalence: rs.iter().filter(|&&r| y[r]).count() as f64 / rs.len() as f64,
                tpr: rate(c.tp, c.tp + c.fn_),
                fpr: rate(c.fp, c.fp + c.tn),
                ppv: rate(c.tp, c.tp + c.fp),
                auc: roc_auc(&py, &pp),
            }
        })
        .collect();
    let mut gaps = Vec::new();
    for (name, get) in [
        (
            "tpr",
            (|s: &Subgroup| s.tpr) as fn(&Subgroup) -> Option<f64>,
        ),
        ("fpr", |s: &Subgroup| s.fpr),
        ("ppv", |s: &Subgroup| s.ppv),
        ("auc", |s: &Subgroup| s.auc),
    ] {
        let defined: Vec<(&str, f64)> = groups
            .iter()
            .filter_map(|s| get(s).map(|v| (s.value.as_str(), v)))
            .collect();
        if defined.len() < 2 {
            continue;
        }
        let lo = defined
            .iter()
            .fold(defined[0], |a, &b| if b.1 < a.1 { b } else { a });
        let hi = defined
            .iter()
            .fold(defined[0], |a, &b| if b.1 > a.1 { b } else { a });
        gaps.push(Gap {
            metric: name.into(),
            gap: hi.1 - lo.1,
            between: [lo.0.to_string(), hi.0.to_string()],
        });
    }
    let largest = gaps
        .iter()
        .fold(None::<&Gap>, |a, g| match a {
            Some(b) if b.gap >= g.gap => Some(b),
            _ => Some(g),
        })
        .cloned();
    let flagged = largest.as_ref().is_some_and(|g| g.gap > flag);
    Fairness {
        column: column.into(),
        threshold: flag,
        groups,
        gaps,
        largest,
        flagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_gaps_by_hand() {
        // F rows 0-3, M rows 4-7.
        let group: Vec<String> = ["F", "F", "F", "F", "M", "M", "M", "M"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let y = [true, true, false, false, true, true, false, false];
        // F: both positives caught, no false positive. M: one positive caught, one false positive.
        let p = [0.9, 0.8, 0.2, 0.1, 0.9, 0.3, 0.7, 0.1];
        let pooled: Vec<(usize, f64)> = p.iter().copied().enumerate().collect();
        let f = audit("sex", &group, &y, &pooled, 0.5, 0.1);
        assert_eq!(f.groups[0].value, "F");
        assert_eq!(f.groups[0].tpr, Some(1.0));
        assert_eq!(f.groups[1].tpr, Some(0.5));
        assert_eq!(f.groups[1].fpr, Some(0.5));
        assert_eq!(f.groups[1].ppv, Some(0.5));
        assert_eq!(f.groups[0].auc, Some(1.0));
        assert_eq!(f.groups[1].auc, Some(0.75));
        assert_eq!(f.groups[1].prevalence, 0.5);
        let largest = f.largest.unwrap();
        // tpr gap 0.5, fpr gap 0.5, ppv gap 0.5, auc gap 0.25: the first of the largest wins.
        assert_eq!(largest.metric, "tpr");
        assert_eq!(largest.gap, 0.5);
        assert_eq!(largest.between, ["M".to_string(), "F".to_string()]);
        assert!(f.flagged);
    }
}
