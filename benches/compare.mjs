// Bedside against scikit-learn, LightGBM and pandas on identical data, in one run: natively
// (release CLI) and in wasm (the built www/pkg in Node's V8, the engine of Chromium), then the
// end-to-end section natively and in the page (benches/page.mjs). Every row of every table says
// what each side ran (algorithm, parameters) and on how many threads; accuracies are of both
// sides on the same test rows (`bedside run --predictions` writes the test rows of Bedside's
// splits for the recipe, and the references train on the other rows and score on those); ratio =
// Bedside / reference (below 1.0 = Bedside is faster).
//
//   npm run bench             full sizes (1M x 30 parse, 100k x 30 fits and end to end: long)
//   npm run bench -- --quick  small sizes, for a smoke run
//   npm run bench -- --no-page  without the page's end-to-end rows (no Chromium needed)
//
// Any workload that fails (a CLI error, a wasm exception, a reference that does not run) stops
// the bench with a non-zero exit naming it: no row is ever left as a dash.
// Needs Python 3 with scikit-learn, pandas and lightgbm (installed with pip if missing).
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATHS, ROOT, StepError, capture, log, main, run } from '../scripts/lib.mjs';
import { PieceBlob, installFileReaderSync } from '../scripts/node-blob.mjs';

const QUICK = process.argv.includes('--quick');
const PAGE = !process.argv.includes('--no-page');
const DATA = join(ROOT, 'target', 'bench', QUICK ? 'quick' : 'full');
const CLI = join(ROOT, 'target', 'release', 'bedside');
const CORES = availableParallelism();
const SIZES = QUICK ? { wide: 100_000, train: 20_000, small: 5_000 } : { wide: 1_000_000, train: 100_000, small: 20_000 };
const n = (x) => x.toLocaleString('en');

// The "default recipe" workload: the suggested recipe's models (src/suggest.rs: logistic
// regression and a tree of depth 5) and the other three classifiers, every one with the same
// parameters on both sides.
const CV_MODELS = [
  { spec: { kind: 'logistic_regression' }, ref: 'logistic_regression', params: 'L2, C=1, lbfgs, max_iter 100' },
  { spec: { kind: 'decision_tree', max_depth: 5 }, ref: 'decision_tree_depth5', params: 'exact CART, gini, max_depth 5' },
  { spec: { kind: 'random_forest' }, ref: 'random_forest', params: '100 trees, sqrt, bootstrap, unlimited depth; Bedside bins (≤255), sklearn exact' },
  { spec: { kind: 'gradient_boosting' }, ref: 'gradient_boosting', params: 'histogram GBDT, 100 iterations max, lr 0.1, 31 leaves (455 training rows: no early stopping either side)' },
  { spec: { kind: 'naive_bayes' }, ref: 'naive_bayes', params: 'Gaussian, var_smoothing 1e-9' },
];

// --- running things -----------------------------------------------------------------------

function ensurePython() {
  if (capture('python3', ['-c', 'import sklearn, pandas, lightgbm']).status === 0) return;
  log('installing scikit-learn, pandas and lightgbm for the references');
  run('python3', ['-m', 'pip', 'install', '--quiet', 'scikit-learn', 'pandas', 'lightgbm']);
}

/** A reference script call on `threads` threads; its JSON, or an error naming the call. */
function python(args, threads = 1) {
  const t = String(threads);
  const env = { BENCH_THREADS: t, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
  const r = capture('python3', ['benches/reference.py', ...args], { env });
  if (r.status !== 0) throw new StepError(`the reference \`python3 benches/reference.py ${args.join(' ')}\` (${threads} thread(s)) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The release CLI on `threads` rayon threads: wall seconds and stdout; an error naming the call. */
function cli(args, threads = CORES) {
  const t0 = performance.now();
  const r = capture(CLI, args, { env: { RAYON_NUM_THREADS: String(threads) } });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new StepError(`native \`bedside ${args.join(' ')}\` (${threads} thread(s)) failed: ${r.stderr.trim()}`);
  return { seconds, out: r.stdout };
}

/** `bedside run` of `recipe` on `data`: {seconds, report, rows (the test rows of its splits)}. */
function nativeRun(name, data, recipe, threads = CORES) {
  const file = join(DATA, `recipe-${name}.json`);
  writeFileSync(file, JSON.stringify(recipe));
  const rows = join(DATA, `rows-${name}.csv`);
  const r = cli(['run', '--data', join(DATA, data), '--recipe', file, '--predictions', rows], threads);
  return { seconds: r.seconds, report: JSON.parse(r.out), pred: rows };
}

const recipeOf = (models, evaluation, features = []) => ({ version: 1, seed: 7, target: 'y', features, models, evaluation });
const HOLDOUT = { method: 'holdout', test_fraction: 0.2 };
const CV5 = { method: 'stratified_kfold', folds: 5 };
const PIPELINE = [{ op: 'impute', strategy: 'median' }, { op: 'scale', method: 'standard' }];

// --- printing -------------------------------------------------------------------------------

const fmt = (x) => (x == null || Number.isNaN(x) ? '?' : x < 10 ? x.toFixed(3) : x.toFixed(1));
const secs = (x) => `${fmt(x)} s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const threadsOf = (t) => (t === 1 ? '1' : `${t} (all cores)`);

function table(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** A model's early-stopping setting and iterations used, as its Report states them. */
function boostingSetting(model) {
  const es = model.params?.early_stopping;
  const iters = model.fit_info?.n_iter;
  const setting = es === undefined ? 'no early stopping (this build has none)' : `early_stopping ${JSON.stringify(es)}`;
  return `${setting}${iters == null ? '' : `, ${Array.isArray(iters) ? iters.join('/') : iters} iterations used`}`;
}

/** Accuracy and ROC-AUC of a model of the Report (the mean over its test folds). */
function metricsOf(model) {
  const get = (k) => {
    const v = model.metrics?.[k]?.mean;
    if (typeof v !== 'number') throw new StepError(`the Report of ${model.kind} has no ${k}`);
    return v;
  };
  return { accuracy: get('accuracy'), roc_auc: get('roc_auc') };
}

/** A Report's timings as text, in seconds: its numbers (`fit_ms`, ...) and its `phases`. */
export function phasesOf(t) {
  const parts = Object.entries(t).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k.replace(/_ms$/, '')} ${fmt(v / 1000)}`);
  for (const ph of t.phases ?? []) parts.push(`${ph.phase} ${fmt(ph.ms / 1000)}`);
  return parts.join(', ');
}

/** The permutation-importance row sample of this build (scikit-learn's `max_samples`). */
function permutationMaxSamples(testRows) {
  const src = readFileSync(join(ROOT, 'src', 'eval', 'importance.rs'), 'utf8');
  const m = /DEFAULT_MAX_SAMPLES: usize = ([\d_]+)/.exec(src);
  if (!m) return testRows;
  const cap = Number(m[1].replaceAll('_', ''));
  return cap > 0 ? Math.min(cap, testRows) : testRows;
}

// --- the run --------------------------------------------------------------------------------

main(async () => {
  ensurePython();
  // Both targets in one build: built apart, cargo unifies the dev-dependencies' features into the
  // library for the bench target only and compiles the library twice.
  run('cargo', ['build', '--release', '--bin', 'bedside']);
  mkdirSync(DATA, { recursive: true });
  run('python3', ['benches/data.py', DATA, ...(QUICK ? ['--quick'] : [])]);
  const commit = capture('git', ['rev-parse', '--short', 'HEAD']).stdout.trim();
  const dirty = capture('git', ['status', '--porcelain', '--untracked-files=no']).stdout.trim() ? ' (with uncommitted changes)' : '';

  const { initSync, Session, sha256_blob, warm_up } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
  const wasm = initSync({ module: readFileSync(PATHS.wasmOut) });
  warm_up(); // as every worker of the page does once after instantiating
  const wasmRun = (what, file, recipe) => {
    const s = new Session(readFileSync(join(DATA, file)), file);
    const t0 = performance.now();
    try {
      return { report: s.run(recipe, null).report, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      throw new StepError(`wasm run of ${what} failed: ${e.message}`);
    } finally {
      s.free();
    }
  };

  const out = [];
  const say = (s = '') => { out.push(s); console.log(s); };
  say(`# Bedside benchmarks (${QUICK ? 'quick' : 'full'} sizes), commit ${commit}${dirty}, ${new Date().toISOString().slice(0, 10)}, ${CORES} cores`);
  say();
  // The wasm rows and the page measure the built package: say so when it predates the core.
  const built = statSync(PATHS.wasmOut).mtimeMs / 1000;
  const changed = Number(capture('git', ['log', '-1', '--format=%ct', '--', 'src', 'Cargo.toml', 'Cargo.lock']).stdout.trim());
  if (changed > built) {
    say(`**The wasm package (www/pkg, built ${new Date(built * 1000).toISOString()}) is older than the last commit to the core ` +
      `(${new Date(changed * 1000).toISOString()}): the wasm and page rows measure that older build; run \`npm run build\` first to measure this commit.**`);
    say();
  }

  // 1. CSV parse + profile -------------------------------------------------------------------
  // As the page does with a picked file: the file read in pieces straight into the core's
  // columns and its SHA-256 read in pieces too (a second worker in the page; one after the
  // other here, so this is the work of one thread).
  {
    const widePath = join(DATA, 'wide.csv');
    const nat = cli(['profile', '--data', widePath]);
    const t0 = performance.now();
    const fd = openSync(widePath, 'r');
    const size = fstatSync(fd).size;
    // The file on disk as the page's File: read in pieces through FileReaderSync (a stand-in
    // in Node, scripts/node-blob.mjs) by the same wasm functions the worker calls.
    installFileReaderSync();
    const blob = new PieceBlob((offset, length) => {
      const b = Buffer.allocUnsafe(length);
      return b.subarray(0, readSync(fd, b, 0, length, offset));
    }, size);
    let profile, hashSeconds;
    try {
      const session = Session.from_blob(blob, 'wide.csv', undefined, true);
      const tHash = performance.now();
      session.set_sha256(sha256_blob(blob, 'wide.csv'));
      hashSeconds = (performance.now() - tHash) / 1000;
      profile = session.profile();
      session.free();
    } catch (e) {
      throw new StepError(`wasm parse + profile of wide.csv failed: ${e.message}`);
    } finally {
      closeSync(fd);
    }
    const wasmSeconds = (performance.now() - t0) / 1000;
    const cells = profile.input.rows * profile.input.columns;
    const mem = wasm.memory.buffer.byteLength;
    const ref = python(['parse', DATA]);
    const what = `CSV parse + profile, ${n(profile.input.rows)} × ${profile.input.columns}`;
    say('## CSV parse + profile');
    say();
    say(table(['workload', 'Bedside', 'threads', 'time', 'reference', 'threads', 'time', 'ratio'], [
      [what, 'native CLI `profile` (reader + profile)', '1 (sequential)', secs(nat.seconds), 'pandas `read_csv` + `describe`, `isna().sum()`, `nunique()`', '1', secs(ref.seconds), ratio(nat.seconds, ref.seconds)],
      [what, `wasm in V8, file read in pieces + SHA-256 (${fmt(hashSeconds)} s of it; a second worker in the page)`, '1', secs(wasmSeconds), 'pandas, as above', '1', secs(ref.seconds), ratio(wasmSeconds, ref.seconds)],
    ]));
    say();
    say(`wasm memory after the parse: ${(mem / 2 ** 20).toFixed(0)} MiB = ${(mem / (cells * 8)).toFixed(2)}× the f64 matrix.`);
    say();
  }

  // 2. Random forest -------------------------------------------------------------------------
  const FOREST = 'binned CART forest (≤255 bins per feature), 100 trees, sqrt features per split, bootstrap, unlimited depth';
  const SK_FOREST = '`RandomForestClassifier`: exact-split CART, 100 trees, sqrt, bootstrap, unlimited depth';
  const LGB_FOREST = 'LightGBM `boosting_type="rf"`: histogram (255 bins), 100 trees, sqrt features per split (`feature_fraction_bynode`), 63.2% of rows without replacement, leaf-wise, min 1 row per leaf';
  say('## Random forest fit (hold-out 20%, the same training and test rows on every side)');
  say();
  const forestRows = [];
  for (const [file, rows, refs] of [
    ['train.csv', SIZES.train, ['random_forest']],
    ['small.csv', SIZES.small, ['random_forest', 'lightgbm_rf']],
  ]) {
    const recipe = recipeOf([{ kind: 'random_forest' }], HOLDOUT);
    const label = `${n(Math.round(rows * 0.8))} × 30 (test ${n(Math.round(rows * 0.2))})`;
    const nat = {};
    for (const t of [...new Set([CORES, 1])]) nat[t] = nativeRun(`forest-${rows}`, file, recipe, t);
    const w = wasmRun(`random_forest on ${file}`, file, recipe);
    const ref = {};
    for (const t of [...new Set([1, CORES])]) ref[t] = python(['holdout', join(DATA, file), nat[CORES].pred, ...refs], t);
    const ours = metricsOf(nat[CORES].report.models[0]);
    const fitOf = (r) => r.models[0].timings.fit_ms / 1000;
    const wasmAcc = w.report.models[0].metrics.accuracy.mean;
    for (const name of refs) {
      const algo = name === 'lightgbm_rf' ? LGB_FOREST : SK_FOREST;
      for (const t of [...new Set([CORES, 1])]) {
        const r = ref[t][name];
        forestRows.push([label, `native: ${FOREST}`, threadsOf(t), secs(fitOf(nat[t].report)), fmt(ours.accuracy),
          algo, threadsOf(t), secs(r.fit_seconds), fmt(r.accuracy), ratio(fitOf(nat[t].report), r.fit_seconds)]);
      }
      const r1 = ref[1][name];
      forestRows.push([label, 'wasm in V8: the same forest', '1', secs(fitOf(w.report)), fmt(wasmAcc),
        algo, '1', secs(r1.fit_seconds), fmt(r1.accuracy), ratio(fitOf(w.report), r1.fit_seconds)]);
    }
  }
  say(table(['training rows', 'Bedside', 'threads', 'fit', 'accuracy', 'reference', 'threads', 'fit', 'accuracy', 'ratio'], forestRows));
  say();
  say('Accuracy at threshold 0.5 on the same test rows (Bedside\'s hold-out, written by `bedside run --predictions`), ' +
    'both sides trained on the same rows. LightGBM\'s rows are on the smaller table because its fully grown ' +
    'leaf-wise trees take minutes per forest at the larger size on this machine.');
  say();

  // 3. Gradient boosting -----------------------------------------------------------------------
  say('## Gradient boosting fit (hold-out 20%, same rows)');
  say();
  {
    const recipe = recipeOf([{ kind: 'gradient_boosting' }], HOLDOUT);
    const rows = SIZES.train;
    const label = `${n(Math.round(rows * 0.8))} × 30 (test ${n(Math.round(rows * 0.2))})`;
    const nat = {};
    for (const t of [...new Set([CORES, 1])]) nat[t] = nativeRun(`boosting-${rows}`, 'train.csv', recipe, t);
    const w = wasmRun('gradient_boosting on train.csv', 'train.csv', recipe);
    const refs = ['gradient_boosting', 'gradient_boosting_no_early_stopping'];
    const ref = {};
    for (const t of [...new Set([1, CORES])]) ref[t] = python(['holdout', join(DATA, 'train.csv'), nat[CORES].pred, ...refs], t);
    const ours = metricsOf(nat[CORES].report.models[0]);
    const fitOf = (r) => r.models[0].timings.fit_ms / 1000;
    const bedside = `histogram GBDT, max_iter 100, lr 0.1, 31 leaves, min 20 per leaf; ${boostingSetting(nat[CORES].report.models[0])}`;
    const sk = (name, r) => (name === 'gradient_boosting'
      ? `\`HistGradientBoostingClassifier()\` defaults: early_stopping "auto" (on above 10,000 rows: validation_fraction 0.1, n_iter_no_change 10, tol 1e-7), ${r.iterations} iterations used`
      : `\`HistGradientBoostingClassifier(early_stopping=False)\`: ${r.iterations} iterations`);
    const boostRows = [];
    for (const name of refs) {
      for (const t of [...new Set([CORES, 1])]) {
        const r = ref[t][name];
        boostRows.push([label, `native: ${bedside}`, `${threadsOf(t)} available; the fit is sequential`, secs(fitOf(nat[t].report)), fmt(ours.accuracy),
          sk(name, r), threadsOf(t), secs(r.fit_seconds), fmt(r.accuracy), ratio(fitOf(nat[t].report), r.fit_seconds)]);
      }
      const r1 = ref[1][name];
      boostRows.push([label, 'wasm in V8: the same', '1', secs(fitOf(w.report)), fmt(w.report.models[0].metrics.accuracy.mean),
        sk(name, r1), '1', secs(r1.fit_seconds), fmt(r1.accuracy), ratio(fitOf(w.report), r1.fit_seconds)]);
    }
    say(table(['training rows', 'Bedside', 'threads', 'fit', 'accuracy', 'reference', 'threads', 'fit', 'accuracy', 'ratio'], boostRows));
    say();
    say(`ROC-AUC on the same rows: Bedside ${fmt(ours.roc_auc)}, HistGradientBoosting default ${fmt(ref[1].gradient_boosting.roc_auc)}, ` +
      `without early stopping ${fmt(ref[1].gradient_boosting_no_early_stopping.roc_auc)}.`);
    say();
  }

  // 4. The default recipe ----------------------------------------------------------------------
  say('## Default recipe: impute (median), scale (standard), five models, stratified 5-fold CV, 569 × 30');
  say();
  {
    const recipe = recipeOf(CV_MODELS.map((m) => m.spec), CV5, PIPELINE);
    const nat = {};
    for (const t of [...new Set([CORES, 1])]) nat[t] = nativeRun('cv-cancer', 'cancer.csv', recipe, t);
    const w = wasmRun('the default recipe on cancer.csv', 'cancer.csv', recipe);
    const refs = CV_MODELS.map((m) => m.ref);
    const ref = {};
    for (const t of [...new Set([1, CORES])]) ref[t] = python(['cv', join(DATA, 'cancer.csv'), nat[CORES].pred, ...refs], t);
    const total = (r) => r.timings.total_ms / 1000;
    const rows = [];
    for (const t of [...new Set([CORES, 1])]) {
      rows.push(['native run (splits and models on rayon threads)', threadsOf(t), secs(total(nat[t].report)),
        '`cross_validate` of the same pipelines on the same folds', `${threadsOf(t)} (n_jobs)`, secs(ref[t].seconds), ratio(total(nat[t].report), ref[t].seconds)]);
    }
    rows.push(['wasm in V8, one worker', '1', secs(total(w.report)), '`cross_validate`, as above', '1', secs(ref[1].seconds), ratio(total(w.report), ref[1].seconds)]);
    say(table(['Bedside', 'threads', 'time (the Report\'s total)', 'scikit-learn', 'threads', 'time', 'ratio'], rows));
    say();
    say(table(['model', 'parameters (both sides)', 'ROC-AUC Bedside', 'ROC-AUC scikit-learn', 'accuracy Bedside', 'accuracy scikit-learn'],
      CV_MODELS.map((m, i) => {
        const r = ref[1].models[m.ref];
        const ours = metricsOf(nat[CORES].report.models[i]);
        return [m.spec.kind + (m.spec.max_depth ? ` (max_depth ${m.spec.max_depth})` : ''), m.params, fmt(ours.roc_auc), fmt(r.roc_auc), fmt(ours.accuracy), fmt(r.accuracy)];
      })));
    say();
    say('Both sides on Bedside\'s folds (seed 7; `bedside run --predictions` writes them): the mean over the 5 test folds.');
    say();
  }

  // 5. End to end ------------------------------------------------------------------------------
  say(`## End to end: what a user runs, ${n(SIZES.train)} × 30, random forest (100) + gradient boosting, default options`);
  say();
  {
    const file = join(DATA, 'train.csv');
    // A hold-out split and every evaluation option at its default: permutation importance,
    // bootstrap intervals, curves, calibration.
    const recipe = recipeOf([{ kind: 'random_forest' }, { kind: 'gradient_boosting' }], { method: 'holdout' });
    const profile = cli(['profile', '--data', file]);
    const suggest = cli(['suggest', '--data', file]);
    const e2e = nativeRun(`e2e-${SIZES.train}`, 'train.csv', recipe);
    const report = e2e.report;
    const testRows = Math.round(SIZES.train * 0.25);
    const maxSamples = permutationMaxSamples(testRows);
    const repeats = 5;
    const resamples = 1000;
    const ref = python(['e2e', file, e2e.pred, '--repeats', String(repeats), '--max-samples', String(maxSamples), '--resamples', String(resamples)], CORES);
    const sk = ref.models;
    const skFit = sk.random_forest.fit + sk.gradient_boosting.fit;
    const skAll = sk.random_forest.total + sk.gradient_boosting.total;
    const phaseCells = phasesOf;
    say(table(['side', 'threads', 'what', 'time'], [
      ['Bedside native', threadsOf(CORES), '`bedside profile`', secs(profile.seconds)],
      ['Bedside native', threadsOf(CORES), '`bedside suggest`', secs(suggest.seconds)],
      ['Bedside native', threadsOf(CORES), `\`bedside run\`, hold-out 25% (${n(testRows)} test rows), permutation importance (${repeats} repeats, ${n(maxSamples)} rows), bootstrap intervals (${resamples} resamples, 11 metrics), curves, calibration, decision curve`, secs(e2e.seconds)],
      ...report.models.map((m) => ['… of it, ' + m.kind, '', `the Report's timings (s): ${phaseCells(m.timings)}${m.kind === 'gradient_boosting' ? `; ${boostingSetting(m)}` : ''}`, '']),
      ['… of it, the run', '', `the Report's timings (s): ${phaseCells(report.timings)}`, secs(report.timings.total_ms / 1000)],
      ...['random_forest', 'gradient_boosting'].map((k) => ['scikit-learn', `${threadsOf(CORES)} (n_jobs, OpenMP)`,
        `${k === 'random_forest' ? '`RandomForestClassifier(100)`' : '`HistGradientBoostingClassifier()`'}: fit ${fmt(sk[k].fit)}, predict ${fmt(sk[k].predict)}, ` +
        `\`permutation_importance\` (ROC-AUC, ${repeats} repeats, max_samples ${n(maxSamples)}) ${fmt(sk[k].importance)}, bootstrap of ROC-AUC (${resamples} resamples) ${fmt(sk[k].intervals)}` +
        `${sk[k].iterations ? `; ${sk[k].iterations} iterations` : ''}`, secs(sk[k].total)]),
    ]));
    say();
    say(table(['ratio', 'value', 'target'], [
      ['Bedside `run` / scikit-learn fit alone (both models)', `${secs(e2e.seconds)} / ${secs(skFit)} = **${ratio(e2e.seconds, skFit)}**`, '≤ 1.0×'],
      ['Bedside `profile` + `suggest` + `run` / scikit-learn fit alone', `${secs(profile.seconds + suggest.seconds + e2e.seconds)} / ${secs(skFit)} = **${ratio(profile.seconds + suggest.seconds + e2e.seconds, skFit)}**`, '≤ 1.0×'],
      ['Bedside `run` / scikit-learn doing the same work', `${secs(e2e.seconds)} / ${secs(skAll)} = **${ratio(e2e.seconds, skAll)}**`, ''],
    ]));
    say();
    say(`Accuracy on the same ${n(testRows)} test rows: random forest ${fmt(metricsOf(report.models[0]).accuracy)} vs scikit-learn ${fmt(sk.random_forest.accuracy)}, ` +
      `gradient boosting ${fmt(metricsOf(report.models[1]).accuracy)} vs ${fmt(sk.gradient_boosting.accuracy)}. The scikit-learn side bootstraps ROC-AUC only ` +
      '(Bedside computes the intervals of 11 metrics) and draws no curves: "the same work" is, if anything, less work for it.');
    say();
  }

  if (PAGE) {
    const { pageEndToEnd } = await import('./page.mjs');
    say('## End to end in the page (headless Chromium, the pool)');
    say();
    say(await pageEndToEnd({ data: DATA, quick: QUICK, sizes: SIZES }));
    say();
  }
  writeFileSync(join(DATA, 'results.md'), `${out.join('\n')}\n`);
  log(`tables written to ${join(DATA, 'results.md')}`);
});
