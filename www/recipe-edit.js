// Edits of a recipe, as pure functions: each takes a recipe and returns a new one (the store's
// recipe is frozen). Roles and the target (profile table), identifier actions, the operator of a
// column (Protect panel), models, evaluation and seed (Train panel). Argument values a new step
// starts with come from the schema (steps.json) and, where the core has no default, from the data.
import { argsOf, defaultOf } from './schema.js';

export const ROLES = ['identifier', 'quasi', 'sensitive', 'target', 'feature', 'text', 'ignore'];
export const ID_ACTIONS = ['drop', 'pseudonymize'];

/** `fn(copy)` edits a copy of `recipe`, which is returned. */
function edit(recipe, fn) {
  const r = recipe && typeof recipe === 'object' ? structuredClone(recipe) : {};
  fn(r);
  return r;
}

export function roleOf(recipe, name) {
  if (!recipe) return 'feature';
  const role = recipe.columns && typeof recipe.columns === 'object' ? recipe.columns[name] : undefined;
  if (role) return role;
  return recipe.target === name ? 'target' : 'feature';
}

export function identifierAction(recipe, name) {
  const ops = Array.isArray(recipe?.privacy) ? recipe.privacy : [];
  for (const op of ops) {
    if (ID_ACTIONS.includes(op?.op) && Array.isArray(op.columns) && op.columns.includes(name)) return op.op;
  }
  return 'drop';
}

/** Put `name` in the drop or pseudonymize op (or in neither when action is null); in place. */
function putIdentifier(r, name, action) {
  if (!Array.isArray(r.privacy)) r.privacy = [];
  for (const op of r.privacy) {
    if (ID_ACTIONS.includes(op?.op) && Array.isArray(op.columns)) op.columns = op.columns.filter((c) => c !== name);
  }
  if (action) {
    let op = r.privacy.find((o) => o?.op === action && Array.isArray(o.columns));
    if (!op) {
      op = { op: action, columns: [] };
      // drop first, then pseudonymize, then everything else (generalize, k_anonymize, ...)
      const lastDrop = r.privacy.findLastIndex((o) => o?.op === 'drop');
      r.privacy.splice(action === 'drop' ? 0 : lastDrop + 1, 0, op);
    }
    op.columns.push(name);
  }
  r.privacy = r.privacy.filter((o) => !(ID_ACTIONS.includes(o?.op) && Array.isArray(o.columns) && o.columns.length === 0));
}

function putTarget(r, name) {
  if (!r.columns || typeof r.columns !== 'object') r.columns = {};
  const old = r.target;
  // A time-to-event target ({time, event}) names two columns.
  const oldCols = old && typeof old === 'object' ? [old.time, old.event] : old ? [old] : [];
  for (const c of oldCols) if (c !== name && r.columns[c] === 'target') r.columns[c] = 'feature';
  if (name) {
    if (r.columns[name] === 'identifier') putIdentifier(r, name, null);
    r.columns[name] = 'target';
  }
  r.target = name || null;
}

export const withIdentifierAction = (recipe, name, action) => edit(recipe, (r) => putIdentifier(r, name, action));
export const withTarget = (recipe, name) => edit(recipe, (r) => putTarget(r, name));

export function withRole(recipe, name, role) {
  return edit(recipe, (r) => {
    if (!r.columns || typeof r.columns !== 'object') r.columns = {};
    const previous = roleOf(r, name);
    if (role === 'target') {
      putTarget(r, name);
      return;
    }
    if (previous === 'identifier' && role !== 'identifier') putIdentifier(r, name, null);
    if (previous !== 'identifier' && role === 'identifier') putIdentifier(r, name, 'drop');
    if (r.target === name) r.target = null;
    r.columns[name] = role;
    syncKAnonymize(r);
  });
}

/** The columns the risk is measured over: those with the role `quasi`. */
export function quasiColumns(recipe) {
  return Object.entries(recipe?.columns || {}).filter(([, role]) => role === 'quasi').map(([name]) => name);
}

/**
 * A `k_anonymize` step protects exactly the columns the risk is measured over (the recipe's
 * quasi-identifiers), so that the step's own "k reached" and the measured k are one figure: a
 * column that becomes a quasi-identifier joins it, one that stops being one leaves it (and its
 * pinned level and ladder with it). In place.
 */
function syncKAnonymize(r) {
  if (!Array.isArray(r.privacy)) return;
  const quasi = quasiColumns(r);
  r.privacy = r.privacy.flatMap((s) => {
    if (s?.op !== 'k_anonymize' || !Array.isArray(s.quasi)) return [s];
    const kept = s.quasi.filter((c) => quasi.includes(c));
    const next = { ...s, quasi: [...kept, ...quasi.filter((c) => !kept.includes(c))] };
    for (const field of ['levels', 'ladders']) {
      if (next[field] && typeof next[field] === 'object') {
        next[field] = Object.fromEntries(Object.entries(next[field]).filter(([c]) => quasi.includes(c)));
        if (!Object.keys(next[field]).length) delete next[field];
      }
    }
    return next.quasi.length ? [next] : [];
  });
}

// ───────────────────────────── Train panel ─────────────────────────────

/** The models of `chosen` kinds (in `offered` order, keeping their parameters), then any others. */
export function withModels(recipe, offered, chosen) {
  return edit(recipe, (r) => {
    const existing = Array.isArray(r.models) ? r.models : [];
    const picked = offered.filter((k) => chosen.includes(k)).map((k) => existing.find((m) => m?.kind === k) || { kind: k });
    const others = existing.filter((m) => !offered.includes(m?.kind));
    r.models = [...picked, ...others];
  });
}

/** The fields of `evaluation` that say how rows are split; the others (threshold, sample_size,
 * fairness, outcome_date, ...) are options of every method and survive a change of method. */
const SPLIT_FIELDS = ['method', 'folds', 'test_fraction', 'repeats', 'group'];

/** `evaluation`'s options without its split fields. */
export function evaluationOptions(evaluation) {
  const ev = evaluation && typeof evaluation === 'object' ? evaluation : {};
  return Object.fromEntries(Object.entries(ev).filter(([k]) => !SPLIT_FIELDS.includes(k)));
}

export function withEvaluation(recipe, method, { folds, testFraction }) {
  return edit(recipe, (r) => {
    const options = evaluationOptions(r.evaluation);
    if (method === 'stratified_kfold') {
      r.evaluation = { method, folds: Math.max(2, Math.round(Number(folds) || 5)), ...options };
    } else if (method === 'holdout') {
      const f = Number(testFraction);
      r.evaluation = { method, test_fraction: f > 0 && f < 1 ? f : 0.25, ...options };
    }
  });
}

/**
 * `name` no longer a model input (role `ignore`, the leakage checks' one-click fix), and gone from
 * the feature steps that name it: a list loses it (a step left with none goes), a step whose
 * single-column field is it (a date step's start/end/birth/event) goes. Otherwise the recipe
 * would name a column that is not an input and be refused.
 */
export function withoutInput(recipe, name) {
  const r = withRole(recipe, name, 'ignore');
  if (!Array.isArray(r.features)) return r;
  r.features = r.features.flatMap((step) => {
    if (!step || typeof step !== 'object') return [step];
    const next = { ...step };
    for (const [k, v] of Object.entries(step)) {
      if (k === 'op') continue;
      if (v === name) return [];
      if (Array.isArray(v) && v.includes(name)) {
        next[k] = v.filter((c) => c !== name);
        if (!next[k].length) return [];
      }
    }
    return [next];
  });
  return r;
}

// ───────────────────────────── clinical options (Train panel) ─────────────────────────────

export const CALIBRATIONS = ['sigmoid', 'isotonic'];

/** Model `kind`'s recalibration: 'sigmoid' or 'isotonic'; anything else removes it. */
export function withCalibration(recipe, kind, method) {
  return edit(recipe, (r) => {
    for (const m of Array.isArray(r.models) ? r.models : []) {
      if (!m || m.kind !== kind) continue;
      if (CALIBRATIONS.includes(method)) m.calibration = method;
      else delete m.calibration;
    }
  });
}

/** An `evaluation` option set to `value` (null or undefined removes it). */
export function withEvaluationOption(recipe, key, value) {
  return edit(recipe, (r) => {
    const ev = r.evaluation && typeof r.evaluation === 'object' ? r.evaluation : { method: 'stratified_kfold', folds: 5 };
    if (value == null) delete ev[key];
    else ev[key] = value;
    r.evaluation = ev;
  });
}

export function withSeed(recipe, raw) {
  const seed = Math.round(Number(raw));
  return Number.isFinite(seed) && seed >= 0 ? edit(recipe, (r) => { r.seed = seed; }) : recipe;
}

// ───────────────────────────── Protect panel ─────────────────────────────

// Steps are kept in this order so that each sees the columns it needs (date_shift reads the
// patient column before it is pseudonymized or dropped; identifiers are removed last). An
// operator not listed goes in the middle (5).
const RANK = {
  date_shift: 0, date: 1, generalize: 2, hierarchy: 2, truncate: 2, noise: 3, microaggregate: 3, pram: 3,
  k_anonymize: 4, suppress: 5, scrub_text: 6, pseudonymize: 7, replace_random: 7, mask: 7, redact: 7, drop: 8,
};

/** The arguments of a step that name its columns. */
export const COLUMN_ARGS = ['columns', 'column', 'quasi'];

export function columnsOf(step) {
  if (!step || typeof step !== 'object') return [];
  if (Array.isArray(step.columns)) return step.columns;
  if (typeof step.column === 'string') return [step.column];
  if (Array.isArray(step.quasi)) return step.quasi;
  return [];
}

/** The column that tells patients apart (a record number), for date_shift. */
function patientColumn(profile, except) {
  const cols = profile?.columns || [];
  const pick = cols.find((c) => c.name !== except && ['mrn', 'record_id'].includes(c.detection?.kind))
    || cols.find((c) => c.name !== except && c.detection?.verdict === 'direct_identifier' && c.type !== 'text')
    || cols.find((c) => c.name !== except);
  return pick ? pick.name : except;
}

/**
 * Starting values taken from the data, for arguments the core requires without a default (or
 * where the data suggests better than the default): `(column profile, ctx) → {arg: value}`.
 */
const FROM_DATA = {
  mask: () => ({ keep_first: 0, keep_last: 0 }),
  noise: (col) => {
    const range = Number(col.max) - Number(col.min);
    const sensitivity = Number.isFinite(range) && range > 0 ? Math.max(1, Math.round(range / 20)) : 1;
    return { mechanism: 'laplace', epsilon: 1, sensitivity };
  },
  generalize: () => ({ width: 10 }),
  hierarchy: (col, ctx) => {
    const hierarchy = {};
    for (const [value] of col.top || []) hierarchy[value] = [value];
    if (!Object.keys(hierarchy).length) hierarchy['?'] = ['?'];
    return { hierarchy, level: 1, default: ctx.otherGroup };
  },
  truncate: () => ({ keep: 3 }),
  date: () => ({ to: 'year' }),
  date_shift: (col, ctx) => ({ by: patientColumn(ctx.profile, col.name), max_days: 180 }),
  microaggregate: () => ({ size: 3 }),
  pram: () => ({ keep: 0.8 }),
  suppress: () => ({ k: 5 }),
  k_anonymize: () => ({ k: 5, max_suppression: 0.05 }),
};

/**
 * A new step of `op` on column `name`: its column argument (the first of the schema's), the
 * values from the data above, and the schema's default for any other required argument.
 */
export function newPrivacyStep(op, name, { profile, otherGroup }) {
  const args = argsOf('privacy', op);
  const isCol = (a) => a.type === 'column' || a.type === 'columns';
  const colArg = args.find((a) => isCol(a) && COLUMN_ARGS.includes(a.name)) || args.find(isCol);
  const step = { op };
  if (colArg) step[colArg.name] = colArg.type === 'column' ? name : [name];
  const col = (profile?.columns || []).find((c) => c.name === name) || { name };
  Object.assign(step, FROM_DATA[op]?.(col, { profile, otherGroup }) ?? {});
  for (const a of args) {
    if (a.required && !(a.name in step) && defaultOf('privacy', op, a.name) !== undefined) step[a.name] = defaultOf('privacy', op, a.name);
  }
  return step;
}

function insert(steps, step) {
  const rank = RANK[step.op] ?? 5;
  let at = steps.length;
  while (at > 0 && (RANK[steps[at - 1]?.op] ?? 5) > rank) at--;
  steps.splice(at, 0, step);
}

/** Put column `name` under operator `op` ('' = none): take it out of other steps, add it to a new one. */
export function withOperator(recipe, name, op, ctx) {
  return edit(recipe, (r) => {
    if (!Array.isArray(r.privacy)) r.privacy = [];
    r.privacy = r.privacy.flatMap((s) => {
      if (!s || typeof s !== 'object') return [s];
      if (Array.isArray(s.columns) && s.columns.includes(name)) {
        const rest = s.columns.filter((c) => c !== name);
        return rest.length ? [{ ...s, columns: rest }] : [];
      }
      if (s.column === name) return [];
      // A k_anonymize step stays over every quasi-identifier (see syncKAnonymize).
      return [s];
    });
    if (op === 'k_anonymize') {
      // k-anonymity holds over a set of columns, not one: the step covers every quasi-identifier
      // of the recipe (the columns the risk meter measures), and the column chosen becomes one.
      // A step over the chosen column alone would report "k = 5 reached" for that column while
      // the measured k over all quasi-identifiers stayed at 1.
      if (!r.columns || typeof r.columns !== 'object') r.columns = {};
      if (!['quasi', 'target', 'identifier'].includes(roleOf(r, name))) r.columns[name] = 'quasi';
      if (!r.privacy.some((s) => s?.op === op)) insert(r.privacy, { ...newPrivacyStep(op, name, ctx), quasi: [name] });
    } else if (op) insert(r.privacy, newPrivacyStep(op, name, ctx));
    syncKAnonymize(r);
  });
}

/**
 * `step` (a privacy step JSON, e.g. a suggestion of the core) added to the recipe in its place:
 * the columns it names leave the other one-column steps (a column has one operator in the
 * panel); a `k_anonymize` step keeps them, since it acts on all quasi-identifiers together.
 */
export function withStep(recipe, step) {
  return edit(recipe, (r) => {
    if (!Array.isArray(r.privacy)) r.privacy = [];
    const cols = columnsOf(step);
    if (step.op !== 'k_anonymize') {
      r.privacy = r.privacy.flatMap((s) => {
        if (!s || typeof s !== 'object' || s.op === 'k_anonymize') return [s];
        if (Array.isArray(s.columns)) {
          const rest = s.columns.filter((c) => !cols.includes(c));
          return rest.length ? [{ ...s, columns: rest }] : [];
        }
        return typeof s.column === 'string' && cols.includes(s.column) ? [] : [s];
      });
    } else {
      r.privacy = r.privacy.filter((s) => s?.op !== 'k_anonymize');
    }
    insert(r.privacy, structuredClone(step));
  });
}

/** The `k_anonymize` step with its levels pinned to `levels` ({column: level index}), or without a pin (null). */
export function withPinnedLevels(recipe, levels) {
  return edit(recipe, (r) => {
    const step = (r.privacy || []).find((s) => s?.op === 'k_anonymize');
    if (!step) return;
    if (levels && Object.keys(levels).length) step.levels = { ...levels };
    else delete step.levels;
  });
}

/** Set argument `field` of privacy step `index` (undefined removes it). */
export function withPrivacyArgument(recipe, index, field, value) {
  return edit(recipe, (r) => {
    const step = r.privacy?.[index];
    if (!step) return;
    if (value === undefined) delete step[field];
    else step[field] = value;
  });
}
