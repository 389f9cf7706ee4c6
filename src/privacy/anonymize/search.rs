//! The lattice search of `k_anonymize`: the minimal generalizations that reach the target,
//! the one of least information loss (or the pinned one), and the risk–utility frontier.

use super::classes::{realize, FxMap, Search};
use super::KAnonymize;
use crate::privacy::ladder::{prepare, Prepared};
use crate::privacy::ArgError;
use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

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
