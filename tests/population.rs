//! Population uniqueness (Pitman, Zayatz, SNB and Dankar et al.'s rule), built-in populations,
//! the average-risk criterion of `k_anonymize`, risk acceptance and Safe Harbor warnings.
//!
//! Reference numbers: ARX's unit tests (TestRiskMetrics.testDecisionRule2, adult data over all
//! nine columns, compared there to four decimals) and scripts/population-reference.py (SciPy,
//! closed forms and a different solver), whose output is pasted next to each value.

use bedside::privacy::population::{snb_expected, uniqueness, Model};

/// ARX's data/adult.csv over all nine columns: (class size, classes of that size). 30,162
/// records, 19,502 classes (ARX's average risk 0.6465751607983555 = 19502/30162), 15,512
/// sample uniques (ARX's sample uniqueness 0.5142895033485844).
const ADULT: &[(usize, usize)] = &[
    (1, 15512),
    (2, 2098),
    (3, 754),
    (4, 375),
    (5, 189),
    (6, 155),
    (7, 97),
    (8, 73),
    (9, 39),
    (10, 37),
    (11, 29),
    (12, 18),
    (13, 23),
    (14, 14),
    (15, 15),
    (16, 9),
    (17, 11),
    (18, 10),
    (19, 10),
    (20, 5),
    (21, 3),
    (22, 4),
    (23, 3),
    (24, 2),
    (25, 1),
    (26, 3),
    (27, 5),
    (29, 1),
    (30, 2),
    (32, 1),
    (34, 1),
    (35, 1),
    (36, 1),
    (45, 1),
];

fn sizes(hist: &[(usize, usize)]) -> Vec<usize> {
    hist.iter()
        .flat_map(|&(s, c)| std::iter::repeat_n(s, c))
        .collect()
}

/// ARX's population model `create(sampleSize, fraction)`: N = round(n / fraction).
fn population(n: usize, fraction: f64) -> u64 {
    (n as f64 / fraction).round() as u64
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn adult_matches_arx_and_the_scipy_reference() {
    let s = sizes(ADULT);
    let n: usize = s.iter().sum();
    assert_eq!((n, s.len()), (30162, 19502));
    // population-reference.py:
    // N = 3016200 (fraction 0.01): zayatz 0.2717127200  pitman 0.1446083531  snb 0.2046790153
    let u = uniqueness(&s, population(n, 0.01));
    assert_eq!(u.model, Some(Model::Pitman));
    assert!(close(u.share, 0.1446083531167384, 1e-6), "ARX: {}", u.share);
    let e = &u.estimates;
    assert!(close(e.zayatz.unwrap(), 0.2717127200, 1e-8), "{e:?}");
    assert!(close(e.snb.unwrap(), 0.2046790153, 1e-6), "{e:?}");
    assert!(close(u.uniques, 0.1446083531 * 3016200.0, 5.0));
    // N = 301620 (fraction 0.1): zayatz 0.3207402393  pitman 0.2768499388  snb 0.2499769376
    let u = uniqueness(&s, population(n, 0.1));
    assert_eq!(u.model, Some(Model::Pitman));
    assert!(
        close(u.share, 0.27684993883653597, 1e-6),
        "ARX: {}",
        u.share
    );
    let e = &u.estimates;
    assert!(
        close(e.zayatz.unwrap(), 0.3207402393466189, 1e-8),
        "ARX: {e:?}"
    );
    assert!(close(e.snb.unwrap(), 0.2499769376, 1e-6), "{e:?}");
    // N = 150810 (fraction 0.2): zayatz 0.3577099235  pitman 0.3366280170  snb 0.3194593754
    // Above 10% the rule takes the smaller of Zayatz and SNB. ARX's test expects Zayatz's
    // 0.3577099234829125 here because its SNB fit does not converge (see population.rs).
    let u = uniqueness(&s, population(n, 0.2));
    let e = &u.estimates;
    assert!(
        close(e.zayatz.unwrap(), 0.3577099234829125, 1e-8),
        "ARX: {e:?}"
    );
    assert!(close(e.pitman.unwrap(), 0.3366280170, 1e-6), "{e:?}");
    assert!(close(e.snb.unwrap(), 0.3194593754, 1e-6), "{e:?}");
    assert_eq!(u.model, Some(Model::Snb));
    assert!(close(u.share, e.snb.unwrap(), 1e-15));
    // The whole population sampled: every sample unique is a population unique (ARX:
    // 0.5142895033485844, the sample uniqueness); SNB cannot be fitted at fraction 1.
    let u = uniqueness(&s, n as u64);
    assert_eq!(u.model, Some(Model::Zayatz));
    assert!(close(u.share, 0.5142895033485844, 1e-12), "{}", u.share);
    assert!(u.estimates.snb.is_none());
    assert!(
        u.estimates.notes.iter().any(|m| m.starts_with("snb:")),
        "{:?}",
        u.estimates
    );
}

#[test]
fn a_small_sample_falls_back_to_zayatz_when_pitman_fails() {
    // population-reference.py, "small" {1: 6, 2: 3, 3: 2, 5: 1}:
    // N = 2300 (fraction 0.01): zayatz 0.0691365811  pitman none  snb none
    // N = 230 (fraction 0.1): zayatz 0.0796441774  pitman none  snb 0.0305229861
    let s = sizes(&[(1, 6), (2, 3), (3, 2), (5, 1)]);
    let u = uniqueness(&s, 2300);
    assert_eq!(u.model, Some(Model::Zayatz));
    assert!(close(u.share, 0.0691365811, 1e-9), "{}", u.share);
    assert!(u.estimates.pitman.is_none(), "{:?}", u.estimates);
    assert!(u.estimates.notes.iter().any(|m| m.starts_with("pitman:")));
    let u = uniqueness(&s, 230);
    assert!(
        close(u.estimates.snb.unwrap(), 0.0305229861, 1e-6),
        "{:?}",
        u.estimates
    );
}

#[test]
fn no_sample_uniques_means_no_population_uniques() {
    let u = uniqueness(&[2, 3, 5, 5], 1000);
    assert_eq!((u.uniques, u.share, u.model), (0.0, 0.0, None));
}

#[test]
fn snb_expected_counts_match_a_direct_sum() {
    // Population class sizes 1 + NB(a, b); each person sampled with probability f. The
    // expected numbers of sample classes of size 1 and 2 per population class, summed over
    // class sizes directly, against the closed forms the SNB fit solves.
    for &(a, b, f) in &[(0.7, 0.3, 0.2), (2.5, 0.6, 0.05), (0.2, 0.05, 0.5)] {
        let (mut e1, mut e2) = (0.0, 0.0);
        let mut p = f64::powf(b, a); // P(size 1) = P(NB = 0)
        for s in 1..20000 {
            let sf = s as f64;
            e1 += p * sf * f * (1.0 - f).powf(sf - 1.0);
            if s >= 2 {
                e2 += p * sf * (sf - 1.0) / 2.0 * f * f * (1.0 - f).powf(sf - 2.0);
            }
            // P(NB = y + 1) / P(NB = y) = (y + a) / (y + 1) · (1 − b), y = s − 1.
            p *= (sf - 1.0 + a) / sf * (1.0 - b);
        }
        let [c1, c2] = snb_expected(1.0, f, a, b);
        assert!(close(c1, e1, 1e-12), "{a} {b} {f}: {c1} vs {e1}");
        assert!(close(c2, e2, 1e-12), "{a} {b} {f}: {c2} vs {e2}");
    }
}

#[test]
fn a_built_in_population_reaches_the_report_and_an_unknown_one_is_refused() {
    let csv = "age,sex,y\n30,F,0\n30,F,1\n41,M,0\n52,F,1\n";
    let recipe = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "columns": {"age": "quasi", "sex": "quasi"}, "risk": {"population": "us"}}"#,
    )
    .unwrap();
    // The name is kept as given in the recipe.
    assert!(recipe.to_json().contains(r#""population": "us""#));
    let out = bedside::run_file(csv.as_bytes(), "t.csv", &recipe, &mut |_| true, &|| 0.0).unwrap();
    let r = out.report.privacy.after.risk.unwrap();
    assert_eq!(r.population_size, Some(331_449_281));
    assert_eq!(r.population_name.as_deref(), Some("us"));
    // Two sample uniques: some estimator is chosen and all three are reported.
    assert!(r.population_model.is_some());
    assert!(r.population_estimates.unwrap().zayatz.unwrap() > 0.0);
    let e = bedside::recipe::Recipe::from_json(r#"{"version": 1, "risk": {"population": "mars"}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("risk, field 'population'") && e.contains("us, us-ca"),
        "{e}"
    );
    let e = bedside::recipe::Recipe::from_json(r#"{"version": 1, "risk": {"population": -3}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("population"), "{e}");
}

fn run(csv: &str, recipe: &str) -> bedside::report::Report {
    let recipe = bedside::recipe::Recipe::from_json(recipe).unwrap();
    bedside::run_file(csv.as_bytes(), "t.csv", &recipe, &mut |_| true, &|| 0.0)
        .unwrap()
        .report
}

#[test]
fn average_risk_instead_of_k() {
    // 40 records, ages 20..59 all distinct: average risk 1. Bands of 5 years give 8 classes
    // (0.2), bands of 10 give 4 (0.1).
    let mut csv = String::from("age,y\n");
    for i in 0..40 {
        csv.push_str(&format!("{},{}\n", 20 + i, i % 2));
    }
    let report = |r: f64| {
        run(
            &csv,
            &format!(
                r#"{{"version": 1, "columns": {{"age": "quasi"}}, "privacy": [{{"op": "k_anonymize", "quasi": ["age"], "average_risk": {r}, "ladders": {{"age": {{"bands": [5, 10, 20]}}}}}}]}}"#
            ),
        )
    };
    let r = report(0.2);
    let after = r.privacy.after.risk.as_ref().unwrap();
    assert_eq!(r.privacy.after.equivalence_classes, 8);
    assert!((after.prosecutor_avg - 0.2).abs() < 1e-12);
    assert!(
        r.audit
            .iter()
            .any(|a| a.note.contains("average risk ≤ 0.2")),
        "{:?}",
        r.audit
    );
    let r = report(0.15);
    assert_eq!(r.privacy.after.equivalence_classes, 4);
    // With k as well: both hold.
    let r = run(
        &csv,
        r#"{"version": 1, "columns": {"age": "quasi"}, "privacy": [{"op": "k_anonymize", "quasi": ["age"], "k": 12, "average_risk": 0.2, "ladders": {"age": {"bands": [5, 10, 20]}}}]}"#,
    );
    assert_eq!(r.privacy.after.k_anonymity, Some(20));
    // Neither k nor average_risk, or a risk out of range: refused, naming the field.
    let e = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "privacy": [{"op": "k_anonymize", "quasi": ["age"]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("'k'") && e.contains("average_risk"), "{e}");
    let e = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "privacy": [{"op": "k_anonymize", "quasi": ["age"], "average_risk": 0}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("average_risk"), "{e}");
}

#[test]
fn above_the_threshold_is_flagged_and_acceptance_is_audited() {
    let csv = "age,sex,y\n30,F,0\n30,F,1\n41,M,0\n52,F,1\n";
    let base = r#""version": 1, "columns": {"age": "quasi", "sex": "quasi"}"#;
    let r = run(csv, &format!("{{{base}}}"));
    assert!(r.privacy.above_threshold);
    assert!(!r.audit.iter().any(|a| a.op == "accept_risk"));
    let r = run(
        csv,
        &format!(
            r#"{{{base}, "risk": {{"accept": {{"reason": "released to the hospital's own registry under a data-use agreement", "by": "J. Officer"}}}}}}"#
        ),
    );
    assert!(r.privacy.above_threshold);
    let a = r
        .audit
        .iter()
        .find(|a| a.op == "accept_risk")
        .expect("audited");
    assert_eq!(a.rows_affected, 4, "every class is smaller than 5");
    assert_eq!(a.args["threshold"], 0.2);
    assert_eq!(a.args["by"], "J. Officer");
    assert!(a.note.contains("data-use agreement"), "{}", a.note);
    assert!(r.warnings.iter().any(|w| w.contains("explicit acceptance")));
    // The acceptance is kept in the report's recipe.
    assert!(r.recipe.risk.accept.is_some());
    // Below the threshold nothing is accepted, whatever the recipe says.
    let r = run(
        csv,
        r#"{"version": 1, "columns": {"sex": "quasi"}, "risk": {"threshold": 1.0, "accept": {"reason": "x"}}}"#,
    );
    assert!(!r.privacy.above_threshold);
    assert!(!r.audit.iter().any(|a| a.op == "accept_risk"));
    // An acceptance needs a reason.
    let e = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "risk": {"accept": {"reason": " "}}}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("risk, field 'accept'"), "{e}");
}

#[test]
fn safe_harbor_lists_geography_and_dates_left_exact() {
    let mut csv = String::from("zip,city,admission_date,birth_year,y\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{},{},2020-03-{:02},19{},{}\n",
            10000 + i * 7,
            ["Springfield", "Shelbyville", "Ogdenville"][i % 3],
            1 + i % 28,
            50 + i,
            i % 2
        ));
    }
    let r = run(&csv, r#"{"version": 1}"#);
    let kinds: Vec<(&str, &str)> = r
        .privacy
        .safe_harbor
        .iter()
        .map(|w| (w.column.as_str(), w.kind.as_str()))
        .collect();
    assert!(kinds.contains(&("zip", "zip")), "{kinds:?}");
    assert!(kinds.contains(&("city", "city")), "{kinds:?}");
    assert!(
        kinds.contains(&("admission_date", "person_date")),
        "{kinds:?}"
    );
    let zip = r
        .privacy
        .safe_harbor
        .iter()
        .find(|w| w.kind == "zip")
        .unwrap();
    assert_eq!(zip.values, 30);
    // ZIP to 3 digits, city dropped, dates to the year: nothing left to warn about.
    let r = run(
        &csv,
        r#"{"version": 1, "privacy": [
            {"op": "truncate", "column": "zip", "keep": 3},
            {"op": "drop", "columns": ["city"]},
            {"op": "date", "columns": ["admission_date"], "to": "year"}]}"#,
    );
    assert_eq!(
        r.privacy.safe_harbor,
        vec![],
        "{:?}",
        r.privacy.output_columns
    );
}
