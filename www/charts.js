// Small dependency-free SVG charts. Colours: Okabe–Ito palette (colour-blind safe).
const SVG = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
/** Line styles and point markers per series, so that lines differ without colour too. */
export const DASHES = ['', '7 4', '2 3', '10 3 2 3', '3 6', '12 4', '1 3', '6 2 2 2'];
export const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down', 'plus', 'ring'];

/**
 * A tick label: the tick's exact value in the page's language (0.25, not 0.3), whatever precision
 * the caller's `format` uses for data values; ticks are round numbers, so at most 4 decimals.
 */
export function tickText(v) {
  const lang = globalThis.document?.documentElement?.lang || undefined;
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 4 }).format(Math.abs(v) < 1e-12 ? 0 : v);
}

/** About how wide `text` is in 13 px chart text (a CJK character counts double). */
export function textWidth(text) {
  let w = 0;
  for (const c of String(text)) w += c.codePointAt(0) > 0x2e80 ? 13 : 7.2;
  return w;
}

export function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

/**
 * Grouped bar chart: one group per metric, one bar per model, with ±std whiskers.
 * @param {{label: string, metrics: Record<string, {mean: number|null, std: number|null}>}[]} series
 * @param {{key: string, label: string}[]} metrics  metrics with values in [0, 1]
 * @param {{title: string, format: (v: number) => string}} opts
 */
export function metricBars(series, metrics, { title, format }) {
  // Room for each metric's name under its group (13 px text): names longer than a group are
  // set on two staggered rows (every other name one row lower), so that neighbours never touch
  // and the chart stays narrow enough to be legible on a phone.
  const bars = 26 + series.length * 22;
  const widest = 12 + Math.max(...metrics.map((m) => textWidth(m.label)));
  const stagger = widest > bars && metrics.length > 1;
  const groupW = stagger ? Math.max(bars, Math.ceil(widest / 2)) : Math.max(bars, widest);
  const labelRows = stagger ? 2 : 1;
  const left = 36, top = 16, plotH = 170;
  const bottom = 28 + 16 * labelRows;
  // Wide enough for the groups and for the first and last names (centred on their group).
  const width = left + metrics.length * groupW + 10 + (stagger ? Math.max(0, Math.ceil(widest / 2 - groupW / 2)) : 0);
  // Legend entries flow left to right and wrap at the chart's width.
  const legend = [];
  let lx = left, row = 0;
  for (const s of series) {
    const w = 18 + textWidth(s.label) + 16;
    if (lx > left && lx + w > width) { lx = left; row += 1; }
    legend.push({ x: lx, row });
    lx += w;
  }
  const height = top + plotH + bottom + 10 + 22 * (row + 1);
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title,
  });
  svg.append(el('title', {}, title));
  const y = (v) => top + plotH - Math.max(0, Math.min(1, v)) * plotH;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('line', { x1: left, x2: width - 6, y1: y(tick), y2: y(tick), class: 'grid' }));
    svg.append(el('text', { x: left - 6, y: y(tick) + 4, class: 'tick', 'text-anchor': 'end' }, tickText(tick)));
  }
  metrics.forEach((m, mi) => {
    const gx = left + mi * groupW + 13;
    series.forEach((s, si) => {
      const stat = s.metrics?.[m.key];
      const mean = stat?.mean;
      if (typeof mean !== 'number' || !Number.isFinite(mean)) return;
      const x = gx + si * 22;
      const bar = el('rect', {
        x, y: y(mean), width: 18, height: Math.max(0.5, y(0) - y(mean)), fill: PALETTE[si % PALETTE.length], class: 'bar',
      });
      bar.append(el('title', {}, `${s.label} · ${m.label}: ${format(mean)}`));
      svg.append(bar);
      const sd = stat?.std;
      if (typeof sd === 'number' && Number.isFinite(sd) && sd > 0) {
        const cx = x + 9;
        svg.append(el('line', { x1: cx, x2: cx, y1: y(mean - sd), y2: y(mean + sd), class: 'whisker' }));
        svg.append(el('line', { x1: cx - 4, x2: cx + 4, y1: y(mean + sd), y2: y(mean + sd), class: 'whisker' }));
        svg.append(el('line', { x1: cx - 4, x2: cx + 4, y1: y(mean - sd), y2: y(mean - sd), class: 'whisker' }));
      }
    });
    svg.append(el('text', {
      x: gx + (series.length * 22 - 4) / 2, y: top + plotH + 16 + (stagger && mi % 2 ? 16 : 0), class: 'axis-label', 'text-anchor': 'middle',
    }, m.label));
  });
  // Legend.
  const ly = top + plotH + bottom - 4;
  series.forEach((s, si) => {
    const lx = legend[si].x;
    const yy = ly + legend[si].row * 22;
    svg.append(el('rect', { x: lx, y: yy - 10, width: 12, height: 12, fill: PALETTE[si % PALETTE.length] }));
    svg.append(el('text', { x: lx + 18, y: yy, class: 'legend' }, s.label));
  });
  return svg;
}

/**
 * Line chart on the unit square (ROC, calibration): one polyline per series, optional
 * diagonal reference, axis labels, legend.
 * @param {{label: string, x: number[], y: number[], points?: boolean, band?: {x: number[], lower: number[], upper: number[]}}[]} series
 * @param {{title: string, xLabel: string, yLabel: string, diagonal?: boolean, format: (v: number) => string, id?: string, describedBy?: string}} opts
 */
export function unitLines(series, { title, xLabel, yLabel, diagonal = true, format, id, describedBy }) {
  const left = 56, top = 14, size = 240, bottom = 40;
  const width = left + size + 170, height = top + size + bottom;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart unit-chart', role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  if (describedBy) svg.setAttribute('aria-describedby', describedBy);
  svg.append(el('title', {}, title));
  const sx = (v) => left + Math.max(0, Math.min(1, v)) * size;
  const sy = (v) => top + size - Math.max(0, Math.min(1, v)) * size;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('line', { x1: left, x2: left + size, y1: sy(tick), y2: sy(tick), class: 'grid' }));
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: top, y2: top + size, class: 'grid' }));
    svg.append(el('text', { x: left - 5, y: sy(tick) + 4, class: 'tick', 'text-anchor': 'end' }, tickText(tick)));
    svg.append(el('text', { x: sx(tick), y: top + size + 14, class: 'tick', 'text-anchor': 'middle' }, tickText(tick)));
  }
  svg.append(el('text', { x: left + size / 2, y: top + size + 32, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', {
    x: 14, y: top + size / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 14 ${top + size / 2})`,
  }, yLabel));
  if (diagonal) {
    svg.append(el('line', { x1: sx(0), y1: sy(0), x2: sx(1), y2: sy(1), class: 'diagonal', stroke: '#9aa5ad', 'stroke-dasharray': '4 4' }));
  }
  series.forEach((s, si) => {
    const colour = PALETTE[si % PALETTE.length];
    const dash = DASHES[si % DASHES.length];
    const marker = MARKERS[si % MARKERS.length];
    // A 95% band (calibration curve): a translucent polygon under the line.
    if (s.band && s.band.x.length > 1) {
      const upper = s.band.x.map((x, i) => `${sx(x).toFixed(1)},${sy(s.band.upper[i]).toFixed(1)}`);
      const lower = s.band.x.map((x, i) => `${sx(x).toFixed(1)},${sy(s.band.lower[i]).toFixed(1)}`).reverse();
      svg.append(el('polygon', { points: [...upper, ...lower].join(' '), fill: colour, 'fill-opacity': 0.15, stroke: 'none', class: 'band', 'data-series': s.label }));
    }
    const pts = s.x.map((x, i) => `${sx(x).toFixed(1)},${sy(s.y[i]).toFixed(1)}`).join(' ');
    const line = el('polyline', {
      points: pts, fill: 'none', stroke: colour, 'stroke-width': 2, class: 'series', 'data-series': s.label,
      'data-dash': dash || 'solid', 'data-marker': marker, ...(dash ? { 'stroke-dasharray': dash } : {}),
    });
    line.append(el('title', {}, s.label));
    svg.append(line);
    // Markers: at every point when asked (calibration bins), else at a few points along the line.
    const n = s.x.length;
    const at = s.points ? s.x.map((_, i) => i) : n > 1 ? [...new Set(Array.from({ length: 6 }, (_, k) => Math.round(((k + 0.5 + si * 0.15) / 6) * (n - 1))))] : [];
    for (const i of at) svg.append(markerShape(marker, sx(s.x[i]), sy(s.y[i]), colour));
    const ly = top + 10 + si * 18;
    const lx = left + size + 12;
    svg.append(el('line', { x1: lx, x2: lx + 22, y1: ly - 3, y2: ly - 3, stroke: colour, 'stroke-width': 2, ...(dash ? { 'stroke-dasharray': dash } : {}) }));
    svg.append(markerShape(marker, lx + 11, ly - 3, colour));
    svg.append(el('text', { x: lx + 28, y: ly + 1, class: 'legend' }, s.label));
  });
  return svg;
}

/** A point marker of the given shape centred on (x, y). */
export function markerShape(shape, x, y, colour, r = 3.5) {
  const poly = (pts) => el('polygon', { points: pts.map(([dx, dy]) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`).join(' '), fill: colour, class: 'marker' });
  switch (shape) {
    case 'square': return el('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: colour, class: 'marker' });
    case 'triangle': return poly([[0, -r - 1], [r + 1, r], [-r - 1, r]]);
    case 'triangle-down': return poly([[0, r + 1], [r + 1, -r], [-r - 1, -r]]);
    case 'diamond': return poly([[0, -r - 1], [r + 1, 0], [0, r + 1], [-r - 1, 0]]);
    case 'cross': return el('path', { d: `M${x - r} ${y - r}L${x + r} ${y + r}M${x - r} ${y + r}L${x + r} ${y - r}`, stroke: colour, 'stroke-width': 2, fill: 'none', class: 'marker' });
    case 'plus': return el('path', { d: `M${x - r - 1} ${y}L${x + r + 1} ${y}M${x} ${y - r - 1}L${x} ${y + r + 1}`, stroke: colour, 'stroke-width': 2, fill: 'none', class: 'marker' });
    case 'ring': return el('circle', { cx: x, cy: y, r, fill: 'white', stroke: colour, 'stroke-width': 2, class: 'marker' });
    default: return el('circle', { cx: x, cy: y, r, fill: colour, class: 'marker' });
  }
}

/**
 * Horizontal bars (importances): one bar per item, value from 0 to the largest, ±std whiskers.
 * @param {{label: string, value: number, std?: number}[]} items
 */
export function hBars(items, { title, format }) {
  const left = 160, top = 8, rowH = 20, plotW = 260;
  const height = top + items.length * rowH + 10;
  const svg = el('svg', { viewBox: `0 0 ${left + plotW + 70} ${height}`, class: 'chart hbar-chart', role: 'img', 'aria-label': title });
  svg.append(el('title', {}, title));
  const max = Math.max(1e-12, ...items.map((d) => Math.abs(d.value) + (d.std || 0)));
  const sx = (v) => left + (Math.max(0, v) / max) * plotW;
  items.forEach((d, i) => {
    const y = top + i * rowH;
    svg.append(el('text', { x: left - 6, y: y + 13, class: 'tick', 'text-anchor': 'end' }, d.label.length > 24 ? `${d.label.slice(0, 23)}…` : d.label));
    const bar = el('rect', { x: left, y: y + 3, width: Math.max(0.5, sx(d.value) - left), height: rowH - 7, fill: PALETTE[0], class: 'bar' });
    bar.append(el('title', {}, `${d.label}: ${format(d.value)}`));
    svg.append(bar);
    if (d.std > 0) {
      svg.append(el('line', { x1: sx(d.value - d.std), x2: sx(d.value + d.std), y1: y + rowH / 2, y2: y + rowH / 2, class: 'whisker' }));
    }
    // The value goes right of the bar and of its whisker, never over it.
    const end = Math.max(sx(d.value), d.std > 0 ? sx(d.value + d.std) : left, left);
    svg.append(el('text', { x: end + 6, y: y + 13, class: 'tick value' }, format(d.value)));
  });
  return svg;
}

/** Tick values: about `n` round steps covering [lo, hi]. */
export function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(digits)));
  return out;
}

/**
 * Scatter of predicted against actual values with the identity line (a perfect model's points
 * lie on it). Equal scales on both axes. `desc` is the text alternative read by screen readers.
 * @param {{x: number[], y: number[]}} data  x = actual, y = predicted
 * @param {{title: string, xLabel: string, yLabel: string, desc?: string, format: (v: number) => string, id?: string}} opts
 */
export function scatterXY({ x, y }, { title, xLabel, yLabel, desc, format, id }) {
  const left = 54, top = 14, size = 260, bottom = 42;
  const width = left + size + 16, height = top + size + bottom;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart scatter-chart', role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  svg.append(el('title', {}, title));
  if (desc) svg.append(el('desc', {}, desc));
  const all = [...x, ...y].filter(Number.isFinite);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.04;
  lo -= pad; hi += pad;
  const sx = (v) => left + ((v - lo) / (hi - lo)) * size;
  const sy = (v) => top + size - ((v - lo) / (hi - lo)) * size;
  for (const tick of niceTicks(lo, hi)) {
    svg.append(el('line', { x1: left, x2: left + size, y1: sy(tick), y2: sy(tick), class: 'grid' }));
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: top, y2: top + size, class: 'grid' }));
    svg.append(el('text', { x: left - 5, y: sy(tick) + 4, class: 'tick', 'text-anchor': 'end' }, tickText(tick)));
    svg.append(el('text', { x: sx(tick), y: top + size + 14, class: 'tick', 'text-anchor': 'middle' }, tickText(tick)));
  }
  svg.append(el('text', { x: left + size / 2, y: top + size + 34, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', {
    x: 14, y: top + size / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 14 ${top + size / 2})`,
  }, yLabel));
  svg.append(el('line', { x1: sx(lo), y1: sy(lo), x2: sx(hi), y2: sy(hi), class: 'diagonal', stroke: '#9aa5ad', 'stroke-dasharray': '4 4' }));
  const g = el('g', { fill: PALETTE[0], 'fill-opacity': 0.45, class: 'points' });
  x.forEach((xv, i) => {
    if (Number.isFinite(xv) && Number.isFinite(y[i])) g.append(el('circle', { cx: sx(xv).toFixed(1), cy: sy(y[i]).toFixed(1), r: 2.2, class: 'point' }));
  });
  svg.append(g);
  return svg;
}

/**
 * Histogram from bin edges and counts (`edges.length === counts.length + 1`), with a marker at
 * zero when it falls inside (for residuals).
 * @param {{edges: number[], counts: number[]}} data
 * @param {{title: string, xLabel: string, yLabel: string, desc?: string, format: (v: number) => string, id?: string}} opts
 */
export function histogram({ edges, counts }, { title, xLabel, yLabel, desc, format, id }) {
  const left = 52, top = 14, plotW = 300, plotH = 200, bottom = 42;
  const width = left + plotW + 16, height = top + plotH + bottom;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart histogram-chart', role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  svg.append(el('title', {}, title));
  if (desc) svg.append(el('desc', {}, desc));
  const lo = edges[0], hi = edges[edges.length - 1] > lo ? edges[edges.length - 1] : lo + 1;
  const max = Math.max(1, ...counts);
  const sx = (v) => left + ((v - lo) / (hi - lo)) * plotW;
  const sy = (v) => top + plotH - (v / max) * plotH;
  for (const tick of niceTicks(0, max, 4).filter((v) => Number.isInteger(v))) {
    svg.append(el('line', { x1: left, x2: left + plotW, y1: sy(tick), y2: sy(tick), class: 'grid' }));
    svg.append(el('text', { x: left - 5, y: sy(tick) + 4, class: 'tick', 'text-anchor': 'end' }, String(tick)));
  }
  for (const tick of niceTicks(lo, hi, 5)) {
    svg.append(el('text', { x: sx(tick), y: top + plotH + 14, class: 'tick', 'text-anchor': 'middle' }, tickText(tick)));
  }
  counts.forEach((c, i) => {
    const x0 = sx(edges[i]), x1 = sx(edges[i + 1]);
    const bar = el('rect', { x: x0 + 0.5, y: sy(c), width: Math.max(0.5, x1 - x0 - 1), height: Math.max(0, sy(0) - sy(c)), fill: PALETTE[2], class: 'bar' });
    bar.append(el('title', {}, `${format(edges[i])} – ${format(edges[i + 1])}: ${c}`));
    svg.append(bar);
  });
  if (lo < 0 && hi > 0) {
    svg.append(el('line', { x1: sx(0), x2: sx(0), y1: top, y2: top + plotH, stroke: '#000000', 'stroke-dasharray': '3 3', class: 'zero' }));
  }
  svg.append(el('text', { x: left + plotW / 2, y: top + plotH + 34, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', {
    x: 14, y: top + plotH / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 14 ${top + plotH / 2})`,
  }, yLabel));
  return svg;
}

/**
 * Decision curves: net benefit (y) by threshold probability (x, 0 to 1) for each model, with
 * treat-all (grey) and treat-none (black, y = 0) references; under the axis, one bar per model
 * over the thresholds where it beats both (`ranges`).
 * @param {{label: string, x: number[], y: number[], ranges: {from: number, to: number}[]}[]} series
 * @param {{x: number[], y: number[]}} treatAll
 * @param {{title: string, xLabel: string, yLabel: string, allLabel: string, noneLabel: string, format: (v: number) => string, id?: string, describedBy?: string}} opts
 */
export function decisionLines(series, treatAll, { title, xLabel, yLabel, allLabel, noneLabel, format, id, describedBy }) {
  const left = 58, top = 14, plotW = 300, plotH = 220;
  const barsH = 8 + series.length * 8;
  const bottom = 40 + barsH;
  const width = left + plotW + 170, height = top + plotH + bottom;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart decision-chart', role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  if (describedBy) svg.setAttribute('aria-describedby', describedBy);
  svg.append(el('title', {}, title));
  const finite = (v) => typeof v === 'number' && Number.isFinite(v);
  // The y range: from a little below 0 to the largest net benefit (treat all at the lowest
  // threshold is the prevalence, the most any strategy can reach).
  const ys = [...treatAll.y, ...series.flatMap((s) => s.y)].filter(finite);
  const yMax = Math.max(0.05, ...ys);
  const yMin = -Math.max(0.02, yMax * 0.15);
  const sx = (v) => left + Math.max(0, Math.min(1, v)) * plotW;
  const sy = (v) => top + plotH - ((Math.max(yMin, Math.min(yMax, v)) - yMin) / (yMax - yMin)) * plotH;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: top, y2: top + plotH, class: 'grid' }));
    svg.append(el('text', { x: sx(tick), y: top + plotH + barsH + 14, class: 'tick', 'text-anchor': 'middle' }, tickText(tick)));
  }
  // Round net-benefit ticks (their labels are then exact), 0 included.
  for (const v of niceTicks(0, yMax, 4)) {
    svg.append(el('line', { x1: left, x2: left + plotW, y1: sy(v), y2: sy(v), class: 'grid' }));
    svg.append(el('text', { x: left - 5, y: sy(v) + 4, class: 'tick', 'text-anchor': 'end' }, tickText(v)));
  }
  svg.append(el('text', { x: left + plotW / 2, y: top + plotH + barsH + 32, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', {
    x: 14, y: top + plotH / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 14 ${top + plotH / 2})`,
  }, yLabel));
  const poly = (x, y) => x.map((v, i) => (finite(y[i]) ? `${sx(v).toFixed(1)},${sy(y[i]).toFixed(1)}` : null)).filter(Boolean).join(' ');
  const legend = (i, label, colour, dash) => {
    const ly = top + 10 + i * 18, lx = left + plotW + 12;
    svg.append(el('line', { x1: lx, x2: lx + 22, y1: ly - 3, y2: ly - 3, stroke: colour, 'stroke-width': 2, ...(dash ? { 'stroke-dasharray': dash } : {}) }));
    svg.append(el('text', { x: lx + 28, y: ly + 1, class: 'legend' }, label));
  };
  // Treat none (y = 0) and treat all.
  svg.append(el('line', { x1: sx(0), x2: sx(1), y1: sy(0), y2: sy(0), stroke: '#000000', 'stroke-width': 1.5, class: 'treat-none' }));
  legend(0, noneLabel, '#000000', '');
  const all = el('polyline', { points: poly(treatAll.x, treatAll.y), fill: 'none', stroke: '#9aa5ad', 'stroke-width': 2, 'stroke-dasharray': '4 4', class: 'treat-all' });
  svg.append(all);
  legend(1, allLabel, '#9aa5ad', '4 4');
  series.forEach((s, si) => {
    const colour = PALETTE[si % PALETTE.length];
    const dash = DASHES[si % DASHES.length];
    const line = el('polyline', {
      points: poly(s.x, s.y), fill: 'none', stroke: colour, 'stroke-width': 2, class: 'series', 'data-series': s.label,
      ...(dash ? { 'stroke-dasharray': dash } : {}),
    });
    line.append(el('title', {}, s.label));
    svg.append(line);
    legend(si + 2, s.label, colour, dash);
    // The thresholds where the model beats both, as a bar under the axis.
    const by = top + plotH + 6 + si * 8;
    for (const r of s.ranges || []) {
      const bar = el('rect', { x: sx(r.from), y: by, width: Math.max(2, sx(r.to) - sx(r.from)), height: 5, fill: colour, class: 'benefit-range', 'data-series': s.label, 'data-from': r.from, 'data-to': r.to });
      bar.append(el('title', {}, `${s.label}: ${format(r.from)}–${format(r.to)}`));
      svg.append(bar);
    }
  });
  return svg;
}
