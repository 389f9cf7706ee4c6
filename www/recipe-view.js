// The recipe in plain language, one numbered step per line, in the page's language:
// "Pseudonymize mrn with a keyed hash", "Generalize age into bands of 10", "Random forest, 100 trees",
// "Stratified 5-fold cross-validation, seed 7". Used by the Recipe panel and the model report.
// Strings: i18n/LANG.app.json (keys recipe.*). An argument left out is described by the default
// the core applies (from its schema, steps.json), or as "default"; a required one is never made up.
import { defaultOf } from './schema.js';

const arr = (v) => (Array.isArray(v) ? v : []);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/**
 * The recipe as a list of {area, op, text} in run order.
 * `ui`: {t, has, fmtNum, fmtPct, list(items) → text, modelLabel}.
 */
export function describeRecipe(recipe, ui) {
  const { t, has } = ui;
  if (!recipe || typeof recipe !== 'object') return [];
  const out = [];
  const val = (v) => (isNum(v) ? ui.fmtNum(v) : v == null ? t('recipe.default') : Array.isArray(v) ? ui.list(v.map(String)) : typeof v === 'object' ? JSON.stringify(v) : String(v));
  // A time-to-event target names its time and event columns.
  const target = recipe.target && typeof recipe.target === 'object' ? `${recipe.target.time} / ${recipe.target.event}` : recipe.target;
  if (target) out.push({ area: 'target', op: 'target', text: t('recipe.target', { column: target }) });

  const roles = {};
  for (const [column, role] of Object.entries(recipe.columns || {})) (roles[role] ||= []).push(column);
  const groups = ['identifier', 'quasi', 'sensitive', 'text', 'ignore'].filter((r) => roles[r]?.length)
    .map((r) => t('recipe.role_group', { role: has(`role.${r}`) ? t(`role.${r}`) : r, columns: ui.list(roles[r]) }));
  if (groups.length) out.push({ area: 'roles', op: 'roles', text: t('recipe.roles', { groups: groups.join(t('recipe.group_sep')) }) });

  for (const step of arr(recipe.privacy)) {
    const op = String(step?.op ?? '?');
    const cols = ui.list([...arr(step?.columns), ...(step?.column ? [step.column] : [])].map(String));
    const params = { columns: cols, column: cols };
    for (const [k, v] of Object.entries(step || {})) if (!(k in params) && k !== 'op') params[k] = val(v);
    const given = (arg) => step?.[arg] ?? defaultOf('privacy', op, arg);
    const pct = (v) => (isNum(v) ? ui.fmtPct(v) : val(v));
    if (op === 'k_anonymize') {
      params.quasi = ui.list(arr(step.quasi).map(String));
      params.max_suppression = pct(given('max_suppression'));
      params.k = val(step.k);
    }
    if (op === 'pram') params.keep = pct(given('keep'));
    if (op === 'date') params.to = has(`recipe.unit.${step.to}`) ? t(`recipe.unit.${step.to}`) : val(step.to);
    if (op === 'noise') params.epsilon = val(step.epsilon);
    const key = `recipe.op.${op}`;
    out.push({ area: 'privacy', op, text: has(key) ? t(key, withDefaults(params, ['keep_first', 'keep_last', 'width', 'keep', 'level', 'max_days', 'size', 'k', 'by', 'mechanism', 'sensitivity'], t)) : t('recipe.op_other', { op, args: argsText(step, val) }) });
  }

  for (const step of arr(recipe.features)) {
    const op = String(step?.op ?? '?');
    const label = has(`features.op.${op}`) ? t(`features.op.${op}`) : op;
    const cols = arr(step?.columns).length ? ui.list(step.columns.map(String)) : t('recipe.all_columns');
    let text;
    if (op === 'impute') {
      const strategy = step.strategy;
      text = has(`recipe.impute.${strategy}`) ? t(`recipe.impute.${strategy}`, { columns: cols, value: val(step.value) }) : t('recipe.feature_other', { label, args: argsText(step, val) });
    } else if (op === 'scale') {
      const method = step.method;
      text = has(`recipe.scale.${method}`) ? t(`recipe.scale.${method}`, { columns: cols }) : t('recipe.feature_other', { label, args: argsText(step, val) });
    } else if (op === 'one_hot') {
      text = t('recipe.one_hot', { columns: cols });
    } else if (op === 'pca') {
      text = t('recipe.pca', { components: val(step.components) });
    } else if (op === 'balance') {
      text = t('recipe.balance', { method: has(`features.opt.${step.method}`) ? t(`features.opt.${step.method}`) : val(step.method) });
    } else {
      const args = argsText(step, val);
      text = args ? t('recipe.feature_other', { label, args }) : label;
    }
    out.push({ area: 'features', op, text });
  }

  for (const model of arr(recipe.models)) {
    const kind = String(model?.kind ?? '?');
    const bits = Object.entries(model || {}).filter(([k]) => k !== 'kind')
      .map(([k, v]) => (has(`recipe.param.${k}`) ? t(`recipe.param.${k}`, { value: val(v) }) : `${k} ${val(v)}`));
    out.push({ area: 'models', op: kind, text: [ui.modelLabel(kind), ...bits].join(t('recipe.sep')) });
  }

  const ev = recipe.evaluation;
  if (ev && typeof ev === 'object') {
    const method = String(ev.method ?? '?');
    const params = {
      folds: val(ev.folds ?? 5), repeats: val(ev.repeats ?? 1), group: val(ev.group),
      fraction: ui.fmtPct(isNum(ev.test_fraction) ? ev.test_fraction : 0.25), seed: val(recipe.seed ?? 0),
    };
    out.push({ area: 'evaluation', op: method, text: has(`recipe.eval.${method}`) ? t(`recipe.eval.${method}`, params) : t('recipe.eval_other', { method, seed: params.seed }) });
  }
  return out;
}

function withDefaults(params, names, t) {
  const out = { ...params };
  for (const n of names) if (out[n] == null) out[n] = t('recipe.default');
  return out;
}

function argsText(step, val) {
  return Object.entries(step || {}).filter(([k]) => k !== 'op' && k !== 'kind').map(([k, v]) => `${k} ${val(v)}`).join(', ');
}

/** Render the readable recipe into `list` (an <ol>). */
export function renderRecipeSteps(list, recipe, ui) {
  const steps = describeRecipe(recipe, ui);
  list.replaceChildren(...(steps.length
    ? steps.map((s) => ui.h('li', { 'data-area': s.area, 'data-op': s.op }, s.text))
    : [ui.h('li', { class: 'muted' }, ui.t('recipe.empty'))]));
}
