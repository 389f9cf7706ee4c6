// Time-to-event outcomes in the page (docs/survival.md, "Survival in the page"): the Train panel's
// choice of a time-to-event target (time column, event column, event value), its model kinds
// (every kind whose `tasks` in steps.json include "survival") and evaluation options (groups,
// strata, horizons); the Results views of a survival Report (Kaplan–Meier chart with Greenwood
// bands, censoring ticks and numbers at risk, the log-rank test, medians, the models' concordance
// and other metrics with intervals, calibration at horizons, and for a Cox model the hazard
// ratios with a forest plot and the proportional-hazards check), shared with the printable model
// report (reports.js); and the Apply panel's risk score, survival at horizons and a row's curve.
// Pure helpers (recipe edits, the KM step path, numbers at risk) are exported for tests.
import { DASHES, PALETTE, el, niceTicks, textWidth, tickText, unitLines } from './charts.js';
import { modelKinds } from './schema.js';
import { lowerIsBetter } from './results.js';
import { noteText } from './message.js';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);
/** Rows left out for their outcome listed by line under the Kaplan–Meier views (the rest counted). */
const REJECTED_SHOWN = 20;

// ───────────────────────────── the target and the recipe ─────────────────────────────

/** Conventional labels of the event, as the core's rule (src/pipeline/prepare.rs, EVENT_WORDS). */
export const EVENT_WORDS = ['1', 'yes', 'y', 'true', 'positive', 'pos', '1.0', '是', 'event', 'dead', 'died', 'death',
  'deceased', 'relapse', '死亡'];

/** Is `target` a time-to-event target ({time, event, ...})? */
export const isSurvivalTarget = (target) => !!target && typeof target === 'object' && !Array.isArray(target);

/** Is the report's task survival? */
export const isSurvivalReport = (report) => report?.target?.task === 'survival' || !!report?.survival;

/**
 * The event value the core picks when none is given (docs/survival.md): a conventional label
 * among the two values, else the second in order (numbers by value, else text order).
 */
export function defaultEventValue(values) {
  const vs = [...new Set(arr(values).map(String))];
  const num = (v) => (/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : null);
  vs.sort((a, b) => (num(a) != null && num(b) != null ? num(a) - num(b) : a < b ? -1 : a > b ? 1 : 0));
  const conventional = vs.find((v) => EVENT_WORDS.includes(v.toLowerCase()));
  if (conventional != null) return conventional;
  return vs.length > 1 ? vs[1] : vs[0] ?? null;
}

/** The model kinds for a task ('survival', 'classification'), in registry order, from steps.json. */
export const kindsFor = (task) => modelKinds().filter((m) => arr(m.tasks).includes(task)).map((m) => m.kind);

/** The two values of an event column from its profile entry (categorical: `top`; numeric: min and max). */
export function eventValues(col) {
  if (!col) return [];
  const top = arr(col.top).map((x) => (Array.isArray(x) ? String(x[0]) : String(x)));
  if (top.length) return top.slice(0, 2);
  if (col.type === 'numeric' && isNum(col.min) && isNum(col.max)) return [...new Set([String(col.min), String(col.max)])];
  return [];
}

/** The columns that can hold the follow-up time (numeric) and the event (two values). */
export function survivalColumns(columns) {
  const cols = arr(columns).filter((c) => c && typeof c.name === 'string');
  return {
    times: cols.filter((c) => c.type === 'numeric').map((c) => c.name),
    events: cols.filter((c) => c.distinct === 2 && ['numeric', 'categorical'].includes(c.type)).map((c) => c.name),
  };
}

const TIME_NAME = /time|day|week|month|year|follow|surv|duration|futime|stime|时间|天|月/i;
const EVENT_NAME = /status|event|death|dead|died|relapse|outcome|censor|事件|死亡|状态/i;

/** A first guess at {time, event} for this table (names that read like them, else the first fit). */
export function guessSurvivalColumns(columns, current) {
  const { times, events } = survivalColumns(columns);
  const time = times.find((n) => TIME_NAME.test(n)) ?? times[0] ?? null;
  const event = (typeof current === 'string' && events.includes(current) ? current : null)
    ?? events.find((n) => EVENT_NAME.test(n)) ?? events[0] ?? null;
  return { time, event };
}

const clone = (recipe) => (recipe && typeof recipe === 'object' ? structuredClone(recipe) : {});

/** Roles of the old target's columns back to `feature` (the new target's columns become `target`). */
function retarget(r, next) {
  if (!r.columns || typeof r.columns !== 'object') r.columns = {};
  const old = r.target;
  const oldCols = isSurvivalTarget(old) ? [old.time, old.event] : old ? [old] : [];
  const newCols = isSurvivalTarget(next) ? [next.time, next.event] : next ? [next] : [];
  for (const c of oldCols) if (c && !newCols.includes(c) && r.columns[c] === 'target') r.columns[c] = 'feature';
  for (const c of newCols) if (c) r.columns[c] = 'target';
  r.target = next ?? null;
}

/**
 * Arguments a survival kind starts with in the page when they differ from the core's default:
 * `cox_ph` gets a light ridge penalty, because after the privacy steps a rare category (an age
 * band, a ZIP prefix) with no event in a training split has no finite coefficient and stops an
 * unpenalized fit. Every other kind starts with the core's defaults (steps.json).
 */
const START_ARGS = { cox_ph: { penalizer: 0.01 } };
const startModel = (kind) => ({ kind, ...(START_ARGS[kind] || {}) });
/** The kind a time-to-event recipe starts with: one made for survival alone (cox_ph) before a
 * kind that serves other targets too (gradient_boosting), whatever the registry's order. */
const startKinds = () => {
  const only = modelKinds().filter((m) => arr(m.tasks).length === 1 && arr(m.tasks)[0] === 'survival').map((m) => m.kind);
  return only.length ? only : kindsFor('survival');
};

/** Options the core refuses for a time-to-event target (docs/survival.md): removed. */
const CLASS_ONLY_EVALUATION = ['threshold', 'fairness', 'sample_size'];
const SURVIVAL_ONLY_EVALUATION = ['groups', 'strata', 'horizons'];

/**
 * `recipe` with the time-to-event target `{time, event, event_value}`: the two columns get the
 * role `target`, models that do not model survival go (the first survival kind is added when none
 * is left), and class-only options (recalibration, threshold, fairness, search) are removed.
 */
export function withSurvivalTarget(recipe, { time, event, event_value: value }) {
  const r = clone(recipe);
  const target = { time, event };
  if (value != null && value !== '') target.event_value = value;
  retarget(r, target);
  const survival = kindsFor('survival');
  const kept = arr(r.models).filter((m) => survival.includes(m?.kind)).map((m) => {
    const next = { ...m };
    delete next.calibration;
    delete next.search;
    return next;
  });
  r.models = kept.length ? kept : startKinds().slice(0, 1).map(startModel);
  const ev = r.evaluation && typeof r.evaluation === 'object' ? r.evaluation : { method: 'stratified_kfold', folds: 5 };
  for (const k of CLASS_ONLY_EVALUATION) delete ev[k];
  r.evaluation = ev;
  return r;
}

/** `recipe` back to a class target (the event column), with class models instead of survival ones. */
export function withClassTarget(recipe, classKinds) {
  const r = clone(recipe);
  const old = r.target;
  retarget(r, isSurvivalTarget(old) ? old.event ?? null : old);
  const survival = kindsFor('survival');
  const kept = arr(r.models).filter((m) => !survival.includes(m?.kind) || arr(classKinds).includes(m?.kind));
  r.models = kept.length ? kept : arr(classKinds).slice(0, 1).map((kind) => ({ kind }));
  if (r.evaluation && typeof r.evaluation === 'object') for (const k of SURVIVAL_ONLY_EVALUATION) delete r.evaluation[k];
  return r;
}

/** The survival models chosen by the checkboxes (kinds in `offered` order; others kept). */
export function withSurvivalModels(recipe, chosen) {
  const r = clone(recipe);
  const offered = kindsFor('survival');
  const existing = arr(r.models);
  r.models = [
    ...offered.filter((k) => chosen.includes(k)).map((k) => existing.find((m) => m?.kind === k) || startModel(k)),
    ...existing.filter((m) => !offered.includes(m?.kind)),
  ];
  return r;
}

/** "365, 730 1095" → [365, 730, 1095] (positive numbers, sorted, distinct); null when none. */
export function parseHorizons(raw) {
  const values = String(raw ?? '').split(/[\s,;，、]+/).filter(Boolean).map(Number);
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) return { error: true, values: null };
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  return { error: false, values: sorted.length ? sorted : null };
}

/** An `evaluation` option of a copy of `recipe` set (null: removed). */
export function withSurvivalEvaluation(recipe, key, value) {
  const r = clone(recipe);
  const ev = r.evaluation && typeof r.evaluation === 'object' ? r.evaluation : { method: 'stratified_kfold', folds: 5 };
  if (value == null || value === '') delete ev[key];
  else ev[key] = value;
  r.evaluation = ev;
  return r;
}

/**
 * The Train panel's outcome choice (#survival-target) and, for a time-to-event target, its models
 * and evaluation options (#survival-options). `columns`: the profile's columns; `onRecipe(next)`
 * records an edited recipe; `classKinds`: the kinds offered for a class target.
 */
export function drawSurvivalTrain(state, columns, ui, onRecipe, classKinds) {
  const { h, t } = ui;
  const box = document.querySelector('#survival-target');
  if (!box) return;
  // The controls are rebuilt on every recipe change: keep the focus where it was.
  const active = document.activeElement?.id;
  const refocus = () => { if (active && /^(survival|outcome)-/.test(active)) document.getElementById(active)?.focus(); };
  const recipe = state.recipe || {};
  const target = recipe.target;
  const survival = isSurvivalTarget(target);
  const { times, events } = survivalColumns(columns);
  const byName = new Map(arr(columns).map((c) => [c.name, c]));
  const option = (value, text, selected) => h('option', { value, selected: selected ? true : null }, text);
  const choose = (kind) => {
    if (kind === 'survival' && !survival) {
      const guess = guessSurvivalColumns(columns, target);
      if (!guess.time || !guess.event) return;
      onRecipe(withSurvivalTarget(recipe, { ...guess, event_value: defaultEventValue(eventValues(byName.get(guess.event))) }));
    } else if (kind !== 'survival' && survival) {
      onRecipe(withClassTarget(recipe, classKinds));
    }
  };
  const canSurvive = times.length > 0 && events.length > 0;
  const radios = h('div', { class: 'survival-kind', role: 'radiogroup', 'aria-labelledby': 'survival-kind-label' },
    h('span', { id: 'survival-kind-label', class: 'clinical-label' }, t('survival.outcome')), ' ',
    h('label', { class: 'check' }, h('input', {
      type: 'radio', name: 'outcome-kind', id: 'outcome-class', value: 'class', checked: !survival, onchange: () => choose('class'),
    }), ' ', t('survival.outcome_class')), ' ',
    h('label', { class: 'check' }, h('input', {
      type: 'radio', name: 'outcome-kind', id: 'outcome-survival', value: 'survival', checked: survival,
      disabled: !canSurvive && !survival, onchange: () => choose('survival'),
    }), ' ', t('survival.outcome_survival')));
  const parts = [h('legend', {}, t('survival.legend')), radios];
  if (!canSurvive && !survival) parts.push(h('p', { class: 'note' }, t('survival.no_columns')));
  if (survival) {
    const set = (patch) => {
      const next = { time: target.time, event: target.event, event_value: target.event_value, ...patch };
      if ('event' in patch) next.event_value = defaultEventValue(eventValues(byName.get(patch.event)));
      onRecipe(withSurvivalTarget(recipe, next));
    };
    const timeCols = times.includes(target.time) ? times : [target.time, ...times];
    const eventCols = events.includes(target.event) ? events : [target.event, ...events];
    const values = eventValues(byName.get(target.event));
    const chosenValue = target.event_value != null ? String(target.event_value) : defaultEventValue(values);
    if (chosenValue != null && !values.includes(chosenValue)) values.push(chosenValue);
    const numeric = byName.get(target.event)?.type === 'numeric';
    parts.push(h('div', { class: 'survival-columns' },
      h('label', { class: 'inline' }, h('span', {}, t('survival.time_column')), ' ',
        h('select', { id: 'survival-time', onchange: (e) => set({ time: e.target.value }) },
          ...timeCols.map((c) => option(c, c, c === target.time)))), ' ',
      h('label', { class: 'inline' }, h('span', {}, t('survival.event_column')), ' ',
        h('select', { id: 'survival-event', onchange: (e) => set({ event: e.target.value }) },
          ...eventCols.map((c) => option(c, c, c === target.event)))), ' ',
      h('label', { class: 'inline' }, h('span', {}, t('survival.event_value')), ' ',
        h('select', {
          id: 'survival-event-value',
          onchange: (e) => set({ event_value: numeric && isNum(Number(e.target.value)) ? Number(e.target.value) : e.target.value }),
        }, ...values.map((v) => option(v, v, v === chosenValue))))));
    parts.push(h('p', { class: 'note' }, t('survival.target_note', { time: target.time, event: target.event, value: chosenValue ?? '—' })));
  }
  box.replaceChildren(...parts);
  box.dataset.task = survival ? 'survival' : 'class';

  const opts = document.querySelector('#survival-options');
  if (!opts) return;
  opts.hidden = !survival;
  if (!survival) {
    opts.replaceChildren();
    refocus();
    return;
  }
  const ev = recipe.evaluation || {};
  const chosen = new Set(arr(recipe.models).map((m) => m?.kind));
  const kinds = kindsFor('survival');
  const models = h('div', { class: 'survival-models' },
    h('p', { class: 'clinical-label' }, t('survival.models')),
    ...kinds.map((kind) => h('label', { class: 'check' },
      h('input', {
        type: 'checkbox', id: `survival-model-${kind}`, value: kind, checked: chosen.has(kind),
        onchange: () => onRecipe(withSurvivalModels(recipe, kinds.filter((k) => (k === kind ? !chosen.has(k) : chosen.has(k))))),
      }), ' ', ui.modelLabel(kind))));
  const others = arr(columns).map((c) => c.name).filter((n) => n !== target.time && n !== target.event);
  const categorical = arr(columns).filter((c) => others.includes(c.name) && (c.type === 'categorical' || (c.type === 'numeric' && c.distinct <= 10))).map((c) => c.name);
  const columnSelect = (key, none) => {
    const current = typeof ev[key] === 'string' ? ev[key] : '';
    const list = current && !categorical.includes(current) ? [current, ...categorical] : categorical;
    return h('label', { class: 'inline' }, h('span', {}, t(`survival.${key}`)), ' ',
      h('select', { id: `survival-${key}`, onchange: (e) => onRecipe(withSurvivalEvaluation(recipe, key, e.target.value || null)) },
        option('', none, !current), ...list.map((c) => option(c, c, c === current))));
  };
  const horizons = arr(ev.horizons).filter(isNum);
  const horizonInput = h('input', {
    type: 'text', id: 'survival-horizons', inputmode: 'decimal', value: horizons.join(', '), placeholder: t('survival.horizons_placeholder'),
    onchange: (e) => {
      const parsed = parseHorizons(e.target.value);
      if (parsed.error) {
        e.target.setAttribute('aria-invalid', 'true');
        document.querySelector('#survival-horizons-error').textContent = t('survival.horizons_error');
        return;
      }
      onRecipe(withSurvivalEvaluation(recipe, 'horizons', parsed.values));
    },
  });
  opts.replaceChildren(
    h('legend', {}, t('survival.options_legend')),
    models,
    h('div', { class: 'survival-eval' },
      columnSelect('groups', t('survival.groups_none')), ' ',
      columnSelect('strata', t('survival.strata_none')), ' ',
      h('label', { class: 'inline' }, h('span', {}, t('survival.horizons', { time: target.time })), ' ', horizonInput),
      h('span', { id: 'survival-horizons-error', class: 'error', role: 'alert' })),
    h('p', { class: 'note' }, t('survival.options_note')));
  refocus();
}

// ───────────────────────────── Kaplan–Meier ─────────────────────────────

/** The report's Kaplan–Meier points by group: [{group, points}] ("all" first, then the groups). */
export function kmGroups(report) {
  const byGroup = new Map();
  for (const p of arr(report?.survival?.kaplan_meier)) {
    if (!p || !isNum(p.time) || !isNum(p.survival)) continue;
    const g = String(p.group ?? 'all');
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g).push(p);
  }
  for (const pts of byGroup.values()) pts.sort((a, b) => a.time - b.time);
  return [...byGroup.entries()].map(([group, points]) => ({ group, points }));
}

/** The curves drawn: the groups when the report has them, else the whole data. */
export function drawnCurves(report) {
  const all = kmGroups(report);
  const groups = all.filter((c) => c.group !== 'all');
  return groups.length ? groups : all;
}

/**
 * The step path of a Kaplan–Meier curve ("M x,y H x V y ..."): from (0, 1) across to each time,
 * then down to the survival there. `sx`, `sy` map time and survival to the chart.
 */
export function stepPath(points, sx, sy) {
  let s = 1;
  let d = `M${sx(0).toFixed(1)},${sy(1).toFixed(1)}`;
  for (const p of points) {
    d += `H${sx(p.time).toFixed(1)}`;
    if (p.survival !== s) d += `V${sy(p.survival).toFixed(1)}`;
    s = p.survival;
  }
  return d;
}

/** The band as polygons (one per run of points with both bounds), stepped like the curve. */
export function bandPolygons(points, sx, sy) {
  const out = [];
  let run = [{ time: 0, lower: 1, upper: 1 }];
  const flush = () => {
    if (run.length > 1) {
      const upper = [], lower = [];
      run.forEach((p, i) => {
        const next = run[i + 1];
        const x0 = sx(p.time), x1 = next ? sx(next.time) : sx(p.time);
        upper.push(`${x0.toFixed(1)},${sy(p.upper).toFixed(1)}`, `${x1.toFixed(1)},${sy(p.upper).toFixed(1)}`);
        lower.push(`${x0.toFixed(1)},${sy(p.lower).toFixed(1)}`, `${x1.toFixed(1)},${sy(p.lower).toFixed(1)}`);
      });
      out.push([...upper, ...lower.reverse()].join(' '));
    }
    run = [];
  };
  for (const p of points) {
    if (isNum(p.lower) && isNum(p.upper)) run.push(p);
    else flush();
  }
  flush();
  return out;
}

/** Rows at risk at time `t` (time ≥ t) of a curve's points: the first point at or after `t`, 0 past the last. */
export function atRisk(points, t) {
  const p = points.find((x) => x.time >= t);
  return p ? p.at_risk : 0;
}

/** Survival at time `t` (the last step at or before `t`; 1 before the first). */
export function survivalAt(points, t) {
  let s = 1;
  for (const p of points) {
    if (p.time > t) break;
    s = p.survival;
  }
  return s;
}

const shortLabel = (text, max = 16) => (String(text).length > max ? `${String(text).slice(0, max - 1)}…` : String(text));

/** The Kaplan–Meier chart: step curves, bands, censoring ticks, legend and numbers at risk. */
export function kmChart(curves, { title, xLabel, yLabel, riskLabel, id, describedBy }) {
  // The numbers-at-risk rows are named by the group's value alone (the legend has the full label).
  const names = curves.map((c) => shortLabel(c.riskName ?? c.label, 14));
  const left = Math.max(64, 34 + Math.max(...names.map(textWidth))), top = 14, plotW = 400, plotH = 230;
  const axisH = 40, riskRowH = 15;
  const riskTop = top + plotH + axisH + 8;
  const riskRows = riskLabel ? curves.length : 0;
  const legendRows = curves.length;
  const width = left + plotW + 24;
  const height = riskTop + (riskLabel ? 16 : 0) + riskRowH * riskRows + 8 + 18 * legendRows;
  const tMax = Math.max(1, ...curves.flatMap((c) => c.points.map((p) => p.time)));
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart km-chart', role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  if (describedBy) svg.setAttribute('aria-describedby', describedBy);
  svg.append(el('title', {}, title));
  const sx = (v) => left + (Math.max(0, Math.min(tMax, v)) / tMax) * plotW;
  const sy = (v) => top + plotH - Math.max(0, Math.min(1, v)) * plotH;
  const ticks = niceTicks(0, tMax).filter((v) => v >= 0 && v <= tMax);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('line', { x1: left, x2: left + plotW, y1: sy(tick), y2: sy(tick), class: 'grid' }));
    svg.append(el('text', { x: left - 5, y: sy(tick) + 4, class: 'tick', 'text-anchor': 'end' }, tickText(tick)));
  }
  for (const tick of ticks) {
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: top, y2: top + plotH, class: 'grid' }));
    svg.append(el('text', { x: sx(tick), y: top + plotH + 14, class: 'tick', 'text-anchor': 'middle' }, tickText(tick)));
  }
  svg.append(el('text', { x: left + plotW / 2, y: top + plotH + 32, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  svg.append(el('text', {
    x: 12, y: top + plotH / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${top + plotH / 2})`,
  }, yLabel));
  curves.forEach((c, ci) => {
    const colour = PALETTE[ci % PALETTE.length];
    const dash = DASHES[ci % DASHES.length];
    for (const poly of bandPolygons(c.points, sx, sy)) {
      svg.append(el('polygon', { points: poly, fill: colour, 'fill-opacity': 0.12, stroke: 'none', class: 'band', 'data-series': c.label }));
    }
  });
  curves.forEach((c, ci) => {
    const colour = PALETTE[ci % PALETTE.length];
    const dash = DASHES[ci % DASHES.length];
    const path = el('path', {
      d: stepPath(c.points, sx, sy), fill: 'none', stroke: colour, 'stroke-width': 2, class: 'km-curve series',
      'data-series': c.label, 'data-group': c.group, ...(dash ? { 'stroke-dasharray': dash } : {}),
    });
    path.append(el('title', {}, c.label));
    svg.append(path);
    const marks = c.points.filter((p) => p.censored > 0);
    if (marks.length) {
      const d = marks.map((p) => `M${sx(p.time).toFixed(1)},${(sy(p.survival) - 3).toFixed(1)}v6`).join('');
      svg.append(el('path', { d, stroke: colour, 'stroke-width': 0.8, fill: 'none', class: 'censor-ticks', 'data-series': c.label, 'data-count': marks.length }));
    }
  });
  // Numbers at risk under the x axis, at the tick times (none for a predicted curve: no riskLabel).
  if (riskLabel) svg.append(el('text', { x: 4, y: riskTop, class: 'axis-label' }, riskLabel));
  if (riskLabel) curves.forEach((c, ci) => {
    const y = riskTop + 16 + ci * riskRowH;
    const row = el('g', { class: 'at-risk', 'data-group': c.group });
    row.append(el('text', { x: left - 22, y, class: 'legend', 'text-anchor': 'end', fill: PALETTE[ci % PALETTE.length] }, names[ci]));
    for (const tick of ticks) {
      row.append(el('text', { x: sx(tick), y, class: 'tick', 'text-anchor': 'middle', 'data-time': tick }, String(atRisk(c.points, tick))));
    }
    svg.append(row);
  });
  // Legend (line style and colour per group), under the numbers at risk.
  const ly0 = riskLabel ? riskTop + 16 + riskRowH * riskRows + 10 : riskTop + 4;
  curves.forEach((c, ci) => {
    const colour = PALETTE[ci % PALETTE.length];
    const dash = DASHES[ci % DASHES.length];
    const ly = ly0 + ci * 18;
    svg.append(el('line', { x1: left, x2: left + 24, y1: ly - 4, y2: ly - 4, stroke: colour, 'stroke-width': 2, ...(dash ? { 'stroke-dasharray': dash } : {}) }));
    svg.append(el('text', { x: left + 30, y: ly, class: 'legend' }, c.label));
  });
  return svg;
}

// ───────────────────────────── forest plot ─────────────────────────────

/** Hazard ratios with their 95% intervals on a log axis, one row per input, a line at 1. */
export function forestPlot(rows, { title, xLabel, id, describedBy }) {
  const names = rows.map((r) => shortLabel(r.label, 28));
  const left = Math.min(240, 24 + 1.1 * Math.max(40, ...names.map(textWidth))), top = 10, plotW = 300, rowH = 20;
  const plotH = rowH * rows.length;
  const width = left + plotW + 20, height = top + plotH + 44;
  const values = rows.flatMap((r) => [r.lower, r.upper, r.hr]).filter((v) => isNum(v) && v > 0);
  let lo = Math.min(1, ...values), hi = Math.max(1, ...values);
  lo = Math.max(lo, 1e-3); hi = Math.min(hi, 1e3);
  const llo = Math.log(lo) - 0.1, lhi = Math.log(hi) + 0.1;
  const sx = (v) => left + ((Math.log(Math.max(1e-3, Math.min(1e3, v))) - llo) / (lhi - llo)) * plotW;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart forest-chart', role: 'img', 'aria-label': title });
  if (id) svg.setAttribute('id', id);
  if (describedBy) svg.setAttribute('aria-describedby', describedBy);
  svg.append(el('title', {}, title));
  const candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
  let ticks = candidates.filter((v) => Math.log(v) >= llo && Math.log(v) <= lhi);
  if (ticks.length > 7) ticks = ticks.filter((v) => [0.01, 0.1, 0.5, 1, 2, 10, 100].includes(v));
  for (const tick of ticks) {
    svg.append(el('line', { x1: sx(tick), x2: sx(tick), y1: top, y2: top + plotH, class: tick === 1 ? 'reference' : 'grid', ...(tick === 1 ? { stroke: '#5b6770', 'stroke-dasharray': '4 3' } : {}) }));
    svg.append(el('text', { x: sx(tick), y: top + plotH + 14, class: 'tick', 'text-anchor': 'middle' }, tickText(tick)));
  }
  svg.append(el('text', { x: left + plotW / 2, y: top + plotH + 34, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  rows.forEach((r, i) => {
    const y = top + rowH * i + rowH / 2;
    const g = el('g', { class: 'forest-row', 'data-feature': r.label, 'data-hr': String(r.hr) });
    g.append(el('text', { x: left - 8, y: y + 4, class: 'legend', 'text-anchor': 'end' }, names[i]));
    if (isNum(r.lower) && isNum(r.upper)) g.append(el('line', { x1: sx(r.lower), x2: sx(r.upper), y1: y, y2: y, stroke: PALETTE[0], 'stroke-width': 1.6 }));
    if (isNum(r.hr)) g.append(el('rect', { x: sx(r.hr) - 4, y: y - 4, width: 8, height: 8, fill: PALETTE[0] }));
    g.append(el('title', {}, r.text));
    svg.append(g);
  });
  return svg;
}

// ───────────────────────────── the Results views ─────────────────────────────

/** "0.680 (0.655–0.705)" of a metric entry (pooled, else mean, with `ci`). */
function metricText(stat, ui) {
  const v = stat?.pooled ?? stat?.mean;
  if (!isNum(v)) return ui.none();
  const ci = Array.isArray(stat.ci) && isNum(stat.ci[0]) && isNum(stat.ci[1]) ? ` (${ui.fmtDec(stat.ci[0])}–${ui.fmtDec(stat.ci[1])})` : '';
  return `${ui.fmtDec(v)}${ci}`;
}

/** "p = 0.050", "p < 0.001". */
export function pText(p, ui) {
  if (!isNum(p)) return ui.none();
  return p < 0.001 ? `p < ${ui.fmtDec(0.001, 3)}` : `p = ${ui.fmtDec(p, 3)}`;
}

/** A time as the report states it (a whole number when it is one). */
export const timeText = (v, ui) => (isNum(v) ? (Number.isInteger(v) ? ui.fmtInt(v) : ui.fmtNum(v)) : ui.none());

/** Metric keys of the models: C-index, Uno's C, then time-dependent AUC, Brier, IBS, then any other. */
function survivalMetricKeys(models) {
  const present = [...new Set(models.flatMap((m) => Object.keys(m?.metrics || {})))];
  const rank = (k) => (k === 'c_index' ? 0 : k === 'uno_c' ? 1 : /^auc@/.test(k) ? 2 : /^brier@/.test(k) ? 3 : k === 'integrated_brier' ? 4 : 5);
  const horizon = (k) => Number((/@(.+)$/.exec(k) || [])[1]) || 0;
  return present.sort((a, b) => rank(a) - rank(b) || horizon(a) - horizon(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function kmPart(report, ui, heading) {
  const { h, t } = ui;
  const s = report.survival || {};
  const curves = drawnCurves(report);
  if (!curves.length) return [];
  const grouped = curves.some((c) => c.group !== 'all');
  const labelOf = (g) => (g === 'all' ? t('survival.all_rows') : `${s.groups ?? ''} = ${g}`);
  const medians = arr(s.medians);
  const medianOf = (g) => medians.find((m) => String(m.group) === g);
  const series = curves.map((c) => ({ ...c, label: labelOf(c.group), riskName: c.group === 'all' ? t('survival.all_rows') : c.group }));
  const descId = 'km-desc';
  const desc = [t(grouped ? 'survival.km_desc_groups' : 'survival.km_desc', { column: s.groups ?? '', time: s.time ?? '' }),
    ...series.map((c) => {
      const m = medianOf(c.group);
      const last = c.points[c.points.length - 1];
      return t('survival.km_desc_curve', {
        group: c.label, rows: ui.fmtInt(m?.rows ?? c.points[0]?.at_risk ?? 0), events: ui.fmtInt(m?.events ?? c.points.reduce((n, p) => n + (p.events || 0), 0)),
        median: isNum(m?.median) ? timeText(m.median, ui) : t('survival.not_reached'),
        time: timeText(last?.time, ui), survival: ui.fmtDec(last?.survival ?? 1, 2),
      });
    })].join(' ');
  const out = [
    h(heading, { id: 'km-heading' }, t('survival.km_title')),
    h('figure', { class: 'chart-box', id: 'km-figure' },
      kmChart(series, {
        title: t('survival.km_chart'), xLabel: t('survival.time_axis', { time: s.time ?? '' }), yLabel: t('survival.survival_axis'),
        riskLabel: t('survival.at_risk'), id: 'km-chart', describedBy: descId,
      }),
      h('figcaption', {}, t('survival.km_caption'))),
    h('p', { class: 'note chart-desc', id: descId }, desc),
  ];
  const lr = s.log_rank;
  if (lr && isNum(lr.statistic)) {
    const strata = arr(lr.strata).length || (typeof lr.strata === 'string' && lr.strata);
    out.push(h('p', { id: 'log-rank', class: 'note', 'data-statistic': String(lr.statistic), 'data-p': isNum(lr.p) ? String(lr.p) : '' },
      t(strata ? 'survival.log_rank_strata' : 'survival.log_rank', {
        column: s.groups ?? '', strata: typeof lr.strata === 'string' ? lr.strata : arr(lr.strata).join(', '),
        statistic: ui.fmtDec(lr.statistic, 2), df: ui.fmtInt(lr.df), p: pText(lr.p, ui),
      }),
      ' ', t(isNum(lr.p) && lr.p < 0.05 ? 'survival.log_rank_differ' : 'survival.log_rank_same')));
  }
  if (medians.length) {
    out.push(h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'km-medians' },
      h('caption', {}, t('survival.medians_caption')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('survival.group')),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.rows')),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.events')),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.median', { time: s.time ?? '' })),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.median_ci')))),
      h('tbody', {}, ...medians.map((m) => h('tr', { 'data-group': String(m.group) },
        h('th', { scope: 'row' }, labelOf(String(m.group))),
        h('td', { class: 'num-col' }, ui.fmtInt(m.rows)),
        h('td', { class: 'num-col' }, ui.fmtInt(m.events)),
        h('td', { class: 'num-col', 'data-value': isNum(m.median) ? String(m.median) : '' }, isNum(m.median) ? timeText(m.median, ui) : t('survival.not_reached')),
        h('td', { class: 'num-col' }, `${isNum(m.lower) ? timeText(m.lower, ui) : t('survival.open')}–${isNum(m.upper) ? timeText(m.upper, ui) : t('survival.open')}`)))))));
  }
  const rejected = arr(s.rejected_rows);
  if (rejected.length) {
    // Each row left out, named by its place in the file (its line; older reports: its record).
    out.push(h('div', { class: 'note', id: 'survival-rejected' }, h('p', {}, t('survival.rejected', { n: ui.fmtInt(rejected.length) })),
      h('ul', {}, ...rejected.slice(0, REJECTED_SHOWN).map((r) => h('li', { 'data-line': isNum(r.line) ? String(r.line) : '' }, isNum(r.line)
        ? t('profile.rejected_row', { line: ui.fmtInt(r.line), reason: noteText(r, 'reason') })
        : t('tripod.survival_record', { row: ui.fmtInt(r.row), reason: noteText(r, 'reason') }))),
      rejected.length > REJECTED_SHOWN ? h('li', {}, '…') : null)));
  }
  return out;
}

function modelsPart(report, ui, heading) {
  const { h, t } = ui;
  const models = arr(report.models);
  if (!models.length) return [];
  const keys = survivalMetricKeys(models);
  const horizons = report.survival?.horizons;
  const out = [
    h(heading, { id: 'survival-models-heading' }, t('survival.models_title')),
    h('p', { class: 'note' }, t('survival.models_note')),
  ];
  if (horizons && arr(horizons.times).length) {
    out.push(h('p', { class: 'note', id: 'survival-horizons-note' }, t(horizons.source === 'recipe' ? 'survival.horizons_recipe' : 'survival.horizons_auto', {
      times: arr(horizons.times).map((x) => timeText(x, ui)).join(', '), time: report.survival?.time ?? '',
    })));
  }
  out.push(h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'survival-metrics' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('results.model')),
      ...keys.map((k) => h('th', { scope: 'col', class: 'num-col', 'data-metric': k, title: lowerIsBetter(k) ? t('survival.lower_better') : null },
        ui.metricLabel(k), lowerIsBetter(k) ? ' ↓' : '')))),
    h('tbody', {}, ...models.map((m) => h('tr', { 'data-kind': m.kind },
      h('th', { scope: 'row' }, ui.modelLabel(m.kind)),
      ...keys.map((k) => {
        const stat = m.metrics?.[k];
        const v = stat?.pooled ?? stat?.mean;
        return h('td', { class: 'num-col', 'data-metric': k, 'data-value': isNum(v) ? String(v) : '' }, metricText(stat, ui));
      })))))));
  out.push(h('p', { class: 'note' }, t('survival.metrics_note')));
  return out;
}

function calibrationPart(report, ui, heading) {
  const { h, t } = ui;
  const models = arr(report.models).filter((m) => arr(m.survival_calibration).length);
  if (!models.length) return [];
  const series = [];
  const lines = [];
  for (const m of models) {
    for (const at of arr(m.survival_calibration)) {
      const groups = arr(at.groups).filter((g) => isNum(g.predicted) && isNum(g.observed));
      if (!groups.length) continue;
      // One model: the legend names the horizon only (the model is in the table above), so it fits.
      const label = models.length === 1
        ? t('survival.calibration_series_time', { time: timeText(at.time, ui) })
        : t('survival.calibration_series', { model: ui.modelLabel(m.kind), time: timeText(at.time, ui) });
      const banded = groups.filter((g) => isNum(g.lower) && isNum(g.upper));
      series.push({
        label, x: groups.map((g) => g.predicted), y: groups.map((g) => g.observed), points: true,
        band: banded.length > 1 ? { x: banded.map((g) => g.predicted), lower: banded.map((g) => g.lower), upper: banded.map((g) => g.upper) } : undefined,
      });
      lines.push(t('survival.calibration_desc_line', {
        series: label,
        pairs: groups.map((g) => `${ui.fmtDec(g.predicted, 2)} → ${ui.fmtDec(g.observed, 2)}`).join(', '),
      }));
    }
  }
  if (!series.length) return [];
  return [
    h(heading, { id: 'survival-calibration-heading' }, t('survival.calibration_title')),
    h('figure', { class: 'chart-box', id: 'survival-calibration-figure' },
      unitLines(series, {
        title: t('survival.calibration_chart'), xLabel: t('survival.calibration_predicted'), yLabel: t('survival.calibration_observed'),
        format: (v) => ui.fmtDec(v, 2), id: 'survival-calibration-chart', describedBy: 'survival-calibration-desc',
      }),
      h('figcaption', {}, t('survival.calibration_chart'))),
    h('p', { class: 'note chart-desc', id: 'survival-calibration-desc' }, [t('survival.calibration_desc'), ...lines].join(' ')),
  ];
}

function coxPart(report, model, index, ui, heading) {
  const { h, t } = ui;
  const coefs = arr(model.final?.coefficients);
  if (!coefs.length) return [];
  const label = ui.modelLabel(model.kind);
  const fmtHr = (v) => (isNum(v) ? ui.fmtDec(v, v >= 100 ? 0 : 3) : ui.none());
  const rows = coefs.filter((c) => isNum(c.hazard_ratio) && isNum(c.lower) && isNum(c.upper)).map((c) => ({
    label: c.feature, hr: c.hazard_ratio, lower: c.lower, upper: c.upper,
    text: `${c.feature}: HR ${fmtHr(c.hazard_ratio)} (${fmtHr(c.lower)}–${fmtHr(c.upper)})`,
  }));
  const descId = `forest-desc-${index}`;
  const flagged = coefs.filter((c) => isNum(c.ph_p) && c.ph_p < 0.05);
  const tested = coefs.filter((c) => isNum(c.ph_p));
  const out = [
    h(heading, { id: `hr-heading-${index}` }, t('survival.hr_title', { model: label })),
    h('p', { class: 'note' }, t('survival.hr_note', { rows: ui.fmtInt(model.final.rows ?? 0), events: ui.fmtInt(model.final.events ?? 0) })),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data hr-table', id: `hr-table-${index}`, 'data-kind': model.kind },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('survival.input')),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.coef')),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.hr')),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.hr_ci')),
        h('th', { scope: 'col', class: 'num-col' }, 'p'),
        h('th', { scope: 'col', class: 'num-col' }, t('survival.ph_p')))),
      h('tbody', {}, ...coefs.map((c) => h('tr', { 'data-feature': c.feature, class: isNum(c.ph_p) && c.ph_p < 0.05 ? 'flagged' : null },
        h('th', { scope: 'row' }, c.feature),
        h('td', { class: 'num-col', 'data-value': isNum(c.coef) ? String(c.coef) : '' }, isNum(c.coef) ? ui.fmtDec(c.coef, 3) : ui.none()),
        h('td', { class: 'num-col', 'data-value': isNum(c.hazard_ratio) ? String(c.hazard_ratio) : '', 'data-col': 'hr' }, fmtHr(c.hazard_ratio)),
        h('td', { class: 'num-col', 'data-lower': isNum(c.lower) ? String(c.lower) : '', 'data-upper': isNum(c.upper) ? String(c.upper) : '' },
          isNum(c.lower) && isNum(c.upper) ? `${fmtHr(c.lower)}–${fmtHr(c.upper)}` : isNum(c.se) ? ui.none() : t('survival.not_estimated')),
        h('td', { class: 'num-col', 'data-value': isNum(c.p) ? String(c.p) : '' }, isNum(c.p) ? pText(c.p, ui).replace(/^p = /, '') : ui.none()),
        h('td', { class: 'num-col', 'data-value': isNum(c.ph_p) ? String(c.ph_p) : '' }, isNum(c.ph_p) ? pText(c.ph_p, ui).replace(/^p = /, '') : ui.none()))))))];
  if (rows.length) {
    const above = rows.filter((r) => r.lower > 1).map((r) => r.label);
    const below = rows.filter((r) => r.upper < 1).map((r) => r.label);
    out.push(h('figure', { class: 'chart-box', id: `forest-figure-${index}` },
      forestPlot(rows, { title: t('survival.forest_chart', { model: label }), xLabel: t('survival.forest_axis'), id: `forest-chart-${index}`, describedBy: descId }),
      h('figcaption', {}, t('survival.forest_chart', { model: label }))));
    out.push(h('p', { class: 'note chart-desc', id: descId }, [
      t('survival.forest_desc', { n: ui.fmtInt(rows.length) }),
      above.length ? t('survival.forest_above', { inputs: ui.list(above) }) : '',
      below.length ? t('survival.forest_below', { inputs: ui.list(below) }) : '',
      !above.length && !below.length ? t('survival.forest_none') : '',
    ].filter(Boolean).join(' ')));
  }
  if (tested.length) {
    out.push(h('p', { class: flagged.length ? 'warning' : 'note', id: `ph-check-${index}`, 'data-flagged': flagged.map((c) => c.feature).join('|') },
      flagged.length
        ? t('survival.ph_flagged', { inputs: ui.list(flagged.map((c) => `${c.feature} (${pText(c.ph_p, ui)})`)) })
        : t('survival.ph_ok', { n: ui.fmtInt(tested.length) })));
  }
  return out;
}

/**
 * The survival views of a Report: Kaplan–Meier, log-rank and medians; the models' metrics;
 * calibration at horizons; each Cox model's hazard ratios, forest plot and PH check. Under
 * `heading` (`h3` on the page, `h2` in the printable report). Null for another task.
 */
export function survivalViews(report, ui, heading = 'h3') {
  if (!isSurvivalReport(report)) return null;
  const sub = heading === 'h2' ? 'h3' : 'h4';
  const parts = [
    ...kmPart(report, ui, heading),
    ...modelsPart(report, ui, heading),
    ...calibrationPart(report, ui, heading),
    ...arr(report.models).flatMap((m, i) => coxPart(report, m, i, ui, sub)),
  ];
  return parts.length ? ui.h('section', { id: 'survival-views', class: 'survival-views' }, ...parts) : null;
}

// ───────────────────────────── Apply ─────────────────────────────

/** The apply result's survival block ({horizons, curve_times}), wherever the result carries it. */
export function applySurvivalInfo(result) {
  const s = result?.predictions?.survival ?? result?.survival;
  return s && typeof s === 'object' ? s : null;
}

/**
 * The Apply table of a survival model: risk score and survival at each horizon of the first
 * `shown` scored rows, and for a chosen row its predicted survival curve (`curve` at
 * `curve_times`; rows past the first 1,000 have none, said plainly). `chooseRow(i)`.
 */
export function applySurvivalView(result, ui, { shown, row, chooseRow }) {
  const { h, t } = ui;
  const p = result?.predictions;
  if (!p) return null;
  const info = applySurvivalInfo(result);
  const horizons = arr(info?.horizons).filter(isNum);
  const scored = arr(p.scored);
  const head = [t('apply.col_row'), t('apply.col_line'), t('survival.apply_risk'), ...horizons.map((x) => t('survival.apply_at', { time: timeText(x, ui) }))];
  const table = h('table', { class: 'table', id: 'apply-table', 'data-task': 'survival' },
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...scored.slice(0, shown).map((s) => h('tr', {},
      h('td', {}, String(s.row)), h('td', {}, String(s.line)),
      h('td', { class: 'num', 'data-value': isNum(s.value) ? String(s.value) : '' }, isNum(s.value) ? ui.fmtDec(s.value, 3) : ui.none()),
      ...horizons.map((_, i) => {
        const v = arr(s.survival_at)[i];
        return h('td', { class: 'num' }, isNum(v) ? ui.fmtDec(v, 3) : ui.none());
      })))));
  const out = [h('p', { class: 'note' }, t('survival.apply_note')), table];
  const times = arr(info?.curve_times).filter(isNum);
  if (times.length && scored.length) {
    const i = Math.max(0, Math.min(scored.length - 1, Number(row) || 0));
    const chosen = scored[i];
    // The k-th scored row (1-based), typed: a list of thousands of rows would not help.
    out.push(h('label', { class: 'inline' }, h('span', {}, t('survival.apply_curve_row', { n: ui.fmtInt(scored.length) })), ' ',
      h('input', {
        type: 'number', id: 'apply-curve-row', min: '1', max: String(scored.length), step: '1', value: String(i + 1),
        onchange: (e) => chooseRow(Math.max(0, Math.min(scored.length - 1, Math.round(Number(e.target.value) || 1) - 1))),
      })));
    const curve = arr(chosen.curve);
    if (curve.length === times.length && curve.every(isNum)) {
      const points = times.map((time, k) => ({ time, survival: curve[k], at_risk: 0, censored: 0 }));
      const label = t('survival.apply_row_option', { row: String(chosen.row), line: String(chosen.line) });
      const svg = kmChart([{ group: String(chosen.row), label, points }], {
        title: t('survival.apply_curve_title', { row: String(chosen.row) }), xLabel: t('survival.apply_time_axis'),
        yLabel: t('survival.survival_axis'), riskLabel: null, id: 'apply-curve-chart', describedBy: 'apply-curve-desc',
      });
      out.push(h('figure', { class: 'chart-box', id: 'apply-curve' }, svg),
        h('p', { class: 'note chart-desc', id: 'apply-curve-desc' }, t('survival.apply_curve_desc', {
          row: String(chosen.row),
          points: horizons.map((x) => `${timeText(x, ui)}: ${ui.fmtDec(survivalAt(points, x), 2)}`).join(', ') || timeText(times[times.length - 1], ui),
        })));
    } else {
      out.push(h('p', { class: 'note', id: 'apply-curve-none' }, t('survival.apply_no_curve', { row: String(chosen.row) })));
    }
  }
  return out;
}
