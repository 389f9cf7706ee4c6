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
    /// The median follow-up of all rows by the reverse Kaplan–Meier method (absent in reports
    /// written before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
}

/// `survival.follow_up`: the median follow-up time and its 95% interval by the reverse
/// Kaplan–Meier method (Schemper & Smith 1996): the Kaplan–Meier curve of the censoring, the
/// events counted as censored, read as [`median`] reads a survival curve. `None`: fewer than
/// half of the rows were censored before the last time (with no censoring at all, every
/// follow-up ended with the event and the median is not defined).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub median: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// `"reverse_km"`.
    pub method: String,
}

/// The median follow-up of rows with `time` and `event` (see [`FollowUp`]).
pub fn follow_up(time: &[f64], event: &[bool]) -> FollowUp {
    let censored: Vec<bool> = event.iter().map(|&e| !e).collect();
    let m = median(&kaplan_meier(time, &censored));
    FollowUp {
        median: m.median,
        lower: m.lower,
        upper: m.upper,
        method: "reverse_km".into(),
    }
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
        follow_up: Some(follow_up(time, event)),
    }
}

/// Distinct values, sorted.
fn distinct(v: &[String]) -> Vec<String> {
    let mut d = v.to_vec();
    d.sort();
    d.dedup();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reverse Kaplan–Meier by hand: times 1..5, censored at 2 and 4. The censoring curve is
    /// 1 at 1, at 2 (4 at risk, 1 censoring) 0.75, at 4 (2 at risk) 0.375, so the
    /// median follow-up is 4 (lifelines on the same rows, events flipped: 4, interval 2 to ∞). Greenwood on the log(−log) scale: at 2, v = 1/(4·3), the band
    /// (0.1279, 0.9605); at 4, v = 1/12 + 1/(2·1), the band (0.0110, 0.8080): the lower band
    /// reaches ½ at 2, the upper never (open interval).
    #[test]
    fn median_follow_up_by_reverse_kaplan_meier() {
        let f = follow_up(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[true, false, true, false, true],
        );
        assert_eq!(f.median, Some(4.0));
        assert_eq!(f.lower, Some(2.0));
        assert_eq!(f.upper, None);
        assert_eq!(f.method, "reverse_km");
        // The band at 2 and 4, as above.
        let censored = [false, true, false, true, false];
        let curve = kaplan_meier(&[1.0, 2.0, 3.0, 4.0, 5.0], &censored);
        let at = |t: f64| curve.iter().find(|p| p.time == t).unwrap();
        assert!((at(2.0).survival - 0.75).abs() < 1e-12);
        assert!((at(4.0).survival - 0.375).abs() < 1e-12);
        assert!((at(2.0).lower.unwrap() - 0.1279).abs() < 5e-4);
        assert!((at(4.0).upper.unwrap() - 0.8080).abs() < 5e-4);
        // No censoring: every follow-up ended with the event; no median.
        let none = follow_up(&[1.0, 2.0, 3.0], &[true, true, true]);
        assert_eq!(none.median, None);
    }
}
