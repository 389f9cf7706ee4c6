//! `pca`: principal component analysis of the numeric columns, fitted on the training rows.
//!
//! The training rows are centred (not scaled: put `scale` first if the units differ, as with
//! scikit-learn's `PCA`), the covariance matrix is decomposed with a symmetric eigen-solver
//! (Jacobi rotations, [`super::linalg::symmetric_eigen`]) and the selected columns are replaced
//! by `pc1` … `pcK`. Each component's sign makes its largest loading positive. The audit gives
//! every component's loadings and its explained-variance ratio (its variance over the total
//! variance of the columns, as scikit-learn's `explained_variance_ratio_`).

use super::linalg::symmetric_eigen;
use super::{
    check_columns, is_numeric, named, num_column, selected, FitContext, FitError, Fitted,
    FittedStep, Step,
};
use crate::error::ArgError;
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table, Values};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `{"op": "pca", "components": 2}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pca {
    pub components: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedPca {
    pub columns: Vec<String>,
    pub mean: Vec<f64>,
    /// One row of loadings per component.
    pub components: Vec<Vec<f64>>,
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
    pub names: Vec<String>,
}

impl Step for Pca {
    fn reads_dates(&self) -> bool {
        false
    }
    fn encodes_categories(&self) -> bool {
        false
    }
    fn imputes(&self) -> bool {
        false
    }
    fn makes_missing(&self) -> bool {
        false
    }
    // Not column by column: a component reads every column.
    fn column_wise(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        check_columns(&self.columns)?;
        if self.components == 0 {
            return Err(("components", "must be at least 1".into()));
        }
        if let Some(c) = &self.columns {
            if self.components > c.len() {
                return Err((
                    "components",
                    format!(
                        "is {} but only {} column(s) are named",
                        self.components,
                        c.len()
                    ),
                ));
            }
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        named(&self.columns)
    }
    fn needs(&self) -> Option<ColumnType> {
        Some(ColumnType::Numeric)
    }
    fn fit(&self, train: &Table, _: &FitContext) -> Result<FittedStep, FitError> {
        let cols = selected(train, &self.columns, is_numeric);
        let p = cols.len();
        if self.components > p {
            return Err(format!(
                "components is {} but there are only {p} numeric column(s) at this point",
                self.components
            ));
        }
        let n = train.rows();
        if n < 2 {
            return Err("needs at least 2 training rows".into());
        }
        let mut x = Array2::<f64>::zeros((n, p));
        for (j, c) in cols.iter().enumerate() {
            let Values::Num(v) = &c.values else { continue };
            if v.iter().any(|x| x.is_nan()) {
                return Err(format!(
                    "column '{}' has missing values in the training rows; put an impute step before pca",
                    c.name
                ));
            }
            for (i, &val) in v.iter().enumerate() {
                x[[i, j]] = val;
            }
        }
        let mean: Vec<f64> = (0..p).map(|j| x.column(j).sum() / n as f64).collect();
        for (j, m) in mean.iter().enumerate() {
            x.column_mut(j).mapv_inplace(|v| v - m);
        }
        let cov = x.t().dot(&x) / (n as f64 - 1.0);
        let (values, vectors) = symmetric_eigen(&cov);
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let k = self.components;
        let explained_variance: Vec<f64> = values.iter().take(k).map(|v| v.max(0.0)).collect();
        let explained_variance_ratio = explained_variance
            .iter()
            .map(|v| if total > 0.0 { v / total } else { 0.0 })
            .collect();
        let components = (0..k).map(|c| vectors.column(c).to_vec()).collect();
        let columns: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
        let mut names = Vec::new();
        for c in 1..=k {
            let mut name = format!("pc{c}");
            while train.column(&name).is_some() && !columns.contains(&name) || names.contains(&name)
            {
                name.push('_');
            }
            names.push(name);
        }
        Ok(FittedStep::from(FittedPca {
            columns,
            mean,
            components,
            explained_variance,
            explained_variance_ratio,
            names,
        }))
    }
}

impl FittedPca {
    /// Projects rows (in `columns` order) onto the components.
    pub fn project(&self, row: &[f64]) -> Vec<f64> {
        self.components
            .iter()
            .map(|w| {
                w.iter()
                    .zip(row.iter().zip(&self.mean))
                    .map(|(w, (x, m))| w * (x - m))
                    .sum()
            })
            .collect()
    }
}

impl Fitted for FittedPca {
    fn transform(&self, table: &mut Table) -> usize {
        let rows = table.rows();
        let data: Vec<&Vec<f64>> = self
            .columns
            .iter()
            .filter_map(|n| match table.column(n).map(|c| &c.values) {
                Some(Values::Num(v)) => Some(&**v),
                _ => None,
            })
            .collect();
        if data.len() != self.columns.len() {
            return 0;
        }
        let mut out = vec![Vec::with_capacity(rows); self.components.len()];
        for r in 0..rows {
            let row: Vec<f64> = data.iter().map(|v| v[r]).collect();
            for (k, s) in self.project(&row).into_iter().enumerate() {
                out[k].push(s);
            }
        }
        let mut columns = std::mem::take(&mut table.columns);
        columns.retain(|c| !self.columns.contains(&c.name));
        columns.extend(
            self.names
                .iter()
                .cloned()
                .zip(out)
                .map(|(n, v)| num_column(n, v)),
        );
        *table = Table::new(columns);
        rows * self.components.len()
    }

    fn learned(&self) -> Value {
        json!({
            "columns": self.columns,
            "mean": self.mean,
            "components": self.names.iter().zip(&self.components).map(|(n, w)| json!({"name": n, "loadings": w})).collect::<Vec<_>>(),
            "explained_variance": self.explained_variance,
            "explained_variance_ratio": self.explained_variance_ratio,
        })
    }
}

impl Describe for Pca {
    const DOC: &'static str = "Replaces numeric columns by their principal components.";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("components", Ty::Integer, "the number of components kept"),
            Arg::opt("columns", Ty::Columns, "the numeric columns (default: all)"),
        ]
    }
    fn example() -> Self {
        Pca {
            components: 2,
            columns: None,
        }
    }
}
