//! Step 1 of a run: the privacy steps, the risk before and after them, and the modelling
//! prepared (target, inputs, splits) for the units of step 2.

use super::original::{self, Original};
use super::prepare::{prepare, Prepared};
use super::{args_of, Context};
use crate::error::Result;
use crate::error::StepRef;
use crate::message::{self as msg, Message};
use crate::privacy::{risk, PrivacyContext};
use crate::recipe::{Recipe, Role};
use crate::report::{AuditEntry, PrivacyReport};
use crate::table::profile::InputSummary;
use crate::table::{ColumnType, Table};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// What the privacy steps and the modelling preparation produced: everything the splits need.
pub struct Staged {
    pub(super) start_ms: f64,
    /// Time of this step (the `stage` phase of `RunTimings::phases`).
    pub(super) stage_ms: f64,
    pub(super) input: InputSummary,
    pub(super) audit: Vec<AuditEntry>,
    pub(super) warnings: Vec<Message>,
    /// Leakage and optimism checks on the modelling rows (`Report::leakage`).
    pub(super) leakage: Vec<crate::table::quality::QualityFlag>,
    pub(super) privacy: PrivacyReport,
    /// The table after the privacy steps.
    pub masked: Table,
    /// For each row of `masked`, its row in the input table (see [`Masked::row_map`]).
    pub(super) row_map: Vec<usize>,
    pub(super) prepared: Option<Prepared>,
    /// The modelling of the original data restricted to the columns that survive the privacy
    /// steps (see [`crate::report::Report::original`]), or why it cannot be prepared.
    pub(super) original: Option<Original>,
    /// The feature steps last fitted on a split (by split number of [`Staged::split_of`]), kept
    /// for the next unit of the same split: a worker given the models of one split one at a
    /// time fits them once.
    pub(super) fitted: Mutex<Option<(usize, Arc<super::fold::FoldData>)>>,
    /// Units scored but not yet explained ([`super::units::score_splits`]), by unit: kept
    /// with their fitted model until [`super::units::explain_splits`] completes them.
    pub(super) scored: Mutex<std::collections::BTreeMap<usize, super::units::Unexplained>>,
}

/// Applies the privacy steps, measures risk before and after, and prepares the modelling
/// (target, inputs, splits) when the recipe has models.
pub fn stage(
    table: &Table,
    input: InputSummary,
    recipe: &Recipe,
    ctx: &mut Context,
) -> Result<Staged> {
    let start = (ctx.now_ms)();
    let mut audit = input_audit(&input);
    let mut warnings = Vec::new();
    let sensitive_cols = role_columns(recipe, table, Role::Sensitive);
    if sensitive_cols.len() > 1 {
        warnings.push(msg::warn_several_sensitive(sensitive_cols[0].as_str()));
    }
    let sensitive = sensitive_cols.first().map(String::as_str);
    let masked_out = mask(table, recipe, ctx)?;
    let m = measure_privacy(table, &masked_out, recipe);
    audit.extend(masked_out.audit);
    let masked = masked_out.table;
    warnings.extend(m.warnings);
    let above_threshold = risk::above_threshold(&m.after);
    if let Some(entry) = risk::acceptance(&m.after, &recipe.risk) {
        audit.push(entry);
    }
    warnings.extend(risk::acceptance_warning(&m.after, &recipe.risk));
    let safe_harbor = crate::privacy::safe_harbor::warnings(table, &masked, &masked_out.row_map);
    let privacy = PrivacyReport {
        quasi_identifiers: m.quasi_identifiers,
        sensitive: sensitive.map(str::to_string),
        after: m.after,
        before: m.before,
        suppressed_rows: masked_out.suppressed_rows,
        output_rows: masked.rows(),
        output_columns: masked.names(),
        information_loss: m.information_loss,
        attribute_risk: m.attribute_risk,
        attribute_risk_before: m.attribute_risk_before,
        risk_suggestions: m.risk_suggestions,
        frontier: masked_out.frontier,
        above_threshold,
        safe_harbor,
    };

    if let Some(c) = &recipe.evaluation.outcome_date {
        crate::eval::leakage::check_outcome_date(table, c)?;
    }
    let prepared = if recipe.models.is_empty() {
        None
    } else {
        Some(prepare(&masked, recipe, &mut audit)?)
    };
    let leakage = prepared.as_ref().map_or_else(Vec::new, |p| {
        let problem = crate::eval::leakage::Problem {
            task: p.task,
            x: &p.x_table,
            labels: p.labels(),
            values: p.values(),
            classes: &p.classes,
            target: &p.target,
            input_rows: p.y.rows.iter().map(|&r| masked_out.row_map[r]).collect(),
            group: p.group.as_deref(),
            outcome_date: recipe.evaluation.outcome_date.as_deref(),
        };
        crate::eval::leakage::check(table, &masked, &problem)
    });
    warnings.extend(leakage.iter().filter_map(|f| f.coded.clone()));
    let original = match &prepared {
        Some(p) => original::prepare_original(table, &masked, recipe, p.horizons.as_ref()),
        None => None,
    };
    Ok(Staged {
        start_ms: start,
        stage_ms: (ctx.now_ms)() - start,
        input,
        audit,
        warnings,
        leakage,
        privacy,
        masked,
        row_map: masked_out.row_map,
        prepared,
        original,
        fitted: Mutex::new(None),
        scored: Mutex::new(Default::default()),
    })
}

/// The privacy measurement of a recipe's privacy steps over `table` (the input) and `masked`
/// (their result): risk before and after over the quasi-identifiers, information loss,
/// attribute risk before and after, risk suggestions and the warnings about what the masked
/// table still exposes. The one source of the Report's `privacy` and the page's preview.
pub struct PrivacyMeasurement {
    pub quasi_identifiers: Vec<String>,
    pub before: risk::Measures,
    pub after: risk::Measures,
    pub information_loss: Option<risk::InformationLoss>,
    pub attribute_risk: Vec<crate::privacy::attribute::AttributeRisk>,
    pub attribute_risk_before: Vec<crate::privacy::attribute::AttributeRisk>,
    pub risk_suggestions: Vec<crate::privacy::attribute::RiskSuggestion>,
    pub warnings: Vec<Message>,
}

/// Risk drivers given a suggestion each.
const RISK_SUGGESTIONS: usize = 3;

/// Measures what the privacy steps did (see [`PrivacyMeasurement`]).
pub fn measure_privacy(table: &Table, masked: &Masked, recipe: &Recipe) -> PrivacyMeasurement {
    use crate::privacy::attribute;
    let quasi: Vec<String> = role_columns(recipe, table, Role::Quasi);
    let sensitive_cols = role_columns(recipe, table, Role::Sensitive);
    let sensitive = sensitive_cols.first().map(String::as_str);
    let out = &masked.table;
    let mut after = risk::measure_with(
        out,
        &quasi,
        sensitive.filter(|s| out.column(s).is_some()),
        &recipe.risk,
    );
    let mut warnings = masked_warnings(recipe, out, &masked.scrubbed, &after);
    warnings.extend(measure_k_map(out, &quasi, recipe, &mut after));
    // The smallest class size whose prosecutor risk stays within the threshold.
    let k = (1.0 / recipe.risk.threshold - 1e-9).ceil().max(2.0) as usize;
    PrivacyMeasurement {
        before: risk::measure_with(table, &quasi, sensitive, &recipe.risk),
        information_loss: risk::information_loss(table, out, &masked.row_map, &quasi),
        attribute_risk: attribute::attribute_risk(out, &quasi),
        attribute_risk_before: attribute::attribute_risk(table, &quasi),
        risk_suggestions: attribute::risk_suggestions(out, &quasi, k, RISK_SUGGESTIONS),
        warnings,
        after,
        quasi_identifiers: quasi,
    }
}

/// k-map of the masked table against the recipe's population table (`risk.population_table`),
/// written into `after.risk`; returns its warnings. Measured after the privacy steps only: the
/// table lists combinations as they read after them.
fn measure_k_map(
    out: &Table,
    quasi: &[String],
    recipe: &Recipe,
    after: &mut risk::Measures,
) -> Vec<crate::message::Message> {
    use crate::privacy::kmap;
    let mut warnings = Vec::new();
    let (Some(spec), Some(r)) = (&recipe.risk.population_table, after.risk.as_mut()) else {
        return warnings;
    };
    // The recipe was checked: the table parses.
    let Ok(table) = kmap::parse(spec, &recipe.quasi_identifiers()) else {
        return warnings;
    };
    let Some(m) = kmap::measure(out, quasi, spec, &table, r.threshold) else {
        return warnings;
    };
    if m.records_at_risk > 0 {
        warnings.push(kmap::at_risk_warning(
            m.records_at_risk,
            m.records_at_risk_pct,
            r.threshold,
            m.k_map,
            &m.table.name,
        ));
    }
    if !m.table.uncovered.is_empty() {
        warnings.push(kmap::uncovered_warning(&m.table.name, &m.table.uncovered));
    }
    if m.table.missing_records + m.table.below_sample_records > 0 {
        warnings.push(kmap::fallback_warning(
            &m.table.name,
            m.table.missing_records,
            m.table.below_sample_records,
        ));
    }
    r.k_map = Some(m.k_map);
    r.k_map_max = Some(m.max);
    r.k_map_avg = Some(m.avg);
    r.k_map_records_at_risk = Some(m.records_at_risk);
    r.k_map_records_at_risk_pct = Some(m.records_at_risk_pct);
    r.population_table = Some(m.table);
    warnings
}

/// The audit entries of reading the file: rows rejected, values repaired.
fn input_audit(input: &InputSummary) -> Vec<AuditEntry> {
    let mut audit = Vec::new();
    if !input.rejected_rows.is_empty() {
        audit.push(AuditEntry {
            step: "input".into(),
            op: "read_csv".into(),
            args: json!({"file": input.file}),
            rows_affected: input.rejected_rows.len(),
            cells_affected: 0,
            note: msg::audit_rejected_rows(input.rejected_rows.len()).to_string(),
            coded: msg::audit_rejected_rows(input.rejected_rows.len()),
        });
    }

    for r in &input.repairs {
        audit.push(AuditEntry {
            step: "input".into(),
            op: "repair".into(),
            args: json!({"column": r.column, "lines": r.lines}),
            rows_affected: 0,
            cells_affected: r.count,
            note: r.message.clone(),
            coded: r.coded.clone(),
        });
    }
    audit
}

/// The privacy steps applied with progress: one event per step, and one when all are done.
fn mask(table: &Table, recipe: &Recipe, ctx: &mut Context) -> Result<Masked> {
    let key = ctx.key.clone();
    let steps = recipe.privacy.len();
    let masked_out = {
        let mut on_step = |i: usize, name: &str| {
            ctx.report("privacy", i, steps, format!("{name} ({}/{steps})", i + 1))
        };
        apply_privacy(table, recipe, &key, &mut on_step)?
    };
    ctx.report("privacy", steps, steps, "privacy steps done".into())?;
    Ok(masked_out)
}

/// What the masked table still exposes: text kept unscrubbed, a person's dates kept exact,
/// records at risk of re-identification (`after`: its risk measures).
fn masked_warnings(
    recipe: &Recipe,
    masked: &Table,
    scrubbed: &[String],
    after: &risk::Measures,
) -> Vec<Message> {
    let mut warnings = Vec::new();
    for c in &masked.columns {
        if c.ctype == ColumnType::Text
            && recipe.role(&c.name) != Role::Ignore
            && !scrubbed.contains(&c.name)
        {
            warnings.push(msg::warn_text_unscrubbed(c.name.as_str()));
        }
    }
    let dated: Vec<&str> = recipe
        .privacy
        .iter()
        .filter(|s| s.op().coarsens_dates())
        .flat_map(|s| {
            s.columns()
                .into_iter()
                .filter(|(f, _)| *f == "columns")
                .map(|(_, c)| c)
        })
        .collect();
    for c in &masked.columns {
        if c.ctype == ColumnType::Date && !dated.contains(&c.name.as_str()) {
            let d = crate::privacy::detect::detect_column(c, &[]);
            if d.reasons.iter().any(|r| r.code == "header") {
                warnings.push(msg::warn_date_exact(c.name.as_str()));
            }
        }
    }
    if let (Some(k), Some(r)) = (after.k_anonymity, &after.risk) {
        if r.records_at_risk > 0 {
            warnings.push(msg::warn_records_at_risk(
                k,
                r.records_at_risk,
                r.records_at_risk_pct,
                r.threshold,
            ));
        }
    }
    warnings
}

/// The result of the privacy steps.
pub struct Masked {
    pub table: Table,
    /// For each row of `table`, its row in the input.
    pub row_map: Vec<usize>,
    pub audit: Vec<AuditEntry>,
    /// Records removed by `suppress` (records: true) and `k_anonymize`.
    pub suppressed_rows: usize,
    /// Columns a `scrub_text` step scrubbed.
    pub scrubbed: Vec<String>,
    /// The risk–utility frontier of the last `k_anonymize` step.
    pub frontier: Option<Vec<crate::privacy::anonymize::FrontierPoint>>,
}

/// The columns `scrub_text` looks identifier values up in: those with the role identifier, plus
/// those detected as direct identifiers that are not free text (so notes lose a phone number
/// even when its column was left a feature).
pub fn identifier_columns(table: &Table, recipe: &Recipe) -> Vec<String> {
    use crate::privacy::detect::{detect_table, Verdict};
    let mut identifiers = role_columns(recipe, table, Role::Identifier);
    for (c, d) in table.columns.iter().zip(detect_table(table)) {
        if d.verdict == Verdict::DirectIdentifier
            && c.ctype != ColumnType::Text
            && !identifiers.contains(&c.name)
        {
            identifiers.push(c.name.clone());
        }
    }
    identifiers
}

/// Applies the recipe's privacy steps to `table` (checked with `Recipe::check_against` first).
/// `on_step(i, op)` is called before each step; an error from it stops the run.
pub fn apply_privacy(
    table: &Table,
    recipe: &Recipe,
    key: &[u8],
    on_step: &mut dyn FnMut(usize, &str) -> Result<()>,
) -> Result<Masked> {
    recipe.check_against(table)?;
    let identifiers = if recipe.privacy.iter().any(|s| s.op().scrubs_text()) {
        identifier_columns(table, recipe)
    } else {
        role_columns(recipe, table, Role::Identifier)
    };
    let mut masked = table.clone();
    let mut row_map: Vec<usize> = (0..table.rows()).collect();
    let mut audit = Vec::new();
    let mut suppressed_rows = 0;
    let mut scrubbed = Vec::new();
    let mut frontier = None;
    for (i, step) in recipe.privacy.iter().enumerate() {
        on_step(i, step.name())?;
        let ctx = PrivacyContext {
            key,
            seed: recipe.seed,
            step: i,
            original: table,
            row_map: &row_map,
            identifiers: &identifiers,
        };
        let at = StepRef::privacy(i, step.name());
        let effect = step.apply(&mut masked, &ctx).map_err(|e| at.error(e))?;
        if let Some(kept) = &effect.kept_rows {
            suppressed_rows += row_map.len() - kept.len();
            row_map = kept.iter().map(|&r| row_map[r]).collect();
        }
        if step.op().scrubs_text() {
            let text = step.columns().into_iter().filter(|(f, _)| *f == "columns");
            scrubbed.extend(text.map(|(_, c)| c.to_string()));
        }
        let mut args = args_of(&step.redacted());
        let mut details = effect.details.clone();
        // The frontier goes to `privacy.frontier`, not into the audit.
        if let Some(f) = details
            .as_mut()
            .and_then(|d| d.as_object_mut())
            .and_then(|d| d.remove("frontier"))
        {
            frontier = serde_json::from_value(f).ok();
        }
        if let (Some(d), Some(o)) = (&details, args.as_object_mut()) {
            o.insert("result".into(), d.clone());
        }
        audit.push(AuditEntry {
            step: at.position(),
            op: step.name().into(),
            args,
            rows_affected: effect.rows_affected,
            cells_affected: effect.cells_affected,
            note: effect.note.to_string(),
            coded: effect.note,
        });
    }
    Ok(Masked {
        table: masked,
        row_map,
        audit,
        suppressed_rows,
        scrubbed,
        frontier,
    })
}

/// The columns of `table` the recipe gives `role`, in table order.
pub(super) fn role_columns(recipe: &Recipe, table: &Table, role: Role) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| recipe.role(&c.name) == role)
        .map(|c| c.name.clone())
        .collect()
}
