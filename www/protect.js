// Bedside "Protect" panel: detected identifiers with reasons, a per-column operator picker (every
// privacy operator, with what it protects against), a risk meter and a before/after preview that
// update as the recipe changes. The work happens in the worker (`preview`); this module only
// edits `state.recipe.privacy` and renders. All strings are in i18n/LANG.privacy.json.

/** Every privacy operator, in the order offered, with the column types it applies to. */
export const OPERATORS = [
  { op: 'drop' },
  { op: 'redact' },
  { op: 'mask' },
  { op: 'pseudonymize' },
  { op: 'replace_random' },
  { op: 'noise', types: ['numeric'] },
  { op: 'generalize', types: ['numeric'] },
  { op: 'hierarchy', types: ['categorical', 'numeric'] },
  { op: 'truncate' },
  { op: 'date', types: ['date'] },
  { op: 'date_shift', types: ['date'] },
  { op: 'microaggregate', types: ['numeric'] },
  { op: 'pram', types: ['categorical', 'numeric'] },
  { op: 'suppress' },
  { op: 'scrub_text', types: ['text', 'identifier', 'categorical'] },
  { op: 'k_anonymize' },
];

// Steps are kept in this order so that each sees the columns it needs (date_shift reads the
// patient column before it is pseudonymized or dropped; identifiers are removed last).
const RANK = {
  date_shift: 0, date: 1, generalize: 2, hierarchy: 2, truncate: 2, noise: 3, microaggregate: 3, pram: 3,
  k_anonymize: 4, suppress: 5, scrub_text: 6, pseudonymize: 7, replace_random: 7, mask: 7, redact: 7, drop: 8,
};
const PREVIEW_ROWS = 5;
const DEBOUNCE_MS = 200;

let app = null; // {state, bridge, t, h, recipeChanged, fmtInt, fmtPct, fmtDec, isCancelled, onPreview?}
let preview = { status: 'idle', data: null, error: null, version: 0 };
let timer = null;
let inFlight = false;
let pendingKey = null;
let lastKey = null;

/** Wire the panel to the app. Creates the section (after the profile); styles are in style.css. */
export function initProtect(deps) {
  app = deps;
  const section = app.h('section', { id: 'protect-section', class: 'card', 'aria-labelledby': 'protect-h', hidden: true },
    app.h('h2', { id: 'protect-h' }, app.h('span', { class: 'shield', 'aria-hidden': 'true' }), app.h('span', { id: 'protect-title' })),
    app.h('p', { id: 'protect-intro', class: 'note' }),
    app.h('div', { id: 'risk-meter', class: 'risk-meter', role: 'status', 'aria-live': 'polite' }),
    app.h('div', { class: 'table-wrap' }, app.h('table', { id: 'protect-table', class: 'data' },
      app.h('thead', {}, app.h('tr', {})), app.h('tbody', {}))),
    app.h('p', { id: 'protect-status', class: 'status', role: 'status' }),
    app.h('h3', { id: 'protect-preview-h' }),
    app.h('div', { id: 'protect-preview', class: 'preview-grid' }),
    app.h('h3', { id: 'protect-audit-h' }),
    app.h('ol', { id: 'protect-audit', class: 'audit-list' }));
  const profile = document.querySelector('#profile-section');
  profile.after(section);
}

const t = (key, params) => app.t(key, params);
const state = () => app.state;

function columnsOf(step) {
  if (!step || typeof step !== 'object') return [];
  if (Array.isArray(step.columns)) return step.columns;
  if (typeof step.column === 'string') return [step.column];
  if (Array.isArray(step.quasi)) return step.quasi;
  return [];
}

/** The step (and its index) that transforms `name`, if any. */
function stepFor(name) {
  const steps = Array.isArray(state().recipe?.privacy) ? state().recipe.privacy : [];
  const i = steps.findIndex((s) => columnsOf(s).includes(name));
  return i < 0 ? null : { step: steps[i], index: i };
}

function profileColumn(name) {
  return (state().profile?.columns || []).find((c) => c.name === name);
}

/** Default arguments for `op` on column `name`. */
function defaultStep(op, name) {
  const col = profileColumn(name) || {};
  const columns = [name];
  switch (op) {
    case 'mask': return { op, columns, keep_first: 0, keep_last: 0 };
    case 'noise': {
      const range = Number(col.max) - Number(col.min);
      const sensitivity = Number.isFinite(range) && range > 0 ? Math.max(1, Math.round(range / 20)) : 1;
      return { op, columns, mechanism: 'laplace', epsilon: 1, sensitivity };
    }
    case 'generalize': return { op, column: name, width: 10 };
    case 'hierarchy': {
      const hierarchy = {};
      for (const [value] of col.top || []) hierarchy[value] = [value];
      if (!Object.keys(hierarchy).length) hierarchy['?'] = ['?'];
      return { op, column: name, hierarchy, level: 1, default: t('protect.other_group') };
    }
    case 'truncate': return { op, column: name, keep: 3 };
    case 'date': return { op, columns, to: 'year' };
    case 'date_shift': return { op, columns, by: patientColumn(name), max_days: 180 };
    case 'microaggregate': return { op, columns, size: 3 };
    case 'pram': return { op, column: name, keep: 0.8 };
    case 'suppress': return { op, columns, k: 5 };
    default: return { op, columns };
  }
}

/** The column that tells patients apart (a record number), for date_shift. */
function patientColumn(except) {
  const cols = state().profile?.columns || [];
  const pick = cols.find((c) => c.name !== except && ['mrn', 'record_id'].includes(c.detection?.kind))
    || cols.find((c) => c.name !== except && c.detection?.verdict === 'direct_identifier' && c.type !== 'text')
    || cols.find((c) => c.name !== except);
  return pick ? pick.name : except;
}

/** Put column `name` under operator `op` ('' = none): take it out of other steps, add it to a new one. */
export function setOperator(name, op) {
  const r = state().recipe;
  if (!r) return;
  if (!Array.isArray(r.privacy)) r.privacy = [];
  r.privacy = r.privacy.flatMap((s) => {
    if (!s || typeof s !== 'object') return [s];
    if (Array.isArray(s.columns) && s.columns.includes(name)) {
      const rest = s.columns.filter((c) => c !== name);
      return rest.length ? [{ ...s, columns: rest }] : [];
    }
    if (s.column === name) return [];
    if (Array.isArray(s.quasi) && s.quasi.includes(name)) {
      const rest = s.quasi.filter((c) => c !== name);
      return rest.length ? [{ ...s, quasi: rest }] : [];
    }
    return [s];
  });
  if (op === 'k_anonymize') {
    const existing = r.privacy.find((s) => s?.op === 'k_anonymize');
    if (existing) existing.quasi = [...(existing.quasi || []), name];
    else insert(r.privacy, { op, quasi: [name], k: 5, max_suppression: 0.05 });
  } else if (op) {
    insert(r.privacy, defaultStep(op, name));
  }
  app.recipeChanged();
}

function insert(steps, step) {
  const rank = RANK[step.op] ?? 5;
  let at = steps.length;
  while (at > 0 && (RANK[steps[at - 1]?.op] ?? 5) > rank) at--;
  steps.splice(at, 0, step);
}

/** Edit one argument of the step at `index`. */
function setArgument(index, field, raw, kind) {
  const step = state().recipe?.privacy?.[index];
  if (!step) return;
  let value = raw;
  if (kind === 'number') {
    value = Number(raw);
    if (raw === '' || !Number.isFinite(value)) return;
  } else if (kind === 'json') {
    try { value = JSON.parse(raw); } catch {
      setStatus(t('protect.bad_json', { field }), 'error');
      return;
    }
  }
  step[field] = value;
  app.recipeChanged();
}

function setStatus(text, kind = 'info') {
  const el = document.querySelector('#protect-status');
  if (!el) return;
  el.textContent = text || '';
  el.dataset.state = text ? kind : 'idle';
}

// ───────────────────────────── rendering ─────────────────────────────

/** Re-render the panel from the app state and schedule a preview. */
export function renderProtect() {
  const section = document.querySelector('#protect-section');
  if (!section || !app) return;
  const s = state();
  section.hidden = !s.profile;
  document.querySelector('#protect-title').textContent = t('protect.title');
  document.querySelector('#protect-intro').textContent = t('protect.intro');
  document.querySelector('#protect-preview-h').textContent = t('protect.preview');
  document.querySelector('#protect-audit-h').textContent = t('protect.audit');
  if (!s.profile) return;
  renderTable();
  renderPreview();
  schedulePreview();
}

function verdictBadge(d) {
  const verdict = d?.verdict || 'ordinary';
  return app.h('span', { class: `verdict verdict-${verdict}`, 'data-verdict': verdict }, t(`verdict.${verdict}`));
}

function kindText(kind) {
  if (!kind) return '';
  const key = `kind.${kind}`;
  const text = t(key);
  return text === key ? kind : text;
}

function reasonText(r) {
  const share = typeof r.share === 'number' ? app.fmtPct(r.share, 0) : '';
  const key = `reason.${r.code}`;
  const text = t(key, { kind: kindText(r.kind), share });
  return text === key ? r.text : text;
}

function renderTable() {
  const head = document.querySelector('#protect-table thead tr');
  head.replaceChildren(...['column', 'verdict', 'reasons', 'operator'].map((k) =>
    app.h('th', { scope: 'col' }, t(`protect.${k}`))));
  const tbody = document.querySelector('#protect-table tbody');
  const rows = (state().profile?.columns || []).map((col) => {
    const d = col.detection || {};
    const found = stepFor(col.name);
    const current = found?.step?.op || '';
    const select = app.h('select', {
      id: `op-${cssId(col.name)}`,
      'aria-label': t('protect.operator_for', { name: col.name }),
      onchange: (e) => setOperator(col.name, e.target.value),
    },
    app.h('option', { value: '', selected: current === '' }, t('protect.none')),
    ...OPERATORS.map(({ op, types }) => app.h('option', {
      value: op,
      selected: current === op,
      disabled: !!types && !types.includes(col.type) && current !== op,
      title: t(`op.${op}.help`),
    }, t(`op.${op}.label`))));
    const help = current ? app.h('p', { class: 'op-help' }, t(`op.${current}.help`)) : null;
    const args = found ? argumentEditors(found.step, found.index, col.name) : null;
    const confidence = typeof d.confidence === 'number' ? app.fmtPct(d.confidence, 0) : '';
    return app.h('tr', { 'data-column': col.name, 'data-verdict': d.verdict || 'ordinary', 'data-op': current },
      app.h('th', { scope: 'row' }, col.name, app.h('span', { class: 'muted type-note' }, ` ${col.type}`)),
      app.h('td', {}, verdictBadge(d), d.kind ? app.h('span', { class: 'kind' }, ` ${kindText(d.kind)}`) : null,
        confidence ? app.h('span', { class: 'muted confidence' }, ` ${t('protect.confidence', { pct: confidence })}`) : null),
      app.h('td', {}, app.h('ul', { class: 'reasons' }, ...(d.reasons || []).map((r) =>
        app.h('li', { 'data-code': r.code }, reasonText(r))))),
      app.h('td', { class: 'op-cell' }, select, help, args));
  });
  tbody.replaceChildren(...rows);
}

function cssId(name) {
  return Array.from(name).map((c) => (/[A-Za-z0-9_-]/.test(c) ? c : `_${c.codePointAt(0).toString(16)}`)).join('');
}

/** Inputs for the scalar arguments of a step (and JSON for maps). */
function argumentEditors(step, index, name) {
  const skip = new Set(['op', 'columns', 'column', 'quasi']);
  const fields = Object.keys(step).filter((f) => !skip.has(f));
  if (!fields.length) return null;
  return app.h('div', { class: 'args' }, ...fields.map((field) => {
    const value = step[field];
    const id = `arg-${cssId(name)}-${field}`;
    const label = app.h('label', { for: id }, t(`arg.${field}`) === `arg.${field}` ? field : t(`arg.${field}`));
    let input;
    if (typeof value === 'number') {
      input = app.h('input', { id, type: 'number', value: String(value), step: 'any', onchange: (e) => setArgument(index, field, e.target.value, 'number') });
    } else if (typeof value === 'string' || value == null) {
      input = app.h('input', { id, type: 'text', value: value ?? '', onchange: (e) => setArgument(index, field, e.target.value, 'text') });
    } else {
      input = app.h('textarea', { id, rows: 3, onchange: (e) => setArgument(index, field, e.target.value, 'json') }, JSON.stringify(value));
    }
    return app.h('span', { class: 'arg' }, label, input);
  }));
}

function renderMeter() {
  const meter = document.querySelector('#risk-meter');
  const p = preview.data;
  if (!p) {
    meter.replaceChildren(app.h('span', { class: 'muted' }, preview.status === 'busy' ? t('protect.updating') : t('protect.no_quasi')));
    return;
  }
  const before = p.before || {};
  const after = p.after || {};
  const k = after.k_anonymity;
  const atRisk = after.risk?.records_at_risk;
  meter.dataset.kBefore = String(before.k_anonymity ?? '');
  meter.dataset.kAfter = String(k ?? '');
  meter.dataset.atRisk = String(atRisk ?? '');
  meter.dataset.suppressed = String(p.suppressed_rows ?? 0);
  meter.dataset.version = String(preview.version);
  const level = k == null ? 'none' : k >= 5 ? 'low' : k >= 2 ? 'medium' : 'high';
  meter.dataset.level = level;
  const pct = after.risk ? after.risk.records_at_risk_pct / 100 : null;
  meter.replaceChildren(
    app.h('span', { class: `risk-level risk-${level}` }, t(`protect.risk_${level}`)),
    app.h('span', { class: 'risk-k' }, t('protect.k_before_after', { before: app.fmtInt(before.k_anonymity), after: app.fmtInt(k) })),
    app.h('span', { class: 'risk-at-risk' }, t('protect.at_risk', { count: app.fmtInt(atRisk), pct: app.fmtPct(pct) })),
    app.h('meter', { min: 0, max: 1, low: 0.05, high: 0.2, optimum: 0, value: pct ?? 0, 'aria-label': t('protect.at_risk_label') }),
    app.h('span', { class: 'risk-suppressed' }, t('protect.suppressed', { count: app.fmtInt(p.suppressed_rows ?? 0) })),
    app.h('span', { class: 'muted' }, t('protect.quasi', { columns: (p.quasi_identifiers || []).join(', ') || t('results.none') })));
}

function previewTable(id, caption, columns, rows) {
  return app.h('div', { class: 'table-wrap' }, app.h('table', { id, class: 'data preview' },
    app.h('caption', {}, caption),
    app.h('thead', {}, app.h('tr', {}, ...columns.map((c) => app.h('th', { scope: 'col' }, c)))),
    app.h('tbody', {}, ...rows.map((row) => app.h('tr', {}, ...row.map((v, j) =>
      app.h('td', { 'data-column': columns[j] }, v ?? '')))))));
}

function renderPreview() {
  renderMeter();
  const box = document.querySelector('#protect-preview');
  const audit = document.querySelector('#protect-audit');
  const p = preview.data;
  if (preview.error) setStatus(t('protect.error', { error: preview.error }), 'error');
  else if (preview.status === 'busy') setStatus(t('protect.updating'), 'busy');
  else setStatus('', 'idle');
  if (!p) {
    box.replaceChildren();
    audit.replaceChildren();
    return;
  }
  box.replaceChildren(
    previewTable('preview-before', t('protect.before'), p.original_columns, p.original_rows),
    previewTable('preview-after', t('protect.after'), p.masked_columns, p.masked_rows));
  audit.replaceChildren(...(p.audit || []).map((a) => app.h('li', { 'data-op': a.op },
    app.h('code', {}, `${a.step} ${a.op}`), ' ', a.note,
    app.h('span', { class: 'muted' }, ` ${t('protect.audit_counts', { rows: app.fmtInt(a.rows_affected), cells: app.fmtInt(a.cells_affected) })}`))));
}

// ───────────────────────────── preview calls ─────────────────────────────

function schedulePreview() {
  const s = state();
  if (!s.profile || !s.recipe || s.recipeInvalid) return;
  const key = JSON.stringify([s.recipe.privacy, s.recipe.columns, s.recipe.risk, s.recipe.seed, s.recipe.target]);
  if (key === lastKey && !preview.error) return;
  pendingKey = key;
  setPending(true);
  clearTimeout(timer);
  timer = setTimeout(runPreview, DEBOUNCE_MS);
}

async function runPreview() {
  if (inFlight || pendingKey == null || state().running) return;
  const key = pendingKey;
  pendingKey = null;
  inFlight = true;
  // Only the privacy part matters; models and features are left out so the preview stays cheap.
  const r = state().recipe;
  const recipe = { version: r.version ?? 1, seed: r.seed ?? 0, columns: r.columns ?? {}, privacy: r.privacy ?? [] };
  if (r.target) recipe.target = r.target;
  if (r.risk) recipe.risk = r.risk;
  preview.status = 'busy';
  renderMeter();
  try {
    const data = await app.bridge.call('preview', { recipe, rows: PREVIEW_ROWS });
    preview = { status: 'done', data, error: null, version: preview.version + 1 };
    lastKey = key;
  } catch (err) {
    if (!app.isCancelled(err)) {
      preview = { status: 'error', data: preview.data, error: err?.message || String(err), version: preview.version + 1 };
      lastKey = key;
    } else {
      preview.status = 'idle';
    }
  } finally {
    inFlight = false;
    renderPreview();
    app.onPreview?.();
    if (pendingKey != null) runPreview();
    else setPending(false);
  }
}

/** `data-pending` on the meter: is a preview scheduled or running (tests wait on it)? */
function setPending(pending) {
  const meter = document.querySelector('#risk-meter');
  if (meter) meter.dataset.pending = String(pending);
}

/** The last privacy preview ({before, after, suppressed_rows, ...}) or null. */
export function previewData() {
  return preview.data;
}

/** Forget the previous file's preview (a new file was loaded). */
export function resetProtect() {
  preview = { status: 'idle', data: null, error: null, version: preview.version };
  lastKey = null;
  pendingKey = null;
}
