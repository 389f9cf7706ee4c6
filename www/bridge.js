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
    this.data = null; // {bytes: Uint8Array, name}
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
    if (typeof resources === 'number' && this.hooks.onResources) this.hooks.onResources(resources);
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

  async _sendData() {
    const { bytes, name } = this.data;
    const buffer = bytes.slice().buffer; // transfer a copy, keep ours for the next worker
    const result = await this._post('load', { bytes: buffer, name }, [buffer]);
    this.workerHasData = true;
    return result;
  }

  async _exec(action, data, onProgress) {
    if (action === 'load') return this._sendData();
    if (!this.workerHasData && this.data && action !== 'version') await this._sendData();
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

  /** Keep a private copy of the file and load it into the (possibly new) worker. */
  load(bytes, name) {
    this.data = { bytes: new Uint8Array(bytes).slice(), name };
    this.workerHasData = false;
    return this.call('load');
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
