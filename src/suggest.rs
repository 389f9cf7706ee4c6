//! A suggested starting recipe for a table: roles from the profile, masking for identifiers,
//! a standard feature pipeline and the two baseline models.

use crate::eval::split::Evaluation;
use crate::features::{encode::OneHot, impute, scale, FeatureStep};
use crate::models::{logistic::LogisticParams, tree::TreeParams, ModelSpec};
use crate::privacy::detect::{detect_table, header_kind, Verdict};
use crate::privacy::ops::{
    drop::Drop, generalize::Generalize, pseudonymize::Pseudonymize, scrub_text::ScrubText,
    truncate::Truncate,
};
use crate::privacy::PrivacyStep;
use crate::recipe::{Recipe, Role, VERSION};
use crate::table::csv::normalize_header;
use crate::table::profile::suggested_role;
use crate::table::{ColumnType, Table};
use std::collections::BTreeMap;

/// Headers (normalized) that usually hold the outcome.
const OUTCOME_HINTS: &[&str] = &[
    "outcome",
    "target",
    "label",
    "class",
    "readmitted",
    "died",
    "death",
    "mortality",
    "diagnosis_binary",
];

/// Suggests a recipe for `table`, predicting `target` (or a guessed binary outcome column).
///
/// Roles and privacy steps come from identifier detection (`privacy::detect`): record numbers
/// are pseudonymized (so a patient's rows stay linkable), other direct identifiers dropped,
/// notes scrubbed, ages banded by 10 with 90+ top-coded and ZIP codes cut to 3 digits (HIPAA
/// Safe Harbor); diagnoses are sensitive. Other dates tied to a person are flagged by detection
/// but left as they are (role `ignore`), since the date feature steps read them: coarsen them
/// with `date` or shift them with `date_shift` before sharing the masked file.
pub fn suggest(table: &Table, target: Option<&str>) -> Recipe {
    let target = target.map(str::to_string).or_else(|| guess_target(table));
    let detections = detect_table(table);
    let mut columns = BTreeMap::new();
    let (mut drop, mut pseudo, mut scrub, mut coarsen) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (c, d) in table.columns.iter().zip(&detections) {
        if Some(&c.name) == target.as_ref() {
            continue;
        }
        // What the header alone names (record numbers are pseudonymized, ages banded, ZIP
        // codes truncated), and the kind detection settled on from header and values.
        let header = header_kind(&c.name).map(|(k, _)| k);
        let kind = d.kind.as_deref().unwrap_or("");
        let role = match d.verdict {
            Verdict::DirectIdentifier if c.ctype == ColumnType::Text => Role::Text,
            Verdict::DirectIdentifier => Role::Identifier,
            Verdict::QuasiIdentifier if c.ctype == ColumnType::Text => Role::Text,
            // Dates tied to a person stay as they are (the date feature steps read them); the
            // profile flags them and the page offers `date` / `date_shift`.
            Verdict::QuasiIdentifier if c.ctype == ColumnType::Date => Role::Ignore,
            Verdict::QuasiIdentifier => Role::Quasi,
            Verdict::Sensitive => Role::Sensitive,
            Verdict::Ordinary => match suggested_role(&c.name, c.ctype) {
                "quasi" => Role::Quasi,
                "ignore" => Role::Ignore,
                _ => Role::Feature,
            },
        };
        match role {
            Role::Identifier
                if header == Some("mrn")
                    || (kind == "record_id" && c.ctype != ColumnType::Text) =>
            {
                pseudo.push(c.name.clone())
            }
            Role::Identifier => drop.push(c.name.clone()),
            Role::Text => scrub.push(c.name.clone()),
            Role::Quasi if c.ctype == ColumnType::Numeric && header == Some("age") => {
                coarsen.push(PrivacyStep::Generalize(Generalize {
                    top: Some(90.0),
                    ..Generalize::width(&c.name, 10.0)
                }))
            }
            Role::Quasi if c.ctype != ColumnType::Numeric && header == Some("zip") => {
                coarsen.push(PrivacyStep::Truncate(Truncate {
                    column: c.name.clone(),
                    keep: 3,
                }))
            }
            _ => {}
        }
        if role != Role::Feature {
            columns.insert(c.name.clone(), role);
        }
    }
    let mut privacy = Vec::new();
    if !drop.is_empty() {
        privacy.push(PrivacyStep::Drop(Drop { columns: drop }));
    }
    if !pseudo.is_empty() {
        privacy.push(PrivacyStep::Pseudonymize(Pseudonymize {
            columns: pseudo,
            key: None,
        }));
    }
    if !scrub.is_empty() {
        privacy.push(PrivacyStep::ScrubText(ScrubText {
            columns: scrub,
            identifiers: None,
            keep: None,
            shift_like: None,
        }));
    }
    privacy.extend(coarsen);
    let models = if target.is_some() {
        vec![
            ModelSpec::LogisticRegression(LogisticParams::default()).into(),
            ModelSpec::DecisionTree(TreeParams {
                max_depth: Some(5),
                ..TreeParams::default()
            })
            .into(),
        ]
    } else {
        Vec::new()
    };
    Recipe {
        version: VERSION,
        seed: 7,
        columns,
        privacy,
        features: vec![
            FeatureStep::Impute(impute::Impute::new(impute::Strategy::Median)),
            FeatureStep::Scale(scale::Scale {
                method: scale::Method::Standard,
                columns: None,
            }),
            FeatureStep::OneHot(OneHot::default()),
        ],
        target,
        positive: None,
        models,
        evaluation: Evaluation::StratifiedKfold { folds: 5 }.into(),
        risk: Default::default(),
    }
}

/// Whether the present values are exactly two distinct ones; stops at the third (a million-row
/// column of measurements is answered in a few values, not by sorting its text).
fn two_values(values: &crate::table::Values) -> bool {
    use crate::table::Values;
    match values {
        Values::Num(v) => {
            let mut seen: Vec<u64> = Vec::with_capacity(3);
            for x in v.iter().filter(|x| !x.is_nan()) {
                let b = (x + 0.0).to_bits();
                if !seen.contains(&b) {
                    if seen.len() == 2 {
                        return false;
                    }
                    seen.push(b);
                }
            }
            seen.len() == 2
        }
        Values::Str(v) => {
            let mut seen: Vec<&str> = Vec::with_capacity(3);
            for s in v.iter().flatten() {
                if !seen.contains(&s.as_str()) {
                    if seen.len() == 2 {
                        return false;
                    }
                    seen.push(s);
                }
            }
            seen.len() == 2
        }
    }
}

/// The first column whose header hints at an outcome and that has two values; else the last
/// two-valued numeric or categorical column.
fn guess_target(table: &Table) -> Option<String> {
    let binary: Vec<&crate::table::Column> = table
        .columns
        .iter()
        .filter(|c| matches!(c.ctype, ColumnType::Numeric | ColumnType::Categorical))
        .filter(|c| two_values(&c.values))
        .collect();
    binary
        .iter()
        .find(|c| {
            let h = normalize_header(&c.name);
            OUTCOME_HINTS.iter().any(|k| h.contains(k))
        })
        .or(binary
            .iter()
            .rfind(|c| suggested_role(&c.name, c.ctype) == "feature"))
        .map(|c| c.name.clone())
}
