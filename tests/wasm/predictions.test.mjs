// The out-of-fold predictions in the page: a wasm run returns `predictions_csv`, the same text the
// CLI's `--predictions FILE` writes (one core function, `OutOfFold::to_csv`), byte for byte, for
// the same data, recipe and seed; the pool's three calls (stage, run_splits, finish) return it too;
// it has no identifier column and no original identifier value. Run after `node scripts/build.mjs`:
//   node --test tests/wasm/predictions.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseCsv } from '../../scripts/gen-demo.mjs';
import { PATHS } from '../../scripts/lib.mjs';
import { containsValue } from '../common.mjs';

for (const f of [join(PATHS.pkg, 'bedside.js'), PATHS.wasmOut, PATHS.demoCsv, PATHS.cli]) {
  if (!existsSync(f)) throw new Error(`${f} is missing: run \`node scripts/build.mjs\` first`);
}
const { initSync, Session } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
initSync({ module: readFileSync(PATHS.wasmOut) });

const TARGET = 'readmitted_30d';
const demoBytes = readFileSync(PATHS.demoCsv);
const sessions = [];
const open = () => {
  const s = new Session(new Uint8Array(demoBytes), basename(PATHS.demoCsv));
  sessions.push(s);
  return s;
};
after(() => sessions.forEach((s) => s.free()));

/** The CLI's `--predictions` file for `recipe` on the demo, as text. */
function cliPredictions(recipe, t) {
  const dir = mkdtempSync(join(tmpdir(), 'bedside-pred-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify(recipe, null, 2));
  const out = join(dir, 'pred.csv');
  const cli = spawnSync(PATHS.cli, ['run', '--data', basename(PATHS.demoCsv), '--recipe', join(dir, 'recipe.json'), '--predictions', out],
    { cwd: dirname(PATHS.demoCsv), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(cli.status, 0, `bedside run failed:\n${cli.stderr}`);
  return readFileSync(out, 'utf8');
}

/**
 * The suggested recipe with trees only: their scores are sums and quotients of counts, the same
 * bits natively and in wasm (the logistic fit carries a last-bit difference of `exp`, a known gap
 * of invariant 5 in docs/design.md, into the last digits of its scores).
 */
function treeRecipe(session) {
  const recipe = session.suggest_recipe(TARGET);
  recipe.models = [{ kind: 'decision_tree', max_depth: 4 }, { kind: 'random_forest', trees: 15 }];
  recipe.evaluation = { method: 'stratified_kfold', folds: 3 };
  return recipe;
}

describe('out-of-fold predictions from wasm', () => {
  test('run returns the CLI --predictions file byte for byte', async (t) => {
    const session = open();
    const recipe = treeRecipe(session);
    const result = session.run(recipe, () => {});
    assert.ok(result.predictions_csv instanceof Blob);
    const predictions = await result.predictions_csv.text();
    const native = cliPredictions(recipe, t);
    assert.equal(predictions, native, 'the same bytes as the CLI file');
    assert.equal(result.predictions_formula_cells, 0);

    // Its content: header, one line per test record per model, rows 0-based among the records read.
    const lines = predictions.trim().split(/\r?\n/);
    assert.equal(lines[0], 'row,split,model,y_true,score');
    const rows = lines.slice(1).map((l) => l.split(','));
    const modelled = result.report.target.counts.reduce((a, b) => a + b, 0);
    assert.equal(rows.length, modelled * recipe.models.length, 'every modelled record once per model');
    for (const r of rows) {
      assert.equal(r.length, 5);
      const [row, split, model, y, score] = r;
      assert.ok(Number.isInteger(Number(row)) && Number(row) >= 0 && Number(row) < result.report.input.rows);
      assert.ok(['0', '1', '2'].includes(split));
      assert.ok(['0', '1'].includes(model));
      assert.ok(result.report.target.classes.includes(y));
      assert.ok(Number(score) >= 0 && Number(score) <= 1);
    }
    const records = parseCsv(demoBytes.toString('utf8')).map((r) => r.fields);
    // No identifier: neither a name, a record number nor a phone of the input is in it.
    for (const name of ['patient_name', 'mrn', 'phone']) {
      const c = records[0].indexOf(name);
      const leaked = records.slice(1).map((r) => r[c]).filter((v) => v && v.length > 4 && containsValue(predictions, v));
      assert.deepEqual(leaked, [], `${name} values in the predictions`);
    }
  });

  test('the pool calls (stage, run_splits, finish) return the same predictions as run', async () => {
    const session = open();
    const recipe = treeRecipe(session);
    const whole = await session.run(recipe, () => {}).predictions_csv.text();
    const key = new Uint8Array(32).map((_, i) => i + 1);
    const units = session.stage(recipe, key, undefined);
    // Units computed one per call and in reverse order, as workers of a pool might return them.
    const parts = [];
    for (let u = units - 1; u >= 0; u--) parts.push(...JSON.parse(session.run_splits(recipe, key, Uint32Array.from([u]), undefined)));
    const out = session.finish(recipe, key, JSON.stringify(parts), '[]', undefined);
    assert.equal(await out.predictions_csv.text(), whole);
  });

  test('a recipe without models returns no predictions', () => {
    const session = open();
    const recipe = session.suggest_recipe(TARGET);
    recipe.models = [];
    const out = session.run(recipe, () => {});
    assert.equal(out.predictions_csv, null);
  });
});
