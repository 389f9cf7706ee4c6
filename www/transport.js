// The transport between the page (main thread) and the workers that own the wasm core: message
// passing with request ids, one call at a time per worker in order, cancel by terminating, and
// re-priming a fresh worker (the compiled module, the loaded file and its fingerprint). It knows
// only the handshake actions (init, load, sha256, set_sha256, version); the named calls over the
// protocol are api.js, and how a run is split across the pool is scheduler.js.
/** Rejection reason for calls that were cancelled (worker terminated). */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

// Every worker ever started gets its own number, so that the page sums the requests of every
// worker, replaced ones included (a fresh worker after a cancel does not reset the count).
let workerSerial = 0;

/**
 * One worker: starts the worker lazily, runs calls one at a time in order, and cancels by
 * terminating the worker. Keeps a copy of the loaded file so a fresh worker can be re-primed.
 */
export class WorkerTransport {
  /**
   * `hooks.onResources(count, worker)`: the requests worker number `worker` made since its
   * start-up, reported by the worker as each happens and with each answer;
   * `hooks.workerError(detail)`: the message for a worker that failed to start or crashed.
   */
  constructor(url, type = 'module', hooks = {}) {
    this.url = url;
    this.type = type;
    this.hooks = hooks;
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map();
    this.tail = Promise.resolve();
    this.generation = 0;
    // The loaded file: {file: Blob, name, digest: a Promise of its SHA-256 (hex) being computed
    // by another worker, or null; sha256: the digest once known, null when this worker's core
    // hashes the file itself, undefined while the other worker is hashing; options: the Load
    // step's {encoding, sheet} or null, with which every worker reads the file; columnar: for a
    // Parquet or Arrow file, the notes of its CSV text, which `file` then is}.
    this.data = null;
    this.workerHasData = false;
  }

  _start() {
    if (this.worker) return this.worker;
    const worker = new Worker(this.url, { type: this.type });
    worker.onmessage = (e) => this._onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this._fail(new Error(this._workerError(e.message)));
    };
    worker.onmessageerror = () => this._fail(new Error(this._workerError(null)));
    this.worker = worker;
    this.workerHasData = false;
    this.workerHasModule = false;
    this.resourceBase = null;
    this.workerKey = ++workerSerial;
    return worker;
  }

  _workerError(detail) {
    return this.hooks.workerError ? this.hooks.workerError(detail) : `the worker stopped: ${detail || 'unknown error'}`;
  }

  _stop() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.workerHasData = false;
  }

  _onMessage(msg) {
    const { id, type, data, error, fatal, resources, code, params } = msg || {};
    if (typeof resources === 'number' && this.hooks.onResources) {
      // Counted from this worker's first answer: what it fetched to start is start-up.
      if (this.resourceBase == null && type === 'done') this.resourceBase = resources;
      if (this.resourceBase != null) this.hooks.onResources(resources - this.resourceBase, this.workerKey);
    }
    const entry = this.pending.get(id);
    if (!entry) return;
    if (type === 'progress') {
      if (entry.onProgress) entry.onProgress(data);
      return;
    }
    this.pending.delete(id);
    if (type === 'done') {
      entry.resolve(data);
    } else {
      // A wasm trap can leave the instance unusable: start afresh on the next call.
      if (fatal) this._stop();
      const e = new Error(error);
      if (code) Object.assign(e, { code, params: params ?? {} });
      entry.reject(e);
    }
  }

  _fail(err) {
    this._stop();
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(err);
  }

  _post(action, data, transfer = [], onProgress = null) {
    const worker = this._start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ id, action, data }, transfer);
    });
  }

  async _sendData(onProgress = null) {
    // A File or Blob is passed by reference (no copy); the worker reads it in pieces. While
    // another worker hashes it, this one reads it and is given the digest after; later loads
    // (a fresh worker, the other pool workers) are given the digest.
    const data = this.data;
    let result;
    // A Parquet or Arrow file comes back as CSV text with the columnar module's notes: from then
    // on that text is the loaded file (`columnar`: its notes), read the same by every worker.
    const keep = (result) => {
      if (!result?.columnar) return;
      data.file = result.columnar.text;
      data.columnar = result.columnar.notes;
      if (result.columnar.sha256) data.sha256 = result.columnar.sha256;
    };
    const { file, name, options, columnar } = data;
    if (data.sha256 === undefined) {
      result = await this._post('load', { file, name, sha256Later: true, options, columnar }, [], onProgress);
      keep(result);
      const digest = await data.digest.catch(() => null); // null: this worker hashes the file
      data.sha256 = (await this._post('set_sha256', { sha256: digest })) || digest;
    } else {
      result = await this._post('load', { file, name, sha256: data.sha256, options, columnar }, [], onProgress);
      keep(result);
    }
    this.workerHasData = true;
    return result;
  }

  async _exec(action, data, onProgress) {
    this._start();
    if (!this.workerHasModule && this.moduleSource) {
      // Hand over the module compiled once by the pool: the worker instantiates, never compiles.
      const module = await this.moduleSource();
      if (module) await this._post('init', { module });
      this.workerHasModule = true;
    }
    if (action === 'load') return this._sendData(onProgress);
    // `version` and `sha256` (hashing a file for another worker) need no data loaded.
    if (!this.workerHasData && this.data && action !== 'version' && action !== 'sha256') await this._sendData();
    return this._post(action, data, [], onProgress);
  }

  /** Queue a call; resolves with the worker's `done` data. */
  call(action, data = {}, onProgress = null) {
    const generation = this.generation;
    const exec = () => {
      if (generation !== this.generation) throw new CancelledError();
      return this._exec(action, data, onProgress);
    };
    const result = this.tail.then(exec, exec);
    this.tail = result.catch(() => {});
    return result;
  }

  /**
   * Load a file (a File or Blob, kept as a handle, or bytes, kept as a Blob) into the (possibly
   * new) worker; a fresh worker is loaded from the same handle. `onProgress` sees the reading;
   * `options`: {encoding, sheet} (null: detected encoding, first sheet with data).
   */
  load(file, name, onProgress = null, digest = null, options = null) {
    const blob = file instanceof Blob ? file : new Blob([file]);
    this.data = { file: blob, name, digest, sha256: digest ? undefined : null, options };
    this.workerHasData = false;
    return this.call('load', {}, onProgress);
  }

  /** Terminate the worker; everything running or queued rejects with CancelledError. */
  cancel() {
    this.generation++;
    this._stop();
    const entries = [...this.pending.values()];
    this.pending.clear();
    const err = new CancelledError();
    for (const entry of entries) entry.reject(err);
  }
}

/**
 * Does this browser run wasm SIMD (simd128)? A module of one function `() -> v128` whose body is
 * `i32.const 0; i32x4.splat` validates only where SIMD is supported (the technique of
 * wasm-feature-detect, written out here). `globalThis.BEDSIDE_NO_SIMD = true` (set before the page
 * starts) answers no, for tests of the baseline module.
 */
export function simdSupported() {
  if (globalThis.BEDSIDE_NO_SIMD === true) return false;
  try {
    return WebAssembly.validate(new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
      0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one type, () -> v128
      0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
      0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // code: i32.const 0, i32x4.splat, end
    ]));
  } catch {
    return false;
  }
}

/**
 * A pool of workers, one wasm instance each, compiled once here and handed to every worker.
 * Worker 0 (`main`) serves every ordinary call (profile, preview, ...); a run is split across
 * `workers` by scheduler.js.
 */
export class WorkerPool {
  /**
   * `size`: number of workers; `wasmUrl`: the module to compile once (none in the one-file
   * build, whose workers carry the module inline); `simdWasmUrl`: the same module built with wasm
   * SIMD, compiled instead where the browser has SIMD (`simdSupported`).
   */
  constructor(url, type = 'module', hooks = {}, { size = 1, wasmUrl = null, simdWasmUrl = null } = {}) {
    this.size = Math.max(1, Math.floor(size) || 1);
    this.wasmUrl = simdWasmUrl && wasmUrl && simdSupported() ? simdWasmUrl : wasmUrl;
    /** Which module the workers run: 'simd', 'baseline', or null (the worker's own). */
    this.wasmVariant = !wasmUrl ? null : this.wasmUrl === simdWasmUrl ? 'simd' : 'baseline';
    this.compiled = null;
    this.workers = Array.from({ length: this.size }, () => new WorkerTransport(url, type, hooks));
    for (const w of this.workers) w.moduleSource = () => this._module();
  }

  get main() {
    return this.workers[0];
  }

  _module() {
    if (!this.wasmUrl || typeof WebAssembly.compileStreaming !== 'function') return Promise.resolve(null);
    if (!this.compiled) {
      this.compiled = WebAssembly.compileStreaming(fetch(this.wasmUrl)).catch(() => null);
    }
    return this.compiled;
  }

  /** An ordinary call, on worker 0. */
  call(action, data = {}, onProgress = null) {
    return this.main.call(action, data, onProgress);
  }

  /**
   * Loads the file into worker 0 now, while worker 1 computes its SHA-256 fingerprint (on the
   * other core, reading the file in pieces too); the other workers get the file, with its
   * digest, when a run needs them. `options` ({encoding, sheet} or null) travel with the file
   * to every worker, so that all read the same table.
   */
  load(file, name, onProgress = null, options = null) {
    const blob = file instanceof Blob ? file : new Blob([file]);
    const digest = this.size > 1 ? this.workers[1].call('sha256', { file: blob }) : null;
    digest?.catch(() => {}); // worker 0 then hashes the file itself
    const loaded = this.main.load(blob, name, onProgress, digest, options);
    for (const b of this.workers.slice(1)) {
      b.data = this.main.data;
      b.workerHasData = false;
    }
    return loaded;
  }

  /** Stops every worker; everything running or queued rejects with CancelledError. */
  cancel() {
    for (const b of this.workers) b.cancel();
  }
}
