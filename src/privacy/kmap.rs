//! k-map from a population table the user supplies (`risk.population_table`).
//!
//! A population table is a CSV of counts per quasi-identifier combination in the population the
//! records were drawn from: one column per quasi-identifier it covers (some or all of the
//! recipe's, written as they read *after* the recipe's privacy steps: `40-49`, `021**`, ...) and
//! a `count` column. Under the journalist model the attacker matches a record against that
//! population, so a record's risk is `1 / F`, with `F` the population count of its combination.
//!
//! - a record's combination is looked up over the table's columns that are present in the
//!   masked data; a table column the masked data no longer has is summed out (the population
//!   count over fewer columns is the sum over the dropped one);
//! - a combination missing from the table, or listed with a count smaller than the number of
//!   records having it in the data (the table cannot be right there: the records are part of the
//!   population), takes the data's count instead — the most cautious figure available; both
//!   cases are counted and stated (`missing_records`, `below_sample_records`);
//! - `k_map` is the smallest such count over the records; a record is *at risk* when `1 / F`
//!   exceeds the threshold, as for the prosecutor model;
//! - quasi-identifiers the table does not cover are listed (`uncovered`): the k-map then holds
//!   over the covered ones only.
//!
//! The table lives inline in the recipe (`{"name", "source", "csv"}`, see docs/privacy.md):
//! counts of a population are aggregates, not records, and a recipe that holds them gives the
//! same Report wherever it is run. Cells are matched as text after the same normalisation on both
//! sides: surrounding spaces trimmed, numbers written as the data writes them (`45.0` → `45`),
//! an empty cell is a missing value.

use crate::message::{self, Message};
use crate::table::{format_number, Table};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `risk.population_table` as written in the recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationTableSpec {
    /// The file the counts came from (named in errors and in the Report).
    pub name: String,
    /// Where the counts come from (a census table, a registry extract...), stated in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The table as CSV text: a header with the quasi-identifiers and `count`, one row per
    /// combination.
    pub csv: String,
}

/// A parsed population table: the quasi-identifier columns and the count of each combination.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationTable {
    pub name: String,
    pub columns: Vec<String>,
    /// Normalised combination (in `columns` order) → population count.
    pub counts: HashMap<Vec<Option<String>>, u64>,
}

/// Where a population table is wrong: its file, the line (1-based, the header is line 1) and
/// the field.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    pub file: String,
    pub line: usize,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}", self.file, self.line)?;
        if let Some(field) = &self.field {
            write!(f, ", field '{field}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The normalised text of a cell (see module docs).
fn norm(cell: &str) -> Option<String> {
    let s = cell.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(format_number(x)),
        _ => Some(s.to_string()),
    }
}

/// Splits one CSV line into cells (double quotes, `""` inside quotes).
fn split_line(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.trim().is_empty() && !was_quoted => {
                cell.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                cells.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("a quoted cell is not closed on its line".into());
    }
    cells.push(cell);
    Ok(cells)
}

/// Parses a population table. `quasi`: the recipe's quasi-identifiers; every column but
/// `count` must be one of them.
pub fn parse(spec: &PopulationTableSpec, quasi: &[String]) -> Result<PopulationTable, TableError> {
    let file = if spec.name.trim().is_empty() {
        "population table".to_string()
    } else {
        spec.name.clone()
    };
    let err = |line: usize, field: Option<&str>, message: String| TableError {
        file: file.clone(),
        line,
        field: field.map(str::to_string),
        message,
    };
    let text = spec.csv.strip_prefix('\u{feff}').unwrap_or(&spec.csv);
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| err(1, None, "the table is empty (no header)".into()))?;
    let header = split_line(header).map_err(|m| err(header_line, None, m))?;
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut count_at = None;
    let mut columns = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if h.eq_ignore_ascii_case("count") {
            if count_at.is_some() {
                return Err(err(header_line, Some(h), "a second count column".into()));
            }
            count_at = Some(i);
        } else if h.is_empty() {
            return Err(err(
                header_line,
                None,
                format!("column {} has no name", i + 1),
            ));
        } else if !quasi.iter().any(|q| q == h) {
            return Err(err(
                header_line,
                Some(h),
                format!(
                    "unknown column: not a quasi-identifier of the recipe (quasi-identifiers: {})",
                    if quasi.is_empty() {
                        "none".to_string()
                    } else {
                        quasi.join(", ")
                    }
                ),
            ));
        } else if columns.contains(h) {
            return Err(err(
                header_line,
                Some(h),
                "the column is named twice".into(),
            ));
        } else {
            columns.push(h.clone());
        }
    }
    let count_at = count_at.ok_or_else(|| {
        err(
            header_line,
            None,
            "no 'count' column (the population count of each combination)".into(),
        )
    })?;
    if columns.is_empty() {
        return Err(err(
            header_line,
            None,
            "no quasi-identifier column beside 'count'".into(),
        ));
    }
    let mut counts = HashMap::new();
    let mut first_line: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    for (line, text) in lines {
        let cells = split_line(text).map_err(|m| err(line, None, m))?;
        if cells.len() != header.len() {
            return Err(err(
                line,
                None,
                format!("{} cell(s), the header has {}", cells.len(), header.len()),
            ));
        }
        let raw = cells[count_at].trim();
        let count: u64 = raw.parse().map_err(|_| {
            err(
                line,
                Some(&header[count_at]),
                format!("must be a whole number ≥ 0, got '{raw}'"),
            )
        })?;
        let key: Vec<Option<String>> = cells
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != count_at)
            .map(|(_, c)| norm(c))
            .collect();
        if let Some(&first) = first_line.get(&key) {
            return Err(err(
                line,
                None,
                format!("this combination is already listed on line {first}"),
            ));
        }
        first_line.insert(key.clone(), line);
        counts.insert(key, count);
    }
    Ok(PopulationTable {
        name: file,
        columns,
        counts,
    })
}

/// What the population table says about the records (see module docs); in the Report as
/// `privacy.risk.population_table`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableUse {
    /// The table's file name, and its source when the recipe gives one.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The quasi-identifiers the records were looked up on.
    pub columns: Vec<String>,
    /// Quasi-identifiers of the data the table does not cover.
    pub uncovered: Vec<String>,
    /// Table columns the masked data no longer has (summed out).
    pub summed_out: Vec<String>,
    /// Combinations the table lists.
    pub combinations: usize,
    /// Records whose combination the table does not list (the data's count used).
    pub missing_records: usize,
    /// Records whose combination the table lists with fewer people than the data has (the
    /// data's count used).
    pub below_sample_records: usize,
}

/// k-map figures of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct KMap {
    /// The smallest population count over the records.
    pub k_map: u64,
    /// Largest and mean `1 / F` over the records.
    pub max: f64,
    pub avg: f64,
    pub records_at_risk: usize,
    pub records_at_risk_pct: f64,
    pub table: TableUse,
}

/// Measures k-map of `data` over its quasi-identifiers `quasi` (those present) against the
/// population table. `None` when no table column is present in the data or the data is empty.
pub fn measure(
    data: &Table,
    quasi: &[String],
    spec: &PopulationTableSpec,
    population: &PopulationTable,
    threshold: f64,
) -> Option<KMap> {
    let n = data.rows();
    let present: Vec<usize> = population
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| data.column(c).is_some())
        .map(|(i, _)| i)
        .collect();
    if present.is_empty() || n == 0 {
        return None;
    }
    let columns: Vec<String> = present
        .iter()
        .map(|&i| population.columns[i].clone())
        .collect();
    // The table over the present columns (absent ones summed out).
    let mut counts: HashMap<Vec<Option<String>>, u64> = HashMap::new();
    for (key, &c) in &population.counts {
        let k: Vec<Option<String>> = present.iter().map(|&i| key[i].clone()).collect();
        *counts.entry(k).or_insert(0) += c;
    }
    let values: Vec<_> = columns
        .iter()
        .filter_map(|c| data.column(c).map(|c| &c.values))
        .collect();
    let keys: Vec<Vec<Option<String>>> = (0..n)
        .map(|r| {
            values
                .iter()
                .map(|v| v.text(r).and_then(|t| norm(&t)))
                .collect()
        })
        .collect();
    let mut sample: HashMap<&Vec<Option<String>>, u64> = HashMap::new();
    for k in &keys {
        *sample.entry(k).or_insert(0) += 1;
    }
    let (mut missing, mut below, mut at_risk) = (0, 0, 0);
    let (mut k_map, mut max, mut sum) = (u64::MAX, 0.0f64, 0.0);
    for k in &keys {
        let f = sample[k];
        let big_f = match counts.get(k) {
            None => {
                missing += 1;
                f
            }
            Some(&c) if c < f => {
                below += 1;
                f
            }
            Some(&c) => c,
        };
        let risk = 1.0 / big_f as f64;
        k_map = k_map.min(big_f);
        max = max.max(risk);
        sum += risk;
        if risk > threshold {
            at_risk += 1;
        }
    }
    let uncovered = quasi
        .iter()
        .filter(|q| data.column(q).is_some() && !columns.contains(q))
        .cloned()
        .collect();
    let summed_out = population
        .columns
        .iter()
        .filter(|c| !columns.contains(c))
        .cloned()
        .collect();
    Some(KMap {
        k_map,
        max,
        avg: sum / n as f64,
        records_at_risk: at_risk,
        records_at_risk_pct: 100.0 * at_risk as f64 / n as f64,
        table: TableUse {
            name: population.name.clone(),
            source: spec.source.clone(),
            columns,
            uncovered,
            summed_out,
            combinations: population.counts.len(),
            missing_records: missing,
            below_sample_records: below,
        },
    })
}

/// The warning for records above the threshold under k-map.
pub fn at_risk_warning(
    records: usize,
    pct: f64,
    threshold: f64,
    k_map: u64,
    table: &str,
) -> Message {
    let k = (1.0 / threshold - 1e-9).ceil().max(1.0) as u64;
    message::warn_kmap_at_risk(table, records, pct, k, threshold, k_map)
}

/// The warning for quasi-identifiers the population table does not cover.
pub fn uncovered_warning(table: &str, uncovered: &[String]) -> Message {
    message::warn_kmap_uncovered(table, uncovered.join(", "))
}

/// The note for records whose combination the table does not list or undercounts.
pub fn fallback_warning(table: &str, missing: usize, below: usize) -> Message {
    message::warn_kmap_fallback(table, missing, below)
}
