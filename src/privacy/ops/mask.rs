//! `mask`: keep the first and/or last characters of each value, mask the rest
//! (`0123456789` → `01******89`). A value no longer than `keep_first + keep_last` is masked
//! entirely, so a mask never reveals a whole value.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"op": "mask", "columns": ["phone"], "keep_first": 0, "keep_last": 4, "char": "*"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mask {
    pub columns: Vec<String>,
    #[serde(default)]
    pub keep_first: usize,
    #[serde(default)]
    pub keep_last: usize,
    /// The masking character.
    #[serde(default = "default_char")]
    pub char: char,
}

fn default_char() -> char {
    '*'
}

impl Mask {
    /// The masked form of one value.
    pub fn mask(&self, v: &str) -> String {
        let chars: Vec<char> = v.chars().collect();
        let n = chars.len();
        if n <= self.keep_first + self.keep_last {
            return self.char.to_string().repeat(n);
        }
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if i < self.keep_first || i >= n - self.keep_last {
                    c
                } else {
                    self.char
                }
            })
            .collect()
    }
}

impl Op for Mask {
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
        if self.char.is_alphanumeric() {
            return Err(("char", "must not be a letter or digit".into()));
        }
        if self.keep_first + self.keep_last > 64 {
            return Err((
                "keep_first",
                "keep_first + keep_last must be at most 64".into(),
            ));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    /// Only a mask that keeps no character removes every original value.
    fn masks_identifiers(&self) -> bool {
        self.keep_first == 0 && self.keep_last == 0
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut cells = 0;
        for name in &self.columns {
            cells += super::map_present(table, name, ColumnType::Categorical, |v| self.mask(v));
        }
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: crate::message::op_mask(self.keep_first, self.keep_last),
            ..Effect::default()
        })
    }
}

impl Describe for Mask {
    const DOC: &'static str =
        "Replaces the characters of values by a masking character, keeping some at either end.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the columns to mask"),
            Arg::def(
                "keep_first",
                Ty::Integer,
                json!(0),
                "characters kept at the start (0 to mask identifiers)",
            ),
            Arg::def(
                "keep_last",
                Ty::Integer,
                json!(0),
                "characters kept at the end (0 to mask identifiers)",
            ),
            Arg::def("char", Ty::String, json!("*"), "the masking character"),
        ]
    }
    fn example() -> Self {
        Mask {
            columns: vec!["name".into(), "mrn".into(), "phone".into(), "email".into()],
            keep_first: 0,
            keep_last: 0,
            char: '*',
        }
    }
}

impl crate::privacy::Secrets for Mask {
    /// No argument of `Mask` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
