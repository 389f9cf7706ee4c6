//! `generalize`: replace numbers by bands: of a fixed `width` (age 37 → "30-39") or between
//! custom `cuts` (cuts [18, 65] → "<18", "18-64", "65+" for integers), with optional top and
//! bottom coding (`top`: 90 → every value ≥ 90 becomes "90+"; `bottom`: 18 → below 18 "<18").

use crate::privacy::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{format_number, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};

/// `{"op": "generalize", "column": "age", "width": 10, "top": 90}` or
/// `{"op": "generalize", "column": "age", "cuts": [18, 40, 65]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generalize {
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cuts: Option<Vec<f64>>,
    /// Values at or above this become "TOP+".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<f64>,
    /// Values below this become "<BOTTOM".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom: Option<f64>,
}

impl Generalize {
    /// Bands of a fixed width (as the example recipe).
    pub fn width(column: &str, width: f64) -> Generalize {
        Generalize {
            column: column.into(),
            width: Some(width),
            cuts: None,
            top: None,
            bottom: None,
        }
    }

    /// The band label of `x`: "30-39" for integer data and width, "[2.5, 5)" otherwise.
    pub fn band(&self, x: f64, integers: bool) -> String {
        if let Some(t) = self.top.filter(|&t| x >= t) {
            return format!("{}+", format_number(t));
        }
        if let Some(b) = self.bottom.filter(|&b| x < b) {
            return format!("<{}", format_number(b));
        }
        let (lo, hi) = if let Some(w) = self.width {
            let lo = (x / w).floor() * w;
            (Some(lo), Some(lo + w))
        } else {
            let cuts = self.cuts.as_deref().unwrap_or(&[]);
            let i = cuts.partition_point(|&c| c <= x);
            (i.checked_sub(1).map(|j| cuts[j]), cuts.get(i).copied())
        };
        let lo = match (lo, self.bottom) {
            (Some(l), Some(b)) => Some(l.max(b)),
            (l, b) => l.or(b),
        };
        let hi = match (hi, self.top) {
            (Some(h), Some(t)) => Some(h.min(t)),
            (h, t) => h.or(t),
        };
        let int =
            integers && lo.is_none_or(|l| l.fract() == 0.0) && hi.is_none_or(|h| h.fract() == 0.0);
        match (lo, hi) {
            (Some(l), Some(h)) if int => format!("{}-{}", format_number(l), format_number(h - 1.0)),
            (Some(l), Some(h)) => format!("[{}, {})", format_number(l), format_number(h)),
            (None, Some(h)) => format!("<{}", format_number(h)),
            (Some(l), None) => format!("{}+", format_number(l)),
            (None, None) => "*".into(),
        }
    }
}

impl Op for Generalize {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Replayed
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        match (&self.width, &self.cuts) {
            (Some(w), None) => {
                if !(w.is_finite() && *w > 0.0) {
                    return Err(("width", format!("must be a positive number, got {w}")));
                }
            }
            (None, Some(c)) => {
                if c.is_empty() || c.iter().any(|x| !x.is_finite()) {
                    return Err(("cuts", "must be a non-empty list of numbers".into()));
                }
                if c.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(("cuts", "must be strictly increasing".into()));
                }
            }
            (Some(_), Some(_)) => {
                return Err(("cuts", "give either width or cuts, not both".into()))
            }
            (None, None) => {
                return Err((
                    "width",
                    "give width (band size) or cuts (band limits)".into(),
                ))
            }
        }
        if let (Some(b), Some(t)) = (self.bottom, self.top) {
            if b >= t {
                return Err(("top", format!("must be above bottom ({b})")));
            }
        }
        for (f, v) in [("top", self.top), ("bottom", self.bottom)] {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err((f, "must be a finite number".into()));
            }
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        vec![("column", self.column.as_str())]
    }
    fn accepts(&self, _: &str) -> Option<&'static [ColumnType]> {
        Some(super::NUMERIC)
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let Some(col) = table.column_mut(&self.column) else {
            return Ok(Effect::default());
        };
        let Values::Num(v) = &col.values else {
            return Ok(Effect::default());
        };
        let integers = v.iter().all(|x| x.is_nan() || x.fract() == 0.0);
        let mut cells = 0;
        let out = v
            .iter()
            .map(|&x| {
                (!x.is_nan()).then(|| {
                    cells += 1;
                    self.band(x, integers)
                })
            })
            .collect();
        col.values = Values::str(out);
        col.ctype = ColumnType::Categorical;
        let how = match (&self.width, &self.cuts) {
            (Some(w), _) => crate::message::op_generalize_width(*w),
            (_, Some(c)) => crate::message::op_generalize_cuts(c.clone()),
            _ => crate::message::Message::default(),
        };
        Ok(Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: how,
            ..Effect::default()
        })
    }
}

impl Describe for Generalize {
    const DOC: &'static str = "Replaces numbers by bands of a fixed width or between given cuts.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("column", Ty::Column, "the numeric column to band"),
            Arg::opt("width", Ty::Number, "the band width (or give cuts)"),
            Arg::opt(
                "cuts",
                Ty::List(Box::new(Ty::Number)),
                "strictly increasing band edges (or give width)",
            ),
            Arg::opt(
                "top",
                Ty::Number,
                "values at or above this become one top band",
            ),
            Arg::opt(
                "bottom",
                Ty::Number,
                "values below this become one bottom band",
            ),
        ]
    }
    fn example() -> Self {
        Generalize {
            column: "age".into(),
            width: Some(10.0),
            cuts: None,
            top: Some(90.0),
            bottom: None,
        }
    }
}

impl crate::privacy::Secrets for Generalize {
    /// No argument of `Generalize` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}
