// Timings in the real page (Debian Chromium, headless): the default recipe on 569 x 30 with a pool
// of 1 and of 2 workers, and parse + profile of the 1,000,000 x 31 file picked in the page, with
// the peak resident memory the renderer processes (page and workers) added while doing it.
// Run `npm run bench` first (it generates the data into target/bench/full), then:
//   node benches/page.mjs            (uses target/bench/full; --quick uses target/bench/quick)
//
// `pageEndToEnd` is the page's part of the end-to-end section of `npm run bench`
// (benches/compare.mjs): what a user does, timed by phase, with the pool of all cores.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../scripts/lib.mjs';
import { openPage, startEnvironment } from '../tests/e2e/helpers.mjs';

const DATA = join(ROOT, 'target', 'bench', process.argv.includes('--quick') ? 'quick' : 'full');
const KINDS = ['logistic_regression', 'decision_tree', 'random_forest', 'gradient_boosting', 'naive_bayes'];
const RECIPE = {
  version: 1, seed: 7, target: 'y',
  features: [{ op: 'impute', strategy: 'median' }, { op: 'scale', method: 'standard' }],
  models: KINDS.map((kind) => (kind === 'decision_tree' ? { kind, max_depth: 5 } : { kind })),
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

/** Resident memory of Chromium's renderer processes (the tab: the page and its workers) and of
 * its browser process (which holds Blob data: a run's masked table and predictions), in bytes. */
function chromiumRss() {
  const rss = { tab: 0, browser: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/i.test(cmd)) continue;
      const renderer = cmd.includes('--type=renderer');
      if (cmd.includes('--type=') && !renderer) continue;
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      rss[renderer ? 'tab' : 'browser'] += Number(kb ?? 0) * 1024;
    } catch { /* the process ended */ }
  }
  return rss;
}

/** Runs `work` while sampling the memory of the renderers and the browser process; its result
 * and the peaks above the start: of both together (`added`), of the renderers alone (`tab`)
 * and of the browser process alone (`browser`). */
async function withPeakMemory(work) {
  const base = chromiumRss();
  const peak = { added: 0, tab: 0, browser: 0 };
  const sample = () => {
    const now = chromiumRss();
    const tab = now.tab - base.tab;
    const browser = now.browser - base.browser;
    peak.added = Math.max(peak.added, tab + browser);
    peak.tab = Math.max(peak.tab, tab);
    peak.browser = Math.max(peak.browser, browser);
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    return { result, ...peak };
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
        // "… on N worker(s)": the workers the run used (fewer than the pool's for a large table).
        const used = Number(/(\d+)\s*worker/.exec(status.textContent)?.[1] ?? NaN);
        resolve({ seconds: (performance.now() - t0) / 1000, pool, workers: used });
      }
      if (status.dataset.state === 'error') { observer.disconnect(); reject(new Error(status.textContent)); }
    });
    observer.observe(status, { attributes: true, childList: true, subtree: true });
    document.querySelector('#run').click();
  }));
}


/** The Report of the page's last run, through its "download report" button. */
async function downloadedReport(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
  const path = await download.path();
  return JSON.parse(readFileSync(path, 'utf8'));
}

const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
const fmt = (x) => (x == null || Number.isNaN(x) ? '?' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const phases = (t) => [
  ...Object.entries(t).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k.replace(/_ms$/, '')} ${fmt(v / 1000)}`),
  ...(t.phases ?? []).map((ph) => `${ph.phase} ${fmt(ph.ms / 1000)}`),
].join(', ');

/** The whole of what a user does in the page on `file` (rows × 31): pick it, wait for the
 * profile and the suggested recipe, optionally replace the recipe, run it; time per phase and
 * the peak resident memory the page and its workers added, as markdown table rows. */
export async function userRun(env, { file, rows, recipe, label, workers }) {
  const ctx = await openPage(env, { url: `${env.server.url}#workers=${workers}` });
  try {
    const { page } = ctx;
    const { result, added, tab, browser } = await withPeakMemory(async () => {
      const load = await pick(page, file, rows);
      await page.waitForFunction(() => document.querySelector('#recipe-json')?.value.includes('"models"'), null, { timeout: 600_000 });
      if (recipe) {
        await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
        await page.dispatchEvent('#recipe-json', 'input');
      }
      const used = JSON.parse(await page.inputValue('#recipe-json'));
      const run = await runOnce(page);
      return { load, run, used };
    });
    const report = await downloadedReport(page);
    const matrix = rows * 31 * 8;
    const models = report.models.map((m) => `${m.kind}: ${phases(m.timings)}`).join('; ');
    const what = `${label}: ${result.used.models.map((m) => m.kind + (m.max_depth ? ` (max_depth ${m.max_depth})` : '')).join(' + ')}, ${result.used.evaluation.method}`;
    const total = result.load + result.run.seconds;
    return {
      total,
      row: [what, Number.isFinite(result.run.workers) && result.run.workers !== workers ? `${result.run.workers} of ${workers}` : String(workers), `${fmt(result.load)} s`, `${fmt(result.run.seconds)} s (pool ${fmt(result.run.pool)} s)`, `${fmt(total)} s`,
        `+${mib(added)} MiB = ${(added / matrix).toFixed(2)}× the f64 matrix (the tab alone +${mib(tab)} MiB = ${(tab / matrix).toFixed(2)}×; the browser process +${mib(browser)} MiB)`, `run ${phases(report.timings)}; ${models}`],
    };
  } finally {
    await ctx.close();
  }
}

/** The end-to-end rows of `npm run bench`: the table in markdown. */
export async function pageEndToEnd({ data, sizes }) {
  const env = await startEnvironment();
  const workers = Math.min(4, availableParallelism());
  try {
    const rows = [];
    const e2e = { version: 1, seed: 7, target: 'y', features: [], models: [{ kind: 'random_forest' }, { kind: 'gradient_boosting' }], evaluation: { method: 'holdout' } };
    rows.push((await userRun(env, { file: join(data, 'train.csv'), rows: sizes.train, recipe: e2e, label: `${sizes.train.toLocaleString('en')} × 30, the recipe of the native row`, workers })).row);
    rows.push((await userRun(env, { file: join(data, 'wide.csv'), rows: sizes.wide, recipe: null, label: `${sizes.wide.toLocaleString('en')} × 30, the suggested recipe as it comes`, workers })).row);
    return ['| what | workers | load + profile + suggested recipe on screen | run | total | peak memory added (renderers and browser process; the tab: the renderers) | the Report\'s timings (s) |',
      '|---|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  } finally {
    await env.close();
  }
}

async function standalone() {
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
      const { result: seconds, tab: added } = await withPeakMemory(() => pick(ctx.page, wide, n));
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await standalone();
