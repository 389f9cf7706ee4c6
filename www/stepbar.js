// The guided flow: Load → Profile → Protect → Features → Train & evaluate → Results → Export.
// A step bar (<nav> with an ordered list) at the top of <main> shows each step's state (done,
// current, to do, or blocked with the reason), and each step's section gets a short "what this
// step does" line, a "what it did" line with counts, and a "Next" button. All sections stay in
// the page; the bar moves focus between them. Strings: i18n/LANG.app.json (keys flow.*).
//
// Adding a step that lives inside another step's section (e.g. "Apply a trained model" under
// Export): give its element `data-substep="apply"` inside #export-section and add an entry to
// SUBSTEPS below; the bar lists it under its parent and it shares the parent's state.

import { measurement } from './officer.js';

export const STEPS = ['load', 'profile', 'protect', 'features', 'train', 'results', 'export'];
/** parent step → [{id, section, label}] — sub-steps listed under their parent in the bar. */
export const SUBSTEPS = { export: [{ id: 'apply', section: '#apply-section', label: 'apply.title' }] };

const SECTION = {
  load: '#load-section', profile: '#profile-section', protect: '#protect-section', features: '#features-section',
  train: '#train-section', results: '#results-section', export: '#export-section',
};

/** The flow's part of the state (`state.flow`): the current step, how far the user has gone, what was exported. */
export const FLOW_START = Object.freeze({ current: 'load', furthest: 0, exported: Object.freeze([]) });

let ctx = null; // the `ui` helpers

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);

/**
 * The state of every step from the app state: {id: {state: 'done'|'todo'|'blocked', reason?}}.
 * `flow.furthest` is how far the user has gone: a step before it counts as done once its
 * prerequisites hold (the user moved past it), and a finished run completes every step up to Results.
 */
export function stepStates(state, progress = state.flow) {
  const out = {};
  const loaded = !!state.profile;
  const report = !!state.report;
  const past = (id) => progress.furthest > STEPS.indexOf(id);
  const noData = { state: 'blocked', reason: 'flow.blocked.no_data' };
  out.load = { state: loaded ? 'done' : 'todo' };
  if (!loaded) {
    for (const id of STEPS.slice(1)) out[id] = noData;
    out.results = { state: 'blocked', reason: 'flow.blocked.no_run' };
    out.export = { state: 'blocked', reason: 'flow.blocked.no_run' };
    return out;
  }
  const recipe = state.recipe || {};
  out.profile = { state: recipe.target && (report || past('profile')) ? 'done' : 'todo' };
  for (const id of ['protect', 'features']) out[id] = { state: report || past(id) ? 'done' : 'todo' };
  // Protect is never "done" while its result is above the recipe's risk threshold.
  if (protectMeasurement(state)?.above) out.protect = { state: 'above', reason: 'flow.above_reason' };
  if (state.recipeInvalid) out.train = { state: 'blocked', reason: 'flow.blocked.bad_recipe' };
  else if (!recipe.target) out.train = { state: 'blocked', reason: 'flow.blocked.no_target' };
  else if (!arr(recipe.models).length) out.train = { state: 'blocked', reason: 'flow.blocked.no_model' };
  else out.train = { state: report ? 'done' : 'todo' };
  out.results = report ? { state: past('results') ? 'done' : 'todo' } : { state: 'blocked', reason: 'flow.blocked.no_run' };
  out.export = report ? { state: progress.exported.length ? 'done' : 'todo' } : { state: 'blocked', reason: 'flow.blocked.no_run' };
  return out;
}

/** Does the run's report measure the recipe as it stands (same privacy steps, roles and risk options)? */
export function reportCurrent(state) {
  // The recipe sent for this run (the Report's own copy may spell defaults out).
  const r = state.report ? state.runRecipe ?? state.report.recipe : null;
  const now = state.recipe;
  if (!r || !now) return false;
  const key = (x) => JSON.stringify([x.privacy ?? [], x.columns ?? {}, x.risk ?? null]);
  return key(r) === key(now);
}

/**
 * The core's measurement of the recipe as it stands: the run's report while it is current, else
 * the latest preview (both computed by the core over the same quasi-identifiers).
 */
export function protectMeasurement(state) {
  if (state.report?.privacy && reportCurrent(state)) return measurement(state.report.privacy);
  return measurement(state.preview?.data);
}

/**
 * Frame the Protect section like the others and follow the focus: working inside a step's
 * section makes it the current step. `intents`: {setCurrent(id), goTo(id)}; `getState()`.
 */
export function initFlow(ui, getState, intents) {
  ctx = { ...ui, intents };
  // The Protect section is created by protect.js: give it the same frame as the others.
  const protect = document.querySelector('#protect-section');
  if (protect && !protect.dataset.step) {
    protect.dataset.step = 'protect';
    protect.classList.add('step-card');
    const head = protect.querySelector('h2');
    head.tabIndex = -1;
    head.prepend(ui.h('span', { class: 'num', 'aria-hidden': 'true' }, '3'));
    head.after(ui.h('div', { class: 'step-about', 'data-step': 'protect' }));
    protect.append(ui.h('div', { class: 'step-next', 'data-step': 'protect' }));
  }
  const list = document.querySelector('#steps');
  list.addEventListener('keydown', onBarKey);
  keepHeadingsClear();
  document.addEventListener('focusin', (e) => {
    const section = e.target.closest?.('section.step-card');
    const id = section?.dataset.step;
    const state = getState();
    // A "Next" button moves on from its section: focusing it (the press before the click) must
    // not make its section current again, or the redraw replaces the button under the pointer
    // and the click is lost.
    if (!id || id === state.flow.current || e.target.closest('#flow-head') || e.target.closest('.step-next')) return;
    if (stepStates(state)[id].state === 'blocked') return;
    moveInPlace();
    intents.setCurrent(id);
  });
}

/** The flow with `id` as the current step. */
export function withCurrent(flow, id) {
  return { ...flow, current: id, furthest: Math.max(flow.furthest, STEPS.indexOf(id)) };
}

/** The flow with `what` exported (csv, report, privacy_report, model_report). */
export function withExported(flow, what) {
  return flow.exported.includes(what) ? flow : { ...flow, exported: [...flow.exported, what] };
}

/**
 * The sticky step bar covers the top of the window: a section scrolled into view (from the bar,
 * an address or a link) must land with its heading below it. The scroll padding follows the
 * bar's real height, which changes with the width and the language.
 */
function keepHeadingsClear() {
  const head = document.querySelector('#flow-head');
  if (!head || typeof ResizeObserver !== 'function') return;
  const set = () => {
    document.documentElement.style.scrollPaddingTop = `${Math.ceil(head.getBoundingClientRect().height) + 12}px`;
  };
  new ResizeObserver(set).observe(head);
  set();
}

// ───────────────────────────── the address: #step=ID ─────────────────────────────
// Each step has its own address (`#step=protect`), next to the other parameters the address may
// carry (`lang`, `recipe`, `fill`, `workers`): each move to another step (the bar, a Next button,
// data loaded, a run finished) adds a history entry, so Back and Forward move between steps;
// focus moving into a section, or a blocked step giving way, replaces the address instead.

let inPlace = false;

/** The next change of the current step replaces the address instead of adding a history entry. */
export function moveInPlace() {
  inPlace = true;
}

/** Whether the change being written was marked `moveInPlace` (and clear the mark). */
export function takeInPlace() {
  const was = inPlace;
  inPlace = false;
  return was;
}

/** The step named in the address (`#step=ID`), or null. */
export function stepFromAddress() {
  const id = new URLSearchParams(location.hash.slice(1)).get('step');
  return STEPS.includes(id) ? id : null;
}

/** Write `id` into the address: a new history entry when `push`, else in place. */
export function writeStepAddress(id, push) {
  if (stepFromAddress() === id) return;
  const params = new URLSearchParams(location.hash.slice(1));
  params.set('step', id);
  const url = `${location.pathname}${location.search}#${params.toString()}`;
  try {
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  } catch { /* a page opened from disk in a browser that refuses: the bar still works */ }
}

/** Scroll to step `id`'s section and move focus to its heading (after it became current). */
export function showStep(id) {
  const section = document.querySelector(SECTION[id]);
  if (section && !section.hidden) {
    section.scrollIntoView({ block: 'start' });
    section.querySelector('h2')?.focus({ preventScroll: true });
  }
}

function onBarKey(e) {
  const links = [...document.querySelectorAll('#steps a.step-link')];
  const i = links.indexOf(document.activeElement);
  if (i < 0) return;
  const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: links.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, to))].focus();
}

// ───────────────────────────── rendering ─────────────────────────────

/**
 * The flow once a blocked current step gives way to the last reachable one before it (the
 * recipe became invalid, the data changed), or null when nothing changes.
 */
export function unblockedFlow(state) {
  const current = shownCurrent(state, stepStates(state));
  return current === state.flow.current ? null : { ...state.flow, current };
}

function shownCurrent(state, states) {
  const current = state.flow.current;
  if (states[current]?.state !== 'blocked') return current;
  return [...STEPS].reverse().find((id) => states[id].state !== 'blocked' && STEPS.indexOf(id) <= STEPS.indexOf(current)) || 'load';
}

export function renderFlow(state) {
  if (!ctx) return;
  const { t, h } = ctx;
  const states = stepStates(state);
  const flow = state.flow;
  const focused = document.activeElement?.closest?.('#steps li')?.dataset.step;
  const list = document.querySelector('#steps');
  list.replaceChildren(...STEPS.map((id, i) => {
    const s = states[id];
    const current = id === flow.current;
    const shown = current ? 'current' : s.state;
    const label = current && s.state === 'above' ? `${t('flow.state.current')} · ${t('flow.state.above')}` : t(`flow.state.${shown}`);
    const reason = s.state === 'blocked' ? t(s.reason) : null;
    const link = h('a', {
      href: SECTION[id], class: 'step-link', 'aria-current': current ? 'step' : null,
      'aria-disabled': s.state === 'blocked' ? 'true' : null,
      onclick: (e) => { e.preventDefault(); ctx.intents.goTo(id); },
    },
    h('span', { class: 'step-num', 'aria-hidden': 'true' }, s.state === 'done' && !current ? '✓' : s.state === 'above' && !current ? '!' : String(i + 1)),
    h('span', { class: 'step-name' }, t(`step.${id}`)),
    h('span', { class: 'step-state' }, reason ? `${label}: ${reason}` : label));
    const subs = (SUBSTEPS[id] || []).map((sub) => h('li', { class: 'substep', 'data-step': sub.id },
      h('a', { href: sub.section, class: 'step-link', onclick: (e) => { e.preventDefault(); if (ctx.intents.goTo(id)) document.querySelector(sub.section)?.scrollIntoView(); } }, t(sub.label))));
    return h('li', { class: 'step', 'data-step': id, 'data-state': shown, 'data-done': String(s.state === 'done'), 'data-above': s.state === 'above' ? 'true' : null },
      link, subs.length ? h('ol', { class: 'substeps' }, ...subs) : null);
  }));
  if (focused) list.querySelector(`li[data-step="${focused}"] a`)?.focus();
  // On a narrow window the bar is one scrolling row: keep the current step in sight (measured
  // once the step changed, after layout, never in the middle of a redraw).
  if (flow.current !== shownStep) {
    shownStep = flow.current;
    requestAnimationFrame(() => revealStep(list, flow.current));
  }
  for (const id of STEPS) {
    const about = document.querySelector(`.step-about[data-step="${id}"]`);
    if (about) renderAbout(about, id, states, state);
    const next = document.querySelector(`.step-next[data-step="${id}"]`);
    if (next) renderNext(next, id, states);
    document.querySelector(SECTION[id])?.classList.toggle('is-current', id === flow.current);
  }
}

let shownStep = null;

function revealStep(list, id) {
  const li = list.querySelector(`li[data-step="${id}"]`);
  if (!li || list.scrollWidth <= list.clientWidth + 1 || li.offsetParent !== list) return;
  const left = li.offsetLeft;
  if (left < list.scrollLeft || left + li.offsetWidth > list.scrollLeft + list.clientWidth) list.scrollLeft = Math.max(0, left - 8);
}

function renderAbout(box, id, states, state) {
  const { t, h } = ctx;
  const did = didText(id, state);
  box.replaceChildren(
    h('p', { class: 'step-does' }, h('strong', {}, t('flow.does_label')), ' ',
      t(id === 'results' && state.report?.target?.task === 'survival' ? 'flow.does.results_survival' : `flow.does.${id}`)),
    did ? h('p', { class: 'step-did', 'data-step': id, 'data-state': states[id].state },
      h('strong', {}, t(did.done ? 'flow.did_label' : 'flow.plan_label')), ' ', did.text) : '');
}

function renderNext(box, id, states) {
  const { t, h } = ctx;
  const next = STEPS[STEPS.indexOf(id) + 1];
  if (!next || id === 'train') return box.replaceChildren();
  const blocked = states[next].state === 'blocked';
  // The button stays the same element across redraws (a redraw between press and release would
  // otherwise swallow the click); only its text and state change.
  let button = box.querySelector('button.next');
  if (!button) {
    button = h('button', { type: 'button', class: 'button next', 'data-next': next, onclick: () => ctx.intents.goTo(next) });
  }
  button.textContent = t('flow.next', { step: t(`step.${next}`) });
  if (blocked) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
  const reason = blocked ? h('span', { class: 'muted' }, ` ${t(states[next].reason)}`) : null;
  if (box.firstChild !== button || box.childNodes.length !== (reason ? 2 : 1)) box.replaceChildren(...[button, reason].filter(Boolean));
  else if (reason) box.lastChild.replaceWith(reason);
}

/** "What it did" for a step: {text, done} (done: measured in a run, otherwise what is planned). */
function didText(id, state) {
  const { t, fmtInt } = ctx;
  const report = state.report;
  const recipe = state.recipe || {};
  const input = state.profile?.input || {};
  switch (id) {
    case 'load':
    case 'profile': {
      if (!state.profile) return null;
      const params = {
        name: state.file?.name ?? '', rows: fmtInt(input.rows), columns: fmtInt(input.columns),
        rejected: fmtInt(arr(input.rejected_rows).length),
      };
      if (id === 'load') return { text: t('flow.did.load', params), done: true };
      const roles = Object.values(recipe.columns || {});
      return {
        done: true,
        text: t('flow.did.profile', {
          ...params, target: (recipe.target && typeof recipe.target === 'object' ? `${recipe.target.time} / ${recipe.target.event}` : recipe.target) || t('results.none'),
          identifiers: fmtInt(roles.filter((r) => r === 'identifier').length), quasi: fmtInt(roles.filter((r) => r === 'quasi').length),
        }),
      };
    }
    case 'protect': {
      if (!state.profile) return null;
      const steps = fmtInt(arr(recipe.privacy).length);
      const p = reportCurrent(state) ? report?.privacy : null;
      if (p) {
        return { done: true, text: t('flow.did.protect', { steps: fmtInt(arr(report.recipe?.privacy).length), before: fmtInt(p.before?.k_anonymity), after: fmtInt(p.k_anonymity), suppressed: fmtInt(p.suppressed_rows ?? 0) }) };
      }
      const pv = state.preview?.data;
      if (pv) return { done: false, text: t('flow.plan.protect', { steps, before: fmtInt(pv.before?.k_anonymity), after: fmtInt(pv.after?.k_anonymity), suppressed: fmtInt(pv.suppressed_rows ?? 0) }) };
      return { done: false, text: t('flow.plan.protect_steps', { steps }) };
    }
    case 'features': {
      if (!state.profile) return null;
      if (report) {
        const entries = arr(report.audit).filter((a) => String(a.step ?? '').startsWith('features['));
        const filled = entries.reduce((sum, a) => sum + Object.values(a.args?.filled || {}).reduce((s, v) => s + (isNum(v) ? v : 0), 0), 0);
        return { done: true, text: t('flow.did.features', { steps: fmtInt(arr(report.recipe?.features).length), filled: fmtInt(filled) }) };
      }
      return { done: false, text: t('flow.plan.features', { steps: fmtInt(arr(recipe.features).length) }) };
    }
    case 'train': {
      if (!state.profile) return null;
      if (report) {
        const models = arr(report.models).length;
        const splits = report.evaluation?.splits;
        return {
          done: true,
          text: t('flow.did.train', { models: fmtInt(models), splits: fmtInt(splits), fits: fmtInt(models * (splits || 0)), seconds: ctx.fmtSeconds(report.timings?.total_ms) }),
        };
      }
      return { done: false, text: t('flow.plan.train', { models: fmtInt(arr(recipe.models).length) }) };
    }
    case 'results': {
      const best = bestModel(report);
      if (!best) return null;
      return {
        done: true,
        text: t('flow.did.results', {
          model: ctx.modelLabel(best.model.kind), metric: ctx.metricLabel(best.metric), value: ctx.fmtDec(best.value),
          low: ctx.fmtDec(best.ci?.[0]), high: ctx.fmtDec(best.ci?.[1]),
        }),
      };
    }
    case 'export': {
      if (!report) return null;
      const files = [
        state.maskedCsv != null ? t('flow.file.csv', { rows: fmtInt(report.privacy?.output_rows) }) : null,
        t('flow.file.report'), t('flow.file.privacy_report'), arr(report.models).length ? t('flow.file.model_report') : null,
      ].filter(Boolean);
      const done = state.flow.exported.map((k) => t(`flow.file.${k}`, { rows: fmtInt(report.privacy?.output_rows) }));
      return { done: true, text: t('flow.did.export', { files: files.join(t('flow.list_sep')) }) + (done.length ? ` ${t('flow.did.exported', { files: done.join(t('flow.list_sep')) })}` : '') };
    }
    default:
      return null;
  }
}

/** The best model of a report: highest pooled ROC AUC (classification) or R² (regression). */
export function bestModel(report) {
  const models = arr(report?.models);
  if (!models.length) return null;
  const task = report.target?.task;
  const metric = task === 'regression' ? 'r2' : task === 'survival' ? 'c_index' : 'roc_auc';
  let best = null;
  for (const model of models) {
    const stat = model.metrics?.[metric];
    const value = stat?.pooled ?? stat?.mean;
    if (isNum(value) && (!best || value > best.value)) best = { model, metric, value, ci: Array.isArray(stat.ci) ? stat.ci : null };
  }
  return best;
}
