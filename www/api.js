// The page's one way to reach the core: named methods over the worker protocol (worker.js lists
// the actions). Views and actions call these, never an action by its string name. A run goes
// through scheduler.js across the pool; everything else goes to worker 0.
import { CancelledError, WorkerPool } from './transport.js';
import { runAcross } from './scheduler.js';

/** The calls one worker answers, by name (used by the scheduler for each worker of the pool). */
function workerCalls(transport) {
  return {
    stage: (recipe, key, onProgress) => transport.call('stage', { recipe, key }, onProgress),
    runSplits: (recipe, key, which, onProgress) => transport.call('run_splits', { recipe, key, which }, onProgress),
    scoreSplits: (recipe, key, which, onProgress) => transport.call('score_splits', { recipe, key, which }, onProgress),
    explainSplits: (recipe, key, which, onProgress) => transport.call('explain_splits', { recipe, key, which }, onProgress),
    intervals: (recipe, key, results) => transport.call('intervals', { recipe, key, results }),
    finish: (recipe, key, results, intervals, onProgress) => transport.call('finish', { recipe, key, results, intervals }, onProgress),
    release: () => transport.call('release', {}),
  };
}

/**
 * `worker`: {url, type} of the worker script; `hooks`: see WorkerTransport; `size`: workers in
 * the pool; `wasmUrl`: the module compiled once for all (none in the one-file build);
 * `simdWasmUrl`: the same built with wasm SIMD, used instead where the browser has SIMD.
 */
export function createApi({ url, type, hooks, size, wasmUrl = null, simdWasmUrl = null }) {
  const pool = new WorkerPool(url, type, hooks, { size, wasmUrl, simdWasmUrl });
  const main = pool.main;
  return {
    /** Starts every worker (at start-up, so that no fetch happens later); the core's version. */
    async warm() {
      const versions = await Promise.all(pool.workers.map((w) => w.call('version')));
      return versions[0];
    },
    version: () => main.call('version'),
    /** Loads a file (a File, read by the worker in pieces, or bytes); `onProgress` sees the
     * reading; `options`: the Load step's {encoding, sheet} (null: detected, first sheet). */
    load: (data, name, onProgress = null, options = null) => pool.load(data, name, onProgress, options),
    /** What the core offers: {encodings: [WHATWG names], formats: [{name, extension, media_type}]}. */
    loadChoices: () => main.call('load_choices'),
    /** A run's masked CSV (its Blob) as a file in export format `format` (a name of loadChoices' formats): bytes. */
    exportMasked: (csv, format) => main.call('export_masked', { csv, format }),
    /** The loaded file's profile: input counts, columns with types, statistics and detection. */
    profile: () => main.call('profile'),
    /** A suggested recipe for the loaded file (`target`: a column name or null). */
    suggest: (target) => main.call('suggest', { target }),
    /** The privacy steps of `recipe` on the first `rows` rows, with risk before and after. */
    preview: (recipe, rows) => main.call('preview', { recipe, rows }),
    /** A sample of the notes that privacy step `step` (a scrub_text step) scrubs, with each
     * replaced span and its category, the counts and the possible names kept. */
    notesReview: (recipe, step, rows) => main.call('notes_review', { recipe, step, rows }),
    /** Re-identification risk of the loaded file for the given quasi-identifiers. */
    measure: (quasi, sensitive, population) => main.call('measure', { quasi, sensitive, population }),
    /** The run's estimate before it starts (model inputs, ms per unit and phase of one worker, warnings). */
    estimate: (recipe) => main.call('estimate', { recipe }),
    /** Runs a recipe across the pool: {report, masked_csv, predictions_csv (Blobs), elapsed_ms, workers}. */
    run: (recipe, onProgress = null) => runAcross(pool.workers.map(workerCalls), recipe, onProgress),
    /** A trained model (bedside-model/1 JSON text) of model `index` of a finished run's report. */
    exportModel: async (recipe, report, index) => (await main.call('export_model', { recipe, report, model_index: index })).json,
    /** Scores a file of new records (bytes) with a model's JSON text: {predictions, csv}. */
    applyModel: (bundle, bytes, name, explain = false) => main.call('apply_model', { bundle, bytes, name, explain }),
    /** Stops every worker; what runs or waits rejects with a cancellation (see isCancelled). */
    cancel: () => pool.cancel(),
    isCancelled: (err) => err instanceof CancelledError,
    size: pool.size,
    /** The module the workers run: 'simd', 'baseline', or null (the one-file build's inline one). */
    wasmVariant: pool.wasmVariant,
  };
}
