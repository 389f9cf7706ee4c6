// The two modules the build ships (www/pkg/bedside_bg.wasm and bedside_simd_bg.wasm, the same
// crate compiled with wasm SIMD) loaded side by side in Node with the one glue file: the same
// recipes give the same Report, bit for bit (numbers compared exactly), so the page may load either.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PATHS } from '../../scripts/lib.mjs';
import { withoutTimings } from '../common.mjs';

for (const f of [join(PATHS.pkg, 'bedside.js'), PATHS.wasmOut, PATHS.wasmSimdOut, PATHS.demoCsv]) {
  if (!existsSync(f)) throw new Error(`${f} is missing: run \`node scripts/build.mjs\` first`);
}

/** One instance of the package on `wasmFile` (the glue imported afresh: its own module state). */
async function instance(wasmFile, tag) {
  const glue = await import(`${pathToFileURL(join(PATHS.pkg, 'bedside.js')).href}?${tag}`);
  glue.initSync({ module: readFileSync(wasmFile) });
  return glue;
}

const baseline = await instance(PATHS.wasmOut, 'baseline');
const simd = await instance(PATHS.wasmSimdOut, 'simd');

/** A numeric table with signal: 2,000 × 12 + a class (a fixed generator, the same every time). */
function numericCsv() {
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
  const lines = [[...Array(12).keys()].map((i) => `x${i}`).concat('y').join(',')];
  for (let r = 0; r < 2000; r++) {
    const x = Array.from({ length: 12 }, () => rnd() * 4 - 2);
    const y = x[0] - 0.7 * x[1] + 0.5 * x[2] * x[3] + (rnd() - 0.5) > 0 ? 1 : 0;
    lines.push(x.map((v) => v.toFixed(4)).concat(y).join(','));
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

function report(pkg, bytes, name, recipe) {
  const session = new pkg.Session(bytes, name);
  try {
    return withoutTimings(session.run(recipe ?? session.suggest_recipe('readmitted_30d'), null).report);
  } finally {
    session.free();
  }
}

test('the two modules are different builds of one version', () => {
  assert.equal(simd.version(), baseline.version());
  assert.notDeepEqual(readFileSync(PATHS.wasmSimdOut), readFileSync(PATHS.wasmOut));
});

test('demo data, suggested recipe: the SIMD module gives the baseline report, bit for bit', () => {
  const bytes = readFileSync(PATHS.demoCsv);
  assert.deepStrictEqual(report(simd, bytes, 'patients.csv'), report(baseline, bytes, 'patients.csv'));
});

test('forest, boosting, logistic regression and the rest on numeric data: the same report, bit for bit', () => {
  const bytes = numericCsv();
  const recipe = {
    version: 1, seed: 3, target: 'y',
    features: [{ op: 'impute', strategy: 'median' }, { op: 'scale', method: 'standard' }],
    models: [{ kind: 'random_forest', trees: 30 }, { kind: 'gradient_boosting' }, { kind: 'logistic_regression' },
      { kind: 'naive_bayes' }, { kind: 'decision_tree' }],
    evaluation: { method: 'stratified_kfold', folds: 3 },
  };
  const b = report(baseline, bytes, 'numeric.csv', recipe);
  assert.equal(b.models.length, 5);
  assert.deepStrictEqual(report(simd, bytes, 'numeric.csv', recipe), b);
});
