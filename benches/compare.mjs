// Bedside against scikit-learn (n_jobs=1) and pandas on identical data, in one run: natively
// (release CLI) and in wasm (the built www/pkg in Node's V8, the engine of Chromium). Prints
// seconds and the ratio Bedside / reference for each workload (below 1.0 = Bedside is faster).
//
//   npm run bench             full sizes (1M x 30 parse, 100k x 30 fits: several minutes)
//   npm run bench -- --quick  small sizes, for a smoke run
//
// Needs Python 3 with scikit-learn and pandas (installed with pip if missing).
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATHS, ROOT, StepError, capture, log, main, run } from '../scripts/lib.mjs';

const QUICK = process.argv.includes('--quick');
const DATA = join(ROOT, 'target', 'bench', QUICK ? 'quick' : 'full');
const CLI = join(ROOT, 'target', 'release', 'bedside');
// The models of the "default recipe" workload, as Bedside names them; kinds this build does not
// have are reported as skipped.
const KINDS = ['logistic_regression', 'decision_tree', 'random_forest', 'gradient_boosting', 'naive_bayes'];

// One thread for the references, as a user comparing with n_jobs=1 would see (HistGradientBoosting
// and BLAS otherwise start a thread per core).
const ONE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

function python(args) {
  const r = capture('python3', args, { env: ONE_THREAD });
  if (r.status !== 0) throw new StepError(`python3 ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function ensurePython() {
  if (capture('python3', ['-c', 'import sklearn, pandas']).status === 0) return;
  log('installing scikit-learn and pandas for the reference timings');
  run('python3', ['-m', 'pip', 'install', '--quiet', 'scikit-learn', 'pandas']);
}

const recipeFor = (kind, evaluation, features = []) => ({
  version: 1, seed: 7, target: 'y', features, models: [{ kind }], evaluation,
});
const HOLDOUT = { method: 'holdout', test_fraction: 0.01 };
const CV5 = { method: 'stratified_kfold', folds: 5 };
const PIPELINE = [{ op: 'impute', strategy: 'median' }, { op: 'scale', method: 'standard' }];

/** Native: wall time of one CLI call and its report (or error). */
function native(args) {
  const t0 = performance.now();
  const r = capture(CLI, args);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

function nativeRun(data, recipe) {
  const file = join(DATA, `recipe-${recipe.models[0].kind}-${recipe.evaluation.method}.json`);
  writeFileSync(file, JSON.stringify(recipe));
  const r = native(['run', '--data', join(DATA, data), '--recipe', file]);
  return r.ok ? { ...r, report: JSON.parse(r.out) } : r;
}

const fmt = (x) => (x == null ? '—' : x < 10 ? x.toFixed(3) : x.toFixed(1));
const ratio = (a, b) => (a == null || b == null ? '—' : `${(a / b).toFixed(2)}×`);

main(async () => {
  ensurePython();
  run('cargo', ['build', '--release', '--bin', 'bedside']);
  mkdirSync(DATA, { recursive: true });
  python(['benches/data.py', DATA, ...(QUICK ? ['--quick'] : [])]);

  const { initSync, Session, sha256_file, warm_up } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
  const wasm = initSync({ module: readFileSync(PATHS.wasmOut) });
  warm_up(); // as every worker of the page does once after instantiating
  const wasmRun = (bytes, name, recipe) => {
    const s = new Session(bytes, name);
    try {
      return { report: s.run(recipe, null).report };
    } catch (e) {
      return { err: e.message };
    } finally {
      s.free();
    }
  };

  const rows = [];
  // 1. CSV parse + profile.
  // As the page does with a picked file: the file read in pieces straight into the core's columns
  // (worker 0) and its SHA-256 fingerprint read in pieces too (worker 1, at the same time in the
  // page; one after the other here, so this is the work of one thread).
  const widePath = join(DATA, 'wide.csv');
  const nat = native(['profile', '--data', widePath]);
  const t0 = performance.now();
  const fd = openSync(widePath, 'r');
  const size = fstatSync(fd).size;
  const read = (offset, length) => {
    const b = Buffer.allocUnsafe(length);
    return b.subarray(0, readSync(fd, b, 0, length, offset));
  };
  const session = Session.from_file_sha256_later(read, size, 'wide.csv');
  const tHash = performance.now();
  session.set_sha256(sha256_file(read, size, 'wide.csv'));
  const hashSeconds = (performance.now() - tHash) / 1000;
  const profile = session.profile();
  const wasmSeconds = (performance.now() - t0) / 1000;
  closeSync(fd);
  session.free();
  const cells = profile.input.rows * profile.input.columns;
  const wasmMemory = wasm.memory.buffer.byteLength;
  rows.push({ name: `parse + profile ${profile.input.rows.toLocaleString('en')} x ${profile.input.columns}`, key: 'parse_profile', native: nat.seconds, wasm: wasmSeconds,
    note: `wasm memory ${(wasmMemory / 2 ** 20).toFixed(0)} MiB = ${(wasmMemory / (cells * 8)).toFixed(2)}x the f64 matrix (file read in pieces); ` +
      `of the wasm time, ${hashSeconds.toFixed(2)} s is the SHA-256, which the page computes in a second worker meanwhile` });

  // 2. Forest and boosting fits.
  const train = readFileSync(join(DATA, 'train.csv'));
  const available = [];
  for (const kind of ['random_forest', 'gradient_boosting']) {
    const n = nativeRun('train.csv', recipeFor(kind, HOLDOUT));
    const w = wasmRun(train, 'train.csv', recipeFor(kind, HOLDOUT));
    if (!n.ok) { rows.push({ name: `fit ${kind}`, skipped: n.err.split('\n')[0] }); continue; }
    available.push(kind);
    const fit = (r) => r?.report?.models?.[0]?.timings?.fit_ms / 1000;
    const acc = (r) => r?.report?.models?.[0]?.metrics?.accuracy?.mean;
    rows.push({ name: `fit ${kind} on ${Math.round(0.99 * (QUICK ? 20000 : 100000)).toLocaleString('en')} x 30`, key: `fit_${kind}`, native: fit(n), wasm: fit(w), accuracy: acc(n) });
  }

  // 3. The default recipe: impute + scale + every model, stratified 5-fold, on 569 x 30 — one
  // recipe with five models, as the page runs it.
  const cancer = readFileSync(join(DATA, 'cancer.csv'));
  const cvRecipe = { ...recipeFor(KINDS[0], CV5, PIPELINE), models: KINDS.map((kind) => ({ kind })) };
  const nCv = nativeRun('cancer.csv', cvRecipe);
  if (!nCv.ok) throw new StepError(`the default recipe failed natively: ${nCv.err}`);
  const wCv = wasmRun(cancer, 'cancer.csv', cvRecipe);
  if (!wCv.report) throw new StepError(`the default recipe failed in wasm: ${wCv.err}`);
  const cvKinds = KINDS;
  const nTotal = nCv.report.timings.total_ms / 1000;
  const wTotal = wCv.report.timings.total_ms / 1000;
  const aucOf = (report, k) => report.models.find((m) => m.kind === k)?.metrics?.roc_auc?.mean;

  const ref = JSON.parse(python(['benches/reference.py', DATA, ...new Set([...cvKinds, ...available])]));
  rows[0].reference = ref.parse_profile.seconds;
  for (const r of rows) if (r.key?.startsWith('fit_')) {
    r.reference = ref[r.key]?.seconds;
    r.note = `accuracy ${fmt(r.accuracy)} vs scikit-learn ${fmt(ref[r.key]?.accuracy)}`;
  }
  rows.push({ name: `stratified 5-fold CV on 569 x 30: ${cvKinds.join(', ')}`, native: nTotal, wasm: wTotal, reference: ref.cv_cancer.seconds,
    note: cvKinds.map((k) => `${k} AUC ${fmt(aucOf(nCv.report, k))} vs ${fmt(ref.cv_cancer.models[k]?.roc_auc)}`).join('; ') });

  console.log(`\nBedside vs scikit-learn 1 thread / pandas (${QUICK ? 'quick' : 'full'} sizes), seconds; ratio = Bedside / reference\n`);
  console.log('| workload | reference | native | ratio | wasm (V8) | ratio | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.skipped) { console.log(`| ${r.name} | skipped: ${r.skipped} | | | | | |`); continue; }
    console.log(`| ${r.name} | ${fmt(r.reference)} | ${fmt(r.native)} | ${ratio(r.native, r.reference)} | ${fmt(r.wasm)} | ${ratio(r.wasm, r.reference)} | ${r.note ?? ''} |`);
  }
});
