//! `k_anonymize`: find the generalization (one level per quasi-identifier) plus record
//! suppression that reaches k-anonymity (optionally distinct l-diversity of a sensitive column)
//! with the least information loss, and apply it.
//!
//! Each quasi-identifier has a *ladder* of levels: level 0 is the original value, then coarser
//! and coarser groups, and the last level is `*` (the attribute fully suppressed). Ladders are
//! given per column (`ladders`) or chosen from the column's type: numbers → bands of doubling
//! width (5, 10, 20, 40 for ages), fixed-length codes such as ZIP codes → shrinking prefixes,
//! dates → month, year, decade; other columns → original or `*`. Every level must coarsen the
//! previous one (checked), which makes the search space a lattice in which k-anonymity with
//! suppression is monotone: if a combination of levels satisfies the target with at most
//! `max_suppression` of the records suppressed, so does every coarser combination (ARX's Flash
//! and OLA rely on the same property).
//!
//! The search evaluates lattice nodes in a binary-search order of their height; a node that
//! satisfies the target tags all its ancestors as satisfying, a node that fails tags all its
//! descendants as failing, so most nodes are never evaluated. Evaluating a node counts classes
//! over precomputed integer codes packed into one `u64` per record (mixed radix) in a hash map.
//! Among the *minimal* satisfying nodes (no satisfying predecessor) the one with the least
//! non-uniform entropy (see `risk`) is applied, ties broken by fewer suppressed records and then
//! by lower levels; records of classes that still violate the target are removed and counted.
//! For ranking, the entropy uses group frequencies before suppression and counts a suppressed
//! record's values as released `*` (a bound that branch-and-bound can prune on); the Report's
//! `information_loss` is the exact figure.

use super::ops::generalize::Generalize;
use super::ops::hierarchy::check_map;
use super::ops::truncate::truncated;
use super::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::csv::parse_date;
use crate::table::{ColumnType, Table, Values};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// `{"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 5, "max_suppression": 0.05}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KAnonymize {
    pub quasi: Vec<String>,
    pub k: usize,
    /// Distinct l-diversity of `sensitive` in every class, too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<String>,
    /// The largest share of records that may be removed (0 to 1).
    #[serde(default)]
    pub max_suppression: f64,
    /// Generalization ladders per quasi-identifier (default: from the column type).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ladders: BTreeMap<String, Ladder>,
}

/// The levels of one quasi-identifier above the original value (the final `*` is implicit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ladder {
    /// Band widths, each a whole multiple of the previous: `{"bands": [5, 10, 20]}`.
    Bands(Vec<f64>),
    /// Prefix lengths kept, shrinking: `{"prefix": [4, 3, 2]}` (ZIP 02139 → 0213* → 021** → 02***).
    Prefix(Vec<usize>),
    /// Date granularities, coarsening: `{"dates": ["month", "year", "decade"]}`.
    Dates(Vec<DateLevel>),
    /// A user hierarchy: value → groups from finest to coarsest.
    Hierarchy(BTreeMap<String, Vec<String>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateLevel {
    Month,
    Year,
    Decade,
}

impl Ladder {
    fn check(&self) -> Result<(), ArgError> {
        match self {
            Ladder::Bands(w) => {
                if w.is_empty() || w.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
                    return Err((
                        "ladders",
                        "bands must be a non-empty list of positive widths".into(),
                    ));
                }
                for p in w.windows(2) {
                    let r = p[1] / p[0];
                    if r < 2.0 - 1e-9 || (r - r.round()).abs() > 1e-9 {
                        return Err((
                            "ladders",
                            format!(
                                "band width {} is not a whole multiple (≥ 2×) of {}",
                                p[1], p[0]
                            ),
                        ));
                    }
                }
            }
            Ladder::Prefix(p) => {
                if p.is_empty() || p.contains(&0) || p.windows(2).any(|w| w[1] >= w[0]) {
                    return Err((
                        "ladders",
                        "prefix lengths must be positive and strictly shrinking".into(),
                    ));
                }
            }
            Ladder::Dates(d) => {
                if d.is_empty() || d.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(("ladders", "dates must coarsen: month, year, decade".into()));
                }
            }
            Ladder::Hierarchy(m) => {
                check_map("ladders", m)?;
            }
        }
        Ok(())
    }

    fn names(&self) -> Vec<String> {
        match self {
            Ladder::Bands(w) => w.iter().map(|x| format!("bands of {x}")).collect(),
            Ladder::Prefix(p) => p.iter().map(|x| format!("first {x} characters")).collect(),
            Ladder::Dates(d) => d.iter().map(|x| format!("{x:?}").to_lowercase()).collect(),
            Ladder::Hierarchy(m) => (1..=m.values().next().map_or(0, Vec::len))
                .map(|l| format!("hierarchy level {l}"))
                .collect(),
        }
    }
}

/// A fast, deterministic hasher for integer keys (Fx-style multiply-rotate).
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One quasi-identifier prepared for the search: per level, the code of every row, the number of
/// codes and their labels.
pub(crate) struct Prepared {
    name: String,
    level_names: Vec<String>,
    codes: Vec<Vec<u32>>,
    labels: Vec<Vec<Option<String>>>,
    /// Rows per code, per level.
    counts: Vec<Vec<u32>>,
}

fn nice_width(range: f64) -> f64 {
    let target = (range / 16.0).max(1.0);
    let mag = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&w| w >= target)
        .unwrap_or(10.0 * mag)
}

/// The default ladder for a column from its type and values.
pub fn default_ladder(table: &Table, name: &str) -> Option<Ladder> {
    let col = table.column(name)?;
    match (&col.values, col.ctype) {
        (Values::Num(v), _) => {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if present.is_empty() || hi <= lo {
                return None;
            }
            let w = if crate::table::csv::normalize_header(name).contains("age") {
                5.0
            } else {
                nice_width(hi - lo)
            };
            Some(Ladder::Bands(vec![w, 2.0 * w, 4.0 * w, 8.0 * w]))
        }
        (_, ColumnType::Date) => Some(Ladder::Dates(vec![
            DateLevel::Month,
            DateLevel::Year,
            DateLevel::Decade,
        ])),
        (Values::Str(v), _) => {
            let present: Vec<&String> = v.iter().flatten().collect();
            let len = present.first().map(|s| s.chars().count())?;
            let code_like = len >= 3
                && present.iter().all(|s| {
                    s.chars().count() == len && s.chars().all(|c| c.is_ascii_alphanumeric())
                });
            code_like.then(|| Ladder::Prefix((1..len).rev().collect()))
        }
    }
}

fn level_label(
    ladder: &Ladder,
    level: usize,
    value: &str,
    integers: bool,
) -> Result<String, &'static str> {
    match ladder {
        Ladder::Bands(w) => {
            let x: f64 = value.parse().map_err(|_| "not a number")?;
            Ok(Generalize::width("", w[level]).band(x, integers))
        }
        Ladder::Prefix(p) => Ok(truncated(value, p[level])),
        Ladder::Dates(d) => {
            let (y, m, _) = parse_date(value).ok_or("not a date")?;
            Ok(match d[level] {
                DateLevel::Month => format!("{y:04}-{m:02}"),
                DateLevel::Year => format!("{y:04}"),
                DateLevel::Decade => format!("{}s", y - y.rem_euclid(10)),
            })
        }
        Ladder::Hierarchy(map) => map
            .get(value)
            .map(|g| g[level].clone())
            .ok_or("value not in the hierarchy"),
    }
}

fn prepare(table: &Table, name: &str, ladder: Option<&Ladder>) -> Result<Prepared, ArgError> {
    let col = table
        .column(name)
        .ok_or(("quasi", format!("no such column '{name}'")))?;
    let n = table.rows();
    let integers = match &col.values {
        Values::Num(v) => v.iter().all(|x| x.is_nan() || x.fract() == 0.0),
        _ => false,
    };
    // Level 0: distinct texts in order of first appearance; missing is a code of its own.
    let mut index: HashMap<Option<String>, u32> = HashMap::new();
    let mut labels0: Vec<Option<String>> = Vec::new();
    let mut first_row: Vec<usize> = Vec::new();
    let mut codes0 = Vec::with_capacity(n);
    for r in 0..n {
        let t = col.values.text(r);
        let next = labels0.len() as u32;
        let c = *index.entry(t.clone()).or_insert(next);
        if c == next {
            labels0.push(t);
            first_row.push(r);
        }
        codes0.push(c);
    }
    let mut codes = vec![codes0];
    let mut labels = vec![labels0.clone()];
    let mut level_names = vec!["original".to_string()];
    if let Some(ladder) = ladder {
        level_names.extend(ladder.names());
        let depth = level_names.len() - 1;
        for level in 0..depth {
            // Label every distinct original value, then map rows through their level-0 code.
            let mut idx: HashMap<Option<String>, u32> = HashMap::new();
            let mut labs: Vec<Option<String>> = Vec::new();
            let mut map = Vec::with_capacity(labels0.len());
            for (c0, v) in labels0.iter().enumerate() {
                let lab = match v {
                    None => None,
                    Some(v) => Some(level_label(ladder, level, v, integers).map_err(|what| {
                        super::ops::cell_error("ladders", first_row[c0], name, what)
                    })?),
                };
                let next = labs.len() as u32;
                let c = *idx.entry(lab.clone()).or_insert(next);
                if c == next {
                    labs.push(lab);
                }
                map.push(c);
            }
            // Each level must coarsen the previous one.
            let prev = &codes[codes.len() - 1];
            let mut parent: Vec<Option<u32>> = vec![None; labels[labels.len() - 1].len()];
            for (c0, &c) in map.iter().enumerate() {
                let p = prev[first_row[c0]] as usize;
                match parent[p] {
                    None => parent[p] = Some(c),
                    Some(q) if q != c => {
                        return Err(("ladders", format!("the ladder of '{name}' is not nested: level {} splits a group of level {}", level + 1, level)))
                    }
                    _ => {}
                }
            }
            codes.push(codes[0].iter().map(|&c0| map[c0 as usize]).collect());
            labels.push(labs);
        }
    }
    // The top level: everything `*`.
    level_names.push("*".into());
    codes.push(vec![0; n]);
    labels.push(vec![Some("*".into())]);
    let counts = codes
        .iter()
        .zip(&labels)
        .map(|(c, l)| {
            let mut k = vec![0u32; l.len()];
            for &x in c {
                k[x as usize] += 1;
            }
            k
        })
        .collect();
    Ok(Prepared {
        name: name.to_string(),
        level_names,
        codes,
        labels,
        counts,
    })
}

/// The evaluation of one lattice node.
struct Evaluation {
    satisfies: bool,
}

struct Search<'a> {
    qs: &'a [Prepared],
    sensitive: Option<&'a [u32]>,
    k: usize,
    l: usize,
    limit: usize,
    n: usize,
    map: FxMap<u64, u32>,
    pairs: FxMap<(u64, u32), ()>,
    keys: Vec<u64>,
    evaluated: usize,
}

impl Search<'_> {
    /// Fills `keys` with one class key per row for the node `levels`.
    fn keys(&mut self, levels: &[usize]) {
        let n = self.n;
        let mut radix: Option<u64> = Some(1);
        for (q, &l) in self.qs.iter().zip(levels) {
            radix = radix.and_then(|r| r.checked_mul(q.counts[l].len() as u64));
        }
        self.keys.clear();
        if radix.is_some() {
            self.keys.resize(n, 0);
            for (q, &l) in self.qs.iter().zip(levels) {
                let m = q.counts[l].len() as u64;
                let c = &q.codes[l];
                for (k, &x) in self.keys.iter_mut().zip(c) {
                    *k = *k * m + x as u64;
                }
            }
        } else {
            // Too many combinations for one u64: renumber classes column by column.
            self.keys
                .extend(self.qs[0].codes[levels[0]].iter().map(|&x| x as u64));
            for (q, &l) in self.qs.iter().zip(levels).skip(1) {
                let mut ids: FxMap<u64, u64> = FxMap::default();
                let c = &q.codes[l];
                for (k, &x) in self.keys.iter_mut().zip(c) {
                    let next = ids.len() as u64;
                    *k = *ids.entry((*k << 32) | x as u64).or_insert(next);
                }
            }
        }
    }

    /// Class sizes, and which classes violate the target.
    fn classes(&mut self, levels: &[usize]) -> FxMap<u64, bool> {
        self.keys(levels);
        self.map.clear();
        for &k in &self.keys {
            *self.map.entry(k).or_insert(0) += 1;
        }
        let mut bad: FxMap<u64, bool> = self
            .map
            .iter()
            .map(|(&k, &c)| (k, (c as usize) < self.k))
            .collect();
        if let Some(s) = self.sensitive {
            if self.l > 1 {
                self.pairs.clear();
                let mut distinct: FxMap<u64, u32> = FxMap::default();
                for (&k, &v) in self.keys.iter().zip(s) {
                    if self.pairs.insert((k, v), ()).is_none() {
                        *distinct.entry(k).or_insert(0) += 1;
                    }
                }
                for (k, b) in bad.iter_mut() {
                    if (distinct.get(k).copied().unwrap_or(0) as usize) < self.l {
                        *b = true;
                    }
                }
            }
        }
        bad
    }

    /// A search over the same data with its own scratch buffers.
    #[cfg(not(target_arch = "wasm32"))]
    fn fork(&self) -> Self {
        Search {
            map: FxMap::default(),
            pairs: FxMap::default(),
            keys: Vec::with_capacity(self.n),
            evaluated: 0,
            ..*self
        }
    }

    /// Whether each node satisfies the target, in the order given (natively on threads, each
    /// with its own scratch; in wasm one after another).
    fn evaluate_all(
        &mut self,
        nodes: &[usize],
        decode: &(dyn Fn(usize) -> Vec<usize> + Sync),
    ) -> Vec<bool> {
        self.evaluated += nodes.len();
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            let this = &*self;
            nodes
                .par_iter()
                .map_init(|| this.fork(), |s, &x| s.evaluate(&decode(x)).satisfies)
                .collect()
        }
        #[cfg(target_arch = "wasm32")]
        {
            nodes
                .iter()
                .map(|&x| self.evaluate(&decode(x)).satisfies)
                .collect()
        }
    }

    fn evaluate(&mut self, levels: &[usize]) -> Evaluation {
        let bad = self.classes(levels);
        let suppressed: usize = self
            .map
            .iter()
            .filter(|(k, _)| bad[*k])
            .map(|(_, &c)| c as usize)
            .sum();
        Evaluation {
            satisfies: suppressed <= self.limit,
        }
    }
}

/// What the search chose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    /// Column → chosen level (0 = original).
    pub levels: Vec<usize>,
    pub level_names: Vec<String>,
    pub suppressed: usize,
    /// Non-uniform entropy (bits) as ranked by the search.
    pub loss: f64,
    pub nodes: usize,
    pub evaluated: usize,
}

impl KAnonymize {
    fn ladder_for(&self, table: &Table, q: &str) -> Option<Ladder> {
        self.ladders
            .get(q)
            .cloned()
            .or_else(|| default_ladder(table, q))
    }

    /// Searches the lattice and returns what it would apply, without changing the table.
    pub fn plan(&self, table: &Table) -> Result<Solution, ArgError> {
        self.solve(table).map(|s| s.0)
    }

    /// Searches the lattice; returns the chosen solution and the rows to keep.
    pub(crate) fn solve(
        &self,
        table: &Table,
    ) -> Result<(Solution, Vec<Prepared>, Vec<usize>), ArgError> {
        let n = table.rows();
        if n < self.k {
            return Err((
                "k",
                format!("the table has {n} record(s), fewer than k = {}", self.k),
            ));
        }
        let qs: Vec<Prepared> = self
            .quasi
            .iter()
            .map(|q| prepare(table, q, self.ladder_for(table, q).as_ref()))
            .collect::<Result<_, _>>()?;
        let heights: Vec<usize> = qs.iter().map(|q| q.codes.len()).collect();
        let total: usize = heights.iter().try_fold(1usize, |a, &h| a.checked_mul(h)).filter(|&t| t <= 2_000_000).ok_or((
            "ladders",
            "more than 2,000,000 combinations of levels; give fewer quasi-identifiers or shorter ladders".to_string(),
        ))?;
        let sensitive_codes: Option<Vec<u32>> = match (&self.sensitive, self.l) {
            (Some(s), Some(_)) => {
                let col = table
                    .column(s)
                    .ok_or(("sensitive", format!("no such column '{s}'")))?;
                let mut idx: HashMap<Option<String>, u32> = HashMap::new();
                Some(
                    (0..n)
                        .map(|r| {
                            let next = idx.len() as u32;
                            *idx.entry(col.values.text(r)).or_insert(next)
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        let limit = (self.max_suppression * n as f64 + 1e-9).floor() as usize;
        let mut search = Search {
            qs: &qs,
            sensitive: sensitive_codes.as_deref(),
            k: self.k,
            l: self.l.unwrap_or(1),
            limit,
            n,
            map: FxMap::default(),
            pairs: FxMap::default(),
            keys: Vec::with_capacity(n),
            evaluated: 0,
        };
        // Node index ↔ levels (mixed radix, first quasi-identifier fastest).
        let decode = |mut i: usize| -> Vec<usize> {
            heights
                .iter()
                .map(|&h| {
                    let l = i % h;
                    i /= h;
                    l
                })
                .collect()
        };
        let stride: Vec<usize> = heights
            .iter()
            .scan(1, |s, &h| {
                let v = *s;
                *s *= h;
                Some(v)
            })
            .collect();
        let max_height: usize = heights.iter().map(|h| h - 1).sum();
        let mut by_height: Vec<Vec<usize>> = vec![Vec::new(); max_height + 1];
        for i in 0..total {
            by_height[decode(i).iter().sum::<usize>()].push(i);
        }
        // 0 unknown, 1 satisfies, 2 fails.
        let mut status = vec![0u8; total];
        // Binary-search order of heights.
        let mut order = Vec::new();
        let mut spans = vec![(0usize, max_height)];
        while let Some((lo, hi)) = spans.pop() {
            if lo > hi {
                continue;
            }
            let mid = (lo + hi) / 2;
            order.push(mid);
            if mid > lo {
                spans.insert(0, (lo, mid - 1));
            }
            if mid < hi {
                spans.insert(0, (mid + 1, hi));
            }
        }
        for &h in &order {
            // The nodes of one height are neither ancestors nor descendants of each other, so
            // tagging from one never reaches another: the ones unknown now are all evaluated
            // (on threads natively), then tagged from in order, as one after another would be.
            let todo: Vec<usize> = by_height[h]
                .iter()
                .copied()
                .filter(|&x| status[x] == 0)
                .collect();
            let verdicts = search.evaluate_all(&todo, &decode);
            for (&node, satisfies) in todo.iter().zip(verdicts) {
                // Tag ancestors (satisfying) or descendants (failing).
                let (mark, up) = if satisfies { (1u8, true) } else { (2u8, false) };
                let mut stack = vec![node];
                status[node] = mark;
                while let Some(x) = stack.pop() {
                    let lv = decode(x);
                    for d in 0..heights.len() {
                        let y = if up {
                            (lv[d] + 1 < heights[d]).then(|| x + stride[d])
                        } else {
                            (lv[d] > 0).then(|| x - stride[d])
                        };
                        if let Some(y) = y {
                            if status[y] == 0 {
                                status[y] = mark;
                                stack.push(y);
                            }
                        }
                    }
                }
            }
        }
        // Minimal satisfying nodes.
        let minimal: Vec<usize> = (0..total)
            .filter(|&x| status[x] == 1)
            .filter(|&x| {
                let lv = decode(x);
                (0..heights.len()).all(|d| lv[d] == 0 || status[x - stride[d]] != 1)
            })
            .collect();
        if minimal.is_empty() {
            let what = match self.l {
                Some(l) if l > 1 => format!("k = {} and l = {l}", self.k),
                _ => format!("k = {}", self.k),
            };
            return Err(("max_suppression", format!(
                "no generalization reaches {what} even with every quasi-identifier fully generalized{}",
                if self.l.is_some_and(|l| l > 1) { " (the sensitive column has too few distinct values)" } else { "" }
            )));
        }
        // Non-uniform entropy bound per node: Σ_q Σ_r -log2(count0(v_r) / count_level(g_r)).
        let nue_level: Vec<Vec<f64>> = qs
            .iter()
            .map(|q| {
                (0..q.codes.len())
                    .map(|l| {
                        q.codes[0]
                            .iter()
                            .zip(&q.codes[l])
                            .map(|(&c0, &cl)| {
                                -((q.counts[0][c0 as usize] as f64)
                                    / (q.counts[l][cl as usize] as f64))
                                    .log2()
                            })
                            .sum::<f64>()
                    })
                    .collect()
            })
            .collect();
        let bound = |x: usize| -> f64 {
            decode(x)
                .iter()
                .enumerate()
                .map(|(q, &l)| nue_level[q][l])
                .sum()
        };
        let mut ranked: Vec<(f64, usize)> = minimal.iter().map(|&x| (bound(x), x)).collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut best: Option<(f64, usize, usize, Vec<usize>)> = None; // (loss, suppressed, node, kept)
        for (b, node) in ranked {
            if best.as_ref().is_some_and(|(loss, ..)| b > *loss + 1e-9) {
                break;
            }
            let levels = decode(node);
            let bad = search.classes(&levels);
            let keys = std::mem::take(&mut search.keys);
            let mut loss = b;
            let mut kept = Vec::with_capacity(n);
            for (r, k) in keys.iter().enumerate() {
                if bad[k] {
                    for (q, &l) in qs.iter().zip(&levels) {
                        let c0 = q.codes[0][r] as usize;
                        let p_top = q.counts[0][c0] as f64 / n as f64;
                        let p_l =
                            q.counts[0][c0] as f64 / q.counts[l][q.codes[l][r] as usize] as f64;
                        loss += p_l.log2() - p_top.log2();
                    }
                } else {
                    kept.push(r);
                }
            }
            search.keys = keys;
            let suppressed = n - kept.len();
            let better = match &best {
                None => true,
                Some((bl, bs, bn, _)) => {
                    loss < *bl - 1e-9
                        || (loss - *bl).abs() <= 1e-9
                            && (suppressed, levels.iter().sum::<usize>(), node)
                                < (*bs, decode(*bn).iter().sum::<usize>(), *bn)
                }
            };
            if better {
                best = Some((loss, suppressed, node, kept));
            }
        }
        let (loss, suppressed, node, kept) = best.expect("minimal is non-empty");
        let levels = decode(node);
        Ok((
            Solution {
                level_names: qs
                    .iter()
                    .zip(&levels)
                    .map(|(q, &l)| q.level_names[l].clone())
                    .collect(),
                levels,
                suppressed,
                loss,
                nodes: total,
                evaluated: search.evaluated,
            },
            qs,
            kept,
        ))
    }
}

impl Op for KAnonymize {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Refused(
            "depends on the whole training file (groups and levels chosen over all records)",
        )
    }
    fn coarsens_dates(&self) -> bool {
        false
    }
    fn scrubs_text(&self) -> bool {
        false
    }
    fn randomized(&self) -> bool {
        false
    }
    fn check(&self) -> Result<(), ArgError> {
        if self.quasi.is_empty() {
            return Err(("quasi", "names no column".into()));
        }
        for (i, c) in self.quasi.iter().enumerate() {
            if self.quasi[..i].contains(c) {
                return Err(("quasi", format!("names column '{c}' twice")));
            }
        }
        if self.k < 2 {
            return Err(("k", format!("must be at least 2, got {}", self.k)));
        }
        super::ops::in_range("max_suppression", self.max_suppression, 0.0, 1.0)?;
        match (self.l, &self.sensitive) {
            (Some(l), Some(s)) => {
                if l < 2 {
                    return Err(("l", format!("must be at least 2, got {l}")));
                }
                if self.quasi.contains(s) {
                    return Err(("sensitive", "must not be a quasi-identifier".into()));
                }
            }
            (Some(_), None) => return Err(("sensitive", "l needs the sensitive column".into())),
            (None, Some(_)) => {
                return Err((
                    "l",
                    "give l (distinct sensitive values per class) with sensitive".into(),
                ))
            }
            (None, None) => {}
        }
        for (c, ladder) in &self.ladders {
            if !self.quasi.contains(c) {
                return Err(("ladders", format!("'{c}' is not one of quasi")));
            }
            ladder.check()?;
        }
        Ok(())
    }
    fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut c: Vec<(&'static str, &str)> =
            self.quasi.iter().map(|q| ("quasi", q.as_str())).collect();
        if let Some(s) = &self.sensitive {
            c.push(("sensitive", s.as_str()));
        }
        c
    }
    fn changed_columns(&self) -> Vec<&str> {
        self.quasi.iter().map(String::as_str).collect()
    }
    fn output_type(&self, _: ColumnType) -> Option<ColumnType> {
        Some(ColumnType::Categorical)
    }
    fn apply(&self, table: &mut Table, _: &PrivacyContext) -> Result<Effect, ArgError> {
        let (solution, qs, kept) = self.solve(table)?;
        let mut cells = 0;
        for (q, &l) in qs.iter().zip(&solution.levels) {
            if l == 0 {
                continue; // kept as it is (numbers stay numbers)
            }
            let out: Vec<Option<String>> = q.codes[l]
                .iter()
                .map(|&c| q.labels[l][c as usize].clone())
                .collect();
            cells += out.iter().filter(|v| v.is_some()).count();
            super::ops::set_text(table, &q.name, out, ColumnType::Categorical);
        }
        let removed = table.rows() - kept.len();
        let kept_rows = (removed > 0).then(|| {
            *table = table.take_rows(&kept);
            kept
        });
        let levels: serde_json::Map<String, serde_json::Value> = qs
            .iter()
            .zip(&solution.level_names)
            .map(|(q, name)| (q.name.clone(), serde_json::json!(name)))
            .collect();
        Ok(Effect {
            rows_affected: removed,
            cells_affected: cells,
            note: format!(
                "k = {} reached by generalizing {}; {} record(s) suppressed; {} of {} level combinations evaluated",
                self.k,
                qs.iter().zip(&solution.level_names).map(|(q, l)| format!("{} to {l}", q.name)).collect::<Vec<_>>().join(", "),
                removed,
                solution.evaluated,
                solution.nodes
            ),
            kept_rows,
            details: Some(serde_json::json!({
                "levels": levels,
                "suppressed_rows": removed,
                "non_uniform_entropy": solution.loss,
                "nodes": solution.nodes,
                "evaluated": solution.evaluated,
            })),
        })
    }
}

impl Describe for KAnonymize {
    const DOC: &'static str = "Generalizes quasi-identifiers along ladders and suppresses records until every combination has at least k records (optionally l-diverse).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("quasi", Ty::Columns, "the quasi-identifier columns"),
            Arg::req("k", Ty::Integer, "the smallest number of records per combination"),
            Arg::opt("l", Ty::Integer, "distinct values of sensitive in every class, too"),
            Arg::opt("sensitive", Ty::Column, "the sensitive column for l"),
            Arg::def("max_suppression", Ty::Number, json!(0.0), "the largest share of records that may be removed (0 to 1)"),
            Arg::def("ladders", Ty::Map, json!({}), "column → its ladder: {\"bands\": [..]}, {\"prefix\": [..]}, {\"dates\": [..]} or {\"hierarchy\": {..}} (default: from the column type)").data(),
        ]
    }
    fn example() -> Self {
        KAnonymize {
            quasi: vec!["age".into(), "sex".into(), "zip".into()],
            k: 3,
            l: None,
            sensitive: None,
            max_suppression: 0.1,
            ladders: BTreeMap::new(),
        }
    }
}
