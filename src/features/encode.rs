//! `one_hot` (indicator columns `name=value`) and `ordinal` (one number per category).
//!
//! Categories are learned from the training rows. With `one_hot`, a value unseen in training
//! (or a missing value) becomes all zeros, as scikit-learn's
//! `OneHotEncoder(handle_unknown="ignore")`; with `min_frequency`, training categories seen in
//! fewer rows are grouped into one `name=other` column, and unseen test values go there too
//! (scikit-learn's `handle_unknown="infrequent_if_exist"`).
//!
//! A column never makes more than `max_categories` indicator columns (default
//! [`DEFAULT_MAX_CATEGORIES`], as scikit-learn's `max_categories`, which counts the `other`
//! column): when its training rows hold more categories, the `max_categories − 1` most frequent
//! (ties: the first in sorted order) are kept and the rest grouped into `other`. A free-text-like
//! column of 4,000 distinct cities thus makes 20 inputs, not 4,000 (issue #16).

use super::{
    check_columns, is_categorical, named, selected, FitContext, FitError, Fitted, FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{Column, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The label of the grouped rare categories.
pub const OTHER: &str = "other";

/// Indicator columns per encoded column at most, unless `max_categories` says otherwise.
pub const DEFAULT_MAX_CATEGORIES: usize = 20;

/// `{"op": "one_hot"}`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneHot {
    /// Categories in fewer training rows than this (a count ≥ 1, or a fraction < 1 of the
    /// training rows) are grouped into `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_frequency: Option<f64>,
    /// Indicator columns per column at most, `other` included (default
    /// [`DEFAULT_MAX_CATEGORIES`]; 0: no cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_categories: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedOneHot {
    /// Kept categories per column, in sorted order.
    pub categories: BTreeMap<String, Vec<String>>,
    /// Categories grouped into `other` per column (only columns with an `other` group).
    pub grouped: BTreeMap<String, Vec<String>>,
}

/// Category counts of a string column's training values, in sorted order.
fn counts(v: &[Option<String>]) -> BTreeMap<&String, usize> {
    let mut counts = BTreeMap::new();
    for x in v.iter().flatten() {
        *counts.entry(x).or_insert(0) += 1;
    }
    counts
}

impl Step for OneHot {
    fn reads_dates(&self) -> bool {
        false
    }
    fn encodes_categories(&self) -> bool {
        true
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    fn column_wise(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)?;
        if self
            .min_frequency
            .is_some_and(|f| !f.is_finite() || f <= 0.0 || (f > 1.0 && f.fract() != 0.0))
        {
            return Err((
                "min_frequency",
                "must be a fraction between 0 and 1 or a whole count ≥ 1".into(),
            ));
        }
        if self.max_categories == Some(1) {
            return Err((
                "max_categories",
                "must be at least 2 (or 0: no cap): one column would tell nothing".into(),
            ));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        Ok(FittedStep::from(self.fit_table(train)))
    }
}

impl OneHot {
    pub fn fit_table(&self, train: &Table) -> FittedOneHot {
        let min = match self.min_frequency {
            Some(f) if f < 1.0 => (f * train.rows() as f64).ceil() as usize,
            Some(f) => f as usize,
            None => 0,
        };
        let cap = self.max_categories.unwrap_or(DEFAULT_MAX_CATEGORIES);
        let mut categories = BTreeMap::new();
        let mut grouped = BTreeMap::new();
        for c in selected(train, &self.columns, is_categorical) {
            let Values::Str(v) = &c.values else { continue };
            let (mut keep, mut rare): (Vec<_>, Vec<_>) =
                counts(v).into_iter().partition(|&(_, n)| n >= min);
            let columns = keep.len() + usize::from(!rare.is_empty());
            if cap > 1 && columns > cap {
                // The cap − 1 most frequent stay (ties: sorted order); the rest join `other`.
                let mut by_count: Vec<usize> = (0..keep.len()).collect();
                by_count.sort_by(|&a, &b| keep[b].1.cmp(&keep[a].1).then(a.cmp(&b)));
                let mut stays = vec![false; keep.len()];
                by_count[..cap - 1].iter().for_each(|&i| stays[i] = true);
                let all = std::mem::take(&mut keep);
                for (i, kv) in all.into_iter().enumerate() {
                    if stays[i] {
                        keep.push(kv);
                    } else {
                        rare.push(kv);
                    }
                }
                rare.sort();
            }
            let mut keep: Vec<String> = keep.into_iter().map(|(k, _)| k.clone()).collect();
            if !rare.is_empty() {
                let rare: Vec<String> = rare.into_iter().map(|(k, _)| k.clone()).collect();
                if !keep.iter().any(|k| k == OTHER) {
                    keep.push(OTHER.to_string());
                    keep.sort();
                }
                grouped.insert(c.name.clone(), rare);
            }
            categories.insert(c.name.clone(), keep);
        }
        FittedOneHot {
            categories,
            grouped,
        }
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
                    let has_other = self.grouped.contains_key(&c.name);
                    let label = |x: &Option<String>| -> Option<String> {
                        let x = x.as_ref()?;
                        if cats.contains(x) {
                            Some(x.clone())
                        } else {
                            has_other.then(|| OTHER.to_string())
                        }
                    };
                    let labels: Vec<Option<String>> = v.iter().map(label).collect();
                    for cat in cats {
                        let ind: Vec<f64> = labels
                            .iter()
                            .map(|x| if x.as_ref() == Some(cat) { 1.0 } else { 0.0 })
                            .collect();
                        created += ind.len();
                        out.push(Column {
                            name: format!("{}={}", c.name, cat),
                            ctype: ColumnType::Numeric,
                            values: Values::num(ind),
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
        if self.grouped.is_empty() {
            json!(self.categories)
        } else {
            json!({"categories": self.categories, "grouped_into_other": self.grouped})
        }
    }
}

/// `{"op": "ordinal"}`: each category becomes its index in the sorted training categories (or
/// in `order`, when given for the column). Missing and unseen values become -1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ordinal {
    /// An explicit order per column (e.g. `{"stage": ["I", "II", "III"]}`); training values not
    /// listed are an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedOrdinal {
    pub categories: BTreeMap<String, Vec<String>>,
}

impl Step for Ordinal {
    fn reads_dates(&self) -> bool {
        false
    }
    fn encodes_categories(&self) -> bool {
        true
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    fn column_wise(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)?;
        for (col, values) in self.order.iter().flatten() {
            if values.is_empty() {
                return Err(("order", format!("the order of column '{col}' is empty")));
            }
            let mut sorted = values.clone();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != values.len() {
                return Err((
                    "order",
                    format!("the order of column '{col}' repeats a value"),
                ));
            }
            if self.columns.as_ref().is_some_and(|c| !c.contains(col)) {
                return Err((
                    "order",
                    format!("column '{col}' has an order but is not in columns"),
                ));
            }
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut cols = named(&self.columns);
        for col in self.order.iter().flat_map(|o| o.keys()) {
            if !cols.iter().any(|(_, c)| c == col) {
                cols.push(("order", col.as_str()));
            }
        }
        cols
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let mut categories = BTreeMap::new();
        for c in selected(train, &self.columns, is_categorical) {
            let Values::Str(v) = &c.values else { continue };
            let seen: Vec<String> = counts(v).into_keys().cloned().collect();
            let cats = match self.order.as_ref().and_then(|o| o.get(&c.name)) {
                Some(order) => {
                    if let Some(extra) = seen.iter().position(|s| !order.contains(s)) {
                        return Err(format!(
                            "column '{}' has a training value (the {}th distinct one in sorted order) that is not in its order list",
                            c.name,
                            extra + 1
                        ));
                    }
                    order.clone()
                }
                None => seen,
            };
            categories.insert(c.name.clone(), cats);
        }
        Ok(FittedStep::from(FittedOrdinal { categories }))
    }
}

impl Fitted for FittedOrdinal {
    fn transform(&self, table: &mut Table) -> usize {
        let mut cells = 0;
        for c in &mut table.columns {
            let (Some(cats), Values::Str(v)) = (self.categories.get(&c.name), &c.values) else {
                continue;
            };
            let codes: Vec<f64> = v
                .iter()
                .map(|x| {
                    x.as_ref()
                        .and_then(|x| cats.iter().position(|k| k == x))
                        .map_or(-1.0, |i| i as f64)
                })
                .collect();
            cells += codes.len();
            c.values = Values::num(codes);
            c.ctype = ColumnType::Numeric;
        }
        cells
    }

    fn learned(&self) -> Value {
        json!(self.categories)
    }
}

impl Describe for OneHot {
    const DOC: &'static str = "Turns each category into a 0/1 column.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::opt(
                "min_frequency",
                Ty::Number,
                "categories rarer than this share are grouped together",
            ),
            Arg::def(
                "max_categories",
                Ty::Integer,
                json!(DEFAULT_MAX_CATEGORIES),
                "the most 0/1 columns per column, other included; the rarest are grouped (0: no cap)",
            ),
            Arg::opt(
                "columns",
                Ty::Columns,
                "the categorical columns (default: all)",
            ),
        ]
    }
    fn example() -> Self {
        OneHot {
            min_frequency: None,
            max_categories: None,
            columns: None,
        }
    }
}

impl Describe for Ordinal {
    const DOC: &'static str =
        "Turns categories into their rank in a given order (or sorted order).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::opt(
                "order",
                Ty::Map,
                "column → its categories from lowest to highest",
            )
            .data(),
            Arg::opt(
                "columns",
                Ty::Columns,
                "the categorical columns (default: all)",
            ),
        ]
    }
    fn example() -> Self {
        Ordinal {
            order: Some(
                [(
                    "smoker".to_string(),
                    vec!["no".to_string(), "yes".to_string()],
                )]
                .into_iter()
                .collect(),
            ),
            columns: Some(vec!["smoker".into()]),
        }
    }
}
