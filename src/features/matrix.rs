//! Model matrices: a table after the feature steps as numbers, one row per record and one
//! column per model input.
//!
//! A split's matrices are the largest things a run holds besides the loaded table. When every
//! feature step treats each column on its own ([`by_column`]), [`through`]
//! builds them from the loaded table one input column at a time, so that no copy of the split's
//! rows is held beside them (1,000,000 × 30: 240 MB less at the run's peak).

use super::{FeatureStep, Pipeline, StepCounts};
use crate::error::{Error, Result};
use crate::table::{Column, Table, Values};
use ndarray::Array2;
use std::collections::HashMap;

/// The numeric matrix of a fully encoded table (rows × columns); an error names a column that
/// is not numeric or still has missing values after the feature steps.
pub fn matrix(t: &Table) -> Result<Array2<f64>> {
    into_matrix(t.clone()) // a table's clone shares its columns
}

/// [`matrix`] of a table given up: each column is released once copied.
pub fn into_matrix(t: Table) -> Result<Array2<f64>> {
    let mut m = Array2::<f64>::zeros((t.rows(), t.columns.len()));
    for (j, c) in t.columns.into_iter().enumerate() {
        put(&mut m, j, &c)?;
    }
    Ok(m)
}

/// Copies column `c` into column `j` of `m`; an error when it is not numeric or has a missing
/// value.
fn put(m: &mut Array2<f64>, j: usize, c: &Column) -> Result<()> {
    let Values::Num(v) = &c.values else {
        return Err(Error::Data(format!(
            "column '{}' is not numeric after the feature steps",
            c.name
        )));
    };
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() {
            return Err(Error::Data(format!(
                "column '{}' still has missing values after the feature steps",
                c.name
            )));
        }
        m[[i, j]] = x;
    }
    Ok(())
}

/// Are a split's matrices under `steps` built one input column at a time ([`through`]): does
/// every step treat each column on its own ([`super::Step::column_wise`])?
pub fn by_column(steps: &[FeatureStep]) -> bool {
    steps.iter().all(FeatureStep::column_wise)
}

/// Rows `rows` of `x` through `pipeline` (fitted from `steps`), as the matrix whose columns
/// are `names` (the pipeline's outputs, in the order a whole table gets them), and, when
/// `counted`, what each step did to those rows (otherwise no counts). The same matrix and counts
/// as taking the rows, transforming them with [`Pipeline::transform_counted`] and
/// [`into_matrix`].
///
/// When the steps build it [`by_column`], the matrix is filled one input column at a time, each
/// taken, transformed and released in turn. Otherwise, or should the columns' outputs not be
/// exactly `names` once each, the rows are taken whole.
pub fn through(
    pipeline: &Pipeline,
    steps: &[FeatureStep],
    x: &Table,
    rows: &[usize],
    names: &[String],
    counted: bool,
) -> Result<(Array2<f64>, Vec<StepCounts>)> {
    let fresh = || counted.then(|| vec![StepCounts::default(); pipeline.steps.len()]);
    let mut counts = fresh();
    if by_column(steps) {
        if let Some(m) = by_columns(pipeline, x, rows, names, counts.as_deref_mut())? {
            return Ok((m, counts.unwrap_or_default()));
        }
        counts = fresh();
    }
    let mut t = x.take_rows(rows);
    pipeline.transform_counted(&mut t, counts.as_deref_mut());
    Ok((into_matrix(t)?, counts.unwrap_or_default()))
}

/// [`through`] one input column at a time; `None` when the columns' outputs are not `names`
/// once each.
fn by_columns(
    pipeline: &Pipeline,
    x: &Table,
    rows: &[usize],
    names: &[String],
    mut counts: Option<&mut [StepCounts]>,
) -> Result<Option<Array2<f64>>> {
    let mut index = HashMap::with_capacity(names.len());
    for (j, name) in names.iter().enumerate() {
        if index.insert(name.as_str(), j).is_some() {
            return Ok(None);
        }
    }
    let mut m = Array2::<f64>::zeros((rows.len(), names.len()));
    let mut seen = vec![false; names.len()];
    // The error of the first output column, as `into_matrix` finds it.
    let mut first_error: Option<(usize, Error)> = None;
    for c in &x.columns {
        let mut t = Table::new(vec![Column {
            name: c.name.clone(),
            ctype: c.ctype,
            values: c.values.take(rows),
        }]);
        pipeline.transform_counted(&mut t, counts.as_deref_mut());
        for out in &t.columns {
            let Some(&j) = index.get(out.name.as_str()) else {
                return Ok(None);
            };
            if std::mem::replace(&mut seen[j], true) {
                return Ok(None);
            }
            if first_error.as_ref().is_some_and(|(k, _)| *k < j) {
                continue;
            }
            if let Err(e) = put(&mut m, j, out) {
                first_error = Some((j, e));
            }
        }
    }
    if seen.contains(&false) {
        return Ok(None);
    }
    match first_error {
        Some((_, e)) => Err(e),
        None => Ok(Some(m)),
    }
}
