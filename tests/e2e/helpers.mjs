// Shared helpers for the browser end-to-end tests: the in-process server, headless Chromium,
// request recording, screenshots and a small quote-aware CSV parser.
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The folder served; BEDSIDE_E2E_WWW lets a developer point the suite at another build. */
export const WWW = process.env.BEDSIDE_E2E_WWW || join(ROOT, 'www');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// The page merges i18n/LANG.json with one file per area (see STRING_PARTS in app.js).
const STRING_PARTS = ['', '.privacy', '.features', '.models', '.app', '.msg', '.survival'];
const strings = (lang) =>
  Object.assign({}, ...STRING_PARTS.map((part) => readJson(join(ROOT, 'www', 'i18n', `${lang}${part}.json`))));

export const STRINGS = { en: strings('en'), zh: strings('zh') };

/** Parse CSV text (RFC 4180: quoted fields, doubled quotes, CRLF, newlines inside quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Start the server and the browser once per test file. */
export async function startEnvironment() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer({ root: WWW, port: 0 });
  const origin = new URL(server.url).origin;
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    origin,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/**
 * A fresh context + page that records every request and every console error / page error.
 * `lang` sets the browser's locale (the page picks its language from it). `serviceWorkers`:
 * 'block' (the default) keeps the page's service worker from installing, which in every fresh
 * context would fetch and store the whole app (61 files, 18 MB of wasm) and then copy every
 * response into its cache; the tests of offline use and of the network indicator pass 'allow'.
 */
export async function openPage(env, { locale = 'en-US', url = env.server.url, initScript = null, serviceWorkers = 'block' } = {}) {
  const context = await env.browser.newContext({
    acceptDownloads: true, locale, viewport: { width: 1280, height: 900 }, serviceWorkers,
  });
  // Runs before the page's own scripts (e.g. `globalThis.BEDSIDE_NO_SIMD = true`).
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('request', (r) => requests.push(r.url()));
  page.on('worker', (w) => requests.push(w.url()));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return {
    page,
    requests,
    problems,
    async shot(name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    close: () => context.close(),
  };
}

/** Every recorded URL stays on the server's origin (blob: and data: are local). */
export function foreignRequests(requests, origin) {
  return requests.filter((u) => {
    if (u.startsWith('blob:') || u.startsWith('data:')) return false;
    try {
      return new URL(u).origin !== origin;
    } catch {
      return true;
    }
  });
}

/** Click "Load demo data" and wait until the profile table is filled. */
export async function loadDemo(page) {
  await page.click('#load-demo');
  await page.waitForFunction(() => document.querySelector('#load-status')?.dataset.state === 'error'
    || (document.querySelectorAll('#profile-table tbody tr').length > 0
      && !document.querySelector('#profile-section').hidden), null, { timeout: 30_000 });
  if ((await page.getAttribute('#load-status', 'data-state')) === 'error') {
    throw new Error(`loading the demo data failed: ${await page.textContent('#load-status')}`);
  }
}

/**
 * Wait until a run has finished and the results table lists every model kind given (not the
 * previous run's results, which the page keeps, marked, while a new run goes on).
 */
export async function waitForResults(page, kinds, timeout = 60_000) {
  await page.waitForFunction((ks) => {
    const status = document.querySelector('#run-status')?.dataset.state;
    if (status === 'error') return true;
    if (status === 'running' || document.querySelector('#results-previous')) return false;
    return ks.every((k) => document.querySelector(`#results-table tbody tr[data-kind="${k}"]`));
  }, kinds, { timeout });
  const state = await page.getAttribute('#run-status', 'data-state');
  if (state === 'error') throw new Error(`run failed: ${await page.textContent('#run-status')}`);
}

/** The mean of a metric shown in the results table, as a number (NaN when shown as "—"). */
export async function metricMean(page, kind, metric) {
  const v = await page.getAttribute(`#results-table tr[data-kind="${kind}"] td[data-metric="${metric}"]`, 'data-value');
  return v === null || v === '' ? NaN : Number(v);
}

/** Click `selector` and read the file it downloads: `{name, text}`. */
export async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: dl.suggestedFilename(), text: await readFile(await dl.path(), 'utf8') };
}

/** Wait until a preview newer than `version` has rendered and none is pending; its version. */
export async function previewAfter(page, version) {
  await page.waitForFunction((v) => {
    const m = document.querySelector('#risk-meter');
    return Number(m?.dataset.version) > v && m?.dataset.pending === 'false';
  }, version, { timeout: 60_000 });
  return Number(await page.getAttribute('#risk-meter', 'data-version'));
}
