//! `scrub_text`: remove identifiers from free-text columns (see `privacy::text` and
//! docs/notes.md for what is found). Identifier columns are those with the role identifier or
//! detected as direct identifiers, plus any named in `identifiers`; their values are read from
//! the input before any privacy step, so dropping a name column first does not weaken
//! scrubbing. The same row's values are removed anywhere in its notes; other rows' values only
//! when they are names or long identifiers. Dates become `[DATE]`, or keep only their year
//! (`"keep": "year"`), or move by the same number of days as a date column that an earlier
//! `date_shift` step moved in the same record (`"shift_like": "admitted"`), so intervals in a
//! note stay consistent with the shifted columns.

use crate::privacy::ops::date::days_from_civil;
use crate::privacy::text::{counts, replace, DateMode, Found, Scrubber};
use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::csv::parse_date;
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"op": "scrub_text", "columns": ["note"], "identifiers": ["name", "mrn"], "keep": "year"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrubText {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<String>>,
    /// `"year"`: a date in a note keeps its year (Safe Harbor allows the year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<KeepDates>,
    /// A date column moved by an earlier `date_shift` step: dates in a note move by the days
    /// that column moved in the same record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_like: Option<String>,
}

/// What part of a date in a note stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepDates {
    Year,
}

/// One scrubbed cell.
pub(crate) struct Cell {
    pub column: String,
    /// Row in the current table.
    pub row: usize,
    /// Row in the input.
    pub original_row: usize,
    pub text: String,
    pub found: Vec<Found>,
    pub dates: DateMode,
}

/// Every cell of a run, with the words kept for review.
pub(crate) struct Run {
    pub cells: Vec<Cell>,
    possible: BTreeMap<String, usize>,
    pub id_columns: usize,
}

impl Run {
    /// Replacements per category (every category listed, zeros included).
    pub fn replaced(&self) -> BTreeMap<&'static str, usize> {
        let mut c: BTreeMap<&'static str, usize> = crate::privacy::text::CATEGORIES
            .iter()
            .map(|k| (*k, 0))
            .collect();
        for cell in &self.cells {
            for (k, n) in counts(&cell.found) {
                *c.entry(k).or_insert(0) += n;
            }
        }
        c
    }
    /// The `limit` most frequent possible names kept (ties alphabetical).
    pub fn possible_names(&self, limit: usize) -> Vec<String> {
        let mut v: Vec<(&String, &usize)> = self.possible.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.into_iter().take(limit).map(|(w, _)| w.clone()).collect()
    }
}

impl ScrubText {
    /// Finds the identifiers of every non-empty cell of `columns` (nothing is changed).
    pub(crate) fn scrub_cells(&self, table: &Table, ctx: &PrivacyContext) -> Result<Run, ArgError> {
        let mut id_cols: Vec<&str> = ctx.identifiers.iter().map(String::as_str).collect();
        for c in self.identifiers.iter().flatten() {
            if ctx.original.column(c).is_none() {
                return Err(("identifiers", format!("no such column '{c}' in the data")));
            }
            if !id_cols.contains(&c.as_str()) {
                id_cols.push(c);
            }
        }
        id_cols.retain(|c| !self.columns.iter().any(|s| s == c));
        let id_values: Vec<Vec<Option<String>>> = id_cols
            .iter()
            .map(|c| super::texts(ctx.original, c))
            .collect();
        let scrubber = Scrubber::with_columns(
            id_cols
                .iter()
                .copied()
                .zip(id_values.iter().map(Vec::as_slice)),
        );
        let shifts = match &self.shift_like {
            Some(c) => Some(self.row_shifts(c, table, ctx)?),
            None => None,
        };
        let mut cells = Vec::new();
        let mut possible: BTreeMap<String, usize> = BTreeMap::new();
        for name in &self.columns {
            for (r, v) in super::texts(table, name).into_iter().enumerate() {
                let Some(text) = v else { continue };
                let orig = ctx.row_map.get(r).copied().unwrap_or(r);
                let same_row: Vec<String> = id_values
                    .iter()
                    .filter_map(|c| c.get(orig).cloned().flatten())
                    .collect();
                let (found, kept) = scrubber.find_all(&text, &same_row);
                for w in kept {
                    *possible.entry(w).or_insert(0) += 1;
                }
                let dates = match (&shifts, self.keep) {
                    (Some(s), _) => s[r].map_or(DateMode::Tag, DateMode::Shift),
                    (None, Some(KeepDates::Year)) => DateMode::Year,
                    (None, None) => DateMode::Tag,
                };
                cells.push(Cell {
                    column: name.clone(),
                    row: r,
                    original_row: orig,
                    text,
                    found,
                    dates,
                });
            }
        }
        Ok(Run {
            cells,
            possible,
            id_columns: id_cols.len(),
        })
    }

    /// Days each row's `column` moved since the input (None: no date in that row).
    fn row_shifts(
        &self,
        column: &str,
        table: &Table,
        ctx: &PrivacyContext,
    ) -> Result<Vec<Option<i64>>, ArgError> {
        let now = super::texts(table, column);
        let before = super::texts(ctx.original, column);
        let days = |v: &Option<String>| {
            v.as_deref()
                .and_then(parse_date)
                .map(|(y, m, d)| days_from_civil(y, m, d))
        };
        let shifts: Vec<Option<i64>> = now
            .iter()
            .enumerate()
            .map(|(r, v)| {
                let orig = ctx.row_map.get(r).copied().unwrap_or(r);
                Some(days(v)? - days(before.get(orig)?)?)
            })
            .collect();
        if !shifts.iter().flatten().any(|d| *d != 0) {
            return Err((
                "shift_like",
                format!("column '{column}' was not moved by an earlier date_shift step"),
            ));
        }
        Ok(shifts)
    }
}

impl Op for ScrubText {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Replayed
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        true
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)?;
        if let Some(ids) = &self.identifiers {
            if let Some(c) = ids.iter().find(|c| self.columns.contains(c)) {
                return Err(("identifiers", format!("'{c}' is also a scrubbed column")));
            }
        }
        if self.keep.is_some() && self.shift_like.is_some() {
            return Err((
                "shift_like",
                "give either keep or shift_like, not both".into(),
            ));
        }
        if let Some(c) = &self.shift_like {
            if self.columns.contains(c) {
                return Err(("shift_like", format!("'{c}' is also a scrubbed column")));
            }
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut c = super::named(&self.columns);
        if let Some(s) = &self.shift_like {
            c.push(("shift_like", s.as_str()));
        }
        c
    }
    fn changed_columns(&self) -> Vec<&str> {
        self.columns.iter().map(String::as_str).collect()
    }
    fn accepts(&self, field: &str) -> Option<&'static [ColumnType]> {
        (field == "shift_like").then_some(super::DATE)
    }
    fn output_type(&self, t: ColumnType) -> Option<ColumnType> {
        Some(t)
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let run = self.scrub_cells(table, ctx)?;
        let mut cells = 0;
        let mut found = 0;
        let mut out: BTreeMap<&str, Vec<Option<String>>> = BTreeMap::new();
        for name in &self.columns {
            out.insert(name, super::texts(table, name));
        }
        for cell in &run.cells {
            if cell.found.is_empty() {
                continue;
            }
            cells += 1;
            found += cell.found.len();
            let (text, _) = replace(&cell.text, &cell.found, cell.dates);
            if let Some(col) = out.get_mut(cell.column.as_str()) {
                col[cell.row] = Some(text);
            }
        }
        for name in &self.columns {
            let ctype = table.column(name).map_or(ColumnType::Text, |c| c.ctype);
            let ctype = if ctype == ColumnType::Identifier {
                ColumnType::Text
            } else {
                ctype
            };
            let values = out.remove(name.as_str()).unwrap_or_default();
            super::set_text(table, name, values, ctype);
        }
        Ok(Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: crate::message::op_scrub_text(found, cells, run.id_columns),
            details: Some(serde_json::json!({
                "replaced": run.replaced(),
                // How many, never which: the words are shown for review in the page only, so
                // that a Report filed apart from the data carries no word taken from the notes.
                "possible_names_kept": run.possible_names(usize::MAX).len(),
            })),
            ..Effect::default()
        })
    }
}

impl Describe for ScrubText {
    const DOC: &'static str = "Removes identifiers (names, dates, places, ages over 89, phone numbers, e-mails, record numbers, the row's own identifier values, ...) from free text, writing a tag that names each category.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the free-text columns to scrub"),
            Arg::opt(
                "identifiers",
                Ty::Columns,
                "more columns whose values are removed (identifier columns always are)",
            ),
            Arg::opt(
                "keep",
                Ty::Enum(&["year"]),
                "year: a date in a note keeps its year instead of becoming [DATE]",
            ),
            Arg::opt(
                "shift_like",
                Ty::Column,
                "a date column moved by an earlier date_shift: dates in a note move by the same days",
            ),
        ]
    }
    fn example() -> Self {
        ScrubText {
            columns: vec!["note".into()],
            identifiers: None,
            keep: None,
            shift_like: None,
        }
    }
}

impl crate::privacy::Secrets for ScrubText {
    /// No argument of `ScrubText` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
