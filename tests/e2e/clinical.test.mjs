// Browser end-to-end for the rest of issue #17 in the page: the Train step's clinical options
// (recalibration per model, the threshold rule and its number, the outcome's date) write the
// recipe as the JSON editor would and survive a change of the evaluation; the run's out-of-fold
// predictions download from the Results step (header, one line per record and model, no
// identifier); the strings in English and Chinese.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  STRINGS, download, foreignRequests, loadDemo, openPage, parseCsv, startEnvironment, waitForResults,
} from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const recipeOf = async (page) => JSON.parse(await page.inputValue('#recipe-json'));

test('clinical options write the recipe; the predictions download from the Results step', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  const S = STRINGS.en;
  try {
    await loadDemo(page);
    // One quick model.
    for (const box of await page.$$('input[name="model"]')) {
      if ((await box.getAttribute('value')) === 'logistic_regression') await box.check();
      else await box.uncheck();
    }
    assert.deepEqual((await recipeOf(page)).models.map((m) => m.kind), ['logistic_regression']);
    assert.equal(await page.textContent('#clinical-options legend'), S['clinical.legend']);

    // Recalibration of the model.
    await page.selectOption('#calibration-logistic_regression', 'sigmoid');
    assert.equal((await recipeOf(page)).models[0].calibration, 'sigmoid');

    // The threshold rule and its number (kept in range: a bad number gives the default).
    await page.selectOption('#threshold-rule', 'net_benefit');
    assert.deepEqual((await recipeOf(page)).evaluation.threshold, { rule: 'net_benefit', pt: 0.2 });
    await page.fill('#threshold-value', '0.3');
    await page.dispatchEvent('#threshold-value', 'change');
    assert.deepEqual((await recipeOf(page)).evaluation.threshold, { rule: 'net_benefit', pt: 0.3 });
    await page.selectOption('#threshold-rule', 'min_sensitivity');
    await page.fill('#threshold-value', '7');
    await page.dispatchEvent('#threshold-value', 'change');
    assert.deepEqual((await recipeOf(page)).evaluation.threshold, { rule: 'min_sensitivity', value: 0.9 });
    await page.selectOption('#threshold-rule', 'youden');
    assert.equal(await page.isHidden('#threshold-value'), true);

    // A change of the folds keeps the options.
    await page.fill('#eval-folds', '3');
    await page.dispatchEvent('#eval-folds', 'change');
    const r = await recipeOf(page);
    assert.equal(r.evaluation.folds, 3);
    assert.deepEqual(r.evaluation.threshold, { rule: 'youden' });

    // The outcome's date: the file's date columns are offered; choosing and clearing it.
    const dates = await page.$$eval('#outcome-date option', (os) => os.map((o) => o.value).filter(Boolean));
    assert.ok(dates.includes('admission_date'), `date columns offered: ${dates}`);
    await page.selectOption('#outcome-date', 'admission_date');
    assert.equal((await recipeOf(page)).evaluation.outcome_date, 'admission_date');
    await page.selectOption('#outcome-date', '');
    assert.equal((await recipeOf(page)).evaluation.outcome_date, undefined);

    // Run, then download the predictions.
    await page.click('#run');
    await waitForResults(page, ['logistic_regression'], 180_000);
    const report = JSON.parse((await download(page, '#download-report')).text);
    assert.equal(report.models[0].recalibration?.method, 'sigmoid');
    assert.equal(report.models[0].threshold?.rule?.rule, 'youden');
    await page.waitForSelector('#download-predictions:not([disabled])');
    const pred = await download(page, '#download-predictions');
    assert.match(pred.name, /-predictions\.csv$/);
    const rows = parseCsv(pred.text);
    assert.deepEqual(rows[0], ['row', 'split', 'model', 'y_true', 'score']);
    const modelled = report.target.counts.reduce((a, b) => a + b, 0);
    assert.equal(rows.length - 1, modelled, 'one line per modelled record (one model, one repeat)');
    assert.ok(rows.slice(1).every((l) => l.length === 5 && l[2] === '0' && Number(l[4]) >= 0 && Number(l[4]) <= 1));

    // In Chinese.
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await page.textContent('#download-predictions'), STRINGS.zh['clinical.predictions_download']);
    assert.equal(await page.textContent('#clinical-options legend'), STRINGS.zh['clinical.legend']);
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
    assert.deepEqual(ctx.problems, [], 'console errors or page errors');
  } finally {
    await ctx.close();
  }
});
