//! Missing values besides imputation: `drop_rows` and `missing_indicator`.

use super::{
    check_columns, named, num_column, selected, FitContext, FitError, Fitted, FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `{"op": "drop_rows"}`: drops the *training* rows that have a missing value in any of the
/// step's columns (default: every input column). Test rows are never dropped: every model is
/// scored on the whole test split, so a recipe cannot look better by skipping the hard cases;
/// their missing cells must be filled by a later `impute` step (the recipe check asks for one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropRows {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedDropRows {
    pub columns: Vec<String>,
    /// Training rows dropped (learned as the step is fitted, before it resamples).
    pub dropped: usize,
    pub rows: usize,
}

impl DropRows {
    fn incomplete(&self, t: &Table) -> Vec<bool> {
        let cols = selected(t, &self.columns, |c| c.ctype != ColumnType::Date);
        (0..t.rows())
            .map(|r| cols.iter().any(|c| c.values.is_missing(r)))
            .collect()
    }
}

impl Step for DropRows {
    fn reads_dates(&self) -> bool {
        false
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
    // Not column by column: it removes training rows.
    fn column_wise(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let incomplete = self.incomplete(train);
        let dropped = incomplete.iter().filter(|&&b| b).count();
        if dropped == train.rows() && dropped > 0 {
            return Err("every training row has a missing value in the step's columns; impute instead, or name fewer columns".into());
        }
        Ok(FittedStep::from(FittedDropRows {
            columns: selected(train, &self.columns, |c| c.ctype != ColumnType::Date)
                .iter()
                .map(|c| c.name.clone())
                .collect(),
            dropped,
            rows: train.rows(),
        }))
    }
}

impl Fitted for FittedDropRows {
    fn transform(&self, _: &mut Table) -> usize {
        0
    }
    fn learned(&self) -> Value {
        json!({"training_rows_dropped": self.dropped, "training_rows": self.rows})
    }
    fn resample(&self, train: &mut Table, y: &mut Vec<bool>) {
        let keep: Vec<usize> = (0..train.rows())
            .filter(|&r| {
                !self
                    .columns
                    .iter()
                    .any(|n| train.column(n).is_some_and(|c| c.values.is_missing(r)))
            })
            .collect();
        *train = train.take_rows(&keep);
        *y = keep.iter().map(|&r| y[r]).collect();
    }
}

/// `{"op": "missing_indicator"}`: adds a 0/1 column `name_missing` for every column with a
/// missing value in the training rows (scikit-learn's `MissingIndicator(features="missing-only")`).
/// Put it before `impute`, which fills the values the indicators record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingIndicator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedIndicator {
    /// (source column, indicator column, missing training rows)
    pub indicators: Vec<(String, String, usize)>,
}

impl Step for MissingIndicator {
    fn reads_dates(&self) -> bool {
        false
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
    fn column_wise(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let indicators = selected(train, &self.columns, |c| c.ctype != ColumnType::Date)
            .into_iter()
            .map(|c| (c, c.values.missing()))
            .filter(|&(_, m)| m > 0)
            .map(|(c, m)| {
                (
                    c.name.clone(),
                    super::fresh_name(train, &format!("{}_missing", c.name)),
                    m,
                )
            })
            .collect();
        Ok(FittedStep::from(FittedIndicator { indicators }))
    }
}

impl Fitted for FittedIndicator {
    fn transform(&self, table: &mut Table) -> usize {
        let mut cells = 0;
        for (src, name, _) in &self.indicators {
            let Some(c) = table.column(src) else { continue };
            let v: Vec<f64> = (0..c.values.len())
                .map(|r| if c.values.is_missing(r) { 1.0 } else { 0.0 })
                .collect();
            cells += v.len();
            let mut columns = std::mem::take(&mut table.columns);
            columns.push(num_column(name.clone(), v));
            *table = Table::new(columns);
        }
        cells
    }
    fn learned(&self) -> Value {
        json!(self
            .indicators
            .iter()
            .map(|(s, n, m)| (
                s.clone(),
                json!({"indicator": n, "missing_training_rows": m})
            ))
            .collect::<std::collections::BTreeMap<_, _>>())
    }
}

impl Describe for DropRows {
    const DOC: &'static str =
        "Drops training rows with a missing value (test rows are never dropped).";
    fn args() -> Vec<Arg> {
        vec![Arg::opt(
            "columns",
            Ty::Columns,
            "the columns checked (default: all)",
        )]
    }
    fn example() -> Self {
        DropRows {
            columns: Some(vec!["glucose".into()]),
        }
    }
}

impl Describe for MissingIndicator {
    const DOC: &'static str = "Adds a 0/1 column saying whether a value was missing.";
    fn args() -> Vec<Arg> {
        vec![Arg::opt(
            "columns",
            Ty::Columns,
            "the columns indicated (default: all with missing training values)",
        )]
    }
    fn example() -> Self {
        MissingIndicator { columns: None }
    }
}
