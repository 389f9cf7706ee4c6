// The TRIPOD+AI (2024) checklist section of the printable model report: every item a tool can
// know is filled from the Report itself (numbered as the checklist numbers it); the items only the
// author can write are listed. Item numbers and topics follow the published checklist (Collins et
// al., BMJ 2024;385:e078378, 27 items in 52 sub-items; docs/evaluation.md names the source). Items that draw on optional Report fields (models[i].calibration,
// decision_curve, sample_size, threshold, fairness) say "not computed" when the field is absent.
// A time-to-event Report (`target.task = "survival"`) fills the same items with what was done for
// it (`survivalLines`): the event and censoring, follow-up, horizons, the survival measures, the
// rows left out; nothing of a classifier (threshold, ROC, decision curve, prevalence).
// `ui`: {h, t, has, fmtInt, fmtDec, fmtPct, fmtNum, list, modelLabel, metricLabel}.

import { noteText } from './message.js';
import { pText, timeText } from './survival-view.js';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);
/** How many rows left out a time-to-event item names by their line (the rest are counted). */
const NAMED_ROWS = 5;

/** Items the author must write (checklist numbers), in checklist order. */
export const AUTHOR_ITEMS = ['1', '2', '3a', '3b', '3c', '4', '5b', '6a', '6b', '6c', '8b', '8c', '9b', '9c',
  '12d', '16', '17', '18a', '18b', '18c', '18d', '18e', '18f', '19', '20b', '20c', '22', '23b', '24', '25', '26',
  '27a', '27b', '27c'];

/** `{value, lower, upper}` (or a metric summary) as "v (lo–hi)". */
function withInterval(x, ui) {
  if (!x) return null;
  const v = isNum(x.value) ? x.value : (isNum(x.pooled) ? x.pooled : x.mean);
  if (!isNum(v)) return null;
  const lo = isNum(x.lower) ? x.lower : x.ci?.[0];
  const hi = isNum(x.upper) ? x.upper : x.ci?.[1];
  return isNum(lo) && isNum(hi) ? `${ui.fmtDec(v)} (${ui.fmtDec(lo)}–${ui.fmtDec(hi)})` : ui.fmtDec(v);
}

/** The thresholds where a model's net benefit beats both treat-all and treat-none, as ranges. */
export function beatsBoth(curve) {
  const ranges = [];
  let start = null;
  let last = null;
  for (const p of arr(curve)) {
    const ok = isNum(p.net_benefit) && p.net_benefit > 0 && p.net_benefit > (isNum(p.treat_all) ? p.treat_all : -Infinity);
    if (ok && start === null) start = p.threshold;
    if (!ok && start !== null) { ranges.push([start, last]); start = null; }
    last = p.threshold;
  }
  if (start !== null) ranges.push([start, last]);
  return ranges;
}

/** The lines of a time-to-event Report's items, by item number (see `filledItems`). */
export function survivalLines(report, ui) {
  const { t } = ui;
  const s = report.survival || {};
  const ev = report.evaluation || {};
  const input = report.input || {};
  const models = arr(report.models);
  const none = t('tripod.not_computed');
  const time = (v) => timeText(v, ui);
  const rows = isNum(s.rows) ? s.rows : arr(report.target?.counts).reduce((a, n) => a + n, 0);
  const events = isNum(s.events) ? s.events : null;
  const censored = isNum(events) ? rows - events : null;
  const left = arr(s.rejected_rows);
  const horizons = arr(s.horizons?.times);
  const out = {};

  const fu = s.follow_up;
  out['8a'] = [
    t('tripod.survival_outcome', {
      time: s.time ?? '—', event: s.event ?? '—', value: s.event_value ?? '—', events: ui.fmtInt(events), censored: ui.fmtInt(censored),
    }),
    !fu ? t('tripod.survival_follow_up_none', { none })
      : isNum(fu.median)
        ? t('tripod.survival_follow_up', { median: time(fu.median), lower: isNum(fu.lower) ? time(fu.lower) : '…', upper: isNum(fu.upper) ? time(fu.upper) : '…', unit: s.time ?? '—' })
        : t('tripod.survival_follow_up_not_reached'),
  ];

  const named = left.slice(0, NAMED_ROWS).map((r) => (isNum(r.line)
    ? t('profile.rejected_row', { line: ui.fmtInt(r.line), reason: noteText(r, 'reason') })
    : t('tripod.survival_record', { row: ui.fmtInt(r.row), reason: noteText(r, 'reason') })));
  const leftLine = left.length
    ? t('tripod.survival_left_out', { n: ui.fmtInt(left.length), rows: named.join('; ') + (left.length > NAMED_ROWS ? '; …' : '') })
    : t('tripod.survival_left_none');
  // Not items of their own: item 11's count of records without a usable outcome (their
  // reasons are in 20a), and the lines item 12c adds.
  const extra = { left: left.length, models: [t('tripod.survival_models')] };
  const method = ui.has(`eval.${ev.method}`) ? t(`eval.${ev.method}`) : String(ev.method ?? '—');
  extra.validation = t('tripod.survival_validation', { method, splits: ui.fmtInt(ev.splits), seed: String(ev.seed ?? '—') });
  for (const m of models) {
    const coefs = arr(m.final?.coefficients);
    if (!coefs.length) continue;
    const ratios = coefs.map((c) => (isNum(c.lower) && isNum(c.upper)
      ? `${c.feature} ${ui.fmtDec(c.hazard_ratio, 2)} (${ui.fmtDec(c.lower, 2)}–${ui.fmtDec(c.upper, 2)})`
      : `${c.feature} ${ui.fmtDec(c.hazard_ratio, 2)}`));
    extra.models.push(t('tripod.survival_hazard_ratios', { model: ui.modelLabel(m.kind), rows: ui.fmtInt(m.final.rows), events: ui.fmtInt(m.final.events), ratios: ratios.join('; ') }));
    const flagged = coefs.filter((c) => isNum(c.ph_p) && c.ph_p < 0.05);
    extra.models.push(flagged.length
      ? t('tripod.survival_ph_flagged', { model: ui.modelLabel(m.kind), inputs: ui.list(flagged.map((c) => `${c.feature} (${pText(c.ph_p, ui)})`)) })
      : t('tripod.survival_ph_ok', { model: ui.modelLabel(m.kind) }));
  }

  const hText = horizons.map(time).join(', ');
  out['12e'] = [
    t('tripod.survival_measures', { resamples: ui.fmtInt(ev.intervals?.resamples ?? 1000) }),
    horizons.length
      ? t(s.horizons?.source === 'recipe' ? 'tripod.survival_horizons' : 'tripod.survival_horizons_default', { times: hText, unit: s.time ?? '—' })
      : t('tripod.survival_horizons_none', { none }),
    horizons.length > 1 ? t('tripod.survival_ibs_range', { first: time(horizons[0]), last: time(horizons[horizons.length - 1]) }) : null,
  ];
  out['12g'] = [t('tripod.survival_predictions')];
  out['13'] = [t('tripod.survival_imbalance')];

  const lr = s.log_rank;
  out['14'] = [lr
    ? t(lr.strata ? 'tripod.survival_groups_strata' : 'tripod.survival_groups', {
      column: s.groups ?? '—', groups: ui.fmtInt(arr(lr.groups).length), statistic: ui.fmtDec(lr.statistic, 2), df: ui.fmtInt(lr.df), p: pText(lr.p, ui), strata: lr.strata ?? '',
    })
    : t('tripod.survival_groups_none', { none })];

  out['15'] = models.map((m) => t(horizons.length ? 'tripod.survival_output' : 'tripod.survival_output_score', { model: ui.modelLabel(m.kind), times: hText }));

  out['20a'] = [t('tripod.survival_flow', {
    read: ui.fmtInt((input.rows ?? 0) + arr(input.rejected_rows).length), rejected: ui.fmtInt(arr(input.rejected_rows).length),
    suppressed: ui.fmtInt(report.privacy?.suppressed_rows ?? 0), left: ui.fmtInt(left.length),
    used: ui.fmtInt(rows), events: ui.fmtInt(events), censored: ui.fmtInt(censored),
  }), leftLine];

  out['23a'] = models.flatMap((m) => {
    const model = ui.modelLabel(m.kind);
    const mt = m.metrics || {};
    const lines = [t('tripod.survival_discrimination', { model, c: withInterval(mt.c_index, ui) ?? none, uno: withInterval(mt.uno_c, ui) ?? none })];
    for (const h of horizons) {
      const key = (k) => Object.keys(mt).find((x) => x.startsWith(`${k}@`) && Number(x.slice(k.length + 1)) === h);
      lines.push(t('tripod.survival_at_horizon', {
        model, time: time(h), auc: withInterval(mt[key('auc')], ui) ?? none, brier: withInterval(mt[key('brier')], ui) ?? none,
      }));
    }
    if (mt.integrated_brier) lines.push(t('tripod.survival_ibs', { model, value: withInterval(mt.integrated_brier, ui) ?? none }));
    const cal = arr(m.survival_calibration);
    if (!cal.length) lines.push(t('tripod.survival_calibration_none', { model, none }));
    for (const c of cal) {
      const groups = arr(c.groups).filter((g) => isNum(g.predicted) && isNum(g.observed));
      const gap = groups.reduce((a, g) => Math.max(a, Math.abs(g.predicted - g.observed)), 0);
      const inside = groups.filter((g) => isNum(g.lower) && isNum(g.upper) && g.predicted >= g.lower && g.predicted <= g.upper).length;
      lines.push(t('tripod.survival_calibration', {
        model, time: time(c.time), groups: ui.fmtInt(groups.length), gap: ui.fmtDec(gap), inside: ui.fmtInt(inside),
      }));
    }
    return lines;
  });
  return { items: out, ...extra };
}

/** The filled items: [{id, lines: [text]}], from the Report. */
export function filledItems(report, ui) {
  const { t } = ui;
  const input = report.input || {};
  const target = report.target || {};
  const ev = report.evaluation || {};
  const recipe = report.recipe || {};
  const models = arr(report.models);
  const audit = arr(report.audit);
  const none = t('tripod.not_computed');
  const regression = target.task === 'regression';
  // A time-to-event Report: its own lines for the items where a classifier's would mislead.
  const sv = target.task === 'survival' || report.survival ? survivalLines(report, ui) : null;
  const items = [];
  const add = (id, ...lines) => items.push({ id, lines: (sv?.items[id] ?? lines).flat().filter((l) => l != null && l !== '') });

  add('5a', t('tripod.source', {
    file: input.file ?? '—', sha256: input.sha256 ?? '—', rows: ui.fmtInt(input.rows), columns: ui.fmtInt(input.columns),
    rejected: ui.fmtInt(arr(input.rejected_rows).length),
  }));

  const privacySteps = audit.filter((a) => /^privacy\[/.test(String(a.step ?? '')));
  const featureOps = arr(recipe.features).map((f) => f?.op).filter(Boolean);
  const leaks = arr(report.leakage);
  add('7', privacySteps.length
    ? t('tripod.privacy', { steps: ui.list(privacySteps.map((a) => a.op)), suppressed: ui.fmtInt(report.privacy?.suppressed_rows ?? 0) })
    : t('tripod.no_privacy'),
  leaks.length ? t('tripod.leakage', { n: ui.fmtInt(leaks.length), codes: ui.list([...new Set(leaks.map((f) => f.code))]) }) : t('tripod.leakage_none'));

  const counts = arr(target.classes).map((c, i) => `${c}: ${ui.fmtInt(target.counts?.[i])}`);
  add('8a', regression
    ? t('tripod.outcome_numeric', { column: target.column ?? '—', missing: ui.fmtInt(target.missing ?? 0) })
    : t('tripod.outcome', { column: target.column ?? '—', positive: target.positive ?? '—', counts: counts.join(', '), missing: ui.fmtInt(target.missing ?? 0) }));

  const inputs = arr(ev.model_inputs);
  add('9a', t('tripod.predictors', { n: ui.fmtInt(inputs.length), names: inputs.slice(0, 40).join(', ') + (inputs.length > 40 ? ' …' : '') }));

  const ss = report.sample_size;
  const events = sv ? report.survival?.events
    : !regression && counts.length ? target.counts?.[arr(target.classes).indexOf(target.positive)] : null;
  add('10', isNum(events) ? t('tripod.events', { events: ui.fmtInt(events), parameters: ui.fmtInt(inputs.length), epp: ui.fmtDec(inputs.length ? events / inputs.length : null, 1) }) : null,
    ss && isNum(ss.required)
      ? t('tripod.sample_size', { required: ui.fmtInt(ss.required), criteria: arr(ss.criteria).map((c) => `${c.name}: ${ui.fmtInt(c.n)}`).join('; ') })
      : t('tripod.sample_size_none', { none }));

  const imputes = arr(recipe.features).filter((f) => f?.op === 'impute');
  const filled = audit.filter((a) => a.op === 'impute').map((a) => Object.values(a.args?.filled || {}).reduce((s, n) => s + (isNum(n) ? n : 0), 0)).reduce((s, n) => s + n, 0);
  add('11', imputes.length
    ? t('tripod.missing_imputed', { how: imputes.map((f) => f.strategy ?? 'median').join(', '), cells: ui.fmtInt(filled) })
    : t('tripod.missing_none'), t('tripod.missing_target', { n: ui.fmtInt(sv ? sv.left : target.missing ?? 0) }));

  const method = ui.has(`eval.${ev.method}`) ? t(`eval.${ev.method}`) : String(ev.method ?? '—');
  add('12a', t('tripod.data_use', { method, splits: ui.fmtInt(ev.splits) }));
  add('12b', featureOps.length ? t('tripod.features', { steps: ui.list(featureOps) }) : t('tripod.no_features'));
  add('12c', models.map((m) => {
    const params = Object.entries(m.params || {}).map(([k, v]) => `${k} ${isNum(v) ? ui.fmtNum(v) : JSON.stringify(v)}`).join(', ');
    const search = m.search ? t('tripod.search', { method: m.search.method, candidates: ui.fmtInt(m.search.candidates), folds: ui.fmtInt(m.search.inner_folds), metric: m.search.metric }) : t('tripod.no_search');
    return `${ui.modelLabel(m.kind)}${params ? ` (${params})` : ''}: ${search}`;
  }), sv ? [...sv.models, sv.validation] : t('tripod.validation', { method, splits: ui.fmtInt(ev.splits), seed: String(ev.seed ?? '—') }));

  add('12e', t('tripod.measures', {
    metrics: regression ? 'MAE, RMSE, R²' : 'ROC-AUC, accuracy, sensitivity, specificity, PPV, F1, Brier',
    resamples: ui.fmtInt(ev.intervals?.resamples ?? 1000),
  }));

  const recal = models.filter((m) => m.recalibration);
  add('12f', recal.length
    ? recal.map((m) => t('tripod.recalibrated', { model: ui.modelLabel(m.kind), method: m.recalibration.method, folds: ui.fmtInt(m.recalibration.inner_folds) }))
    : t('tripod.no_recalibration'));
  add('12g', t('tripod.predictions'));

  if (!regression) {
    const prevalence = isNum(events) && isNum(input.rows) ? events / arr(target.counts).reduce((s, n) => s + n, 0) : null;
    const weighted = models.filter((m) => m.params?.class_weight).map((m) => ui.modelLabel(m.kind));
    const balance = arr(recipe.features).filter((f) => f?.op === 'balance');
    add('13', t('tripod.imbalance', { prevalence: ui.fmtPct(prevalence) }),
      weighted.length ? t('tripod.class_weight', { models: ui.list(weighted) }) : null,
      balance.length ? t('tripod.balance', { method: balance.map((b) => b.method ?? 'balance').join(', ') }) : null,
      !weighted.length && !balance.length ? t('tripod.no_imbalance_handling') : null);
  }

  const fair = models.filter((m) => m.fairness);
  add('14', fair.length
    ? fair.map((m) => t('tripod.fairness', {
      model: ui.modelLabel(m.kind), column: m.fairness.column, groups: ui.fmtInt(arr(m.fairness.groups).length),
      gap: m.fairness.largest ? `${m.fairness.largest.metric} ${ui.fmtDec(m.fairness.largest.gap)}` : '—',
    }))
    : t('tripod.fairness_none', { none }));

  add('15', regression ? t('tripod.output_numeric') : models.map((m) => (m.threshold
    ? t('tripod.output_rule', { model: ui.modelLabel(m.kind), rule: m.threshold.rule?.rule ?? '—', mean: ui.fmtDec(m.threshold.chosen?.mean), folds: ui.fmtInt(arr(m.threshold.chosen?.folds).length) })
    : t('tripod.output_default', { model: ui.modelLabel(m.kind), threshold: ui.fmtDec(ev.threshold ?? 0.5, 2) }))));

  add('20a', t('tripod.flow', {
    read: ui.fmtInt((input.rows ?? 0) + arr(input.rejected_rows).length), rejected: ui.fmtInt(arr(input.rejected_rows).length),
    suppressed: ui.fmtInt(report.privacy?.suppressed_rows ?? 0), missing: ui.fmtInt(target.missing ?? 0),
    used: ui.fmtInt(arr(target.counts).reduce((s, n) => s + n, 0) || null),
  }));

  const tr = arr(ev.train_sizes);
  const te = arr(ev.test_sizes);
  add('21', t('tripod.development', {
    splits: ui.fmtInt(tr.length), train: tr.length ? `${ui.fmtInt(Math.min(...tr))}–${ui.fmtInt(Math.max(...tr))}` : '—',
    test: te.length ? `${ui.fmtInt(Math.min(...te))}–${ui.fmtInt(Math.max(...te))}` : '—',
  }));

  add('23a', models.flatMap((m) => {
    const label = ui.modelLabel(m.kind);
    const key = regression ? 'r2' : 'roc_auc';
    const lines = [t('tripod.discrimination', { model: label, metric: ui.metricLabel(key), value: withInterval(m.metrics?.[key], ui) ?? none })];
    if (regression) return lines;
    const c = m.calibration;
    lines.push(c
      ? t('tripod.calibration', {
        model: label, slope: withInterval(c.slope, ui) ?? none, intercept: withInterval(c.intercept, ui) ?? none,
        ece: withInterval(c.ece, ui) ?? none, brier: withInterval(c.brier, ui) ?? none,
      })
      : t('tripod.calibration_none', { model: label, none }));
    const dc = m.decision_curve;
    if (Array.isArray(dc) && dc.length) {
      const ranges = beatsBoth(dc);
      lines.push(ranges.length
        ? t('tripod.utility', { model: label, ranges: ranges.map(([a, b]) => `${ui.fmtDec(a, 2)}–${ui.fmtDec(b, 2)}`).join(', ') })
        : t('tripod.utility_never', { model: label }));
    } else {
      lines.push(t('tripod.utility_none', { model: label, none }));
    }
    if (m.threshold) {
      lines.push(t('tripod.operating', {
        model: label, sensitivity: withInterval(m.threshold.sensitivity, ui) ?? '—', specificity: withInterval(m.threshold.specificity, ui) ?? '—',
        ppv: withInterval(m.threshold.ppv, ui) ?? '—', npv: withInterval(m.threshold.npv, ui) ?? '—',
      }));
    }
    return lines;
  }));
  return items;
}

/** The checklist section: a table of filled items and a list of the author's items. */
export function tripodSection(report, ui) {
  const { h, t } = ui;
  const filled = filledItems(report, ui);
  return h('section', { 'data-section': 'tripod' },
    h('h2', {}, t('tripod.title')),
    h('p', { class: 'note' }, t('tripod.intro')),
    h('table', { class: 'data', 'data-section': 'tripod-filled' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tripod.item')), h('th', { scope: 'col' }, t('tripod.topic')), h('th', { scope: 'col' }, t('tripod.from_run')))),
      h('tbody', {}, ...filled.map((it) => h('tr', { 'data-item': it.id },
        h('th', { scope: 'row' }, it.id),
        h('td', {}, t(`tripod.topic_${it.id}`)),
        h('td', {}, ...it.lines.map((l, i) => (i ? [h('br'), l] : l)).flat()))))),
    h('h3', {}, t('tripod.author_title')),
    h('p', { class: 'note' }, t('tripod.author_note')),
    h('ul', { 'data-section': 'tripod-author' }, ...AUTHOR_ITEMS.map((id) => h('li', { 'data-item': id }, `${id} ${t(`tripod.topic_${id}`)}`))));
}
