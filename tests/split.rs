//! Splitting: stratified folds keep class ratios, partition the rows, and are seeded.

use bedside::eval::split::Evaluation;

fn labels(pos: usize, neg: usize) -> Vec<bool> {
    let mut y: Vec<bool> = (0..pos + neg).map(|i| i % (pos + neg) < pos).collect();
    // interleave so that order is not sorted by class
    y.rotate_left(pos / 2);
    y
}

#[test]
fn stratified_folds_keep_the_class_ratio_and_partition_rows() {
    let y = labels(30, 70);
    let folds = Evaluation::StratifiedKfold { folds: 5 }
        .folds(&y, 7)
        .unwrap();
    assert_eq!(folds.len(), 5);
    let mut seen = vec![0; y.len()];
    for f in &folds {
        assert_eq!(f.test.len(), 20);
        assert_eq!(
            f.test.iter().filter(|&&i| y[i]).count(),
            6,
            "each fold holds 30/5 positives"
        );
        assert_eq!(f.train.len() + f.test.len(), y.len());
        assert!(
            f.test.iter().all(|i| !f.train.contains(i)),
            "a row is never in both train and test"
        );
        f.test.iter().for_each(|&i| seen[i] += 1);
    }
    assert!(
        seen.iter().all(|&c| c == 1),
        "every row is tested exactly once"
    );
}

#[test]
fn uneven_classes_differ_by_at_most_one_per_fold() {
    let y = labels(13, 29);
    for f in (Evaluation::StratifiedKfold { folds: 4 })
        .folds(&y, 1)
        .unwrap()
    {
        let pos = f.test.iter().filter(|&&i| y[i]).count();
        assert!(pos == 3 || pos == 4, "{pos}");
        assert!(f.test.len() == 10 || f.test.len() == 11);
    }
}

#[test]
fn same_seed_same_folds_other_seed_other_folds() {
    let y = labels(20, 20);
    let e = Evaluation::StratifiedKfold { folds: 4 };
    assert_eq!(e.folds(&y, 3).unwrap(), e.folds(&y, 3).unwrap());
    assert_ne!(e.folds(&y, 3).unwrap(), e.folds(&y, 4).unwrap());
}

#[test]
fn holdout_takes_the_fraction_of_each_class() {
    let y = labels(40, 60);
    let f = Evaluation::Holdout {
        test_fraction: 0.25,
    }
    .folds(&y, 9)
    .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].test.len(), 25);
    assert_eq!(f[0].test.iter().filter(|&&i| y[i]).count(), 10);
}

#[test]
fn repeated_folds_are_reshuffled() {
    let y = labels(10, 10);
    let f = Evaluation::RepeatedStratifiedKfold {
        folds: 2,
        repeats: 3,
    }
    .folds(&y, 5)
    .unwrap();
    assert_eq!(f.len(), 6);
    assert_ne!(f[0], f[2]);
}

#[test]
fn more_folds_than_the_smaller_class_is_an_error_naming_folds() {
    let e = Evaluation::StratifiedKfold { folds: 5 }
        .folds(&labels(3, 20), 1)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "recipe evaluation, field 'folds': 5 folds but the smaller class has only 3 rows"
    );
}
