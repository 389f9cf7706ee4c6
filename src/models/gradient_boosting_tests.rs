//! Unit tests of `gradient_boosting.rs` (kept apart so that file stays short).

use super::*;
use ndarray::array;

#[test]
fn one_iteration_stump_matches_hand_computation() {
    // 4 rows, baseline log-odds 0 (2 of 4 positive): g = 0.5 - y, h = 0.25.
    // Split x <= 2.5: left g sum = 1, h = 0.5 -> value -0.1 · 1/0.5 = -0.2; right +0.2
    // (scikit-learn's decision_function gives the same [-0.2, -0.2, 0.2, 0.2]).
    let x = array![[1.0], [2.0], [3.0], [4.0]];
    let y = [0.0, 0.0, 1.0, 1.0];
    let p = BoostingParams {
        max_iter: 1,
        min_samples_leaf: 1,
        ..BoostingParams::default()
    };
    let b = boost(&p, Loss::LogLoss, &x, &y, &[1.0; 4], 0);
    assert_eq!(b.baseline, 0.0);
    let raw = b.raw(&x);
    assert!(
        (raw[0] + 0.2).abs() < 1e-12 && (raw[3] - 0.2).abs() < 1e-12,
        "{raw:?}"
    );
    assert_eq!(b.trees[0].nodes[0].threshold, 2.5);
}

/// The root's histogram (rows in order, counts precomputed) equals one built from the rows of
/// positive weight as a child's is; rows of zero weight (zero gradient) are left out of both.
#[test]
fn root_histogram_matches_a_histogram_built_from_the_rows() {
    let x = Array2::from_shape_fn((203, 3), |(i, j)| {
        ((i * (7 + j) + j * 13) % (40 + 50 * j)) as f64
    });
    let w: Vec<f64> = (0..203)
        .map(|i| if i % 9 == 4 { 0.0 } else { 1.0 })
        .collect();
    let g: Vec<f64> = (0..203)
        .map(|i| w[i] * ((i % 17) as f64 / 17.0 - 0.4))
        .collect();
    let h: Vec<f64> = (0..203)
        .map(|i| w[i] * (0.05 + (i % 5) as f64 / 20.0))
        .collect();
    let rows: Vec<u32> = (0..203).filter(|&r| w[r as usize] > 0.0).collect();
    let binned = Binned::new(&x);
    let p = BoostingParams::default();
    let mut b = Booster::new(&p, &binned, &rows);
    let (root, child) = (b.take_slot(), b.take_slot());
    b.build_root(root, &g, &h);
    b.build(child, &rows, &g, &h);
    for f in 0..3 {
        assert!(binned.bins(f) > 4, "feature {f} has several bins");
        for (k, (a, c)) in b.pool[root][f].iter().zip(&b.pool[child][f]).enumerate() {
            assert_eq!(a.n, c.n, "feature {f} bin {k}");
            assert!(
                (a.g - c.g).abs() < 1e-12 && (a.h - c.h).abs() < 1e-12,
                "feature {f} bin {k}"
            );
        }
        let n: u32 = b.pool[root][f].iter().map(|bin| bin.n).sum();
        assert_eq!(n as usize, rows.len());
    }
}

#[test]
fn leaf_count_and_min_samples_leaf_are_respected() {
    let x = Array2::from_shape_fn((300, 2), |(i, j)| ((i * 7 + j * 13) % 101) as f64);
    let y: Vec<f64> = (0..300)
        .map(|i| ((i * 7) % 101 > 50) as u8 as f64)
        .collect();
    let p = BoostingParams {
        max_iter: 3,
        max_leaf_nodes: 5,
        ..BoostingParams::default()
    };
    let b = boost(&p, Loss::LogLoss, &x, &y, &[1.0; 300], 0);
    for t in &b.trees {
        let leaves: Vec<&Node> = t.nodes.iter().filter(|n| n.leaf).collect();
        assert!(leaves.len() <= 5);
        assert!(leaves.iter().all(|n| n.samples >= 20));
    }
}

#[test]
fn squared_error_boosting_matches_scikit_learn() {
    let x = Array2::from_shape_fn((200, 1), |(i, _)| i as f64);
    let y: Vec<f64> = (0..200).map(|i| (i as f64 / 20.0).sin()).collect();
    let b = boost(
        &BoostingParams::default(),
        Loss::SquaredError,
        &x,
        &y,
        &[1.0; 200],
        0,
    );
    let mse: f64 = b
        .predict(&x)
        .iter()
        .zip(&y)
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / 200.0;
    // scikit-learn 1.9.1 HistGradientBoostingRegressor(early_stopping=False) on the same
    // data: training MSE 0.014276539038302718.
    assert!((mse - 0.014276539038302718).abs() < 1e-9, "{mse}");
}
