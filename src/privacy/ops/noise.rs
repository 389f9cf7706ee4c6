//! `noise`: add random noise to numbers.
//!
//! - `laplace`: noise ~ Laplace(0, b) with b = `sensitivity` / `epsilon` (the Laplace mechanism
//!   of differential privacy, applied per value).
//! - `gaussian`: noise ~ N(0, σ²) with σ = `sensitivity` · √(2 ln(1.25/`delta`)) / `epsilon`
//!   (the classical Gaussian mechanism, valid for ε < 1).
//!
//! Drawn from the recipe seed and step index. `decimals` rounds the noisy values.

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    Laplace,
    Gaussian,
}

/// `{"op": "noise", "columns": ["glucose"], "mechanism": "laplace", "epsilon": 1.0, "sensitivity": 10}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Noise {
    pub columns: Vec<String>,
    #[serde(default = "default_mechanism")]
    pub mechanism: Mechanism,
    pub epsilon: f64,
    pub sensitivity: f64,
    /// Gaussian only: the δ of (ε, δ)-differential privacy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// Round noisy values to this many decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u32>,
}

fn default_mechanism() -> Mechanism {
    Mechanism::Laplace
}

impl Noise {
    /// The Laplace scale b or the Gaussian σ.
    pub fn scale(&self) -> f64 {
        match self.mechanism {
            Mechanism::Laplace => self.sensitivity / self.epsilon,
            Mechanism::Gaussian => {
                let delta = self.delta.unwrap_or(1e-5);
                self.sensitivity * (2.0 * (1.25 / delta).ln()).sqrt() / self.epsilon
            }
        }
    }

    /// One noise draw.
    pub fn draw(&self, rng: &mut impl Rng) -> f64 {
        let s = self.scale();
        match self.mechanism {
            Mechanism::Laplace => {
                // Inverse CDF on u ∈ (-½, ½); u = -½ exactly would give ln 0.
                let mut u: f64 = rng.gen_range(-0.5..0.5);
                if u == -0.5 {
                    u = 0.0;
                }
                -s * u.signum() * (1.0 - 2.0 * u.abs()).ln()
            }
            Mechanism::Gaussian => {
                // Box–Muller.
                let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
                let u2: f64 = rng.gen();
                s * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
            }
        }
    }
}

impl Op for Noise {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::RawValues
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        true
    }
    fn check(&self) -> Result<(), ArgError> {
        super::non_empty(&self.columns)?;
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err((
                "epsilon",
                format!("must be a positive number, got {}", self.epsilon),
            ));
        }
        if !(self.sensitivity.is_finite() && self.sensitivity > 0.0) {
            return Err((
                "sensitivity",
                format!("must be a positive number, got {}", self.sensitivity),
            ));
        }
        match (self.mechanism, self.delta) {
            (Mechanism::Laplace, Some(_)) => {
                return Err(("delta", "applies to the gaussian mechanism only".into()))
            }
            (Mechanism::Gaussian, None) => {
                return Err((
                    "delta",
                    "the gaussian mechanism needs delta (e.g. 1e-5)".into(),
                ))
            }
            (Mechanism::Gaussian, Some(d)) if !(d > 0.0 && d < 1.0) => {
                return Err((
                    "delta",
                    format!("must be between 0 and 1 (exclusive), got {d}"),
                ))
            }
            _ => {}
        }
        if self.decimals.is_some_and(|d| d > 10) {
            return Err(("decimals", "must be at most 10".into()));
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        super::named(&self.columns)
    }
    fn accepts(&self, _: &str) -> Option<&'static [ColumnType]> {
        Some(super::NUMERIC)
    }
    fn apply(&self, table: &mut Table, ctx: &PrivacyContext) -> Result<Effect, ArgError> {
        let mut rng = ctx.rng(
            table,
            &self.columns.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let mut cells = 0;
        let round = |x: f64| match self.decimals {
            Some(d) => {
                let f = 10f64.powi(d as i32);
                (x * f).round() / f
            }
            None => x,
        };
        for name in &self.columns {
            if let Some(col) = table.column_mut(name) {
                if let Values::Num(v) = &mut col.values {
                    let v = std::sync::Arc::make_mut(v);
                    for x in v.iter_mut().filter(|x| !x.is_nan()) {
                        *x = round(*x + self.draw(&mut rng));
                        cells += 1;
                    }
                }
            }
        }
        Ok(Effect {
            rows_affected: table.rows(),
            cells_affected: cells,
            note: match self.mechanism {
                Mechanism::Laplace => crate::message::op_noise_laplace(self.scale()),
                Mechanism::Gaussian => crate::message::op_noise_gaussian(self.scale()),
            },
            ..Effect::default()
        })
    }
}

impl Describe for Noise {
    const DOC: &'static str = "Adds differentially private Laplace or Gaussian noise to numbers.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("columns", Ty::Columns, "the numeric columns to perturb"),
            Arg::def(
                "mechanism",
                Ty::Enum(&["laplace", "gaussian"]),
                json!("laplace"),
                "the noise distribution",
            ),
            Arg::req(
                "epsilon",
                Ty::Number,
                "the privacy budget ε (smaller: more noise)",
            ),
            Arg::req(
                "sensitivity",
                Ty::Number,
                "how much one record can change a value",
            ),
            Arg::def(
                "delta",
                Ty::Number,
                json!(1e-5),
                "gaussian only: the δ of (ε, δ)-differential privacy",
            ),
            Arg::opt(
                "decimals",
                Ty::Integer,
                "round noisy values to this many decimals",
            ),
        ]
    }
    fn example() -> Self {
        Noise {
            columns: vec!["glucose".into()],
            mechanism: Mechanism::Laplace,
            epsilon: 1.0,
            sensitivity: 5.0,
            delta: None,
            decimals: None,
        }
    }
}

impl crate::privacy::Secrets for Noise {
    /// No argument of `Noise` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
