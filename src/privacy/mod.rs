//! De-identification: identifier detection (`detect`), masking operators (one file each under
//! `ops/`), free-text scrubbing (`text`), risk measurement (`risk`) and automatic k-anonymity
//! (`anonymize`).
//!
//! Every operator is a serde argument struct implementing [`Op`]: `check()` validates the
//! arguments before any work, `apply()` transforms the table. Randomized operators draw from a
//! ChaCha8 generator seeded by the recipe seed, the step's index and the values the step replaces
//! ([`step_rng`]), so the same recipe, data and seed give the same masked table; the
//! pseudonymization key is the one secret.

pub mod anonymize;
pub mod attribute;
pub mod detect;
pub mod kmap;
pub mod ladder;
pub mod ops;
pub mod patterns;
pub mod population;
pub mod profile;
pub mod risk;
pub mod safe_harbor;
pub mod text;

use crate::schema::Describe;
use crate::table::{ColumnType, Table};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a step did, for the audit trail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effect {
    pub rows_affected: usize,
    pub cells_affected: usize,
    /// What the step did (a code of `crate::message`; empty when it did nothing).
    pub note: crate::message::Message,
    /// When the step removed records: the rows kept, as indices into the table it received.
    pub kept_rows: Option<Vec<usize>>,
    /// What the step decided, for the audit trail (chosen levels, loss, per-column details).
    pub details: Option<serde_json::Value>,
}

pub use crate::error::ArgError;

/// Everything a privacy step needs besides the table.
pub struct PrivacyContext<'a> {
    /// The pseudonymization key (32 bytes from the OS/browser CSPRNG unless the user gave one).
    pub key: &'a [u8],
    /// The recipe seed.
    pub seed: u64,
    /// The index of the step in `privacy`.
    pub step: usize,
    /// The table before any privacy step (scrub_text looks up same-row identifier values).
    pub original: &'a Table,
    /// For each row of the current table, its row in `original`.
    pub row_map: &'a [usize],
    /// Columns (of `original`) with the role identifier.
    pub identifiers: &'a [String],
}

impl PrivacyContext<'_> {
    /// A context over `table` alone (no earlier steps), for tests and previews.
    pub fn standalone<'a>(
        table: &'a Table,
        key: &'a [u8],
        row_map: &'a [usize],
        identifiers: &'a [String],
    ) -> PrivacyContext<'a> {
        PrivacyContext {
            key,
            seed: 0,
            step: 0,
            original: table,
            row_map,
            identifiers,
        }
    }

    /// The random generator of this step for transforming `columns` of `table`: see [`step_rng`].
    pub fn rng(&self, table: &Table, columns: &[&str]) -> ChaCha8Rng {
        step_rng(self.seed, self.step, table, columns)
    }
}

/// ChaCha8 seeded from SHA-256 of the recipe seed, the step index and the original values of
/// the columns the step transforms. Deterministic given the recipe, the data and the seed; but
/// the seed recorded in a Report is not enough to recompute the draws (and so to subtract noise
/// or undo a date shift): that also takes every original value the step replaced.
pub fn step_rng(seed: u64, step: usize, table: &Table, columns: &[&str]) -> ChaCha8Rng {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"bedside privacy step rng v1");
    h.update(seed.to_le_bytes());
    h.update((step as u64).to_le_bytes());
    for name in columns {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        if let Some(col) = table.column(name) {
            for r in 0..col.values.len() {
                match col.values.text(r) {
                    Some(v) => {
                        h.update([1]);
                        h.update((v.len() as u64).to_le_bytes());
                        h.update(v.as_bytes());
                    }
                    None => h.update([0]),
                }
            }
        }
    }
    ChaCha8Rng::from_seed(h.finalize().into())
}

/// Whether a saved model replays a privacy step on new records (see `bundle.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Applied to new records as to the training file.
    Replayed,
    /// Not applied: the step removes training records only, every new record is scored.
    TrainingRecordsOnly,
    /// Not applied: randomized during training, new records are scored on their true values.
    RawValues,
    /// Chosen over the whole training file, then applied to new records as the per-value
    /// generalization the training run chose, frozen at export ([`Op::freeze`]): no decision is
    /// made again on new records (`k_anonymize`: the chosen levels, no suppression, no k check).
    Frozen,
    /// Cannot be reproduced on new records; the text says why ("... which {why}; ...").
    Refused(&'static str),
}

impl Replay {
    /// The schema's word for it: "replayed", "skipped" or "refused".
    pub fn word(self) -> &'static str {
        match self {
            Replay::Replayed | Replay::Frozen => "replayed",
            Replay::TrainingRecordsOnly | Replay::RawValues => "skipped",
            Replay::Refused(_) => "refused",
        }
    }
}

/// One masking operator: validated arguments and the transformation.
///
/// The facts (`replay`, `masks_identifiers`, `coarsens_dates`, `scrubs_text`, `randomized`)
/// have no default on purpose: a new operator must state each of them.
/// What of a step may be written into a Report. Required of every registered operator (the
/// registry calls it), with no default: an operator with a secret argument must say so here, or
/// the secret would be copied into every Report.
pub trait Secrets: Sized {
    /// A copy safe to write into a Report: secret arguments (a user's key) replaced.
    fn redacted(&self) -> Self;
}

pub trait Op {
    /// Checks arguments that do not depend on the data.
    fn check(&self) -> Result<(), ArgError> {
        Ok(())
    }
    /// The columns this step reads (they must exist at this point), with the argument naming each.
    fn columns(&self) -> Vec<(&'static str, &str)>;
    /// The column types this step accepts for the columns of `field`, if restricted.
    fn accepts(&self, _field: &str) -> Option<&'static [ColumnType]> {
        None
    }
    /// Does this step remove every original value of its `columns` (so they may be identifiers)?
    fn masks_identifiers(&self) -> bool;
    /// Whether a saved model can apply this step to new records.
    fn replay(&self) -> Replay;
    /// For [`Replay::Frozen`]: the step as resolved on `training` (the table this step received
    /// in the training run): the step with its decisions pinned, and the per-column
    /// generalization a saved model applies to new records.
    fn freeze(
        &self,
        _training: &Table,
    ) -> Result<(PrivacyStep, Vec<ladder::Generalization>), ArgError> {
        Err(("op", "cannot be frozen for new records".into()))
    }
    /// Does this step coarsen or shift the dates of its `columns` (no exact date survives)?
    fn coarsens_dates(&self) -> bool;
    /// Does this step scrub identifiers out of the free text of its `columns`?
    fn scrubs_text(&self) -> bool;
    /// Does this step draw random numbers?
    fn randomized(&self) -> bool;
    /// The type a column of type `t` named in `columns` has after this step (`None`: removed).
    fn output_type(&self, t: ColumnType) -> Option<ColumnType> {
        Some(t)
    }
    /// The columns whose type this step changes (default: every column of `columns()`).
    fn changed_columns(&self) -> Vec<&str> {
        self.columns().into_iter().map(|(_, c)| c).collect()
    }
    /// Applies the step. Columns were checked to exist (with accepted types) by the recipe.
    /// Errors name the field and, for data problems, the data row and column (never a value).
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError>;
}

/// The registry of privacy operators: one line per operator (`Variant(type) = "op name"`)
/// declares the `PrivacyStep` enum (tagged by `op`), its names, the dispatch to [`Op`] and the
/// schema entries (from [`Describe`]) in this order, the order the page offers them.
macro_rules! privacy_ops {
    ($($variant:ident($ty:ty) = $name:literal),* $(,)?) => {
        /// One privacy operation of a recipe, tagged by `op`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op")]
        pub enum PrivacyStep {
            $(#[serde(rename = $name)] $variant($ty),)*
        }

        impl PrivacyStep {
            /// Every op name, in registry order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// The operator behind this step.
            pub fn op(&self) -> &dyn Op {
                match self {
                    $(PrivacyStep::$variant(s) => s,)*
                }
            }

            /// The op name as written in recipes.
            pub fn name(&self) -> &'static str {
                match self {
                    $(PrivacyStep::$variant(_) => $name,)*
                }
            }

            /// A copy safe to write into a Report: each operator's [`Secrets::redacted`].
            pub fn redacted(&self) -> PrivacyStep {
                match self {
                    $(PrivacyStep::$variant(s) => PrivacyStep::$variant(<$ty as Secrets>::redacted(s)),)*
                }
            }

            /// One example of every operator, in registry order (see [`Describe::example`]).
            pub fn examples() -> Vec<PrivacyStep> {
                vec![$(PrivacyStep::$variant(<$ty as Describe>::example())),*]
            }

            /// The schema entries of every operator, in registry order; the facts are those of
            /// its example (only `suppress` changes its replay with its arguments).
            pub fn schema() -> Vec<serde_json::Value> {
                vec![$({
                    let example = PrivacyStep::$variant(<$ty as Describe>::example());
                    serde_json::json!({
                        "op": $name,
                        "doc": <$ty as Describe>::DOC,
                        "args": crate::schema::args_json::<$ty>(),
                        "facts": example.facts(),
                    })
                }),*]
            }
        }
    };
}

privacy_ops!(
    Drop(ops::drop::Drop) = "drop",
    Redact(ops::redact::Redact) = "redact",
    Mask(ops::mask::Mask) = "mask",
    Pseudonymize(ops::pseudonymize::Pseudonymize) = "pseudonymize",
    ReplaceRandom(ops::replace_random::ReplaceRandom) = "replace_random",
    Noise(ops::noise::Noise) = "noise",
    Generalize(ops::generalize::Generalize) = "generalize",
    Hierarchy(ops::hierarchy::Hierarchy) = "hierarchy",
    Truncate(ops::truncate::Truncate) = "truncate",
    Date(ops::date::DateOp) = "date",
    DateShift(ops::date_shift::DateShift) = "date_shift",
    Microaggregate(ops::microaggregate::Microaggregate) = "microaggregate",
    Pram(ops::pram::Pram) = "pram",
    Suppress(ops::suppress::Suppress) = "suppress",
    Deduplicate(ops::deduplicate::Deduplicate) = "deduplicate",
    ScrubText(ops::scrub_text::ScrubText) = "scrub_text",
    KAnonymize(anonymize::KAnonymize) = "k_anonymize",
);

impl PrivacyStep {
    /// The facts of this step as the schema states them.
    pub fn facts(&self) -> serde_json::Value {
        let op = self.op();
        serde_json::json!({
            "replay": op.replay().word(),
            "masks_identifiers": op.masks_identifiers(),
            "coarsens_dates": op.coarsens_dates(),
            "scrubs_text": op.scrubs_text(),
            "randomized": op.randomized(),
        })
    }

    /// Checks arguments that do not depend on the data.
    pub fn check(&self) -> Result<(), ArgError> {
        self.op().check()
    }

    /// The columns this step reads, with the argument that names each.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        self.op().columns()
    }

    /// The column types accepted for the columns named by `field`, if restricted.
    pub fn accepts(&self, field: &str) -> Option<&'static [ColumnType]> {
        self.op().accepts(field)
    }

    /// Does this step remove every original value of its columns (so they may be identifiers)?
    pub fn masks_identifiers(&self) -> bool {
        self.op().masks_identifiers()
    }

    /// Updates a name → type map as this step would change the table.
    pub fn update_types(&self, types: &mut BTreeMap<String, ColumnType>) {
        let op = self.op();
        for c in op.changed_columns() {
            if let Some(t) = types.get(c).copied() {
                match op.output_type(t) {
                    Some(out) => types.insert(c.to_string(), out),
                    None => types.remove(c),
                };
            }
        }
    }

    /// Applies the step.
    pub fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        self.op().apply(table, ctx)
    }

    /// See [`Op::freeze`].
    pub fn freeze(
        &self,
        training: &Table,
    ) -> Result<(PrivacyStep, Vec<ladder::Generalization>), ArgError> {
        self.op().freeze(training)
    }
}
