// Progress of a run in the page: the time left and the bar (www/scheduler.js RunEstimate) on an
// event sequence as the core tells it (per phase, with the plan's estimated work), in Node; and in
// the browser, the estimate before Run, and a new run keeps the previous results, marked, until
// it finishes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, ROOT, STRINGS, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

const { MEMORY_BUDGET, RunEstimate, phaseShare, runAcross, workersFor } = await import(join(ROOT, 'www', 'scheduler.js'));

/**
 * A recorded-like run: 2 workers, 2 models on 5 splits (10 units). The plan underestimates the
 * first model 4× (the case of a wide one-hot encoding) and is right about the second; each unit
 * tells the core's phases (features, fit, predict, importance in 3 batches) at their ends only, so
 * the fit is a long stretch without events. Returns the events in time order and the end time.
 */
function recordedRun() {
  // As the core's plan (src/pipeline/estimate.rs): the units only; the page weighs the intervals
  // and the report as shares of their work.
  const plan = { units: [] };
  const actual = [];
  for (let u = 0; u < 10; u++) {
    plan.units.push(u % 2 === 0 ? 400 : 1200);
    actual.push(u % 2 === 0 ? 1600 : 1200);
  }
  const phases = [['features', 0.1], ['fit', 0.6], ['predict', 0.7], ['importance', 0.8], ['importance', 0.9], ['importance', 1]];
  const events = [];
  const free = [0, 0]; // when each worker is free
  for (let u = 0; u < 10; u++) {
    const w = free[0] <= free[1] ? 0 : 1;
    const start = free[w];
    events.push({ t: start, kind: 'unit', i: u, share: 0 });
    for (const [phase, share] of phases) events.push({ t: start + share * actual[u], kind: 'unit', i: u, share, phase });
    free[w] = start + actual[u];
    if (u >= 8) { // the last split of each model: its intervals next, on this worker
      const m = u % 2;
      events.push({ t: free[w], kind: 'intervals', i: m, share: 0 });
      free[w] += 300;
      events.push({ t: free[w], kind: 'intervals', i: m, share: 1 });
    }
  }
  let t = Math.max(...free);
  for (const [phase, share] of [['fairness', 0.3], ['original', 0.8], ['report', 1]]) {
    events.push({ t: t + share * 500, kind: 'finish', share, phase });
  }
  t += 500;
  events.sort((a, b) => a.t - b.t);
  return { plan, events, end: t };
}

/** Replays the events into a RunEstimate, sampling the bar and time left every `every` ms. */
function replay({ plan, events, end }, every = 250) {
  const est = new RunEstimate({ plan, units: 10, models: 2, workers: 2, now: 0 });
  const samples = [];
  let next = 0;
  for (let t = 0; t <= end; t += every) {
    while (next < events.length && events[next].t <= t) {
      const e = events[next++];
      if (e.kind === 'unit') est.unit(e.i, e.share, e.t);
      else if (e.kind === 'intervals') est.intervals(e.i, e.share, e.t);
      else est.finish(e.share, e.t);
    }
    samples.push({ t, eta: est.eta(t), bar: est.bar(t), total: est.total });
  }
  return samples;
}

test('time left: counts every phase, counts down without standing still, never jumps', () => {
  const run = recordedRun();
  const samples = replay(run);
  const left = (t) => run.end - t;
  // Known from the start (the plan), and the whole run's work: units, intervals and the report.
  assert.ok(Number.isFinite(samples[0].eta));
  assert.equal(Math.round(samples[0].total), Math.round((5 * 400 + 5 * 1200) * 1.06));
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    // Never up by more than 10% (+0.1 s) in a quarter second: a 4× surprise shows gradually.
    assert.ok(b.eta <= a.eta * 1.1 + 100, `time left went from ${a.eta} to ${b.eta} at ${b.t} ms`);
    assert.ok(b.bar >= a.bar, 'the bar never goes back');
  }
  // Never still for a second while the run goes on: the time left and the bar move.
  for (let i = 4; i < samples.length - 1; i++) {
    const [a, b] = [samples[i - 4], samples[i]];
    assert.notEqual(b.eta, a.eta, `time left stood still from ${a.t} to ${b.t} ms`);
    assert.ok(b.bar > a.bar, `bar stood still from ${a.t} to ${b.t} ms`);
  }
  // Within 2× of the truth once a quarter of the run is past (the plan was 4× off for one
  // model: its timed units recalibrate it), and near the end at the end.
  for (const s of samples.filter((x) => x.t >= run.end / 4 && left(x.t) > 1000)) {
    assert.ok(s.eta >= left(s.t) / 2 && s.eta <= left(s.t) * 2, `at ${s.t} ms: ${Math.round(s.eta)} ms left shown, ${left(s.t)} true`);
  }
  assert.ok(samples.at(-1).eta < 1000);
  assert.equal(samples.at(-1).bar, samples.at(-1).total);
});

test('time left without a plan (an older core): from the pace, once some work is done', () => {
  const est = new RunEstimate({ plan: null, units: 4, models: 1, workers: 1, now: 0 });
  assert.equal(est.eta(100), null);
  est.unit(0, 1, 1000);
  const eta = est.eta(1000);
  assert.ok(eta > 2000 && eta < 4000, `${eta}`);
  assert.equal(est.total, 4);
});

/** Fake pool workers telling the core's events as it does (src/pipeline/units.rs, finish.rs, src/wasm/pool.rs). */
function phasedPool(size, units, unitMs) {
  const sleep = (t) => new Promise((r) => setTimeout(r, t));
  const phases = [{ phase: 'fit', ms: unitMs * 0.5 }, { phase: 'search', ms: 0 }, { phase: 'predict', ms: unitMs * 0.2 }, { phase: 'importance', ms: unitMs * 0.3 }];
  // As the core, a worker keeps the results of the units it computed for its finish.
  return Array.from({ length: size }, () => new Set()).map((held) => ({
    stage: async (recipe, key, onProgress) => {
      onProgress({ stage: 'privacy', phase: 'privacy', done: 1, total: 1, unit: null });
      onProgress({ stage: 'plan', phase: 'plan', done: 1, total: 1, unit: null, plan: { units: new Array(units).fill(unitMs), phases, total_ms: units * unitMs } });
      return units;
    },
    runSplits: async (recipe, key, [u], onProgress) => {
      onProgress({ stage: 'plan', phase: 'plan', done: 1, total: 1, unit: null, plan: { units: [unitMs], phases, total_ms: unitMs } });
      onProgress({ stage: 'models', phase: 'models', done: 0, total: 1, unit: null });
      for (const [phase, ms] of [['features', 0], ['fit', 0.5], ['predict', 0.2], ['importance', 0.3]]) {
        onProgress({ stage: 'models', phase, done: 0, total: 1, unit: u });
        await sleep(unitMs * ms);
      }
      onProgress({ stage: 'models', phase: 'models', done: 1, total: 1, unit: null });
      held.add(u);
      return `[{"unit":${u}}]`;
    },
    // The same unit in two calls (a pool of 2+ with 2+ models): the scoring call ends with the
    // core's "evaluation done" (all its progress units), the explaining call tells importance.
    scoreSplits: async (recipe, key, [u], onProgress) => {
      onProgress({ stage: 'plan', phase: 'plan', done: 1, total: 1, unit: null, plan: { units: [unitMs], phases, total_ms: unitMs } });
      onProgress({ stage: 'models', phase: 'models', done: 0, total: 1, unit: null });
      for (const [phase, ms] of [['features', 0], ['fit', 0.5], ['predict', 0.2]]) {
        onProgress({ stage: 'models', phase, done: 0, total: 1, unit: u });
        await sleep(unitMs * ms);
      }
      onProgress({ stage: 'models', phase: 'models', done: 1, total: 1, unit: null });
      return `[{"unit":${u}}]`;
    },
    explainSplits: async (recipe, key, [u], onProgress) => {
      onProgress({ stage: 'models', phase: 'importance', done: 0, total: 1, unit: u });
      await sleep(unitMs * 0.3);
      held.add(u);
      return `[{"unit":${u}}]`;
    },
    intervals: async () => { await sleep(unitMs / 2); return '{}'; },
    finish: async (recipe, key, results, intervals, onProgress) => {
      for (const [phase, done] of [['report', 0], ['original', 1], ['report', 2]]) {
        onProgress({ stage: 'report', phase, done, total: 2, unit: null });
        await sleep(unitMs / 3);
      }
      // The units handed over (computed elsewhere) and those kept here, each once.
      return { report: { n: new Set([...results.flatMap((text) => JSON.parse(text)).map((r) => r.unit), ...held]).size }, masked_csv: '' };
    },
    release: async () => null,
  }));
}

test('scheduler: the bar covers the whole run (units, intervals, report) and names the phase', async () => {
  const told = [];
  const out = await runAcross(phasedPool(2, 6, 60), { models: [{ kind: 'a' }, { kind: 'b' }] }, (p) => told.push(p), { tickMs: 20 });
  assert.equal(out.report.n, 6);
  const models = told.filter((p) => p.stage === 'models');
  const phases = new Set(models.map((p) => p.phase));
  for (const ph of ['fit', 'predict', 'importance', 'intervals', 'original', 'report']) assert.ok(phases.has(ph), `phase ${ph} told`);
  const total = 6 * 60 * 1.06;
  for (let i = 1; i < models.length; i++) {
    assert.ok(Math.abs(models[i].bar.max - total) < 1e-9);
    assert.ok(models[i].bar.value >= models[i - 1].bar.value, 'the bar never goes back');
  }
  assert.ok(Math.abs(models.at(-1).bar.value - total) < 1e-9, 'full at the end');
  // While the report is assembled (a phase the old bar did not count) the bar is not yet full.
  const original = models.find((p) => p.phase === 'original');
  assert.ok(original.bar.value < total);
  // A unit's phases move the bar by their estimated share: at 'predict' half of it is done.
  assert.equal(phaseShare([{ phase: 'fit', ms: 5 }, { phase: 'predict', ms: 2 }, { phase: 'importance', ms: 3 }], 'predict'), 0.5);
  assert.ok(models.every((p) => Number.isFinite(p.eta_ms)), 'a time left from the first event on');
  // One worker: the intervals are computed inside finish and count as done with it; the plan's
  // own estimates of the intervals and the report (the core's `intervals`, `finish`) weigh them.
  const one = [];
  const pool1 = phasedPool(1, 4, 40);
  const stage = pool1[0].stage;
  pool1[0].stage = (recipe, key, onProgress) => stage(recipe, key, (p) => onProgress(p.plan ? { ...p, plan: { ...p.plan, intervals: [10, 30], finish: 20 } } : p));
  await runAcross(pool1, { models: [{ kind: 'a' }, { kind: 'b' }] }, (p) => one.push(p), { tickMs: 20 });
  const last = one.filter((p) => p.stage === 'models').at(-1);
  assert.equal(last.bar.max, 4 * 40 + 10 + 30 + 20);
  assert.ok(Math.abs(last.bar.value - last.bar.max) < 1e-9, `full at the end with one worker: ${last.bar.value}`);
});

test('scheduler: a run whose copy of the data is large goes to fewer workers, and gives the same results', async () => {
  assert.equal(workersFor(4, undefined), 4, 'no plan of the memory: every worker');
  assert.equal(workersFor(4, MEMORY_BUDGET / 4), 4);
  assert.equal(workersFor(4, MEMORY_BUDGET / 2.5), 2);
  assert.equal(workersFor(2, 720 * 2 ** 20), 1, '1,000,000 × 30: one worker');
  assert.equal(workersFor(2, 2 * MEMORY_BUDGET), 1, 'never none');
  // A pool of 2 told by the plan that a worker needs 0.6 of the budget: one worker does all.
  const run = async (bytes) => {
    const pool = phasedPool(2, 4, 20);
    const used = new Set();
    pool.forEach((w, i) => {
      const stage = w.stage;
      w.stage = (recipe, key, onProgress) => stage(recipe, key, (p) => onProgress(p.plan ? { ...p, plan: { ...p.plan, worker_bytes: bytes } } : p));
      for (const call of ['runSplits', 'scoreSplits']) {
        const f = w[call];
        w[call] = (...args) => { used.add(i); return f(...args); };
      }
    });
    const out = await runAcross(pool, { models: [{ kind: 'a' }, { kind: 'b' }] }, null, { tickMs: 0 });
    return { out, used: [...used].sort() };
  };
  const small = await run(MEMORY_BUDGET / 10);
  const large = await run(MEMORY_BUDGET * 0.6);
  assert.deepEqual(small.used, [0, 1]);
  assert.equal(small.out.workers, 2);
  assert.deepEqual(large.used, [0]);
  assert.equal(large.out.workers, 1);
  assert.deepEqual(large.out.report, small.out.report);
});

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

test('a new run keeps the previous results, marked, until it finishes; a cancelled one keeps them', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    await page.click('#run');
    await waitForResults(page, ['logistic_regression', 'decision_tree']);
    assert.equal(await page.locator('#results-previous').count(), 0);

    // A second run, slower (a forest of 300 trees): while it runs, the first run's results stay.
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'random_forest', trees: 300 }];
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    await page.dispatchEvent('#recipe-json', 'input');
    await page.click('#run');
    await page.waitForSelector('#results-previous');
    assert.equal(await page.textContent('#results-previous'), STRINGS.en['results.previous_running']);
    assert.equal(await page.locator('#results-table tbody tr[data-kind="logistic_regression"]').count(), 1);
    assert.ok(await page.isVisible('#results-section'));
    assert.ok(await page.evaluate(() => document.querySelector('#results').classList.contains('previous')));
    // Finished: replaced, no longer marked.
    await waitForResults(page, ['random_forest'], 180_000);
    assert.equal(await page.locator('#results-previous').count(), 0);
    assert.equal(await page.locator('#results-table tbody tr').count(), 1);

    // A third run, cancelled as soon as it shows progress: the second run's results stay, marked.
    const stage = await page.evaluate(() => new Promise((resolve) => {
      const progress = document.querySelector('#progress');
      const observer = new MutationObserver(() => {
        if (progress.dataset.stage) {
          observer.disconnect();
          document.querySelector('#cancel').click();
          resolve(progress.dataset.stage);
        }
      });
      observer.observe(progress, { attributes: true });
      document.querySelector('#run').click();
    }));
    assert.ok(stage);
    await page.waitForSelector('#run-status[data-state="cancelled"]');
    assert.equal(await page.textContent('#results-previous'), STRINGS.en['results.previous_unfinished']);
    assert.equal(await page.locator('#results-table tbody tr[data-kind="random_forest"]').count(), 1);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('the progress bar keeps moving through a run and the time left counts down', async () => {
  const ctx = await openPage(env, { url: `${env.server.url}#workers=2` });
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'random_forest', trees: 200 }, { kind: 'logistic_regression' }];
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    await page.dispatchEvent('#recipe-json', 'input');
    // Sample the bar and the time left every 100 ms from the first progress to the end.
    const samples = await page.evaluate(() => new Promise((resolve) => {
      const out = [];
      const progress = document.querySelector('#progress');
      const status = document.querySelector('#run-status');
      const t0 = performance.now();
      const timer = setInterval(() => {
        const state = status.dataset.state;
        out.push({ t: performance.now() - t0, stage: progress.dataset.stage ?? null, value: progress.value / progress.max, eta: document.querySelector('#run-eta').dataset.etaMs, state });
        if (state !== 'running') { clearInterval(timer); resolve(out); }
      }, 100);
      document.querySelector('#run').click();
    }));
    assert.equal(samples.at(-1).state, 'done');
    const models = samples.filter((x) => x.stage === 'models' && x.state === 'running');
    const first = models.findIndex((x) => x.value > 0);
    assert.ok(first >= 0, 'the bar moved');
    const moving = models.slice(first);
    // Over every second of the run the bar moves (slowly when the parts being computed take
    // longer than estimated: it never passes their end before the core says they are done).
    for (let i = 0; i < moving.length; i++) {
      const j = moving.findIndex((x) => x.t >= moving[i].t + 1000);
      if (j < 0 || moving[i].value >= 1) break;
      assert.ok(moving[j].value > moving[i].value,
        `the bar stood still from ${Math.round(moving[i].t)} to ${Math.round(moving[j].t)} ms (${moving[i].value} → ${moving[j].value})`);
    }
    for (let i = 1; i < moving.length; i++) assert.ok(moving[i].value >= moving[i - 1].value, 'the bar never goes back');
    const etas = moving.map((x) => Number(x.eta)).filter((x) => Number.isFinite(x) && x > 0);
    assert.ok(etas.length > 0, 'a time left is shown');
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('before Run the Train step shows the estimated time per phase and warns of a wide one-hot, in both languages', async () => {
  for (const [lang, locale] of [['en', 'en-US'], ['zh', 'zh-CN']]) {
    const ctx = await openPage(env, { locale });
    const { page } = ctx;
    const S = STRINGS[lang];
    try {
      await loadDemo(page);
      // The suggested recipe: an estimate appears without pressing Run, with the phases.
      await page.waitForSelector('#run-estimate[data-status="done"] .estimate-total', { timeout: 60_000 });
      const total = await page.textContent('#run-estimate .estimate-total');
      const prefix = S['estimate.total'].split('{')[0];
      assert.ok(total.startsWith(prefix), `${lang}: ${total}`);
      assert.ok(Number(await page.getAttribute('#run-estimate', 'data-total-ms')) > 0);
      assert.ok(await page.locator('#run-estimate li[data-phase="fit"]').count() === 1, `${lang}: no fit phase`);
      const fitText = await page.textContent('#run-estimate li[data-phase="fit"]');
      assert.ok(fitText.startsWith(S['phase.fit']), `${lang}: ${fitText}`);
      assert.equal(await page.locator('#run-estimate .estimate-warning').count(), 0);
      assert.equal(await page.locator('#results-table').count(), 0, 'nothing ran');
      // A file with a 900-value `city` one-hot encoded without a cap: hundreds of inputs,
      // warned before Run.
      let csv = 'age,city,y\n';
      for (let i = 0; i < 1200; i++) csv += `${20 + (i * 7) % 60},T${(i * 37) % 900},${i % 3 === 0 ? 1 : 0}\n`;
      await page.setInputFiles('#file-input', { name: 'cities.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.waitForFunction(() => document.querySelector('#load-status')?.dataset.state === 'ok'
        && document.querySelectorAll('#profile-table tbody tr').length === 3, null, { timeout: 30_000 });
      const recipe = {
        version: 1, seed: 1, target: 'y', features: [{ op: 'one_hot', max_categories: 0 }],
        models: [{ kind: 'logistic_regression' }], evaluation: { method: 'holdout' },
      };
      await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
      await page.dispatchEvent('#recipe-json', 'input');
      await page.waitForSelector('#run-estimate .estimate-warning[data-code="many_inputs"]', { timeout: 60_000 });
      const warning = await page.textContent('#run-estimate .estimate-warning[data-code="many_inputs"]');
      assert.ok(warning.includes('city'), `${lang}: ${warning}`);
      assert.ok(warning.startsWith(S['estimate.warning.many_inputs'].split('{')[0]), `${lang}: ${warning}`);
      assert.equal(await page.locator('#run-estimate .estimate-memory').count(), 0, 'a small copy: every worker');
      // 12,000 rows one-hot encoded into 6,000 inputs: a worker's copy of a split's matrix is
      // about 550 MB, two of them over the pool's budget: the run will use one worker, said
      // before Run, and the time is estimated for one.
      csv = 'age,code,y\n';
      for (let i = 0; i < 12_000; i++) csv += `${20 + (i * 7) % 60},K${i % 6000},${i % 3 === 0 ? 1 : 0}\n`;
      await page.setInputFiles('#file-input', { name: 'codes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.waitForFunction(() => document.querySelector('#load-status')?.dataset.state === 'ok'
        && document.querySelector('#profile-summary')?.dataset.rows === '12000', null, { timeout: 30_000 });
      const folds = { ...recipe, evaluation: { method: 'stratified_kfold', folds: 2 } }; // two units
      await page.fill('#recipe-json', JSON.stringify(folds, null, 2));
      await page.dispatchEvent('#recipe-json', 'input');
      await page.waitForSelector('#run-estimate .estimate-memory', { timeout: 60_000 });
      const memory = await page.textContent('#run-estimate .estimate-memory');
      assert.ok(memory.startsWith(S['estimate.memory'].split('{')[0]), `${lang}: ${memory}`);
      const mb = Number(/([\d,]+)\s*MB/.exec(memory)?.[1].replace(/,/g, ''));
      assert.ok(mb > 512 && mb < 1024, `${lang}: ${memory}`);
      const estimated = await page.textContent('#run-estimate .estimate-total');
      const [before, rest] = S['estimate.total'].split('{workers}');
      assert.ok(estimated.includes(`${before.slice(-5)}1${rest.slice(0, 5)}`), `${lang}: estimated with one worker: ${estimated}`);
      await page.locator('#run-estimate').screenshot({ path: join(ARTIFACTS, `estimate-memory-${lang}.png`) });
      assert.equal(await page.locator('#results-table').count(), 0, 'still nothing ran');
      assert.deepEqual(ctx.problems, []);
    } finally {
      await ctx.close();
    }
  }
});
