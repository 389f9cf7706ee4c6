//! `one_hot`: turn each categorical column into 0/1 indicator columns `name=value`.
//!
//! Categories are learned from the training rows; a value unseen in training (or a missing
//! value) becomes all zeros, as scikit-learn's `OneHotEncoder(handle_unknown="ignore")`.

use super::{selected, Fitted};
use crate::table::{Column, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// `{"op": "one_hot"}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneHot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

pub struct FittedOneHot {
    pub categories: BTreeMap<String, Vec<String>>,
}

impl OneHot {
    pub fn fit(&self, train: &Table) -> FittedOneHot {
        let mut categories = BTreeMap::new();
        for c in selected(train, &self.columns, |c| matches!(c.values, Values::Str(_))) {
            let Values::Str(v) = &c.values else { continue };
            let set: BTreeSet<&String> = v.iter().flatten().collect();
            categories.insert(c.name.clone(), set.into_iter().cloned().collect());
        }
        FittedOneHot { categories }
    }
}

impl Fitted for FittedOneHot {
    fn transform(&self, table: &mut Table) -> usize {
        let mut created = 0;
        let columns = std::mem::take(&mut table.columns);
        let mut out = Vec::with_capacity(columns.len());
        for c in columns {
            match (self.categories.get(&c.name), &c.values) {
                (Some(cats), Values::Str(v)) => {
                    for cat in cats {
                        let ind: Vec<f64> = v
                            .iter()
                            .map(|x| if x.as_ref() == Some(cat) { 1.0 } else { 0.0 })
                            .collect();
                        created += ind.len();
                        out.push(Column {
                            name: format!("{}={}", c.name, cat),
                            ctype: ColumnType::Numeric,
                            values: Values::Num(ind),
                        });
                    }
                }
                _ => out.push(c),
            }
        }
        *table = Table::new(out);
        created
    }

    fn learned(&self) -> Value {
        json!(self.categories)
    }
}
