//! `pseudonymize`: replace each value by a keyed HMAC-SHA256 pseudonym.
//!
//! The same value maps to the same pseudonym within a run, so records of one patient stay
//! linkable; without the key the mapping cannot be reversed or recomputed by a dictionary attack.
//! By default the key is 32 bytes from the CSPRNG, fresh per run, and never written anywhere.
//! With a user `key` (at least 16 characters) two files pseudonymized with the same key link;
//! the key is replaced by `(redacted)` wherever the recipe is written into a Report.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What a user key is replaced by in a Report.
pub const REDACTED_KEY: &str = "(redacted)";

/// `{"op": "pseudonymize", "columns": ["mrn"], "key": "optional secret shared between files"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pseudonymize {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The pseudonym of `value` under `key`: 16 hex digits (64 bits) of HMAC-SHA256.
pub fn pseudonym(key: &[u8], value: &str) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Op for Pseudonymize {
    fn masks_identifiers(&self) -> bool {
        true
    }
    fn replay(&self) -> Replay {
        Replay::Refused("needs the pseudonymization key (never saved in a model file; identifiers are never model inputs)")
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
        match self.key.as_deref() {
            Some(REDACTED_KEY) => Err((
                "key",
                "was redacted from the report this recipe came from; give the key again".into(),
            )),
            Some(k) if k.chars().count() < 16 => {
                Err(("key", "must be at least 16 characters long".into()))
            }
            _ => Ok(()),
        }
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Identifier)
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let key = self.key.as_deref().map_or(ctx.key, str::as_bytes);
        let mut cells = 0;
        for name in &self.columns {
            cells += super::map_present(table, name, ColumnType::Identifier, |v| pseudonym(key, v));
        }
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: if self.key.is_some() {
                crate::message::op_pseudonymize_user_key()
            } else {
                crate::message::op_pseudonymize_fresh_key()
            },
            ..Effect::default()
        })
    }
}

impl Describe for Pseudonymize {
    const DOC: &'static str = "Replaces values by keyed pseudonyms (HMAC-SHA256): the same value gets the same pseudonym.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the columns to pseudonymize"),
            Arg::opt(
                "key",
                Ty::String,
                "a secret shared between files (default: a random key per run)",
            ),
        ]
    }
    fn example() -> Self {
        Pseudonymize {
            columns: vec!["name".into(), "mrn".into(), "phone".into(), "email".into()],
            key: None,
        }
    }
}

impl crate::privacy::Secrets for Pseudonymize {
    /// The user's key, if any, is replaced by [`REDACTED_KEY`].
    fn redacted(&self) -> Self {
        Pseudonymize {
            key: self.key.as_ref().map(|_| REDACTED_KEY.to_string()),
            ..self.clone()
        }
    }
}
