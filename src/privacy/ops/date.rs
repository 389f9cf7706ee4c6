//! `date`: coarsen dates to the `year` or `month`, or turn a date of birth into the `age` (whole
//! years) at an event date in another column (`event`), e.g. age at admission.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::csv::parse_date;
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Year,
    Month,
    Age,
}

/// `{"op": "date", "columns": ["admitted"], "to": "month"}` or
/// `{"op": "date", "columns": ["birth_date"], "to": "age", "event": "admitted"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOp {
    pub columns: Vec<String>,
    pub to: Granularity,
    /// The date column at which ages are measured (`to: age` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// Days since 1970-01-01 of a civil date ([`crate::calendar`]).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    crate::calendar::days_from_civil(i64::from(y), m, d)
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let (y, m, d) = crate::calendar::civil_from_days(z);
    (y as i32, m, d)
}

/// Whole years from `birth` to `at`.
pub fn age_at(birth: (i32, u32, u32), at: (i32, u32, u32)) -> i32 {
    let mut age = at.0 - birth.0;
    if (at.1, at.2) < (birth.1, birth.2) {
        age -= 1;
    }
    age
}

impl Op for DateOp {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Replayed
    }
    fn coarsens_dates(&self) -> bool {
        true
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)?;
        match (self.to, &self.event) {
            (Granularity::Age, None) => {
                Err(("event", "to: age needs the event date column".into()))
            }
            (Granularity::Age, Some(e)) if self.columns.contains(e) => {
                Err(("event", "must not be one of the converted columns".into()))
            }
            (Granularity::Year | Granularity::Month, Some(_)) => {
                Err(("event", "applies to to: age only".into()))
            }
            _ => Ok(()),
        }
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut c = super::named(&self.columns);
        if let Some(e) = &self.event {
            c.push(("event", e.as_str()));
        }
        c
    }
    fn changed_columns(&self) -> Vec<&str> {
        self.columns.iter().map(String::as_str).collect()
    }
    fn accepts(&self, _: &str) -> Option<&'static [ColumnType]> {
        Some(super::DATE)
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(match self.to {
            Granularity::Month => ColumnType::Categorical,
            Granularity::Year | Granularity::Age => ColumnType::Numeric,
        })
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let events = self.event.as_deref().map(|e| super::texts(table, e));
        let mut cells = 0;
        for name in &self.columns {
            let values = super::texts(table, name);
            let parsed = values.iter().map(|v| v.as_deref().and_then(parse_date));
            let Some(col) = table.column_mut(name) else {
                continue;
            };
            match self.to {
                Granularity::Month => {
                    let out = parsed
                        .map(|p| p.map(|(y, m, _)| format!("{y:04}-{m:02}")))
                        .inspect(|o| cells += usize::from(o.is_some()))
                        .collect();
                    col.values = Values::str(out);
                    col.ctype = ColumnType::Categorical;
                }
                Granularity::Year => {
                    let out = parsed
                        .map(|p| p.map_or(f64::NAN, |(y, _, _)| y as f64))
                        .inspect(|x| cells += usize::from(!x.is_nan()))
                        .collect();
                    col.values = Values::num(out);
                    col.ctype = ColumnType::Numeric;
                }
                Granularity::Age => {
                    let events = events.as_deref().unwrap_or(&[]);
                    let out = parsed
                        .enumerate()
                        .map(|(r, p)| {
                            let at = events
                                .get(r)
                                .and_then(|e| e.as_deref())
                                .and_then(parse_date);
                            match (p, at) {
                                (Some(b), Some(a)) => age_at(b, a) as f64,
                                _ => f64::NAN,
                            }
                        })
                        .inspect(|x| cells += usize::from(!x.is_nan()))
                        .collect();
                    col.values = Values::num(out);
                    col.ctype = ColumnType::Numeric;
                }
            }
        }
        let to = match self.to {
            Granularity::Year => crate::message::op_date_year(),
            Granularity::Month => crate::message::op_date_month(),
            Granularity::Age => {
                crate::message::op_date_age(self.event.as_deref().unwrap_or_default())
            }
        };
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: to,
            ..Effect::default()
        })
    }
}

impl Describe for DateOp {
    const DOC: &'static str =
        "Coarsens dates to the year or month, or turns a birth date into an age.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the date columns to coarsen"),
            Arg::req(
                "to",
                Ty::Enum(&["year", "month", "age"]),
                "the granularity kept",
            ),
            Arg::opt(
                "event",
                Ty::Column,
                "to age only: the date column at which ages are measured",
            ),
        ]
    }
    fn example() -> Self {
        DateOp {
            columns: vec!["admitted".into()],
            to: Granularity::Month,
            event: None,
        }
    }
}

impl crate::privacy::Secrets for DateOp {
    /// No argument of `DateOp` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
