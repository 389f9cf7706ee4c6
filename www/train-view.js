// Step 5, Train & evaluate: the model checkboxes (built once from the core's schema), evaluation
// and seed fields, Run / Cancel, the progress bar with the time left. The feature steps editor of
// step 4 is drawn with the options (features.js). Draws state; edits go out as intents.
import { modelKinds } from './schema.js';
import { renderFeatures } from './features.js';
import { profileColumns } from './profile-view.js';
import { drawShapSwitch, shapSwitch } from './explain-view.js';
import { CALIBRATIONS, withCalibration, withEvaluationOption } from './recipe-edit.js';
import { drawSurvivalTrain, isSurvivalTarget } from './survival-view.js';
import { workersFor } from './scheduler.js';

const $ = (sel) => document.querySelector(sel);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** The kinds offered as checkboxes: the schema's models for a class target, in registry order. */
export function offeredModels() {
  return modelKinds().filter((m) => Array.isArray(m.tasks) && m.tasks.includes('classification')).map((m) => m.kind);
}

/**
 * Build the model checkboxes into #models-fieldset. `intents`: {setModels(kinds), setEvaluation(method,
 * fields), setSeed(raw)}.
 */
export function initTrain(ui, intents) {
  const { h } = ui;
  const box = $('#models-fieldset');
  for (const kind of offeredModels()) {
    box.append(h('label', { class: 'check' },
      h('input', { type: 'checkbox', id: `model-${kind}`, name: 'model', value: kind }), ' ',
      h('span', { 'data-model': kind })));
  }
  const chosen = () => offeredModels().filter((k) => $(`#model-${k}`).checked);
  for (const kind of offeredModels()) $(`#model-${kind}`).addEventListener('change', () => intents.setModels(chosen()));
  const fields = () => ({ folds: $('#eval-folds').value, testFraction: $('#eval-test-fraction').value });
  $('#eval-stratified_kfold').addEventListener('change', () => intents.setEvaluation('stratified_kfold', fields()));
  $('#eval-holdout').addEventListener('change', () => intents.setEvaluation('holdout', fields()));
  $('#eval-folds').addEventListener('change', () => intents.setEvaluation('stratified_kfold', fields()));
  $('#eval-test-fraction').addEventListener('change', () => intents.setEvaluation('holdout', fields()));
  $('#seed').addEventListener('change', (e) => intents.setSeed(e.target.value));
  $('#eval-holdout').closest('fieldset').append(shapSwitch(ui, intents.setFeatures));
  // Clinical options (recalibration per model, threshold rule, outcome date): drawn by optionsView.
  $('#models-fieldset').parentElement.append(h('fieldset', { id: 'clinical-options', class: 'clinical-options' }));
  // The outcome (a class target or time to event) first, and the time-to-event models and
  // options (survival-view.js), drawn by optionsView.
  $('#models-fieldset').before(h('fieldset', { id: 'survival-target', class: 'survival-target' }));
  $('#models-fieldset').after(h('fieldset', { id: 'survival-options', class: 'survival-options', hidden: true }));
  // The run's estimate, under Run (estimateView draws it).
  $('.run-row').after(h('div', { id: 'run-estimate', class: 'run-estimate muted', 'aria-live': 'polite', hidden: '' }));
}

/** A duration as the estimate words it: "under 1 s", "45 s", "3.5 min". */
function estimateDuration(ui, ms) {
  const s = ms / 1000;
  if (s < 1) return ui.t('estimate.under_second');
  if (s < 120) return ui.t('estimate.seconds', { n: ui.fmtInt(Math.round(s)) });
  return ui.t('estimate.minutes', { n: ui.fmtDec(s / 60, 1) });
}

/**
 * The run's estimate before Run (`state.estimate`, see estimate.js): the total with the pool's
 * workers, the time of each phase and the warnings (a wide one-hot, a long run), worded here
 * from the core's numbers and warning codes. Hidden while a run goes on.
 */
export function estimateView(ui) {
  const { h } = ui;
  return function drawEstimate(state) {
    const box = $('#run-estimate');
    if (!box) return;
    const e = state.estimate;
    box.replaceChildren();
    box.hidden = state.running || !e || e.status === 'idle';
    if (box.hidden) return;
    box.dataset.status = e.status;
    if (e.status === 'busy' && !e.data) {
      box.append(h('p', {}, ui.t('estimate.busy')));
      return;
    }
    if (e.status === 'error') {
      box.append(h('p', {}, ui.t('estimate.error', { error: e.error || ui.t('error.unknown') })));
      return;
    }
    const d = e.data;
    if (!d || !isNum(d.total_ms)) return;
    // The core's times are of one worker; the pool runs its units side by side, on fewer
    // workers when each would hold a large copy of the data (scheduler.js, workersFor).
    const units = Array.isArray(d.units) ? d.units.length : 1;
    const usable = Math.max(1, Math.min(e.workers || 1, units || 1));
    const workers = workersFor(usable, d.worker_bytes);
    const total = d.total_ms / workers;
    box.dataset.totalMs = String(Math.round(total));
    box.append(h('p', { class: 'estimate-total' }, ui.t('estimate.total', {
      time: estimateDuration(ui, total), workers: ui.fmtInt(workers), inputs: ui.fmtInt(d.inputs ?? 0),
    })));
    const phases = (Array.isArray(d.phases) ? d.phases : []).filter((p) => isNum(p.ms) && p.ms > 0);
    if (phases.length) {
      box.append(h('ul', { class: 'estimate-phases' }, ...phases.map((p) => h('li', { 'data-phase': p.phase },
        ui.t('estimate.phase', {
          phase: ui.has(`phase.${p.phase}`) ? ui.t(`phase.${p.phase}`) : p.phase,
          time: estimateDuration(ui, p.ms / workers),
        })))));
    }
    // The core's coded warnings, worded here with the pool's workers (the core counts its own threads).
    const kind = (c) => { const code = typeof c === 'string' ? c : c?.code || '';
      return code.startsWith('warn.many_inputs') ? 'many_inputs' : code.startsWith('warn.long_run') ? 'long_run' : code; };
    const codes = (Array.isArray(d.warning_codes) ? d.warning_codes : []).map(kind);
    const [column, n] = Array.isArray(d.widest) ? d.widest : [null, null];
    for (const code of codes) {
      const params = { inputs: ui.fmtInt(d.inputs ?? 0), column: column ?? '', n: ui.fmtInt(n ?? 0), time: estimateDuration(ui, total) };
      const key = code === 'many_inputs' && column == null ? 'estimate.warning.many_inputs_plain' : `estimate.warning.${code}`;
      if (ui.has(key)) box.append(h('p', { class: 'estimate-warning', role: 'note', 'data-code': code }, ui.t(key, params)));
    }
    if (workers < usable) {
      box.append(h('p', { class: 'estimate-memory', role: 'note' }, ui.t('estimate.memory', {
        workers: ui.fmtInt(workers), pool: ui.fmtInt(usable), mb: ui.fmtInt(d.worker_bytes / 2 ** 20),
      })));
    }
    box.append(h('p', { class: 'estimate-note' }, ui.t('estimate.note')));
  };
}

// ───────────────────────────── clinical options ─────────────────────────────

/** Threshold rules offered, with the one number each takes: [field, default, min, max]. */
const RULES = {
  youden: null,
  net_benefit: ['pt', 0.2, 0.01, 0.99],
  cost: ['ratio', 5, 0.01, 1000],
  min_sensitivity: ['value', 0.9, 0.01, 0.99],
  min_specificity: ['value', 0.9, 0.01, 0.99],
};

/** The `evaluation.threshold` of a rule name and the number typed (kept in range; a bad number gives the default). */
export function thresholdRule(name, raw) {
  if (!(name in RULES)) return null;
  const arg = RULES[name];
  if (!arg) return { rule: name };
  const [field, dflt, lo, hi] = arg;
  const v = Number(raw);
  return { rule: name, [field]: Number.isFinite(v) && v >= lo && v <= hi ? v : dflt };
}

/** The number shown for a rule: its field, or for `cost` written as fn_cost/fp_cost their ratio. */
function ruleNumber(rule) {
  const arg = RULES[rule?.rule];
  if (!arg) return '';
  if (rule.rule === 'cost' && rule.ratio == null && isNum(rule.fn_cost) && isNum(rule.fp_cost) && rule.fp_cost > 0) return rule.fn_cost / rule.fp_cost;
  return isNum(rule[arg[0]]) ? rule[arg[0]] : arg[1];
}

/**
 * The Train panel's clinical options, written into the recipe as the JSON editor would
 * (`onRecipe(next)`): each chosen classification model's recalibration (`models[i].calibration`),
 * the operating-threshold rule (`evaluation.threshold`) and the outcome's date column
 * (`evaluation.outcome_date`, for the leakage check of inputs dated after it).
 */
function drawClinical(state, ui, onRecipe) {
  const { h, t } = ui;
  const box = $('#clinical-options');
  if (!box) return;
  const r = state.recipe || {};
  const ev = r.evaluation || {};
  const offered = new Set(offeredModels());
  const models = (Array.isArray(r.models) ? r.models : []).filter((m) => offered.has(m?.kind));
  const edit = (next) => onRecipe(next);
  const label = (kind) => ui.labelOr(`model.${kind}`, null, kind);
  const option = (value, text, selected) => h('option', { value, selected: selected ? true : null }, text);

  const calibration = models.length
    ? h('div', { class: 'clinical-calibration' },
      h('p', { class: 'clinical-label', id: 'calibration-label' }, t('clinical.calibration')),
      ...models.map((m) => h('label', { class: 'inline', 'data-kind': m.kind },
        h('span', {}, label(m.kind)), ' ',
        h('select', {
          id: `calibration-${m.kind}`, 'aria-describedby': 'calibration-label',
          onchange: (e) => edit(withCalibration(state.recipe, m.kind, e.target.value)),
        },
        option('', t('clinical.calibration_none'), !m.calibration),
        ...CALIBRATIONS.map((c) => option(c, t(`clinical.calibration_${c}`), m.calibration === c))))))
    : h('p', { class: 'muted' }, t('clinical.calibration_no_models'));

  const rule = ev.threshold && typeof ev.threshold === 'object' ? ev.threshold : null;
  const arg = rule ? RULES[rule.rule] : null;
  const numberInput = h('input', {
    type: 'number', id: 'threshold-value', step: 'any', min: arg ? String(arg[2]) : null, max: arg ? String(arg[3]) : null,
    value: arg ? String(ruleNumber(rule)) : '', hidden: !arg,
    onchange: (e) => edit(withEvaluationOption(state.recipe, 'threshold', thresholdRule(rule.rule, e.target.value))),
  });
  const threshold = h('div', { class: 'clinical-threshold' },
    h('label', { class: 'inline' }, h('span', {}, t('clinical.threshold')), ' ',
      h('select', {
        id: 'threshold-rule',
        onchange: (e) => edit(withEvaluationOption(state.recipe, 'threshold', thresholdRule(e.target.value, null))),
      },
      option('', t('clinical.threshold_none'), !rule),
      ...Object.keys(RULES).map((name) => option(name, ui.has(`threshold.rule_${name}`) ? t(`threshold.rule_${name}`) : name, rule?.rule === name)))),
    arg ? h('label', { class: 'inline', for: 'threshold-value' }, h('span', {}, t(`clinical.threshold_${arg[0]}`))) : null,
    numberInput);

  const dates = profileColumns(state.profile).filter((c) => c?.type === 'date').map((c) => c.name);
  const current = typeof ev.outcome_date === 'string' ? ev.outcome_date : '';
  if (current && !dates.includes(current)) dates.push(current);
  const outcomeDate = h('div', { class: 'clinical-outcome-date' },
    h('label', { class: 'inline' }, h('span', {}, t('clinical.outcome_date')), ' ',
      h('select', {
        id: 'outcome-date', disabled: !dates.length,
        onchange: (e) => edit(withEvaluationOption(state.recipe, 'outcome_date', e.target.value || null)),
      },
      option('', dates.length ? t('clinical.outcome_date_none') : t('clinical.outcome_date_no_dates'), !current),
      ...dates.map((d) => option(d, d, d === current)))));

  box.replaceChildren(
    h('legend', {}, t('clinical.legend')),
    calibration, threshold, outcomeDate,
    h('p', { class: 'note' }, t('clinical.note')));
}

/** The options (models, evaluation, seed, clinical options) and the feature steps editor.
 * `onFeatures(recipe)`: the recipe edited by a control (recorded as any recipe edit). */
export function optionsView(ui, onFeatures) {
  return function drawOptions(state) {
    const r = state.recipe || {};
    // A time-to-event target: its own models and options; the class-only ones are hidden.
    const survival = isSurvivalTarget(r.target);
    drawSurvivalTrain(state, profileColumns(state.profile), ui, onFeatures, offeredModels());
    $('#models-fieldset').hidden = survival;
    $('#clinical-options').hidden = survival;
    const shap = document.querySelector('.shap-switch');
    if (shap) shap.hidden = survival;
    if (!survival) drawClinical(state, ui, onFeatures);
    const kinds = new Set((Array.isArray(r.models) ? r.models : []).map((m) => m?.kind));
    for (const kind of offeredModels()) {
      $(`#model-${kind}`).checked = kinds.has(kind);
      document.querySelector(`span[data-model="${kind}"]`).textContent = ui.labelOr(`model.${kind}`, null, kind);
    }
    const ev = r.evaluation || {};
    $('#eval-stratified_kfold').checked = ev.method === 'stratified_kfold';
    $('#eval-holdout').checked = ev.method === 'holdout';
    if (ev.method === 'stratified_kfold' && isNum(ev.folds)) $('#eval-folds').value = ev.folds;
    if (ev.method === 'holdout' && isNum(ev.test_fraction)) $('#eval-test-fraction').value = ev.test_fraction;
    if (isNum(r.seed)) $('#seed').value = r.seed;
    drawShapSwitch(state.recipe, ui);
    renderFeatures({ recipe: state.recipe, columns: profileColumns(state.profile), ui, onChange: onFeatures });
  };
}

/** Run / Cancel and the load controls, enabled by what is going on. */
export function runControls(state) {
  $('#run').disabled = state.running || state.loading || !state.profile;
  $('#cancel').disabled = !state.running;
  $('#load-demo').disabled = state.loading;
  const followup = document.querySelector('#load-followup-demo');
  if (followup) followup.disabled = state.loading;
  $('#file-input').disabled = state.loading;
}

/** The progress bar and the estimate of the time left (`state.progress`). */
export function progressView(ui) {
  return function drawProgress(state) {
    const p = state.progress;
    const progress = $('#progress');
    progress.max = p.max;
    progress.value = p.value;
    if (p.stage == null) delete progress.dataset.stage;
    else progress.dataset.stage = p.stage;
    const eta = $('#run-eta');
    eta.textContent = isNum(p.etaMs) ? ui.t('run.eta', { seconds: ui.fmtInt(Math.max(1, Math.ceil(p.etaMs / 1000))) }) : '';
    eta.dataset.etaMs = isNum(p.etaMs) ? String(p.etaMs) : '';
  };
}
