// What the page's progress (www/scheduler.js) reads from the core in wasm: staging ends with the
// plan of every unit, each unit call with the plan of its phases, then its phases as they start;
// finish tells the report's phases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PATHS } from '../../scripts/lib.mjs';

const { initSync, Session } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
initSync({ module: readFileSync(PATHS.wasmOut) });

test('stage ends with the plan of every unit; units and finish tell their phases', () => {
  const s = new Session(readFileSync(PATHS.demoCsv), basename(PATHS.demoCsv));
  try {
    const recipe = s.suggest_recipe('readmitted_30d');
    const key = crypto.getRandomValues(new Uint8Array(32));
    const staged = [];
    const units = s.stage(recipe, key, (p) => staged.push(p));
    const plan = staged.at(-1);
    assert.equal(plan.stage, 'plan');
    assert.equal(plan.plan.units.length, units);
    assert.ok(plan.plan.units.every((ms) => Number.isFinite(ms) && ms > 0), JSON.stringify(plan.plan.units));

    const told = [];
    const results = [];
    for (let u = 0; u < units; u++) {
      results.push(...JSON.parse(s.run_splits(recipe, key, Uint32Array.of(u), (p) => told.push({ ...p, asked: u }))));
    }
    const ofUnit0 = told.filter((p) => p.asked === 0);
    assert.equal(ofUnit0[0].stage, 'plan');
    assert.ok(ofUnit0[0].plan.phases.some((x) => x.phase === 'fit' && x.ms > 0));
    const phases = new Set(ofUnit0.filter((p) => p.stage === 'models' && p.unit === 0).map((p) => p.phase));
    for (const ph of ['fit', 'predict', 'importance']) assert.ok(phases.has(ph), `unit 0 tells ${ph}: ${[...phases]}`);

    const finishing = [];
    const out = s.finish(recipe, key, JSON.stringify(results), '[]', (p) => finishing.push(p));
    assert.ok(out.report.models.length > 0);
    assert.ok(finishing.length >= 2 && finishing.every((p) => p.stage === 'report'));
    assert.equal(finishing.at(-1).done, finishing.at(-1).total);
  } finally {
    s.free();
  }
});
