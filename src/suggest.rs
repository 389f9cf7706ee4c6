//! A suggested starting recipe for a table: roles from the profile, masking for identifiers,
//! k-anonymity over the quasi-identifiers (safe by default: the recipe's risk threshold is
//! reached, or the notes say why not), a standard feature pipeline and the two baseline models.

use crate::eval::split::Evaluation;
use crate::features::{encode::OneHot, impute, scale, FeatureStep};
use crate::models::{
    gradient_boosting::BoostingParams, linear::LinearParams, logistic::LogisticParams,
    tree::TreeParams, ModelSpec,
};
use crate::privacy::anonymize::{default_ladder, KAnonymize, Ladder};
use crate::privacy::detect::{detect_table, header_kind, location_header, Verdict};
use crate::privacy::ladder::zip_digits;
use crate::privacy::ops::date::{DateOp, Granularity};
use crate::privacy::ops::{
    drop::Drop, generalize::Generalize, pseudonymize::Pseudonymize, scrub_text::ScrubText,
};
use crate::privacy::{PrivacyContext, PrivacyStep};
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

/// A suggested recipe and what the suggestion could not do or had to give up (the CLI prints
/// these on stderr).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Suggestion {
    pub recipe: Recipe,
    pub notes: Vec<String>,
}

/// The largest share of records `k_anonymize` may suppress in the suggested recipe.
pub const MAX_SUPPRESSION: f64 = 0.05;

/// Files up to this many records have the suggested `k_anonymize` step planned (for the notes).
const PLAN_ROWS: usize = 200_000;

/// Suggests a recipe for `table`, predicting `target` (or a guessed binary outcome column).
///
/// Roles and privacy steps come from identifier detection (`privacy::detect`): record numbers
/// are pseudonymized (so a patient's rows stay linkable), other direct identifiers dropped,
/// notes scrubbed, diagnoses sensitive (never model inputs). The quasi-identifiers (age, sex,
/// ZIP codes also when read as numbers, places, dates tied to a person, other categories
/// detection names) go into one `k_anonymize` step that reaches the recipe's risk threshold
/// (k = 5 for the default prosecutor risk 0.2) with the least information loss and at most 5%
/// of the records suppressed, along ladders built from the data: ages in bands of 5, 10, 20,
/// 40 (top-coded at 90+ first when some are over 89, as HIPAA Safe Harbor asks), ZIP codes and
/// other codes by prefixes, dates cut to the year first (Safe Harbor) then bands of 5 and 10
/// years, categories by merging rare values into "other". Categorical columns with values for most records (free-text-like cities, codes)
/// are never model inputs: a place is a quasi-identifier, anything else is ignored.
pub fn suggest(table: &Table, target: Option<&str>) -> Recipe {
    suggest_explained(table, target).recipe
}

/// [`suggest`] with the notes on what it could not reach or had to give up.
pub fn suggest_explained(table: &Table, target: Option<&str>) -> Suggestion {
    let target = target.map(str::to_string).or_else(|| guess_target(table));
    let detections = detect_table(table);
    let risk: crate::privacy::risk::RiskOptions = Default::default();
    let k = (1.0 / risk.threshold - 1e-9).ceil().max(2.0) as usize;
    let mut notes = Vec::new();
    let mut columns = BTreeMap::new();
    let (mut drop, mut pseudo, mut scrub, mut coarsen) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut quasi: Vec<String> = Vec::new();
    let mut ladders: BTreeMap<String, Ladder> = BTreeMap::new();
    for (c, d) in table.columns.iter().zip(&detections) {
        if Some(&c.name) == target.as_ref() {
            continue;
        }
        // What the header alone names (record numbers are pseudonymized, ages banded), and the
        // kind detection settled on from header and values.
        let header = header_kind(&c.name).map(|(k, _)| k);
        let kind = d.kind.as_deref().unwrap_or("");
        let mut role = match d.verdict {
            Verdict::DirectIdentifier if c.ctype == ColumnType::Text => Role::Text,
            Verdict::DirectIdentifier => Role::Identifier,
            Verdict::QuasiIdentifier if c.ctype == ColumnType::Text => Role::Text,
            Verdict::QuasiIdentifier => Role::Quasi,
            Verdict::Sensitive => Role::Sensitive,
            Verdict::Ordinary => match suggested_role(&c.name, c.ctype) {
                "quasi" => Role::Quasi,
                "ignore" => Role::Ignore,
                _ => Role::Feature,
            },
        };
        if role == Role::Feature {
            if let Some((distinct, present)) = too_wide(&c.values) {
                role = if location_header(&c.name) {
                    Role::Quasi
                } else {
                    Role::Ignore
                };
                notes.push(format!(
                    "'{}' has {distinct} distinct values in {present} records: too wide to be a model input, {}",
                    c.name,
                    if role == Role::Quasi {
                        "a place: generalized as a quasi-identifier"
                    } else {
                        "left out (role ignore)"
                    }
                ));
            }
        }
        match role {
            Role::Identifier
                if header == Some("mrn")
                    || (kind == "record_id" && c.ctype != ColumnType::Text) =>
            {
                pseudo.push(c.name.clone())
            }
            Role::Identifier => drop.push(c.name.clone()),
            Role::Text => scrub.push(c.name.clone()),
            Role::Quasi => {
                let (pre, ladder) = quasi_ladder(table, &c.name, header == Some("age"), k);
                coarsen.extend(pre);
                if let Some(l) = ladder {
                    ladders.insert(c.name.clone(), l);
                }
                quasi.push(c.name.clone());
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
    if !quasi.is_empty() {
        let step = KAnonymize {
            quasi: quasi.clone(),
            k,
            average_risk: None,
            l: None,
            sensitive: None,
            max_suppression: MAX_SUPPRESSION,
            ladders,
            levels: BTreeMap::new(),
        };
        // Planning searches the lattice once more; on a very large file the run's own search
        // (and its warnings) says what was reached, and only the record count is checked here.
        let planned = if table.rows() > PLAN_ROWS && table.rows() >= k {
            Ok(None)
        } else {
            plan(table, &quasi, &coarsen, &step).map(Some)
        };
        match planned {
            Ok(None) => {
                privacy.extend(coarsen);
                privacy.push(PrivacyStep::KAnonymize(step));
            }
            Ok(Some(solution)) => {
                for (q, level) in quasi.iter().zip(&solution.level_names) {
                    if level == "*" {
                        notes.push(format!(
                            "k = {k} is reached with the least information loss (at most {:.0}% of the records suppressed) by fully generalizing '{q}' (*): the released file keeps none of it; give it a coarser ladder, pin other levels (k_anonymize levels) or drop it",
                            MAX_SUPPRESSION * 100.0
                        ));
                    }
                }
                privacy.extend(coarsen);
                privacy.push(PrivacyStep::KAnonymize(step));
            }
            Err((field, message)) => {
                notes.push(format!(
                    "no k_anonymize step suggested over {}: {field}: {message}; the masked file stays above the risk threshold",
                    quasi.join(", ")
                ));
                privacy.extend(coarsen);
            }
        }
    }
    let (models, evaluation) = match target.as_deref().map(|t| target_kind(table, t)) {
        None => (Vec::new(), Evaluation::StratifiedKfold { folds: 5 }),
        Some(TargetKind::Numeric) => {
            notes.push(format!(
                "'{}' is numeric with more than two values: modelled as regression (linear regression and gradient boosting, 5-fold)",
                target.as_deref().unwrap_or_default()
            ));
            (
                vec![
                    ModelSpec::LinearRegression(LinearParams::default()).into(),
                    ModelSpec::GradientBoosting(BoostingParams::default()).into(),
                ],
                Evaluation::Kfold { folds: 5 },
            )
        }
        Some(TargetKind::Classes(n)) if n != 2 => {
            notes.push(format!(
                "'{}' has {n} distinct values: a class target needs exactly 2 (merge its values into two, or choose another target); no model suggested",
                target.as_deref().unwrap_or_default()
            ));
            (Vec::new(), Evaluation::StratifiedKfold { folds: 5 })
        }
        Some(_) => (
            vec![
                ModelSpec::LogisticRegression(LogisticParams::default()).into(),
                ModelSpec::DecisionTree(TreeParams {
                    max_depth: Some(5),
                    ..TreeParams::default()
                })
                .into(),
            ],
            Evaluation::StratifiedKfold { folds: 5 },
        ),
    };
    let mut features = structural_indicators(table, &columns, target.as_deref(), &mut notes);
    features.push(FeatureStep::Impute(impute::Impute::new(
        impute::Strategy::Median,
    )));
    let explain = !models.is_empty() && explain_by_default(table, &columns, target.as_deref());
    let recipe = Recipe {
        version: VERSION,
        seed: 7,
        columns,
        privacy,
        features: {
            features.push(FeatureStep::Scale(scale::Scale {
                method: scale::Method::Standard,
                columns: None,
            }));
            features.push(FeatureStep::OneHot(OneHot::default()));
            features
        },
        target: target.map(crate::recipe::Target::Column),
        positive: None,
        models,
        evaluation: {
            let mut e: crate::eval::split::EvaluationSpec = evaluation.into();
            if explain {
                e.shap = Some(crate::explain::ShapOptions::default());
            }
            e
        },
        risk,
    };
    Suggestion { recipe, notes }
}

/// Rows up to which the suggested recipe explains its models (`evaluation.shap: true`).
pub const SHAP_DEFAULT_ROWS: usize = 5_000;
/// Input columns (model inputs before encoding) up to which it does.
pub const SHAP_DEFAULT_INPUTS: usize = 50;

/// Whether the suggested recipe turns explanations on: on small data, at most
/// [`SHAP_DEFAULT_ROWS`] rows and [`SHAP_DEFAULT_INPUTS`] input columns (role `feature` or
/// `quasi`), where exact SHAP of the suggested models (logistic regression, a depth-5 tree) and
/// their partial dependence cost about a tenth of the run (docs/explanations.md, "Cost and
/// budget"). Their cost hardly grows with the inputs (a tree's paths, one pass for the linear
/// model, five curves), the run's does: the bound on inputs is a margin, the rows are the rule.
fn explain_by_default(table: &Table, roles: &BTreeMap<String, Role>, target: Option<&str>) -> bool {
    let inputs = table
        .columns
        .iter()
        .filter(|c| Some(c.name.as_str()) != target)
        .filter(|c| {
            matches!(
                roles.get(&c.name).copied().unwrap_or(Role::Feature),
                Role::Feature | Role::Quasi
            )
        })
        .count();
    table.rows() <= SHAP_DEFAULT_ROWS && inputs <= SHAP_DEFAULT_INPUTS
}

/// A `missing_indicator` step for the model inputs (role feature) missing structurally (see
/// `table::quality::structural_missing`: `npreg` missing for every male), put before the
/// median imputation so that "not applicable" stays visible to the models; noted.
fn structural_indicators(
    table: &Table,
    roles: &BTreeMap<String, Role>,
    target: Option<&str>,
    notes: &mut Vec<String>,
) -> Vec<FeatureStep> {
    let columns: Vec<String> = crate::table::quality::structural_missing(table)
        .into_iter()
        .map(|(i, _)| table.columns[i].name.clone())
        .filter(|n| !roles.contains_key(n) && Some(n.as_str()) != target)
        .collect();
    if columns.is_empty() {
        return Vec::new();
    }
    notes.push(structural_note(&columns));
    vec![FeatureStep::MissingIndicator(
        crate::features::missing::MissingIndicator {
            columns: Some(columns),
        },
    )]
}

/// The note of [`structural_indicators`].
pub fn structural_note(columns: &[String]) -> String {
    format!(
        "'{}' missing exactly where another column has a given value (not at random): a missing indicator keeps it before the median imputation",
        columns.join("', '")
    )
}

/// Plans `step` on the quasi-identifiers of `table` after the `pre` steps (top-coding).
fn plan(
    table: &Table,
    quasi: &[String],
    pre: &[PrivacyStep],
    step: &KAnonymize,
) -> Result<crate::privacy::anonymize::Solution, crate::privacy::ArgError> {
    let mut small = Table::new(
        quasi
            .iter()
            .filter_map(|q| table.column(q).cloned())
            .collect(),
    );
    let rows: Vec<usize> = (0..small.rows()).collect();
    let original = small.clone();
    for p in pre {
        let ctx = PrivacyContext::standalone(&original, b"", &rows, &[]);
        p.apply(&mut small, &ctx)?;
    }
    crate::privacy::Op::check(step)?;
    step.plan(&small)
}

/// Categorical columns with a value for most records (`distinct ≥ half of the present values`,
/// at least 20 present) or more than 100 distinct values: (distinct, present).
fn too_wide(values: &crate::table::Values) -> Option<(usize, usize)> {
    let crate::table::Values::Str(v) = values else {
        return None;
    };
    let present: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
    let distinct = present
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    (present.len() >= 20 && (distinct * 2 >= present.len() || distinct > 100))
        .then_some((distinct, present.len()))
}

/// Band widths of an age ladder.
const AGE_BANDS: [f64; 4] = [5.0, 10.0, 20.0, 40.0];

/// The steps before `k_anonymize` and the ladder of one quasi-identifier, built from its values.
fn quasi_ladder(
    table: &Table,
    name: &str,
    age: bool,
    k: usize,
) -> (Vec<PrivacyStep>, Option<Ladder>) {
    use crate::table::Values;
    let Some(col) = table.column(name) else {
        return (Vec::new(), None);
    };
    match (&col.values, col.ctype) {
        (Values::Num(v), _) => {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if let Some(digits) = zip_digits(name, &present) {
                return (
                    Vec::new(),
                    Some(Ladder::Prefix((1..digits).rev().collect())),
                );
            }
            if age {
                if present.iter().any(|&x| x > 89.0) {
                    // Safe Harbor: ages over 89 as one group, before any search; the search
                    // then re-bands the bands of 5 (90+ stays open-ended: "80+" in bands of 20).
                    let pre = Generalize {
                        top: Some(90.0),
                        ..Generalize::width(name, AGE_BANDS[0])
                    };
                    return (
                        vec![PrivacyStep::Generalize(pre)],
                        Some(Ladder::Bands(AGE_BANDS[1..].to_vec())),
                    );
                }
                return (Vec::new(), Some(Ladder::Bands(AGE_BANDS.to_vec())));
            }
            (Vec::new(), default_ladder(table, name))
        }
        // Dates tied to a person: the year only (HIPAA Safe Harbor) before any search, then
        // bands of 5 and 10 years. (A month → year ladder lets the search keep months and give
        // up ages and ZIP codes instead: the least information loss in bits, not in use.)
        (_, ColumnType::Date) => (
            vec![PrivacyStep::Date(DateOp {
                columns: vec![name.to_string()],
                to: Granularity::Year,
                event: None,
            })],
            Some(Ladder::Bands(vec![5.0, 10.0])),
        ),
        (Values::Str(v), _) => {
            let present: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
            if let Some(Ladder::Prefix(p)) = default_ladder(table, name) {
                // Codes (ZIP codes as text): the four longest prefixes.
                return (
                    Vec::new(),
                    Some(Ladder::Prefix(p.into_iter().take(4).collect())),
                );
            }
            (Vec::new(), frequent_ladder(&present, k))
        }
    }
}

/// Category merges by frequency: thresholds from k up that each merge more values into
/// "other" and keep at least one value (at most three levels); none if nothing is rare.
fn frequent_ladder(present: &[&str], k: usize) -> Option<Ladder> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in present {
        *counts.entry(s).or_insert(0) += 1;
    }
    let mut thresholds: Vec<usize> = Vec::new();
    let mut merged_before = 0;
    for t in [1, 2, 4, 10, 25].map(|m| m * k) {
        let merged = counts.values().filter(|&&c| c < t).count();
        if merged >= 2 && merged > merged_before && merged < counts.len() {
            thresholds.push(t);
            merged_before = merged;
        }
        if thresholds.len() == 3 {
            break;
        }
    }
    (!thresholds.is_empty()).then_some(Ladder::Frequent(thresholds))
}

/// Whether the present values are exactly two distinct ones.
fn two_values(values: &crate::table::Values) -> bool {
    distinct_up_to(values, 3) == 2
}

/// How many distinct present values there are, counting no further than `cap`: it stops at
/// the `cap`-th (a million-row column of measurements is answered in a few values, not by
/// sorting its text).
fn distinct_up_to(values: &crate::table::Values, cap: usize) -> usize {
    use crate::table::Values;
    match values {
        Values::Num(v) => {
            let mut seen: Vec<u64> = Vec::with_capacity(cap);
            for b in v
                .iter()
                .filter(|x| !x.is_nan())
                .map(|x| (x + 0.0).to_bits())
            {
                if !seen.contains(&b) {
                    seen.push(b);
                    if seen.len() == cap {
                        break;
                    }
                }
            }
            seen.len()
        }
        Values::Str(v) => {
            let mut seen: Vec<&str> = Vec::with_capacity(cap);
            for s in v.iter().flatten() {
                if !seen.contains(&s.as_str()) {
                    seen.push(s);
                    if seen.len() == cap {
                        break;
                    }
                }
            }
            seen.len()
        }
    }
}

/// What a target column asks of the models, as the run decides it (`target_classes` in the
/// pipeline): a numeric column with more than two values is a regression target, anything else
/// a class target with its number of distinct present values (3 means "3 or more").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Numeric,
    Classes(usize),
}

fn target_kind(table: &Table, target: &str) -> TargetKind {
    let Some(c) = table.columns.iter().find(|c| c.name == target) else {
        return TargetKind::Classes(2);
    };
    let distinct = distinct_up_to(&c.values, 3);
    match (c.ctype, distinct) {
        (ColumnType::Numeric, 3) => TargetKind::Numeric,
        (_, n) => TargetKind::Classes(n),
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
