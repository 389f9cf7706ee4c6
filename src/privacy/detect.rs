//! Identifier detection: per column a verdict (direct identifier, quasi-identifier, sensitive,
//! ordinary) with a confidence and the reasons, from the header, value patterns and uniqueness.
//!
//! Covers HIPAA Safe Harbor's identifier kinds that are detectable from data (names, street /
//! city / ZIP, dates tied to a person, phone, fax, email, SSN, medical record numbers, account /
//! plan / licence numbers, vehicle and device identifiers, URLs, IP addresses, ages over 89) and
//! China's equivalents (18-digit resident identity numbers with their ISO 7064 MOD 11-2 check
//! digit and the birth date and sex they encode, mobile numbers `1[3-9]` + 9 digits, Chinese
//! headers such as 姓名, 身份证号, 电话/手机, 住址/地址, 病历号, 出生日期).
//!
//! Value patterns are deliberately strict (formatting, lengths, check digits), so ordinary
//! clinical numbers (glucose 142, blood pressure 120/80, weight 71.5) never match.
//!
//! ```
//! use bedside::privacy::detect::{cn_resident_id, is_cn_mobile};
//! let id = cn_resident_id("11010519491231002X").unwrap();
//! assert_eq!((id.birth, id.female), ((1949, 12, 31), true));
//! assert!(cn_resident_id("110105194912310021").is_none()); // wrong check digit
//! assert!(is_cn_mobile("13812345678") && !is_cn_mobile("12812345678"));
//! ```

pub use super::patterns::*;
use crate::table::csv::{normalize_header, parse_number};
use crate::table::vocabulary::PERSON_DATE_WORDS;
pub use crate::table::vocabulary::{header_kind, Verdict};
use crate::table::{Column, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One reason behind a verdict: a code the page translates, the identifier kind, and the share
/// of values that matched (for value and uniqueness reasons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// `header`, `values`, `unique`, `age_over_89`, `encodes_birth_sex`, `text_identifiers`, `type`.
    pub code: String,
    pub kind: String,
    pub share: Option<f64>,
    /// The same in English.
    pub text: String,
}

/// The detection result for one column (`detection` in the profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub verdict: Verdict,
    /// The identifier kind (`name`, `ssn`, `phone`, `cn_resident_id`, `zip`, `birth_date`...), if any.
    pub kind: Option<String>,
    /// 0..1.
    pub confidence: f64,
    pub reasons: Vec<Reason>,
}

fn reason(code: &str, kind: &str, share: Option<f64>, text: String) -> Reason {
    Reason {
        code: code.into(),
        kind: kind.into(),
        share,
        text,
    }
}

/// Whether a header names a ZIP or postal code, also inside a longer header (`home_zip`,
/// `zip5`, `patient_postal_code`, 邮编).
pub fn zip_header(name: &str) -> bool {
    let h = normalize_header(name);
    header_kind(name).is_some_and(|(k, _)| k == "zip")
        || ["zip", "postal", "postcode", "邮编", "邮政编码"]
            .iter()
            .any(|w| h.contains(w))
}

/// Whether a header names a place below the country (city, town, county, region, state,
/// province): such a column is a quasi-identifier, whatever its number of distinct values.
pub fn location_header(name: &str) -> bool {
    let h = normalize_header(name);
    header_kind(name).is_some_and(|(k, _)| k == "city" || k == "zip")
        || [
            "city", "town", "county", "district", "region", "province", "state", "suburb",
            "village", "municipal", "城市", "省", "市", "区", "县",
        ]
        .iter()
        .any(|w| h.contains(w))
        // "state" inside words that are not places (statement, status).
        && !["statement", "status", "estate"].iter().any(|w| h.contains(w))
}

/// Detects every column of a table.
pub fn detect_table(table: &Table) -> Vec<Detection> {
    let direct: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| c.ctype != ColumnType::Text)
        .filter(|c| {
            header_kind(&c.name).is_some_and(|(_, v)| v == Verdict::DirectIdentifier)
                || c.ctype == ColumnType::Identifier
        })
        .collect();
    table
        .columns
        .iter()
        .map(|c| detect_column(c, &direct))
        .collect()
}

/// What detection needs of a column's values, computed without turning every number into text
/// (a million-row numeric column is profiled from its numbers; only the pattern sample is text).
struct ValueStats {
    /// Values present (not missing).
    present: usize,
    /// Distinct present values (for numbers: exact only when all are distinct, which is all
    /// detection asks of them).
    distinct: usize,
    /// The first present values as text (at most 5,000), for the value patterns.
    sample: Vec<String>,
    /// Values that are ratios of two numbers, such as blood pressure "120/80".
    ratios: usize,
    /// Every present value is a whole number.
    all_integers: bool,
    /// Characters over all present values (text columns).
    chars: usize,
}

impl ValueStats {
    const SAMPLE: usize = 5000;

    fn of(col: &Column) -> ValueStats {
        match &col.values {
            Values::Num(v) => {
                let present = v.iter().filter(|x| !x.is_nan()).count();
                let sample = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .take(Self::SAMPLE)
                    .map(|&x| crate::table::format_number(x))
                    .collect();
                let all_integers = v.iter().all(|x| x.is_nan() || x.fract() == 0.0);
                // Only whole numbers can be record codes: only then is "all distinct" asked, and
                // the first repeat answers it (-0 and 0 read the same).
                let distinct = if all_integers && present > 0 {
                    let mut seen = HashSet::with_capacity(present.min(1 << 16));
                    let repeat = v
                        .iter()
                        .filter(|x| !x.is_nan())
                        .any(|&x| !seen.insert((x + 0.0).to_bits()));
                    if repeat {
                        seen.len()
                    } else {
                        present
                    }
                } else {
                    0
                };
                ValueStats {
                    present,
                    distinct,
                    sample,
                    ratios: 0,
                    all_integers,
                    chars: 0,
                }
            }
            Values::Str(v) => {
                let present: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
                let ratio = |s: &str| {
                    let p: Vec<&str> = s.split('/').collect();
                    p.len() == 2 && p.iter().all(|x| parse_number(x).is_some())
                };
                let distinct: HashSet<&str> = present.iter().copied().collect();
                ValueStats {
                    present: present.len(),
                    distinct: distinct.len(),
                    sample: present
                        .iter()
                        .take(Self::SAMPLE)
                        .map(|s| s.to_string())
                        .collect(),
                    ratios: present.iter().filter(|s| ratio(s)).count(),
                    all_integers: present
                        .iter()
                        .all(|s| parse_number(s).is_some_and(|x| x.fract() == 0.0)),
                    chars: present.iter().map(|s| s.chars().count()).sum(),
                }
            }
        }
    }
}

/// Detects one column; `identifier_columns` are the table's direct identifiers (for notes that
/// repeat their values).
pub fn detect_column(col: &Column, identifier_columns: &[&Column]) -> Detection {
    let n = col.values.len();
    let stats = ValueStats::of(col);
    let mut reasons = Vec::new();
    let mut verdict = Verdict::Ordinary;
    let mut kind: Option<String> = None;
    let mut confidence: f64 = 0.5;
    let raise = |v: Verdict,
                 k: &str,
                 c: f64,
                 verdict: &mut Verdict,
                 kind: &mut Option<String>,
                 confidence: &mut f64| {
        let rank = |v: Verdict| match v {
            Verdict::DirectIdentifier => 3,
            Verdict::QuasiIdentifier => 2,
            Verdict::Sensitive => 1,
            Verdict::Ordinary => 0,
        };
        if rank(v) > rank(*verdict) || (rank(v) == rank(*verdict) && c > *confidence) {
            *verdict = v;
            *kind = Some(k.to_string());
            *confidence = c;
        } else if rank(v) == rank(*verdict) {
            *confidence = confidence.max(c);
        }
    };

    // Header.
    let header = header_kind(&col.name);
    if let Some((k, v)) = header {
        reasons.push(reason(
            "header",
            k,
            None,
            format!(
                "the header '{}' names a {} column",
                col.name,
                k.replace('_', " ")
            ),
        ));
        raise(v, k, 0.9, &mut verdict, &mut kind, &mut confidence);
    }
    let h = normalize_header(&col.name);
    if col.ctype == ColumnType::Date && header.is_none() {
        if PERSON_DATE_WORDS.iter().any(|w| h.contains(w)) {
            reasons.push(reason(
                "header",
                "person_date",
                None,
                format!(
                    "'{}' is a date tied to a person (HIPAA Safe Harbor keeps only the year)",
                    col.name
                ),
            ));
            raise(
                Verdict::QuasiIdentifier,
                "person_date",
                0.85,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        } else {
            reasons.push(reason(
                "type",
                "person_date",
                None,
                "a date column: dates tied to a person are quasi-identifiers".into(),
            ));
            raise(
                Verdict::QuasiIdentifier,
                "person_date",
                0.6,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        }
    }

    // Value patterns (numbers only match as 11-digit mobiles or 18-digit IDs).
    if col.ctype != ColumnType::Text && stats.present > 0 {
        let sample = &stats.sample;
        let kinds: Vec<Option<&str>> = sample.iter().map(|v| value_kind(v)).collect();
        for k in VALUE_KINDS {
            let hits = kinds.iter().filter(|v| **v == Some(*k)).count();
            let share = hits as f64 / sample.len() as f64;
            if share >= 0.6 {
                reasons.push(reason(
                    "values",
                    k,
                    Some(share),
                    format!(
                        "{:.0}% of the values look like {}",
                        share * 100.0,
                        k.replace('_', " ")
                    ),
                ));
                raise(
                    Verdict::DirectIdentifier,
                    k,
                    0.6 + 0.39 * share,
                    &mut verdict,
                    &mut kind,
                    &mut confidence,
                );
                if *k == "cn_resident_id" {
                    reasons.push(reason(
                        "encodes_birth_sex",
                        k,
                        None,
                        "resident identity numbers encode the date of birth and the sex".into(),
                    ));
                }
                break;
            }
        }
    }

    // ZIP codes read as numbers (02139 → 2139) and places named in a longer header.
    if verdict == Verdict::Ordinary && col.ctype != ColumnType::Text {
        let zip_number = match &col.values {
            Values::Num(v) => {
                let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                crate::privacy::ladder::zip_digits(&col.name, &present).is_some()
            }
            _ => false,
        };
        let place = zip_number || (col.ctype != ColumnType::Numeric && location_header(&col.name));
        if place {
            let k = if zip_number || zip_header(&col.name) {
                "zip"
            } else {
                "city"
            };
            reasons.push(reason(
                "header",
                k,
                None,
                format!(
                    "the header '{}' names a place ({}): a quasi-identifier",
                    col.name,
                    k.replace('_', " ")
                ),
            ));
            raise(
                Verdict::QuasiIdentifier,
                k,
                0.8,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        }
    }

    // Ages over 89 (Safe Harbor: aggregate into 90+).
    if header.is_some_and(|(k, _)| k == "age") {
        if let Values::Num(v) = &col.values {
            let over = v.iter().filter(|&&x| x > 89.0).count();
            if over > 0 {
                reasons.push(reason(
                    "age_over_89",
                    "age",
                    Some(over as f64 / n.max(1) as f64),
                    format!("{over} value(s) above 89 (HIPAA Safe Harbor: code as 90+)"),
                ));
            }
        }
    }

    // Uniqueness.
    let share_unique = if stats.present == 0 {
        0.0
    } else {
        stats.distinct as f64 / stats.present as f64
    };
    let measurements = stats.present > 0 && stats.ratios * 10 >= stats.present * 9;
    // A header naming a ZIP or postal code says what the column is even when every value in a
    // small file differs (ZIP codes are read as text, so they reach here as categories): a
    // place, generalized by its prefix, not a record number.
    let zip = zip_header(&col.name);
    let unique_id = !measurements
        && !zip
        && match col.ctype {
            ColumnType::Numeric => {
                // Integer codes, every one different, in a table large enough for that to mean something.
                stats.present >= 50 && share_unique == 1.0 && stats.all_integers
            }
            ColumnType::Categorical | ColumnType::Identifier => {
                stats.present >= 20 && share_unique >= 0.95 && stats.chars >= 3 * stats.present
            }
            _ => false,
        };
    if unique_id {
        reasons.push(reason(
            "unique",
            "record_id",
            Some(share_unique),
            format!(
                "{:.0}% of the values are distinct: a value singles out one record",
                share_unique * 100.0
            ),
        ));
        raise(
            Verdict::DirectIdentifier,
            "record_id",
            0.7,
            &mut verdict,
            &mut kind,
            &mut confidence,
        );
    } else if col.ctype == ColumnType::Identifier
        && verdict != Verdict::DirectIdentifier
        && !measurements
        && !zip
    {
        reasons.push(reason(
            "type",
            "record_id",
            None,
            "inferred as an identifier column when reading the file".into(),
        ));
        raise(
            Verdict::DirectIdentifier,
            "record_id",
            0.65,
            &mut verdict,
            &mut kind,
            &mut confidence,
        );
    }

    // Free text: identifiers inside notes.
    if col.ctype == ColumnType::Text {
        let mut rows_with = 0;
        let mut kinds: Vec<&'static str> = Vec::new();
        for r in 0..n {
            let Some(t) = col.values.text(r) else {
                continue;
            };
            let same_row: Vec<String> = identifier_columns
                .iter()
                .filter_map(|c| c.values.text(r))
                .collect();
            let found = super::text::find(&t, &same_row, None);
            if !found.is_empty() {
                rows_with += 1;
                for f in found {
                    if !kinds.contains(&f.kind) {
                        kinds.push(f.kind);
                    }
                }
            }
        }
        let share = rows_with as f64 / stats.present.max(1) as f64;
        if rows_with > 0 {
            kinds.sort_unstable();
            reasons.push(reason(
                "text_identifiers",
                &kinds.join(","),
                Some(share),
                format!(
                    "{rows_with} note(s) contain identifiers ({})",
                    kinds.join(", ")
                ),
            ));
            raise(
                Verdict::DirectIdentifier,
                "free_text",
                0.6 + 0.39 * share,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        } else {
            reasons.push(reason(
                "type",
                "free_text",
                None,
                "free text may name patients; no identifier pattern found".into(),
            ));
            raise(
                Verdict::QuasiIdentifier,
                "free_text",
                0.5,
                &mut verdict,
                &mut kind,
                &mut confidence,
            );
        }
    }

    if verdict == Verdict::Ordinary {
        confidence = 0.8;
        kind = None;
    }
    Detection {
        verdict,
        kind,
        confidence: (confidence * 100.0).round() / 100.0,
        reasons,
    }
}
