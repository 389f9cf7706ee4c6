//! Running a recipe on a table: the privacy steps, then cross-validated feature steps and
//! models, then the report.
//!
//! A run is three calls, which a pool of workers makes apart (each worker computing some of the
//! units) with the same report as [`run`] makes them in one go:
//!
//! 1. [`stage`] (`stage.rs`): the privacy steps ([`apply_privacy`]), the risk before and after,
//!    and the modelling prepared ([`prepare`], `prepare.rs`: target, inputs, groups, fairness
//!    subgroups, splits), with the original data's for the cost of privacy (`original.rs`).
//! 2. [`run_splits`] (`units.rs`): units of work, one model on one split, scheduled on the
//!    threads natively; each split's feature steps and models fitted by `fold.rs`, the one path
//!    a split is fitted by (also in a nested search, `search.rs`, and a model file's final fit).
//!    Between 2 and 3, [`model_intervals`] (`intervals.rs`) may compute a model's bootstraps
//!    (its metrics' intervals, a classifier's calibration) as soon as its units are done.
//! 3. [`finish`] (`finish.rs`, `assemble.rs`): the report.
//!
//! [`preview`] (`preview.rs`) applies the privacy steps alone, for the page as the user edits
//! them. What a face hands a run (progress, clock, key) is in `context.rs`; every derived seed
//! in [`crate::seeds`]; the parallel loops go through [`crate::par`].

mod assemble;
mod context;
mod estimate;
mod finish;
pub mod fold;
mod intervals;
mod original;
mod predictions;
mod prepare;
mod preview;
pub mod search;
mod stage;
pub mod survival;
mod units;

pub use context::{new_key, Context, Output, Progress};
pub use estimate::{estimate_run, Estimate};
pub use finish::finish;
pub use fold::ModelFold;
pub use intervals::{model_intervals, Bootstraps, ModelIntervals};
pub use predictions::OutOfFold;
pub use prepare::{prepare, Prepared};
pub use preview::{notes_review, preview, Preview};
pub use stage::{apply_privacy, stage, Masked, Staged};
pub use units::{explain_splits, run_splits, score_splits, FoldResult};

use crate::error::Result;
use crate::recipe::Recipe;
use crate::table::profile::InputSummary;
use crate::table::Table;

/// Runs `recipe` on `table` (read from the file summarized by `input`): [`stage`], every split
/// with [`run_splits`], then [`finish`]. A pool of workers calls the three apart, each worker
/// computing some of the splits; the report is the same either way.
pub fn run(
    table: &Table,
    input: InputSummary,
    recipe: &Recipe,
    ctx: &mut Context,
) -> Result<Output> {
    let staged = stage(table, input, recipe, ctx)?;
    let all: Vec<usize> = (0..staged.units()).collect();
    let results = run_splits(&staged, recipe, &all, ctx)?;
    finish(staged, recipe, results, Vec::new(), ctx)
}

/// A recipe step's arguments as the audit shows them: its JSON without the `op` tag.
fn args_of<T: serde::Serialize>(step: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(step).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("op");
    }
    v
}
