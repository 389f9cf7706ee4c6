//! Re-identification risk over quasi-identifiers: equivalence classes, k-anonymity,
//! l-diversity, t-closeness and prosecutor risk.
//!
//! Definitions (as in ARX and pyCANON):
//! - an *equivalence class* is a set of records with equal values in every quasi-identifier
//!   (a missing value is a value of its own);
//! - *k-anonymity* is the size of the smallest class;
//! - *distinct l-diversity* is the smallest number of distinct sensitive values in a class;
//!   *entropy l-diversity* is the smallest `exp(H)` (H in nats) of a class's sensitive
//!   distribution, as a real number like ARX's; pyCANON's `entropy_l_diversity` reports its
//!   integer part (`int(min(e ** H))`);
//! - *t-closeness* is the largest Earth Mover's Distance between a class's sensitive
//!   distribution and the whole table's: with equal ground distance (½ Σ|pᵢ−qᵢ|) for categorical
//!   values, and ordered distance (1/(m−1) Σᵢ |Σⱼ≤ᵢ (pⱼ−qⱼ)| over the m sorted distinct values)
//!   for numeric ones;
//! - *prosecutor risk* of a record is 1 / (size of its class); `prosecutor_avg` is the mean
//!   over records (= classes / records); a record is *at risk* when its risk exceeds the
//!   threshold (default 0.2, i.e. classes smaller than 5);
//! - *journalist risk* of a record is 1 / (size of its class in the population) and *marketer
//!   risk* is the expected share of records re-identified, (1/n) Σⱼ fⱼ / Fⱼ over the classes j
//!   (El Emam; ARX). Without a population size the data set is its own population (Fⱼ = fⱼ):
//!   journalist = prosecutor and marketer = classes / n. With a population size N, Fⱼ is
//!   estimated as fⱼ · N / n (the sampling-fraction estimator), so journalist risk 1/F̂ⱼ and
//!   marketer risk = classes · (n/N) / n;
//! - *population uniqueness* (with a population size) is the estimate Dankar et al.'s decision
//!   rule picks among Pitman, Zayatz and SNB ([`super::population`]); all three are reported.
//!   Zayatz's (1991) estimate, as ARX's `ModelZayatz`: with u classes of which fᵢ have size i and sampling fraction π = n/N,
//!   P(population unique | sample unique) = (f₁/u · h(1)) / Σᵢ (fᵢ/u · h(i)) where h(i) is the
//!   hypergeometric probability P(X = 1) for population N, i successes and n draws; estimated
//!   population uniques = f₁ · P / π, and the share of records that are population uniques =
//!   f₁ · P / n;
//! - *information loss* ([`information_loss`]): the discernibility metric (Bayardo & Agrawal:
//!   Σ |E|² over the output classes plus n for every suppressed record) and non-uniform entropy
//!   (Gionis & Tassa: Σ over records and quasi-identifiers of −log₂ P(original value | released
//!   value), suppressed records counting as released `*`), also as a percentage of its maximum
//!   (every value released as `*`).

use crate::table::{Table, Values};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Default risk threshold for "records at risk".
pub const DEFAULT_THRESHOLD: f64 = 0.2;

/// Prosecutor-model risk figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub prosecutor_max: f64,
    pub prosecutor_avg: f64,
    pub records_at_risk: usize,
    pub records_at_risk_pct: f64,
    pub threshold: f64,
    /// Records alone in their class.
    pub uniques: usize,
    pub journalist_max: f64,
    pub journalist_avg: f64,
    pub marketer: f64,
    /// The population size the journalist/marketer/uniqueness figures assume (None: the data
    /// set is the population).
    pub population_size: Option<u64>,
    /// Estimated number of people unique in the population (with a population size): the
    /// estimate of the model Dankar et al.'s rule chose (`population_model`).
    pub population_uniques: Option<f64>,
    /// The same as a share of the population (= of the records for Zayatz's estimate).
    pub population_uniqueness: Option<f64>,
    /// The built-in population the size comes from (`"us"`, `"cn"`...), when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_name: Option<String>,
    /// The estimator Dankar et al.'s rule chose: `pitman`, `zayatz` or `snb` (None without a
    /// population size, or when the records have no sample uniques and every estimate is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_model: Option<super::population::Model>,
    /// Every estimator's population uniqueness, and why any is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_estimates: Option<super::population::Estimates>,
    /// k-map against the recipe's population table (`risk.population_table`, see
    /// [`super::kmap`]): the smallest population count of a record's combination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_map: Option<u64>,
    /// Largest and mean `1 / population count` over the records (k-map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_map_max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_map_avg: Option<f64>,
    /// Records whose k-map risk is above the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_map_records_at_risk: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_map_records_at_risk_pct: Option<f64>,
    /// The population table used for k-map and how the records met it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_table: Option<super::kmap::TableUse>,
}

/// How risk is measured: the threshold for "at risk", an optional population, and the
/// user's explicit acceptance of a release above the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskOptions {
    pub threshold: f64,
    /// The population the records were drawn from: a size (≥ the rows) or the name of a
    /// built-in population ([`super::population::BUILT_IN`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<Population>,
    /// The user accepts releasing a table whose risk is above the threshold: recorded in the
    /// audit (`accept_risk`) with the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<Acceptance>,
    /// Counts per quasi-identifier combination in the population, for k-map
    /// ([`super::kmap`]); inline so that the recipe gives the same Report wherever it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population_table: Option<super::kmap::PopulationTableSpec>,
}

/// `risk.population`: a number, or a built-in population's name.
#[derive(Debug, Clone, PartialEq)]
pub enum Population {
    Size(u64),
    Named(String),
}

impl From<u64> for Population {
    fn from(n: u64) -> Self {
        Population::Size(n)
    }
}

impl Serialize for Population {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Population::Size(n) => s.serialize_u64(*n),
            Population::Named(name) => s.serialize_str(name),
        }
    }
}

impl<'de> Deserialize<'de> for Population {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Population;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a population size or the name of a built-in population")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Population, E> {
                Ok(Population::Size(n))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Population, E> {
                u64::try_from(n).map(Population::Size).map_err(|_| {
                    E::invalid_value(serde::de::Unexpected::Signed(n), &"a positive size")
                })
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Population, E> {
                if x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 {
                    Ok(Population::Size(x as u64))
                } else {
                    Err(E::invalid_value(
                        serde::de::Unexpected::Float(x),
                        &"a whole positive size",
                    ))
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Population, E> {
                Ok(Population::Named(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// `risk.accept`: why the user releases a table above the threshold, and who decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl Default for RiskOptions {
    fn default() -> Self {
        RiskOptions {
            threshold: DEFAULT_THRESHOLD,
            population: None,
            accept: None,
            population_table: None,
        }
    }
}

impl RiskOptions {
    pub fn check(&self) -> Result<(), super::ArgError> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err((
                "threshold",
                format!("must be in (0, 1], got {}", self.threshold),
            ));
        }
        match &self.population {
            Some(Population::Size(0)) => return Err(("population", "must be positive".into())),
            Some(Population::Named(name)) if super::population::built_in(name).is_none() => {
                return Err((
                    "population",
                    format!(
                        "unknown population '{name}'; built in: {} (or give a number)",
                        super::population::BUILT_IN
                            .iter()
                            .map(|p| p.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
            _ => {}
        }
        if let Some(a) = &self.accept {
            if a.reason.trim().is_empty() {
                return Err(("accept", "needs a reason (accept.reason)".into()));
            }
        }
        Ok(())
    }

    /// The population size (a number, or a built-in population's size).
    pub fn population_size(&self) -> Option<u64> {
        match &self.population {
            Some(Population::Size(n)) => Some(*n),
            Some(Population::Named(name)) => super::population::built_in(name).map(|p| p.size),
            None => None,
        }
    }

    /// The built-in population named, if any.
    pub fn population_name(&self) -> Option<&str> {
        match &self.population {
            Some(Population::Named(name)) => Some(name),
            _ => None,
        }
    }
}

/// Information loss of a transformation over the quasi-identifiers (see module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InformationLoss {
    pub discernibility: f64,
    /// Non-uniform entropy in bits.
    pub non_uniform_entropy: f64,
    /// Non-uniform entropy as a percentage of its maximum (0 = nothing lost).
    pub non_uniform_entropy_pct: f64,
}

/// Privacy measures of one table over its quasi-identifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// `None` when there are no quasi-identifiers or no rows.
    pub k_anonymity: Option<usize>,
    pub l_diversity: Option<usize>,
    pub l_diversity_entropy: Option<f64>,
    pub t_closeness: Option<f64>,
    pub equivalence_classes: usize,
    pub risk: Option<Risk>,
}

/// The class of every row (numbered in order of first appearance) and the size of every class.
pub fn class_ids(table: &Table, quasi: &[String]) -> (Vec<usize>, Vec<usize>) {
    let mut ids = vec![0; table.rows()];
    let mut sizes = Vec::new();
    for (i, class) in equivalence_classes(table, quasi).into_iter().enumerate() {
        for &r in &class {
            ids[r] = i;
        }
        sizes.push(class.len());
    }
    (ids, sizes)
}

/// Groups row indices by their quasi-identifier values, in order of first appearance.
pub fn equivalence_classes(table: &Table, quasi: &[String]) -> Vec<Vec<usize>> {
    let cols: Vec<&Values> = quasi
        .iter()
        .filter_map(|q| table.column(q).map(|c| &c.values))
        .collect();
    let mut index: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    let mut classes: Vec<Vec<usize>> = Vec::new();
    for r in 0..table.rows() {
        let key: Vec<Option<String>> = cols.iter().map(|v| v.text(r)).collect();
        let next = classes.len();
        let i = *index.entry(key).or_insert(next);
        if i == next {
            classes.push(Vec::new());
        }
        classes[i].push(r);
    }
    classes
}

/// Measures `table` over the `quasi` columns (those present), with an optional sensitive column.
pub fn measure(
    table: &Table,
    quasi: &[String],
    sensitive: Option<&str>,
    threshold: f64,
) -> Measures {
    measure_with(
        table,
        quasi,
        sensitive,
        &RiskOptions {
            threshold,
            ..Default::default()
        },
    )
}

/// Measures `table` with risk options (threshold, population size).
pub fn measure_with(
    table: &Table,
    quasi: &[String],
    sensitive: Option<&str>,
    options: &RiskOptions,
) -> Measures {
    let threshold = options.threshold;
    let present: Vec<String> = quasi
        .iter()
        .filter(|q| table.column(q).is_some())
        .cloned()
        .collect();
    let n = table.rows();
    if present.is_empty() || n == 0 {
        return Measures {
            k_anonymity: None,
            l_diversity: None,
            l_diversity_entropy: None,
            t_closeness: None,
            equivalence_classes: 0,
            risk: None,
        };
    }
    let classes = equivalence_classes(table, &present);
    let k = classes.iter().map(Vec::len).min().unwrap_or(0);
    let sizes: Vec<usize> = classes.iter().map(Vec::len).collect();
    let mut risk = risk_of(&sizes, n, threshold, options.population_size());
    if risk.population_size.is_some() {
        risk.population_name = options.population_name().map(str::to_string);
    }
    let (mut l, mut le, mut t) = (None, None, None);
    if let Some(col) = sensitive.and_then(|s| table.column(s)) {
        l = classes.iter().map(|c| distinct_count(&col.values, c)).min();
        le = classes
            .iter()
            .map(|c| entropy_l(&col.values, c))
            .min_by(f64::total_cmp);
        t = Some(t_closeness(&col.values, &classes));
    }
    Measures {
        k_anonymity: Some(k),
        l_diversity: l,
        l_diversity_entropy: le,
        t_closeness: t,
        equivalence_classes: classes.len(),
        risk: Some(risk),
    }
}

/// Value counts, ordered so that sums over them are the same on every run.
fn counts(values: &Values, rows: &[usize]) -> BTreeMap<Option<String>, usize> {
    let mut m = BTreeMap::new();
    for &r in rows {
        *m.entry(values.text(r)).or_insert(0) += 1;
    }
    m
}

fn distinct_count(values: &Values, rows: &[usize]) -> usize {
    counts(values, rows).len()
}

fn entropy_l(values: &Values, rows: &[usize]) -> f64 {
    let n = rows.len() as f64;
    let h: f64 = counts(values, rows)
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum();
    h.exp()
}

/// Largest EMD between a class's sensitive distribution and the table's (see module docs).
pub fn t_closeness(values: &Values, classes: &[Vec<usize>]) -> f64 {
    let all: Vec<usize> = classes.iter().flatten().copied().collect();
    let n = all.len() as f64;
    match values {
        Values::Num(v) => {
            // Ordered distance over the sorted distinct present values; missing rows are left out.
            let mut distinct: Vec<f64> =
                all.iter().map(|&r| v[r]).filter(|x| !x.is_nan()).collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let m = distinct.len();
            if m < 2 {
                return 0.0;
            }
            let dist = |rows: &[usize]| -> Vec<f64> {
                let present: Vec<f64> =
                    rows.iter().map(|&r| v[r]).filter(|x| !x.is_nan()).collect();
                let mut p = vec![0.0; m];
                for x in &present {
                    if let Ok(i) = distinct.binary_search_by(|d| d.total_cmp(x)) {
                        p[i] += 1.0 / present.len() as f64;
                    }
                }
                p
            };
            let q = dist(&all);
            classes
                .iter()
                .map(|c| {
                    let p = dist(c);
                    let mut cum = 0.0;
                    let mut total = 0.0;
                    for i in 0..m {
                        cum += p[i] - q[i];
                        total += cum.abs();
                    }
                    total / (m - 1) as f64
                })
                .fold(0.0, f64::max)
        }
        Values::Str(_) => {
            let q = counts(values, &all);
            classes
                .iter()
                .map(|c| {
                    let p = counts(values, c);
                    let size = c.len() as f64;
                    0.5 * q
                        .iter()
                        .map(|(k, &qc)| {
                            (p.get(k).copied().unwrap_or(0) as f64 / size - qc as f64 / n).abs()
                        })
                        .sum::<f64>()
                })
                .fold(0.0, f64::max)
        }
    }
}

/// Risk figures from class sizes (see module docs).
pub fn risk_of(sizes: &[usize], n: usize, threshold: f64, population: Option<u64>) -> Risk {
    let k = sizes.iter().copied().min().unwrap_or(0).max(1);
    let classes = sizes.len() as f64;
    let at_risk: usize = sizes.iter().filter(|&&s| 1.0 / s as f64 > threshold).sum();
    let uniques = sizes.iter().filter(|&&s| s == 1).count();
    let nf = n.max(1) as f64;
    let pop = population.map(|p| p.max(n as u64));
    let pi = pop.map_or(1.0, |p| nf / p as f64);
    let estimate = pop.map(|p| super::population::uniqueness(sizes, p));
    Risk {
        prosecutor_max: 1.0 / k as f64,
        prosecutor_avg: classes / nf,
        records_at_risk: at_risk,
        records_at_risk_pct: 100.0 * at_risk as f64 / nf,
        threshold,
        uniques,
        journalist_max: pi / k as f64,
        journalist_avg: pi * classes / nf,
        marketer: pi * classes / nf,
        population_size: pop,
        population_uniques: estimate.as_ref().map(|e| e.uniques),
        population_uniqueness: estimate.as_ref().map(|e| e.share),
        population_name: None,
        population_model: estimate.as_ref().and_then(|e| e.model),
        population_estimates: estimate.map(|e| e.estimates),
        k_map: None,
        k_map_max: None,
        k_map_avg: None,
        k_map_records_at_risk: None,
        k_map_records_at_risk_pct: None,
        population_table: None,
    }
}

fn ln_choose(n: u64, k: u64) -> f64 {
    use crate::eval::uncertainty::ln_gamma;
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Hypergeometric P(X = 1): population `pop`, `succ` successes, `draws` draws.
pub fn hypergeometric_one(pop: u64, succ: u64, draws: u64) -> f64 {
    if succ == 0 || draws == 0 || succ > pop || draws > pop || pop - succ < draws - 1 {
        return 0.0;
    }
    ((succ as f64).ln() + ln_choose(pop - succ, draws - 1) - ln_choose(pop, draws)).exp()
}

/// Zayatz (1991) as ARX's ModelZayatz: (estimated population uniques, share of sample records
/// that are population uniques). Class sizes of the sample, sample size `n`, population `pop`.
pub fn zayatz(sizes: &[usize], n: u64, pop: u64) -> (f64, f64) {
    let f1 = sizes.iter().filter(|&&s| s == 1).count() as f64;
    if f1 == 0.0 || n == 0 {
        return (0.0, 0.0);
    }
    let u = sizes.len() as f64;
    let mut freq: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for &s in sizes {
        *freq.entry(s).or_default() += 1;
    }
    let temp: f64 = freq
        .iter()
        .map(|(&i, &fi)| fi as f64 / u * hypergeometric_one(pop, i as u64, n))
        .sum();
    let p_cond = if temp > 0.0 {
        f1 / u * hypergeometric_one(pop, 1, n) / temp
    } else {
        0.0
    };
    let pi = n as f64 / pop as f64;
    (f1 * p_cond / pi, f1 * p_cond / n as f64)
}

/// Information loss from `original` to `masked` over the quasi-identifiers. `row_map[i]` is the
/// original row of masked row i; original rows not in it were suppressed.
pub fn information_loss(
    original: &Table,
    masked: &Table,
    row_map: &[usize],
    quasi: &[String],
) -> Option<InformationLoss> {
    let n = original.rows();
    let quasi: Vec<&String> = quasi
        .iter()
        .filter(|q| original.column(q).is_some())
        .collect();
    if quasi.is_empty() || n == 0 {
        return None;
    }
    let mut released: Vec<Option<usize>> = vec![None; n];
    for (i, &r) in row_map.iter().enumerate() {
        if r < n {
            released[r] = Some(i);
        }
    }
    let suppressed = released.iter().filter(|r| r.is_none()).count();
    let (mut nue, mut max) = (0.0, 0.0);
    for q in &quasi {
        let orig = original.column(q).map(|c| &c.values);
        let out = masked.column(q).map(|c| &c.values);
        let o: Vec<Option<String>> = (0..n).map(|r| orig.and_then(|v| v.text(r))).collect();
        // The released value: `None` for a suppressed record or a dropped column ("*").
        let g: Vec<Option<Option<String>>> = (0..n)
            .map(|r| match (released[r], out) {
                (Some(i), Some(v)) => Some(v.text(i)),
                _ => None,
            })
            .collect();
        let mut by_o: HashMap<&Option<String>, usize> = HashMap::new();
        let mut by_g: HashMap<&Option<Option<String>>, usize> = HashMap::new();
        let mut by_og: HashMap<(&Option<String>, &Option<Option<String>>), usize> = HashMap::new();
        for r in 0..n {
            *by_o.entry(&o[r]).or_default() += 1;
            *by_g.entry(&g[r]).or_default() += 1;
            *by_og.entry((&o[r], &g[r])).or_default() += 1;
        }
        for r in 0..n {
            let top = by_o[&o[r]] as f64 / n as f64;
            // A suppressed value is released as `*`: P(original | *) is its share of the table.
            let p = match &g[r] {
                None => top,
                Some(_) => by_og[&(&o[r], &g[r])] as f64 / by_g[&g[r]] as f64,
            };
            nue -= p.log2();
            max -= top.log2();
        }
    }
    let present: Vec<String> = quasi
        .iter()
        .filter(|q| masked.column(q).is_some())
        .map(|q| q.to_string())
        .collect();
    let dm: f64 = if present.is_empty() {
        (masked.rows() * masked.rows()) as f64
    } else {
        equivalence_classes(masked, &present)
            .iter()
            .map(|c| (c.len() * c.len()) as f64)
            .sum()
    } + (suppressed * n) as f64;
    Some(InformationLoss {
        discernibility: dm,
        non_uniform_entropy: nue.max(0.0),
        non_uniform_entropy_pct: if max > 0.0 {
            100.0 * nue.max(0.0) / max
        } else {
            0.0
        },
    })
}

/// Whether some record of the measured table has a prosecutor risk above the threshold.
pub fn above_threshold(m: &Measures) -> bool {
    m.risk.as_ref().is_some_and(|r| r.records_at_risk > 0)
}

/// The audit entry of releasing a table above the threshold with the user's acceptance
/// (`risk.accept`): op `accept_risk`, the threshold, the records at risk and the reason. `None`
/// when the table is not above the threshold or nothing was accepted.
pub fn acceptance(after: &Measures, options: &RiskOptions) -> Option<crate::report::AuditEntry> {
    let (r, accept) = (after.risk.as_ref()?, options.accept.as_ref()?);
    if r.records_at_risk == 0 {
        return None;
    }
    let note = match accept.by.as_deref() {
        Some(by) => crate::message::audit_accept_risk_by(
            r.threshold,
            by,
            r.records_at_risk,
            r.records_at_risk_pct,
            accept.reason.as_str(),
        ),
        None => crate::message::audit_accept_risk(
            r.threshold,
            r.records_at_risk,
            r.records_at_risk_pct,
            accept.reason.as_str(),
        ),
    };
    Some(crate::report::AuditEntry {
        step: "risk".into(),
        op: "accept_risk".into(),
        args: serde_json::json!({
            "threshold": r.threshold,
            "records_at_risk": r.records_at_risk,
            "records_at_risk_pct": r.records_at_risk_pct,
            "prosecutor_max": r.prosecutor_max,
            "reason": accept.reason,
            "by": accept.by,
        }),
        rows_affected: r.records_at_risk,
        cells_affected: 0,
        note: note.to_string(),
        coded: note,
    })
}

/// The warning for a table released above the threshold by acceptance (the warning without
/// acceptance is the pipeline's records-at-risk warning, and `privacy.above_threshold`).
pub fn acceptance_warning(
    after: &Measures,
    options: &RiskOptions,
) -> Option<crate::message::Message> {
    let r = after.risk.as_ref().filter(|r| r.records_at_risk > 0)?;
    let a = options.accept.as_ref()?;
    Some(crate::message::warn_accepted_risk(
        r.threshold,
        r.records_at_risk,
        r.records_at_risk_pct,
        a.reason.as_str(),
    ))
}
