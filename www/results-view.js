// Step 6, Results: the models' metrics table with a chart, confusion matrices, the evaluation
// views (results.js), the privacy summary, the audit trail, warnings and the rejected rows of the
// last run's report. Draws `state.report`; `modelResultsView` redraws only the model results when
// the user's selections there (`state.resultsView`) change.
import { metricBars } from './charts.js';
import { learnedSummary } from './features.js';
import { renderRejected } from './profile-view.js';
import { noteText, warningTexts } from './message.js';
import { importanceView, modelResults, originalView, redrawModelResults } from './results.js';
import { confusionMatrix, privacySummary } from './reports.js';
import { evaluationViews, predictionsDownload } from './evaluation-view.js';
import { explainViews } from './explain-view.js';
import { isSurvivalReport, survivalViews } from './survival-view.js';

const CLASS_METRICS = ['accuracy', 'precision', 'recall', 'specificity', 'f1', 'roc_auc'];
const REG_METRICS = ['mae', 'rmse', 'r2'];
const ARGS_PREVIEW = 120; // characters of an audit entry's arguments shown before "more"

function metricKeys(models) {
  const present = new Set(models.flatMap((m) => Object.keys(m?.metrics || {})));
  const known = [...CLASS_METRICS, ...REG_METRICS].filter((k) => present.has(k));
  return [...known, ...[...present].filter((k) => !known.includes(k))];
}

/** `select(patch)`: the user picked a sort, a model or a threshold in the model results. */
export function resultsView(ui, select) {
  const { h, t, has, fmtInt, fmtDec, fmtNum, metricLabel, modelLabel } = ui;
  const NONE = ui.none;
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const $ = (sel) => document.querySelector(sel);
  return function drawResults(state) {
    const report = state.report;
    const box = $('#results');
    if (!report) {
      box.classList.remove('previous');
      box.replaceChildren();
      return;
    }
    const models = Array.isArray(report.models) ? report.models : [];
    const keys = metricKeys(models);
    const parts = [];
    // A new run keeps these results, marked as the previous run's, until it finishes.
    box.classList.toggle('previous', !!state.reportPrevious);
    if (state.reportPrevious) {
      parts.push(h('p', { class: 'note previous-run', id: 'results-previous', role: 'status' },
        t(state.running ? 'results.previous_running' : 'results.previous_unfinished')));
    }

    const survival = isSurvivalReport(report);
    parts.push(h('h3', {}, t(survival ? 'survival.results_title' : 'results.models')));
    const target = report.target;
    const ev = report.evaluation;
    if (target?.column || ev?.method) {
      const bits = [];
      if (survival) {
        const s = report.survival || {};
        bits.push(t('survival.results_target', {
          time: s.time ?? target?.column ?? NONE(), event: s.event ?? NONE(), value: String(s.event_value ?? target?.positive ?? NONE()),
          events: fmtInt(s.events ?? target?.counts?.[1]), rows: fmtInt(s.rows ?? (target?.counts || []).reduce((a, b) => a + b, 0)),
        }));
      } else if (target?.column) {
        const counts = (target.classes || []).map((c, i) => `${c}: ${fmtInt(target.counts?.[i])}`).join(', ');
        bits.push(t('results.target', { column: target.column, positive: target.positive ?? NONE(), counts }));
      }
      if (ev?.method) {
        const method = has(`eval.${ev.method}`) ? t(`eval.${ev.method}`) : ev.method;
        bits.push(t('results.evaluation', { method, splits: fmtInt(ev.splits), seed: String(ev.seed ?? NONE()) }));
      }
      parts.push(h('p', { class: 'note', id: 'results-context' }, bits.join(' ')));
    }
    if (survival) {
      // A time-to-event report: its own views (survival-view.js); no class or numeric panels.
      const views = survivalViews(report, ui, 'h3');
      if (views) parts.push(views);
      if (report.original) parts.push(originalView(report, ui));
      models.forEach((m, i) => {
        const box = importanceView(m, ui);
        if (i) {
          box.id = `importance-view-${i}`;
          for (const f of box.querySelectorAll('[id]')) f.id = `${f.id}-${i}`;
        }
        box.querySelector('h4')?.append(` — ${modelLabel(m.kind)}`);
        parts.push(box);
      });
    }
    if (!survival) parts.push(h('div', { class: 'table-wrap' }, h('table', { id: 'results-table', class: 'data' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('results.model')),
        ...keys.map((k) => h('th', { scope: 'col', class: 'num-col', 'data-metric': k }, metricLabel(k))),
        h('th', { scope: 'col', class: 'num-col' }, t('results.fit_ms')))),
      h('tbody', {}, ...models.map((m) => h('tr', { 'data-kind': m.kind },
        h('th', { scope: 'row' }, modelLabel(m.kind)),
        ...keys.map((k) => {
          const stat = m.metrics?.[k];
          const mean = stat?.mean;
          return h('td', { class: 'num-col', 'data-metric': k, 'data-value': isNum(mean) ? String(mean) : '' },
            isNum(mean) ? `${fmtDec(mean)} ± ${fmtDec(stat.std)}` : NONE());
        }),
        h('td', { class: 'num-col' }, isNum(m.timings?.fit_ms) ? t('results.ms', { value: fmtNum(m.timings.fit_ms) }) : NONE())))))));

    const unitMetrics = keys.filter((k) => CLASS_METRICS.includes(k) || k === 'r2');
    if (!survival && models.length && unitMetrics.length) {
      parts.push(h('figure', { class: 'chart-box' },
        metricBars(models.map((m) => ({ label: modelLabel(m.kind), metrics: m.metrics || {} })),
          unitMetrics.map((k) => ({ key: k, label: metricLabel(k) })),
          { title: t('results.chart'), format: (v) => fmtDec(v, 2) }),
        h('figcaption', {}, t('results.chart'))));
    }

    const matrices = models.filter((m) => m.confusion_matrix);
    if (matrices.length) {
      parts.push(h('div', { class: 'cm-grid' }, ...matrices.map((m) => confusionMatrix(m, report.target, ui))));
    }
    const tuned = models.filter((m) => m.threshold);
    if (tuned.length) parts.push(thresholdBlock(tuned, ui));
    if (!survival) parts.push(modelResults(report, ui, state.resultsView, select));
    // Calibration with intervals, decision curves and sample size (binary targets).
    const clinical = evaluationViews(report, ui, 'h3');
    if (clinical) parts.push(clinical);
    // SHAP, partial dependence and the SHAP/permutation comparison (runs with evaluation.shap).
    const explained = explainViews(report, ui, 'h3');
    if (explained) parts.push(explained);
    parts.push(predictionsDownload(report, state.predictionsCsv, state.predictionsRows, ui));

    parts.push(h('h3', {}, t('results.privacy')));
    parts.push(privacySummary(report.privacy || {}, ui));

    const audit = Array.isArray(report.audit) ? report.audit : [];
    parts.push(h('h3', {}, t('results.audit')));
    parts.push(h('ol', { id: 'audit-list', class: 'audit' }, ...audit.map((a) => {
      const args = a.args && typeof a.args === 'object' && Object.keys(a.args).length ? JSON.stringify(a.args) : null;
      const long = args && args.length > ARGS_PREVIEW;
      return h('li', { 'data-step': a.step ?? '' },
        h('code', { class: 'op' }, String(a.op ?? a.step ?? '')),
        args && !long ? h('code', { class: 'args' }, args) : null,
        isNum(a.rows_affected) ? h('span', { class: 'pill' }, t('audit.rows', { count: fmtInt(a.rows_affected) })) : null,
        isNum(a.cells_affected) ? h('span', { class: 'pill' }, t('audit.cells', { count: fmtInt(a.cells_affected) })) : null,
        a.note ? h('span', { class: 'note' }, noteText(a)) : null,
        String(a.step ?? '').startsWith('features[') ? learnedSummary(a, t) : null,
        long ? h('details', { class: 'args-details' },
          h('summary', {}, h('code', { class: 'args' }, `${args.slice(0, ARGS_PREVIEW)}…`)),
          h('pre', { class: 'args-full' }, JSON.stringify(a.args, null, 2))) : null);
    })));

    const warnings = warningTexts(report.warnings, report.warning_codes);
    if (warnings.length) {
      parts.push(h('h3', {}, t('results.warnings')));
      parts.push(h('ul', { id: 'warnings', class: 'warnings' },
        ...warnings.map((w) => h('li', {}, w))));
    }

    const rejected = Array.isArray(report.input?.rejected_rows) ? report.input.rejected_rows : [];
    parts.push(h('h3', {}, `${t('results.rejected')} (${fmtInt(rejected.length)})`));
    const list = h('ul', { id: 'results-rejected', class: 'rejected-list' });
    renderRejected(list, rejected, ui);
    parts.push(list);

    box.replaceChildren(...parts);
  };
}

/** The operating threshold each model's rule chose inside the training splits, and the outer test
 * rows' sensitivity, specificity, PPV and NPV at it (pooled, with 95% intervals). */
function thresholdBlock(models, ui) {
  const { h, t, fmtDec, modelLabel } = ui;
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const cell = (s, key) => {
    const v = s?.pooled ?? s?.mean;
    const ci = Array.isArray(s?.ci) ? s.ci : null;
    return h('td', { class: 'num-col', 'data-metric': key, 'data-value': isNum(v) ? String(v) : '' },
      isNum(v) ? fmtDec(v) : ui.none(), ci ? h('span', { class: 'ci' }, ` (${fmtDec(ci[0])}–${fmtDec(ci[1])})`) : null);
  };
  const rule = (r) => {
    const name = r?.rule;
    const label = ui.has(`threshold.rule_${name}`) ? t(`threshold.rule_${name}`) : String(name ?? '');
    const args = Object.entries(r || {}).filter(([k]) => k !== 'rule').map(([k, v]) => `${k} ${v}`).join(', ');
    return args ? `${label} (${args})` : label;
  };
  return h('section', { id: 'operating-threshold' },
    h('h4', {}, t('threshold.title')),
    h('p', { class: 'note' }, t('threshold.note')),
    h('div', { class: 'table-wrap' }, h('table', { id: 'operating-threshold-table', class: 'data' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('results.model')),
        h('th', { scope: 'col' }, t('threshold.rule')),
        h('th', { scope: 'col', class: 'num-col' }, t('threshold.chosen')),
        ...['sensitivity', 'specificity', 'ppv', 'npv'].map((k) => h('th', { scope: 'col', class: 'num-col' }, t(`threshold.${k}`))))),
      h('tbody', {}, ...models.map((m) => {
        const c = m.threshold.chosen || {};
        const folds = (Array.isArray(c.folds) ? c.folds : []).map((v) => (isNum(v) ? fmtDec(v, 3) : ui.none())).join(', ');
        return h('tr', { 'data-kind': m.kind },
          h('th', { scope: 'row' }, modelLabel(m.kind)),
          h('td', {}, rule(m.threshold.rule)),
          h('td', { class: 'num-col', 'data-metric': 'chosen', 'data-value': isNum(c.mean) ? String(c.mean) : '', title: t('threshold.per_split', { folds }) },
            isNum(c.mean) ? `${fmtDec(c.mean, 3)} ± ${fmtDec(c.std, 3)}` : ui.none()),
          ...['sensitivity', 'specificity', 'ppv', 'npv'].map((k) => cell(m.threshold[k], k)));
      })))));
}

export function modelResultsView(ui, select) {
  return (state) => redrawModelResults(document.querySelector('#model-results'), state.report, ui, state.resultsView, select);
}
