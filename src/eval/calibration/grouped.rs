//! Bootstrap resamples of many rows evaluated on groups of neighbouring predictions (above
//! [`super::GROUPED_ABOVE`] rows; docs/evaluation.md, "Intervals above 20,000 pooled rows").

use super::fit::tricube;
use super::{grid_positions, Rows, Window};

/// The pooled rows summarised for bootstrap resamples of many rows: fixed groups of adjacent
/// rows in p order (never across an ECE bin edge), and per group and outcome a pseudo-row at the
/// mean p and mean logit of its rows. A resample's weight of a pseudo-row is the sum of the
/// resample's weights of its rows.
pub struct Grouped {
    /// The pseudo-rows, sorted by p, with the pooled rows' grid, neighbourhoods and start.
    rows: Rows,
    /// Sorted position of a pooled row → its pseudo-row.
    of: Vec<usize>,
}

impl Grouped {
    /// About `groups` groups of equal count over `rows` (more where ECE bin edges cut one).
    pub fn new(rows: &Rows, groups: usize) -> Self {
        let n = rows.len();
        let size = n.div_ceil(groups.max(1)).max(1);
        let mut group = vec![0usize; n];
        let (mut g, mut first) = (0, 0);
        for (j, slot) in group.iter_mut().enumerate().skip(1) {
            if j - first >= size || rows.bin[j] != rows.bin[j - 1] {
                g += 1;
                first = j;
            }
            *slot = g;
        }
        let cells = 2 * (g + 1);
        let (mut count, mut sp, mut sl) = (vec![0.0; cells], vec![0.0; cells], vec![0.0; cells]);
        let mut bin = vec![0; cells];
        let cell = |j: usize| 2 * group[j] + (rows.y[j] > 0.5) as usize;
        for j in 0..n {
            let c = cell(j);
            count[c] += 1.0;
            sp[c] += rows.p[j];
            sl[c] += rows.logit[j];
            bin[c] = rows.bin[j];
        }
        let mean_p: Vec<f64> = (0..cells).map(|c| sp[c] / count[c]).collect();
        let mut kept: Vec<usize> = (0..cells).filter(|&c| count[c] > 0.0).collect();
        kept.sort_by(|&a, &b| mean_p[a].total_cmp(&mean_p[b]).then(a.cmp(&b)));
        let mut index = vec![usize::MAX; cells];
        for (i, &c) in kept.iter().enumerate() {
            index[c] = i;
        }
        let p: Vec<f64> = kept.iter().map(|&c| mean_p[c]).collect();
        // The kernel is zero at the radius, so the pseudo-rows within it are the neighbourhood.
        let windows: Vec<Window> = rows
            .windows
            .iter()
            .map(|win| Window {
                l: p.partition_point(|&v| v < win.x0 - win.radius),
                r: p.partition_point(|&v| v <= win.x0 + win.radius),
                ..*win
            })
            .collect();
        let kernels = windows.iter().map(|win| tricube(&p, win)).collect();
        let pseudo = Rows {
            at: grid_positions(&rows.grid, &p),
            kernels,
            y: kept.iter().map(|&c| (c % 2) as f64).collect(),
            logit: kept.iter().map(|&c| sl[c] / count[c]).collect(),
            bin: kept.iter().map(|&c| bin[c]).collect(),
            rank: Vec::new(),
            grid: rows.grid.clone(),
            windows,
            start: rows.start,
            p,
        };
        Grouped {
            rows: pseudo,
            of: (0..n).map(|j| index[cell(j)]).collect(),
        }
    }

    /// Number of pseudo-rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no pseudo-rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// [`Rows::measures`] of the pseudo-rows, `w` the weights of the pooled rows (per sorted
    /// position) and `buffer` room for the pseudo-rows' weights.
    pub fn measures(&self, w: &[f64], buffer: &mut Vec<f64>) -> Vec<Option<f64>> {
        buffer.clear();
        buffer.resize(self.rows.len(), 0.0);
        for (&i, &wj) in self.of.iter().zip(w) {
            buffer[i] += wj;
        }
        self.rows.measures(buffer)
    }
}
