// The guided flow: Load → Profile → Protect → Features → Train & evaluate → Results → Export.
// A step bar (<nav> with an ordered list) at the top of <main> shows each step's state (done,
// current, to do, or blocked with the reason), and each step's section gets a short "what this
// step does" line, a "what it did" line with counts, and a "Next" button. All sections stay in
// the page; the bar moves focus between them. Strings: i18n/LANG.app.json (keys flow.*).
//
// Adding a step that lives inside another step's section (e.g. "Apply a trained model" under
// Export): give its element `data-substep="apply"` inside #export-section and add an entry to
// SUBSTEPS below; the bar lists it under its parent and it shares the parent's state.

export const STEPS = ['load', 'profile', 'protect', 'features', 'train', 'results', 'export'];
/** parent step → [{id, section, label}] — sub-steps listed under their parent in the bar. */
export const SUBSTEPS = { export: [{ id: 'apply', section: '#apply-section', label: 'apply.title' }] };

const SECTION = {
  load: '#load-section', profile: '#profile-section', protect: '#protect-section', features: '#features-section',
  train: '#train-section', results: '#results-section', export: '#export-section',
};

let ctx = null; // {state, t, h, fmtInt, fmtDec, fmtSeconds, modelLabel, metricLabel, protectPreview}
const flow = { current: 'load', furthest: 0, exported: new Set() };

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const arr = (v) => (Array.isArray(v) ? v : []);

/**
 * The state of every step from the app state: {id: {state: 'done'|'todo'|'blocked', reason?}}.
 * `flow.furthest` is how far the user has gone: a step before it counts as done once its
 * prerequisites hold (the user moved past it), and a finished run completes every step up to Results.
 */
export function stepStates(state, progress = flow) {
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
  if (state.recipeInvalid) out.train = { state: 'blocked', reason: 'flow.blocked.bad_recipe' };
  else if (!recipe.target) out.train = { state: 'blocked', reason: 'flow.blocked.no_target' };
  else if (!arr(recipe.models).length) out.train = { state: 'blocked', reason: 'flow.blocked.no_model' };
  else out.train = { state: report ? 'done' : 'todo' };
  out.results = report ? { state: past('results') ? 'done' : 'todo' } : { state: 'blocked', reason: 'flow.blocked.no_run' };
  out.export = report ? { state: progress.exported.size ? 'done' : 'todo' } : { state: 'blocked', reason: 'flow.blocked.no_run' };
  return out;
}

export function initFlow(deps) {
  ctx = deps;
  // The Protect section is created by protect.js: give it the same frame as the others.
  const protect = document.querySelector('#protect-section');
  if (protect && !protect.dataset.step) {
    protect.dataset.step = 'protect';
    protect.classList.add('step-card');
    const head = protect.querySelector('h2');
    head.tabIndex = -1;
    head.prepend(ctx.h('span', { class: 'num', 'aria-hidden': 'true' }, '3'));
    head.after(ctx.h('div', { class: 'step-about', 'data-step': 'protect' }));
    protect.append(ctx.h('div', { class: 'step-next', 'data-step': 'protect' }));
  }
  const list = document.querySelector('#steps');
  list.addEventListener('keydown', onBarKey);
  // The bar follows the user: working inside a step's section makes it the current step.
  document.addEventListener('focusin', (e) => {
    const section = e.target.closest?.('section.step-card');
    const id = section?.dataset.step;
    if (!id || id === flow.current || e.target.closest('#flow-head')) return;
    if (stepStates(ctx.state)[id].state === 'blocked') return;
    setCurrent(id);
  });
}

/** Make `id` the current step (no scrolling). */
export function setCurrent(id) {
  flow.current = id;
  flow.furthest = Math.max(flow.furthest, STEPS.indexOf(id));
  renderFlow();
}

/** Forget the progress (new data loaded). */
export function resetFlow() {
  flow.current = 'load';
  flow.furthest = 0;
  flow.exported.clear();
}

/** Something was exported (`what`: csv, report, privacy_report, model_report). */
export function markExported(what) {
  flow.exported.add(what);
  renderFlow();
}

/** Go to step `id`: make it current, scroll to its section and move focus to its heading. */
export function goTo(id) {
  const s = stepStates(ctx.state)[id];
  if (s.state === 'blocked') {
    say(ctx.t('flow.cannot', { step: ctx.t(`step.${id}`), reason: ctx.t(s.reason) }));
    return false;
  }
  setCurrent(id);
  const section = document.querySelector(SECTION[id]);
  if (section && !section.hidden) {
    section.scrollIntoView({ block: 'start' });
    section.querySelector('h2')?.focus({ preventScroll: true });
  }
  say('');
  return true;
}

function say(text) {
  const el = document.querySelector('#flow-status');
  if (el) el.textContent = text;
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

export function renderFlow() {
  if (!ctx) return;
  const { t, h } = ctx;
  const states = stepStates(ctx.state);
  if (states[flow.current]?.state === 'blocked') flow.current = [...STEPS].reverse().find((id) => states[id].state !== 'blocked' && STEPS.indexOf(id) <= STEPS.indexOf(flow.current)) || 'load';
  const focused = document.activeElement?.closest?.('#steps li')?.dataset.step;
  const list = document.querySelector('#steps');
  list.replaceChildren(...STEPS.map((id, i) => {
    const s = states[id];
    const current = id === flow.current;
    const shown = current ? 'current' : s.state;
    const label = t(`flow.state.${shown}`);
    const reason = s.state === 'blocked' ? t(s.reason) : null;
    const link = h('a', {
      href: SECTION[id], class: 'step-link', 'aria-current': current ? 'step' : null,
      'aria-disabled': s.state === 'blocked' ? 'true' : null,
      onclick: (e) => { e.preventDefault(); goTo(id); },
    },
    h('span', { class: 'step-num', 'aria-hidden': 'true' }, s.state === 'done' && !current ? '✓' : String(i + 1)),
    h('span', { class: 'step-name' }, t(`step.${id}`)),
    h('span', { class: 'step-state' }, reason ? `${label}: ${reason}` : label));
    const subs = (SUBSTEPS[id] || []).map((sub) => h('li', { class: 'substep', 'data-step': sub.id },
      h('a', { href: sub.section, class: 'step-link', onclick: (e) => { e.preventDefault(); if (goTo(id)) document.querySelector(sub.section)?.scrollIntoView(); } }, t(sub.label))));
    return h('li', { class: 'step', 'data-step': id, 'data-state': shown, 'data-done': String(s.state === 'done') },
      link, subs.length ? h('ol', { class: 'substeps' }, ...subs) : null);
  }));
  if (focused) list.querySelector(`li[data-step="${focused}"] a`)?.focus();
  for (const id of STEPS) {
    const about = document.querySelector(`.step-about[data-step="${id}"]`);
    if (about) renderAbout(about, id, states);
    const next = document.querySelector(`.step-next[data-step="${id}"]`);
    if (next) renderNext(next, id, states);
    document.querySelector(SECTION[id])?.classList.toggle('is-current', id === flow.current);
  }
}

function renderAbout(box, id, states) {
  const { t, h } = ctx;
  const did = didText(id);
  box.replaceChildren(
    h('p', { class: 'step-does' }, h('strong', {}, t('flow.does_label')), ' ', t(`flow.does.${id}`)),
    did ? h('p', { class: 'step-did', 'data-step': id, 'data-state': states[id].state },
      h('strong', {}, t(did.done ? 'flow.did_label' : 'flow.plan_label')), ' ', did.text) : '');
}

function renderNext(box, id, states) {
  const { t, h } = ctx;
  const next = STEPS[STEPS.indexOf(id) + 1];
  if (!next || id === 'train') return box.replaceChildren();
  const blocked = states[next].state === 'blocked';
  box.replaceChildren(...[h('button', {
    type: 'button', class: 'button next', 'data-next': next, 'aria-disabled': blocked ? 'true' : null,
    onclick: () => goTo(next),
  }, t('flow.next', { step: t(`step.${next}`) })),
  blocked ? h('span', { class: 'muted' }, ` ${t(states[next].reason)}`) : null].filter(Boolean));
}

/** "What it did" for a step: {text, done} (done: measured in a run, otherwise what is planned). */
function didText(id) {
  const { t, state, fmtInt } = ctx;
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
          ...params, target: recipe.target || t('results.none'),
          identifiers: fmtInt(roles.filter((r) => r === 'identifier').length), quasi: fmtInt(roles.filter((r) => r === 'quasi').length),
        }),
      };
    }
    case 'protect': {
      if (!state.profile) return null;
      const steps = fmtInt(arr(recipe.privacy).length);
      const p = report?.privacy;
      if (p) {
        return { done: true, text: t('flow.did.protect', { steps: fmtInt(arr(report.recipe?.privacy).length), before: fmtInt(p.before?.k_anonymity), after: fmtInt(p.k_anonymity), suppressed: fmtInt(p.suppressed_rows ?? 0) }) };
      }
      const pv = ctx.protectPreview();
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
      const done = [...flow.exported].map((k) => t(`flow.file.${k}`, { rows: fmtInt(report.privacy?.output_rows) }));
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
  const metric = report.target?.task === 'regression' ? 'r2' : 'roc_auc';
  let best = null;
  for (const model of models) {
    const stat = model.metrics?.[metric];
    const value = stat?.pooled ?? stat?.mean;
    if (isNum(value) && (!best || value > best.value)) best = { model, metric, value, ci: Array.isArray(stat.ci) ? stat.ci : null };
  }
  return best;
}
