//! Every masking operator: behaviour on small tables, argument errors naming step and field,
//! determinism from the recipe seed, and the proof that no original value of a masked direct
//! identifier survives anywhere in the output (note column included).

use crate::common;
use bedside::recipe::Recipe;
use bedside::table::csv::{read_csv, write_csv, CsvOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// `n` synthetic patients with direct identifiers (name, mrn, phone, email), quasi-identifiers,
/// clinical values and a note that repeats the row's identifiers.
fn patients(n: usize, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = String::from(
        "name,mrn,phone,email,age,sex,zip,admitted,discharged,glucose,smoker,dx,note,outcome\n",
    );
    for i in 0..n {
        let first = common::FIRST[rng.gen_range(0..common::FIRST.len())];
        let last = common::LAST[rng.gen_range(0..common::LAST.len())];
        let name = format!("{first} {last}");
        let mrn = format!("{:08}", 4000 + i * 13);
        let phone = format!("617-555-{:04}", 1000 + i);
        let email = format!(
            "{}.{}{i}@mail.example.org",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let day = rng.gen_range(1..28);
        let stay = rng.gen_range(1..20);
        out.push_str(&format!(
            "{name},{mrn},{phone},{email},{},{},021{:02},2024-03-{day:02},2024-04-{:02},{},{},{},\"{name} (MRN {mrn}) seen; call {phone} or write {email}. {last} stable.\",{}\n",
            rng.gen_range(18..99),
            if rng.gen_bool(0.5) { "F" } else { "M" },
            rng.gen_range(30..40),
            (day + stay).min(28),
            rng.gen_range(70..220),
            if rng.gen_bool(0.3) { "yes" } else { "no" },
            ["flu", "asthma", "copd", "sepsis"][rng.gen_range(0..4)],
            u8::from(rng.gen_bool(0.4)),
        ));
    }
    out
}

const ROLES: &str = r#"{"name": "identifier", "mrn": "identifier", "phone": "identifier", "email": "identifier",
    "age": "quasi", "sex": "quasi", "zip": "quasi", "dx": "sensitive", "note": "text"}"#;

fn recipe(privacy: serde_json::Value) -> String {
    format!(r#"{{"version": 1, "seed": 7, "columns": {ROLES}, "privacy": {privacy}}}"#)
}

fn masked(csv: &str, privacy: serde_json::Value) -> (String, bedside::report::Report) {
    let out = common::run(csv, &recipe(privacy)).unwrap_or_else(|e| panic!("{e}"));
    (
        String::from_utf8(write_csv(&out.masked)).unwrap(),
        out.report,
    )
}

fn column(csv: &str, name: &str) -> Vec<String> {
    let t = read_csv(csv.as_bytes(), "t.csv", &CsvOptions::default())
        .unwrap()
        .table;
    let c = t.column(name).unwrap();
    (0..t.rows()).filter_map(|r| c.values.text(r)).collect()
}

fn err(privacy: serde_json::Value) -> String {
    match Recipe::from_json(&recipe(privacy)) {
        Err(e) => e.to_string(),
        Ok(r) => bedside::run_file(
            patients(30, 1).as_bytes(),
            "t.csv",
            &r,
            &mut |_| true,
            &|| 0.0,
        )
        .err()
        .expect("should fail")
        .to_string(),
    }
}

/// `extra` steps, then the four identifier columns masked by `id_op` and the note scrubbed.
fn with_identifiers(id_op: &str, extra: &[serde_json::Value]) -> serde_json::Value {
    with_identifier_step(
        json!({"op": id_op, "columns": ["name", "mrn", "phone", "email"]}),
        extra,
    )
}

/// `extra` steps, then `id_step` (masking the identifier columns) and the note scrubbed.
fn with_identifier_step(
    id_step: serde_json::Value,
    extra: &[serde_json::Value],
) -> serde_json::Value {
    // The other steps first (date_shift needs the patient column; suppression before scrubbing
    // checks that scrub_text finds each row's identifiers through the row map).
    let mut steps: Vec<serde_json::Value> = extra.to_vec();
    steps.push(id_step);
    steps.push(json!({"op": "scrub_text", "columns": ["note"]}));
    json!(steps)
}

/// Every registered operator, through its registry example: those that mask identifiers mask
/// the four identifier columns; every other one runs before them.
#[test]
fn no_original_identifier_survives_any_operator() {
    let csv = patients(120, 5);
    let originals: Vec<String> = ["name", "mrn", "phone", "email"]
        .iter()
        .flat_map(|c| column(&csv, c))
        .collect();
    let surnames: Vec<&str> = common::LAST.to_vec();
    let examples = bedside::privacy::PrivacyStep::examples();
    let (id_ops, other_ops): (Vec<_>, Vec<_>) =
        examples.iter().partition(|s| s.masks_identifiers());
    assert!(id_ops.len() >= 5, "{id_ops:?}");
    for s in &id_ops {
        let cols: Vec<&str> = s.columns().into_iter().map(|(_, c)| c).collect();
        assert_eq!(cols, ["name", "mrn", "phone", "email"], "{}", s.name());
    }
    let id_ops: Vec<serde_json::Value> = id_ops
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    let other_ops: Vec<serde_json::Value> = other_ops
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    let mut runs = 0;
    for (i, extra) in std::iter::once(None)
        .chain(other_ops.iter().map(Some))
        .enumerate()
    {
        for id_step in id_ops.iter().skip(i % 2) {
            let id_op = &id_step["op"];
            let (out, report) = masked(
                &csv,
                with_identifier_step(
                    id_step.clone(),
                    &extra.iter().cloned().cloned().collect::<Vec<_>>(),
                ),
            );
            for v in &originals {
                assert!(
                    !out.contains(v.as_str()),
                    "{id_op} + {extra:?}: an original identifier survived"
                );
            }
            // Surnames inside the notes are removed as words of the name column.
            let notes = column(&out, "note");
            for note in &notes {
                for s in &surnames {
                    assert!(
                        !note.split(|c: char| !c.is_alphanumeric()).any(|w| w == *s),
                        "{id_op}: surname survived in a note"
                    );
                }
                assert!(
                    note.contains("seen") && note.contains("stable"),
                    "clinical words kept"
                );
            }
            assert!(!report.warnings.iter().any(|w| w.contains("unscrubbed")));
            runs += 1;
        }
    }
    assert!(runs >= 50, "{runs}");
}

#[test]
fn every_operator_is_deterministic_given_the_seed() {
    let csv = patients(80, 9);
    let steps = with_identifiers(
        "replace_random",
        &[
            json!({"op": "noise", "columns": ["glucose"], "mechanism": "gaussian", "epsilon": 0.5, "sensitivity": 5, "delta": 1e-5}),
            json!({"op": "date_shift", "columns": ["admitted", "discharged"], "by": "mrn", "max_days": 100}),
            json!({"op": "pram", "column": "dx", "keep": 0.7}),
            json!({"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 2, "max_suppression": 0.05}),
        ],
    );
    let (a, ra) = masked(&csv, steps.clone());
    let (b, rb) = masked(&csv, steps.clone());
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_value(&ra.privacy).unwrap(),
        serde_json::to_value(&rb.privacy).unwrap()
    );
    let other = recipe(steps).replace("\"seed\": 7", "\"seed\": 8");
    let c = String::from_utf8(write_csv(&common::run(&csv, &other).unwrap().masked)).unwrap();
    assert_ne!(a, c, "another seed draws differently");
}

#[test]
fn the_seed_alone_does_not_reproduce_the_draws() {
    // The draws depend on the values a step replaces too: change one original value and the
    // noise added to every other row changes, so the seed in a Report cannot undo the noise.
    let mut csv = String::from("x\n");
    for i in 0..50 {
        csv.push_str(&format!("{}\n", 100 + i));
    }
    let changed = csv.replacen("\n100\n", "\n101\n", 1);
    let r = recipe_of(json!([{"op": "noise", "columns": ["x"], "epsilon": 1.0, "sensitivity": 1}]));
    let noise = |data: &str| {
        let out = common::run(data, &r).unwrap().masked;
        let bedside::table::Values::Num(v) = &out.columns[0].values else {
            panic!()
        };
        v.iter()
            .enumerate()
            .map(|(i, y)| y - (100 + i) as f64)
            .collect::<Vec<f64>>()
    };
    let (a, b) = (noise(&csv), noise(&changed));
    assert_eq!(a, noise(&csv), "deterministic");
    assert!(
        (1..50).all(|i| a[i] != b[i]),
        "other rows' draws change with one original value"
    );
}

#[test]
fn redact_mask_and_replace_random() {
    let csv = "name,phone,y\nAda Brook,617-555-0123,1\nBen Chen,617-555-0199,0\nAda Brook,617-555-0123,1\n";
    let run = |p: serde_json::Value| {
        let r = format!(
            r#"{{"version": 1, "seed": 3, "columns": {{"name": "identifier", "phone": "quasi"}}, "privacy": {p}}}"#
        );
        String::from_utf8(write_csv(&common::run(csv, &r).unwrap().masked)).unwrap()
    };
    assert_eq!(run(json!([{"op": "redact", "columns": ["name"]}])), "name,phone,y\n[REDACTED],617-555-0123,1\n[REDACTED],617-555-0199,0\n[REDACTED],617-555-0123,1\n");
    let m = run(
        json!([{"op": "drop", "columns": ["name"]}, {"op": "mask", "columns": ["phone"], "keep_last": 4}]),
    );
    assert_eq!(
        m,
        "phone,y\n********0123,1\n********0199,0\n********0123,1\n"
    );
    let m = run(
        json!([{"op": "drop", "columns": ["name"]}, {"op": "mask", "columns": ["phone"], "keep_first": 8, "keep_last": 8, "char": "#"}]),
    );
    assert!(
        m.contains("############,1"),
        "a value no longer than the kept characters is masked entirely: {m}"
    );
    let r = run(json!([{"op": "replace_random", "columns": ["name", "phone"]}]));
    let rows: Vec<Vec<&str>> = r.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0], rows[2], "equal values get equal fakes");
    assert_ne!(rows[0][0], rows[1][0]);
    for row in &rows {
        let (name, phone) = (row[0], row[1]);
        assert!(name.len() == 9 || name.len() == 8);
        assert_eq!(
            name.chars().next().map(char::is_uppercase),
            Some(true),
            "shape kept: {name}"
        );
        assert!(name.contains(' '));
        assert_eq!(phone.len(), 12);
        assert_eq!(&phone[3..4], "-");
        assert!(phone.chars().filter(char::is_ascii_digit).count() == 10);
        assert!(!["Ada Brook", "Ben Chen"].contains(&name) && !phone.starts_with("617-555-01"));
    }
    // A mask that keeps characters does not count as masking an identifier.
    let e = err(
        json!([{"op": "drop", "columns": ["name", "phone", "email"]}, {"op": "mask", "columns": ["mrn"], "keep_last": 4}, {"op": "scrub_text", "columns": ["note"]}]),
    );
    assert!(
        e.contains("field 'mrn': has role identifier but no privacy step removes its values"),
        "{e}"
    );
}

#[test]
fn pseudonymize_with_a_user_key_links_files_and_the_key_never_reaches_the_report() {
    let key = "correct horse battery staple";
    let a = "mrn,y\n00001234,1\n00005678,0\n";
    let b = "mrn,y\n00005678,1\n00009999,0\n";
    let r = format!(
        r#"{{"version": 1, "columns": {{"mrn": "identifier"}}, "privacy": [{{"op": "pseudonymize", "columns": ["mrn"], "key": "{key}"}}]}}"#
    );
    let oa = common::run(a, &r).unwrap();
    let ob = common::run(b, &r).unwrap();
    let pa = oa.masked.column("mrn").unwrap().values.text(1).unwrap();
    let pb = ob.masked.column("mrn").unwrap().values.text(0).unwrap();
    assert_eq!(pa, pb, "the same patient links across files");
    let report = serde_json::to_string(&oa.report).unwrap();
    assert!(
        !report.contains(key),
        "the key must not be written into the report"
    );
    assert!(report.contains("(redacted)"));
    // A recipe taken back from a report refuses to run with the redacted key.
    let back = serde_json::to_string(&oa.report.recipe).unwrap();
    let e = Recipe::from_json(&back).unwrap_err().to_string();
    assert!(e.contains("privacy[0] (pseudonymize), field 'key'"), "{e}");
    // Without a key, two runs give different pseudonyms.
    let plain = r#"{"version": 1, "columns": {"mrn": "identifier"}, "privacy": [{"op": "pseudonymize", "columns": ["mrn"]}]}"#;
    let x = common::run(a, plain).unwrap().masked;
    let y = common::run(a, plain).unwrap().masked;
    assert_ne!(x, y);
}

#[test]
fn noise_has_the_stated_scale() {
    let mut csv = String::from("x\n");
    for _ in 0..20_000 {
        csv.push_str("100\n");
    }
    let run = |p: serde_json::Value| {
        let r = format!(r#"{{"version": 1, "seed": 1, "privacy": {p}}}"#);
        let t = common::run(&csv, &r).unwrap().masked;
        let bedside::table::Values::Num(v) = &t.columns[0].values else {
            panic!()
        };
        v.iter().map(|x| x - 100.0).collect::<Vec<f64>>()
    };
    // Laplace(b = 10 / 2 = 5): E|X| = b.
    let d = run(json!([{"op": "noise", "columns": ["x"], "epsilon": 2.0, "sensitivity": 10}]));
    let mad = d.iter().map(|x| x.abs()).sum::<f64>() / d.len() as f64;
    assert!((mad - 5.0).abs() < 0.15, "{mad}");
    assert!(d.iter().sum::<f64>().abs() / (d.len() as f64) < 0.15);
    // Gaussian: σ = Δ √(2 ln(1.25/δ)) / ε.
    let d = run(
        json!([{"op": "noise", "columns": ["x"], "mechanism": "gaussian", "epsilon": 0.5, "sensitivity": 1, "delta": 1e-5}]),
    );
    let sigma = (2.0 * (1.25f64 / 1e-5).ln()).sqrt() / 0.5;
    let sd = (d.iter().map(|x| x * x).sum::<f64>() / d.len() as f64).sqrt();
    assert!((sd / sigma - 1.0).abs() < 0.03, "{sd} vs {sigma}");
    let d = run(
        json!([{"op": "noise", "columns": ["x"], "epsilon": 1.0, "sensitivity": 1, "decimals": 0}]),
    );
    assert!(d.iter().all(|x| x.fract() == 0.0));
}

#[test]
fn generalize_cuts_and_top_bottom_coding() {
    let csv = "age,y\n5,0\n17,0\n18,1\n40,0\n64,1\n65,0\n89,1\n90,0\n101,1\n";
    let run = |p: serde_json::Value| {
        let r = format!(r#"{{"version": 1, "privacy": {p}}}"#);
        column(
            &String::from_utf8(write_csv(&common::run(csv, &r).unwrap().masked)).unwrap(),
            "age",
        )
    };
    assert_eq!(
        run(json!([{"op": "generalize", "column": "age", "cuts": [18, 65]}])),
        ["<18", "<18", "18-64", "18-64", "18-64", "65+", "65+", "65+", "65+"]
    );
    assert_eq!(
        run(json!([{"op": "generalize", "column": "age", "width": 10, "top": 90, "bottom": 18}])),
        ["<18", "<18", "18-19", "40-49", "60-69", "60-69", "80-89", "90+", "90+"]
    );
    assert_eq!(
        run(json!([{"op": "generalize", "column": "age", "cuts": [18, 65], "top": 90}])),
        ["<18", "<18", "18-64", "18-64", "18-64", "65-89", "65-89", "90+", "90+"]
    );
}

#[test]
fn hierarchy_levels_and_unmapped_values() {
    let csv = "dx,y\nJ10,1\nJ45,0\nI21,1\n";
    let h = json!({"J10": ["influenza", "respiratory"], "J45": ["asthma", "respiratory"], "I21": ["infarction", "circulatory"]});
    let run = |level: usize| {
        let r =
            recipe_of(json!([{"op": "hierarchy", "column": "dx", "hierarchy": h, "level": level}]));
        column(
            &String::from_utf8(write_csv(&common::run(csv, &r).unwrap().masked)).unwrap(),
            "dx",
        )
    };
    assert_eq!(run(1), ["influenza", "asthma", "infarction"]);
    assert_eq!(run(2), ["respiratory", "respiratory", "circulatory"]);
    let r = recipe_of(
        json!([{"op": "hierarchy", "column": "dx", "hierarchy": {"J10": ["x"]}, "level": 1}]),
    );
    let e = common::run(csv, &r).err().unwrap().to_string();
    assert_eq!(e, "recipe privacy[0] (hierarchy), field 'hierarchy': data row 2, column 'dx': value not in the hierarchy (add it, or give a default)");
    assert!(!e.contains("J45"), "errors never quote a cell value");
}

fn recipe_of(privacy: serde_json::Value) -> String {
    format!(r#"{{"version": 1, "seed": 7, "privacy": {privacy}}}"#)
}

#[test]
fn dates_to_year_month_age_and_shifts_that_keep_intervals() {
    let csv = "pid,dob,admitted,discharged\nA,1950-06-15,2024-06-14,2024-06-20\nA,1950-06-15,2024-09-01,2024-09-03\nB,1990-01-01,2024-01-01,2024-02-29\n";
    let out = |p: serde_json::Value| {
        String::from_utf8(write_csv(&common::run(csv, &recipe_of(p)).unwrap().masked)).unwrap()
    };
    assert_eq!(
        column(
            &out(json!([{"op": "date", "columns": ["admitted"], "to": "year"}])),
            "admitted"
        ),
        ["2024", "2024", "2024"]
    );
    assert_eq!(
        column(
            &out(json!([{"op": "date", "columns": ["admitted"], "to": "month"}])),
            "admitted"
        ),
        ["2024-06", "2024-09", "2024-01"]
    );
    assert_eq!(
        column(
            &out(json!([{"op": "date", "columns": ["dob"], "to": "age", "event": "admitted"}])),
            "dob"
        ),
        ["73", "74", "34"]
    );
    let shifted = out(
        json!([{"op": "date_shift", "columns": ["admitted", "discharged"], "by": "pid", "max_days": 365}]),
    );
    let days = |s: &str| {
        let (y, m, d) = bedside::table::csv::parse_date(s).unwrap();
        bedside::privacy::ops::date::days_from_civil(y, m, d)
    };
    let (a0, a1) = (column(csv, "admitted"), column(&shifted, "admitted"));
    let (d0, d1) = (column(csv, "discharged"), column(&shifted, "discharged"));
    let offsets: Vec<i64> = (0..3).map(|r| days(&a1[r]) - days(&a0[r])).collect();
    for r in 0..3 {
        assert_eq!(
            days(&d1[r]) - days(&a1[r]),
            days(&d0[r]) - days(&a0[r]),
            "length of stay kept"
        );
        assert!(offsets[r] != 0 && offsets[r].abs() <= 365);
    }
    assert_eq!(
        offsets[0], offsets[1],
        "one offset per patient: the interval between A's stays is kept"
    );
    assert_eq!(
        bedside::privacy::ops::date::civil_from_days(days("2024-02-29")),
        (2024, 2, 29)
    );
}

#[test]
fn microaggregation_groups_of_at_least_k() {
    let csv = "x,y\n1,0\n2,0\n3,0\n10,0\n11,0\n12,0\n13,0\n100,0\n";
    let out = common::run(
        csv,
        &recipe_of(json!([{"op": "microaggregate", "columns": ["x"], "size": 3}])),
    )
    .unwrap()
    .masked;
    assert_eq!(
        column(&String::from_utf8(write_csv(&out)).unwrap(), "x"),
        ["2", "2", "2", "29.2", "29.2", "29.2", "29.2", "29.2"]
    );
    let m = bedside::privacy::risk::measure(&out, &["x".to_string()], None, 0.2);
    assert!(m.k_anonymity.unwrap() >= 3);
    // Multivariate: total of every column is preserved.
    let csv = "a,b\n1,10\n2,30\n3,20\n4,40\n5,60\n6,50\n7,70\n";
    let out = common::run(
        csv,
        &recipe_of(json!([{"op": "microaggregate", "columns": ["a", "b"], "size": 2}])),
    )
    .unwrap()
    .masked;
    let m = bedside::privacy::risk::measure(&out, &["a".to_string(), "b".to_string()], None, 0.2);
    assert!(m.k_anonymity.unwrap() >= 2);
    let bedside::table::Values::Num(b) = &out.column("b").unwrap().values else {
        panic!()
    };
    assert!((b.iter().sum::<f64>() - 280.0).abs() < 1e-9);
}

#[test]
fn microaggregate_counts_the_records_it_leaves_exact() {
    // Rows 3 and 6 miss `b`: their `a` stays exact, and the audit entry says so.
    let csv = "a,b\n1,10\n2,30\n97,\n4,40\n5,60\n3,\n7,70\n";
    let out = common::run(
        csv,
        &recipe_of(json!([{"op": "microaggregate", "columns": ["a", "b"], "size": 2}])),
    )
    .unwrap();
    let a = column(&String::from_utf8(write_csv(&out.masked)).unwrap(), "a");
    assert_eq!(a[2], "97", "a row missing b keeps its exact a");
    assert_eq!(a[5], "3");
    let entry = &out.report.audit[0];
    let entry = serde_json::to_value(entry).unwrap();
    assert_eq!(entry["args"]["result"]["rows_left_exact"], 2, "{entry}");
    assert_eq!(entry["args"]["result"]["cells_left_exact"], 2, "{entry}");
    assert!(
        entry
            .to_string()
            .contains("2 record(s) missing one of the columns keep their exact values"),
        "{entry}"
    );
}

#[test]
fn pram_follows_its_matrix() {
    let mut csv = String::from("s\n");
    for i in 0..4000 {
        csv.push_str(if i % 2 == 0 { "yes\n" } else { "no\n" });
    }
    let run = |p: serde_json::Value| {
        column(
            &String::from_utf8(write_csv(&common::run(&csv, &recipe_of(p)).unwrap().masked))
                .unwrap(),
            "s",
        )
    };
    let orig = column(&csv, "s");
    let out = run(json!([{"op": "pram", "column": "s", "keep": 0.8}]));
    let changed = orig.iter().zip(&out).filter(|(a, b)| a != b).count() as f64 / 4000.0;
    assert!((changed - 0.2).abs() < 0.03, "{changed}");
    let out = run(
        json!([{"op": "pram", "column": "s", "matrix": {"yes": {"yes": 1.0}, "no": {"yes": 0.5, "no": 0.5}}}]),
    );
    assert!(
        orig.iter().zip(&out).all(|(a, b)| a == "no" || b == "yes"),
        "yes always stays yes"
    );
    let flipped = orig
        .iter()
        .zip(&out)
        .filter(|(a, b)| *a == "no" && *b == "yes")
        .count() as f64
        / 2000.0;
    assert!((flipped - 0.5).abs() < 0.05, "{flipped}");
}

#[test]
fn suppression_of_cells_and_records_is_counted() {
    let csv = "age,sex,y\n30,F,1\n30,F,0\n30,F,1\n41,M,0\n52,F,1\n";
    let out = common::run(
        csv,
        &recipe_of(json!([{"op": "suppress", "columns": ["age", "sex"], "k": 2}])),
    )
    .unwrap();
    assert_eq!(out.masked.rows(), 5);
    assert_eq!(out.report.privacy.suppressed_rows, 0);
    assert_eq!(out.report.audit[0].cells_affected, 4);
    assert_eq!(
        String::from_utf8(write_csv(&out.masked)).unwrap(),
        "age,sex,y\n30,F,1\n30,F,0\n30,F,1\n,,0\n,,1\n"
    );
    let out = common::run(
        csv,
        &recipe_of(json!([{"op": "suppress", "columns": ["age", "sex"], "k": 2, "records": true}])),
    )
    .unwrap();
    assert_eq!(out.masked.rows(), 3);
    assert_eq!(out.report.privacy.suppressed_rows, 2);
    assert_eq!(out.report.audit[0].rows_affected, 2);
    assert!(out.report.audit[0].note.contains("2 record(s) removed"));
    assert_eq!(out.report.privacy.output_rows, 3);
    let out = common::run(
        csv,
        &recipe_of(
            json!([{"op": "suppress", "columns": ["sex"], "values": ["M"], "records": true}]),
        ),
    )
    .unwrap();
    assert_eq!(out.report.privacy.suppressed_rows, 1);
}

#[test]
fn bad_arguments_name_the_step_and_field() {
    let cases = [
        (
            json!([{"op": "redact", "columns": []}]),
            "privacy[0] (redact), field 'columns'",
        ),
        (
            json!([{"op": "mask", "columns": ["phone"], "char": "x"}]),
            "privacy[0] (mask), field 'char'",
        ),
        (
            json!([{"op": "pseudonymize", "columns": ["mrn"], "key": "short"}]),
            "privacy[0] (pseudonymize), field 'key'",
        ),
        (
            json!([{"op": "noise", "columns": ["glucose"], "epsilon": 0, "sensitivity": 1}]),
            "privacy[0] (noise), field 'epsilon'",
        ),
        (
            json!([{"op": "noise", "columns": ["glucose"], "epsilon": 1, "sensitivity": -1}]),
            "privacy[0] (noise), field 'sensitivity'",
        ),
        (
            json!([{"op": "noise", "columns": ["glucose"], "mechanism": "gaussian", "epsilon": 1, "sensitivity": 1}]),
            "privacy[0] (noise), field 'delta'",
        ),
        (
            json!([{"op": "noise", "columns": ["name"], "epsilon": 1, "sensitivity": 1}]),
            "field 'columns': column 'name' is identifier, this step needs a numeric column",
        ),
        (
            json!([{"op": "generalize", "column": "age"}]),
            "privacy[0] (generalize), field 'width'",
        ),
        (
            json!([{"op": "generalize", "column": "age", "cuts": [30, 20]}]),
            "privacy[0] (generalize), field 'cuts'",
        ),
        (
            json!([{"op": "generalize", "column": "age", "width": 5, "top": 10, "bottom": 20}]),
            "privacy[0] (generalize), field 'top'",
        ),
        (
            json!([{"op": "hierarchy", "column": "dx", "hierarchy": {"a": ["x"]}, "level": 2}]),
            "privacy[0] (hierarchy), field 'level'",
        ),
        (
            json!([{"op": "hierarchy", "column": "dx", "hierarchy": {"a": ["x"], "b": ["x", "y"]}, "level": 1}]),
            "privacy[0] (hierarchy), field 'hierarchy'",
        ),
        (
            json!([{"op": "date", "columns": ["admitted"], "to": "age"}]),
            "privacy[0] (date), field 'event'",
        ),
        (
            json!([{"op": "date", "columns": ["admitted"], "to": "week"}]),
            "privacy[0] (date)",
        ),
        (
            json!([{"op": "date", "columns": ["age"], "to": "year"}]),
            "field 'columns': column 'age' is numeric, this step needs a date column",
        ),
        (
            json!([{"op": "date_shift", "columns": ["admitted"], "by": "mrn", "max_days": 0}]),
            "privacy[0] (date_shift), field 'max_days'",
        ),
        (
            json!([{"op": "date_shift", "columns": ["admitted"], "by": "nobody", "max_days": 5}]),
            "privacy[0] (date_shift), field 'by': no such column 'nobody'",
        ),
        (
            json!([{"op": "microaggregate", "columns": ["glucose"], "size": 1}]),
            "privacy[0] (microaggregate), field 'size'",
        ),
        (
            json!([{"op": "pram", "column": "smoker", "keep": 1.5}]),
            "privacy[0] (pram), field 'keep'",
        ),
        (
            json!([{"op": "pram", "column": "smoker", "matrix": {"yes": {"yes": 0.5, "no": 0.4}, "no": {"no": 1}}}]),
            "privacy[0] (pram), field 'matrix'",
        ),
        (
            json!([{"op": "suppress", "columns": ["age"]}]),
            "privacy[0] (suppress), field 'k'",
        ),
        (
            json!([{"op": "scrub_text", "columns": ["note"], "identifiers": ["note"]}]),
            "privacy[0] (scrub_text), field 'identifiers'",
        ),
        (
            json!([{"op": "k_anonymize", "quasi": ["age"], "k": 1}]),
            "privacy[0] (k_anonymize), field 'k'",
        ),
        (
            json!([{"op": "k_anonymize", "quasi": ["age"], "k": 5, "max_suppression": 2}]),
            "privacy[0] (k_anonymize), field 'max_suppression'",
        ),
        (
            json!([{"op": "k_anonymize", "quasi": ["age"], "k": 5, "l": 2}]),
            "privacy[0] (k_anonymize), field 'sensitive'",
        ),
        (
            json!([{"op": "k_anonymize", "quasi": ["age"], "k": 5, "ladders": {"age": {"bands": [5, 7]}}}]),
            "privacy[0] (k_anonymize), field 'ladders'",
        ),
        (
            json!([{"op": "k_anonymize", "quasi": ["age"], "k": 5, "ladders": {"zip": {"prefix": [3]}}}]),
            "privacy[0] (k_anonymize), field 'ladders'",
        ),
    ];
    for (privacy, expected) in cases {
        let e = err(privacy.clone());
        assert!(e.contains(expected), "{privacy}: {e}");
    }
}

#[test]
fn scrub_text_uses_detected_identifier_columns_without_roles() {
    // No roles at all: the name and phone columns are found by detection.
    let csv = "name,phone,note\nAda Quill,617-555-0101,\"Quill called from 617 555 0101\"\nBo Vance,617-555-0102,\"Bo Vance stable\"\n";
    let out = common::run(
        csv,
        &recipe_of(json!([{"op": "scrub_text", "columns": ["note"]}])),
    )
    .unwrap();
    let notes = column(&String::from_utf8(write_csv(&out.masked)).unwrap(), "note");
    assert_eq!(notes, ["[NAME] called from [PHONE]", "[NAME] stable"]);
}
