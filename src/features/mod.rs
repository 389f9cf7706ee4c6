//! Feature steps: fit/transform pairs, fitted on the training rows of each fold only.
//!
//! A step is fitted on a training table ([`FeatureStep::fit`]) and the fitted step transforms
//! both the training and the test table; nothing learned ever comes from test rows.

pub mod encode;
pub mod impute;
pub mod scale;

use crate::error::{Error, Result};
use crate::privacy::ArgError;
use crate::table::{Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One feature step of a recipe, tagged by `op`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FeatureStep {
    Impute(impute::Impute),
    Scale(scale::Scale),
    OneHot(encode::OneHot),
}

/// A fitted step: applies what it learned.
pub trait Fitted {
    /// Transforms `table` in place; returns the number of cells it changed or created.
    fn transform(&self, table: &mut Table) -> usize;
    /// What was learned, for the audit trail.
    fn learned(&self) -> Value;
}

impl FeatureStep {
    pub fn name(&self) -> &'static str {
        match self {
            FeatureStep::Impute(_) => "impute",
            FeatureStep::Scale(_) => "scale",
            FeatureStep::OneHot(_) => "one_hot",
        }
    }

    pub fn check(&self) -> std::result::Result<(), ArgError> {
        match self {
            FeatureStep::Impute(s) => s.check(),
            FeatureStep::Scale(_) | FeatureStep::OneHot(_) => Ok(()),
        }
    }

    /// Columns named explicitly by the step (empty = all it applies to).
    pub fn columns(&self) -> Vec<&str> {
        let cols = match self {
            FeatureStep::Impute(s) => &s.columns,
            FeatureStep::Scale(s) => &s.columns,
            FeatureStep::OneHot(s) => &s.columns,
        };
        cols.iter().flatten().map(String::as_str).collect()
    }

    /// Learns the step's parameters from the training table.
    pub fn fit(&self, train: &Table) -> Box<dyn Fitted> {
        match self {
            FeatureStep::Impute(s) => Box::new(s.fit(train)),
            FeatureStep::Scale(s) => Box::new(s.fit(train)),
            FeatureStep::OneHot(s) => Box::new(s.fit(train)),
        }
    }
}

/// The columns a step applies to: the named ones, or all that `applies` accepts.
pub(crate) fn selected<'a>(
    table: &'a Table,
    named: &Option<Vec<String>>,
    applies: impl Fn(&crate::table::Column) -> bool,
) -> Vec<&'a crate::table::Column> {
    table
        .columns
        .iter()
        .filter(|c| named.as_ref().is_none_or(|n| n.contains(&c.name)) && applies(c))
        .collect()
}

/// What one fitted step did on one split: cells changed or created, and what it learned.
pub struct StepFit {
    pub cells: usize,
    pub learned: Value,
}

/// Fits `steps` in order on the training rows (`train`, labels `y_train`) and applies each to
/// both tables. Only training rows are ever seen by a fit; steps that resample rows may change
/// `train` and `y_train` together, never `test`.
pub fn fit_transform(
    steps: &[FeatureStep],
    train: &mut Table,
    y_train: &mut Vec<bool>,
    test: &mut Table,
) -> Vec<StepFit> {
    let _ = y_train; // used by resampling steps
    steps
        .iter()
        .map(|step| {
            let fitted = step.fit(train);
            let cells = fitted.transform(train) + fitted.transform(test);
            StepFit {
                cells,
                learned: fitted.learned(),
            }
        })
        .collect()
}

/// Fails early, with the column named, when the feature steps leave text categories or missing
/// values that no model can take.
pub fn check_pipeline(x: &Table, steps: &[FeatureStep]) -> Result<()> {
    let covers =
        |step: &FeatureStep, col: &str| step.columns().is_empty() || step.columns().contains(&col);
    for c in &x.columns {
        let imputed = steps
            .iter()
            .any(|s| matches!(s, FeatureStep::Impute(_)) && covers(s, &c.name));
        let encoded = steps
            .iter()
            .any(|s| matches!(s, FeatureStep::OneHot(_)) && covers(s, &c.name));
        let categorical = matches!(c.values, Values::Str(_));
        let missing = c.values.missing();
        // one_hot encodes a missing category as all zeros, so categorical columns need no imputer.
        if missing > 0 && !imputed && !(categorical && encoded) {
            return Err(Error::recipe(
                "features",
                None,
                format!("column '{}' has {missing} missing value(s) and no impute step covers it; add {{\"op\": \"impute\", \"strategy\": \"median\"}}", c.name),
            ));
        }
        if categorical && !encoded {
            return Err(Error::recipe(
                "features",
                None,
                format!("column '{}' is categorical and no one_hot step covers it; add {{\"op\": \"one_hot\"}} or give it the role ignore", c.name),
            ));
        }
    }
    Ok(())
}
