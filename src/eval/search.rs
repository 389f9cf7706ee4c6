//! Nested hyper-parameter search: a model entry's optional `search` object.
//!
//! ```json
//! {"kind": "random_forest",
//!  "search": {"method": "grid", "grid": {"max_depth": [3, 6, null], "trees": [50, 100]},
//!             "folds": 3, "metric": "roc_auc"}}
//! {"kind": "gradient_boosting",
//!  "search": {"method": "random", "n_iter": 10,
//!             "space": {"learning_rate": {"min": 0.01, "max": 0.3, "log": true},
//!                       "max_depth": {"int_min": 2, "int_max": 8},
//!                       "l2_regularization": [0, 1, 10]}}}
//! ```
//!
//! - `grid`: every combination of the listed values (at most [`MAX_CANDIDATES`]), in
//!   alphabetical order of the hyper-parameter names with the last name varying fastest.
//! - `random`: `n_iter` draws (1 to [`MAX_ITER`], default 10) from `space`, where a
//!   hyper-parameter is a list (one value drawn uniformly), `{"min", "max"}` (a real number,
//!   uniform, or log-uniform with `"log": true`) or `{"int_min", "int_max"}` (an integer, both
//!   ends included, optionally `"log": true`). Real draws keep 4 significant digits; repeated
//!   draws are kept once. Draws come from the recipe seed and the model's position.
//! - `folds`: inner folds (2 to [`MAX_FOLDS`], default 3): stratified for a class target, plain
//!   k-fold for a numeric one.
//! - `metric`: the inner score (default `roc_auc` for a class target, `r2` for a numeric one);
//!   `mae`, `rmse`, `brier` and `log_loss` are minimised, every other metric maximised.
//!
//! Inside each outer training split, `pipeline::search::select` cuts the outer training rows
//! (and only those) into inner folds, refits the feature steps on each inner training part,
//! scores every candidate by its mean inner metric and keeps the best (ties: the first in
//! candidate order).
//! The caller then refits the chosen candidate on the whole outer training split and evaluates
//! it on the outer test split, which the search never saw.
//!
//! ```
//! use bedside::eval::search::SearchSpec;
//! use bedside::models::ModelSpec;
//! let base: ModelSpec = serde_json::from_str(r#"{"kind": "decision_tree"}"#).unwrap();
//! let s = SearchSpec::from_value(
//!     &serde_json::json!({"method": "grid", "grid": {"max_depth": [1, 3, null]}}), &base).unwrap();
//! assert_eq!(s.candidates(&base, 7).unwrap().len(), 3);
//! let e = SearchSpec::from_value(
//!     &serde_json::json!({"method": "grid", "grid": {"depth": [1]}}), &base).unwrap_err();
//! assert_eq!(e.0, "search.grid.depth");
//! ```

use crate::eval::metrics;
use crate::models::{draw_index, ModelSpec, Task};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Most candidates a grid may have.
pub const MAX_CANDIDATES: usize = 200;
/// Most draws a random search may make.
pub const MAX_ITER: usize = 200;
/// Inner folds when `folds` is left out.
pub const DEFAULT_FOLDS: usize = 3;
/// Most inner folds.
pub const MAX_FOLDS: usize = 10;
/// Draws when a random search leaves out `n_iter`.
pub const DEFAULT_ITER: usize = 10;

/// A parse error: the field (`search.grid.max_depth`) and why.
pub type FieldError = (String, String);

/// How candidates are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Grid,
    Random,
}

/// The values a hyper-parameter may take.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    /// These values (a grid's only form).
    List(Vec<Value>),
    /// A real number in `[min, max]`, log-uniform when `log`.
    Real { min: f64, max: f64, log: bool },
    /// An integer in `[min, max]` (both included), log-uniform when `log`.
    Int { min: i64, max: i64, log: bool },
}

impl Range {
    fn to_value(&self) -> Value {
        match self {
            Range::List(v) => Value::Array(v.clone()),
            Range::Real { min, max, log } => {
                let mut o = json!({"min": min, "max": max});
                if *log {
                    o["log"] = true.into();
                }
                o
            }
            Range::Int { min, max, log } => {
                let mut o = json!({"int_min": min, "int_max": max});
                if *log {
                    o["log"] = true.into();
                }
                o
            }
        }
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> Value {
        match *self {
            Range::List(ref v) => v[draw_index(rng, 0, v.len())].clone(),
            Range::Real { min, max, log } => {
                let u: f64 = rng.gen();
                let x = if log {
                    (min.ln() + u * (max.ln() - min.ln())).exp()
                } else {
                    min + u * (max - min)
                };
                json!(significant(x.clamp(min, max), 4))
            }
            Range::Int { min, max, log } => {
                let x = if log {
                    let u: f64 = rng.gen();
                    let (a, b) = ((min as f64).ln(), ((max + 1) as f64).ln());
                    ((a + u * (b - a)).exp().floor() as i64).clamp(min, max)
                } else {
                    rng.gen_range(min..=max)
                };
                json!(x)
            }
        }
    }
}

/// `x` rounded to `digits` significant digits.
fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// A model entry's `search` object (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpec {
    pub method: Method,
    /// Per hyper-parameter, its values (grid: lists only).
    pub space: BTreeMap<String, Range>,
    /// Draws of a random search.
    pub n_iter: usize,
    /// Inner folds.
    pub folds: usize,
    /// The inner score; `None`: `roc_auc` or `r2` by task.
    pub metric: Option<String>,
}

/// One combination of hyper-parameters to try.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The searched hyper-parameters and their values.
    pub params: BTreeMap<String, Value>,
    /// The model entry's parameters with these values put in.
    pub spec: ModelSpec,
}

/// `base` with `params` put in, parsed (serde's message on failure).
fn with_params(
    base: &ModelSpec,
    params: &BTreeMap<String, Value>,
) -> std::result::Result<ModelSpec, String> {
    let mut v = serde_json::to_value(base).map_err(|e| e.to_string())?;
    if let Some(o) = v.as_object_mut() {
        for (k, x) in params {
            o.insert(k.clone(), x.clone());
        }
    }
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn err(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    (field.into(), message.into())
}

const FIELDS: &[&str] = &["method", "grid", "space", "n_iter", "folds", "metric"];

impl SearchSpec {
    /// Parses a `search` object for the model `base`, checking every hyper-parameter name and
    /// value against that model kind. Errors name the field (`search.grid.max_depth`).
    pub fn from_value(v: &Value, base: &ModelSpec) -> std::result::Result<SearchSpec, FieldError> {
        let o = v.as_object().ok_or_else(|| {
            err(
                "search",
                "must be an object like {\"method\": \"grid\", \"grid\": {...}}",
            )
        })?;
        for k in o.keys() {
            if !FIELDS.contains(&k.as_str()) {
                return Err(err(
                    format!("search.{k}"),
                    format!("unknown field; expected one of {}", FIELDS.join(", ")),
                ));
            }
        }
        let method = match o.get("method").and_then(Value::as_str) {
            Some("grid") => Method::Grid,
            Some("random") => Method::Random,
            Some(m) => {
                return Err(err(
                    "search.method",
                    format!("unknown method '{m}'; expected grid or random"),
                ))
            }
            None => return Err(err("search.method", "missing; expected grid or random")),
        };
        let (key, other) = match method {
            Method::Grid => ("grid", "space"),
            Method::Random => ("space", "grid"),
        };
        if o.contains_key(other) {
            return Err(err(
                format!("search.{other}"),
                format!(
                    "belongs to the other method; a {} search reads '{key}'",
                    if method == Method::Grid {
                        "grid"
                    } else {
                        "random"
                    }
                ),
            ));
        }
        if method == Method::Grid && o.contains_key("n_iter") {
            return Err(err(
                "search.n_iter",
                "applies to a random search; a grid tries every combination",
            ));
        }
        let space_v = o.get(key).and_then(Value::as_object).ok_or_else(|| {
            err(
                format!("search.{key}"),
                "missing or not an object of hyper-parameter names",
            )
        })?;
        if space_v.is_empty() {
            return Err(err(
                format!("search.{key}"),
                "names no hyper-parameter to search",
            ));
        }
        let mut space = BTreeMap::new();
        for (name, r) in space_v {
            let field = format!("search.{key}.{name}");
            let range = parse_range(r, method, &field)?;
            check_name(base, name, &field)?;
            check_values(base, name, &range, &field)?;
            space.insert(name.clone(), range);
        }
        let n_iter = match o.get("n_iter") {
            None | Some(Value::Null) => DEFAULT_ITER,
            Some(n) => n
                .as_u64()
                .filter(|&n| (1..=MAX_ITER as u64).contains(&n))
                .ok_or_else(|| {
                    err(
                        "search.n_iter",
                        format!("must be an integer from 1 to {MAX_ITER}, got {n}"),
                    )
                })? as usize,
        };
        let folds = match o.get("folds") {
            None | Some(Value::Null) => DEFAULT_FOLDS,
            Some(n) => n
                .as_u64()
                .filter(|&n| (2..=MAX_FOLDS as u64).contains(&n))
                .ok_or_else(|| {
                    err(
                        "search.folds",
                        format!("must be an integer from 2 to {MAX_FOLDS}, got {n}"),
                    )
                })? as usize,
        };
        let metric = match o.get("metric") {
            None | Some(Value::Null) => None,
            Some(Value::String(m))
                if metrics::CLASSIFICATION.contains(&m.as_str())
                    || metrics::REGRESSION.contains(&m.as_str()) =>
            {
                Some(m.clone())
            }
            Some(m) => {
                return Err(err(
                    "search.metric",
                    format!(
                    "unknown metric {m}; expected one of {} (class target) or {} (numeric target)",
                    metrics::CLASSIFICATION.join(", "),
                    metrics::REGRESSION.join(", ")
                ),
                ))
            }
        };
        let spec = SearchSpec {
            method,
            space,
            n_iter,
            folds,
            metric,
        };
        if method == Method::Grid {
            let size = spec.grid_size();
            if size > MAX_CANDIDATES {
                return Err(err(
                    "search.grid",
                    format!(
                        "{size} combinations; at most {MAX_CANDIDATES} (list fewer values, or use a random search with n_iter)"
                    ),
                ));
            }
        }
        Ok(spec)
    }

    /// The `search` object as JSON (what [`Self::from_value`] reads).
    pub fn to_value(&self) -> Value {
        let space: Map<String, Value> = self
            .space
            .iter()
            .map(|(k, r)| (k.clone(), r.to_value()))
            .collect();
        let mut o = Map::new();
        match self.method {
            Method::Grid => {
                o.insert("method".into(), "grid".into());
                o.insert("grid".into(), Value::Object(space));
            }
            Method::Random => {
                o.insert("method".into(), "random".into());
                o.insert("n_iter".into(), self.n_iter.into());
                o.insert("space".into(), Value::Object(space));
            }
        }
        o.insert("folds".into(), self.folds.into());
        if let Some(m) = &self.metric {
            o.insert("metric".into(), m.clone().into());
        }
        Value::Object(o)
    }

    fn grid_size(&self) -> usize {
        self.space
            .values()
            .map(|r| match r {
                Range::List(v) => v.len(),
                _ => 1,
            })
            .fold(1usize, |a, b| a.saturating_mul(b))
    }

    /// `grid` or `random`.
    pub fn method_name(&self) -> &'static str {
        match self.method {
            Method::Grid => "grid",
            Method::Random => "random",
        }
    }

    /// The inner score for `task`.
    pub fn metric_for(&self, task: Task) -> &str {
        match (&self.metric, task) {
            (Some(m), _) => m,
            (None, Task::Classification) => "roc_auc",
            (None, Task::Regression) => "r2",
            (None, Task::Survival) => "c_index",
        }
    }

    /// Why this search cannot serve `task`: a metric of the other task.
    pub fn check_task(&self, task: Task) -> std::result::Result<(), FieldError> {
        if task == Task::Survival {
            return Err(err(
                "search",
                "a hyper-parameter search is not available for a time-to-event target yet",
            ));
        }
        let m = self.metric_for(task);
        let names = match task {
            Task::Classification => metrics::CLASSIFICATION,
            Task::Regression => metrics::REGRESSION,
            Task::Survival => crate::survival::METRICS,
        };
        if names.contains(&m) {
            Ok(())
        } else {
            Err(err(
                "search.metric",
                format!(
                    "{m} does not apply to this {} target; use one of {}",
                    match task {
                        Task::Classification => "class",
                        Task::Regression => "numeric",
                        Task::Survival => "time-to-event",
                    },
                    names.join(", ")
                ),
            ))
        }
    }

    /// The candidates, in order: a grid's combinations, or a random search's distinct draws
    /// from `seed` (see [`crate::seeds::search_draws`]). Each is parsed and checked with [`ModelSpec::check`].
    pub fn candidates(
        &self,
        base: &ModelSpec,
        seed: u64,
    ) -> std::result::Result<Vec<Candidate>, FieldError> {
        let mut sets: Vec<BTreeMap<String, Value>> = Vec::new();
        match self.method {
            Method::Grid => {
                sets.push(BTreeMap::new());
                for (name, r) in &self.space {
                    let Range::List(values) = r else { continue };
                    sets = sets
                        .into_iter()
                        .flat_map(|s| {
                            values.iter().map(move |v| {
                                let mut s = s.clone();
                                s.insert(name.clone(), v.clone());
                                s
                            })
                        })
                        .collect();
                }
            }
            Method::Random => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                for _ in 0..self.n_iter {
                    let s: BTreeMap<String, Value> = self
                        .space
                        .iter()
                        .map(|(k, r)| (k.clone(), r.draw(&mut rng)))
                        .collect();
                    if !sets.contains(&s) {
                        sets.push(s);
                    }
                }
            }
        }
        let field = match self.method {
            Method::Grid => "search.grid",
            Method::Random => "search.space",
        };
        sets.into_iter()
            .map(|params| {
                let shown = serde_json::to_string(&params).unwrap_or_default();
                let spec = with_params(base, &params)
                    .map_err(|m| err(field, format!("candidate {shown}: {m}")))?;
                spec.check().map_err(|(f, m)| {
                    err(format!("{field}.{f}"), format!("candidate {shown}: {m}"))
                })?;
                Ok(Candidate { params, spec })
            })
            .collect()
    }
}

fn parse_range(r: &Value, method: Method, field: &str) -> std::result::Result<Range, FieldError> {
    match r {
        Value::Array(v) if v.is_empty() => Err(err(field, "is an empty list; give at least one value")),
        Value::Array(v) => Ok(Range::List(v.clone())),
        Value::Object(_) if method == Method::Grid => Err(err(
            field,
            "a grid lists its values, e.g. [3, 6, null]; ranges belong to a random search",
        )),
        Value::Object(o) => {
            let log = match o.get("log") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(err(format!("{field}.log"), "must be true or false")),
            };
            let keys: Vec<&str> = o.keys().map(String::as_str).filter(|k| *k != "log").collect();
            let range = match keys.as_slice() {
                ["max", "min"] => {
                    let get = |k: &str| {
                        o[k].as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                            err(format!("{field}.{k}"), "must be a number")
                        })
                    };
                    let (min, max) = (get("min")?, get("max")?);
                    if min >= max {
                        return Err(err(field, format!("min ({min}) must be below max ({max})")));
                    }
                    if log && min <= 0.0 {
                        return Err(err(format!("{field}.min"), "must be above 0 for a log range"));
                    }
                    Range::Real { min, max, log }
                }
                ["int_max", "int_min"] => {
                    let get = |k: &str| {
                        o[k].as_i64().ok_or_else(|| {
                            err(format!("{field}.{k}"), "must be an integer")
                        })
                    };
                    let (min, max) = (get("int_min")?, get("int_max")?);
                    if min >= max {
                        return Err(err(
                            field,
                            format!("int_min ({min}) must be below int_max ({max})"),
                        ));
                    }
                    if log && min <= 0 {
                        return Err(err(
                            format!("{field}.int_min"),
                            "must be at least 1 for a log range",
                        ));
                    }
                    Range::Int { min, max, log }
                }
                _ => {
                    return Err(err(
                        field,
                        "a range is {\"min\", \"max\"} (real) or {\"int_min\", \"int_max\"} (integer), with optional \"log\": true",
                    ))
                }
            };
            Ok(range)
        }
        _ => Err(err(
            field,
            match method {
                Method::Grid => "must be a list of values, e.g. [3, 6, null]",
                Method::Random => "must be a list of values or a range {\"min\", \"max\"} / {\"int_min\", \"int_max\"}",
            },
        )),
    }
}

/// Fails unless `name` is a hyper-parameter of `base`'s kind.
fn check_name(base: &ModelSpec, name: &str, field: &str) -> std::result::Result<(), FieldError> {
    if name == "kind" || name == "search" {
        return Err(err(
            field,
            "is not a hyper-parameter and cannot be searched",
        ));
    }
    // Put the model's own value back in: only the name is tested here.
    let own = serde_json::to_value(base)
        .ok()
        .and_then(|v| v.get(name).cloned())
        .unwrap_or(Value::Null);
    match with_params(base, &BTreeMap::from([(name.to_string(), own)])) {
        Err(m) if m.contains("unknown field") => {
            let expected = m
                .split_once(", ")
                .map(|(_, rest)| format!(" ({})", rest.replace('`', "")))
                .unwrap_or_default();
            Err(err(
                field,
                format!("unknown hyper-parameter for {}{expected}", base.kind()),
            ))
        }
        _ => Ok(()),
    }
}

/// Fails when a listed value (or a range's end) has the wrong type or is refused by the model.
fn check_values(
    base: &ModelSpec,
    name: &str,
    range: &Range,
    field: &str,
) -> std::result::Result<(), FieldError> {
    let values: Vec<Value> = match range {
        Range::List(v) => v.clone(),
        Range::Real { min, max, .. } => vec![json!(min), json!(max)],
        Range::Int { min, max, .. } => vec![json!(min), json!(max)],
    };
    for (i, v) in values.iter().enumerate() {
        let what = match range {
            Range::List(_) => format!("item {} ({v})", i + 1),
            _ => format!("range end {v}"),
        };
        let spec = with_params(base, &BTreeMap::from([(name.to_string(), v.clone())]))
            .map_err(|m| err(field, format!("wrong type: {what}: {m}")))?;
        spec.check()
            .map_err(|(_, m)| err(field, format!("{what}: {m}")))?;
    }
    Ok(())
}

/// Whether a lower value of `metric` is better (also a time-to-event target's Brier score at a
/// horizon, `brier@T`, and `integrated_brier`).
pub fn lower_is_better(metric: &str) -> bool {
    matches!(
        metric,
        "mae" | "rmse" | "brier" | "log_loss" | "integrated_brier"
    ) || metric.starts_with("brier@")
}

/// What the search chose on one outer training split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Position of the chosen candidate.
    pub index: usize,
    /// Mean inner metric of every candidate (candidate order; `None` when undefined).
    pub scores: Vec<Option<f64>>,
}

/// The search part of a model's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    /// `grid` or `random`.
    pub method: String,
    /// The inner score.
    pub metric: String,
    pub inner_folds: usize,
    /// Candidates tried on every outer training split.
    pub candidates: usize,
    /// Per outer split, in split order, what the search chose.
    pub chosen: Vec<Chosen>,
    /// The values chosen on the most outer splits (ties: the earliest candidate).
    pub most_chosen: BTreeMap<String, Value>,
    pub note: String,
}

/// What the search chose on one outer split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chosen {
    /// Position among the candidates.
    pub candidate: usize,
    pub params: BTreeMap<String, Value>,
    /// The chosen candidate's mean inner metric.
    pub inner_score: Option<f64>,
}

impl SearchReport {
    /// The report of `search` given the choice on each outer split.
    pub fn new(
        search: &SearchSpec,
        task: Task,
        candidates: &[Candidate],
        choices: &[Choice],
    ) -> SearchReport {
        let chosen: Vec<Chosen> = choices
            .iter()
            .map(|c| Chosen {
                candidate: c.index,
                params: candidates
                    .get(c.index)
                    .map(|x| x.params.clone())
                    .unwrap_or_default(),
                inner_score: c.scores.get(c.index).copied().flatten(),
            })
            .collect();
        let mut counts = vec![0usize; candidates.len()];
        for c in &chosen {
            if let Some(n) = counts.get_mut(c.candidate) {
                *n += 1;
            }
        }
        let top = (0..counts.len())
            .max_by(|&a, &b| counts[a].cmp(&counts[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        let metric = search.metric_for(task).to_string();
        SearchReport {
            method: search.method_name().into(),
            note: format!(
                "{} candidate(s) scored by mean {metric} over {} inner folds of each outer training split; the outer test rows never took part",
                candidates.len(),
                search.folds
            ),
            metric,
            inner_folds: search.folds,
            candidates: candidates.len(),
            most_chosen: candidates
                .get(top)
                .map(|c| c.params.clone())
                .unwrap_or_default(),
            chosen,
        }
    }
}
