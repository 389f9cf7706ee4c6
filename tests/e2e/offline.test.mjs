// After one visit, the served page keeps working with the network gone (service worker).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

test('offline after the first visit: reload, load demo data and run with the network cut', async () => {
  const ctx = await openPage(env, { serviceWorkers: 'allow' });
  const { page } = ctx;
  try {
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active?.state;
    });
    await page.context().setOffline(true);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await loadDemo(page);
    await page.click('#run');
    await waitForResults(page, ['logistic_regression', 'decision_tree']);
    await ctx.shot('offline-results');
    assert.deepEqual(ctx.problems, []);
  } finally {
    await page.context().setOffline(false);
    await ctx.close();
  }
});
