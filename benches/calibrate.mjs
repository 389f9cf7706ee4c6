// Fits the cost model's constants (src/pipeline/estimate.rs) from runs on this machine, then
// checks the estimate against whole runs. Not a timed test: a bench that prints what it measured.
//
//   node benches/calibrate.mjs            fit + check (about 2 minutes on an idle 2-core machine)
//   node benches/calibrate.mjs --check    only the check, with the constants in the build
//
// 1. Fit: one model per run, on ONE rayon thread (the constants are per thread), on generated
//    tables of several sizes (numeric inputs with signal, and a categorical column one-hot
//    encoded for the wide cases). From each Report's timings, per model kind, least squares
//    through the origin of the measured milliseconds on the model's size term:
//      fit        = c_fit  × training rows × inputs × g   (g: trees/100 for a forest, max_iter/100
//                                                          for boosting, inputs for logistic
//                                                          regression, SVM and MLP, else 1)
//      predict    = c_pred × test rows × inputs (× trees/100 for a forest)
//      importance = c_imp  × repeats × inputs × min(test rows, the sample cap)
//    and prints them as the Rust table to paste into estimate.rs. On a shared machine a run gets
//    only part of a core: each run's milliseconds are scaled by its CPU share (user + system
//    time over wall time × threads, from /usr/bin/time), which assumes the contention was even
//    over the run; on an idle machine the share is 1 and nothing is scaled.
// 2. Check: a few other recipes (several models, cross-validation, a wide one-hot) on all
//    cores: `bedside estimate` against the run's wall time (the Report's total, × its CPU share
//    as above); prints each ratio and the largest factor. It fails (non-zero exit) above
//    MAX_FACTOR.
//
// Needs the release CLI (`cargo build --release --bin bedside`). Data: target/bench/calibrate.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT, StepError, capture, log, main } from '../scripts/lib.mjs';

const CLI = join(ROOT, 'target', 'release', 'bedside');
const DIR = join(ROOT, 'target', 'bench', 'calibrate');
const CORES = availableParallelism();
const CHECK_ONLY = process.argv.includes('--check');
/** The estimate is documented as right within this factor (docs/report.md, docs/benchmarks.md). */
const MAX_FACTOR = 3;

/** A deterministic table: `rows` × `p` normal inputs with signal, optionally a categorical column
 * `cat` of `levels` values (uniform), and a binary `y`. Returns the CSV file's path. */
function table(rows, p, levels = 0) {
  const name = `t-${rows}-${p}-${levels}.csv`;
  const path = join(DIR, name);
  let s = 0x2545f491n + BigInt(rows * 131 + p * 7 + levels);
  const next = () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(s >> 11n) / 2 ** 53;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const head = [...Array.from({ length: p }, (_, i) => `x${i}`), ...(levels ? ['cat'] : []), 'y'];
  const lines = [head.join(',')];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: p }, normal);
    const c = levels ? Math.floor(next() * levels) : 0;
    const logit = x[0] - 0.8 * x[1] + 0.5 * x[2] * x[3] + (levels ? ((c % 7) - 3) * 0.2 : 0);
    const y = logit + 0.7 * normal() > 0 ? 1 : 0;
    lines.push([...x.map((v) => v.toPrecision(5)), ...(levels ? [`c${c}`] : []), y].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * The CLI on `threads` rayon threads under /usr/bin/time: its JSON, and `share`, the CPU time it
 * got over what its threads could have used in its wall time (1 on an idle machine; on a shared
 * one the measured milliseconds are scaled by it, see the module doc).
 */
function bedside(args, threads) {
  const r = capture('/usr/bin/time', ['-f', '%e %U %S', CLI, ...args], { env: { RAYON_NUM_THREADS: String(threads) } });
  if (r.status !== 0) throw new StepError(`\`bedside ${args.join(' ')}\` failed: ${r.stderr.trim()}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  const share = wall > 0 ? Math.min(1, (user + sys) / (wall * threads)) : 1;
  return { out: JSON.parse(r.stdout), share };
}

let recipes = 0;
function recipeFile(recipe) {
  const path = join(DIR, `recipe-${recipes++}.json`);
  writeFileSync(path, JSON.stringify(recipe));
  return path;
}

const recipeOf = (models, { evaluation = { method: 'holdout', test_fraction: 0.25 }, levels = 0, maxCategories = 0 } = {}) => ({
  version: 1, seed: 7, target: 'y',
  features: levels ? [{ op: 'one_hot', max_categories: maxCategories }] : [],
  models, evaluation,
});

// The size terms of the model (must mirror `constants` and `estimate` in estimate.rs).
const TREES = (m) => (m.kind === 'random_forest' ? (m.trees ?? 100) / 100 : 1);
const QUADRATIC = new Set(['logistic_regression', 'svm', 'mlp']);
function fitTerm(m, ntr, k) {
  let g = 1;
  if (m.kind === 'random_forest') g = (m.trees ?? 100) / 100;
  if (m.kind === 'gradient_boosting') g = (m.max_iter ?? 100) / 100;
  if (QUADRATIC.has(m.kind)) g = k;
  return ntr * k * g;
}

// One model per run, one thread: [kind spec, rows, numeric inputs, categorical levels].
const FIT_RUNS = [
  [{ kind: 'random_forest' }, 4000, 30], [{ kind: 'random_forest' }, 8000, 20],
  [{ kind: 'gradient_boosting' }, 4000, 30], [{ kind: 'gradient_boosting' }, 16000, 20],
  [{ kind: 'decision_tree' }, 8000, 30],
  [{ kind: 'logistic_regression' }, 4000, 30], [{ kind: 'logistic_regression' }, 3000, 10, 300],
  [{ kind: 'naive_bayes' }, 8000, 30],
  [{ kind: 'knn' }, 3000, 30],
  [{ kind: 'svm' }, 2000, 20], [{ kind: 'mlp' }, 3000, 20],
];

const shares = [];

function fit() {
  const points = new Map(); // kind → {fit: [[x, y]], predict, importance}
  for (const [spec, rows, p, levels = 0] of FIT_RUNS) {
    const data = table(rows, p, levels);
    const recipe = recipeOf([spec], { levels });
    const plan = bedside(['estimate', '--data', data, '--recipe', recipeFile(recipe)], 1).out;
    const { out: report, share } = bedside(['run', '--data', data, '--recipe', recipeFile(recipe)], 1);
    shares.push(share);
    const m = structuredClone(report.models[0]);
    for (const k of ['fit_ms', 'predict_ms', 'importance_ms']) m.timings[k] *= share;
    const k = plan.inputs;
    const nte = Math.round(rows * 0.25);
    const ntr = rows - nte;
    const sample = Math.min(nte, 10_000);
    const repeats = 5;
    const at = points.get(spec.kind) ?? { fit: [], predict: [], importance: [] };
    at.fit.push([fitTerm(spec, ntr, k), m.timings.fit_ms]);
    at.predict.push([nte * k * TREES(spec), m.timings.predict_ms]);
    at.importance.push([repeats * k * sample, m.timings.importance_ms]);
    points.set(spec.kind, at);
    log(`${spec.kind} ${rows}×${k} (CPU share ${share.toFixed(2)}): fit ${m.timings.fit_ms.toFixed(0)} ms, predict ${m.timings.predict_ms.toFixed(1)} ms, importance ${m.timings.importance_ms.toFixed(0)} ms`);
  }
  const ls = (xy) => xy.reduce((a, [x, y]) => a + x * y, 0) / xy.reduce((a, [x]) => a + x * x, 0);
  const rows = [...points].map(([kind, p]) => [kind, ls(p.fit), ls(p.predict), ls(p.importance)]);
  const e = (v) => v.toExponential(2);
  const text = [
    '| kind | c_fit (ms per row × input × g) | c_predict (ms per row × input) | c_importance (ms per repeat × input × row) |',
    '|---|---|---|---|',
    ...rows.map(([kind, f, p, i]) => `| ${kind} | ${e(f)} | ${e(p)} | ${e(i)} |`),
  ].join('\n');
  const rust = rows.map(([kind, f, p, i]) => `    ${kind}: (${e(f)}, ${e(p)}, ${e(i)}),`).join('\n');
  return { text, rust };
}

// Other recipes, all cores, wall time against the estimate.
const CHECKS = [
  ['random forest + boosting, hold-out, 12,000 × 30', 12000, 30, 0, recipeOf([{ kind: 'random_forest' }, { kind: 'gradient_boosting' }])],
  ['logistic regression + tree (depth 5), 5-fold CV, 8,000 × 20 + a 50-level one-hot (max 20)', 8000, 20, 50,
    recipeOf([{ kind: 'logistic_regression' }, { kind: 'decision_tree', max_depth: 5 }], { evaluation: { method: 'stratified_kfold', folds: 5 }, levels: 50, maxCategories: 20 })],
  ['logistic regression, hold-out, 4,000 × 10 + a 600-level one-hot (no cap)', 4000, 10, 600, recipeOf([{ kind: 'logistic_regression' }], { levels: 600, maxCategories: 0 })],
  ['naive Bayes + k-NN + boosting, 5-fold CV, 6,000 × 30', 6000, 30, 0,
    recipeOf([{ kind: 'naive_bayes' }, { kind: 'knn' }, { kind: 'gradient_boosting' }], { evaluation: { method: 'stratified_kfold', folds: 5 } })],
];

function check() {
  const lines = ['| recipe | model inputs | estimate | run (wall, the Report\'s total) | CPU share | run × share / estimate |', '|---|---|---|---|---|---|'];
  let worst = 1;
  for (const [what, rows, p, levels, recipe] of CHECKS) {
    const data = table(rows, p, levels);
    const plan = bedside(['estimate', '--data', data, '--recipe', recipeFile(recipe)], CORES).out;
    const { out: report, share } = bedside(['run', '--data', data, '--recipe', recipeFile(recipe)], CORES);
    const r = (report.timings.total_ms * share) / plan.total_ms;
    worst = Math.max(worst, r, 1 / r);
    lines.push(`| ${what} | ${plan.inputs} | ${(plan.total_ms / 1000).toFixed(2)} s | ${(report.timings.total_ms / 1000).toFixed(2)} s | ${share.toFixed(2)} | ${r.toFixed(2)}× |`);
    log(lines.at(-1));
  }
  lines.push('', `Largest factor between the estimate and the run: ${worst.toFixed(2)}× (documented bound: ${MAX_FACTOR}×), ${CORES} cores.`);
  return { text: lines.join('\n'), worst };
}

main(async () => {
  mkdirSync(DIR, { recursive: true });
  const out = [`# Cost model calibration, ${new Date().toISOString().slice(0, 10)}, ${CORES} cores`];
  if (!CHECK_ONLY) {
    const f = fit();
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    out.push('', '## Fitted constants (one thread)', '', `CPU share of the fit runs: ${Math.min(...shares).toFixed(2)}–${Math.max(...shares).toFixed(2)} (mean ${mean.toFixed(2)}); the timings are scaled by it.`, '', f.text, '', '```', f.rust, '```');
  }
  const c = check();
  out.push('', '## The estimate against whole runs (all cores)', '', c.text);
  const text = out.join('\n');
  writeFileSync(join(DIR, 'results.md'), `${text}\n`);
  console.log(text);
  if (c.worst > MAX_FACTOR) throw new StepError(`the estimate is off by ${c.worst.toFixed(2)}× on a check recipe (bound ${MAX_FACTOR}×)`);
});
