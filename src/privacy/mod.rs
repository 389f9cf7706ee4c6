//! De-identification: masking operators (one file each under `ops/`) and risk measurement.

pub mod ops;
pub mod risk;

use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a step did, for the audit trail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effect {
    pub rows_affected: usize,
    pub cells_affected: usize,
    pub note: String,
}

/// An argument error: the field at fault and what is wrong with it.
pub type ArgError = (&'static str, String);

/// Everything a privacy step needs besides the table.
pub struct PrivacyContext<'a> {
    /// The pseudonymization key (32 bytes from the OS/browser CSPRNG unless the user gave one).
    pub key: &'a [u8],
}

/// One privacy operation of a recipe, tagged by `op`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PrivacyStep {
    Drop(ops::drop::Drop),
    Pseudonymize(ops::pseudonymize::Pseudonymize),
    Generalize(ops::generalize::Generalize),
    Truncate(ops::truncate::Truncate),
}

impl PrivacyStep {
    /// The op name as written in recipes.
    pub fn name(&self) -> &'static str {
        match self {
            PrivacyStep::Drop(_) => "drop",
            PrivacyStep::Pseudonymize(_) => "pseudonymize",
            PrivacyStep::Generalize(_) => "generalize",
            PrivacyStep::Truncate(_) => "truncate",
        }
    }

    /// Checks arguments that do not depend on the data.
    pub fn check(&self) -> Result<(), ArgError> {
        match self {
            PrivacyStep::Drop(s) => ops::non_empty(&s.columns),
            PrivacyStep::Pseudonymize(s) => ops::non_empty(&s.columns),
            PrivacyStep::Generalize(s) => s.check(),
            PrivacyStep::Truncate(s) => s.check(),
        }
    }

    /// The columns this step reads, with the argument that names each.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        match self {
            PrivacyStep::Drop(s) => s.columns.iter().map(|c| ("columns", c.as_str())).collect(),
            PrivacyStep::Pseudonymize(s) => {
                s.columns.iter().map(|c| ("columns", c.as_str())).collect()
            }
            PrivacyStep::Generalize(s) => vec![("column", s.column.as_str())],
            PrivacyStep::Truncate(s) => vec![("column", s.column.as_str())],
        }
    }

    /// The column type this step requires, if any.
    pub fn needs_type(&self) -> Option<ColumnType> {
        match self {
            PrivacyStep::Generalize(_) => Some(ColumnType::Numeric),
            _ => None,
        }
    }

    /// Does this step remove every original value of its columns (so they may be identifiers)?
    pub fn masks_identifiers(&self) -> bool {
        matches!(self, PrivacyStep::Drop(_) | PrivacyStep::Pseudonymize(_))
    }

    /// Updates a name → type map as this step would change the table.
    pub fn update_types(&self, types: &mut BTreeMap<String, ColumnType>) {
        match self {
            PrivacyStep::Drop(s) => s.columns.iter().for_each(|c| {
                types.remove(c);
            }),
            PrivacyStep::Pseudonymize(s) => s.columns.iter().for_each(|c| {
                types.insert(c.clone(), ColumnType::Identifier);
            }),
            PrivacyStep::Generalize(s) => {
                types.insert(s.column.clone(), ColumnType::Categorical);
            }
            PrivacyStep::Truncate(s) => {
                types.insert(s.column.clone(), ColumnType::Categorical);
            }
        }
    }

    /// Applies the step. Columns were checked to exist by `Recipe::check_against`.
    pub fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Effect {
        match self {
            PrivacyStep::Drop(s) => s.apply(table),
            PrivacyStep::Pseudonymize(s) => s.apply(table, ctx.key),
            PrivacyStep::Generalize(s) => s.apply(table),
            PrivacyStep::Truncate(s) => s.apply(table),
        }
    }
}
