//! Generalization ladders of `k_anonymize`: the levels of one quasi-identifier above its
//! original values (bands, prefixes, date granularities or a user hierarchy), the default ladder
//! of a column, and each quasi-identifier prepared for the lattice search (codes per level).

use super::ops::generalize::Generalize;
use super::ops::hierarchy::check_map;
use super::ops::truncate::truncated;
use super::ArgError;
use crate::table::csv::parse_date;
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The levels of one quasi-identifier above the original value (the final `*` is implicit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ladder {
    /// Band widths, each a whole multiple of the previous: `{"bands": [5, 10, 20]}`.
    Bands(Vec<f64>),
    /// Prefix lengths kept, shrinking: `{"prefix": [4, 3, 2]}` (ZIP 02139 → 0213* → 021** → 02***).
    Prefix(Vec<usize>),
    /// Date granularities, coarsening: `{"dates": ["month", "year", "decade"]}`.
    Dates(Vec<DateLevel>),
    /// A user hierarchy: value → groups from finest to coarsest.
    Hierarchy(BTreeMap<String, Vec<String>>),
    /// Category merges by frequency, coarsening: `{"frequent": [5, 20]}` keeps the values held
    /// by at least 5 records (then 20) and merges the rarer ones into "other".
    Frequent(Vec<usize>),
}

/// The group rare values merge into under a `frequent` ladder.
pub const OTHER: &str = "other";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateLevel {
    Month,
    Year,
    Decade,
}

impl Ladder {
    pub(crate) fn check(&self) -> Result<(), ArgError> {
        match self {
            Ladder::Bands(w) => {
                if w.is_empty() || w.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
                    return Err((
                        "ladders",
                        "bands must be a non-empty list of positive widths".into(),
                    ));
                }
                for p in w.windows(2) {
                    let r = p[1] / p[0];
                    if r < 2.0 - 1e-9 || (r - r.round()).abs() > 1e-9 {
                        return Err((
                            "ladders",
                            format!(
                                "band width {} is not a whole multiple (≥ 2×) of {}",
                                p[1], p[0]
                            ),
                        ));
                    }
                }
            }
            Ladder::Prefix(p) => {
                if p.is_empty() || p.contains(&0) || p.windows(2).any(|w| w[1] >= w[0]) {
                    return Err((
                        "ladders",
                        "prefix lengths must be positive and strictly shrinking".into(),
                    ));
                }
            }
            Ladder::Dates(d) => {
                if d.is_empty() || d.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(("ladders", "dates must coarsen: month, year, decade".into()));
                }
            }
            Ladder::Hierarchy(m) => {
                check_map("ladders", m)?;
            }
            Ladder::Frequent(t) => {
                if t.is_empty() || t.contains(&0) || t.windows(2).any(|w| w[1] <= w[0]) {
                    return Err((
                        "ladders",
                        "frequent thresholds must be positive and strictly growing".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    fn names(&self) -> Vec<String> {
        match self {
            Ladder::Bands(w) => w.iter().map(|x| format!("bands of {x}")).collect(),
            Ladder::Prefix(p) => p.iter().map(|x| format!("first {x} characters")).collect(),
            Ladder::Dates(d) => d.iter().map(|x| format!("{x:?}").to_lowercase()).collect(),
            Ladder::Hierarchy(m) => (1..=m.values().next().map_or(0, Vec::len))
                .map(|l| format!("hierarchy level {l}"))
                .collect(),
            Ladder::Frequent(t) => t
                .iter()
                .map(|x| format!("values of at least {x} records, others merged"))
                .collect(),
        }
    }
}

/// One quasi-identifier prepared for the search: per level, the code of every row, the number of
/// codes and their labels.
pub(crate) struct Prepared {
    pub(crate) name: String,
    pub(crate) level_names: Vec<String>,
    pub(crate) codes: Vec<Vec<u32>>,
    pub(crate) labels: Vec<Vec<Option<String>>>,
    /// Rows per code, per level.
    pub(crate) counts: Vec<Vec<u32>>,
}

fn nice_width(range: f64) -> f64 {
    let target = (range / 16.0).max(1.0);
    let mag = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&w| w >= target)
        .unwrap_or(10.0 * mag)
}

/// The default ladder for a column from its type and values.
pub fn default_ladder(table: &Table, name: &str) -> Option<Ladder> {
    let col = table.column(name)?;
    match (&col.values, col.ctype) {
        (Values::Num(v), _) => {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if present.is_empty() || hi <= lo {
                return None;
            }
            if let Some(digits) = zip_digits(name, &present) {
                return Some(Ladder::Prefix((1..digits).rev().collect()));
            }
            let w = if crate::table::csv::normalize_header(name).contains("age") {
                5.0
            } else {
                nice_width(hi - lo)
            };
            Some(Ladder::Bands(vec![w, 2.0 * w, 4.0 * w, 8.0 * w]))
        }
        (_, ColumnType::Date) => Some(Ladder::Dates(vec![
            DateLevel::Month,
            DateLevel::Year,
            DateLevel::Decade,
        ])),
        (Values::Str(v), _) => {
            let present: Vec<&String> = v.iter().flatten().collect();
            let len = present.first().map(|s| s.chars().count())?;
            let code_like = len >= 3
                && present.iter().all(|s| {
                    s.chars().count() == len && s.chars().all(|c| c.is_ascii_alphanumeric())
                });
            code_like.then(|| Ladder::Prefix((1..len).rev().collect()))
        }
    }
}

/// The digits of a ZIP code read as a number (a whole-number column whose header names a ZIP
/// or postal code, every value a whole number below 1,000,000): the codes are prefixes of these many digits,
/// zero-padded (02139 read as 2139).
pub fn zip_digits(name: &str, present: &[f64]) -> Option<usize> {
    let zip = crate::privacy::detect::zip_header(name);
    let fits = !present.is_empty()
        && present
            .iter()
            .all(|x| x.fract() == 0.0 && (0.0..=999_999.0).contains(x));
    let hi = present.iter().copied().fold(0.0, f64::max);
    // US ZIP codes have 5 digits (China's postal codes 6).
    (zip && fits).then_some(if hi < 100_000.0 { 5 } else { 6 })
}

/// An interval [lo, hi) read from a band label (`None` for an open end) and whether it is of
/// whole numbers.
type Band = (Option<f64>, Option<f64>, bool);

/// A band label as `generalize` writes it, read back: "30-39" (whole numbers), "[2.5, 5)",
/// "90+" (top-coded), "<18" (bottom-coded) or a plain number: the interval [lo, hi) it covers
/// (`None` for an open end) and whether it is of whole numbers.
fn parse_band(v: &str) -> Option<Band> {
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    if let Some(x) = num(v) {
        return Some((Some(x), Some(x), x.fract() == 0.0));
    }
    if let Some(t) = v.strip_suffix('+').and_then(num) {
        return Some((Some(t), None, t.fract() == 0.0));
    }
    if let Some(b) = v.strip_prefix('<').and_then(num) {
        return Some((None, Some(b), b.fract() == 0.0));
    }
    if let Some(inner) = v.strip_prefix('[').and_then(|s| s.strip_suffix(')')) {
        let (a, b) = inner.split_once(',')?;
        return Some((Some(num(a)?), Some(num(b)?), false));
    }
    // "lo-hi": the first '-' after the first character that splits two whole numbers.
    v.char_indices()
        .filter(|&(i, c)| c == '-' && i > 0)
        .find_map(|(i, _)| {
            let (lo, hi) = (num(&v[..i])?, num(&v[i + 1..])?);
            (lo.fract() == 0.0 && hi.fract() == 0.0 && hi >= lo).then_some((
                Some(lo),
                Some(hi + 1.0),
                true,
            ))
        })
}

/// The band of width `w` holding the already-banded value `v` (see [`parse_band`]): bands
/// that touch the top code (`top`: the N of an "N+" value) read "lo+", those touching the
/// bottom code "<hi"; a value wider than `w` stays as it is.
fn reband(v: &str, (lo, hi, int): Band, w: f64, top: Option<f64>, bottom: Option<f64>) -> String {
    use crate::table::format_number as f;
    match (lo, hi) {
        (Some(t), None) => format!("{}+", f((t / w).floor() * w)),
        (None, Some(b)) => format!("<{}", f(((b - 1e-9) / w).floor() * w + w)),
        (Some(lo), Some(hi)) => {
            let b = (lo / w).floor() * w;
            if hi > b + w + 1e-9 {
                return v.to_string();
            }
            if top.is_some_and(|t| b + w > t + 1e-9) {
                format!("{}+", f(b))
            } else if bottom.is_some_and(|bt| b < bt - 1e-9) {
                format!("<{}", f(b + w))
            } else {
                Generalize::width("", w).band(lo, int)
            }
        }
        (None, None) => v.to_string(),
    }
}

fn level_label(
    ladder: &Ladder,
    level: usize,
    value: &str,
    integers: bool,
) -> Result<String, &'static str> {
    match ladder {
        Ladder::Frequent(_) => Err("frequent levels are labelled from counts"),
        Ladder::Bands(w) => {
            let x: f64 = value.parse().map_err(|_| "not a number")?;
            Ok(Generalize::width("", w[level]).band(x, integers))
        }
        Ladder::Prefix(p) => Ok(truncated(value, p[level])),
        Ladder::Dates(d) => {
            let (y, m, _) = parse_date(value).ok_or("not a date")?;
            Ok(match d[level] {
                DateLevel::Month => format!("{y:04}-{m:02}"),
                DateLevel::Year => format!("{y:04}"),
                DateLevel::Decade => format!("{}s", y - y.rem_euclid(10)),
            })
        }
        Ladder::Hierarchy(map) => map
            .get(value)
            .map(|g| g[level].clone())
            .ok_or("value not in the hierarchy"),
    }
}

pub(crate) fn prepare(
    table: &Table,
    name: &str,
    ladder: Option<&Ladder>,
) -> Result<Prepared, ArgError> {
    let col = table
        .column(name)
        .ok_or(("quasi", format!("no such column '{name}'")))?;
    let n = table.rows();
    let integers = match &col.values {
        Values::Num(v) => v.iter().all(|x| x.is_nan() || x.fract() == 0.0),
        _ => false,
    };
    // Level 0: distinct texts in order of first appearance; missing is a code of its own.
    let mut index: HashMap<Option<String>, u32> = HashMap::new();
    let mut labels0: Vec<Option<String>> = Vec::new();
    let mut first_row: Vec<usize> = Vec::new();
    let mut codes0 = Vec::with_capacity(n);
    for r in 0..n {
        let t = col.values.text(r);
        let next = labels0.len() as u32;
        let c = *index.entry(t.clone()).or_insert(next);
        if c == next {
            labels0.push(t);
            first_row.push(r);
        }
        codes0.push(c);
    }
    // Codes of integer columns with a prefix ladder (ZIP codes read as numbers) are zero-padded
    // to the widest value, so 2139 reads as 02139.
    let pad = match (&col.values, ladder) {
        (Values::Num(v), Some(Ladder::Prefix(_))) if integers => {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let hi = present.iter().copied().fold(0.0, f64::max);
            (present.iter().all(|x| *x >= 0.0))
                .then(|| hi.max(1.0).log10().floor() as usize + 1)
                .map(|d| zip_digits(name, &present).unwrap_or(d))
        }
        _ => None,
    };
    let count0: Vec<usize> = {
        let mut k = vec![0usize; labels0.len()];
        for &c in &codes0 {
            k[c as usize] += 1;
        }
        k
    };
    // Bands over values already banded by `generalize` (text such as "30-34" or "90+"): each
    // is re-banded by the interval it covers, the top and bottom codes kept open-ended.
    let banded: Option<Vec<Option<Band>>> = match (&col.values, ladder) {
        (Values::Str(_), Some(Ladder::Bands(_))) => Some(
            labels0
                .iter()
                .enumerate()
                .map(|(c0, v)| {
                    v.as_deref()
                        .map(|v| {
                            parse_band(v).ok_or_else(|| {
                                super::ops::cell_error(
                                    "ladders",
                                    first_row[c0],
                                    name,
                                    "not a number or a band such as 30-39 or 90+",
                                )
                            })
                        })
                        .transpose()
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => None,
    };
    let top = banded.as_ref().and_then(|b| {
        b.iter()
            .flatten()
            .filter(|(_, hi, _)| hi.is_none())
            .filter_map(|(lo, _, _)| *lo)
            .reduce(f64::min)
    });
    let bottom = banded.as_ref().and_then(|b| {
        b.iter()
            .flatten()
            .filter(|(lo, _, _)| lo.is_none())
            .filter_map(|(_, hi, _)| *hi)
            .reduce(f64::max)
    });
    let mut codes = vec![codes0];
    let mut labels = vec![labels0.clone()];
    let mut level_names = vec!["original".to_string()];
    if let Some(ladder) = ladder {
        level_names.extend(ladder.names());
        let depth = level_names.len() - 1;
        for level in 0..depth {
            // Label every distinct original value, then map rows through their level-0 code.
            let mut idx: HashMap<Option<String>, u32> = HashMap::new();
            let mut labs: Vec<Option<String>> = Vec::new();
            let mut map = Vec::with_capacity(labels0.len());
            for (c0, v) in labels0.iter().enumerate() {
                let lab = match (v, ladder) {
                    (None, _) => None,
                    (Some(v), Ladder::Frequent(t)) => Some(if count0[c0] >= t[level] {
                        v.clone()
                    } else {
                        OTHER.to_string()
                    }),
                    (Some(v), Ladder::Bands(w)) if banded.is_some() => {
                        let band = banded.as_ref().and_then(|b| b[c0]);
                        Some(band.map_or_else(
                            || v.clone(),
                            |band| reband(v, band, w[level], top, bottom),
                        ))
                    }
                    (Some(v), _) => {
                        let padded = match (pad, v.parse::<f64>()) {
                            (Some(d), Ok(x)) => format!("{:0d$}", x as u64),
                            _ => v.clone(),
                        };
                        Some(
                            level_label(ladder, level, &padded, integers).map_err(|what| {
                                super::ops::cell_error("ladders", first_row[c0], name, what)
                            })?,
                        )
                    }
                };
                let next = labs.len() as u32;
                let c = *idx.entry(lab.clone()).or_insert(next);
                if c == next {
                    labs.push(lab);
                }
                map.push(c);
            }
            // Each level must coarsen the previous one.
            let prev = &codes[codes.len() - 1];
            let mut parent: Vec<Option<u32>> = vec![None; labels[labels.len() - 1].len()];
            for (c0, &c) in map.iter().enumerate() {
                let p = prev[first_row[c0]] as usize;
                match parent[p] {
                    None => parent[p] = Some(c),
                    Some(q) if q != c => {
                        return Err(("ladders", format!("the ladder of '{name}' is not nested: level {} splits a group of level {}", level + 1, level)))
                    }
                    _ => {}
                }
            }
            codes.push(codes[0].iter().map(|&c0| map[c0 as usize]).collect());
            labels.push(labs);
        }
    }
    // The top level: everything `*`.
    level_names.push("*".into());
    codes.push(vec![0; n]);
    labels.push(vec![Some("*".into())]);
    let counts = codes
        .iter()
        .zip(&labels)
        .map(|(c, l)| {
            let mut k = vec![0u32; l.len()];
            for &x in c {
                k[x as usize] += 1;
            }
            k
        })
        .collect();
    Ok(Prepared {
        name: name.to_string(),
        level_names,
        codes,
        labels,
        counts,
    })
}
