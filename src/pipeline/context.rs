//! What a face (the CLI, the page's worker, a test) hands a run and gets back: progress with
//! cancellation, a clock, the pseudonymization key; the report and the masked table.

use crate::error::{Error, Result};
use crate::report::Report;
use crate::table::Table;

/// A progress event: `done` of `total` units of the current `stage`, and which `phase` of the
/// run it is about (docs/report.md, "Progress events").
#[derive(Debug, Clone, serde::Serialize)]
pub struct Progress {
    pub stage: String,
    pub done: usize,
    pub total: usize,
    pub message: String,
    /// `privacy`, `plan`, `features`, `search`, `fit`, `predict`, `importance`, `shap`,
    /// `intervals`, `original` or `report`.
    pub phase: String,
    /// The unit (model on a split) a `models` event is about.
    pub unit: Option<usize>,
    /// The estimated run time of the units this call computes, per unit and phase (the one
    /// `plan` event before the first unit starts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<super::estimate::Estimate>,
}

/// What a face provides to a run: progress reporting (return `false` to cancel), a clock,
/// and the pseudonymization key.
pub struct Context<'a> {
    pub progress: &'a mut dyn FnMut(&Progress) -> bool,
    /// Milliseconds from an arbitrary origin (`performance.now()` in the browser).
    pub now_ms: &'a (dyn Fn() -> f64 + Sync),
    pub key: Vec<u8>,
}

impl Context<'_> {
    /// Tells `done` of `total` of `stage`; [`Error::Cancelled`] when the face asks to stop.
    pub(super) fn report(
        &mut self,
        stage: &str,
        done: usize,
        total: usize,
        message: String,
    ) -> Result<()> {
        self.tell(Progress {
            stage: stage.into(),
            done,
            total,
            message,
            phase: stage.into(),
            unit: None,
            plan: None,
        })
    }

    /// Tells `done` of `total` of `stage` in `phase` (of unit `unit`).
    pub(super) fn report_phase(
        &mut self,
        stage: &str,
        phase: &str,
        done: usize,
        total: usize,
        unit: Option<usize>,
        message: String,
    ) -> Result<()> {
        self.tell(Progress {
            stage: stage.into(),
            done,
            total,
            message,
            phase: phase.into(),
            unit,
            plan: None,
        })
    }

    /// Tells `p`; [`Error::Cancelled`] when the face asks to stop.
    pub(super) fn tell(&mut self, p: Progress) -> Result<()> {
        if (self.progress)(&p) {
            Ok(())
        } else {
            Err(Error::Cancelled)
        }
    }
}

/// A fresh 32-byte pseudonymization key from the OS (natively) or the browser's CSPRNG (wasm).
pub fn new_key() -> Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    getrandom::getrandom(&mut key)
        .map_err(|e| Error::Data(format!("no secure random source: {e}")))?;
    Ok(key)
}

/// The result of a run: the report, the masked table (after the privacy steps) and, when the
/// recipe trains models, their out-of-fold predictions.
pub struct Output {
    pub report: Report,
    pub masked: Table,
    pub predictions: Option<super::predictions::OutOfFold>,
}
