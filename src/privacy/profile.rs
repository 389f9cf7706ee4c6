//! Per-column profile: the first thing a user sees after loading a file (statistics, the
//! suggested role and identifier detection).

use super::detect::{detect_table, Detection};
use crate::table::csv::Parsed;
use crate::table::profile::{suggested_role, summary, InputSummary};
use crate::table::quality::{assess, QualityFlag, QualitySummary};
use crate::table::{format_number, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The profile of a whole file (`bedside profile` prints this).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub input: InputSummary,
    pub columns: Vec<ColumnProfile>,
    /// Data quality over the whole table (duplicates, repeated patients) and the count of
    /// column flags (see `table::quality`).
    #[serde(default)]
    pub quality: QualitySummary,
}

/// One column's statistics.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    #[serde(rename = "type")]
    pub ctype: ColumnType,
    pub missing: usize,
    pub missing_pct: f64,
    pub distinct: usize,
    /// Numbers for numeric columns, ISO dates (as text) for date columns.
    pub min: Option<serde_json::Value>,
    pub max: Option<serde_json::Value>,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    /// Most frequent values with counts (categorical columns only: identifier and text values
    /// are never shown).
    pub top: Vec<(String, usize)>,
    /// The role Bedside suggests for this column (`identifier`, `quasi`, `text`, `feature`, `ignore`).
    pub suggested_role: String,
    /// Identifier detection: verdict, confidence and reasons (see `privacy::detect`).
    pub detection: Detection,
    /// Set when the column has too many distinct values to feed a model as categories (see
    /// `table::profile::wide`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wide: Option<crate::table::profile::Wide>,
    /// What looks wrong in this column (`table::quality`): said, never changed.
    #[serde(default)]
    pub quality: Vec<QualityFlag>,
    /// The variable label a statistics-package file gives the column (shown beside its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The value labels of a statistics-package file (code → label); the column holds the labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_labels: Vec<crate::table::stats::ValueLabel>,
}

/// Builds the profile of a parsed file.
pub fn profile(parsed: &Parsed, file: &str, bytes: &[u8]) -> Profile {
    profile_of(&parsed.table, summary(parsed, file, bytes))
}

/// The profile of a table read with `input` (its repairs become the columns' `coerced` flags).
pub fn profile_of(table: &Table, input: InputSummary) -> Profile {
    let mut columns = column_profiles(table);
    let (flags, quality) = assess(table, &input.repairs);
    for (c, f) in columns.iter_mut().zip(flags) {
        c.quality = f;
        if let Some(labels) = input.labels.get(&c.name) {
            c.label = labels.label.clone();
            c.value_labels = labels.value_labels.clone();
        }
    }
    Profile {
        input,
        columns,
        quality,
    }
}

/// Profiles every column of a table.
pub fn column_profiles(table: &Table) -> Vec<ColumnProfile> {
    let rows = table.rows();
    let detections = detect_table(table);
    table
        .columns
        .iter()
        .zip(detections)
        .map(|(c, detection)| {
            let missing = c.values.missing();
            let mut p = ColumnProfile {
                name: c.name.clone(),
                ctype: c.ctype,
                missing,
                missing_pct: if rows == 0 {
                    0.0
                } else {
                    100.0 * missing as f64 / rows as f64
                },
                distinct: 0,
                min: None,
                max: None,
                mean: None,
                std: None,
                top: Vec::new(),
                suggested_role: suggested_role(&c.name, c.ctype).to_string(),
                detection,
                wide: None,
                quality: Vec::new(),
                label: None,
                value_labels: Vec::new(),
            };
            match &c.values {
                Values::Num(v) => {
                    let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                    let sorted = sorted_distinct(&present);
                    p.distinct = sorted.len();
                    if !present.is_empty() {
                        let n = present.len() as f64;
                        let mean = present.iter().sum::<f64>() / n;
                        let var = present.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                        p.min = sorted.first().map(|&x| serde_json::json!(x));
                        p.max = sorted.last().map(|&x| serde_json::json!(x));
                        p.mean = Some(mean);
                        p.std = Some(var.sqrt());
                    }
                    if p.distinct <= 10 {
                        p.top =
                            top_values(v.iter().filter(|x| !x.is_nan()).map(|&x| format_number(x)));
                    }
                }
                Values::Str(v) => {
                    let mut counts: HashMap<&str, usize> = HashMap::new();
                    for s in v.iter().flatten() {
                        *counts.entry(s.as_str()).or_default() += 1;
                    }
                    p.distinct = counts.len();
                    if c.ctype == ColumnType::Date {
                        let mut dates: Vec<&str> = counts.keys().copied().collect();
                        dates.sort_by_key(|s| crate::table::csv::parse_date(s));
                        p.min = dates.first().map(|s| serde_json::json!(s));
                        p.max = dates.last().map(|s| serde_json::json!(s));
                    }
                    if c.ctype == ColumnType::Categorical {
                        p.top = top_values(v.iter().flatten().cloned());
                    }
                }
            }
            p.wide = crate::table::profile::wide(c.ctype, p.distinct, rows - missing);
            p
        })
        .collect()
}

/// The distinct values in increasing order (-0 and 0 are one value). Sorted as integer keys that
/// keep the order of the numbers: integer comparisons are cheaper than `f64::total_cmp`, which
/// matters for a million-row column in wasm.
fn sorted_distinct(present: &[f64]) -> Vec<f64> {
    let key = |x: f64| {
        let b = (x + 0.0).to_bits();
        if b >> 63 == 1 {
            !b
        } else {
            b | (1 << 63)
        }
    };
    let unkey = |k: u64| f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k });
    let mut keys: Vec<u64> = present.iter().map(|&x| key(x)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter().map(unkey).collect()
}

/// The five most frequent values, ties broken by value.
fn top_values(values: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut top: Vec<(String, usize)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(5);
    top
}

#[cfg(test)]
mod sorted_distinct_tests {
    use super::sorted_distinct;

    #[test]
    fn orders_like_the_numbers_and_merges_signed_zeros() {
        let v = [3.5, -2.0, 0.0, -0.0, 1e-300, -1e300, 3.5, 7.0, -2.0];
        let got = sorted_distinct(&v);
        assert_eq!(got, vec![-1e300, -2.0, 0.0, 1e-300, 3.5, 7.0]);
        assert!(got[2].is_sign_positive());
        assert!(sorted_distinct(&[]).is_empty());
    }
}
