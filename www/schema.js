// The core's registry of steps, as the page builds its menus and forms from it: www/steps.json,
// generated from the Rust registries (`bedside schema`; a test fails when it is stale), inlined
// by the single-file build (BEDSIDE_EMBED.steps). Loaded once at start-up, read-only after.
//
// {version, privacy: [{op, doc, args, facts}], features: [{op, doc, args}], models: [{kind, doc,
// tasks, args}]}; an argument is {name, type, required, default, doc, data_values} with `values`
// (enum), `items` (list) or `args` (object).

let schema = { version: 1, privacy: [], features: [], models: [] };

/** Fetch (or take the inlined) schema; call once before the first draw. */
export async function loadSchema() {
  const embedded = globalThis.BEDSIDE_EMBED?.steps;
  if (embedded) {
    schema = embedded;
  } else {
    const res = await fetch('./steps.json');
    if (!res.ok) throw new Error(`steps.json: HTTP ${res.status}`);
    schema = await res.json();
  }
  return schema;
}

/** Use `value` as the schema (tests in Node, which read steps.json themselves). */
export function setSchema(value) {
  schema = value;
}

const arr = (v) => (Array.isArray(v) ? v : []);

/** Every privacy operator, in registry order. */
export const privacyOps = () => arr(schema.privacy);
/** Every feature step, in registry order. */
export const featureSteps = () => arr(schema.features);
/** Every model kind, in registry order. */
export const modelKinds = () => arr(schema.models);

const find = (family, name) => arr(schema[family]).find((s) => (s.op ?? s.kind) === name) || null;

/** The entry of `name` in `family` ('privacy', 'features' or 'models'), or null. */
export function entry(family, name) {
  return find(family, name);
}

/** The arguments of `name` in `family` ([] when unknown). */
export function argsOf(family, name) {
  return arr(find(family, name)?.args);
}

/** The value the core applies when argument `arg` of `name` is omitted (undefined: none). */
export function defaultOf(family, name, arg) {
  const a = argsOf(family, name).find((x) => x.name === arg);
  return a && a.default != null ? a.default : undefined;
}
