//! The time-to-event parts of a report: the `survival` section (Kaplan–Meier, medians,
//! log-rank, rows left out) and each Cox model's fit on all rows (`models[i].final`). The
//! methods are in [`crate::survival`].

use super::fold::fit_split;
use super::prepare::Prepared;
use crate::error::{Error, Result};
use crate::models::{ModelSpec, Task};
use crate::recipe::Recipe;
use crate::survival::cox;
use crate::survival::describe::{describe, SurvivalReport};
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// A row left out of a time-to-event analysis: its index among the accepted records (as the
/// `row` of `--predictions`), where it is in the file (`line`: the physical line of a CSV, the
/// sheet row of a workbook, the record number of a statistics file; `None` when unknown) and
/// the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedOutcome {
    pub row: usize,
    #[serde(default)]
    pub line: Option<u64>,
    pub reason: String,
    #[serde(flatten)]
    pub coded: crate::message::Message,
}

/// The Report's `survival`: the descriptive section with the rows left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalSection {
    #[serde(flatten)]
    pub describe: SurvivalReport,
    /// The times predicted survival is scored at: `{times, source}` (`"recipe"`, or
    /// `"default"`: the 25th, 50th and 75th percentiles of the event times).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizons: Option<crate::survival::horizons::Horizons>,
    pub rejected_rows: Vec<RejectedOutcome>,
}

/// The survival section of a prepared time-to-event problem (`None` for other targets).
/// `row_map` maps the masked table's rows to the accepted records, `lines` the accepted
/// records to their place in the file (`InputSummary::lines`).
pub(super) fn section(
    p: &Prepared,
    recipe: &Recipe,
    masked: &Table,
    (row_map, lines): (&[usize], &[u64]),
) -> Result<Option<SurvivalSection>> {
    let Some(st) = recipe.survival().filter(|_| p.task == Task::Survival) else {
        return Ok(None);
    };
    let values = |field: &str, col: &str| -> Result<Vec<String>> {
        let c = masked.column(col).ok_or_else(|| {
            Error::recipe(
                "evaluation",
                Some(field),
                format!("no such column '{col}' after the privacy steps"),
            )
        })?;
        Ok(p.y
            .rows
            .iter()
            .map(|&r| c.values.text(r).unwrap_or_else(|| "(missing)".into()))
            .collect())
    };
    let groups = match &recipe.evaluation.groups {
        Some(g) => Some((g.as_str(), values("groups", g)?)),
        None => None,
    };
    let strata = match &recipe.evaluation.strata {
        Some(s) => Some((s.as_str(), values("strata", s)?)),
        None => None,
    };
    let describe = describe(
        (&st.time, &st.event, &p.classes[1]),
        p.values(),
        p.labels(),
        groups.as_ref().map(|(g, v)| (*g, v.as_slice())),
        strata.as_ref().map(|(s, v)| (*s, v.as_slice())),
    );
    let rejected_rows = p
        .survival_rejected
        .iter()
        .map(|(r, m)| {
            let row = row_map.get(*r).copied().unwrap_or(*r);
            RejectedOutcome {
                row,
                line: lines.get(row).copied(),
                reason: m.to_string(),
                coded: m.clone(),
            }
        })
        .collect();
    Ok(Some(SurvivalSection {
        describe,
        horizons: p.horizons.clone(),
        rejected_rows,
    }))
}

/// `models[i].final` of a Cox model: fitted on all rows (the feature steps too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalFit {
    pub rows: usize,
    pub events: usize,
    pub log_likelihood: f64,
    pub iterations: usize,
    /// How the proportional-hazards check of each coefficient is made.
    pub ph_test: String,
    pub coefficients: Vec<cox::Coefficient>,
}

/// The proportional-hazards check, as the Report states it.
pub const PH_TEST: &str = "scaled Schoenfeld residuals vs 1 - KM(event time), chi-squared 1 df (lifelines proportional_hazard_test, time_transform='km')";

/// The fit on all rows of every Cox model of the recipe (`None` for other kinds).
pub(super) fn final_fits(p: &Prepared, recipe: &Recipe) -> Result<Vec<Option<FinalFit>>> {
    if p.task != Task::Survival {
        return Ok(vec![None; recipe.models.len()]);
    }
    let all: Vec<usize> = (0..p.x_table.rows()).collect();
    let mut split = None;
    recipe
        .models
        .iter()
        .map(|m| {
            let ModelSpec::CoxPh(c) = &m.spec else {
                return Ok(None);
            };
            if split.is_none() {
                split = Some(
                    fit_split(
                        &recipe.features,
                        p.task,
                        &p.x_table,
                        p.labels(),
                        p.values(),
                        (&all, &[]),
                        crate::seeds::final_fit(recipe.seed),
                        Some("the fit on all rows"),
                    )?
                    .0,
                );
            }
            let Some(s) = split.as_ref() else {
                return Ok(None);
            };
            let fit = c
                .fit(&s.xtr, &s.yr_tr, &s.ytr)
                .map_err(|e| e.in_context("the fit on all rows"))?;
            Ok(Some(FinalFit {
                rows: s.ytr.len(),
                events: s.ytr.iter().filter(|&&e| e).count(),
                log_likelihood: fit.log_likelihood,
                iterations: fit.iterations,
                ph_test: PH_TEST.into(),
                coefficients: fit.coefficients(&s.names),
            }))
        })
        .collect()
}

/// The predicted survival of each row of `x` by a time-to-event model at the prediction times
/// of `horizons` ([`crate::survival::horizons::prediction_times`]): one vector per row (`None`
/// for another model).
pub(crate) fn predicted_survival(
    fitted: &crate::models::Fitted,
    x: &ndarray::Array2<f64>,
    horizons: &[f64],
) -> Option<Vec<Vec<f64>>> {
    let crate::models::Fitted::Survival(m) = fitted else {
        return None;
    };
    let times = crate::survival::horizons::prediction_times(horizons);
    let s = m.survival(x, &times);
    Some(s.outer_iter().map(|r| r.to_vec()).collect())
}
