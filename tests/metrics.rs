//! Metrics against hand-computed values and scikit-learn's documented examples.

use bedside::eval::metrics::{classification, mean_std, roc_auc, Confusion};

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
