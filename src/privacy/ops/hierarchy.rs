//! `hierarchy`: replace values by a group of a user-given hierarchy, at a chosen level.
//!
//! `hierarchy` maps each value to its groups from the finest to the coarsest:
//! `{"J10": ["influenza", "respiratory"], "J45": ["asthma", "respiratory"]}`; `level` 1 picks the
//! first group, 2 the second... A value missing from the map is an error naming the data row and
//! column, unless `default` gives a group for unmapped values.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `{"op": "hierarchy", "column": "dx", "hierarchy": {"J10": ["influenza", "respiratory"]}, "level": 2}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hierarchy {
    pub column: String,
    pub hierarchy: BTreeMap<String, Vec<String>>,
    pub level: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// Checks a value → groups map: non-empty, every value with the same number of levels.
pub fn check_map(
    field: &'static str,
    map: &BTreeMap<String, Vec<String>>,
) -> Result<usize, ArgError> {
    let depth = map.values().next().map_or(0, Vec::len);
    if map.is_empty() || depth == 0 {
        return Err((
            field,
            "must map at least one value to at least one group".into(),
        ));
    }
    if map.values().any(|g| g.len() != depth) {
        return Err((
            field,
            format!("every value needs the same number of levels ({depth})"),
        ));
    }
    Ok(depth)
}

impl Op for Hierarchy {
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
        false
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        let depth = check_map("hierarchy", &self.hierarchy)?;
        if self.level == 0 || self.level > depth {
            return Err((
                "level",
                format!("must be between 1 and {depth}, got {}", self.level),
            ));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![("column", self.column.as_str())]
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut cells = 0;
        let mut out = Vec::with_capacity(table.rows());
        for (r, v) in super::texts(table, &self.column).into_iter().enumerate() {
            out.push(match v {
                None => None,
                Some(v) => {
                    cells += 1;
                    match (self.hierarchy.get(&v), &self.default) {
                        (Some(g), _) => Some(g[self.level - 1].clone()),
                        (None, Some(d)) => Some(d.clone()),
                        (None, None) => {
                            return Err(super::cell_error(
                                "hierarchy",
                                r,
                                &self.column,
                                "value not in the hierarchy (add it, or give a default)",
                            ))
                        }
                    }
                }
            });
        }
        super::set_text(table, &self.column, out, ColumnType::Categorical);
        Ok(Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: crate::message::op_hierarchy(self.level),
            ..Effect::default()
        })
    }
}

impl Describe for Hierarchy {
    const DOC: &'static str = "Replaces categories by a coarser group from a value → groups map.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("column", Ty::Column, "the column to generalize"),
            Arg::req(
                "hierarchy",
                Ty::Map,
                "each value → its groups from finest to coarsest",
            )
            .data(),
            Arg::req(
                "level",
                Ty::Integer,
                "how many levels up (1 = the first group)",
            ),
            Arg::opt(
                "default",
                Ty::String,
                "the group of values the map does not name",
            )
            .data(),
        ]
    }
    fn example() -> Self {
        Hierarchy {
            column: "dx".into(),
            hierarchy: [
                ("flu", "respiratory"),
                ("asthma", "respiratory"),
                ("copd", "respiratory"),
                ("sepsis", "infection"),
            ]
            .into_iter()
            .map(|(v, g)| (v.to_string(), vec![g.to_string()]))
            .collect(),
            level: 1,
            default: None,
        }
    }
}

impl crate::privacy::Secrets for Hierarchy {
    /// No argument of `Hierarchy` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
