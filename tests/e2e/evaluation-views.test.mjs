// Browser end-to-end for the evaluation views of the model results: the cost of privacy
// (original vs masked data) on the demo run, a numeric target's predicted-vs-actual scatter and
// residual histogram, the hyper-parameters a nested search chose, and the clinical evaluation
// (calibration with intervals and band, decision curves, sample size) in English and Chinese.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { STRINGS, WWW, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

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

test('evaluation-view.js: same-origin code, and every string it uses exists in en and zh', () => {
  const js = readFileSync(join(WWW, 'evaluation-view.js'), 'utf8');
  assert.doesNotMatch(js, /https?:\/\//);
  const keys = [...js.matchAll(/\bt\('([a-z0-9_.]+)'/g)].map((m) => m[1]);
  assert.ok(keys.length > 25, `evaluation-view.js uses ${keys.length} strings`);
  for (const k of keys) {
    assert.ok(k in STRINGS.en, `en lacks ${k}`);
    assert.ok(k in STRINGS.zh, `zh lacks ${k}`);
  }
  for (const k of ['slope', 'intercept', 'ece', 'ici', 'brier', 'brier_scaled']) assert.ok(`calib.${k}` in STRINGS.zh);
  for (const k of ['shrinkage', 'optimism', 'intercept']) assert.ok(`samplesize.criterion_${k}` in STRINGS.zh);
});

test('calibration with band and intervals, decision curves and sample size, in en and zh', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    const kinds = ['logistic_regression', 'decision_tree'];
    recipe.models = [{ kind: 'logistic_regression' }, { kind: 'decision_tree', max_depth: 4 }];
    recipe.evaluation = { method: 'stratified_kfold', folds: 5, compare_original: false, permutation_repeats: 0 };
    await runRecipe(page, recipe, kinds, 'clinical');
    await page.waitForSelector('#evaluation-views');

    // Calibration: one banded curve per model, and six measures with 95% intervals.
    assert.equal(await page.locator('#calib-chart polyline.series').count(), 2);
    assert.equal(await page.locator('#calib-chart polygon.band').count(), 2);
    assert.equal(await page.getAttribute('#calib-chart', 'aria-describedby'), 'calib-desc');
    for (const kind of kinds) {
      const slope = page.locator(`#calib-table tr[data-kind="${kind}"] td[data-measure="slope"]`);
      const v = Number(await slope.getAttribute('data-value'));
      assert.ok(v > 0 && v < 5, `${kind}: slope ${v}`);
      assert.match(await slope.textContent(), /^-?\d\.\d{3} \(-?\d\.\d{3}–-?\d\.\d{3}\)$/);
      const brier = Number(await page.getAttribute(`#calib-table tr[data-kind="${kind}"] td[data-measure="brier"]`, 'data-value'));
      assert.ok(brier > 0 && brier < 0.25, `${kind}: brier ${brier}`);
    }
    assert.match(await page.textContent('#calib-desc'), /slope/);

    // Decision curves: both models, treat all and treat none, ranges under the axis, described.
    assert.equal(await page.locator('#dca-chart polyline.series').count(), 2);
    assert.equal(await page.locator('#dca-chart polyline.treat-all').count(), 1);
    assert.equal(await page.locator('#dca-chart line.treat-none').count(), 1);
    assert.ok(await page.locator('#dca-chart rect.benefit-range').count() >= 1, 'the logistic model beats both somewhere');
    assert.equal(await page.locator('#dca-ranges li').count(), 2);
    assert.match(await page.textContent('#dca-desc'), /thresholds? 0\.\d\d/);

    // Sample size: three criteria, the required size is the largest.
    const ns = (await page.locator('#samplesize-criteria td').allTextContents()).map((x) => Number(x.replace(/[^\d]/g, '')));
    assert.equal(ns.length, 3);
    const required = Number((await page.textContent('#samplesize dd[data-field="required"]')).replace(/[^\d]/g, ''));
    assert.equal(required, Math.max(...ns));
    assert.match(await page.textContent('#samplesize-verdict'), /criteria|records/);

    await page.locator('#evaluation-views').scrollIntoViewIfNeeded();
    await ctx.shot('23-calibration-decision-en');
    await page.locator('#samplesize').scrollIntoViewIfNeeded();
    await ctx.shot('24-sample-size-en');

    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match(await page.textContent('#calib-heading'), /校准/);
    assert.match(await page.textContent('#dca-heading'), /决策曲线/);
    assert.match(await page.textContent('#samplesize-heading'), /样本量/);
    assert.match(await page.textContent('#dca-desc'), /全部干预/);
    await page.locator('#evaluation-views').scrollIntoViewIfNeeded();
    await ctx.shot('25-calibration-decision-zh');
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
