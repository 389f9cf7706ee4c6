// Explanations of a Report's models (`models[i].shap`, `models[i].dependence`, docs/explanations.md):
// the bar chart of mean |SHAP| per original column with its direction, the beeswarm of the
// explained rows, partial dependence with the splits' spread and centred ICE curves, and SHAP's
// ranking beside permutation importance. Shared by the Results step (results-view.js) and the
// printable model report (reports.js). Also the Apply panel's waterfall of one row (apply.js) and
// the Train panel's `evaluation.shap` switch (train-view.js). Every chart has a text description
// (aria-describedby). `ui`: {h, t, has, fmtInt, fmtDec, modelLabel}.
import { PALETTE } from './charts.js';
import { featureLabel } from './message.js';

const SVG = 'http://www.w3.org/2000/svg';
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);
/** Columns in the bar chart, inputs in the beeswarm and comparison, contributions in a waterfall. */
const TOP_COLUMNS = 12;
const TOP_SWARM = 8;
const TOP_COMPARE = 10;
export const WATERFALL_TOP = 6;
const UP = PALETTE[5]; // vermilion: raises the output
const DOWN = PALETTE[0]; // blue: lowers it
const MIXED = '#8a949c';

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

function svgBox(width, height, { title, cls, id, describedBy }) {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: `chart ${cls}`, role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  if (describedBy) svg.setAttribute('aria-describedby', describedBy);
  svg.append(el('title', {}, title));
  return svg;
}

function niceTicks(lo, hi, n = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const short = (s, n = 24) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The scale's name in words (`explain.scale.probability`, …). */
function scaleName(scale, ui) {
  return ui.has(`explain.scale.${scale}`) ? ui.t(`explain.scale.${scale}`) : String(scale ?? '');
}

/** A SHAP value with its sign: "+0.042". */
export function signed(v, ui, digits = 3) {
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${ui.fmtDec(Math.abs(v), digits)}`;
}

/** Pearson correlation of two equally long arrays (null when either does not vary). */
function correlation(x, y) {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/**
 * Per model input, how its value relates to its SHAP value over the explained rows (`shap.rows`):
 * `up` (higher values raise the output: correlation ≥ 0.3), `down` (≤ −0.3) or `mixed`; null
 * without rows.
 */
export function inputDirections(shap) {
  const rows = shap?.rows;
  const names = arr(rows?.features);
  if (!names.length || !arr(rows.values).length) return null;
  const out = new Map();
  names.forEach((name, k) => {
    const x = [], y = [];
    rows.values.forEach((v, r) => {
      const xv = rows.inputs?.[r]?.[k];
      if (isNum(xv) && isNum(v[k])) { x.push(xv); y.push(v[k]); }
    });
    const c = correlation(x, y);
    out.set(name, c == null ? 'mixed' : c >= 0.3 ? 'up' : c <= -0.3 ? 'down' : 'mixed');
  });
  return out;
}

/**
 * The direction of each original column: that of its single input, or for a column of several
 * inputs (one-hot parts) that of its input with the largest mean |SHAP|, named.
 */
function columnDirections(shap) {
  const dirs = inputDirections(shap);
  const out = new Map();
  if (!dirs) return out;
  for (const col of arr(shap.columns)) {
    const parts = arr(shap.features).filter((f) => f.column === col.feature);
    if (!parts.length) continue;
    const lead = parts.reduce((a, b) => (b.mean_abs > a.mean_abs ? b : a));
    out.set(col.feature, { dir: dirs.get(lead.feature) ?? 'mixed', input: parts.length > 1 || lead.feature !== col.feature ? lead.feature : null });
  }
  return out;
}

function directionText(d, ui) {
  if (!d) return '';
  const input = d.input ? featureLabel(d.input) : null;
  return ui.t(`explain.dir.${d.dir}${input ? '_input' : ''}`, { input });
}

/** Bar chart of mean |SHAP| per original column, coloured (and marked ↑/↓) by direction. */
function columnBars(shap, ui, ids) {
  const { h, t } = ui;
  const cols = arr(shap.columns).slice(0, TOP_COLUMNS);
  if (!cols.length) return [];
  const dirs = columnDirections(shap);
  const left = 170, top = 8, rowH = 22, plotW = 260;
  const height = top + cols.length * rowH + 24;
  const title = t('explain.bars_title', { scale: scaleName(shap.scale, ui) });
  const svg = svgBox(left + plotW + 90, height, { title, cls: 'hbar-chart shap-bars', id: ids.bars, describedBy: ids.barsDesc });
  const max = Math.max(1e-12, ...cols.map((c) => c.mean_abs));
  cols.forEach((c, i) => {
    const y = top + i * rowH;
    const d = dirs.get(c.feature);
    const colour = d?.dir === 'up' ? UP : d?.dir === 'down' ? DOWN : MIXED;
    const mark = d?.dir === 'up' ? ' ↑' : d?.dir === 'down' ? ' ↓' : '';
    svg.append(el('text', { x: left - 6, y: y + 14, class: 'tick', 'text-anchor': 'end' }, short(String(c.feature))));
    const w = Math.max(0.5, (c.mean_abs / max) * plotW);
    const bar = el('rect', { x: left, y: y + 3, width: w, height: rowH - 8, fill: colour, class: 'bar', 'data-column': c.feature, 'data-value': String(c.mean_abs), 'data-direction': d?.dir ?? '' });
    bar.append(el('title', {}, `${c.feature}: ${ui.fmtDec(c.mean_abs)}${d ? ` — ${directionText(d, ui)}` : ''}`));
    svg.append(bar);
    svg.append(el('text', { x: left + w + 6, y: y + 14, class: 'tick' }, `${ui.fmtDec(c.mean_abs)}${mark}`));
  });
  svg.append(el('text', { x: left, y: height - 6, class: 'legend' }, t('explain.bars_legend')));
  const described = cols.slice(0, 5).map((c) => {
    const d = dirs.get(c.feature);
    return `${c.feature} ${ui.fmtDec(c.mean_abs)}${d ? ` (${directionText(d, ui)})` : ''}`;
  });
  const desc = t('explain.bars_desc', {
    scale: scaleName(shap.scale, ui), list: ui.list(described), rows: ui.fmtInt(shap.explained_rows), tests: ui.fmtInt(shap.test_rows),
  });
  return [
    h('figure', { class: 'chart-box', id: `${ids.bars}-figure` }, svg, h('figcaption', {}, title)),
    h('p', { class: 'note chart-desc', id: ids.barsDesc }, desc),
  ];
}

/** Beeswarm: per input (top by mean |SHAP|), each explained row's SHAP value, coloured by its input value. */
function beeswarm(shap, ui, ids) {
  const { h, t } = ui;
  const rows = shap.rows;
  const names = arr(rows?.features);
  const values = arr(rows?.values);
  if (!names.length || !values.length) return [];
  const top = arr(shap.features).slice(0, TOP_SWARM).map((f) => names.indexOf(f.feature)).filter((k) => k >= 0);
  if (!top.length) return [];
  const left = 170, topPad = 10, rowH = 34, plotW = 300, bottom = 40;
  const height = topPad + top.length * rowH + bottom;
  const title = t('explain.swarm_title', { scale: scaleName(shap.scale, ui) });
  const svg = svgBox(left + plotW + 20, height, { title, cls: 'swarm-chart', id: ids.swarm, describedBy: ids.swarmDesc });
  let lo = 0, hi = 0;
  for (const v of values) for (const k of top) if (isNum(v[k])) { lo = Math.min(lo, v[k]); hi = Math.max(hi, v[k]); }
  if (!(hi > lo)) hi = lo + 1;
  const pad = (hi - lo) * 0.04;
  lo -= pad; hi += pad;
  const sx = (v) => left + ((v - lo) / (hi - lo)) * plotW;
  for (const tick of niceTicks(lo, hi)) {
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: topPad, y2: topPad + top.length * rowH, class: 'grid' }));
    svg.append(el('text', { x: sx(tick), y: topPad + top.length * rowH + 14, class: 'tick', 'text-anchor': 'middle' }, ui.fmtDec(tick, 2)));
  }
  svg.append(el('line', { x1: sx(0), x2: sx(0), y1: topPad, y2: topPad + top.length * rowH, class: 'diagonal', stroke: '#555' }));
  svg.append(el('text', { x: left + plotW / 2, y: height - 6, class: 'axis-label', 'text-anchor': 'middle' }, t('explain.swarm_x', { scale: scaleName(shap.scale, ui) })));
  const described = [];
  const dirs = inputDirections(shap);
  top.forEach((k, i) => {
    const yMid = topPad + i * rowH + rowH / 2;
    svg.append(el('text', { x: left - 6, y: yMid + 4, class: 'tick', 'text-anchor': 'end' }, short(featureLabel(names[k]))));
    const xs = values.map((v) => v[k]);
    const ins = values.map((_, r) => rows.inputs?.[r]?.[k]);
    const known = ins.filter(isNum);
    const [a, b] = known.length ? [Math.min(...known), Math.max(...known)] : [0, 1];
    const g = el('g', { class: 'points', 'data-input': names[k] });
    // Rows falling in the same pixel column are stacked up and down (a deterministic swarm).
    const used = new Map();
    xs.forEach((x, r) => {
      if (!isNum(x)) return;
      const px = Math.round(sx(x) / 2);
      const n = used.get(px) ?? 0;
      used.set(px, n + 1);
      const off = ((n % 2 ? 1 : -1) * Math.ceil(n / 2) * 2.2) % (rowH / 2 - 2);
      const frac = isNum(ins[r]) && b > a ? (ins[r] - a) / (b - a) : 0.5;
      g.append(el('circle', { cx: sx(x).toFixed(1), cy: (yMid + off).toFixed(1), r: 1.8, fill: frac >= 0.5 ? UP : DOWN, 'fill-opacity': (0.35 + 0.6 * Math.abs(frac - 0.5) * 2).toFixed(2) }));
    });
    svg.append(g);
    described.push(`${featureLabel(names[k])} (${ui.t(`explain.dir.${dirs?.get(names[k]) ?? 'mixed'}`)})`);
  });
  const desc = t('explain.swarm_desc', { n: ui.fmtInt(values.length), list: ui.list(described) });
  return [
    h('figure', { class: 'chart-box', id: `${ids.swarm}-figure` }, svg, h('figcaption', {}, title)),
    h('p', { class: 'note chart-desc', id: ids.swarmDesc }, desc),
  ];
}

/** One partial dependence chart: the mean curve, the splits' band and the centred ICE curves. */
function dependenceChart(d, ui, id, descId, regression) {
  const { t } = ui;
  const grid = arr(d.grid);
  const pd = d.pd || {};
  const mean = arr(pd.mean);
  const anchor = mean[0];
  // Centred ICE curves start at 0; they are drawn from the PD's first point so both share the axis.
  const ice = arr(d.ice_centred_sample).map((c) => c.map((v) => anchor + v));
  const all = [...mean, ...arr(pd.lower), ...arr(pd.upper), ...ice.flat()].filter(isNum);
  const left = 48, top = 12, plotW = 260, plotH = 160, bottom = 40;
  const title = t(regression ? 'explain.pd_title_value' : 'explain.pd_title', { feature: featureLabel(d.feature) });
  const svg = svgBox(left + plotW + 16, top + plotH + bottom, { title, cls: 'pd-chart', id, describedBy: descId });
  if (!grid.length || !all.length) return svg;
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!(hi > lo)) { lo -= 0.01; hi += 0.01; }
  const [gx0, gx1] = [grid[0], grid[grid.length - 1]];
  const sx = (x) => left + (gx1 > gx0 ? ((x - gx0) / (gx1 - gx0)) * plotW : plotW / 2);
  const sy = (v) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  for (const tick of niceTicks(lo, hi)) {
    svg.append(el('line', { x1: left, x2: left + plotW, y1: sy(tick), y2: sy(tick), class: 'grid' }));
    svg.append(el('text', { x: left - 5, y: sy(tick) + 4, class: 'tick', 'text-anchor': 'end' }, ui.fmtDec(tick, 2)));
  }
  for (const tick of gx1 > gx0 ? niceTicks(gx0, gx1) : [gx0]) {
    svg.append(el('text', { x: sx(tick), y: top + plotH + 14, class: 'tick', 'text-anchor': 'middle' }, ui.fmtNum(tick)));
  }
  svg.append(el('text', { x: left + plotW / 2, y: top + plotH + 32, class: 'axis-label', 'text-anchor': 'middle' }, short(featureLabel(d.feature), 40)));
  const path = (ys) => grid.map((x, i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join('');
  if (arr(pd.lower).length === grid.length && arr(pd.upper).length === grid.length && d.splits > 1) {
    const band = grid.map((x, i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(pd.upper[i]).toFixed(1)}`).join('')
      + grid.map((x, i) => grid.length - 1 - i).map((i) => `L${sx(grid[i]).toFixed(1)},${sy(pd.lower[i]).toFixed(1)}`).join('') + 'Z';
    svg.append(el('path', { d: band, fill: PALETTE[0], 'fill-opacity': 0.18, stroke: 'none', class: 'band' }));
  }
  const iceG = el('g', { class: 'ice', stroke: '#8a949c', 'stroke-width': 0.8, fill: 'none', 'stroke-opacity': 0.6 });
  for (const c of ice) if (c.length === grid.length) iceG.append(el('path', { d: path(c) }));
  svg.append(iceG);
  svg.append(el('path', { d: path(mean), fill: 'none', stroke: PALETTE[0], 'stroke-width': 2.5, class: 'pd-line' }));
  return svg;
}

function dependenceText(d, ui, regression) {
  const grid = arr(d.grid), mean = arr(d.pd?.mean);
  if (!grid.length || mean.length !== grid.length) return '';
  const fmt = (v) => (regression ? ui.fmtNum(v) : ui.fmtPct(v, 1));
  const hiI = mean.indexOf(Math.max(...mean)), loI = mean.indexOf(Math.min(...mean));
  const spread = Math.max(0, ...grid.map((_, i) => (d.pd.upper?.[i] ?? mean[i]) - (d.pd.lower?.[i] ?? mean[i])));
  const ends = arr(d.ice_centred_sample).map((c) => c[c.length - 1]).filter(isNum);
  return ui.t('explain.pd_desc', {
    feature: featureLabel(d.feature),
    from: fmt(mean[0]), at_from: ui.fmtNum(grid[0]), to: fmt(mean[mean.length - 1]), at_to: ui.fmtNum(grid[grid.length - 1]),
    low: fmt(mean[loI]), at_low: ui.fmtNum(grid[loI]), high: fmt(mean[hiI]), at_high: ui.fmtNum(grid[hiI]),
    splits: ui.fmtInt(d.splits), spread: fmt(spread),
    ice: ends.length ? ui.t('explain.pd_desc_ice', { n: ui.fmtInt(ends.length), lo: signed(Math.min(...ends), ui), hi: signed(Math.max(...ends), ui) }) : '',
  });
}

function dependencePart(model, ui, ids, regression) {
  const { h, t } = ui;
  const deps = arr(model.dependence);
  if (!deps.length) return [];
  return [
    h('p', { class: 'note' }, t('explain.pd_note')),
    h('div', { class: 'pd-grid' }, ...deps.map((d, i) => {
      const id = `${ids.pd}-${i}`;
      return h('figure', { class: 'chart-box pd-figure', 'data-feature': d.feature },
        dependenceChart(d, ui, id, `${id}-desc`, regression),
        h('figcaption', {}, featureLabel(d.feature)),
        h('p', { class: 'note chart-desc', id: `${id}-desc` }, dependenceText(d, ui, regression)));
    })),
  ];
}

/** Spearman correlation of two rankings given as equally long value arrays (ties averaged). */
export function spearman(a, b) {
  const ranks = (v) => {
    const idx = v.map((x, i) => [x, i]).sort((p, q) => q[0] - p[0]);
    const r = new Array(v.length);
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  return correlation(ranks(a), ranks(b));
}

/** SHAP ranking beside permutation importance, per model input. */
function comparePart(model, ui, ids) {
  const { h, t } = ui;
  const perm = arr(model.importance?.permutation);
  const feats = arr(model.shap?.features);
  if (!perm.length || !feats.length) return [];
  const permOf = new Map(perm.map((p) => [p.feature, p.mean]));
  const common = feats.filter((f) => permOf.has(f.feature) && isNum(permOf.get(f.feature)));
  if (common.length < 2) return [];
  const permRank = new Map([...common].sort((a, b) => permOf.get(b.feature) - permOf.get(a.feature)).map((f, i) => [f.feature, i + 1]));
  const rho = spearman(common.map((f) => f.mean_abs), common.map((f) => permOf.get(f.feature)));
  const permFirst = [...permRank].find(([, r]) => r === 1)?.[0];
  const text = t(permFirst === common[0].feature ? 'explain.compare_same_first' : 'explain.compare_other_first', {
    rho: isNum(rho) ? ui.fmtDec(rho, 2) : ui.none(), n: ui.fmtInt(common.length), shap: featureLabel(common[0].feature), perm: featureLabel(permFirst ?? ''),
  });
  return [
    h('p', { class: 'note', id: ids.compareDesc, 'data-rho': isNum(rho) ? String(rho) : '' }, text),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data shap-compare', id: ids.compare, 'aria-describedby': ids.compareDesc },
      h('caption', {}, t('explain.compare_title')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('explain.col_input')),
        h('th', { scope: 'col', class: 'num-col' }, t('explain.col_shap_rank')),
        h('th', { scope: 'col', class: 'num-col' }, t('explain.col_shap')),
        h('th', { scope: 'col', class: 'num-col' }, t('explain.col_perm_rank')),
        h('th', { scope: 'col', class: 'num-col' }, t('explain.col_perm')))),
      h('tbody', {}, ...common.slice(0, TOP_COMPARE).map((f, i) => h('tr', { 'data-feature': f.feature },
        h('th', { scope: 'row' }, featureLabel(f.feature)),
        h('td', { class: 'num-col' }, ui.fmtInt(i + 1)),
        h('td', { class: 'num-col' }, ui.fmtDec(f.mean_abs)),
        h('td', { class: 'num-col' }, ui.fmtInt(permRank.get(f.feature))),
        h('td', { class: 'num-col' }, ui.fmtDec(permOf.get(f.feature)))))))),
  ];
}

/** How the values were computed, in words (exact or an estimate, on which rows). */
function methodText(shap, ui) {
  const key = `explain.method.${shap.method}`;
  return ui.t(ui.has(key) ? key : 'explain.method.other', {
    rows: ui.fmtInt(shap.explained_rows), tests: ui.fmtInt(shap.test_rows),
    background: ui.fmtInt(shap.background ?? 0), permutations: ui.fmtInt(shap.permutations ?? 0),
    base: ui.fmtDec(shap.base_value), scale: scaleName(shap.scale, ui),
  });
}

/** The explanations of one model. `prefix` makes the element ids unique on the page. */
export function modelExplanation(report, index, ui, heading = 'h4', prefix = 'explain') {
  const { h, t } = ui;
  const m = arr(report.models)[index];
  if (!m?.shap) return null;
  const regression = report.target?.task === 'regression';
  const p = `${prefix}-${index}`;
  const ids = {
    bars: `${p}-bars`, barsDesc: `${p}-bars-desc`, swarm: `${p}-swarm`, swarmDesc: `${p}-swarm-desc`,
    pd: `${p}-pd`, compare: `${p}-compare`, compareDesc: `${p}-compare-desc`,
  };
  const swarm = beeswarm(m.shap, ui, ids);
  const pd = dependencePart(m, ui, ids, regression);
  const compare = comparePart(m, ui, ids);
  return h('div', { class: 'model-explanation', 'data-kind': m.kind, 'data-index': String(index) },
    h('p', { class: 'note', 'data-method': m.shap.method }, methodText(m.shap, ui)),
    h(heading, {}, t('explain.bars_heading')),
    ...columnBars(m.shap, ui, ids),
    ...(swarm.length ? [h(heading, {}, t('explain.swarm_heading')), ...swarm] : []),
    ...(pd.length ? [h(heading, {}, t('explain.pd_heading')), ...pd] : []),
    ...(compare.length ? [h(heading, {}, t('explain.compare_heading')), ...compare] : []));
}

/**
 * The explanations section: null when no model of the report was explained. In the page
 * (`choose`: true) one model at a time with a chooser; in the printable report every model.
 */
export function explainViews(report, ui, heading = 'h3', { choose = true, prefix = 'explain' } = {}) {
  const { h, t } = ui;
  const models = arr(report?.models);
  const explained = models.map((m, i) => (m?.shap ? i : -1)).filter((i) => i >= 0);
  if (!explained.length) return null;
  const level = (tag, by) => `h${Math.min(6, Number(tag.slice(1)) + by)}`;
  const sub = level(heading, 1);
  const section = h('section', { class: 'explain-views', id: `${prefix}-views` },
    h(heading, { id: `${prefix}-heading` }, t('explain.title')),
    h('p', { class: 'note' }, t('explain.intro')));
  if (explained.length === 1) {
    section.append(modelExplanation(report, explained[0], ui, sub, prefix));
    return section;
  }
  if (!choose) {
    for (const i of explained) {
      section.append(h(sub, {}, ui.modelLabel(models[i].kind)), modelExplanation(report, i, ui, level(heading, 2), prefix));
    }
    return section;
  }
  const body = h('div', { class: 'explain-body' }, modelExplanation(report, explained[0], ui, sub, prefix));
  const select = h('select', { id: `${prefix}-model`, onchange: (e) => body.replaceChildren(modelExplanation(report, Number(e.target.value), ui, sub, prefix)) },
    ...explained.map((i) => h('option', { value: String(i) }, ui.modelLabel(models[i].kind))));
  section.append(h('label', { class: 'inline', for: `${prefix}-model` }, t('explain.choose_model'), ' '), select, body);
  return section;
}

// ───────────────────────────── Apply panel: one row's waterfall ─────────────────────────────

/** The original column of model input `input` among `columns` (as the core's `column_of`). */
export function columnOf(input, columns) {
  if (columns.includes(input)) return input;
  let best = null;
  for (const c of columns) {
    if (input.length > c.length && input.startsWith(c) && '=_:.'.includes(input[c.length]) && (!best || c.length > best.length)) best = c;
  }
  return best ?? input;
}

/**
 * One row's contributions per original column, largest |value| first: the top `top` of them and
 * the rest summed. `base + Σ steps + rest = output` (the row's explained output).
 */
export function waterfallData(inputs, shap, base, output, columns, top = WATERFALL_TOP) {
  const byCol = new Map();
  inputs.forEach((name, k) => {
    const c = columnOf(name, columns);
    byCol.set(c, (byCol.get(c) ?? 0) + (isNum(shap[k]) ? shap[k] : 0));
  });
  const all = [...byCol].map(([column, value]) => ({ column, value })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const steps = all.slice(0, top);
  const others = all.slice(top);
  return { base, output, steps, rest: { count: others.length, value: others.reduce((s, o) => s + o.value, 0) } };
}

/** "raised the predicted risk most": the row's contributions in words. */
export function waterfallSentences(data, values, ui, { scale, regression }) {
  const { t } = ui;
  const what = regression ? 'value' : 'risk';
  const amount = (v) => (scale === 'probability' ? ui.t('explain.wf.points', { v: ui.fmtDec(Math.abs(v) * 100, 1) }) : ui.fmtDec(Math.abs(v), 3));
  const name = (s) => (values.has(s.column) && values.get(s.column) !== '' ? t('explain.wf.column_value', { column: s.column, value: values.get(s.column) }) : s.column);
  const out = [];
  const moving = data.steps.filter((s) => s.value !== 0);
  moving.forEach((s, i) => {
    const dir = s.value > 0 ? 'raised' : 'lowered';
    out.push(t(`explain.wf.${dir}_${what}${i === 0 ? '_most' : ''}`, { name: name(s), amount: amount(s.value) }));
  });
  if (data.rest.count) out.push(t('explain.wf.rest', { n: ui.fmtInt(data.rest.count), amount: signed(data.rest.value, ui) }));
  out.push(t(`explain.wf.total_${scale === 'log_odds' ? 'log_odds' : 'plain'}`, {
    base: ui.fmtDec(data.base, 3), output: ui.fmtDec(data.output, 3), scale: scaleName(scale, ui),
    probability: scale === 'log_odds' ? ui.fmtPct(1 / (1 + Math.exp(-data.output)), 1) : '',
  }));
  return out;
}

/** The waterfall chart: from the base value, one floating bar per contribution, to the output. */
export function waterfallChart(data, ui, { id, describedBy, scale }) {
  const { t } = ui;
  const items = [
    ...data.steps.map((s) => ({ label: s.column, value: s.value, kind: 'step' })),
    ...(data.rest.count ? [{ label: t('explain.wf.rest_label', { n: ui.fmtInt(data.rest.count) }), value: data.rest.value, kind: 'rest' }] : []),
  ];
  const left = 170, top = 8, rowH = 24, plotW = 300, bottom = 30;
  const height = top + (items.length + 2) * rowH + bottom;
  const title = t('explain.wf.title', { scale: scaleName(scale, ui) });
  const svg = svgBox(left + plotW + 90, height, { title, cls: 'waterfall-chart', id, describedBy });
  svg.dataset.base = String(data.base);
  svg.dataset.output = String(data.output);
  let run = data.base;
  const points = [data.base];
  for (const it of items) { run += it.value; points.push(run); }
  points.push(data.output);
  let lo = Math.min(...points), hi = Math.max(...points);
  if (!(hi > lo)) { lo -= 0.01; hi += 0.01; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const sx = (v) => left + ((v - lo) / (hi - lo)) * plotW;
  for (const tick of niceTicks(lo, hi)) {
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: top, y2: top + (items.length + 2) * rowH, class: 'grid' }));
    svg.append(el('text', { x: sx(tick), y: top + (items.length + 2) * rowH + 14, class: 'tick', 'text-anchor': 'middle' }, ui.fmtDec(tick, 2)));
  }
  const label = (y, text) => svg.append(el('text', { x: left - 6, y: y + 16, class: 'tick', 'text-anchor': 'end' }, short(text)));
  const marker = (y, v, text, cls) => {
    label(y, text);
    svg.append(el('rect', { x: sx(v) - 1.5, y: y + 3, width: 3, height: rowH - 6, fill: '#222', class: cls, 'data-value': String(v) }));
    svg.append(el('text', { x: sx(v) + 6, y: y + 16, class: 'tick' }, ui.fmtDec(v, 3)));
  };
  marker(top, data.base, t('explain.wf.base'), 'wf-base');
  let at = data.base;
  items.forEach((it, i) => {
    const y = top + (i + 1) * rowH;
    label(y, it.label);
    const [a, b] = [at, at + it.value].sort((p, q) => p - q);
    const bar = el('rect', {
      x: sx(a), y: y + 4, width: Math.max(1, sx(b) - sx(a)), height: rowH - 8,
      fill: it.value >= 0 ? UP : DOWN, class: `bar wf-${it.kind}`, 'data-value': String(it.value), 'data-label': it.label,
    });
    bar.append(el('title', {}, `${it.label}: ${signed(it.value, ui)}`));
    svg.append(bar);
    svg.append(el('text', { x: sx(b) + 6, y: y + 16, class: 'tick' }, `${signed(it.value, ui)}${it.value >= 0 ? ' ↑' : ' ↓'}`));
    at += it.value;
  });
  marker(top + (items.length + 1) * rowH, data.output, t('explain.wf.output'), 'wf-output');
  return svg;
}

/** Header and records of a CSV text (quoted fields, CRLF), for the values a waterfall names. */
export function parseCsvText(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/**
 * The Apply panel's explanation of one scored row: a row chooser, the waterfall and the plain
 * words. `p`: the apply result's predictions (with `explanation`); `table`: [header, ...records]
 * of the scored file (or null); `chosen`: index into `p.scored`; `onChoose(index)`.
 */
export function rowExplanation(p, table, chosen, ui, onChoose) {
  const { h, t } = ui;
  const e = p?.explanation;
  const scored = arr(p?.scored).filter((s) => Array.isArray(s.shap));
  if (!e || !scored.length) return null;
  const index = Math.min(Math.max(0, chosen | 0), scored.length - 1);
  const s = scored[index];
  const header = table?.[0] ?? [];
  const record = table?.[s.row] ?? [];
  const columns = header.length ? header : arr(e.inputs);
  const values = new Map(header.map((c, j) => [c, record[j] ?? '']));
  const data = waterfallData(arr(e.inputs), s.shap, e.base_value, s.explained_output, columns);
  const regression = p.task === 'regression';
  const words = waterfallSentences(data, values, ui, { scale: e.scale, regression });
  const methodKey = `explain.method_apply.${e.method}`;
  return h('div', { id: 'apply-explain', 'data-row': String(s.row) },
    h('h4', {}, t('explain.wf.heading')),
    h('label', { class: 'inline', for: 'apply-explain-row' }, t('explain.wf.choose_row'), ' '),
    h('select', { id: 'apply-explain-row', onchange: (ev) => onChoose(Number(ev.target.value)) },
      ...scored.map((r, i) => h('option', { value: String(i), selected: i === index ? '' : null }, t('explain.wf.row_option', { row: ui.fmtInt(r.row), line: ui.fmtInt(r.line) })))),
    h('figure', { class: 'chart-box' },
      waterfallChart(data, ui, { id: 'apply-waterfall', describedBy: 'apply-waterfall-desc', scale: e.scale }),
      h('figcaption', {}, t('explain.wf.title', { scale: scaleName(e.scale, ui) }))),
    h('ol', { class: 'waterfall-words', id: 'apply-waterfall-desc' }, ...words.map((w) => h('li', {}, w))),
    h('p', { class: 'note' }, t(ui.has(methodKey) ? methodKey : 'explain.method_apply.other', {
      background: ui.fmtInt(e.background ?? 0), permutations: ui.fmtInt(e.permutations ?? 0),
    })));
}

// ───────────────────────────── Train panel: the evaluation.shap switch ─────────────────────────────

/** Is `evaluation.shap` on in `recipe` (true, or an object without `enabled: false`)? */
export function shapOn(recipe) {
  const s = recipe?.evaluation?.shap;
  return s === true || (!!s && typeof s === 'object' && s.enabled !== false);
}

/** `recipe` with `evaluation.shap` set to `on` (an object of budgets keeps its budgets). */
export function withShap(recipe, on) {
  const next = structuredClone(recipe || {});
  next.evaluation = { ...(next.evaluation || {}) };
  const cur = next.evaluation.shap;
  if (cur && typeof cur === 'object') next.evaluation.shap = { ...cur, enabled: on };
  else next.evaluation.shap = on;
  return next;
}

let switchRecipe = null;

/** The switch (built once); `setRecipe(next)` is the page's recipe writer. */
export function shapSwitch(ui, setRecipe) {
  const { h } = ui;
  return h('div', { class: 'eval-row shap-switch' },
    h('label', { class: 'check' },
      h('input', { type: 'checkbox', id: 'eval-shap', onchange: (e) => { if (switchRecipe) setRecipe(withShap(switchRecipe, e.target.checked)); } }), ' ',
      h('span', { id: 'eval-shap-label' })),
    h('p', { class: 'note', id: 'eval-shap-note' }));
}

/** Draws the switch from the recipe (and the language). */
export function drawShapSwitch(recipe, ui) {
  switchRecipe = recipe;
  const box = document.querySelector('#eval-shap');
  if (!box) return;
  box.checked = shapOn(recipe);
  box.disabled = !recipe;
  box.setAttribute('aria-describedby', 'eval-shap-note');
  document.querySelector('#eval-shap-label').textContent = ui.t('explain.switch');
  document.querySelector('#eval-shap-note').textContent = ui.t('explain.switch_note');
}
