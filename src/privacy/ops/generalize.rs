//! `generalize`: replace numbers by bands of a fixed width (age 37 → "30-39").

use crate::privacy::{ArgError, Effect};
use crate::table::{format_number, ColumnType, Table, Values};
use serde::{Deserialize, Serialize};

/// `{"op": "generalize", "column": "age", "width": 10}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generalize {
    pub column: String,
    pub width: f64,
}

impl Generalize {
    pub fn check(&self) -> Result<(), ArgError> {
        if !(self.width.is_finite() && self.width > 0.0) {
            return Err((
                "width",
                format!("must be a positive number, got {}", self.width),
            ));
        }
        Ok(())
    }

    /// The band label of `x`: "30-39" for integer data and width, "[2.5, 5)" otherwise.
    pub fn band(&self, x: f64, integers: bool) -> String {
        let lo = (x / self.width).floor() * self.width;
        if integers && self.width.fract() == 0.0 {
            format!(
                "{}-{}",
                format_number(lo),
                format_number(lo + self.width - 1.0)
            )
        } else {
            format!(
                "[{}, {})",
                format_number(lo),
                format_number(lo + self.width)
            )
        }
    }

    pub fn apply(&self, table: &mut Table) -> Effect {
        let Some(col) = table.column_mut(&self.column) else {
            return Effect::default();
        };
        let Values::Num(v) = &col.values else {
            return Effect::default();
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
        col.values = Values::Str(out);
        col.ctype = ColumnType::Categorical;
        Effect {
            rows_affected: cells,
            cells_affected: cells,
            note: format!("numbers replaced by bands of width {}", self.width),
        }
    }
}
