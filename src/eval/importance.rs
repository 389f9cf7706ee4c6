//! Explanations: permutation importance (any model) and impurity importance (trees).
//!
//! **Permutation importance** is measured on each test fold, as scikit-learn's
//! `permutation_importance` on held-out rows: the fitted model's score (ROC-AUC for
//! classification, R² for regression) minus its score after shuffling one input column,
//! averaged over 5 seeded shuffles (`evaluation.permutation_repeats`; 0 turns it off). Per input
//! it reports the mean and the population std over the splits. Inputs are the columns the models
//! see (after one-hot encoding); a column that exists only in some splits (a category absent
//! from a training split) is averaged over the splits that have it. Splits whose score is
//! undefined (a one-row or one-class test fold, as with leave-one-out) are skipped.
//!
//! Its cost is kept to a fraction of the fit's (issue #16):
//! - **Sample cap** (`evaluation.permutation_max_samples`, default [`DEFAULT_MAX_SAMPLES`]):
//!   a test fold with more rows is measured on a seeded sample of that many rows (as
//!   scikit-learn's `max_samples`, but one sample for every input and shuffle, so that the
//!   intact and the shuffled scores are paired on the same rows). Folds at or below the cap are
//!   measured on all their rows, exactly as before the cap existed.
//! - **Inputs in parallel**: the shuffles are drawn in the same sequence as one after another
//!   (so the result is the same bits on any number of threads and in wasm), then the inputs are
//!   scored on [`crate::par`]'s threads, results in input order.
//! - **Tree ensembles** (decision tree, random forest, boosting): each tree's leaf value per row
//!   is computed once; shuffling input j re-walks only the trees whose path for that row tests
//!   j, and a row no tree of which tests j keeps its prediction. The prediction of a re-walked
//!   row is summed over the trees in the same order as the model's own `predict`, so the scores
//!   are the same bits as predicting the shuffled matrix.
//!
//! **Impurity importance** (trees, forests, boosting): each model's own normalised total
//! impurity decrease (split gain for boosting), averaged over the splits the same way.

use crate::models::tree::FlatTree;
use crate::models::{ClassifierModel, Fitted, RegressorModel};
use ndarray::{Array2, ArrayView1};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Shuffles per input column unless `evaluation.permutation_repeats` says otherwise.
pub const DEFAULT_REPEATS: usize = 5;

/// Test rows permutation importance is measured on at most, unless
/// `evaluation.permutation_max_samples` says otherwise (0: every row). The estimate's error
/// shrinks as 1/√rows: ROC-AUC on 10,000 rows has a standard error of about 0.003–0.005, and the
/// paired difference of the intact and shuffled scores on the same rows is smaller still, well
/// under the importances users compare (0.01 and above); measuring all 100,000 rows of a large
/// fold would cost ten times as much for a hundredth of a point.
pub const DEFAULT_MAX_SAMPLES: usize = 10_000;

/// Inputs whose shuffles are drawn and held at once (then scored in parallel): bounds the
/// memory of the drawn permutations to `BATCH × repeats × rows` indices.
const BATCH: usize = 16;

/// How a model's prediction is read for permutation importance: any model by predicting a
/// matrix, or a tree ensemble by its trees (see the module doc).
pub enum Predictor<'a> {
    Any(&'a (dyn Fn(&Array2<f64>) -> Vec<f64> + Sync)),
    Trees(Ensemble<'a>),
}

/// A tree ensemble's prediction: `finish(baseline + Σ leaf values)` over `trees` in order, or
/// their mean.
pub struct Ensemble<'a> {
    pub trees: &'a [FlatTree],
    pub combine: Combine,
}

/// How an ensemble's leaf values make a prediction.
#[derive(Debug, Clone, Copy)]
pub enum Combine {
    /// Σ leaf values / number of trees (random forest; a single tree).
    Mean,
    /// baseline + Σ leaf values, then the sigmoid when `probability` (boosting).
    Sum { baseline: f64, probability: bool },
}

impl<'a> Predictor<'a> {
    /// The tree form of a fitted model when it is a tree ensemble, else `predict`.
    pub fn of(
        fitted: &'a Fitted,
        predict: &'a (dyn Fn(&Array2<f64>) -> Vec<f64> + Sync),
    ) -> Predictor<'a> {
        use crate::models::gradient_boosting::{Boosted, Loss};
        let boosted = |b: &'a Boosted| Ensemble {
            trees: &b.trees,
            combine: Combine::Sum {
                baseline: b.baseline,
                probability: b.loss == Loss::LogLoss,
            },
        };
        let ensemble = match fitted {
            Fitted::Classifier(ClassifierModel::DecisionTree(t)) => Some(Ensemble {
                trees: std::slice::from_ref(t),
                combine: Combine::Mean,
            }),
            Fitted::Classifier(ClassifierModel::RandomForest(f))
            | Fitted::Regressor(RegressorModel::RandomForest(f)) => Some(Ensemble {
                trees: &f.trees,
                combine: Combine::Mean,
            }),
            Fitted::Classifier(ClassifierModel::GradientBoosting(b))
            | Fitted::Regressor(RegressorModel::GradientBoosting(b)) => Some(boosted(b)),
            _ => None,
        };
        match ensemble {
            Some(e) => Predictor::Trees(e),
            None => Predictor::Any(predict),
        }
    }
}

/// A score of predictions of the rows given (`None`: every row, in order).
pub type SampleScore<'a> = dyn Fn(Option<&[usize]>, &[f64]) -> Option<f64> + Sync + 'a;

/// The decrease in `score` when each column of `x` is shuffled (mean over `repeats`
/// shuffles); `None` if the score on the intact rows is undefined or `repeats` is 0. With more
/// than `max_samples` rows (0: no cap) a seeded sample of `max_samples` rows is measured; `score`
/// is then given the sample's rows `rows` (`Some`) to score predictions of, else all rows
/// (`None`).
pub fn permutation(
    x: &Array2<f64>,
    predictor: &Predictor,
    score: &SampleScore,
    repeats: usize,
    max_samples: usize,
    seed: u64,
) -> Option<Vec<f64>> {
    permutation_with_progress(
        x,
        predictor,
        score,
        repeats,
        max_samples,
        seed,
        &mut |_, _| Ok(()),
    )
    .unwrap_or(None)
}

/// As [`permutation`], telling `on_batch(done, inputs)` after each batch of [`BATCH`] inputs
/// is scored (`done` of the `inputs` columns); an error from it stops (a cancelled run).
pub fn permutation_with_progress(
    x: &Array2<f64>,
    predictor: &Predictor,
    score: &SampleScore,
    repeats: usize,
    max_samples: usize,
    seed: u64,
    on_batch: &mut dyn FnMut(usize, usize) -> crate::error::Result<()>,
) -> crate::error::Result<Option<Vec<f64>>> {
    if repeats == 0 {
        return Ok(None);
    }
    let sample = (max_samples > 0 && x.nrows() > max_samples).then(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5A4D_504C_4553);
        let mut rows: Vec<usize> = (0..x.nrows()).collect();
        let mut chosen = rows.partial_shuffle(&mut rng, max_samples).0.to_vec();
        chosen.sort_unstable();
        chosen
    });
    let sampled;
    let xs = match &sample {
        Some(rows) => {
            sampled = x.select(ndarray::Axis(0), rows);
            &sampled
        }
        None => x,
    };
    let score = |p: &[f64]| score(sample.as_deref(), p);
    match predictor {
        Predictor::Any(predict) => generic(xs, *predict, &score, repeats, seed, on_batch),
        Predictor::Trees(e) => trees(xs, e, &score, repeats, seed, on_batch),
    }
}

/// The shuffles of the inputs `cols`, in the order one input after another draws them from
/// `rng`, each shuffle starting from the last (`perm`): `out[c][r]` is shuffle `r` of input
/// `cols.start + c`.
fn draw(
    cols: std::ops::Range<usize>,
    repeats: usize,
    rng: &mut ChaCha8Rng,
    perm: &mut [u32],
) -> Vec<Vec<Vec<u32>>> {
    cols.map(|_| {
        (0..repeats)
            .map(|_| {
                perm.shuffle(rng);
                perm.to_vec()
            })
            .collect()
    })
    .collect()
}

/// Mean of the score decreases of one input over its shuffles (those with a defined score).
fn mean_drop(base: f64, scores: impl Iterator<Item = Option<f64>>) -> f64 {
    let (mut drop, mut k) = (0.0, 0);
    for s in scores.flatten() {
        drop += base - s;
        k += 1;
    }
    if k > 0 {
        drop / k as f64
    } else {
        0.0
    }
}

/// Any model: the shuffled matrix predicted whole.
fn generic(
    x: &Array2<f64>,
    predict: &(dyn Fn(&Array2<f64>) -> Vec<f64> + Sync),
    score: &(dyn Fn(&[f64]) -> Option<f64> + Sync),
    repeats: usize,
    seed: u64,
    on_batch: &mut dyn FnMut(usize, usize) -> crate::error::Result<()>,
) -> crate::error::Result<Option<Vec<f64>>> {
    let settled = |p: Vec<f64>| -> Vec<f64> { p.into_iter().map(settle).collect() };
    let Some(base) = score(&settled(predict(x))) else {
        return Ok(None);
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<u32> = (0..x.nrows() as u32).collect();
    let mut out = Vec::with_capacity(x.ncols());
    let mut start = 0;
    while start < x.ncols() {
        let end = (start + BATCH).min(x.ncols());
        let shuffles = draw(start..end, repeats, &mut rng, &mut perm);
        // One copy of the rows per thread (not per input): each group of inputs shuffles its
        // own copy, one input after another.
        let groups = crate::par::threads().clamp(1, end - start);
        let per = (end - start).div_ceil(groups);
        let parts = crate::par::map_init(
            groups,
            || (),
            |_, g| {
                let mut xs = x.clone();
                (g * per..((g + 1) * per).min(end - start))
                    .map(|c| {
                        let j = start + c;
                        let drop = mean_drop(
                            base,
                            shuffles[c].iter().map(|perm| {
                                for (i, &src) in perm.iter().enumerate() {
                                    xs[[i, j]] = x[[src as usize, j]];
                                }
                                score(&settled(predict(&xs)))
                            }),
                        );
                        xs.column_mut(j).assign(&x.column(j));
                        drop
                    })
                    .collect::<Vec<f64>>()
            },
        );
        out.extend(parts.into_iter().flatten());
        start = end;
        on_batch(end, x.ncols())?;
    }
    Ok(Some(out))
}

/// The leaf a row reaches in `t`, reading input `j` as `v` (`x <= threshold` goes left).
fn leaf_with(t: &FlatTree, row: ArrayView1<f64>, j: usize, v: f64) -> usize {
    let mut i = 0;
    while !t.nodes[i].leaf {
        let n = &t.nodes[i];
        let value = if n.feature == j { v } else { row[n.feature] };
        i = if value <= n.threshold {
            n.left
        } else {
            n.right
        };
    }
    i
}

/// Cached walks of a tree ensemble over the rows: the leaf value of each tree and row, and
/// which inputs each row's path in each tree tests.
struct Walks {
    /// `values[t * rows + i]`.
    values: Vec<f64>,
    /// `tests[(t * rows + i) * words ..][..words]`: bit j set when the path tests input j.
    tests: Vec<u64>,
    words: usize,
    rows: usize,
}

impl Walks {
    fn new(x: &Array2<f64>, e: &Ensemble) -> Walks {
        let (rows, words) = (x.nrows(), x.ncols().div_ceil(64).max(1));
        let per_tree = crate::par::map_init(
            e.trees.len(),
            || (),
            |_, t| {
                let tree = &e.trees[t];
                let mut values = Vec::with_capacity(rows);
                let mut tests = vec![0u64; rows * words];
                for (i, row) in x.rows().into_iter().enumerate() {
                    let mut k = 0;
                    let bits = &mut tests[i * words..(i + 1) * words];
                    while !tree.nodes[k].leaf {
                        let n = &tree.nodes[k];
                        bits[n.feature / 64] |= 1 << (n.feature % 64);
                        k = if row[n.feature] <= n.threshold {
                            n.left
                        } else {
                            n.right
                        };
                    }
                    values.push(tree.nodes[k].value);
                }
                (values, tests)
            },
        );
        let mut values = Vec::with_capacity(rows * e.trees.len());
        let mut tests = Vec::with_capacity(rows * words * e.trees.len());
        for (v, b) in per_tree {
            values.extend(v);
            tests.extend(b);
        }
        Walks {
            values,
            tests,
            words,
            rows,
        }
    }

    fn tests(&self, t: usize, i: usize, j: usize) -> bool {
        self.tests[(t * self.rows + i) * self.words + j / 64] >> (j % 64) & 1 == 1
    }
}

impl Ensemble<'_> {
    /// The sum every row's leaf values are added to, tree by tree.
    fn start(&self) -> f64 {
        match self.combine {
            Combine::Mean => 0.0,
            Combine::Sum { baseline, .. } => baseline,
        }
    }

    /// The prediction from the sum of a row's leaf values (added in tree order from
    /// [`Ensemble::start`], as the model's own `predict` adds them).
    fn finish(&self, sum: f64) -> f64 {
        match self.combine {
            Combine::Mean => sum / self.trees.len().max(1) as f64,
            Combine::Sum {
                probability: true, ..
            } => crate::models::gradient_boosting::sigmoid(sum),
            Combine::Sum { .. } => sum,
        }
    }
}

/// A tree ensemble: only the paths that test the shuffled input are walked again; the others
/// keep their cached leaf value. Sums go tree by tree over the rows, in tree order.
fn trees(
    x: &Array2<f64>,
    e: &Ensemble,
    score: &(dyn Fn(&[f64]) -> Option<f64> + Sync),
    repeats: usize,
    seed: u64,
    on_batch: &mut dyn FnMut(usize, usize) -> crate::error::Result<()>,
) -> crate::error::Result<Option<Vec<f64>>> {
    let n = x.nrows();
    let walks = Walks::new(x, e);
    let nt = e.trees.len();
    let mut sums = vec![e.start(); n];
    for t in 0..nt {
        for (s, v) in sums.iter_mut().zip(&walks.values[t * n..(t + 1) * n]) {
            *s += v;
        }
    }
    let Some(base) = score(
        &sums
            .iter()
            .map(|&v| settle(e.finish(v)))
            .collect::<Vec<_>>(),
    ) else {
        return Ok(None);
    };
    // Per input, whether a tree tests it anywhere (the others never change a row).
    let used: Vec<Vec<bool>> = e
        .trees
        .iter()
        .map(|t| {
            let mut u = vec![false; x.ncols()];
            t.nodes
                .iter()
                .filter(|nd| !nd.leaf)
                .for_each(|nd| u[nd.feature] = true);
            u
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut out = Vec::with_capacity(x.ncols());
    let mut start = 0;
    while start < x.ncols() {
        let end = (start + BATCH).min(x.ncols());
        let shuffles = draw(start..end, repeats, &mut rng, &mut perm);
        out.extend(crate::par::map_init(
            end - start,
            || vec![0.0; n],
            |sums, c| {
                let j = start + c;
                mean_drop(
                    base,
                    shuffles[c].iter().map(|perm| {
                        sums.fill(e.start());
                        for (t, tree) in e.trees.iter().enumerate() {
                            let values = &walks.values[t * n..(t + 1) * n];
                            if !used[t][j] {
                                for (s, v) in sums.iter_mut().zip(values) {
                                    *s += v;
                                }
                                continue;
                            }
                            for (i, s) in sums.iter_mut().enumerate() {
                                *s += if walks.tests(t, i, j) {
                                    let v = x[[perm[i] as usize, j]];
                                    tree.nodes[leaf_with(tree, x.row(i), j, v)].value
                                } else {
                                    values[i]
                                };
                            }
                        }
                        let p: Vec<f64> = sums.iter().map(|&v| settle(e.finish(v))).collect();
                        score(&p)
                    }),
                )
            },
        ));
        start = end;
        on_batch(end, x.ncols())?;
    }
    Ok(Some(out))
}

/// A prediction rounded to 12 significant digits before scoring: `exp` may differ in the last
/// bit between the native and the wasm math library, and a near-tie of two predictions must not
/// count as a tie for the AUC on one platform only (same recipe, same report).
fn settle(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(11 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// One input's importance over the splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub feature: String,
    pub mean: f64,
    pub std: f64,
    /// Splits that measured it.
    pub splits: usize,
}

/// Collects per-split values by input name.
#[derive(Debug, Default, Clone)]
pub struct Collector {
    values: BTreeMap<String, Vec<f64>>,
    /// First-seen order of the names, for stable output on ties.
    order: Vec<String>,
}

impl Collector {
    pub fn add(&mut self, names: &[String], values: &[f64]) {
        for (n, v) in names.iter().zip(values) {
            if !self.values.contains_key(n) {
                self.order.push(n.clone());
            }
            self.values.entry(n.clone()).or_default().push(*v);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Mean and population std per input, most important first.
    pub fn summary(&self) -> Vec<FeatureImportance> {
        let mut out: Vec<FeatureImportance> = self
            .order
            .iter()
            .map(|n| {
                let v = &self.values[n];
                let k = v.len() as f64;
                let mean = v.iter().sum::<f64>() / k;
                let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / k).sqrt();
                FeatureImportance {
                    feature: n.clone(),
                    mean,
                    std,
                    splits: v.len(),
                }
            })
            .collect();
        out.sort_by(|a, b| b.mean.total_cmp(&a.mean));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::roc_auc;
    use ndarray::array;

    #[test]
    fn only_the_used_column_matters() {
        // The "model" reads column 0 only; shuffling column 1 changes nothing.
        let x = array![
            [0.1, 5.0],
            [0.2, 4.0],
            [0.8, 3.0],
            [0.9, 2.0],
            [0.3, 1.0],
            [0.7, 0.0]
        ];
        let y = [false, false, true, true, false, true];
        let predict = |m: &Array2<f64>| m.column(0).to_vec();
        let score = |_: Option<&[usize]>, p: &[f64]| roc_auc(&y, p);
        let imp = permutation(&x, &Predictor::Any(&predict), &score, 5, 0, 3).unwrap();
        assert_eq!(
            permutation(&x, &Predictor::Any(&predict), &score, 0, 0, 3),
            None
        );
        assert!(imp[0] > 0.2, "{imp:?}");
        assert_eq!(imp[1], 0.0);
    }

    #[test]
    fn collector_averages_by_name_and_sorts() {
        let mut c = Collector::default();
        c.add(&["a".into(), "b".into()], &[0.1, 0.4]);
        c.add(&["b".into(), "c".into()], &[0.2, 0.05]);
        let s = c.summary();
        assert_eq!(s[0].feature, "b");
        assert!((s[0].mean - 0.3).abs() < 1e-12 && (s[0].std - 0.1).abs() < 1e-12);
        assert_eq!(s[0].splits, 2);
        assert_eq!(s[2].feature, "c");
    }
}
