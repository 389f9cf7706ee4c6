// Feature steps editor: one row per entry of recipe.features, its fields built from the core's
// schema (www/steps.json: each step's arguments with their types, defaults and docs) and the
// presentation hints below (menu family, which column types a field offers, when a field applies,
// what a new step starts with). A step the hints do not know still gets a working form. Editing a
// row emits a new recipe (onChange); typing in the JSON re-renders the rows. Also: a one-line
// summary of what each fitted step learned, for the audit trail. Strings: i18n/LANG.features.json
// (keys features.*), the schema's `doc` where a string is missing.
import { h as el } from './dom.js';
import { featureSteps } from './schema.js';

/**
 * How the page presents a step (never what the step accepts: that is the schema). `family`: the
 * menu group; per argument: `types` (column types offered), `when` / `unless` (the field applies
 * only then), `initial` (a new step's value), `pick` (which date column a new step names),
 * `placeholder`, `min` / `max` / `step`.
 */
const HINTS = {
  normalize_categories: { family: 'clean', args: { columns: { types: ['categorical'] } } },
  unit_outliers: { family: 'clean', args: { action: { initial: 'missing' }, columns: { types: ['numeric'] } } },
  clip: { family: 'clean', args: {
    method: { initial: 'iqr' },
    factor: { min: 0, step: 0.5, placeholder: (s) => (s.method === 'zscore' ? '3' : '1.5') },
    columns: { types: ['numeric'] } } },
  drop_constant: { family: 'clean', args: { max_share: { min: 0.5, max: 1, step: 0.01 } } },
  drop_missing: { family: 'clean', args: { threshold: { min: 0, max: 0.99, step: 0.05 } } },
  drop_rows: { family: 'missing' },
  missing_indicator: { family: 'missing' },
  impute: { family: 'missing', args: {
    strategy: { initial: 'median' },
    value: { when: { strategy: 'constant' }, placeholder: '0' },
    neighbors: { min: 1, when: { strategy: 'knn' } },
    rounds: { min: 1, max: 100, when: { strategy: 'iterative' } },
    alpha: { min: 0, step: 0.1, when: { strategy: 'iterative' } } } },
  scale: { family: 'scale', args: { method: { initial: 'standard' }, columns: { types: ['numeric'] } } },
  log: { family: 'scale', args: {
    method: { initial: 'log1p' }, min_skew: { step: 0.5, placeholder: '1', unless: 'columns' }, columns: { types: ['numeric'] } } },
  one_hot: { family: 'encode', args: { min_frequency: { min: 0, step: 0.01, placeholder: '—' }, max_categories: { min: 2, step: 1 }, columns: { types: ['categorical'] } } },
  ordinal: { family: 'encode', args: { columns: { types: ['categorical'] } } },
  date_parts: { family: 'dates', args: { columns: { types: ['date'] }, parts: { placeholder: ['month'] } } },
  days_between: { family: 'dates', args: { start: { types: ['date'], pick: 0 }, end: { types: ['date'], pick: 1 } } },
  age_at: { family: 'dates', args: { birth: { types: ['date'], pick: 'birth' }, event: { types: ['date'], pick: 'event' } } },
  pca: { family: 'reduce', args: { components: { min: 1, initial: 2 }, columns: { types: ['numeric'] } } },
  select: { family: 'select', args: {
    method: { initial: 'anova_f' },
    k: { min: 1, when: { method: ['anova_f', 'chi2', 'mutual_info'] }, placeholder: '10' },
    threshold: { min: 0, step: 0.01, when: { method: 'variance' }, placeholder: '0' } } },
  balance: { family: 'balance', args: {
    method: { initial: 'smote' }, ratio: { min: 0.05, max: 1, step: 0.05 }, neighbors: { min: 1, when: { method: 'smote' } } } },
};

/** The field kind of a schema argument (null: edited in the recipe JSON, e.g. maps). */
function kindOf(arg) {
  switch (arg.type) {
    case 'enum': return 'enum';
    case 'number': return 'number';
    case 'integer': return 'int';
    case 'string': return 'text';
    case 'column': return 'column';
    case 'columns': return 'columns';
    case 'boolean': return 'boolean';
    case 'list': return arg.items?.type === 'enum' ? 'parts' : null;
    default: return null;
  }
}

/**
 * The editor's steps, from the schema's feature steps and the hints: {op: {family, doc, args:
 * [{name, kind, options, required, doc, types, when, unless, initial, pick, placeholder, ...}]}}.
 */
export function featureForms(steps = featureSteps()) {
  const out = {};
  for (const s of steps) {
    const hints = HINTS[s.op] || {};
    const args = [];
    for (const a of s.args || []) {
      const kind = kindOf(a);
      if (!kind) continue;
      const hint = hints.args?.[a.name] || {};
      const options = kind === 'enum' ? a.values : kind === 'parts' ? a.items.values : undefined;
      let initial = hint.initial;
      if (initial === undefined && a.required && kind === 'enum') initial = a.default ?? options[0];
      else if (initial === undefined && a.required && a.default != null && kind !== 'columns') initial = a.default;
      const placeholder = hint.placeholder ?? (a.default != null ? (Array.isArray(a.default) ? a.default : String(a.default)) : undefined);
      args.push({ ...hint, name: a.name, kind, options, required: !!a.required, doc: a.doc, initial, placeholder });
    }
    out[s.op] = { family: hints.family || 'other', doc: s.doc, args };
  }
  return out;
}

const DATE_STEPS = ['date_parts', 'days_between', 'age_at'];

function applies(arg, step) {
  if (arg.unless && step[arg.unless] != null) return false;
  if (!arg.when) return true;
  return Object.entries(arg.when).every(([k, v]) => (Array.isArray(v) ? v.includes(step[k]) : step[k] === v));
}

/** Drops the arguments that do not apply to the step's current choices (e.g. neighbors without knn). */
function prune(step, forms) {
  const form = forms[step.op];
  if (!form) return;
  for (const arg of form.args) if (!applies(arg, step)) delete step[arg.name];
}

function columnsOfType(columns, types) {
  return columns.filter((c) => !types || types.includes(c.type)).map((c) => c.name);
}

/** A new step of `op` with sensible defaults (date columns guessed from the profile). */
export function newStep(op, columns, recipe, forms = featureForms()) {
  const step = { op };
  // Date columns that are not identifiers first (identifiers are dropped by the privacy steps).
  const role = (c) => recipe?.columns?.[c];
  const dates = columnsOfType(columns, ['date']).sort((a, b) => (role(a) === 'identifier') - (role(b) === 'identifier'));
  for (const arg of forms[op]?.args || []) {
    if (arg.initial !== undefined) step[arg.name] = arg.initial;
    if (arg.kind === 'columns' && arg.required) step[arg.name] = columnsOfType(columns, arg.types).sort((a, b) => (role(a) === 'identifier') - (role(b) === 'identifier')).slice(0, 1);
    if (arg.kind === 'column') {
      const birth = dates.find((d) => /birth|dob/i.test(d)) ?? dates[0];
      if (arg.pick === 'birth') step[arg.name] = birth ?? '';
      else if (arg.pick === 'event') step[arg.name] = dates.find((d) => d !== birth) ?? '';
      else if (typeof arg.pick === 'number') step[arg.name] = dates[arg.pick] ?? '';
      else if (arg.required) step[arg.name] = columnsOfType(columns, arg.types)[0] ?? '';
    }
  }
  return step;
}

/** Date columns named by date steps must be model inputs: lift an `ignore` role to `feature`. */
function liftDateRoles(recipe) {
  for (const s of recipe.features) {
    if (!DATE_STEPS.includes(s?.op)) continue;
    const named = [...(Array.isArray(s.columns) ? s.columns : []), s.start, s.end, s.birth, s.event].filter(Boolean);
    for (const c of named) {
      if (recipe.columns && recipe.columns[c] === 'ignore') recipe.columns[c] = 'feature';
    }
  }
}

function argInput(step, arg, ctx, commit) {
  const id = `feat-${ctx.index}-${arg.name}`;
  const label = ctx.labelOr(`features.arg.${arg.name}`, arg.doc, arg.name);
  const opt = (o) => ctx.labelOr(`features.opt.${o}`, null, o);
  const value = step[arg.name];
  const placeholder = typeof arg.placeholder === 'function' ? arg.placeholder(step) : arg.placeholder;
  let input;
  if (arg.kind === 'enum') {
    input = el('select', { id, 'data-arg': arg.name },
      arg.initial === undefined ? el('option', { value: '' }, ctx.t('features.default', { value: placeholder ?? '' })) : null,
      ...arg.options.map((o) => el('option', { value: o, selected: value === o }, opt(o))));
    input.addEventListener('change', () => commit(arg.name, input.value || undefined));
  } else if (arg.kind === 'number' || arg.kind === 'int') {
    input = el('input', {
      id, type: 'number', 'data-arg': arg.name, min: arg.min, max: arg.max,
      step: arg.kind === 'int' ? 1 : (arg.step ?? 'any'), placeholder: placeholder ?? '',
      value: typeof value === 'number' ? String(value) : '',
    });
    input.addEventListener('change', () => {
      const raw = input.value.trim();
      const n = Number(raw);
      commit(arg.name, raw === '' || !Number.isFinite(n) ? undefined : (arg.kind === 'int' ? Math.round(n) : n));
    });
  } else if (arg.kind === 'boolean') {
    input = el('input', { id, type: 'checkbox', 'data-arg': arg.name, checked: value === true });
    input.addEventListener('change', () => commit(arg.name, input.checked ? true : undefined));
  } else if (arg.kind === 'text') {
    input = el('input', { id, type: 'text', 'data-arg': arg.name, value: typeof value === 'string' ? value : '', placeholder: ctx.t('features.auto') });
    input.addEventListener('change', () => commit(arg.name, input.value.trim() || undefined));
  } else if (arg.kind === 'column') {
    const names = columnsOfType(ctx.columns, arg.types);
    if (value && !names.includes(value)) names.push(value);
    input = el('select', { id, 'data-arg': arg.name },
      el('option', { value: '' }, '—'),
      ...names.map((n) => el('option', { value: n, selected: value === n }, n)));
    input.addEventListener('change', () => commit(arg.name, input.value || undefined));
  } else {
    // columns / parts: a multiple select; nothing selected = every applicable column (or the default part).
    const names = arg.kind === 'parts' ? [...arg.options] : columnsOfType(ctx.columns, arg.types);
    const chosen = Array.isArray(value) ? value : [];
    for (const c of chosen) if (!names.includes(c)) names.push(c);
    input = el('select', { id, multiple: true, size: Math.min(4, Math.max(2, names.length)), 'data-arg': arg.name },
      ...names.map((n) => el('option', { value: n, selected: chosen.includes(n) },
        arg.kind === 'parts' ? opt(n) : n)));
    input.addEventListener('change', () => {
      const picked = [...input.selectedOptions].map((o) => o.value);
      commit(arg.name, picked.length ? picked : undefined);
    });
  }
  const hint = arg.kind === 'columns' && !arg.required ? el('span', { class: 'feat-hint' }, ctx.t('features.all_columns'))
    : arg.kind === 'parts' && Array.isArray(placeholder) ? el('span', { class: 'feat-hint' }, ctx.t('features.default', { value: placeholder.map(opt).join(', ') }))
      : null;
  return el('label', { class: 'feat-arg', for: id }, el('span', {}, label), input, hint);
}

function container() {
  let box = document.querySelector('#features-editor');
  if (!box) {
    const section = document.querySelector('#features-section');
    if (!section) return null;
    box = el('fieldset', { id: 'features-editor', class: 'features-editor' });
    section.insertBefore(box, section.querySelector('.step-next'));
  }
  return box;
}

/**
 * Draw the feature steps of `recipe` into the Features step's section. `columns`: profile
 * columns ({name, type}); `onChange(recipe)` receives the edited recipe (a new object).
 */
export function renderFeatures({ recipe, columns = [], ui, onChange }) {
  const { t } = ui;
  const box = container();
  if (!box) return;
  if (!recipe || typeof recipe !== 'object') {
    box.replaceChildren();
    return;
  }
  const forms = featureForms();
  // Offer model-input columns only (and dates set to ignore, which a date step makes inputs).
  const roleOf = (name) => recipe.columns?.[name] ?? (recipe.target === name ? 'target' : 'feature');
  columns = columns.filter((c) => ['feature', 'quasi', 'sensitive'].includes(roleOf(c.name))
    || (c.type === 'date' && roleOf(c.name) === 'ignore'));
  const steps = Array.isArray(recipe.features) ? recipe.features : [];
  /** `fn(copy of the steps, copy of the recipe)` edits them; the new recipe goes to onChange. */
  const changed = (fn) => {
    const next = structuredClone(recipe);
    next.features = structuredClone(steps);
    fn(next.features, next);
    liftDateRoles(next);
    onChange(next);
  };
  const label = (op) => ui.labelOr(`features.op.${op}`, forms[op]?.doc, op);
  const rows = steps.map((step, index) => {
    const form = step && forms[step.op];
    const move = (d) => () => {
      const j = index + d;
      if (j < 0 || j >= steps.length) return;
      changed((s) => { [s[index], s[j]] = [s[j], s[index]]; });
    };
    const head = el('div', { class: 'feat-head' },
      el('span', { class: 'feat-index' }, String(index + 1)),
      el('strong', { class: 'feat-op' }, form ? label(step.op) : String(step?.op ?? '?')),
      el('code', {}, String(step?.op ?? '')),
      el('span', { class: 'feat-buttons' },
        el('button', { type: 'button', class: 'button small', 'data-action': 'up', disabled: index === 0, title: t('features.up'), 'aria-label': t('features.up'), onclick: move(-1) }, '↑'),
        el('button', { type: 'button', class: 'button small', 'data-action': 'down', disabled: index === steps.length - 1, title: t('features.down'), 'aria-label': t('features.down'), onclick: move(1) }, '↓'),
        el('button', { type: 'button', class: 'button small', 'data-action': 'remove', title: t('features.remove'), 'aria-label': t('features.remove'), onclick: () => changed((s) => { s.splice(index, 1); }) }, '✕')));
    if (!form) {
      return el('li', { class: 'feat-step', 'data-op': String(step?.op ?? ''), 'data-index': String(index) }, head,
        el('p', { class: 'note' }, t('features.unknown')));
    }
    const commit = (name, value) => changed((s) => {
      if (value === undefined) delete s[index][name];
      else s[index][name] = value;
      prune(s[index], forms);
    });
    const ctx = { t, labelOr: ui.labelOr, columns, index };
    return el('li', { class: 'feat-step', 'data-op': step.op, 'data-index': String(index) }, head,
      el('p', { class: 'note feat-help' }, ui.labelOr(`features.help.${step.op}`, form.doc, '')),
      el('div', { class: 'feat-args' }, ...form.args.filter((a) => applies(a, step)).map((a) => argInput(step, a, ctx, commit))));
  });
  const families = [...new Set(Object.values(forms).map((s) => s.family))];
  const add = el('select', { id: 'feature-add-op', 'aria-label': t('features.add_label') },
    ...families.map((f) => el('optgroup', { label: t(`features.family.${f}`) },
      ...Object.entries(forms).filter(([, s]) => s.family === f).map(([op]) => el('option', { value: op }, label(op))))));
  const addButton = el('button', {
    type: 'button', id: 'feature-add', class: 'button',
    onclick: () => changed((s, next) => { s.push(newStep(add.value, columns, next, forms)); }),
  }, t('features.add'));
  box.replaceChildren(
    el('legend', {}, t('features.title')),
    el('p', { class: 'note' }, t('features.intro')),
    steps.length ? el('ol', { id: 'features-list', class: 'feat-list' }, ...rows) : el('p', { class: 'note', id: 'features-empty' }, t('features.none')),
    el('div', { class: 'feat-add' }, add, addButton));
}

// ───────────────────────────── audit: what each step learned ─────────────────────────────

const fmt = (x) => (typeof x === 'number' && Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x));
const keys = (o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : []);
const list = (items, max = 6) => (items.length > max ? `${items.slice(0, max).join(', ')}, … (+${items.length - max})` : items.join(', '));

/** A short, human summary of what a step learned on the first split (null if nothing to say). */
export function learnedSummary(entry, t) {
  const learned = Array.isArray(entry?.args?.learned) ? entry.args.learned : null;
  if (!learned || !learned.length) return null;
  const first = learned[0];
  const bits = [];
  const filled = entry.args.filled;
  switch (entry.op) {
    case 'impute': {
      if (first?.knn) bits.push(t('features.learned.knn', { k: first.knn.neighbors, rows: first.knn.donor_rows }));
      if (first?.iterative) bits.push(t('features.learned.iterative', { rounds: first.iterative.rounds, columns: list(first.iterative.columns) }));
      const simple = keys(first).filter((k) => k !== 'knn' && k !== 'iterative');
      if (simple.length) bits.push(list(simple.map((k) => `${k} → ${fmt(first[k])}`), 4));
      break;
    }
    case 'scale':
      bits.push(list(keys(first).map((k) => `${k}: (x − ${fmt(first[k].offset)}) / ${fmt(first[k].divisor)}`), 3));
      break;
    case 'log':
      bits.push(keys(first).length ? list(keys(first)) : t('features.learned.nothing'));
      break;
    case 'one_hot': {
      const cats = first?.categories ?? first;
      bits.push(list(keys(cats).map((k) => `${k}: ${list(cats[k], 4)}`), 3));
      if (first?.grouped_into_other) bits.push(t('features.learned.other', { columns: list(keys(first.grouped_into_other)) }));
      break;
    }
    case 'ordinal':
      bits.push(list(keys(first).map((k) => `${k}: ${list(first[k].map((c, i) => `${c}=${i}`), 4)}`), 3));
      break;
    case 'pca':
      bits.push(t('features.learned.pca', { ratios: (first.explained_variance_ratio || []).map((r) => `${(r * 100).toFixed(1)}%`).join(', ') }));
      break;
    case 'select':
      bits.push(t('features.learned.kept', { columns: list(first.kept || []) }));
      break;
    case 'balance': {
      const b = first.training_rows_before || {};
      const a = first.training_rows_after || {};
      bits.push(t('features.learned.balance', { before: `${b.negative}/${b.positive}`, after: `${a.negative}/${a.positive}` }));
      break;
    }
    case 'drop_constant':
    case 'drop_missing': {
      const dropped = keys(first.dropped);
      bits.push(dropped.length ? t('features.learned.dropped', { columns: list(dropped) }) : t('features.learned.nothing'));
      break;
    }
    case 'drop_rows':
      bits.push(t('features.learned.drop_rows', { dropped: first.training_rows_dropped, rows: first.training_rows }));
      break;
    case 'clip':
      bits.push(list(keys(first).map((k) => `${k}: [${fmt(first[k].low)}, ${fmt(first[k].high)}]`), 3));
      break;
    case 'unit_outliers':
      bits.push(list(keys(first).map((k) => `${k}: ${first[k].flagged_training_values}`), 4));
      break;
    case 'normalize_categories': {
      const merged = first.merged || {};
      bits.push(keys(merged).length ? list(keys(merged).map((c) => `${c}: ${list(keys(merged[c]).map((v) => `${merged[c][v].length}→${v}`), 3)}`), 3) : t('features.learned.nothing'));
      break;
    }
    case 'missing_indicator':
      bits.push(keys(first).length ? list(keys(first).map((k) => first[k].indicator)) : t('features.learned.nothing'));
      break;
    default:
      bits.push(list(keys(first)));
  }
  if (filled && keys(filled).length) bits.push(t('features.learned.filled', { cells: list(keys(filled).map((k) => `${k} ${filled[k]}`), 6) }));
  const text = bits.filter(Boolean).join(' · ');
  if (!text) return null;
  const node = el('span', { class: 'learned', 'data-op': entry.op });
  node.textContent = t('features.learned.prefix', { splits: learned.length, text });
  return node;
}
