//! The booster of `gradient_boosting`: one tree grown leaf-wise on gradient histograms (see
//! the parent module's doc for the method).

use super::{Binned, BoostingParams};
use crate::models::tree::{FlatTree, Node};

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Bin {
    pub(super) g: f64,
    pub(super) h: f64,
    pub(super) n: u32,
}

#[derive(Debug, Clone, Copy)]
struct Best {
    gain: f64,
    feature: usize,
    bin: usize,
    /// Σg and Σh of the rows going left (bins ≤ `bin`), from the histogram.
    g: f64,
    h: f64,
}

/// A leaf while growing: its row range, sums, histogram slot and best split.
#[derive(Debug, Clone, Copy)]
struct Leaf {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    g: f64,
    h: f64,
    hist: Option<usize>,
    best: Option<Best>,
}

pub(super) struct Booster<'a> {
    p: &'a BoostingParams,
    binned: &'a Binned,
    /// The bins again, row-major (`by_row[r * features + f]`): a histogram is built row by
    /// row, each row's codes read from one cache line and added to every feature's histogram.
    /// Thirty independent accumulators keep the CPU (and V8's wasm code) busy where one
    /// feature's loop would wait on its previous add to the same bin.
    by_row: Vec<u8>,
    /// Per feature and bin, the number of training rows (those of positive weight): the root's
    /// counts, the same for every tree.
    root_counts: Vec<[Bin; 256]>,
    /// Histogram pool: `pool[slot][f][bin]`.
    pub(super) pool: Vec<Vec<[Bin; 256]>>,
    free: Vec<usize>,
    pub(super) importances: Vec<f64>,
}

impl<'a> Booster<'a> {
    /// A booster over `binned` whose training rows (those of positive weight) are `rows`.
    pub(super) fn new(p: &'a BoostingParams, binned: &'a Binned, rows: &[u32]) -> Booster<'a> {
        let features = binned.features();
        let mut by_row = vec![0u8; binned.rows * features];
        for f in 0..features {
            for (r, &c) in binned.feature(f).iter().enumerate() {
                by_row[r * features + f] = c;
            }
        }
        let mut root_counts = vec![[Bin::default(); 256]; features];
        for &r in rows {
            let codes = &by_row[r as usize * features..(r as usize + 1) * features];
            for (hf, &c) in root_counts.iter_mut().zip(codes) {
                hf[c as usize].n += 1;
            }
        }
        Booster {
            p,
            binned,
            by_row,
            root_counts,
            pool: Vec::new(),
            free: Vec::new(),
            importances: vec![0.0; features],
        }
    }

    pub(super) fn take_slot(&mut self) -> usize {
        self.free.pop().unwrap_or_else(|| {
            self.pool
                .push(vec![[Bin::default(); 256]; self.binned.features()]);
            self.pool.len() - 1
        })
    }

    /// The root's histogram: every row, in row order (codes and gradients read sequentially),
    /// and the counts copied from `root_counts` (they do not change from tree to tree), so each
    /// row adds only its gradient and hessian.
    pub(super) fn build_root(&mut self, slot: usize, g: &[f64], h: &[f64]) {
        let features = self.binned.features();
        let hist = &mut self.pool[slot];
        hist.copy_from_slice(&self.root_counts);
        if features == 0 {
            return;
        }
        let blocks = self.by_row.chunks_exact(4 * features);
        let tail = blocks.remainder();
        let mut r0 = 0;
        for block in blocks {
            let gs = [g[r0], g[r0 + 1], g[r0 + 2], g[r0 + 3]];
            let hs = [h[r0], h[r0 + 1], h[r0 + 2], h[r0 + 3]];
            let (c0, rest) = block.split_at(features);
            let (c1, rest) = rest.split_at(features);
            let (c2, c3) = rest.split_at(features);
            for ((((hf, &a), &b), &c), &d) in hist.iter_mut().zip(c0).zip(c1).zip(c2).zip(c3) {
                for (k, code) in [a, b, c, d].into_iter().enumerate() {
                    let bin = &mut hf[code as usize];
                    bin.g += gs[k];
                    bin.h += hs[k];
                }
            }
            r0 += 4;
        }
        for (r, codes) in (r0..).zip(tail.chunks_exact(features)) {
            for (hf, &c) in hist.iter_mut().zip(codes) {
                let bin = &mut hf[c as usize];
                bin.g += g[r];
                bin.h += h[r];
            }
        }
    }

    /// A child's histogram from its rows, four rows at a time: their codes for one feature go to
    /// the same histogram, so the four updates (and the next feature's) overlap.
    pub(super) fn build(&mut self, slot: usize, rows: &[u32], g: &[f64], h: &[f64]) {
        let features = self.binned.features();
        let hist = &mut self.pool[slot];
        hist.fill([Bin::default(); 256]);
        if features == 0 {
            return;
        }
        let codes = |r: usize| &self.by_row[r * features..(r + 1) * features];
        let quads = rows.chunks_exact(4);
        let tail = quads.remainder();
        for q in quads {
            let r = [q[0] as usize, q[1] as usize, q[2] as usize, q[3] as usize];
            let gs = [g[r[0]], g[r[1]], g[r[2]], g[r[3]]];
            let hs = [h[r[0]], h[r[1]], h[r[2]], h[r[3]]];
            let (c0, c1, c2, c3) = (codes(r[0]), codes(r[1]), codes(r[2]), codes(r[3]));
            for ((((hf, &a), &b), &c), &d) in hist.iter_mut().zip(c0).zip(c1).zip(c2).zip(c3) {
                for (k, code) in [a, b, c, d].into_iter().enumerate() {
                    let bin = &mut hf[code as usize];
                    bin.g += gs[k];
                    bin.h += hs[k];
                    bin.n += 1;
                }
            }
        }
        for &r in tail {
            let r = r as usize;
            for (hf, &c) in hist.iter_mut().zip(codes(r)) {
                let bin = &mut hf[c as usize];
                bin.g += g[r];
                bin.h += h[r];
                bin.n += 1;
            }
        }
    }

    fn score(&self, g: f64, h: f64) -> f64 {
        g * g / (h + self.p.l2_regularization)
    }

    fn find_best(&self, leaf: &Leaf) -> Option<Best> {
        let n = (leaf.end - leaf.start) as u32;
        let min_leaf = self.p.min_samples_leaf as u32;
        if n < 2 * min_leaf || self.p.max_depth.is_some_and(|d| leaf.depth >= d) {
            return None;
        }
        let hist = &self.pool[leaf.hist?];
        let parent = self.score(leaf.g, leaf.h);
        let mut best: Option<Best> = None;
        for f in 0..self.binned.features() {
            let hf = &hist[f][..self.binned.bins(f)];
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0u32);
            for (b, bin) in hf[..hf.len() - 1].iter().enumerate() {
                if bin.n == 0 {
                    continue;
                }
                gl += bin.g;
                hl += bin.h;
                nl += bin.n;
                if nl < min_leaf {
                    continue;
                }
                if n - nl < min_leaf {
                    break;
                }
                let (gr, hr) = (leaf.g - gl, leaf.h - hl);
                if hl < 1e-3 || hr < 1e-3 {
                    continue;
                }
                let gain = self.score(gl, hl) + self.score(gr, hr) - parent;
                if gain > 0.0 && best.is_none_or(|b| clearly_above(gain, b.gain)) {
                    best = Some(Best {
                        gain,
                        feature: f,
                        bin: b,
                        g: gl,
                        h: hl,
                    });
                }
            }
        }
        best
    }

    /// Grows one tree; adds its output to `raw` for the training rows.
    pub(super) fn tree(
        &mut self,
        rows: &mut [u32],
        g: &[f64],
        h: &[f64],
        raw: &mut [f64],
    ) -> FlatTree {
        let mut nodes = vec![leaf_node()];
        let root_slot = self.take_slot();
        self.build_root(root_slot, g, h);
        let (mut gs, mut hs) = (0.0, 0.0);
        for &r in rows.iter() {
            gs += g[r as usize];
            hs += h[r as usize];
        }
        let mut root = Leaf {
            node: 0,
            start: 0,
            end: rows.len(),
            depth: 0,
            g: gs,
            h: hs,
            hist: Some(root_slot),
            best: None,
        };
        root.best = self.find_best(&root);
        let mut leaves = vec![root];
        let mut scratch: Vec<u32> = Vec::with_capacity(rows.len());
        while leaves.len() < self.p.max_leaf_nodes {
            // The leaf with the largest gain (first on ties).
            let mut pick: Option<usize> = None;
            for (i, l) in leaves.iter().enumerate() {
                if let Some(b) = l.best {
                    if pick.is_none_or(|j| {
                        clearly_above(b.gain, leaves[j].best.map_or(0.0, |c| c.gain))
                    }) {
                        pick = Some(i);
                    }
                }
            }
            let Some(i) = pick else { break };
            let leaf = leaves.swap_remove(i);
            let best = leaf.best.expect("picked leaves have a split");
            let codes = self.binned.feature(best.feature);
            scratch.clear();
            let mut l = leaf.start;
            for k in leaf.start..leaf.end {
                let r = rows[k];
                if codes[r as usize] as usize <= best.bin {
                    rows[l] = r;
                    l += 1;
                } else {
                    scratch.push(r);
                }
            }
            rows[l..leaf.end].copy_from_slice(&scratch);
            self.importances[best.feature] += best.gain;
            let parent_slot = leaf.hist.expect("splittable leaves keep a histogram");
            let (gl, hl) = (best.g, best.h);
            let left_id = nodes.len();
            nodes.push(leaf_node());
            nodes.push(leaf_node());
            let threshold = self.binned.cuts[best.feature][best.bin];
            let n = &mut nodes[leaf.node];
            n.leaf = false;
            n.feature = best.feature;
            n.threshold = threshold;
            n.left = left_id;
            n.right = left_id + 1;
            let mut left = Leaf {
                node: left_id,
                start: leaf.start,
                end: l,
                depth: leaf.depth + 1,
                g: gl,
                h: hl,
                hist: None,
                best: None,
            };
            let mut right = Leaf {
                node: left_id + 1,
                start: l,
                end: leaf.end,
                depth: leaf.depth + 1,
                g: leaf.g - gl,
                h: leaf.h - hl,
                hist: None,
                best: None,
            };
            // Sibling subtraction: build the smaller child, the parent slot becomes the larger.
            let small_slot = self.take_slot();
            let (small, large) = if l - leaf.start <= leaf.end - l {
                (&mut left, &mut right)
            } else {
                (&mut right, &mut left)
            };
            self.build(small_slot, &rows[small.start..small.end], g, h);
            {
                let (a, b) = if small_slot < parent_slot {
                    let (lo, hi) = self.pool.split_at_mut(parent_slot);
                    (&lo[small_slot], &mut hi[0])
                } else {
                    let (lo, hi) = self.pool.split_at_mut(small_slot);
                    (&hi[0], &mut lo[parent_slot])
                };
                for (p, s) in b.iter_mut().flatten().zip(a.iter().flatten()) {
                    p.g -= s.g;
                    p.h -= s.h;
                    p.n -= s.n;
                }
            }
            small.hist = Some(small_slot);
            large.hist = Some(parent_slot);
            for child in [&mut left, &mut right] {
                child.best = self.find_best(child);
                if child.best.is_none() {
                    if let Some(s) = child.hist.take() {
                        self.free.push(s);
                    }
                }
            }
            leaves.push(left);
            leaves.push(right);
        }
        for leaf in &leaves {
            if let Some(s) = leaf.hist {
                self.free.push(s);
            }
            let v = -self.p.learning_rate * leaf.g / (leaf.h + self.p.l2_regularization);
            let v = if v.is_finite() { v } else { 0.0 };
            nodes[leaf.node].value = v;
            nodes[leaf.node].samples = leaf.end - leaf.start;
            nodes[leaf.node].cover = (leaf.end - leaf.start) as f64;
            for &r in &rows[leaf.start..leaf.end] {
                raw[r as usize] += v;
            }
        }
        FlatTree {
            nodes,
            importances: Vec::new(),
        }
    }
}

/// `a > b` by more than rounding: gains equal up to the last bits (one-hot twins such as
/// `smoker=yes` / `smoker=no` give the same partition mirrored, summed in another order) count as
/// ties, so the first candidate wins on every platform. Without this, last-bit differences of
/// `exp` between native and wasm picked a different twin, and the same recipe gave a different
/// importance ranking in the browser.
fn clearly_above(a: f64, b: f64) -> bool {
    a > b + 1e-10 * b.abs()
}

fn leaf_node() -> Node {
    Node {
        feature: 0,
        threshold: 0.0,
        left: 0,
        right: 0,
        leaf: true,
        value: 0.0,
        samples: 0,
        cover: 0.0,
    }
}
