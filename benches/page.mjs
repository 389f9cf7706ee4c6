// Timings in the real page (Debian Chromium, headless): the default recipe on 569 x 30 with a pool
// of 1 and of 2 workers, and parse + profile of the 1,000,000 x 31 file picked in the page.
// Run `npm run bench` first (it generates the data into target/bench/full), then:
//   node benches/page.mjs            (uses target/bench/full; --quick uses target/bench/quick)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib.mjs';
import { openPage, startEnvironment } from '../tests/e2e/helpers.mjs';

const DATA = join(ROOT, 'target', 'bench', process.argv.includes('--quick') ? 'quick' : 'full');
const KINDS = ['logistic_regression', 'decision_tree', 'random_forest', 'gradient_boosting', 'naive_bayes'];
const RECIPE = {
  version: 1, seed: 7, target: 'y',
  features: [{ op: 'impute', strategy: 'median' }, { op: 'scale', method: 'standard' }],
  models: KINDS.map((kind) => ({ kind })),
  evaluation: { method: 'stratified_kfold', folds: 5 },
};

async function pick(page, path, rows) {
  const t0 = Date.now();
  await page.setInputFiles('#file-input', path);
  await page.waitForFunction((n) => document.querySelector('#profile-summary')?.dataset.rows === String(n)
    || document.querySelector('#load-status')?.dataset.state === 'error', rows, { timeout: 600_000 });
  if ((await page.getAttribute('#load-status', 'data-state')) === 'error') throw new Error(await page.textContent('#load-status'));
  return (Date.now() - t0) / 1000;
}

async function runOnce(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const status = document.querySelector('#run-status');
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
      if (status.dataset.state === 'done') { observer.disconnect(); resolve((performance.now() - t0) / 1000); }
      if (status.dataset.state === 'error') { observer.disconnect(); reject(new Error(status.textContent)); }
    });
    observer.observe(status, { attributes: true, childList: true, subtree: true });
    document.querySelector('#run').click();
  }));
}

const env = await startEnvironment();
try {
  const rows = [];
  for (const workers of [1, 2]) {
    const ctx = await openPage(env, { url: `${env.server.url}#workers=${workers}` });
    const { page } = ctx;
    await pick(page, join(DATA, 'cancer.csv'), 569);
    await page.fill('#recipe-json', JSON.stringify(RECIPE, null, 2));
    await page.dispatchEvent('#recipe-json', 'input');
    const times = [];
    for (let i = 0; i < 3; i++) times.push(await runOnce(page));
    times.sort((a, b) => a - b);
    rows.push(`| default recipe (5 models, stratified 5-fold), 569 x 30 | ${workers} | ${times[1].toFixed(2)} s (median of 3) |`);
    await ctx.close();
  }
  const wide = join(DATA, 'wide.csv');
  if (existsSync(wide)) {
    const ctx = await openPage(env);
    const n = process.argv.includes('--quick') ? 100_000 : 1_000_000;
    const seconds = await pick(ctx.page, wide, n);
    rows.push(`| parse + profile ${n.toLocaleString('en')} x 31, picked in the page | 1 | ${seconds.toFixed(2)} s |`);
    await ctx.close();
  }
  console.log('| workload | workers | time in the page |\n|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  await env.close();
}
