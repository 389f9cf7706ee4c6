// Undo / redo for the recipe. Every edit (a role, an operator, a feature step, a model, typed JSON,
// an uploaded or shared recipe) is recorded as a snapshot with a description of what changed, so
// the Undo button can say what it will undo ("Undo: add k_anonymize"). Snapshots are JSON text:
// a restored recipe shares nothing with the one being edited.

const LIMIT = 200;

export class RecipeHistory {
  constructor() {
    this.reset(null);
  }

  /** Start over from `recipe` (new data loaded): nothing to undo. */
  reset(recipe) {
    this.current = recipe == null ? null : JSON.stringify(recipe);
    this.undoStack = [];
    this.redoStack = [];
    this.coalesce = null;
  }

  /**
   * The recipe is now `recipe`; `change` is {key, params} (from describeChange, or a source such
   * as typing). Consecutive edits with the same `group` (typing in the JSON box) make one entry.
   * Returns true when something was recorded.
   */
  record(recipe, change, group = null) {
    const text = JSON.stringify(recipe);
    if (text === this.current) return false;
    if (group && this.coalesce === group && this.undoStack.length) {
      this.current = text;
      this.redoStack = [];
      return true;
    }
    this.undoStack.push({ recipe: this.current, change });
    if (this.undoStack.length > LIMIT) this.undoStack.shift();
    this.redoStack = [];
    this.current = text;
    this.coalesce = group;
    return true;
  }

  /** End a run of grouped edits (the JSON box lost focus). */
  endGroup() {
    this.coalesce = null;
  }

  canUndo() { return this.undoStack.length > 0; }
  canRedo() { return this.redoStack.length > 0; }
  /** The change the next undo / redo reverts or repeats ({key, params}), or null. */
  nextUndo() { return this.undoStack.at(-1)?.change ?? null; }
  nextRedo() { return this.redoStack.at(-1)?.change ?? null; }

  /** The recipe before the last change (a fresh object), or null. */
  undo() {
    const entry = this.undoStack.pop();
    if (!entry) return null;
    this.redoStack.push({ recipe: this.current, change: entry.change });
    this.current = entry.recipe;
    this.coalesce = null;
    return JSON.parse(entry.recipe);
  }

  /** The recipe after the last undone change, or null. */
  redo() {
    const entry = this.redoStack.pop();
    if (!entry) return null;
    this.undoStack.push({ recipe: this.current, change: entry.change });
    this.current = entry.recipe;
    this.coalesce = null;
    return JSON.parse(entry.recipe);
  }
}

const arr = (v) => (Array.isArray(v) ? v : []);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** What differs between two lists of steps keyed by `name` (op or kind): add / remove / change. */
function listChange(before, after, name, area) {
  const a = arr(before), b = arr(after);
  if (same(a, b)) return null;
  const key = (s) => String(s?.[name] ?? '?');
  if (b.length > a.length) {
    const i = b.findIndex((s, j) => !same(s, a[j]));
    const added = b.find((s) => !a.some((x) => key(x) === key(s))) ?? b[i];
    return { key: 'history.add', params: { what: key(added), area } };
  }
  if (b.length < a.length) {
    const removed = a.find((s) => !b.some((x) => key(x) === key(s))) ?? a[a.findIndex((s, j) => !same(s, b[j]))];
    return { key: 'history.remove', params: { what: key(removed), area } };
  }
  const i = a.findIndex((s, j) => !same(s, b[j]));
  if (a.map(key).sort().join() === b.map(key).sort().join() && key(a[i]) !== key(b[i])) {
    return { key: 'history.reorder', params: { what: key(b[i]), area } };
  }
  return { key: 'history.change', params: { what: key(b[i]), area } };
}

/** A description ({key, params}) of the edit that turned recipe `a` into recipe `b`. */
export function describeChange(a, b) {
  a = a || {};
  b = b || {};
  const targetName = (x) => (x && typeof x === 'object' ? `${x.time} / ${x.event}` : x);
  if (JSON.stringify(a.target) !== JSON.stringify(b.target)) return { key: 'history.target', params: { column: targetName(b.target) || '—' } };
  const ra = a.columns || {}, rb = b.columns || {};
  const role = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].find((c) => ra[c] !== rb[c]);
  if (role) return { key: 'history.role', params: { column: role, role: rb[role] || 'feature' } };
  return listChange(a.privacy, b.privacy, 'op', 'privacy')
    || listChange(a.features, b.features, 'op', 'features')
    || listChange(a.models, b.models, 'kind', 'models')
    || (!same(a.evaluation, b.evaluation) ? { key: 'history.evaluation', params: { method: b.evaluation?.method ?? '—' } } : null)
    || (a.seed !== b.seed ? { key: 'history.seed', params: { seed: String(b.seed ?? '—') } } : null)
    || { key: 'history.edit', params: {} };
}
