// Step 5, Train & evaluate: the model checkboxes (built once from the core's schema), evaluation
// and seed fields, Run / Cancel, the progress bar with the time left. The feature steps editor of
// step 4 is drawn with the options (features.js). Draws state; edits go out as intents.
import { modelKinds } from './schema.js';
import { renderFeatures } from './features.js';
import { profileColumns } from './profile-view.js';
import { drawShapSwitch, shapSwitch } from './explain-view.js';

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
    // The core's times are of one worker; the pool runs its units side by side.
    const units = Array.isArray(d.units) ? d.units.length : 1;
    const workers = Math.max(1, Math.min(e.workers || 1, units || 1));
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
    box.append(h('p', { class: 'estimate-note' }, ui.t('estimate.note')));
  };
}

/** The options (models, evaluation, seed) and the feature steps editor. `onFeatures(recipe)`. */
export function optionsView(ui, onFeatures) {
  return function drawOptions(state) {
    const r = state.recipe || {};
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
