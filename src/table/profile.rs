//! What was read (the input summary) and the role a header suggests. The per-column profile,
//! which includes identifier detection, is built above, in `privacy::profile`.

use super::csv::{Parsed, RejectedRow, Repair};
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
    pub encoding: String,
    /// SHA-256 of the input bytes, so a filed report can be matched to its file.
    pub sha256: String,
}

/// Counts and rejected rows of a parsed file.
pub fn summary(parsed: &Parsed, file: &str, bytes: &[u8]) -> InputSummary {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    summary_with_digest(
        parsed,
        file,
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    )
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
        sha256,
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
