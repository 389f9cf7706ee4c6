// Timings in the real page (Debian Chromium, headless): the default recipe on 569 x 30 with a pool
// of 1 and of 2 workers, and parse + profile of the 1,000,000 x 31 file picked in the page, with
// the peak resident memory the renderer processes (page and workers) added while doing it.
// Run `npm run bench` first (it generates the data into target/bench/full), then:
//   node benches/page.mjs            (uses target/bench/full; --quick uses target/bench/quick)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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

/** Resident memory of Chromium's renderer processes (the page and its workers), in bytes. */
function rendererRss() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch { /* the process ended */ }
  }
  return total;
}

/** Runs `work` while sampling the renderers' memory; its result and the peak above the start. */
async function withPeakMemory(work) {
  const base = rendererRss();
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, rendererRss()); }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, rendererRss());
    return { result, added: peak - base };
  } finally {
    clearInterval(timer);
  }
}

async function runOnce(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const status = document.querySelector('#run-status');
    const t0 = performance.now();
    const observer = new MutationObserver(() => {
      if (status.dataset.state === 'done') {
        observer.disconnect();
        // The status says how long the pool took ("… in 0.84 s"); the rest is the messages
        // and the page's own work around it.
        const pool = Number(/(\d+(?:\.\d+)?)\s*s\b/.exec(status.textContent)?.[1] ?? NaN);
        resolve({ seconds: (performance.now() - t0) / 1000, pool });
      }
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
    times.sort((a, b) => a.seconds - b.seconds);
    const { seconds, pool } = times[1];
    rows.push(`| default recipe (5 models, stratified 5-fold), 569 x 30 | ${workers} | ${seconds.toFixed(2)} s (median of 3; ` +
      `of it ${pool.toFixed(2)} s in the pool: stage, units, finish) |`);
    await ctx.close();
  }
  const wide = join(DATA, 'wide.csv');
  if (existsSync(wide)) {
    // The pool of 2: worker 0 reads the file while worker 1 computes its SHA-256 fingerprint.
    const ctx = await openPage(env, { url: `${env.server.url}#workers=2` });
    const n = process.argv.includes('--quick') ? 100_000 : 1_000_000;
    const { result: seconds, added } = await withPeakMemory(() => pick(ctx.page, wide, n));
    const matrix = n * 31 * 8;
    rows.push(`| parse + profile ${n.toLocaleString('en')} x 31, picked in the page | 2 | ${seconds.toFixed(2)} s; ` +
      `peak renderer memory +${(added / 2 ** 20).toFixed(0)} MiB = ${(added / matrix).toFixed(2)}x the f64 matrix |`);
    await ctx.close();
  }
  console.log('| workload | workers | time in the page |\n|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  await env.close();
}
