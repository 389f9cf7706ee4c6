//! A sample of scrubbed notes for the page to show: each replaced span with its category, and
//! the capitalized words kept that a human should look at ("possible names kept").
//!
//! Privacy by design: a review carries the scrubbed text and span offsets, never the original
//! identifier text, so it is safe in anything exported. Offsets over the original note let the
//! page (which holds the user's own data locally) highlight the original on screen.

use super::{replace, Found};
use crate::privacy::ops::scrub_text::ScrubText;
use crate::privacy::PrivacyContext;
use crate::table::Table;
use serde::Serialize;

/// One replaced span: offsets in UTF-16 code units (JavaScript string indices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub category: &'static str,
}

/// One scrubbed note of the sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteReview {
    /// The record's row in the input (0-based among accepted records).
    pub row: usize,
    pub column: String,
    /// The scrubbed note, as it will be exported.
    pub scrubbed: String,
    /// Each replacement in `scrubbed`.
    pub spans: Vec<Span>,
    /// The same replacements over the original note (offsets only).
    pub original_spans: Vec<Span>,
}

/// A review of one `scrub_text` step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub notes: Vec<NoteReview>,
    /// Capitalized words kept in the scrubbed notes of the whole table that are neither on the
    /// allow-list nor replaced (up to 50, most frequent first).
    pub possible_names_kept: Vec<String>,
    /// Replacements per category over the whole table.
    pub replaced: std::collections::BTreeMap<&'static str, usize>,
}

/// Byte offset -> UTF-16 offset in `text`.
fn utf16(text: &str, byte: usize) -> usize {
    text[..byte].encode_utf16().count()
}

fn spans(text: &str, found: &[Found]) -> Vec<Span> {
    found
        .iter()
        .map(|f| Span {
            start: utf16(text, f.start),
            end: utf16(text, f.end),
            category: f.kind,
        })
        .collect()
}

/// Runs `step` over `table` as it stands before the step (with its context) and returns `rows`
/// non-empty notes of its columns with their spans, those with a replacement first.
pub fn review(
    step: &ScrubText,
    table: &Table,
    ctx: &PrivacyContext,
    rows: usize,
) -> Result<Review, crate::privacy::ArgError> {
    let run = step.scrub_cells(table, ctx)?;
    let mut notes = Vec::new();
    // Notes where something was replaced first (in table order), then the others: a reviewer
    // wants to see what was taken out.
    let (with, without): (Vec<_>, Vec<_>) = run.cells.iter().partition(|c| !c.found.is_empty());
    for cell in with.into_iter().chain(without) {
        if notes.len() >= rows {
            break;
        }
        let (scrubbed, out_spans) = replace(&cell.text, &cell.found, cell.dates);
        notes.push(NoteReview {
            row: cell.original_row,
            column: cell.column.clone(),
            spans: spans(&scrubbed, &out_spans),
            original_spans: spans(&cell.text, &cell.found),
            scrubbed,
        });
    }
    Ok(Review {
        notes,
        possible_names_kept: run.possible_names(50),
        replaced: run.replaced(),
    })
}
