//! The two fits behind the calibration measures: Newton's method for the logistic slope and
//! intercept, and the local linear (lowess-style) smoother with its neighbourhoods.

use super::Window;

/// The neighbourhood of `x0` among sorted `x` with case weights `w`: grown from x0 by the
/// nearer side (the left one on ties, as statsmodels) until it holds `k` rows; the last row taken
/// is the farthest, its distance the radius.
pub(super) fn window(x: &[f64], w: &[f64], x0: f64, k: f64) -> Window {
    let n = x.len();
    let i = x.partition_point(|&v| v < x0);
    let (mut l, mut r) = (i, i);
    let (mut count, mut radius) = (0.0, 0.0);
    while count < k {
        let left = (l > 0).then(|| x0 - x[l - 1]);
        let right = (r < n).then(|| x[r] - x0);
        let (j, d) = match (left, right) {
            (Some(a), Some(b)) if a <= b => {
                l -= 1;
                (l, a)
            }
            (Some(a), None) => {
                l -= 1;
                (l, a)
            }
            (_, Some(b)) => {
                r += 1;
                (r - 1, b)
            }
            (None, None) => break,
        };
        if w[j] > 0.0 {
            count += w[j];
            radius = d;
        }
    }
    Window { l, r, x0, radius }
}

/// The local linear fit at the window's x0 of outcomes `y` on `x` with tricube weights times
/// the case weights `w`; `None` when no row of the window has weight.
pub(super) fn local_linear(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    win: &Window,
    kernel: &[f64],
) -> Option<f64> {
    // Sums of K, K·d, K·d², K·y, K·d·y with d = x − x0 (centred for accuracy); K = w·tricube,
    // the tricube of each row of the window computed once (`kernel`), not per resample.
    let (mut s0, mut s1, mut s2, mut sy, mut sdy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut nonzero, mut sw, mut swy) = (0.0, 0.0, 0.0);
    for (j, &t3) in (win.l..win.r).zip(kernel) {
        let wj = w[j];
        if wj == 0.0 {
            continue;
        }
        let d = x[j] - win.x0;
        let kw = wj * t3;
        if kw > 1e-12 {
            nonzero += wj;
        }
        sw += wj;
        swy += wj * y[j];
        s0 += kw;
        s1 += kw * d;
        s2 += kw * d * d;
        sy += kw * y[j];
        sdy += kw * d * y[j];
    }
    if s0 <= 0.0 || nonzero < 2.0 {
        // Fewer than two rows carry weight: the mean outcome of the window.
        return (sw > 0.0).then(|| swy / sw);
    }
    let mean_d = s1 / s0;
    let var = (s2 / s0 - mean_d * mean_d).max(1e-12);
    let cov = sdy / s0 - mean_d * sy / s0;
    Some(sy / s0 - mean_d * cov / var)
}

/// The tricube weight (1 − (|x − x0| / radius)³)³ of each row of the window (0 at and beyond
/// the radius; every row counts fully when the radius is 0).
pub(super) fn tricube(x: &[f64], win: &Window) -> Vec<f64> {
    let inv = if win.radius > 0.0 {
        1.0 / win.radius
    } else {
        0.0
    };
    x[win.l..win.r]
        .iter()
        .map(|&xj| {
            let u = ((xj - win.x0).abs() * inv).min(1.0);
            let t = 1.0 - u * u * u;
            t * t * t
        })
        .collect()
}

/// Whether the rows with weight are separated along `x` (every event at or above every
/// non-event, or at or below): then the slope's likelihood keeps rising as |b| grows and has no
/// maximum (Albert & Anderson 1984; with one covariate, quasi-complete separation is exactly this).
pub(super) fn separated(x: &[f64], y: &[f64], w: &[f64]) -> bool {
    let (mut lo1, mut hi1, mut lo0, mut hi0) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for j in 0..x.len() {
        if w[j] == 0.0 {
            continue;
        }
        if y[j] > 0.5 {
            lo1 = lo1.min(x[j]);
            hi1 = hi1.max(x[j]);
        } else {
            lo0 = lo0.min(x[j]);
            hi0 = hi0.max(x[j]);
        }
    }
    // One class absent: the infinities make both comparisons true.
    hi0 <= lo1 || hi1 <= lo0
}

/// Maximum-likelihood (a, b) of logit P(y) = a + b·x with case weights `w` (b fixed at 1
/// when `offset`), by Newton's method from `start` with step halving; `None` when it does not
/// converge (e.g. perfectly separated outcomes, where b grows without bound).
pub(super) fn logistic(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    offset: bool,
    start: (f64, f64),
) -> Option<(f64, f64)> {
    if !offset && separated(x, y, w) {
        // No finite slope exists: Newton's method would only walk b outwards until it gave up.
        return None;
    }
    let (mut a, mut b) = if offset { (start.0, 1.0) } else { start };
    // The last accepted point, its log-likelihood and the Newton step from it.
    let mut from: Option<(f64, f64, f64, f64, f64)> = None;
    let mut step = 1.0;
    for _ in 0..300 {
        let (mut ll, mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for j in 0..x.len() {
            let wj = w[j];
            if wj == 0.0 {
                continue;
            }
            let z = a + b * x[j];
            // One exponential serves σ(z) and the log-likelihood: e = exp(−|z|).
            let e = (-z.abs()).exp();
            let mu = if z >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            // ln σ(z) for y = 1, ln σ(−z) for y = 0, without overflow: min(t, 0) − ln(1 + e).
            let t = if y[j] > 0.5 { z } else { -z };
            ll += wj * (t.min(0.0) - e.ln_1p());
            let v = wj * mu * (1.0 - mu);
            let e = wj * (y[j] - mu);
            g0 += e;
            g1 += e * x[j];
            h00 += v;
            h01 += v * x[j];
            h11 += v * x[j] * x[j];
        }
        if let Some((pa, pb, pll, da, db)) = from {
            // Halve the step while the likelihood falls.
            if ll < pll - 1e-12 * pll.abs() && step > 1e-10 {
                step /= 2.0;
                a = pa + step * da;
                b = pb + step * db;
                continue;
            }
            if (a - pa).abs() < 1e-10 * (1.0 + a.abs()) && (b - pb).abs() < 1e-10 * (1.0 + b.abs())
            {
                return Some((a, b));
            }
        }
        let (da, db) = if offset {
            if !(h00.is_finite() && h00 > 1e-300) {
                return None;
            }
            (g0 / h00, 0.0)
        } else {
            let det = h00 * h11 - h01 * h01;
            if !(det.is_finite() && det > 1e-300 * h00.max(1.0) * h11.max(1.0)) {
                return None;
            }
            ((h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det)
        };
        from = Some((a, b, ll, da, db));
        step = 1.0;
        a += da;
        b += db;
        if !(a.is_finite() && b.is_finite()) || a.abs() > 1e6 || b.abs() > 1e6 {
            return None;
        }
    }
    None
}

/// Maximum-likelihood (a, b) of logit P(y) = a + b·x with case weights `w`; `None` when it
/// does not converge (e.g. perfectly separated outcomes).
pub fn logistic_slope(x: &[f64], y: &[f64], w: &[f64]) -> Option<(f64, f64)> {
    logistic(x, y, w, false, (0.0, 1.0))
}

/// Maximum-likelihood a of logit P(y) = a + offset(x) with case weights `w`.
pub fn logistic_offset(x: &[f64], y: &[f64], w: &[f64]) -> Option<f64> {
    logistic(x, y, w, true, (0.0, 1.0)).map(|(a, _)| a)
}
