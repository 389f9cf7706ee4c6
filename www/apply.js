// "Apply a model to new records": download a trained model as JSON (one per model of the last
// run), import a model file, pick a CSV of new records, score them in the worker, show the first
// rows and download the predictions. All work happens in the worker (actions export_model and
// apply_model); nothing leaves the page.
import { h } from './dom.js';

const SHOWN_ROWS = 10;

/**
 * `ctx`: {bridge, t, fmt(number, digits), errorText(err), download(name, text, type), run() →
 * {recipe, report} of the last finished run (or null), baseName()}.
 */
export function initApply(root, ctx) {
  const state = { model: null, modelName: null, file: null, result: null, busy: false, status: null };
  const { t } = ctx;

  function summary(model) {
    let b;
    try {
      b = JSON.parse(model);
    } catch {
      return null;
    }
    if (!b || typeof b !== 'object') return null;
    const metric = b.target?.task === 'regression' ? 'r2' : 'roc_auc';
    const value = b.evaluation?.metrics?.[metric]?.mean;
    return {
      kind: b.kind ?? '?',
      target: b.target?.column ?? '?',
      file: b.created_from?.file ?? '?',
      rows: b.created_from?.rows_used ?? '?',
      metric,
      value: Number.isFinite(value) ? ctx.fmt(value, 3) : '—',
      rowsInside: Array.isArray(b.contains_training_rows) ? b.contains_training_rows : [],
    };
  }

  async function exportModel(index) {
    const last = ctx.run();
    if (!last) return;
    state.busy = true;
    state.status = { text: () => t('apply.exporting'), kind: 'running' };
    render();
    try {
      const out = await ctx.bridge.call('export_model', {
        recipe: last.recipe, report: last.report, model_index: index,
      });
      const kind = last.report.models[index]?.kind ?? 'model';
      const name = `${ctx.baseName()}-model-${index}-${kind}.json`;
      ctx.download(name, out.json, 'application/json');
      state.model = out.json;
      state.modelName = name;
      state.result = null;
      state.status = { text: () => t('apply.exported', { name }), kind: 'done' };
    } catch (err) {
      state.status = { text: () => t('apply.error', { error: ctx.errorText(err) }), kind: 'error' };
    } finally {
      state.busy = false;
      render();
    }
  }

  async function importModel(file) {
    if (!file) return;
    const text = await file.text();
    if (!summary(text)) {
      state.status = { text: () => t('apply.not_a_model', { name: file.name }), kind: 'error' };
    } else {
      state.model = text;
      state.modelName = file.name;
      state.result = null;
      state.status = null;
    }
    render();
  }

  async function pickRecords(file) {
    if (!file) return;
    state.file = { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
    state.result = null;
    state.status = null;
    render();
  }

  async function score() {
    if (!state.model || !state.file || state.busy) return;
    state.busy = true;
    state.status = { text: () => t('apply.scoring'), kind: 'running' };
    render();
    try {
      const out = await ctx.bridge.call('apply_model', {
        bundle: state.model, bytes: state.file.bytes.slice().buffer, name: state.file.name,
      });
      state.result = out;
      state.status = { text: () => t('apply.done', { scored: out.predictions.scored.length, rows: out.predictions.rows }), kind: 'done' };
    } catch (err) {
      state.result = null;
      state.status = { text: () => t('apply.error', { error: ctx.errorText(err) }), kind: 'error' };
    } finally {
      state.busy = false;
      render();
    }
  }

  function resultView() {
    const p = state.result?.predictions;
    if (!p) return null;
    const regression = p.task === 'regression';
    const head = regression
      ? [t('apply.col_row'), t('apply.col_line'), t('apply.col_value')]
      : [t('apply.col_row'), t('apply.col_line'), t('apply.col_probability'), t('apply.col_class')];
    const rows = p.scored.slice(0, SHOWN_ROWS).map((s) => h('tr', {},
      h('td', {}, String(s.row)), h('td', {}, String(s.line)),
      ...(regression
        ? [h('td', { class: 'num' }, ctx.fmt(s.value, 3))]
        : [h('td', { class: 'num' }, ctx.fmt(s.probability, 3)), h('td', {}, s.class ?? '')])));
    const unscored = p.unscorable.slice(0, SHOWN_ROWS).map((u) =>
      h('li', {}, t('apply.unscored_row', { line: u.line, field: u.field, reason: u.reason })));
    return h('div', { id: 'apply-result', 'data-scored': String(p.scored.length), 'data-unscored': String(p.unscorable.length) },
      h('p', {}, t('apply.counts', { scored: p.scored.length, unscored: p.unscorable.length, rows: p.rows })),
      h('table', { class: 'table', id: 'apply-table' },
        h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...rows)),
      p.scored.length > SHOWN_ROWS ? h('p', { class: 'note' }, t('apply.first_rows', { shown: SHOWN_ROWS })) : null,
      unscored.length ? h('div', {}, h('h4', {}, t('apply.unscored_title')), h('ul', { id: 'apply-unscored' }, ...unscored)) : null,
      p.warnings.length ? h('ul', { class: 'warnings' }, ...p.warnings.map((w) => h('li', {}, w))) : null,
      h('button', {
        type: 'button', class: 'button', id: 'apply-download',
        onclick: () => ctx.download(`${state.file.name.replace(/\.[^.]*$/, '')}-predictions.csv`, state.result.csv, 'text/csv;charset=utf-8'),
      }, t('apply.download_predictions')));
  }

  function render() {
    const last = ctx.run();
    const models = last?.report?.models ?? [];
    const info = state.model ? summary(state.model) : null;
    const fileInput = (id, accept, onchange, label) => [
      h('input', { type: 'file', id, accept, class: 'visually-hidden', onchange: (e) => onchange(e.target.files?.[0]) }),
      h('label', { for: id, class: 'button' }, label),
    ];
    root.replaceChildren(
      h('p', { class: 'note' }, t('apply.intro')),
      h('div', { class: 'export-row', id: 'apply-exports' },
        ...(models.length
          ? models.map((m, i) => h('button', {
            type: 'button', class: 'button', 'data-model-index': String(i), disabled: state.busy,
            onclick: () => exportModel(i),
          }, t('apply.download_model', { kind: t(`model.${m.kind}`) })))
          : [h('p', { class: 'note' }, t('apply.need_run'))])),
      h('p', { class: 'note' }, t('apply.privacy_note')),
      h('div', { class: 'field' }, ...fileInput('apply-model-file', '.json,application/json', importModel, t('apply.import_model'))),
      info
        ? h('div', { id: 'apply-model', 'data-kind': info.kind },
          h('p', {}, t('apply.model_summary', { name: state.modelName, kind: info.kind, target: info.target, file: info.file, rows: info.rows, metric: info.metric, value: info.value })),
          info.rowsInside.length ? h('p', { class: 'warning' }, t('apply.rows_inside')) : null)
        : h('p', { class: 'note' }, t('apply.no_model')),
      h('div', { class: 'field' }, ...fileInput('apply-records-file', '.csv,.tsv,.txt,text/csv', pickRecords, t('apply.pick_records')),
        state.file ? h('span', { id: 'apply-records-name' }, ` ${state.file.name}`) : null),
      h('button', { type: 'button', class: 'button primary', id: 'apply-score', disabled: !state.model || !state.file || state.busy, onclick: score }, t('apply.score')),
      h('p', { id: 'apply-status', class: state.status?.kind === 'error' ? 'error' : 'status', role: 'status' }, state.status ? state.status.text() : ''),
      resultView(),
    );
  }

  render();
  return { render };
}
