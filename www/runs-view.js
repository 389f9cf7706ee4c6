// Runs side by side (under Results): every run finished since the page was opened, kept in
// memory only (`state.runs`, never stored), listed with what its recipe changed from the run
// before, and any two compared: the models' metrics with their 95% intervals, the privacy risk
// after the privacy steps, and the cost of privacy (the metric differences between the two runs,
// and each run's own original-versus-masked comparison when its recipe asked for it).
// "Show" makes a run's report the one the Results and Export steps show. Strings: runs.*.
import { measurement } from './officer.js';
import { lowerIsBetter } from './results.js';

const CLASS_METRICS = ['roc_auc', 'accuracy', 'precision', 'recall', 'specificity', 'f1'];
const REG_METRICS = ['r2', 'mae', 'rmse'];
const VALUE_CHARS = 80; // characters of a recipe value shown in the differences
const SUMMARY_CHANGES = 3; // differences named in the list of runs

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);

// ───────────────────────────── the recipe's differences ─────────────────────────────

/** A step's label in a path: `privacy[1] k_anonymize`. */
function stepName(area, i, step) {
  const name = step?.op ?? step?.kind ?? step?.step ?? null;
  return name ? `${area}[${i}] ${name}` : `${area}[${i}]`;
}

const STEP_LISTS = ['privacy', 'features', 'models'];

/** Every leaf of `value` as [path, leaf] (arrays by index, steps named by their op or kind). */
function leaves(value, path = [], out = new Map()) {
  if (Array.isArray(value) && value.length && path.length === 1 && STEP_LISTS.includes(path[0])) {
    value.forEach((step, i) => leaves(step, [stepName(path[0], i, step)], out));
  } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  } else {
    out.set(path.join('.'), value);
  }
  return out;
}

/**
 * What differs between recipes `a` and `b`: [{path, from, to}] (`undefined` where a side has no
 * such field), in the order of `b` then what only `a` has. Steps are compared by position.
 */
export function recipeDiff(a, b) {
  // A step only one recipe has (added, removed, or another op at that place) is one difference,
  // shown whole; the fields of a step both have are compared one by one.
  const steps = (r) => new Map(STEP_LISTS.flatMap((area) => arr(r?.[area]).map((step, i) => [stepName(area, i, step), step])));
  const sa = steps(a), sb = steps(b);
  const whole = (path) => {
    const name = [...sa.keys(), ...sb.keys()].find((k) => path === k || path.startsWith(`${k}.`));
    return name && !(sa.has(name) && sb.has(name)) ? name : null;
  };
  const la = leaves(a || {});
  const lb = leaves(b || {});
  const out = [];
  const seen = new Set();
  const add = (path, from, to) => {
    const step = whole(path);
    if (step) {
      if (!seen.has(step)) out.push({ path: step, from: sa.get(step), to: sb.get(step) });
      seen.add(step);
    } else if (JSON.stringify(from) !== JSON.stringify(to)) {
      out.push({ path, from, to });
    }
  };
  for (const [path, to] of lb) add(path, la.get(path), to);
  for (const [path, from] of la) if (!lb.has(path)) add(path, from, undefined);
  return out;
}

function valueText(v, ui) {
  if (v === undefined) return ui.t('runs.absent');
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}

// ───────────────────────────── what a run measured ─────────────────────────────

const stat = (m, key) => m?.metrics?.[key];
const central = (s) => (isNum(s?.pooled) ? s.pooled : isNum(s?.mean) ? s.mean : null);

function metricKeys(reports) {
  const present = new Set(reports.flatMap((r) => arr(r?.models).flatMap((m) => Object.keys(m?.metrics || {}))));
  return [...CLASS_METRICS, ...REG_METRICS].filter((k) => present.has(k));
}

/** The best model of a run: highest ROC AUC (classification) or R² (regression). */
function best(report) {
  const task = report?.target?.task;
  const key = task === 'regression' ? 'r2' : task === 'survival' ? 'c_index' : 'roc_auc';
  let out = null;
  for (const m of arr(report?.models)) {
    const v = central(stat(m, key));
    if (isNum(v) && (!out || v > out.value)) out = { kind: m.kind, key, value: v, ci: stat(m, key)?.ci };
  }
  return out;
}

const sameFile = (run, state) => !!state.profile && run.file === state.file?.name
  && run.report?.input?.rows === state.profile?.input?.rows;

// ───────────────────────────── the view ─────────────────────────────

/** `intents`: {showRun(n), compareRuns({a, b})}. Draws `state.runs` into #runs. */
export function runsView(ui, intents) {
  const { h, t, fmtInt, fmtDec } = ui;
  const NONE = ui.none;
  const withCi = (s) => {
    const v = central(s);
    if (!isNum(v)) return NONE();
    const ci = arr(s?.ci);
    return ci.length === 2 && isNum(ci[0]) && isNum(ci[1]) ? t('runs.value_ci', { value: fmtDec(v), low: fmtDec(ci[0]), high: fmtDec(ci[1]) }) : fmtDec(v);
  };
  const runLabel = (run) => t('runs.run_n', { n: fmtInt(run.n) });
  const time = (ms) => new Intl.DateTimeFormat(ui.lang, { timeStyle: 'medium' }).format(new Date(ms));

  function changesText(run, before) {
    if (!before) return t('runs.first');
    const diff = recipeDiff(before.recipe, run.recipe);
    if (!diff.length) return t('runs.same_recipe', { run: runLabel(before) });
    const named = diff.slice(0, SUMMARY_CHANGES).map((d) => d.path).join(t('flow.list_sep'));
    const more = diff.length > SUMMARY_CHANGES ? t('runs.more', { count: fmtInt(diff.length - SUMMARY_CHANGES) }) : '';
    return `${t('runs.changed', { count: fmtInt(diff.length), run: runLabel(before) })} ${named}${more}`;
  }

  function list(state) {
    const runs = arr(state.runs);
    return h('div', { class: 'table-wrap' }, h('table', { id: 'runs-table', class: 'data wrap' },
      h('caption', { class: 'visually-hidden' }, t('runs.title')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('runs.col.run')),
        h('th', { scope: 'col' }, t('runs.col.file')),
        h('th', { scope: 'col' }, t('runs.col.best')),
        h('th', { scope: 'col', class: 'num-col' }, t('runs.col.k')),
        h('th', { scope: 'col' }, t('runs.col.changes')),
        h('th', { scope: 'col' }, t('runs.col.show')))),
      h('tbody', {}, ...runs.map((run, i) => {
        const b = best(run.report);
        const shown = state.report === run.report;
        const m = measurement(run.report?.privacy);
        return h('tr', { 'data-run': String(run.n), 'data-shown': String(shown) },
          h('th', { scope: 'row' }, runLabel(run), h('span', { class: 'muted run-time' }, ` ${time(run.at)}`)),
          h('td', {}, run.file ?? NONE()),
          h('td', {}, b ? `${ui.modelLabel(b.kind)} · ${ui.metricLabel(b.key)} ${withCi(stat(arr(run.report.models).find((x) => x.kind === b.kind), b.key))}` : NONE()),
          h('td', { class: 'num-col' }, fmtInt(m?.after?.k_anonymity)),
          h('td', { class: 'run-changes' }, changesText(run, runs[i - 1])),
          h('td', {}, shown
            ? h('span', { class: 'pill' }, t('runs.shown'))
            : h('button', {
              type: 'button', class: 'button small', 'data-show-run': String(run.n), disabled: !sameFile(run, state) || state.running,
              title: sameFile(run, state) ? null : t('runs.other_file'), onclick: () => intents.showRun(run.n),
            }, t('runs.show'))));
      }))));
  }

  function picker(state, which, chosen) {
    const id = `runs-compare-${which}`;
    return h('label', { class: 'inline', for: id }, t(`runs.compare_${which}`),
      h('select', { id, onchange: (e) => intents.compareRuns({ [which]: Number(e.target.value) }) },
        ...arr(state.runs).map((run) => h('option', { value: String(run.n), selected: run.n === chosen }, runLabel(run)))));
  }

  function diffTable(a, b) {
    const diff = recipeDiff(a.recipe, b.recipe);
    if (!diff.length) return h('p', { id: 'runs-recipe-diff', class: 'note', 'data-changes': '0' }, t('runs.no_differences'));
    return h('div', { class: 'table-wrap' }, h('table', { id: 'runs-recipe-diff', class: 'data wrap', 'data-changes': String(diff.length) },
      h('caption', {}, t('runs.recipe_diff', { a: runLabel(a), b: runLabel(b) })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('runs.col.field')),
        h('th', { scope: 'col' }, runLabel(a)),
        h('th', { scope: 'col' }, runLabel(b)))),
      h('tbody', {}, ...diff.map((d) => h('tr', { 'data-path': d.path },
        h('th', { scope: 'row' }, h('code', {}, d.path)),
        h('td', { class: d.from === undefined ? 'muted' : null }, h('code', {}, valueText(d.from, ui))),
        h('td', { class: d.to === undefined ? 'muted' : null }, h('code', {}, valueText(d.to, ui))))))));
  }

  function metricsTable(a, b) {
    const keys = metricKeys([a.report, b.report]);
    const kinds = [...new Set([...arr(a.report?.models), ...arr(b.report?.models)].map((m) => m.kind))];
    const model = (run, kind) => arr(run.report?.models).find((m) => m.kind === kind);
    const rows = [];
    for (const kind of kinds) {
      for (const key of keys) {
        const sa = stat(model(a, kind), key), sb = stat(model(b, kind), key);
        if (!sa && !sb) continue;
        const va = central(sa), vb = central(sb);
        const d = isNum(va) && isNum(vb) ? vb - va : null;
        const worse = isNum(d) && Math.abs(d) > 1e-12 && (lowerIsBetter(key) ? d > 0 : d < 0);
        rows.push(h('tr', { 'data-kind': kind, 'data-metric': key },
          h('th', { scope: 'row' }, ui.modelLabel(kind)),
          h('td', {}, ui.metricLabel(key)),
          h('td', { class: 'num-col', 'data-run': 'a', 'data-value': isNum(va) ? String(va) : '' }, withCi(sa)),
          h('td', { class: 'num-col', 'data-run': 'b', 'data-value': isNum(vb) ? String(vb) : '' }, withCi(sb)),
          h('td', { class: `num-col${worse ? ' cost-worse' : ''}`, 'data-col': 'difference', 'data-value': isNum(d) ? String(d) : '' },
            isNum(d) ? `${d > 0 ? '+' : ''}${fmtDec(d)}` : NONE(), worse ? ` ${t('runs.worse_mark')}` : '')));
      }
    }
    return h('div', { class: 'table-wrap' }, h('table', { id: 'runs-metrics', class: 'data' },
      h('caption', {}, t('runs.metrics')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('results.model')),
        h('th', { scope: 'col' }, t('runs.col.metric')),
        h('th', { scope: 'col', class: 'num-col' }, runLabel(a)),
        h('th', { scope: 'col', class: 'num-col' }, runLabel(b)),
        h('th', { scope: 'col', class: 'num-col' }, t('runs.col.difference', { a: runLabel(a), b: runLabel(b) })))),
      h('tbody', {}, ...rows)));
  }

  function riskTable(a, b) {
    const ma = measurement(a.report?.privacy), mb = measurement(b.report?.privacy);
    const rows = [
      ['k', 'privacy.k_anonymity', (m) => fmtInt(m?.after?.k_anonymity)],
      ['l', 'privacy.l_diversity', (m) => fmtInt(m?.after?.l_diversity)],
      ['records_at_risk', 'privacy.records_at_risk', (m) => (isNum(m?.risk?.records_at_risk) ? fmtInt(m.risk.records_at_risk) : NONE())],
      ['prosecutor_max', 'privacy.prosecutor_max', (m) => ui.fmtPct(m?.risk?.prosecutor_max)],
      ['prosecutor_avg', 'privacy.prosecutor_avg', (m) => ui.fmtPct(m?.risk?.prosecutor_avg, 2)],
      ['suppressed', 'privacy.suppressed_rows', (m) => fmtInt(m?.suppressed)],
      ['above', 'runs.above', (m) => (m?.above == null ? NONE() : t(m.above ? 'runs.yes' : 'runs.no'))],
    ];
    return h('div', { class: 'table-wrap narrow' }, h('table', { id: 'runs-risk', class: 'data' },
      h('caption', {}, t('runs.risk')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('privacy.measure')),
        h('th', { scope: 'col', class: 'num-col' }, runLabel(a)),
        h('th', { scope: 'col', class: 'num-col' }, runLabel(b)))),
      h('tbody', {}, ...rows.map(([id, key, show]) => h('tr', { 'data-field': id },
        h('th', { scope: 'row' }, t(key)),
        h('td', { class: 'num-col', 'data-run': 'a' }, show(ma)),
        h('td', { class: 'num-col', 'data-run': 'b' }, show(mb)))))));
  }

  function costTable(a, b) {
    const parts = [h('p', { class: 'note' }, t('runs.cost_note', { a: runLabel(a), b: runLabel(b) }))];
    const rows = [];
    for (const run of [a, b]) {
      const o = run.report?.original;
      if (!o?.evaluated) continue;
      for (const c of arr(o.cost)) {
        rows.push(h('tr', { 'data-run': String(run.n), 'data-kind': c.kind, 'data-metric': c.metric },
          h('th', { scope: 'row' }, runLabel(run)),
          h('td', {}, ui.modelLabel(c.kind)),
          h('td', {}, ui.metricLabel(c.metric)),
          h('td', { class: 'num-col' }, fmtDec(c.original)),
          h('td', { class: 'num-col' }, fmtDec(c.masked)),
          h('td', { class: 'num-col' }, isNum(c.difference) ? `${c.difference > 0 ? '+' : ''}${fmtDec(c.difference)}` : NONE())));
      }
    }
    if (rows.length) {
      parts.push(h('div', { class: 'table-wrap' }, h('table', { id: 'runs-cost', class: 'data' },
        h('caption', {}, t('runs.cost_original')),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('runs.col.run')),
          h('th', { scope: 'col' }, t('results.model')),
          h('th', { scope: 'col' }, t('runs.col.metric')),
          h('th', { scope: 'col', class: 'num-col' }, t('models.original_original')),
          h('th', { scope: 'col', class: 'num-col' }, t('models.original_masked')),
          h('th', { scope: 'col', class: 'num-col' }, t('models.original_difference')))),
        h('tbody', {}, ...rows))));
    } else {
      parts.push(h('p', { id: 'runs-cost-none', class: 'note' }, t('runs.cost_none')));
    }
    return parts;
  }

  return function drawRuns(state) {
    const box = document.querySelector('#runs');
    if (!box) return;
    const runs = arr(state.runs);
    if (!runs.length) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const parts = [
      h('h3', { id: 'runs-h' }, t('runs.title_count', { count: fmtInt(runs.length) })),
      h('p', { class: 'note' }, t('runs.intro')),
      list(state),
    ];
    if (runs.length >= 2) {
      const pick = (n, fallback) => runs.find((r) => r.n === n) ?? fallback;
      const a = pick(state.runsCompare?.a, runs[runs.length - 2]);
      const b = pick(state.runsCompare?.b, runs[runs.length - 1]);
      parts.push(h('div', { id: 'runs-compare', 'data-a': String(a.n), 'data-b': String(b.n) },
        h('h4', {}, t('runs.compare_title')),
        h('div', { class: 'threshold-controls' }, picker(state, 'a', a.n), picker(state, 'b', b.n)),
        diffTable(a, b),
        metricsTable(a, b),
        riskTable(a, b),
        h('h4', {}, t('runs.cost')),
        ...costTable(a, b)));
    }
    box.replaceChildren(...parts);
  };
}
