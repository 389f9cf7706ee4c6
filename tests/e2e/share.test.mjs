// A recipe travels as a link (#recipe=...), never data: make a link, open it, load data, run it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const decode = (link) => JSON.parse(Buffer.from(new URL(link).hash.replace(/^#recipe=/, ''), 'base64url').toString('utf8'));

test('share link: holds the recipe (without keys), and opening it applies the recipe to loaded data', async () => {
  const ctx = await openPage(env);
  let page = ctx.page;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'decision_tree', max_depth: 3 }];
    recipe.evaluation = { method: 'stratified_kfold', folds: 3 };
    // Mask `phone` with a keyed pseudonym instead of whatever was suggested for it.
    for (const step of recipe.privacy) {
      if (Array.isArray(step.columns)) step.columns = step.columns.filter((c) => c !== 'phone');
    }
    recipe.privacy = recipe.privacy.filter((s) => s.column !== 'phone' && (!Array.isArray(s.columns) || s.columns.length));
    recipe.privacy.push({ op: 'pseudonymize', columns: ['phone'], key: 'do-not-share-me' });
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 1));
    await page.dispatchEvent('#recipe-json', 'input');
    await page.click('#share-recipe');
    const link = await page.inputValue('#share-link');
    assert.match(link, /#recipe=/);
    const shared = decode(link);
    assert.deepEqual(shared.models, recipe.models);
    assert.ok(shared.privacy.every((s) => !('key' in s)), 'keys never travel in a link');
    assert.ok(!link.includes('do-not-share-me'));
    const demoText = await page.evaluate(() => fetch('demo/patients.csv').then((r) => r.text()));
    const someName = demoText.split('\n')[1].split(',')[0];
    assert.ok(!decodeURIComponent(link).includes(someName), 'no data value in the link');

    await page.goto(link);
    await page.waitForSelector('body[data-ready="true"]');
    await loadDemo(page);
    const applied = JSON.parse(await page.inputValue('#recipe-json'));
    assert.deepEqual(applied.models, recipe.models);
    await page.click('#run');
    await waitForResults(page, ['decision_tree']);
    assert.equal(await page.locator('#results-table tbody tr[data-kind="logistic_regression"]').count(), 0);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
