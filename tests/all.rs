//! Every integration test in one binary. Each file beside this one is a module here (its
//! `#[path]` keeps it in place): one link instead of one per file, and the code the files share
//! (the library's generic functions, serde, the test helpers) compiled once. `cargo test --test
//! all NAME::` runs one file's tests. A file in tests/ that is not listed below fails
//! `every_test_file_is_compiled`, so none can silently stop running.

#[path = "common/mod.rs"]
mod common;

#[path = "anonymize.rs"]
mod anonymize;
#[path = "attribute_risk.rs"]
mod attribute_risk;
#[path = "bundle.rs"]
mod bundle;
#[path = "calibration.rs"]
mod calibration;
#[path = "cli.rs"]
mod cli;
#[path = "clinical.rs"]
mod clinical;
#[path = "clinical2.rs"]
mod clinical2;
#[path = "corpus.rs"]
mod corpus;
#[path = "csv_export.rs"]
mod csv_export;
#[path = "csv_reader.rs"]
mod csv_reader;
#[path = "data_values.rs"]
mod data_values;
#[path = "detect.rs"]
mod detect;
#[path = "evaluation.rs"]
mod evaluation;
#[path = "feature_pipeline.rs"]
mod feature_pipeline;
#[path = "features.rs"]
mod features;
#[path = "formats.rs"]
mod formats;
#[path = "fuzz.rs"]
mod fuzz;
#[path = "kmap.rs"]
mod kmap;
#[path = "messages.rs"]
mod messages;
#[path = "metrics.rs"]
mod metrics;
#[path = "models.rs"]
mod models;
#[path = "notes.rs"]
mod notes;
#[path = "pipeline.rs"]
mod pipeline;
#[path = "population.rs"]
mod population;
#[path = "predictions.rs"]
mod predictions;
#[path = "privacy_cost.rs"]
mod privacy_cost;
#[path = "privacy_ops.rs"]
mod privacy_ops;
#[path = "properties.rs"]
mod properties;
#[path = "quality.rs"]
mod quality;
#[path = "recipe.rs"]
mod recipe;
#[path = "risk.rs"]
mod risk;
#[path = "safe_default.rs"]
mod safe_default;
#[path = "sas7bdat.rs"]
mod sas7bdat;
#[path = "schema.rs"]
mod schema;
#[path = "search.rs"]
mod search;
#[path = "shap.rs"]
mod shap;
#[path = "speed_semantics.rs"]
mod speed_semantics;
#[path = "split.rs"]
mod split;
#[path = "stats_formats.rs"]
mod stats_formats;
#[path = "survival.rs"]
mod survival;
#[path = "survival_horizons.rs"]
mod survival_horizons;
#[path = "survmodels.rs"]
mod survmodels;

/// Cargo finds no test file by itself (`autotests = false` in Cargo.toml): each must be a module
/// above.
#[test]
fn every_test_file_is_compiled() {
    let this = include_str!("all.rs");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        if stem == "all" {
            continue;
        }
        assert!(
            this.contains(&format!("#[path = \"{name}\"]\nmod {stem};")),
            "tests/{name} is not a module of tests/all.rs, so its tests never run: add it there"
        );
    }
}
