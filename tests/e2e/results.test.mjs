// Browser end-to-end for the model results view (www/results.js): comparison table with
// intervals and sorting, paired test, ROC and calibration charts, threshold slider and presets,
// importances, fairness table, in both languages' strings; all requests stay on the origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { STRINGS, WWW, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

const KINDS = ['logistic_regression', 'random_forest', 'gradient_boosting'];
let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

test('results.js: only same-origin code, and every string it uses exists in en and zh', () => {
  const js = readFileSync(join(WWW, 'results.js'), 'utf8');
  assert.doesNotMatch(js, /https?:\/\//);
  assert.doesNotMatch(js, /\b(?:fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\b/);
  const keys = [...js.matchAll(/\bt\('([a-z0-9_.]+)'/g)].map((m) => m[1]);
  assert.ok(keys.length > 20, `results.js uses ${keys.length} strings`);
  for (const k of keys) {
    assert.ok(k in STRINGS.en, `en lacks ${k}`);
    assert.ok(k in STRINGS.zh, `zh lacks ${k}`);
  }
  for (const [, prefix] of js.matchAll(/\bt\(`([a-z_.]+)\$\{/g)) {
    assert.ok(Object.keys(STRINGS.en).some((k) => k.startsWith(prefix)), `results.js uses ${prefix}*`);
  }
});

test('model results: intervals, sorting, curves, threshold presets, importances and fairness', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'logistic_regression' }, { kind: 'random_forest', trees: 40 }, { kind: 'gradient_boosting', max_iter: 50 }];
    recipe.evaluation = { method: 'stratified_kfold', folds: 5, fairness: 'sex' };
    await page.setInputFiles('#upload-recipe', {
      name: 'zoo.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
    });
    await waitForResults(page, KINDS, 120_000);
    // The option controls follow the uploaded recipe's models.
    for (const kind of KINDS) assert.ok(await page.isChecked(`#model-${kind}`), `${kind} checked`);
    assert.ok(!(await page.isChecked('#model-svm')));
    await page.waitForSelector('#compare-table');

    // Comparison table: one row per model, pooled value with a 95% interval around it.
    assert.equal(await page.locator('#compare-table tbody tr').count(), 3);
    for (const kind of KINDS) {
      const cell = page.locator(`#compare-table tr[data-kind="${kind}"] td[data-metric="roc_auc"]`);
      const v = Number(await cell.getAttribute('data-value'));
      const [lo, hi] = (await cell.getAttribute('data-ci')).split(',').map(Number);
      assert.ok(lo <= v && v <= hi && hi - lo > 0.005, `${kind}: ${lo} ≤ ${v} ≤ ${hi}`);
      assert.match(await cell.textContent(), /^0\.\d{3} \(0\.\d{3}–0\.\d{3}\)$/);
    }
    // Sorting: ROC-AUC descending, then ascending; Brier ascending first (lower is better).
    const column = async (metric) => page.$$eval(`#compare-table tbody td[data-metric="${metric}"]`, (tds) => tds.map((td) => Number(td.dataset.value)));
    await page.click('#compare-table button[data-sort="roc_auc"]');
    let aucs = await column('roc_auc');
    assert.deepEqual(aucs, [...aucs].sort((a, b) => b - a));
    assert.equal(await page.getAttribute('#compare-table th[data-metric="roc_auc"]', 'aria-sort'), 'descending');
    await page.click('#compare-table button[data-sort="roc_auc"]');
    aucs = await column('roc_auc');
    assert.deepEqual(aucs, [...aucs].sort((a, b) => a - b));
    await page.click('#compare-table button[data-sort="brier"]');
    const briers = await column('brier');
    assert.deepEqual(briers, [...briers].sort((a, b) => a - b));
    const p = Number(await page.getAttribute('#paired-test', 'data-p'));
    assert.ok(p >= 0 && p <= 1, `paired test p = ${p}`);

    // Charts: one ROC and one calibration line per model.
    assert.equal(await page.locator('#roc-chart polyline.series').count(), 3);
    assert.equal(await page.locator('#calibration-chart polyline.series').count(), 3);

    // Threshold: the counts always add up to the rows; presets move the operating point.
    const counts = async () => Object.fromEntries(await Promise.all(['tp', 'fp', 'tn', 'fn'].map(async (k) => [k,
      Number((await page.textContent(`#threshold-cm td[data-cell="${k}"] .cm-value`)).replace(/,/g, ''))])));
    const start = await counts();
    const rows = start.tp + start.fp + start.tn + start.fn;
    // Every demo record has a target; k_anonymize of the suggested recipe suppresses 22 of 1,000.
    assert.equal(rows, 978, `${rows} rows in the threshold matrix`);
    // At 0.5 it equals the report's summed confusion matrix.
    const summed = await page.$$eval('.cm[data-kind="logistic_regression"] td[data-cell]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.cell, Number(td.querySelector('.cm-value').textContent.replace(/,/g, ''))])));
    assert.deepEqual(start, summed);
    await page.click('#preset-sens90');
    const s90 = await counts();
    assert.ok(s90.tp / (s90.tp + s90.fn) >= 0.9, `sensitivity ${JSON.stringify(s90)}`);
    assert.equal(s90.tp + s90.fp + s90.tn + s90.fn, rows);
    await page.click('#preset-youden');
    const y = await counts();
    const j = (c) => c.tp / (c.tp + c.fn) + c.tn / (c.tn + c.fp) - 1;
    // The Report's own ROC points (downloaded): Youden's J at the preset is the maximum of
    // TPR − FPR over every point of the curve, computed here.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const report = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const roc = report.models[0].curves.roc;
    assert.ok(roc.tpr.length > 100, `${roc.tpr.length} ROC points`);
    const best = Math.max(...roc.tpr.map((tpr, i) => tpr - roc.fpr[i]));
    assert.ok(Math.abs(j(y) - best) < 1e-9, `Youden J ${j(y)} is the curve's maximum ${best}`);
    assert.ok(j(y) > j(start) || Math.abs(j(y) - j(start)) < 1e-9);
    await page.locator('#threshold-slider').fill('0');
    const none = await counts();
    assert.equal(none.tp + none.fp, 0, 'the first point predicts nothing positive');

    // Importances and fairness for the chosen model.
    assert.ok(await page.locator('#permutation-chart rect.bar').count() > 2);
    assert.equal(await page.locator('#impurity-chart').count(), 0, 'logistic regression has no impurity importance');
    await page.selectOption('#detail-model', '1');
    assert.ok(await page.locator('#impurity-chart rect.bar').count() > 2, 'the forest shows impurity importance');
    const groups = await page.$$eval('#fairness-table tbody tr', (trs) => trs.map((tr) => tr.dataset.group));
    assert.deepEqual(groups.filter((g) => g === 'F' || g === 'M'), ['F', 'M']);
    // The flag, recomputed from the forest's subgroup rates: the largest gap (highest minus
    // lowest subgroup value of TPR, FPR, PPV or AUC) above the threshold (0.1 by default).
    const fair = report.models[1].fairness;
    assert.equal(fair.threshold, 0.1);
    const gaps = ['tpr', 'fpr', 'ppv', 'auc'].map((k) => {
      const v = fair.groups.map((g) => g[k]).filter(Number.isFinite);
      return v.length >= 2 ? Math.max(...v) - Math.min(...v) : 0;
    });
    const largest = Math.max(...gaps);
    assert.ok(largest > 0, 'subgroups differ');
    assert.ok(Math.abs(fair.largest.gap - largest) < 1e-12);
    assert.equal(await page.getAttribute('#fairness-view', 'data-flagged'), String(largest > 0.1));
    assert.match(await page.textContent('#fairness-gap'), new RegExp(largest.toFixed(3).replace('.', '\\.')));
    await page.locator('#model-results').scrollIntoViewIfNeeded();
    await ctx.shot('10-model-results');

    // The view follows the language switch.
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match(await page.textContent('#model-results h3'), /模型比较/);
    await ctx.shot('11-model-results-zh');

    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
