//! Uncertainty: bootstrap confidence intervals and the Nadeau–Bengio corrected paired t-test.
//!
//! **Intervals.** The out-of-fold predictions of all splits are pooled (each row once per
//! repeat) and resampled with replacement `RESAMPLES` = 1000 times (ChaCha8 seeded by the
//! recipe seed); each metric is computed on every resample and the interval is the 2.5th and
//! 97.5th percentile (numpy's linear interpolation) of the defined values: a percentile
//! bootstrap of the pooled metric. It reflects the finite test sample, not the variability of
//! refitting the model (the fold std shows that).
//!
//! **Comparison.** Between two models evaluated on the same J splits, with per-split metric
//! differences d_j: t = mean(d) / √((1/J + n_test/n_train) · s²), s² the sample variance of d,
//! and a two-sided p-value from Student's t with J − 1 degrees of freedom (Nadeau & Bengio 2003,
//! "Inference for the generalization error"), correcting the ordinary paired t-test for the
//! overlap of training sets between splits.

use super::metrics::{regression_weighted, SortedRows};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Bootstrap resamples per interval.
pub const RESAMPLES: usize = 1000;

/// Percentile of sorted values with linear interpolation (numpy's default).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Intervals of `metrics` metrics over `RESAMPLES` resamples of `n` rows with replacement:
/// `compute` gets the weights (how often each row was drawn), row `r` at `slot(r)`. One
/// resample after another; [`intervals_parallel`] computes the same values on the threads and
/// is the one the runs use (this one is the tests' reference).
#[cfg(test)]
pub(crate) fn intervals(
    n: usize,
    metrics: usize,
    seed: u64,
    slot: impl Fn(usize) -> usize,
    mut compute: impl FnMut(&[f64]) -> Vec<Option<f64>>,
) -> Vec<Option<[f64; 2]>> {
    if n == 0 {
        return vec![None; metrics];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = vec![0.0; n];
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(RESAMPLES); metrics];
    for _ in 0..RESAMPLES {
        w.iter_mut().for_each(|v| *v = 0.0);
        for _ in 0..n {
            w[slot(crate::models::draw_index(&mut rng, 0, n))] += 1.0;
        }
        for (k, v) in compute(&w).into_iter().enumerate() {
            if let Some(v) = v {
                values[k].push(v);
            }
        }
    }
    percentiles(values)
}

/// Drawn row indices held at once by [`intervals_parallel`] at most (16 MB), unless one
/// resample needs more.
const HELD: usize = 4 << 20;

/// [`intervals`] with the resamples on [`crate::par`]'s threads: the rows of a batch of
/// resamples are drawn from the one seeded stream in the same sequence as one after another
/// (the only sequential part: the random numbers), then each resample's weights and metrics
/// are computed on a thread. The same values, bit for bit, as `intervals` on any number of
/// threads and in wasm (tests below, against the one-after-another `intervals`).
pub(crate) fn intervals_parallel(
    n: usize,
    metrics: usize,
    seed: u64,
    slot: impl Fn(usize) -> usize + Sync,
    compute: impl Fn(&[f64]) -> Vec<Option<f64>> + Sync,
) -> Vec<Option<[f64; 2]>> {
    if n == 0 {
        return vec![None; metrics];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(RESAMPLES); metrics];
    // A few resamples per thread at a time (one in wasm, where they run one after another).
    let per = match crate::par::threads() {
        1 => 1,
        t => (4 * t).min(HELD / n).max(1),
    };
    let mut drawn = vec![0u32; per.min(RESAMPLES) * n];
    let mut done = 0;
    while done < RESAMPLES {
        let b = per.min(RESAMPLES - done);
        for d in &mut drawn[..b * n] {
            *d = crate::models::draw_index(&mut rng, 0, n) as u32;
        }
        let drawn = &drawn;
        let batch = crate::par::map_init(
            b,
            || vec![0.0; n],
            |w, i| {
                w.iter_mut().for_each(|v| *v = 0.0);
                for &r in &drawn[i * n..(i + 1) * n] {
                    w[slot(r as usize)] += 1.0;
                }
                compute(w)
            },
        );
        for resample in batch {
            for (k, v) in resample.into_iter().enumerate() {
                if let Some(v) = v {
                    values[k].push(v);
                }
            }
        }
        done += b;
    }
    percentiles(values)
}

/// The 2.5th and 97.5th percentiles of each metric's resampled values (`None` when fewer than
/// half the resamples define it).
fn percentiles(values: Vec<Vec<f64>>) -> Vec<Option<[f64; 2]>> {
    values
        .into_iter()
        .map(|mut v| {
            // An interval needs most resamples to define the metric.
            if v.len() < RESAMPLES / 2 {
                return None;
            }
            v.sort_by(f64::total_cmp);
            Some([percentile(&v, 2.5), percentile(&v, 97.5)])
        })
        .collect()
}

/// 95% intervals of every classification metric (in `metrics::CLASSIFICATION` order).
pub fn classification_intervals(
    y: &[bool],
    p: &[f64],
    threshold: f64,
    seed: u64,
) -> Vec<Option<[f64; 2]>> {
    let rows = SortedRows::new(y, p, threshold);
    intervals_parallel(
        y.len(),
        super::metrics::CLASSIFICATION.len(),
        seed,
        |r| rows.position(r),
        |w| rows.metrics(w),
    )
}

/// 95% intervals of every regression metric (in `metrics::REGRESSION` order).
pub fn regression_intervals(y: &[f64], p: &[f64], seed: u64) -> Vec<Option<[f64; 2]>> {
    intervals_parallel(
        y.len(),
        super::metrics::REGRESSION.len(),
        seed,
        |r| r,
        |w| regression_weighted(y, p, w),
    )
}

/// The result of a corrected paired t-test between two models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedTest {
    pub method: String,
    pub metric: String,
    /// Indices into `models` (best first) and their kinds.
    pub models: [usize; 2],
    pub kinds: [String; 2],
    pub mean_difference: f64,
    pub t: Option<f64>,
    pub df: usize,
    pub p_value: Option<f64>,
    pub note: String,
}

/// Nadeau–Bengio corrected t statistic and two-sided p-value for per-split differences `d`.
/// `None` when the differences have no spread (t undefined) or fewer than two splits.
pub fn nadeau_bengio(d: &[f64], n_train: f64, n_test: f64) -> Option<(f64, f64)> {
    let j = d.len();
    if j < 2 || n_train <= 0.0 {
        return None;
    }
    let mean = d.iter().sum::<f64>() / j as f64;
    let spread = d.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b))
        - d.iter().fold(f64::INFINITY, |a, &b| a.min(b));
    if spread <= 1e-12 * mean.abs().max(1e-12) {
        return None;
    }
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (j - 1) as f64;
    let se = ((1.0 / j as f64 + n_test / n_train) * var).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    let t = mean / se;
    Some((t, t_two_sided_p(t, (j - 1) as f64)))
}

/// Two-sided p-value of Student's t: I_{df/(df+t²)}(df/2, 1/2).
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    reg_inc_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// ln Γ(x) for x > 0: the Lanczos approximation (g = 7, n = 9), relative error below 1e-13.
/// Also used by the privacy risk estimates.
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized incomplete beta I_x(a, b) by Lentz's continued fraction.
fn reg_inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - reg_inc_beta(b, a, 1.0 - x);
    }
    let tiny = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + num / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        let num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + num / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * h / a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_p_values_match_scipy() {
        // 2 * scipy.stats.t.sf(t, df)
        assert!((t_two_sided_p(2.0, 4.0) - 0.11611652351681556).abs() < 1e-12);
        assert!((t_two_sided_p(0.5, 9.0) - 0.6290712998260263).abs() < 1e-12);
        assert!((t_two_sided_p(-3.7, 2.0) - 0.06590671019436672).abs() < 1e-12);
        assert!((t_two_sided_p(0.0, 5.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn percentile_as_numpy() {
        // numpy.percentile(1..=10, [2.5, 97.5]) == [1.225, 9.775]
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((percentile(&v, 2.5) - 1.225).abs() < 1e-12);
        assert!((percentile(&v, 97.5) - 9.775).abs() < 1e-12);
    }

    #[test]
    fn nadeau_bengio_by_hand() {
        // d = [0.01, 0.03, 0.02, 0.04, 0.00]: mean 0.02, s² = 0.00025; 5-fold: n_test/n_train
        // = 1/4, so se = √((1/5 + 1/4) · 0.00025) = 0.0106066; t = 1.885618.
        let (t, p) = nadeau_bengio(&[0.01, 0.03, 0.02, 0.04, 0.0], 80.0, 20.0).unwrap();
        assert!((t - 0.02 / (0.45f64 * 0.00025).sqrt()).abs() < 1e-9);
        assert!((p - t_two_sided_p(t, 4.0)).abs() < 1e-15 && p > 0.1 && p < 0.2);
        assert_eq!(nadeau_bengio(&[0.1, 0.1, 0.1], 10.0, 5.0), None);
    }

    #[test]
    fn intervals_cover_the_pooled_value_and_are_seeded() {
        let y: Vec<bool> = (0..200).map(|i| i % 3 == 0).collect();
        let p: Vec<f64> = (0..200)
            .map(|i| if i % 3 == 0 { 0.6 } else { 0.3 } + (i % 7) as f64 * 0.05)
            .collect();
        let a = classification_intervals(&y, &p, 0.5, 1);
        assert_eq!(a, classification_intervals(&y, &p, 0.5, 1));
        let (_, v) = super::super::metrics::classification(&y, &p, 0.5);
        for (ci, v) in a.iter().zip(&v) {
            let [lo, hi] = ci.unwrap();
            let v = v.unwrap();
            assert!(lo <= v && v <= hi, "{lo} {v} {hi}");
        }
        let [lo, hi] = a[5].unwrap(); // roc_auc
        assert!(hi - lo > 0.01 && hi - lo < 0.3, "{lo} {hi}");
    }

    #[test]
    fn resamples_on_threads_are_the_sequential_ones_bit_for_bit() {
        // 1,000 resamples = 31 full batches and a partial one; rows not a multiple of anything.
        let y: Vec<bool> = (0..537).map(|i| (i * 7) % 5 < 2).collect();
        let p: Vec<f64> = (0..537)
            .map(|i| ((i * 37) % 101) as f64 / 101.0 * 0.6 + if y[i] { 0.3 } else { 0.0 })
            .collect();
        let rows = SortedRows::new(&y, &p, 0.5);
        let metrics = super::super::metrics::CLASSIFICATION.len();
        let sequential = intervals(
            y.len(),
            metrics,
            5,
            |r| rows.position(r),
            |w| rows.metrics(w),
        );
        assert_eq!(classification_intervals(&y, &p, 0.5, 5), sequential);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| classification_intervals(&y, &p, 0.5, 5));
        assert_eq!(one, sequential);
        let yr: Vec<f64> = p.iter().map(|v| v * 3.0 + 1.0).collect();
        let pr: Vec<f64> = y.iter().map(|&b| if b { 2.5 } else { 1.5 }).collect();
        let sequential = intervals(yr.len(), 3, 9, |r| r, |w| regression_weighted(&yr, &pr, w));
        assert_eq!(regression_intervals(&yr, &pr, 9), sequential);
    }
}
