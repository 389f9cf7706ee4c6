// Bedside worker: owns the wasm instance and the loaded Session; the main thread never touches wasm.
//
// Protocol (names, never integer codes):
//   main → worker  {id, action, data}        action ∈ init | load | profile | suggest | preview |
//                                            measure | estimate | run | stage | run_splits | score_splits |
//                                            explain_splits | intervals | finish |
//                                            release | version | export_model | apply_model | sha256 | set_sha256 |
//                                            load_choices | export_masked
//   `init` (optional, first) hands over the wasm module compiled once by the page, so that a
//   pool of workers instantiates it without compiling it again; without it the worker fetches.
//   worker → main  {id, type: 'progress', data: {stage, done, total, message, phase, unit,
//                                                work_done, work_total, plan}}
//                  {id, type: 'done', data}
//                  {id, type: 'error', error: message}
// The page reaches these only through api.js (one named method per action); transport.js carries
// the messages and scheduler.js splits a run across the pool.
import init, {
  Session, columnar_format, encodings, export_formats, export_masked, masked_columns, sha256_blob, version, warm_up,
} from './pkg/bedside.js';

// The core reports a panic (always a bug) here before the wasm instance traps, so the page can
// say what went wrong; the transport (transport.js) then replaces this worker with a fresh one.
let lastPanic = null;
self.bedsidePanic = (msg) => { lastPanic = String(msg); };

let ready = null;
// The engine compiles in tiers: a first long call (parsing a big file) would run baseline code
// throughout. Reading a small generated file first gets the reader optimized (4× faster).
function warmUp() {
  try { warm_up(); } catch { /* only a speed-up */ }
}

function start(module) {
  if (!ready) {
    ready = (module ? init({ module_or_path: module }) : init()).then(warmUp);
    ready.catch(() => {}); // reported per message below
  }
  return ready;
}
// The columnar module (www/pkg/columnar.js + columnar_bg.wasm: Parquet and Arrow through
// arrow-rs), imported and instantiated only when a Parquet or Arrow file is dropped or a Parquet
// export is asked for: the main module does not carry arrow-rs. The single-file page has none.
let columnar = null;
/** The columnar module; without one, an error coded for the page (`file`: the file's name). */
function columnarModule(file = null) {
  if (!columnar) {
    columnar = import('./pkg/columnar.js')
      .then(async (m) => { await m.default(); return m; })
      .catch(() => null);
  }
  return columnar.then((m) => {
    if (m) return m;
    columnar = null;
    const err = new Error(file == null
      ? 'Parquet export needs the page\'s columnar module, which this page does not have (the single-file page leaves it out): export CSV or .xlsx, or open the served page'
      : `${file}: Parquet and Arrow files need the page's columnar module, which this page does not have (the single-file page leaves it out): open the served page or use the command line, or save the file as CSV`);
    err.code = file == null ? 'error.columnar_export_unavailable' : 'error.columnar_unavailable';
    err.params = file == null ? {} : { file };
    throw err;
  });
}

/** The columnar format of a File or Blob by its first bytes (the core's rule), or undefined. */
function columnarFormat(file) {
  const head = new Uint8Array(new FileReaderSync().readAsArrayBuffer(file.slice(0, 8)));
  return columnar_format(head);
}

/**
 * A Parquet or Arrow file as CSV text (a Blob, made batch by batch by the columnar module) and
 * the notes the core reads it with. Errors name the file. `onRead(done, total)`: progress.
 */
async function columnarText(file, name, onRead) {
  const m = await columnarModule(name);
  let reader = null;
  try {
    reader = new m.Reader(new Uint8Array(new FileReaderSync().readAsArrayBuffer(file)));
    const parts = [];
    let bytes = 0;
    for (let chunk = reader.next_chunk(); chunk !== undefined; chunk = reader.next_chunk()) {
      parts.push(chunk);
      bytes += chunk.length;
      onRead(bytes);
    }
    return { text: new Blob(parts, { type: 'text/csv' }), notes: reader.notes(), format: reader.format() };
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    throw new Error(`${name}: ${message(err)}`);
  } finally {
    if (reader && typeof reader.free === 'function') reader.free();
  }
}

let session = null;
let sessionName = null;
let loadedFile = null; // the File or Blob of the session, to read again if need be

/** Deep-convert what serde-wasm-bindgen may hand back (Map, BigInt) into plain JSON-like data. */
function plain(value) {
  if (value instanceof Map) {
    const out = {};
    for (const [k, v] of value) out[String(k)] = plain(v);
    return out;
  }
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (ArrayBuffer.isView(value)) return Array.from(value, plain);
  // A file the core wrote (a run's masked table, its predictions) goes to the page as it is.
  if (value instanceof Blob) return value;
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

function message(err) {
  if (err == null) return 'unknown error';
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message || String(err);
  if (typeof err === 'object' && typeof err.message === 'string') return err.message;
  try { return JSON.stringify(plain(err)); } catch { return String(err); }
}

function needSession() {
  if (!session) throw new Error('no data loaded');
  return session;
}

// The Load step's reading options ({encoding, sheet}, each a name or null: detected / first sheet)
// as the core's `encoding` and `sheet` arguments (undefined: detected / the first sheet with data).
const withOptions = (options) => !!(options && (options.encoding || options.sheet));
const readOptions = (options) => [options?.encoding || undefined, options?.sheet || undefined];

const actions = {
  async init() {
    return true; // the module was handed over in onmessage
  },
  async version() {
    return typeof version === 'function' ? version() : null;
  },
  // `file`: a File or Blob, read here in pieces (64 KiB, then 4 MiB) straight into the core's
  // columns, never held whole; progress as {stage: 'read', done: bytes, total: bytes}.
  // `sha256`: its fingerprint, computed by another worker (`sha256` below); null or undefined:
  // the core hashes the file itself. `sha256Later`: another worker is hashing it, and the digest
  // comes with `set_sha256` after this load. `bytes` (an ArrayBuffer) is read from memory.
  // A Parquet or Arrow file (by its first bytes) is turned into CSV text by the columnar module
  // first, and the answer carries `columnar: {text (a Blob), notes, sha256}`: the transport keeps
  // them as the loaded file, so that other workers read the same text (`columnar` given: the
  // notes) without loading the columnar module. Its fingerprint is always the original file's.
  async load({ file, bytes, name, sha256, sha256Later, options, columnar: notes }, id) {
    if (session && typeof session.free === 'function') session.free();
    session = null;
    loadedFile = null;
    let last = 0;
    const progress = (done, total) => {
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        self.postMessage({ id, type: 'progress', data: { stage: 'read', done, total, message: null } });
      }
    };
    if (notes || columnarFormat(file ?? new Blob([bytes]))) {
      file = file ?? new Blob([bytes]);
      let answer = null;
      let text = file;
      if (!notes) {
        // The file's own fingerprint (unless another worker is computing it), before its text.
        if (!sha256Later && !sha256) sha256 = await sha256_blob(file, name);
        const made = await columnarText(file, name, (done) => progress(Math.min(done, file.size), file.size));
        text = made.text;
        notes = made.notes;
        answer = { text, notes, sha256: sha256 ?? null };
      }
      session = Session.from_columnar_text(text, name, sha256 ?? undefined, !!sha256Later, notes,
        (done) => progress(done, text.size));
      loadedFile = answer ? file : null; // the original, to hash if the other worker fails
      sessionName = name;
      return { name, columnar: answer };
    }
    if (file) {
      // The core reads the File in pieces itself (FileReaderSync through web-sys) and says how
      // far it got after each piece; the page hears of it at most every 100 ms.
      session = Session.from_blob(file, name, sha256 ?? undefined, !!sha256Later, ...readOptions(options),
        (done) => progress(done, file.size));
      loadedFile = file;
    } else {
      session = withOptions(options)
        ? Session.new_with(new Uint8Array(bytes), name, sha256 ?? undefined, ...readOptions(options))
        : new Session(new Uint8Array(bytes), name, sha256 ?? undefined);
    }
    sessionName = name;
    return { name: sessionName };
  },
  // The encodings of the Load step's select and the formats the masked data can be saved in.
  async load_choices() {
    return { encodings: plain(encodings()), formats: plain(export_formats()) };
  },
  // A run's masked CSV (the Blob of its output) as a file in `format` (the core's writer, as the
  // CLI's --out).
  // Parquet: the main module describes the masked table's columns, the columnar module writes.
  async export_masked({ csv, format }) {
    if (format !== 'parquet') return export_masked(csv, format);
    const columns = masked_columns(csv);
    const m = await columnarModule();
    return m.write_parquet(columns);
  },
  // The SHA-256 of a File or Blob, read as a stream (for the worker reading it: see `load`).
  async sha256({ file }) {
    return sha256_blob(file, file.name ?? 'the file');
  },
  // The digest of the file loaded with `sha256Later`; null (the hashing worker failed or was
  // stopped): this worker hashes the file itself.
  async set_sha256({ sha256 }) {
    const s = needSession();
    const digest = sha256 || await sha256_blob(loadedFile, sessionName);
    s.set_sha256(digest);
    return digest;
  },
  async profile() {
    return plain(needSession().profile());
  },
  async suggest({ target } = {}) {
    return plain(needSession().suggest_recipe(target ?? undefined));
  },
  async preview({ recipe, rows }) {
    return plain(needSession().preview(recipe, rows ?? 5));
  },
  async notes_review({ recipe, step, rows }) {
    return plain(needSession().notes_review(recipe, step, rows ?? 5));
  },
  async measure({ quasi, sensitive, population }) {
    return plain(needSession().measure(quasi ?? [], sensitive ?? undefined, population ?? undefined));
  },
  async estimate({ recipe }) {
    return plain(needSession().estimate(recipe));
  },
  async run({ recipe }, id) {
    const s = needSession();
    const t0 = performance.now();
    const out = runOutput(s.run(recipe, progressTo(id)));
    return { ...out, elapsed_ms: performance.now() - t0 };
  },
  // The pool's steps (see scheduler.js): every worker stages the same recipe with the
  // same key, computes the units it is given (and the intervals of a model whose units are all
  // done), and the first one assembles the report.
  async stage({ recipe, key }, id) {
    return needSession().stage(recipe, new Uint8Array(key), progressTo(id));
  },
  async run_splits({ recipe, key, which }, id) {
    return needSession().run_splits(recipe, new Uint8Array(key), Uint32Array.from(which), progressTo(id));
  },
  // A unit in two calls: scored (its predictions, for another worker's bootstraps), then
  // explained on this worker, which keeps the fitted model in between.
  async score_splits({ recipe, key, which }, id) {
    return needSession().score_splits(recipe, new Uint8Array(key), Uint32Array.from(which), progressTo(id));
  },
  async explain_splits({ recipe, key, which }, id) {
    return needSession().explain_splits(recipe, new Uint8Array(key), Uint32Array.from(which), progressTo(id));
  },
  async release() {
    needSession().release();
    return null;
  },
  async intervals({ recipe, key, results }) {
    return needSession().intervals(recipe, new Uint8Array(key), results);
  },
  async finish({ recipe, key, results, intervals }, id) {
    return runOutput(needSession().finish(recipe, new Uint8Array(key), results, intervals, progressTo(id)));
  },
  // A trained model as JSON text (bedside-model/1), fitted on all labelled rows of the loaded file.
  async export_model({ recipe, report, model_index }) {
    return { json: needSession().export_model(recipe, report, model_index) };
  },
  // Scores a second file (bytes, name) with a model's JSON; the loaded session is left as it is.
  async apply_model({ bundle, bytes, name, explain }) {
    const other = new Session(new Uint8Array(bytes), name);
    try {
      const out = plain(other.apply_model(bundle, !!explain));
      return { predictions: out.predictions, csv: out.csv };
    } finally {
      if (typeof other.free === 'function') other.free();
    }
  },
};

// What a run (`run`, or the pool's `finish`) gives the page: the Report, and the masked table
// and the predictions as Blobs with the predictions' line count.
function runOutput(result) {
  const out = plain(result);
  return {
    report: out.report, masked_csv: out.masked_csv,
    predictions_csv: out.predictions_csv ?? null, predictions_rows: out.predictions_rows ?? null,
  };
}

// The core's progress events as the page uses them: stage, done, total, message, and (cores with
// per-phase progress) phase, unit, work_done, work_total and, at the end of staging, the plan.
function progressTo(id) {
  return (p) => {
    const d = plain(p) || {};
    self.postMessage({
      id,
      type: 'progress',
      data: {
        stage: d.stage ?? null, done: d.done ?? null, total: d.total ?? null, message: d.message ?? null,
        phase: d.phase ?? null, unit: d.unit ?? null, work_done: d.work_done ?? null,
        work_total: d.work_total ?? null, plan: d.plan ?? null,
      },
    });
  };
}

// Every request this worker makes is reported as it happens (the page counts them), not only
// with the next answer: the count of resource-timing entries, which the transport turns into
// requests since this worker's start-up.
if (typeof PerformanceObserver === 'function') {
  try {
    new PerformanceObserver(() => {
      self.postMessage({ type: 'resources', resources: performance.getEntriesByType('resource').length });
    }).observe({ type: 'resource' });
  } catch {
    // No resource timing in this worker: counts still come with every answer.
  }
}

self.onmessage = async (event) => {
  const { id, action, data } = event.data || {};
  try {
    await start(action === 'init' ? data?.module : null);
    const fn = actions[action];
    if (!fn) throw new Error(`unknown action: ${action}`);
    const result = await fn(data || {}, id);
    self.postMessage({ id, type: 'done', data: result, resources: performance.getEntriesByType('resource').length });
  } catch (err) {
    const fatal = err instanceof WebAssembly.RuntimeError;
    let text = message(err);
    if (fatal) {
      text = lastPanic
        ? `internal error in the Bedside core (please report it): ${lastPanic}`
        : `the Bedside core stopped (${text}); the file may be too large for this tab's memory`;
    }
    // A core error carries its code and parameters (src/message.rs) for the page to render.
    const coded = !fatal && err && typeof err.code === 'string' && err.code
      ? { code: err.code, params: plain(err.params ?? {}) } : {};
    self.postMessage({ id, type: 'error', error: text, fatal, ...coded });
  }
};
