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
/** The built-in populations of `risk.population`: [{name, label, size, source}]. */
export const populations = () => arr(schema.populations);
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

/** The recipe's own top-level fields that can hold values from the data (e.g. `positive`). */
export const recipeDataValues = () => arr(schema.recipe?.data_values);

/**
 * `recipe` without any value taken from the data, for a share link: every argument the schema
 * marks `data_values` (in privacy, feature and model steps, nested objects included), every
 * recipe field in `recipe.data_values`, and pseudonymization keys (a secret, never shared). A
 * step the schema does not know keeps only its `op`/`kind` (its arguments cannot be judged).
 * Returns {recipe, shortened: [{step: 'privacy[2]', op, args: ['values']}]} — `shortened` lists
 * what was left out (keys not counted: they are never shared and need no filling in).
 */
export function withoutDataValues(recipe) {
  const copy = JSON.parse(JSON.stringify(recipe && typeof recipe === 'object' ? recipe : {}));
  const shortened = [];
  const strip = (obj, args, prefix, left) => {
    for (const a of args) {
      if (!(a.name in obj)) continue;
      if (a.data_values) {
        delete obj[a.name];
        left.push(prefix + a.name);
      } else if (a.type === 'object' && obj[a.name] && typeof obj[a.name] === 'object') {
        strip(obj[a.name], arr(a.args), `${prefix}${a.name}.`, left);
      }
    }
  };
  for (const [family, tag] of [['privacy', 'op'], ['features', 'op'], ['models', 'kind']]) {
    arr(copy[family]).forEach((step, i) => {
      if (!step || typeof step !== 'object') return;
      if (family === 'privacy') delete step.key;
      const known = find(family, step[tag]);
      const left = [];
      if (known) {
        strip(step, arr(known.args), '', left);
      } else {
        for (const k of Object.keys(step)) {
          if (k !== tag) { delete step[k]; left.push(k); }
        }
      }
      if (left.length) shortened.push({ step: `${family}[${i}]`, op: String(step[tag] ?? '?'), args: left });
    });
  }
  const top = recipeDataValues().filter((f) => f in copy);
  for (const f of top) delete copy[f];
  if (top.length) shortened.push({ step: 'recipe', op: 'recipe', args: top });
  return { recipe: copy, shortened };
}
