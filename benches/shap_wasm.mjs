// Times TreeSHAP in the built wasm package (the code the page runs), in Node: gradient boosting
// with 100 trees on 1,000 generated training rows × 30 inputs, then its 1,000 holdout test rows
// explained with exact TreeSHAP inside Session.run; the time is the report's own
// `models[0].timings.shap_ms` (performance.now() in the wasm clock); then the same for a random
// forest of 100 trees (depth ≤ 8), and what `evaluation.shap: true` adds to the suggested
// recipe's run on the demo data (one Session.run, as one worker of the page). Run after
// `node scripts/build.mjs`:
//   node benches/shap_wasm.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATHS } from '../scripts/lib.mjs';

const { initSync, Session } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
initSync({ module: readFileSync(PATHS.wasmOut) });

// A small deterministic generator (xorshift), so every run times the same table.
let s = 18n;
const next = () => {
  s ^= (s << 13n) & 0xffffffffffffffffn;
  s ^= s >> 7n;
  s ^= (s << 17n) & 0xffffffffffffffffn;
  return Number(s % 1_000_000n) / 1_000_000;
};
const p = 30;
const header = [...Array(p).keys()].map((j) => `x${j}`);
const lines = [`${header.join(',')},outcome`];
for (let i = 0; i < 2000; i++) {
  const x = header.map(() => -2 + 4 * next());
  const z = x[0] - 0.7 * x[1] * x[2] + 0.4 * x[3] * x[3] + (next() - 0.5) * 2;
  lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${z > 0 ? 1 : 0}`);
}
const session = new Session(new TextEncoder().encode(`${lines.join('\n')}\n`), 'bench.csv');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const model of [
  { kind: 'gradient_boosting', max_iter: 100, early_stopping: false },
  { kind: 'random_forest', trees: 100, max_depth: 8 },
]) {
  const recipe = {
    version: 1,
    target: 'outcome',
    models: [model],
    evaluation: {
      method: 'holdout',
      test_fraction: 0.5,
      permutation_repeats: 0,
      shap: { max_rows: 1000, dependence_features: 0 },
    },
  };
  const times = [];
  let report;
  for (let i = 0; i < 3; i++) {
    report = session.run(recipe).report;
    times.push(report.models[0].timings.shap_ms / 1000);
  }
  const shap = report.models[0].shap;
  console.log(`TreeSHAP in wasm (Session.run, timings.shap_ms): ${model.kind} 100 trees x ${shap.explained_rows} rows x ${p} inputs`);
  console.log(`  median ${median(times).toFixed(3)} s (runs: ${times.map((t) => `${t.toFixed(3)} s`).join(', ')})`);
}
session.free();

// The suggested recipe on the demo data, explanations off and on.
const demo = new Session(readFileSync(join(PATHS.www, 'demo', 'patients.csv')), 'patients.csv');
const suggested = demo.suggest_recipe('readmitted_30d');
const totals = {};
for (const on of [false, true]) {
  const recipe = { ...suggested, evaluation: { ...suggested.evaluation, shap: on } };
  const times = [];
  let shapMs = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const { report } = demo.run(recipe);
    times.push((performance.now() - t0) / 1000);
    shapMs = report.models.reduce((a, m) => a + m.timings.shap_ms, 0);
  }
  totals[on] = median(times);
  console.log(`suggested recipe on the demo (models ${suggested.models.map((m) => m.kind).join(', ')}), evaluation.shap ${on}: median ${totals[on].toFixed(2)} s (runs ${times.map((t) => t.toFixed(2)).join(', ')}); shap phase ${shapMs.toFixed(0)} ms`);
}
console.log(`  evaluation.shap: true adds ${(totals.true - totals.false).toFixed(2)} s (${((100 * (totals.true - totals.false)) / totals.false).toFixed(0)}%) to the default run`);
demo.free();
