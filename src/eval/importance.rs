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
//! - **Tree ensembles** (decision tree, random forest, boosting): the trees are laid out
//!   compactly (16 bytes a node, children side by side) and walked by chunks of rows, one tree
//!   after another. Each row's intact path is walked once per tree; shuffling input j re-walks
//!   only the paths that test j, and only from the first node on the path that tests j (the
//!   nodes above it do not read j, so every shuffled row reaches it); a path that does not test j
//!   keeps its leaf. A re-walked row's prediction is summed over the trees in the same order as
//!   the model's own `predict`, so the scores are the same bits as predicting the shuffled matrix
//!   (tests/speed_semantics.rs compares them with a full re-prediction).
//!
//! **Impurity importance** (trees, forests, boosting): each model's own normalised total
//! impurity decrease (split gain for boosting), averaged over the splits the same way.

use crate::models::tree::FlatTree;
use crate::models::{ClassifierModel, Fitted, RegressorModel};
use ndarray::Array2;
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

/// A tree laid out for walking many rows: breadth first, the two children of a node side by
/// side (the right one at `left + 1`), 16 bytes a node (a [`FlatTree`] node is 64), the leaf
/// values apart. The same thresholds and comparisons as the tree's own walk, so the same leaf.
struct Compact {
    nodes: Vec<CompactNode>,
    /// Leaf value (or any node's value) by compact index.
    value: Vec<f64>,
}

#[derive(Clone, Copy)]
struct CompactNode {
    threshold: f64,
    /// The input tested, or [`LEAF`].
    feature: u32,
    /// Compact index of the left child (the right one follows it).
    left: u32,
}

const LEAF: u32 = u32::MAX;

impl Compact {
    fn new(t: &FlatTree) -> Compact {
        // `order[k]`: the FlatTree index of compact node k.
        let mut order = vec![0usize];
        let mut nodes = Vec::with_capacity(t.nodes.len());
        let mut k = 0;
        while k < order.len() {
            let n = &t.nodes[order[k]];
            nodes.push(if n.leaf {
                CompactNode {
                    threshold: 0.0,
                    feature: LEAF,
                    left: 0,
                }
            } else {
                let left = order.len() as u32;
                order.push(n.left);
                order.push(n.right);
                CompactNode {
                    threshold: n.threshold,
                    feature: n.feature as u32,
                    left,
                }
            });
            k += 1;
        }
        Compact {
            nodes,
            value: order.iter().map(|&o| t.nodes[o].value).collect(),
        }
    }

    /// The next node from inner node `n` for value `v` (`v <= threshold` goes left, as
    /// [`FlatTree::leaf`]; a NaN goes right there too).
    #[inline]
    fn next(n: CompactNode, v: f64) -> usize {
        if v <= n.threshold {
            n.left as usize
        } else {
            n.left as usize + 1
        }
    }

    /// The leaf value a row reaches from node `k`, reading input `j` as `v`.
    #[inline]
    fn walk_from(&self, mut k: usize, row: &[f64], j: usize, v: f64) -> f64 {
        loop {
            let n = self.nodes[k];
            if n.feature == LEAF {
                return self.value[k];
            }
            let f = n.feature as usize;
            k = Self::next(n, if f == j { v } else { row[f] });
        }
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

/// Rows walked together through one tree after another by one thread (the tree stays in its
/// cache while they go through it).
const CHUNK: usize = 256;

/// A tree ensemble (see the module doc). Per tree and row, the intact path is walked once; for
/// each input of the batch it tests, the shuffled rows re-walk only from the first node on that
/// path testing the input (the nodes above it do not read it, so every shuffle reaches it), and a
/// path that does not test the input keeps its leaf. Rows go in chunks on [`crate::par`]'s
/// threads; each row's sums go tree by tree in tree order, so the scores are the same bits as
/// predicting the shuffled matrix, on any number of threads.
fn trees(
    x: &Array2<f64>,
    e: &Ensemble,
    score: &(dyn Fn(&[f64]) -> Option<f64> + Sync),
    repeats: usize,
    seed: u64,
    on_batch: &mut dyn FnMut(usize, usize) -> crate::error::Result<()>,
) -> crate::error::Result<Option<Vec<f64>>> {
    let (n, p) = (x.nrows(), x.ncols());
    let xs = x.as_standard_layout();
    let data = xs
        .as_slice()
        .expect("a standard-layout array is contiguous");
    let row = |i: usize| &data[i * p..(i + 1) * p];
    let compact: Vec<Compact> =
        crate::par::map_init(e.trees.len(), || (), |_, t| Compact::new(&e.trees[t]));
    let chunks = n.div_ceil(CHUNK);
    let rows_of = |ch: usize| ch * CHUNK..((ch + 1) * CHUNK).min(n);
    let intact: Vec<f64> = crate::par::map_init(
        chunks,
        || (),
        |_, ch| {
            let rows = rows_of(ch);
            let mut sums = vec![e.start(); rows.len()];
            for t in &compact {
                for (s, i) in sums.iter_mut().zip(rows.clone()) {
                    *s += t.walk_from(0, row(i), usize::MAX, 0.0);
                }
            }
            sums
        },
    )
    .into_iter()
    .flatten()
    .map(|v| settle(e.finish(v)))
    .collect();
    let Some(base) = score(&intact) else {
        return Ok(None);
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut out = Vec::with_capacity(p);
    let mut start = 0;
    while start < p {
        let end = (start + BATCH).min(p);
        let k = end - start;
        let shuffles = draw(start..end, repeats, &mut rng, &mut perm);
        // The shuffled values themselves: `shuffled[c * repeats + r][i]`.
        let shuffled: Vec<Vec<f64>> = crate::par::map_init(
            k * repeats,
            || (),
            |_, cr| {
                let j = start + cr / repeats;
                shuffles[cr / repeats][cr % repeats]
                    .iter()
                    .map(|&src| data[src as usize * p + j])
                    .collect()
            },
        );
        // Per chunk of rows: `sums[(c * repeats + r) * len + i]`.
        let parts: Vec<Vec<f64>> = crate::par::map_init(
            chunks,
            || vec![usize::MAX; k],
            |first, ch| {
                let rows = rows_of(ch);
                let len = rows.len();
                let mut sums = vec![e.start(); k * repeats * len];
                for t in &compact {
                    for (ii, i) in rows.clone().enumerate() {
                        let r = row(i);
                        // The intact path: its leaf, and the first node testing each input of
                        // the batch.
                        first.fill(usize::MAX);
                        let mut node = 0;
                        loop {
                            let nd = t.nodes[node];
                            if nd.feature == LEAF {
                                break;
                            }
                            let f = nd.feature as usize;
                            if (start..end).contains(&f) && first[f - start] == usize::MAX {
                                first[f - start] = node;
                            }
                            node = Compact::next(nd, r[f]);
                        }
                        let leaf = t.value[node];
                        for (c, &from) in first.iter().enumerate() {
                            let at = c * repeats * len + ii;
                            if from == usize::MAX {
                                for rep in 0..repeats {
                                    sums[at + rep * len] += leaf;
                                }
                            } else {
                                for rep in 0..repeats {
                                    let v = shuffled[c * repeats + rep][i];
                                    sums[at + rep * len] += t.walk_from(from, r, start + c, v);
                                }
                            }
                        }
                    }
                }
                sums
            },
        );
        let scores: Vec<Option<f64>> = crate::par::map_init(
            k * repeats,
            || (),
            |_, cr| {
                let pred: Vec<f64> = parts
                    .iter()
                    .flat_map(|sums| {
                        let len = sums.len() / (k * repeats);
                        sums[cr * len..(cr + 1) * len].iter()
                    })
                    .map(|&v| settle(e.finish(v)))
                    .collect();
                score(&pred)
            },
        );
        out.extend(
            (0..k).map(|c| mean_drop(base, scores[c * repeats..(c + 1) * repeats].iter().copied())),
        );
        start = end;
        on_batch(end, p)?;
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
