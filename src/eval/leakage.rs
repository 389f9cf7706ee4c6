//! Leakage and optimism checks, run on the modelling rows before any number is computed: each
//! finding is a plain warning in the Report (`warnings` and, with its code and one-click fix,
//! `leakage`) that the page shows before the scores.
//!
//! - `duplicates`: records identical on every model input and the target (copies of one record
//!   end up on both sides of a split: 4,994 records of 532 distinct rows scored ROC-AUC 0.995);
//!   said only when the inputs could hold many more combinations than there are rows, so that
//!   repeats are not chance. Fix: a `deduplicate` privacy step.
//! - `repeated_patients`: several rows per patient (by the patient column of the input file)
//!   without `group_kfold`. Fix: `group_kfold` on that column.
//! - `near_perfect_input`: one input alone separates the classes (ROC-AUC ≥ 0.99 of its values,
//!   or of its categories' positive rates; |r| ≥ 0.99 with a numeric target), or a category
//!   holding ≥ 10% of the rows is entirely one class. Fix: drop the input (role `ignore`).
//! - `after_outcome`: an input whose name says it is recorded after the outcome (discharge,
//!   death, follow-up, length of stay). Fix: drop the input.
//! - `after_outcome_date`: with `evaluation.outcome_date` naming the date column of each
//!   record's outcome, a date input dated after it (by calendar day, compared on the input file
//!   before the privacy steps) in at least [`AFTER_OUTCOME_SHARE`] of the rows that have both
//!   dates; `outcome_date_input` when the outcome's date column is itself an input. Fix: drop
//!   the input.
//!
//! English sentences are built in one function each (`*_message`).

use crate::message::{self, Message};
use crate::models::Task;
use crate::table::csv::normalize_header as norm;
use crate::table::quality::{duplicate_rows, duplicates_unlikely, patient_column, QualityFlag};
use crate::table::{Column, ColumnType, Table, Values};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// A single input with a ROC-AUC (or |r|) at or above this predicts the target almost perfectly.
pub const NEAR_PERFECT: f64 = 0.99;

/// Duplicated modelling rows are said from this share of the rows (and at least 5 rows).
pub const DUPLICATE_SHARE: f64 = 0.01;

pub fn duplicates_message(duplicates: usize, rows: usize, distinct: usize) -> Message {
    message::leak_duplicates(duplicates, rows, distinct)
}

pub fn repeated_patients_message(column: &str, patients: usize, rows: usize) -> Message {
    message::leak_repeated_patients(column, patients, rows)
}

pub fn near_perfect_message(column: &str, measure: &str, value: f64) -> Message {
    message::leak_near_perfect(column, measure, value)
}

pub fn pure_category_message(column: &str, value: &str, rows: usize, class: &str) -> Message {
    message::leak_pure_category(column, value, rows, class)
}

pub fn after_outcome_message(column: &str, word: &str) -> Message {
    message::leak_after_outcome(column, word)
}

pub fn after_outcome_date_message(
    column: &str,
    outcome: &str,
    rows: usize,
    compared: usize,
) -> Message {
    message::leak_after_outcome_date(column, outcome, rows, compared)
}

/// A date input dated after the outcome in at least this share of the rows with both dates is
/// said (and in at least one row).
pub const AFTER_OUTCOME_SHARE: f64 = 0.01;

fn flag(code: &str, params: Value, message: Message, fix: Option<Value>) -> QualityFlag {
    QualityFlag {
        code: code.into(),
        params: match params {
            Value::Object(m) => m,
            _ => Map::new(),
        },
        message: message.to_string(),
        fix,
        coded: Some(message),
    }
}

fn drop_input(column: &str) -> Option<Value> {
    Some(json!({"section": "columns", "step": {"column": column, "role": "ignore"}}))
}

/// The modelling problem as the checks see it.
pub struct Problem<'a> {
    pub task: Task,
    /// Model inputs of the labelled rows (before feature steps).
    pub x: &'a Table,
    /// Class labels (classification) of the labelled rows.
    pub labels: &'a [bool],
    /// Target values of the labelled rows (0/1 for classification).
    pub values: &'a [f64],
    /// The two classes, negative first (empty for regression).
    pub classes: &'a [String],
    /// The target column's name.
    pub target: &'a str,
    /// For each labelled row, its row in the input file (before the privacy steps).
    pub input_rows: Vec<usize>,
    /// The group column of `group_kfold`, if the evaluation has one.
    pub group: Option<&'a str>,
    /// The date column of each record's outcome (`evaluation.outcome_date`), if given.
    pub outcome_date: Option<&'a str>,
}

/// Every check on one modelling problem. `input` is the file before the privacy steps (its
/// patient column may have been masked or dropped since); `masked` after them.
pub fn check(input: &Table, masked: &Table, p: &Problem) -> Vec<QualityFlag> {
    let mut out = Vec::new();
    out.extend(duplicates(p));
    if p.group.is_none() {
        out.extend(repeated_patients(input, masked, p));
    }
    for c in &p.x.columns {
        out.extend(after_outcome(&c.name));
        out.extend(after_outcome_date(input, c, p));
        out.extend(near_perfect(c, p));
    }
    out
}

/// Checks `evaluation.outcome_date` against the input file: it must name a date column.
pub fn check_outcome_date(input: &Table, column: &str) -> crate::error::Result<()> {
    let bad = |m: String| crate::error::Error::recipe("evaluation", Some("outcome_date"), m);
    match input.column(column) {
        None => Err(bad(format!("no such column '{column}' in the data"))),
        Some(c) if c.ctype != ColumnType::Date => Err(bad(format!(
            "column '{column}' is {}, the outcome's date needs a date column",
            c.ctype.name()
        ))),
        Some(_) => Ok(()),
    }
}

/// Days since 1970-01-01 of each cell of a date column (None: missing or not a date).
fn day_numbers(c: &Column) -> Option<Vec<Option<i64>>> {
    let Values::Str(v) = &c.values else {
        return None;
    };
    Some(
        v.iter()
            .map(|s| {
                let (y, m, d) = crate::table::csv::parse_date(s.as_deref()?)?;
                Some(crate::calendar::days_from_civil(i64::from(y), m, d))
            })
            .collect(),
    )
}

/// A date input recorded after the outcome's date (see the module's notes). Both dates are
/// read from the input file (before privacy steps that coarsen or shift dates), by row.
fn after_outcome_date(input: &Table, c: &Column, p: &Problem) -> Option<QualityFlag> {
    let outcome = p.outcome_date?;
    if c.ctype != ColumnType::Date {
        return None;
    }
    if c.name == outcome {
        return Some(flag(
            "outcome_date_input",
            json!({"column": c.name}),
            message::leak_outcome_date_input(c.name.as_str()),
            drop_input(&c.name),
        ));
    }
    let when = day_numbers(input.column(outcome)?)?;
    let dates = day_numbers(
        input
            .column(&c.name)
            .filter(|i| i.ctype == ColumnType::Date)?,
    )?;
    let (mut after, mut compared) = (0usize, 0usize);
    for &r in &p.input_rows {
        if let (Some(Some(d)), Some(Some(o))) = (dates.get(r), when.get(r)) {
            compared += 1;
            after += usize::from(d > o);
        }
    }
    if after == 0 || (after as f64) < AFTER_OUTCOME_SHARE * compared as f64 {
        return None;
    }
    Some(flag(
        "after_outcome_date",
        json!({"column": c.name, "outcome": outcome, "rows": after, "compared": compared}),
        after_outcome_date_message(&c.name, outcome, after, compared),
        drop_input(&c.name),
    ))
}

fn duplicates(p: &Problem) -> Option<QualityFlag> {
    let rows = p.x.rows();
    let mut cols: Vec<Column> = p.x.columns.clone();
    cols.push(Column {
        name: "\u{0}target".into(),
        ctype: ColumnType::Numeric,
        values: Values::num(p.values.to_vec()),
    });
    let t = Table::new(cols);
    let all: Vec<usize> = (0..t.columns.len()).collect();
    let dup = duplicate_rows(&t, &all);
    let inputs: Vec<usize> = (0..p.x.columns.len()).collect();
    if dup < 5 || (dup as f64) < DUPLICATE_SHARE * rows as f64 || !duplicates_unlikely(p.x, &inputs)
    {
        return None;
    }
    let mut columns: Vec<&str> = p.x.columns.iter().map(|c| c.name.as_str()).collect();
    columns.push(p.target);
    Some(flag(
        "duplicates",
        json!({"duplicates": dup, "rows": rows, "distinct": rows - dup}),
        duplicates_message(dup, rows, rows - dup),
        Some(json!({"section": "privacy", "step": {"op": "deduplicate", "columns": columns}})),
    ))
}

fn repeated_patients(input: &Table, masked: &Table, p: &Problem) -> Option<QualityFlag> {
    let pc = &input.columns[patient_column(input)?];
    let mut count: HashMap<String, usize> = HashMap::new();
    for &r in &p.input_rows {
        if let Some(t) = pc.values.text(r) {
            *count.entry(t).or_default() += 1;
        }
    }
    let repeated: Vec<usize> = count.values().copied().filter(|&n| n > 1).collect();
    if repeated.is_empty() {
        return None;
    }
    let rows: usize = repeated.iter().sum();
    // The fix needs the column after the privacy steps (pseudonymized values still group).
    let fix = masked.column(&pc.name).map(|_| {
        json!({"section": "evaluation", "step": {"method": "group_kfold", "group": pc.name, "folds": 5}})
    });
    Some(flag(
        "repeated_patients",
        json!({"column": pc.name, "patients": repeated.len(), "rows": rows}),
        repeated_patients_message(&pc.name, repeated.len(), rows),
        fix,
    ))
}

/// Header words of information recorded after the outcome.
const AFTER_WORDS: &[(&str, &str)] = &[
    ("discharge", "discharge"),
    ("death", "death"),
    ("died", "died"),
    ("deceased", "deceased"),
    ("outcome", "outcome"),
    ("followup", "follow-up"),
    ("lengthofstay", "length of stay"),
    ("postop", "post-operative"),
    ("出院", "出院"),
    ("死亡", "死亡"),
    ("随访", "随访"),
    ("转归", "转归"),
];

fn after_outcome(name: &str) -> Option<QualityFlag> {
    let h = norm(name);
    let word = AFTER_WORDS
        .iter()
        .find(|(w, _)| h.contains(w))
        .map(|(_, shown)| *shown)
        .or_else(|| (h == "los").then_some("length of stay"))?;
    Some(flag(
        "after_outcome",
        json!({"column": name, "word": word}),
        after_outcome_message(name, word),
        drop_input(name),
    ))
}

/// ROC-AUC of `score` for `labels` (ties count half), folded so that 0.2 reads as 0.8.
pub fn folded_auc(score: &[f64], labels: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    // Sum of the ranks of the positives (average ranks for ties).
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && score[idx[j + 1]] == score[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += idx[i..=j].iter().filter(|&&r| labels[r]).count() as f64 * avg;
        i = j + 1;
    }
    let auc = (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg);
    Some(auc.max(1.0 - auc))
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn near_perfect(c: &Column, p: &Problem) -> Option<QualityFlag> {
    let rows = p.x.rows();
    let present: Vec<usize> = (0..rows).filter(|&r| !c.values.is_missing(r)).collect();
    if present.len() < 20 {
        return None;
    }
    let fix = drop_input(&c.name);
    if p.task == Task::Regression {
        let Values::Num(v) = &c.values else {
            return None;
        };
        let x: Vec<f64> = present.iter().map(|&r| v[r]).collect();
        let y: Vec<f64> = present.iter().map(|&r| p.values[r]).collect();
        let r = pearson(&x, &y)?.abs();
        return (r >= NEAR_PERFECT).then(|| {
            flag(
                "near_perfect_input",
                json!({"column": c.name, "measure": "abs_correlation", "value": r}),
                near_perfect_message(&c.name, "|r|", r),
                fix,
            )
        });
    }
    let labels: Vec<bool> = present.iter().map(|&r| p.labels[r]).collect();
    let score: Vec<f64> = match &c.values {
        Values::Num(v) => present.iter().map(|&r| v[r]).collect(),
        Values::Str(v) => {
            // Each category scored by its positive rate (few categories only: with many, the
            // in-sample rates separate the classes by chance).
            let mut rate: HashMap<&str, (usize, usize)> = HashMap::new();
            for &r in &present {
                let e = rate.entry(v[r].as_deref().unwrap_or("")).or_default();
                e.0 += p.labels[r] as usize;
                e.1 += 1;
            }
            if rate.len() > 20 || rate.len() * 10 > present.len() {
                return None;
            }
            if let Some(f) = pure_category(c, &rate, present.len(), p.classes) {
                return Some(f);
            }
            present
                .iter()
                .map(|&r| {
                    let (pos, n) = rate[v[r].as_deref().unwrap_or("")];
                    pos as f64 / n as f64
                })
                .collect()
        }
    };
    let auc = folded_auc(&score, &labels)?;
    (auc >= NEAR_PERFECT).then(|| {
        flag(
            "near_perfect_input",
            json!({"column": c.name, "measure": "roc_auc", "value": auc}),
            near_perfect_message(&c.name, "ROC-AUC", auc),
            fix,
        )
    })
}

/// A category holding at least 10% (and 10) of the rows, all of one class, in a column where
/// the other categories are mixed.
fn pure_category(
    c: &Column,
    rate: &HashMap<&str, (usize, usize)>,
    present: usize,
    classes: &[String],
) -> Option<QualityFlag> {
    let mut pure: Vec<(&str, usize, bool)> = rate
        .iter()
        .filter(|(_, &(pos, n))| n >= 10 && n * 10 >= present && (pos == 0 || pos == n))
        .map(|(&v, &(pos, n))| (v, n, pos == n))
        .collect();
    pure.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let (value, n, positive) = *pure.first()?;
    // A pure negative category is common (e.g. "not pregnant" with a rare outcome): only a
    // pure positive one, or a pure negative one when the positives are not rare, is said.
    let pos_total: usize = rate.values().map(|x| x.0).sum();
    if !positive && (pos_total as f64) < 0.2 * present as f64 {
        return None;
    }
    let class = classes.get(positive as usize).cloned().unwrap_or_default();
    Some(flag(
        "near_perfect_input",
        json!({"column": c.name, "measure": "pure_category", "category": value, "rows": n, "class": class}),
        pure_category_message(&c.name, value, n, &class),
        drop_input(&c.name),
    ))
}
