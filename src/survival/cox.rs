//! The Cox proportional-hazards model (`cox_ph`).
//!
//! Fitted by Newton–Raphson (with step halving) on the Efron partial likelihood of the inputs
//! standardized to mean 0 and standard deviation 1 (as lifelines does), optionally with an
//! elastic-net penalty (with an L1 part: proximal Newton, see [`fit_elastic_net`]); the ridge
//! penalty `n · penalizer · ½ Σ β²` on the standardized coefficients (`n` rows; lifelines'
//! `penalizer` with `l1_ratio = 0`); coefficients and their standard errors (from the inverse of the penalized information matrix) are reported
//! on the inputs' own scale. The baseline cumulative hazard is Breslow's, at the inputs' means.
//! The proportional-hazards check is the score test of the scaled Schoenfeld residuals against
//! the Kaplan–Meier transform of the event times, `1 − S(t)` (lifelines'
//! `proportional_hazard_test(time_transform="km")`, R's `cox.zph` default transform).
//! See `docs/survival.md`.

use super::km::Z95;
use super::stats::{chi2_sf, invert, normal_two_sided_p};
use crate::error::{ArgError, Error, Result};
use crate::models::{ClassWeight, Classifier, ModelKind, Regressor, Task};
use crate::schema::{Arg, Describe, Ty};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// `{"kind": "cox_ph", "penalizer": 0.0, "l1_ratio": 0.0}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CoxParams {
    /// Elastic-net penalty on the standardized coefficients, per row (0: none).
    #[serde(default)]
    pub penalizer: f64,
    /// The lasso share of the penalty: 0 ridge, 1 lasso, between: elastic net.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub l1_ratio: f64,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl CoxParams {
    /// Fits the model with these parameters (see [`fit_elastic_net`]).
    pub fn fit(&self, x: &Array2<f64>, time: &[f64], event: &[bool]) -> Result<CoxFit> {
        fit_elastic_net(x, time, event, self.penalizer, self.l1_ratio)
    }
}

impl ModelKind for CoxParams {
    fn check(&self) -> std::result::Result<(), ArgError> {
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err(("penalizer", "must be a non-negative number".into()));
        }
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err((
                "l1_ratio",
                format!("must be between 0 and 1, got {}", self.l1_ratio),
            ));
        }
        Ok(())
    }
    fn tasks(&self) -> &'static [Task] {
        &[Task::Survival]
    }
    fn class_weight(&self) -> Option<ClassWeight> {
        None
    }
    fn classifier(&self, _seed: u64) -> Option<Box<dyn Classifier>> {
        None
    }
    fn regressor(&self, _seed: u64) -> Option<Box<dyn Regressor>> {
        None
    }
}

impl Describe for CoxParams {
    const DOC: &'static str =
        "Cox proportional-hazards model (Efron ties) for a time-to-event target.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::def(
                "penalizer",
                Ty::Number,
                json!(0.0),
                "the penalty on standardized coefficients, per row (as lifelines' penalizer)",
            ),
            Arg::def(
                "l1_ratio",
                Ty::Number,
                json!(0.0),
                "the lasso share of the penalty: 0 ridge (L2), 1 lasso (L1), between: elastic net (as lifelines' l1_ratio)",
            ),
        ]
    }
    fn example() -> Self {
        CoxParams::default()
    }
}

/// A fitted Cox model: what predicts a risk score and survival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxModel {
    /// Coefficients on the inputs' scale (0 for an input constant in the training rows).
    pub coef: Vec<f64>,
    /// The inputs' training means (the linear predictor is centred on them).
    pub means: Vec<f64>,
    /// Breslow baseline cumulative hazard at the means: `(time, H₀(time))` at each distinct
    /// event time.
    pub baseline: Vec<(f64, f64)>,
}

impl CoxModel {
    /// The risk score of each row: the linear predictor `(x − mean) · β` (higher: the event
    /// sooner).
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        x.rows()
            .into_iter()
            .map(|r| {
                r.iter()
                    .zip(&self.means)
                    .zip(&self.coef)
                    .map(|((v, m), b)| (v - m) * b)
                    .sum()
            })
            .collect()
    }

    /// The baseline cumulative hazard at `t` (a step function).
    pub fn baseline_at(&self, t: f64) -> f64 {
        step_at(&self.baseline, t)
    }

    /// Predicted survival at `t` for a risk score `lp`: `exp(−H₀(t) · exp(lp))`.
    pub fn survival_at(&self, lp: f64, t: f64) -> f64 {
        (-self.baseline_at(t) * lp.exp()).exp()
    }
}

/// The value at `t` of a right-continuous step function given as ascending `(time, value)`
/// steps (0 before the first).
pub(crate) fn step_at(steps: &[(f64, f64)], t: f64) -> f64 {
    let k = steps.partition_point(|(s, _)| *s <= t);
    if k == 0 {
        0.0
    } else {
        steps[k - 1].1
    }
}

/// Everything a fit on all rows reports beside the model.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    pub model: CoxModel,
    /// Standard errors on the inputs' scale (`None` for a constant input).
    pub se: Vec<Option<f64>>,
    /// Partial log-likelihood (Efron) at the estimate, without the penalty.
    pub log_likelihood: f64,
    pub iterations: usize,
    /// Proportional-hazards test per input: `(statistic, p)` (`None` for a constant input).
    pub ph_test: Vec<Option<(f64, f64)>>,
}

/// One row of `models[i].final.coefficients`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub feature: String,
    pub coef: f64,
    pub se: Option<f64>,
    pub hazard_ratio: f64,
    /// 95% interval of the hazard ratio, `exp(coef ± 1.96 se)`.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Wald test of `coef = 0`.
    pub p: Option<f64>,
    /// Proportional-hazards check (scaled Schoenfeld residuals against the rank of the event
    /// times, chi-squared with 1 df): statistic and p.
    pub ph_statistic: Option<f64>,
    pub ph_p: Option<f64>,
}

impl CoxFit {
    /// The coefficient table, one row per input named in `names`.
    pub fn coefficients(&self, names: &[String]) -> Vec<Coefficient> {
        names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let coef = self.model.coef[j];
                let se = self.se[j];
                Coefficient {
                    feature: name.clone(),
                    coef,
                    se,
                    hazard_ratio: coef.exp(),
                    lower: se.map(|s| (coef - Z95 * s).exp()),
                    upper: se.map(|s| (coef + Z95 * s).exp()),
                    p: se
                        .filter(|&s| s > 0.0)
                        .map(|s| normal_two_sided_p(coef / s)),
                    ph_statistic: self.ph_test[j].map(|t| t.0),
                    ph_p: self.ph_test[j].map(|t| t.1),
                }
            })
            .collect()
    }
}

const MAX_ITER: usize = 100;

fn model_error(message: String) -> Error {
    Error::Model {
        kind: "cox_ph".into(),
        message,
    }
}

/// Fits the Cox model on rows `x` with follow-up `time` and `event` (true: the event
/// happened), ridge `penalizer` on the standardized coefficients.
pub fn fit(x: &Array2<f64>, time: &[f64], event: &[bool], penalizer: f64) -> Result<CoxFit> {
    fit_elastic_net(x, time, event, penalizer, 0.0)
}

/// Fits the Cox model with the elastic-net penalty
/// `n · penalizer · (l1_ratio Σ|β| + ½ (1 − l1_ratio) Σ β²)` on the standardized coefficients
/// (lifelines' scale). Without an L1 part: Newton–Raphson. With one: proximal Newton (each
/// step minimizes the quadratic model of the partial likelihood plus the exact L1 penalty by
/// coordinate descent, then backtracks on the exact objective), so coefficients can be exactly
/// 0. With an L1 part the standard errors are not reported (`None`): the estimator is not
/// asymptotically normal around the truth and no Wald interval is honest.
pub fn fit_elastic_net(
    x: &Array2<f64>,
    time: &[f64],
    event: &[bool],
    penalizer: f64,
    l1_ratio: f64,
) -> Result<CoxFit> {
    let (n, p) = x.dim();
    if n == 0 || time.len() != n || event.len() != n {
        return Err(model_error("no training rows".into()));
    }
    if !event.iter().any(|&e| e) {
        return Err(model_error(
            "the training rows have no event; the Cox model needs at least one".into(),
        ));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(model_error(
            "an input has missing or non-finite values; impute them first".into(),
        ));
    }
    let means: Vec<f64> = (0..p).map(|j| x.column(j).sum() / n as f64).collect();
    let sds: Vec<f64> = (0..p)
        .map(|j| {
            if n < 2 {
                return 0.0;
            }
            let m = means[j];
            (x.column(j).iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
        })
        .collect();
    // Inputs constant in the training rows, or a linear combination of earlier inputs (e.g. the
    // last of a full set of one-hot columns), keep a coefficient of 0 without a standard error,
    // as R's `coxph` reports them `NA` ("not defined because of singularities").
    let varying: Vec<usize> = (0..p)
        .filter(|&j| sds[j] > 1e-12 * (1.0 + means[j].abs()))
        .collect();
    let active = independent(x, &varying, &means, &sds);
    let k = active.len();
    let z: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            active
                .iter()
                .map(|&j| (x[(i, j)] - means[j]) / sds[j])
                .collect()
        })
        .collect();
    let data = Efron::new(&z, time, event, k);
    // lifelines' scale: the penalty is on the partial likelihood of all `n` rows.
    let l1 = penalizer * l1_ratio * n as f64;
    let penalizer = penalizer * (1.0 - l1_ratio) * n as f64;
    let mut beta = vec![0.0; k];
    let mut cur = data.evaluate(&beta, penalizer, false);
    let mut iterations = 0;
    let mut converged = k == 0;
    if l1 > 0.0 {
        (beta, iterations) = proximal_newton(&data, k, penalizer, l1)?;
        converged = true;
    }
    while !converged && iterations < MAX_ITER {
        iterations += 1;
        let inv = invert(&cur.hess, k).ok_or_else(|| {
            model_error(
                "the information matrix is singular (inputs collinear, or an input separates the events); add a penalizer or remove inputs".into(),
            )
        })?;
        let delta: Vec<f64> = (0..k)
            .map(|a| (0..k).map(|b| inv[a * k + b] * cur.grad[b]).sum())
            .collect();
        let mut step = 1.0;
        let mut next;
        loop {
            let trial: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b + step * d).collect();
            next = data.evaluate(&trial, penalizer, false);
            if next.ll.is_finite() && next.ll >= cur.ll - 1e-12 * cur.ll.abs().max(1.0) {
                beta = trial;
                break;
            }
            step /= 2.0;
            if step < 1e-10 {
                return Err(model_error(
                    "Newton–Raphson could not improve the partial likelihood".into(),
                ));
            }
        }
        let moved = delta.iter().fold(0.0f64, |m, d| m.max((step * d).abs()));
        let gained = (next.ll - cur.ll).abs();
        cur = next;
        if moved < 1e-10 || (gained < 1e-13 * cur.ll.abs().max(1.0) && moved < 1e-6) {
            converged = true;
        }
    }
    if !converged {
        return Err(model_error(format!(
            "did not converge in {MAX_ITER} iterations (an input may separate the events); add a penalizer"
        )));
    }
    let cur = data.evaluate(&beta, penalizer, true);
    let cov = match (k, invert(&cur.hess, k)) {
        (0, _) => Vec::new(),
        (_, Some(cov)) => cov,
        // With an L1 part the information matrix serves the proportional-hazards check only.
        (_, None) if l1 > 0.0 => Vec::new(),
        (_, None) => {
            return Err(model_error(
                "the information matrix is singular at the estimate; add a penalizer".into(),
            ))
        }
    };
    let mut coef = vec![0.0; p];
    let mut se = vec![None; p];
    let mut ph_test = vec![None; p];
    let ph = if cov.len() == k * k {
        data.ph_test(&cur.residuals, &cov)
    } else {
        vec![None; k]
    };
    for (a, &j) in active.iter().enumerate() {
        coef[j] = beta[a] / sds[j];
        if l1 == 0.0 {
            se[j] = Some(cov[a * k + a].max(0.0).sqrt() / sds[j]);
        }
        ph_test[j] = ph[a];
    }
    if let Some(a) = (0..k).find(|&a| beta[a].abs() > 20.0) {
        return Err(model_error(format!(
            "the coefficient of input {} runs off to infinity (the input separates the events); add a penalizer or remove it",
            active[a] + 1
        )));
    }
    let model = CoxModel {
        baseline: breslow(x, time, event, &coef, &means),
        coef,
        means,
    };
    let penalty = 0.5 * penalizer * beta.iter().map(|b| b * b).sum::<f64>();
    Ok(CoxFit {
        model,
        se,
        log_likelihood: cur.ll + penalty,
        iterations,
        ph_test,
    })
}

/// The L1-penalized fit: maximizes `ℓ(β) − ½ l2 Σβ² − l1 Σ|β|` by proximal Newton steps.
/// Each step takes the gradient and information of the smooth part at `β`, minimizes its
/// quadratic model plus `l1 Σ|b|` exactly by cyclic coordinate descent (soft thresholding),
/// then halves the step from `β` towards that minimizer until the exact objective does not
/// rise. Stops when a step moves no coefficient by more than 1e-10. Returns `(β, steps)`.
fn proximal_newton(data: &Efron, k: usize, l2: f64, l1: f64) -> Result<(Vec<f64>, usize)> {
    let objective = |e: &Eval, b: &[f64]| -e.ll + l1 * b.iter().map(|v| v.abs()).sum::<f64>();
    let mut beta = vec![0.0; k];
    for iteration in 1..=MAX_ITER * 5 {
        let cur = data.evaluate(&beta, l2, false);
        let f0 = objective(&cur, &beta);
        let h = &cur.hess;
        let mut b = beta.clone();
        for _ in 0..10_000 {
            let mut moved = 0.0f64;
            for a in 0..k {
                let haa = h[a * k + a];
                if haa <= 0.0 {
                    continue;
                }
                let mut z = cur.grad[a] + haa * beta[a];
                for c in (0..k).filter(|&c| c != a) {
                    z -= h[a * k + c] * (b[c] - beta[c]);
                }
                let next = z.signum() * (z.abs() - l1).max(0.0) / haa;
                moved = moved.max((next - b[a]).abs());
                b[a] = next;
            }
            if moved < 1e-14 {
                break;
            }
        }
        let mut step = 1.0;
        let trial = loop {
            let trial: Vec<f64> = beta
                .iter()
                .zip(&b)
                .map(|(o, n)| o + step * (n - o))
                .collect();
            let e = data.evaluate(&trial, l2, false);
            if e.ll.is_finite() && objective(&e, &trial) <= f0 + 1e-12 * f0.abs().max(1.0) {
                break trial;
            }
            step /= 2.0;
            if step < 1e-10 {
                return Err(model_error(
                    "the penalized fit could not improve the partial likelihood".into(),
                ));
            }
        };
        let moved = beta
            .iter()
            .zip(&trial)
            .fold(0.0f64, |m, (o, n)| m.max((n - o).abs()));
        beta = trial;
        if moved < 1e-10 {
            return Ok((beta, iteration));
        }
    }
    Err(model_error(format!(
        "the penalized fit did not converge in {} iterations",
        MAX_ITER * 5
    )))
}

/// Breslow's baseline cumulative hazard at the means: at each distinct event time, events over
/// the sum of `exp((x − mean) · β)` of the risk set, accumulated.
fn breslow(
    x: &Array2<f64>,
    time: &[f64],
    event: &[bool],
    coef: &[f64],
    means: &[f64],
) -> Vec<(f64, f64)> {
    let lp: Vec<f64> = (0..time.len())
        .map(|i| {
            (0..coef.len())
                .map(|j| (x[(i, j)] - means[j]) * coef[j])
                .sum()
        })
        .collect();
    breslow_baseline(time, event, &lp)
}

/// Breslow's baseline cumulative hazard of risk scores `lp`: at each distinct event time,
/// events over the sum of `exp(lp)` of the risk set, accumulated (`(time, H₀(time))`).
pub(crate) fn breslow_baseline(time: &[f64], event: &[bool], lp: &[f64]) -> Vec<(f64, f64)> {
    let n = time.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
    let mut steps = Vec::new();
    let mut s0 = 0.0;
    let mut i = 0;
    while i < n {
        let t = time[order[i]];
        let mut d = 0.0;
        while i < n && time[order[i]] == t {
            s0 += lp[order[i]].exp();
            if event[order[i]] {
                d += 1.0;
            }
            i += 1;
        }
        if d > 0.0 {
            steps.push((t, d / s0));
        }
    }
    steps.reverse();
    let mut h = 0.0;
    steps
        .into_iter()
        .map(|(t, dh)| {
            h += dh;
            (t, h)
        })
        .collect()
}

/// The data of the Efron partial likelihood: standardized inputs grouped by distinct time,
/// latest first.
struct Efron<'a> {
    z: &'a [Vec<f64>],
    event: &'a [bool],
    time: &'a [f64],
    /// Rows of each distinct time, latest time first.
    blocks: Vec<Vec<usize>>,
    k: usize,
}

/// The penalized log-likelihood, its gradient and the information matrix (negative Hessian,
/// row-major), and optionally each event's Schoenfeld residual.
struct Eval {
    ll: f64,
    grad: Vec<f64>,
    hess: Vec<f64>,
    /// `(row, residual)` of every event row (when asked).
    residuals: Vec<(usize, Vec<f64>)>,
}

impl<'a> Efron<'a> {
    fn new(z: &'a [Vec<f64>], time: &'a [f64], event: &'a [bool], k: usize) -> Self {
        let mut order: Vec<usize> = (0..time.len()).collect();
        order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
        let mut blocks: Vec<Vec<usize>> = Vec::new();
        for i in order {
            match blocks.last_mut() {
                Some(b) if time[b[0]] == time[i] => b.push(i),
                _ => blocks.push(vec![i]),
            }
        }
        Efron {
            z,
            event,
            time,
            blocks,
            k,
        }
    }

    fn evaluate(&self, beta: &[f64], penalizer: f64, residuals: bool) -> Eval {
        let k = self.k;
        let eta = |i: usize| -> f64 { self.z[i].iter().zip(beta).map(|(a, b)| a * b).sum() };
        let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; k], vec![0.0; k * k]);
        let mut ll = 0.0;
        let mut grad = vec![0.0; k];
        let mut hess = vec![0.0; k * k];
        let mut res = Vec::new();
        for block in &self.blocks {
            let (mut t0, mut t1, mut t2) = (0.0, vec![0.0; k], vec![0.0; k * k]);
            let mut d = 0usize;
            for &i in block {
                let e = eta(i);
                let w = e.exp();
                let zi = &self.z[i];
                s0 += w;
                for a in 0..k {
                    s1[a] += w * zi[a];
                    for b in 0..k {
                        s2[a * k + b] += w * zi[a] * zi[b];
                    }
                }
                if self.event[i] {
                    d += 1;
                    ll += e;
                    t0 += w;
                    for a in 0..k {
                        grad[a] += zi[a];
                        t1[a] += w * zi[a];
                        for b in 0..k {
                            t2[a * k + b] += w * zi[a] * zi[b];
                        }
                    }
                }
            }
            if d == 0 {
                continue;
            }
            let mut mean_sum = vec![0.0; k];
            for l in 0..d {
                let f = l as f64 / d as f64;
                let phi = s0 - f * t0;
                ll -= phi.ln();
                let m1: Vec<f64> = (0..k).map(|a| (s1[a] - f * t1[a]) / phi).collect();
                for a in 0..k {
                    grad[a] -= m1[a];
                    mean_sum[a] += m1[a];
                    for b in 0..k {
                        hess[a * k + b] +=
                            (s2[a * k + b] - f * t2[a * k + b]) / phi - m1[a] * m1[b];
                    }
                }
            }
            if residuals {
                for &i in block.iter().filter(|&&i| self.event[i]) {
                    let r = (0..k)
                        .map(|a| self.z[i][a] - mean_sum[a] / d as f64)
                        .collect();
                    res.push((i, r));
                }
            }
        }
        for a in 0..k {
            ll -= 0.5 * penalizer * beta[a] * beta[a];
            grad[a] -= penalizer * beta[a];
            hess[a * k + a] += penalizer;
        }
        Eval {
            ll,
            grad,
            hess,
            residuals: res,
        }
    }

    /// The proportional-hazards test per input (standardized scale; the statistic does not
    /// depend on it): scaled Schoenfeld residuals `s = D · V r` (`D` events, `V` the
    /// covariance) against `g = 1 − S(t)`, the Kaplan–Meier transform of the event times,
    /// `T = (Σ (g − ḡ) s)² / (D · V_jj · Σ (g − ḡ)²)`, chi-squared with 1 df.
    fn ph_test(&self, residuals: &[(usize, Vec<f64>)], cov: &[f64]) -> Vec<Option<(f64, f64)>> {
        let k = self.k;
        let d = residuals.len();
        if d < 2 {
            return vec![None; k];
        }
        let curve = super::km::kaplan_meier(self.time, self.event);
        let ranks: Vec<f64> = residuals
            .iter()
            .map(|(i, _)| 1.0 - super::km::survival_at(&curve, self.time[*i]))
            .collect();
        let gbar = ranks.iter().sum::<f64>() / d as f64;
        let gc: Vec<f64> = ranks.iter().map(|g| g - gbar).collect();
        let gg: f64 = gc.iter().map(|g| g * g).sum();
        (0..k)
            .map(|j| {
                let num: f64 = residuals
                    .iter()
                    .zip(&gc)
                    .map(|((_, r), g)| {
                        let s: f64 = d as f64 * (0..k).map(|b| cov[j * k + b] * r[b]).sum::<f64>();
                        g * s
                    })
                    .sum();
                let den = d as f64 * cov[j * k + j] * gg;
                (den > 0.0).then(|| {
                    let t = num * num / den;
                    (t, chi2_sf(t, 1.0))
                })
            })
            .collect()
    }
}

/// The inputs of `cols` (in order) that are not a linear combination of earlier ones: an
/// incremental Cholesky factorization of the correlation matrix, an input left out when its
/// residual variance is below 1e-9.
fn independent(x: &Array2<f64>, cols: &[usize], means: &[f64], sds: &[f64]) -> Vec<usize> {
    let n = x.nrows();
    let corr = |a: usize, b: usize| -> f64 {
        (0..n)
            .map(|i| (x[(i, a)] - means[a]) / sds[a] * (x[(i, b)] - means[b]) / sds[b])
            .sum::<f64>()
            / (n as f64 - 1.0)
    };
    let mut kept: Vec<usize> = Vec::new();
    let mut l: Vec<Vec<f64>> = Vec::new();
    for &c in cols {
        let g: Vec<f64> = kept.iter().map(|&k| corr(k, c)).collect();
        let mut y = vec![0.0; kept.len()];
        for r in 0..kept.len() {
            let s: f64 = (0..r).map(|q| l[r][q] * y[q]).sum();
            y[r] = (g[r] - s) / l[r][r];
        }
        let residual = corr(c, c) - y.iter().map(|v| v * v).sum::<f64>();
        if residual > 1e-9 {
            y.push(residual.sqrt());
            l.push(y);
            kept.push(c);
        }
    }
    kept
}
