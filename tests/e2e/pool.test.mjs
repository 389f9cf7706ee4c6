// The pool of workers: a run split across several workers gives the report of one worker, the
// wasm module is fetched (and compiled) once for all of them, and Cancel terminates every one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PATHS } from '../../scripts/lib.mjs';
import { after, before, test } from 'node:test';
import { foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';
import { withoutTimings } from '../common.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const MODELS = ['logistic_regression', 'decision_tree'];

/** `simd: false`: the page is told the browser has no wasm SIMD (the baseline module loads). */
async function reportWith(workers, { simd = true } = {}) {
  const initScript = simd ? null : 'globalThis.BEDSIDE_NO_SIMD = true;';
  const ctx = await openPage(env, { url: `${env.server.url}#workers=${workers}`, initScript });
  const { page } = ctx;
  try {
    await loadDemo(page);
    await page.click('#run');
    await waitForResults(page, MODELS);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const report = JSON.parse(await readFile(await download.path(), 'utf8'));
    // What each worker fetched itself (its own resource timeline): never the wasm module.
    const workerFetches = [];
    for (const w of page.workers()) {
      workerFetches.push(...await w.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)));
    }
    // The modules the page fetched, by file name.
    const pageWasm = await page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname.split('/').pop()).filter((name) => name.endsWith('.wasm')));
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
    return { report, workers: page.workers().length, workerFetches, pageWasm };
  } finally {
    await ctx.close();
  }
}

test('a run split across 3 workers gives the report of 1 worker; the module is fetched once', async () => {
  const one = await reportWith(1);
  const three = await reportWith(3);
  assert.equal(one.workers, 1);
  assert.equal(three.workers, 3);
  // Chromium has wasm SIMD: the SIMD build is the one fetched, once.
  assert.deepEqual(three.pageWasm, ['bedside_simd_bg.wasm'], 'the page fetched the SIMD module once');
  assert.deepEqual(three.workerFetches.filter((u) => u.endsWith('.wasm')), [], 'no worker fetched it: compiled once, handed over');
  assert.equal(three.report.evaluation.splits, 5);
  assert.deepEqual(withoutTimings(three.report), withoutTimings(one.report));
  // The fingerprint the page computed while worker 0 read the file, and handed to the others.
  const demo = await readFile(join(PATHS.www, 'demo', 'patients.csv'));
  assert.equal(three.report.input.sha256, createHash('sha256').update(demo).digest('hex'));
});

test('without wasm SIMD the page loads the baseline module, and its report is the SIMD one, bit for bit', async () => {
  const simd = await reportWith(2);
  const baseline = await reportWith(2, { simd: false });
  assert.deepEqual(simd.pageWasm, ['bedside_simd_bg.wasm']);
  assert.deepEqual(baseline.pageWasm, ['bedside_bg.wasm']);
  assert.equal(baseline.report.evaluation.splits, 5);
  assert.deepEqual(withoutTimings(baseline.report), withoutTimings(simd.report));
});

test('Cancel terminates every worker of the pool; the next run works', async () => {
  const ctx = await openPage(env, { url: `${env.server.url}#workers=2` });
  const { page } = ctx;
  try {
    await loadDemo(page);
    // A slower recipe: 300 trees per split, so that the cancel lands mid-run.
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'random_forest', trees: 300 }];
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    await page.dispatchEvent('#recipe-json', 'input');
    const workers = page.workers();
    assert.equal(workers.length, 2);
    const closed = workers.map((w) => new Promise((resolve) => w.once('close', () => resolve(true))));
    const seen = await page.evaluate(() => new Promise((resolve) => {
      const progress = document.querySelector('#progress');
      const status = document.querySelector('#run-status');
      const observer = new MutationObserver(() => {
        if (progress.dataset.stage === 'models' && progress.value > 0) {
          observer.disconnect();
          const eta = document.querySelector('#run-eta').textContent;
          document.querySelector('#cancel').click();
          resolve(`${progress.dataset.stage}; ${eta}`);
        } else if (['error', 'done'].includes(status.dataset.state)) {
          observer.disconnect();
          resolve(`${status.dataset.state}: ${status.textContent}`);
        }
      });
      observer.observe(progress, { attributes: true });
      observer.observe(status, { attributes: true, childList: true, subtree: true });
      document.querySelector('#run').click();
    }));
    // A split is done: the bar has moved and the time left is estimated from the pace so far.
    assert.match(seen, /^models; about \d+ s left$/);
    await page.waitForSelector('#run-status[data-state="cancelled"]');
    const all = await Promise.race([
      Promise.all(closed),
      new Promise((resolve) => setTimeout(() => resolve(null), 5000)),
    ]);
    assert.ok(all, 'every worker of the pool was terminated');
    assert.ok(await page.isHidden('#results-section'));

    // The next run works on a fresh pool (a quick recipe: the 300 trees were only there to be
    // cancelled).
    recipe.models = [{ kind: 'logistic_regression' }];
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    await page.dispatchEvent('#recipe-json', 'input');
    await page.click('#run');
    await waitForResults(page, ['logistic_regression'], 120_000);
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
  } finally {
    await ctx.close();
  }
});
