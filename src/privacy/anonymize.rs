//! `k_anonymize`: find the generalization (one level per quasi-identifier) plus record
//! suppression that reaches k-anonymity (optionally distinct l-diversity of a sensitive column)
//! with the least information loss, and apply it.
//!
//! Instead of k, or with it, `average_risk` bounds the average prosecutor risk: the number of
//! classes of the generalized table (before suppression) divided by its records. Coarsening
//! merges classes, so this criterion is monotone too; and since the classes suppressed for k
//! are smaller than k, their records carry the higher risks, so the released table's average
//! risk is at most this bound (with l-diversity, larger classes may be suppressed as well and
//! the Report's measured `prosecutor_avg` is the figure to read).
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

pub use super::ladder::{default_ladder, DateLevel, Generalization, Ladder, Rule};
use super::ladder::{prepare, Prepared};
use super::{ArgError, Effect, Op, PrivacyContext, Replay};
use crate::schema::{Arg, Describe, Ty};
use crate::table::{ColumnType, Table};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// `{"op": "k_anonymize", "quasi": ["age", "sex", "zip"], "k": 5, "max_suppression": 0.05}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KAnonymize {
    pub quasi: Vec<String>,
    /// The smallest class size (default 1 when `average_risk` is given: no size criterion).
    #[serde(default = "one")]
    pub k: usize,
    /// The largest average prosecutor risk (classes / records, measured over the generalized
    /// table before suppression), with or instead of k.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_risk: Option<f64>,
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
    /// Pins the level of every quasi-identifier (column → level index, 0 = original, as in a
    /// frontier point's `level_index`): that node is applied instead of the search's choice,
    /// provided its suppression stays within `max_suppression`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, usize>,
}

fn one() -> usize {
    1
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
    /// The most classes `average_risk` allows (`usize::MAX` without it).
    max_classes: usize,
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
        let this = &*self;
        crate::par::map_init(
            nodes.len(),
            || this.fork(),
            |s, i| s.evaluate(&decode(nodes[i])).satisfies,
        )
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
            satisfies: suppressed <= self.limit && self.map.len() <= self.max_classes,
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
    /// The risk–utility frontier around the chosen node (see [`FrontierPoint`]).
    pub frontier: Vec<FrontierPoint>,
}

impl KAnonymize {
    /// The target in words: `k = 5`, `average risk ≤ 0.05`, or both.
    fn criterion(&self) -> String {
        match (self.k, self.average_risk) {
            (1, Some(r)) => format!("average risk ≤ {r}"),
            (k, Some(r)) => format!("k = {k} and average risk ≤ {r}"),
            (k, None) => format!("k = {k}"),
        }
    }

    /// The audit note: the criterion reached, the levels chosen (`column → level`), records
    /// suppressed and the search's size.
    fn note(
        &self,
        levels: Vec<crate::message::Message>,
        suppressed: usize,
        evaluated: usize,
        nodes: usize,
    ) -> crate::message::Message {
        use crate::message as msg;
        let note = match (self.k, self.average_risk) {
            (1, Some(r)) => msg::op_k_anonymize_average(r, levels, suppressed, evaluated, nodes),
            (k, Some(r)) => {
                msg::op_k_anonymize_k_average(k, r, levels, suppressed, evaluated, nodes)
            }
            (k, None) => msg::op_k_anonymize(k, levels, suppressed, evaluated, nodes),
        };
        if self.levels.is_empty() {
            note
        } else {
            msg::op_k_anonymize_pinned(note)
        }
    }

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
            max_classes: self
                .average_risk
                .map_or(usize::MAX, |r| (r * n as f64 + 1e-9).floor() as usize),
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
                Some(l) if l > 1 => format!("{} and l = {l}", self.criterion()),
                _ => self.criterion(),
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
        for &(b, node) in &ranked {
            if best.as_ref().is_some_and(|(loss, ..)| b > *loss + 1e-9) {
                break;
            }
            let levels = decode(node);
            let (loss, kept, _) = realize(&mut search, &levels, b);
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
        let (mut loss, mut suppressed, mut node, mut kept) = best.expect("minimal is non-empty");
        // A pinned node replaces the search's choice (checked against the suppression cap).
        if !self.levels.is_empty() {
            let mut pinned = 0;
            for (q, p) in qs.iter().zip(&stride) {
                let Some(&l) = self.levels.get(&q.name) else {
                    return Err((
                        "levels",
                        format!("gives no level for quasi-identifier '{}'", q.name),
                    ));
                };
                if l >= q.codes.len() {
                    return Err((
                        "levels",
                        format!(
                            "level {l} of '{}' does not exist (its ladder has levels 0 to {})",
                            q.name,
                            q.codes.len() - 1
                        ),
                    ));
                }
                pinned += l * p;
            }
            let levels = decode(pinned);
            let (l, k, _) = realize(&mut search, &levels, bound(pinned));
            let removed = n - k.len();
            if removed > limit {
                return Err((
                    "levels",
                    format!(
                        "these levels leave {removed} record(s) in classes below the target; suppressing them exceeds max_suppression ({limit} of {n} records)"
                    ),
                ));
            }
            (loss, suppressed, node, kept) = (l, removed, pinned, k);
        }
        // The risk–utility frontier: the minimal satisfying nodes of least loss and the nodes
        // just below them (which fail the target within the suppression cap), measured and kept
        // when no other point has both less information loss and fewer records at risk.
        let max_loss: f64 = nue_level.iter().map(|l| l[l.len() - 1]).sum();
        let pct = |loss: f64| {
            if max_loss > 0.0 {
                (100.0 * loss / max_loss).clamp(0.0, 100.0)
            } else {
                0.0
            }
        };
        let mut candidates: Vec<usize> = vec![node];
        for &(_, x) in ranked.iter().take(FRONTIER_SEEDS) {
            let lv = decode(x);
            candidates.push(x);
            for d in 0..heights.len() {
                if lv[d] > 0 {
                    candidates.push(x - stride[d]);
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        candidates.retain(|x| seen.insert(*x));
        let mut points: Vec<(usize, FrontierPoint)> = Vec::new();
        for &x in &candidates {
            let levels = decode(x);
            let (l, k_rows, min_k) = realize(&mut search, &levels, bound(x));
            let removed = n - k_rows.len();
            let satisfies = removed <= limit;
            let (records_at_risk, suppressed_rows, loss_x, k) = if satisfies {
                (0, removed, l, min_k.kept)
            } else {
                (min_k.below_k, 0, bound(x), min_k.all)
            };
            points.push((
                x,
                FrontierPoint {
                    levels: qs
                        .iter()
                        .zip(&levels)
                        .map(|(q, &l)| (q.name.clone(), q.level_names[l].clone()))
                        .collect(),
                    level_index: qs
                        .iter()
                        .zip(&levels)
                        .map(|(q, &l)| (q.name.clone(), l))
                        .collect(),
                    k,
                    records_at_risk,
                    suppressed_rows,
                    information_loss_pct: pct(loss_x),
                    satisfies,
                    chosen: x == node,
                },
            ));
        }
        let dominated = |a: &FrontierPoint, b: &FrontierPoint| {
            // b dominates a.
            b.information_loss_pct <= a.information_loss_pct + 1e-9
                && b.records_at_risk <= a.records_at_risk
                && (b.information_loss_pct < a.information_loss_pct - 1e-9
                    || b.records_at_risk < a.records_at_risk)
        };
        let mut frontier: Vec<FrontierPoint> = points
            .iter()
            .filter(|(_, a)| a.chosen || !points.iter().any(|(_, b)| dominated(a, b)))
            .map(|(_, p)| p.clone())
            .collect();
        frontier.sort_by(|a, b| {
            a.information_loss_pct
                .total_cmp(&b.information_loss_pct)
                .then(b.records_at_risk.cmp(&a.records_at_risk))
                .then(a.suppressed_rows.cmp(&b.suppressed_rows))
        });
        if frontier.len() > FRONTIER_POINTS {
            // Evenly spaced along the frontier, the chosen point always kept.
            let m = frontier.len();
            let keep: std::collections::BTreeSet<usize> = (0..FRONTIER_POINTS)
                .map(|i| i * (m - 1) / (FRONTIER_POINTS - 1))
                .chain(frontier.iter().position(|p| p.chosen))
                .collect();
            frontier = frontier
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep.contains(i))
                .map(|(_, p)| p)
                .take(FRONTIER_POINTS + 1)
                .collect();
        }
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
                frontier,
            },
            qs,
            kept,
        ))
    }
}

/// How many minimal satisfying nodes (least loss first) seed the frontier, and how many
/// points it shows at most.
const FRONTIER_SEEDS: usize = 12;
const FRONTIER_POINTS: usize = 20;

/// Smallest class sizes of a realized node.
struct ClassSizes {
    /// Over the records kept after suppressing the violating classes (0 if none kept).
    kept: usize,
    /// Over all records.
    all: usize,
    /// Records in classes smaller than k.
    below_k: usize,
}

/// The loss (as ranked: a suppressed record counts as fully generalized), the rows kept after
/// suppressing the classes that violate the target, and the class sizes of `levels`.
fn realize(search: &mut Search, levels: &[usize], bound: f64) -> (f64, Vec<usize>, ClassSizes) {
    let qs = search.qs;
    let n = search.n;
    let bad = search.classes(levels);
    let keys = std::mem::take(&mut search.keys);
    let mut loss = bound;
    let mut kept = Vec::with_capacity(n);
    for (r, k) in keys.iter().enumerate() {
        if bad[k] {
            for (q, &l) in qs.iter().zip(levels) {
                let c0 = q.codes[0][r] as usize;
                let p_top = q.counts[0][c0] as f64 / n as f64;
                let p_l = q.counts[0][c0] as f64 / q.counts[l][q.codes[l][r] as usize] as f64;
                loss += p_l.log2() - p_top.log2();
            }
        } else {
            kept.push(r);
        }
    }
    search.keys = keys;
    let sizes = ClassSizes {
        kept: search
            .map
            .iter()
            .filter(|(k, _)| !bad[*k])
            .map(|(_, &c)| c as usize)
            .min()
            .unwrap_or(0),
        all: search.map.values().map(|&c| c as usize).min().unwrap_or(0),
        below_k: search
            .map
            .values()
            .filter(|&&c| (c as usize) < search.k)
            .map(|&c| c as usize)
            .sum(),
    };
    (loss, kept, sizes)
}

/// One candidate solution on the risk–utility frontier (`privacy.frontier` in the Report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    /// Column → the label of its level ("original", "bands of 10", "first 3 characters", "*").
    pub levels: BTreeMap<String, String>,
    /// Column → the level's index (0 = original): what `levels` of `k_anonymize` pins.
    pub level_index: BTreeMap<String, usize>,
    /// The smallest class in the released records (after suppression when it satisfies).
    pub k: usize,
    /// Records in classes below the target k (0 when the point satisfies the target).
    pub records_at_risk: usize,
    /// Records suppressed to reach the target (0 when the point cannot within the cap).
    pub suppressed_rows: usize,
    /// Non-uniform entropy as a percentage of its maximum, as the search ranks it (a
    /// suppressed record counts as fully generalized).
    pub information_loss_pct: f64,
    /// Whether the target is reached within `max_suppression` (only such points can be pinned).
    pub satisfies: bool,
    /// The point `k_anonymize` applied.
    pub chosen: bool,
}

impl Op for KAnonymize {
    fn masks_identifiers(&self) -> bool {
        false
    }
    fn replay(&self) -> Replay {
        Replay::Frozen
    }
    fn freeze(
        &self,
        training: &Table,
    ) -> Result<(super::PrivacyStep, Vec<Generalization>), ArgError> {
        let (solution, qs, _) = self.solve(training)?;
        let mut pinned = self.clone();
        let mut out = Vec::with_capacity(qs.len());
        for (q, &l) in qs.iter().zip(&solution.levels) {
            // The ladder as resolved on the training file (default ladders depend on the data).
            if let Some(ladder) = self.ladder_for(training, &q.name) {
                pinned.ladders.insert(q.name.clone(), ladder);
            }
            pinned.levels.insert(q.name.clone(), l);
            out.push(Generalization {
                column: q.name.clone(),
                level: l,
                level_name: q.level_names[l].clone(),
                rule: q.rules[l].clone(),
            });
        }
        Ok((super::PrivacyStep::KAnonymize(pinned), out))
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
        match self.average_risk {
            Some(r) => {
                if !(r > 0.0 && r <= 1.0) {
                    return Err(("average_risk", format!("must be in (0, 1], got {r}")));
                }
                if self.k < 1 {
                    return Err(("k", "must be at least 1".into()));
                }
            }
            None if self.k < 2 => {
                return Err((
                    "k",
                    format!("must be at least 2 (or give average_risk), got {}", self.k),
                ))
            }
            None => {}
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
        if !self.levels.is_empty() {
            for c in self.levels.keys() {
                if !self.quasi.contains(c) {
                    return Err(("levels", format!("'{c}' is not one of quasi")));
                }
            }
            if let Some(c) = self.quasi.iter().find(|c| !self.levels.contains_key(*c)) {
                return Err((
                    "levels",
                    format!("gives no level for quasi-identifier '{c}'"),
                ));
            }
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
            note: self.note(
                qs.iter()
                    .zip(&solution.levels)
                    .map(|(q, &l)| {
                        crate::message::op_k_anonymize_level(
                            q.name.as_str(),
                            q.level_messages[l].clone(),
                        )
                    })
                    .collect::<Vec<_>>(),
                removed,
                solution.evaluated,
                solution.nodes,
            ),
            kept_rows,
            details: Some(serde_json::json!({
                "levels": levels,
                "suppressed_rows": removed,
                "non_uniform_entropy": solution.loss,
                "nodes": solution.nodes,
                "evaluated": solution.evaluated,
                "frontier": solution.frontier,
            })),
        })
    }
}

impl Describe for KAnonymize {
    const DOC: &'static str = "Generalizes quasi-identifiers along ladders and suppresses records until every combination has at least k records (optionally l-diverse).";
    fn args() -> Vec<Arg> {
        vec![
            Arg::req("quasi", Ty::Columns, "the quasi-identifier columns"),
            Arg::def("k", Ty::Integer, json!(1), "the smallest number of records per combination (give k ≥ 2, average_risk or both)"),
            Arg::opt("average_risk", Ty::Number, "the largest average re-identification risk, classes / records before suppression (0 to 1)"),
            Arg::opt("l", Ty::Integer, "distinct values of sensitive in every class, too"),
            Arg::opt("sensitive", Ty::Column, "the sensitive column for l"),
            Arg::def("max_suppression", Ty::Number, json!(0.0), "the largest share of records that may be removed (0 to 1)"),
            Arg::def("ladders", Ty::Map, json!({}), "column → its ladder: {\"bands\": [..]}, {\"prefix\": [..]}, {\"dates\": [..]}, {\"frequent\": [..]} or {\"hierarchy\": {..}} (default: from the column type)").data(),
            Arg::def("levels", Ty::Map, json!({}), "column → level index (0 = original) for every quasi-identifier: applies that combination instead of searching (a point of privacy.frontier)"),
        ]
    }
    fn example() -> Self {
        KAnonymize {
            quasi: vec!["age".into(), "sex".into(), "zip".into()],
            k: 3,
            average_risk: None,
            l: None,
            sensitive: None,
            max_suppression: 0.1,
            ladders: BTreeMap::new(),
            levels: BTreeMap::new(),
        }
    }
}

impl crate::privacy::Secrets for KAnonymize {
    /// No argument of `KAnonymize` is secret.
    fn redacted(&self) -> Self {
        self.clone()
    }
}

/// Applies a frozen `k_anonymize` (see [`Op::freeze`]) to new records: each quasi-identifier at
/// a level above 0 is relabelled value by value through the training file's rule (level 0 keeps
/// the column as it is, as the training run did). No record is removed and no class size is
/// checked. Returns, per row, the first column whose value the rule cannot place, and why.
pub fn replay(table: &mut Table, frozen: &[Generalization]) -> Vec<Option<(String, String)>> {
    let n = table.rows();
    let mut bad: Vec<Option<(String, String)>> = vec![None; n];
    for g in frozen {
        if g.level == 0 {
            continue;
        }
        let Some(col) = table.column(&g.column) else {
            continue;
        };
        let out: Vec<Option<String>> = (0..n)
            .map(|r| match g.rule.label(col.values.text(r).as_deref()) {
                Ok(v) => v,
                Err(why) => {
                    if bad[r].is_none() {
                        bad[r] = Some((
                            g.column.clone(),
                            format!(
                                "{why}: the training ladder ({}) cannot place it",
                                g.level_name
                            ),
                        ));
                    }
                    None
                }
            })
            .collect();
        super::ops::set_text(table, &g.column, out, ColumnType::Categorical);
    }
    bad
}
