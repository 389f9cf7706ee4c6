//! `bedside`: the command-line face of the core. Parses arguments, reads files, prints JSON.

use bedside::recipe::Recipe;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
bedside: private medical machine learning

USAGE:
  bedside run --data FILE --recipe RECIPE.json [--out MASKED.csv] [--predictions PRED.csv]
              [--export-model DIR] [--progress] [--population-table COUNTS.csv]
              [--encoding NAME] [--sheet NAME|N] [--bom]
      Runs the recipe and prints the Report as JSON on stdout; --out writes the masked table
      (UTF-8 CSV; --bom starts it with a byte-order mark so that Excel reads it as UTF-8; a name
      ending in .xlsx writes an Excel workbook, one in .parquet a Parquet file; formula-like
      cells are neutralised in CSV and .xlsx); FILE may be CSV/text, .xlsx/.xls/.ods, Parquet
      or Arrow IPC;
      --predictions writes every model's out-of-fold predictions (row,split,model,y_true,score;
      row: 0-based among the accepted records of FILE); --export-model writes each trained model, fitted on all labelled rows, as
      DIR/model-N-KIND.json (N = its index in the recipe's models); --population-table puts
      COUNTS.csv (quasi-identifier columns as they read after the privacy steps, and count)
      into the recipe's risk.population_table and measures k-map against it.
  bedside estimate --data FILE --recipe RECIPE.json
      Prints the run's estimate as JSON without running it: the model inputs the feature
      steps make, the widest column, the estimated milliseconds of each unit (a model on a
      split) and of each phase, the total on this machine's cores, and warnings (a wide
      one-hot, a long run). An estimate from the rows, inputs and models: within a few times.
  bedside apply --model MODEL.json --input NEW.csv --out PREDICTIONS.csv [--explain]
              [--encoding NAME] [--sheet NAME|N]
      Scores every row of NEW.csv (raw records with the training file's columns) and writes
      row, line, probability and predicted class (or predicted value) per row; prints a summary
      (rows scored, rows not scored with line, field and reason, warnings) as JSON. --explain
      adds explained_output, base_value and shap:INPUT per model input (SHAP values: base_value
      + the row's shap columns = explained_output).
  bedside profile --data FILE [--encoding NAME] [--sheet NAME|N]
      Prints the profile of the file as JSON.
  bedside suggest --data FILE [--target COLUMN] [--encoding NAME] [--sheet NAME|N]
      Prints a suggested starting recipe for the file as JSON (notes on what it could not
      reach or had to give up on stderr).
  --encoding NAME (profile, suggest, run, apply): the text encoding of the data file (utf-8,
      utf-16le, gb18030, gbk, big5, shift_jis, euc-kr, windows-1250/1251/1252, latin1...);
      detected when absent (profile's input.encoding says which and how sure).
  --sheet NAME|N (profile, suggest, run, apply): for a workbook (.xlsx, .xlsm, .xls, .ods), the
      sheet to read, by name or position from 1; by default the first sheet holding data.
  bedside schema
      Prints every privacy operator, feature step and model with its arguments as JSON
      (the page's www/steps.json).
  bedside --version | --help";

fn main() -> ExitCode {
    match cli(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bedside: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    command: String,
    options: Vec<(String, Option<String>)>,
}

impl Args {
    fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }
    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(k, _)| k == name)
    }
    fn require(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("'{}' needs --{name} (see bedside --help)", self.command))
    }
}

fn parse(args: Vec<String>, allowed: &[(&str, bool)]) -> Result<Args, String> {
    let mut it = args.into_iter();
    let command = it.next().unwrap_or_default();
    let mut options = Vec::new();
    while let Some(a) = it.next() {
        let name = a
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument '{a}'"))?;
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (name.to_string(), None),
        };
        let takes_value = allowed
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("unknown option --{name} for '{command}'"))?;
        let value = match (takes_value, inline) {
            (true, Some(v)) => Some(v),
            (true, None) => Some(it.next().ok_or_else(|| format!("--{name} needs a value"))?),
            (false, None) => None,
            (false, Some(_)) => return Err(format!("--{name} takes no value")),
        };
        options.push((name, value));
    }
    Ok(Args { command, options })
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: cannot read the file: {e}"))
}

/// The reading options given on the command line (`--encoding`).
fn read_options(a: &Args) -> bedside::table::csv::CsvOptions {
    bedside::table::csv::CsvOptions {
        encoding: a.get("encoding").map(str::to_string),
        sheet: a.get("sheet").map(str::to_string),
        ..Default::default()
    }
}

/// Reads and parses a data file with the command line's reading options.
fn load(a: &Args, path: &str) -> Result<bedside::Loaded, String> {
    bedside::load_with(&read(path)?, path, &read_options(a)).map_err(|e| e.to_string())
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), String> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| format!("cannot write JSON: {e}"))?;
    println!("{text}");
    Ok(())
}

/// One line of `run --progress` on stderr: `[stage] done/total message`; the plan (before the
/// first unit) also gives the estimated time of each phase, and its warnings follow on lines
/// of their own.
fn progress_line(p: &bedside::pipeline::Progress) -> String {
    let mut line = format!("[{}] {}/{} {}", p.stage, p.done, p.total, p.message);
    if let Some(plan) = &p.plan {
        let phases: Vec<String> = plan
            .phases
            .iter()
            .filter(|x| x.ms > 0.0)
            .map(|x| format!("{} {:.1} s", x.phase, x.ms / 1000.0))
            .collect();
        if !phases.is_empty() {
            line.push_str(&format!(" ({})", phases.join(", ")));
        }
        for w in &plan.warnings {
            line.push_str(&format!("\n[plan] warning: {w}"));
        }
    }
    line
}

fn cli(args: Vec<String>) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None | Some("--help") | Some("-h") | Some("help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("--version") | Some("-V") => {
            println!("bedside {}", bedside::VERSION);
            Ok(())
        }
        Some("schema") => {
            parse(args, &[])?;
            print!("{}", bedside::schema::schema_text());
            Ok(())
        }
        Some("profile") => {
            let a = parse(args, &[("data", true), ("encoding", true), ("sheet", true)])?;
            let path = a.require("data")?;
            let loaded = load(&a, path)?;
            print_json(&loaded.profile())
        }
        Some("suggest") => {
            let a = parse(
                args,
                &[
                    ("data", true),
                    ("target", true),
                    ("encoding", true),
                    ("sheet", true),
                ],
            )?;
            let path = a.require("data")?;
            let loaded = load(&a, path)?;
            if let Some(t) = a.get("target") {
                if loaded.parsed.table.column(t).is_none() {
                    return Err(format!("{path}: no column '{t}' (--target)"));
                }
            }
            let s = bedside::suggest::suggest_explained(&loaded.parsed.table, a.get("target"));
            for note in &s.notes {
                eprintln!("note: {note}");
            }
            print_json(&s.recipe)
        }
        Some("run") => {
            let a = parse(
                args,
                &[
                    ("data", true),
                    ("recipe", true),
                    ("out", true),
                    ("predictions", true),
                    ("export-model", true),
                    ("progress", false),
                    ("population-table", true),
                    ("bom", false),
                    ("encoding", true),
                    ("sheet", true),
                ],
            )?;
            let (data, recipe_path) = (a.require("data")?, a.require("recipe")?);
            let recipe_text = String::from_utf8(read(recipe_path)?)
                .map_err(|_| format!("{recipe_path}: not UTF-8 text"))?;
            let mut recipe =
                Recipe::from_json(&recipe_text).map_err(|e| format!("{recipe_path}: {e}"))?;
            if let Some(path) = a.get("population-table") {
                let csv = String::from_utf8(read(path)?)
                    .map_err(|_| format!("{path}: not UTF-8 text (--population-table)"))?;
                let source = recipe.risk.population_table.take().and_then(|t| t.source);
                recipe.risk.population_table = Some(bedside::privacy::kmap::PopulationTableSpec {
                    name: path.to_string(),
                    source,
                    csv,
                });
                recipe
                    .check_population_table()
                    .map_err(|e| format!("--population-table: {e}"))?;
            }
            if a.has("predictions") && recipe.models.is_empty() {
                return Err(format!(
                    "--predictions: the recipe trains no model ({recipe_path} has no models)"
                ));
            }
            let loaded = load(&a, data)?;
            let verbose = a.has("progress");
            let start = Instant::now();
            let mut progress = |p: &bedside::pipeline::Progress| {
                if verbose {
                    eprintln!("{}", progress_line(p));
                }
                true
            };
            let clock = || start.elapsed().as_secs_f64() * 1000.0;
            let out = loaded
                .run(&recipe, &mut progress, &clock)
                .map_err(|e| match e {
                    bedside::Error::Recipe { .. } => format!("{recipe_path}: {e} (data: {data})"),
                    e => format!("{data}: {e}"),
                })?;
            if let Some(path) = a.get("out") {
                use bedside::table::export::{export_to, ExportFormat};
                let format = ExportFormat::for_path(path, a.has("bom"));
                let file = std::fs::File::create(path)
                    .map_err(|e| format!("{path}: cannot write the masked table: {e}"))?;
                export_to(&out.masked, format, std::io::BufWriter::new(file), path).map_err(
                    |e| match e {
                        bedside::Error::Input { .. } => e.to_string(),
                        e => format!("{path}: {e}"),
                    },
                )?;
            }
            if let Some(path) = a.get("predictions") {
                let oof = out.predictions.as_ref().ok_or_else(|| {
                    format!("--predictions: the recipe trains no model ({recipe_path})")
                })?;
                let cannot =
                    |e: std::io::Error| format!("{path}: cannot write the predictions: {e}");
                let file = std::fs::File::create(path).map_err(cannot)?;
                let (mut sink, formulas) = oof
                    .write_csv(std::io::BufWriter::new(file))
                    .map_err(cannot)?;
                std::io::Write::flush(&mut sink).map_err(cannot)?;
                if let Some(w) = bedside::table::csv::formula_warning(formulas, |n| {
                    bedside::message::warn_formula_cells_file(n, path)
                }) {
                    eprintln!("warning: {w}");
                }
            }
            if let Some(dir) = a.get("export-model") {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("{dir}: cannot create the directory: {e}"))?;
                for (i, spec) in recipe.models.iter().enumerate() {
                    let bundle = loaded
                        .export_model(&recipe, &out.report, i)
                        .map_err(|e| format!("{recipe_path}: exporting models[{i}]: {e}"))?;
                    let path =
                        std::path::Path::new(dir).join(format!("model-{i}-{}.json", spec.kind()));
                    std::fs::write(&path, bundle.to_json().map_err(|e| e.to_string())?)
                        .map_err(|e| format!("{}: cannot write the model: {e}", path.display()))?;
                }
            }
            print_json(&out.report)
        }
        Some("estimate") => {
            let a = parse(args, &[("data", true), ("recipe", true)])?;
            let (data, recipe_path) = (a.require("data")?, a.require("recipe")?);
            let recipe_text = String::from_utf8(read(recipe_path)?)
                .map_err(|_| format!("{recipe_path}: not UTF-8 text"))?;
            let recipe =
                Recipe::from_json(&recipe_text).map_err(|e| format!("{recipe_path}: {e}"))?;
            let loaded = bedside::load(&read(data)?, data).map_err(|e| e.to_string())?;
            let plan = bedside::pipeline::estimate_run(
                &loaded.parsed.table,
                loaded.summary.clone(),
                &recipe,
            )
            .map_err(|e| match e {
                bedside::Error::Recipe { .. } => format!("{recipe_path}: {e} (data: {data})"),
                e => format!("{data}: {e}"),
            })?;
            print_json(&plan)
        }
        Some("apply") => {
            let a = parse(
                args,
                &[
                    ("model", true),
                    ("input", true),
                    ("out", true),
                    ("explain", false),
                    ("encoding", true),
                    ("sheet", true),
                ],
            )?;
            let (model, input, out) = (a.require("model")?, a.require("input")?, a.require("out")?);
            let text =
                String::from_utf8(read(model)?).map_err(|_| format!("{model}: not UTF-8 text"))?;
            let bundle = bedside::bundle::ModelBundle::from_json(&text)
                .map_err(|e| format!("{model}: {e}"))?;
            let loaded = load(&a, input)?;
            let p = loaded
                .apply_explained(&bundle, a.has("explain"))
                .map_err(|e| match e {
                    bedside::Error::Input { .. } | bedside::Error::Csv { .. } => e.to_string(),
                    e => format!("{input} (model {model}): {e}"),
                })?;
            std::fs::write(out, p.to_csv())
                .map_err(|e| format!("{out}: cannot write the predictions: {e}"))?;
            print_json(&serde_json::json!({
                "input": {"file": input, "rows": p.rows, "rejected_rows": loaded.summary.rejected_rows},
                "model": {"kind": bundle.kind, "target": bundle.target, "threshold": bundle.threshold},
                "scored": p.scored.len(),
                "not_scored": p.unscorable,
                "unseen_categories": p.unseen,
                "warnings": p.warnings,
                "explanation": p.explanation,
            }))
        }
        Some(other) => Err(format!("unknown command '{other}'\n{USAGE}")),
    }
}
