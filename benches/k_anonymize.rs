//! Benchmark: `k_anonymize` on 100,000 synthetic records × 5 quasi-identifiers (age, sex,
//! 5-digit ZIP, admission date, BMI), k = 5, at most 2% suppressed. Prints the time of the whole
//! step (preparing the ladders, the lattice search, applying the solution) as the median of
//! three runs. Run with `cargo bench --bench k_anonymize` (release profile).

use bedside::privacy::{PrivacyContext, PrivacyStep};
use bedside::table::csv::{read_csv, CsvOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    // `cargo test --all-targets` runs this file without `--bench`: a quick run on 5,000 records,
    // so the suite checks that it still works without timing 100,000 records three times.
    let n = if std::env::args().any(|a| a == "--bench") {
        n
    } else {
        n.min(5_000)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut csv = String::from("age,sex,zip,admitted,bmi,outcome\n");
    for _ in 0..n {
        csv.push_str(&format!(
            "{},{},{:05},2024-{:02}-{:02},{:.1},{}\n",
            rng.gen_range(18..100),
            if rng.gen_bool(0.5) { "F" } else { "M" },
            rng.gen_range(2000..2600),
            rng.gen_range(1..13),
            rng.gen_range(1..29),
            rng.gen_range(16.0..45.0),
            u8::from(rng.gen_bool(0.3))
        ));
    }
    let table = read_csv(csv.as_bytes(), "bench.csv", &CsvOptions::default())
        .expect("generated CSV")
        .table;
    let step: PrivacyStep = serde_json::from_str(
        r#"{"op": "k_anonymize", "quasi": ["age", "sex", "zip", "admitted", "bmi"], "k": 5, "max_suppression": 0.02}"#,
    )
    .expect("step");
    let rows: Vec<usize> = (0..table.rows()).collect();
    let mut times = Vec::new();
    let mut note = String::new();
    for _ in 0..3 {
        let mut t = table.clone();
        let ctx = PrivacyContext::standalone(&table, b"bench", &rows, &[]);
        let start = Instant::now();
        let effect = step.apply(&mut t, &ctx).expect("k_anonymize");
        times.push(start.elapsed().as_secs_f64());
        note = effect.note.to_string();
    }
    times.sort_by(f64::total_cmp);
    println!("k_anonymize: {n} records x 5 quasi-identifiers, k = 5, max_suppression 2%");
    println!("  {note}");
    println!(
        "  median {:.2} s (runs: {})",
        times[1],
        times
            .iter()
            .map(|t| format!("{t:.2} s"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
