//! `date_shift`: shift every date of a patient by the same random number of days (between
//! −`max_days` and +`max_days`, never 0), so intervals within a patient are kept while the
//! calendar dates are hidden. Patients are told apart by the `by` column; a row without a
//! patient value gets its own offset. Offsets are drawn from the recipe seed and step index,
//! per patient in sorted order of the patient values (independent of row order).

use super::date::{civil_from_days, days_from_civil};
use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::csv::parse_date;
use crate::table::{ColumnType, Table};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"op": "date_shift", "columns": ["admitted", "discharged"], "by": "mrn", "max_days": 365}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateShift {
    pub columns: Vec<String>,
    pub by: String,
    pub max_days: u32,
}

impl DateShift {
    fn offset(&self, rng: &mut impl Rng) -> i64 {
        let m = self.max_days as i64;
        let o = rng.gen_range(-m..m); // 2m values, then skip 0
        if o >= 0 {
            o + 1
        } else {
            o
        }
    }
}

impl Op for DateShift {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::RawValues
    }
    fn coarsens_dates(&self) -> bool {
        true
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)?;
        if self.max_days == 0 || self.max_days > 36_500 {
            return Err((
                "max_days",
                format!("must be between 1 and 36500, got {}", self.max_days),
            ));
        }
        if self.columns.contains(&self.by) {
            return Err(("by", "must not be one of the shifted columns".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut c = super::named(&self.columns);
        c.push(("by", self.by.as_str()));
        c
    }
    fn changed_columns(&self) -> Vec<&str> {
        self.columns.iter().map(String::as_str).collect()
    }
    fn accepts(&self, field: &str) -> Option<&'static [ColumnType]> {
        (field == "columns").then_some(super::DATE)
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut rng = ctx.rng(
            table,
            &self.columns.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let patients = super::texts(table, &self.by);
        let mut offsets: BTreeMap<&str, i64> =
            patients.iter().flatten().map(|p| (p.as_str(), 0)).collect();
        for o in offsets.values_mut() {
            *o = self.offset(&mut rng);
        }
        let row_offsets: Vec<i64> = patients
            .iter()
            .map(|p| match p {
                Some(p) => offsets[p.as_str()],
                None => self.offset(&mut rng),
            })
            .collect();
        let mut cells = 0;
        for name in &self.columns {
            let out = super::texts(table, name)
                .into_iter()
                .enumerate()
                .map(|(r, v)| {
                    v.as_deref().and_then(parse_date).map(|(y, m, d)| {
                        cells += 1;
                        let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + row_offsets[r]);
                        format!("{y:04}-{m:02}-{d:02}")
                    })
                })
                .collect();
            super::set_text(table, name, out, ColumnType::Date);
        }
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: crate::message::op_date_shift(self.by.as_str(), offsets.len(), self.max_days),
            ..Effect::default()
        })
    }
}

impl Describe for DateShift {
    const DOC: &'static str = "Shifts every date of a patient by the same random number of days.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the date columns to shift"),
            Arg::req(
                "by",
                Ty::Column,
                "the column naming the patient (one shift per value)",
            ),
            Arg::req(
                "max_days",
                Ty::Integer,
                "the largest shift, in days, either way",
            ),
        ]
    }
    fn example() -> Self {
        DateShift {
            columns: vec!["admitted".into(), "discharged".into()],
            by: "mrn".into(),
            max_days: 30,
        }
    }
}

impl crate::privacy::Secrets for DateShift {
    /// No argument of `DateShift` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
