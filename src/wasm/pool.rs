//! The pool's calls: a run staged once per worker, its units computed in any split between the
//! workers, one model's bootstraps, and the report assembled (www/scheduler.js decides who does what).

use super::{check_key, err, forward, js_error, now_ms, output, recipe_of, to_js, Session};
use crate::recipe::Recipe;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// One of the pipeline's unit calls (`run_splits`, `score_splits`, `explain_splits`).
type UnitsCall = fn(
    &crate::pipeline::Staged,
    &Recipe,
    &[usize],
    &mut crate::pipeline::Context,
) -> crate::Result<Vec<crate::pipeline::FoldResult>>;

/// A run staged on this worker (for its recipe, as JSON text, and key), with the results of
/// the units this worker computed for it: `finish` takes those from here, so that a run whose
/// units all ran where it finishes (one worker: a large table) hands no results over at all
/// (1,000,000 rows: tens of MB of JSON text less in the worker's memory as the report is built).
pub(super) struct StagedRun {
    recipe: String,
    key: Vec<u8>,
    staged: crate::pipeline::Staged,
    held: Vec<crate::pipeline::FoldResult>,
}

#[wasm_bindgen]
impl Session {
    /// Pool, step 1: applies the privacy steps with `key` (random bytes from the page, shared by
    /// the pool's workers for the run, never stored) and prepares the splits. Returns how many
    /// units of work there are (every model on every split: unit `u` is model `u % models` of
    /// split `u / models`). Later calls with the same recipe and key reuse this work.
    pub fn stage(
        &self,
        recipe: JsValue,
        key: &[u8],
        on_progress: Option<Function>,
    ) -> Result<usize, JsValue> {
        let recipe = recipe_of(recipe)?;
        let units = self.ensure_staged(&recipe, key, on_progress.clone())?;
        // Ends with the plan of the whole run (the estimated time of every unit), from which the
        // page weighs the progress of the units and estimates the time left.
        let cache = self.staged.borrow();
        if let (Some(f), Some(run)) = (&on_progress, cache.as_ref()) {
            let plan = run
                .staged
                .estimate(&recipe, &(0..units).collect::<Vec<_>>());
            let p = crate::pipeline::Progress {
                stage: "plan".into(),
                done: 1,
                total: 1,
                message: format!(
                    "{} unit(s), about {:.0} s estimated",
                    units,
                    plan.total_ms / 1000.0
                ),
                phase: "plan".into(),
                unit: None,
                plan: Some(plan),
            };
            if let Ok(v) = to_js(&p) {
                let _ = f.call1(&JsValue::NULL, &v);
            }
        }
        Ok(units)
    }

    /// Pool, step 2: computes the units `which` (numbers from 0); the results as JSON text,
    /// also kept here for `finish` on this worker.
    pub fn run_splits(
        &self,
        recipe: JsValue,
        key: &[u8],
        which: Vec<u32>,
        on_progress: Option<Function>,
    ) -> Result<String, JsValue> {
        self.units_call(recipe, key, which, on_progress, crate::pipeline::run_splits)
    }

    /// Pool, step 2 in two calls: the units `which` fitted and scored but not explained (their
    /// predictions complete, so another worker can start their model's bootstraps), as
    /// `run_splits` gives them otherwise; `explain_splits` on this worker completes them.
    pub fn score_splits(
        &self,
        recipe: JsValue,
        key: &[u8],
        which: Vec<u32>,
        on_progress: Option<Function>,
    ) -> Result<String, JsValue> {
        self.units_call(
            recipe,
            key,
            which,
            on_progress,
            crate::pipeline::score_splits,
        )
    }

    /// Pool: the units `which` that `score_splits` computed on this worker, completed with their
    /// explanations (permutation importance, SHAP): the same results as `run_splits`.
    pub fn explain_splits(
        &self,
        recipe: JsValue,
        key: &[u8],
        which: Vec<u32>,
        on_progress: Option<Function>,
    ) -> Result<String, JsValue> {
        self.units_call(
            recipe,
            key,
            which,
            on_progress,
            crate::pipeline::explain_splits,
        )
    }

    /// Pool, after step 2 on the workers that do not finish: drops the staged run (the masked
    /// table, the splits, the feature steps last fitted, the results kept), which no later run
    /// reuses since each run has a fresh key; the worker's heap then serves its next task. A
    /// later call for the same run stages it again.
    pub fn release(&self) {
        self.staged.replace(None);
    }

    /// Pool, between steps 2 and 3: one model's bootstraps (its metrics' intervals, a
    /// classifier's calibration) from the results of all its units (a JSON array of them, or an
    /// array of such texts: see `fold_results`), as JSON text for `finish`.
    pub fn intervals(
        &self,
        recipe: JsValue,
        key: &[u8],
        results: JsValue,
    ) -> Result<String, JsValue> {
        let recipe = recipe_of(recipe)?;
        let results = fold_results(&results)?;
        self.ensure_staged(&recipe, key, None)?;
        let cache = self.staged.borrow();
        let Some(run) = cache.as_ref() else {
            return Err(js_error("the run was not staged"));
        };
        let iv = crate::pipeline::model_intervals(&run.staged, &recipe, results, &now_ms)
            .map_err(err)?;
        serde_json::to_string(&iv).map_err(|e| js_error(&e.to_string()))
    }

    /// Pool, step 3: the report from the results of every unit and the intervals computed apart
    /// (a JSON array of `intervals` results, possibly empty: the others are computed here).
    /// `results`: those of the units computed on other workers (a JSON array of them, in any
    /// order, or an array of such texts: see `fold_results`); this worker takes the results of
    /// the units it computed for the run from its own memory, unless given. Returns
    /// `{report, masked_csv}` as `run` does.
    /// `on_progress` (optional) as for `run`: the phases of assembling the report.
    pub fn finish(
        &self,
        recipe: JsValue,
        key: &[u8],
        results: JsValue,
        intervals: Option<String>,
        on_progress: Option<Function>,
    ) -> Result<JsValue, JsValue> {
        let recipe = recipe_of(recipe)?;
        let mut results = fold_results(&results)?;
        let intervals: Vec<crate::pipeline::ModelIntervals> = match intervals.as_deref() {
            None | Some("") => Vec::new(),
            Some(text) => {
                serde_json::from_str(text).map_err(|e| js_error(&format!("intervals: {e}")))?
            }
        };
        self.ensure_staged(&recipe, key, None)?;
        let Some(StagedRun { staged, held, .. }) = self.staged.borrow_mut().take() else {
            return Err(js_error("the run was not staged"));
        };
        let given: std::collections::HashSet<usize> = results.iter().map(|r| r.unit).collect();
        results.extend(held.into_iter().filter(|r| !given.contains(&r.unit)));
        let mut progress = forward(on_progress);
        let mut ctx = crate::pipeline::Context {
            progress: &mut progress,
            now_ms: &now_ms,
            key: key.to_vec(),
        };
        let out =
            crate::pipeline::finish(staged, &recipe, results, intervals, &mut ctx).map_err(err)?;
        output(&out)
    }
}

/// The units' results handed to `intervals` and `finish`: one JSON array of them, or an array
/// of such texts (one per call that computed them). The texts of an array are copied into the
/// wasm heap and parsed one at a time, so the heap never holds all of them as text at once.
fn fold_results(results: &JsValue) -> Result<Vec<crate::pipeline::FoldResult>, JsValue> {
    let parse = |text: &str| -> Result<Vec<crate::pipeline::FoldResult>, JsValue> {
        serde_json::from_str(text).map_err(|e| js_error(&format!("split results: {e}")))
    };
    if let Some(text) = results.as_string() {
        return parse(&text);
    }
    let Some(texts) = results.dyn_ref::<js_sys::Array>() else {
        return Err(js_error(
            "split results: a JSON text or an array of JSON texts was expected",
        ));
    };
    let mut all = Vec::new();
    for text in texts.iter() {
        let Some(text) = text.as_string() else {
            return Err(js_error("split results: an item is not a JSON text"));
        };
        all.extend(parse(&text)?);
    }
    Ok(all)
}

impl Session {
    /// The run's units `which` computed by `compute` (one of the pipeline's unit calls), as
    /// JSON text.
    fn units_call(
        &self,
        recipe: JsValue,
        key: &[u8],
        which: Vec<u32>,
        on_progress: Option<Function>,
        compute: UnitsCall,
    ) -> Result<String, JsValue> {
        let recipe = recipe_of(recipe)?;
        self.ensure_staged(&recipe, key, None)?;
        let cache = self.staged.borrow();
        let Some(run) = cache.as_ref() else {
            return Err(js_error("the run was not staged"));
        };
        let which: Vec<usize> = which.into_iter().map(|u| u as usize).collect();
        let mut progress = forward(on_progress);
        let mut ctx = crate::pipeline::Context {
            progress: &mut progress,
            now_ms: &now_ms,
            key: key.to_vec(),
        };
        let results = compute(&run.staged, &recipe, &which, &mut ctx).map_err(err)?;
        let text = serde_json::to_string(&results).map_err(|e| js_error(&e.to_string()))?;
        drop(cache);
        // Kept for `finish` on this worker (a scored unit's results give way to its explained
        // ones), borrowed mutably only now: the computing above calls the page back (progress).
        if let Some(run) = self.staged.borrow_mut().as_mut() {
            run.held.retain(|r| !which.contains(&r.unit));
            run.held.extend(results);
        }
        Ok(text)
    }

    fn ensure_staged(
        &self,
        recipe: &Recipe,
        key: &[u8],
        on_progress: Option<Function>,
    ) -> Result<usize, JsValue> {
        check_key(key)?;
        let loaded = self.fingerprinted()?;
        let text = recipe.to_json();
        if let Some(run) = self.staged.borrow().as_ref() {
            if run.recipe == text && run.key == key {
                return Ok(run.staged.units());
            }
        }
        self.staged.replace(None);
        let mut progress = forward(on_progress);
        let mut ctx = crate::pipeline::Context {
            progress: &mut progress,
            now_ms: &now_ms,
            key: key.to_vec(),
        };
        let staged = crate::pipeline::stage(
            &loaded.parsed.table,
            loaded.summary.clone(),
            recipe,
            &mut ctx,
        )
        .map_err(err)?;
        let units = staged.units();
        self.staged.replace(Some(StagedRun {
            recipe: text,
            key: key.to_vec(),
            staged,
            held: Vec::new(),
        }));
        Ok(units)
    }
}
