//! The minimum sample size for developing a prediction model of a binary outcome, by the
//! criteria of Riley et al. (Stat Med 2019;38:1276 and BMJ 2020;368:m441) as the `pmsampsize`
//! package computes them, from the data's prevalence φ, the number of candidate parameters P
//! (model inputs after encoding) and an anticipated Cox–Snell R² (R²cs):
//!
//! 1. **shrinkage**: expected uniform shrinkage S ≥ 0.9:
//!    n = P / ((S − 1) · ln(1 − R²cs / S));
//! 2. **optimism**: apparent and adjusted Nagelkerke R² differ by at most δ = 0.05: with
//!    max R²cs = 1 − (φ^φ (1 − φ)^(1 − φ))², S = R²cs / (R²cs + δ · max R²cs), the same formula;
//! 3. **intercept**: the overall risk estimated within ±0.05 (95%): n = (1.96 / 0.05)² φ(1 − φ).
//!
//! Each is rounded up; the required size is the largest. When a C-statistic is given instead of
//! R²cs it is converted as Riley, Van Calster & Collins (Stat Med 2021;40:859) do: a linear
//! predictor normal with variance 1 in both outcome groups, means 0 and μ = √2 · Φ⁻¹(C), and
//! R²cs = 1 − exp(−LR/n) of the logistic model of the outcome on it. pmsampsize estimates LR/n
//! from a simulated million rows; Bedside integrates the same expectation numerically (no
//! simulation noise), so the two agree to about three decimals of R²cs.

use serde::{Deserialize, Serialize};

/// Target shrinkage of criterion 1.
pub const SHRINKAGE: f64 = 0.9;
/// Largest optimism in Nagelkerke's R² of criterion 2.
pub const OPTIMISM: f64 = 0.05;
/// Margin of error of the overall risk in criterion 3.
pub const MARGIN: f64 = 0.05;

/// `evaluation.sample_size` of a recipe: the anticipated performance of the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleSizeSpec {
    /// Anticipated C-statistic (ROC-AUC), above 0.5 and below 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c_statistic: Option<f64>,
    /// Anticipated Cox–Snell R², above 0 and below 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2_cs: Option<f64>,
}

impl SampleSizeSpec {
    /// Exactly one of the two, in range.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match (self.c_statistic, self.r2_cs) {
            (Some(c), None) if c.is_finite() && c > 0.5 && c < 1.0 => Ok(()),
            (Some(c), None) => Err((
                "sample_size",
                format!("c_statistic must be above 0.5 and below 1, got {c}"),
            )),
            (None, Some(r)) if r.is_finite() && r > 0.0 && r < 1.0 => Ok(()),
            (None, Some(r)) => Err((
                "sample_size",
                format!("r2_cs must be above 0 and below 1, got {r}"),
            )),
            _ => Err((
                "sample_size",
                "give one of c_statistic or r2_cs, e.g. {\"c_statistic\": 0.8}".into(),
            )),
        }
    }
}

/// One criterion and the size it asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// `shrinkage`, `optimism` or `intercept`.
    pub name: String,
    pub n: usize,
}

/// The anticipated performance the criteria used and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anticipated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c_statistic: Option<f64>,
    /// The Cox–Snell R² used (converted from `c_statistic` when that was given).
    pub r2_cs: f64,
    /// `recipe` or where the default came from (the first model's cross-validated ROC-AUC).
    pub source: String,
}

/// `Report.sample_size`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSize {
    /// The largest of the criteria.
    pub required: usize,
    pub criteria: Vec<Criterion>,
    /// Candidate parameters: the model inputs after encoding.
    pub parameters: usize,
    /// Rows with the positive class in the modelling data.
    pub events: usize,
    /// Modelling rows.
    pub rows: usize,
    pub prevalence: f64,
    pub events_per_parameter: f64,
    /// Events the required size would hold (required · prevalence).
    pub required_events: f64,
    pub anticipated: Anticipated,
}

/// The n of the shrinkage formula for target shrinkage `s`.
fn shrinkage_n(parameters: usize, r2: f64, s: f64) -> f64 {
    parameters as f64 / ((s - 1.0) * (1.0 - r2 / s).ln())
}

/// The largest Cox–Snell R² an outcome of prevalence `phi` allows.
pub fn max_r2_cs(phi: f64) -> f64 {
    let ln_null = phi * phi.ln() + (1.0 - phi) * (1.0 - phi).ln();
    1.0 - (2.0 * ln_null).exp()
}

/// The three criteria for `parameters` candidate parameters, prevalence `phi` and anticipated
/// Cox–Snell R² `r2` (`None` when R²cs is not below its maximum for this prevalence).
pub fn criteria(parameters: usize, phi: f64, r2: f64) -> Option<Vec<Criterion>> {
    let max = max_r2_cs(phi);
    if !(r2 > 0.0 && r2 < max && r2 < SHRINKAGE && phi > 0.0 && phi < 1.0) {
        return None;
    }
    let n1 = shrinkage_n(parameters, r2, SHRINKAGE).ceil();
    let s2 = r2 / (r2 + OPTIMISM * max);
    let n2 = shrinkage_n(parameters, r2, s2).ceil();
    let n3 = ((1.96 / MARGIN).powi(2) * phi * (1.0 - phi)).ceil();
    Some(vec![
        Criterion {
            name: "shrinkage".into(),
            n: n1 as usize,
        },
        Criterion {
            name: "optimism".into(),
            n: n2 as usize,
        },
        Criterion {
            name: "intercept".into(),
            n: n3 as usize,
        },
    ])
}

/// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    if p < 0.02425 {
        tail(p)
    } else if p > 1.0 - 0.02425 {
        -tail(1.0 - p)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// ln σ(z) without overflow.
fn ln_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

/// The Cox–Snell R² of a C-statistic `c` at prevalence `phi` (Riley et al. 2021's model,
/// integrated): events' linear predictor N(μ, 1), non-events' N(0, 1), μ = √2·Φ⁻¹(c); the
/// true log-odds is ln(φ/(1−φ)) + μx − μ²/2; LR/n = 2·(E[log-likelihood] − null).
pub fn r2_cs_from_c(c: f64, phi: f64) -> f64 {
    let mu = std::f64::consts::SQRT_2 * normal_quantile(c);
    let base = (phi / (1.0 - phi)).ln() - mu * mu / 2.0;
    let density =
        |x: f64, m: f64| (-(x - m).powi(2) / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    // Composite Simpson over [min(0, μ) − 12, max(0, μ) + 12].
    let (lo, hi) = (mu.min(0.0) - 12.0, mu.max(0.0) + 12.0);
    let steps = 24_000;
    let h = (hi - lo) / steps as f64;
    let f = |x: f64| {
        let eta = base + mu * x;
        phi * density(x, mu) * ln_sigmoid(eta) + (1.0 - phi) * density(x, 0.0) * ln_sigmoid(-eta)
    };
    let mut sum = f(lo) + f(hi);
    for i in 1..steps {
        let x = lo + i as f64 * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    let ll_model = sum * h / 3.0;
    let ll_null = phi * phi.ln() + (1.0 - phi) * (1.0 - phi).ln();
    1.0 - (-2.0 * (ll_model - ll_null)).exp()
}

/// The sample size of data with `events` positives among `rows`, `parameters` model inputs,
/// and the anticipated performance `spec` (its `source` said), or `None` when it cannot be
/// computed (one class only, no inputs, an R² beyond what the prevalence allows).
pub fn sample_size(
    rows: usize,
    events: usize,
    parameters: usize,
    spec: SampleSizeSpec,
    source: String,
) -> Option<SampleSize> {
    if rows == 0 || events == 0 || events >= rows || parameters == 0 {
        return None;
    }
    let phi = events as f64 / rows as f64;
    let r2 = match (spec.r2_cs, spec.c_statistic) {
        (Some(r), _) => r,
        (None, Some(c)) if c > 0.5 && c < 1.0 => r2_cs_from_c(c, phi),
        _ => return None,
    };
    let criteria = criteria(parameters, phi, r2)?;
    let required = criteria.iter().map(|c| c.n).max().unwrap_or(0);
    Some(SampleSize {
        required,
        criteria,
        parameters,
        events,
        rows,
        prevalence: phi,
        events_per_parameter: events as f64 / parameters as f64,
        required_events: required as f64 * phi,
        anticipated: Anticipated {
            c_statistic: if spec.r2_cs.is_some() {
                None
            } else {
                spec.c_statistic
            },
            r2_cs: r2,
            source,
        },
    })
}

/// The warning when the data hold fewer rows than the criteria require.
pub fn small_sample_warning(
    required: usize,
    have: usize,
    parameters: usize,
    source: crate::message::Message,
) -> crate::message::Message {
    crate::message::warn_small_sample(have, required, parameters, source)
}

/// `Report.sample_size` of a run (binary classification): the recipe's
/// `evaluation.sample_size`, or else the first model's ROC-AUC averaged over the splits; a
/// warning in `warnings` when the data are smaller than required.
pub fn for_run(
    recipe: &crate::recipe::Recipe,
    target: Option<&crate::report::TargetReport>,
    evaluation: Option<&crate::report::EvaluationReport>,
    models: &[crate::report::ModelReport],
    warnings: &mut Vec<crate::message::Message>,
) -> Option<SampleSize> {
    let (target, evaluation) = (target?, evaluation?);
    if target.task != crate::models::Task::Classification || target.counts.len() != 2 {
        return None;
    }
    let (spec, source) = match recipe.evaluation.sample_size {
        Some(spec) => (spec, "recipe".to_string()),
        None => {
            let first = models.first()?;
            let c = first.metrics.get("roc_auc").and_then(|s| s.mean)?;
            (
                SampleSizeSpec {
                    c_statistic: Some(c),
                    r2_cs: None,
                },
                default_source(&first.kind),
            )
        }
    };
    let rows = target.counts.iter().sum();
    let size = sample_size(
        rows,
        target.counts[1],
        evaluation.model_inputs.len(),
        spec,
        source,
    )?;
    if rows < size.required {
        warnings.push(small_sample_warning(
            size.required,
            rows,
            size.parameters,
            match recipe.evaluation.sample_size {
                Some(_) => crate::message::sample_source_recipe(),
                None => crate::message::sample_source_first_model(
                    models.first().map_or("", |m| m.kind.as_str()),
                ),
            },
        ));
    }
    Some(size)
}

/// Where the default anticipated C-statistic came from.
pub fn default_source(kind: &str) -> String {
    crate::message::sample_source_first_model(kind).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_as_scipy() {
        // scipy.stats.norm.ppf
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-8);
        assert!((normal_quantile(0.8) - 0.8416212335729143).abs() < 1e-8);
        assert!((normal_quantile(0.01) + 2.3263478740408408).abs() < 1e-8);
        assert_eq!(normal_quantile(0.5), 0.0);
    }

    #[test]
    fn c_of_one_half_explains_nothing() {
        assert!(r2_cs_from_c(0.5 + 1e-12, 0.2).abs() < 1e-9);
        let a = r2_cs_from_c(0.8, 0.2);
        let b = r2_cs_from_c(0.8, 0.8);
        assert!((a - b).abs() < 1e-9, "symmetric in the labels: {a} {b}");
    }
}
