//! Metrics against hand-computed values and scikit-learn's documented examples.

use bedside::eval::metrics::{
    average_precision, classification, mean_std, regression, roc_auc, Confusion, CLASSIFICATION,
};

const Y: [bool; 6] = [true, true, false, false, true, false];
const P: [f64; 6] = [0.9, 0.4, 0.35, 0.8, 0.7, 0.1];

#[test]
fn confusion_counts_at_half() {
    // predicted positive: 0.9 (pos), 0.8 (neg), 0.7 (pos); negative: 0.4 (pos), 0.35, 0.1 (neg)
    assert_eq!(
        Confusion::at(&Y, &P, 0.5),
        Confusion {
            tp: 2,
            fp: 1,
            tn: 2,
            fn_: 1
        }
    );
}

#[test]
fn ratios_by_hand() {
    let (c, v) = classification(&Y, &P, 0.5);
    assert_eq!(c.tp + c.fp + c.tn + c.fn_, 6);
    let expect = [
        4.0 / 6.0,
        2.0 / 3.0,
        2.0 / 3.0,
        2.0 / 3.0,
        4.0 / 6.0,
        7.0 / 9.0,
    ];
    for (got, want) in v.iter().zip(expect) {
        assert!((got.unwrap() - want).abs() < 1e-12, "{got:?} vs {want}");
    }
}

#[test]
fn roc_auc_matches_scikit_learn_documented_example() {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert_eq!(
        roc_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]),
        Some(0.75)
    );
}

#[test]
fn roc_auc_counts_ties_as_half_and_is_undefined_for_one_class() {
    assert_eq!(roc_auc(&[false, true], &[0.5, 0.5]), Some(0.5));
    assert_eq!(roc_auc(&[false, true, true], &[0.2, 0.2, 0.9]), Some(0.75));
    assert_eq!(roc_auc(&[true, true], &[0.1, 0.9]), None);
}

#[test]
fn zero_denominators_give_zero_as_scikit_learn() {
    // Nothing predicted positive: precision 0 (zero_division=0), specificity 1.
    let (c, v) = classification(&[true, false, false], &[0.1, 0.2, 0.3], 0.5);
    assert_eq!(
        c,
        Confusion {
            tp: 0,
            fp: 0,
            tn: 2,
            fn_: 1
        }
    );
    assert_eq!(v[1], Some(0.0));
    assert_eq!(v[3], Some(1.0));
    assert_eq!(v[4], Some(0.0));
}

#[test]
fn mean_and_population_std_skip_undefined_folds() {
    let (m, s) = mean_std(&[Some(0.5), None, Some(1.0)]);
    assert_eq!(m, Some(0.75));
    assert_eq!(s, Some(0.25));
    assert_eq!(mean_std(&[None]), (None, None));
}

#[test]
fn extra_metrics_by_hand_and_as_scikit_learn() {
    // Same rows as above at 0.5: tp 2, fp 1, tn 2, fn 1.
    // balanced accuracy (2/3 + 2/3) / 2; MCC (2·2 − 1·1) / √(3·3·3·3) = 1/3;
    // scikit-learn 1.9.1: average_precision_score 0.8055555555555556,
    // brier_score_loss 0.2054166666666667, log_loss 0.5873179226091825.
    let (_, v) = classification(&Y, &P, 0.5);
    let by_name = |n: &str| v[CLASSIFICATION.iter().position(|m| *m == n).unwrap()].unwrap();
    assert!((by_name("balanced_accuracy") - 2.0 / 3.0).abs() < 1e-12);
    assert!((by_name("mcc") - 1.0 / 3.0).abs() < 1e-12);
    assert!((by_name("pr_auc") - 0.8055555555555556).abs() < 1e-12);
    assert!((by_name("brier") - 0.2054166666666667).abs() < 1e-12);
    assert!((by_name("log_loss") - 0.5873179226091825).abs() < 1e-12);
}

#[test]
fn scikit_learn_documented_examples() {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.83...
    let ap = average_precision(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]).unwrap();
    assert!((ap - 0.8333333333333333).abs() < 1e-12);
    // Tied scores form one threshold: average_precision_score([0,1,1,0,1], [.5,.5,.9,.1,.5]).
    let ap = average_precision(
        &[false, true, true, false, true],
        &[0.5, 0.5, 0.9, 0.1, 0.5],
    )
    .unwrap();
    assert!((ap - 0.8333333333333333).abs() < 1e-12);
    // matthews_corrcoef([+1, +1, +1, -1], [+1, -1, +1, +1]) == -0.33...
    let c = Confusion::at(&[true, true, true, false], &[1.0, 0.0, 1.0, 1.0], 0.5);
    assert!((c.counts().mcc() + 1.0 / 3.0).abs() < 1e-12);
    // brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) == 0.0375
    let (_, v) = classification(&[false, true, true, false], &[0.1, 0.9, 0.8, 0.3], 0.5);
    assert!(
        (v[CLASSIFICATION.iter().position(|m| *m == "brier").unwrap()].unwrap() - 0.0375).abs()
            < 1e-12
    );
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    // == 0.21616...
    let (_, v) = classification(&[true, false, false, true], &[0.9, 0.1, 0.2, 0.65], 0.5);
    let ll = v[CLASSIFICATION
        .iter()
        .position(|m| *m == "log_loss")
        .unwrap()]
    .unwrap();
    assert!((ll - 0.21616187468057912).abs() < 1e-12, "{ll}");
    // Certain and wrong: clipped at machine epsilon, log_loss([1, 0], [0, 1]) == 36.04365338911715.
    let (_, v) = classification(&[true, false], &[0.0, 1.0], 0.5);
    let ll = v[CLASSIFICATION
        .iter()
        .position(|m| *m == "log_loss")
        .unwrap()]
    .unwrap();
    assert!((ll - 36.04365338911715).abs() < 1e-9, "{ll}");
}

#[test]
fn regression_metrics_by_hand() {
    // y = [3, -0.5, 2, 7], p = [2.5, 0, 2, 8] (scikit-learn's documented example):
    // mean_absolute_error 0.5, root_mean_squared_error 0.6123724356957945, r2_score 0.9486081370449679.
    let v = regression(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0]);
    assert!((v[0].unwrap() - 0.5).abs() < 1e-12);
    assert!((v[1].unwrap() - 0.6123724356957945).abs() < 1e-12);
    assert!((v[2].unwrap() - 0.9486081370449679).abs() < 1e-12);
    assert_eq!(regression(&[1.0, 1.0], &[1.0, 2.0])[2], None);
}

/// The bootstrap's metrics (rows in score order, weights by position) equal the weighted
/// metrics of the rows as given, on scores with ties, zero weights and one-class resamples.
#[test]
fn metrics_of_sorted_rows_equal_the_weighted_metrics() {
    use bedside::eval::metrics::{ascending, classification_weighted, SortedRows};
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for case in 0..300 {
        let n = rng.gen_range(1..60);
        // Few distinct scores (many ties) in some cases, a 0/1 score in others.
        let levels = [2, 5, 1000][case % 3];
        let y: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.4)).collect();
        let p: Vec<f64> = (0..n)
            .map(|_| rng.gen_range(0..=levels) as f64 / levels as f64)
            .collect();
        let w: Vec<f64> = (0..n)
            .map(|_| [0.0, 0.0, 1.0, 2.0, 3.0][rng.gen_range(0..5)])
            .collect();
        let threshold = [0.5, 0.3][case % 2];
        let expected = classification_weighted(&y, &p, &w, &ascending(&p), threshold);
        let rows = SortedRows::new(&y, &p, threshold);
        let mut by_position = vec![0.0; n];
        for (r, &wr) in w.iter().enumerate() {
            by_position[rows.position(r)] = wr;
        }
        let got = rows.metrics(&by_position);
        for (k, (a, b)) in expected.iter().zip(&got).enumerate() {
            match (a, b) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                    "case {case}, {}: {a} vs {b}",
                    CLASSIFICATION[k]
                ),
                (a, b) => assert_eq!(
                    a.is_some(),
                    b.is_some(),
                    "case {case}, {}",
                    CLASSIFICATION[k]
                ),
            }
        }
    }
}
