// What a privacy officer needs beside the Protect panel's meter, all drawn from one source — the
// core's measurement of the recipe as it stands (the preview while editing, the Report after a
// run): whether the result is above the recipe's risk threshold, each risk figure in a plain
// sentence for this data, which quasi-identifiers (and pairs) make records unique with the core's
// one-step suggestion, the HIPAA Safe Harbor fields left exact, and the risk–utility frontier of
// the k_anonymize search. Pure views: intents go to actions.js. Strings: i18n/LANG.privacy.json
// (keys officer.*, explain.*).
import { describeRecipe } from './recipe-view.js';
import { warningTexts } from './message.js';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);
const SVG = 'http://www.w3.org/2000/svg';
const MODEL_NAMES = { pitman: 'Pitman', zayatz: 'Zayatz', snb: 'SNB' };

/**
 * One shape for both sources: a preview ({quasi_identifiers, before, after, suppressed_rows, …})
 * or a Report's `privacy` ({quasi_identifiers, k_anonymity, risk, before, …}).
 */
export function measurement(src) {
  if (!src || typeof src !== 'object') return null;
  const after = src.after || {
    k_anonymity: src.k_anonymity, l_diversity: src.l_diversity, l_diversity_entropy: src.l_diversity_entropy,
    t_closeness: src.t_closeness, equivalence_classes: src.equivalence_classes, risk: src.risk,
  };
  const risk = after.risk || null;
  const above = typeof src.above_threshold === 'boolean' ? src.above_threshold
    : risk && isNum(risk.prosecutor_max) && isNum(risk.threshold) ? risk.prosecutor_max > risk.threshold + 1e-12 : null;
  return {
    quasi: arr(src.quasi_identifiers),
    before: src.before || {},
    after,
    risk,
    above,
    suppressed: src.suppressed_rows ?? 0,
    // Records measured: the Report's output rows, or classes ÷ mean prosecutor risk (= classes ÷ records).
    rows: src.output_rows ?? (isNum(after.equivalence_classes) && risk?.prosecutor_avg > 0 ? Math.round(after.equivalence_classes / risk.prosecutor_avg) : null),
    informationLoss: src.information_loss ?? after.information_loss ?? null,
    attributeRisk: arr(src.attribute_risk),
    attributeRiskBefore: arr(src.attribute_risk_before),
    suggestions: arr(src.risk_suggestions),
    frontier: arr(src.frontier),
    safeHarbor: arr(src.safe_harbor),
    warnings: warningTexts(src.warnings, src.warning_codes).filter(Boolean),
    estimates: risk?.population_estimates ?? src.population_estimates ?? null,
    populationModel: risk?.population_model ?? null,
  };
}

/** The k a record needs to be under the threshold (threshold 0.2 → classes of 5). */
export const minClass = (threshold) => (isNum(threshold) && threshold > 0 ? Math.ceil(1 / threshold - 1e-9) : 5);

/**
 * Plain sentences for each risk figure of measurement `m` ({id, text}): what it means for this
 * data. `sensitive`: the first sensitive column's name (for l and t) or null.
 */
export function explanations(m, ui, sensitive = null, { count = ui.fmtInt } = {}) {
  const { t } = ui;
  if (!m) return [];
  const out = [];
  const a = m.after || {};
  const r = m.risk || {};
  const quasi = ui.list(m.quasi);
  const n = m.quasi.length;
  const k = a.k_anonymity;
  if (n && isNum(k)) {
    const hidden = count(k) !== ui.fmtInt(k); // a count below 5 in the external summary
    out.push({ id: 'k', value: k, text: t(hidden ? 'explain.k_small' : k === 1 ? 'explain.k_one' : 'explain.k', { k: ui.fmtInt(k), quasi, n: ui.fmtInt(n) }) });
  } else if (!n) {
    out.push({ id: 'k', value: null, text: t('explain.no_quasi') });
  }
  if (isNum(r.records_at_risk)) {
    const params = {
      count: count(r.records_at_risk), pct: ui.fmtPct(isNum(r.records_at_risk_pct) ? r.records_at_risk_pct / 100 : null),
      min: ui.fmtInt(minClass(r.threshold)), threshold: ui.fmtPct(r.threshold, 0),
    };
    out.push({ id: 'records_at_risk', value: r.records_at_risk, text: t(r.records_at_risk ? 'explain.at_risk' : 'explain.at_risk_none', params) });
  }
  if (isNum(r.prosecutor_max)) {
    out.push({ id: 'prosecutor', value: r.prosecutor_max, text: t('explain.prosecutor', { max: ui.fmtPct(r.prosecutor_max, 0), avg: ui.fmtPct(r.prosecutor_avg, 1) }) });
  }
  if (isNum(r.journalist_max)) {
    const key = isNum(r.population_size) ? 'explain.journalist' : 'explain.journalist_no_population';
    out.push({ id: 'journalist', value: r.journalist_max, text: t(key, { max: ui.fmtPct(r.journalist_max, 0), avg: ui.fmtPct(r.journalist_avg, 1), population: ui.fmtInt(r.population_size) }) });
  }
  if (isNum(r.marketer)) {
    const rows = isNum(m.rows) ? m.rows : null;
    out.push({
      id: 'marketer', value: r.marketer,
      text: t('explain.marketer', { pct: ui.fmtPct(r.marketer, 1), count: rows != null ? count(Math.round(r.marketer * rows)) : '—' }),
    });
  }
  if (isNum(r.population_uniqueness)) {
    const model = MODEL_NAMES[m.populationModel] ?? String(m.populationModel ?? '—');
    const population = r.population_name ? `${ui.fmtInt(r.population_size)} (${r.population_name})` : ui.fmtInt(r.population_size);
    out.push({
      id: 'population', value: r.population_uniqueness,
      text: t('explain.population', { pct: ui.fmtPct(r.population_uniqueness, 2), count: count(Math.round(r.population_uniques ?? 0)), population, model }),
    });
    const e = m.estimates;
    if (e) {
      const est = (v) => (isNum(v) ? ui.fmtPct(v, 2) : '—');
      out.push({ id: 'population_estimates', value: null, text: t('explain.population_estimates', { pitman: est(e.pitman), zayatz: est(e.zayatz), snb: est(e.snb), model }) });
    }
  }
  if (isNum(r.k_map)) {
    const tbl = r.population_table || {};
    out.push({
      id: 'k_map', value: r.k_map,
      text: t(r.k_map_records_at_risk ? 'kmap.explain_at_risk' : 'kmap.explain', {
        k: count(r.k_map), table: tbl.name ?? '—', columns: ui.list(arr(tbl.columns)),
        count: count(r.k_map_records_at_risk ?? 0), pct: ui.fmtPct(isNum(r.k_map_records_at_risk_pct) ? r.k_map_records_at_risk_pct / 100 : null),
        min: ui.fmtInt(minClass(r.threshold)), max: ui.fmtPct(r.k_map_max, 1), avg: ui.fmtPct(r.k_map_avg, 2),
      }),
    });
    const fallback = (tbl.missing_records ?? 0) + (tbl.below_sample_records ?? 0);
    if (fallback) out.push({ id: 'k_map_fallback', value: fallback, text: t('kmap.explain_fallback', { missing: count(tbl.missing_records ?? 0), below: count(tbl.below_sample_records ?? 0) }) });
    if (arr(tbl.uncovered).length) out.push({ id: 'k_map_uncovered', value: null, text: t('kmap.explain_uncovered', { columns: ui.list(tbl.uncovered) }) });
  }
  if (isNum(a.l_diversity) && sensitive) {
    out.push({ id: 'l', value: a.l_diversity, text: t(a.l_diversity <= 1 ? 'explain.l_one' : 'explain.l', { l: ui.fmtInt(a.l_diversity), sensitive }) });
  }
  if (isNum(a.t_closeness) && sensitive) {
    out.push({ id: 't', value: a.t_closeness, text: t('explain.t', { t: ui.fmtDec(a.t_closeness, 2), sensitive }) });
  }
  const loss = m.informationLoss;
  if (isNum(loss?.non_uniform_entropy_pct)) {
    out.push({ id: 'loss', value: loss.non_uniform_entropy_pct, text: t('explain.loss', { pct: ui.fmtPct(loss.non_uniform_entropy_pct / 100, 1) }) });
  }
  if (m.suppressed) out.push({ id: 'suppressed', value: m.suppressed, text: t('explain.suppressed', { count: count(m.suppressed) }) });
  return out;
}

export function explanationList(m, ui, sensitive, id = null) {
  const { h } = ui;
  const items = explanations(m, ui, sensitive);
  return h('ul', { class: 'explain-list', id }, ...items.map((e) => h('li', { 'data-figure': e.id, 'data-value': String(e.value ?? '') }, e.text)));
}

// ───────────────────────────── attribute risk ─────────────────────────────

/**
 * The ranked chart of `attribute_risk` (share of records made unique per quasi-identifier and per
 * pair) as a table with bars (readable as a table, seen as a chart), and the core's first
 * suggestion with a button that adds its step. `intents.addStep(step)`.
 */
export function attributeRiskView(m, ui, intents, { limit = 8 } = {}) {
  const { h, t } = ui;
  const released = m.attributeRisk.some((e) => e.uniques > 0);
  const list = released ? m.attributeRisk : m.attributeRiskBefore;
  if (!list.length) return null;
  const shown = [...list].sort((x, y) => (y.share ?? 0) - (x.share ?? 0)).slice(0, limit);
  const max = Math.max(1e-9, ...shown.map((e) => e.share ?? 0));
  const table = h('table', { class: 'data attr-risk', id: 'attribute-risk', 'data-of': released ? 'released' : 'input' },
    h('caption', {}, t(released ? 'officer.attr_caption' : 'officer.attr_caption_input')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('officer.attr_columns')),
      h('th', { scope: 'col' }, t('officer.attr_share')),
      h('th', { scope: 'col', class: 'num-col' }, t('officer.attr_uniques')))),
    h('tbody', {}, ...shown.map((e) => {
      const bar = h('span', { class: 'attr-bar', 'aria-hidden': 'true' });
      bar.style.width = `${Math.max(0.5, (100 * (e.share ?? 0)) / max).toFixed(1)}%`;
      return h('tr', { 'data-columns': arr(e.columns).join('+'), 'data-share': String(e.share ?? ''), 'data-uniques': String(e.uniques ?? '') },
        h('th', { scope: 'row' }, arr(e.columns).join(' + ')),
        h('td', { class: 'attr-cell' }, h('span', { class: 'attr-track' }, bar), h('span', { class: 'attr-pct' }, ui.fmtPct(e.share, 1))),
        h('td', { class: 'num-col' }, ui.fmtInt(e.uniques)));
    })));
  const s = m.suggestions[0];
  let suggestion = null;
  if (s?.step) {
    const what = describeRecipe({ privacy: [s.step] }, ui)[0]?.text ?? s.step.op;
    suggestion = h('p', { class: 'attr-suggestion', id: 'risk-suggestion', 'data-column': s.column ?? '' },
      t('officer.suggestion', {
        step: what, pct: ui.fmtPct(s.removes_share, 0), before: ui.fmtInt(s.uniques_before), after: ui.fmtInt(s.uniques_after),
      }), ' ',
      h('button', { type: 'button', class: 'button small', id: 'add-suggestion', onclick: () => intents.addStep(s.step) }, t('officer.add_step')));
  }
  return h('div', { class: 'attr-risk-box' }, h('p', { class: 'note' }, t('officer.attr_intro')), h('div', { class: 'table-wrap' }, table), suggestion);
}

// ───────────────────────────── Safe Harbor ─────────────────────────────

/**
 * Warnings for each HIPAA Safe Harbor field (geography smaller than a state, dates) left exact:
 * `privacy.safe_harbor` when the core gives it, else the core's privacy warnings for the recipe
 * as it stands (the same lines the Report's warnings hold, in the core's words).
 */
export function safeHarborView(m, ui) {
  const { h, t, has } = ui;
  if (!m.safeHarbor.length) {
    if (!m.warnings.length) return null;
    return h('div', { class: 'safe-harbor', role: 'alert', id: 'safe-harbor' },
      h('p', {}, h('strong', {}, t('officer.warnings_title'))),
      h('ul', {}, ...m.warnings.map((w) => h('li', { 'data-source': 'warning' }, w))));
  }
  return h('div', { class: 'safe-harbor', role: 'alert', id: 'safe-harbor' },
    h('p', {}, h('strong', {}, t('officer.safe_harbor_title'))),
    h('ul', {}, ...m.safeHarbor.map((w) => {
      const key = `officer.safe_harbor.${w.kind}`;
      return h('li', { 'data-column': w.column, 'data-kind': w.kind },
        has(key) ? t(key, { column: w.column }) : t('officer.safe_harbor.other', { column: w.column, reason: w.reason ?? '' }));
    })));
}

// ───────────────────────────── frontier ─────────────────────────────

function svgEl(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

/** The levels of a frontier point in words: "age: 10-year bands, zip: 3 digits". */
export const levelsText = (point) => Object.entries(point.levels || {}).map(([c, l]) => `${c}: ${l}`).join(', ');

/**
 * The risk–utility frontier of the k_anonymize search: a chart (information loss across, records
 * at risk up, the chosen point ringed) and the same points as a table, each with "estimate
 * ROC-AUC" (a cross-validated run of the first model with that point pinned) and "use this
 * point". `aucs`: {key: {status, value, error}}; intents: {usePoint(point), estimateAuc(point)}.
 */
export function frontierView(m, ui, intents, aucs = {}, pinned = null) {
  const { h, t } = ui;
  const points = m.frontier;
  if (!points.length) return null;
  const left = 50, top = 12, w = 360, ht = 170, bottom = 40;
  const maxLoss = Math.max(1, ...points.map((p) => p.information_loss_pct ?? 0));
  const maxRisk = Math.max(1, ...points.map((p) => p.records_at_risk ?? 0));
  const sx = (v) => left + (v / maxLoss) * w;
  const sy = (v) => top + ht - (v / maxRisk) * ht;
  const svg = svgEl('svg', { viewBox: `0 0 ${left + w + 20} ${top + ht + bottom}`, class: 'chart frontier-chart', role: 'img', 'aria-label': t('officer.frontier_chart') });
  svg.append(svgEl('title', {}, t('officer.frontier_chart')));
  for (const f of [0, 0.5, 1]) {
    svg.append(svgEl('line', { x1: left, x2: left + w, y1: sy(f * maxRisk), y2: sy(f * maxRisk), class: 'grid' }));
    svg.append(svgEl('text', { x: left - 5, y: sy(f * maxRisk) + 4, class: 'tick', 'text-anchor': 'end' }, ui.fmtInt(Math.round(f * maxRisk))));
    svg.append(svgEl('text', { x: sx(f * maxLoss), y: top + ht + 14, class: 'tick', 'text-anchor': 'middle' }, ui.fmtPct((f * maxLoss) / 100, 0)));
  }
  svg.append(svgEl('text', { x: left + w / 2, y: top + ht + 32, class: 'axis-label', 'text-anchor': 'middle' }, t('officer.frontier_x')));
  svg.append(svgEl('text', { x: 12, y: top + ht / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${top + ht / 2})` }, t('officer.frontier_y')));
  const sorted = [...points].sort((x, y) => (x.information_loss_pct ?? 0) - (y.information_loss_pct ?? 0));
  svg.append(svgEl('polyline', { points: sorted.map((p) => `${sx(p.information_loss_pct ?? 0).toFixed(1)},${sy(p.records_at_risk ?? 0).toFixed(1)}`).join(' '), fill: 'none', stroke: '#9aa5ad', 'stroke-dasharray': '4 3' }));
  points.forEach((p, i) => {
    const c = svgEl('circle', { cx: sx(p.information_loss_pct ?? 0).toFixed(1), cy: sy(p.records_at_risk ?? 0).toFixed(1), r: p.chosen ? 6 : 4, class: p.chosen ? 'point chosen' : 'point', fill: p.chosen ? '#D55E00' : '#0072B2' });
    c.append(svgEl('title', {}, `${i + 1}. ${levelsText(p)} — k ${p.k}, ${t('officer.frontier_at_risk')} ${p.records_at_risk}, ${t('officer.frontier_loss')} ${ui.fmtPct((p.information_loss_pct ?? 0) / 100, 1)}`));
    svg.append(c);
    svg.append(svgEl('text', { x: sx(p.information_loss_pct ?? 0) + 7, y: sy(p.records_at_risk ?? 0) - 5, class: 'tick' }, String(i + 1)));
  });
  const key = (p) => JSON.stringify(p.level_index || {});
  const same = (p) => pinned && key(p) === JSON.stringify(pinned);
  const table = h('table', { class: 'data frontier-table', id: 'frontier-table' },
    h('caption', {}, t('officer.frontier_caption')),
    h('thead', {}, h('tr', {}, ...['#', 'officer.frontier_levels', 'k', 'officer.frontier_at_risk', 'officer.frontier_suppressed', 'officer.frontier_loss', 'officer.frontier_meets', 'officer.frontier_auc', ''].map((k, i) =>
      h('th', { scope: 'col', class: i >= 2 && i <= 5 || i === 7 ? 'num-col' : null }, k.startsWith('officer.') ? t(k) : k)))),
    h('tbody', {}, ...points.map((p, i) => {
      const auc = aucs[key(p)];
      const aucCell = auc?.status === 'done' ? ui.fmtDec(auc.value, 3)
        : auc?.status === 'busy' ? h('span', {}, t('officer.frontier_auc_busy'), ' ',
          h('button', { type: 'button', class: 'button small cancel-auc', onclick: () => intents.cancelAuc() }, t('officer.confirm_cancel')))
          : auc?.status === 'error' ? t('officer.frontier_auc_error', { error: auc.error })
            : h('button', { type: 'button', class: 'button small estimate-auc', onclick: () => intents.estimateAuc(p) }, t('officer.frontier_estimate'));
      return h('tr', { 'data-chosen': String(!!p.chosen), 'data-k': String(p.k ?? ''), 'data-at-risk': String(p.records_at_risk ?? ''), 'data-suppressed': String(p.suppressed_rows ?? ''), 'data-loss': String(p.information_loss_pct ?? ''), 'data-levels': key(p), 'data-auc': auc?.status === 'done' ? String(auc.value) : '' },
        h('td', {}, String(i + 1)),
        h('td', {}, levelsText(p), p.chosen ? h('strong', { class: 'chosen-tag' }, ` ${t('officer.frontier_chosen')}`) : null),
        h('td', { class: 'num-col' }, ui.fmtInt(p.k)),
        h('td', { class: 'num-col' }, ui.fmtInt(p.records_at_risk)),
        h('td', { class: 'num-col' }, ui.fmtInt(p.suppressed_rows)),
        h('td', { class: 'num-col' }, ui.fmtPct((p.information_loss_pct ?? 0) / 100, 1)),
        h('td', { 'data-satisfies': String(p.satisfies !== false) }, t(p.satisfies === false ? 'officer.frontier_meets_no' : 'officer.frontier_meets_yes')),
        h('td', { class: 'num-col auc-cell' }, aucCell),
        h('td', {}, same(p) ? h('span', { class: 'muted' }, t('officer.frontier_in_recipe'))
          // Only a point that reaches k within the suppression cap can be pinned.
          : p.satisfies === false ? '' : h('button', { type: 'button', class: 'button small use-point', onclick: () => intents.usePoint(p) }, t('officer.frontier_use'))));
    })));
  return h('div', { class: 'frontier-box' }, h('p', { class: 'note' }, t('officer.frontier_intro')),
    h('figure', {}, svg, h('figcaption', {}, t('officer.frontier_chart'))), h('div', { class: 'table-wrap' }, table),
    pinned ? h('p', { class: 'note' }, t('officer.frontier_pinned'), ' ',
      h('button', { type: 'button', class: 'button small', id: 'unpin-levels', onclick: () => intents.usePoint(null) }, t('officer.frontier_unpin'))) : null);
}

// ───────────────────────────── export: the external summary, risk confirmation ─────────────────────────────

/** The external summary's buttons (beside the privacy report's) and the confirmation dialog. */
export function initOfficerControls({ h }) {
  const anchor = document.querySelector('#open-privacy-report');
  if (anchor && !document.querySelector('#download-external-report')) {
    anchor.after(
      h('button', { id: 'download-external-report', type: 'button', class: 'button', disabled: true }),
      h('button', { id: 'open-external-report', type: 'button', class: 'button', disabled: true }),
      h('label', { class: 'report-lang' }, h('span', { id: 'report-lang-label' }), ' ',
        h('select', { id: 'report-lang' },
          h('option', { value: '' }), h('option', { value: 'en', lang: 'en' }, 'English'), h('option', { value: 'zh', lang: 'zh' }, '中文'))));
  }
  document.body.append(h('dialog', { id: 'risk-confirm', 'aria-labelledby': 'risk-confirm-h' },
    h('form', { method: 'dialog', id: 'risk-confirm-form' },
      h('h2', { id: 'risk-confirm-h' }),
      h('p', { id: 'risk-confirm-text' }),
      h('label', { for: 'risk-reason', id: 'risk-reason-label' }),
      h('textarea', { id: 'risk-reason', rows: 3, required: true }),
      h('label', { for: 'risk-by', id: 'risk-by-label' }),
      h('input', { id: 'risk-by', type: 'text', autocomplete: 'name' }),
      h('p', { id: 'risk-confirm-error', class: 'status', role: 'alert' }),
      h('div', { class: 'export-row' },
        h('button', { id: 'risk-confirm-ok', type: 'button', class: 'button' }),
        h('button', { id: 'risk-confirm-cancel', type: 'button', class: 'button secondary' })))));
}

/** Wire the controls made by initOfficerControls to `intents` (once). */
export function wireOfficerControls(ui, intents) {
  const $ = (sel) => document.querySelector(sel);
  $('#report-lang')?.addEventListener('change', (e) => intents.setReportLang(e.target.value));
  $('#download-external-report')?.addEventListener('click', () => intents.exportFile('external_report', ui));
  $('#open-external-report')?.addEventListener('click', () => intents.openReport('external', ui));
  $('#risk-confirm-ok').addEventListener('click', () => {
    const reason = $('#risk-reason').value.trim();
    if (!reason) {
      $('#risk-confirm-error').textContent = ui.t('officer.confirm_need_reason');
      $('#risk-reason').focus();
      return;
    }
    $('#risk-confirm').close();
    intents.acceptRisk(reason, $('#risk-by').value, ui);
  });
  $('#risk-confirm-cancel').addEventListener('click', () => {
    $('#risk-confirm').close();
    intents.cancelRiskConfirm();
  });
  $('#risk-confirm').addEventListener('cancel', () => intents.cancelRiskConfirm());
}

/** The dialog asking to confirm an export above the threshold, and the external summary's buttons. */
export function exportOfficerView(ui) {
  const { t } = ui;
  return (state) => {
    const $ = (sel) => document.querySelector(sel);
    for (const id of ['#download-external-report', '#open-external-report']) {
      const b = $(id);
      if (!b) continue;
      b.disabled = !state.report;
      b.textContent = t(id === '#open-external-report' ? 'export.open_external_report' : 'export.external_report');
    }
    const langSelect = $('#report-lang');
    if (langSelect) {
      $('#report-lang-label').textContent = t('report.language');
      langSelect.options[0].textContent = t('report.language_page');
      langSelect.value = state.reportLang || '';
    }
    const dialog = $('#risk-confirm');
    $('#risk-confirm-h').textContent = t('officer.confirm_title');
    $('#risk-reason-label').textContent = t('officer.confirm_reason');
    $('#risk-by-label').textContent = t('officer.confirm_by');
    $('#risk-confirm-ok').textContent = t('officer.confirm_ok');
    $('#risk-confirm-cancel').textContent = t('officer.confirm_cancel');
    const m = measurement(state.report?.privacy);
    if (state.riskConfirm && m) {
      const r = m.risk || {};
      $('#risk-confirm-text').textContent = t('officer.confirm_text', {
        count: ui.fmtInt(r.records_at_risk), pct: ui.fmtPct(isNum(r.records_at_risk_pct) ? r.records_at_risk_pct / 100 : null),
        k: ui.fmtInt(m.after.k_anonymity), threshold: ui.fmtPct(r.threshold, 0),
      });
      dialog.dataset.atRisk = String(r.records_at_risk ?? '');
      dialog.dataset.k = String(m.after.k_anonymity ?? '');
      if (!dialog.open) {
        $('#risk-confirm-error').textContent = '';
        $('#risk-reason').value = '';
        dialog.showModal();
        $('#risk-reason').focus();
      }
    } else if (dialog.open) dialog.close();
  };
}

// ───────────────────────────── population picker ─────────────────────────────

/**
 * The population the records were drawn from (`risk.population`: none, a built-in population
 * with its source, or a size) and the population table for k-map (`risk.population_table`).
 * Built once into `box`, then kept in step with the recipe (inputs keep their focus).
 * `populations`: the core's built-in list; `intents.setRisk(patch)`.
 */
export function populationPicker(box, recipe, ui, intents, populations) {
  const { h, t } = ui;
  const risk = recipe?.risk || {};
  if (!box.firstChild) {
    const select = h('select', { id: 'population-choice' });
    const size = h('input', { id: 'population-size', type: 'number', min: 1, step: 1, inputmode: 'numeric' });
    const file = h('input', { id: 'population-table-file', type: 'file', accept: '.csv,text/csv,text/plain' });
    select.addEventListener('change', () => {
      const v = select.value;
      box.dataset.custom = v === 'custom' ? '1' : '';
      if (v === '') intents.setRisk({ population: undefined });
      else if (v === 'custom') {
        size.hidden = false;
        size.focus();
      } else intents.setRisk({ population: v });
    });
    size.addEventListener('change', () => {
      const n = Math.round(Number(size.value));
      if (size.value !== '' && Number.isFinite(n) && n >= 1) intents.setRisk({ population: n });
    });
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      const csv = await f.text();
      file.value = '';
      intents.setRisk({ population_table: { name: f.name, csv } });
    });
    box.append(
      h('h3', { id: 'population-h' }),
      h('p', { class: 'note', id: 'population-intro' }),
      h('div', { class: 'population-row' },
        h('label', { for: 'population-choice', id: 'population-choice-label' }), ' ', select, ' ',
        h('label', { for: 'population-size', id: 'population-size-label', class: 'visually-hidden' }), size),
      h('p', { id: 'population-source', class: 'muted' }),
      h('div', { class: 'population-row' },
        h('label', { for: 'population-table-file', id: 'population-table-label' }), ' ', file),
      h('p', { id: 'population-table-status' }),
      h('button', { id: 'population-table-remove', type: 'button', class: 'button secondary', onclick: () => intents.setRisk({ population_table: undefined }) }));
  }
  const $ = (sel) => box.querySelector(sel);
  $('#population-h').textContent = t('kmap.title');
  $('#population-intro').textContent = t('kmap.intro');
  $('#population-choice-label').textContent = t('kmap.population');
  $('#population-size-label').textContent = t('kmap.size');
  $('#population-table-label').textContent = t('kmap.table');
  $('#population-table-remove').textContent = t('kmap.table_remove');
  const select = $('#population-choice');
  const builtIn = typeof risk.population === 'string' ? populations.find((p) => p.name.toLowerCase() === risk.population.toLowerCase()) : null;
  const custom = isNum(risk.population);
  const options = [
    ['', t('kmap.none')],
    ...populations.map((p) => [p.name, t('kmap.built_in', { label: ui.has(`kmap.pop.${p.name}`) ? t(`kmap.pop.${p.name}`) : p.label, size: ui.fmtInt(p.size) })]),
    ['custom', t('kmap.custom')],
  ];
  select.replaceChildren(...options.map(([value, text]) => h('option', { value }, text)));
  const size = $('#population-size');
  select.value = builtIn ? builtIn.name : custom || box.dataset.custom ? 'custom' : '';
  size.hidden = select.value !== 'custom';
  if (custom && document.activeElement !== size) size.value = String(risk.population);
  $('#population-source').textContent = builtIn ? t('kmap.source', { source: builtIn.source })
    : custom ? t('kmap.custom_note', { size: ui.fmtInt(risk.population) }) : t('kmap.none_note');
  const table = risk.population_table;
  const status = $('#population-table-status');
  status.dataset.loaded = String(!!table);
  if (table) {
    const lines = String(table.csv ?? '').split(/\r?\n/).filter((l) => l.trim());
    status.textContent = t('kmap.table_loaded', { name: table.name ?? '—', rows: ui.fmtInt(Math.max(0, lines.length - 1)), columns: (lines[0] ?? '').split(',').map((c) => c.trim()).filter((c) => c.toLowerCase() !== 'count').join(', ') });
  } else {
    status.textContent = t('kmap.table_none');
  }
  $('#population-table-remove').hidden = !table;
}
