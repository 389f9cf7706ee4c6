//! Models: one file per family behind one trait.
//!
//! Every classifier returns the probability of the positive class, so that ROC-AUC and curves
//! are real, not derived from hard labels. Randomness comes only from the seed handed to
//! [`ModelSpec::classifier`] (derived from the recipe seed and the split).

pub mod binning;
pub mod gradient_boosting;
pub mod knn;
pub mod linear;
pub mod logistic;
pub mod mlp;
pub mod naive_bayes;
pub mod random_forest;
pub mod svm;
pub mod tree;

use crate::error::ArgError;
use crate::error::Result;
use crate::schema::Describe;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A model family's parameters: checked, then turned into a classifier or a regressor.
///
/// `tasks` and `class_weight` have no default on purpose: a new model must state them.
pub trait ModelKind {
    /// Checks arguments that do not depend on the data.
    fn check(&self) -> std::result::Result<(), ArgError>;
    /// The tasks this model serves.
    fn tasks(&self) -> &'static [Task];
    /// The class weighting asked for (it applies to class targets only).
    fn class_weight(&self) -> Option<ClassWeight>;
    /// The classifier with these parameters (`None` when `tasks` lacks classification).
    fn classifier(&self, seed: u64) -> Option<Box<dyn Classifier>>;
    /// The regressor with these parameters (`None` when `tasks` lacks regression).
    fn regressor(&self, seed: u64) -> Option<Box<dyn Regressor>>;
}

/// The registry of models: one line per model (`Variant(params type) = "kind"`) declares the
/// `ModelSpec` enum (tagged by `kind`), its kinds, the dispatch to [`ModelKind`] and the schema
/// entries (from [`Describe`]) in this order.
macro_rules! model_kinds {
    ($($variant:ident($ty:ty) = $name:literal),* $(,)?) => {
        /// A model of a recipe, tagged by `kind`, with its hyper-parameters (defaults as
        /// scikit-learn's).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum ModelSpec {
            $(#[serde(rename = $name)] $variant($ty),)*
        }

        impl ModelSpec {
            /// Every kind, in registry order.
            pub const KINDS: &'static [&'static str] = &[$($name),*];

            /// The model family behind this spec.
            pub fn params(&self) -> &dyn ModelKind {
                match self {
                    $(ModelSpec::$variant(p) => p,)*
                }
            }

            /// The kind as written in recipes.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(ModelSpec::$variant(_) => $name,)*
                }
            }

            /// One example of every model, in registry order (see [`Describe::example`]).
            pub fn examples() -> Vec<ModelSpec> {
                vec![$(ModelSpec::$variant(<$ty as Describe>::example())),*]
            }

            /// The schema entries of every model, in registry order.
            pub fn schema() -> Vec<serde_json::Value> {
                vec![$({
                    let example = ModelSpec::$variant(<$ty as Describe>::example());
                    let tasks: Vec<Task> = example.params().tasks().to_vec();
                    serde_json::json!({
                        "kind": $name,
                        "doc": <$ty as Describe>::DOC,
                        "tasks": tasks,
                        "args": crate::schema::args_json::<$ty>(),
                    })
                }),*]
            }
        }
    };
}

model_kinds!(
    LogisticRegression(logistic::LogisticParams) = "logistic_regression",
    DecisionTree(tree::TreeParams) = "decision_tree",
    RandomForest(random_forest::ForestParams) = "random_forest",
    GradientBoosting(gradient_boosting::BoostingParams) = "gradient_boosting",
    NaiveBayes(naive_bayes::NaiveBayesParams) = "naive_bayes",
    Knn(knn::KnnParams) = "knn",
    Svm(svm::SvmParams) = "svm",
    Mlp(mlp::MlpParams) = "mlp",
    LinearRegression(linear::LinearParams) = "linear_regression",
    Ridge(linear::RidgeParams) = "ridge",
    CoxPh(crate::survival::cox::CoxParams) = "cox_ph",
    RandomSurvivalForest(crate::survival::forest::SurvivalForestParams) = "random_survival_forest",
);

/// What a target asks of the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Two classes; models give the probability of the positive one.
    Classification,
    /// A numeric target with more than two distinct values.
    Regression,
    /// A time-to-event target (time and event columns); models give a risk score (higher:
    /// the event sooner). See [`crate::survival`].
    Survival,
}

/// `class_weight`: weights inversely proportional to class frequencies, `n / (2 · n_class)`, as
/// scikit-learn's `"balanced"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    Balanced,
}

/// A uniform index in `lo..hi`, drawn through `u32` so that native (64-bit `usize`) and wasm32
/// (32-bit `usize`) consume the same random stream and give the same report: `gen_range` on
/// `usize` samples a different width on each.
pub(crate) fn draw_index(rng: &mut impl rand::Rng, lo: usize, hi: usize) -> usize {
    rng.gen_range(lo as u32..hi as u32) as usize
}

/// Per-row sample weights for `class_weight` (all 1 without it).
pub fn class_weights(y: &[bool], cw: Option<ClassWeight>) -> Vec<f64> {
    match cw {
        None => vec![1.0; y.len()],
        Some(ClassWeight::Balanced) => {
            let n = y.len() as f64;
            let pos = y.iter().filter(|&&b| b).count() as f64;
            let neg = n - pos;
            let wp = if pos > 0.0 { n / (2.0 * pos) } else { 0.0 };
            let wn = if neg > 0.0 { n / (2.0 * neg) } else { 0.0 };
            y.iter().map(|&b| if b { wp } else { wn }).collect()
        }
    }
}

/// A binary classifier that can be fitted on a training matrix.
pub trait Classifier {
    /// Fits on rows `x` with labels `y` (true = positive class).
    fn fit(&self, x: &Array2<f64>, y: &[bool]) -> Result<ClassifierModel>;
}

/// A regressor that can be fitted on a training matrix.
pub trait Regressor {
    fn fit(&self, x: &Array2<f64>, y: &[f64]) -> Result<RegressorModel>;
}

/// A fitted classifier of any family: what it learned, serializable (a model bundle holds one).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClassifierModel {
    LogisticRegression(logistic::Logistic),
    DecisionTree(tree::FlatTree),
    RandomForest(random_forest::Forest),
    GradientBoosting(gradient_boosting::Boosted),
    NaiveBayes(naive_bayes::GaussianNb),
    Knn(knn::Neighbours),
    Svm(svm::FittedSvm),
    Mlp(mlp::Network),
    /// A model recalibrated on inner folds (a model entry's `calibration`): the mean of its
    /// calibrated members (see [`crate::eval::recalibrate`]).
    Calibrated(crate::eval::recalibrate::Calibrated),
}

impl ClassifierModel {
    fn inner(&self) -> &dyn FittedClassifier {
        match self {
            ClassifierModel::LogisticRegression(m) => m,
            ClassifierModel::DecisionTree(m) => m,
            ClassifierModel::RandomForest(m) => m,
            ClassifierModel::GradientBoosting(m) => m,
            ClassifierModel::NaiveBayes(m) => m,
            ClassifierModel::Knn(m) => m,
            ClassifierModel::Svm(m) => m,
            ClassifierModel::Mlp(m) => m,
            ClassifierModel::Calibrated(m) => m,
        }
    }
}

impl FittedClassifier for ClassifierModel {
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64> {
        self.inner().predict_proba(x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        self.inner().impurity_importance()
    }
}

/// A fitted regressor of any family: what it learned, serializable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegressorModel {
    /// `linear_regression` and `ridge` (they differ only in the fit).
    Linear(linear::Linear),
    RandomForest(random_forest::Forest),
    GradientBoosting(gradient_boosting::Boosted),
}

impl RegressorModel {
    fn inner(&self) -> &dyn FittedRegressor {
        match self {
            RegressorModel::Linear(m) => m,
            RegressorModel::RandomForest(m) => m,
            RegressorModel::GradientBoosting(m) => m,
        }
    }
}

impl FittedRegressor for RegressorModel {
    fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        self.inner().predict(x)
    }
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        self.inner().impurity_importance()
    }
}

/// A fitted regressor.
pub trait FittedRegressor {
    fn predict(&self, x: &Array2<f64>) -> Vec<f64>;

    /// Impurity importance per input column, summing to 1, for tree models.
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        None
    }
}

/// A fitted model of either task: predictions are probabilities or values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "task", content = "model", rename_all = "snake_case")]
pub enum Fitted {
    #[serde(rename = "classification")]
    Classifier(ClassifierModel),
    #[serde(rename = "regression")]
    Regressor(RegressorModel),
    /// A time-to-event model; its prediction is a risk score.
    #[serde(rename = "survival")]
    Survival(crate::survival::model::SurvivalModel),
}

impl Fitted {
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        match self {
            Fitted::Classifier(m) => m.predict_proba(x),
            Fitted::Regressor(m) => m.predict(x),
            Fitted::Survival(m) => m.risk(x),
        }
    }
    pub fn impurity_importance(&self) -> Option<Vec<f64>> {
        match self {
            Fitted::Classifier(m) => m.impurity_importance(),
            Fitted::Regressor(m) => m.impurity_importance(),
            Fitted::Survival(_) => None,
        }
    }
}

/// A fitted binary classifier.
pub trait FittedClassifier {
    /// Probability of the positive class for each row of `x`.
    fn predict_proba(&self, x: &Array2<f64>) -> Vec<f64>;

    /// Impurity (mean decrease) importance per input column, summing to 1, for tree models.
    fn impurity_importance(&self) -> Option<Vec<f64>> {
        None
    }
}

impl ModelSpec {
    pub fn check(&self) -> std::result::Result<(), ArgError> {
        self.params().check()
    }

    /// The kinds that serve regression: those for numeric targets only first, then those for both.
    fn regression_kinds() -> Vec<&'static str> {
        let serves = |only: bool| {
            Self::examples()
                .into_iter()
                .filter(move |m| {
                    let t = m.params().tasks();
                    t.contains(&Task::Regression) && only != t.contains(&Task::Classification)
                })
                .map(|m| m.kind())
        };
        serves(true).chain(serves(false)).collect()
    }

    /// The kinds that serve a time-to-event target, in registry order.
    pub fn survival_kinds() -> Vec<&'static str> {
        Self::examples()
            .into_iter()
            .filter(|m| m.params().tasks().contains(&Task::Survival))
            .map(|m| m.kind())
            .collect()
    }

    /// Why this model cannot serve `task` (`(field, message)`), if it cannot.
    pub fn check_task(&self, task: Task) -> std::result::Result<(), ArgError> {
        let p = self.params();
        if !p.tasks().contains(&task) {
            return Err((
                "kind",
                match task {
                    _ if p.tasks() == [Task::Survival] => format!(
                        "{} needs a time-to-event target {{\"time\": COLUMN, \"event\": COLUMN}}",
                        self.kind()
                    ),
                    Task::Survival => format!(
                        "{} does not model a time-to-event target (use {})",
                        self.kind(),
                        Self::survival_kinds().join(" or ")
                    ),
                    Task::Classification => format!(
                        "{} needs a numeric target; this target has two classes",
                        self.kind()
                    ),
                    Task::Regression => {
                        let kinds = Self::regression_kinds();
                        let list = match kinds.split_last() {
                            Some((last, rest)) if !rest.is_empty() => {
                                format!("{} or {last}", rest.join(", "))
                            }
                            _ => kinds.join(""),
                        };
                        format!(
                            "{} is a classifier; this target is numeric (for a numeric target use {list})",
                            self.kind()
                        )
                    }
                },
            ));
        }
        if task == Task::Regression && p.class_weight().is_some() {
            return Err((
                "class_weight",
                "applies to class targets only; this target is numeric".into(),
            ));
        }
        if task == Task::Survival && p.class_weight().is_some() {
            return Err((
                "class_weight",
                "applies to class targets only; this target is a time-to-event outcome".into(),
            ));
        }
        Ok(())
    }

    /// Fits this model for `task` (after [`Self::check_task`]); `seed` feeds any randomness.
    pub fn fit(
        &self,
        task: Task,
        x: &Array2<f64>,
        yc: &[bool],
        yr: &[f64],
        seed: u64,
    ) -> Result<Fitted> {
        Ok(match task {
            Task::Classification => Fitted::Classifier(self.classifier(seed).fit(x, yc)?),
            Task::Regression => Fitted::Regressor(self.regressor(seed).fit(x, yr)?),
            // `yr` holds the follow-up times and `yc` the events.
            Task::Survival => match self {
                ModelSpec::CoxPh(c) => Fitted::Survival(
                    crate::survival::model::SurvivalModel::Cox(c.fit(x, yr, yc)?.model),
                ),
                ModelSpec::GradientBoosting(b) => {
                    let boosted = gradient_boosting::boost_cox(b, x, yr, yc, seed);
                    Fitted::Survival(crate::survival::model::SurvivalModel::BoostedCox(
                        crate::survival::boost::BoostedCox::new(boosted, x, yr, yc),
                    ))
                }
                ModelSpec::RandomSurvivalForest(f) => {
                    Fitted::Survival(crate::survival::model::SurvivalModel::Forest(
                        crate::survival::forest::fit(f, x, yr, yc, seed)?,
                    ))
                }
                _ => {
                    return Err(crate::error::Error::Model {
                        kind: self.kind().into(),
                        message: format!(
                            "does not model a time-to-event target (use {})",
                            Self::survival_kinds().join(" or ")
                        ),
                    })
                }
            },
        })
    }

    /// The regressor with these parameters (classifier-only kinds fall back to the linear
    /// model; [`Self::check_task`] refuses them first).
    pub fn regressor(&self, seed: u64) -> Box<dyn Regressor> {
        self.params()
            .regressor(seed)
            .unwrap_or_else(|| Box::new(linear::LinearParams {}))
    }

    /// The classifier with these parameters; `seed` feeds any randomness it has
    /// (regression-only kinds, refused by [`Self::check_task`], fall back to logistic).
    pub fn classifier(&self, seed: u64) -> Box<dyn Classifier> {
        self.params()
            .classifier(seed)
            .unwrap_or_else(|| Box::new(logistic::LogisticParams::default()))
    }
}
