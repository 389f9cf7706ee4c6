//! Time-to-event analysis: Kaplan–Meier and log-rank on a textbook example, Harrell's C by
//! hand, the Cox model against lifelines on the Rossi recidivism data, and a survival recipe
//! through the CLI.
//!
//! Reference numbers: `python scripts/survival-reference.py` (lifelines 0.30.3). Data:
//! tests/data/rossi.csv, the Rossi recidivism data (Rossi, Berk & Lenihan 1980, "Money, Work
//! and Crime"), as shipped by lifelines (`lifelines.datasets.load_rossi`).

use crate::common;
use bedside::survival::{concordance, cox, km, logrank};
use common::{bedside, rossi, temp};
use ndarray::Array2;

/// Freireich et al. (1963) leukaemia remission times, 6-MP arm (`+`: censored), as worked in
/// Kleinbaum & Klein, *Survival Analysis*, ch. 2, and the placebo arm (all relapsed).
fn six_mp() -> (Vec<f64>, Vec<bool>) {
    let t = [
        6., 6., 6., 7., 10., 13., 16., 22., 23., 6., 9., 10., 11., 17., 19., 20., 25., 32., 32.,
        34., 35.,
    ];
    let e = (0..21).map(|i| i < 9).collect();
    (t.to_vec(), e)
}

fn placebo() -> Vec<f64> {
    vec![
        1., 1., 2., 2., 3., 4., 4., 5., 5., 8., 8., 8., 8., 11., 11., 12., 12., 15., 17., 22., 23.,
    ]
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn kaplan_meier_of_the_textbook_6mp_arm() {
    let (t, e) = six_mp();
    let curve = km::kaplan_meier(&t, &e);
    // Kleinbaum & Klein's table: S(t) at the event times 6, 7, 10, 13, 16, 22, 23.
    let expected = [
        (6., 21, 0.8571),
        (7., 17, 0.8067),
        (10., 15, 0.7529),
        (13., 12, 0.6902),
        (16., 11, 0.6275),
        (22., 7, 0.5378),
        (23., 6, 0.4482),
    ];
    for (time, at_risk, s) in expected {
        let p = curve.iter().find(|p| p.time == time).unwrap();
        assert_eq!(p.at_risk, at_risk, "at risk at {time}");
        assert!((p.survival - s).abs() < 5e-5, "S({time}) = {}", p.survival);
    }
    // Censoring-only times are points of the curve too, without a step.
    let p9 = curve.iter().find(|p| p.time == 9.0).unwrap();
    assert_eq!((p9.events, p9.censored), (0, 1));
    assert!((p9.survival - 0.8067).abs() < 5e-5);
    // Greenwood at 6 by hand: v = 3 / (21 · 18); log-log band S^exp(∓1.96 √v / log S).
    let (s, v): (f64, f64) = (18.0 / 21.0, 3.0 / (21.0 * 18.0));
    let h = 1.959963984540054 * v.sqrt() / s.ln();
    let p6 = &curve[0];
    assert!(close(p6.lower.unwrap(), s.powf((-h).exp()), 1e-12));
    assert!(close(p6.upper.unwrap(), s.powf(h.exp()), 1e-12));
    // The median is the first time S ≤ 0.5: 23 weeks.
    assert_eq!(km::median(&curve).median, Some(23.0));
}

#[test]
fn log_rank_of_the_textbook_leukaemia_trial() {
    let (mut t, mut e) = six_mp();
    t.extend(placebo());
    e.extend([true; 21]);
    let g: Vec<usize> = (0..42).map(|i| (i >= 21) as usize).collect();
    let (stat, df, p, obs, exp) = logrank::log_rank(&t, &e, &g, 2, None).unwrap();
    // Kleinbaum & Klein: O = 9, 21; E = 19.25, 10.75; chi-squared 16.79 (R survdiff: 16.8).
    assert_eq!(df, 1);
    assert_eq!(obs, vec![9.0, 21.0]);
    assert!(
        (exp[0] - 19.25).abs() < 0.01 && (exp[1] - 10.75).abs() < 0.01,
        "{exp:?}"
    );
    assert!((stat - 16.79).abs() < 0.01, "{stat}");
    assert!(p < 1e-4);
}

#[test]
fn stratified_log_rank_sums_the_strata() {
    let (t, e, _) = rossi();
    let x = rossi_inputs();
    let fin: Vec<usize> = (0..t.len()).map(|i| x[(i, 0)] as usize).collect();
    let race: Vec<usize> = (0..t.len()).map(|i| x[(i, 2)] as usize).collect();
    // Unstratified: lifelines' logrank_test by fin.
    let (stat, _, p, _, _) = logrank::log_rank(&t, &e, &fin, 2, None).unwrap();
    assert!(close(stat, 3.837569576549052, 1e-9), "{stat}");
    assert!(close(p, 0.050116117409005845, 1e-7), "{p}");
    // One stratum is the unstratified test.
    let one = vec![0; t.len()];
    let same = logrank::log_rank(&t, &e, &fin, 2, Some(&one)).unwrap();
    assert!(close(same.0, stat, 1e-12));
    // Stratified by race: (U₀ + U₁)² / (V₀ + V₁), each stratum's U and V from its own test
    // (two groups: V = U² / statistic).
    let part = |r: usize| {
        let rows: Vec<usize> = (0..t.len()).filter(|&i| race[i] == r).collect();
        let tt: Vec<f64> = rows.iter().map(|&i| t[i]).collect();
        let ee: Vec<bool> = rows.iter().map(|&i| e[i]).collect();
        let gg: Vec<usize> = rows.iter().map(|&i| fin[i]).collect();
        let (s, _, _, o, x) = logrank::log_rank(&tt, &ee, &gg, 2, None).unwrap();
        let u = o[0] - x[0];
        (u, u * u / s)
    };
    let ((u0, v0), (u1, v1)) = (part(0), part(1));
    let stratified = logrank::log_rank(&t, &e, &fin, 2, Some(&race)).unwrap();
    assert!(close(stratified.0, (u0 + u1).powi(2) / (v0 + v1), 1e-9));
    assert!(
        (stratified.0 - stat).abs() > 1e-3,
        "stratifying changes the statistic"
    );
    // Four groups (prio capped at 3): lifelines' multivariate_logrank_test, 3 df.
    let prio: Vec<usize> = (0..t.len()).map(|i| (x[(i, 6)] as usize).min(3)).collect();
    let (s4, df4, p4, _, _) = logrank::log_rank(&t, &e, &prio, 4, None).unwrap();
    assert_eq!(df4, 3);
    assert!(close(s4, 13.58387092049222, 1e-9), "{s4}");
    assert!(close(p4, 0.00352994474469132, 1e-7), "{p4}");
}

#[test]
fn harrell_c_by_hand_with_tied_and_censored_times() {
    // Comparable pairs (i had the event, j observed longer, or censored at i's time):
    // row 0 with rows 1-5: 5 concordant; row 1 (t=2) with row 3 (censored at 2, higher risk:
    // discordant), row 4 (tied risk: ½), row 5 (concordant); row 2 (t=2, risk 0) with rows 3,
    // 4, 5: discordant; rows 1 and 2 (both events at 2) are not comparable; row 4 with row 5:
    // concordant. 7.5 / 12.
    let t = [1., 2., 2., 2., 3., 4.];
    let e = [true, true, true, false, true, false];
    let r = [5., 3., 0., 4., 3., 1.];
    assert_eq!(concordance::harrell(&t, &e, &r), Some(7.5 / 12.0));
    // Reversed scores: the complement, ties still ½.
    let neg: Vec<f64> = r.iter().map(|v| -v).collect();
    assert_eq!(concordance::harrell(&t, &e, &neg), Some(4.5 / 12.0));
    // Resample weights count pairs by the product of their rows' weights: doubling row 0 adds
    // its 5 concordant pairs once more.
    let w = [2., 1., 1., 1., 1., 1.];
    assert_eq!(
        concordance::harrell_weighted(&t, &e, &r, &w),
        Some(12.5 / 17.0)
    );
    // No comparable pair: no C.
    assert_eq!(
        concordance::harrell(&[1., 2.], &[false, false], &[1., 2.]),
        None
    );
}

#[test]
fn uno_c_weights_by_the_censoring_curve() {
    let t = [1., 2., 2., 2., 3., 4.];
    let e = [true, true, true, false, true, false];
    let r = [5., 3., 0., 4., 3., 1.];
    // Without censoring in the training rows G = 1: Uno's C is Harrell's (truncated at 3).
    let g = concordance::censoring_curve(&[1., 2., 3.], &[true, true, true]);
    assert_eq!(
        concordance::uno(&t, &e, &r, &g, 3.0),
        concordance::harrell(&t, &e, &r)
    );
    // G from training rows censored at 1.5 (one of four): G(t−) = 1 at 1, 2/3 at 2 and 3.
    // Weights 1 (row 0, 5 pairs), 9/4 (rows 1, 2, 4): (5 + 9/4 · 2.5) / (5 + 9/4 · 7).
    let g = concordance::censoring_curve(&[1., 1.5, 2., 3.], &[true, false, true, true]);
    let c = concordance::uno(&t, &e, &r, &g, 3.0).unwrap();
    assert!(
        close(c, (5.0 + 2.25 * 2.5) / (5.0 + 2.25 * 7.0), 1e-12),
        "{c}"
    );
    // Truncated at 2: row 4's pair drops out.
    let c2 = concordance::uno(&t, &e, &r, &g, 2.0).unwrap();
    assert!(
        close(c2, (5.0 + 2.25 * 1.5) / (5.0 + 2.25 * 6.0), 1e-12),
        "{c2}"
    );
}

fn rossi_inputs() -> Array2<f64> {
    let (_, _, x) = rossi();
    Array2::from_shape_vec((x.len(), 7), x.concat()).unwrap()
}

const NAMES: [&str; 7] = ["fin", "age", "race", "wexp", "mar", "paro", "prio"];

#[test]
fn kaplan_meier_of_rossi_matches_lifelines() {
    let (t, e, _) = rossi();
    let curve = km::kaplan_meier(&t, &e);
    // lifelines KaplanMeierFitter: survival_function_ and confidence_interval_.
    let expected = [
        (
            1.0,
            0.9976851851851845,
            0.9836825045751392,
            0.9996736025368231,
        ),
        (
            10.0,
            0.9652777777777775,
            0.9430645979599901,
            0.9789209970666007,
        ),
        (
            20.0,
            0.9074074074074068,
            0.8759221434338968,
            0.9312168840876465,
        ),
        (
            52.0,
            0.7361111111111108,
            0.6918597157964872,
            0.7750631833746743,
        ),
    ];
    for (time, s, lo, hi) in expected {
        let p = curve.iter().find(|p| p.time == time).unwrap();
        assert!(close(p.survival, s, 1e-12), "S({time})");
        assert!(close(p.lower.unwrap(), lo, 1e-9), "lower({time})");
        assert!(close(p.upper.unwrap(), hi, 1e-9), "upper({time})");
    }
    assert_eq!(curve.iter().find(|p| p.time == 20.0).unwrap().at_risk, 397);
    // Survival stays above 0.5: no median (lifelines: inf).
    assert_eq!(km::median(&curve).median, None);
}

#[test]
fn cox_on_rossi_matches_lifelines() {
    let (t, e, _) = rossi();
    let x = rossi_inputs();
    let fit = cox::fit(&x, &t, &e, 0.0).unwrap();
    let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let table = fit.coefficients(&names);
    // lifelines CoxPHFitter().fit(rossi, "week", "arrest").summary: coef, se(coef), exp(coef), p.
    let expected = [
        (
            "fin",
            -0.3794221657180835,
            0.19137948069828947,
            0.6842566819687549,
            0.04741609529662992,
        ),
        (
            "age",
            -0.05743774002920776,
            0.021999470362241924,
            0.9441806732176317,
            0.009031242343955134,
        ),
        (
            "race",
            0.3138997872674409,
            0.30799277660836105,
            1.3687525632396749,
            0.308117967943537,
        ),
        (
            "wexp",
            -0.14979570182124166,
            0.21222429637584322,
            0.8608838354603129,
            0.4802896820962852,
        ),
        (
            "mar",
            -0.43370388118524955,
            0.38186805708539334,
            0.6481041429038426,
            0.25606423909355047,
        ),
        (
            "paro",
            -0.0848710806345732,
            0.1957566718758514,
            0.9186307060555573,
            0.664612372552468,
        ),
        (
            "prio",
            0.09149708173533616,
            0.028648549895298747,
            1.09581357881383,
            0.001404245116920318,
        ),
    ];
    for (row, (name, coef, se, hr, p)) in table.iter().zip(expected) {
        assert_eq!(row.feature, name);
        assert!(
            close(row.coef, coef, 1e-6),
            "{name} coef {} vs {coef}",
            row.coef
        );
        assert!(
            close(row.se.unwrap(), se, 1e-6),
            "{name} se {:?} vs {se}",
            row.se
        );
        assert!(close(row.hazard_ratio, hr, 1e-6), "{name} hr");
        assert!(
            close(row.p.unwrap(), p, 1e-5),
            "{name} p {:?} vs {p}",
            row.p
        );
        let (lo, hi) = (row.lower.unwrap(), row.upper.unwrap());
        assert!(close(lo, (coef - 1.959963984540054 * se).exp(), 1e-6));
        assert!(close(hi, (coef + 1.959963984540054 * se).exp(), 1e-6));
    }
    assert!(
        close(fit.log_likelihood, -658.7476594460858, 1e-9),
        "{}",
        fit.log_likelihood
    );
    // Breslow baseline cumulative hazard at week 52, at the means.
    assert!(close(fit.model.baseline_at(52.0), 0.2743728376430713, 1e-6));
    // proportional_hazard_test(cph, rossi, time_transform="km"): statistic and p.
    let ph = [
        ("age", 11.030293836479157, 0.0008963493891038642),
        ("fin", 0.019130026636667654, 0.8899943640127133),
        ("mar", 0.6008741780213073, 0.4382446818218345),
        ("paro", 0.11572096517726899, 0.7337226026385841),
        ("prio", 0.022545537329335046, 0.8806449202527544),
        ("race", 1.437456146740426, 0.23055143515700555),
        ("wexp", 7.4754713505480215, 0.006254518907582418),
    ];
    for (name, stat, p) in ph {
        let row = table.iter().find(|r| r.feature == name).unwrap();
        assert!(
            close(row.ph_statistic.unwrap(), stat, 1e-5),
            "{name} ph {:?} vs {stat}",
            row.ph_statistic
        );
        assert!(close(row.ph_p.unwrap(), p, 1e-4), "{name} ph p");
    }
    // Harrell's C of the risk score on all rows (lifelines concordance_index).
    let risk = fit.model.predict(&x);
    let c = concordance::harrell(&t, &e, &risk).unwrap();
    assert!(close(c, 0.6403292470997135, 1e-9), "{c}");
}

#[test]
fn ridge_cox_on_rossi_matches_lifelines() {
    let (t, e, _) = rossi();
    let fit = cox::fit(&rossi_inputs(), &t, &e, 0.1).unwrap();
    // CoxPHFitter(penalizer=0.1): coef, se(coef).
    let expected = [
        (-0.2733417235163937, 0.1608421806575084),
        (-0.03599486919502784, 0.015390569529790748),
        (0.20320647036749404, 0.2500536570677208),
        (-0.20177872618565307, 0.17028127997478867),
        (-0.313225856063024, 0.2795309874943738),
        (-0.05786291789356592, 0.16526816966950342),
        (0.07084992011668373, 0.025708526989348997),
    ];
    for (j, (coef, se)) in expected.into_iter().enumerate() {
        assert!(
            close(fit.model.coef[j], coef, 1e-5),
            "{} coef {} vs {coef}",
            NAMES[j],
            fit.model.coef[j]
        );
        assert!(
            close(fit.se[j].unwrap(), se, 1e-4),
            "{} se {:?} vs {se}",
            NAMES[j],
            fit.se[j]
        );
    }
}

#[test]
fn cox_refuses_what_it_cannot_fit() {
    let x = Array2::from_shape_vec((3, 1), vec![1., 2., 3.]).unwrap();
    let err = cox::fit(&x, &[1., 2., 3.], &[false, false, false], 0.0).unwrap_err();
    assert!(err.to_string().contains("no event"), "{err}");
    // Perfect separation: the coefficient runs off; a penalizer brings it back.
    let x = Array2::from_shape_vec((4, 1), vec![4., 3., 2., 1.]).unwrap();
    let (t, e) = ([1., 2., 3., 4.], [true, true, true, true]);
    assert!(cox::fit(&x, &t, &e, 0.0).is_err());
    assert!(cox::fit(&x, &t, &e, 0.5).is_ok());
    // A full set of one-hot columns: the last is their complement; it is left out (coefficient
    // 0, no standard error) and the fit is the fit without it.
    let (t, e, _) = rossi();
    let fin: Vec<f64> = rossi_inputs().column(0).to_vec();
    let both: Vec<f64> = fin.iter().flat_map(|&f| [f, 1.0 - f]).collect();
    let x2 = Array2::from_shape_vec((fin.len(), 2), both).unwrap();
    let x1 = Array2::from_shape_vec((fin.len(), 1), fin).unwrap();
    let (f2, f1) = (
        cox::fit(&x2, &t, &e, 0.0).unwrap(),
        cox::fit(&x1, &t, &e, 0.0).unwrap(),
    );
    assert!(close(f2.model.coef[0], f1.model.coef[0], 1e-12));
    assert_eq!((f2.model.coef[1], f2.se[1]), (0.0, None));
}

fn survival_recipe(models: &str, evaluation: &str) -> String {
    format!(
        r#"{{"version": 1, "seed": 3, "target": {{"time": "week", "event": "arrest"}},
            "features": [{{"op": "impute", "strategy": "median"}}],
            "models": {models}, "evaluation": {evaluation}}}"#
    )
}

#[test]
fn a_survival_recipe_runs_end_to_end_through_the_cli() {
    let data = temp("rossi.csv", include_str!("data/rossi.csv"));
    let recipe = temp(
        "surv.json",
        &survival_recipe(
            r#"[{"kind": "cox_ph"}]"#,
            r#"{"method": "stratified_kfold", "folds": 5, "groups": "fin", "permutation_repeats": 0}"#,
        ),
    );
    let pred = temp("surv-pred.csv", "");
    let (ok, out, err) = bedside(&[
        "run",
        "--data",
        &data,
        "--recipe",
        &recipe,
        "--predictions",
        &pred,
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["target"]["task"], "survival");
    let s = &v["survival"];
    assert_eq!(s["rows"], 432);
    assert_eq!(s["events"], 114);
    let km = s["kaplan_meier"].as_array().unwrap();
    for group in ["all", "0", "1"] {
        let rows: Vec<_> = km.iter().filter(|p| p["group"] == group).collect();
        assert!(!rows.is_empty(), "group {group}");
        for p in &rows {
            for k in ["time", "survival", "lower", "upper", "at_risk"] {
                assert!(p[k].is_number(), "{group} {k}: {p}");
            }
        }
    }
    let all_52 = km
        .iter()
        .find(|p| p["group"] == "all" && p["time"] == 52.0)
        .unwrap();
    assert!(close(
        all_52["survival"].as_f64().unwrap(),
        0.7361111111111108,
        1e-12
    ));
    // The log-rank test by fin, as lifelines' logrank_test.
    let lr = &s["log_rank"];
    assert!(close(
        lr["statistic"].as_f64().unwrap(),
        3.837569576549052,
        1e-9
    ));
    assert_eq!(lr["df"], 1);
    assert!(lr["p"].is_number());
    assert!(s["medians"].as_array().unwrap().len() == 3);
    // Cross-validated concordance with its bootstrap interval.
    let m = &v["models"][0];
    assert_eq!(m["kind"], "cox_ph");
    let c = &m["metrics"]["c_index"];
    assert_eq!(c["folds"].as_array().unwrap().len(), 5);
    let mean = c["mean"].as_f64().unwrap();
    assert!(mean > 0.55 && mean < 0.75, "{mean}");
    assert!(c["ci"][0].as_f64().unwrap() < c["ci"][1].as_f64().unwrap());
    assert!(m["metrics"]["uno_c"]["mean"].is_number());
    // The fit on all rows (the impute step changes nothing: no missing values) is lifelines'.
    let coefs = m["final"]["coefficients"].as_array().unwrap();
    assert_eq!(coefs.len(), 7);
    let fin = coefs.iter().find(|c| c["feature"] == "fin").unwrap();
    assert!(close(
        fin["coef"].as_f64().unwrap(),
        -0.3794221657180835,
        1e-6
    ));
    for k in [
        "se",
        "hazard_ratio",
        "lower",
        "upper",
        "p",
        "ph_statistic",
        "ph_p",
    ] {
        assert!(fin[k].is_number(), "{k}");
    }
    // Out-of-fold risk scores: one per row, y_true the time with `+` when censored.
    let written = std::fs::read_to_string(&pred).unwrap();
    let mut lines = written.lines();
    // Then the out-of-fold predicted survival at each (default) horizon.
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("row,split,model,y_true,score,survival@"),
        "{header}"
    );
    assert_eq!(header.split(',').count(), 8, "{header}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 432);
    assert!(rows.iter().any(|l| l.split(',').nth(3) == Some("52+")));
    assert!(rows.iter().any(|l| l.split(',').nth(3) == Some("20")));
}

#[test]
fn unusable_outcomes_are_left_out_with_their_reason_and_file_line() {
    // A quoted note spanning three physical lines (record 10) moves every later record two
    // lines down: record 40 (the negative time) starts on line 1 + 40 + 1 + 2 = 44.
    let mut csv = String::from("week,arrest,age,note\n");
    for i in 0..40 {
        let note = if i == 10 {
            "\"seen twice,\nthen\nagain\""
        } else {
            ""
        };
        csv.push_str(&format!(
            "{},{},{},{note}\n",
            5 + i,
            (i % 3 == 0) as u8,
            20 + i % 7
        ));
    }
    csv.push_str("-3,1,30,\n,1,31,\n12,,32,\n12,2,33,\n12,2,34,\n");
    let recipe = survival_recipe(
        r#"[{"kind": "cox_ph"}]"#,
        r#"{"method": "kfold", "folds": 3, "permutation_repeats": 0}"#,
    )
    .replacen('{', r#"{"columns": {"note": "ignore"}, "#, 1);
    let (data, recipe_path) = (temp("unusable.csv", &csv), temp("unusable.json", &recipe));
    let (ok, out, err) = bedside(&["run", "--data", &data, "--recipe", &recipe_path]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rejected = v["survival"]["rejected_rows"].as_array().unwrap();
    let codes: Vec<&str> = rejected
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "survival.time_negative",
            "survival.time_missing",
            "survival.event_missing",
            "survival.event_other",
            "survival.event_other"
        ]
    );
    let rows: Vec<u64> = rejected
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    let lines: Vec<u64> = rejected
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [40, 41, 42, 43, 44]);
    assert_eq!(lines, [44, 45, 46, 47, 48]);
    assert!(rejected[3]["reason"].as_str().unwrap().contains("'2'"));
    assert_eq!(v["survival"]["rows"], 40);
    assert!(v["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["op"] == "exclude_unusable_outcome" && a["rows_affected"] == 5));

    // The same rows in a workbook under a title and a blank row (header on sheet row 3):
    // a left-out row is named by its sheet row.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Follow-up export").unwrap();
    for (c, h) in ["week", "arrest", "age", "note"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for i in 0..41u32 {
        let week = if i == 25 { -3.0 } else { f64::from(5 + i) };
        let r = 3 + i;
        ws.write_number(r, 0, week).unwrap();
        ws.write_number(r, 1, f64::from((i % 3 == 0) as u8))
            .unwrap();
        ws.write_number(r, 2, f64::from(20 + i % 7)).unwrap();
    }
    ws.write_string(13, 3, "seen twice").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let out = bedside::run_file(
        &bytes,
        "followup.xlsx",
        &bedside::recipe::Recipe::from_json(&recipe).unwrap(),
        &mut |_| true,
        &|| 0.0,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let v = serde_json::to_value(&out.report).unwrap();
    let rejected = v["survival"]["rejected_rows"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["code"], "survival.time_negative");
    assert_eq!(rejected[0]["row"], 25);
    // Record 25 is on sheet row 3 (header) + 1 + 25 = 29 (1-based, as Excel numbers rows).
    assert_eq!(rejected[0]["line"], 29);
}

#[test]
fn unsupported_combinations_are_recipe_errors() {
    let csv = include_str!("data/rossi.csv");
    let err = run_err(
        csv,
        &survival_recipe(
            r#"[{"kind": "random_forest"}]"#,
            r#"{"method": "kfold", "folds": 3}"#,
        ),
    );
    assert!(err.contains("models[0]") && err.contains("cox_ph"), "{err}");
    // A Cox model on a class target.
    let recipe = r#"{"version": 1, "target": "arrest", "models": [{"kind": "cox_ph"}]}"#;
    let err = run_err(csv, recipe);
    assert!(err.contains("time-to-event target"), "{err}");
    // The event column named twice, an unknown field, a search.
    let bad = r#"{"version": 1, "target": {"time": "week", "event": "week"}}"#;
    assert!(bedside::recipe::Recipe::from_json(bad).is_err());
    let bad = r#"{"version": 1, "target": {"time": "week", "event": "arrest", "status": 1}}"#;
    assert!(bedside::recipe::Recipe::from_json(bad)
        .unwrap_err()
        .to_string()
        .contains("target"));
    let search =
        r#"[{"kind": "cox_ph", "search": {"method": "grid", "grid": {"penalizer": [0.0, 1.0]}}}]"#;
    let err = run_err(
        csv,
        &survival_recipe(search, r#"{"method": "kfold", "folds": 3}"#),
    );
    assert!(err.contains("search"), "{err}");
    // An event value that is not in the column.
    let recipe = r#"{"version": 1, "target": {"time": "week", "event": "arrest", "event_value": 7},
        "models": [{"kind": "cox_ph"}]}"#;
    let err = run_err(csv, recipe);
    assert!(err.contains("event_value"), "{err}");
}

/// The error of a run that must fail.
fn run_err(csv: &str, recipe: &str) -> String {
    match common::run(csv, recipe) {
        Ok(_) => panic!("the run should have failed"),
        Err(e) => e.to_string(),
    }
}
