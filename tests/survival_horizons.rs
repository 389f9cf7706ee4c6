//! Evaluation of time-to-event models at horizons: the time-dependent AUC, IPCW Brier score and
//! integrated Brier score against scikit-survival 0.28.0, an IPCW Brier score worked by hand,
//! calibration groups on a small case, and a survival recipe's metrics, calibration,
//! `--predictions` columns and applied model file.
//!
//! Reference numbers: `python scripts/survival-reference.py` (the "Horizon metrics" block).
//! Data: synthetic rows made by integer formulas (the same in that script), and
//! tests/data/rossi.csv (see tests/survival.rs).

use crate::common;
use bedside::survival::{calibration, horizons, ipcw};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Rows i = 0..199: time 1 + (53 i mod 97), event when 7 i mod 10 < 6, x = (37 i mod 101) / 100.
fn synthetic() -> (Vec<f64>, Vec<bool>, Vec<f64>) {
    let rows = 0..200u64;
    (
        rows.clone().map(|i| (1 + (53 * i) % 97) as f64).collect(),
        rows.clone().map(|i| (7 * i) % 10 < 6).collect(),
        rows.map(|i| ((37 * i) % 101) as f64 / 100.0).collect(),
    )
}

#[test]
fn horizon_metrics_match_scikit_survival() {
    let (time, event, x) = synthetic();
    let pick = |odd: usize| -> (Vec<f64>, Vec<bool>, Vec<f64>) {
        let idx: Vec<usize> = (odd..200).step_by(2).collect();
        (
            idx.iter().map(|&i| time[i]).collect(),
            idx.iter().map(|&i| event[i]).collect(),
            idx.iter().map(|&i| x[i]).collect(),
        )
    };
    let (tt, te, _) = pick(0);
    let (st, se, sx) = pick(1);
    let g = ipcw::Censoring::fit(&tt, &te);
    let s = |t: f64| -> Vec<f64> {
        sx.iter()
            .map(|&x| (-(t / 40.0) * (2.0 * x - 1.0).exp()).exp())
            .collect()
    };
    let h = [20.0, 45.0, 70.0];
    let auc = [0.5419691735695543, 0.49674092009188286, 0.4596230388070023];
    let brier = [0.22738260699224935, 0.3949338221666237, 0.3593118452616016];
    for k in 0..3 {
        let a = ipcw::auc(&st, &se, &s(h[k]), h[k], &g, None).unwrap();
        assert!(close(a, auc[k], 1e-12), "auc@{}: {a} vs {}", h[k], auc[k]);
        let b = ipcw::brier(&st, &se, &s(h[k]), h[k], &g, None).unwrap();
        assert!(
            close(b, brier[k], 1e-12),
            "brier@{}: {b} vs {}",
            h[k],
            brier[k]
        );
    }
    // The integrated Brier score on the grid of `evaluation.horizons` [20, 45, 70].
    let grid = horizons::ibs_grid(&h);
    let surv: Vec<Vec<f64>> = (0..sx.len())
        .map(|i| grid.iter().map(|&t| s(t)[i]).collect())
        .collect();
    let ibs = ipcw::integrated_brier(&st, &se, &surv, &grid, &g, None).unwrap();
    assert!(close(ibs, 0.36256232166782715, 1e-12), "{ibs}");
}

#[test]
fn ipcw_brier_worked_by_hand() {
    // Training rows: censorings at 2 and 5. G: 1 before 2; at 2, 5 at risk, 1 event (leaves
    // first) and 1 censoring: 1 − 1/4 = 3/4; at 5, 2 at risk, 1 censoring: 3/4 · 1/2 = 3/8.
    let train_t = [1.0, 2.0, 2.0, 4.0, 5.0, 6.0];
    let train_e = [true, true, false, true, false, true];
    let g = ipcw::Censoring::fit(&train_t, &train_e);
    assert_eq!(g.at(2.0), 0.75);
    assert_eq!(g.at(5.5), 0.375);
    // Test rows at t = 3: an event at 1 (S 0.6; term 0.36 / G(1) = 0.36), an event at 2
    // (S 0.5; 0.25 / G(2) = 1/3), a censoring at 2.5 (no term), two followed past 3
    // (S 0.9 and 0.4; (0.01 + 0.36) / G(3) = 0.37 / 0.75).
    let time = [1.0, 2.0, 2.5, 4.0, 7.0];
    let event = [true, true, false, true, false];
    let s3 = [0.6, 0.5, 0.2, 0.9, 0.4];
    let hand = (0.36 + 0.25 / 0.75 + 0.0 + (0.01 + 0.36) / 0.75) / 5.0;
    let b = ipcw::brier(&time, &event, &s3, 3.0, &g, None).unwrap();
    assert!(close(b, hand, 1e-14), "{b} vs {hand}");
    // Weights (a bootstrap resample): the first row drawn twice, the last never.
    let w = [2.0, 1.0, 1.0, 1.0, 0.0];
    let hand_w = (2.0 * 0.36 + 0.25 / 0.75 + 0.01 / 0.75) / 5.0;
    let bw = ipcw::brier(&time, &event, &s3, 3.0, &g, Some(&w)).unwrap();
    assert!(close(bw, hand_w, 1e-14), "{bw} vs {hand_w}");
}

#[test]
fn calibration_groups_on_a_small_case() {
    // 12 rows, 6 events by t = 10: 2 groups of 6, lowest predicted risk first.
    let time = [
        2.0, 4.0, 6.0, 8.0, 12.0, 12.0, 3.0, 5.0, 12.0, 12.0, 12.0, 12.0,
    ];
    let event = [
        true, true, true, true, false, false, true, true, false, false, false, false,
    ];
    let s = [
        0.3, 0.2, 0.4, 0.35, 0.3, 0.25, 0.9, 0.8, 0.85, 0.95, 0.7, 0.75,
    ];
    let c = calibration::calibration(&time, &event, &s, 10.0);
    assert_eq!(c.time, 10.0);
    assert_eq!(c.groups.len(), 2);
    let (low, high) = (&c.groups[0], &c.groups[1]);
    // Low risk: rows 6..11 (S 0.7–0.95): events at 3 and 5 among 6 → KM (5/6)(4/5) = 2/3.
    assert_eq!((low.rows, low.events), (6, 2));
    assert!(close(
        low.predicted,
        (0.9 + 0.8 + 0.85 + 0.95 + 0.7 + 0.75) / 6.0,
        1e-14
    ));
    assert!(close(low.observed, 2.0 / 3.0, 1e-14));
    // High risk: rows 0..5: events at 2, 4, 6, 8 among 6 → KM 2/6.
    assert_eq!((high.rows, high.events), (6, 4));
    assert!(close(high.observed, 1.0 / 3.0, 1e-14));
    for g in [low, high] {
        let (l, u) = (g.lower.unwrap(), g.upper.unwrap());
        assert!(l < g.observed && g.observed < u, "{g:?}");
    }
    assert_eq!(calibration::group_count(1000, 60), 10);
    assert_eq!(calibration::group_count(1000, 23), 4);
}

fn rossi_recipe() -> bedside::recipe::Recipe {
    bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "seed": 3, "target": {"time": "week", "event": "arrest"},
            "models": [{"kind": "cox_ph"}],
            "evaluation": {"method": "stratified_kfold", "folds": 3, "permutation_repeats": 0,
                           "horizons": [26, 10, 40]}}"#,
    )
    .unwrap()
}

#[test]
fn a_survival_run_scores_predicts_and_applies_at_the_horizons() {
    let csv = include_str!("data/rossi.csv");
    let recipe = rossi_recipe();
    let loaded = bedside::load(csv.as_bytes(), "rossi.csv").unwrap();
    let out = loaded.run(&recipe, &mut |_| true, &|| 0.0).unwrap();
    let v = serde_json::to_value(&out.report).unwrap();
    assert_eq!(
        v["survival"]["horizons"],
        serde_json::json!({"times": [10.0, 26.0, 40.0], "source": "recipe"})
    );
    let m = &v["models"][0];
    for k in [
        "auc@10",
        "auc@26",
        "auc@40",
        "brier@10",
        "brier@26",
        "brier@40",
        "integrated_brier",
    ] {
        let s = &m["metrics"][k];
        assert_eq!(s["folds"].as_array().unwrap().len(), 3, "{k}");
        let (mean, pooled) = (s["mean"].as_f64().unwrap(), s["pooled"].as_f64().unwrap());
        let (lo, hi) = (s["ci"][0].as_f64().unwrap(), s["ci"][1].as_f64().unwrap());
        assert!(lo <= pooled && pooled <= hi, "{k}: {s}");
        if k.starts_with("auc") {
            assert!(mean > 0.5 && mean < 0.85, "{k}: {mean}");
        } else {
            assert!(mean > 0.0 && mean < 0.25, "{k}: {mean}");
        }
    }
    assert!(bedside::eval::search::lower_is_better("brier@26"));
    assert!(bedside::eval::search::lower_is_better("integrated_brier"));
    assert!(!bedside::eval::search::lower_is_better("auc@26"));
    // Calibration at each horizon: the 432 pooled rows in risk groups.
    let cal = m["survival_calibration"].as_array().unwrap();
    assert_eq!(cal.len(), 3);
    assert_eq!(cal[0]["time"], 10.0);
    let rows: u64 = cal[2]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(rows, 432);

    // --predictions: survival@T per horizon, the model's survival: within a split (one Cox
    // model), −log S(T) / exp(score) is the model's baseline hazard at T, the same for every row.
    let (text, _) = out.predictions.as_ref().unwrap().to_csv();
    let text = String::from_utf8(text).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("row,split,model,y_true,score,survival@10,survival@26,survival@40")
    );
    let mut h0: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for l in lines {
        let c: Vec<f64> = l
            .split(',')
            .enumerate()
            .filter(|(i, _)| *i != 3)
            .map(|(_, x)| x.parse().unwrap())
            .collect();
        let (split, score, s26) = (c[1] as usize, c[3], c[5]);
        assert!(c[4] >= s26 && s26 >= c[6] && c[6] > 0.0, "{l}");
        h0[split].push(-s26.ln() / score.exp());
    }
    for h in &h0 {
        assert_eq!(h.len(), 144);
        assert!(h.iter().all(|x| close(*x, h[0], 1e-9)), "{h:?}");
    }

    // A model file: the horizons travel with it; each applied row's survival@T is the model's
    // survival at T given its risk score.
    let exported = bedside::bundle::export(
        &loaded.parsed.table,
        &loaded.summary,
        &recipe,
        &out.report,
        0,
        &[7u8; 32],
    )
    .unwrap();
    let bundle = exported.bundle;
    let s = bundle.survival.as_ref().unwrap();
    assert_eq!(
        (s.horizons.clone(), s.follow_up),
        (vec![10.0, 26.0, 40.0], 52.0)
    );
    let bedside::models::Fitted::Survival(model) = &bundle.model else {
        panic!("not a survival model")
    };
    let p = loaded.apply(&bundle).unwrap();
    let info = p.survival.as_ref().unwrap();
    assert_eq!(info.horizons, vec![10.0, 26.0, 40.0]);
    assert_eq!(info.curve_times.len(), 50);
    assert_eq!((info.curve_times[0], info.curve_times[49]), (0.0, 52.0));
    assert_eq!(p.scored.len(), 432);
    for sc in &p.scored {
        let at = sc.survival_at.as_ref().unwrap();
        let curve = sc.curve.as_ref().unwrap();
        assert_eq!((at.len(), curve.len()), (3, 50));
        assert_eq!(curve[0], 1.0);
        assert!(curve.windows(2).all(|w| w[1] <= w[0]));
        assert!(curve[49] <= at[2] && at[2] <= at[1] && at[1] <= at[0]);
    }
    // survival@T = exp(−H0(T) exp(risk)) with the model's own baseline: the same relation the
    // folds' predictions obey, now for the final fit.
    let bedside::survival::model::SurvivalModel::Cox(cox) = model else {
        panic!("a cox_ph recipe exports a Cox model");
    };
    for sc in &p.scored {
        let risk = sc.value.unwrap();
        for (k, &t) in [10.0, 26.0, 40.0].iter().enumerate() {
            let want = (-cox.baseline_at(t) * risk.exp()).exp();
            assert!(close(sc.survival_at.as_ref().unwrap()[k], want, 1e-12));
        }
    }
    let csv_out = String::from_utf8(p.to_csv()).unwrap();
    assert!(csv_out
        .starts_with("row,line,predicted_value,survival@10,survival@26,survival@40,not_scored\n"));
}

#[test]
fn horizons_are_checked() {
    let csv = include_str!("data/rossi.csv");
    let run = |evaluation: &str| -> String {
        let r = format!(
            r#"{{"version": 1, "target": {{"time": "week", "event": "arrest"}},
                "models": [{{"kind": "cox_ph"}}], "evaluation": {evaluation}}}"#
        );
        match common::run(csv, &r) {
            Ok(_) => panic!("the run should have failed: {evaluation}"),
            Err(e) => e.to_string(),
        }
    };
    let e = run(r#"{"method": "kfold", "folds": 3, "horizons": [10, 60]}"#);
    assert!(
        e.contains("horizons")
            && e.contains("horizon 60 is beyond the largest follow-up time (52)"),
        "{e}"
    );
    let e = bedside::recipe::Recipe::from_json(
        r#"{"version": 1, "target": {"time": "week", "event": "arrest"},
            "models": [{"kind": "cox_ph"}], "evaluation": {"method": "kfold", "folds": 3, "horizons": [0]}}"#,
    )
    .map(|_| ())
    .unwrap_err()
    .to_string();
    assert!(e.contains("horizon 0 is not a positive time"), "{e}");
}
