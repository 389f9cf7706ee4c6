//! Evaluation: splitting rows into folds, scoring predictions, curves, intervals, comparisons
//! and explanations.

pub mod calibration;
pub mod curves;
pub mod decision;
pub mod fairness;
pub mod importance;
pub mod leakage;
pub mod metrics;
pub mod recalibrate;
pub mod sample_size;
pub mod search;
pub mod split;
pub mod threshold;
pub mod uncertainty;
