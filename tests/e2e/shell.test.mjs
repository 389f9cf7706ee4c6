// The web shell's plumbing, in Node (no browser): the store redraws exactly the views subscribed to
// what changed and refuses edits in place; the scheduler splits a run across workers as the page
// does (every unit once, longest first once timed, intervals on a free worker, results in unit
// order); only api.js names the worker's actions.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.mjs';

const WWW = join(ROOT, 'www');
const { createStore } = await import(join(WWW, 'store.js'));
const { runAcross } = await import(join(WWW, 'scheduler.js'));

test('store: an update redraws the views of the keys that changed, once, in table order', () => {
  const store = createStore({ a: 1, b: 1, recipe: null });
  const drawn = [];
  store.subscribe('A', ['a'], (s) => drawn.push(`A${s.a}`));
  store.subscribe('AB', ['a', 'b'], (s) => drawn.push(`AB${s.a}${s.b}`));
  store.subscribe('B', ['b'], (s) => drawn.push(`B${s.b}`));
  store.update({ a: 2, b: 2 });
  assert.deepEqual(drawn, ['A2', 'AB22', 'B2']);
  drawn.length = 0;
  store.update({ a: 2 }); // unchanged: nothing drawn
  store.update((s) => ({ b: s.b + 1 }));
  assert.deepEqual(drawn, ['AB23', 'B3']);
});

test('store: an update made while drawing is drawn in a second pass; the recipe cannot be edited in place', () => {
  const store = createStore({ a: 0, b: 0, recipe: null });
  const drawn = [];
  store.subscribe('A', ['a'], (s) => { drawn.push(`A${s.a}`); if (s.a === 1) store.update({ b: 1 }); });
  store.subscribe('B', ['b'], (s) => drawn.push(`B${s.b}`));
  store.update({ a: 1 });
  assert.deepEqual(drawn, ['A1', 'B1']);
  store.update({ recipe: { privacy: [{ op: 'drop', columns: ['mrn'] }] } });
  assert.throws(() => { store.state.recipe.privacy[0].columns.push('name'); }, TypeError);
  assert.throws(() => { store.state.a = 5; }, TypeError);
});

/** Fake workers: a unit of model m takes `ms[m]` milliseconds; every call is logged. */
function fakePool(size, units, ms) {
  const log = [];
  const sleep = (t) => new Promise((r) => setTimeout(r, t));
  // As the core, each worker keeps the results of the units it computed for finish.
  const held = Array.from({ length: size }, () => new Map());
  const workers = Array.from({ length: size }, (_, w) => ({
    stage: async () => { log.push(['stage', w]); return units; },
    runSplits: async (recipe, key, which, onProgress) => {
      const [u] = which;
      log.push(['unit', w, u]);
      onProgress({ stage: 'models', done: 0, total: 1 });
      await sleep(ms[u % recipe.models.length]);
      held[w].set(u, { unit: u });
      return `[{"unit":${u}}]`;
    },
    // The same unit in two calls: scored (half its time), then explained on the same worker.
    scoreSplits: async (recipe, key, which, onProgress) => {
      const [u] = which;
      log.push(['unit', w, u]);
      onProgress({ stage: 'models', done: 0, total: 1 });
      await sleep(ms[u % recipe.models.length] / 2);
      held[w].set(u, { unit: u, scored: true });
      return `[{"unit":${u},"scored":true}]`;
    },
    explainSplits: async (recipe, key, which) => {
      const [u] = which;
      if (!log.some((e) => e[0] === 'unit' && e[1] === w && e[2] === u)) throw new Error(`unit ${u} not scored on worker ${w}`);
      await sleep(ms[u % recipe.models.length] / 2);
      log.push(['explained', w, u]);
      held[w].set(u, { unit: u });
      return `[{"unit":${u}}]`;
    },
    // The units' results come as each call's JSON text (an array of texts), as the core takes them.
    intervals: async (recipe, key, results) => { log.push(['intervals', w, results.flatMap((t) => JSON.parse(t)).map((r) => r.unit)]); return `{"w":${w}}`; },
    // The results handed over (the units other workers computed) and those kept here.
    finish: async (recipe, key, results, intervals) => {
      const given = results.flatMap((t) => JSON.parse(t));
      log.push(['finish', w, given.map((r) => r.unit)]);
      const all = [...given, ...[...held[w].values()].filter((r) => !given.some((g) => g.unit === r.unit))];
      return { report: { results: all.sort((a, b) => a.unit - b.unit), intervals: JSON.parse(intervals) }, masked_csv: '' };
    },
    release: async () => { log.push(['release', w]); return null; },
  }));
  return { workers, log };
}

test('scheduler: every unit once, longest first once timed, intervals on a free worker, results in unit order', async () => {
  // 2 models (a slow one and a fast one) on 4 splits: 8 units on 2 workers.
  const recipe = { models: [{ kind: 'slow' }, { kind: 'fast' }] };
  const { workers, log } = fakePool(2, 8, [40, 5]);
  const progress = [];
  const out = await runAcross(workers, recipe, (p) => progress.push(p));
  const units = log.filter((e) => e[0] === 'unit').map((e) => e[2]);
  assert.deepEqual([...units].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7], 'every unit once');
  // Units 0 and 1 start first, in order; once the fast model is timed, every slow unit (not yet
  // timed: maybe long, then timed longer) starts before the fast model's other units.
  assert.deepEqual(units.slice(0, 2), [0, 1]);
  const started = (u) => units.indexOf(u);
  for (const slow of [2, 4, 6]) for (const fast of [3, 5, 7]) assert.ok(started(slow) < started(fast), `order ${units}`);
  // Each model's intervals computed once, from its own units, in split order.
  const intervals = log.filter((e) => e[0] === 'intervals').map((e) => e[2]);
  assert.deepEqual(intervals.sort((a, b) => a[0] - b[0]), [[0, 2, 4, 6], [1, 3, 5, 7]]);
  // Worker 0 stages and finishes; the other worker releases its staged run.
  assert.deepEqual(log[0], ['stage', 0]);
  assert.ok(log.some((e) => e[0] === 'finish' && e[1] === 0));
  assert.ok(log.some((e) => e[0] === 'release' && e[1] === 1));
  // Finish is handed the results of the units worker 1 computed, not those worker 0 keeps.
  const onOne = log.filter((e) => e[0] === 'unit' && e[1] === 1).map((e) => e[2]).sort((a, b) => a - b);
  assert.ok(onOne.length > 0);
  assert.deepEqual(log.find((e) => e[0] === 'finish')[2].sort((a, b) => a - b), onOne);
  assert.deepEqual(out.report.results.map((r) => r.unit), [0, 1, 2, 3, 4, 5, 6, 7], 'results in unit order');
  assert.equal(out.report.intervals.length, 2);
  assert.equal(out.workers, 2);
  const last = progress.at(-1);
  assert.equal(last.stage, 'models');
  assert.equal(last.done, 8);
  assert.equal(last.total, 8);
  assert.ok(progress.some((p) => Number.isFinite(p.eta_ms)), 'an estimate of the time left');
});

test('scheduler: a model\'s bootstraps start on a free worker once its units are scored, while they are explained', async () => {
  // A hold-out run of a slow model and a fast one on 2 workers: 2 units.
  const recipe = { models: [{ kind: 'slow' }, { kind: 'fast' }] };
  const { workers, log } = fakePool(2, 2, [200, 10]);
  const out = await runAcross(workers, recipe);
  const at = (...e) => log.findIndex((x) => JSON.stringify(x) === JSON.stringify(e));
  // Worker 1, done with the fast model, waits for the slow one's scores and bootstraps it while
  // worker 0 still explains it.
  assert.ok(at('intervals', 1, [0]) >= 0, JSON.stringify(log));
  assert.ok(at('intervals', 1, [0]) < at('explained', 0, 0), JSON.stringify(log));
  assert.ok(at('intervals', 1, [1]) >= 0, JSON.stringify(log));
  // The bootstraps are given the scored results; finish the explained ones.
  assert.deepEqual(out.report.results, [{ unit: 0 }, { unit: 1 }]);
  assert.equal(out.report.intervals.length, 2);
});

test('scheduler: one worker runs every unit and leaves the intervals to finish', async () => {
  const recipe = { models: [{ kind: 'a' }, { kind: 'b' }] };
  const { workers, log } = fakePool(1, 4, [1, 1]);
  await runAcross(workers, recipe);
  assert.deepEqual(log.filter((e) => e[0] === 'unit').map((e) => e[2]).sort(), [0, 1, 2, 3]);
  assert.equal(log.filter((e) => e[0] === 'intervals').length, 0);
  assert.equal(log.filter((e) => e[0] === 'release').length, 0);
  // Every result stays where it was computed: finish is handed none.
  assert.deepEqual(log.find((e) => e[0] === 'finish')[2], []);
});

test('only api.js names the worker protocol actions; no other module posts to a worker', () => {
  for (const f of readdirSync(WWW).filter((n) => n.endsWith('.js'))) {
    const js = readFileSync(join(WWW, f), 'utf8');
    if (f === 'api.js' || f === 'transport.js') continue;
    assert.doesNotMatch(js, /\.call\(\s*'/, `${f} calls a worker action by name`);
    if (f !== 'worker.js') assert.doesNotMatch(js, /\.postMessage\(/, `${f} posts to a worker`);
  }
});
