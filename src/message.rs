//! Messages as codes: every sentence the core says to a user (a warning, an audit note, a
//! rejected row's reason, a repair, an error's frame) is a [`Message`]: a stable dotted code
//! (`csv.field_count`) with named parameters, and ONE English rendering per code, declared in
//! the [`messages!`] catalogue below. The Report keeps its English strings (`warnings`,
//! `rejected_rows[i].reason`, `audit[i].note`) and adds the structured forms beside them
//! (`warning_codes`, `code` + `params`), so the page can render each in the user's language
//! from `www/i18n/LANG.msg.json` (`msg.CODE`), and `tests/messages.rs` fails when a code has no
//! string in either language or a string's placeholders differ from the code's parameters.
//!
//! Adding a code is one line of the catalogue (the constructor function, the code, the
//! parameter names, the English text with `{name}` placeholders, `{name:.N}` for N decimals),
//! then its two strings in `www/i18n/{en,zh}.msg.json`. See docs/extending.md.

use serde::de::Deserializer;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// One sentence as a code with its parameters, in the order the catalogue names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    /// The stable dotted code (`csv.field_count`); empty for "nothing to say".
    pub code: Cow<'static, str>,
    pub params: Vec<(Cow<'static, str>, Value)>,
}

/// A code of the catalogue: its parameter names and English text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub code: &'static str,
    pub params: &'static [&'static str],
    pub english: &'static str,
}

impl Message {
    /// A message of `code` with parameters (used by the catalogue's constructors).
    pub fn new(code: &'static str, params: Vec<(&'static str, Value)>) -> Self {
        Message {
            code: Cow::Borrowed(code),
            params: params
                .into_iter()
                .map(|(k, v)| (Cow::Borrowed(k), v))
                .collect(),
        }
    }

    /// Whether there is nothing to say (a step that left no note).
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// The value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The catalogue entry of this message's code.
    pub fn spec(&self) -> Option<&'static Spec> {
        spec(&self.code)
    }

    /// The parameters as a JSON object (in catalogue order).
    pub fn params_json(&self) -> Map<String, Value> {
        self.params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// `{code, params, message}`: the shape the wasm face hands to the page.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "code": self.code,
            "params": self.params_json(),
            "message": self.to_string(),
        })
    }
}

/// A message as a parameter of another (rendered in place; the page renders it the same way).
impl From<Message> for Value {
    fn from(m: Message) -> Value {
        serde_json::to_value(&m).unwrap_or(Value::Null)
    }
}

/// The English renderings of `messages` (the Report's `warnings` beside `warning_codes`).
pub fn texts(messages: &[Message]) -> Vec<String> {
    messages.iter().map(Message::to_string).collect()
}

/// The catalogue entry of `code`.
pub fn spec(code: &str) -> Option<&'static Spec> {
    CATALOGUE.iter().find(|s| s.code == code)
}

/// The placeholders of a template: `{name}` or `{name:.N}` (also `{name|one|other}` in the
/// page's strings), by name, in order of appearance.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
        rest = &after[end + 1..];
    }
    out
}

/// A parameter as English text: integers as integers, other numbers as Rust prints them
/// (`0.2`, `5`), `decimals` fixed when given; strings as they are.
fn render_value(v: &Value, decimals: Option<usize>) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64(), decimals) {
            (_, _, Some(f), Some(d)) => format!("{f:.d$}"),
            (Some(i), _, _, None) => i.to_string(),
            (_, Some(u), _, None) => u.to_string(),
            (_, _, Some(f), None) => f.to_string(),
            _ => n.to_string(),
        },
        Value::Null => String::new(),
        Value::Object(o) if o.get("code").is_some_and(Value::is_string) => {
            serde_json::from_value::<Message>(v.clone())
                .map(|m| m.to_string())
                .unwrap_or_else(|_| v.to_string())
        }
        Value::Array(items) => items
            .iter()
            .map(|x| render_value(x, decimals))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Renders `template` with `params` (the one English renderer).
pub fn render(template: &str, params: &[(Cow<'static, str>, Value)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let (name, decimals) = match inner.split_once(":.") {
            Some((n, d)) => (n, d.parse().ok()),
            None => (inner, None),
        };
        match params.iter().find(|(k, _)| k == name) {
            Some((_, v)) => out.push_str(&render_value(v, decimals)),
            None => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_empty() {
            return Ok(());
        }
        match self.spec() {
            Some(s) => f.write_str(&render(s.english, &self.params)),
            // A code from a newer version read back from a file: say what is known.
            None => write!(f, "{} {}", self.code, Value::Object(self.params_json())),
        }
    }
}

/// `{"code": ..., "params": {...}}` (nothing at all for an empty message, so that a flattened
/// message adds no field).
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.code.is_empty() {
            return s.serialize_map(Some(0))?.end();
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("code", &self.code)?;
        m.serialize_entry("params", &self.params_json())?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            code: String,
            #[serde(default)]
            params: Map<String, Value>,
        }
        let raw = Raw::deserialize(d)?;
        // Keep the catalogue's order when the code is known.
        let mut params: Vec<(Cow<'static, str>, Value)> = Vec::new();
        let mut rest = raw.params;
        if let Some(s) = spec(&raw.code) {
            for &p in s.params {
                if let Some(v) = rest.remove(p) {
                    params.push((Cow::Borrowed(p), v));
                }
            }
        }
        params.extend(rest.into_iter().map(|(k, v)| (Cow::Owned(k), v)));
        Ok(Message {
            code: Cow::Owned(raw.code),
            params,
        })
    }
}

/// Declares the catalogue: one line per code,
/// `fn_name "dotted.code" (param, ...) "English text with {param}";`.
/// Generates `CATALOGUE` and one constructor per code taking each parameter as
/// `impl Into<Value>` (numbers, strings, lists).
macro_rules! messages {
    ($( $(#[$doc:meta])* $name:ident $code:literal ( $($p:ident),* ) $english:literal; )*) => {
        /// Every code with its parameters and English text, in catalogue order.
        pub const CATALOGUE: &[Spec] = &[
            $( Spec { code: $code, params: &[$(stringify!($p)),*], english: $english }, )*
        ];
        $(
            $(#[$doc])*
            #[doc = concat!("`", $code, "`: \"", $english, "\"")]
            #[allow(clippy::too_many_arguments)]
            pub fn $name($($p: impl Into<Value>),*) -> Message {
                Message::new($code, vec![$((stringify!($p), $p.into())),*])
            }
        )*
    };
}

messages! {
    // Reading the file: rejected rows and repairs.
    csv_unclosed_quote "csv.unclosed_quote" () "a quote opened in this record is never closed, so the rest of the file was read into one field";
    csv_field_count "csv.field_count" (expected, found) "expected {expected} fields, found {found}";
    csv_unreadable "csv.unreadable" (detail) "unreadable record: {detail}";
    csv_invalid_utf8 "csv.invalid_utf8" (field) "field '{field}' is not valid UTF-8";
    csv_nul_byte "csv.nul_byte" (field) "field '{field}' contains a NUL byte";
    repair_decimal_comma "repair.decimal_comma" () "decimal commas read as decimal points";
    repair_non_numbers "repair.non_numbers" () "values that are not numbers (e.g. \"<5\", \"1e309\") in a numeric column read as missing";
    repair_header_utf8 "repair.header_utf8" () "header name is not valid UTF-8";
    repair_empty_header "repair.empty_header" () "empty header names replaced by column_N (N = position)";
    repair_duplicate_header "repair.duplicate_header" () "duplicate header names made unique with a suffix";
    repair_title_rows "repair.title_rows" (rows, header_row, first) "{rows} row(s) above the header (row {header_row}) skipped as titles, the first reading '{first}'";
    repair_merged_header "repair.merged_header" (columns) "header cell merged across {columns} columns: each column takes its text, made unique with a suffix";
    repair_merged_data "repair.merged_data" () "merged cells: only the first cell of each merged region holds the value; the other cells of the region are read as missing";
    repair_excel_dates "repair.excel_dates" () "Excel date cells (day serial numbers) read as ISO dates (YYYY-MM-DD, with the time when there is one)";
    repair_error_cells "repair.error_cells" (example) "cells holding a spreadsheet error (e.g. {example}) read as missing";
    repair_formula_without_value "repair.formula_without_value" () "formula cells saved without a computed value (the file was written by a program that does not calculate) read as missing; open and save the file in a spreadsheet to compute them";
    repair_empty_first_sheet "repair.empty_first_sheet" (first, read) "the first sheet '{first}' is empty; read sheet '{read}'";
    repair_unsupported_column "repair.unsupported_column" (kind) "column of type {kind} (lists, structures, maps or bytes hold no single value per cell) left out";
    repair_timestamp_utc "repair.timestamp_utc" (zone) "timestamps stored with the time zone {zone} written in UTC";
    repair_missing_codes "repair.missing_codes" (codes) "values the file marks as missing-value codes ({codes}) read as missing";
    repair_value_labels "repair.value_labels" () "coded values read as their value labels (the labelled text is the value; codes and labels are listed in the profile)";
    repair_unlabelled_codes "repair.unlabelled_codes" () "values without a value label kept as their codes";
    repair_stats_dates "repair.stats_dates" (format) "numbers with the date format {format} read as ISO dates (YYYY-MM-DD)";
    repair_stats_datetimes "repair.stats_datetimes" (format) "numbers with the datetime format {format} read as ISO dates with the time (YYYY-MM-DD HH:MM:SS)";
    csv_malformed_bytes "csv.malformed_bytes" (field, encoding, bytes) "field '{field}' has bytes that are not valid {encoding} ({bytes})";
    // The profile: columns too wide to encode.
    profile_identifier_like "profile.identifier_like" (distinct, present) "{distinct} distinct values in {present} rows: nearly one per record, like an identifier or free text; it tells a model little and may identify people";
    profile_many_categories "profile.many_categories" (distinct, kept) "{distinct} distinct values: one_hot keeps the {kept} most frequent and groups the rest into 'other'";
    // Audit notes of the privacy operators.
    op_drop "op.drop" (count) "removed {count} column(s)";
    op_deduplicate "op.deduplicate" (removed, compared) "{removed} record(s) identical to an earlier one on {compared} column(s) removed";
    op_pseudonymize_user_key "op.pseudonymize.user_key" () "values replaced by keyed HMAC-SHA256 pseudonyms (user key, not stored)";
    op_pseudonymize_fresh_key "op.pseudonymize.fresh_key" () "values replaced by keyed HMAC-SHA256 pseudonyms (fresh key, not stored)";
    op_redact "op.redact" () "every present value replaced by a fixed text";
    op_replace_random "op.replace_random" () "values replaced by random values of the same format";
    op_replace_random_starred "op.replace_random.starred" (starred) "values replaced by random values of the same format; {starred} value(s) had no free fake of their shape and became '*'s";
    op_truncate "op.truncate" (keep) "kept the first {keep} character(s)";
    op_mask "op.mask" (first, last) "masked all but the first {first} and last {last} character(s)";
    op_generalize_width "op.generalize.width" (width) "numbers replaced by bands of width {width}";
    op_generalize_cuts "op.generalize.cuts" (cuts) "numbers replaced by bands cut at [{cuts}]";
    op_hierarchy "op.hierarchy" (level) "values replaced by their level-{level} group";
    op_date_year "op.date.year" () "dates replaced by the year";
    op_date_month "op.date.month" () "dates replaced by the month";
    op_date_age "op.date.age" (event) "dates replaced by the age in whole years at '{event}' (missing where either date is missing)";
    op_date_shift "op.date_shift" (by, patients, days) "dates shifted by one random offset per '{by}' value ({patients} patient(s)), within ±{days} days; times of day removed";
    op_suppress_records "op.suppress.records" (count) "{count} record(s) removed";
    op_suppress_cells "op.suppress.cells" (cells, count) "{cells} cell(s) of {count} record(s) blanked";
    op_pram "op.pram" (changed) "{changed} value(s) changed by randomized response";
    op_noise_laplace "op.noise.laplace" (scale) "laplace noise with scale {scale:.4} added to every present value";
    op_noise_gaussian "op.noise.gaussian" (scale) "gaussian noise with scale {scale:.4} added to every present value";
    op_microaggregate "op.microaggregate" (records, groups, size) "{records} complete record(s) in {groups} group(s) of at least {size} replaced by group means";
    op_microaggregate_partial "op.microaggregate.partial" (records, groups, size, exact, cells) "{records} complete record(s) in {groups} group(s) of at least {size} replaced by group means; {exact} record(s) missing one of the columns keep their exact values ({cells} cell(s) not aggregated)";
    op_scrub_text "op.scrub_text" (found, cells, id_columns) "{found} identifier(s) removed from {cells} text cell(s), using {id_columns} identifier column(s)";
    op_k_anonymize "op.k_anonymize" (k, levels, suppressed, evaluated, nodes) "k = {k} reached by generalizing {levels}; {suppressed} record(s) suppressed; {evaluated} of {nodes} level combinations evaluated";
    op_k_anonymize_average "op.k_anonymize.average" (risk, levels, suppressed, evaluated, nodes) "average risk ≤ {risk} reached by generalizing {levels}; {suppressed} record(s) suppressed; {evaluated} of {nodes} level combinations evaluated";
    op_k_anonymize_k_average "op.k_anonymize.k_average" (k, risk, levels, suppressed, evaluated, nodes) "k = {k} and average risk ≤ {risk} reached by generalizing {levels}; {suppressed} record(s) suppressed; {evaluated} of {nodes} level combinations evaluated";
    op_k_anonymize_pinned "op.k_anonymize.pinned" (note) "{note} (levels pinned by the recipe)";
    op_k_anonymize_level "op.k_anonymize.level" (column, level) "{column} → {level}";
    // The levels of a k_anonymize ladder.
    level_original "level.original" () "original";
    level_bands "level.bands" (width) "bands of {width}";
    level_prefix "level.prefix" (chars) "first {chars} characters";
    level_month "level.month" () "month";
    level_year "level.year" () "year";
    level_decade "level.decade" () "decade";
    level_hierarchy "level.hierarchy" (level) "hierarchy level {level}";
    level_frequent "level.frequent" (records) "values of at least {records} records, others merged";
    level_all "level.all" () "*";
    // Audit notes of the run.
    audit_rejected_rows "audit.rejected_rows" (count) "{count} row(s) rejected while reading; see input.rejected_rows";
    audit_target_missing "audit.target_missing" (count, target) "{count} row(s) without a value in '{target}' left out of training and evaluation";
    audit_survival_rejected "audit.survival_rejected" (count) "{count} row(s) without a usable time-to-event outcome left out of the analysis; see survival.rejected_rows";
    survival_time_missing "survival.time_missing" (column) "the follow-up time in '{column}' is missing";
    survival_time_negative "survival.time_negative" (column, value) "the follow-up time in '{column}' is negative ({value})";
    survival_event_missing "survival.event_missing" (column) "the event indicator in '{column}' is missing";
    survival_event_other "survival.event_other" (column, value, first, second) "the event indicator in '{column}' is '{value}', neither '{first}' nor '{second}'";
    survival_horizon_not_positive "survival.horizon_not_positive" (horizon) "horizon {horizon} is not a positive time";
    survival_horizon_beyond "survival.horizon_beyond" (horizon, largest) "horizon {horizon} is beyond the largest follow-up time ({largest})";
    survival_horizons_target "survival.horizons_target" () "horizons apply to a time-to-event target only";
    audit_not_inputs "audit.not_inputs" () "columns of these types are not model inputs (a date column is one when a date feature step names it); give them the role ignore to silence this";
    audit_model_fitted "audit.model_fitted" (splits) "fitted and evaluated on {splits} split(s)";
    audit_features_fitted "audit.features_fitted" (splits) "fitted on the training rows of each of {splits} split(s); learned per split";
    audit_resampled "audit.resampled" (splits, rows) "training rows only, in each of {splits} split(s): {rows} row(s) removed or added in total; test rows untouched";
    audit_accept_risk "audit.accept_risk" (threshold, records, pct, reason) "released above the risk threshold {threshold} by explicit acceptance: {records} record(s) ({pct:.1}%) at risk; reason: {reason}";
    audit_accept_risk_by "audit.accept_risk.by" (threshold, by, records, pct, reason) "released above the risk threshold {threshold} by explicit acceptance of {by}: {records} record(s) ({pct:.1}%) at risk; reason: {reason}";
    // The cost of privacy: how the original data was evaluated.
    original_failed "original.failed" (detail) "the models could not be evaluated on the original data: {detail}";
    original_evaluated "original.evaluated" (columns, rows) "the same models, feature steps, evaluation and seed on the original values of the {columns} column(s) the privacy steps keep ({rows} modelling rows); difference = masked − original, averaged over the splits";
    original_evaluated_suppressed "original.evaluated.suppressed" (columns, rows, masked_rows) "the same models, feature steps, evaluation and seed on the original values of the {columns} column(s) the privacy steps keep ({rows} modelling rows; the masked data has {masked_rows} modelling rows, so its splits differ); difference = masked − original, averaged over the splits";
    // Warnings of a run.
    warn_several_sensitive "warn.several_sensitive" (column) "several sensitive columns; l-diversity and t-closeness are measured for '{column}' only";
    warn_text_unscrubbed "warn.text_unscrubbed" (column) "text column '{column}' is kept in the masked output unscrubbed; drop it or add a scrub_text step if it may name patients";
    warn_date_exact "warn.date_exact" (column) "date column '{column}' is tied to a person and kept exact; HIPAA Safe Harbor keeps only the year: add a date step (to year) or date_shift before sharing the masked file";
    warn_records_at_risk "warn.records_at_risk" (k, records, pct, threshold) "k-anonymity over the quasi-identifiers is {k}: {records} record(s) ({pct:.1}%) sit in classes whose re-identification risk exceeds {threshold}; generalize or suppress further before sharing the masked file";
    warn_kmap_at_risk "warn.kmap_at_risk" (table, records, pct, k, threshold, k_map) "k-map against the population table {table}: {records} record(s) ({pct:.1}%) have a population count below {k} (risk above {threshold}); the smallest count is {k_map}";
    warn_kmap_uncovered "warn.kmap_uncovered" (table, columns) "the population table {table} does not cover the quasi-identifier(s) {columns}: k-map is measured over the others only";
    warn_kmap_fallback "warn.kmap_fallback" (table, missing, below) "population table {table}: {missing} record(s) have a combination the table does not list and {below} one it lists with fewer people than the data has; their data count is used as the population count (the cautious choice)";
    leak_duplicates "leak.duplicates" (duplicates, rows, distinct) "{duplicates} of {rows} modelling rows repeat another row on every input and the target ({distinct} distinct): copies fall on both sides of a split and make every score optimistic; remove them (deduplicate) before trusting the numbers";
    leak_repeated_patients "leak.repeated_patients" (column, patients, rows) "{patients} patient(s) in '{column}' have several modelling rows ({rows} rows) and the evaluation does not group them: rows of one patient in both training and test make scores optimistic; use group_kfold on '{column}'";
    leak_near_perfect "leak.near_perfect" (column, measure, value) "input '{column}' alone predicts the target almost perfectly ({measure} {value:.3}): it may be recorded from the outcome or after it; check it, or drop it";
    leak_pure_category "leak.pure_category" (column, value, rows, class) "in input '{column}', all {rows} rows with '{value}' have target '{class}': a category that gives the answer may be recorded from the outcome; check it, or drop it";
    leak_after_outcome "leak.after_outcome" (column, word) "input '{column}' looks recorded after the outcome (its name says '{word}'): information from after the prediction time leaks the answer; drop it unless it is known at prediction time";
    leak_after_outcome_date "leak.after_outcome_date" (column, outcome, rows, compared) "input '{column}' is dated after the outcome (date column '{outcome}') in {rows} of the {compared} rows that have both dates: information recorded after the outcome leaks the answer; drop it";
    leak_outcome_date_input "leak.outcome_date_input" (column) "input '{column}' is the outcome's own date (evaluation.outcome_date): it is known only once the outcome is; drop it";
    warn_small_sample "warn.small_sample" (have, required, parameters, anticipated) "the data have {have} rows but Riley et al.'s criteria ask for at least {required} to fit {parameters} candidate parameters without much overfitting (anticipated performance: {anticipated}); expect optimistic results and a calibration slope below 1 — use fewer inputs or more data";
    sample_source_recipe "sample.source.recipe" () "given in the recipe";
    sample_source_first_model "sample.source.first_model" (kind) "cross-validated ROC-AUC of the first model ({kind}), mean over the splits";
    warn_accepted_risk "warn.accepted_risk" (threshold, records, pct, reason) "released above the risk threshold {threshold} by explicit acceptance (audited as accept_risk): {records} record(s) ({pct:.1}%) at risk; reason: {reason}";
    warn_formula_cells_masked "warn.formula_cells.masked" (count) "{count} cell(s) of the masked table begin with =, +, -, @, a tab or a carriage return and are not numbers: written with a leading ' so that no spreadsheet runs them as formulas";
    warn_formula_cells_predictions "warn.formula_cells.predictions" (count) "{count} cell(s) of the predictions begin with =, +, -, @, a tab or a carriage return and are not numbers: written with a leading ' so that no spreadsheet runs them as formulas";
    warn_formula_cells_file "warn.formula_cells.file" (count, file) "{count} cell(s) of {file} begin with =, +, -, @, a tab or a carriage return and are not numbers: written with a leading ' so that no spreadsheet runs them as formulas";
    warn_many_inputs "warn.many_inputs" (inputs) "the feature steps make {inputs} model inputs: every fit reads them all; a one_hot max_categories or dropping wide columns makes the run faster";
    warn_many_inputs_widest "warn.many_inputs.widest" (inputs, column, widest) "the feature steps make {inputs} model inputs ('{column}' alone makes {widest}): every fit reads them all; a one_hot max_categories or dropping wide columns makes the run faster";
    warn_long_run_seconds "warn.long_run.seconds" (seconds, inputs) "this run is estimated to take about {seconds} s (an estimate from the rows, {inputs} model inputs and the models; see docs/report.md)";
    warn_long_run_minutes "warn.long_run.minutes" (minutes, inputs) "this run is estimated to take about {minutes} min (an estimate from the rows, {inputs} model inputs and the models; see docs/report.md)";
    // Warnings of applying a model file.
    apply_unseen "apply.unseen" (column, count) "column '{column}': {count} value(s) not seen in training, encoded as the fitted one_hot step encodes an unknown category (its 'other' column, or all zeros)";
    apply_unscorable "apply.unscorable" (count) "{count} row(s) could not be scored";
    apply_repaired "apply.repaired" (column, repair, lines) "column '{column}': {repair} (lines [{lines}]); the model's feature steps treat them as missing";
    // Errors: the frame of each kind of error (the detail is the step's own English text).
    error_input "error.input" (file, detail) "{file}: {detail}";
    error_csv "error.csv" (file, line, detail) "{file}, line {line}: {detail}";
    error_csv_field "error.csv.field" (file, line, field, detail) "{file}, line {line}, field '{field}': {detail}";
    error_recipe "error.recipe" (step, detail) "recipe {step}: {detail}";
    error_recipe_field "error.recipe.field" (step, field, detail) "recipe {step}, field '{field}': {detail}";
    error_data "error.data" (detail) "data: {detail}";
    error_model "error.model" (kind, detail) "model {kind}: {detail}";
    error_protocol "error.protocol" (detail) "protocol: {detail}";
    error_cancelled "error.cancelled" () "cancelled";
    // The page's worker (www/worker.js): no columnar module (the single-file page has none).
    error_columnar_unavailable "error.columnar_unavailable" (file) "{file}: Parquet and Arrow files need the page's columnar module, which this page does not have (the single-file page leaves it out): open the served page or use the command line, or save the file as CSV";
    error_columnar_export_unavailable "error.columnar_export_unavailable" () "Parquet export needs the page's columnar module, which this page does not have (the single-file page leaves it out): export CSV or .xlsx, or open the served page";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_parameters_in_place() {
        assert_eq!(
            csv_field_count(16, 17).to_string(),
            "expected 16 fields, found 17"
        );
        assert_eq!(
            warn_records_at_risk(1, 512, 51.2345, 0.2).to_string(),
            "k-anonymity over the quasi-identifiers is 1: 512 record(s) (51.2%) sit in classes whose re-identification risk exceeds 0.2; generalize or suppress further before sharing the masked file"
        );
        assert_eq!(Message::default().to_string(), "");
    }

    #[test]
    fn codes_are_unique_and_placeholders_match_parameters() {
        let mut seen = std::collections::BTreeSet::new();
        for s in CATALOGUE {
            assert!(seen.insert(s.code), "code {} declared twice", s.code);
            let mut used = placeholders(s.english);
            used.sort();
            used.dedup();
            let mut named: Vec<String> = s.params.iter().map(|p| p.to_string()).collect();
            named.sort();
            assert_eq!(
                used, named,
                "{}: placeholders and parameters differ",
                s.code
            );
        }
    }

    #[test]
    fn round_trips_through_json() {
        let m = op_mask(2, 3);
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(text, r#"{"code":"op.mask","params":{"first":2,"last":3}}"#);
        let back: Message = serde_json::from_str(&text).unwrap();
        assert_eq!(back.to_string(), m.to_string());
        assert_eq!(back.code, m.code);
    }
}
