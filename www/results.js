// Model results view: sortable comparison table with 95% intervals, the paired test, the cost
// of privacy (original vs masked data), the hyper-parameters a nested search chose, ROC and
// calibration charts (class targets) or predicted-vs-actual and residual charts (numeric
// targets), a confusion matrix with a threshold slider (computed from the pooled out-of-fold ROC
// points of the report), importances and the fairness audit. `originalView`, `searchView` and
// `regressionCharts` are exported for other views (e.g. a printed report) to reuse.
// Strings: i18n/LANG.models.json. app.js passes its helpers in `ui`; the view's selections (the
// sort, the model of the details, the threshold) are `state.resultsView`, changed through `select`.
import { hBars, histogram, scatterXY, unitLines } from './charts.js';
import { featureLabel, noteText } from './message.js';

export const CLASS_KEYS = ['roc_auc', 'pr_auc', 'accuracy', 'balanced_accuracy', 'recall', 'specificity', 'mcc', 'brier', 'log_loss'];
export const REG_KEYS = ['r2', 'rmse', 'mae'];
const LOWER_IS_BETTER = new Set(['brier', 'log_loss', 'mae', 'rmse', 'integrated_brier']);
/** Whether a smaller value of metric `key` is better (errors, Brier scores, `brier@T` at a horizon). */
export const lowerIsBetter = (key) => LOWER_IS_BETTER.has(key) || /^brier@/.test(key);
const TOP_FEATURES = 12;

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** Index of the ROC point for a threshold preset. Points are ordered by descending threshold. */
export function presetIndex(roc, preset, value = 0.5) {
  const n = roc.thresholds.length;
  if (preset === 'youden') {
    let best = 0;
    for (let i = 1; i < n; i++) if (roc.tpr[i] - roc.fpr[i] > roc.tpr[best] - roc.fpr[best]) best = i;
    return best;
  }
  if (preset === 'sensitivity') {
    const i = roc.tpr.findIndex((v) => v >= value);
    return i < 0 ? n - 1 : i;
  }
  // Fixed threshold: predictions >= value are positive, i.e. the last point whose threshold >= value.
  let i = 0;
  while (i + 1 < n && roc.thresholds[i + 1] >= value) i++;
  return i;
}

/** Confusion counts at ROC point `i`. */
export function countsAt(roc, i) {
  const tp = Math.round(roc.tpr[i] * roc.positives);
  const fp = Math.round(roc.fpr[i] * roc.negatives);
  return { tp, fp, fn: roc.positives - tp, tn: roc.negatives - fp };
}

/** What the user picked in the model results: the sort, the model shown in detail, the threshold. */
export const RESULTS_VIEW_START = Object.freeze({ sort: null, model: 0, index: null });

/**
 * The model results of `report` (a #model-results element). `sel`: the selections
 * (RESULTS_VIEW_START's shape); `select(patch)` asks for new ones.
 */
export function modelResults(report, ui, sel = RESULTS_VIEW_START, select = () => {}) {
  const { h } = ui;
  const models = Array.isArray(report?.models) ? report.models : [];
  if (!models.length) return h('div', { id: 'model-results' });
  const regression = report.target?.task === 'regression';
  return h('div', { id: 'model-results', 'data-task': regression ? 'regression' : 'classification' },
    ...parts(report, models, regression, ui, { sel, select }));
}

/** Redraw the model results inside `root` (a #model-results element) after the selections changed. */
export function redrawModelResults(root, report, ui, sel, select) {
  const models = Array.isArray(report?.models) ? report.models : [];
  if (!root || !models.length) return;
  root.replaceChildren(...parts(report, models, report.target?.task === 'regression', ui, { sel, select }));
}

function parts(report, models, regression, ui, ctx) {
  const { h, t } = ui;
  const out = [];
  out.push(h('h3', {}, t('models.compare_title')));
  out.push(h('p', { class: 'note' }, t(regression ? 'models.compare_note_reg' : 'models.compare_note')));
  out.push(compareTable(report, models, regression, ui, ctx));
  const cmp = report.evaluation?.comparison;
  if (cmp) {
    const text = isNum(cmp.p_value)
      ? t('models.paired_test', {
        a: ui.modelLabel(cmp.kinds[0]), b: ui.modelLabel(cmp.kinds[1]), metric: ui.metricLabel(cmp.metric),
        diff: ui.fmtDec(cmp.mean_difference), t: ui.fmtDec(cmp.t, 2), df: cmp.df, p: ui.fmtDec(cmp.p_value),
      })
      : t('models.paired_test_undefined', { a: ui.modelLabel(cmp.kinds[0]), b: ui.modelLabel(cmp.kinds[1]), metric: ui.metricLabel(cmp.metric) });
    out.push(h('p', { id: 'paired-test', class: 'note', 'data-p': isNum(cmp.p_value) ? String(cmp.p_value) : '' }, text));
  }
  if (report.original) out.push(originalView(report, ui));
  if (models.some((m) => m.search)) out.push(searchView(report, ui));
  if (!regression) {
    const withCurves = models.filter((m) => m.curves);
    if (withCurves.length) {
      out.push(h('div', { class: 'chart-row' },
        h('figure', { class: 'chart-box' },
          unitLines(withCurves.map((m) => ({ label: ui.modelLabel(m.kind), x: m.curves.roc.fpr, y: m.curves.roc.tpr })),
            { title: t('models.roc_title'), xLabel: t('models.fpr'), yLabel: t('models.tpr'), format: (v) => ui.fmtDec(v, 2), id: 'roc-chart' }),
          h('figcaption', {}, t('models.roc_title'))),
        h('figure', { class: 'chart-box' },
          unitLines(withCurves.map((m) => ({
            label: ui.modelLabel(m.kind), x: m.curves.calibration.mean_predicted, y: m.curves.calibration.fraction_positive, points: true,
          })), { title: t('models.calibration_title'), xLabel: t('models.mean_predicted'), yLabel: t('models.fraction_positive'), format: (v) => ui.fmtDec(v, 1), id: 'calibration-chart' }),
          h('figcaption', {}, t('models.calibration_title')))));
    }
  }
  // Per-model details.
  out.push(h('h3', {}, t('models.details_title')));
  out.push(h('label', { class: 'inline' }, t('models.details_model'), ' ',
    h('select', {
      id: 'detail-model',
      onchange: (e) => ctx.select({ model: Number(e.target.value), index: null }),
    }, ...models.map((m, i) => h('option', { value: String(i), selected: i === ctx.sel.model }, ui.modelLabel(m.kind))))));
  const model = models[Math.min(ctx.sel.model, models.length - 1)];
  if (!regression && model.curves) out.push(thresholdView(model, report, ui, ctx));
  if (regression && model.regression) out.push(regressionCharts(model, ui));
  out.push(importanceView(model, ui));
  if (model.fairness) out.push(fairnessView(model.fairness, ui));
  return out;
}

function compareTable(report, models, regression, ui, ctx) {
  const { h, t } = ui;
  const keys = (regression ? REG_KEYS : CLASS_KEYS).filter((k) => models.some((m) => m.metrics?.[k]));
  const pooled = (m, k) => m.metrics?.[k]?.pooled ?? m.metrics?.[k]?.mean;
  const order = models.map((m, i) => i);
  if (ctx.sel.sort) {
    const { key, dir } = ctx.sel.sort;
    order.sort((a, b) => {
      const va = pooled(models[a], key), vb = pooled(models[b], key);
      if (!isNum(va)) return 1;
      if (!isNum(vb)) return -1;
      return dir === 'asc' ? va - vb : vb - va;
    });
  }
  const header = (k) => {
    const sorted = ctx.sel.sort?.key === k ? ctx.sel.sort.dir : null;
    return h('th', { scope: 'col', class: 'num-col', 'data-metric': k, 'aria-sort': sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none' },
      h('button', {
        type: 'button', class: 'sort', 'data-sort': k,
        title: t('models.sort_hint'),
        onclick: () => {
          const best = lowerIsBetter(k) ? 'asc' : 'desc';
          const dir = ctx.sel.sort?.key === k ? (ctx.sel.sort.dir === 'asc' ? 'desc' : 'asc') : best;
          ctx.select({ sort: { key: k, dir } });
        },
      }, ui.metricLabel(k), sorted ? (sorted === 'asc' ? ' ▲' : ' ▼') : ''));
  };
  return h('div', { class: 'table-wrap' }, h('table', { id: 'compare-table', class: 'data' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.model')), ...keys.map(header))),
    h('tbody', {}, ...order.map((i) => {
      const m = models[i];
      return h('tr', { 'data-kind': m.kind },
        h('th', { scope: 'row' }, ui.modelLabel(m.kind)),
        ...keys.map((k) => {
          const s = m.metrics?.[k];
          const v = pooled(m, k);
          const ci = Array.isArray(s?.ci) ? s.ci : null;
          return h('td', { class: 'num-col', 'data-metric': k, 'data-value': isNum(v) ? String(v) : '', 'data-ci': ci ? ci.join(',') : '' },
            ui.fmtDec(v), ci ? h('span', { class: 'ci' }, ` (${ui.fmtDec(ci[0])}–${ui.fmtDec(ci[1])})`) : null);
        }));
    }))));
}

function thresholdView(model, report, ui, ctx) {
  const { h, t } = ui;
  const roc = model.curves.roc;
  const n = roc.thresholds.length;
  const i = ctx.sel.index == null || ctx.sel.index >= n ? presetIndex(roc, 'fixed', report.evaluation?.threshold ?? 0.5) : ctx.sel.index;
  const c = countsAt(roc, i);
  const ratio = (a, b) => (b > 0 ? a / b : null);
  const sens = ratio(c.tp, c.tp + c.fn), spec = ratio(c.tn, c.tn + c.fp);
  const ppv = ratio(c.tp, c.tp + c.fp), npv = ratio(c.tn, c.tn + c.fn);
  const set = (k) => ctx.select({ index: k });
  const cell = (key, correct) => h('td', { class: `cm-cell ${correct ? 'cm-correct' : 'cm-wrong'}`, 'data-cell': key },
    h('span', { class: 'cm-value' }, ui.fmtInt(c[key])), h('span', { class: 'cm-label' }, t(`results.${key}`)));
  const thr = roc.thresholds[i];
  return h('div', { id: 'threshold-view', class: 'threshold-view', 'data-kind': model.kind },
    h('h4', {}, t('models.threshold_title')),
    h('div', { class: 'threshold-controls' },
      h('input', {
        id: 'threshold-slider', type: 'range', min: '0', max: String(n - 1), step: '1', value: String(i),
        'aria-label': t('models.threshold'),
        oninput: (e) => set(Number(e.target.value)),
      }),
      h('output', { id: 'threshold-value', for: 'threshold-slider', 'data-value': String(thr) },
        i === 0 ? t('models.threshold_none') : t('models.threshold_at', { value: ui.fmtDec(thr) })),
      h('button', { type: 'button', id: 'preset-default', onclick: () => set(presetIndex(roc, 'fixed', 0.5)) }, t('models.preset_default')),
      h('button', { type: 'button', id: 'preset-youden', onclick: () => set(presetIndex(roc, 'youden')) }, t('models.preset_youden')),
      h('button', { type: 'button', id: 'preset-sens90', onclick: () => set(presetIndex(roc, 'sensitivity', 0.9)) }, t('models.preset_sens90'))),
    h('table', { id: 'threshold-cm', class: 'cm-table' },
      h('caption', {}, t('models.threshold_cm', { model: ui.modelLabel(model.kind) })),
      h('thead', {}, h('tr', {}, h('td'), h('th', { scope: 'col' }, t('models.pred_pos')), h('th', { scope: 'col' }, t('models.pred_neg')))),
      h('tbody', {},
        h('tr', {}, h('th', { scope: 'row' }, t('models.actual_pos')), cell('tp', true), cell('fn', false)),
        h('tr', {}, h('th', { scope: 'row' }, t('models.actual_neg')), cell('fp', false), cell('tn', true)))),
    h('p', { id: 'threshold-rates', class: 'note' },
      t('models.threshold_rates', { sens: ui.fmtPct(sens), spec: ui.fmtPct(spec), ppv: ui.fmtPct(ppv), npv: ui.fmtPct(npv) })));
}

export function importanceView(model, ui) {
  const { h, t } = ui;
  const perm = Array.isArray(model.importance?.permutation) ? model.importance.permutation : [];
  const imp = Array.isArray(model.importance?.impurity) ? model.importance.impurity : null;
  const box = h('div', { id: 'importance-view', 'data-kind': model.kind });
  box.append(h('h4', {}, t('models.importance_title')));
  if (perm.length) {
    box.append(h('figure', { class: 'chart-box', id: 'permutation-chart' },
      hBars(perm.slice(0, TOP_FEATURES).map((f) => ({ label: featureLabel(f.feature), value: f.mean, std: f.std })),
        { title: t('models.permutation_title'), format: (v) => ui.fmtDec(v) }),
      h('figcaption', {}, t('models.permutation_title'))));
  } else {
    box.append(h('p', { class: 'note' }, t('models.permutation_none')));
  }
  if (imp?.length) {
    box.append(h('figure', { class: 'chart-box', id: 'impurity-chart' },
      hBars(imp.slice(0, TOP_FEATURES).map((f) => ({ label: featureLabel(f.feature), value: f.mean, std: f.std })),
        { title: t('models.impurity_title'), format: (v) => ui.fmtDec(v) }),
      h('figcaption', {}, t('models.impurity_title'))));
  }
  return box;
}

export function fairnessView(f, ui) {
  const { h, t } = ui;
  const largest = f.largest;
  return h('div', { id: 'fairness-view', 'data-flagged': String(!!f.flagged) },
    h('h4', {}, t('models.fairness_title', { column: f.column })),
    h('div', { class: 'table-wrap narrow' }, h('table', { id: 'fairness-table', class: 'data' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('models.subgroup')),
        ...['count', 'prevalence', 'tpr', 'fpr', 'ppv', 'auc'].map((k) => h('th', { scope: 'col', class: 'num-col' }, t(`models.fair_${k}`))))),
      h('tbody', {}, ...f.groups.map((g) => h('tr', { 'data-group': g.value },
        h('th', { scope: 'row' }, g.value),
        h('td', { class: 'num-col' }, ui.fmtInt(g.count)),
        h('td', { class: 'num-col' }, ui.fmtPct(g.prevalence)),
        ...['tpr', 'fpr', 'ppv'].map((k) => h('td', { class: 'num-col', 'data-metric': k }, ui.fmtPct(g[k]))),
        h('td', { class: 'num-col', 'data-metric': 'auc' }, ui.fmtDec(g.auc))))))),
    largest ? h('p', { id: 'fairness-gap', class: f.flagged ? 'warning flagged' : 'note' },
      t(f.flagged ? 'models.fairness_flagged' : 'models.fairness_ok', {
        metric: t(`models.fair_${largest.metric}`), gap: ui.fmtDec(largest.gap), a: largest.between[0], b: largest.between[1], threshold: ui.fmtDec(f.threshold, 2),
      })) : null);
}

/** A hyper-parameter value as text (`null`: the model's default / no limit). */
function paramText(v, ui) {
  if (v === null || v === undefined) return ui.t('models.param_null');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function paramsText(params, ui) {
  return Object.entries(params || {}).map(([k, v]) => `${k} = ${paramText(v, ui)}`).join(', ');
}

/**
 * Original vs masked: the same models on the original values of the columns the privacy steps
 * keep, side by side with the masked results; the difference is the cost of privacy.
 */
export function originalView(report, ui) {
  const { h, t } = ui;
  const o = report.original;
  const box = h('div', { id: 'original-view', 'data-evaluated': String(!!o?.evaluated) });
  box.append(h('h4', {}, t('models.original_title')));
  if (!o?.evaluated) {
    box.append(h('p', { id: 'original-failed', class: 'note' }, t('models.original_failed', { reason: o?.code === 'original.failed' ? String(o.params?.detail ?? '') : noteText(o) })));
    return box;
  }
  box.append(h('p', { class: 'note' }, t('models.original_note', { columns: o.columns.length, rows: ui.fmtInt(o.rows) })));
  box.append(h('div', { class: 'table-wrap' }, h('table', { id: 'original-table', class: 'data' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('results.model')),
      h('th', { scope: 'col' }, t('models.original_metric')),
      h('th', { scope: 'col', class: 'num-col' }, t('models.original_original')),
      h('th', { scope: 'col', class: 'num-col' }, t('models.original_masked')),
      h('th', { scope: 'col', class: 'num-col' }, t('models.original_difference')))),
    h('tbody', {}, ...o.cost.map((c) => {
      const d = c.difference;
      // Worse on the masked data: a cost of privacy.
      const worse = isNum(d) && (c.higher_is_better ? d < 0 : d > 0);
      const sign = isNum(d) && d > 0 ? '+' : '';
      return h('tr', { 'data-kind': c.kind, 'data-metric': c.metric },
        h('th', { scope: 'row' }, ui.modelLabel(c.kind)),
        h('td', {}, ui.metricLabel(c.metric)),
        h('td', { class: 'num-col', 'data-col': 'original', 'data-value': isNum(c.original) ? String(c.original) : '' }, ui.fmtDec(c.original)),
        h('td', { class: 'num-col', 'data-col': 'masked', 'data-value': isNum(c.masked) ? String(c.masked) : '' }, ui.fmtDec(c.masked)),
        h('td', {
          class: `num-col ${worse ? 'cost-worse' : ''}`, 'data-col': 'difference', 'data-value': isNum(d) ? String(d) : '',
          title: worse ? t('models.original_worse') : '',
        }, isNum(d) ? `${sign}${ui.fmtDec(d)}` : ui.fmtDec(d), worse ? ` ${t('models.original_worse_mark')}` : ''));
    })))));
  return box;
}

/** The hyper-parameters each model's nested search chose, per outer split and most often. */
export function searchView(report, ui) {
  const { h, t } = ui;
  const models = (report.models || []).filter((m) => m.search);
  return h('div', { id: 'search-view' },
    h('h4', {}, t('models.search_title')),
    h('p', { class: 'note' }, t('models.search_note')),
    h('div', { class: 'table-wrap' }, h('table', { id: 'search-table', class: 'data' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('results.model')),
        h('th', { scope: 'col' }, t('models.search_how')),
        h('th', { scope: 'col' }, t('models.search_most')),
        h('th', { scope: 'col' }, t('models.search_splits')))),
      h('tbody', {}, ...models.map((m) => {
        const s = m.search;
        return h('tr', { 'data-kind': m.kind },
          h('th', { scope: 'row' }, ui.modelLabel(m.kind)),
          h('td', { 'data-col': 'how' }, t(`models.search_${s.method === 'random' ? 'random' : 'grid'}`, {
            candidates: ui.fmtInt(s.candidates), folds: ui.fmtInt(s.inner_folds), metric: ui.metricLabel(s.metric),
          })),
          h('td', { 'data-col': 'most' }, paramsText(s.most_chosen, ui)),
          h('td', { 'data-col': 'splits' }, h('ol', { class: 'search-splits' },
            ...s.chosen.map((c) => h('li', {}, t('models.search_split', { params: paramsText(c.params, ui), score: ui.fmtDec(c.inner_score) }))))));
      })))));
}

/** Predicted-vs-actual scatter and residual histogram of one model (numeric target). */
export function regressionCharts(model, ui) {
  const { h, t } = ui;
  const r = model.regression;
  const label = ui.modelLabel(model.kind);
  const fmt = (v) => {
    const a = Math.abs(v);
    return ui.fmtDec(v, a >= 100 || v === 0 ? 0 : a >= 10 ? 1 : 2);
  };
  const m = model.metrics || {};
  const scatterDesc = t('models.scatter_desc', {
    model: label, shown: ui.fmtInt(r.actual.length), total: ui.fmtInt(r.total),
    r2: ui.fmtDec(m.r2?.pooled ?? m.r2?.mean), rmse: ui.fmtDec(m.rmse?.pooled ?? m.rmse?.mean), mae: ui.fmtDec(m.mae?.pooled ?? m.mae?.mean),
  });
  const counts = r.residual_counts || [];
  const edges = r.residual_edges || [];
  const top = counts.reduce((b, c, i) => (c > counts[b] ? i : b), 0);
  const histDesc = counts.length ? t('models.residual_desc', {
    total: ui.fmtInt(r.total), lo: fmt(edges[0]), hi: fmt(edges[edges.length - 1]),
    count: ui.fmtInt(counts[top]), from: fmt(edges[top]), to: fmt(edges[top + 1]),
  }) : '';
  return h('div', { id: 'regression-view', class: 'chart-row', 'data-kind': model.kind },
    h('figure', { class: 'chart-box' },
      scatterXY({ x: r.actual, y: r.predicted }, {
        title: t('models.scatter_title', { model: label }), xLabel: t('models.actual'), yLabel: t('models.predicted'),
        desc: scatterDesc, format: fmt, id: 'scatter-chart',
      }),
      h('figcaption', {}, scatterDesc)),
    counts.length ? h('figure', { class: 'chart-box' },
      histogram({ edges, counts }, {
        title: t('models.residual_title', { model: label }), xLabel: t('models.residual'), yLabel: t('models.rows'),
        desc: histDesc, format: fmt, id: 'residual-chart',
      }),
      h('figcaption', {}, histDesc)) : null);
}
