//! Calibration, decision curves and sample size against independently computed values:
//! statsmodels 0.15 / scikit-learn / dcurves 1.1.7 (tests/reference/calibration.py and
//! tests/reference/sample_size.py, whose output is pasted here), hand-worked examples and the
//! published pmsampsize worked example (Riley et al. 2020, BMJ 368:m441).

use crate::common;

use bedside::eval::calibration::{self, Rows};
use bedside::eval::decision;
use bedside::eval::sample_size::{self, SampleSizeSpec};

/// The synthetic rows of tests/reference/calibration.py.
fn reference_rows() -> (Vec<bool>, Vec<f64>) {
    let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
    (0..80)
        .map(|i| {
            let i = i as f64;
            let z = -1.0 + 2.5 * (0.7 * i).sin() + 0.01 * i;
            let u = (0.618034 * i) % 1.0;
            (u < sig(0.8 * z + 0.3), sig(z))
        })
        .unzip()
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

#[test]
fn calibration_measures_match_statsmodels_and_scikit_learn() {
    let (y, p) = reference_rows();
    assert_eq!(
        y.iter().filter(|&&b| b).count(),
        38,
        "the script's n=80 events=38"
    );
    let rows = Rows::new(&y, &p);
    let w = vec![1.0; y.len()];
    let m = rows.measures(&w);
    // python3 tests/reference/calibration.py
    close(
        m[0].unwrap(),
        0.715641528740538,
        1e-7,
        "slope (statsmodels GLM)",
    );
    close(
        m[1].unwrap(),
        0.4121783553363795,
        1e-7,
        "intercept (GLM with offset)",
    );
    close(m[2].unwrap(), 0.13584630735295805, 1e-12, "ece");
    close(
        m[3].unwrap(),
        0.07401301346919051,
        1e-10,
        "ici (statsmodels lowess)",
    );
    close(
        m[4].unwrap(),
        0.18906942395396464,
        1e-12,
        "brier (scikit-learn)",
    );
    close(m[5].unwrap(), 0.24182687136254777, 1e-12, "scaled brier");
}

#[test]
fn ece_by_hand() {
    // Bins [0, .1], (.1, .2], …: 0.05, 0.05 (one positive) → |0.5 − 0.05| · 2; 0.35, 0.38 (both
    // positive) → |1 − 0.365| · 2; 0.9 (negative) → 0.9. ECE = (0.9 + 1.27 + 0.9) / 5 = 0.614.
    let y = [true, false, true, true, false];
    let p = [0.05, 0.05, 0.35, 0.38, 0.9];
    let rows = Rows::new(&y, &p);
    close(rows.ece(&[1.0; 5]).unwrap(), 0.614, 1e-12, "ece");
}

#[test]
fn calibration_report_has_intervals_around_the_values_and_a_curve() {
    let (y, p) = reference_rows();
    let c = calibration::calibration(&y, &p, 7).unwrap();
    assert_eq!(c, calibration::calibration(&y, &p, 7).unwrap(), "seeded");
    for (name, e) in [
        ("slope", c.slope),
        ("intercept", c.intercept),
        ("ece", c.ece),
        ("ici", c.ici),
        ("brier", c.brier),
        ("brier_scaled", c.brier_scaled),
    ] {
        let (v, lo, hi) = (e.value.unwrap(), e.lower.unwrap(), e.upper.unwrap());
        assert!(lo < hi, "{name}: {lo} {hi}");
        // The percentile interval of a biased statistic (ECE, ICI are ≥ 0) may sit off the
        // pooled value; the unbiased ones cover it.
        if !matches!(name, "ece" | "ici") {
            assert!(lo <= v && v <= hi, "{name}: {lo} {v} {hi}");
        }
    }
    assert_eq!(
        c.curve.len(),
        80,
        "every distinct p when there are at most 101"
    );
    assert!(c.curve.windows(2).all(|w| w[0].p < w[1].p));
    assert!(c
        .curve
        .iter()
        .all(|pt| pt.lower.unwrap() <= pt.observed + 1e-12 || pt.upper.unwrap() >= pt.observed));
    // With many distinct predictions the curve has 101 evenly spaced points.
    let y2: Vec<bool> = (0..500).map(|i| i % 3 == 0).collect();
    let p2: Vec<f64> = (0..500).map(|i| 0.1 + 0.8 * i as f64 / 499.0).collect();
    let c2 = calibration::calibration(&y2, &p2, 1).unwrap();
    assert_eq!(c2.curve.len(), calibration::CURVE_POINTS);
    assert!(calibration::calibration(&[true, true], &[0.3, 0.6], 1).is_none());
}

/// A generated set of `n` rows: logits normal, outcomes drawn at a miscalibrated rate
/// (slope 0.8, intercept 0.2 on the logit scale).
fn generated_rows(n: usize) -> (Vec<bool>, Vec<f64>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let (mut y, mut p) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        // Box–Muller from two uniforms.
        let (u1, u2): (f64, f64) = (rng.gen::<f64>().max(1e-300), rng.gen());
        let z = -1.0 + 1.5 * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let q = 1.0 / (1.0 + (-z).exp());
        let truth = 1.0 / (1.0 + (-(0.2 + 0.8 * z)).exp());
        p.push(q);
        y.push(rng.gen::<f64>() < truth);
    }
    (y, p)
}

#[test]
fn grouped_resamples_differ_from_exact_far_less_than_the_monte_carlo_error() {
    // Above GROUPED_ABOVE rows a resample is evaluated on GROUPS groups of adjacent rows. The
    // grouping error of an interval's endpoint must be far below the Monte Carlo error of 1,000
    // resamples: the spread of the endpoints across bootstrap seeds.
    let (y, p) = generated_rows(24_000);
    assert!(y.len() > calibration::GROUPED_ABOVE);
    let exact = calibration::calibration_grouped(&y, &p, 1, None).unwrap();
    let grouped: Vec<_> = (1..=4)
        .map(|seed| {
            calibration::calibration_grouped(&y, &p, seed, Some(calibration::GROUPS)).unwrap()
        })
        .collect();
    // The default path is the grouped one here, and the values are those of every row.
    assert_eq!(calibration::calibration(&y, &p, 1).unwrap(), grouped[0]);
    let measures = |c: &calibration::CalibrationReport| {
        let mut v = vec![c.slope, c.intercept, c.ece, c.ici, c.brier, c.brier_scaled];
        v.extend(c.curve.iter().map(|pt| calibration::Estimate {
            value: Some(pt.observed),
            lower: pt.lower,
            upper: pt.upper,
        }));
        v
    };
    let e = measures(&exact);
    let g: Vec<_> = grouped.iter().map(measures).collect();
    assert_eq!(e.len(), 6 + calibration::CURVE_POINTS);
    let (mut worst, mut sum_ratio, mut count) = (0.0f64, 0.0, 0.0);
    for k in 0..e.len() {
        assert_eq!(e[k].value, g[0][k].value, "values on every row ({k})");
        for end in 0..2 {
            let at = |m: &calibration::Estimate| if end == 0 { m.lower } else { m.upper }.unwrap();
            let seeds: Vec<f64> = g.iter().map(|m| at(&m[k])).collect();
            let spread = seeds.iter().cloned().fold(f64::MIN, f64::max)
                - seeds.iter().cloned().fold(f64::MAX, f64::min);
            let error = (at(&g[0][k]) - at(&e[k])).abs();
            assert!(spread > 0.0, "{k}");
            let ratio = error / spread;
            if k < 6 {
                // The six measures: each endpoint well inside the Monte Carlo error.
                assert!(
                    ratio < 0.1,
                    "measure {k} end {end}: error {error}, spread {spread}"
                );
            }
            worst = worst.max(ratio);
            sum_ratio += ratio;
            count += 1.0;
        }
    }
    eprintln!(
        "grouping error / seed spread: worst {worst:.3}, mean {:.3}",
        sum_ratio / count
    );
    // The curve's band too (measured at 24,000 rows: worst 0.014, mean 0.003 of the spread).
    assert!(sum_ratio / count < 0.02, "mean {}", sum_ratio / count);
    assert!(worst < 0.1, "worst {worst}");
}

#[test]
fn separated_outcomes_have_no_slope() {
    let y = [false, false, true, true];
    let p = [0.1, 0.2, 0.8, 0.9];
    let (slope, _) = Rows::new(&y, &p).slope_intercept(&[1.0; 4]);
    assert_eq!(slope, None, "perfect separation: the ML slope is infinite");
    // Through the report, not a large finite number where Newton's method stalled.
    let y = [false, false, false, true, true, true];
    let p = [0.1, 0.2, 0.3, 0.6, 0.7, 0.9];
    assert_eq!(
        calibration::calibration(&y, &p, 1).unwrap().slope.value,
        None
    );
    // Quasi-complete: tied at the boundary, still no maximum.
    let p = [0.1, 0.2, 0.5, 0.5, 0.7, 0.9];
    assert_eq!(
        calibration::calibration(&y, &p, 1).unwrap().slope.value,
        None
    );
    // One overlap is enough for a finite slope.
    let p = [0.1, 0.2, 0.8, 0.3, 0.7, 0.9];
    assert!(calibration::calibration(&y, &p, 1)
        .unwrap()
        .slope
        .value
        .is_some());
}

#[test]
fn decision_curve_matches_dcurves() {
    let (y, p) = reference_rows();
    let d = decision::decision_curve(&y, &p);
    assert_eq!(d.len(), 99);
    close(d[0].threshold, 0.01, 0.0, "first threshold");
    close(d[98].threshold, 0.99, 0.0, "last threshold");
    // dcurves.dca(..., nper=100): (threshold, net_benefit, all, net_intervention_avoided)
    let want = [
        (
            0.05,
            0.4394736842105263,
            0.4473684210526315,
            -14.999999999999941,
        ),
        (
            0.1,
            0.4041666666666666,
            0.41666666666666663,
            -11.250000000000009,
        ),
        (0.2, 0.34374999999999994, 0.34375, -2.220446049250313e-14),
        (
            0.3,
            0.3053571428571429,
            0.24999999999999994,
            12.916666666666684,
        ),
        (0.5, 0.2, -0.050000000000000044, 25.000000000000007),
        (
            0.7,
            0.06250000000000003,
            -0.7499999999999999,
            34.82142857142857,
        ),
    ];
    for (t, nb, all, avoided) in want {
        let pt = d[(t * 100.0_f64).round() as usize - 1];
        close(pt.threshold, t, 1e-15, "threshold");
        close(pt.net_benefit, nb, 1e-12, "net benefit");
        close(pt.treat_all, all, 1e-12, "treat all");
        close(
            pt.interventions_avoided,
            avoided,
            1e-9,
            "interventions avoided",
        );
    }
}

#[test]
fn decision_curve_by_hand() {
    // 10 rows, 4 positive. At pt = 0.25 (odds 1/3): treated p ≥ 0.25 are 0.9 (+), 0.8 (+),
    // 0.6 (−), 0.3 (+), 0.25 (−): TP 3, FP 2 → NB = 0.3 − 0.2/3 = 0.2333…; treat all =
    // 0.4 − 0.6/3 = 0.2; avoided per 100 = (0.2333 − 0.2)·3·100 = 10.
    let y = [
        true, true, false, true, false, false, true, false, false, false,
    ];
    let p = [0.9, 0.8, 0.6, 0.3, 0.25, 0.2, 0.1, 0.1, 0.05, 0.01];
    let d = decision::decision_curve(&y, &p);
    let pt = d[24];
    close(pt.threshold, 0.25, 0.0, "threshold");
    close(pt.net_benefit, 0.3 - 0.2 / 3.0, 1e-12, "net benefit");
    close(pt.treat_all, 0.2, 1e-12, "treat all");
    close(pt.interventions_avoided, 10.0, 1e-9, "avoided");
    let ranges = decision::beneficial(&d);
    assert!(
        ranges.iter().any(|r| r.from <= 0.25 && 0.25 <= r.to),
        "{ranges:?}"
    );
}

#[test]
fn riley_bmj_2020_worked_example() {
    // Riley et al., BMJ 2020;368:m441, binary outcome example (pmsampsize(type = "b",
    // rsquared = 0.288, parameters = 24, prevalence = 0.174)): criterion 1 (shrinkage 0.9)
    // 623, criterion 2 (optimism ≤ 0.05, max R²cs 0.603, shrinkage 0.905) 662, criterion 3
    // (intercept ±0.05) 221: 662 participants, 115.2 events, 4.8 events per parameter.
    let c = sample_size::criteria(24, 0.174, 0.288).unwrap();
    let n: Vec<usize> = c.iter().map(|c| c.n).collect();
    assert_eq!(n, vec![623, 662, 221]);
    close(sample_size::max_r2_cs(0.174), 0.6032, 1e-4, "max R²cs");
    // The same through `sample_size` on data of that prevalence (174 events in 1,000 rows).
    let s = sample_size::sample_size(
        1000,
        174,
        24,
        SampleSizeSpec {
            c_statistic: None,
            r2_cs: Some(0.288),
        },
        "recipe".into(),
    )
    .unwrap();
    assert_eq!(s.required, 662);
    close(s.required_events, 662.0 * 0.174, 1e-9, "events");
    close(s.events_per_parameter, 174.0 / 24.0, 1e-12, "EPP");
}

#[test]
fn intercept_criterion_by_hand() {
    // (1.96 / 0.05)² · 0.5 · 0.5 = 384.16 → 385.
    let c = sample_size::criteria(2, 0.5, 0.1).unwrap();
    assert_eq!(c[2].n, 385);
    // Criterion 1 by hand: 2 / ((0.9 − 1) · ln(1 − 0.1/0.9)) = 169.8 → 170.
    assert_eq!(c[0].n, 170);
}

#[test]
fn c_statistic_converts_as_the_simulation() {
    // python3 tests/reference/sample_size.py (a million simulated rows, as pmsampsize).
    for (c, prev, want) in [
        (0.8, 0.174, 0.1671117537324036),
        (0.89, 0.174, 0.290839248139355),
        (0.7, 0.05, 0.0255690753559199),
    ] {
        let r2 = sample_size::r2_cs_from_c(c, prev);
        close(r2, want, 2e-3, &format!("R²cs of C = {c} at {prev}"));
    }
}

#[test]
fn bad_sample_size_options_are_rejected() {
    for bad in [
        r#"{"c_statistic": 0.4}"#,
        r#"{"r2_cs": 1.5}"#,
        r#"{}"#,
        r#"{"c_statistic": 0.8, "r2_cs": 0.2}"#,
        r#"{"auc": 0.8}"#,
    ] {
        let recipe = common::recipe_json(
            "[]",
            "[]",
            r#"[{"kind": "logistic_regression"}]"#,
            &format!(r#"{{"method": "stratified_kfold", "folds": 3, "sample_size": {bad}}}"#),
        );
        let err = bedside::recipe::Recipe::from_json(&recipe)
            .unwrap_err()
            .to_string();
        assert!(err.contains("sample_size"), "{bad}: {err}");
    }
}

fn run(evaluation: &str, n: usize) -> bedside::report::Report {
    let csv = common::patients_csv(n, 3);
    let recipe = common::recipe_json(
        r#"[{"op": "drop", "columns": ["name", "mrn"]}]"#,
        r#"[{"op": "impute", "strategy": "median"}, {"op": "one_hot"}]"#,
        r#"[{"kind": "logistic_regression"}, {"kind": "decision_tree", "max_depth": 3}]"#,
        &evaluation.replacen(
            '{',
            r#"{"compare_original": false, "permutation_repeats": 0, "#,
            1,
        ),
    );
    let recipe = bedside::recipe::Recipe::from_json(&recipe).unwrap();
    bedside::run_file(csv.as_bytes(), "t.csv", &recipe, &mut |_| true, &|| 0.0)
        .unwrap()
        .report
}

#[test]
fn a_run_reports_calibration_decision_curve_and_sample_size() {
    let r = run(r#"{"method": "stratified_kfold", "folds": 3}"#, 300);
    for m in &r.models {
        let c = m.calibration.as_ref().expect("calibration");
        assert!(
            c.slope.value.is_some() && c.brier.lower.is_some(),
            "{} {:?}",
            m.kind,
            c.slope
        );
        assert!(!c.curve.is_empty());
        assert_eq!(m.decision_curve.len(), 99);
    }
    let json = serde_json::to_value(&r).unwrap();
    let cal = &json["models"][0]["calibration"];
    for k in ["slope", "intercept", "ece", "ici", "brier", "brier_scaled"] {
        assert!(cal[k]["value"].is_number(), "{k}");
        assert!(
            cal[k]["lower"].is_number() && cal[k]["upper"].is_number(),
            "{k}"
        );
    }
    let s = r.sample_size.as_ref().expect("sample size");
    let target = r.target.as_ref().unwrap();
    assert_eq!(s.events, target.counts[1]);
    assert_eq!(s.rows, 300 - target.missing);
    assert_eq!(
        s.parameters,
        r.evaluation.as_ref().unwrap().model_inputs.len()
    );
    let auc = r.models[0].metrics["roc_auc"].mean.unwrap();
    assert_eq!(s.anticipated.c_statistic, Some(auc));
    assert!(s.anticipated.source.contains("logistic_regression"));
    assert_eq!(s.criteria.len(), 3);
    assert_eq!(s.required, s.criteria.iter().map(|c| c.n).max().unwrap());
    let warned = r.warnings.iter().any(|w| w.contains("Riley"));
    assert_eq!(warned, s.rows < s.required, "{:?}", r.warnings);
}

#[test]
fn a_recipe_anticipated_r2_is_used_and_small_data_is_warned() {
    let r = run(
        r#"{"method": "stratified_kfold", "folds": 3, "sample_size": {"r2_cs": 0.05}}"#,
        120,
    );
    let s = r.sample_size.as_ref().unwrap();
    assert_eq!(s.anticipated.source, "recipe");
    assert_eq!(s.anticipated.r2_cs, 0.05);
    assert!(s.required > 120, "{}", s.required);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("Riley") && w.contains(&s.required.to_string())),
        "{:?}",
        r.warnings
    );
    // The recipe round-trips with its sample_size.
    let again = serde_json::to_value(&r.recipe).unwrap();
    assert_eq!(again["evaluation"]["sample_size"]["r2_cs"], 0.05);
}
