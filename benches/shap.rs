//! Times TreeSHAP natively: 100 trees × 1,000 rows × 30 inputs, the issue's target (under a
//! second in the page; see benches/shap_wasm.mjs for the wasm side and docs/benchmarks.md).
//!
//!     cargo bench --bench shap
//!
//! Gradient boosting (100 iterations, 31 leaves, early stopping off) and a random forest (100
//! trees, depth ≤ 8) are fitted on 1,000 generated rows of 30 inputs (code below, no real
//! data); then every row is explained with exact path-dependent TreeSHAP. The median of three
//! runs is printed, with the additivity error over all rows. Also times permutation SHAP
//! (k-NN, the default budget) per explained row.

use bedside::explain::{self, Reference, ShapOptions};
use bedside::models::{ModelSpec, Task};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn data(n: usize, p: usize) -> (Array2<f64>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let x: Array2<f64> = Array2::from_shape_fn((n, p), |_| rng.gen_range(-2.0..2.0));
    let y = x
        .rows()
        .into_iter()
        .map(|r| {
            let z: f64 = r[0] - 0.7 * r[1] * r[2] + 0.4 * r[3].powi(2) + 0.2 * r.sum();
            z + rng.gen_range(-1.0..1.0) > 0.0
        })
        .collect();
    (x, y)
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    // `cargo test --all-targets` runs bench targets with no `--bench`: nothing to time.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (n, p) = (1000, 30);
    let (x, y) = data(n, p);
    for json in [
        r#"{"kind": "gradient_boosting", "max_iter": 100, "early_stopping": false}"#,
        r#"{"kind": "random_forest", "trees": 100, "max_depth": 8}"#,
    ] {
        let spec: ModelSpec = serde_json::from_str(json).unwrap();
        let fitted = spec.fit(Task::Classification, &x, &y, &[], 1).unwrap();
        let mut times = Vec::new();
        let mut worst: f64 = 0.0;
        for _ in 0..3 {
            let t0 = Instant::now();
            let e = explain::explain(&fitted, &Reference::default(), &x, 1, 0).unwrap();
            times.push(t0.elapsed().as_secs_f64());
            for r in 0..n {
                worst = worst.max((e.base_value + e.values.row(r).sum() - e.output[r]).abs());
            }
        }
        println!(
            "TreeSHAP {}: 100 trees x {n} rows x {p} inputs: median {:.3} s (runs {:?}); max |base + sum - output| {worst:.1e}",
            spec.kind(),
            median(times.clone()),
            times.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>()
        );
    }
    let spec: ModelSpec = serde_json::from_str(r#"{"kind": "knn"}"#).unwrap();
    let fitted = spec.fit(Task::Classification, &x, &y, &[], 1).unwrap();
    let o = ShapOptions::default();
    let reference = Reference::of(&fitted, &x, o.background, 3);
    let rows = 20;
    let sub = x.slice(ndarray::s![..rows, ..]).to_owned();
    let t0 = Instant::now();
    explain::explain(&fitted, &reference, &sub, o.pairs(), 3).unwrap();
    let s = t0.elapsed().as_secs_f64();
    println!(
        "permutation SHAP knn (1,000 training rows, {p} inputs, background {}, {} permutations): {:.1} ms per row",
        o.background,
        2 * o.pairs(),
        1000.0 * s / rows as f64
    );
}
