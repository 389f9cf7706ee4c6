//! `recode`: maps the spellings of one category to one value (`F`, `female`, `Female` →
//! `female`), as the profile's `spellings` flag proposes. A fixed map, not learned from the
//! data: the same on training and test rows; values the map does not name are kept.

use super::{is_categorical, selected, FitContext, FitError, Fitted, FittedStep, Step};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `{"op": "recode", "column": "sex", "map": {"F": "female", "Female": "female"}}`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recode {
    pub column: String,
    pub map: BTreeMap<String, String>,
}

/// The recode as applied (the map is the recipe's; the count is of training cells changed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedRecode {
    pub column: String,
    pub map: BTreeMap<String, String>,
    /// Training cells per mapped value, for the audit trail.
    pub training_counts: BTreeMap<String, usize>,
}

impl Step for Recode {
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
        if self.column.is_empty() {
            return Err(("column", "names no column".into()));
        }
        if self.map.is_empty() {
            return Err(("map", "maps no value".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![("column", self.column.as_str())]
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let mut training_counts = BTreeMap::new();
        let named = Some(vec![self.column.clone()]);
        for c in selected(train, &named, is_categorical) {
            let Values::Str(v) = &c.values else { continue };
            for x in v.iter().flatten() {
                if self.map.contains_key(x) {
                    *training_counts.entry(x.clone()).or_insert(0) += 1;
                }
            }
        }
        Ok(FittedStep::from(FittedRecode {
            column: self.column.clone(),
            map: self.map.clone(),
            training_counts,
        }))
    }
}

impl Fitted for FittedRecode {
    fn transform(&self, table: &mut Table) -> usize {
        let Some(Values::Str(v)) = table.column_mut(&self.column).map(|c| &mut c.values) else {
            return 0;
        };
        let v = std::sync::Arc::make_mut(v);
        let mut cells = 0;
        for x in v.iter_mut().flatten() {
            if let Some(to) = self.map.get(x.as_str()) {
                if to != x {
                    *x = to.clone();
                    cells += 1;
                }
            }
        }
        cells
    }
    fn learned(&self) -> Value {
        json!({"column": self.column, "recoded": self.training_counts})
    }
}

impl Describe for Recode {
    const DOC: &'static str =
        "Maps spellings of one category to one value (F, female, Female → female).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("column", Ty::Column, "the categorical column"),
            Arg::req("map", Ty::Map, "each spelling → the value it becomes").data(),
        ]
    }
    fn example() -> Self {
        Recode {
            column: "sex".into(),
            map: [("F", "female"), ("Female", "female")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }
}
