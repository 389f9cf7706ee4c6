//! Helpers of the feature-step tests (`tests/features.rs`, `tests/feature_pipeline.rs`):
//! columns, fitting one step, reading values back.
#![allow(dead_code)]

use bedside::features::{fit_transform, FeatureStep, StepFit};
use bedside::table::{Column, ColumnType, Table, Values};

pub fn num(name: &str, v: &[f64]) -> Column {
    Column {
        name: name.into(),
        ctype: ColumnType::Numeric,
        values: Values::num(v.to_vec()),
    }
}

pub fn cat(name: &str, v: &[Option<&str>]) -> Column {
    Column {
        name: name.into(),
        ctype: ColumnType::Categorical,
        values: Values::str(v.iter().map(|x| x.map(str::to_string)).collect()),
    }
}

pub fn date(name: &str, v: &[Option<&str>]) -> Column {
    Column {
        ctype: ColumnType::Date,
        ..cat(name, v)
    }
}

pub fn step(j: serde_json::Value) -> FeatureStep {
    serde_json::from_value(j).expect("step parses")
}

/// Fits `steps` on `train` (labels `y`) and applies them to `test`.
pub fn fit(
    steps: &[FeatureStep],
    train: &mut Table,
    y: &mut Vec<bool>,
    test: &mut Table,
) -> Vec<StepFit> {
    fit_transform(steps, train, y, test, 7).expect("fits")
}

/// Fits one step on `train` and returns (train, test) after it.
pub fn apply(
    s: serde_json::Value,
    train: Vec<Column>,
    test: Vec<Column>,
) -> (Table, Table, StepFit) {
    let mut tr = Table::new(train);
    let mut te = Table::new(test);
    let mut y: Vec<bool> = (0..tr.rows()).map(|i| i % 2 == 1).collect();
    let f = fit(&[step(s)], &mut tr, &mut y, &mut te).pop().unwrap();
    (tr, te, f)
}

pub fn col(t: &Table, name: &str) -> Vec<f64> {
    match &t
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .values
    {
        Values::Num(v) => v.to_vec(),
        Values::Str(_) => panic!("{name} is not numeric"),
    }
}

pub fn strs(t: &Table, name: &str) -> Vec<Option<String>> {
    match &t.column(name).unwrap().values {
        Values::Str(v) => v.to_vec(),
        Values::Num(_) => panic!("{name} is numeric"),
    }
}

pub fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
    }
}

pub const NAN: f64 = f64::NAN;
