//! Feature steps: fit/transform pairs, fitted on the training rows of each split only.
//!
//! A step is fitted on a training table ([`FeatureStep::fit`]) and the fitted step transforms
//! both the training and the test table; nothing learned ever comes from test rows. Steps that
//! resample rows (`drop_rows`, `balance`) change the training rows and labels only, never the
//! test rows.
//!
//! One file per step family: [`clean`] (spellings, outliers, clipping, constant and mostly-missing
//! columns), [`missing`] (row dropping, missing indicators), [`impute`] (simple, KNN and iterative
//! imputation), [`scale`] (standard, min-max, robust, log), [`encode`] (one-hot, ordinal),
//! [`dates`] (date parts, days between, age at), [`reduce`] (PCA), [`select`] and [`balance`].

pub mod balance;
pub mod clean;
pub mod dates;
pub mod encode;
pub mod impute;
pub mod linalg;
pub mod matrix;
pub mod missing;
pub mod recode;
pub mod reduce;
pub mod scale;
pub mod select;
pub mod stats;

pub use matrix::{into_matrix, matrix};

use crate::error::ArgError;
use crate::error::{Error, Result, StepRef};
use crate::schema::Describe;
use crate::table::{Column, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a fit sees besides the training table: the training labels and a seed for the steps
/// that draw random numbers (derived from the recipe's seed and the split number).
pub struct FitContext<'a> {
    pub y: &'a [bool],
    pub seed: u64,
}

pub use crate::error::FitError;

/// A step's parameters: checked before any work, then fitted on training rows.
///
/// The facts (`reads_dates`, `encodes_categories`, `imputes`, `makes_missing`) have no default
/// on purpose: a new step must state each of them.
pub trait Step {
    /// Checks arguments that do not depend on the data.
    fn check(&self) -> std::result::Result<(), ArgError> {
        Ok(())
    }
    /// Input columns named explicitly by the step, with the argument naming each.
    fn columns(&self) -> Vec<(&'static str, &str)>;
    /// The column type the named columns must have, if any.
    fn needs(&self) -> Option<ColumnType> {
        None
    }
    /// Does this step turn the date columns it names into numbers (so they become inputs)?
    fn reads_dates(&self) -> bool;
    /// Does this step encode categories as numbers (missing included)?
    fn encodes_categories(&self) -> bool;
    /// Does this step fill missing values?
    fn imputes(&self) -> bool;
    /// Can this step make present values missing?
    fn makes_missing(&self) -> bool;
    /// Does the fitted step treat each column on its own: applied to a table of one input
    /// column, does it give exactly that column's outputs, and does it leave the rows as they
    /// are? A split's model matrices are then built one input column at a time from the loaded
    /// table ([`matrix::through`]), without a copy of the split's rows.
    fn column_wise(&self) -> bool;
    /// Learns the step's parameters from the training rows.
    fn fit(&self, train: &Table, ctx: &FitContext) -> std::result::Result<FittedStep, FitError>;
}

/// A fitted step: applies what it learned.
pub trait Fitted {
    /// Transforms `table` (training or test rows) in place; returns the number of cells it
    /// changed or created.
    fn transform(&self, table: &mut Table) -> usize;
    /// What was learned, for the audit trail.
    fn learned(&self) -> Value;
    /// Removes or adds training rows (with their labels). Only ever called on the training
    /// table, before `transform`.
    fn resample(&self, _train: &mut Table, _y: &mut Vec<bool>) {}
}

/// Declares `FittedStep` (one variant per fitted type, the list written once), `From` for each
/// fitted type, and access to the fitted step inside.
macro_rules! fitted_steps {
    ($($(#[$doc:meta])* $variant:ident($ty:ty)),* $(,)?) => {
        /// A fitted step of any kind: what it learned, serializable (a model bundle holds the
        /// fitted pipeline). Resampling steps (`drop_rows`, `balance`) save no training rows:
        /// they only ever change training rows, and a saved pipeline transforms new records.
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(tag = "fitted", rename_all = "snake_case")]
        pub enum FittedStep {
            $($(#[$doc])* $variant($ty),)*
        }
        $(impl From<$ty> for FittedStep {
            fn from(f: $ty) -> FittedStep {
                FittedStep::$variant(f)
            }
        })*
        impl FittedStep {
            fn inner(&self) -> &dyn Fitted {
                match self {
                    $(FittedStep::$variant(f) => f,)*
                }
            }
        }
    };
}

fitted_steps!(
    NormalizeCategories(clean::FittedNormalize),
    Recode(recode::FittedRecode),
    UnitOutliers(clean::FittedUnitOutliers),
    Clip(clean::FittedClip),
    /// `drop_constant` and `drop_missing`.
    DropColumns(clean::FittedDrop),
    DropRows(missing::FittedDropRows),
    MissingIndicator(missing::FittedIndicator),
    Impute(impute::FittedImpute),
    Scale(scale::FittedScale),
    Log(scale::FittedLog),
    OneHot(encode::FittedOneHot),
    Ordinal(encode::FittedOrdinal),
    /// `date_parts`, `days_between` and `age_at`.
    Dates(dates::FittedDates),
    Pca(reduce::FittedPca),
    Select(select::FittedSelect),
    Balance(balance::FittedBalance),
);

impl Fitted for FittedStep {
    fn transform(&self, table: &mut Table) -> usize {
        self.inner().transform(table)
    }
    fn learned(&self) -> Value {
        self.inner().learned()
    }
    fn resample(&self, train: &mut Table, y: &mut Vec<bool>) {
        self.inner().resample(train, y)
    }
}

/// The registry of feature steps: one line per step (`Variant(type) = "op name"`) declares the
/// `FeatureStep` enum (tagged by `op`), its names, the dispatch to [`Step`] and the schema
/// entries (from [`Describe`]) in this order.
macro_rules! feature_steps {
    ($($variant:ident($ty:ty) = $name:literal),* $(,)?) => {
        /// One feature step of a recipe, tagged by `op`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op")]
        pub enum FeatureStep {
            $(#[serde(rename = $name)] $variant($ty),)*
        }

        impl FeatureStep {
            /// Every op name, in registry order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            fn step(&self) -> &dyn Step {
                match self {
                    $(FeatureStep::$variant(s) => s,)*
                }
            }

            /// The op name as written in recipes.
            pub fn name(&self) -> &'static str {
                match self {
                    $(FeatureStep::$variant(_) => $name,)*
                }
            }

            /// One example of every step, in registry order (see [`Describe::example`]).
            pub fn examples() -> Vec<FeatureStep> {
                vec![$(FeatureStep::$variant(<$ty as Describe>::example())),*]
            }

            /// The schema entries of every step, in registry order.
            pub fn schema() -> Vec<Value> {
                vec![$(serde_json::json!({
                    "op": $name,
                    "doc": <$ty as Describe>::DOC,
                    "args": crate::schema::args_json::<$ty>(),
                })),*]
            }
        }
    };
}

feature_steps!(
    NormalizeCategories(clean::NormalizeCategories) = "normalize_categories",
    Recode(recode::Recode) = "recode",
    UnitOutliers(clean::UnitOutliers) = "unit_outliers",
    Clip(clean::Clip) = "clip",
    DropConstant(clean::DropConstant) = "drop_constant",
    DropMissing(clean::DropMissing) = "drop_missing",
    DropRows(missing::DropRows) = "drop_rows",
    MissingIndicator(missing::MissingIndicator) = "missing_indicator",
    Impute(impute::Impute) = "impute",
    Scale(scale::Scale) = "scale",
    Log(scale::Log) = "log",
    OneHot(encode::OneHot) = "one_hot",
    Ordinal(encode::Ordinal) = "ordinal",
    DateParts(dates::DateParts) = "date_parts",
    DaysBetween(dates::DaysBetween) = "days_between",
    AgeAt(dates::AgeAt) = "age_at",
    Pca(reduce::Pca) = "pca",
    Select(select::Select) = "select",
    Balance(balance::Balance) = "balance",
);

impl FeatureStep {
    /// Checks arguments that do not depend on the data.
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        self.step().check()
    }

    /// Columns named explicitly by the step (empty = all it applies to).
    pub fn columns(&self) -> Vec<&str> {
        self.step().columns().into_iter().map(|(_, c)| c).collect()
    }

    /// Columns named explicitly by the step, with the argument that names each.
    pub fn named_columns(&self) -> Vec<(&'static str, &str)> {
        self.step().columns()
    }

    /// Does the fitted step treat each column on its own (see [`Step::column_wise`])?
    pub fn column_wise(&self) -> bool {
        self.step().column_wise()
    }

    /// Does this step turn date columns into numbers?
    pub fn is_date_step(&self) -> bool {
        self.step().reads_dates()
    }

    /// Learns the step's parameters from the training table.
    pub fn fit(
        &self,
        train: &Table,
        ctx: &FitContext,
    ) -> std::result::Result<FittedStep, FitError> {
        self.step().fit(train, ctx)
    }
}

/// The date columns some date step reads: only these date columns become model inputs.
pub fn date_inputs(steps: &[FeatureStep]) -> Vec<&str> {
    steps
        .iter()
        .filter(|s| s.is_date_step())
        .flat_map(|s| s.columns())
        .collect()
}

/// The columns a step applies to: the named ones, or all that `applies` accepts.
pub(crate) fn selected<'a>(
    table: &'a Table,
    named: &Option<Vec<String>>,
    applies: impl Fn(&Column) -> bool,
) -> Vec<&'a Column> {
    table
        .columns
        .iter()
        .filter(|c| named.as_ref().is_none_or(|n| n.contains(&c.name)) && applies(c))
        .collect()
}

/// Is the column numeric (stored as numbers)?
pub(crate) fn is_numeric(c: &Column) -> bool {
    matches!(c.values, Values::Num(_))
}

/// Is the column categorical text (not a date)?
pub(crate) fn is_categorical(c: &Column) -> bool {
    matches!(c.values, Values::Str(_)) && c.ctype != ColumnType::Date
}

/// The `columns` argument of a step, as named columns.
pub(crate) fn named(columns: &Option<Vec<String>>) -> Vec<(&'static str, &str)> {
    columns
        .iter()
        .flatten()
        .map(|c| ("columns", c.as_str()))
        .collect()
}

/// Checks that an optional `columns` list is not empty.
pub(crate) fn check_columns(columns: &Option<Vec<String>>) -> std::result::Result<(), ArgError> {
    if columns.as_ref().is_some_and(|c| c.is_empty()) {
        return Err((
            "columns",
            "is empty; leave it out to use every applicable column".into(),
        ));
    }
    Ok(())
}

/// What one fitted step did on one split.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepFit {
    /// Cells changed or created (training and test rows).
    pub cells: usize,
    /// What the step learned from the training rows.
    pub learned: Value,
    /// Missing cells filled per column (training and test rows).
    pub filled: BTreeMap<String, usize>,
    /// Training rows before and after the step (they differ for resampling steps).
    pub train_rows: (usize, usize),
}

impl StepFit {
    /// Counts what the step did to more rows (the test rows, built apart).
    pub fn add(&mut self, counts: StepCounts) {
        self.cells += counts.cells;
        for (name, n) in counts.filled {
            *self.filled.entry(name).or_insert(0) += n;
        }
    }
}

fn missing_per_column(t: &Table) -> BTreeMap<String, usize> {
    t.columns
        .iter()
        .map(|c| (c.name.clone(), c.values.missing()))
        .collect()
}

/// Fits `steps` in order on the training rows (`train`, labels `y_train`) and applies each to
/// both tables. Only training rows are ever seen by a fit; steps that resample rows change
/// `train` and `y_train` together, never `test`. `seed` feeds the steps that draw random numbers.
/// Date columns are inputs of the date steps only: each is removed after the last date step
/// that reads it.
pub fn fit_transform(
    steps: &[FeatureStep],
    train: &mut Table,
    y_train: &mut Vec<bool>,
    test: &mut Table,
    seed: u64,
) -> Result<Vec<StepFit>> {
    Ok(fit_pipeline(steps, train, y_train, test, seed)?.0)
}

/// A fitted feature pipeline: every step's learned state, in order, applied to new rows with
/// [`Pipeline::transform`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pipeline {
    pub steps: Vec<FittedStep>,
    /// After each step, the date columns later steps still read (the others are removed).
    pub keep_dates: Vec<Vec<String>>,
}

impl Pipeline {
    /// Applies the fitted steps to `table` exactly as [`fit_pipeline`] applied them to the test
    /// rows: no step is refitted, no row is resampled.
    pub fn transform(&self, table: &mut Table) {
        self.transform_counted(table, None);
    }

    /// [`Self::transform`], adding what each step did to `counts` when given (one per step):
    /// the cells it changed or created and the missing cells it filled per column, as
    /// [`fit_pipeline`] counts them.
    pub fn transform_counted(&self, table: &mut Table, mut counts: Option<&mut [StepCounts]>) {
        for (i, (fitted, keep)) in self.steps.iter().zip(&self.keep_dates).enumerate() {
            let before = counts.is_some().then(|| missing_per_column(table));
            let cells = fitted.transform(table);
            drop_unread_dates(table, keep);
            if let (Some(counts), Some(before)) = (counts.as_deref_mut(), before) {
                counts[i].cells += cells;
                add_fills(&mut counts[i].filled, &before, &missing_per_column(table));
            }
        }
    }
}

/// What one fitted step did to some rows: cells changed or created, missing cells filled per
/// column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepCounts {
    pub cells: usize,
    pub filled: BTreeMap<String, usize>,
}

/// Adds to `filled` the missing cells of each column that were filled between `before` and
/// `after` (missing cells per column).
fn add_fills(
    filled: &mut BTreeMap<String, usize>,
    before: &BTreeMap<String, usize>,
    after: &BTreeMap<String, usize>,
) {
    for (name, &m) in before {
        if let Some(&n) = after.get(name) {
            if m > n {
                *filled.entry(name.clone()).or_insert(0) += m - n;
            }
        }
    }
}

/// Removes the date columns that no later step reads (`keep` lists those that one does).
fn drop_unread_dates<S: AsRef<str>>(t: &mut Table, keep: &[S]) {
    let needed = |n: &str| keep.iter().any(|k| k.as_ref() == n);
    if t.columns
        .iter()
        .any(|c| c.ctype == ColumnType::Date && !needed(&c.name))
    {
        t.columns
            .retain(|c| c.ctype != ColumnType::Date || needed(&c.name));
        *t = Table::new(std::mem::take(&mut t.columns));
    }
}

/// [`fit_transform`], also returning the fitted steps as a [`Pipeline`] that applies them to
/// new rows.
pub fn fit_pipeline(
    steps: &[FeatureStep],
    train: &mut Table,
    y_train: &mut Vec<bool>,
    test: &mut Table,
    seed: u64,
) -> Result<(Vec<StepFit>, Pipeline)> {
    let mut fits = Vec::with_capacity(steps.len());
    let mut pipeline = Pipeline {
        steps: Vec::with_capacity(steps.len()),
        keep_dates: Vec::with_capacity(steps.len()),
    };
    for (i, step) in steps.iter().enumerate() {
        let ctx = FitContext {
            y: y_train,
            seed: crate::seeds::feature_step(seed, i),
        };
        let fitted = step
            .fit(train, &ctx)
            .map_err(|m| StepRef::features(i, step.name()).error(m))?;
        let before = (missing_per_column(train), missing_per_column(test));
        let rows_before = train.rows();
        fitted.resample(train, y_train);
        let train_rows = (rows_before, train.rows());
        let cells = fitted.transform(train) + fitted.transform(test);
        // Date columns are inputs of the date steps only: drop each once no later step reads it.
        let needed = date_inputs(&steps[i + 1..]);
        for t in [&mut *train, &mut *test] {
            drop_unread_dates(t, &needed);
        }
        if train.columns.is_empty() {
            return Err(Error::recipe(
                StepRef::features(i, step.name()).to_string(),
                None,
                "no input column is left after this step; loosen its threshold or name fewer columns",
            ));
        }
        let after = (missing_per_column(train), missing_per_column(test));
        let mut filled = BTreeMap::new();
        // Resampling changes the training rows, so only count fills when the rows stayed.
        let same_rows = rows_before == train.rows();
        let pairs = [(&before.0, &after.0), (&before.1, &after.1)];
        for (b, a) in pairs.into_iter().skip(usize::from(!same_rows)) {
            add_fills(&mut filled, b, a);
        }
        fits.push(StepFit {
            cells,
            learned: fitted.learned(),
            filled,
            train_rows,
        });
        pipeline.steps.push(fitted);
        pipeline
            .keep_dates
            .push(needed.iter().map(|s| s.to_string()).collect());
    }
    Ok((fits, pipeline))
}

/// Fails early, with the step and column named, when the feature steps leave text categories,
/// dates or missing values that no model can take, or name a column of the wrong type.
pub fn check_pipeline(x: &Table, steps: &[FeatureStep]) -> Result<()> {
    let covers =
        |step: &FeatureStep, col: &str| step.columns().is_empty() || step.columns().contains(&col);
    for (i, step) in steps.iter().enumerate() {
        let Some(need) = step.step().needs() else {
            continue;
        };
        for (field, col) in step.named_columns() {
            if let Some(c) = x.column(col) {
                let ok = match need {
                    ColumnType::Categorical => is_categorical(c),
                    ColumnType::Numeric => is_numeric(c),
                    t => c.ctype == t,
                };
                if !ok {
                    return Err(Error::recipe(
                        StepRef::features(i, step.name()).to_string(),
                        Some(field),
                        format!(
                            "column '{col}' is {}, this step needs a {} column",
                            c.ctype.name(),
                            need.name()
                        ),
                    ));
                }
            }
        }
        if step.is_date_step() {
            for col in step.columns() {
                let missing = x.column(col).map_or(0, |c| c.values.missing());
                let later_impute = steps[i + 1..]
                    .iter()
                    .any(|s| s.step().imputes() && s.columns().is_empty());
                if missing > 0 && !later_impute {
                    return Err(Error::recipe(
                        StepRef::features(i, step.name()).to_string(),
                        Some("columns"),
                        format!("column '{col}' has {missing} missing date(s), so the derived feature will have missing values; add a later {{\"op\": \"impute\", \"strategy\": \"median\"}} without a column list"),
                    ));
                }
            }
        }
    }
    for c in &x.columns {
        if c.ctype == ColumnType::Date {
            continue; // only date columns named by a date step are model inputs
        }
        let imputed = steps
            .iter()
            .any(|s| s.step().imputes() && covers(s, &c.name));
        let encoded = steps
            .iter()
            .any(|s| s.step().encodes_categories() && covers(s, &c.name));
        let categorical = matches!(c.values, Values::Str(_));
        let makes_missing = steps
            .iter()
            .any(|s| s.step().makes_missing() && covers(s, &c.name));
        let missing = c.values.missing();
        // one_hot and ordinal encode a missing category, so categorical columns need no imputer.
        if (missing > 0 || makes_missing && !categorical) && !imputed && !(categorical && encoded) {
            let why = if missing > 0 {
                format!("has {missing} missing value(s)")
            } else {
                "may get missing values from unit_outliers".to_string()
            };
            return Err(Error::recipe(
                "features",
                None,
                format!("column '{}' {why} and no impute step covers it; add {{\"op\": \"impute\", \"strategy\": \"median\"}}", c.name),
            ));
        }
        if categorical && !encoded {
            return Err(Error::recipe(
                "features",
                None,
                format!("column '{}' is categorical and no one_hot step covers it; add {{\"op\": \"one_hot\"}} (or {{\"op\": \"ordinal\"}}) or give it the role ignore", c.name),
            ));
        }
    }
    Ok(())
}

/// Names a new column `base`, or `base_2`, `base_3`... if the table already has that name.
/// Rewrites the values of every numeric column that has learned parameters in `params`: `f`
/// returns the new value, or `None` to leave the cell as it is. Returns how many cells changed.
pub(crate) fn update_numeric<P>(
    table: &mut Table,
    params: &std::collections::BTreeMap<String, P>,
    mut f: impl FnMut(&P, f64) -> Option<f64>,
) -> usize {
    let mut cells = 0;
    for c in &mut table.columns {
        if let (Some(p), Values::Num(v)) = (params.get(&c.name), &mut c.values) {
            let v = std::sync::Arc::make_mut(v);
            for x in v.iter_mut() {
                if let Some(y) = f(p, *x) {
                    *x = y;
                    cells += 1;
                }
            }
        }
    }
    cells
}

pub(crate) fn fresh_name(table: &Table, base: &str) -> String {
    if table.column(base).is_none() {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}_{i}"))
        .find(|n| table.column(n).is_none())
        .unwrap_or_else(|| base.to_string())
}

/// A numeric column.
pub(crate) fn num_column(name: String, values: Vec<f64>) -> Column {
    Column {
        name,
        ctype: ColumnType::Numeric,
        values: Values::num(values),
    }
}
