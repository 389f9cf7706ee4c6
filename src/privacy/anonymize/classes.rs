//! The equivalence classes of one lattice node of `k_anonymize`: class keys over the packed
//! level codes, the classes that violate the target, and the rows a node keeps.

use crate::privacy::ladder::Prepared;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

pub(super) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The evaluation of one lattice node.
struct Evaluation {
    satisfies: bool,
}

pub(super) struct Search<'a> {
    pub(super) qs: &'a [Prepared],
    pub(super) sensitive: Option<&'a [u32]>,
    pub(super) k: usize,
    pub(super) l: usize,
    pub(super) limit: usize,
    /// The most classes `average_risk` allows (`usize::MAX` without it).
    pub(super) max_classes: usize,
    pub(super) n: usize,
    pub(super) map: FxMap<u64, u32>,
    pub(super) pairs: FxMap<(u64, u32), ()>,
    pub(super) keys: Vec<u64>,
    pub(super) evaluated: usize,
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
    pub(super) fn evaluate_all(
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

/// Smallest class sizes of a realized node.
pub(super) struct ClassSizes {
    /// Over the records kept after suppressing the violating classes (0 if none kept).
    pub(super) kept: usize,
    /// Over all records.
    pub(super) all: usize,
    /// Records in classes smaller than k.
    pub(super) below_k: usize,
}

/// The loss (as ranked: a suppressed record counts as fully generalized), the rows kept after
/// suppressing the classes that violate the target, and the class sizes of `levels`.
pub(super) fn realize(
    search: &mut Search,
    levels: &[usize],
    bound: f64,
) -> (f64, Vec<usize>, ClassSizes) {
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
