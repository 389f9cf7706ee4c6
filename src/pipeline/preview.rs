//! A quick look at what the privacy steps do, for the page as the user edits them: the preview
//! of every step, and a review of the notes a `scrub_text` step scrubs.

use super::stage::{apply_privacy, identifier_columns, measure_privacy};
use crate::error::{Error, Result, StepRef};
use crate::privacy::text::review::{review, Review};
use crate::privacy::{risk, PrivacyContext, PrivacyStep};
use crate::recipe::{Recipe, Role};
use crate::report::AuditEntry;
use crate::table::Table;

/// A quick look at what the privacy steps do: risk before and after, the first rows before and
/// after, the audit entries. The page calls this as the user edits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preview {
    pub quasi_identifiers: Vec<String>,
    pub before: risk::Measures,
    pub after: risk::Measures,
    pub suppressed_rows: usize,
    /// Information loss over the quasi-identifiers (as in the Report).
    pub information_loss: Option<risk::InformationLoss>,
    /// Attribute risk after and before the steps, and suggestions (as in the Report).
    pub attribute_risk: Vec<crate::privacy::attribute::AttributeRisk>,
    pub attribute_risk_before: Vec<crate::privacy::attribute::AttributeRisk>,
    pub risk_suggestions: Vec<crate::privacy::attribute::RiskSuggestion>,
    /// The risk–utility frontier of the last `k_anonymize` step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontier: Option<Vec<crate::privacy::anonymize::FrontierPoint>>,
    /// What the masked table still exposes (the Report's privacy warnings), in English.
    pub warnings: Vec<String>,
    /// The same as codes with parameters, in the same order.
    pub warning_codes: Vec<crate::message::Message>,
    pub original_columns: Vec<String>,
    pub original_rows: Vec<Vec<Option<String>>>,
    pub masked_columns: Vec<String>,
    pub masked_rows: Vec<Vec<Option<String>>>,
    pub audit: Vec<AuditEntry>,
    /// Some released record is above the risk threshold (as `privacy.above_threshold`).
    pub above_threshold: bool,
    /// HIPAA Safe Harbor geography and dates left in the released table (as
    /// `privacy.safe_harbor`).
    pub safe_harbor: Vec<crate::privacy::safe_harbor::SafeHarborWarning>,
}

/// The first `rows` rows of `table`, as text.
fn head(table: &Table, rows: usize) -> Vec<Vec<Option<String>>> {
    (0..rows.min(table.rows()))
        .map(|r| table.columns.iter().map(|c| c.values.text(r)).collect())
        .collect()
}

/// Applies the privacy steps and summarizes them (see [`Preview`]); `rows` rows are shown.
pub fn preview(table: &Table, recipe: &Recipe, key: &[u8], rows: usize) -> Result<Preview> {
    let masked = apply_privacy(table, recipe, key, &mut |_, _| Ok(()))?;
    // The same measurement as the Report's (one source for the page's meter and the Report).
    let m = measure_privacy(table, &masked, recipe);
    // The original rows shown are those of the first masked rows, so both sides line up.
    let shown: Vec<usize> = masked.row_map.iter().take(rows).copied().collect();
    Ok(Preview {
        above_threshold: risk::above_threshold(&m.after),
        safe_harbor: crate::privacy::safe_harbor::warnings(table, &masked.table, &masked.row_map),
        before: m.before,
        after: m.after,
        quasi_identifiers: m.quasi_identifiers,
        suppressed_rows: masked.suppressed_rows,
        information_loss: m.information_loss,
        attribute_risk: m.attribute_risk,
        attribute_risk_before: m.attribute_risk_before,
        risk_suggestions: m.risk_suggestions,
        frontier: masked.frontier.clone(),
        warnings: crate::message::texts(&m.warnings),
        warning_codes: m.warnings,
        original_columns: table.names(),
        original_rows: head(&table.take_rows(&shown), rows),
        masked_columns: masked.table.names(),
        masked_rows: head(&masked.table, rows),
        audit: masked.audit,
    })
}

/// Reviews the `scrub_text` step `privacy[step]` of `recipe` over `table` (the steps before it
/// applied first): `rows` notes with their replaced spans (see [`privacy::text::review`]).
///
/// [`privacy::text::review`]: crate::privacy::text::review
pub fn notes_review(
    table: &Table,
    recipe: &Recipe,
    step: usize,
    key: &[u8],
    rows: usize,
) -> Result<Review> {
    let name = recipe.privacy.get(step).map_or("", |s| s.name());
    let at = StepRef::privacy(step, name);
    let Some(PrivacyStep::ScrubText(scrub)) = recipe.privacy.get(step) else {
        return Err(Error::recipe(
            at.position(),
            None,
            "is not a scrub_text step",
        ));
    };
    recipe.check_against(table)?;
    // The steps before this one, checked above as part of the whole recipe.
    let mut before = recipe.clone();
    before.privacy.truncate(step);
    before.columns.retain(|_, r| *r != Role::Identifier);
    before.target = None;
    before.features.clear();
    let masked = apply_privacy(table, &before, key, &mut |_, _| Ok(()))?;
    let identifiers = identifier_columns(table, recipe);
    let ctx = PrivacyContext {
        key,
        seed: recipe.seed,
        step,
        original: table,
        row_map: &masked.row_map,
        identifiers: &identifiers,
    };
    review(scrub, &masked.table, &ctx, rows).map_err(|e| at.error(e))
}
