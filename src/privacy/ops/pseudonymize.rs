//! `pseudonymize`: replace each value by a keyed HMAC-SHA256 pseudonym.
//!
//! The same value maps to the same pseudonym within a run (and across files when the same key
//! is used), so records of one patient stay linkable; without the key the mapping cannot be
//! reversed or recomputed by a dictionary attack. The key is 32 bytes from the CSPRNG and is
//! never written anywhere.

use crate::privacy::Effect;
use crate::table::{ColumnType, Table, Values};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// `{"op": "pseudonymize", "columns": ["mrn"]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pseudonymize {
    pub columns: Vec<String>,
}

/// The pseudonym of `value` under `key`: 16 hex digits (64 bits) of HMAC-SHA256.
pub fn pseudonym(key: &[u8], value: &str) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Pseudonymize {
    pub fn apply(&self, table: &mut Table, key: &[u8]) -> Effect {
        let mut cells = 0;
        for name in &self.columns {
            let Some(col) = table.column_mut(name) else {
                continue;
            };
            let rows = col.values.len();
            let out: Vec<Option<String>> = (0..rows)
                .map(|r| {
                    col.values.text(r).map(|v| {
                        cells += 1;
                        pseudonym(key, &v)
                    })
                })
                .collect();
            col.values = Values::Str(out);
            col.ctype = ColumnType::Identifier;
        }
        Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: "values replaced by keyed HMAC-SHA256 pseudonyms (key not stored)".into(),
        }
    }
}
