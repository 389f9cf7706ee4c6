//! Times the fit of `random_survival_forest` (defaults: 100 trees) natively, on the follow-up
//! demo (1,500 rows × 6 inputs) and on 20,000 synthetic rows × 10 inputs; `benches/rsf.py`
//! times scikit-survival's `RandomSurvivalForest` on the same matrices.
//!
//!     cargo bench --bench rsf -- www/demo/followup.csv OUT_DIR
//!
//! Writes `OUT_DIR/rsf-followup.csv` and `OUT_DIR/rsf-synthetic.csv` (the matrices: inputs,
//! then `time`, `event`) and prints one line per data set: rows, inputs, threads, seconds,
//! Harrell's C of the fit on its own rows. The threads are rayon's (`RAYON_NUM_THREADS`).

use bedside::survival::forest::{fit, SurvivalForestParams};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::time::Instant;

type Sample = (Vec<String>, Array2<f64>, Vec<f64>, Vec<bool>);

fn main() {
    if let Err(e) = run() {
        eprintln!("rsf: {e}");
        std::process::exit(1);
    }
}

/// The follow-up demo as a matrix: age, ejection fraction, creatinine, male, diabetes, new
/// drug; time `follow_up_days`, event `status = died`.
fn followup(path: &str) -> Result<Sample, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty file")?.split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("{path}: no column {name}"))
    };
    let (age, ef, cr, sex, diab, arm, fu, status) = (
        col("age")?,
        col("ejection_fraction")?,
        col("creatinine")?,
        col("sex")?,
        col("diabetes")?,
        col("treatment")?,
        col("follow_up_days")?,
        col("status")?,
    );
    let (mut x, mut time, mut event) = (Vec::new(), Vec::new(), Vec::new());
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let num = |j: usize| {
            f[j].parse::<f64>()
                .map_err(|_| format!("{path} line {}: {}", i + 2, header[j]))
        };
        x.extend([
            num(age)?,
            num(ef)?,
            num(cr)?,
            (f[sex] == "M") as u8 as f64,
            (f[diab] == "yes") as u8 as f64,
            (f[arm] == "new drug") as u8 as f64,
        ]);
        time.push(num(fu)?);
        event.push(f[status] == "died");
    }
    let names = [
        "age",
        "ejection_fraction",
        "creatinine",
        "male",
        "diabetes",
        "new_drug",
    ];
    let n = time.len();
    Ok((
        names.iter().map(|s| s.to_string()).collect(),
        Array2::from_shape_vec((n, 6), x).map_err(|e| e.to_string())?,
        time,
        event,
    ))
}

/// `n` rows × 10 uniform inputs; exponential event times with log hazard
/// `x0 + 0.5 x1 − x2`, censored by a uniform time (about 40% censored).
fn synthetic(n: usize) -> Sample {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let x = Array2::from_shape_fn((n, 10), |_| rng.gen_range(0.0..1.0));
    let (mut time, mut event) = (Vec::new(), Vec::new());
    for r in x.rows() {
        let u: f64 = rng.gen_range(1e-12..1.0);
        let h: f64 = r[0] + 0.5 * r[1] - r[2];
        let t = -u.ln() / h.exp();
        let c: f64 = rng.gen_range(0.0..2.5);
        time.push((t.min(c) * 1e6).round() / 1e6);
        event.push(t <= c);
    }
    ((0..10).map(|j| format!("x{j}")).collect(), x, time, event)
}

fn write(path: &str, (names, x, time, event): &Sample) -> Result<(), String> {
    let mut s = names.join(",") + ",time,event\n";
    for (r, row) in x.rows().into_iter().enumerate() {
        for v in row {
            let _ = write!(s, "{v},");
        }
        let _ = writeln!(s, "{},{}", time[r], event[r] as u8);
    }
    std::fs::write(path, s).map_err(|e| format!("{path}: {e}"))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // `cargo test --all-targets` runs every bench target without arguments: nothing to time.
    if args.is_empty() {
        return Ok(());
    }
    let [data, out] = args.as_slice() else {
        return Err("usage: cargo bench --bench rsf -- followup.csv OUT_DIR".into());
    };
    std::fs::create_dir_all(out).map_err(|e| format!("{out}: {e}"))?;
    let sets = [
        ("followup", followup(data)?),
        ("synthetic", synthetic(20_000)),
    ];
    let params = SurvivalForestParams::default();
    for (name, sample) in &sets {
        write(&format!("{out}/rsf-{name}.csv"), sample)?;
        let (_, x, time, event) = sample;
        let start = Instant::now();
        let forest = fit(&params, x, time, event, 0).map_err(|e| e.to_string())?;
        let secs = start.elapsed().as_secs_f64();
        let c = bedside::survival::concordance::harrell(time, event, &forest.risk(x));
        println!(
            "{name}: {} rows x {} inputs, {} threads: fit {secs:.2} s (train C {:.4})",
            x.nrows(),
            x.ncols(),
            rayon::current_num_threads(),
            c.unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
