// The bridge between the page (main thread) and the worker that owns the wasm core.
/** Rejection reason for calls that were cancelled (worker terminated). */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * Squoosh-style bridge: starts the worker lazily, runs calls one at a time in order, and cancels by
 * terminating the worker. Keeps a copy of the loaded file so a fresh worker can be re-primed.
 */
export class WorkerBridge {
  /**
   * `hooks.onResources(count)`: the worker's resource-timing count after each call;
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
    // hashes the file itself, undefined while the other worker is hashing}.
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
    const { id, type, data, error, fatal, resources } = msg || {};
    if (typeof resources === 'number' && this.hooks.onResources) {
      // Counted from this worker's first answer: what it fetched to start is start-up.
      if (this.resourceBase == null) this.resourceBase = resources;
      this.hooks.onResources(resources - this.resourceBase);
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
      entry.reject(new Error(error));
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
    if (data.sha256 === undefined) {
      result = await this._post('load', { file: data.file, name: data.name, sha256Later: true }, [], onProgress);
      data.sha256 = await data.digest.catch(() => null); // null: this worker hashes the file
      await this._post('set_sha256', { sha256: data.sha256 });
    } else {
      result = await this._post('load', { file: data.file, name: data.name, sha256: data.sha256 }, [], onProgress);
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
   * new) worker; a fresh worker is loaded from the same handle. `onProgress` sees the reading.
   */
  load(file, name, onProgress = null, digest = null) {
    const blob = file instanceof Blob ? file : new Blob([file]);
    this.data = { file: blob, name, digest, sha256: digest ? undefined : null };
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
 * A pool of workers, one wasm instance each, compiled once here and handed to every worker.
 * Worker 0 (`main`) serves every ordinary call (profile, preview, ...); a run is split: worker 0
 * stages it (privacy steps, splits), every worker computes splits taken from a shared queue, and
 * worker 0 assembles the report. Same recipe and data give the same report with any pool size.
 */
export class WorkerPool {
  /**
   * `size`: number of workers; `wasmUrl`: the module to compile once (none in the one-file
   * build, whose workers carry the module inline).
   */
  constructor(url, type = 'module', hooks = {}, { size = 1, wasmUrl = null } = {}) {
    this.size = Math.max(1, Math.floor(size) || 1);
    this.wasmUrl = wasmUrl;
    this.compiled = null;
    this.bridges = Array.from({ length: this.size }, () => new WorkerBridge(url, type, hooks));
    for (const b of this.bridges) b.moduleSource = () => this._module();
  }

  get main() {
    return this.bridges[0];
  }

  _module() {
    if (!this.wasmUrl || typeof WebAssembly.compileStreaming !== 'function') return Promise.resolve(null);
    if (!this.compiled) {
      this.compiled = WebAssembly.compileStreaming(fetch(this.wasmUrl)).catch(() => null);
    }
    return this.compiled;
  }

  /** Starts every worker (at start-up, so that no fetch happens later); worker 0's version. */
  async warm() {
    const versions = await Promise.all(this.bridges.map((b) => b.call('version')));
    return versions[0];
  }

  /** An ordinary call, on worker 0. */
  call(action, data = {}, onProgress = null) {
    return this.main.call(action, data, onProgress);
  }

  /**
   * Loads the file into worker 0 now, while worker 1 computes its SHA-256 fingerprint (on the
   * other core, reading the file in pieces too); the other workers get the file, with its
   * digest, when a run needs them.
   */
  load(file, name, onProgress = null) {
    const blob = file instanceof Blob ? file : new Blob([file]);
    const digest = this.size > 1 ? this.bridges[1].call('sha256', { file: blob }) : null;
    digest?.catch(() => {}); // worker 0 then hashes the file itself
    const loaded = this.main.load(blob, name, onProgress, digest);
    for (const b of this.bridges.slice(1)) {
      b.data = this.main.data;
      b.workerHasData = false;
    }
    return loaded;
  }

  /** Stops every worker; everything running or queued rejects with CancelledError. */
  cancel() {
    for (const b of this.bridges) b.cancel();
  }

  /**
   * Runs a recipe across the pool. `onProgress({stage, done, total, message, eta_ms, workers})`;
   * `eta_ms` estimates the time left from the pace of the units so far. Resolves with
   * `{report, masked_csv, elapsed_ms, workers}`.
   */
  async run(recipe, onProgress = null) {
    const t0 = performance.now();
    const tell = (p) => { if (onProgress) onProgress(p); };
    // A fresh pseudonymization key for this run, shared by the workers, kept nowhere.
    const key = Array.from(crypto.getRandomValues(new Uint8Array(32)));
    // A unit is one model on one split (unit u: model u % models of split ⌊u / models⌋).
    const units = await this.main.call('stage', { recipe, key }, (p) => tell({ ...p, workers: 1 }));
    const n = Math.max(1, Math.min(this.size, units));
    const models = Math.max(1, Array.isArray(recipe.models) ? recipe.models.length : 1);
    const queue = Array.from({ length: units }, (_, u) => u);
    // Longest first: once a model's time on one split is known, its other splits go before
    // shorter models', so the run does not end waiting on one slow fit. Until then, in order.
    // Among units of one model, the worker's own last split first (its feature steps are
    // still fitted there).
    const seconds = new Map(); // model → time of its first finished unit
    const next = (lastSplit) => {
      const cost = (u) => seconds.get(u % models) ?? Infinity; // not yet timed: maybe long
      const mine = (u) => Math.floor(u / models) === lastSplit;
      let best = 0;
      for (let i = 1; i < queue.length; i++) {
        const [a, b] = [queue[i], queue[best]];
        if (cost(a) > cost(b) || (cost(a) === cost(b) && mine(a) && !mine(b))) best = i;
      }
      return queue.splice(best, 1)[0];
    };
    const fraction = new Array(units).fill(0);
    const parts = new Array(units); // unit → its result (JSON text of a one-item array)
    // Once every unit of a model is done, a worker computes its bootstrap intervals (the larger
    // part of the assembling) while the others still fit: `ready` holds those models.
    const left = new Array(models).fill(units / models);
    const ready = [];
    const intervals = [];
    const started = performance.now();
    // Once every model has been timed on one split: the time its units left would take, shared
    // by the workers (the longest go first, so the pace so far would overstate it).
    const timedLeft = () => fraction.reduce((sum, f, u) => sum + (1 - f) * seconds.get(u % models), 0) / n;
    const tick = () => {
      const done = fraction.reduce((a, b) => a + b, 0);
      const share = units ? done / units : 1;
      const elapsed = performance.now() - started;
      tell({
        stage: 'models',
        done: Math.round(done),
        total: units,
        message: null,
        eta_ms: seconds.size === models ? timedLeft() : share > 0.02 ? (elapsed * (1 - share)) / share : null,
        workers: n,
      });
    };
    const drain = async (bridge) => {
      let lastSplit = -1;
      while (queue.length || ready.length) {
        if (ready.length) {
          const m = ready.shift();
          const mine = parts.filter((_, u) => u % models === m).map((text) => text.slice(1, -1));
          intervals.push(await bridge.call('intervals', { recipe, key, results: `[${mine.join(',')}]` }));
          continue;
        }
        const u = next(lastSplit);
        lastSplit = Math.floor(u / models);
        const began = performance.now();
        const text = await bridge.call('run_splits', { recipe, key, which: [u] }, (p) => {
          if (p?.stage === 'models' && p.total > 0) {
            fraction[u] = Math.min(1, p.done / p.total);
            tick();
          }
        });
        if (!seconds.has(u % models)) seconds.set(u % models, performance.now() - began);
        fraction[u] = 1;
        tick();
        parts[u] = text;
        // (One worker or one model: nothing runs alongside, so finish computes them.)
        if (--left[u % models] === 0 && n > 1 && models > 1) ready.push(u % models);
      }
    };
    // The workers that do not finish drop their staged run (its tables and last fitted split),
    // which no later run reuses (each has a new key): their wasm heap then serves their next
    // task instead of growing for it.
    const release = () => Promise.allSettled(this.bridges.slice(1, n).map((b) => b.call('release', {})));
    try {
      await Promise.all(this.bridges.slice(0, n).map(drain));
    } catch (err) {
      queue.length = 0; // the other workers stop after their current unit
      ready.length = 0;
      release();
      throw err;
    }
    // One JSON array per call: join their items.
    const results = `[${parts.map((text) => text.slice(1, -1)).join(',')}]`;
    const [out] = await Promise.all([
      this.main.call('finish', { recipe, key, results, intervals: `[${intervals.join(',')}]` }),
      release(),
    ]);
    return { ...out, elapsed_ms: performance.now() - t0, workers: n };
  }
}

