// The Load step's reading choices and the Export step's format (issue 21): the encoding a text
// file is read with ("automatic" = the core's detection, stated with its confidence) and the sheet
// of a workbook, each re-reading the file in every worker (actions.setReadOption); the rows the
// chosen encoding cannot decode, by line, as the core reports them; the first rows as read. In the
// Export step, the format of the masked data (the core's list) and the formula-like cells the
// Report counted. Each a drawing of state; choices go out as intents.
import { renderRejected } from './profile-view.js';

const $ = (sel) => document.querySelector(sel);

/** Rejected-row reasons that are the encoding's: bytes the chosen encoding cannot decode. */
const ENCODING_CODES = new Set(['csv.malformed_bytes', 'csv.invalid_utf8']);
/** Rows of the file shown as read, under the selects. */
const SAMPLE_ROWS = 3;

/** i18n key of an encoding's description (`windows-1252` → `loadctl.enc.windows_1252`). */
const encodingKey = (name) => `loadctl.enc.${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;

/** The Load step's panel: encoding and sheet selects, the detection, the undecodable rows, a sample. */
export function loadOptionsView(ui, intents) {
  const { h, t, has } = ui;
  let panel = null;

  function build() {
    panel = h('div', { id: 'load-options', class: 'load-options', hidden: true },
      h('div', { class: 'field', id: 'load-encoding-field' },
        h('label', { for: 'load-encoding', id: 'load-encoding-label' }),
        h('select', { id: 'load-encoding', onchange: (e) => intents.setReadOption({ encoding: e.target.value }) })),
      h('p', { id: 'load-encoding-detected', class: 'note' }),
      h('div', { class: 'field', id: 'load-sheet-field' },
        h('label', { for: 'load-sheet', id: 'load-sheet-label' }),
        h('select', { id: 'load-sheet', onchange: (e) => intents.setReadOption({ sheet: e.target.value }) })),
      h('details', { id: 'load-malformed', class: 'rejected' },
        h('summary', { id: 'load-malformed-summary' }),
        h('ul', { id: 'load-malformed-list' })),
      h('div', { id: 'load-sample', class: 'table-wrap' }));
    $('#load-status').after(panel);
  }

  return function drawLoadOptions(state) {
    if (!panel) build();
    const detected = state.loadDetected;
    panel.hidden = !detected;
    if (!detected) return;
    const busy = !!state.loading;
    const asked = state.loadOptions || {};
    const input = state.profile?.input || {};

    // Encoding (text files): "automatic" names what was detected; then every encoding the core offers.
    const enc = detected.encoding;
    $('#load-encoding-field').hidden = !enc;
    $('#load-encoding-detected').hidden = !enc;
    if (enc) {
      const describe = (name) => (has(encodingKey(name)) ? `${name} — ${t(encodingKey(name))}` : name);
      $('#load-encoding-label').textContent = t('loadctl.encoding');
      const select = $('#load-encoding');
      select.replaceChildren(
        h('option', { value: '' }, t('loadctl.automatic', { name: enc.name })),
        ...state.loadChoices.encodings.map((name) => h('option', { value: name }, describe(name))));
      select.value = asked.encoding || '';
      select.disabled = busy;
      $('#load-encoding-detected').textContent = t('loadctl.detected', {
        name: enc.name, confidence: ui.fmtPct(enc.confidence),
      });
    }

    // Sheet (workbooks): every sheet, the one read selected.
    const sheets = detected.sheets;
    $('#load-sheet-field').hidden = !sheets;
    if (sheets) {
      $('#load-sheet-label').textContent = t('loadctl.sheet');
      const select = $('#load-sheet');
      select.replaceChildren(...sheets.map((name) => h('option', { value: name }, name)));
      select.value = input.sheet?.name ?? (asked.sheet || sheets[0]);
      select.disabled = busy;
    }

    // Rows the encoding could not decode, each with its line (the core's report).
    const rejected = Array.isArray(input.rejected_rows) ? input.rejected_rows : [];
    const malformed = rejected.filter((r) => ENCODING_CODES.has(r.code));
    const details = $('#load-malformed');
    details.hidden = !state.profile || !malformed.length;
    details.dataset.count = String(malformed.length);
    if (malformed.length) {
      $('#load-malformed-summary').textContent = t('loadctl.malformed', {
        count: ui.fmtInt(malformed.length), name: input.encoding?.name ?? '',
      });
      renderRejected($('#load-malformed-list'), malformed, ui);
    }

    // The first rows as read (the privacy preview's original rows), to see whether text reads right.
    const sample = $('#load-sample');
    const p = state.preview?.data;
    const rows = Array.isArray(p?.original_rows) ? p.original_rows.slice(0, SAMPLE_ROWS) : [];
    sample.hidden = !state.profile || !rows.length || busy;
    if (!sample.hidden) {
      const columns = p.original_columns || [];
      sample.replaceChildren(h('table', { class: 'data preview', id: 'load-sample-table' },
        h('caption', {}, t('loadctl.sample')),
        h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((v, j) =>
          h('td', { 'data-column': columns[j] }, v ?? '')))))));
    }
  };
}

/** The Export step's format select (the core's formats) and the formula-like cells of the run. */
export function exportFormatView(ui, intents) {
  const { h, t, has } = ui;
  let field = null;

  function build() {
    field = h('div', { class: 'field', id: 'export-format-field' },
      h('label', { for: 'export-format', id: 'export-format-label' }),
      h('select', { id: 'export-format', onchange: (e) => intents.setExportFormat(e.target.value) }));
    const row = $('#download-csv').closest('.export-row');
    row.before(field);
    row.after(h('p', { id: 'export-formulas', class: 'note' }));
  }

  return function drawExportFormat(state) {
    if (!field) build();
    $('#export-format-label').textContent = t('loadctl.export_format');
    const formats = state.loadChoices.formats.length ? state.loadChoices.formats
      : [{ name: 'csv', extension: 'csv' }];
    const label = (f) => (has(`loadctl.format.${f.name}`) ? t(`loadctl.format.${f.name}`) : `${f.name} (.${f.extension})`);
    const select = $('#export-format');
    select.replaceChildren(...formats.map((f) => h('option', { value: f.name }, label(f))));
    select.value = formats.some((f) => f.name === state.exportFormat) ? state.exportFormat : formats[0].name;

    // How many cells the run's writer neutralised (the Report's warning; the same in every format).
    const note = $('#export-formulas');
    const report = state.report;
    note.hidden = !report || state.maskedCsv == null;
    if (!note.hidden) {
      const warning = (report.warning_codes || []).find((w) => w?.code === 'warn.formula_cells.masked');
      const count = Number(warning?.params?.count ?? 0);
      note.dataset.count = String(count);
      note.textContent = count > 0 ? t('loadctl.formulas', { count: ui.fmtInt(count) }) : t('loadctl.formulas_none');
    }
  };
}
