//! Dense linear algebra for the steps: symmetric eigen-decomposition (PCA), ridge regression
//! (iterative imputation), distances (KNN imputation, SMOTE).

use ndarray::{Array1, Array2};

/// Eigenvalues (descending) and unit eigenvectors (as columns, same order) of a symmetric
/// matrix, by cyclic Jacobi rotations. Each eigenvector's sign is chosen so that its entry of
/// largest magnitude (the first one, among entries within a relative 1e-6 of it) is positive,
/// which makes the result deterministic.
pub fn symmetric_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut m = a.clone();
    let mut v = Array2::<f64>::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[[i, j]].powi(2))
            .sum();
        let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().max(f64::MIN_POSITIVE);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[[p, q]];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (m[[q, q]] - m[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[[k, p]], m[[k, q]]);
                    m[[k, p]] = c * mkp - s * mkq;
                    m[[k, q]] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[[p, k]], m[[q, k]]);
                    m[[p, k]] = c * mpk - s * mqk;
                    m[[q, k]] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[[j, j]].total_cmp(&m[[i, i]]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| m[[i, i]]).collect();
    let mut vectors = Array2::<f64>::zeros((n, n));
    for (out, &i) in order.iter().enumerate() {
        let col = v.column(i);
        // The first entry within a relative 1e-6 of the largest magnitude decides the sign, so
        // that near-ties (e.g. last-bit differences between platforms) cannot flip it.
        let max = col.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let big = col
            .iter()
            .copied()
            .find(|x| x.abs() >= max * (1.0 - 1e-6))
            .unwrap_or(0.0);
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        for k in 0..n {
            vectors[[k, out]] = sign * col[k];
        }
    }
    (values, vectors)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` if `a` is singular.
pub fn solve(mut a: Array2<f64>, mut b: Array1<f64>) -> Option<Array1<f64>> {
    let n = a.nrows();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))?;
        if a[[piv, col]].abs() < 1e-12 {
            return None;
        }
        if piv != col {
            for k in 0..n {
                a.swap([piv, k], [col, k]);
            }
            b.swap(piv, col);
        }
        for r in col + 1..n {
            let f = a[[r, col]] / a[[col, col]];
            if f != 0.0 {
                for k in col..n {
                    a[[r, k]] -= f * a[[col, k]];
                }
                b[r] -= f * b[col];
            }
        }
    }
    let mut x = Array1::<f64>::zeros(n);
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[[r, k]] * x[k]).sum();
        x[r] = (b[r] - s) / a[[r, r]];
    }
    Some(x)
}

/// Ridge regression with an unpenalized intercept (as scikit-learn's `Ridge(alpha)`):
/// minimizes ‖y − b − Xw‖² + alpha‖w‖². Returns (intercept, weights).
pub fn ridge(x: &Array2<f64>, y: &[f64], alpha: f64) -> (f64, Vec<f64>) {
    let (n, p) = x.dim();
    if n == 0 {
        return (0.0, vec![0.0; p]);
    }
    let x_mean: Vec<f64> = (0..p).map(|j| x.column(j).sum() / n as f64).collect();
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let mut a = Array2::<f64>::zeros((p, p));
    let mut b = Array1::<f64>::zeros(p);
    for i in 0..n {
        for j in 0..p {
            let xj = x[[i, j]] - x_mean[j];
            b[j] += xj * (y[i] - y_mean);
            for k in j..p {
                a[[j, k]] += xj * (x[[i, k]] - x_mean[k]);
            }
        }
    }
    for j in 0..p {
        for k in 0..j {
            a[[j, k]] = a[[k, j]];
        }
        a[[j, j]] += alpha;
    }
    // alpha > 0 keeps `a` positive definite; with alpha 0 and collinear inputs fall back to a
    // tiny ridge so the step never fails on perfectly correlated columns.
    let w = solve(a.clone(), b.clone())
        .or_else(|| {
            let mut a = a;
            for j in 0..p {
                a[[j, j]] += 1e-8;
            }
            solve(a, b)
        })
        .map(|w| w.to_vec())
        .unwrap_or_else(|| vec![0.0; p]);
    let intercept = y_mean - w.iter().zip(&x_mean).map(|(w, m)| w * m).sum::<f64>();
    (intercept, w)
}

/// Squared Euclidean distance.
pub fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

/// scikit-learn's `nan_euclidean` distance: over the coordinates present in both rows,
/// scaled up by (all coordinates / present coordinates); `None` if no coordinate is shared.
pub fn nan_euclidean(a: &[f64], b: &[f64]) -> Option<f64> {
    let mut sum = 0.0;
    let mut shared = 0usize;
    for (x, y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            sum += (x - y).powi(2);
            shared += 1;
        }
    }
    (shared > 0).then(|| (sum * a.len() as f64 / shared as f64).sqrt())
}
