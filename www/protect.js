// Bedside "Protect" panel: detected identifiers with reasons, a per-column operator picker (every
// privacy operator of the core's schema, www/steps.json, with what it protects against), the
// operator's argument fields (typed by the schema), a risk meter and a before/after preview. The
// preview itself is computed by the worker (actions.js asks for it when the recipe changes); this
// module only draws state and emits intents. Strings: i18n/LANG.privacy.json (op.OP.label,
// op.OP.help, arg.NAME), the schema's `doc` where a string is missing.
import { argsOf, populations, privacyOps } from './schema.js';
import { COLUMN_ARGS, columnsOf } from './recipe-edit.js';
import { renderNotesReview } from './notes-review.js';
import { noteText } from './message.js';
import {
  attributeRiskView, explanationList, exportOfficerView, frontierView, initOfficerControls, measurement, populationPicker, safeHarborView, wireOfficerControls,
} from './officer.js';

/**
 * The column types an operator is offered for (others: every type). Presentation only: the core
 * refuses a wrong type with a clear error whatever the page offers.
 */
const OFFERED_FOR = {
  noise: ['numeric'], generalize: ['numeric'], hierarchy: ['categorical', 'numeric'], date: ['date'],
  date_shift: ['date'], microaggregate: ['numeric'], pram: ['categorical', 'numeric'],
  scrub_text: ['text', 'identifier', 'categorical'],
};

/** Create the section (after the profile); styles are in style.css. */
export function initProtect({ h }) {
  const section = h('section', { id: 'protect-section', class: 'card', 'aria-labelledby': 'protect-h', hidden: true },
    h('h2', { id: 'protect-h' }, h('span', { class: 'shield', 'aria-hidden': 'true' }), h('span', { id: 'protect-title' })),
    h('p', { id: 'protect-intro', class: 'note' }),
    h('div', { id: 'risk-meter', class: 'risk-meter', role: 'status', 'aria-live': 'polite' }),
    h('div', { id: 'protect-threshold' }),
    h('div', { id: 'population-picker', class: 'population-picker' }),
    h('div', { id: 'protect-safe-harbor' }),
    h('details', { id: 'officer-explain', class: 'officer-part', open: true },
      h('summary', { id: 'officer-explain-h' }), h('div', { id: 'officer-explain-body' })),
    h('details', { id: 'officer-attr', class: 'officer-part', open: true },
      h('summary', { id: 'officer-attr-h' }), h('div', { id: 'officer-attr-body' })),
    h('details', { id: 'officer-frontier', class: 'officer-part' },
      h('summary', { id: 'officer-frontier-h' }), h('div', { id: 'officer-frontier-body' })),
    h('div', { class: 'table-wrap' }, h('table', { id: 'protect-table', class: 'data' },
      h('thead', {}, h('tr', {})), h('tbody', {}))),
    h('p', { id: 'protect-status', class: 'status', role: 'status' }),
    h('h3', { id: 'protect-preview-h' }),
    h('div', { id: 'protect-preview', class: 'preview-grid' }),
    h('div', { id: 'protect-notes' }),
    h('h3', { id: 'protect-audit-h' }),
    h('ol', { id: 'protect-audit', class: 'audit-list' }));
  document.querySelector('#profile-section').after(section);
  initOfficerControls({ h });
}

const $ = (sel) => document.querySelector(sel);

/**
 * The panel's views. `intents`: {setOperator(column, op), setArgument(index, field, value),
 * badArgument(field)}.
 */
export function protectViews(ui, intents) {
  const { h, t } = ui;
  wireOfficerControls(ui, intents);
  const opLabel = (op) => ui.labelOr(`op.${op}.label`, null, op);
  const opHelp = (op) => ui.labelOr(`op.${op}.help`, privacyOps().find((o) => o.op === op)?.doc, '');

  function verdictBadge(d) {
    const verdict = d?.verdict || 'ordinary';
    return h('span', { class: `verdict verdict-${verdict}`, 'data-verdict': verdict }, t(`verdict.${verdict}`));
  }

  function kindText(kind) {
    if (!kind) return '';
    const key = `kind.${kind}`;
    const text = t(key);
    return text === key ? kind : text;
  }

  function reasonText(r) {
    const share = typeof r.share === 'number' ? ui.fmtPct(r.share, 0) : '';
    const key = `reason.${r.code}`;
    const text = t(key, { kind: kindText(r.kind), share });
    return text === key ? r.text : text;
  }

  /** The headings and the operator table. */
  function table(state) {
    $('#protect-section').hidden = !state.profile;
    $('#protect-title').textContent = t('protect.title');
    $('#protect-intro').textContent = t('protect.intro');
    $('#protect-preview-h').textContent = t('protect.preview');
    $('#protect-audit-h').textContent = t('protect.audit');
    if (!state.profile) return;
    $('#protect-table thead tr').replaceChildren(...['column', 'verdict', 'reasons', 'operator'].map((k) =>
      h('th', { scope: 'col' }, t(`protect.${k}`))));
    const steps = Array.isArray(state.recipe?.privacy) ? state.recipe.privacy : [];
    const rows = (state.profile.columns || []).map((col) => {
      const d = col.detection || {};
      const index = steps.findIndex((s) => columnsOf(s).includes(col.name));
      const step = index < 0 ? null : steps[index];
      const current = step?.op || '';
      const select = h('select', {
        id: `op-${cssId(col.name)}`,
        'aria-label': t('protect.operator_for', { name: col.name }),
        onchange: (e) => intents.setOperator(col.name, e.target.value),
      },
      h('option', { value: '', selected: current === '' }, t('protect.none')),
      ...privacyOps().map(({ op }) => h('option', {
        value: op,
        selected: current === op,
        disabled: !!OFFERED_FOR[op] && !OFFERED_FOR[op].includes(col.type) && current !== op,
        title: opHelp(op),
      }, opLabel(op))));
      const help = current ? h('p', { class: 'op-help' }, opHelp(current)) : null;
      const args = step ? argumentEditors(step, index, col.name) : null;
      const confidence = typeof d.confidence === 'number' ? ui.fmtPct(d.confidence, 0) : '';
      return h('tr', { 'data-column': col.name, 'data-verdict': d.verdict || 'ordinary', 'data-op': current },
        h('th', { scope: 'row' }, col.name, h('span', { class: 'muted type-note' }, ` ${col.type}`)),
        h('td', {}, verdictBadge(d), d.kind ? h('span', { class: 'kind' }, ` ${kindText(d.kind)}`) : null,
          confidence ? h('span', { class: 'muted confidence' }, ` ${t('protect.confidence', { pct: confidence })}`) : null),
        h('td', {}, h('ul', { class: 'reasons' }, ...(d.reasons || []).map((r) =>
          h('li', { 'data-code': r.code }, reasonText(r))))),
        h('td', { class: 'op-cell' }, select, help, args));
    });
    $('#protect-table tbody').replaceChildren(...rows);
  }

  /**
   * Fields for a step's arguments: those it has and those the core requires, besides the
   * columns it names; each typed by the schema (a value's own type for a field it does not know).
   */
  function argumentEditors(step, index, name) {
    const schemaArgs = argsOf('privacy', step.op);
    const fields = [...new Set([...Object.keys(step), ...schemaArgs.filter((a) => a.required).map((a) => a.name)])]
      .filter((f) => f !== 'op' && !COLUMN_ARGS.includes(f));
    if (!fields.length) return null;
    return h('div', { class: 'args' }, ...fields.map((field) => {
      const arg = schemaArgs.find((a) => a.name === field);
      const value = step[field];
      const id = `arg-${cssId(name)}-${field}`;
      const label = h('label', { for: id }, ui.labelOr(`arg.${field}`, null, field));
      const type = arg?.type ?? (typeof value === 'number' ? 'number' : typeof value === 'string' || value == null ? 'string' : 'json');
      const set = (v) => intents.setArgument(index, field, v);
      let input;
      if (type === 'number' || type === 'integer') {
        input = h('input', {
          id, type: 'number', value: typeof value === 'number' ? String(value) : '', step: type === 'integer' ? 1 : 'any',
          onchange: (e) => {
            const n = Number(e.target.value);
            if (e.target.value !== '' && Number.isFinite(n)) set(type === 'integer' ? Math.round(n) : n);
          },
        });
      } else if (type === 'enum') {
        input = h('select', { id, onchange: (e) => set(e.target.value || undefined) },
          arg.required && value != null ? null : h('option', { value: '' }, ''),
          ...arg.values.map((v) => h('option', { value: v, selected: v === value }, v)));
      } else if (type === 'boolean') {
        input = h('input', { id, type: 'checkbox', checked: value === true, onchange: (e) => set(e.target.checked) });
      } else if (type === 'string' || type === 'column') {
        input = h('input', { id, type: 'text', value: value ?? '', onchange: (e) => set(e.target.value) });
      } else {
        input = h('textarea', {
          id, rows: 3,
          onchange: (e) => {
            try { set(JSON.parse(e.target.value)); } catch { intents.badArgument(field); }
          },
        }, value === undefined ? '' : JSON.stringify(value));
      }
      return h('span', { class: 'arg' }, label, input);
    }));
  }

  function meter(state) {
    const box = $('#risk-meter');
    const preview = state.preview;
    box.dataset.pending = String(!!preview.pending);
    const p = preview.data;
    if (!p) {
      box.replaceChildren(h('span', { class: 'muted' }, preview.status === 'busy' ? t('protect.updating') : t('protect.no_quasi')));
      return;
    }
    const before = p.before || {};
    const after = p.after || {};
    const k = after.k_anonymity;
    const atRisk = after.risk?.records_at_risk;
    box.dataset.kBefore = String(before.k_anonymity ?? '');
    box.dataset.kAfter = String(k ?? '');
    box.dataset.atRisk = String(atRisk ?? '');
    box.dataset.suppressed = String(p.suppressed_rows ?? 0);
    box.dataset.version = String(preview.version);
    const above = measurement(p)?.above;
    box.dataset.above = String(above ?? '');
    const level = k == null ? 'none' : above ? (k >= 2 ? 'medium' : 'high') : above === false ? 'low' : k >= 5 ? 'low' : k >= 2 ? 'medium' : 'high';
    box.dataset.level = level;
    const pct = after.risk ? after.risk.records_at_risk_pct / 100 : null;
    box.replaceChildren(
      h('span', { class: `risk-level risk-${level}` }, t(`protect.risk_${level}`)),
      h('span', { class: 'risk-k' }, t('protect.k_before_after', { before: ui.fmtInt(before.k_anonymity), after: ui.fmtInt(k) })),
      h('span', { class: 'risk-at-risk' }, t('protect.at_risk', { count: ui.fmtInt(atRisk), pct: ui.fmtPct(pct) })),
      h('meter', { min: 0, max: 1, low: 0.05, high: 0.2, optimum: 0, value: pct ?? 0, 'aria-label': t('protect.at_risk_label') }),
      h('span', { class: 'risk-suppressed' }, t('protect.suppressed', { count: ui.fmtInt(p.suppressed_rows ?? 0) })),
      h('span', { class: 'muted' }, t('protect.quasi', { columns: (p.quasi_identifiers || []).join(', ') || t('results.none') })));
  }

  function previewTable(id, caption, columns, rows) {
    return h('div', { class: 'table-wrap' }, h('table', { id, class: 'data preview' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((v, j) =>
        h('td', { 'data-column': columns[j] }, v ?? '')))))));
  }

  function status(state) {
    const el = $('#protect-status');
    const { preview, protectArgError } = state;
    let text = '';
    let kind = 'idle';
    if (preview.error) [text, kind] = [t('protect.error', { error: preview.error }), 'error'];
    else if (preview.status === 'busy') [text, kind] = [t('protect.updating'), 'busy'];
    else if (protectArgError) [text, kind] = [t('protect.bad_json', { field: protectArgError }), 'error'];
    el.textContent = text;
    el.dataset.state = kind;
  }

  /** The meter, the status line, the before/after tables and the preview's audit. */
  function preview(state) {
    if (!state.profile) return;
    meter(state);
    status(state);
    if (state.preview.status === 'busy') return; // the tables stay until the new preview lands
    const box = $('#protect-preview');
    const audit = $('#protect-audit');
    const notes = $('#protect-notes');
    const p = state.preview.data;
    if (!p) {
      box.replaceChildren();
      audit.replaceChildren();
      notes.replaceChildren();
      return;
    }
    notes.replaceChildren(...(p.notes ? [renderNotesReview(p.notes, t)] : []));
    box.replaceChildren(
      previewTable('preview-before', t('protect.before'), p.original_columns, p.original_rows),
      previewTable('preview-after', t('protect.after'), p.masked_columns, p.masked_rows));
    audit.replaceChildren(...(p.audit || []).map((a) => h('li', { 'data-op': a.op },
      h('code', {}, `${a.step} ${a.op}`), ' ', h('span', { class: 'note' }, noteText(a)),
      h('span', { class: 'muted' }, ` ${t('protect.audit_counts', { rows: ui.fmtInt(a.rows_affected), cells: ui.fmtInt(a.cells_affected) })}`))));
  }

  /**
   * The privacy officer's views under the meter (officer.js), from the same preview as the meter:
   * above/below the threshold, Safe Harbor fields left exact, every figure explained, which
   * attribute drives the risk, the frontier. `intents`: {addStep, usePoint, estimateAuc}.
   */
  function officer(state) {
    if (!state.profile) return;
    $('#officer-explain-h').textContent = t('officer.explain_title');
    $('#officer-attr-h').textContent = t('officer.attr_title');
    $('#officer-frontier-h').textContent = t('officer.frontier_title');
    populationPicker($('#population-picker'), state.recipe, ui, intents, populations());
    if (state.preview.status === 'busy') return;
    const m = measurement(state.preview.data);
    const recipe = state.recipe || {};
    const sensitive = Object.entries(recipe.columns || {}).find(([, r]) => r === 'sensitive')?.[0] ?? null;
    const threshold = $('#protect-threshold');
    if (!m) {
      for (const id of ['#protect-threshold', '#protect-safe-harbor', '#officer-explain-body', '#officer-attr-body', '#officer-frontier-body']) $(id).replaceChildren();
      $('#officer-frontier').hidden = true;
      return;
    }
    const r = m.risk || {};
    const kStep = (Array.isArray(recipe.privacy) ? recipe.privacy : []).find((s) => s?.op === 'k_anonymize');
    const uncovered = kStep ? m.quasi.filter((c) => !(kStep.quasi || []).includes(c)) : [];
    threshold.replaceChildren(
      m.above == null ? '' : h('p', { class: `threshold-line ${m.above ? 'above' : 'below'}`, 'data-above': String(m.above) },
        t(m.above ? 'officer.above' : 'officer.below', {
          count: ui.fmtInt(r.records_at_risk), k: ui.fmtInt(m.after.k_anonymity), threshold: ui.fmtPct(r.threshold, 0),
        })),
      uncovered.length ? h('p', { class: 'threshold-line above', id: 'k-step-uncovered' }, t('officer.k_uncovered', { columns: ui.list(uncovered) })) : '');
    $('#protect-safe-harbor').replaceChildren(safeHarborView(m, ui) || '');
    $('#officer-explain-body').replaceChildren(explanationList(m, ui, sensitive, 'risk-explain'));
    $('#officer-attr-body').replaceChildren(attributeRiskView(m, ui, intents) || h('p', { class: 'muted' }, t('officer.attr_none')));
    $('#officer-attr').hidden = false;
    const frontier = frontierView(m, ui, intents, state.frontierAuc || {}, kStep?.levels ?? null);
    $('#officer-frontier').hidden = !frontier;
    $('#officer-frontier-body').replaceChildren(frontier || '');
  }

  return { table, preview, officer, exportOfficer: exportOfficerView(ui) };
}

function cssId(name) {
  return Array.from(name).map((c) => (/[A-Za-z0-9_-]/.test(c) ? c : `_${c.codePointAt(0).toString(16)}`)).join('');
}
