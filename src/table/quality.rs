//! Data quality: what looks wrong in a loaded table, said and never changed. Each finding is a
//! flag `{code, ...params, message}` on a column of the profile (or on the whole table), with
//! the recipe step that would fix it when one exists (`fix`). Nothing here edits the table: the
//! user decides, and a fix is an ordinary recipe step, audited like any other.
//!
//! Flags: `read_as_text` (digit codes such as ZIPs, ICD codes, phone numbers read as text, not
//! numbers), `looks_like_code` (a numeric column of fixed-width integers), `coerced` (cells the
//! reader read as missing), `spellings` (one category written several ways), `structural_missing`
//! (missing exactly when another column has a given value), `impossible` (negative ages, BMI 0),
//! `unit_mix` (heights in m and cm, weights in lb and kg), `constant_within_patient`; on the
//! table: `duplicates` (exact and near) and `repeated_patients`.
//!
//! Every English sentence is built in one small function from named parameters (`*_message`).

use super::csv::{normalize_header, Repair};
use super::values::{is_code_header, is_code_with_leading_zero, is_dashed_code};
use super::vocabulary::header_kind;
use super::{format_number, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One finding: a stable `code`, its parameters, the English sentence and the recipe step that
/// fixes it (`{"section": "features" | "privacy" | "columns", "step": {...}}`), if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityFlag {
    pub code: String,
    #[serde(flatten)]
    pub params: Map<String, Value>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Value>,
    /// The message as a code (leakage checks: also a warning of the run, in `warning_codes`).
    #[serde(skip)]
    pub coded: Option<crate::message::Message>,
}

impl QualityFlag {
    fn new(code: &str, params: Value, message: String) -> QualityFlag {
        QualityFlag {
            code: code.into(),
            params: match params {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            message,
            fix: None,
            coded: None,
        }
    }
    fn with_fix(mut self, section: &str, step: Value) -> QualityFlag {
        self.fix = Some(json!({"section": section, "step": step}));
        self
    }
}

/// The table-level summary of the profile: flags about the whole table and how many column
/// flags there are in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QualitySummary {
    /// Column flags in all (over every column).
    pub column_flags: usize,
    /// Flags about the whole table (`duplicates`, `repeated_patients`).
    pub table: Vec<QualityFlag>,
}

/// Structural missingness is said when a column is missing in at least this share of the rows
/// where another column has a given value.
pub const STRUCTURAL_SHARE: f64 = 0.99;

// ---------------------------------------------------------------------------------------------
// English sentences, one function each.

pub fn read_as_text_message(reason: &str, count: usize) -> String {
    match reason {
        "header" => "its header names a code (ZIP/postcode, ICD): read as text (categories), not as a number".into(),
        "leading_zeros" => format!("{count} value(s) are digit codes with a leading zero: read as text (categories) so that no zero is lost; it is not a quantity"),
        _ => format!("{count} value(s) are digit groups joined by dashes (ZIP+4, phone or record numbers): read as text (categories), not as a number"),
    }
}

pub fn looks_like_code_message(width: usize) -> String {
    format!("every value is a whole number of {width} digits: if this is a code (record number, postcode), it is not a quantity; set its role to identifier or ignore")
}

pub fn coerced_message(count: usize, reason: &str) -> String {
    format!("{count} cell(s) read as missing by the reader: {reason}")
}

pub fn spellings_message(groups: &[(String, Vec<String>)]) -> String {
    let parts: Vec<String> = groups
        .iter()
        .map(|(to, from)| format!("{} → {to}", from.join(", ")))
        .collect();
    format!(
        "one category written several ways ({}); a recode step maps them to one spelling",
        parts.join("; ")
    )
}

pub fn structural_missing_message(
    column: &str,
    when_column: &str,
    when_value: &str,
    missing_when: usize,
    rows_when: usize,
) -> String {
    format!("missing in {missing_when} of {rows_when} rows where '{when_column}' is '{when_value}': not missing at random (likely not applicable); a missing indicator keeps this information, median imputation of '{column}' would invent values")
}

pub fn impossible_message(count: usize, what: &str) -> String {
    format!("{count} impossible value(s) ({what}); flagged, not changed: correct the file or make them missing")
}

pub fn unit_mix_message(kind: &str, low: usize, high: usize) -> String {
    match kind {
        "height_m_cm" => format!("heights in two units: {low} value(s) look like metres, {high} like centimetres"),
        _ => format!("values about twice apart in one column: {low} low and {high} high, the signature of pounds mixed with kilograms"),
    }
}

pub fn constant_within_patient_message(patient: &str) -> String {
    format!("the same value in every row of each patient ('{patient}'): a patient attribute repeated on every record")
}

pub fn duplicates_message(exact: usize, near: usize, rows: usize) -> String {
    format!("{exact} exact duplicate record(s) and {near} near-duplicate(s) (identical on every column but identifiers) among {rows}: duplicates split between training and test rows make scores optimistic")
}

pub fn repeated_patients_message(column: &str, patients: usize, rows: usize) -> String {
    format!("{patients} patient(s) in '{column}' have several records ({rows} rows): evaluate with group_kfold on '{column}' so one patient is never in both training and test rows")
}

// ---------------------------------------------------------------------------------------------

/// The flags of every column of `table` (in column order), reader repairs included, and the
/// table-level summary.
pub fn assess(table: &Table, repairs: &[Repair]) -> (Vec<Vec<QualityFlag>>, QualitySummary) {
    let mut flags: Vec<Vec<QualityFlag>> = table
        .columns
        .iter()
        .map(|c| {
            let mut f = Vec::new();
            f.extend(read_as_text(&c.name, c.ctype, &c.values));
            if let Values::Num(v) = &c.values {
                f.extend(looks_like_code(v));
                f.extend(impossible(&c.name, v));
                f.extend(unit_mix(&c.name, v));
            }
            if c.ctype == ColumnType::Categorical {
                f.extend(spellings(&c.name, &c.values));
            }
            f.extend(repairs.iter().filter(|r| r.column == c.name).map(coerced));
            f
        })
        .collect();
    for (i, f) in structural_missing(table) {
        flags[i].push(f);
    }
    let mut summary = QualitySummary::default();
    summary.table.extend(duplicates(table));
    if let Some((patient, f, constant)) = repeated_patients(table) {
        summary.table.push(f);
        for i in constant {
            flags[i].push(QualityFlag::new(
                "constant_within_patient",
                json!({"patient_column": patient}),
                constant_within_patient_message(&patient),
            ));
        }
    }
    summary.column_flags = flags.iter().map(Vec::len).sum();
    (flags, summary)
}

/// A text column whose values are digit codes (or whose header names one).
fn read_as_text(name: &str, ctype: ColumnType, values: &Values) -> Option<QualityFlag> {
    let Values::Str(v) = values else { return None };
    if !matches!(ctype, ColumnType::Categorical | ColumnType::Identifier) {
        return None;
    }
    let present: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
    let zeros = present
        .iter()
        .filter(|s| is_code_with_leading_zero(s))
        .count();
    let dashes = present.iter().filter(|s| is_dashed_code(s)).count();
    let digits = present
        .iter()
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        .count();
    // Mostly digits: a code column, not a text column with a stray number.
    if present.is_empty() || (digits as f64) < 0.9 * present.len() as f64 {
        return None;
    }
    let (reason, count) = if dashes > 0 {
        ("dashes", dashes)
    } else if zeros > 0 {
        ("leading_zeros", zeros)
    } else if is_code_header(name) {
        ("header", present.len())
    } else {
        return None;
    };
    Some(QualityFlag::new(
        "read_as_text",
        json!({"reason": reason, "count": count}),
        read_as_text_message(reason, count),
    ))
}

/// A numeric column of whole numbers all written with the same number (≥ 5) of digits.
fn looks_like_code(v: &[f64]) -> Option<QualityFlag> {
    let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if present.len() < 20 {
        return None;
    }
    let width = |x: f64| format_number(x).len();
    let w = width(present[0]);
    let fixed = present
        .iter()
        .all(|&x| x >= 0.0 && x.fract() == 0.0 && width(x) == w);
    // The distinct count only for a fixed-width column (a hash set of a million measurements
    // costs more than the rest of the check).
    let distinct = || {
        present
            .iter()
            .map(|x| x.to_bits())
            .collect::<HashSet<u64>>()
            .len()
    };
    (fixed && w >= 5 && distinct() * 2 >= present.len()).then(|| {
        QualityFlag::new(
            "looks_like_code",
            json!({"width": w}),
            looks_like_code_message(w),
        )
    })
}

fn coerced(r: &Repair) -> QualityFlag {
    QualityFlag::new(
        "coerced",
        json!({"count": r.count, "lines": r.lines, "reason": r.message}),
        coerced_message(r.count, &r.message),
    )
}

/// The spelling key of a category: trimmed, inner spaces collapsed, lower case, and the usual
/// synonyms of sex and yes/no merged.
pub fn spelling_key(s: &str) -> String {
    let k = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let syn = match k.as_str() {
        "f" | "female" | "woman" | "women" | "女" | "女性" => "female",
        "m" | "male" | "man" | "men" | "男" | "男性" => "male",
        "y" | "yes" | "true" | "t" | "是" | "有" => "yes",
        "n" | "no" | "false" | "是否" | "否" | "无" => "no",
        _ => return k,
    };
    syn.to_string()
}

/// Categories that differ only by case, spaces or a usual synonym (F / female / Female).
/// The proposed spelling of each group is its most frequent one (ties: the longer, then first
/// in order); `fix` is a `recode` feature step with the map.
fn spellings(name: &str, values: &Values) -> Option<QualityFlag> {
    let Values::Str(v) = values else { return None };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in v.iter().flatten() {
        *counts.entry(s.as_str()).or_default() += 1;
    }
    let mut groups: BTreeMap<String, Vec<(&str, usize)>> = BTreeMap::new();
    for (&s, &n) in &counts {
        groups.entry(spelling_key(s)).or_default().push((s, n));
    }
    let mut map = BTreeMap::new();
    let mut shown = Vec::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let to = members
            .iter()
            .max_by(|a, b| {
                a.1.cmp(&b.1)
                    .then(a.0.len().cmp(&b.0.len()))
                    .then(b.0.cmp(a.0))
            })
            .map(|m| m.0)?;
        let from: Vec<String> = members
            .iter()
            .filter(|m| m.0 != to)
            .map(|m| m.0.to_string())
            .collect();
        for f in &from {
            map.insert(f.clone(), to.to_string());
        }
        shown.push((to.to_string(), from));
    }
    if map.is_empty() {
        return None;
    }
    let groups_json: Vec<Value> = shown
        .iter()
        .map(|(to, from)| json!({"to": to, "from": from}))
        .collect();
    Some(
        QualityFlag::new(
            "spellings",
            json!({"groups": groups_json, "map": map}),
            spellings_message(&shown),
        )
        .with_fix(
            "features",
            json!({"op": "recode", "column": name, "map": map}),
        ),
    )
}

/// What the header says the column measures, for the plausibility checks.
fn measure(name: &str) -> Option<&'static str> {
    let h = normalize_header(name);
    if header_kind(name).is_some_and(|(k, _)| k == "age") || h == "ageatadmission" {
        Some("age")
    } else if h.starts_with("bmi") || h == "bodymassindex" {
        Some("bmi")
    } else if h.starts_with("height") || h == "ht" || h == "身高" {
        Some("height")
    } else if h.starts_with("weight") || h == "wt" || h == "bodyweight" || h == "体重" {
        Some("weight")
    } else {
        None
    }
}

/// Negative ages, ages over 120, BMI ≤ 0 or over 100, heights and weights ≤ 0.
fn impossible(name: &str, v: &[f64]) -> Option<QualityFlag> {
    let (what, bad): (&str, fn(f64) -> bool) = match measure(name)? {
        "age" => ("age below 0 or above 120", |x| !(0.0..=120.0).contains(&x)),
        "bmi" => ("BMI at or below 0 or above 100", |x| x <= 0.0 || x > 100.0),
        "height" => ("height at or below 0", |x| x <= 0.0),
        _ => ("weight at or below 0", |x| x <= 0.0),
    };
    let rows: Vec<usize> = (0..v.len())
        .filter(|&r| !v[r].is_nan() && bad(v[r]))
        .collect();
    let values: Vec<f64> = rows.iter().take(5).map(|&r| v[r]).collect();
    (!rows.is_empty()).then(|| {
        QualityFlag::new(
            "impossible",
            json!({"count": rows.len(), "rule": what, "examples": values}),
            impossible_message(rows.len(), what),
        )
    })
}

/// Heights written in metres and centimetres, weights in pounds and kilograms (values about
/// 2.2 times apart: more than 5% of them beyond 1.8 times, or below 1/1.8 of, the median).
fn unit_mix(name: &str, v: &[f64]) -> Option<QualityFlag> {
    let kind = measure(name)?;
    let mut present: Vec<f64> = v
        .iter()
        .copied()
        .filter(|x| !x.is_nan() && *x > 0.0)
        .collect();
    if present.len() < 10 {
        return None;
    }
    let (low, high, code) = match kind {
        "height" => {
            let m = present.iter().filter(|&&x| x < 3.0).count();
            let cm = present.iter().filter(|&&x| x >= 30.0).count();
            (m, cm, "height_m_cm")
        }
        "weight" => {
            present.sort_by(f64::total_cmp);
            let median = present[present.len() / 2];
            let low = present.iter().filter(|&&x| x < median / 1.8).count();
            let high = present.iter().filter(|&&x| x > median * 1.8).count();
            if ((low + high) as f64) < 0.05 * present.len() as f64 {
                return None;
            }
            (low, high, "weight_lb_kg")
        }
        _ => return None,
    };
    (low > 0 && high > 0 || code == "weight_lb_kg").then(|| {
        QualityFlag::new(
            "unit_mix",
            json!({"kind": code, "low": low, "high": high}),
            unit_mix_message(code, low, high),
        )
    })
}

/// Group ids per row and the shown spelling of each group.
type Groups = (Vec<Option<u32>>, Vec<String>);

/// Small-cardinality columns as group ids per row (spelling keys merged), with the most frequent
/// spelling of each group; `None` for wide or text columns.
fn groups_of(values: &Values) -> Option<Groups> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut spell: Vec<HashMap<String, usize>> = Vec::new();
    let mut out = Vec::with_capacity(values.len());
    for r in 0..values.len() {
        let Some(t) = values.text(r) else {
            out.push(None);
            continue;
        };
        let key = spelling_key(&t);
        let next = ids.len() as u32;
        let id = *ids.entry(key).or_insert(next);
        if id == next {
            spell.push(HashMap::new());
            if spell.len() > 12 {
                return None;
            }
        }
        *spell[id as usize].entry(t).or_default() += 1;
        out.push(Some(id));
    }
    let names = spell
        .into_iter()
        .map(|m| {
            m.into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|x| x.0)
                .unwrap_or_default()
        })
        .collect();
    Some((out, names))
}

/// Columns missing (in ≥ 99% of the rows) exactly where another column has a given value, and
/// mostly present elsewhere: `npreg` for every male. Returns (column index, flag).
pub fn structural_missing(table: &Table) -> Vec<(usize, QualityFlag)> {
    let rows = table.rows();
    let grouped: Vec<Option<Groups>> = table
        .columns
        .iter()
        .map(|c| match c.ctype {
            ColumnType::Categorical | ColumnType::Numeric => groups_of(&c.values),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (a, col) in table.columns.iter().enumerate() {
        let missing: Vec<bool> = (0..rows).map(|r| col.values.is_missing(r)).collect();
        let m = missing.iter().filter(|&&x| x).count();
        if m < 5 || m == rows {
            continue;
        }
        // (rows explained, column, value, missing where, rows where)
        let mut best: Option<(usize, usize, String, usize, usize)> = None;
        for (b, g) in grouped.iter().enumerate() {
            let Some((ids, names)) = g else { continue };
            if b == a {
                continue;
            }
            let mut n = vec![0usize; names.len()];
            let mut miss = vec![0usize; names.len()];
            for r in 0..rows {
                if let Some(id) = ids[r] {
                    n[id as usize] += 1;
                    miss[id as usize] += missing[r] as usize;
                }
            }
            for id in 0..names.len() {
                let (nv, mv) = (n[id], miss[id]);
                let present_elsewhere = (rows - nv) - (m - mv);
                let structural = nv >= 5
                    && mv as f64 >= STRUCTURAL_SHARE * nv as f64
                    && nv < rows
                    // mostly present where the other column has another value
                    && present_elsewhere as f64 >= 0.5 * (rows - nv) as f64
                    // and the value explains most of the column's missing cells
                    && mv as f64 >= 0.5 * m as f64;
                if structural && best.as_ref().is_none_or(|x| mv > x.0) {
                    best = Some((mv, b, names[id].clone(), mv, nv));
                }
            }
        }
        if let Some((_, b, value, mv, nv)) = best {
            let when = &table.columns[b].name;
            let f = QualityFlag::new(
                "structural_missing",
                json!({"when_column": when, "when_value": value, "missing_when": mv, "rows_when": nv}),
                structural_missing_message(&col.name, when, &value, mv, nv),
            )
            .with_fix(
                "features",
                json!({"op": "missing_indicator", "columns": [col.name]}),
            );
            out.push((a, f));
        }
    }
    out
}

/// Columns that take part in "identical but for identifiers": not identifiers, not free text.
fn clinical(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .filter(|&i| {
            let c = &table.columns[i];
            !matches!(c.ctype, ColumnType::Identifier | ColumnType::Text)
                && !super::values::is_identifier_header(&c.name)
        })
        .collect()
}

/// A 64-bit hash of every row over `cols` (missing cells included as such), column by column:
/// each cell's word is mixed into its row's state (rotate, xor, multiply by an odd constant:
/// for a given state a bijection of the word), then the state is finished with splitmix64's
/// avalanche. Far cheaper than SipHash per cell on a million rows; two different rows share a
/// hash with a chance of about n² / 2⁶⁵ (3·10⁻⁸ for a million rows).
fn row_hashes(table: &Table, cols: &[usize]) -> Vec<u64> {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    // Not the bits of any number (a NaN pattern no arithmetic produces here).
    const MISSING: u64 = 0x7ff8_dead_beef_0001;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = vec![0x9e37_79b9_7f4a_7c15_u64; table.rows()];
    for &i in cols {
        match &table.columns[i].values {
            Values::Num(v) => {
                for (h, &x) in h.iter_mut().zip(v.iter()) {
                    let w = if x.is_nan() {
                        MISSING
                    } else {
                        (x + 0.0).to_bits()
                    };
                    *h = mix(*h, w);
                }
            }
            Values::Str(v) => {
                for (h, s) in h.iter_mut().zip(v.iter()) {
                    *h = match s {
                        None => mix(*h, MISSING),
                        Some(s) => {
                            let mut g = mix(*h, s.len() as u64);
                            for chunk in s.as_bytes().chunks(8) {
                                let mut word = [0u8; 8];
                                word[..chunk.len()].copy_from_slice(chunk);
                                g = mix(g, u64::from_le_bytes(word));
                            }
                            g
                        }
                    };
                }
            }
        }
    }
    for h in h.iter_mut() {
        let mut z = *h;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        *h = z ^ (z >> 31);
    }
    h
}

/// Rows equal (by hash over `cols`) to an earlier row.
pub fn duplicate_rows(table: &Table, cols: &[usize]) -> usize {
    let mut h = row_hashes(table, cols);
    h.sort_unstable();
    h.dedup();
    table.rows() - h.len()
}

/// Could the columns hold many more combinations than there are rows (ten times), so that
/// repeated rows are unlikely by chance? (Three yes/no columns repeat by necessity.)
pub fn duplicates_unlikely(table: &Table, cols: &[usize]) -> bool {
    let mut space = 1f64;
    for &i in cols {
        let c = &table.columns[i];
        let distinct: HashSet<Option<String>> = (0..table.rows())
            .map(|r| c.values.text(r))
            .take(100_000)
            .collect();
        space *= distinct.len().max(1) as f64;
        if space >= 10.0 * table.rows() as f64 {
            return true;
        }
    }
    false
}

/// Exact duplicates (every column) and near duplicates (every clinical column), with the fix:
/// a `deduplicate` privacy step over the clinical columns.
fn duplicates(table: &Table) -> Option<QualityFlag> {
    let all: Vec<usize> = (0..table.columns.len()).collect();
    // Records of a few yes/no columns repeat by necessity: exact copies are said only when the
    // columns could hold many more combinations than rows.
    let unlikely = duplicates_unlikely(table, &all);
    let exact = if unlikely {
        duplicate_rows(table, &all)
    } else {
        0
    };
    let cols = clinical(table);
    let near_all = if cols.is_empty() {
        0
    } else if cols == all && unlikely {
        exact // the same columns, counted above
    } else {
        duplicate_rows(table, &cols)
    };
    // Near duplicates by chance happen (a birthday paradox over few columns): said from 1% of
    // the rows (and 3), when the columns could hold many more combinations than rows.
    let near = near_all - exact;
    let chance =
        (near as f64) < (0.01 * table.rows() as f64).max(3.0) || !duplicates_unlikely(table, &cols);
    let near = if chance && exact == 0 { 0 } else { near };
    if exact + near == 0 {
        return None;
    }
    let names: Vec<&str> = cols
        .iter()
        .map(|&i| table.columns[i].name.as_str())
        .collect();
    let ignored: Vec<&str> = all
        .iter()
        .filter(|i| !cols.contains(i))
        .map(|&i| table.columns[i].name.as_str())
        .collect();
    Some(
        QualityFlag::new(
            "duplicates",
            json!({"exact": exact, "near": near, "rows": table.rows(), "ignored_columns": ignored}),
            duplicates_message(exact, near, table.rows()),
        )
        .with_fix("privacy", json!({"op": "deduplicate", "columns": names})),
    )
}

/// The patient column: the first column whose header names a record number or patient id.
pub fn patient_column(table: &Table) -> Option<usize> {
    table.columns.iter().position(|c| {
        let kind = header_kind(&c.name).map(|(k, _)| k);
        // A patient's name is not a patient key: different people share names.
        kind == Some("mrn")
            || normalize_header(&c.name).contains("patient")
                && kind != Some("name")
                && !matches!(c.ctype, ColumnType::Numeric | ColumnType::Date)
    })
}

/// Patients with several records: the table flag (with the group_kfold fix) and the columns
/// constant within every repeated patient (at least 5 of them).
fn repeated_patients(table: &Table) -> Option<(String, QualityFlag, Vec<usize>)> {
    let p = patient_column(table)?;
    let pc = &table.columns[p];
    let mut by: HashMap<String, Vec<usize>> = HashMap::new();
    for r in 0..table.rows() {
        if let Some(t) = pc.values.text(r) {
            by.entry(t).or_default().push(r);
        }
    }
    let repeated: Vec<&Vec<usize>> = by.values().filter(|rs| rs.len() > 1).collect();
    if repeated.is_empty() {
        return None;
    }
    let rows: usize = repeated.iter().map(|rs| rs.len()).sum();
    let name = pc.name.clone();
    let flag = QualityFlag::new(
        "repeated_patients",
        json!({"column": name, "patients": repeated.len(), "rows": rows}),
        repeated_patients_message(&name, repeated.len(), rows),
    )
    .with_fix(
        "evaluation",
        json!({"method": "group_kfold", "group": name, "folds": 5}),
    );
    let mut constant = Vec::new();
    if repeated.len() >= 5 {
        for (i, c) in table.columns.iter().enumerate() {
            if i == p || c.ctype == ColumnType::Identifier {
                continue;
            }
            let same = repeated.iter().all(|rs| {
                let first = c.values.text(rs[0]);
                rs.iter().all(|&r| c.values.text(r) == first)
            });
            let varies = (1..table.rows()).any(|r| c.values.text(r) != c.values.text(0));
            if same && varies {
                constant.push(i);
            }
        }
    }
    Some((name, flag, constant))
}
