// Browser end-to-end for the evaluation views of the model results: the cost of privacy
// (original vs masked data) on the demo run, a numeric target's predicted-vs-actual scatter and
// residual histogram, and the hyper-parameters a nested search chose.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

async function runRecipe(page, recipe, kinds, name) {
  await page.setInputFiles('#upload-recipe', {
    name: `${name}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
  });
  await waitForResults(page, kinds, 180_000);
  await page.waitForSelector('#model-results');
}

test('the demo run with privacy steps shows what privacy costs, original vs masked', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.ok(recipe.privacy.length > 0, 'the demo recipe has privacy steps');
    recipe.models = [{ kind: 'logistic_regression' }, { kind: 'decision_tree', max_depth: 4 }];
    await runRecipe(page, recipe, ['logistic_regression', 'decision_tree'], 'demo');
    await page.waitForSelector('#original-table');
    assert.equal(await page.getAttribute('#original-view', 'data-evaluated'), 'true');
    // Two metrics per model; the difference is masked − original.
    assert.equal(await page.locator('#original-table tbody tr').count(), 4);
    for (const kind of ['logistic_regression', 'decision_tree']) {
      const row = page.locator(`#original-table tr[data-kind="${kind}"][data-metric="roc_auc"]`);
      const value = async (col) => Number(await row.locator(`td[data-col="${col}"]`).getAttribute('data-value'));
      const [o, m, d] = [await value('original'), await value('masked'), await value('difference')];
      assert.ok(o > 0.5 && o <= 1 && m > 0.5 && m <= 1, `${kind}: original ${o}, masked ${m}`);
      assert.ok(Math.abs(d - (m - o)) < 1e-9, `${kind}: ${d} = ${m} − ${o}`);
      // The masked value is the one in the comparison table (mean over the splits).
      const mean = Number(await page.getAttribute(`#results-table tr[data-kind="${kind}"] td[data-metric="roc_auc"]`, 'data-value'));
      assert.ok(Math.abs(mean - m) < 1e-12, `${kind}: ${mean} vs ${m}`);
    }
    await page.locator('#original-view').scrollIntoViewIfNeeded();
    await ctx.shot('20-original-vs-masked');
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match(await page.textContent('#original-view h4'), /隐私的代价/);
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('a numeric lab value as target: scatter, residuals and a nested search with its choices', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    // Predict HbA1c (a lab value) instead of readmission.
    for (const [c, role] of Object.entries(recipe.columns || {})) if (role === 'target') delete recipe.columns[c];
    recipe.columns.readmitted_30d = 'ignore';
    recipe.target = 'hba1c';
    delete recipe.positive;
    recipe.models = [
      { kind: 'ridge' },
      { kind: 'gradient_boosting', max_iter: 30, search: { method: 'grid', grid: { max_depth: [1, 3], learning_rate: [0.1, 0.3] }, folds: 3 } },
    ];
    recipe.evaluation = { method: 'kfold', folds: 4, compare_original: false };
    await runRecipe(page, recipe, ['ridge', 'gradient_boosting'], 'hba1c');
    assert.equal(await page.getAttribute('#model-results', 'data-task'), 'regression');
    assert.equal(await page.locator('#original-view').count(), 0, 'compare_original: false');

    // Comparison table: R², RMSE and MAE with intervals.
    for (const metric of ['r2', 'rmse', 'mae']) {
      const cell = page.locator(`#compare-table tr[data-kind="ridge"] td[data-metric="${metric}"]`);
      const [lo, hi] = (await cell.getAttribute('data-ci')).split(',').map(Number);
      const v = Number(await cell.getAttribute('data-value'));
      assert.ok(lo <= v && v <= hi, `${metric}: ${lo} ≤ ${v} ≤ ${hi}`);
    }
    // Scatter of every out-of-fold prediction (the demo has ~1,000 rows, under the 2,000 cap)
    // and a 20-bin residual histogram, each with a text alternative.
    const points = await page.locator('#scatter-chart circle.point').count();
    assert.ok(points > 900 && points <= 2000, `${points} points`);
    assert.equal(await page.locator('#residual-chart rect.bar').count(), 20);
    assert.match(await page.textContent('#scatter-chart desc'), /R²/);
    assert.ok((await page.textContent('#regression-view figcaption')).length > 20);

    // The search: chosen values per split and most often, chosen inside the training folds.
    const row = page.locator('#search-table tr[data-kind="gradient_boosting"]');
    assert.match(await row.locator('td[data-col="most"]').textContent(), /learning_rate = 0\.[13], max_depth = [13]/);
    assert.equal(await row.locator('td[data-col="splits"] li').count(), 4);
    assert.match(await row.locator('td[data-col="how"]').textContent(), /4 candidates/);
    assert.equal(await page.locator('#search-table tr[data-kind="ridge"]').count(), 0);
    await page.selectOption('#detail-model', '1');
    await page.waitForSelector('#regression-view[data-kind="gradient_boosting"]');
    await page.locator('#search-view').scrollIntoViewIfNeeded();
    await ctx.shot('21-regression-search');
    await page.locator('#regression-view').scrollIntoViewIfNeeded();
    await ctx.shot('22-regression-charts');
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
