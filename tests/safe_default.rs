//! The suggested recipe is safe by default: on generated tables with 3 to 8 quasi-identifiers
//! (ages, sex, ZIP codes as text and as numbers, dates, regions, a free-text-like city) and on
//! the demo file, run through the real pipeline, it reaches the risk threshold (k ≥ 5, no
//! record above prosecutor risk 0.2) within the 5% suppression cap, or its notes say why not.
//! Also: sensitive columns are not model inputs; the k_anonymize frontier is Pareto-optimal,
//! holds the applied point, and pinning a point reproduces it.

use bedside::pipeline::Output;
use bedside::privacy::anonymize::FrontierPoint;
use bedside::recipe::{Recipe, Role};
use bedside::suggest::{suggest_explained, Suggestion, MAX_SUPPRESSION};
use bedside::table::csv::{read_csv, CsvOptions};
use bedside::table::Table;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

fn table(csv: &str) -> Table {
    read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default())
        .unwrap()
        .table
}

/// Runs only the privacy steps of `recipe` (no models) through the pipeline.
fn run_privacy(csv: &str, recipe: &Recipe) -> bedside::Result<Output> {
    let mut r = recipe.clone();
    r.models.clear();
    bedside::run_file(csv.as_bytes(), "t.csv", &r, &mut |_| true, &|| 0.0)
}

/// The quasi-identifier columns a generated table can hold.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Q {
    Age,
    Sex,
    ZipText,
    ZipNumber,
    Admission,
    Region,
    City,
    Ethnicity,
}

/// A generated table of `n` synthetic patients with the given quasi-identifiers, a sensitive
/// diagnosis, two measurements and an outcome.
fn generate(n: usize, qs: &[Q], seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut header: Vec<&str> = qs
        .iter()
        .map(|q| match q {
            Q::Age => "age",
            Q::Sex => "sex",
            Q::ZipText => "zip",
            Q::ZipNumber => "home_zip",
            Q::Admission => "admission_date",
            Q::Region => "region",
            Q::City => "city",
            Q::Ethnicity => "ethnicity",
        })
        .collect();
    header.extend(["diagnosis", "glucose", "bmi", "outcome"]);
    let mut out = header.join(",") + "\n";
    let regions = [
        "north", "south", "east", "west", "central", "coast", "islands", "hills",
    ];
    let ethnicities = ["a", "b", "c", "d", "e", "f"];
    let dx = ["copd", "sepsis", "asthma", "stroke", "diabetes"];
    for i in 0..n {
        let mut row: Vec<String> = Vec::new();
        let age: u32 = rng.gen_range(18..100);
        for q in qs {
            row.push(match q {
                Q::Age => age.to_string(),
                Q::Sex => (if rng.gen_bool(0.5) { "F" } else { "M" }).to_string(),
                // 60 ZIP codes, skewed, with leading zeros.
                Q::ZipText => {
                    let z: u32 = (rng.gen_range(0.0f64..1.0).powi(2) * 60.0) as u32;
                    format!("{:05}", 2100 + z * 1511)
                }
                // ZIP codes read as numbers: 2139 for 02139.
                Q::ZipNumber => {
                    let z: u32 = (rng.gen_range(0.0f64..1.0).powi(2) * 80.0) as u32;
                    (1000 + z * 1213).to_string()
                }
                Q::Admission => format!(
                    "{}-{:02}-{:02}",
                    rng.gen_range(2022..2025),
                    rng.gen_range(1..13),
                    rng.gen_range(1..29)
                ),
                Q::Region => {
                    // Skewed: the last regions are rare.
                    let r = (rng.gen_range(0.0f64..1.0).powi(3) * regions.len() as f64) as usize;
                    regions[r.min(regions.len() - 1)].to_string()
                }
                // Nearly one city per record (free text typed by hand).
                Q::City => format!("Town {}", rng.gen_range(0..(n * 6 / 5))),
                Q::Ethnicity => ethnicities[rng.gen_range(0..ethnicities.len())].to_string(),
            });
        }
        let glucose: f64 = rng.gen_range(70.0..200.0);
        let z = -6.0 + 0.05 * age as f64 + 0.01 * glucose + rng.gen_range(-1.0..1.0);
        row.push(dx[i % dx.len()].to_string());
        row.push(format!("{glucose:.0}"));
        row.push(format!("{:.1}", rng.gen_range(17.0..40.0)));
        row.push((rng.gen_bool(1.0 / (1.0 + (-z).exp())) as u8).to_string());
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Checks that the suggestion, run through the pipeline, reaches k ≥ 5 with no record at
/// risk within the suppression cap, or that the notes say why not. Returns the run.
fn assert_safe(csv: &str, target: Option<&str>, what: &str) -> (Suggestion, Output) {
    let t = table(csv);
    let s = suggest_explained(&t, target);
    let out = run_privacy(csv, &s.recipe).unwrap_or_else(|e| panic!("{what}: {e}"));
    let p = &out.report.privacy;
    let k = p.after.k_anonymity.unwrap_or(0);
    let at_risk = p
        .after
        .risk
        .as_ref()
        .map_or(usize::MAX, |r| r.records_at_risk);
    let cap = (MAX_SUPPRESSION * t.rows() as f64).floor() as usize;
    if k >= 5 && at_risk == 0 {
        assert!(
            p.suppressed_rows <= cap,
            "{what}: {} suppressed, cap {cap}",
            p.suppressed_rows
        );
        let max = p.after.risk.as_ref().unwrap().prosecutor_max;
        assert!(max <= 0.2 + 1e-12, "{what}: prosecutor max {max}");
    } else {
        assert!(
            !s.notes.is_empty(),
            "{what}: k = {k}, {at_risk} at risk and no note saying why"
        );
    }
    // The measurement covers every quasi-identifier the recipe names.
    let quasi: Vec<&String> = s
        .recipe
        .columns
        .iter()
        .filter(|(_, r)| **r == Role::Quasi)
        .map(|(c, _)| c)
        .collect();
    assert_eq!(p.quasi_identifiers.len(), quasi.len(), "{what}");
    (s, out)
}

#[test]
fn generated_tables_with_3_to_8_quasi_identifiers_reach_the_threshold() {
    use Q::*;
    let specs: &[&[Q]] = &[
        &[Age, Sex, ZipText],
        &[Age, Sex, ZipNumber],
        &[Age, Sex, ZipText, Admission],
        &[Age, Sex, ZipNumber, Region, Ethnicity],
        &[Age, Sex, ZipText, Admission, Region, City],
        &[Age, Sex, ZipNumber, Admission, Region, City, Ethnicity],
        &[
            Age, Sex, ZipText, ZipNumber, Admission, Region, City, Ethnicity,
        ],
    ];
    for (i, spec) in specs.iter().enumerate() {
        let n = 2000 + 500 * i;
        let csv = generate(n, spec, 11 + i as u64);
        let what = format!("{spec:?} × {n}");
        let (s, out) = assert_safe(&csv, Some("outcome"), &what);
        let p = &out.report.privacy;
        // Every generated quasi-identifier is detected as one (ZIP codes read as numbers and
        // the free-text-like city included).
        assert_eq!(
            p.quasi_identifiers.len(),
            spec.len(),
            "{what}: {:?}",
            p.quasi_identifiers
        );
        // No date tied to a person stays exact, and the city is no wide model input.
        assert!(
            !out.report.warnings.iter().any(|w| w.contains("kept exact")),
            "{what}: {:?}",
            out.report.warnings
        );
        if let Some(c) = out.masked.column("city") {
            let distinct: HashSet<Option<String>> =
                (0..out.masked.rows()).map(|r| c.values.text(r)).collect();
            assert!(distinct.len() <= 50, "{what}: {} cities", distinct.len());
        }
        let frontier = p.frontier.as_ref().expect("a k_anonymize step ran");
        assert_eq!(frontier.iter().filter(|f| f.chosen).count(), 1, "{what}");
        eprintln!(
            "{what}: k {:?}, at risk {}, suppressed {}, loss {:.1}%, notes {:?}",
            p.after.k_anonymity,
            p.after.risk.as_ref().unwrap().records_at_risk,
            p.suppressed_rows,
            p.information_loss.as_ref().unwrap().non_uniform_entropy_pct,
            s.notes
        );
    }
}

#[test]
fn the_demo_file_reaches_the_threshold() {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/demo/patients.csv"
    ))
    .unwrap();
    let t = table(&csv);
    let s = suggest_explained(&t, None);
    let (_, out) = assert_safe(&csv, None, "demo");
    let p = &out.report.privacy;
    assert!(p.after.k_anonymity.unwrap() >= 5);
    assert_eq!(p.after.risk.as_ref().unwrap().records_at_risk, 0);
    // Before any step nearly every record is at risk over these quasi-identifiers.
    assert!(p.before.risk.as_ref().unwrap().records_at_risk > 500);
    for c in ["age", "sex", "zip", "admission_date"] {
        assert_eq!(s.recipe.role(c), Role::Quasi, "{c}");
    }
    assert_eq!(s.recipe.role("diagnosis"), Role::Sensitive);
    // Ages over 89 are top-coded (Safe Harbor) whatever level the search chose.
    let age = out.masked.column("age").unwrap();
    for r in 0..out.masked.rows() {
        if let Some(v) = age.values.text(r) {
            assert!(
                v.parse::<f64>().map_or(true, |x| x < 90.0),
                "exact age over 89: {v}"
            );
        }
    }
    eprintln!(
        "demo: before k {:?} at risk {}; after k {:?} at risk {} suppressed {} loss {:.1}%; {}",
        p.before.k_anonymity,
        p.before.risk.as_ref().unwrap().records_at_risk,
        p.after.k_anonymity,
        p.after.risk.as_ref().unwrap().records_at_risk,
        p.suppressed_rows,
        p.information_loss.as_ref().unwrap().non_uniform_entropy_pct,
        out.report
            .audit
            .iter()
            .find(|a| a.op == "k_anonymize")
            .unwrap()
            .note
    );
}

#[test]
fn too_few_records_say_why_not() {
    let csv = "age,sex,zip,outcome\n34,F,02139,1\n51,M,02140,0\n67,F,10001,1\n";
    let t = table(csv);
    let s = suggest_explained(&t, Some("outcome"));
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("no k_anonymize") && n.contains("k = 5")),
        "{:?}",
        s.notes
    );
    // The recipe still runs.
    run_privacy(csv, &s.recipe).unwrap();
}

#[test]
fn identifier_like_columns_are_never_wide_model_inputs() {
    // A categorical column with a value for most records that is not a place: ignored.
    let mut csv = String::from("employer,age,sex,glucose,outcome\n");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for i in 0..400 {
        csv.push_str(&format!(
            "Firm {},{},{},{},{}\n",
            i % 250,
            rng.gen_range(20..80),
            if i % 2 == 0 { "F" } else { "M" },
            rng.gen_range(70..200),
            i % 2
        ));
    }
    let s = suggest_explained(&table(&csv), Some("outcome"));
    assert_eq!(s.recipe.role("employer"), Role::Ignore, "{:?}", s.notes);
    assert!(s.notes.iter().any(|n| n.contains("'employer'")));
}

#[test]
fn sensitive_columns_are_not_model_inputs_unless_made_features() {
    let csv = generate(300, &[Q::Age, Q::Sex], 5);
    let t = table(&csv);
    let mut recipe = suggest_explained(&t, Some("outcome")).recipe;
    assert_eq!(recipe.role("diagnosis"), Role::Sensitive);
    recipe.models.truncate(1);
    let mut v = serde_json::to_value(&recipe).unwrap();
    v["evaluation"] = serde_json::json!({"method": "stratified_kfold", "folds": 2});
    let mut recipe = Recipe::from_value(&v).unwrap();
    let inputs = |r: &Recipe| {
        bedside::run_file(csv.as_bytes(), "t.csv", r, &mut |_| true, &|| 0.0)
            .unwrap()
            .report
            .evaluation
            .unwrap()
            .model_inputs
    };
    let without = inputs(&recipe);
    assert!(
        !without.iter().any(|c| c.starts_with("diagnosis")),
        "{without:?}"
    );
    recipe.columns.insert("diagnosis".into(), Role::Feature);
    let with = inputs(&recipe);
    assert!(with.iter().any(|c| c.starts_with("diagnosis")), "{with:?}");
}

#[test]
fn zip_codes_read_as_numbers_are_detected_and_cut_by_prefix() {
    let mut csv = String::from("patient_zip,sex,outcome\n");
    for i in 0..200 {
        // 02139 read as 2139, 02140 as 2140; 10001 as 10001.
        let z = [2139, 2140, 2141, 10001, 10002][i % 5] + (i % 7) * 100;
        csv.push_str(&format!(
            "{z},{},{}\n",
            if i % 3 == 0 { "F" } else { "M" },
            i % 2
        ));
    }
    let t = table(&csv);
    let d = bedside::privacy::detect::detect_table(&t);
    assert_eq!(
        d[0].verdict,
        bedside::privacy::detect::Verdict::QuasiIdentifier
    );
    assert_eq!(d[0].kind.as_deref(), Some("zip"));
    // Three digits, sex fully generalized: every class holds ≥ 5 records (i mod 35 cycles).
    let step = r#"{"op": "k_anonymize", "quasi": ["patient_zip", "sex"], "k": 5, "levels": {"patient_zip": 2, "sex": 1}}"#;
    let recipe = Recipe::from_json(&format!(
        r#"{{"version": 1, "seed": 1, "columns": {{"patient_zip": "quasi", "sex": "quasi"}}, "privacy": [{step}]}}"#
    ))
    .unwrap();
    let out = run_privacy(&csv, &recipe).unwrap();
    let zip = out.masked.column("patient_zip").unwrap();
    let values: HashSet<String> = (0..out.masked.rows())
        .filter_map(|r| zip.values.text(r))
        .collect();
    // Level 2 keeps three digits of the zero-padded code.
    assert!(
        values.contains("021**") && values.contains("100**"),
        "{values:?}"
    );
}

fn dominated(a: &FrontierPoint, b: &FrontierPoint) -> bool {
    b.information_loss_pct <= a.information_loss_pct
        && b.records_at_risk <= a.records_at_risk
        && (b.information_loss_pct < a.information_loss_pct
            || b.records_at_risk < a.records_at_risk)
}

fn k_anon_recipe(step: &str) -> Recipe {
    Recipe::from_json(&format!(
        r#"{{"version": 1, "seed": 1, "columns": {{"age": "quasi", "sex": "quasi", "zip": "quasi"}}, "privacy": [{step}]}}"#
    ))
    .unwrap()
}

#[test]
fn the_frontier_is_pareto_optimal_and_pinning_reproduces_a_point() {
    let csv = generate(1500, &[Q::Age, Q::Sex, Q::ZipText], 21);
    let step =
        r#"{"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 5, "max_suppression": 0.05}"#;
    let out = run_privacy(&csv, &k_anon_recipe(step)).unwrap();
    let p = &out.report.privacy;
    let frontier = p.frontier.clone().unwrap();
    assert!(!frontier.is_empty() && frontier.len() <= 21);
    for a in &frontier {
        for b in &frontier {
            assert!(!dominated(a, b), "{a:?} is dominated by {b:?}");
        }
    }
    // The chosen point is what k_anonymize applied.
    let chosen = frontier.iter().find(|f| f.chosen).unwrap();
    assert!(chosen.satisfies);
    assert_eq!(chosen.suppressed_rows, p.suppressed_rows);
    assert_eq!(Some(chosen.k), p.after.k_anonymity);
    assert_eq!(chosen.records_at_risk, 0);
    let audit = out
        .report
        .audit
        .iter()
        .find(|a| a.op == "k_anonymize")
        .unwrap();
    for (c, l) in &chosen.levels {
        assert_eq!(audit.args["result"]["levels"][c], serde_json::json!(l));
    }
    assert!(
        audit.args["result"].get("frontier").is_none(),
        "not in the audit"
    );
    // Pinning the chosen point reproduces it.
    let pin = |idx: &std::collections::BTreeMap<String, usize>| {
        format!(
            r#"{{"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 5, "max_suppression": 0.05, "levels": {}}}"#,
            serde_json::to_string(idx).unwrap()
        )
    };
    let again = run_privacy(&csv, &k_anon_recipe(&pin(&chosen.level_index))).unwrap();
    let q = &again.report.privacy;
    assert_eq!(q.suppressed_rows, p.suppressed_rows);
    assert_eq!(q.after.k_anonymity, p.after.k_anonymity);
    assert_eq!(
        again
            .report
            .privacy
            .frontier
            .as_ref()
            .unwrap()
            .iter()
            .find(|f| f.chosen)
            .unwrap(),
        chosen
    );
    // Pinning a coarser point (everything fully generalized) applies exactly that.
    let top: std::collections::BTreeMap<String, usize> = chosen
        .level_index
        .keys()
        .map(|c| (c.clone(), if c == "sex" { 1 } else { 5 }))
        .collect();
    let all = run_privacy(&csv, &k_anon_recipe(&pin(&top))).unwrap();
    assert_eq!(all.report.privacy.after.k_anonymity, Some(1500));
    assert_eq!(all.report.privacy.suppressed_rows, 0);
    let pinned = all.report.privacy.frontier.as_ref().unwrap();
    assert_eq!(pinned.iter().find(|f| f.chosen).unwrap().level_index, top);
    // A point that fails the target within the cap cannot be pinned.
    if let Some(f) = frontier.iter().find(|f| !f.satisfies) {
        let e = run_privacy(&csv, &k_anon_recipe(&pin(&f.level_index)))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("levels") && e.contains("max_suppression"), "{e}");
    }
    // A pinned level that does not exist is an error naming the column.
    let mut bad = chosen.level_index.clone();
    bad.insert("sex".into(), 7);
    let e = run_privacy(&csv, &k_anon_recipe(&pin(&bad)))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("levels") && e.contains("'sex'"), "{e}");
}

#[test]
fn bands_over_top_coded_bands_stay_open_ended() {
    // Ages banded by 5 with 90+ first, then k_anonymize bands of 10 and 20 over the labels.
    let mut csv = String::from("age,sex\n");
    for i in 0..120 {
        csv.push_str(&format!(
            "{},{}\n",
            60 + (i % 40),
            if i % 2 == 0 { "F" } else { "M" }
        ));
    }
    let recipe = |level: usize| {
        Recipe::from_json(&format!(
            r#"{{"version": 1, "seed": 1, "columns": {{"age": "quasi", "sex": "quasi"}}, "privacy": [
            {{"op": "generalize", "column": "age", "width": 5, "top": 90}},
            {{"op": "k_anonymize", "quasi": ["age", "sex"], "k": 2, "ladders": {{"age": {{"bands": [10, 20]}}}}, "levels": {{"age": {level}, "sex": 0}}}}]}}"#
        ))
        .unwrap()
    };
    let ages = |level: usize| -> HashSet<String> {
        let out = run_privacy(&csv, &recipe(level)).unwrap();
        let c = out.masked.column("age").unwrap();
        (0..out.masked.rows())
            .filter_map(|r| c.values.text(r))
            .collect()
    };
    let expect = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<String>>();
    assert_eq!(
        ages(0),
        expect(&["60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"])
    );
    assert_eq!(ages(1), expect(&["60-69", "70-79", "80-89", "90+"]));
    assert_eq!(ages(2), expect(&["60-79", "80+"]));
}
