// Bedside page: UI state and views on the main thread. All computation (and the wasm module) lives
// in worker.js; this file only talks to it through the bridge (bridge.js). All UI strings are in i18n/.
import { metricBars } from './charts.js';
import { CancelledError, WorkerPool } from './bridge.js';
import { h } from './dom.js';
import { learnedSummary, renderFeatures } from './features.js';
import { modelResults } from './results.js';
import { initApply } from './apply.js';
import { initProtect, previewData, renderProtect, resetProtect } from './protect.js';
import { initFlow, markExported, renderFlow, resetFlow, setCurrent } from './stepbar.js';
import { RecipeHistory, describeChange } from './history.js';
import { renderRecipeSteps } from './recipe-view.js';
import { confusionMatrix, modelReport, privacyReport, privacySummary, reportHtml, showReport } from './reports.js';

// The single-file build (dist/bedside.html) sets BEDSIDE_EMBED: the worker as a blob: URL, the
// strings and the demo data inlined, so that the page works opened from disk with no requests.
const EMBED = globalThis.BEDSIDE_EMBED || null;
const bridgeHooks = {
  onResources: (count) => onWorkerResources(count),
  workerError: (detail) => t('error.worker', { error: detail || t('error.unknown') }),
};
// A pool of workers, one per core up to 4 (`#workers=N` in the address overrides, for
// benchmarks); ordinary calls go to the first, a run is split across all.
const POOL_SIZE = Math.min(8, Number(new URLSearchParams(location.hash.slice(1)).get('workers')) || 0)
  || Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));
let applyView = null; // the "Apply a model to new records" panel (apply.js)
const bridge = EMBED
  ? new WorkerPool(EMBED.workerUrl, 'classic', bridgeHooks, { size: POOL_SIZE })
  : new WorkerPool(new URL('./worker.js', import.meta.url), 'module', bridgeHooks, {
    size: POOL_SIZE,
    wasmUrl: new URL('./pkg/bedside_bg.wasm', import.meta.url),
  });

// ───────────────────────────── i18n ─────────────────────────────

const LANGS = ['en', 'zh'];
const stringsCache = new Map();
let strings = {};
let fallback = {};

// Strings live in i18n/LANG.json plus one file per area (i18n/LANG.AREA.json), merged in order.
const STRING_PARTS = ['', '.privacy', '.features', '.models', '.app'];

async function loadStrings(lang) {
  if (EMBED) return EMBED.strings[lang];
  if (!stringsCache.has(lang)) {
    const merged = {};
    for (const part of STRING_PARTS) {
      const res = await fetch(`./i18n/${lang}${part}.json`);
      if (!res.ok) throw new Error(`i18n/${lang}${part}.json: HTTP ${res.status}`);
      Object.assign(merged, await res.json());
    }
    stringsCache.set(lang, merged);
  }
  return stringsCache.get(lang);
}

function has(key) {
  return key in strings || key in fallback;
}

/** Translate `key`, substituting `{name}` placeholders (values are used as given). */
function t(key, params = {}) {
  const template = strings[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

function locale() {
  return strings['meta.locale'] || 'en';
}

const formatters = new Map();
function formatter(opts) {
  const key = locale() + JSON.stringify(opts);
  if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat(locale(), opts));
  return formatters.get(key);
}
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const NONE = () => t('results.none');
const fmtInt = (v) => (isNum(v) ? formatter({ maximumFractionDigits: 0 }).format(v) : NONE());
const fmtDec = (v, digits = 3) =>
  isNum(v) ? formatter({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v) : NONE();
const fmtNum = (v) => (isNum(v) ? formatter({ maximumFractionDigits: 2 }).format(v) : NONE());
const fmtPct = (v, digits = 1) =>
  isNum(v) ? formatter({ style: 'percent', maximumFractionDigits: digits }).format(v) : NONE();
const fmtSeconds = (ms) => (isNum(ms) ? formatter({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000) : NONE());
const fmtDate = (d) => new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeStyle: 'short' }).format(d);

/** The helpers every view module receives (one place, in the current language). */
const ui = {
  h, t, has, fmtInt, fmtDec, fmtNum, fmtPct, fmtDate, fmtSeconds,
  list: (items) => items.join(t('flow.list_sep')),
  modelLabel: (kind) => modelLabel(kind),
  metricLabel: (key) => metricLabel(key),
  get lang() { return locale(); },
};

// ───────────────────────────── state ─────────────────────────────

const ROLES = ['identifier', 'quasi', 'sensitive', 'target', 'feature', 'text', 'ignore'];
const ID_ACTIONS = ['drop', 'pseudonymize'];
const MODEL_KINDS = ['logistic_regression', 'decision_tree', 'random_forest', 'gradient_boosting', 'svm', 'naive_bayes', 'knn', 'mlp'];
const CLASS_METRICS = ['accuracy', 'precision', 'recall', 'specificity', 'f1', 'roc_auc'];
const REG_METRICS = ['mae', 'rmse', 'r2'];
const ARGS_PREVIEW = 120; // characters of an audit entry's arguments shown before "more"

const state = {
  lang: 'en',
  file: null, // {name}
  profile: null,
  recipe: null,
  recipeInvalid: false,
  report: null,
  maskedCsv: null,
  running: false,
  loading: false,
  version: null,
  status: { load: null, run: null, upload: null },
};

const $ = (sel) => document.querySelector(sel);
const history = new RecipeHistory();

// ───────────────────────────── status lines ─────────────────────────────

/** A status is a thunk so it re-renders in the current language. */
function setStatus(which, render, kind = 'info') {
  state.status[which] = render ? { render, kind } : null;
  renderStatus(which);
}

function renderStatus(which) {
  const el = { load: $('#load-status'), run: $('#run-status'), upload: $('#upload-status') }[which];
  const status = state.status[which];
  el.textContent = status ? status.render() : '';
  el.dataset.state = status ? status.kind : 'idle';
  el.classList.toggle('error', !!status && status.kind === 'error');
}

function errorText(err) {
  if (err && typeof err.message === 'string' && err.message) return err.message;
  return t('error.unknown');
}

// ───────────────────────────── recipe helpers ─────────────────────────────

function roleOf(name) {
  const r = state.recipe;
  if (!r) return 'feature';
  const role = r.columns && typeof r.columns === 'object' ? r.columns[name] : undefined;
  if (role) return role;
  return r.target === name ? 'target' : 'feature';
}

function identifierAction(name) {
  const ops = Array.isArray(state.recipe?.privacy) ? state.recipe.privacy : [];
  for (const op of ops) {
    if (ID_ACTIONS.includes(op?.op) && Array.isArray(op.columns) && op.columns.includes(name)) return op.op;
  }
  return 'drop';
}

/** Put `name` in the drop or pseudonymize op (or in neither when action is null). */
function setIdentifierAction(name, action) {
  const r = state.recipe;
  if (!Array.isArray(r.privacy)) r.privacy = [];
  for (const op of r.privacy) {
    if (ID_ACTIONS.includes(op?.op) && Array.isArray(op.columns)) op.columns = op.columns.filter((c) => c !== name);
  }
  if (action) {
    let op = r.privacy.find((o) => o?.op === action && Array.isArray(o.columns));
    if (!op) {
      op = { op: action, columns: [] };
      // drop first, then pseudonymize, then everything else (generalize, k_anonymize, ...)
      const lastDrop = r.privacy.findLastIndex((o) => o?.op === 'drop');
      r.privacy.splice(action === 'drop' ? 0 : lastDrop + 1, 0, op);
    }
    op.columns.push(name);
  }
  r.privacy = r.privacy.filter((o) => !(ID_ACTIONS.includes(o?.op) && Array.isArray(o.columns) && o.columns.length === 0));
}

function setTarget(name) {
  const r = state.recipe;
  if (!r.columns || typeof r.columns !== 'object') r.columns = {};
  const old = r.target;
  if (old && old !== name && r.columns[old] === 'target') r.columns[old] = 'feature';
  if (name) {
    if (r.columns[name] === 'identifier') setIdentifierAction(name, null);
    r.columns[name] = 'target';
  }
  r.target = name || null;
}

function setRole(name, role) {
  const r = state.recipe;
  if (!r.columns || typeof r.columns !== 'object') r.columns = {};
  const previous = roleOf(name);
  if (role === 'target') {
    setTarget(name);
    return;
  }
  if (previous === 'identifier' && role !== 'identifier') setIdentifierAction(name, null);
  if (previous !== 'identifier' && role === 'identifier') setIdentifierAction(name, 'drop');
  if (r.target === name) r.target = null;
  r.columns[name] = role;
}

// ───────────────────────────── views: profile ─────────────────────────────

function profileColumns() {
  return Array.isArray(state.profile?.columns) ? state.profile.columns : [];
}

function fmtStat(value) {
  if (value == null) return NONE();
  if (isNum(value)) return fmtNum(value);
  return String(value);
}

function renderProfile() {
  const profile = state.profile;
  if (!profile) return;
  const input = profile.input || {};
  const rejected = Array.isArray(input.rejected_rows) ? input.rejected_rows : [];
  const rows = input.rows ?? 0;
  const summary = $('#profile-summary');
  summary.textContent = t('profile.summary', {
    name: state.file?.name ?? '',
    rows: fmtInt(rows),
    columns: fmtInt(input.columns ?? profileColumns().length),
    rejected: fmtInt(rejected.length),
  });
  summary.dataset.rows = String(rows);
  summary.dataset.columns = String(input.columns ?? profileColumns().length);
  summary.dataset.rejected = String(rejected.length);

  const active = document.activeElement?.id;
  const tbody = $('#profile-table tbody');
  tbody.replaceChildren(
    ...profileColumns().map((col, i) => {
      const role = roleOf(col.name);
      const missingFraction = isNum(col.missing) && rows > 0 ? col.missing / rows
        : isNum(col.missing_pct) ? col.missing_pct / 100 : null;
      const roleSelect = h('select', {
        id: `role-${i}`,
        'aria-label': t('profile.role_for', { name: col.name }),
        onchange: (e) => { setRole(col.name, e.target.value); recipeChanged(); },
      }, ...ROLES.map((r) => h('option', { value: r, selected: r === role }, t(`role.${r}`))));
      if (!ROLES.includes(role)) roleSelect.append(h('option', { value: role, selected: true }, role));
      const actionCell = role === 'identifier'
        ? h('select', {
          id: `action-${i}`,
          'aria-label': t('profile.action_for', { name: col.name }),
          onchange: (e) => { setIdentifierAction(col.name, e.target.value); recipeChanged(); },
        }, ...ID_ACTIONS.map((a) => h('option', { value: a, selected: a === identifierAction(col.name) }, t(`action.${a}`))))
        : h('span', { class: 'muted', 'aria-hidden': 'true' }, NONE());
      return h('tr', { 'data-column': col.name, 'data-role': role },
        h('th', { scope: 'row' }, col.name),
        h('td', {}, h('span', { class: `type type-${col.type}` }, has(`type.${col.type}`) ? t(`type.${col.type}`) : String(col.type ?? ''))),
        h('td', { class: 'num-col' }, fmtPct(missingFraction)),
        h('td', { class: 'num-col' }, fmtInt(col.distinct)),
        h('td', { class: 'num-col' }, fmtStat(col.min)),
        h('td', { class: 'num-col' }, fmtStat(col.max)),
        h('td', { class: 'num-col' }, fmtStat(col.mean)),
        h('td', {}, roleSelect),
        h('td', {}, actionCell));
    }),
  );
  if (active && document.getElementById(active) && /^(role|action)-/.test(active)) document.getElementById(active).focus();

  const target = $('#target-select');
  target.replaceChildren(
    h('option', { value: '' }, t('profile.target_none')),
    ...profileColumns().map((col) => h('option', { value: col.name, selected: col.name === state.recipe?.target }, col.name)),
  );
  if (!state.recipe?.target) target.value = '';

  renderRejected($('#rejected-list'), rejected);
  $('#rejected-summary').textContent = t('profile.rejected', { count: fmtInt(rejected.length) });
  $('#rejected').open = rejected.length > 0 && rejected.length <= 50;
}

function renderRejected(list, rejected) {
  if (!rejected.length) {
    list.replaceChildren(h('li', { class: 'muted' }, t('profile.rejected_none')));
    return;
  }
  list.replaceChildren(...rejected.map((r) => h('li', { 'data-line': r.line },
    t('profile.rejected_row', { line: r.line ?? NONE(), reason: r.reason ?? '' }))));
}

// ───────────────────────────── views: options + recipe JSON ─────────────────────────────

function renderOptions() {
  const r = state.recipe || {};
  const kinds = new Set((Array.isArray(r.models) ? r.models : []).map((m) => m?.kind));
  for (const kind of MODEL_KINDS) $(`#model-${kind}`).checked = kinds.has(kind);
  const ev = r.evaluation || {};
  $('#eval-stratified_kfold').checked = ev.method === 'stratified_kfold';
  $('#eval-holdout').checked = ev.method === 'holdout';
  if (ev.method === 'stratified_kfold' && isNum(ev.folds)) $('#eval-folds').value = ev.folds;
  if (ev.method === 'holdout' && isNum(ev.test_fraction)) $('#eval-test-fraction').value = ev.test_fraction;
  if (isNum(r.seed)) $('#seed').value = r.seed;
  renderFeatures({ recipe: state.recipe, columns: profileColumns(), t, onChange: recipeChanged });
}

function renderRecipeText() {
  $('#recipe-json').value = state.recipe ? JSON.stringify(state.recipe, null, 2) : '';
  state.recipeInvalid = false;
  $('#recipe-error').textContent = '';
}

/** The controls changed the recipe: refresh every view of it and record the edit for undo. */
function recipeChanged(change = null) {
  renderProfile();
  renderOptions();
  renderRecipeText();
  renderProtect();
  recordChange(change);
}

// ───────────────────────────── undo / redo ─────────────────────────────

/** Record the current recipe as an edit (`change` {key, params}; by default what differs). */
function recordChange(change = null, group = null) {
  if (state.recipe && typeof state.recipe === 'object') {
    const before = history.current ? JSON.parse(history.current) : null;
    history.record(state.recipe, change || describeChange(before, state.recipe), group);
  }
  renderHistory();
  renderRecipeView();
  renderFlow();
}

function changeText(change) {
  if (!change) return '';
  const params = { ...change.params };
  if (params.role && has(`role.${params.role}`)) params.role = t(`role.${params.role}`);
  return t(change.key, params);
}

function renderHistory() {
  const undo = history.nextUndo();
  const redo = history.nextRedo();
  const u = $('#undo'), r = $('#redo');
  u.textContent = undo ? t('history.undo_what', { what: changeText(undo) }) : t('history.undo');
  r.textContent = redo ? t('history.redo_what', { what: changeText(redo) }) : t('history.redo');
  u.disabled = !undo || state.running;
  r.disabled = !redo || state.running;
  u.dataset.what = undo ? changeText(undo) : '';
  r.dataset.what = redo ? changeText(redo) : '';
}

/** Undo (or redo) the last recipe edit: restore the recipe and re-render every view of it. */
function moveInHistory(direction) {
  if (state.running || !state.profile) return;
  const change = direction === 'undo' ? history.nextUndo() : history.nextRedo();
  const recipe = direction === 'undo' ? history.undo() : history.redo();
  if (!recipe) return;
  state.recipe = recipe;
  state.recipeInvalid = false;
  renderProfile();
  renderOptions();
  renderRecipeText();
  renderProtect();
  renderHistory();
  renderRecipeView();
  renderFlow();
  $('#flow-status').textContent = t(direction === 'undo' ? 'history.undone' : 'history.redone', { what: changeText(change) });
}

/** Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl+Y redo, unless a text field has the focus (it has its own undo). */
function onShortcut(e) {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
  const key = e.key.toLowerCase();
  if (key !== 'z' && key !== 'y') return;
  const el = e.target;
  const textual = el instanceof HTMLTextAreaElement || el?.isContentEditable
    || (el instanceof HTMLInputElement && !['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'file', 'color'].includes(el.type));
  if (textual) return;
  e.preventDefault();
  moveInHistory(key === 'y' || e.shiftKey ? 'redo' : 'undo');
}

function renderRecipeView() {
  renderRecipeSteps($('#recipe-steps'), state.recipe, ui);
}

function onModelsChanged() {
  const r = state.recipe;
  const existing = Array.isArray(r.models) ? r.models : [];
  const chosen = MODEL_KINDS.filter((k) => $(`#model-${k}`).checked)
    .map((k) => existing.find((m) => m?.kind === k) || { kind: k });
  const others = existing.filter((m) => !MODEL_KINDS.includes(m?.kind));
  r.models = [...chosen, ...others];
  renderRecipeText();
  recordChange();
}

function onEvaluationChanged(method) {
  const r = state.recipe;
  if (method === 'stratified_kfold') {
    const folds = Math.max(2, Math.round(Number($('#eval-folds').value) || 5));
    r.evaluation = { method, folds };
    $('#eval-stratified_kfold').checked = true;
  } else if (method === 'holdout') {
    const f = Number($('#eval-test-fraction').value);
    r.evaluation = { method, test_fraction: f > 0 && f < 1 ? f : 0.25 };
    $('#eval-holdout').checked = true;
  }
  renderRecipeText();
  recordChange();
}

function onRecipeTyped() {
  const text = $('#recipe-json').value;
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    state.recipeInvalid = true;
    $('#recipe-error').textContent = t('options.recipe_error', { error: e.message });
    renderFlow();
    return;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    state.recipeInvalid = true;
    $('#recipe-error').textContent = t('options.recipe_not_object');
    renderFlow();
    return;
  }
  state.recipeInvalid = false;
  $('#recipe-error').textContent = '';
  state.recipe = parsed;
  renderProfile();
  renderOptions();
  renderProtect();
  recordChange({ key: 'history.typed', params: {} }, 'typed');
}

// ───────────────────────────── views: results ─────────────────────────────

function metricKeys(models) {
  const present = new Set(models.flatMap((m) => Object.keys(m?.metrics || {})));
  const known = [...CLASS_METRICS, ...REG_METRICS].filter((k) => present.has(k));
  return [...known, ...[...present].filter((k) => !known.includes(k))];
}

function metricLabel(key) {
  return has(`metric.${key}`) ? t(`metric.${key}`) : key;
}

function modelLabel(kind) {
  return has(`model.${kind}`) ? t(`model.${kind}`) : String(kind);
}

function renderResults() {
  applyView?.render();
  const report = state.report;
  const box = $('#results');
  if (!report) {
    box.replaceChildren();
    return;
  }
  const models = Array.isArray(report.models) ? report.models : [];
  const keys = metricKeys(models);
  const parts = [];

  parts.push(h('h3', {}, t('results.models')));
  const target = report.target;
  const ev = report.evaluation;
  if (target?.column || ev?.method) {
    const bits = [];
    if (target?.column) {
      const counts = (target.classes || []).map((c, i) => `${c}: ${fmtInt(target.counts?.[i])}`).join(', ');
      bits.push(t('results.target', { column: target.column, positive: target.positive ?? NONE(), counts }));
    }
    if (ev?.method) {
      const method = has(`eval.${ev.method}`) ? t(`eval.${ev.method}`) : ev.method;
      bits.push(t('results.evaluation', { method, splits: fmtInt(ev.splits), seed: String(ev.seed ?? NONE()) }));
    }
    parts.push(h('p', { class: 'note', id: 'results-context' }, bits.join(' ')));
  }
  parts.push(h('div', { class: 'table-wrap' }, h('table', { id: 'results-table', class: 'data' },
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
  if (models.length && unitMetrics.length) {
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
  parts.push(modelResults(report, ui));

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
      a.note ? h('span', { class: 'note' }, String(a.note)) : null,
      String(a.step ?? '').startsWith('features[') ? learnedSummary(a, t) : null,
      long ? h('details', { class: 'args-details' },
        h('summary', {}, h('code', { class: 'args' }, `${args.slice(0, ARGS_PREVIEW)}…`)),
        h('pre', { class: 'args-full' }, JSON.stringify(a.args, null, 2))) : null);
  })));

  const warnings = Array.isArray(report.warnings) ? report.warnings : [];
  if (warnings.length) {
    parts.push(h('h3', {}, t('results.warnings')));
    parts.push(h('ul', { id: 'warnings', class: 'warnings' },
      ...warnings.map((w) => h('li', {}, typeof w === 'string' ? w : (w?.message ?? JSON.stringify(w))))));
  }

  const rejected = Array.isArray(report.input?.rejected_rows) ? report.input.rejected_rows : [];
  parts.push(h('h3', {}, `${t('results.rejected')} (${fmtInt(rejected.length)})`));
  const list = h('ul', { id: 'results-rejected', class: 'rejected-list' });
  renderRejected(list, rejected);
  parts.push(list);

  box.replaceChildren(...parts);
}

// ───────────────────────────── actions ─────────────────────────────

function showSections() {
  const loaded = !!state.profile;
  for (const id of ['#profile-section', '#features-section', '#train-section', '#export-section', '#recipe-section']) $(id).hidden = !loaded;
  $('#results-section').hidden = !state.report;
  $('#download-csv').disabled = !state.report || state.maskedCsv == null;
  $('#download-report').disabled = !state.report;
  for (const id of ['#download-privacy-report', '#open-privacy-report']) $(id).disabled = !state.report;
  for (const id of ['#download-model-report', '#open-model-report']) $(id).disabled = !state.report?.models?.length;
  $('#download-recipe').disabled = !state.recipe;
  $('#export-note').hidden = !!state.report;
  renderFlow();
}

function updateRunButtons() {
  renderHistory();
  $('#run').disabled = state.running || state.loading || !state.profile;
  $('#cancel').disabled = !state.running;
  $('#load-demo').disabled = state.loading;
  $('#file-input').disabled = state.loading;
}

function clearResults() {
  state.report = null;
  state.maskedCsv = null;
  renderResults();
  showSections();
}

/** `data`: a File (read by the worker in pieces) or the bytes of a file. */
async function loadData(data, name) {
  if (state.running) bridge.cancel();
  state.loading = true;
  state.file = { name };
  state.profile = null;
  state.recipe = null;
  resetProtect();
  resetFlow();
  history.reset(null);
  clearResults();
  setStatus('run', null);
  setStatus('upload', null);
  updateRunButtons();
  setStatus('load', () => t('load.loading', { name }), 'busy');
  try {
    await bridge.load(data, name, (p) => {
      if (p?.stage === 'read' && p.total > 0) {
        const pct = formatter({ style: 'percent', maximumFractionDigits: 0 }).format(p.done / p.total);
        setStatus('load', () => `${t('load.loading', { name })} ${pct}`, 'busy');
      }
    });
    const profile = await bridge.call('profile');
    const suggested = profileColumnsOf(profile).find((c) => c.suggested_role === 'target');
    const recipe = await bridge.call('suggest', { target: suggested ? suggested.name : null });
    state.profile = profile;
    state.recipe = recipe && typeof recipe === 'object' ? recipe : {};
    history.reset(state.recipe);
    setStatus('load', () => t('load.loaded', { name }), 'ok');
    const linked = recipeFromAddress();
    if (linked) {
      state.recipe = linked;
      history.record(linked, { key: 'history.shared', params: {} });
      setStatus('load', () => `${t('load.loaded', { name })} ${t('share.applied')}`, 'ok');
    }
    setCurrent('profile');
    if (state.version == null) {
      bridge.call('version').then((v) => { state.version = v; renderVersion(); }, () => {});
    }
  } catch (err) {
    state.file = null;
    if (!(err instanceof CancelledError)) setStatus('load', () => t('load.error', { name, error: errorText(err) }), 'error');
  } finally {
    state.loading = false;
    renderAll();
  }
}

function profileColumnsOf(profile) {
  return Array.isArray(profile?.columns) ? profile.columns : [];
}

// The core holds the whole table in wasm memory (at most 4 GiB, and a parsed table takes several
// times the file's size), so larger files are refused before they can take the tab down.
const MAX_FILE_BYTES = 512 * 1024 * 1024;

async function loadFile(file) {
  if (!file) return;
  if (file.size > MAX_FILE_BYTES) {
    const mb = (n) => formatter({ maximumFractionDigits: 0 }).format(n / (1024 * 1024));
    setStatus('load', () => t('load.too_large', { name: file.name, size: mb(file.size), max: mb(MAX_FILE_BYTES) }), 'error');
    return;
  }
  try {
    await loadData(file, file.name); // the worker reads the file itself, in pieces
  } catch (err) {
    setStatus('load', () => t('load.error', { name: file.name, error: errorText(err) }), 'error');
  }
}

async function loadDemo() {
  try {
    let bytes;
    if (EMBED) {
      bytes = new TextEncoder().encode(EMBED.demo);
    } else {
      const res = await fetch('./demo/patients.csv');
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    }
    await loadData(bytes, 'patients.csv');
  } catch (err) {
    setStatus('load', () => t('load.fetch_error', { error: errorText(err) }), 'error');
  }
}

function onProgress(p) {
  const progress = $('#progress');
  progress.dataset.stage = p?.stage ?? '';
  const total = isNum(p?.total) && p.total > 0 ? p.total : null;
  const done = isNum(p?.done) ? p.done : 0;
  if (total) {
    progress.max = total;
    progress.value = Math.min(done, total);
  }
  // A pool of workers may report an estimate of the time left (and how many workers run).
  const eta = $('#run-eta');
  eta.textContent = isNum(p?.eta_ms) ? t('run.eta', { seconds: fmtInt(Math.max(1, Math.ceil(p.eta_ms / 1000))) }) : '';
  eta.dataset.etaMs = isNum(p?.eta_ms) ? String(p.eta_ms) : '';
  setStatus('run', () => {
    const stage = p?.stage && has(`stage.${p.stage}`) ? t(`stage.${p.stage}`) : (p?.stage || '');
    const base = total ? t('run.stage', { stage, done: fmtInt(done), total: fmtInt(total) }) : stage;
    const known = p?.stage && has(`stage.${p.stage}`);
    return !known && p?.message ? `${base} — ${p.message}` : base;
  }, 'running');
}

async function run() {
  if (state.running) return;
  if (!state.profile) return setStatus('run', () => t('run.need_data'), 'error');
  if (state.recipeInvalid) return setStatus('run', () => t('run.fix_recipe'), 'error');
  if (!state.recipe?.target) return setStatus('run', () => t('run.need_target'), 'error');
  if (!Array.isArray(state.recipe.models) || !state.recipe.models.length) {
    return setStatus('run', () => t('run.need_model'), 'error');
  }
  const recipe = structuredClone(state.recipe);
  state.running = true;
  clearResults();
  updateRunButtons();
  const progress = $('#progress');
  progress.max = 1;
  progress.value = 0;
  delete progress.dataset.stage;
  setStatus('run', () => t('run.starting'), 'running');
  try {
    const out = await bridge.run(recipe, onProgress);
    state.report = out.report;
    state.runRecipe = recipe; // the recipe of this report, for exporting its models
    state.maskedCsv = out.masked_csv ?? null;
    progress.value = progress.max;
    setCurrent('results');
    const seconds = (out.elapsed_ms ?? 0) / 1000;
    setStatus('run', () => t('run.done', { seconds: fmtDec(seconds, 2) }), 'done');
  } catch (err) {
    progress.value = 0;
    if (err instanceof CancelledError) setStatus('run', () => t('run.cancelled'), 'cancelled');
    else setStatus('run', () => t('run.error', { error: errorText(err) }), 'error');
  } finally {
    state.running = false;
    $('#run-eta').textContent = '';
    updateRunButtons();
    renderResults();
    showSections();
  }
}

function cancel() {
  if (!state.running) return;
  bridge.cancel();
}

function baseName() {
  return (state.file?.name || 'bedside').replace(/\.[^.]*$/, '') || 'bedside';
}

/** Open a printable report in a new tab (the user prints it from there). */
function openForPrint(doc) {
  const win = window.open('', '_blank');
  if (!win) {
    setText('#export-status', t('export.popup_blocked'));
    return;
  }
  showReport(win, doc);
  setText('#export-status', t('export.opened'));
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function uploadRecipe(file) {
  if (!file) return;
  setStatus('upload', null);
  let recipe;
  try {
    recipe = JSON.parse(await file.text());
    if (!recipe || typeof recipe !== 'object' || Array.isArray(recipe)) throw new Error(t('options.recipe_not_object'));
  } catch (err) {
    setStatus('upload', () => t('export.upload_error', { error: errorText(err) }), 'error');
    return;
  }
  if (!state.profile) {
    setStatus('upload', () => t('run.need_data'), 'error');
    return;
  }
  state.recipe = recipe;
  state.recipeInvalid = false;
  recipeChanged({ key: 'history.upload', params: { name: file.name } });
  showSections();
  await run();
}

// ───────────────────────────── language ─────────────────────────────

function applyStaticStrings() {
  document.documentElement.lang = locale();
  document.title = `${t('app.title')} — ${t('app.tagline')}`;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

function renderVersion() {
  $('#version').textContent = state.version ? t('app.version', { version: state.version }) : '';
}

function renderAll() {
  applyStaticStrings();
  renderProfile();
  renderOptions();
  if (state.recipe && !state.recipeInvalid) renderRecipeText();
  renderResults();
  for (const which of Object.keys(state.status)) renderStatus(which);
  renderVersion();
  showSections();
  updateRunButtons();
  renderProtect();
  renderRecipeView();
  renderHistory();
  renderFlow();
}

async function setLanguage(lang) {
  if (!LANGS.includes(lang)) lang = 'en';
  try {
    strings = await loadStrings(lang);
  } catch {
    strings = fallback;
    lang = 'en';
  }
  state.lang = lang;
  $('#lang').value = lang;
  renderAll();
}

// The page stores nothing in the browser (no web storage, cookies or databases), not even the
// language: it follows the browser's language, or `#lang=zh` / `?lang=zh` in the address.
function initialLanguage() {
  const asked = new URLSearchParams(location.hash.slice(1)).get('lang') || new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(asked)) return asked;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// ───────────────────────────── wiring ─────────────────────────────

function wire() {
  $('#lang').addEventListener('change', (e) => setLanguage(e.target.value));
  $('#file-input').addEventListener('change', (e) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    loadFile(file);
  });
  $('#load-demo').addEventListener('click', loadDemo);
  applyView = initApply($('#apply'), {
    bridge, t, errorText, download, baseName,
    fmt: (v, digits) => fmtDec(v, digits),
    run: () => (state.report && state.runRecipe ? { recipe: state.runRecipe, report: state.report } : null),
  });

  const zone = $('#dropzone');
  const stop = (e) => { e.preventDefault(); e.stopPropagation(); };
  for (const type of ['dragenter', 'dragover']) zone.addEventListener(type, (e) => { stop(e); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', (e) => { stop(e); zone.classList.remove('dragging'); });
  zone.addEventListener('drop', (e) => {
    stop(e);
    zone.classList.remove('dragging');
    const files = e.dataTransfer?.files;
    if (!files || files.length !== 1) {
      setStatus('load', () => t('load.not_csv'), 'error');
      return;
    }
    loadFile(files[0]);
  });
  // A file dropped outside the zone must not navigate away from the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  $('#target-select').addEventListener('change', (e) => { setTarget(e.target.value || null); recipeChanged(); });
  for (const kind of MODEL_KINDS) $(`#model-${kind}`).addEventListener('change', onModelsChanged);
  $('#eval-stratified_kfold').addEventListener('change', () => onEvaluationChanged('stratified_kfold'));
  $('#eval-holdout').addEventListener('change', () => onEvaluationChanged('holdout'));
  $('#eval-folds').addEventListener('change', () => onEvaluationChanged('stratified_kfold'));
  $('#eval-test-fraction').addEventListener('change', () => onEvaluationChanged('holdout'));
  $('#seed').addEventListener('change', (e) => {
    const seed = Math.round(Number(e.target.value));
    if (Number.isFinite(seed) && seed >= 0) state.recipe.seed = seed;
    renderRecipeText();
    recordChange();
  });
  $('#recipe-json').addEventListener('input', onRecipeTyped);

  $('#run').addEventListener('click', run);
  $('#cancel').addEventListener('click', cancel);

  $('#download-csv').addEventListener('click', () => {
    if (state.maskedCsv == null) return;
    download(`${baseName()}-masked.csv`, state.maskedCsv, 'text/csv;charset=utf-8');
    markExported('csv');
  });
  $('#download-report').addEventListener('click', () => {
    if (!state.report) return;
    download(`${baseName()}-report.json`, JSON.stringify(state.report, null, 2), 'application/json');
    markExported('report');
  });
  const reports = { privacy: privacyReport, model: modelReport };
  for (const [kind, build] of Object.entries(reports)) {
    $(`#download-${kind}-report`).addEventListener('click', () => {
      if (!state.report) return;
      download(`${baseName()}-${kind}-report.${state.lang}.html`, reportHtml(build(state.report, ui)), 'text/html;charset=utf-8');
      markExported(`${kind}_report`);
    });
    $(`#open-${kind}-report`).addEventListener('click', () => {
      if (!state.report) return;
      openForPrint(build(state.report, ui));
      markExported(`${kind}_report`);
    });
  }
  $('#undo').addEventListener('click', () => moveInHistory('undo'));
  $('#redo').addEventListener('click', () => moveInHistory('redo'));
  document.addEventListener('keydown', onShortcut);
  $('#recipe-json').addEventListener('blur', () => history.endGroup());
  $('#recipe-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('#recipe-section').scrollIntoView({ block: 'start' });
    $('#recipe-h').focus({ preventScroll: true });
  });
  $('#download-recipe').addEventListener('click', () => {
    if (state.recipe) download(`${baseName()}-recipe.json`, JSON.stringify(state.recipe, null, 2), 'application/json');
  });
  $('#share-recipe').addEventListener('click', shareLink);
  $('#upload-recipe').addEventListener('change', (e) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    uploadRecipe(file);
  });
}

// ───────────────────────────── share a recipe as a link ─────────────────────────────
// `#recipe=<base64url JSON>`: the recipe only (never data); pseudonymization keys are removed.

function shareableRecipe(recipe) {
  const copy = JSON.parse(JSON.stringify(recipe || {}));
  for (const step of Array.isArray(copy.privacy) ? copy.privacy : []) {
    if (step && typeof step === 'object') delete step.key;
  }
  return copy;
}

function toBase64Url(text) {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function shareLink() {
  const link = `${location.href.split('#')[0]}#recipe=${toBase64Url(JSON.stringify(shareableRecipe(state.recipe)))}`;
  const input = $('#share-link');
  input.value = link;
  input.hidden = false;
  input.select();
  navigator.clipboard?.writeText(link).then(
    () => setText('#share-status', t('share.copied')),
    () => setText('#share-status', t('share.select')),
  );
}

function setText(sel, text) {
  const el = $(sel);
  if (el) el.textContent = text;
}

/** A recipe passed in the address (`#recipe=...`), applied to the next file loaded. */
function recipeFromAddress() {
  const raw = new URLSearchParams(location.hash.slice(1)).get('recipe');
  if (!raw) return null;
  try {
    const recipe = JSON.parse(fromBase64Url(raw));
    return recipe && typeof recipe === 'object' && !Array.isArray(recipe) ? recipe : null;
  } catch {
    return null;
  }
}

// ───────────────────────────── network indicator ─────────────────────────────
// Requests made since start-up, as the browser itself records them (Resource Timing), in this
// page and in the worker (which reports its own count with every answer). Start-up ends once the
// worker has loaded the engine; after that the count should stay 0 (loading the demo data is one
// request to this page's own server).

const network = { since: null, page: [], workerBase: null, worker: 0 };

function startNetworkWatch() {
  network.since = performance.now();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime >= network.since) network.page.push(e.name);
    renderNetwork();
  }).observe({ type: 'resource', buffered: true });
}

function onWorkerResources(count) {
  if (network.workerBase === null) network.workerBase = count;
  else network.worker = Math.max(network.worker, count - network.workerBase);
  renderNetwork();
}

function renderNetwork() {
  const el = $('#network');
  if (!el || network.since === null) return;
  const count = network.page.length + network.worker;
  const foreign = network.page.filter((u) => { try { return new URL(u).origin !== location.origin; } catch { return false; } });
  el.dataset.count = String(count);
  el.dataset.state = foreign.length ? 'foreign' : count ? 'local' : 'none';
  el.textContent = t('network.count', { count: fmtInt(count) });
  el.title = network.page.length ? network.page.join('\n') : t('network.none');
}

async function main() {
  initProtect({
    state, bridge, t, h, recipeChanged, fmtInt, fmtPct, fmtDec,
    isCancelled: (err) => err instanceof CancelledError,
    onPreview: () => renderFlow(),
  });
  initFlow({ ...ui, state, protectPreview: previewData });
  wire();
  try {
    fallback = await loadStrings('en');
  } catch {
    fallback = {};
  }
  await setLanguage(initialLanguage());
  // Start the engine now, so that start-up ends with it loaded.
  try {
    state.version = await bridge.warm();
    renderVersion();
  } catch { /* reported when the user loads data */ }
  startNetworkWatch();
  renderNetwork();
  // Served over http(s) (not the one-file build), keep working offline after this first visit.
  if ('serviceWorker' in navigator && location.protocol.startsWith('http') && !EMBED) {
    navigator.serviceWorker.register('./sw.js').catch(() => { /* offline use is a bonus */ });
  }
  document.body.dataset.ready = 'true';
}

main();
