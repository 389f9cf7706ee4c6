// Clinical evaluation views of a Report (binary targets): the smoothed calibration curve with its
// band and the calibration measures with 95% intervals, the decision curves with treat-all /
// treat-none and the thresholds where each model beats both, and the sample-size panel (Riley et
// al.'s criteria). Shared by the Results step (results-view.js) and the printable model report
// (reports.js). Every chart has a text description (aria-describedby) saying what it shows.
// `ui`: {h, t, fmtInt, fmtDec, modelLabel}. Formulas: docs/evaluation.md.
import { decisionLines, unitLines } from './charts.js';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const MEASURES = ['slope', 'intercept', 'ece', 'ici', 'brier', 'brier_scaled'];

/** "0.95 (0.81–1.10)" of a `{value, lower, upper}`, or "—". */
function estimate(e, ui) {
  if (!isNum(e?.value)) return '—';
  const ci = isNum(e.lower) && isNum(e.upper) ? ` (${ui.fmtDec(e.lower)}–${ui.fmtDec(e.upper)})` : '';
  return `${ui.fmtDec(e.value)}${ci}`;
}

/** Calibration: chart with bands, its description, and the table of measures. */
function calibrationPart(models, ui, heading) {
  const { h, t } = ui;
  const withCal = models.filter((m) => m.calibration && Array.isArray(m.calibration.curve) && m.calibration.curve.length);
  if (!withCal.length) return [];
  const descId = 'calib-desc';
  const series = withCal.map((m) => {
    const c = m.calibration.curve;
    const banded = c.filter((pt) => isNum(pt.lower) && isNum(pt.upper));
    return {
      label: ui.modelLabel(m.kind),
      x: c.map((pt) => pt.p),
      y: c.map((pt) => pt.observed),
      band: banded.length > 1 ? { x: banded.map((pt) => pt.p), lower: banded.map((pt) => pt.lower), upper: banded.map((pt) => pt.upper) } : undefined,
    };
  });
  const desc = [t('calib.desc_intro'), ...withCal.map((m) => t('calib.desc_model', {
    model: ui.modelLabel(m.kind),
    slope: estimate(m.calibration.slope, ui),
    intercept: estimate(m.calibration.intercept, ui),
    ici: estimate(m.calibration.ici, ui),
  }))].join(' ');
  return [
    h(heading, { id: 'calib-heading' }, t('calib.title')),
    h('figure', { class: 'chart-box', id: 'calib-figure' },
      unitLines(series, { title: t('calib.chart'), xLabel: t('calib.predicted'), yLabel: t('calib.observed'), format: (v) => ui.fmtDec(v, 2), id: 'calib-chart', describedBy: descId }),
      h('figcaption', {}, t('calib.chart'))),
    h('p', { class: 'note chart-desc', id: descId }, desc),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'calib-table', 'data-section': 'calibration' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.model')),
        ...MEASURES.map((k) => h('th', { scope: 'col', class: 'num-col' }, t(`calib.${k}`))))),
      h('tbody', {}, ...withCal.map((m) => h('tr', { 'data-kind': m.kind },
        h('th', { scope: 'row' }, ui.modelLabel(m.kind)),
        ...MEASURES.map((k) => h('td', { class: 'num-col', 'data-measure': k, 'data-value': isNum(m.calibration[k]?.value) ? String(m.calibration[k].value) : '' },
          estimate(m.calibration[k], ui)))))))),
    h('p', { class: 'note' }, t('calib.note')),
  ];
}

/** "0.05–0.40, 0.55–0.60" of beneficial ranges. */
function rangesText(ranges, ui) {
  return ranges.map((r) => (r.from === r.to ? ui.fmtDec(r.from, 2) : `${ui.fmtDec(r.from, 2)}–${ui.fmtDec(r.to, 2)}`)).join(', ');
}

/** Decision curves: chart, description with each model's beneficial thresholds. */
function decisionPart(models, ui, heading) {
  const { h, t } = ui;
  const withDca = models.filter((m) => Array.isArray(m.decision_curve) && m.decision_curve.length);
  if (!withDca.length) return [];
  const descId = 'dca-desc';
  const first = withDca[0].decision_curve;
  const series = withDca.map((m) => ({
    label: ui.modelLabel(m.kind),
    x: m.decision_curve.map((d) => d.threshold),
    y: m.decision_curve.map((d) => d.net_benefit),
    ranges: Array.isArray(m.beneficial_thresholds) ? m.beneficial_thresholds : [],
  }));
  const lines = withDca.map((m) => {
    const r = Array.isArray(m.beneficial_thresholds) ? m.beneficial_thresholds : [];
    const model = ui.modelLabel(m.kind);
    return r.length ? t('dca.range', { model, ranges: rangesText(r, ui) }) : t('dca.none', { model });
  });
  return [
    h(heading, { id: 'dca-heading' }, t('dca.title')),
    h('figure', { class: 'chart-box', id: 'dca-figure' },
      decisionLines(series, { x: first.map((d) => d.threshold), y: first.map((d) => d.treat_all) }, {
        title: t('dca.chart'), xLabel: t('dca.threshold'), yLabel: t('dca.net_benefit'),
        allLabel: t('dca.treat_all'), noneLabel: t('dca.treat_none'), format: (v) => ui.fmtDec(v, 2), id: 'dca-chart', describedBy: descId,
      }),
      h('figcaption', {}, t('dca.chart'))),
    h('p', { class: 'note chart-desc', id: descId }, [t('dca.desc_intro'), ...lines].join(' ')),
    h('ul', { id: 'dca-ranges' }, ...lines.map((l, i) => h('li', { 'data-kind': withDca[i].kind }, l))),
  ];
}

/** The sample-size panel. */
function sampleSizePart(ss, ui, heading) {
  const { h, t } = ui;
  if (!ss || !isNum(ss.required)) return [];
  const a = ss.anticipated || {};
  const perf = isNum(a.c_statistic)
    ? t('samplesize.c', { c: ui.fmtDec(a.c_statistic), r2: ui.fmtDec(a.r2_cs) })
    : t('samplesize.r2', { r2: ui.fmtDec(a.r2_cs) });
  const source = a.source === 'recipe' ? t('samplesize.source_recipe') : t('samplesize.source_default');
  const enough = ss.rows >= ss.required;
  return [
    h(heading, { id: 'samplesize-heading' }, t('samplesize.title')),
    h('dl', { class: 'kv', id: 'samplesize' },
      h('dt', {}, t('samplesize.required')), h('dd', { 'data-field': 'required' }, ui.fmtInt(ss.required)),
      h('dt', {}, t('samplesize.have')), h('dd', { 'data-field': 'rows' }, ui.fmtInt(ss.rows)),
      h('dt', {}, t('samplesize.events')), h('dd', { 'data-field': 'events' }, `${ui.fmtInt(ss.events)} (${ui.fmtDec(ss.prevalence)})`),
      h('dt', {}, t('samplesize.parameters')), h('dd', { 'data-field': 'parameters' }, ui.fmtInt(ss.parameters)),
      h('dt', {}, t('samplesize.epp')), h('dd', { 'data-field': 'epp' }, ui.fmtDec(ss.events_per_parameter, 1)),
      h('dt', {}, t('samplesize.anticipated')), h('dd', {}, `${perf}; ${source}`)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'samplesize-criteria' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('samplesize.criterion')), h('th', { scope: 'col', class: 'num-col' }, t('samplesize.n')))),
      h('tbody', {}, ...(ss.criteria || []).map((c) => h('tr', { 'data-criterion': c.name },
        h('th', { scope: 'row' }, t(`samplesize.criterion_${c.name}`)),
        h('td', { class: 'num-col' }, ui.fmtInt(c.n))))))),
    h('p', { class: enough ? 'note' : 'note warn', id: 'samplesize-verdict', role: enough ? null : 'note' },
      enough ? t('samplesize.enough') : t('samplesize.too_small', { required: ui.fmtInt(ss.required), rows: ui.fmtInt(ss.rows) })),
  ];
}

/**
 * The clinical evaluation of a report: calibration, decision curves and sample size, under
 * `heading` (`h3` on the page, `h2` in the printable report). Empty for numeric targets.
 */
export function evaluationViews(report, ui, heading = 'h3') {
  const models = Array.isArray(report?.models) ? report.models : [];
  const parts = [
    ...calibrationPart(models, ui, heading),
    ...decisionPart(models, ui, heading),
    ...sampleSizePart(report?.sample_size, ui, heading),
  ];
  return parts.length ? ui.h('section', { id: 'evaluation-views', class: 'evaluation-views' }, ...parts) : null;
}

/**
 * The Results step's download of the run's out-of-fold predictions (`csv`: the Blob of the same
 * bytes as the CLI's `--predictions` file, from the core, and `lines` its lines after the header;
 * null when the run returned none). The click is wired by the page (`#download-predictions` →
 * the `exportFile('predictions')` intent).
 */
export function predictionsDownload(report, csv, lines, ui) {
  const { h, t } = ui;
  const models = Array.isArray(report?.models) ? report.models.length : 0;
  const has = csv != null;
  return h('section', { id: 'predictions-download', class: 'predictions-download' },
    h('h3', {}, t('clinical.predictions_title')),
    h('p', { class: 'note' }, has
      ? [t('clinical.predictions_note', { lines: ui.fmtInt(lines ?? 0), models: ui.fmtInt(models) }),
        ...(report?.target?.task === 'survival' ? [t('clinical.predictions_survival')] : [])].join(' ')
      : t('clinical.predictions_none')),
    h('button', { type: 'button', class: 'button', id: 'download-predictions', disabled: !has },
      t('clinical.predictions_download')));
}
