//! Every seed the core derives from the recipe's `seed`, named once.
//!
//! A Report records the recipe seed only; these functions are how every random draw of a run
//! follows from it, so the same recipe, data and seed give the same report, natively and in the
//! browser, however the work is shared out. Changing any of them changes reports.
//!
//! Outside this file, randomness comes from these seeds only: a privacy step seeds ChaCha8 with
//! a SHA-256 of the recipe seed, its index and the values it replaces (`privacy::step_rng`); a
//! model draws from the seed it is fitted with (tree `t` of a random forest from stream `t` of
//! it); a feature step from [`feature_step`].
//!
//! ```
//! use bedside::seeds;
//! assert_eq!(seeds::split(7, 2), 9);
//! assert_eq!(seeds::inner_split(seeds::split_search(7, 2), 1), seeds::split_search(7, 2) + 1);
//! ```

/// The golden-ratio multiplier (2^64 / φ) that spreads consecutive numbers over the seeds.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The shuffle of the evaluation's outer splits: the recipe seed as is.
pub fn outer_splits(seed: u64) -> u64 {
    seed
}

/// Outer split `split` (from 0): its feature steps are fitted, and every model on it, with this.
pub fn split(seed: u64, split: usize) -> u64 {
    seed.wrapping_add(split as u64)
}

/// Feature step `step` (from 0) of a pipeline fitted with `pipeline` (one of [`split`],
/// [`inner_split`] or [`final_fit`]): what a step that draws (today `balance`) draws from.
pub fn feature_step(pipeline: u64, step: usize) -> u64 {
    pipeline.wrapping_add(step as u64).wrapping_mul(GOLDEN)
}

/// The nested search of a model on outer split `split`: it shuffles the search's inner folds,
/// and [`inner_split`] of it seeds the fits on them.
pub fn split_search(seed: u64, split: usize) -> u64 {
    seed.wrapping_add(split as u64)
        .wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Inner fold `fold` (from 0) of a search seeded `search`: its feature steps and every
/// candidate's fit on it.
pub fn inner_split(search: u64, fold: usize) -> u64 {
    search.wrapping_add(fold as u64)
}

/// The inner folds a recalibrated model or a threshold rule uses inside a training split whose
/// model is fitted with `fit` ([`split`] or [`final_fit`]): they are shuffled with this, and
/// inner fold `j`'s model is fitted with [`inner_split`] of it.
pub fn clinical_inner(fit: u64) -> u64 {
    fit.wrapping_mul(GOLDEN).wrapping_add(0xC11A1C)
}

/// The draws of a random search of model `model` (its position in the recipe): its candidates,
/// the same on every split.
pub fn search_draws(seed: u64, model: usize) -> u64 {
    seed.wrapping_mul(GOLDEN)
        .wrapping_add(0x5EA2C4 + model as u64)
}

/// The shuffles of the permutation importance of model `model` on outer split `split`, of
/// `splits` splits (one seed per model and split; the product is taken in `usize`, as it
/// always was, so wasm32 and native agree for any realistic count).
pub fn permutation(seed: u64, splits: usize, model: usize, split: usize) -> u64 {
    seed.wrapping_mul(1_000_003)
        .wrapping_add((model * splits + split) as u64)
}

/// The bootstrap resamples of model `model`'s pooled out-of-fold predictions (its intervals).
pub fn intervals(seed: u64, model: usize) -> u64 {
    seed.wrapping_add(model as u64)
}

/// A model file's final fit on all labelled rows: its feature steps, its nested search (which
/// shuffles its inner folds with this and fits them with [`inner_split`] of it) and its model.
/// The recipe seed as is.
pub fn final_fit(seed: u64) -> u64 {
    seed
}

/// The explanations of model `model` on outer split `split` (or of a model file's final fit,
/// with `split` 0 and the [`final_fit`] seed): the background sample and the test rows
/// explained; with [`shap_dependence`] the rows partial dependence is averaged over, and with
/// [`shap_row`] each row's permutations.
pub fn shap(seed: u64, model: usize, split: usize) -> u64 {
    seed.wrapping_mul(GOLDEN)
        .wrapping_add(0x5A4B_0000_0000 + ((model as u64) << 20) + split as u64)
}

/// Explained row `row` (from 0) of explanations seeded `shap`.
pub fn shap_row(shap: u64, row: usize) -> u64 {
    shap.wrapping_add(row as u64).wrapping_mul(GOLDEN)
}

/// The training rows partial dependence is averaged over, for explanations seeded `shap`.
/// Fixed in `u64`: it was once `shap_row(shap, usize::MAX)`, which is 2^64 − 1 natively but
/// 2^32 − 1 in wasm32, so the page averaged other training rows than the CLI and its curves
/// differed (0.1423 against 0.1455 at one point). This keeps the native value.
pub fn shap_dependence(shap: u64) -> u64 {
    shap.wrapping_add(u64::MAX).wrapping_mul(GOLDEN)
}
