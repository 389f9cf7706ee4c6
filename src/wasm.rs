//! Browser face: converts JS values to core types and back, forwards progress. No logic here.

use crate::recipe::Recipe;
use js_sys::{Function, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(&e.to_string()))
}

/// A thrown JS `Error` with an English `message` (a fault of the page or the protocol).
fn js_error(text: &str) -> JsValue {
    js_sys::Error::new(text).into()
}

/// A core error as a thrown JS `Error`: `message` the English rendering, and `code` and
/// `params` (see `crate::message`) so that the page shows it in the user's language.
fn err(e: crate::Error) -> JsValue {
    let m = e.message();
    let error = js_sys::Error::new(&m.to_string());
    let _ = Reflect::set(&error, &"code".into(), &JsValue::from_str(&m.code));
    if let Ok(params) = to_js(&m.params_json()) {
        let _ = Reflect::set(&error, &"params".into(), &params);
    }
    error.into()
}

/// `performance.now()` of the worker or window (web-sys), else `Date.now()`.
fn now_ms() -> f64 {
    // A worker's and a window's global both have `performance`; the getter is read by name, so
    // one binding serves both scopes.
    js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Runs once when the module is instantiated: a panic (always a bug) is handed to
/// `globalThis.bedsidePanic(message)` before the instance traps, so the worker can report it.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let global = js_sys::global();
        let hook = Reflect::get(&global, &"bedsidePanic".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        if let Some(f) = hook {
            let _ = f.call1(&JsValue::NULL, &info.to_string().into());
        }
    }));
}

fn recipe_of(recipe: JsValue) -> Result<Recipe, JsValue> {
    let value: serde_json::Value =
        serde_wasm_bindgen::from_value(recipe).map_err(|e| js_error(&format!("recipe: {e}")))?;
    Recipe::from_value(&value).map_err(err)
}

/// Reads and profiles a small generated file so that the engine optimizes the reader before the
/// user's file arrives (see `crate::warm_up`). Workers call it once after instantiating.
#[wasm_bindgen]
pub fn warm_up() {
    let _ = crate::warm_up(); // only a speed-up; tested natively
}

/// The SHA-256 (lowercase hex) of a File or Blob read in pieces as `Session.from_blob` reads it:
/// a second worker hashes the file while the first reads it.
#[wasm_bindgen]
pub fn sha256_blob(blob: web_sys::Blob, file: &str) -> Result<String, JsValue> {
    let mut source = BlobFile::new(blob, None)?;
    crate::hash_source(&mut source, file).map_err(err)
}

/// This build's version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// A loaded file: parse once, then profile, suggest and run on it.
#[wasm_bindgen]
pub struct Session {
    loaded: crate::Loaded,
    /// The pseudonymization key of previews (never leaves the worker).
    preview_key: Vec<u8>,
    /// The last staged run (recipe JSON, key, staged), reused by the pool's calls.
    staged: std::cell::RefCell<Option<(String, Vec<u8>, crate::pipeline::Staged)>>,
}

/// A progress callback forwarding to `on_progress({stage, done, total, message})`.
fn forward(on_progress: Option<Function>) -> impl FnMut(&crate::pipeline::Progress) -> bool {
    move |p| {
        if let (Some(f), Ok(v)) = (&on_progress, to_js(p)) {
            let _ = f.call1(&JsValue::NULL, &v);
        }
        true
    }
}

fn check_key(key: &[u8]) -> Result<(), JsValue> {
    if key.len() < 16 {
        return Err(js_error(
            "the pseudonymization key must have at least 16 random bytes",
        ));
    }
    Ok(())
}

#[wasm_bindgen]
impl Session {
    /// Parses a CSV file's bytes. Throws an Error naming the file and position on failure.
    /// `sha256`: the bytes' SHA-256 in hex when the caller has it; otherwise it is computed here.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], file: &str, sha256: Option<String>) -> Result<Session, JsValue> {
        Session::of(crate::load_with_digest(bytes, file, sha256.as_deref()))
    }

    /// Sets the SHA-256 (64 hex digits) of a file read by `from_blob` with `later`.
    pub fn set_sha256(&mut self, sha256: &str) -> Result<(), JsValue> {
        self.loaded.set_sha256(sha256).map_err(err)
    }

    /// The profile: `{input: {rows, columns, rejected_rows}, columns: [...]}`.
    pub fn profile(&self) -> Result<JsValue, JsValue> {
        to_js(&self.fingerprinted()?.profile())
    }

    /// A suggested starting recipe predicting `target` (or a guessed outcome column).
    pub fn suggest_recipe(&self, target: Option<String>) -> Result<JsValue, JsValue> {
        to_js(&crate::suggest::suggest(
            &self.loaded.parsed.table,
            target.as_deref(),
        ))
    }

    /// Applies only the privacy steps of a recipe: `{before, after, suppressed_rows,
    /// original_columns, original_rows, masked_columns, masked_rows, audit}` for the first `rows`.
    pub fn preview(&self, recipe: JsValue, rows: usize) -> Result<JsValue, JsValue> {
        let recipe = recipe_of(recipe)?;
        to_js(
            &self
                .loaded
                .preview(&recipe, &self.preview_key, rows)
                .map_err(err)?,
        )
    }

    /// Risk measures of the loaded table over `quasi` (an array of column names).
    pub fn measure(
        &self,
        quasi: JsValue,
        sensitive: Option<String>,
        population: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let quasi: Vec<String> =
            serde_wasm_bindgen::from_value(quasi).map_err(|e| js_error(&format!("quasi: {e}")))?;
        let options = crate::privacy::risk::RiskOptions {
            population: population
                .filter(|p| *p >= 1.0)
                .map(|p| crate::privacy::risk::Population::Size(p as u64)),
            ..Default::default()
        };
        to_js(&self.loaded.measure(&quasi, sensitive.as_deref(), &options))
    }

    /// The run's estimate before it starts (see `pipeline::estimate_run`): `{inputs, widest,
    /// units, phases: [{phase, ms}], total_ms, warnings}`, times of one worker.
    pub fn estimate(&self, recipe: JsValue) -> Result<JsValue, JsValue> {
        let recipe = recipe_of(recipe)?;
        let loaded = &self.loaded;
        to_js(
            &crate::pipeline::estimate_run(&loaded.parsed.table, loaded.summary.clone(), &recipe)
                .map_err(err)?,
        )
    }

    /// Runs a recipe (a plain object). `on_progress({stage, done, total, message})` is called
    /// during the run. Returns `{report, masked_csv, predictions_csv, ...}` (see `output`).
    pub fn run(&self, recipe: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let recipe = recipe_of(recipe)?;
        let mut progress = forward(on_progress);
        let out = self
            .fingerprinted()?
            .run(&recipe, &mut progress, &now_ms)
            .map_err(err)?;
        output(&out)
    }

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
        if let (Some(f), Some((_, _, staged))) = (&on_progress, cache.as_ref()) {
            let plan = staged.estimate(&recipe, &(0..units).collect::<Vec<_>>());
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

    /// Pool, step 2: computes the units `which` (numbers from 0); the results as JSON text.
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
    /// table, the splits and the feature steps last fitted), which no later run reuses since
    /// each run has a fresh key; the worker's heap then serves its next task. A later call for
    /// the same run stages it again.
    pub fn release(&self) {
        self.staged.replace(None);
    }

    /// Pool, between steps 2 and 3: one model's bootstraps (its metrics' intervals, a
    /// classifier's calibration) from the results of all its units (a JSON array of them), as
    /// JSON text for `finish`.
    pub fn intervals(&self, recipe: JsValue, key: &[u8], results: &str) -> Result<String, JsValue> {
        let recipe = recipe_of(recipe)?;
        let results: Vec<crate::pipeline::FoldResult> =
            serde_json::from_str(results).map_err(|e| js_error(&format!("split results: {e}")))?;
        self.ensure_staged(&recipe, key, None)?;
        let cache = self.staged.borrow();
        let Some((_, _, staged)) = cache.as_ref() else {
            return Err(js_error("the run was not staged"));
        };
        let iv =
            crate::pipeline::model_intervals(staged, &recipe, results, &now_ms).map_err(err)?;
        serde_json::to_string(&iv).map_err(|e| js_error(&e.to_string()))
    }

    /// Pool, step 3: the report from the results of every unit (a JSON array of them, in any
    /// order) and the intervals computed apart (a JSON array of `intervals` results, possibly
    /// empty: the others are computed here). Returns `{report, masked_csv}` as `run` does.
    /// `on_progress` (optional) as for `run`: the phases of assembling the report.
    pub fn finish(
        &self,
        recipe: JsValue,
        key: &[u8],
        results: &str,
        intervals: Option<String>,
        on_progress: Option<Function>,
    ) -> Result<JsValue, JsValue> {
        let recipe = recipe_of(recipe)?;
        let results: Vec<crate::pipeline::FoldResult> =
            serde_json::from_str(results).map_err(|e| js_error(&format!("split results: {e}")))?;
        let intervals: Vec<crate::pipeline::ModelIntervals> = match intervals.as_deref() {
            None | Some("") => Vec::new(),
            Some(text) => {
                serde_json::from_str(text).map_err(|e| js_error(&format!("intervals: {e}")))?
            }
        };
        self.ensure_staged(&recipe, key, None)?;
        let Some((_, _, staged)) = self.staged.borrow_mut().take() else {
            return Err(js_error("the run was not staged"));
        };
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
    /// Exports model `model_index` of `recipe` (the run of which on this file gave `report`, a
    /// plain object) as a model bundle: JSON text (`bedside-model/1`), fitted on all labelled
    /// rows. The pseudonymization key is never in it.
    pub fn export_model(
        &self,
        recipe: JsValue,
        report: JsValue,
        model_index: usize,
    ) -> Result<String, JsValue> {
        let recipe = recipe_of(recipe)?;
        let value: serde_json::Value = serde_wasm_bindgen::from_value(report)
            .map_err(|e| js_error(&format!("report: {e}")))?;
        let report: crate::report::Report =
            serde_json::from_value(value).map_err(|e| js_error(&format!("report: {e}")))?;
        let bundle = self
            .fingerprinted()?
            .export_model(&recipe, &report, model_index)
            .map_err(err)?;
        bundle.to_json().map_err(err)
    }

    /// Applies a model bundle (JSON text) to every row of this file: `{predictions: {rows,
    /// scored, unscorable, unseen, warnings, ...}, csv}` (the predictions as CSV text). With
    /// `explain` (optional, default false) every scored row also gets its SHAP values
    /// (`predictions.explanation`, `scored[i].shap`, and the CSV's `shap:INPUT` columns).
    pub fn apply_model(
        &self,
        bundle_json: &str,
        explain: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let bundle = crate::bundle::ModelBundle::from_json(bundle_json).map_err(err)?;
        let p = self
            .loaded
            .apply_explained(&bundle, explain.unwrap_or(false))
            .map_err(err)?;
        let csv = String::from_utf8(p.to_csv()).unwrap_or_default();
        let result = Object::new();
        Reflect::set(&result, &"predictions".into(), &to_js(&p)?)
            .map_err(|_| js_error("cannot build result"))?;
        Reflect::set(&result, &"csv".into(), &csv.into())
            .map_err(|_| js_error("cannot build result"))?;
        // A time-to-event model: `{horizons, curve_times, curve_rows}` beside the predictions
        // (the same object as `predictions.survival`; rows carry `survival_at` and `curve`).
        if let Some(s) = &p.survival {
            Reflect::set(&result, &"survival".into(), &to_js(s)?)
                .map_err(|_| js_error("cannot build result"))?;
        }
        Ok(result.into())
    }
}

impl Session {
    /// The loaded file, once its fingerprint is known (everything that reports the input).
    fn fingerprinted(&self) -> Result<&crate::Loaded, JsValue> {
        if self.loaded.summary.sha256.is_empty() {
            return Err(js_error(
                "the file's SHA-256 fingerprint has not been given yet (set_sha256)",
            ));
        }
        Ok(&self.loaded)
    }

    fn of(loaded: crate::Result<crate::Loaded>) -> Result<Session, JsValue> {
        Ok(Session {
            loaded: loaded.map_err(err)?,
            preview_key: crate::pipeline::new_key().map_err(err)?,
            staged: std::cell::RefCell::new(None),
        })
    }

    /// The run's units `which` computed by `compute` (one of the pipeline's unit calls), as
    /// JSON text.
    fn units_call(
        &self,
        recipe: JsValue,
        key: &[u8],
        which: Vec<u32>,
        on_progress: Option<Function>,
        compute: fn(
            &crate::pipeline::Staged,
            &crate::recipe::Recipe,
            &[usize],
            &mut crate::pipeline::Context,
        ) -> crate::Result<Vec<crate::pipeline::FoldResult>>,
    ) -> Result<String, JsValue> {
        let recipe = recipe_of(recipe)?;
        self.ensure_staged(&recipe, key, None)?;
        let cache = self.staged.borrow();
        let Some((_, _, staged)) = cache.as_ref() else {
            return Err(js_error("the run was not staged"));
        };
        let which: Vec<usize> = which.into_iter().map(|u| u as usize).collect();
        let mut progress = forward(on_progress);
        let mut ctx = crate::pipeline::Context {
            progress: &mut progress,
            now_ms: &now_ms,
            key: key.to_vec(),
        };
        let results = compute(staged, &recipe, &which, &mut ctx).map_err(err)?;
        serde_json::to_string(&results).map_err(|e| js_error(&e.to_string()))
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
        if let Some((r, k, staged)) = self.staged.borrow().as_ref() {
            if *r == text && k == key {
                return Ok(staged.units());
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
        self.staged.replace(Some((text, key.to_vec(), staged)));
        Ok(units)
    }
}

/// `{report, masked_csv, predictions_csv, predictions_formula_cells}` of a run: the out-of-fold
/// predictions as the CLI's `--predictions` file (`OutOfFold::to_csv`), null without models.
fn output(out: &crate::pipeline::Output) -> Result<JsValue, JsValue> {
    let csv = String::from_utf8(crate::table::csv::write_csv(&out.masked)).unwrap_or_default();
    let (pred, formulas) = match out.predictions.as_ref().map(|p| p.to_csv()) {
        Some((bytes, n)) => (String::from_utf8(bytes).ok().map(JsValue::from), n),
        None => (None, 0),
    };
    let result = Object::new();
    let set = |k: &str, v: &JsValue| {
        Reflect::set(&result, &k.into(), v).map_err(|_| js_error("cannot build result"))
    };
    set("report", &to_js(&out.report)?)?;
    set("masked_csv", &csv.into())?;
    set("predictions_csv", &pred.unwrap_or(JsValue::NULL))?;
    set("predictions_formula_cells", &(formulas as f64).into())?;
    Ok(result.into())
}

/// A File or Blob read in pieces with the worker's `FileReaderSync` (web-sys): 64 KiB first (the
/// reader often wants only the head), then 4 MiB, never the file whole. `on_read(bytes_done)`,
/// if given, is called after each piece (the page's progress of the read).
struct BlobFile {
    blob: web_sys::Blob,
    reader: web_sys::FileReaderSync,
    size: u64,
    on_read: Option<Function>,
}

impl BlobFile {
    fn new(blob: web_sys::Blob, on_read: Option<Function>) -> Result<BlobFile, JsValue> {
        let reader = web_sys::FileReaderSync::new().map_err(|e| {
            js_error(&format!(
                "this browser cannot read files in a worker (FileReaderSync): {}",
                js_text(&e)
            ))
        })?;
        let size = blob.size().max(0.0) as u64;
        Ok(BlobFile {
            blob,
            reader,
            size,
            on_read,
        })
    }

    /// The bytes `[from, from + len)` of the file.
    fn piece(&self, from: u64, len: u64) -> std::io::Result<Vec<u8>> {
        let read = || -> Result<Vec<u8>, JsValue> {
            let slice = self
                .blob
                .slice_with_f64_and_f64(from as f64, (from + len) as f64)?;
            let buffer = self.reader.read_as_array_buffer(&slice)?;
            Ok(js_sys::Uint8Array::new(&buffer).to_vec())
        };
        let bytes = read().map_err(|e| std::io::Error::other(js_text(&e)))?;
        if let Some(f) = &self.on_read {
            let _ = f.call1(&JsValue::NULL, &((from + bytes.len() as u64) as f64).into());
        }
        Ok(bytes)
    }
}

/// The text of a thrown JS value (an Error's message, a string), for an error about the file.
fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the browser could not read the file".into())
}

impl crate::table::csv::Source for BlobFile {
    fn len(&self) -> u64 {
        self.size
    }
    fn open(&mut self, from: u64) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(Box::new(BlobReader {
            file: self,
            pos: from,
            chunk: Vec::new(),
            at: 0,
            first: true,
        }))
    }
}

/// Reads a `BlobFile` from a position, a piece at a time.
struct BlobReader<'a> {
    file: &'a BlobFile,
    pos: u64,
    chunk: Vec<u8>,
    at: usize,
    first: bool,
}

impl std::io::Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.chunk.len() {
            if self.pos >= self.file.size {
                return Ok(0);
            }
            let want: u64 = if self.first { 64 << 10 } else { 4 << 20 };
            self.first = false;
            self.chunk = self
                .file
                .piece(self.pos, want.min(self.file.size - self.pos))?;
            if self.chunk.is_empty() {
                return Ok(0);
            }
            self.pos += self.chunk.len() as u64;
            self.at = 0;
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

// Notes review (issue 15): one thin method, kept at the end of the file.
#[wasm_bindgen]
impl Session {
    /// A sample of the notes the `scrub_text` step `privacy[step]` of `recipe` produces: each
    /// replaced span with its category (offsets in UTF-16 code units over the scrubbed and the
    /// original note), replacements per category, possible names kept. No original identifier
    /// text is in it (see `privacy::text::review`).
    pub fn notes_review(
        &self,
        recipe: JsValue,
        step: usize,
        rows: usize,
    ) -> Result<JsValue, JsValue> {
        let recipe = recipe_of(recipe)?;
        let review = crate::pipeline::notes_review(
            &self.loaded.parsed.table,
            &recipe,
            step,
            &self.preview_key,
            rows,
        )
        .map_err(err)?;
        to_js(&review)
    }
}

// Load options and export formats (issue 21): thin entries, kept at the end of the file.

/// The encodings the Load step offers beside "automatic" (`table::encoding::OFFERED`).
#[wasm_bindgen]
pub fn encodings() -> Result<JsValue, JsValue> {
    to_js(&crate::table::encoding::OFFERED)
}

/// The formats the masked data can be exported in: `[{name, extension, media_type}]`
/// (`table::export::formats`).
#[wasm_bindgen]
pub fn export_formats() -> Result<JsValue, JsValue> {
    to_js(&crate::table::export::formats())
}

/// A run's masked CSV text as a file in `format` (a name of `export_formats`), by the function
/// behind the command line's `--out` (`table::export::export_written_csv`).
#[wasm_bindgen]
pub fn export_masked(csv: &str, format: &str) -> Result<Vec<u8>, JsValue> {
    let format = crate::table::export::ExportFormat::for_name(format)
        .ok_or_else(|| js_error(&format!("unknown export format '{format}'")))?;
    let (bytes, _) =
        crate::table::export::export_written_csv(csv.as_bytes(), format).map_err(err)?;
    Ok(bytes)
}

/// The reading options of the Load step: `encoding` (a WHATWG label; absent: detected) and
/// `sheet` (a workbook's sheet, its name or position from 1; absent: the first with data).
fn read_options(encoding: Option<String>, sheet: Option<String>) -> crate::table::csv::CsvOptions {
    crate::table::csv::CsvOptions {
        encoding: encoding.filter(|e| !e.is_empty()),
        sheet: sheet.filter(|s| !s.is_empty()),
        ..Default::default()
    }
}

#[wasm_bindgen]
impl Session {
    /// Reads a File or Blob in pieces (`FileReaderSync`, so in a worker), never holding it
    /// whole, straight into the core's columns, with the Load step's `encoding` and `sheet` (see
    /// `read_options`; every pool worker reads with the same ones). `sha256`: the file's
    /// fingerprint when the caller has it; `later`: another worker is hashing it (`sha256_blob`)
    /// and it comes with `set_sha256`, until when `profile`, `run`, `stage`, `finish` and
    /// `export_model` refuse; neither: the file is hashed here. `on_read(bytes_done)` is called
    /// after each piece read. Throws an Error naming the file and position on failure.
    #[allow(clippy::too_many_arguments)]
    pub fn from_blob(
        blob: web_sys::Blob,
        file: &str,
        sha256: Option<String>,
        later: bool,
        encoding: Option<String>,
        sheet: Option<String>,
        on_read: Option<Function>,
    ) -> Result<Session, JsValue> {
        let digest = match (later, sha256.as_deref()) {
            (true, _) => crate::Digest::Later,
            (false, Some(d)) => crate::Digest::Given(d),
            (false, None) => crate::Digest::Compute,
        };
        let mut source = BlobFile::new(blob, on_read)?;
        let options = read_options(encoding, sheet);
        Session::of(crate::load_source_with(&mut source, file, digest, &options))
    }

    /// As `new` (bytes in memory), read with the Load step's `encoding` and `sheet`.
    pub fn new_with(
        bytes: &[u8],
        file: &str,
        sha256: Option<String>,
        encoding: Option<String>,
        sheet: Option<String>,
    ) -> Result<Session, JsValue> {
        let mut source = bytes;
        let digest = sha256
            .as_deref()
            .map_or(crate::Digest::Compute, crate::Digest::Given);
        let options = read_options(encoding, sheet);
        Session::of(crate::load_source_with(&mut source, file, digest, &options))
    }
}

/// The columnar format a file's first bytes announce (`parquet`, `arrow`, `arrow_stream`), or
/// undefined: the core's one rule (`table::columnar::columnar_format`), asked by the worker to
/// decide whether to load the columnar module (www/pkg/columnar.js).
#[wasm_bindgen]
pub fn columnar_format(head: &[u8]) -> Option<String> {
    crate::table::columnar::columnar_format(head).map(|f| f.name().to_string())
}

/// The masked CSV text's columns as the columnar module's `write_parquet` takes them (JSON,
/// `table::columnar::out_columns` of the table `export_masked` reads): the page writes a
/// Parquet export with that module.
#[wasm_bindgen]
pub fn masked_columns(csv: &str) -> Result<String, JsValue> {
    let table = crate::table::export::read_written_csv(csv.as_bytes()).map_err(err)?;
    serde_json::to_string(&crate::table::columnar::out_columns(&table))
        .map_err(|e| js_error(&e.to_string()))
}

#[wasm_bindgen]
impl Session {
    /// Reads the CSV text the columnar module made of a Parquet or Arrow file (a Blob, read in
    /// pieces as `from_blob` reads a file), with that module's notes (JSON, complete: read after
    /// its last chunk). `file` is the original file's name and `sha256` its fingerprint (or, with
    /// `later`, given with `set_sha256`): the text is never hashed. `on_read` as for `from_blob`.
    pub fn from_columnar_text(
        text: web_sys::Blob,
        file: &str,
        sha256: Option<String>,
        later: bool,
        notes: &str,
        on_read: Option<Function>,
    ) -> Result<Session, JsValue> {
        let notes: crate::table::columnar::Notes =
            serde_json::from_str(notes).map_err(|e| js_error(&format!("columnar notes: {e}")))?;
        let digest = match (later, sha256.as_deref()) {
            (true, _) => crate::Digest::Later,
            (false, Some(d)) => crate::Digest::Given(d),
            (false, None) => crate::Digest::Compute,
        };
        let mut source = BlobFile::new(text, on_read)?;
        Session::of(crate::load_columnar_text(
            &mut source,
            &notes,
            file,
            digest,
            &Default::default(),
        ))
    }
}
