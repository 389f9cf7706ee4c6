//! A model file applied: new raw records read to the training types, the replayed privacy steps,
//! the fitted feature steps and the model; every row scored or told why not.

use super::{bundle_err, ModelBundle};
use crate::error::{Error, Result};
use crate::features::matrix;
use crate::message::Message;
use crate::models::Task;
use crate::privacy::PrivacyContext;
use crate::table::{format_number, Column, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

impl ModelBundle {
    /// The model's input columns of `table` (raw, with the training file's columns) read to the
    /// training types and passed through the replayed privacy steps: what the feature steps
    /// receive. With it, per row, the first input that cannot be used and why.
    #[allow(clippy::type_complexity)]
    pub fn masked_inputs(&self, table: &Table) -> Result<(Table, Vec<Option<(String, String)>>)> {
        let n = table.rows();
        let mut bad: Vec<Option<(String, String)>> = vec![None; n];
        // The inputs read as in the training file, then the replayed privacy steps.
        let raw: Vec<(String, ColumnType)> = self
            .inputs
            .iter()
            .map(|c| (c.name.clone(), c.raw_type))
            .collect();
        let mut t = conform(table, &raw, &mut bad);
        let no_ids: Vec<String> = Vec::new();
        let row_map: Vec<usize> = (0..n).collect();
        for (i, h) in self.privacy.iter().enumerate() {
            if let Some(g) = &h.generalization {
                let placed = crate::privacy::anonymize::replay(&mut t, g);
                for (b, p) in bad.iter_mut().zip(placed) {
                    if b.is_none() {
                        *b = p;
                    }
                }
                continue;
            }
            let Some(step) = &h.args else { continue };
            let ctx = PrivacyContext {
                key: &[],
                seed: self.recipe.seed,
                step: i,
                original: table,
                row_map: &row_map,
                identifiers: &no_ids,
            };
            step.apply(&mut t, &ctx).map_err(|(field, message)| {
                Error::recipe(format!("{} ({})", h.step, h.op), Some(field), message)
            })?;
        }
        let masked: Vec<(String, ColumnType)> = self
            .inputs
            .iter()
            .map(|c| (c.name.clone(), c.ctype))
            .collect();
        let t = conform(&t, &masked, &mut bad);
        let x = Table::new(
            self.inputs
                .iter()
                .filter_map(|c| t.column(&c.name).cloned())
                .collect(),
        );

        Ok((x, bad))
    }

    /// Scores every row of `table` (a raw file with the training file's columns; `lines[r]` is
    /// the physical line of row `r`, `file` names it in messages).
    pub fn apply(&self, table: &Table, lines: &[u64], file: &str) -> Result<Predictions> {
        self.apply_explained(table, lines, file, false)
    }

    /// [`Self::apply`]; with `explain`, also the SHAP values of every scored row (base value +
    /// Σ SHAP = explained output, on the scale of [`crate::explain::Scale`]).
    pub fn apply_explained(
        &self,
        table: &Table,
        lines: &[u64],
        file: &str,
        explain: bool,
    ) -> Result<Predictions> {
        let n = table.rows();
        let line = |r: usize| lines.get(r).copied().unwrap_or(r as u64 + 2);
        for c in &self.inputs {
            if table.column(&c.name).is_none() {
                return Err(Error::Input {
                    file: file.into(),
                    message: format!(
                        "no column '{}': the model needs it (inputs: {})",
                        c.name,
                        self.inputs
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        let (mut x, mut bad) = self.masked_inputs(table)?;
        // Categories never seen in training (one_hot treats them as it was fitted to).
        let mut unseen: BTreeMap<String, usize> = BTreeMap::new();
        for c in &self.inputs {
            let (Some(cats), Some(col)) = (&c.categories, x.column(&c.name)) else {
                continue;
            };
            let k = (0..n)
                .filter(|&r| {
                    col.values
                        .text(r)
                        .is_some_and(|v| cats.binary_search(&v).is_err())
                })
                .count();
            if k > 0 {
                unseen.insert(c.name.clone(), k);
            }
        }
        let before = x.clone();
        self.pipeline.transform(&mut x);
        let names = x.names();
        if names != self.model_inputs {
            return Err(bundle_err(format!(
                "the feature steps gave columns {names:?}, the model reads {:?}",
                self.model_inputs
            )));
        }
        // Rows the pipeline leaves incomplete cannot be scored: name the input at fault.
        for r in 0..n {
            if bad[r].is_some() {
                continue;
            }
            let incomplete = x.columns.iter().find(|c| match &c.values {
                Values::Num(v) => !v[r].is_finite(),
                Values::Str(_) => true,
            });
            if let Some(c) = incomplete {
                let field = before
                    .columns
                    .iter()
                    .find(|b| b.values.is_missing(r))
                    .map_or(c.name.clone(), |b| b.name.clone());
                bad[r] = Some((
                    field,
                    "missing, and no feature step of the model fills it".into(),
                ));
            }
        }
        let ok: Vec<usize> = (0..n).filter(|&r| bad[r].is_none()).collect();
        let m = matrix(&x.take_rows(&ok))?;
        let values = self.model.predict(&m);
        let survival = self.survival_of(&m);
        let explained = if explain {
            let opts = self.recipe.evaluation.shap.clone().unwrap_or_default();
            let e = crate::explain::explain(
                &self.model,
                &self.explain,
                &m,
                opts.pairs(),
                crate::seeds::shap(
                    crate::seeds::final_fit(self.recipe.seed),
                    self.model_index,
                    0,
                ),
            )?;
            Some(e)
        } else {
            None
        };
        let mut scored = Vec::with_capacity(ok.len());
        for (k, (&r, &v)) in ok.iter().zip(&values).enumerate() {
            let (probability, class, value) = match self.target.task {
                Task::Classification => {
                    let pos = v >= self.threshold;
                    (
                        Some(v),
                        self.target.classes.get(pos as usize).cloned(),
                        None,
                    )
                }
                // A time-to-event model's value is its risk score.
                Task::Regression | Task::Survival => (None, None, Some(v)),
            };
            let (survival_at, curve) = match &survival {
                Some((at, curves, _)) => (Some(at[k].clone()), curves.get(k).cloned()),
                None => (None, None),
            };
            scored.push(Scored {
                row: r + 1,
                line: line(r),
                probability,
                class,
                value,
                survival_at,
                curve,
                explained_output: explained.as_ref().map(|e| e.output[k]),
                shap: explained.as_ref().map(|e| e.values.row(k).to_vec()),
            });
        }
        let unscorable: Vec<Unscorable> = bad
            .into_iter()
            .enumerate()
            .filter_map(|(r, b)| {
                b.map(|(field, reason)| Unscorable {
                    row: r + 1,
                    line: line(r),
                    field,
                    reason,
                })
            })
            .collect();
        let mut warnings = Vec::new();
        for (c, k) in &unseen {
            warnings.push(crate::message::apply_unseen(c.as_str(), *k));
        }
        if !unscorable.is_empty() {
            warnings.push(crate::message::apply_unscorable(unscorable.len()));
        }
        let mut p = Predictions {
            file: file.into(),
            task: self.target.task,
            kind: self.kind.clone(),
            rows: n,
            threshold: self.threshold,
            classes: self.target.classes.clone(),
            survival: survival.map(|(_, _, s)| s),
            scored,
            unscorable,
            unseen,
            warnings: Vec::new(),
            warning_codes: Vec::new(),
            explanation: explained.map(|e| ApplyExplanation {
                scale: e.scale,
                method: e.method,
                base_value: e.base_value,
                inputs: self.model_inputs.clone(),
                background: e.background,
                permutations: e.permutations,
            }),
        };
        for w in warnings {
            p.warn(w);
        }
        let (_, formulas) = p.csv_counted();
        if let Some(w) = crate::table::csv::formula_warning(formulas, |n| {
            crate::message::warn_formula_cells_predictions(n)
        }) {
            p.warn(w);
        }
        Ok(p)
    }
}

/// Scored rows whose predicted survival curve an application carries (the first ones, in row
/// order); every scored row has its survival at the horizons.
pub const CURVE_ROWS: usize = 1000;
/// Times of a predicted survival curve at most: equally spaced from 0 to the model's largest
/// follow-up time.
pub const CURVE_TIMES: usize = 50;

impl ModelBundle {
    /// A time-to-event model's predicted survival of the rows of `m` (after the feature steps):
    /// each row's at the horizons, the curves of the first [`CURVE_ROWS`] rows at the curve
    /// times, and what the horizons and curve times are. `None` for other models, or a model
    /// file without horizons.
    #[allow(clippy::type_complexity)]
    fn survival_of(
        &self,
        m: &ndarray::Array2<f64>,
    ) -> Option<(Vec<Vec<f64>>, Vec<Vec<f64>>, ApplySurvival)> {
        let (crate::models::Fitted::Survival(model), Some(s)) = (&self.model, &self.survival)
        else {
            return None;
        };
        let curve_times: Vec<f64> = if s.follow_up > 0.0 {
            (0..CURVE_TIMES)
                .map(|i| s.follow_up * i as f64 / (CURVE_TIMES - 1) as f64)
                .collect()
        } else {
            vec![0.0]
        };
        let rows = |a: ndarray::Array2<f64>| -> Vec<Vec<f64>> {
            a.outer_iter().map(|r| r.to_vec()).collect()
        };
        let at = rows(model.survival(m, &s.horizons));
        let first = m
            .slice(ndarray::s![..m.nrows().min(CURVE_ROWS), ..])
            .to_owned();
        let curves = rows(model.survival(&first, &curve_times));
        Some((
            at,
            curves,
            ApplySurvival {
                horizons: s.horizons.clone(),
                curve_times,
                curve_rows: CURVE_ROWS,
            },
        ))
    }
}

/// The given columns of `table` converted to the types they had in training (`Values::Num` for
/// numeric, text otherwise); a cell that does not convert marks its row in `bad`.
fn conform(
    table: &Table,
    columns: &[(String, ColumnType)],
    bad: &mut [Option<(String, String)>],
) -> Table {
    let mut out = table.clone();
    for (name, ctype) in columns {
        let Some(col) = out.column_mut(name) else {
            continue;
        };
        let values = match (&col.values, *ctype) {
            (Values::Str(v), ColumnType::Numeric) => Values::num(
                v.iter()
                    .enumerate()
                    .map(|(r, s)| match s {
                        None => f64::NAN,
                        Some(s) => crate::table::csv::parse_number(s).unwrap_or_else(|| {
                            if bad[r].is_none() {
                                bad[r] = Some((name.clone(), "not a number".into()));
                            }
                            f64::NAN
                        }),
                    })
                    .collect(),
            ),
            (Values::Num(v), t) if t != ColumnType::Numeric => Values::str(
                v.iter()
                    .map(|x| (!x.is_nan()).then(|| format_number(*x)))
                    .collect(),
            ),
            (v, _) => v.clone(),
        };
        *col = Column {
            name: name.clone(),
            ctype: *ctype,
            values,
        };
    }
    out
}

/// One scored row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// 1-based data row of the input file.
    pub row: usize,
    /// Physical line of the input file.
    pub line: u64,
    /// Probability of the positive class (class targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// The predicted class at the threshold (class targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The predicted value (numeric targets; a time-to-event model's risk score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// A time-to-event model: predicted survival at each horizon (`Predictions::survival`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survival_at: Option<Vec<f64>>,
    /// A time-to-event model, the first [`CURVE_ROWS`] scored rows: predicted survival at each
    /// of `Predictions::survival.curve_times`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<Vec<f64>>,
    /// With `explain`: the output explained (on the explanation's scale) and the SHAP value of
    /// every model input (in `Predictions::explanation.inputs` order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained_output: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shap: Option<Vec<f64>>,
}

/// How the rows of an explained application were explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyExplanation {
    pub scale: crate::explain::Scale,
    pub method: crate::explain::Method,
    pub base_value: f64,
    /// The model inputs (after the feature steps), in the order of each row's `shap`.
    pub inputs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permutations: Option<usize>,
}

/// What a time-to-event model's predicted survival is given at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplySurvival {
    /// The horizons of each scored row's `survival_at` (and the `survival@T` columns).
    pub horizons: Vec<f64>,
    /// The times of each `curve` ([`CURVE_TIMES`] equally spaced from 0 to the largest
    /// follow-up time the model was fitted on).
    pub curve_times: Vec<f64>,
    /// Scored rows with a `curve` at most (the first ones).
    pub curve_rows: usize,
}

/// A row that could not be scored, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unscorable {
    pub row: usize,
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// The result of applying a bundle to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predictions {
    pub file: String,
    pub task: Task,
    pub kind: String,
    /// Rows in the file.
    pub rows: usize,
    pub threshold: f64,
    pub classes: Vec<String>,
    /// A time-to-event model: the horizons and curve times of its predicted survival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survival: Option<ApplySurvival>,
    pub scored: Vec<Scored>,
    pub unscorable: Vec<Unscorable>,
    /// Per categorical input: values not seen in training.
    pub unseen: BTreeMap<String, usize>,
    /// What a user should know about these predictions, in English.
    pub warnings: Vec<String>,
    /// The same as codes with parameters, in the same order.
    #[serde(default)]
    pub warning_codes: Vec<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<ApplyExplanation>,
}

impl Predictions {
    /// Adds a warning (its English text and its code).
    pub fn warn(&mut self, warning: Message) {
        self.warnings.push(warning.to_string());
        self.warning_codes.push(warning);
    }

    /// The predictions as CSV, one line per input row in order: `row,line,probability,
    /// predicted_class` (class targets) or `row,line,predicted_value`, and `not_scored` (the
    /// field and reason for a row that could not be scored). No input value is repeated.
    /// Formula-like cells (a class named `=..`) are neutralised (see [`crate::table::csv::SafeWriter`]).
    pub fn to_csv(&self) -> Vec<u8> {
        self.csv_counted().0
    }

    /// [`Predictions::to_csv`] and the count of cells it neutralised.
    pub fn csv_counted(&self) -> (Vec<u8>, usize) {
        let mut w = crate::table::csv::SafeWriter::default();
        let class = self.task == Task::Classification;
        let header: &[&str] = if class {
            &[
                "row",
                "line",
                "probability",
                "predicted_class",
                "not_scored",
            ]
        } else {
            &["row", "line", "predicted_value", "not_scored"]
        };
        let mut header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        // A time-to-event model: `survival@T` per horizon after the risk score.
        let horizons = self.survival.as_ref().map_or(&[][..], |s| &s.horizons[..]);
        for (k, &t) in horizons.iter().enumerate() {
            header.insert(3 + k, crate::survival::horizons::survival_column(t));
        }
        if let Some(e) = &self.explanation {
            header.push("explained_output".into());
            header.push("base_value".into());
            header.extend(e.inputs.iter().map(|i| format!("shap:{i}")));
        }
        let extra = self.explanation.as_ref().map_or(0, |e| e.inputs.len() + 2);
        w.record(header.iter().map(String::as_str));
        let mut rows: Vec<(usize, Vec<String>)> = self
            .scored
            .iter()
            .map(|s| {
                let mut rec = vec![s.row.to_string(), s.line.to_string()];
                if class {
                    rec.push(s.probability.map(|p| p.to_string()).unwrap_or_default());
                    rec.push(s.class.clone().unwrap_or_default());
                } else {
                    rec.push(s.value.map(|v| v.to_string()).unwrap_or_default());
                    for k in 0..horizons.len() {
                        let v = s.survival_at.as_ref().and_then(|a| a.get(k));
                        rec.push(v.map(|v| v.to_string()).unwrap_or_default());
                    }
                }
                rec.push(String::new());
                if let Some(e) = &self.explanation {
                    rec.push(
                        s.explained_output
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                    );
                    rec.push(e.base_value.to_string());
                    rec.extend(s.shap.iter().flatten().map(|v| v.to_string()));
                }
                (s.row, rec)
            })
            .collect();
        for u in &self.unscorable {
            let mut rec = vec![u.row.to_string(), u.line.to_string(), String::new()];
            if class {
                rec.push(String::new());
            }
            rec.extend(std::iter::repeat_n(String::new(), horizons.len()));
            rec.push(format!("{}: {}", u.field, u.reason));
            rec.extend(std::iter::repeat_n(String::new(), extra));
            rows.push((u.row, rec));
        }
        rows.sort_by_key(|r| r.0);
        for (_, rec) in &rows {
            w.record(rec.iter().map(String::as_str));
        }
        w.finish()
    }
}
