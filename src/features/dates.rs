//! Dates into numbers: `date_parts` (year, month, weekday), `days_between` (two date columns)
//! and `age_at` (years from a birth date to an event date).
//!
//! Date columns are model inputs only when a date step names them; they are removed after the
//! last feature step. These steps learn nothing (the arithmetic is fixed); the audit lists the
//! columns created and how many training rows got a missing result (a missing or unparseable
//! date), which a later `impute` step fills.

use super::{num_column, FitContext, FitError, Fitted, FittedStep, Step};
use crate::calendar::days_from_civil;
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::csv::parse_date;
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The cell at `row` of a date column as (year, month, day, days since epoch).
fn date_at(t: &Table, column: &str, row: usize) -> Option<(i32, u32, u32, i64)> {
    let c = t.column(column)?;
    let Values::Str(v) = &c.values else {
        return None;
    };
    let (y, m, d) = parse_date(v[row].as_deref()?)?;
    Some((y, m, d, days_from_civil(i64::from(y), m, d)))
}

fn add_columns(table: &mut Table, new: Vec<(String, Vec<f64>)>) -> usize {
    let cells = new.iter().map(|(_, v)| v.len()).sum();
    let mut columns = std::mem::take(&mut table.columns);
    columns.extend(new.into_iter().map(|(n, v)| num_column(n, v)));
    *table = Table::new(columns);
    cells
}

/// A fitted date step: computes its columns row by row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedDates {
    /// (new column name, function of the row)
    outputs: Vec<(String, DateFn)>,
    missing_training: Vec<usize>,
}

/// What a date step computes from one row (fixed arithmetic, nothing learned).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum DateFn {
    Part { column: String, part: Part },
    DaysBetween { start: String, end: String },
    AgeAt { birth: String, event: String },
}

impl DateFn {
    fn eval(&self, t: &Table, r: usize) -> Option<f64> {
        match self {
            DateFn::Part { column, part } => {
                let (y, m, _, days) = date_at(t, column, r)?;
                Some(match part {
                    Part::Year => f64::from(y),
                    Part::Month => f64::from(m),
                    // 1970-01-01 was a Thursday (3).
                    Part::Weekday => (days + 3).rem_euclid(7) as f64,
                })
            }
            DateFn::DaysBetween { start, end } => {
                Some((date_at(t, end, r)?.3 - date_at(t, start, r)?.3) as f64)
            }
            DateFn::AgeAt { birth, event } => {
                let (by, bm, bd, _) = date_at(t, birth, r)?;
                let (ey, em, ed, _) = date_at(t, event, r)?;
                Some(f64::from(age_years((by, bm, bd), (ey, em, ed))))
            }
        }
    }
}

impl FittedDates {
    fn new(train: &Table, outputs: Vec<(String, DateFn)>) -> FittedDates {
        let missing_training = outputs
            .iter()
            .map(|(_, f)| {
                (0..train.rows())
                    .filter(|&r| f.eval(train, r).is_none())
                    .count()
            })
            .collect();
        FittedDates {
            outputs,
            missing_training,
        }
    }
}

impl Fitted for FittedDates {
    fn transform(&self, table: &mut Table) -> usize {
        let new = self
            .outputs
            .iter()
            .map(|(name, f)| {
                (
                    name.clone(),
                    (0..table.rows())
                        .map(|r| f.eval(table, r).unwrap_or(f64::NAN))
                        .collect(),
                )
            })
            .collect();
        add_columns(table, new)
    }
    fn learned(&self) -> Value {
        json!(self
            .outputs
            .iter()
            .zip(&self.missing_training)
            .map(|((n, _), m)| (n.clone(), json!({"missing_training_rows": m})))
            .collect::<std::collections::BTreeMap<_, _>>())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Year,
    /// 1–12
    Month,
    /// 0 = Monday … 6 = Sunday
    Weekday,
}

/// `{"op": "date_parts", "columns": ["admission_date"], "parts": ["month"]}`: adds
/// `column_year`, `column_month`, `column_weekday` (default: month only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateParts {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<Part>>,
}

impl Step for DateParts {
    fn reads_dates(&self) -> bool {
        true
    }
    fn encodes_categories(&self) -> bool {
        false
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    // Not column by column: its outputs are computed from the row, named before their column is seen.
    fn column_wise(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        if self.columns.is_empty() {
            return Err(("columns", "name at least one date column".into()));
        }
        if self.parts.as_ref().is_some_and(|p| p.is_empty()) {
            return Err(("parts", "name at least one of year, month, weekday".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        self.columns
            .iter()
            .map(|c| ("columns", c.as_str()))
            .collect()
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Date)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let parts = self.parts.clone().unwrap_or_else(|| vec![Part::Month]);
        let mut outputs: Vec<(String, DateFn)> = Vec::new();
        for col in &self.columns {
            for &part in &parts {
                let suffix = match part {
                    Part::Year => "year",
                    Part::Month => "month",
                    Part::Weekday => "weekday",
                };
                outputs.push((
                    super::fresh_name(train, &format!("{col}_{suffix}")),
                    DateFn::Part {
                        column: col.clone(),
                        part,
                    },
                ));
            }
        }
        Ok(FittedStep::from(FittedDates::new(train, outputs)))
    }
}

/// `{"op": "days_between", "start": "admission_date", "end": "discharge_date"}`: adds
/// `name` (default `days_START_to_END`) = end − start in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaysBetween {
    pub start: String,
    pub end: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

fn check_pair(a: &str, b: &str, af: &'static str, name: &Option<String>) -> Result<(), ArgError> {
    if a == b {
        return Err((af, "names the same column twice".into()));
    }
    if name.as_ref().is_some_and(|n| n.trim().is_empty()) {
        return Err(("name", "must not be empty".into()));
    }
    Ok(())
}

impl Step for DaysBetween {
    fn reads_dates(&self) -> bool {
        true
    }
    fn encodes_categories(&self) -> bool {
        false
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    // Not column by column: an output reads two columns.
    fn column_wise(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        check_pair(&self.start, &self.end, "end", &self.name)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![("start", self.start.as_str()), ("end", self.end.as_str())]
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Date)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let (s, e) = (self.start.clone(), self.end.clone());
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| format!("days_{s}_to_{e}"));
        let f = DateFn::DaysBetween { start: s, end: e };
        Ok(FittedStep::from(FittedDates::new(
            train,
            vec![(super::fresh_name(train, &name), f)],
        )))
    }
}

/// `{"op": "age_at", "birth": "date_of_birth", "event": "admission_date"}`: adds `name`
/// (default `age_at_EVENT`) = whole years completed from birth to the event (as a person's age).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeAt {
    pub birth: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Whole years completed from `birth` to `event` (negative if the event is earlier).
pub fn age_years(birth: (i32, u32, u32), event: (i32, u32, u32)) -> i32 {
    let mut years = event.0 - birth.0;
    if (event.1, event.2) < (birth.1, birth.2) {
        years -= 1;
    }
    years
}

impl Step for AgeAt {
    fn reads_dates(&self) -> bool {
        true
    }
    fn encodes_categories(&self) -> bool {
        false
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    // Not column by column: an output reads two columns.
    fn column_wise(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        check_pair(&self.birth, &self.event, "event", &self.name)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("birth", self.birth.as_str()),
            ("event", self.event.as_str()),
        ]
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Date)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let (b, e) = (self.birth.clone(), self.event.clone());
        let name = self.name.clone().unwrap_or_else(|| format!("age_at_{e}"));
        let f = DateFn::AgeAt { birth: b, event: e };
        Ok(FittedStep::from(FittedDates::new(
            train,
            vec![(super::fresh_name(train, &name), f)],
        )))
    }
}

impl Describe for DateParts {
    const DOC: &'static str = "Turns dates into numbers: year, month or weekday.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the date columns"),
            Arg::def(
                "parts",
                Ty::List(Box::new(Ty::Enum(&["year", "month", "weekday"]))),
                json!(["month"]),
                "the parts made into columns",
            ),
        ]
    }
    fn example() -> Self {
        DateParts {
            columns: vec!["admitted".into()],
            parts: None,
        }
    }
}

impl Describe for DaysBetween {
    const DOC: &'static str = "The number of days from one date column to another.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("start", Ty::Column, "the earlier date"),
            Arg::req("end", Ty::Column, "the later date"),
            Arg::opt(
                "name",
                Ty::String,
                "the new column (default days_START_to_END)",
            ),
        ]
    }
    fn example() -> Self {
        DaysBetween {
            start: "admitted".into(),
            end: "discharged".into(),
            name: None,
        }
    }
}

impl Describe for AgeAt {
    const DOC: &'static str = "Age in whole years at an event date, from a birth date.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("birth", Ty::Column, "the date of birth"),
            Arg::req("event", Ty::Column, "the date at which the age is measured"),
            Arg::opt("name", Ty::String, "the new column (default age_at_EVENT)"),
        ]
    }
    fn example() -> Self {
        AgeAt {
            birth: "birth_date".into(),
            event: "admitted".into(),
            name: None,
        }
    }
}
