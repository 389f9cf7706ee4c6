//! What was read (the input summary) and the role a header suggests. The per-column profile,
//! which includes identifier detection, is built above, in `privacy::profile`.

use super::csv::{EncodingInfo, Parsed, RejectedRow, Repair};
use super::spreadsheet::SheetInfo;
use super::vocabulary::{header_kind, Verdict};
use super::ColumnType;
use serde::{Deserialize, Serialize};

/// What was read: counts and the rows that were not loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    pub file: String,
    pub rows: usize,
    pub columns: usize,
    pub rejected_rows: Vec<RejectedRow>,
    /// Changes the reader made so the file could be read (renamed headers, decimal commas...).
    pub repairs: Vec<Repair>,
    pub delimiter: String,
    /// The text encoding: `{name, confidence, source}` (see [`EncodingInfo`]).
    pub encoding: EncodingInfo,
    /// The file's format: `csv`, `xlsx` (also .xlsm), `xls`, `ods`, `dta`, `sav`, `zsav`, `xpt`.
    #[serde(default = "csv_format")]
    pub format: String,
    /// For a workbook, the sheet read, the workbook's sheets and the header row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<SheetInfo>,
    /// SHA-256 of the input bytes, so a filed report can be matched to its file.
    pub sha256: String,
    /// Variable and value labels by column (statistics-package files): carried to the
    /// profile's columns (`label`, `value_labels`), not written here.
    #[serde(skip)]
    pub labels: std::collections::BTreeMap<String, super::stats::ColumnLabels>,
    /// Where each loaded row is in the file (`Parsed::lines`: the physical line of a CSV, the
    /// sheet row of a workbook, the record number of a statistics file), so a run can name the
    /// rows it leaves out; not written here (each such row carries its own `line`).
    #[serde(skip)]
    pub lines: Vec<u64>,
}

fn csv_format() -> String {
    "csv".into()
}

/// Counts and rejected rows of a parsed file.
pub fn summary(parsed: &Parsed, file: &str, bytes: &[u8]) -> InputSummary {
    let mut digest = crate::FileDigest::default();
    digest.update(bytes);
    summary_with_digest(parsed, file, digest.hex())
}

/// The summary with the file's SHA-256 (lowercase hex) computed elsewhere.
pub fn summary_with_digest(parsed: &Parsed, file: &str, sha256: String) -> InputSummary {
    InputSummary {
        file: file.to_string(),
        rows: parsed.table.rows(),
        columns: parsed.table.columns.len(),
        rejected_rows: parsed.rejected.clone(),
        repairs: parsed.repairs.clone(),
        delimiter: parsed.delimiter.to_string(),
        encoding: parsed.encoding.clone(),
        format: parsed.format.clone(),
        sheet: parsed.sheet.clone(),
        sha256,
        labels: parsed.labels.clone(),
        lines: parsed.lines.clone(),
    }
}

/// The suggested role of a column from its type and header.
pub fn suggested_role(name: &str, ctype: ColumnType) -> &'static str {
    match ctype {
        ColumnType::Identifier => "identifier",
        ColumnType::Text => "text",
        // Headers of quasi-identifiers, and birth dates (kept as dates, measured as quasi).
        _ if header_kind(name)
            .is_some_and(|(kind, v)| v == Verdict::QuasiIdentifier || kind == "birth_date") =>
        {
            "quasi"
        }
        ColumnType::Date => "ignore",
        _ => "feature",
    }
}

/// Why a column is too wide to feed a model as categories: `identifier_like` (nearly every
/// value distinct: a record number, a free-text field) or `many_categories` (more distinct
/// values than `one_hot` keeps, [`crate::features::encode::DEFAULT_MAX_CATEGORIES`]: the rarer
/// ones would be grouped into `other`, and without the cap each would be a model input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wide {
    /// `identifier_like` or `many_categories`.
    pub reason: String,
    /// Model inputs one-hot encoding every distinct value would make.
    pub inputs_uncapped: usize,
    /// The English rendering of `coded`.
    pub message: String,
    /// The message as a code with parameters (`code`, `params` in JSON).
    #[serde(flatten)]
    pub coded: crate::message::Message,
}

/// Distinct values at or above this share of the present ones make a column identifier-like.
pub const IDENTIFIER_LIKE_SHARE: f64 = 0.5;

/// Whether a categorical column of `distinct` values over `present` non-missing rows is too
/// wide to encode (see [`Wide`]); other types never are (numbers are one input each;
/// identifier and text columns are never model inputs unless the recipe says so).
pub fn wide(ctype: ColumnType, distinct: usize, present: usize) -> Option<Wide> {
    let cap = crate::features::encode::DEFAULT_MAX_CATEGORIES;
    if ctype != ColumnType::Categorical || distinct <= cap {
        return None;
    }
    let share = distinct as f64 / present.max(1) as f64;
    let (reason, message) = if share >= IDENTIFIER_LIKE_SHARE {
        (
            "identifier_like",
            crate::message::profile_identifier_like(distinct, present),
        )
    } else {
        (
            "many_categories",
            crate::message::profile_many_categories(distinct, cap - 1),
        )
    };
    Some(Wide {
        reason: reason.into(),
        inputs_uncapped: distinct,
        message: message.to_string(),
        coded: message,
    })
}
