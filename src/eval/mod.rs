//! Evaluation: splitting rows into folds and scoring predictions.

pub mod metrics;
pub mod split;
