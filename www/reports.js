// Printable reports built from the Report JSON: a privacy report (input fingerprint, each privacy
// step and what it did, before/after risk) and a model report (data, readable recipe, metrics with
// 95% intervals, ROC and calibration charts, confusion matrices, importances, fairness). Each is a
// self-contained HTML document: inline CSS only, no script, no external URL, print styles for A4,
// in the page's current language. Also the two views the results page shares with the reports:
// the confusion matrix and the before/after privacy table.
// `ui`: {h, t, has, fmtInt, fmtDec, fmtPct, fmtNum, fmtDate, list, modelLabel, metricLabel, lang}.
import { metricBars, unitLines } from './charts.js';
import { describeRecipe } from './recipe-view.js';
import { noteText, warningTexts } from './message.js';
import { evaluationViews } from './evaluation-view.js';
import { explainViews } from './explain-view.js';
import { explanations, measurement, minClass } from './officer.js';
import { CLASS_KEYS, REG_KEYS, fairnessView, importanceView } from './results.js';
import { populations } from './schema.js';
import { isSurvivalReport, survivalViews } from './survival-view.js';
import { tripodSection } from './tripod.js';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);

// ───────────────────────────── shared views ─────────────────────────────

/** Confusion matrix at the report's threshold; blue = correct, orange = error (Okabe–Ito). */
export function confusionMatrix(model, target, ui) {
  const { h, t } = ui;
  const cm = model.confusion_matrix;
  const classes = arr(target?.classes);
  const negativeClass = classes.find((c) => c !== target?.positive);
  const pos = target?.positive != null ? `${t('results.positive')} (${target.positive})` : t('results.positive');
  const neg = negativeClass != null ? `${t('results.negative')} (${negativeClass})` : t('results.negative');
  const total = ['tp', 'fp', 'tn', 'fn'].reduce((s, k) => s + (isNum(cm[k]) ? cm[k] : 0), 0) || 1;
  const cell = (key, correct) => {
    const v = cm[key];
    const td = h('td', { class: `cm-cell ${correct ? 'cm-correct' : 'cm-wrong'}`, 'data-cell': key, title: t(`results.${key}`) },
      h('span', { class: 'cm-value' }, ui.fmtInt(v)), h('span', { class: 'cm-label' }, t(`results.${key}`)));
    const share = isNum(v) ? v / total : 0;
    const alpha = (0.12 + 0.6 * Math.sqrt(share)).toFixed(3);
    td.style.backgroundColor = correct ? `rgba(0, 114, 178, ${alpha})` : `rgba(230, 159, 0, ${alpha})`;
    return td;
  };
  const caption = t('results.confusion', { model: ui.modelLabel(model.kind) });
  return h('figure', { class: 'cm', 'data-kind': model.kind },
    h('table', { class: 'cm-table' },
      h('caption', {}, caption),
      h('thead', {},
        h('tr', {}, h('td', { colspan: 2 }), h('th', { scope: 'colgroup', colspan: 2 }, t('results.predicted'))),
        h('tr', {}, h('td', { colspan: 2 }),
          h('th', { scope: 'col' }, pos), h('th', { scope: 'col' }, neg))),
      h('tbody', {},
        h('tr', {}, h('th', { scope: 'rowgroup', rowspan: 2, class: 'cm-axis' }, t('results.actual')),
          h('th', { scope: 'row' }, pos), cell('tp', true), cell('fn', false)),
        h('tr', {}, h('th', { scope: 'row' }, neg), cell('fp', false), cell('tn', true)))));
}

/** Before/after privacy measures (k, l, t, records at risk, prosecutor risk) and the output shape. */
export function privacySummary(p, ui) {
  const { h, t } = ui;
  const before = p.before || {};
  const rows = [
    ['privacy.k_anonymity', 'k-anonymity', (m) => ui.fmtInt(m.k_anonymity)],
    ['privacy.l_diversity', 'l-diversity', (m) => ui.fmtInt(m.l_diversity)],
    ['privacy.t_closeness', 't-closeness', (m) => ui.fmtDec(m.t_closeness)],
    ['privacy.records_at_risk', 'records-at-risk', (m) => (isNum(m.risk?.records_at_risk)
      ? `${ui.fmtInt(m.risk.records_at_risk)} (${ui.fmtPct(isNum(m.risk.records_at_risk_pct) ? m.risk.records_at_risk_pct / 100 : null)})`
      : t('results.none'))],
    ['privacy.prosecutor_max', 'prosecutor-max', (m) => ui.fmtPct(m.risk?.prosecutor_max)],
    ['privacy.prosecutor_avg', 'prosecutor-avg', (m) => ui.fmtPct(m.risk?.prosecutor_avg, 2)],
  ];
  const quasi = arr(p.quasi_identifiers);
  const threshold = p.risk?.threshold ?? before.risk?.threshold;
  return h('div', {},
    h('div', { class: 'table-wrap narrow' }, h('table', { id: 'privacy-summary', class: 'data' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('privacy.measure')),
        h('th', { scope: 'col', class: 'num-col' }, t('privacy.before')),
        h('th', { scope: 'col', class: 'num-col' }, t('privacy.after')))),
      h('tbody', {}, ...rows.map(([key, id, show]) => h('tr', { 'data-field': id },
        h('th', { scope: 'row' }, t(key)),
        h('td', { class: 'num-col', 'data-when': 'before' }, show(before)),
        h('td', { class: 'num-col', 'data-when': 'after' }, show(p))))))),
    h('dl', { class: 'kv' },
      h('dt', {}, t('privacy.quasi')), h('dd', {}, quasi.length ? quasi.join(', ') : t('results.none')),
      h('dt', {}, t('privacy.suppressed_rows')), h('dd', { 'data-field': 'suppressed' }, ui.fmtInt(p.suppressed_rows)),
      isNum(p.output_rows) ? [h('dt', {}, t('privacy.output')),
        h('dd', {}, t('privacy.output_shape', { rows: ui.fmtInt(p.output_rows), columns: ui.fmtInt(p.output_columns?.length) }))] : null),
    h('p', { class: 'note' }, t('privacy.k_help'),
      isNum(threshold) ? ` ${t('privacy.risk_help', { threshold: ui.fmtPct(threshold, 0) })}` : ''));
}

// ───────────────────────────── the documents ─────────────────────────────

const CSS = `
:root { color: #1b2733; background: #fff; font: 11pt/1.45 system-ui, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
body { margin: 0; }
main { max-width: 48rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.2rem; color: #0072b2; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid #d5dde5; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 1rem 0 0.3rem; }
.meta, .note, figcaption { color: #5a6b7b; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.4rem 0; font-variant-numeric: tabular-nums; }
table.data th, table.data td { border: 1px solid #d5dde5; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
table.data thead th { background: #eef3f7; }
.num-col { text-align: right !important; }
code, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.85em; overflow-wrap: anywhere; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.kv dt { font-weight: 600; }
dl.kv dd { margin: 0; }
ol.steps li, ul.warnings li { margin: 0.2rem 0; }
.warnings li { color: #a04000; }
.ci { color: #5a6b7b; }
figure { margin: 0.8rem 0; }
svg.chart { width: 100%; max-width: 34rem; height: auto; font-size: 11px; }
svg.chart .grid { stroke: #e1e7ec; stroke-width: 1; }
svg.chart .tick { fill: #5a6b7b; }
svg.chart .axis-label, svg.chart .legend { fill: #1b2733; }
svg.chart .whisker { stroke: #1b2733; stroke-width: 1.3; }
.hr-table tr.flagged th, .warning { color: #a04000; }
.cm-grid { display: flex; flex-wrap: wrap; gap: 1rem; }
table.cm-table { border-collapse: separate; border-spacing: 3px; font-size: 0.9rem; }
table.cm-table caption { text-align: left; font-weight: 600; caption-side: top; }
table.cm-table th { font-weight: 600; padding: 0.2rem 0.4rem; color: #5a6b7b; }
.cm-axis { writing-mode: vertical-rl; transform: rotate(180deg); }
td.cm-cell { width: 7rem; height: 3.6rem; text-align: center; border: 1px solid #d5dde5; }
td.cm-wrong { border-style: dashed; }
.cm-value { display: block; font-size: 1.2rem; font-weight: 700; }
.cm-label { display: block; font-size: 0.75rem; }
.model { break-inside: auto; }
.flagged { color: #a04000; font-weight: 600; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  :root { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  table, figure, dl, .cm-grid { break-inside: avoid; }
  .model { break-before: page; }
  td.cm-cell, table.data thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** A report as a detached element (`body`), its title, language and stylesheet. */
function reportDocument(title, body, ui) {
  // Elements carry no ids in a report (a view may appear once per model).
  for (const node of body.querySelectorAll('[id]')) node.removeAttribute('id');
  return { title, body, lang: ui.lang, css: CSS };
}

/**
 * The report as a complete HTML document (text). Written as text: a <style> element created or
 * parsed in any document of this page would be refused by its CSP. Closing tags are spelled
 * `<\/...>` so that the one-file build can inline this script.
 */
export function reportHtml({ title, body, lang, css }) {
  const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<!doctype html>\n<html lang="${escape(lang)}">\n<head>\n<meta charset="utf-8">\n`
    + `<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="generator" content="Bedside">\n`
    + `<title>${escape(title)}<\/title>\n<style>${css}<\/style>\n<\/head>\n<body>\n${body.outerHTML}\n<\/body>\n<\/html>\n`;
}

/**
 * Show a report in `win` (a new, empty tab of this page, which inherits the page's CSP): the
 * stylesheet is adopted through the CSSOM and the body moved in, so nothing is parsed as inline style.
 */
export function showReport(win, { title, body, lang, css }) {
  const doc = win.document;
  const sheet = new win.CSSStyleSheet();
  sheet.replaceSync(css);
  doc.documentElement.lang = lang;
  doc.title = title;
  doc.adoptedStyleSheets = [sheet];
  doc.body.replaceChildren(doc.adoptNode(body));
}

function header(report, titleKey, ui) {
  const { h, t } = ui;
  return [
    h('h1', {}, t(titleKey)),
    h('p', { class: 'meta' }, t('report.generated', { date: ui.fmtDate(new Date()), version: report.bedside_version ?? '—' })),
  ];
}

function fingerprint(report, ui) {
  const { h, t } = ui;
  const input = report.input || {};
  return [
    h('h2', {}, t('report.input')),
    h('dl', { class: 'kv', 'data-section': 'fingerprint' },
      h('dt', {}, t('report.file')), h('dd', { 'data-field': 'file' }, input.file ?? t('results.none')),
      h('dt', {}, t('report.sha256')), h('dd', { class: 'mono', 'data-field': 'sha256' }, input.sha256 ?? t('results.none')),
      h('dt', {}, t('report.rows')), h('dd', { 'data-field': 'rows', 'data-value': String(input.rows ?? '') }, ui.fmtInt(input.rows)),
      h('dt', {}, t('report.columns')), h('dd', { 'data-field': 'columns', 'data-value': String(input.columns ?? '') }, ui.fmtInt(input.columns)),
      h('dt', {}, t('report.rejected')), h('dd', { 'data-field': 'rejected' }, ui.fmtInt(arr(input.rejected_rows).length))),
  ];
}

function warnings(report, ui) {
  const { h, t } = ui;
  const list = warningTexts(report.warnings, report.warning_codes);
  return [h('h2', {}, t('results.warnings')),
    list.length ? h('ul', { class: 'warnings' }, ...list.map((w) => h('li', {}, w)))
      : h('p', { class: 'note' }, t('report.no_warnings'))];
}

/** The privacy report ({title, body, lang, css}; reportHtml() makes it a document). */
export function privacyReport(report, ui) {
  const { h, t } = ui;
  const p = report.privacy || {};
  const risk = p.risk || {};
  const before = p.before?.risk || {};
  const audit = arr(report.audit).filter((a) => String(a.step ?? '').startsWith('privacy['));
  const readable = describeRecipe({ privacy: audit.map((a) => ({ ...(a.args || {}), op: a.op })) }, ui);
  const loss = p.information_loss || {};
  const pair = (key, field, fmt) => h('tr', { 'data-field': field },
    h('th', { scope: 'row' }, t(key)), h('td', { class: 'num-col', 'data-when': 'before' }, fmt(before[field])), h('td', { class: 'num-col', 'data-when': 'after' }, fmt(risk[field])));
  const body = h('main', { 'data-report': 'privacy' },
    ...header(report, 'report.privacy_title', ui),
    h('p', {}, t('report.privacy_intro')),
    ...fingerprint(report, ui),
    h('h2', {}, t('report.steps')),
    audit.length ? h('table', { class: 'data', 'data-section': 'steps' },
      h('thead', {}, h('tr', {}, ...['report.step', 'report.what', 'report.rows_affected', 'report.cells_affected', 'report.note'].map((k, i) =>
        h('th', { scope: 'col', class: i === 2 || i === 3 ? 'num-col' : null }, t(k))))),
      h('tbody', {}, ...audit.map((a, i) => h('tr', { 'data-op': a.op },
        h('td', {}, h('code', {}, `${a.step} ${a.op}`)),
        h('td', {}, readable[i]?.text ?? a.op),
        h('td', { class: 'num-col' }, ui.fmtInt(a.rows_affected)),
        h('td', { class: 'num-col' }, ui.fmtInt(a.cells_affected)),
        h('td', {}, noteText(a))))))
      : h('p', { class: 'note' }, t('report.no_privacy_steps')),
    h('h2', {}, t('report.risk')),
    h('p', { 'data-field': 'k', 'data-before': String(p.before?.k_anonymity ?? ''), 'data-after': String(p.k_anonymity ?? '') },
      t('report.k_summary', { before: ui.fmtInt(p.before?.k_anonymity), after: ui.fmtInt(p.k_anonymity) })),
    privacySummary(p, ui),
    h('h3', {}, t('report.reid')),
    h('table', { class: 'data', 'data-section': 'reid' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('privacy.measure')), h('th', { scope: 'col', class: 'num-col' }, t('privacy.before')), h('th', { scope: 'col', class: 'num-col' }, t('privacy.after')))),
      h('tbody', {},
        pair('report.journalist_max', 'journalist_max', (v) => ui.fmtPct(v)),
        pair('report.journalist_avg', 'journalist_avg', (v) => ui.fmtPct(v, 2)),
        pair('report.marketer', 'marketer', (v) => ui.fmtPct(v, 2)),
        pair('report.uniques', 'uniques', (v) => ui.fmtInt(v)))),
    h('h3', {}, t('report.loss')),
    h('dl', { class: 'kv', 'data-section': 'loss' },
      h('dt', {}, t('report.discernibility')), h('dd', {}, ui.fmtInt(loss.discernibility)),
      h('dt', {}, t('report.entropy_loss')), h('dd', {}, isNum(loss.non_uniform_entropy_pct) ? ui.fmtPct(loss.non_uniform_entropy_pct / 100) : t('results.none'))),
    h('h3', {}, t('officer.explain_title')),
    h('ul', { 'data-section': 'explain' }, ...explanations(measurement(p), ui, sensitiveOf(report)).map((e) => h('li', { 'data-figure': e.id }, e.text))),
    ...attributeRiskSection(p, ui, false),
    ...methodSection(report, ui, false),
    ...warnings(report, ui),
    h('h2', {}, t('results.rejected')),
    arr(report.input?.rejected_rows).length
      ? h('ul', {}, ...report.input.rejected_rows.map((r) => h('li', {}, t('profile.rejected_row', { line: ui.fmtInt(r.line), reason: noteText(r, 'reason') }))))
      : h('p', { class: 'note' }, t('profile.rejected_none')));
  return reportDocument(t('report.privacy_title'), body, ui);
}

const sensitiveOf = (report) => Object.entries(report.recipe?.columns || {}).find(([, r]) => r === 'sensitive')?.[0] ?? null;

/** A count for a report that discloses no small count: 1–4 shown as "<5". */
export function safeCount(n, ui, external) {
  if (!isNum(n)) return ui.t('results.none');
  return external && n > 0 && n < 5 ? '<5' : ui.fmtInt(n);
}

/** The accepted risk of a run: the recipe's `risk.accept` (recorded in the audit as `accept_risk`). */
function acceptedRisk(report) {
  const entry = arr(report.audit).find((a) => a.op === 'accept_risk');
  const accept = report.recipe?.risk?.accept || entry?.args || null;
  return accept && (accept.reason || entry) ? { reason: accept.reason ?? entry?.note ?? '', by: accept.by ?? null, audited: !!entry } : null;
}

/** Ranked attribute risk (share of records made unique per quasi-identifier and pair). */
function attributeRiskSection(p, ui, external) {
  const { h, t } = ui;
  const list = arr(p.attribute_risk).some((e) => e.uniques > 0) ? arr(p.attribute_risk) : arr(p.attribute_risk_before);
  if (!list.length) return [];
  const before = !arr(p.attribute_risk).some((e) => e.uniques > 0);
  return [h('h3', {}, t('officer.attr_title')),
    h('p', { class: 'note' }, t(before ? 'officer.attr_caption_input' : 'officer.attr_caption')),
    h('table', { class: 'data', 'data-section': 'attribute-risk' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('officer.attr_columns')), h('th', { scope: 'col', class: 'num-col' }, t('officer.attr_share')), h('th', { scope: 'col', class: 'num-col' }, t('officer.attr_uniques')))),
      h('tbody', {}, ...list.slice(0, 10).map((e) => {
        const small = external && e.uniques > 0 && e.uniques < 5;
        return h('tr', {}, h('th', { scope: 'row' }, arr(e.columns).join(' + ')),
          h('td', { class: 'num-col' }, small ? '<5' : ui.fmtPct(e.share, 1)),
          h('td', { class: 'num-col' }, safeCount(e.uniques, ui, external)));
      })))];
}

/**
 * The method as an expert determination states it: the data (shape only), the threat model,
 * the quasi-identifiers, the criteria, the result, the residual risk and any accepted risk.
 * `external`: counts below 5 shown as "<5".
 */
function methodSection(report, ui, external) {
  const { h, t } = ui;
  const p = report.privacy || {};
  const m = measurement(p);
  const r = p.risk || {};
  const kStep = arr(report.recipe?.privacy).find((s) => s?.op === 'k_anonymize');
  const threshold = isNum(r.threshold) ? r.threshold : 0.2;
  const k = kStep?.k ?? minClass(threshold);
  const cap = kStep ? (isNum(kStep.max_suppression) ? kStep.max_suppression : 0) : null;
  const count = (n) => safeCount(n, ui, external);
  const accepted = acceptedRisk(report);
  const kEq = count(p.k_anonymity) === '<5' ? '< 5' : `= ${ui.fmtInt(p.k_anonymity)}`;
  const builtIn = r.population_name ? populations().find((x) => x.name.toLowerCase() === String(r.population_name).toLowerCase()) : null;
  const population = !isNum(r.population_size) ? t('method.no_population')
    : builtIn ? t('report.population_built_in', { population: ui.fmtInt(r.population_size), label: ui.has(`kmap.pop.${builtIn.name}`) ? t(`kmap.pop.${builtIn.name}`) : builtIn.label, source: builtIn.source })
      : t('method.population', { population: ui.fmtInt(r.population_size) });
  const tbl = r.population_table;
  const kmapText = !tbl ? null : t(external ? 'report.kmap_external' : 'report.kmap', {
    name: tbl.name ?? '—', source: tbl.source ?? t('report.kmap_no_source'), columns: ui.list(arr(tbl.columns)),
    k: count(r.k_map), at_risk: count(r.k_map_records_at_risk ?? 0), threshold: ui.fmtPct(threshold, 0),
    missing: count((tbl.missing_records ?? 0) + (tbl.below_sample_records ?? 0)),
  });
  const rows = [
    ['method.data', t('method.data_text', { rows: count(report.input?.rows), out: count(p.output_rows), columns: ui.fmtInt(report.input?.columns), kept: ui.fmtInt(arr(p.output_columns).length) })],
    ['method.threat', `${t('method.threat_text')}${String(ui.lang).startsWith('zh') ? '' : ' '}${population}`],
    ['method.quasi', m?.quasi.length ? t('method.quasi_text', { columns: ui.list(m.quasi), n: ui.fmtInt(m.quasi.length) }) : t('explain.no_quasi')],
    ['method.criteria', t(cap == null ? 'method.criteria_text' : 'method.criteria_text_cap', { k: ui.fmtInt(k), threshold: ui.fmtPct(threshold, 0), cap: ui.fmtPct(cap ?? 0, 0) })],
    ['method.result', t('method.result_text', {
      k_eq: kEq, at_risk: count(r.records_at_risk), suppressed: count(p.suppressed_rows),
      prosecutor: ui.fmtPct(r.prosecutor_max, 0), avg: ui.fmtPct(r.prosecutor_avg, 1), marketer: ui.fmtPct(r.marketer, 1),
      loss: isNum(p.information_loss?.non_uniform_entropy_pct) ? ui.fmtPct(p.information_loss.non_uniform_entropy_pct / 100, 1) : t('results.none'),
    })],
    ...(kmapText ? [['report.kmap_title', kmapText]] : []),
    ['method.residual', t(m?.above ? 'method.residual_above' : 'method.residual_below', { at_risk: count(r.records_at_risk), threshold: ui.fmtPct(threshold, 0), k: ui.fmtInt(p.k_anonymity), k_eq: kEq })],
    ['method.accepted', accepted ? t('method.accepted_text', { reason: accepted.reason, by: accepted.by ?? t('results.none') }) : t('method.accepted_none')],
  ];
  return [h('h2', {}, t('method.title')),
    h('dl', { class: 'kv', 'data-section': 'method' }, ...rows.flatMap(([key, text]) => [h('dt', {}, t(key)), h('dd', { 'data-field': key.replace(/^(method|report)\./, '') }, text)]))];
}

/**
 * The external, non-disclosive summary, fit to attach to a data-release request: the method
 * (as an expert determination states it), the risk figures and what they mean, the privacy
 * steps by operator and columns only. No value, category or argument from the data, no file
 * name, no count below 5 (shown as "<5").
 */
export function externalReport(report, ui) {
  const { h, t } = ui;
  const p = report.privacy || {};
  const m = measurement(p);
  const audit = arr(report.audit).filter((a) => String(a.step ?? '').startsWith('privacy['));
  const opName = (op) => (ui.has(`op.${op}.label`) ? t(`op.${op}.label`) : op);
  const colsOf = (a) => {
    const args = a.args || {};
    return [...arr(args.columns), ...(typeof args.column === 'string' ? [args.column] : []), ...arr(args.quasi)];
  };
  const explained = explanations(m, ui, sensitiveOf(report), { count: (n) => safeCount(n, ui, true) })
    .filter((e) => ['k', 'records_at_risk', 'prosecutor', 'journalist', 'marketer', 'population', 'k_map', 'loss', 'suppressed'].includes(e.id));
  const body = h('main', { 'data-report': 'external' },
    h('h1', {}, t('report.external_title')),
    h('p', { class: 'meta' }, t('report.generated', { date: ui.fmtDate(new Date()), version: report.bedside_version ?? '—' })),
    h('p', {}, t('report.external_intro')),
    h('dl', { class: 'kv' }, h('dt', {}, t('report.sha256')), h('dd', { class: 'mono' }, report.input?.sha256 ?? t('results.none'))),
    ...methodSection(report, ui, true),
    h('h2', {}, t('officer.explain_title')),
    h('ul', { 'data-section': 'explain' }, ...explained.map((e) => h('li', { 'data-figure': e.id }, e.text))),
    ...attributeRiskSection(p, ui, true),
    h('h2', {}, t('report.steps')),
    audit.length ? h('ol', { class: 'steps', 'data-section': 'steps' }, ...audit.map((a) => h('li', { 'data-op': a.op },
      t('report.external_step', { op: opName(a.op), columns: colsOf(a).length ? ui.list(colsOf(a)) : t('results.none') }))))
      : h('p', { class: 'note' }, t('report.no_privacy_steps')));
  return reportDocument(t('report.external_title'), body, ui);
}

/** The model report ({title, body, lang, css}; reportHtml() makes it a document). */
export function modelReport(report, ui) {
  const { h, t, has } = ui;
  const models = arr(report.models);
  const regression = report.target?.task === 'regression';
  const keys = (regression ? REG_KEYS : CLASS_KEYS).filter((k) => models.some((m) => m.metrics?.[k]));
  const target = report.target || {};
  const ev = report.evaluation || {};
  const method = has(`eval.${ev.method}`) ? t(`eval.${ev.method}`) : String(ev.method ?? '—');
  const counts = arr(target.classes).map((c, i) => `${c}: ${ui.fmtInt(target.counts?.[i])}`).join(', ');
  const withCurves = models.filter((m) => m.curves);
  const unitKeys = keys.filter((k) => !['brier', 'log_loss', 'mae', 'rmse'].includes(k));
  // A time-to-event report: its own views (Kaplan–Meier, metrics, hazard ratios) instead of the class ones.
  const survival = isSurvivalReport(report);
  const sv = report.survival || {};
  const targetText = survival
    ? t('survival.results_target', {
      time: sv.time ?? target.column ?? '—', event: sv.event ?? '—', value: String(sv.event_value ?? target.positive ?? '—'),
      events: ui.fmtInt(sv.events ?? target.counts?.[1]), rows: ui.fmtInt(sv.rows ?? arr(target.counts).reduce((a, b) => a + b, 0)),
    })
    : `${target.column ?? '—'}${counts ? ` (${counts})` : ''}`;
  const body = h('main', { 'data-report': 'model' },
    ...header(report, 'report.model_title', ui),
    ...fingerprint(report, ui),
    h('h2', {}, t('report.data')),
    h('dl', { class: 'kv' },
      h('dt', {}, t('report.target')), h('dd', {}, targetText),
      h('dt', {}, t('report.evaluation')), h('dd', {}, t('results.evaluation', { method, splits: ui.fmtInt(ev.splits), seed: String(ev.seed ?? '—') })),
      isNum(ev.intervals?.resamples) ? [h('dt', {}, t('report.intervals')), h('dd', {}, t('report.intervals_how', { resamples: ui.fmtInt(ev.intervals.resamples), level: ui.fmtPct(ev.intervals.level ?? 0.95, 0) }))] : null),
    h('h2', {}, t('report.recipe')),
    h('ol', { class: 'steps' }, ...describeRecipe(report.recipe, ui).map((s) => h('li', { 'data-area': s.area }, s.text))),
    survival ? survivalViews(report, ui, 'h2') : null,
    survival ? null : h('h2', {}, t('report.metrics')),
    survival ? null : h('p', { class: 'note' }, t('report.metrics_note')),
    survival ? null : h('table', { class: 'data', 'data-section': 'metrics' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.model')),
        ...keys.map((k) => h('th', { scope: 'col', class: 'num-col' }, ui.metricLabel(k))))),
      h('tbody', {}, ...models.map((m) => h('tr', { 'data-kind': m.kind },
        h('th', { scope: 'row' }, ui.modelLabel(m.kind)),
        ...keys.map((k) => {
          const s = m.metrics?.[k];
          const v = s?.pooled ?? s?.mean;
          const ci = Array.isArray(s?.ci) ? s.ci : null;
          return h('td', { class: 'num-col', 'data-metric': k, 'data-value': isNum(v) ? String(v) : '', 'data-ci': ci ? ci.join(',') : '' },
            ui.fmtDec(v), ci ? h('span', { class: 'ci' }, ` (${ui.fmtDec(ci[0])}–${ui.fmtDec(ci[1])})`) : null);
        }))))),
    ev.comparison?.note ? h('p', { class: 'note' }, ev.comparison.note) : null,
    models.length && unitKeys.length ? h('figure', {},
      metricBars(models.map((m) => ({ label: ui.modelLabel(m.kind), metrics: m.metrics || {} })), unitKeys.map((k) => ({ key: k, label: ui.metricLabel(k) })),
        { title: t('results.chart'), format: (v) => ui.fmtDec(v, 2) }),
      h('figcaption', {}, t('results.chart'))) : null,
    !regression && withCurves.length ? [
      h('h2', {}, t('report.curves')),
      h('figure', {}, unitLines(withCurves.map((m) => ({ label: ui.modelLabel(m.kind), x: m.curves.roc.fpr, y: m.curves.roc.tpr })),
        { title: t('models.roc_title'), xLabel: t('models.fpr'), yLabel: t('models.tpr'), format: (v) => ui.fmtDec(v, 2) }),
      h('figcaption', {}, t('models.roc_title'))),
      h('figure', {}, unitLines(withCurves.map((m) => ({ label: ui.modelLabel(m.kind), x: m.curves.calibration.mean_predicted, y: m.curves.calibration.fraction_positive, points: true })),
        { title: t('models.calibration_title'), xLabel: t('models.mean_predicted'), yLabel: t('models.fraction_positive'), format: (v) => ui.fmtDec(v, 1) }),
      h('figcaption', {}, t('models.calibration_title')))] : null,
    evaluationViews(report, ui, 'h2'),
    explainViews(report, ui, 'h2', { choose: false, prefix: 'report-explain' }),
    ...models.map((m) => h('section', { class: 'model', 'data-kind': m.kind },
      h('h2', {}, ui.modelLabel(m.kind)),
      m.params && Object.keys(m.params).length ? h('p', { class: 'note' }, Object.entries(m.params).map(([k, v]) => `${k} ${isNum(v) ? ui.fmtNum(v) : String(v)}`).join(' · ')) : null,
      m.confusion_matrix ? h('div', { class: 'cm-grid' }, confusionMatrix(m, target, ui)) : null,
      importanceView(m, ui),
      m.fairness ? fairnessView(m.fairness, ui) : null)),
    tripodSection(report, ui),
    ...warnings(report, ui));
  return reportDocument(t('report.model_title'), body, ui);
}
