// The network indicator counts the requests the browser records after start-up: 0 for a file the
// user picks and a full run; 1 (same origin) once the demo data is fetched.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WWW, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

test('network indicator: 0 requests after start-up through a whole run on a picked file', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    const count = () => page.getAttribute('#network', 'data-count');
    assert.equal(await count(), '0');
    // The service worker's one-time copy of the app for offline use happens at start-up too.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForTimeout(200);
    const before = ctx.requests.length;
    const csv = readFileSync(join(WWW, 'demo', 'patients.csv'));
    await page.setInputFiles('#file-input', { name: 'picked.csv', mimeType: 'text/csv', buffer: csv });
    await page.waitForFunction(() => document.querySelector('#profile-summary')?.dataset.rows === '1000');
    await page.click('#run');
    await waitForResults(page, ['logistic_regression', 'decision_tree']);
    assert.equal(ctx.requests.length, before, 'the browser saw no request either');
    assert.equal(await count(), '0');
    assert.equal(await page.getAttribute('#network', 'data-state'), 'none');

    await loadDemo(page);
    await page.waitForFunction(() => document.querySelector('#network')?.dataset.count === '1');
    assert.equal(await page.getAttribute('#network', 'data-state'), 'local');
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
