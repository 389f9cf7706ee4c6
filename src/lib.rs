//! # Bedside
//!
//! Private medical machine learning: read a CSV of patient records, de-identify it, engineer
//! features, train and cross-validate models, and report everything, without any I/O beyond
//! the bytes handed in. The same core runs natively (`bedside` CLI) and in the browser
//! (`wasm/`, built for `wasm32-unknown-unknown`).
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

pub mod bundle;
pub mod calendar;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod message;
pub mod models;
pub mod par;
pub mod pipeline;
pub mod privacy;
pub mod recipe;
pub mod report;
pub mod schema;
pub mod seeds;
pub mod suggest;
pub mod survival;
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
    load_with_digest(bytes, file, None)
}

/// As [`load`], with the SHA-256 of `bytes` (hex) when the caller already has it (e.g. a pool
/// worker given the digest another worker computed). A digest that is not 64 hex digits is
/// ignored and the bytes are hashed here.
pub fn load_with_digest(bytes: &[u8], file: &str, sha256: Option<&str>) -> Result<Loaded> {
    let mut source = bytes;
    load_source(&mut source, file, Digest::of(false, sha256))
}

/// Where [`load_source`] gets the file's SHA-256 fingerprint from.
#[derive(Debug, Clone, Copy)]
pub enum Digest<'a> {
    /// Computed by the caller; anything but 64 hex digits is ignored and the file is hashed here.
    Given(&'a str),
    /// Hashed here, by reading the file once more.
    Compute,
    /// Given later with [`Loaded::set_sha256`] (in the page a second worker hashes the file while
    /// the first reads it). Until then the summary's `sha256` is empty.
    Later,
}

impl<'a> Digest<'a> {
    /// `later` (another worker hashes the file and gives it with [`Loaded::set_sha256`]), else
    /// `sha256` when the caller has it, else computed here.
    pub fn of(later: bool, sha256: Option<&'a str>) -> Digest<'a> {
        match (later, sha256) {
            (true, _) => Digest::Later,
            (false, Some(d)) => Digest::Given(d),
            (false, None) => Digest::Compute,
        }
    }
}

/// A SHA-256 given as hex, lowercased; `None` unless it is 64 hex digits.
fn hex_digest(d: &str) -> Option<String> {
    (d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit())).then(|| d.to_ascii_lowercase())
}

/// The SHA-256 of a source's bytes, in lowercase hex (the file's fingerprint).
pub fn hash_source(source: &mut dyn table::csv::Source, file: &str) -> Result<String> {
    let mut digest = FileDigest::default();
    let io_err = |e: std::io::Error| Error::Input {
        file: file.to_string(),
        message: format!("cannot read the file: {e}"),
    };
    let mut reader = source.open(0).map_err(io_err)?;
    std::io::copy(&mut reader, &mut digest).map_err(io_err)?;
    Ok(digest.hex())
}

/// A file's SHA-256 fingerprint fed piece by piece (by [`hash_source`], by the page's
/// `sha256_blob` from a stream, and for bytes in memory by `table::profile::summary`), given as
/// 64 lowercase hex digits.
#[derive(Default)]
pub struct FileDigest(sha2::Sha256);

impl FileDigest {
    pub fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }

    pub fn hex(self) -> String {
        sha2::Digest::finalize(self.0)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl std::io::Write for FileDigest {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads a file given as a [`table::csv::Source`] (read in pieces, never held whole), with
/// default options, its fingerprint from `digest`.
pub fn load_source(
    source: &mut dyn table::csv::Source,
    file: &str,
    digest: Digest,
) -> Result<Loaded> {
    load_source_with(source, file, digest, &table::csv::CsvOptions::default())
}

/// Reads a file's bytes with reading options (encoding, sheet...).
pub fn load_with(bytes: &[u8], file: &str, options: &table::csv::CsvOptions) -> Result<Loaded> {
    let mut source = bytes;
    load_source_with(&mut source, file, Digest::Compute, options)
}

/// [`load_source`] with reading options (encoding, sheet...).
pub fn load_source_with(
    source: &mut dyn table::csv::Source,
    file: &str,
    digest: Digest,
    options: &table::csv::CsvOptions,
) -> Result<Loaded> {
    let parsed = table::csv::read_source(source, file, options)?;
    loaded(parsed, source, file, digest)
}

/// Reads the CSV text the page's columnar module made of a Parquet or Arrow file, with that
/// module's notes (`table::columnar::read_columnar_text`): the table, repairs, lines and
/// `input.format` of the file itself. The fingerprint is the original file's, so `digest` must
/// be [`Digest::Given`] (64 hex digits) or [`Digest::Later`]: the text is never hashed.
pub fn load_columnar_text(
    text: &mut dyn table::csv::Source,
    notes: &table::columnar::Notes,
    file: &str,
    digest: Digest,
    options: &table::csv::CsvOptions,
) -> Result<Loaded> {
    if let Digest::Given(d) = digest {
        if hex_digest(d).is_none() {
            return Err(Error::Input {
                file: file.to_string(),
                message: format!("the SHA-256 fingerprint must be 64 hex digits, got '{d}'"),
            });
        }
    } else if let Digest::Compute = digest {
        return Err(Error::Input {
            file: file.to_string(),
            message: "the SHA-256 fingerprint of the original file must be given".into(),
        });
    }
    let parsed = table::columnar::read_columnar_text(text, notes, file, options)?;
    loaded(parsed, text, file, digest)
}

/// A parsed file with its fingerprint from `digest` (hashing `source` for [`Digest::Compute`]).
fn loaded(
    parsed: table::csv::Parsed,
    source: &mut dyn table::csv::Source,
    file: &str,
    digest: Digest,
) -> Result<Loaded> {
    let digest = match digest {
        Digest::Later => String::new(),
        Digest::Given(d) => match hex_digest(d) {
            Some(hex) => hex,
            None => hash_source(source, file)?,
        },
        Digest::Compute => hash_source(source, file)?,
    };
    let summary = table::profile::summary_with_digest(&parsed, file, digest);
    Ok(Loaded {
        parsed,
        file: file.to_string(),
        summary,
    })
}

impl Loaded {
    /// Sets the file's SHA-256 (64 hex digits), for a file loaded with [`Digest::Later`].
    pub fn set_sha256(&mut self, sha256: &str) -> Result<()> {
        self.summary.sha256 = hex_digest(sha256).ok_or_else(|| Error::Input {
            file: self.file.clone(),
            message: format!("the SHA-256 fingerprint must be 64 hex digits, got '{sha256}'"),
        })?;
        Ok(())
    }

    /// The profile of the file.
    pub fn profile(&self) -> privacy::profile::Profile {
        privacy::profile::profile_of(&self.parsed.table, self.summary.clone())
    }

    /// Runs a recipe on the loaded table with a fresh pseudonymization key.
    pub fn run(
        &self,
        recipe: &recipe::Recipe,
        progress: &mut dyn FnMut(&pipeline::Progress) -> bool,
        now_ms: &(dyn Fn() -> f64 + Sync),
    ) -> Result<pipeline::Output> {
        let mut ctx = pipeline::Context {
            progress,
            now_ms,
            key: pipeline::new_key()?,
        };
        pipeline::run(&self.parsed.table, self.summary.clone(), recipe, &mut ctx)
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
    ) -> Result<pipeline::Preview> {
        pipeline::preview(&self.parsed.table, recipe, key, rows)
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

/// Reads and profiles a small generated file of every column type, so that a wasm engine that
/// compiles functions in tiers (baseline first, optimized once they are hot) has the reader and
/// the profiler optimized before the user's file: a single long call otherwise runs baseline
/// code throughout (measured in V8: 100,000 × 31 read in 1.6 s cold, 0.44 s after this).
/// Then the units of a small recipe (privacy, feature steps, three learners' fits, predictions
/// and importances), not its bootstraps and report: those are many short calls that warm up
/// within a run, and with them this took 3.7 s a worker in V8 instead of a fraction of one,
/// at every page load. Returns the number of units computed.
pub fn warm_up() -> Result<usize> {
    let mut csv = String::from("id,age,sex,zip,visit,glucose,note,y\n");
    for i in 0..2000u32 {
        let x = (i.wrapping_mul(2_654_435_761) % 1000) as f64 / 10.0;
        let glucose = if i % 17 == 0 {
            "NA".to_string()
        } else {
            format!("{:.2}", 70.0 + x)
        };
        csv.push_str(&format!(
            "P{i:05},{},{},{:05},2024-{:02}-{:02},{glucose},\"note {i}, seen\",{}\n",
            20 + i % 70,
            if i % 2 == 0 { "F" } else { "M" },
            (i * 37) % 99999,
            1 + i % 12,
            1 + i % 28,
            i % 2
        ));
    }
    let parsed = table::csv::read_csv(csv.as_bytes(), "warm-up.csv", &Default::default())?;
    let input = table::profile::summary(&parsed, "warm-up.csv", csv.as_bytes());
    privacy::profile::column_profiles(&parsed.table);
    // The learners' long loops too (a boosting fit is one call over all its iterations).
    let recipe = r#"{"version": 1, "seed": 1, "target": "y",
        "columns": {"id": "identifier", "note": "text", "visit": "ignore"},
        "privacy": [{"op": "drop", "columns": ["id", "note"]}],
        "features": [{"op": "impute", "strategy": "median"}, {"op": "scale", "method": "standard"},
                     {"op": "one_hot"}],
        "models": [{"kind": "gradient_boosting", "max_iter": 20}, {"kind": "random_forest", "trees": 5},
                   {"kind": "logistic_regression"}],
        "evaluation": {"method": "holdout", "test_fraction": 0.25, "permutation_repeats": 1,
                       "compare_original": false}}"#;
    let recipe = recipe::Recipe::from_json(recipe)?;
    let mut ctx = pipeline::Context {
        progress: &mut |_| true,
        now_ms: &|| 0.0,
        key: vec![0; 32], // nothing leaves this call
    };
    let staged = pipeline::stage(&parsed.table, input, &recipe, &mut ctx)?;
    let all: Vec<usize> = (0..staged.units()).collect();
    Ok(pipeline::run_splits(&staged, &recipe, &all, &mut ctx)?.len())
}

/// Reads `bytes` and runs `recipe` on them: the whole chain in one call.
pub fn run_file(
    bytes: &[u8],
    file: &str,
    recipe: &recipe::Recipe,
    progress: &mut dyn FnMut(&pipeline::Progress) -> bool,
    now_ms: &(dyn Fn() -> f64 + Sync),
) -> Result<pipeline::Output> {
    load(bytes, file)?.run(recipe, progress, now_ms)
}
