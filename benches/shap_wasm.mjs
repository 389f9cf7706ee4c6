// Times TreeSHAP in the built wasm package (the code the page runs), in Node: gradient boosting
// with 100 trees on 1,000 generated training rows × 30 inputs, then its 1,000 holdout test rows
// explained with exact TreeSHAP inside Session.run, and the same for a random forest of 100
// trees (depth ≤ 8); then what `evaluation.shap: true` adds to the suggested recipe's run on the
// demo data (one Session.run, as one worker of the page). Each time is the median of three runs
// with explanations minus three without, in CPU seconds of this process (robust to a busy
// machine), with the report's own `timings.shap_ms` (wall clock) beside it. Run after
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
// CPU seconds of this process (user + system): on a shared, busy machine the wall clock also
// counts other programs' time, the CPU time only ours (wasm in Node runs on one thread).
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
/** Median CPU and wall seconds of three `session.run(recipe)`, and the last report. */
function timed(session, recipe) {
  const c = [], w = [];
  let report;
  for (let i = 0; i < 3; i++) {
    const [c0, w0] = [cpu(), performance.now()];
    report = session.run(recipe).report;
    c.push(cpu() - c0);
    w.push((performance.now() - w0) / 1000);
  }
  return { cpu: median(c), wall: median(w), report };
}
for (const model of [
  { kind: 'gradient_boosting', max_iter: 100, early_stopping: false },
  { kind: 'random_forest', trees: 100, max_depth: 8 },
]) {
  const recipe = (shap) => ({
    version: 1,
    target: 'outcome',
    models: [model],
    evaluation: { method: 'holdout', test_fraction: 0.5, permutation_repeats: 0, shap },
  });
  const off = timed(session, recipe(false));
  const on = timed(session, recipe({ max_rows: 1000, dependence_features: 0 }));
  const shap = on.report.models[0].shap;
  console.log(`TreeSHAP in wasm: ${model.kind} 100 trees x ${shap.explained_rows} rows x ${p} inputs: ` +
    `${(on.cpu - off.cpu).toFixed(3)} CPU s (run with SHAP ${on.cpu.toFixed(3)} s, without ${off.cpu.toFixed(3)} s; ` +
    `timings.shap_ms ${(on.report.models[0].timings.shap_ms / 1000).toFixed(3)} s wall)`);
}
session.free();

// The suggested recipe on the demo data, explanations off and on.
const demo = new Session(readFileSync(join(PATHS.www, 'demo', 'patients.csv')), 'patients.csv');
const suggested = demo.suggest_recipe('readmitted_30d');
const runs = {};
for (const on of [false, true]) {
  runs[on] = timed(demo, { ...suggested, evaluation: { ...suggested.evaluation, shap: on } });
  const shapMs = runs[on].report.models.reduce((a, m) => a + m.timings.shap_ms, 0);
  console.log(`suggested recipe on the demo (models ${suggested.models.map((m) => m.kind).join(', ')}), evaluation.shap ${on}: ` +
    `${runs[on].cpu.toFixed(2)} CPU s (${runs[on].wall.toFixed(2)} s wall); shap phase ${shapMs.toFixed(0)} ms wall`);
}
const added = runs.true.cpu - runs.false.cpu;
console.log(`  evaluation.shap: true adds ${added.toFixed(2)} CPU s (${((100 * added) / runs.false.cpu).toFixed(0)}%) to the default run`);
demo.free();
