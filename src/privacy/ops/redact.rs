//! `redact`: replace every present value by a fixed text (default `[REDACTED]`).

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"op": "redact", "columns": ["phone"], "text": "[REDACTED]"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redact {
    pub columns: Vec<String>,
    /// The replacement text.
    #[serde(default = "default_text")]
    pub text: String,
}

fn default_text() -> String {
    "[REDACTED]".into()
}

impl Op for Redact {
    fn masks_identifiers(&self) -> bool {
        true
    }
    fn replay(&self) -> Replay {
        Replay::Replayed
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)?;
        if self.text.chars().count() > 40 {
            return Err(("text", "must be at most 40 characters".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut cells = 0;
        for name in &self.columns {
            cells +=
                super::map_present(table, name, ColumnType::Categorical, |_| self.text.clone());
        }
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: crate::message::op_redact(),
            ..Effect::default()
        })
    }
}

impl Describe for Redact {
    const DOC: &'static str = "Replaces every value of columns by a fixed text.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the columns to redact"),
            Arg::def(
                "text",
                Ty::String,
                json!("[REDACTED]"),
                "the replacement text",
            ),
        ]
    }
    fn example() -> Self {
        Redact {
            columns: vec!["name".into(), "mrn".into(), "phone".into(), "email".into()],
            text: "[REDACTED]".into(),
        }
    }
}

impl crate::privacy::Secrets for Redact {
    /// No argument of `Redact` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
