//! `k_anonymize`: find the generalization (one level per quasi-identifier) plus record
//! suppression that reaches k-anonymity (optionally distinct l-diversity of a sensitive column)
//! with the least information loss, and apply it.
//!
//! Instead of k, or with it, `average_risk` bounds the average prosecutor risk: the number of
//! classes of the generalized table (before suppression) divided by its records. Coarsening
//! merges classes, so this criterion is monotone too; and since the classes suppressed for k
//! are smaller than k, their records carry the higher risks, so the released table's average
//! risk is at most this bound (with l-diversity, larger classes may be suppressed as well and
//! the Report's measured `prosecutor_avg` is the figure to read).
//!
//! Each quasi-identifier has a *ladder* of levels: level 0 is the original value, then coarser
//! and coarser groups, and the last level is `*` (the attribute fully suppressed). Ladders are
//! given per column (`ladders`) or chosen from the column's type: numbers → bands of doubling
//! width (5, 10, 20, 40 for ages), fixed-length codes such as ZIP codes → shrinking prefixes,
//! dates → month, year, decade; other columns → original or `*`. Every level must coarsen the
//! previous one (checked), which makes the search space a lattice in which k-anonymity with
//! suppression is monotone: if a combination of levels satisfies the target with at most
//! `max_suppression` of the records suppressed, so does every coarser combination (ARX's Flash
//! and OLA rely on the same property).
//!
//! The search evaluates lattice nodes in a binary-search order of their height; a node that
//! satisfies the target tags all its ancestors as satisfying, a node that fails tags all its
//! descendants as failing, so most nodes are never evaluated. Evaluating a node counts classes
//! over precomputed integer codes packed into one `u64` per record (mixed radix) in a hash map.
//! Among the *minimal* satisfying nodes (no satisfying predecessor) the one with the least
//! non-uniform entropy (see `risk`) is applied, ties broken by fewer suppressed records and then
//! by lower levels; records of classes that still violate the target are removed and counted.
//! For ranking, the entropy uses group frequencies before suppression and counts a suppressed
//! record's values as released `*` (a bound that branch-and-bound can prune on); the Report's
//! `information_loss` is the exact figure.

pub use super::ladder::{default_ladder, DateLevel, Generalization, Ladder, Rule};
use super::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

mod classes;
mod search;
pub use classes::FxHasher;
pub use search::{FrontierPoint, Solution};

/// `{"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 5, "max_suppression": 0.05}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KAnonymize {
    pub quasi: Vec<String>,
    /// The smallest class size (default 1 when `average_risk` is given: no size criterion).
    #[serde(default = "one")]
    pub k: usize,
    /// The largest average prosecutor risk (classes / records, measured over the generalized
    /// table before suppression), with or instead of k.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_risk: Option<f64>,
    /// Distinct l-diversity of `sensitive` in every class, too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<String>,
    /// The largest share of records that may be removed (0 to 1).
    #[serde(default)]
    pub max_suppression: f64,
    /// Generalization ladders per quasi-identifier (default: from the column type).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ladders: BTreeMap<String, Ladder>,
    /// Pins the level of every quasi-identifier (column → level index, 0 = original, as in a
    /// frontier point's `level_index`): that node is applied instead of the search's choice,
    /// provided its suppression stays within `max_suppression`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, usize>,
}

fn one() -> usize {
    1
}

impl KAnonymize {
    /// The target in words: `k = 5`, `average risk ≤ 0.05`, or both.
    fn criterion(&self) -> String {
        match (self.k, self.average_risk) {
            (1, Some(r)) => format!("average risk ≤ {r}"),
            (k, Some(r)) => format!("k = {k} and average risk ≤ {r}"),
            (k, None) => format!("k = {k}"),
        }
    }

    /// The audit note: the criterion reached, the levels chosen (`column → level`), records
    /// suppressed and the search's size.
    fn note(
        &self,
        levels: Vec<crate::message::Message>,
        suppressed: usize,
        evaluated: usize,
        nodes: usize,
    ) -> crate::message::Message {
        use crate::message as msg;
        let note = match (self.k, self.average_risk) {
            (1, Some(r)) => msg::op_k_anonymize_average(r, levels, suppressed, evaluated, nodes),
            (k, Some(r)) => {
                msg::op_k_anonymize_k_average(k, r, levels, suppressed, evaluated, nodes)
            }
            (k, None) => msg::op_k_anonymize(k, levels, suppressed, evaluated, nodes),
        };
        if self.levels.is_empty() {
            note
        } else {
            msg::op_k_anonymize_pinned(note)
        }
    }

    fn ladder_for(&self, table: &Table, q: &str) -> Option<Ladder> {
        self.ladders
            .get(q)
            .cloned()
            .or_else(|| default_ladder(table, q))
    }
}

impl Op for KAnonymize {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Frozen
    }
    fn freeze(
        &self,
        training: &Table,
    ) -> Result<(super::PrivacyStep, Vec<Generalization>), ArgError> {
        let (solution, qs, _) = self.solve(training)?;
        let mut pinned = self.clone();
        let mut out = Vec::with_capacity(qs.len());
        for (q, &l) in qs.iter().zip(&solution.levels) {
            // The ladder as resolved on the training file (default ladders depend on the data).
            if let Some(ladder) = self.ladder_for(training, &q.name) {
                pinned.ladders.insert(q.name.clone(), ladder);
            }
            pinned.levels.insert(q.name.clone(), l);
            out.push(Generalization {
                column: q.name.clone(),
                level: l,
                level_name: q.level_names[l].clone(),
                rule: q.rules[l].clone(),
            });
        }
        Ok((super::PrivacyStep::KAnonymize(pinned), out))
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
        if self.quasi.is_empty() {
            return Err(("quasi", "names no column".into()));
        }
        for (i, c) in self.quasi.iter().enumerate() {
            if self.quasi[..i].contains(c) {
                return Err(("quasi", format!("names column '{c}' twice")));
            }
        }
        match self.average_risk {
            Some(r) => {
                if !(r > 0.0 && r <= 1.0) {
                    return Err(("average_risk", format!("must be in (0, 1], got {r}")));
                }
                if self.k < 1 {
                    return Err(("k", "must be at least 1".into()));
                }
            }
            None if self.k < 2 => {
                return Err((
                    "k",
                    format!("must be at least 2 (or give average_risk), got {}", self.k),
                ))
            }
            None => {}
        }
        super::ops::in_range("max_suppression", self.max_suppression, 0.0, 1.0)?;
        match (self.l, &self.sensitive) {
            (Some(l), Some(s)) => {
                if l < 2 {
                    return Err(("l", format!("must be at least 2, got {l}")));
                }
                if self.quasi.contains(s) {
                    return Err(("sensitive", "must not be a quasi-identifier".into()));
                }
            }
            (Some(_), None) => return Err(("sensitive", "l needs the sensitive column".into())),
            (None, Some(_)) => {
                return Err((
                    "l",
                    "give l (distinct sensitive values per class) with sensitive".into(),
                ))
            }
            (None, None) => {}
        }
        for (c, ladder) in &self.ladders {
            if !self.quasi.contains(c) {
                return Err(("ladders", format!("'{c}' is not one of quasi")));
            }
            ladder.check()?;
        }
        if !self.levels.is_empty() {
            for c in self.levels.keys() {
                if !self.quasi.contains(c) {
                    return Err(("levels", format!("'{c}' is not one of quasi")));
                }
            }
            if let Some(c) = self.quasi.iter().find(|c| !self.levels.contains_key(*c)) {
                return Err((
                    "levels",
                    format!("gives no level for quasi-identifier '{c}'"),
                ));
            }
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut c: Vec<(&'static str, &str)> =
            self.quasi.iter().map(|q| ("quasi", q.as_str())).collect();
        if let Some(s) = &self.sensitive {
            c.push(("sensitive", s.as_str()));
        }
        c
    }
    fn changed_columns(&self) -> Vec<&str> {
        self.quasi.iter().map(String::as_str).collect()
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let (solution, qs, kept) = self.solve(table)?;
        let mut cells = 0;
        for (q, &l) in qs.iter().zip(&solution.levels) {
            if l == 0 {
                continue; // kept as it is (numbers stay numbers)
            }
            let out: Vec<Option<String>> = q.codes[l]
                .iter()
                .map(|&c| q.labels[l][c as usize].clone())
                .collect();
            cells += out.iter().filter(|v| v.is_some()).count();
            super::ops::set_text(table, &q.name, out, ColumnType::Categorical);
        }
        let removed = table.rows() - kept.len();
        let kept_rows = (removed > 0).then(|| {
            *table = table.take_rows(&kept);
            kept
        });
        let levels: serde_json::Map<String, serde_json::Value> = qs
            .iter()
            .zip(&solution.level_names)
            .map(|(q, name)| (q.name.clone(), serde_json::json!(name)))
            .collect();
        Ok(Effect {
            rows_affected: removed,
            cells_affected: cells,
            note: self.note(
                qs.iter()
                    .zip(&solution.levels)
                    .map(|(q, &l)| {
                        crate::message::op_k_anonymize_level(
                            q.name.as_str(),
                            q.level_messages[l].clone(),
                        )
                    })
                    .collect::<Vec<_>>(),
                removed,
                solution.evaluated,
                solution.nodes,
            ),
            kept_rows,
            details: Some(serde_json::json!({
                "levels": levels,
                "suppressed_rows": removed,
                "non_uniform_entropy": solution.loss,
                "nodes": solution.nodes,
                "evaluated": solution.evaluated,
                "frontier": solution.frontier,
            })),
        })
    }
}

impl Describe for KAnonymize {
    const DOC: &'static str = "Generalizes quasi-identifiers along ladders and suppresses records until every combination has at least k records (optionally l-diverse).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("quasi", Ty::Columns, "the quasi-identifier columns"),
            Arg::def("k", Ty::Integer, json!(1), "the smallest number of records per combination (give k ≥ 2, average_risk or both)"),
            Arg::opt("average_risk", Ty::Number, "the largest average re-identification risk, classes / records before suppression (0 to 1)"),
            Arg::opt("l", Ty::Integer, "distinct values of sensitive in every class, too"),
            Arg::opt("sensitive", Ty::Column, "the sensitive column for l"),
            Arg::def("max_suppression", Ty::Number, json!(0.0), "the largest share of records that may be removed (0 to 1)"),
            Arg::def("ladders", Ty::Map, json!({}), "column → its ladder: {\"bands\": [..]}, {\"prefix\": [..]}, {\"dates\": [..]}, {\"frequent\": [..]} or {\"hierarchy\": {..}} (default: from the column type)").data(),
            Arg::def("levels", Ty::Map, json!({}), "column → level index (0 = original) for every quasi-identifier: applies that combination instead of searching (a point of privacy.frontier)"),
        ]
    }
    fn example() -> Self {
        KAnonymize {
            quasi: vec!["age".into(), "sex".into(), "zip".into()],
            k: 3,
            average_risk: None,
            l: None,
            sensitive: None,
            max_suppression: 0.1,
            ladders: BTreeMap::new(),
            levels: BTreeMap::new(),
        }
    }
}

impl crate::privacy::Secrets for KAnonymize {
    /// No argument of `KAnonymize` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}

/// Applies a frozen `k_anonymize` (see [`Op::freeze`]) to new records: each quasi-identifier at
/// a level above 0 is relabelled value by value through the training file's rule (level 0 keeps
/// the column as it is, as the training run did). No record is removed and no class size is
/// checked. Returns, per row, the first column whose value the rule cannot place, and why.
pub fn replay(table: &mut Table, frozen: &[Generalization]) -> Vec<Option<(String, String)>> {
    let n = table.rows();
    let mut bad: Vec<Option<(String, String)>> = vec![None; n];
    for g in frozen {
        if g.level == 0 {
            continue;
        }
        let Some(col) = table.column(&g.column) else {
            continue;
        };
        let out: Vec<Option<String>> = (0..n)
            .map(|r| match g.rule.label(col.values.text(r).as_deref()) {
                Ok(v) => v,
                Err(why) => {
                    if bad[r].is_none() {
                        bad[r] = Some((
                            g.column.clone(),
                            format!(
                                "{why}: the training ladder ({}) cannot place it",
                                g.level_name
                            ),
                        ));
                    }
                    None
                }
            })
            .collect();
        super::ops::set_text(table, &g.column, out, ColumnType::Categorical);
    }
    bad
}
