//! Train/test splits: hold-out, k-fold, stratified k-fold, repeated stratified k-fold (seeded
//! shuffles), leave-one-out, and grouped k-fold (one group's rows are never split between train
//! and test: groups are dealt largest first to the fold with the fewest rows so far, as
//! scikit-learn's `GroupKFold`; equal sizes keep first-appearance order, so no randomness).

use crate::error::ArgError;
use crate::error::{Error, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How models are evaluated, tagged by `method`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Evaluation {
    /// One stratified split; `test_fraction` of each class goes to the test set.
    Holdout {
        #[serde(default = "quarter")]
        test_fraction: f64,
    },
    /// Shuffled k-fold, ignoring classes.
    Kfold {
        #[serde(default = "five")]
        folds: usize,
    },
    /// Shuffled k-fold keeping each class's share in every fold.
    StratifiedKfold {
        #[serde(default = "five")]
        folds: usize,
    },
    /// Stratified k-fold repeated with different shuffles.
    RepeatedStratifiedKfold {
        #[serde(default = "five")]
        folds: usize,
        #[serde(default = "three")]
        repeats: usize,
    },
    /// One split per row, that row alone in the test set.
    LeaveOneOut,
    /// k-fold over the values of the `group` column (e.g. a patient identifier).
    GroupKfold {
        #[serde(default = "five")]
        folds: usize,
        group: String,
    },
}

fn quarter() -> f64 {
    0.25
}
fn five() -> usize {
    5
}
fn three() -> usize {
    3
}

impl Default for Evaluation {
    fn default() -> Self {
        Evaluation::StratifiedKfold { folds: 5 }
    }
}

/// One train/test split (row indices into the modelling table).
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

impl Evaluation {
    pub fn name(&self) -> &'static str {
        match self {
            Evaluation::Holdout { .. } => "holdout",
            Evaluation::Kfold { .. } => "kfold",
            Evaluation::StratifiedKfold { .. } => "stratified_kfold",
            Evaluation::RepeatedStratifiedKfold { .. } => "repeated_stratified_kfold",
            Evaluation::LeaveOneOut => "leave_one_out",
            Evaluation::GroupKfold { .. } => "group_kfold",
        }
    }

    /// Whether the split keeps class ratios (meaningless for a numeric target).
    pub fn is_stratified(&self) -> bool {
        matches!(
            self,
            Evaluation::Holdout { .. }
                | Evaluation::StratifiedKfold { .. }
                | Evaluation::RepeatedStratifiedKfold { .. }
        )
    }

    /// The column whose values group rows, for `group_kfold`.
    pub fn group_column(&self) -> Option<&str> {
        match self {
            Evaluation::GroupKfold { group, .. } => Some(group),
            _ => None,
        }
    }

    pub fn check(&self) -> std::result::Result<(), ArgError> {
        match *self {
            Evaluation::Holdout { test_fraction }
                if !(test_fraction > 0.0 && test_fraction < 1.0) =>
            {
                Err((
                    "test_fraction",
                    format!("must be between 0 and 1 (exclusive), got {test_fraction}"),
                ))
            }
            Evaluation::Kfold { folds }
            | Evaluation::StratifiedKfold { folds }
            | Evaluation::RepeatedStratifiedKfold { folds, .. }
            | Evaluation::GroupKfold { folds, .. }
                if folds < 2 =>
            {
                Err(("folds", format!("must be at least 2, got {folds}")))
            }
            Evaluation::RepeatedStratifiedKfold { repeats: 0, .. } => {
                Err(("repeats", "must be at least 1".into()))
            }
            _ => Ok(()),
        }
    }

    /// The folds for labels `y`, shuffled with `seed` (`group_kfold` needs [`Self::folds_grouped`]).
    pub fn folds(&self, y: &[bool], seed: u64) -> Result<Vec<Fold>> {
        self.folds_grouped(y, None, seed)
    }

    /// The folds for labels `y` and, for `group_kfold`, one group value per row.
    pub fn folds_grouped(
        &self,
        y: &[bool],
        groups: Option<&[String]>,
        seed: u64,
    ) -> Result<Vec<Fold>> {
        let n = y.len();
        let (pos, neg) = (
            y.iter().filter(|&&b| b).count(),
            y.iter().filter(|&&b| !b).count(),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let need = |folds: usize, stratified: bool| -> Result<()> {
            if folds > n {
                return Err(Error::recipe(
                    "evaluation",
                    Some("folds"),
                    format!("{folds} folds but only {n} rows"),
                ));
            }
            if stratified && folds > pos.min(neg) {
                return Err(Error::recipe(
                    "evaluation",
                    Some("folds"),
                    format!(
                        "{folds} folds but the smaller class has only {} rows",
                        pos.min(neg)
                    ),
                ));
            }
            Ok(())
        };
        match *self {
            Evaluation::Holdout { test_fraction } => {
                // As scikit-learn's StratifiedShuffleSplit: ceil(n × fraction) test rows,
                // shared among the classes in proportion (largest remainders get the rest).
                let n_test = (n as f64 * test_fraction).ceil() as usize;
                if n_test == 0 || n_test >= n {
                    return Err(Error::recipe(
                        "evaluation",
                        Some("test_fraction"),
                        format!("leaves an empty train or test set with {n} rows"),
                    ));
                }
                let sizes = [neg, pos];
                let exact: Vec<f64> = sizes
                    .iter()
                    .map(|&c| c as f64 * n_test as f64 / n as f64)
                    .collect();
                let mut take: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
                let mut order = [0usize, 1];
                order.sort_by(|&a, &b| {
                    (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor()))
                });
                let mut left = n_test - take.iter().sum::<usize>();
                for &c in order.iter().cycle().take(4) {
                    if left > 0 && take[c] < sizes[c] {
                        take[c] += 1;
                        left -= 1;
                    }
                }
                let mut test = Vec::new();
                for (c, class) in [false, true].into_iter().enumerate() {
                    let mut idx: Vec<usize> = (0..n).filter(|&i| y[i] == class).collect();
                    idx.shuffle(&mut rng);
                    test.extend_from_slice(&idx[..take[c]]);
                }
                Ok(vec![fold_from_test(n, test)])
            }
            Evaluation::Kfold { folds } => {
                need(folds, false)?;
                let mut idx: Vec<usize> = (0..n).collect();
                idx.shuffle(&mut rng);
                let mut assign = vec![0usize; n];
                for (j, &i) in idx.iter().enumerate() {
                    assign[i] = j % folds;
                }
                Ok(from_assignment(&assign, folds))
            }
            Evaluation::StratifiedKfold { folds } => {
                need(folds, true)?;
                Ok(from_assignment(
                    &stratified_assignment(y, folds, &mut rng),
                    folds,
                ))
            }
            Evaluation::RepeatedStratifiedKfold { folds, repeats } => {
                need(folds, true)?;
                Ok((0..repeats)
                    .flat_map(|_| {
                        from_assignment(&stratified_assignment(y, folds, &mut rng), folds)
                    })
                    .collect())
            }
            Evaluation::LeaveOneOut => {
                if n < 2 {
                    return Err(Error::recipe(
                        "evaluation",
                        Some("method"),
                        format!("leave_one_out needs at least 2 rows, got {n}"),
                    ));
                }
                Ok((0..n).map(|i| fold_from_test(n, vec![i])).collect())
            }
            Evaluation::GroupKfold { folds, ref group } => {
                let groups = groups.filter(|g| g.len() == n).ok_or_else(|| {
                    Error::recipe(
                        "evaluation",
                        Some("group"),
                        format!("group_kfold needs the values of column '{group}'"),
                    )
                })?;
                Ok(from_assignment(
                    &group_assignment(groups, folds, group)?,
                    folds,
                ))
            }
        }
    }
}

/// Deals whole groups to folds: largest group first, each to the fold with the fewest rows
/// (lowest fold index on ties).
fn group_assignment(groups: &[String], folds: usize, column: &str) -> Result<Vec<usize>> {
    let mut index: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let k = *index.entry(g.as_str()).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[k].push(i);
    }
    if members.len() < folds {
        return Err(Error::recipe(
            "evaluation",
            Some("folds"),
            format!(
                "{folds} folds but column '{column}' has only {} distinct group(s)",
                members.len()
            ),
        ));
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| members[b].len().cmp(&members[a].len()));
    let mut sizes = vec![0usize; folds];
    let mut assign = vec![0usize; groups.len()];
    for g in order {
        let f = (0..folds).min_by_key(|&f| sizes[f]).unwrap_or(0);
        sizes[f] += members[g].len();
        members[g].iter().for_each(|&i| assign[i] = f);
    }
    Ok(assign)
}

/// Assigns each row a fold so that every class is spread evenly: the rows of each class are
/// shuffled and dealt round-robin, continuing the deal across classes so fold sizes differ by
/// at most one.
fn stratified_assignment(y: &[bool], folds: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut assign = vec![0usize; y.len()];
    let mut next = 0;
    for class in [false, true] {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        idx.shuffle(rng);
        for i in idx {
            assign[i] = next % folds;
            next += 1;
        }
    }
    assign
}

fn from_assignment(assign: &[usize], folds: usize) -> Vec<Fold> {
    (0..folds)
        .map(|f| Fold {
            train: (0..assign.len()).filter(|&i| assign[i] != f).collect(),
            test: (0..assign.len()).filter(|&i| assign[i] == f).collect(),
        })
        .collect()
}

fn fold_from_test(n: usize, mut test: Vec<usize>) -> Fold {
    test.sort_unstable();
    let mut is_test = vec![false; n];
    test.iter().for_each(|&i| is_test[i] = true);
    Fold {
        train: (0..n).filter(|&i| !is_test[i]).collect(),
        test,
    }
}

/// The recipe's `evaluation` object: how rows are split (`method` and its fields) plus options
/// that apply to every method, today the fairness audit:
/// `{"method": "stratified_kfold", "folds": 5, "fairness": "sex", "fairness_threshold": 0.1}`.
/// It dereferences to the split [`Evaluation`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvaluationSpec {
    pub split: Evaluation,
    /// Column whose subgroups are compared (see [`super::fairness`]).
    pub fairness: Option<String>,
    /// A gap between subgroups above this is flagged (default 0.1).
    pub fairness_threshold: Option<f64>,
    /// Shuffles per input for permutation importance (default 5; 0 turns it off).
    pub permutation_repeats: Option<usize>,
    /// Test rows of a split permutation importance is measured on at most (default 10,000; 0:
    /// every row). See [`crate::eval::importance::DEFAULT_MAX_SAMPLES`].
    pub permutation_max_samples: Option<usize>,
    /// With privacy steps, also evaluate the models on the original data (default true).
    pub compare_original: Option<bool>,
    /// How each training split chooses the operating threshold (see [`super::threshold`]).
    pub threshold: Option<super::threshold::ThresholdSpec>,
    /// SHAP values and partial dependence (`true`, `false` or budgets; default on with
    /// [`crate::explain::ShapOptions::default`]).
    pub shap: Option<crate::explain::ShapOptions>,
    /// Anticipated performance for the sample-size criteria (see [`super::sample_size`]).
    pub sample_size: Option<super::sample_size::SampleSizeSpec>,
    /// Column whose groups get their own Kaplan–Meier curve and the log-rank test (a
    /// time-to-event target).
    pub groups: Option<String>,
    /// Column the log-rank test is stratified by.
    pub strata: Option<String>,
    /// Times at which predicted survival is scored (a time-to-event target; see
    /// `crate::survival::horizons`).
    pub horizons: Option<Vec<f64>>,
    /// A date column holding each record's outcome date: date inputs recorded after it are
    /// flagged as leakage (see [`super::leakage`]).
    pub outcome_date: Option<String>,
}

impl From<Evaluation> for EvaluationSpec {
    fn from(split: Evaluation) -> Self {
        EvaluationSpec {
            split,
            fairness: None,
            fairness_threshold: None,
            permutation_repeats: None,
            permutation_max_samples: None,
            compare_original: None,
            threshold: None,
            shap: None,
            sample_size: None,
            groups: None,
            strata: None,
            horizons: None,
            outcome_date: None,
        }
    }
}

impl std::ops::Deref for EvaluationSpec {
    type Target = Evaluation;
    fn deref(&self) -> &Evaluation {
        &self.split
    }
}

impl EvaluationSpec {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        self.split.check()?;
        if let Some(t) = self.fairness_threshold {
            if !(t.is_finite() && t > 0.0 && t < 1.0) {
                return Err((
                    "fairness_threshold",
                    format!("must be between 0 and 1 (exclusive), got {t}"),
                ));
            }
            if self.fairness.is_none() {
                return Err(("fairness_threshold", "needs a fairness column".into()));
            }
        }
        if let Some(ss) = &self.sample_size {
            ss.check()?;
        }
        if let Some(&t) = self
            .horizons
            .iter()
            .flatten()
            .find(|t| !(t.is_finite() && **t > 0.0))
        {
            return Err((
                "horizons",
                crate::message::survival_horizon_not_positive(t).to_string(),
            ));
        }
        if self.strata.is_some() && self.groups.is_none() {
            return Err((
                "strata",
                "stratifies the log-rank test between groups; name the groups too".into(),
            ));
        }
        Ok(())
    }
}

impl Serialize for EvaluationSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.split).map_err(serde::ser::Error::custom)?;
        if let Some(o) = v.as_object_mut() {
            if let Some(f) = &self.fairness {
                o.insert("fairness".into(), f.clone().into());
            }
            if let Some(t) = self.fairness_threshold {
                o.insert("fairness_threshold".into(), t.into());
            }
            if let Some(r) = self.permutation_repeats {
                o.insert("permutation_repeats".into(), r.into());
            }
            if let Some(m) = self.permutation_max_samples {
                o.insert("permutation_max_samples".into(), m.into());
            }
            if let Some(c) = self.compare_original {
                o.insert("compare_original".into(), c.into());
            }
            if let Some(t) = &self.threshold {
                o.insert("threshold".into(), t.to_value());
            }
            if let Some(sh) = &self.shap {
                o.insert("shap".into(), sh.to_json());
            }
            if let Some(g) = &self.groups {
                o.insert("groups".into(), g.clone().into());
            }
            if let Some(g) = &self.strata {
                o.insert("strata".into(), g.clone().into());
            }
            if let Some(h) = &self.horizons {
                o.insert("horizons".into(), h.clone().into());
            }
            if let Some(ss) = &self.sample_size {
                o.insert(
                    "sample_size".into(),
                    serde_json::to_value(ss).map_err(serde::ser::Error::custom)?,
                );
            }
            if let Some(c) = &self.outcome_date {
                o.insert("outcome_date".into(), c.clone().into());
            }
        }
        v.serialize(s)
    }
}

impl<'de> Deserialize<'de> for EvaluationSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut v = serde_json::Value::deserialize(d)?;
        let (mut fairness, mut fairness_threshold, mut permutation_repeats) = (None, None, None);
        let (mut compare_original, mut permutation_max_samples) = (None, None);
        let threshold = match v.as_object_mut().and_then(|o| o.remove("threshold")) {
            None | Some(serde_json::Value::Null) => None,
            Some(t) => Some(super::threshold::ThresholdSpec::from_value(&t).map_err(
                |(field, m)| D::Error::custom(format!("invalid value for `{field}`: {m}")),
            )?),
        };
        let mut shap = None;
        let mut sample_size = None;
        let (mut groups, mut strata) = (None, None);
        let mut horizons = None;
        let mut outcome_date = None;
        if let Some(o) = v.as_object_mut() {
            match o.remove("outcome_date") {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::String(c)) => outcome_date = Some(c),
                Some(_) => {
                    return Err(D::Error::custom(
                        "invalid type for `outcome_date`: expected the name of a date column",
                    ))
                }
            }
            match o.remove("fairness") {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::String(c)) => fairness = Some(c),
                Some(_) => {
                    return Err(D::Error::custom(
                        "invalid type for `fairness`: expected a column name",
                    ))
                }
            }
            match o.remove("fairness_threshold") {
                None | Some(serde_json::Value::Null) => {}
                Some(t) => {
                    fairness_threshold = Some(t.as_f64().ok_or_else(|| {
                        D::Error::custom("invalid type for `fairness_threshold`: expected a number")
                    })?)
                }
            }
            match o.remove("permutation_repeats") {
                None | Some(serde_json::Value::Null) => {}
                Some(r) => {
                    permutation_repeats = Some(r.as_u64().filter(|&r| r <= 1000).ok_or_else(|| {
                        D::Error::custom(
                            "invalid value for `permutation_repeats`: expected an integer from 0 to 1000",
                        )
                    })? as usize)
                }
            }
        }
        if let Some(o) = v.as_object_mut() {
            match o.remove("permutation_max_samples") {
                None | Some(serde_json::Value::Null) => {}
                Some(m) => {
                    permutation_max_samples = Some(m.as_u64().ok_or_else(|| {
                        D::Error::custom(
                            "invalid value for `permutation_max_samples`: expected a non-negative integer (0: every row)",
                        )
                    })? as usize)
                }
            }
            match o.remove("sample_size") {
                None | Some(serde_json::Value::Null) => {}
                Some(v) => {
                    sample_size = Some(serde_json::from_value(v).map_err(|e| {
                        D::Error::custom(format!(
                            "invalid `sample_size`: {e} (expected {{\"c_statistic\": 0.8}} or {{\"r2_cs\": 0.15}})"
                        ))
                    })?)
                }
            }
            match o.remove("compare_original") {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::Bool(b)) => compare_original = Some(b),
                Some(_) => {
                    return Err(D::Error::custom(
                        "invalid type for `compare_original`: expected true or false",
                    ))
                }
            }
            for (key, slot) in [("groups", &mut groups), ("strata", &mut strata)] {
                match o.remove(key) {
                    None | Some(serde_json::Value::Null) => {}
                    Some(serde_json::Value::String(c)) => *slot = Some(c),
                    Some(_) => {
                        return Err(D::Error::custom(format!(
                            "invalid type for `{key}`: expected a column name"
                        )))
                    }
                }
            }
            match o.remove("horizons") {
                None | Some(serde_json::Value::Null) => {}
                Some(v) => {
                    horizons = Some(serde_json::from_value::<Vec<f64>>(v).map_err(|_| {
                        D::Error::custom(
                            "invalid type for `horizons`: expected a list of times (numbers)",
                        )
                    })?)
                }
            }
            match o.remove("shap") {
                None | Some(serde_json::Value::Null) => {}
                Some(v) => {
                    shap =
                        Some(crate::explain::ShapOptions::from_json(&v).map_err(D::Error::custom)?)
                }
            }
        }
        let split = serde_json::from_value(v).map_err(D::Error::custom)?;
        Ok(EvaluationSpec {
            compare_original,
            shap,
            sample_size,
            outcome_date,
            split,
            fairness,
            fairness_threshold,
            permutation_repeats,
            permutation_max_samples,
            threshold,
            groups,
            strata,
            horizons,
        })
    }
}
