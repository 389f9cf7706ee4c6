//! Clinical operating thresholds: the recipe's `evaluation.threshold`, chosen inside each
//! training split by a stated rule, as scikit-learn's `TunedThresholdClassifierCV` nested in
//! the outer cross-validation.
//!
//! ```json
//! {"rule": "youden"}
//! {"rule": "net_benefit", "pt": 0.2}
//! {"rule": "cost", "fn_cost": 5, "fp_cost": 1}      or {"rule": "cost", "ratio": 5}
//! {"rule": "min_sensitivity", "value": 0.9}
//! {"rule": "min_specificity", "value": 0.9}
//! ```
//!
//! Inside each outer training split the rows after the feature steps are cut into
//! [`crate::eval::recalibrate::INNER_FOLDS`] stratified inner folds; the model is fitted on each
//! inner training part and predicts its held-out part (calibrated by that fold's calibrator when
//! the model is calibrated). Over these pooled inner out-of-fold predictions every distinct score
//! is a candidate threshold (a record is positive when its probability is at or above it) and
//! [`choose`] keeps the best by the rule (ties: the highest threshold). The outer test rows
//! never take part; they are then classified at the chosen threshold and their sensitivity,
//! specificity, PPV and NPV reported ([`operating`]).
//!
//! - `youden`: maximises sensitivity + specificity − 1.
//! - `net_benefit`: maximises TP/n − FP/n · pt/(1 − pt) at the threshold probability `pt`.
//! - `cost`: minimises `fn_cost`·FN + `fp_cost`·FP (`ratio` = fn_cost / fp_cost, fp_cost 1).
//! - `min_sensitivity`: the highest threshold whose sensitivity is at least `value` (the best
//!   specificity under that constraint).
//! - `min_specificity`: the lowest threshold whose specificity is at least `value` (the best
//!   sensitivity under that constraint).
//!
//! ```
//! use bedside::eval::threshold::{choose, ThresholdSpec};
//! let spec = ThresholdSpec::from_value(&serde_json::json!({"rule": "youden"})).unwrap();
//! let p = [0.1, 0.3, 0.35, 0.6, 0.8, 0.9];
//! let y = [false, false, true, false, true, true];
//! assert_eq!(choose(&spec, &p, &y), Some(0.8));
//! let e = ThresholdSpec::from_value(&serde_json::json!({"rule": "net_benefit"})).unwrap_err();
//! assert_eq!(e.0, "threshold.pt");
//! ```

use crate::eval::metrics::Confusion;
use crate::report::MetricSummary;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How the operating threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    Youden,
    /// Net benefit at threshold probability `pt`.
    NetBenefit {
        pt: f64,
    },
    /// Cost of a false negative and of a false positive.
    Cost {
        fn_cost: f64,
        fp_cost: f64,
    },
    MinSensitivity {
        value: f64,
    },
    MinSpecificity {
        value: f64,
    },
}

/// The recipe's `evaluation.threshold` object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdSpec {
    pub rule: Rule,
    /// `ratio` as written (kept so that the recipe round-trips).
    ratio: bool,
}

/// A parse error: the field (`threshold.pt`) and why.
pub type FieldError = (String, String);

fn err(field: &str, message: impl Into<String>) -> FieldError {
    (format!("threshold.{field}"), message.into())
}

/// Every rule as written in recipes.
pub const RULES: &[&str] = &[
    "youden",
    "net_benefit",
    "cost",
    "min_sensitivity",
    "min_specificity",
];

impl ThresholdSpec {
    /// Parses an `evaluation.threshold` object; errors name the field (`threshold.pt`).
    pub fn from_value(v: &Value) -> std::result::Result<ThresholdSpec, FieldError> {
        let o = v.as_object().ok_or_else(|| {
            (
                "threshold".to_string(),
                "must be an object like {\"rule\": \"youden\"}".to_string(),
            )
        })?;
        let rule = o
            .get("rule")
            .ok_or_else(|| err("rule", format!("missing; one of {}", RULES.join(", "))))?;
        let rule = rule.as_str().unwrap_or_default();
        let allowed: &[&str] = match rule {
            "youden" => &["rule"],
            "net_benefit" => &["rule", "pt"],
            "cost" => &["rule", "fn_cost", "fp_cost", "ratio"],
            "min_sensitivity" | "min_specificity" => &["rule", "value"],
            _ => {
                return Err(err(
                    "rule",
                    format!("unknown rule {}; one of {}", o["rule"], RULES.join(", ")),
                ))
            }
        };
        for k in o.keys() {
            if !allowed.contains(&k.as_str()) {
                return Err(err(
                    k,
                    format!(
                        "unknown field for rule {rule}; expected {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        let number = |k: &str| -> std::result::Result<Option<f64>, FieldError> {
            match o.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(x) => x
                    .as_f64()
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| err(k, format!("must be a number, got {x}"))),
            }
        };
        let open_unit = |k: &str| -> std::result::Result<f64, FieldError> {
            let x = number(k)?.ok_or_else(|| err(k, "missing; a number between 0 and 1"))?;
            if x > 0.0 && x < 1.0 {
                Ok(x)
            } else {
                Err(err(
                    k,
                    format!("must be between 0 and 1 (exclusive), got {x}"),
                ))
            }
        };
        let positive = |k: &str, x: f64| -> std::result::Result<f64, FieldError> {
            if x > 0.0 {
                Ok(x)
            } else {
                Err(err(k, format!("must be greater than 0, got {x}")))
            }
        };
        let mut ratio = false;
        let rule = match rule {
            "youden" => Rule::Youden,
            "net_benefit" => Rule::NetBenefit {
                pt: open_unit("pt")?,
            },
            "min_sensitivity" => Rule::MinSensitivity {
                value: open_unit("value")?,
            },
            "min_specificity" => Rule::MinSpecificity {
                value: open_unit("value")?,
            },
            _ => match (number("ratio")?, number("fn_cost")?, number("fp_cost")?) {
                (Some(r), None, None) => {
                    ratio = true;
                    Rule::Cost {
                        fn_cost: positive("ratio", r)?,
                        fp_cost: 1.0,
                    }
                }
                (Some(_), _, _) => {
                    return Err(err(
                        "ratio",
                        "give either ratio or fn_cost and fp_cost, not both",
                    ))
                }
                (None, Some(f), Some(p)) => Rule::Cost {
                    fn_cost: positive("fn_cost", f)?,
                    fp_cost: positive("fp_cost", p)?,
                },
                (None, None, _) => {
                    return Err(err(
                        "fn_cost",
                        "missing; give fn_cost and fp_cost, or ratio (fn_cost / fp_cost)",
                    ))
                }
                (None, Some(_), None) => {
                    return Err(err("fp_cost", "missing; give it with fn_cost"))
                }
            },
        };
        Ok(ThresholdSpec { rule, ratio })
    }

    /// The object as written in recipes.
    pub fn to_value(&self) -> Value {
        match self.rule {
            Rule::Youden => json!({"rule": "youden"}),
            Rule::NetBenefit { pt } => json!({"rule": "net_benefit", "pt": pt}),
            Rule::Cost { fn_cost, .. } if self.ratio => json!({"rule": "cost", "ratio": fn_cost}),
            Rule::Cost { fn_cost, fp_cost } => {
                json!({"rule": "cost", "fn_cost": fn_cost, "fp_cost": fp_cost})
            }
            Rule::MinSensitivity { value } => json!({"rule": "min_sensitivity", "value": value}),
            Rule::MinSpecificity { value } => json!({"rule": "min_specificity", "value": value}),
        }
    }

    /// The rule's name as written in recipes.
    pub fn name(&self) -> &'static str {
        match self.rule {
            Rule::Youden => "youden",
            Rule::NetBenefit { .. } => "net_benefit",
            Rule::Cost { .. } => "cost",
            Rule::MinSensitivity { .. } => "min_sensitivity",
            Rule::MinSpecificity { .. } => "min_specificity",
        }
    }
}

/// The evaluation option `threshold` as the schema describes it (`bedside schema`,
/// `evaluation_options`): which fields each rule takes is in the module docs.
pub fn schema_arg() -> crate::schema::Arg {
    use crate::schema::{Arg, Ty};
    Arg::opt(
        "threshold",
        Ty::Object(vec![
            Arg::req("rule", Ty::Enum(RULES), "how each training split chooses the operating threshold from its inner out-of-fold predictions"),
            Arg::opt("pt", Ty::Number, "net_benefit: the threshold probability (between 0 and 1)"),
            Arg::opt("fn_cost", Ty::Number, "cost: the cost of a false negative"),
            Arg::opt("fp_cost", Ty::Number, "cost: the cost of a false positive"),
            Arg::opt("ratio", Ty::Number, "cost: fn_cost / fp_cost, instead of both"),
            Arg::opt("value", Ty::Number, "min_sensitivity, min_specificity: the least value (between 0 and 1)"),
        ]),
        "choose the operating threshold inside each training split by a clinical rule (class targets)",
    )
}

/// The threshold the rule chooses over scores `p` with labels `y` (a record is positive when
/// its score is at or above the threshold); `None` when `y` lacks a class or no threshold meets
/// a `min_*` constraint.
pub fn choose(spec: &ThresholdSpec, p: &[f64], y: &[bool]) -> Option<f64> {
    let pos = y.iter().filter(|&&b| b).count() as f64;
    let neg = y.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    let n = y.len() as f64;
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    // Walk the distinct scores from the highest down: after each group of equal scores, the
    // counts of records at or above that score.
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut best: Option<(f64, f64)> = None; // (objective, threshold)
    let mut i = 0;
    while i < order.len() {
        let t = p[order[i]];
        while i < order.len() && p[order[i]] == t {
            if y[order[i]] {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            i += 1;
        }
        let (sens, specificity) = (tp / pos, (neg - fp) / neg);
        let objective = match spec.rule {
            Rule::Youden => Some(sens + specificity - 1.0),
            Rule::NetBenefit { pt } => Some(tp / n - fp / n * pt / (1.0 - pt)),
            Rule::Cost { fn_cost, fp_cost } => Some(-(fn_cost * (pos - tp) + fp_cost * fp)),
            // The first (highest) threshold meeting it: stop there.
            Rule::MinSensitivity { value } => {
                if sens >= value {
                    return Some(t);
                }
                None
            }
            // Specificity falls as the threshold falls: the last one still meeting it.
            Rule::MinSpecificity { value } => (specificity >= value).then_some(0.0),
        };
        if let Some(o) = objective {
            let better = match best {
                None => true,
                Some((b, _)) => match spec.rule {
                    Rule::MinSpecificity { .. } => true,
                    // Better by more than rounding: equal objectives computed along
                    // different sums (e.g. 3/6 − 1/6 and 2/6) count as ties.
                    _ => o > b + 1e-12,
                },
            };
            if better {
                best = Some((o, t));
            }
        }
    }
    best.map(|b| b.1)
}

/// Sensitivity, specificity, PPV and NPV of the records `p` with labels `y` classified at
/// `threshold` (`None` where a denominator is 0).
pub fn operating(y: &[bool], p: &[f64], threshold: f64) -> [Option<f64>; 4] {
    let c = Confusion::at(y, p, threshold);
    let ratio = |a: usize, b: usize| (a + b > 0).then(|| a as f64 / (a + b) as f64);
    [
        ratio(c.tp, c.fn_),
        ratio(c.tn, c.fp),
        ratio(c.tp, c.fp),
        ratio(c.tn, c.fn_),
    ]
}

/// The names of [`operating`]'s values, in order.
pub const OPERATING: &[&str] = &["sensitivity", "specificity", "ppv", "npv"];

/// What the threshold rule gave for one model over the outer splits (`models[i].threshold`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdReport {
    /// The rule as written in the recipe.
    pub rule: Value,
    /// The threshold chosen on each outer training split (`folds`) and their mean and spread.
    pub chosen: MetricSummary,
    pub sensitivity: MetricSummary,
    pub specificity: MetricSummary,
    pub ppv: MetricSummary,
    pub npv: MetricSummary,
    pub note: String,
}

/// The note of a threshold report (`inner` folds per training split).
pub fn threshold_note(rule: &str, inner: usize) -> String {
    format!(
        "threshold chosen by the rule {rule} on the pooled out-of-fold predictions of {inner} inner folds of each outer training split, then applied to that split's test rows; pooled values classify each test row at its own split's threshold"
    )
}

impl ThresholdReport {
    /// The report from each outer split's chosen threshold (`None`: no threshold met the rule;
    /// the split's records are then all negative) and its test labels and predictions, with
    /// percentile-bootstrap intervals of the pooled values (`seed`).
    pub fn new(
        spec: &ThresholdSpec,
        splits: &[(Option<f64>, Vec<bool>, Vec<f64>)],
        inner: usize,
        seed: u64,
    ) -> ThresholdReport {
        let at = |t: Option<f64>| t.unwrap_or(f64::INFINITY);
        let per: Vec<[Option<f64>; 4]> = splits
            .iter()
            .map(|(t, y, p)| operating(y, p, at(*t)))
            .collect();
        // Pooled: each test row with its split's decision.
        let mut y_all = Vec::new();
        let mut d_all = Vec::new();
        for (t, y, p) in splits {
            y_all.extend_from_slice(y);
            d_all.extend(p.iter().map(|&v| if v >= at(*t) { 1.0 } else { 0.0 }));
        }
        let pooled = operating(&y_all, &d_all, 0.5);
        let ci = bootstrap(&y_all, &d_all, seed);
        let summary = |k: usize| {
            let folds: Vec<Option<f64>> = per.iter().map(|v| v[k]).collect();
            let (mean, std) = crate::eval::metrics::mean_std(&folds);
            MetricSummary {
                mean,
                std,
                folds,
                pooled: pooled[k],
                ci: ci[k],
            }
        };
        let chosen: Vec<Option<f64>> = splits.iter().map(|s| s.0).collect();
        let (mean, std) = crate::eval::metrics::mean_std(&chosen);
        ThresholdReport {
            rule: spec.to_value(),
            chosen: MetricSummary {
                mean,
                std,
                folds: chosen,
                pooled: None,
                ci: None,
            },
            sensitivity: summary(0),
            specificity: summary(1),
            ppv: summary(2),
            npv: summary(3),
            note: threshold_note(spec.name(), inner),
        }
    }
}

/// 95% percentile-bootstrap intervals of the four operating values of decisions `d` (0 or 1)
/// with labels `y`.
fn bootstrap(y: &[bool], d: &[f64], seed: u64) -> [Option<[f64; 2]>; 4] {
    use crate::eval::uncertainty::{percentile, RESAMPLES};
    use rand::SeedableRng;
    let n = y.len();
    if n == 0 {
        return [None; 4];
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut values: [Vec<f64>; 4] = Default::default();
    for _ in 0..RESAMPLES {
        let (mut tp, mut fp, mut tn, mut fn_) = (0usize, 0usize, 0usize, 0usize);
        for _ in 0..n {
            let r = crate::models::draw_index(&mut rng, 0, n);
            match (y[r], d[r] >= 0.5) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (false, false) => tn += 1,
                (true, false) => fn_ += 1,
            }
        }
        let ratio = |a: usize, b: usize| (a + b > 0).then(|| a as f64 / (a + b) as f64);
        for (k, v) in [ratio(tp, fn_), ratio(tn, fp), ratio(tp, fp), ratio(tn, fn_)]
            .into_iter()
            .enumerate()
        {
            if let Some(v) = v {
                values[k].push(v);
            }
        }
    }
    values.map(|mut v| {
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some([percentile(&v, 2.5), percentile(&v, 97.5)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(v: Value) -> ThresholdSpec {
        ThresholdSpec::from_value(&v).unwrap()
    }

    // Scores high to low with labels: 0.9 T, 0.8 T, 0.6 F, 0.35 T, 0.3 F, 0.1 F (3 pos, 3 neg).
    const P: [f64; 6] = [0.1, 0.3, 0.35, 0.6, 0.8, 0.9];
    const Y: [bool; 6] = [false, false, true, false, true, true];

    #[test]
    fn rules_by_hand() {
        // Cut-offs: 0.9 (tp1 fp0), 0.8 (2,0), 0.6 (2,1), 0.35 (3,1), 0.3 (3,2), 0.1 (3,3).
        // Youden: 1/3, 2/3, 1/3, 2/3, 1/3, 0 → ties 0.8 and 0.35: the highest, 0.8.
        assert_eq!(choose(&spec(json!({"rule": "youden"})), &P, &Y), Some(0.8));
        // Net benefit at pt = 0.5 (weight 1): (tp − fp)/6: 1, 2, 1, 2, 1, 0 → 0.8.
        // At pt = 0.2 (weight 1/4): 0.9: 1/6; 0.8: 2/6; 0.6: 1.75/6; 0.35: 2.75/6; 0.3: 2.5/6.
        let nb = |pt: f64| choose(&spec(json!({"rule": "net_benefit", "pt": pt})), &P, &Y);
        assert_eq!(nb(0.5), Some(0.8));
        assert_eq!(nb(0.2), Some(0.35));
        // Cost fn 5, fp 1: FN·5 + FP: 0.9: 10; 0.8: 5; 0.6: 6; 0.35: 1; 0.3: 2; 0.1: 3 → 0.35.
        let c = json!({"rule": "cost", "fn_cost": 5, "fp_cost": 1});
        assert_eq!(choose(&spec(c), &P, &Y), Some(0.35));
        assert_eq!(
            choose(&spec(json!({"rule": "cost", "ratio": 0.2})), &P, &Y),
            Some(0.8)
        );
        // Sensitivity ≥ 0.9 first at 0.35; specificity ≥ 0.6 (2/3) last at 0.35.
        let ms = json!({"rule": "min_sensitivity", "value": 0.9});
        assert_eq!(choose(&spec(ms), &P, &Y), Some(0.35));
        let mp = json!({"rule": "min_specificity", "value": 0.6});
        assert_eq!(choose(&spec(mp), &P, &Y), Some(0.35));
        let mp = json!({"rule": "min_specificity", "value": 0.99});
        assert_eq!(choose(&spec(mp), &P, &Y), Some(0.8));
        assert_eq!(
            choose(&spec(json!({"rule": "youden"})), &P, &[true; 6]),
            None
        );
    }

    #[test]
    fn bad_arguments_name_the_field() {
        let e = |v: Value| ThresholdSpec::from_value(&v).unwrap_err();
        assert_eq!(e(json!({"rule": "magic"})).0, "threshold.rule");
        assert_eq!(e(json!({})).0, "threshold.rule");
        assert_eq!(
            e(json!({"rule": "net_benefit", "pt": 1.5})).0,
            "threshold.pt"
        );
        assert_eq!(e(json!({"rule": "youden", "pt": 0.1})).0, "threshold.pt");
        assert_eq!(
            e(json!({"rule": "cost", "fn_cost": 5})).0,
            "threshold.fp_cost"
        );
        assert_eq!(e(json!({"rule": "cost", "ratio": -1})).0, "threshold.ratio");
        assert_eq!(e(json!({"rule": "min_sensitivity"})).0, "threshold.value");
        assert_eq!(e(json!("youden")).0, "threshold");
        for v in [
            json!({"rule": "cost", "ratio": 4.0}),
            json!({"rule": "cost", "fn_cost": 4.0, "fp_cost": 2.0}),
            json!({"rule": "net_benefit", "pt": 0.1}),
        ] {
            assert_eq!(spec(v.clone()).to_value(), v);
        }
    }

    #[test]
    fn operating_values_by_hand() {
        // At 0.35: TP 3, FP 1, TN 2, FN 0.
        let v = operating(&Y, &P, 0.35);
        assert_eq!(v, [Some(1.0), Some(2.0 / 3.0), Some(0.75), Some(1.0)]);
    }
}
