// The one-file build (dist/bedside.html, made by `npm run build`) opened from disk: the whole
// flow works with no server, and the page makes no request at all beyond its own file; it has no
// columnar module, and a dropped Parquet file is refused saying so.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { ROOT, WWW, loadDemo, metricMean, openPage, parseCsv, startEnvironment, waitForResults } from './helpers.mjs';

const FILE = join(ROOT, 'dist', 'bedside.html');
let env;

before(async () => {
  assert.ok(existsSync(FILE), 'dist/bedside.html is missing: run `npm run build`');
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

test('single file: CSP forbids every connection and allows only its own inline code', () => {
  const html = readFileSync(FILE, 'utf8');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  assert.match(csp, /connect-src 'none'/);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|https?:/);
  assert.doesNotMatch(html, /(?:src|href)="(?!#|data:)/, 'no reference to another file');
});

test('single file: opened from disk, the demo flow runs with no request beyond the file', async () => {
  const url = pathToFileURL(FILE).href;
  const ctx = await openPage(env, { url });
  const { page } = ctx;
  try {
    await loadDemo(page);
    assert.equal(await page.locator('#profile-table tbody tr').count(), 16);
    await page.click('#run');
    await waitForResults(page, ['logistic_regression', 'decision_tree']);
    assert.ok(await metricMean(page, 'logistic_regression', 'roc_auc') > 0.6);
    await ctx.shot('single-file-results');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const masked = await readFile(await download.path(), 'utf8');
    const original = parseCsv(readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8'));
    const header = original[0];
    const nameAt = header.indexOf('patient_name');
    const mrnAt = header.indexOf('mrn');
    for (const row of original.slice(1)) {
      if (row.length !== header.length) continue;
      assert.ok(!masked.includes(row[nameAt]), 'a patient name survived masking');
      // As a whole token: a pseudonym is 16 random hex digits, which now and then hold some
      // other patient's 8-digit number by chance (the flake this replaced).
      assert.ok(!new RegExp(`(?<![0-9a-zA-Z])${row[mrnAt]}(?![0-9a-zA-Z])`).test(masked), 'a record number survived masking');
    }
    // The one file has no columnar module: a Parquet file is refused, and the page says why.
    await page.setInputFiles('#file-input', {
      name: 'same.snappy.parquet', mimeType: 'application/vnd.apache.parquet',
      buffer: readFileSync(join(ROOT, 'tests', 'data', 'same.snappy.parquet')),
    });
    await page.waitForFunction(() => /same\.snappy\.parquet: Parquet and Arrow files need the page's columnar module/
      .test(document.querySelector('#load-status')?.textContent ?? ''), null, { timeout: 30_000 });
    const foreign = ctx.requests.filter((u) => !(u === url || u.startsWith('blob:') || u.startsWith('data:')));
    assert.deepEqual(foreign, [], 'requests beyond the file itself');
    assert.deepEqual(ctx.problems, [], 'console errors (CSP violations show here) or page errors');
  } finally {
    await ctx.close();
  }
});
