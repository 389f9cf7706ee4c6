// How a run is split across the pool of workers (the transport is transport.js, the named calls
// api.js): worker 0 stages the run (privacy steps, splits); every worker takes units (one model on
// one split) from a shared queue, longest first once their times are known; a free worker computes
// the bootstrap intervals of a model whose units are all done; worker 0 assembles the report. The
// progress carries an estimate of the time left. Same recipe and data give the same report with
// any pool size.

/**
 * Runs `recipe` on `workers` (per-worker calls: {stage, runSplits, intervals, finish, release},
 * worker 0 first). `onProgress({stage, done, total, message, eta_ms, workers})`; resolves with
 * `{report, masked_csv, elapsed_ms, workers}`.
 */
export async function runAcross(workers, recipe, onProgress = null) {
  const t0 = performance.now();
  const main = workers[0];
  const tell = (p) => { if (onProgress) onProgress(p); };
  // A fresh pseudonymization key for this run, shared by the workers, kept nowhere.
  const key = Array.from(crypto.getRandomValues(new Uint8Array(32)));
  // A unit is one model on one split (unit u: model u % models of split ⌊u / models⌋).
  const units = await main.stage(recipe, key, (p) => tell({ ...p, workers: 1 }));
  const n = Math.max(1, Math.min(workers.length, units));
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
  const drain = async (worker) => {
    let lastSplit = -1;
    while (queue.length || ready.length) {
      if (ready.length) {
        const m = ready.shift();
        const mine = parts.filter((_, u) => u % models === m).map((text) => text.slice(1, -1));
        intervals.push(await worker.intervals(recipe, key, `[${mine.join(',')}]`));
        continue;
      }
      const u = next(lastSplit);
      lastSplit = Math.floor(u / models);
      const began = performance.now();
      const text = await worker.runSplits(recipe, key, [u], (p) => {
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
  const release = () => Promise.allSettled(workers.slice(1, n).map((w) => w.release()));
  try {
    await Promise.all(workers.slice(0, n).map(drain));
  } catch (err) {
    queue.length = 0; // the other workers stop after their current unit
    ready.length = 0;
    release();
    throw err;
  }
  // One JSON array per call: join their items.
  const results = `[${parts.map((text) => text.slice(1, -1)).join(',')}]`;
  const [out] = await Promise.all([
    main.finish(recipe, key, results, `[${intervals.join(',')}]`),
    release(),
  ]);
  return { ...out, elapsed_ms: performance.now() - t0, workers: n };
}
