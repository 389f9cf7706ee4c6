// How a run is split across the pool of workers (the transport is transport.js, the named calls
// api.js): worker 0 stages the run (privacy steps, splits); every worker takes units (one model on
// one split) from a shared queue, longest first once their times are known; a free worker computes
// the bootstraps of a model whose units are all scored (the worker that scored a unit explains it
// meanwhile: permutation importance, SHAP); worker 0 assembles the report. The
// progress carries the share of the whole run's work done (`bar`) and an estimate of the time left
// (RunEstimate below): from the core's plan of the run (estimated work of every unit, of the
// intervals and of the report, sent at the end of staging) and the pace observed, so it counts
// every phase. Same recipe and data give the same report with any pool size.

// The time constant (ms) of the smoothing of the time left: a new estimate moves the one shown by
// the share of the way that this much time covers, so it never jumps.
const SMOOTH_MS = 2000;
// How long (ms) the prior pace (the plan's estimates taken as right, one estimated ms per worker
// per ms) weighs against the observed one: early on the estimate, then what was seen.
const PRIOR_MS = 1000;
// How often (ms) the progress is told between the core's events, the bar moving at the pace seen.
const TICK_MS = 250;
// The core's plan estimates the units, each model's bootstraps (`intervals`: its metrics'
// intervals and a classifier's calibration) and the rest of the report (`finish`); from an older
// core without them, they are weighed as these shares of the units' work (a guess, so that the
// bar and the time left count them).
const INTERVALS_SHARE = 0.03;
const FINISH_SHARE = 0.03;
// The memory (bytes) a run's copies of the data may take across the pool: every worker holds its
// own loaded table and a split's model matrices (wasm memories are not shared without
// cross-origin isolation, which a static page cannot count on), so a large table runs on fewer
// workers: about 1.4 times the time, against a tab that holds one copy instead of two to four.
// 768 MiB: at 1,000,000 × 30 (about 460 MiB a worker) one worker runs, the tab holding the least
// it can; at 100,000 × 30 (about 46 MiB) every worker does (docs/design.md, "The pool's memory").
export const MEMORY_BUDGET = 768 * 2 ** 20;

/**
 * How many of `available` workers run a run whose plan says one worker needs about `bytes`
 * (`plan.worker_bytes`): as many as hold their copies within MEMORY_BUDGET, at least one; all of
 * them when the plan does not say.
 */
export function workersFor(available, bytes) {
  if (!(bytes > 0)) return available;
  return Math.max(1, Math.min(available, Math.floor(MEMORY_BUDGET / bytes)));
}

// The phases of a unit in the order the core runs them (it tells each as it starts).
const UNIT_PHASES = ['features', 'search', 'fit', 'predict', 'importance', 'shap'];

/**
 * The share (0..1) of a unit done when the core starts `phase`, from the estimated time of each
 * phase in the plan of the call (`phases`: [{phase, ms}]); within a search, by the candidates
 * fitted (`done` of `total`, the last being the fit). Null when the plan does not say.
 */
export function phaseShare(phases, phase, done = 0, total = 0) {
  if (!Array.isArray(phases) || !UNIT_PHASES.includes(phase)) return null;
  const cost = (name) => phases.filter((x) => x?.phase === name).reduce((a, x) => a + (Number(x.ms) || 0), 0);
  const all = UNIT_PHASES.reduce((a, name) => a + cost(name), 0);
  if (!(all > 0)) return null;
  const before = UNIT_PHASES.slice(0, UNIT_PHASES.indexOf(phase)).reduce((a, name) => a + cost(name), 0);
  const within = phase === 'search' && total > 1 ? cost('search') * Math.min(1, done / (total - 1)) : 0;
  return Math.min(1, (before + within) / all);
}

/**
 * The work done and the time left of one run. Work is in the plan's unit (estimated ms of one
 * thread, src/cost.rs): units (one model on one split, their share done from the core's events),
 * each model's intervals and the report. Without a plan (an older core) every unit weighs the
 * same and the rest nothing, and the pace alone gives the time left.
 */
export class RunEstimate {
  /** `plan`: the core's {units, intervals, finish} or null; `units`, `models`, `workers`: counts. */
  constructor({ plan = null, units, models, workers, now }) {
    const ok = plan && Array.isArray(plan.units) && plan.units.length === units
      && plan.units.every((w) => Number.isFinite(w) && w >= 0);
    this.planned = !!ok;
    this.unitWork = ok ? plan.units.slice() : new Array(units).fill(1);
    const unitsWork = this.unitWork.reduce((a, b) => a + b, 0);
    this.intervalWork = ok && Array.isArray(plan.intervals) && plan.intervals.length === models
      ? plan.intervals.map((w) => (Number.isFinite(w) && w >= 0 ? w : 0))
      : new Array(models).fill(ok ? (INTERVALS_SHARE * unitsWork) / models : 0);
    this.finishWork = ok && Number.isFinite(plan.finish) && plan.finish >= 0 ? plan.finish
      : ok ? FINISH_SHARE * unitsWork : 0;
    this.total = this.unitWork.reduce((a, b) => a + b, 0)
      + this.intervalWork.reduce((a, b) => a + b, 0) + this.finishWork;
    this.unitShare = new Array(units).fill(0);
    this.unitStart = new Array(units).fill(null);
    this.models = Math.max(1, models);
    this.measured = {}; // model → ms its finished units took
    this.estimated = {}; // model → the plan's estimate of those units
    this.intervalShare = new Array(models).fill(0);
    this.finishShare = 0;
    this.workers = Math.max(1, workers);
    this.started = now;
    this.lastEvent = { at: now, done: 0 };
    this.running = new Set(); // the units, intervals and report being computed now, by key
    this.shown = null; // the time left last told
    this.shownAt = now;
    this.barShown = 0;
    this.barAt = now;
  }

  _set(key, shares, i, share, now) {
    const v = Math.min(1, Math.max(shares[i], Number.isFinite(share) ? share : 0));
    shares[i] = v;
    if (v >= 1) this.running.delete(key); else this.running.add(key);
    this.lastEvent = { at: now, done: this.done() };
  }

  /**
   * Unit `u` is `share` (0..1) done; never goes back. Its first call starts its clock; at 1,
   * its time calibrates the plan's estimate of its model (unit u is model u % models).
   */
  unit(u, share, now) {
    if (this.unitStart[u] == null) this.unitStart[u] = now;
    const was = this.unitShare[u];
    this._set(`u${u}`, this.unitShare, u, share, now);
    if (was < 1 && this.unitShare[u] >= 1 && this.planned) {
      const m = u % this.models;
      this.measured[m] = (this.measured[m] ?? 0) + (now - this.unitStart[u]);
      this.estimated[m] = (this.estimated[m] ?? 0) + this.unitWork[u];
    }
  }

  /**
   * Time left from the units timed so far: each model's units left at its measured pace
   * (ms per estimated ms; the mean pace for a model not yet timed), shared by the workers; the
   * intervals likewise; the report at the mean pace on one worker. Null before any unit ended.
   */
  _calibrated() {
    const ms = Object.values(this.measured).reduce((a, b) => a + b, 0);
    const est = Object.values(this.estimated).reduce((a, b) => a + b, 0);
    if (!(ms > 0 && est > 0)) return null;
    const mean = ms / est;
    const pace = (m) => (this.estimated[m] > 0 ? this.measured[m] / this.estimated[m] : mean);
    let parallel = 0;
    this.unitWork.forEach((w, u) => { parallel += w * (1 - this.unitShare[u]) * pace(u % this.models); });
    this.intervalWork.forEach((w, m) => { parallel += w * (1 - this.intervalShare[m]) * mean; });
    return parallel / this.workers + this.finishWork * (1 - this.finishShare) * mean;
  }

  /** Model `m`'s intervals are `share` done. */
  intervals(m, share, now) { this._set(`i${m}`, this.intervalShare, m, share, now); }

  /** The report is `share` done. */
  finish(share, now) {
    this.finishShare = Math.min(1, Math.max(this.finishShare, Number.isFinite(share) ? share : 0));
    if (this.finishShare >= 1) this.running.delete('f'); else this.running.add('f');
    this.lastEvent = { at: now, done: this.done() };
  }

  /** Work done by the events told so far. */
  done() {
    const sum = (work, share) => work.reduce((a, w, i) => a + w * share[i], 0);
    return sum(this.unitWork, this.unitShare) + sum(this.intervalWork, this.intervalShare)
      + this.finishWork * this.finishShare;
  }

  /** The work the parts being computed now have left. */
  open() {
    let open = 0;
    for (const key of this.running) {
      const i = Number(key.slice(1));
      if (key[0] === 'u') open += this.unitWork[i] * (1 - this.unitShare[i]);
      else if (key[0] === 'i') open += this.intervalWork[i] * (1 - this.intervalShare[i]);
      else open += this.finishWork * (1 - this.finishShare);
    }
    return open;
  }

  /**
   * Work per ms of wall time: the pace up to the last event (blended with the plan's, taken as
   * right, early on), and at most what finishing every open part by now would have been: once
   * the parts being computed are overdue, the pace falls, so the time left rises steadily
   * instead of standing still until the next event.
   */
  rate(now) {
    const elapsed = Math.max(1, now - this.started);
    const done = this.lastEvent.done;
    const seen = Math.max(1, this.lastEvent.at - this.started);
    const prior = this.planned ? this.workers * PRIOR_MS : 0;
    const weight = this.planned ? PRIOR_MS : 0;
    if (done + prior <= 0) return null;
    const pace = (done + prior) / (seen + weight);
    const bound = (done + this.open() + prior) / (elapsed + weight);
    return Math.min(pace, bound);
  }

  /**
   * The work done as the bar shows it at `now`: what the events told, plus the pace since the
   * last event, approaching (never reaching) what the parts being computed have left: it never
   * goes past known work and never stands still.
   */
  bar(now) {
    const told = this.lastEvent.done;
    const open = this.open();
    const gap = told + open - Math.max(this.barShown, told);
    const dt = Math.max(0, now - this.barAt);
    this.barAt = Math.max(this.barAt, now);
    this.barShown = Math.max(this.barShown, told);
    // At the pace r while far from the open parts' end, slowing as it nears it (the gap shrinks
    // with the time constant open / r): it never gets there before the events say so.
    const r = this.rate(now);
    if (r && gap > 0) this.barShown += gap * (1 - Math.exp(-(r * dt) / open));
    this.barShown = Math.min(this.total, this.barShown);
    return this.barShown;
  }

  /** The time left (ms), smoothed; null while unknown. */
  eta(now) {
    const r = this.rate(now);
    const done = this.bar(now);
    let raw = null;
    // The report is assembled by one worker after everything else: its part goes at one
    // worker's pace.
    const tail = this.finishWork * (1 - this.finishShare);
    if (r) raw = Math.max(0, (this.total - done - tail) / r + (tail * this.workers) / r);
    // Once units are timed, their models' measured pace; the pace seen since (the last event)
    // still bounds it when the parts being computed are overdue.
    const calibrated = this._calibrated();
    if (calibrated != null) raw = raw == null ? calibrated : Math.max(calibrated, Math.min(raw, calibrated * 2));
    if (raw == null) return this.shown;
    if (this.shown == null) {
      this.shown = raw;
    } else {
      const dt = Math.max(0, now - this.shownAt);
      const predicted = Math.max(0, this.shown - dt);
      this.shown = predicted + (raw - predicted) * Math.min(1, dt / SMOOTH_MS);
    }
    this.shownAt = now;
    return this.shown;
  }
}

/** The share (0..1) of its call's work a core progress event tells, or null. */
function shareOf(p) {
  if (Number.isFinite(p?.work_total) && p.work_total > 0 && Number.isFinite(p.work_done)) return p.work_done / p.work_total;
  if (Number.isFinite(p?.total) && p.total > 0 && Number.isFinite(p.done)) return p.done / p.total;
  return null;
}

/**
 * Runs `recipe` on `workers` (per-worker calls: {stage, runSplits, scoreSplits, explainSplits,
 * intervals, finish, release},
 * worker 0 first). `onProgress({stage, phase, done, total, message, eta_ms, workers, bar})`, where
 * `bar` is {value, max} of the whole run's work (models stage) or of the call (staging); resolves
 * with `{report, masked_csv, elapsed_ms, workers}`. `options.now`/`options.tickMs`: the clock and
 * the interval of the progress told between events (tests).
 */
export async function runAcross(workers, recipe, onProgress = null, { now = () => performance.now(), tickMs = TICK_MS } = {}) {
  const t0 = now();
  const main = workers[0];
  const tell = (p) => { if (onProgress) onProgress(p); };
  // A fresh pseudonymization key for this run, shared by the workers, kept nowhere.
  const key = Array.from(crypto.getRandomValues(new Uint8Array(32)));
  // A unit is one model on one split (unit u: model u % models of split ⌊u / models⌋).
  let plan = null;
  const units = await main.stage(recipe, key, (p) => {
    if (p?.plan) plan = p.plan;
    const share = Number.isFinite(p?.work_total) && p.work_total > 0 ? Math.min(1, p.work_done / p.work_total) : null;
    tell({ ...p, workers: 1, bar: share == null ? null : { value: share, max: 1 } });
  });
  const n = workersFor(Math.max(1, Math.min(workers.length, units)), plan?.worker_bytes);
  const models = Math.max(1, Array.isArray(recipe.models) ? recipe.models.length : 1);
  const queue = Array.from({ length: units }, (_, u) => u);
  // Longest first: once a model's time on one split is known (or estimated by the plan), its other
  // splits go before shorter models', so the run does not end waiting on one slow fit. Until
  // then, in order. Among units of one model, the worker's own last split first (its feature
  // steps are still fitted there).
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
  const estimate = new RunEstimate({ plan, units, models, workers: n, now: now() });
  const parts = new Array(units); // unit → its result (JSON text of a one-item array)
  // unit → the worker that computed it, which keeps its result: finish takes its own from there.
  const ranOn = new Array(units);
  // Once every unit of a model is done, a worker computes its bootstraps (its metrics'
  // intervals and a classifier's calibration: nearly all of the assembling) while the others
  // still fit: `ready` holds those models.
  const left = new Array(models).fill(units / models);
  const ready = [];
  const intervals = [];
  let phase = null; // the phase last told by the core (or 'intervals' / 'report' here)
  let message = null;
  const tick = () => {
    const at = now();
    const done = estimate.unitShare.reduce((a, b) => a + b, 0);
    const etaMs = estimate.eta(at);
    tell({
      stage: 'models',
      phase,
      done: Math.round(done),
      total: units,
      message,
      eta_ms: etaMs == null ? null : Math.round(etaMs),
      workers: n,
      bar: { value: estimate.bar(at), max: estimate.total },
    });
  };
  // Between the core's events the bar moves at the pace seen, so it never stands still.
  const timer = tickMs > 0 ? setInterval(tick, tickMs) : null;
  // With bootstraps computed apart, a unit comes in two calls: scored (its predictions), which
  // may make its model ready for another worker's bootstraps, then explained (permutation
  // importance, SHAP) on the same worker, which keeps the fitted model in between. Otherwise one
  // call.
  const apart = n > 1 && models > 1;
  // A worker with nothing to take waits while units still run that may make a model ready.
  const waiters = [];
  let stopped = false;
  const wake = () => { for (const w of waiters.splice(0)) w(); };
  const moreToCome = () => !stopped && left.some((k) => k > 0);
  const drain = async (worker) => {
    let lastSplit = -1;
    while (!stopped && (queue.length || ready.length || moreToCome())) {
      if (ready.length) {
        const m = ready.shift();
        // Each unit's JSON text as it came: the core parses them one at a time.
        const mine = parts.filter((_, u) => u % models === m);
        phase = 'intervals';
        estimate.intervals(m, 0, now());
        intervals.push(await worker.intervals(recipe, key, mine));
        estimate.intervals(m, 1, now());
        tick();
        continue;
      }
      if (!queue.length) {
        await new Promise((resolve) => waiters.push(resolve));
        continue;
      }
      const u = next(lastSplit);
      lastSplit = Math.floor(u / models);
      const began = now();
      estimate.unit(u, 0, began);
      let phases = null; // the estimated time of this unit's phases (the call's plan)
      // `cap`: the share of the unit a call reaches at most (the scoring call stops before the
      // explanations).
      const progress = (cap) => (p) => {
        if (p?.plan) phases = p.plan.phases;
        if (p?.stage !== 'models') return;
        const byPhase = phaseShare(phases, p.phase, p.done, p.total);
        const share = Math.min(cap(), Math.max(byPhase ?? 0, shareOf(p) ?? 0));
        estimate.unit(u, share, now());
        if (p.phase) phase = p.phase;
        message = p.message ?? null;
        tick();
      };
      const modelReady = () => {
        if (--left[u % models] === 0 && apart) ready.push(u % models);
        wake();
      };
      if (apart) {
        const beforeExplaining = () => phaseShare(phases, 'importance') ?? 1;
        parts[u] = await worker.scoreSplits(recipe, key, [u], progress(beforeExplaining));
        modelReady();
        parts[u] = await worker.explainSplits(recipe, key, [u], progress(() => 1));
      } else {
        parts[u] = await worker.runSplits(recipe, key, [u], progress(() => 1));
      }
      ranOn[u] = worker;
      if (!seconds.has(u % models)) seconds.set(u % models, now() - began);
      estimate.unit(u, 1, now());
      tick();
      // (One worker or one model: nothing runs alongside, so finish computes the bootstraps.)
      if (!apart) modelReady();
    }
  };
  // The workers that do not finish drop their staged run (its tables and last fitted split),
  // which no later run reuses (each has a new key): their wasm heap then serves their next
  // task instead of growing for it.
  const release = () => Promise.allSettled(workers.slice(1, n).map((w) => w.release()));
  try {
    await Promise.all(workers.slice(0, n).map(drain));
    phase = 'report';
    estimate.finish(0, now());
    // The intervals not computed apart (one worker, or one model) are computed by finish.
    const inFinish = [...Array(models).keys()].filter((m) => estimate.intervalShare[m] < 1);
    const [out] = await Promise.all([
      // The results of the units other workers computed, one JSON array per call, handed over
      // as they are (not joined into one more copy of all of them): the core parses them one at
      // a time and takes those of its own units from its memory (a pool of one: none handed).
      main.finish(recipe, key, parts.filter((_, u) => ranOn[u] !== main), `[${intervals.join(',')}]`, (p) => {
        const share = shareOf(p);
        if (share != null) {
          estimate.finish(share, now());
          for (const m of inFinish) estimate.intervals(m, share, now());
        }
        if (p?.phase) phase = p.phase;
        tick();
      }),
      release(),
    ]);
    return { ...out, elapsed_ms: now() - t0, workers: n };
  } catch (err) {
    queue.length = 0; // the other workers stop after their current unit
    ready.length = 0;
    stopped = true;
    wake();
    release();
    throw err;
  } finally {
    if (timer) clearInterval(timer);
  }
}
