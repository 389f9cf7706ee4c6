//! The random survival forest's unit tests: the log-rank statistic worked by hand, the
//! screened split search against the exact one, and the same forest on any thread count.

use super::split::{logrank_split, FEATURE_THRESHOLD};
use super::*;

/// The log-rank statistic of a split of 6 rows, worked by hand.
///
/// Rows (time, event): left {(1, 1), (3, 1), (6, 0)}, right {(2, 1), (3, 0), (5, 1)}.
/// Event times 1, 2, 3, 5:
/// - t=1: n=6, d=1, n_L=3, d_L=1: O−E = 1 − 3/6 = 0.5; V = 1·(5/5)·(3/6)(3/6) = 0.25
/// - t=2: n=5, d=1, n_L=2, d_L=0: O−E = −2/5 = −0.4; V = (2/5)(3/5) = 0.24
/// - t=3: n=4, d=1, n_L=2, d_L=1: O−E = 1 − 2/4 = 0.5; V = (3/3)·(1/2)(1/2) = 0.25
/// - t=5: n=2, d=1, n_L=1, d_L=0: O−E = −1/2 = −0.5; V = (1/1)·(1/2)(1/2) = 0.25
///
/// U = 0.1, V = 0.99, statistic |U|/√V = 0.1/√0.99 (the square root of the chi-squared
/// of the two-group log-rank test, 0.0101).
#[test]
fn logrank_split_by_hand() {
    let time = [1.0, 3.0, 6.0, 2.0, 3.0, 5.0];
    let event = [true, true, false, true, false, true];
    let x = Array2::from_shape_vec((6, 1), vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]).unwrap();
    // The event times, by hand (as listed above).
    let grid = [1.0, 2.0, 3.0, 5.0];
    assert_eq!(Data::event_grid(&time, &event), grid);
    let data = Data::new(&x, &time, &event, &grid);
    let w = vec![1.0; 6];
    let mut g = Grower::new(
        &data,
        &w,
        Settings {
            max_features: 1,
            max_depth: None,
            min_split: 2,
            min_leaf: 1,
        },
        ChaCha8Rng::seed_from_u64(0),
        1,
        6,
    );
    let rows: Vec<usize> = (0..6).collect();
    let sets = g.risk_sets(&rows);
    assert_eq!(sets.n, vec![6.0, 5.0, 4.0, 2.0]);
    assert_eq!(sets.d, vec![1.0; 4]);
    let (stat, threshold) = g.best_on(0, &rows, &sets).unwrap();
    assert!((stat - 0.1 / 0.99f64.sqrt()).abs() < 1e-15, "{stat}");
    assert_eq!(threshold, 0.5);
    // The same by the two-group log-rank test of the survival module.
    let lr = super::super::logrank::log_rank(&time, &event, &[0, 0, 0, 1, 1, 1], 2, None);
    assert!((lr.unwrap().0 - stat * stat).abs() < 1e-12);
    // Every row censored: no split.
    assert_eq!(logrank_split(&[], &[], 3.0, &[0.0], &[]), f64::NEG_INFINITY);
}

/// The best split of an input with every candidate's statistic computed exactly.
fn exact_best(g: &mut Grower, f: usize, rows: &[usize], sets: &RiskSets) -> (f64, f64) {
    let col = &g.data.cols[f];
    let mut sorted: Vec<(f64, usize)> = rows.iter().map(|&r| (col[r], r)).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let m = sets.at.len();
    let (mut out_left, mut d_left, mut w_left) = (vec![0.0; m + 1], vec![0.0; m], 0.0);
    let mut best = (f64::NEG_INFINITY, f64::NAN);
    for i in 0..sorted.len() - 1 {
        let r = sorted[i].1;
        let k = g.local[r] as usize;
        out_left[k] += g.w[r];
        w_left += g.w[r];
        if g.data.event[r] {
            d_left[k - 1] += g.w[r];
        }
        if sorted[i + 1].0 > sorted[i].0 + FEATURE_THRESHOLD
            && i >= g.s.min_leaf.saturating_sub(1)
            && sorted.len() - i > g.s.min_leaf
        {
            let stat = logrank_split(&sets.n, &sets.d, w_left, &out_left, &d_left);
            if stat > best.0 {
                best = (stat, sorted[i].0 / 2.0 + sorted[i + 1].0 / 2.0);
            }
        }
    }
    best
}

/// The running statistic passes over candidates only: on nodes with bootstrap weights,
/// tied times and tied, rounded input values, the best split of every input is the one
/// found by computing every candidate exactly, bit for bit.
#[test]
fn screened_split_search_equals_the_exact_one() {
    use rand::Rng;
    let (x, time, event) = synthetic(400);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let x = x.mapv(|v| (v * 20.0).round() / 20.0);
    let grid = Data::event_grid(&time, &event);
    let data = Data::new(&x, &time, &event, &grid);
    for trial in 0..6 {
        let mut w = vec![0.0; 400];
        for _ in 0..400 {
            w[rng.gen_range(0..400)] += 1.0;
        }
        // Nodes of every size: a prefix of the rows drawn.
        let size = [400, 200, 60, 25, 9, 4][trial];
        let rows: Vec<usize> = (0..size).filter(|&r| w[r] > 0.0).collect();
        let mut g = Grower::new(
            &data,
            &w,
            Settings {
                max_features: 4,
                max_depth: None,
                min_split: 2,
                min_leaf: 1 + trial % 3,
            },
            ChaCha8Rng::seed_from_u64(0),
            4,
            400,
        );
        let sets = g.risk_sets(&rows);
        for f in 0..4 {
            let want = exact_best(&mut g, f, &rows, &sets);
            match g.best_on(f, &rows, &sets) {
                Some(got) => {
                    assert_eq!(got.0.to_bits(), want.0.to_bits(), "trial {trial} input {f}");
                    if got.0 > f64::NEG_INFINITY {
                        assert_eq!(got.1, want.1);
                    }
                }
                None => assert_eq!(want.0, f64::NEG_INFINITY),
            }
        }
    }
}

fn synthetic(n: usize) -> (Array2<f64>, Vec<f64>, Vec<bool>) {
    use rand::Rng;
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let x = Array2::from_shape_fn((n, 4), |_| rng.gen_range(-1.0..1.0));
    let time: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| {
            let u: f64 = rng.gen_range(0.01..1.0);
            (-u.ln() / (1.5f64 * r[0] + r[1]).exp() * 10.0).round() + 1.0
        })
        .collect();
    let event = (0..n).map(|_| rng.gen_bool(0.7)).collect();
    (x, time, event)
}

/// The same forest, bit for bit, on 1 and 2 threads; survival and hazard curves agree.
#[test]
fn same_forest_on_any_thread_count() {
    let (x, time, event) = synthetic(200);
    let params = SurvivalForestParams {
        n_estimators: 12,
        ..SurvivalForestParams::default()
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fit(&params, &x, &time, &event, 11).unwrap())
    };
    let (a, b) = (on(1), on(2));
    assert_eq!(a, b);
    assert_ne!(a, fit(&params, &x, &time, &event, 12).unwrap());
    let times = [0.5, 3.0, 8.0];
    let s = a.survival(&x, &times);
    let h = a.cumulative_hazard(&x, &times);
    let risk = a.risk(&x);
    for r in 0..x.nrows() {
        assert_eq!((s[[r, 0]], h[[r, 0]]), (1.0, 0.0));
        assert!(s[[r, 1]] >= s[[r, 2]] && h[[r, 1]] <= h[[r, 2]]);
        assert!(risk[r] > 0.0);
    }
    // The risk score is the sum of the mean cumulative hazard over the grid.
    let sum: f64 = a
        .cumulative_hazard(
            &x.slice(ndarray::s![0..1, ..]).to_owned(),
            &a.forest_event_times,
        )
        .iter()
        .sum();
    assert!((sum - risk[0]).abs() < 1e-9 * sum);
    // A higher risk for the rows with the larger hazard.
    let c = super::super::concordance::harrell(&time, &event, &risk).unwrap();
    assert!(c > 0.7, "{c}");
}
