// "Apply a model to new records": download a trained model as JSON (one per model of the last
// run), import a model file, pick a CSV of new records, score them in the worker, show the first
// rows and download the predictions. All work happens in the worker (actions export_model and
// apply_model, through api.js); nothing leaves the page. The panel's state is `state.apply` in the
// store: `applyActions` update it, `applyView` draws it.
import { h } from './dom.js';
import { warningTexts } from './message.js';
import { parseCsvText, rowExplanation } from './explain-view.js';
import { applySurvivalView } from './survival-view.js';

const SHOWN_ROWS = 10;

/** The panel's part of the state. */
export const APPLY_START = Object.freeze({
  model: null, modelName: null, file: null, result: null, busy: false, status: null, explain: false, explainRow: 0, curveRow: 0,
});

function summary(model, fmt) {
  let b;
  try {
    b = JSON.parse(model);
  } catch {
    return null;
  }
  if (!b || typeof b !== 'object') return null;
  const metric = b.target?.task === 'regression' ? 'r2' : b.target?.task === 'survival' ? 'c_index' : 'roc_auc';
  const value = b.evaluation?.metrics?.[metric]?.mean;
  return {
    kind: b.kind ?? '?',
    target: b.target?.column ?? '?',
    file: b.created_from?.file ?? '?',
    rows: b.created_from?.rows_used ?? '?',
    metric,
    value: Number.isFinite(value) ? fmt(value, 3) : '—',
    rowsInside: Array.isArray(b.contains_training_rows) ? b.contains_training_rows : [],
  };
}

/**
 * The panel's intents. `ctx`: {store, api, ui, errorText(err), download(name, text, type),
 * baseName()}; the last finished run is `state.runRecipe` and `state.report`.
 */
export function applyActions({ store, api, ui, errorText, download, baseName }) {
  const { t } = ui;
  const set = (patch) => store.update((s) => ({ apply: { ...s.apply, ...patch } }));
  const get = () => store.state.apply;

  async function exportModel(index) {
    const { runRecipe: recipe, report } = store.state;
    if (!recipe || !report) return;
    set({ busy: true, status: { text: () => t('apply.exporting'), kind: 'running' } });
    try {
      const json = await api.exportModel(recipe, report, index);
      const kind = report.models[index]?.kind ?? 'model';
      const name = `${baseName()}-model-${index}-${kind}.json`;
      download(name, json, 'application/json');
      set({ model: json, modelName: name, result: null, status: { text: () => t('apply.exported', { name }), kind: 'done' } });
    } catch (err) {
      set({ status: { text: () => t('apply.error', { error: errorText(err) }), kind: 'error' } });
    } finally {
      set({ busy: false });
    }
  }

  async function importModel(file) {
    if (!file) return;
    const text = await file.text();
    if (!summary(text, ui.fmtDec)) set({ status: { text: () => t('apply.not_a_model', { name: file.name }), kind: 'error' } });
    else set({ model: text, modelName: file.name, result: null, status: null });
  }

  async function pickRecords(file) {
    if (!file) return;
    set({ file: { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, result: null, status: null });
  }

  async function score() {
    const s = get();
    if (!s.model || !s.file || s.busy) return;
    set({ busy: true, status: { text: () => t('apply.scoring'), kind: 'running' } });
    try {
      const out = await api.applyModel(s.model, s.file.bytes.slice().buffer, s.file.name, s.explain);
      set({ result: out, explainRow: 0, curveRow: 0, status: { text: () => t('apply.done', { scored: out.predictions.scored.length, rows: out.predictions.rows }), kind: 'done' } });
    } catch (err) {
      set({ result: null, status: { text: () => t('apply.error', { error: errorText(err) }), kind: 'error' } });
    } finally {
      set({ busy: false });
    }
  }

  function downloadPredictions() {
    const s = get();
    download(`${s.file.name.replace(/\.[^.]*$/, '')}-predictions.csv`, s.result.csv, 'text/csv;charset=utf-8');
  }

  // With explanations, the waterfall of the chosen scored row (an index into `scored`).
  const setExplain = (on) => set({ explain: !!on, result: null });
  const chooseRow = (index) => set({ explainRow: Math.max(0, index | 0) });
  // A time-to-event model: the scored row whose predicted survival curve is drawn.
  const chooseCurveRow = (index) => set({ curveRow: Math.max(0, index | 0) });

  return { exportModel, importModel, pickRecords, score, downloadPredictions, setExplain, chooseRow, chooseCurveRow };
}

/** The panel drawn from the state into `root`; `intents` from applyActions. */
export function applyView(root, ui, intents) {
  const { t } = ui;
  const tables = new WeakMap();
  const tableOf = (file) => {
    if (!file?.bytes) return null;
    if (!tables.has(file)) tables.set(file, parseCsvText(new TextDecoder().decode(file.bytes)));
    return tables.get(file);
  };

  function resultView(state) {
    const p = state.result?.predictions;
    if (!p) return null;
    const fmt = (v, d) => ui.fmtDec(v, d);
    if (p.task === 'survival') return survivalResult(state, p);
    const regression = p.task === 'regression';
    const head = regression
      ? [t('apply.col_row'), t('apply.col_line'), t('apply.col_value')]
      : [t('apply.col_row'), t('apply.col_line'), t('apply.col_probability'), t('apply.col_class')];
    const rows = p.scored.slice(0, SHOWN_ROWS).map((s) => h('tr', {},
      h('td', {}, String(s.row)), h('td', {}, String(s.line)),
      ...(regression
        ? [h('td', { class: 'num' }, fmt(s.value, 3))]
        : [h('td', { class: 'num' }, fmt(s.probability, 3)), h('td', {}, s.class ?? '')])));
    const unscored = p.unscorable.slice(0, SHOWN_ROWS).map((u) =>
      h('li', {}, t('apply.unscored_row', { line: u.line, field: u.field, reason: u.reason })));
    return h('div', { id: 'apply-result', 'data-scored': String(p.scored.length), 'data-unscored': String(p.unscorable.length) },
      h('p', {}, t('apply.counts', { scored: p.scored.length, unscored: p.unscorable.length, rows: p.rows })),
      h('table', { class: 'table', id: 'apply-table' },
        h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...rows)),
      p.scored.length > SHOWN_ROWS ? h('p', { class: 'note' }, t('apply.first_rows', { shown: SHOWN_ROWS })) : null,
      unscored.length ? h('div', {}, h('h4', {}, t('apply.unscored_title')), h('ul', { id: 'apply-unscored' }, ...unscored)) : null,
      p.warnings.length ? h('ul', { class: 'warnings' }, ...warningTexts(p.warnings, p.warning_codes).map((w) => h('li', {}, w))) : null,
      p.explanation ? rowExplanation(p, tableOf(state.file), state.explainRow, ui, intents.chooseRow) : null,
      h('button', { type: 'button', class: 'button', id: 'apply-download', onclick: intents.downloadPredictions }, t('apply.download_predictions')));
  }

  /** A time-to-event model's scores: risk score, survival at the horizons, a row's curve. */
  function survivalResult(state, p) {
    const unscored = p.unscorable.slice(0, SHOWN_ROWS).map((u) =>
      h('li', {}, t('apply.unscored_row', { line: u.line, field: u.field, reason: u.reason })));
    return h('div', { id: 'apply-result', 'data-task': 'survival', 'data-scored': String(p.scored.length), 'data-unscored': String(p.unscorable.length) },
      h('p', {}, t('apply.counts', { scored: p.scored.length, unscored: p.unscorable.length, rows: p.rows })),
      ...(applySurvivalView(state.result, ui, { shown: SHOWN_ROWS, row: state.curveRow ?? 0, chooseRow: intents.chooseCurveRow }) || []),
      p.scored.length > SHOWN_ROWS ? h('p', { class: 'note' }, t('apply.first_rows', { shown: SHOWN_ROWS })) : null,
      unscored.length ? h('div', {}, h('h4', {}, t('apply.unscored_title')), h('ul', { id: 'apply-unscored' }, ...unscored)) : null,
      p.warnings.length ? h('ul', { class: 'warnings' }, ...warningTexts(p.warnings, p.warning_codes).map((w) => h('li', {}, w))) : null,
      h('button', { type: 'button', class: 'button', id: 'apply-download', onclick: intents.downloadPredictions }, t('apply.download_predictions')));
  }

  return function drawApply(state) {
    const s = state.apply;
    const models = state.runRecipe ? state.report?.models ?? [] : [];
    const info = s.model ? summary(s.model, (v, d) => ui.fmtDec(v, d)) : null;
    const fileInput = (id, accept, onchange, label) => [
      h('input', { type: 'file', id, accept, class: 'visually-hidden', onchange: (e) => onchange(e.target.files?.[0]) }),
      h('label', { for: id, class: 'button' }, label),
    ];
    root.replaceChildren(
      h('p', { class: 'note' }, t('apply.intro')),
      h('div', { class: 'export-row', id: 'apply-exports' },
        ...(models.length
          ? models.map((m, i) => h('button', {
            type: 'button', class: 'button', 'data-model-index': String(i), disabled: s.busy,
            onclick: () => intents.exportModel(i),
          }, t('apply.download_model', { kind: t(`model.${m.kind}`) })))
          : [h('p', { class: 'note' }, t('apply.need_run'))])),
      h('p', { class: 'note' }, t('apply.privacy_note')),
      h('div', { class: 'field' }, ...fileInput('apply-model-file', '.json,application/json', intents.importModel, t('apply.import_model'))),
      info
        ? h('div', { id: 'apply-model', 'data-kind': info.kind },
          h('p', {}, t('apply.model_summary', { name: s.modelName, kind: info.kind, target: info.target, file: info.file, rows: info.rows, metric: info.metric, value: info.value })),
          info.rowsInside.length ? h('p', { class: 'warning' }, t('apply.rows_inside')) : null)
        : h('p', { class: 'note' }, t('apply.no_model')),
      h('div', { class: 'field' }, ...fileInput('apply-records-file', '.csv,.tsv,.txt,text/csv', intents.pickRecords, t('apply.pick_records')),
        s.file ? h('span', { id: 'apply-records-name' }, ` ${s.file.name}`) : null),
      h('div', { class: 'field' }, h('label', { class: 'check' },
        h('input', { type: 'checkbox', id: 'apply-explain-toggle', checked: !!s.explain, disabled: s.busy, onchange: (e) => intents.setExplain(e.target.checked) }),
        ' ', t('explain.apply_toggle'))),
      h('button', { type: 'button', class: 'button primary', id: 'apply-score', disabled: !s.model || !s.file || s.busy, onclick: intents.score }, t('apply.score')),
      h('p', { id: 'apply-status', class: s.status?.kind === 'error' ? 'error' : 'status', role: 'status' }, s.status ? s.status.text() : ''),
      resultView(s) ?? '', // replaceChildren would write a null as the text "null"
    );
  };
}
