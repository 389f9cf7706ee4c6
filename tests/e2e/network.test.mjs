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
  const ctx = await openPage(env, { serviceWorkers: 'allow' });
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

test('network indicator: sums every request of every worker as it happens, replaced workers included', async () => {
  const ctx = await openPage(env, { url: `${env.server.url}#workers=2`, serviceWorkers: 'allow' });
  const { page } = ctx;
  try {
    const count = () => page.getAttribute('#network', 'data-count');
    const csv = readFileSync(join(WWW, 'demo', 'patients.csv'));
    await page.setInputFiles('#file-input', { name: 'picked.csv', mimeType: 'text/csv', buffer: csv });
    await page.waitForFunction(() => document.querySelector('#profile-summary')?.dataset.rows === '1000');
    await page.click('#run');
    await waitForResults(page, ['logistic_regression', 'decision_tree']);
    assert.equal(await count(), '0');
    const first = page.workers();
    assert.equal(first.length, 2, 'the run used both workers of the pool');
    // A deliberate request from inside each worker, with no call to answer: each is counted as
    // it happens, and the indicator shows their sum (2), not the largest worker's count (1).
    const probe = (w, tag) => w.evaluate((t) => fetch(`demo/patients.csv?probe=${t}`).then((r) => r.text()).then((x) => x.length), tag);
    for (const [i, w] of first.entries()) assert.ok(await probe(w, `a${i}`) > 0);
    await page.waitForFunction(() => document.querySelector('#network')?.dataset.count === '2', null, { timeout: 10_000 });

    // Cancel a run: the workers are replaced; what the old ones did still counts. (Starting a
    // replacement fetches worker.js and its import pkg/bedside.js, which the browser records in
    // the page's timeline: counted too, as the page's.)
    await page.click('#run');
    await page.waitForFunction(() => !document.querySelector('#cancel').disabled);
    await page.click('#cancel');
    await page.waitForFunction(() => document.querySelector('#cancel').disabled);
    await page.click('#run');
    await waitForResults(page, ['logistic_regression', 'decision_tree']);
    const pageUrls = async () => (await page.getAttribute('#network', 'title')).split('\n').filter((u) => /^https?:/.test(u));
    assert.ok((await pageUrls()).every((u) => /\/(worker|pkg\/bedside)\.js$/.test(new URL(u).pathname)), (await pageUrls()).join(' '));
    assert.equal(Number(await count()), 2 + (await pageUrls()).length, 'replaced workers keep their requests in the count');
    const fresh = page.workers().filter((w) => !first.includes(w));
    assert.ok(fresh.length >= 1, 'a fresh worker replaced a cancelled one');
    assert.ok(await probe(fresh[0], 'b') > 0);
    const expected = String(3 + (await pageUrls()).length);
    await page.waitForFunction((n) => document.querySelector('#network')?.dataset.count === n, expected, { timeout: 10_000 });
    assert.equal(await page.getAttribute('#network', 'data-state'), 'local');
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
  } finally {
    await ctx.close();
  }
});
