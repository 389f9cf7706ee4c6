//! `replace_random`: replace each distinct value by a random fake of the same shape
//! (format-preserving): digits by digits, letters by letters of the same case, CJK characters by
//! CJK characters; punctuation and spaces are kept. Equal values get equal fakes, so records of
//! one patient stay linkable. A fake never equals any original value of the column; a value
//! whose shape admits no fake that differs from every original (e.g. one digit when all ten
//! occur) is replaced by `*`s. Drawn from the recipe seed and step index.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// `{"op": "replace_random", "columns": ["phone", "name"]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceRandom {
    pub columns: Vec<String>,
}

/// A fake of the same shape as `v`.
pub fn fake(v: &str, rng: &mut impl Rng) -> String {
    v.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from(b'0' + rng.gen_range(0..10u8))
            } else if c.is_ascii_lowercase() {
                char::from(b'a' + rng.gen_range(0..26u8))
            } else if c.is_ascii_uppercase() {
                char::from(b'A' + rng.gen_range(0..26u8))
            } else if ('\u{4e00}'..='\u{9fa5}').contains(&c) {
                char::from_u32(rng.gen_range(0x4e00..=0x9fa5u32)).unwrap_or('某')
            } else if c.is_alphanumeric() {
                char::from(b'a' + rng.gen_range(0..26u8))
            } else {
                c
            }
        })
        .collect()
}

impl Op for ReplaceRandom {
    fn masks_identifiers(&self) -> bool {
        true
    }
    fn replay(&self) -> Replay {
        Replay::RawValues
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Identifier)
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut rng = ctx.rng(
            table,
            &self.columns.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let mut cells = 0;
        let mut starred = 0;
        for name in &self.columns {
            let values = super::texts(table, name);
            let originals: HashSet<&str> = values.iter().flatten().map(String::as_str).collect();
            let mut map: HashMap<&str, String> = HashMap::new();
            let mut used: HashSet<String> = HashSet::new();
            for v in values.iter().flatten() {
                if map.contains_key(v.as_str()) {
                    continue;
                }
                let mut out = None;
                for _ in 0..64 {
                    let f = fake(v, &mut rng);
                    if !originals.contains(f.as_str()) && !used.contains(&f) {
                        out = Some(f);
                        break;
                    }
                }
                let f = out.unwrap_or_else(|| {
                    starred += 1;
                    "*".repeat(v.chars().count().max(1))
                });
                used.insert(f.clone());
                map.insert(v, f);
            }
            let out: Vec<Option<String>> = values
                .iter()
                .map(|v| {
                    v.as_deref().map(|v| {
                        cells += 1;
                        map[v].clone()
                    })
                })
                .collect();
            super::set_text(table, name, out, ColumnType::Identifier);
        }
        let note = if starred > 0 {
            crate::message::op_replace_random_starred(starred)
        } else {
            crate::message::op_replace_random()
        };
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note,
            ..Effect::default()
        })
    }
}

impl Describe for ReplaceRandom {
    const DOC: &'static str = "Replaces values by random fakes of the same shape.";
    fn args() -> Vec<Arg> {
        vec![Arg::req("columns", Ty::Columns, "the columns to replace")]
    }
    fn example() -> Self {
        ReplaceRandom {
            columns: vec!["name".into(), "mrn".into(), "phone".into(), "email".into()],
        }
    }
}

impl crate::privacy::Secrets for ReplaceRandom {
    /// No argument of `ReplaceRandom` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
