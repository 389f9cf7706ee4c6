//! Times TreeSHAP natively: 100 trees × 1,000 rows × 30 inputs, the issue's target (under a
//! second in the page; see benches/shap_wasm.mjs for the wasm side and docs/benchmarks.md).
//!
//!     cargo bench --bench shap
//!
//! Gradient boosting (100 iterations, 31 leaves, early stopping off) and a random forest (100
//! trees, depth ≤ 8) are fitted on 1,000 generated rows of 30 inputs (code below, no real
//! data); then every row is explained with exact path-dependent TreeSHAP. The median of three
//! runs is printed, with the additivity error over all rows, and the time of predicting the
//! same rows (TreeSHAP's cost in predictions, for the estimate's `shap` phase). Also times
//! permutation SHAP (k-NN, the default budget) per explained row, and what `evaluation.shap:
//! true` adds to the suggested recipe's run on the demo data (www/demo/patients.csv,
//! generated): the median of three whole runs with explanations off and on, with one thread
//! (as one worker of the page) so the numbers compare with benches/shap_wasm.mjs.

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
        let mut predict = Vec::new();
        for _ in 0..3 {
            let t0 = Instant::now();
            std::hint::black_box(fitted.predict(&x));
            predict.push(t0.elapsed().as_secs_f64());
        }
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
        println!(
            "  predicting the same rows: median {:.4} s, so TreeSHAP costs {:.0} predictions per explained row",
            median(predict.clone()),
            median(times.clone()) / median(predict.clone())
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
    default_run();
}

/// The suggested recipe on the demo data, explanations off and on (one thread).
fn default_run() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/demo/patients.csv");
    let bytes = std::fs::read(path).expect("www/demo/patients.csv (node scripts/gen-demo.mjs)");
    let loaded = bedside::load(&bytes, "patients.csv").unwrap();
    let base = bedside::suggest::suggest(&loaded.parsed.table, Some("readmitted_30d"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let models: Vec<&str> = base.models.iter().map(|m| m.spec.kind()).collect();
    let mut totals = [0.0; 2];
    for (i, on) in [false, true].into_iter().enumerate() {
        let mut recipe = base.clone();
        recipe.evaluation.shap = Some(if on {
            ShapOptions::default()
        } else {
            ShapOptions::off()
        });
        let mut times = Vec::new();
        let mut shap_ms = 0.0;
        for _ in 0..3 {
            let t0 = Instant::now();
            let out = pool
                .install(|| {
                    loaded.run(&recipe, &mut |_| true, &|| {
                        t0.elapsed().as_secs_f64() * 1000.0
                    })
                })
                .unwrap();
            times.push(t0.elapsed().as_secs_f64());
            shap_ms = out
                .report
                .models
                .iter()
                .map(|m| m.timings.shap_ms)
                .sum::<f64>();
        }
        totals[i] = median(times.clone());
        println!(
            "suggested recipe on the demo ({} rows, models {models:?}), evaluation.shap {on}: median {:.2} s (runs {:?}); shap phase {:.0} ms",
            loaded.parsed.table.rows(),
            totals[i],
            times.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>(),
            shap_ms
        );
    }
    println!(
        "  evaluation.shap: true adds {:.2} s ({:.0}%) to the default run",
        totals[1] - totals[0],
        100.0 * (totals[1] - totals[0]) / totals[0]
    );
}
