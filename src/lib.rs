//! # Bedside
//!
//! Private medical machine learning: read a CSV of patient records, de-identify it, engineer
//! features, train and cross-validate models, and report everything, without any I/O beyond
//! the bytes handed in. The same core runs natively (`bedside` CLI) and in the browser
//! (`wasm.rs`, built for `wasm32-unknown-unknown`).
//!
//! ```
//! use bedside::{table::csv::{read_csv, CsvOptions}, recipe::Recipe};
//! let csv = b"mrn,age,sex,y\n001,30,F,0\n002,40,M,1\n003,50,F,0\n004,60,M,1\n";
//! let parsed = read_csv(csv, "t.csv", &CsvOptions::default()).unwrap();
//! let recipe = Recipe::from_json(r#"{"version": 1, "seed": 1, "columns": {"mrn": "identifier"},
//!     "privacy": [{"op": "pseudonymize", "columns": ["mrn"]}],
//!     "features": [{"op": "one_hot"}], "target": "y",
//!     "models": [{"kind": "decision_tree"}], "evaluation": {"method": "stratified_kfold", "folds": 2}}"#).unwrap();
//! let out = bedside::run_file(csv, "t.csv", &recipe, &mut |_| true, &|| 0.0).unwrap();
//! assert_eq!(out.report.models[0].metrics["accuracy"].folds.len(), 2);
//! ```

pub mod error;
pub mod eval;
pub mod features;
pub mod models;
pub mod privacy;
pub mod recipe;
pub mod report;
pub mod run;
pub mod suggest;
pub mod table;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, Result};

/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A parsed input file: the table, what was rejected, and its summary.
pub struct Loaded {
    pub parsed: table::csv::Parsed,
    pub file: String,
    pub summary: table::profile::InputSummary,
}

/// Reads a CSV file's bytes with default options.
pub fn load(bytes: &[u8], file: &str) -> Result<Loaded> {
    let parsed = table::csv::read_csv(bytes, file, &table::csv::CsvOptions::default())?;
    let summary = table::profile::summary(&parsed, file, bytes);
    Ok(Loaded {
        parsed,
        file: file.to_string(),
        summary,
    })
}

impl Loaded {
    /// The profile of the file.
    pub fn profile(&self) -> table::profile::Profile {
        table::profile::Profile {
            input: self.summary.clone(),
            columns: table::profile::column_profiles(&self.parsed.table),
        }
    }

    /// Runs a recipe on the loaded table with a fresh pseudonymization key.
    pub fn run(
        &self,
        recipe: &recipe::Recipe,
        progress: &mut dyn FnMut(&run::Progress) -> bool,
        now_ms: &(dyn Fn() -> f64 + Sync),
    ) -> Result<run::Output> {
        let mut ctx = run::Context {
            progress,
            now_ms,
            key: run::new_key()?,
        };
        run::run(&self.parsed.table, self.summary.clone(), recipe, &mut ctx)
    }
}

impl Loaded {
    /// Applies only the recipe's privacy steps and summarizes them for the page: risk before and
    /// after, the first `rows` rows before and after, the audit entries. `key` is the
    /// pseudonymization key to use (the page keeps one per loaded file for its previews).
    pub fn preview(
        &self,
        recipe: &recipe::Recipe,
        key: &[u8],
        rows: usize,
    ) -> Result<run::Preview> {
        run::preview(&self.parsed.table, recipe, key, rows)
    }

    /// Risk measures of the loaded table over `quasi` (and a sensitive column).
    pub fn measure(
        &self,
        quasi: &[String],
        sensitive: Option<&str>,
        options: &privacy::risk::RiskOptions,
    ) -> privacy::risk::Measures {
        privacy::risk::measure_with(&self.parsed.table, quasi, sensitive, options)
    }
}

/// Reads `bytes` and runs `recipe` on them: the whole chain in one call.
pub fn run_file(
    bytes: &[u8],
    file: &str,
    recipe: &recipe::Recipe,
    progress: &mut dyn FnMut(&run::Progress) -> bool,
    now_ms: &(dyn Fn() -> f64 + Sync),
) -> Result<run::Output> {
    load(bytes, file)?.run(recipe, progress, now_ms)
}
