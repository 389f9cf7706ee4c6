//! The test rows of every split of a recipe's evaluation on a file, as `npm run bench` needs
//! them to train and score the references on the very rows Bedside trains and scores on.
//!
//!     cargo bench --bench split_rows -- DATA.csv RECIPE.json OUT.csv
//!
//! Writes `row,split` (the header, then one line per test row of each split; `row` is the
//! 0-based index among the file's accepted records, `split` from 0), the layout of the
//! predictions file in the CLI contract without its model and score columns. The splits are
//! the run's own: [`bedside::pipeline::prepare`] draws them from the recipe seed exactly as
//! `bedside run` does. Only for recipes without privacy steps, whose modelling rows are the
//! file's rows in order (the benchmark data have no missing target either: checked here).

use std::fmt::Write as _;

fn main() {
    if let Err(e) = run() {
        eprintln!("split_rows: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // `cargo test --all-targets` runs every bench target without arguments: nothing to write.
    if args.is_empty() {
        return Ok(());
    }
    let [data, recipe, out] = args.as_slice() else {
        return Err("usage: cargo bench --bench split_rows -- DATA.csv RECIPE.json OUT.csv".into());
    };
    let bytes = std::fs::read(data).map_err(|e| format!("{data}: {e}"))?;
    let loaded = bedside::load(&bytes, data).map_err(|e| format!("{data}: {e}"))?;
    let text = std::fs::read_to_string(recipe).map_err(|e| format!("{recipe}: {e}"))?;
    let recipe_v =
        bedside::recipe::Recipe::from_json(&text).map_err(|e| format!("{recipe}: {e}"))?;
    if !recipe_v.privacy.is_empty() {
        return Err(format!(
            "{recipe}: has privacy steps; their rows would not be the file's"
        ));
    }
    let table = &loaded.parsed.table;
    let prepared = bedside::pipeline::prepare(table, &recipe_v, &mut Vec::new())
        .map_err(|e| format!("{data}: {e}"))?;
    if prepared.labels().len() != table.rows() {
        return Err(format!(
            "{data}: some rows have no target value; their indices would shift"
        ));
    }
    let mut csv = String::from("row,split\n");
    for (s, fold) in prepared.folds.iter().enumerate() {
        for r in &fold.test {
            let _ = writeln!(csv, "{r},{s}");
        }
    }
    std::fs::write(out, csv).map_err(|e| format!("{out}: {e}"))
}
