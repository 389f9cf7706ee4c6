//! Browser face: converts JS values to core types and back, forwards progress. No logic here.
//!
//! `pool.rs`: the calls by which the page's pool of workers splits a run; `load.rs`: reading a
//! File or Blob in pieces; `save.rs`: the files a run gives the page, written into Blobs.

use crate::recipe::Recipe;
use js_sys::{Function, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod load;
mod pool;
mod save;

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
    /// The last staged run, reused by the pool's calls (`pool.rs`).
    staged: std::cell::RefCell<Option<pool::StagedRun>>,
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
}

#[wasm_bindgen]
impl Session {
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
}

/// `{report, masked_csv, predictions_csv, predictions_rows, predictions_formula_cells}` of a run:
/// the masked table as the CLI's `--out x.csv` and the out-of-fold predictions as its
/// `--predictions` file (`OutOfFold::write_csv`; null without models; `predictions_rows` its
/// lines after the header), each a Blob (`save.rs`) the page saves or hands back to
/// `export_masked`.
fn output(out: &crate::pipeline::Output) -> Result<JsValue, JsValue> {
    const CSV: &str = "text/csv;charset=utf-8";
    let cannot = |what: &str, e: std::io::Error| js_error(&format!("{what}: {e}"));
    let (sink, _) = crate::table::csv::write_csv_to(&out.masked, save::BlobSink::new(CSV))
        .map_err(|e| cannot("the masked table", e))?;
    let masked: JsValue = sink.into_blob()?.into();
    let (pred, rows, formulas) = match &out.predictions {
        Some(p) => {
            let (sink, n) = p
                .write_csv(save::BlobSink::new(CSV))
                .map_err(|e| cannot("the predictions", e))?;
            (sink.into_blob()?.into(), JsValue::from(p.len() as f64), n)
        }
        None => (JsValue::NULL, JsValue::NULL, 0),
    };
    let result = Object::new();
    let set = |k: &str, v: &JsValue| {
        Reflect::set(&result, &k.into(), v).map_err(|_| js_error("cannot build result"))
    };
    set("report", &to_js(&out.report)?)?;
    set("masked_csv", &masked)?;
    set("predictions_csv", &pred)?;
    set("predictions_rows", &rows)?;
    set("predictions_formula_cells", &(formulas as f64).into())?;
    Ok(result.into())
}

// Notes review (issue 15).
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

// Load options and export formats (issue 21).

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

/// A run's masked CSV (the Blob `masked_csv` of its output) as a file in `format` (a name of
/// `export_formats`), by the function behind the command line's `--out`
/// (`table::export::export_written_csv`).
#[wasm_bindgen]
pub fn export_masked(csv: web_sys::Blob, format: &str) -> Result<Vec<u8>, JsValue> {
    let format = crate::table::export::ExportFormat::for_name(format)
        .ok_or_else(|| js_error(&format!("unknown export format '{format}'")))?;
    let csv = load::read_whole(csv, "the masked CSV")?;
    let (bytes, _) = crate::table::export::export_written_csv(&csv, format).map_err(err)?;
    Ok(bytes)
}

/// undefined: the core's one rule (`table::columnar::columnar_format`), asked by the worker to
/// decide whether to load the columnar module (www/pkg/columnar.js).
#[wasm_bindgen]
pub fn columnar_format(head: &[u8]) -> Option<String> {
    crate::table::columnar::columnar_format(head).map(|f| f.name().to_string())
}

/// The masked CSV's (a Blob) columns as the columnar module's `write_parquet` takes them (JSON,
/// `table::columnar::out_columns` of the table `export_masked` reads): the page writes a
/// Parquet export with that module.
#[wasm_bindgen]
pub fn masked_columns(csv: web_sys::Blob) -> Result<String, JsValue> {
    let csv = load::read_whole(csv, "the masked CSV")?;
    let table = crate::table::export::read_written_csv(&csv).map_err(err)?;
    serde_json::to_string(&crate::table::columnar::out_columns(&table))
        .map_err(|e| js_error(&e.to_string()))
}
