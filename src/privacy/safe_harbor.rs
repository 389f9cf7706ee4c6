//! HIPAA Safe Harbor warnings: every geographic unit smaller than a state (street address, city
//! or county, ZIP code with more than its first 3 digits) and every date element tied to a person
//! other than the year (birth, admission, discharge, death, visit dates) that the released table
//! still carries.
//!
//! Columns are found by identifier detection ([`super::detect`]) on the input; a column dropped
//! by the privacy steps is released as nothing and never warned about. A kept column is checked
//! on its released values:
//! - `zip`: a value with more than 3 digits keeps more than the 3-digit prefix Safe Harbor allows
//!   (whether or not that prefix covers more than 20,000 people, which the data cannot tell);
//! - `city` / `address`: a value released exactly as in the input row it came from;
//! - `birth_date` / `person_date`: a value finer than a year (day or month kept: `2020-03-14`,
//!   `2020-03`, `03/14/2020`, a shifted date); a year, a range of years, a decade or `*` is fine.
//!
//! Safe Harbor also lists names, numbers and ages over 89; those are direct identifiers the
//! pipeline refuses to release unmasked, or measured elsewhere. A warning is not a verdict: an
//! expert determination may justify a release that Safe Harbor would not.

use super::detect::detect_table;
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// One Safe Harbor element left in the released table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafeHarborWarning {
    pub column: String,
    /// `zip`, `city`, `address`, `birth_date` or `person_date`.
    pub kind: String,
    /// What was found, in English, with counts.
    pub reason: String,
    /// Released values that are Safe Harbor elements.
    pub values: usize,
}

/// Whether a released date value keeps more than the year.
fn finer_than_year(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() || v == "*" {
        return false;
    }
    let groups: Vec<&str> = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    match groups.as_slice() {
        [] | [_] => false,
        // A range of years: 2020-2029.
        [a, b] if a.len() == 4 && b.len() == 4 => false,
        _ => true,
    }
}

/// The Safe Harbor elements `masked` still carries; `row_map[i]` is the input row of masked row
/// `i` (see module docs).
pub fn warnings(original: &Table, masked: &Table, row_map: &[usize]) -> Vec<SafeHarborWarning> {
    let mut out = Vec::new();
    for (col, det) in original.columns.iter().zip(detect_table(original)) {
        let Some(kind) = det.kind.as_deref() else {
            continue;
        };
        if !matches!(
            kind,
            "zip" | "city" | "address" | "birth_date" | "person_date"
        ) {
            continue;
        }
        let Some(released) = masked.column(&col.name) else {
            continue;
        };
        let rows = masked.rows();
        let present = (0..rows)
            .filter(|&r| released.values.text(r).is_some())
            .count();
        let (count, reason) = match kind {
            "zip" => {
                let n = (0..rows)
                    .filter_map(|r| released.values.text(r))
                    .filter(|v| v.chars().filter(char::is_ascii_digit).count() > 3)
                    .count();
                (
                    n,
                    format!(
                        "{n} of {present} released ZIP codes keep more than their first 3 digits"
                    ),
                )
            }
            "city" | "address" => {
                let n = (0..rows)
                    .filter(|&r| {
                        let v = released.values.text(r);
                        v.is_some()
                            && row_map
                                .get(r)
                                .is_some_and(|&o| o < original.rows() && col.values.text(o) == v)
                    })
                    .count();
                let what = if kind == "city" {
                    "cities or counties"
                } else {
                    "addresses"
                };
                (
                    n,
                    format!("{n} of {present} released {what} are exact (geography smaller than a state)"),
                )
            }
            _ => {
                let n = (0..rows)
                    .filter_map(|r| released.values.text(r))
                    .filter(|v| finer_than_year(v))
                    .count();
                (
                    n,
                    format!("{n} of {present} released dates keep the month or day (only the year is allowed)"),
                )
            }
        };
        if count > 0 {
            out.push(SafeHarborWarning {
                column: col.name.clone(),
                kind: kind.to_string(),
                reason,
                values: count,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::finer_than_year;

    #[test]
    fn dates_finer_than_a_year() {
        for v in [
            "2020-03-14",
            "2020-03",
            "03/14/2020",
            "2020年3月",
            "2020-03-14T10:00",
        ] {
            assert!(finer_than_year(v), "{v}");
        }
        for v in ["2020", "2020-2029", "*", "", "1990s"] {
            assert!(!finer_than_year(v), "{v}");
        }
    }
}
