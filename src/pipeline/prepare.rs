//! The modelling problem of a masked table: the target (classes or values), the labelled rows,
//! the groups of `group_kfold`, the fairness subgroups, the model inputs and the splits.

use crate::error::StepRef;
use crate::error::{Error, Result};
use crate::eval::{fairness, importance, search};
use crate::features;
use crate::models::Task;
use crate::recipe::Recipe;
use crate::report::AuditEntry;
use crate::table::{Column, ColumnType, Table, Values};
use serde_json::json;
use std::collections::BTreeMap;

/// The target of the modelling rows: binary labels or numeric values.
pub(super) struct Target {
    /// Labels (classification) or all false (regression; unused by the splits that allow it).
    pub(super) labels: Vec<bool>,
    pub(super) values: Vec<f64>,
    /// For each modelling row, its row in the masked table (the rows with a target value).
    pub(super) rows: Vec<usize>,
}

/// The modelling problem as every split sees it: the target, the input table of the labelled
/// rows, and the splits.
pub struct Prepared {
    pub task: Task,
    pub target: String,
    /// The two classes, negative first (empty for regression).
    pub classes: Vec<String>,
    pub(super) counts: Vec<usize>,
    /// Rows without a target value, left out.
    pub(super) missing: usize,
    pub(super) y: Target,
    pub(super) group: Option<String>,
    pub(super) audit_groups: Option<(String, Vec<String>)>,
    /// The model input columns of the labelled rows, before the feature steps.
    pub x_table: Table,
    pub folds: Vec<crate::eval::split::Fold>,
    pub(super) repeats: usize,
    /// Whether the splits' models are explained (SHAP, partial dependence): as
    /// `evaluation.shap` says, never for the original-data comparison.
    pub(super) explain: bool,
    /// Rows of the masked table left out of a time-to-event target, with the reason.
    pub(super) survival_rejected: Vec<(usize, crate::message::Message)>,
    /// The horizons of a time-to-event target (`None` for other targets).
    pub horizons: Option<crate::survival::horizons::Horizons>,
    /// Candidates of each model's hyper-parameter search (`None` without one).
    pub searches: Vec<Option<Vec<search::Candidate>>>,
    /// Per model, progress units of one split: 1, plus candidates × inner folds with a search.
    pub(super) model_units: Vec<usize>,
}

impl Prepared {
    /// Class labels of the modelling rows (all false for regression).
    pub fn labels(&self) -> &[bool] {
        &self.y.labels
    }
    /// Target values of the modelling rows (0/1 for classification).
    pub fn values(&self) -> &[f64] {
        &self.y.values
    }
}

/// Prepares the modelling of the masked table: target classes and task, labelled rows, groups,
/// fairness subgroups, model inputs and the splits. Audit entries for rows or columns left out.
pub fn prepare(masked: &Table, recipe: &Recipe, audit: &mut Vec<AuditEntry>) -> Result<Prepared> {
    if let Some(st) = recipe.survival() {
        let s = survival_target(masked, st, recipe.positive.as_deref())?;
        let horizons = crate::survival::horizons::resolve(
            recipe.evaluation.horizons.as_deref(),
            &s.time,
            &s.event,
        )
        .map_err(|m| Error::recipe("evaluation", Some("horizons"), m.to_string()))?;
        let (searches, model_units) = model_searches(recipe, Task::Survival)?;
        if !s.rejected.is_empty() {
            audit.push(survival_audit(st, s.rejected.len()));
        }
        let counts = vec![
            s.event.iter().filter(|&&b| !b).count(),
            s.event.iter().filter(|&&b| b).count(),
        ];
        let y = Target {
            labels: s.event,
            values: s.time,
            rows: s.rows,
        };
        let mut p = finish_prepare(
            masked,
            recipe,
            audit,
            (Task::Survival, st.time.clone(), s.classes.to_vec()),
            (counts, s.rejected.len(), y),
            (searches, model_units),
        )?;
        p.survival_rejected = s.rejected;
        p.horizons = Some(horizons);
        return Ok(p);
    }
    if recipe.evaluation.horizons.is_some() {
        return Err(Error::recipe(
            "evaluation",
            Some("horizons"),
            crate::message::survival_horizons_target().to_string(),
        ));
    }
    let target = recipe.target_name().unwrap_or_default();
    let tcol = masked
        .column(target)
        .ok_or_else(|| Error::recipe("(top level)", Some("target"), "no such column"))?;
    let labels: Vec<Option<String>> = (0..masked.rows()).map(|r| tcol.values.text(r)).collect();
    let (task, classes) = target_classes(tcol, &labels, target, recipe)?;
    let (searches, model_units) = model_searches(recipe, task)?;
    if task == Task::Regression
        && recipe.evaluation.is_stratified()
        && recipe.evaluation.name() != "holdout"
    {
        return Err(Error::recipe(
            "evaluation",
            Some("method"),
            format!(
                "{} keeps class ratios, which does not apply to the numeric target '{target}'; use kfold, holdout, group_kfold or leave_one_out",
                recipe.evaluation.name()
            ),
        ));
    }
    let rows: Vec<usize> = (0..masked.rows())
        .filter(|&r| labels[r].is_some())
        .collect();
    let missing = masked.rows() - rows.len();
    if missing > 0 {
        audit.push(AuditEntry {
            step: "target".into(),
            op: "exclude_missing_target".into(),
            args: json!({"column": target}),
            rows_affected: missing,
            cells_affected: 0,
            note: crate::message::audit_target_missing(missing, target).to_string(),
            coded: crate::message::audit_target_missing(missing, target),
        });
    }
    let y = target_values(task, tcol, &labels, &rows, &classes)?;
    let counts = if task == Task::Classification {
        vec![
            y.labels.iter().filter(|&&b| !b).count(),
            y.labels.iter().filter(|&&b| b).count(),
        ]
    } else {
        Vec::new()
    };
    finish_prepare(
        masked,
        recipe,
        audit,
        (task, target.to_string(), classes),
        (counts, missing, y),
        (searches, model_units),
    )
}

/// The rest of [`prepare`] once the target is read: groups, fairness subgroups, model inputs
/// and the splits (stratified by the labels: the classes, or a time-to-event target's events).
#[allow(clippy::type_complexity)]
fn finish_prepare(
    masked: &Table,
    recipe: &Recipe,
    audit: &mut Vec<AuditEntry>,
    (task, target, classes): (Task, String, Vec<String>),
    (counts, missing, y): (Vec<usize>, usize, Target),
    (searches, model_units): (Vec<Option<Vec<search::Candidate>>>, Vec<usize>),
) -> Result<Prepared> {
    let rows = y.rows.clone();
    let group = recipe.evaluation.group_column();
    let groups = group_values(masked, group, &rows)?;
    let audit_groups = fairness_groups(masked, recipe, task, &rows)?;
    let x_table = model_inputs(masked, recipe, group, &rows, audit)?;
    features::check_pipeline(&x_table, &recipe.features)?;

    let folds = recipe.evaluation.folds_grouped(
        &y.labels,
        groups.as_deref(),
        crate::seeds::outer_splits(recipe.seed),
    )?;
    Ok(Prepared {
        task,
        target,
        classes,
        counts,
        missing,
        y,
        group: group.map(str::to_string),
        audit_groups,
        x_table,
        folds,
        repeats: recipe
            .evaluation
            .permutation_repeats
            .unwrap_or(importance::DEFAULT_REPEATS),
        // SHAP of a risk score is not offered yet for a time-to-event target.
        explain: task != Task::Survival
            && recipe.evaluation.shap.as_ref().is_none_or(|o| o.enabled),
        survival_rejected: Vec::new(),
        horizons: None,
        searches,
        model_units,
    })
}

/// The task the target column `tcol` (its values as text: `labels`) calls for and, for a class
/// target, its two classes, negative first.
fn target_classes(
    tcol: &Column,
    labels: &[Option<String>],
    target: &str,
    recipe: &Recipe,
) -> Result<(Task, Vec<String>)> {
    let mut classes: Vec<String> = labels.iter().flatten().cloned().collect();
    classes.sort_by(|a, b| {
        match (
            crate::table::csv::parse_number(a),
            crate::table::csv::parse_number(b),
        ) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        }
    });
    classes.dedup();
    let task = if tcol.ctype == ColumnType::Numeric && classes.len() > 2 {
        Task::Regression
    } else {
        Task::Classification
    };
    if task == Task::Classification && classes.len() != 2 {
        return Err(Error::Data(format!(
            "target '{target}' has {} distinct values; a class target needs exactly 2 (a numeric target with more than 2 values is modelled as regression)",
            classes.len()
        )));
    }
    let classes = if task == Task::Classification {
        let pos = positive_class(&classes, recipe.positive.as_deref())?;
        if pos == 0 {
            vec![classes[1].clone(), classes[0].clone()]
        } else {
            classes
        }
    } else {
        if recipe.positive.is_some() {
            return Err(Error::recipe(
                "(top level)",
                Some("positive"),
                format!(
                    "target '{target}' is numeric ({} distinct values): there is no positive class",
                    classes.len()
                ),
            ));
        }
        Vec::new()
    };
    Ok((task, classes))
}

/// The positive class: the recipe's, else a conventional positive label, else the second in order.
fn positive_class(classes: &[String], asked: Option<&str>) -> Result<usize> {
    if let Some(p) = asked {
        return classes.iter().position(|c| c == p).ok_or_else(|| {
            Error::recipe(
                "(top level)",
                Some("positive"),
                format!("'{p}' is not one of the target's classes"),
            )
        });
    }
    const POSITIVE: &[&str] = &["1", "yes", "y", "true", "positive", "pos", "1.0", "是"];
    Ok(classes
        .iter()
        .position(|c| POSITIVE.contains(&c.to_lowercase().as_str()))
        .unwrap_or(1))
}

/// Per model, checked against `task`: the candidates of its nested search (`None` without one)
/// and its progress units on one split (1, plus candidates × inner folds with a search).
#[allow(clippy::type_complexity)]
fn model_searches(
    recipe: &Recipe,
    task: Task,
) -> Result<(Vec<Option<Vec<search::Candidate>>>, Vec<usize>)> {
    let mut searches = Vec::with_capacity(recipe.models.len());
    let mut model_units = Vec::with_capacity(recipe.models.len());
    for (i, m) in recipe.models.iter().enumerate() {
        let at = StepRef::models(i, m.kind());
        m.check_task(task).map_err(|e| at.error(e))?;
        let step = at.to_string();
        let Some(s) = &m.search else {
            searches.push(None);
            model_units.push(1);
            continue;
        };
        let at = |(field, msg): (String, String)| Error::recipe(&step, Some(&field), msg);
        s.check_task(task).map_err(at)?;
        let candidates = s
            .candidates(m, crate::seeds::search_draws(recipe.seed, i))
            .map_err(at)?;
        for c in &candidates {
            c.spec.check_task(task).map_err(|(field, msg)| {
                let shown = serde_json::to_string(&c.params).unwrap_or_default();
                at((
                    format!("search ({field})"),
                    format!("candidate {shown}: {msg}"),
                ))
            })?;
        }
        model_units.push(1 + candidates.len() * s.folds);
        searches.push(Some(candidates));
    }
    Ok((searches, model_units))
}

/// The target of the labelled `rows`: labels (`labels[r]` is the positive class, `classes[1]`)
/// or the numeric values of `tcol`.
fn target_values(
    task: Task,
    tcol: &Column,
    labels: &[Option<String>],
    rows: &[usize],
    classes: &[String],
) -> Result<Target> {
    Ok(match task {
        Task::Classification => {
            let labels: Vec<bool> = rows
                .iter()
                .map(|&r| labels[r].as_deref() == Some(classes[1].as_str()))
                .collect();
            let values = labels.iter().map(|&b| b as u8 as f64).collect();
            Target {
                labels,
                values,
                rows: rows.to_vec(),
            }
        }
        Task::Survival => {
            return Err(Error::Protocol(
                "a time-to-event target is read by survival_target".into(),
            ))
        }
        Task::Regression => {
            let Values::Num(v) = &tcol.values else {
                return Err(Error::Data(format!(
                    "target '{}' is not numeric",
                    tcol.name
                )));
            };
            Target {
                labels: vec![false; rows.len()],
                values: rows.iter().map(|&r| v[r]).collect(),
                rows: rows.to_vec(),
            }
        }
    })
}

/// The values of the `group` column of `group_kfold` for the labelled `rows` (never a model
/// input); every row needs one.
fn group_values(
    masked: &Table,
    group: Option<&str>,
    rows: &[usize],
) -> Result<Option<Vec<String>>> {
    let Some(g) = group else {
        return Ok(None);
    };
    let col = masked.column(g).ok_or_else(|| {
        Error::recipe(
            "evaluation",
            Some("group"),
            format!("no such column '{g}' after the privacy steps"),
        )
    })?;
    let vals: Vec<Option<String>> = rows.iter().map(|&r| col.values.text(r)).collect();
    let empty = vals.iter().filter(|v| v.is_none()).count();
    if empty > 0 {
        return Err(Error::recipe(
            "evaluation",
            Some("group"),
            format!("column '{g}' is missing in {empty} row(s); every row needs a group"),
        ));
    }
    Ok(Some(vals.into_iter().flatten().collect()))
}

/// The fairness audit's column and the subgroup of each labelled row (class targets only).
fn fairness_groups(
    masked: &Table,
    recipe: &Recipe,
    task: Task,
    rows: &[usize],
) -> Result<Option<(String, Vec<String>)>> {
    let Some(c) = &recipe.evaluation.fairness else {
        return Ok(None);
    };
    let target = recipe.target_name().unwrap_or_default();
    if task == Task::Survival {
        return Err(Error::recipe(
            "evaluation",
            Some("fairness"),
            "the subgroup audit compares class rates; this target is a time-to-event outcome (use evaluation.groups for Kaplan–Meier curves and the log-rank test by subgroup)",
        ));
    }
    if task == Task::Regression {
        return Err(Error::recipe(
            "evaluation",
            Some("fairness"),
            format!("the subgroup audit compares class rates; target '{target}' is numeric"),
        ));
    }
    let col = masked.column(c).ok_or_else(|| {
        Error::recipe(
            "evaluation",
            Some("fairness"),
            format!("no such column '{c}' after the privacy steps"),
        )
    })?;
    let vals: Vec<String> = rows
        .iter()
        .map(|&r| {
            col.values
                .text(r)
                .unwrap_or_else(|| fairness::MISSING.into())
        })
        .collect();
    let mut distinct: Vec<&String> = vals.iter().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > fairness::MAX_GROUPS {
        return Err(Error::recipe(
            "evaluation",
            Some("fairness"),
            format!(
                "column '{c}' has {} distinct values; the audit compares at most {} subgroups (generalize it into bands first)",
                distinct.len(),
                fairness::MAX_GROUPS
            ),
        ));
    }
    Ok(Some((c.clone(), vals)))
}

/// The model input columns of the labelled `rows`: numeric and categorical columns with an
/// input role, and the date columns a date feature step names (never the `group`). An audit
/// entry lists the columns left out for their type.
fn model_inputs(
    masked: &Table,
    recipe: &Recipe,
    group: Option<&str>,
    rows: &[usize],
    audit: &mut Vec<AuditEntry>,
) -> Result<Table> {
    let mut inputs = Vec::new();
    let mut excluded = Vec::new();
    let date_inputs = features::date_inputs(&recipe.features);
    for c in &masked.columns {
        if !recipe.role(&c.name).is_model_input() || Some(c.name.as_str()) == group {
            continue;
        }
        match c.ctype {
            ColumnType::Numeric | ColumnType::Categorical => inputs.push(c.name.clone()),
            // Date columns are inputs of the date feature steps that name them.
            ColumnType::Date if date_inputs.contains(&c.name.as_str()) => {
                inputs.push(c.name.clone())
            }
            t => excluded.push(format!("{} ({})", c.name, t.name())),
        }
    }
    if !excluded.is_empty() {
        audit.push(AuditEntry {
            step: "features".into(),
            op: "select_inputs".into(),
            args: json!({"excluded": excluded}),
            rows_affected: 0,
            cells_affected: 0,
            note: crate::message::audit_not_inputs().to_string(),
            coded: crate::message::audit_not_inputs(),
        });
    }
    if inputs.is_empty() {
        return Err(Error::Data("no model input columns: every column is an identifier, text, date, the target, the group or ignored".into()));
    }
    Ok(Table::new(
        inputs
            .iter()
            .filter_map(|n| masked.column(n).cloned())
            .collect(),
    )
    .take_rows(rows))
}

/// A time-to-event target read from the masked table: follow-up time and event of each usable
/// row, and the rows left out with their reasons.
pub(crate) struct SurvivalY {
    pub(crate) time: Vec<f64>,
    pub(crate) event: Vec<bool>,
    /// For each usable row, its row in the masked table.
    pub(crate) rows: Vec<usize>,
    /// The event column's two values: not the event, then the event.
    pub(crate) classes: [String; 2],
    /// Rows of the masked table left out, with the reason.
    pub(crate) rejected: Vec<(usize, crate::message::Message)>,
}

/// Reads a time-to-event target: the time column must be numeric; a row with a missing or
/// negative time, a missing event, or an event value other than the column's two values is
/// left out with its reason. Which value is the event: `event_value`, else the rule of
/// `positive` (a conventional positive label such as `1`, `yes`, `dead`... else the second in
/// order).
pub(crate) fn survival_target(
    masked: &Table,
    st: &crate::recipe::SurvivalTarget,
    positive: Option<&str>,
) -> Result<SurvivalY> {
    use crate::message as msg;
    let missing_col = |field: &str, c: &str| {
        Error::recipe(
            "target",
            Some(field),
            format!("no such column '{c}' after the privacy steps"),
        )
    };
    let tcol = masked
        .column(&st.time)
        .ok_or_else(|| missing_col("time", &st.time))?;
    let ecol = masked
        .column(&st.event)
        .ok_or_else(|| missing_col("event", &st.event))?;
    let Values::Num(times) = &tcol.values else {
        return Err(Error::recipe(
            "target",
            Some("time"),
            format!(
                "column '{}' is not numeric: the follow-up time must be a number (days, months...)",
                st.time
            ),
        ));
    };
    let events: Vec<Option<String>> = (0..masked.rows()).map(|r| ecol.values.text(r)).collect();
    // The event column's values by frequency (most frequent first, then in order).
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in events.iter().flatten() {
        *counts.entry(e.clone()).or_default() += 1;
    }
    let classes = event_classes(&counts, st, positive)?;
    let mut out = SurvivalY {
        time: Vec::new(),
        event: Vec::new(),
        rows: Vec::new(),
        classes,
        rejected: Vec::new(),
    };
    for (r, e) in events.iter().enumerate() {
        let t = times[r];
        let reason = if !t.is_finite() {
            Some(msg::survival_time_missing(st.time.as_str()))
        } else if t < 0.0 {
            Some(msg::survival_time_negative(
                st.time.as_str(),
                crate::table::format_number(t).as_str(),
            ))
        } else {
            match e {
                None => Some(msg::survival_event_missing(st.event.as_str())),
                Some(v) if !out.classes.contains(v) => Some(msg::survival_event_other(
                    st.event.as_str(),
                    v.as_str(),
                    out.classes[0].as_str(),
                    out.classes[1].as_str(),
                )),
                Some(_) => None,
            }
        };
        match reason {
            Some(m) => out.rejected.push((r, m)),
            None => {
                out.time.push(t);
                out.event
                    .push(e.as_deref() == Some(out.classes[1].as_str()));
                out.rows.push(r);
            }
        }
    }
    if !out.event.iter().any(|&e| e) {
        return Err(Error::Data(format!(
            "the time-to-event target has no event ('{}' = '{}') among its usable rows",
            st.event, out.classes[1]
        )));
    }
    Ok(out)
}

/// The event column's two values (not the event first): the column's values when it has two
/// (or one: the other is then absent), else its two most frequent values (with `event_value`
/// among them); which is the event follows `event_value`, else the rule of `positive`.
fn event_classes(
    counts: &BTreeMap<String, usize>,
    st: &crate::recipe::SurvivalTarget,
    positive: Option<&str>,
) -> Result<[String; 2]> {
    let mut values: Vec<(&String, &usize)> = counts.iter().collect();
    values.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let asked = st.event_value.as_deref().or(positive);
    let mut two: Vec<String> = Vec::new();
    if let Some(a) = asked {
        if !counts.contains_key(a) {
            return Err(Error::recipe(
                "target",
                Some("event_value"),
                format!("'{a}' is not a value of the event column '{}'", st.event),
            ));
        }
        two.push(a.to_string());
    }
    for (v, _) in values {
        if two.len() == 2 {
            break;
        }
        if !two.contains(v) {
            two.push(v.clone());
        }
    }
    if two.is_empty() {
        return Err(Error::Data(format!(
            "the event column '{}' has no values",
            st.event
        )));
    }
    let mut sorted = two.clone();
    sorted.sort_by(|a, b| {
        match (
            crate::table::csv::parse_number(a),
            crate::table::csv::parse_number(b),
        ) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        }
    });
    if sorted.len() == 1 {
        // Every usable row has the same value: it is the event when asked or conventional.
        let only = sorted[0].clone();
        let is_event = asked.is_some() || EVENT_WORDS.contains(&only.to_lowercase().as_str());
        return Ok(if is_event {
            [String::new(), only]
        } else {
            [only, String::new()]
        });
    }
    let pos = match asked {
        Some(a) => sorted.iter().position(|c| c == a).unwrap_or(1),
        None => sorted
            .iter()
            .position(|c| EVENT_WORDS.contains(&c.to_lowercase().as_str()))
            .unwrap_or(1),
    };
    Ok([sorted[1 - pos].clone(), sorted[pos].clone()])
}

/// Conventional labels of the event: the positive labels of a class target and a few of
/// survival data.
const EVENT_WORDS: &[&str] = &[
    "1", "yes", "y", "true", "positive", "pos", "1.0", "是", "event", "dead", "died", "death",
    "deceased", "relapse", "死亡",
];

/// The audit entry of rows left out for their time-to-event outcome.
fn survival_audit(st: &crate::recipe::SurvivalTarget, count: usize) -> AuditEntry {
    AuditEntry {
        step: "target".into(),
        op: "exclude_unusable_outcome".into(),
        args: json!({"time": st.time, "event": st.event}),
        rows_affected: count,
        cells_affected: 0,
        note: crate::message::audit_survival_rejected(count).to_string(),
        coded: crate::message::audit_survival_rejected(count),
    }
}
