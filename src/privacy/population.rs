//! Population uniqueness: how many people of the population the records were drawn from are
//! alone in their quasi-identifier class, estimated from the sample's class sizes.
//!
//! Three estimators, and the decision rule between them, as ARX's
//! `RiskModelPopulationUniqueness` (the code here is written from the papers and checked against
//! ARX's unit-test values, see tests/population.rs and scripts/population-reference.py):
//!
//! - **Zayatz (1991)**: [`super::risk::zayatz`] (hypergeometric, no fitting);
//! - **Pitman (1996)**, fitted as Hoshino (2001): the sample's class sizes follow a Pitman
//!   (two-parameter Poisson–Dirichlet) partition with parameters θ ≥ 0 and α; the
//!   maximum-likelihood equations
//!   `Σᵢ₌₁^{u−1} 1/(θ+iα) − Σᵢ₌₁^{n−1} 1/(θ+i) = 0` and
//!   `Σᵢ₌₁^{u−1} i/(θ+iα) − Σ_{classes of size s>1} Σⱼ₌₁^{s−1} 1/(j−α) = 0`
//!   are solved by Newton's method from the moment estimates (Hoshino's starting point), and the
//!   population uniques are `Γ(θ+1)/Γ(θ+α) · N^α`, for a fitted 0 < α < 1 (ARX accepts any
//!   α; a root with α ≤ 0 describes a finite number of classes, where this formula does not
//!   apply, and is reported as a failure);
//! - **SNB**, the slide negative binomial (Chen & McNulty 1998): every population class has
//!   size `1 + NB(α, β)`; sampled with fraction `f = n/N`, the expected numbers of sample classes
//!   of size 1 and 2 among `K` population classes are
//!   `E c₁ = K f (β/(1−D))^α (1 + αD/(1−D))` and
//!   `E c₂ = K f² α β^α (1−β) (2 − (1−α)D) / (2 (1−D)^{α+2})`, with `D = (1−f)(1−β)`
//!   (from the generating function of the thinned distribution); they are equated to the
//!   observed c₁, c₂ and solved for α > 0, 0 < β < 1 by Newton's method from a grid of starting
//!   points; `K` is Shlosser's estimate of the number of population classes in Haas & Stokes'
//!   (1998) form `u + c₁ · Σ i f²(1−f²)^{i−1} cᵢ / Σ (1−f)^i((1+f)^i − 1) cᵢ ·
//!   (Σ (1−f)^i cᵢ / Σ i f (1−f)^{i−1} cᵢ)²`; the population uniques are `K β^α`.
//!   Two places differ from ARX 3.9's `ModelSNB` code, which we read as slips: ARX subtracts 1
//!   once per class size in the second sum of K (`cᵢ (1−f)^i (1+f)^i − 1`), and raises `1−D` to
//!   `+(α+2)` in `E c₂`. With ARX's forms the fit does not converge on ARX's own adult test data
//!   (its test expects exactly that); with these it does.
//! - **Dankar et al. (2012)'s decision rule**, as ARX applies it: no sample uniques → 0; sampling
//!   fraction ≤ 10% → Pitman, or Zayatz when Pitman fails; above 10% → the smaller of Zayatz and
//!   SNB, or Zayatz when SNB fails.
//!
//! An estimate "fails" when its equations have no solution the solver reaches (within 1000
//! Newton steps per starting point, residuals below 1e-9 of the observed counts) or the result is
//! not a number in (0, N]; the reason is kept in [`Uniqueness::notes`].

use super::risk::zayatz;
use crate::eval::uncertainty::ln_gamma;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The estimator chosen by the decision rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    Pitman,
    Zayatz,
    Snb,
}

/// Each estimator's share of the population that is unique (population uniques / N); `None`
/// when it failed (see `notes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    pub pitman: Option<f64>,
    pub zayatz: Option<f64>,
    pub snb: Option<f64>,
    /// Why an estimate is missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The population-uniqueness estimate of a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Uniqueness {
    /// Estimated number of population uniques (the chosen model's).
    pub uniques: f64,
    /// `uniques / N`.
    pub share: f64,
    /// The chosen model (`None` when the sample has no uniques: every estimate is 0).
    pub model: Option<Model>,
    pub estimates: Estimates,
}

/// Class-size histogram: size → number of classes of that size.
fn histogram(sizes: &[usize]) -> BTreeMap<usize, usize> {
    let mut h = BTreeMap::new();
    for &s in sizes.iter().filter(|&&s| s > 0) {
        *h.entry(s).or_insert(0) += 1;
    }
    h
}

/// Estimates population uniqueness from the sample's class sizes, sample size `n` and
/// population size `pop` (≥ n), with Dankar et al.'s rule (see module docs).
pub fn uniqueness(sizes: &[usize], pop: u64) -> Uniqueness {
    let n: usize = sizes.iter().sum();
    let hist = histogram(sizes);
    let pop = pop.max(n as u64).max(1);
    let big_n = pop as f64;
    let f1 = hist.get(&1).copied().unwrap_or(0);
    if f1 == 0 || n == 0 {
        return Uniqueness {
            uniques: 0.0,
            share: 0.0,
            model: None,
            estimates: Estimates {
                pitman: Some(0.0),
                zayatz: Some(0.0),
                snb: Some(0.0),
                notes: Vec::new(),
            },
        };
    }
    let mut notes = Vec::new();
    let valid = |v: f64| v.is_finite() && v > 0.0 && v <= big_n;
    let z = zayatz(sizes, n as u64, pop).0;
    let zayatz = if valid(z) {
        Some(z)
    } else {
        notes.push(format!(
            "zayatz: the estimate is not a number in (0, N] ({z})"
        ));
        None
    };
    let pitman = match pitman(&hist, n, big_n) {
        Ok(v) if valid(v) => Some(v),
        Ok(v) => {
            notes.push(format!(
                "pitman: the estimate is not a number in (0, N] ({v})"
            ));
            None
        }
        Err(e) => {
            notes.push(format!("pitman: {e}"));
            None
        }
    };
    let snb = match snb(&hist, n, big_n) {
        Ok(v) if valid(v) => Some(v),
        Ok(v) => {
            notes.push(format!("snb: the estimate is not a number in (0, N] ({v})"));
            None
        }
        Err(e) => {
            notes.push(format!("snb: {e}"));
            None
        }
    };
    let fraction = n as f64 / big_n;
    let (model, uniques) = if fraction <= 0.1 {
        match (pitman, zayatz) {
            (Some(p), _) => (Some(Model::Pitman), p),
            (None, Some(z)) => (Some(Model::Zayatz), z),
            (None, None) => (None, 0.0),
        }
    } else {
        match (snb, zayatz) {
            (Some(s), Some(z)) if z < s => (Some(Model::Zayatz), z),
            (Some(s), _) => (Some(Model::Snb), s),
            (None, Some(z)) => (Some(Model::Zayatz), z),
            (None, None) => (None, 0.0),
        }
    };
    Uniqueness {
        uniques,
        share: uniques / big_n,
        model,
        estimates: Estimates {
            pitman: pitman.map(|v| v / big_n),
            zayatz: zayatz.map(|v| v / big_n),
            snb: snb.map(|v| v / big_n),
            notes,
        },
    }
}

/// Newton's method in two unknowns: `f(x)` returns the residuals and the Jacobian
/// `[[∂r₀/∂x₀, ∂r₀/∂x₁], [∂r₁/∂x₀, ∂r₁/∂x₁]]` (`None` outside the domain). Steps that leave the
/// domain or do not reduce the residual are halved. Converged when both residuals are below
/// `tol`.
type Jacobian = [[f64; 2]; 2];

fn newton(
    start: [f64; 2],
    tol: f64,
    f: &dyn Fn([f64; 2]) -> Option<([f64; 2], Jacobian)>,
) -> Option<[f64; 2]> {
    let mut x = start;
    let (mut r, mut j) = f(x)?;
    for _ in 0..1000 {
        let norm = r[0].abs().max(r[1].abs());
        if norm < tol {
            return Some(x);
        }
        let det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let dx = [
            (j[1][1] * r[0] - j[0][1] * r[1]) / det,
            (j[0][0] * r[1] - j[1][0] * r[0]) / det,
        ];
        let mut step = 1.0;
        let mut moved = false;
        for _ in 0..60 {
            let y = [x[0] - step * dx[0], x[1] - step * dx[1]];
            if let Some((ry, jy)) = f(y) {
                if ry[0].is_finite() && ry[1].is_finite() && ry[0].abs().max(ry[1].abs()) < norm {
                    x = y;
                    r = ry;
                    j = jy;
                    moved = true;
                    break;
                }
            }
            step /= 2.0;
        }
        if !moved {
            return None;
        }
    }
    (r[0].abs().max(r[1].abs()) < tol).then_some(x)
}

/// Pitman's estimate of the population uniques (see module docs).
fn pitman(hist: &BTreeMap<usize, usize>, n: usize, big_n: f64) -> Result<f64, String> {
    let c1 = hist.get(&1).copied().unwrap_or(0) as f64;
    let c2 = hist.get(&2).copied().unwrap_or(0).max(1) as f64;
    let u: f64 = hist.values().sum::<usize>() as f64;
    let uc = u as usize;
    let nf = n as f64;
    if uc < 2 {
        return Err("fewer than two classes: the parameters cannot be fitted".into());
    }
    // Hoshino's moment estimates as the starting point.
    let c = c1 * (c1 - 1.0) / c2;
    let t0 = (nf * u * c - c1 * (nf - 1.0) * (2.0 * u + c)) / (2.0 * c1 * u + c1 * c - nf * c);
    let a0 = (t0 * (c1 - nf) + (nf - 1.0) * c1) / (nf * u);
    let larger: Vec<(usize, f64)> = hist
        .iter()
        .filter(|(&s, _)| s > 1)
        .map(|(&s, &c)| (s, c as f64))
        .collect();
    // Scale of the residuals: the equations are sums of about u terms of size 1/θ.
    let f = |x: [f64; 2]| -> Option<([f64; 2], Jacobian)> {
        let (t, a) = (x[0], x[1]);
        if !(t >= 0.0) || !(a < 1.0) || t + a <= 0.0 {
            return None;
        }
        let (mut o1, mut o3, mut d1, mut d5, mut d3) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 1..uc {
            let i = i as f64;
            let v = 1.0 / (t + i * a);
            if !v.is_finite() || v < 0.0 {
                return None;
            }
            o1 += v;
            o3 += i * v;
            d1 += v * v;
            d5 += i * v * v;
            d3 += i * i * v * v;
        }
        let (mut o2, mut d2) = (0.0, 0.0);
        for i in 1..n {
            let v = 1.0 / (t + i as f64);
            o2 += v;
            d2 += v * v;
        }
        let (mut o4, mut d4) = (0.0, 0.0);
        for &(s, count) in &larger {
            let (mut s1, mut s2) = (0.0, 0.0);
            for j in 1..s {
                let v = 1.0 / (j as f64 - a);
                s1 += v;
                s2 += v * v;
            }
            o4 += count * s1;
            d4 += count * s2;
        }
        Some(([o1 - o2, o3 - o4], [[d2 - d1, -d5], [-d5, -d3 - d4]]))
    };
    if !(t0.is_finite() && a0.is_finite()) {
        return Err("the moment estimates (starting point) are not numbers".into());
    }
    let starts = [
        [t0.max(0.0), a0],
        [t0.max(1.0), a0.clamp(-0.5, 0.9)],
        [1.0, 0.5],
    ];
    let tol = 1e-9;
    let solved = starts.iter().find_map(|&s| newton(s, tol, &f));
    let [t, a] = solved.ok_or("the maximum-likelihood equations did not converge")?;
    if !(a > 0.0 && a < 1.0) {
        // N^α growth of the uniques holds for 0 < α < 1; α ≤ 0 is a finite-class model
        // (θ = m·|α|) in which the estimate means nothing for a large population.
        return Err(format!(
            "the fitted alpha ({a:.4}) is outside (0, 1): no estimate of the population uniques"
        ));
    }
    Ok((ln_gamma(t + 1.0) - ln_gamma(t + a) + a * big_n.ln()).exp())
}

/// Shlosser's estimate of the number of non-empty classes in the population (Haas & Stokes).
fn shlosser(hist: &BTreeMap<usize, usize>, f: f64) -> f64 {
    let (mut num, mut den, mut r1, mut r2) = (0.0, 0.0, 0.0, 0.0);
    for (&i, &c) in hist {
        let (i, c) = (i as f64, c as f64);
        num += i * f * f * (1.0 - f * f).powf(i - 1.0) * c;
        den += (1.0 - f).powf(i) * ((1.0 + f).powf(i) - 1.0) * c;
        r1 += (1.0 - f).powf(i) * c;
        r2 += i * f * (1.0 - f).powf(i - 1.0) * c;
    }
    let u: f64 = hist.values().sum::<usize>() as f64;
    let c1 = hist.get(&1).copied().unwrap_or(0) as f64;
    if den <= 0.0 || r2 <= 0.0 {
        return u;
    }
    u + c1 * (num / den) * (r1 / r2).powi(2)
}

/// The SNB model's expected numbers of sample classes of size 1 and 2 (see module docs).
pub fn snb_expected(k: f64, f: f64, a: f64, b: f64) -> [f64; 2] {
    let d = (1.0 - f) * (1.0 - b);
    let e1 = k * f * (b / (1.0 - d)).powf(a) * (1.0 + a * d / (1.0 - d));
    let e2 = k * f * f * a * b.powf(a) * (1.0 - b) * (2.0 - (1.0 - a) * d)
        / (2.0 * (1.0 - d).powf(a + 2.0));
    [e1, e2]
}

/// The SNB estimate of the population uniques (see module docs).
fn snb(hist: &BTreeMap<usize, usize>, n: usize, big_n: f64) -> Result<f64, String> {
    let f = n as f64 / big_n;
    if f >= 1.0 {
        return Err("the sample is the whole population (sampling fraction 1)".into());
    }
    let c1 = hist.get(&1).copied().unwrap_or(0) as f64;
    let c2 = hist.get(&2).copied().unwrap_or(0) as f64;
    if c2 == 0.0 {
        return Err("no classes of size 2 in the sample: the model cannot be fitted".into());
    }
    let k = shlosser(hist, f);
    let resid = |a: f64, b: f64| -> Option<[f64; 2]> {
        if !(a > 0.0 && b > 0.0 && b < 1.0) {
            return None;
        }
        let e = snb_expected(k, f, a, b);
        let r = [e[0] / c1 - 1.0, e[1] / c2 - 1.0];
        (r[0].is_finite() && r[1].is_finite()).then_some(r)
    };
    let system = |x: [f64; 2]| -> Option<([f64; 2], Jacobian)> {
        let (a, b) = (x[0], x[1]);
        let r = resid(a, b)?;
        // Central differences, staying inside the domain.
        let ha = 1e-7 * a.max(1e-3);
        let hb = 1e-7 * b.min(1.0 - b).max(1e-9);
        let (ra1, ra0) = (resid(a + ha, b)?, resid((a - ha).max(a / 2.0), b)?);
        let da = ha + (a - (a - ha).max(a / 2.0));
        let (rb1, rb0) = (resid(a, b + hb)?, resid(a, b - hb)?);
        let j = [
            [(ra1[0] - ra0[0]) / da, (rb1[0] - rb0[0]) / (2.0 * hb)],
            [(ra1[1] - ra0[1]) / da, (rb1[1] - rb0[1]) / (2.0 * hb)],
        ];
        Some((r, j))
    };
    let grid = [0.01, 0.33, 0.66, 0.99];
    let starts = [0.01, 0.33, 0.66, 0.99, 2.0]
        .iter()
        .flat_map(|&a| grid.iter().map(move |&b| [a, b]));
    for s in starts {
        if let Some([a, b]) = newton(s, 1e-9, &system) {
            return Ok(k * b.powf(a));
        }
    }
    Err("the moment equations have no solution the solver reached".into())
}

/// A built-in population: its name in `risk.population`, what it is, its size and the source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BuiltIn {
    pub name: &'static str,
    pub label: &'static str,
    pub size: u64,
    pub source: &'static str,
}

const US_CENSUS: &str = "U.S. Census Bureau, 2020 Census apportionment/resident population \
                         counts (April 1, 2020)";
const CN_CENSUS: &str = "National Bureau of Statistics of China, Communiqué of the Seventh \
                         National Population Census (2020), population of the 31 provinces, \
                         autonomous regions and municipalities on the Chinese mainland (November \
                         1, 2020)";

/// Built-in populations (resident totals of the 2020 censuses; see docs/privacy.md).
pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        name: "us",
        label: "United States",
        size: 331_449_281,
        source: US_CENSUS,
    },
    BuiltIn {
        name: "us-ca",
        label: "California",
        size: 39_538_223,
        source: US_CENSUS,
    },
    BuiltIn {
        name: "us-tx",
        label: "Texas",
        size: 29_145_505,
        source: US_CENSUS,
    },
    BuiltIn {
        name: "us-fl",
        label: "Florida",
        size: 21_538_187,
        source: US_CENSUS,
    },
    BuiltIn {
        name: "us-ny",
        label: "New York",
        size: 20_201_249,
        source: US_CENSUS,
    },
    BuiltIn {
        name: "cn",
        label: "China (mainland)",
        size: 1_411_778_724,
        source: CN_CENSUS,
    },
    BuiltIn {
        name: "cn-gd",
        label: "Guangdong",
        size: 126_012_510,
        source: CN_CENSUS,
    },
    BuiltIn {
        name: "cn-bj",
        label: "Beijing",
        size: 21_893_095,
        source: CN_CENSUS,
    },
    BuiltIn {
        name: "cn-sh",
        label: "Shanghai",
        size: 24_870_895,
        source: CN_CENSUS,
    },
];

/// The built-in population of that name (case-insensitive).
pub fn built_in(name: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}
