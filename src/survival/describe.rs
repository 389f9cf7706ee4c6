//! The Report's `survival` section: Kaplan–Meier curves overall and by `evaluation.groups`,
//! medians, and the log-rank test (stratified by `evaluation.strata` when given).

use super::km::{kaplan_meier, median, KmPoint};
use super::logrank::{log_rank, LogRank};
use serde::{Deserialize, Serialize};

/// One point of `survival.kaplan_meier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmRow {
    /// `"all"` for the whole data, else the group's value.
    pub group: String,
    /// The curve's step (its fields sit beside `group` in the JSON).
    #[serde(flatten)]
    pub point: KmPoint,
}

/// One row of `survival.medians`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedianRow {
    pub group: String,
    pub rows: usize,
    pub events: usize,
    /// `None`: survival never reaches 0.5.
    pub median: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The Report's `survival` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalReport {
    pub time: String,
    pub event: String,
    /// The event column's value counted as the event.
    pub event_value: String,
    pub rows: usize,
    pub events: usize,
    /// How the bands are computed.
    pub band: String,
    /// The column of `evaluation.groups`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<String>,
    pub kaplan_meier: Vec<KmRow>,
    pub medians: Vec<MedianRow>,
    /// The log-rank test between the groups (absent without `evaluation.groups`, or with fewer
    /// than two groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_rank: Option<LogRank>,
}

/// The band's description in the Report.
pub const BAND: &str = "Greenwood 95% on the log(-log S) scale";

/// The survival section of rows with `time` and `event`, by `groups` (column name and each
/// row's value) and stratified by `strata` (column name and each row's value) when given.
pub fn describe(
    (time_col, event_col, event_value): (&str, &str, &str),
    time: &[f64],
    event: &[bool],
    groups: Option<(&str, &[String])>,
    strata: Option<(&str, &[String])>,
) -> SurvivalReport {
    let mut kaplan = Vec::new();
    let mut medians = Vec::new();
    let mut add = |name: &str, rows: &[usize]| {
        let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
        let e: Vec<bool> = rows.iter().map(|&i| event[i]).collect();
        let curve = kaplan_meier(&t, &e);
        let m = median(&curve);
        medians.push(MedianRow {
            group: name.to_string(),
            rows: rows.len(),
            events: e.iter().filter(|&&x| x).count(),
            median: m.median,
            lower: m.lower,
            upper: m.upper,
        });
        kaplan.extend(curve.into_iter().map(|point| KmRow {
            group: name.to_string(),
            point,
        }));
    };
    let all: Vec<usize> = (0..time.len()).collect();
    add("all", &all);
    let mut log_rank_result = None;
    if let Some((gname, gvals)) = groups {
        let levels = distinct(gvals);
        for l in &levels {
            let rows: Vec<usize> = all.iter().copied().filter(|&i| &gvals[i] == l).collect();
            add(l, &rows);
        }
        let index: Vec<usize> = gvals
            .iter()
            .map(|v| levels.iter().position(|l| l == v).unwrap_or(0))
            .collect();
        let strata_index: Option<Vec<usize>> = strata.map(|(_, s)| {
            let sl = distinct(s);
            s.iter()
                .map(|v| sl.iter().position(|l| l == v).unwrap_or(0))
                .collect()
        });
        let _ = gname;
        log_rank_result = log_rank(time, event, &index, levels.len(), strata_index.as_deref()).map(
            |(statistic, df, p, observed, expected)| LogRank {
                statistic,
                df,
                p,
                groups: levels.clone(),
                observed,
                expected,
                strata: strata.map(|(n, _)| n.to_string()),
            },
        );
    }
    SurvivalReport {
        time: time_col.into(),
        event: event_col.into(),
        event_value: event_value.into(),
        rows: time.len(),
        events: event.iter().filter(|&&e| e).count(),
        band: BAND.into(),
        groups: groups.map(|(g, _)| g.to_string()),
        kaplan_meier: kaplan,
        medians,
        log_rank: log_rank_result,
    }
}

/// Distinct values, sorted.
fn distinct(v: &[String]) -> Vec<String> {
    let mut d = v.to_vec();
    d.sort();
    d.dedup();
    d
}
