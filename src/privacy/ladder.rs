//! Generalization ladders of `k_anonymize`: the levels of one quasi-identifier above its
//! original values (bands, prefixes, date granularities or a user hierarchy), the default ladder
//! of a column, and each quasi-identifier prepared for the lattice search (codes per level).

use super::ops::generalize::Generalize;
use super::ops::hierarchy::check_map;
use super::ops::truncate::truncated;
use super::ArgError;
use crate::message::{self as msg, Message};
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

    /// The levels above the original, as messages (their English text is the level's name).
    fn messages(&self) -> Vec<Message> {
        match self {
            Ladder::Bands(w) => w.iter().map(|&x| msg::level_bands(x)).collect(),
            Ladder::Prefix(p) => p.iter().map(|&x| msg::level_prefix(x)).collect(),
            Ladder::Dates(d) => d
                .iter()
                .map(|x| match x {
                    DateLevel::Month => msg::level_month(),
                    DateLevel::Year => msg::level_year(),
                    DateLevel::Decade => msg::level_decade(),
                })
                .collect(),
            Ladder::Hierarchy(m) => (1..=m.values().next().map_or(0, Vec::len))
                .map(msg::level_hierarchy)
                .collect(),
            Ladder::Frequent(t) => t.iter().map(|&x| msg::level_frequent(x)).collect(),
        }
    }
}

/// One quasi-identifier prepared for the search: per level, the code of every row, the number of
/// codes and their labels.
pub(crate) struct Prepared {
    pub(crate) name: String,
    pub(crate) level_names: Vec<String>,
    /// The same as messages (`level_names[i]` is `level_messages[i]` in English).
    pub(crate) level_messages: Vec<Message>,
    /// Per level, how a value is labelled (see [`Rule`]).
    pub(crate) rules: Vec<Rule>,
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

/// One level of a ladder resolved on the column it generalizes: everything needed to label a
/// value at that level without the rest of the column. `prepare` labels the training values
/// through it, and a saved model labels new records through the same rule (see
/// [`Generalization`]), so both give the same label to the same value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Level 0: the value as it is.
    Original,
    /// Bands of `width` over numbers (labels "30-39" when the training values were whole).
    Bands { width: f64, integers: bool },
    /// Bands of `width` over values already banded as text ("30-34", "90+"), with the training
    /// file's top and bottom codes.
    Rebands {
        width: f64,
        top: Option<f64>,
        bottom: Option<f64>,
    },
    /// The first `length` characters; numbers zero-padded to `pad` digits first (ZIP codes).
    Prefix { length: usize, pad: Option<usize> },
    /// A date granularity.
    Dates(DateLevel),
    /// A user hierarchy at one level: value → its group.
    Hierarchy(BTreeMap<String, String>),
    /// The values kept (sorted; held by enough training records); any other value is "other".
    Frequent(Vec<String>),
    /// The top level: every value, missing ones too, is `*`.
    All,
}

impl Rule {
    /// The label of `value` (`None`: missing) at this level; `Err` when the rule cannot place it.
    pub fn label(&self, value: Option<&str>) -> Result<Option<String>, &'static str> {
        let Some(v) = value else {
            return Ok(matches!(self, Rule::All).then(|| "*".to_string()));
        };
        Ok(Some(match self {
            Rule::Original => v.to_string(),
            Rule::All => "*".to_string(),
            Rule::Bands { width, integers } => {
                let x: f64 = v
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite())
                    .ok_or("not a number")?;
                Generalize::width("", *width).band(x, *integers)
            }
            Rule::Rebands { width, top, bottom } => {
                let band = parse_band(v).ok_or("not a number or a band such as 30-39 or 90+")?;
                reband(v, band, *width, *top, *bottom)
            }
            Rule::Prefix { length, pad } => match pad {
                Some(d) => {
                    let x: f64 = v.parse().map_err(|_| "not a number")?;
                    if !(x.fract() == 0.0 && (0.0..1e15).contains(&x)) {
                        return Err("not a whole non-negative number, as the codes are");
                    }
                    truncated(&format!("{:0d$}", x as u64, d = *d), *length)
                }
                None => truncated(v, *length),
            },
            Rule::Dates(level) => {
                let (y, m, _) = parse_date(v).ok_or("not a date")?;
                match level {
                    DateLevel::Month => format!("{y:04}-{m:02}"),
                    DateLevel::Year => format!("{y:04}"),
                    DateLevel::Decade => format!("{}s", y - y.rem_euclid(10)),
                }
            }
            Rule::Hierarchy(map) => map.get(v).cloned().ok_or("value not in the hierarchy")?,
            Rule::Frequent(kept) => {
                if kept.binary_search_by(|k| k.as_str().cmp(v)).is_ok() {
                    v.to_string()
                } else {
                    OTHER.to_string()
                }
            }
        }))
    }
}

/// One quasi-identifier's chosen level, resolved on the training file: what a saved model
/// applies to the column of a new record (see `k_anonymize` and docs/apply.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generalization {
    pub column: String,
    /// The level index (0 = original) and its name.
    pub level: usize,
    pub level_name: String,
    pub rule: Rule,
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
    let mut level_messages = vec![msg::level_original()];
    let mut rules = vec![Rule::Original];
    if let Some(ladder) = ladder {
        level_messages.extend(ladder.messages());
    }
    let mut level_names: Vec<String> = level_messages.iter().map(Message::to_string).collect();
    if let Some(ladder) = ladder {
        let depth = level_names.len() - 1;
        for level in 0..depth {
            let rule = match ladder {
                Ladder::Frequent(t) => {
                    let mut kept: Vec<String> = labels0
                        .iter()
                        .zip(&count0)
                        .filter(|(_, &k)| k >= t[level])
                        .filter_map(|(v, _)| v.clone())
                        .collect();
                    kept.sort();
                    kept.dedup();
                    Rule::Frequent(kept)
                }
                Ladder::Bands(w) if banded.is_some() => Rule::Rebands {
                    width: w[level],
                    top,
                    bottom,
                },
                Ladder::Bands(w) => Rule::Bands {
                    width: w[level],
                    integers,
                },
                Ladder::Prefix(p) => Rule::Prefix {
                    length: p[level],
                    pad,
                },
                Ladder::Dates(d) => Rule::Dates(d[level]),
                Ladder::Hierarchy(m) => Rule::Hierarchy(
                    m.iter()
                        .map(|(k, g)| (k.clone(), g[level].clone()))
                        .collect(),
                ),
            };
            // Label every distinct original value, then map rows through their level-0 code.
            let mut idx: HashMap<Option<String>, u32> = HashMap::new();
            let mut labs: Vec<Option<String>> = Vec::new();
            let mut map = Vec::with_capacity(labels0.len());
            for (c0, v) in labels0.iter().enumerate() {
                let lab = rule
                    .label(v.as_deref())
                    .map_err(|what| super::ops::cell_error("ladders", first_row[c0], name, what))?;
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
            rules.push(rule);
        }
    }
    // The top level: everything `*`.
    level_names.push(msg::level_all().to_string());
    level_messages.push(msg::level_all());
    codes.push(vec![0; n]);
    labels.push(vec![Some("*".into())]);
    rules.push(Rule::All);
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
        level_messages,
        rules,
        codes,
        labels,
        counts,
    })
}
