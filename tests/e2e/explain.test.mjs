// Browser end-to-end for the explanations (www/explain-view.js): the Train panel's switch turns
// `evaluation.shap` on; the Results step shows the mean |SHAP| bars per column with their
// direction, the beeswarm, partial dependence with centred ICE curves and SHAP's ranking beside
// permutation importance, each chart with its text description, in English and Chinese; the
// printable model report carries them; the Apply panel explains a chosen row with a waterfall
// whose numbers add up to the explained output, in plain words. Screenshots in test-artifacts/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { STRINGS, WWW, download, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

test('explain-view.js: same-origin code, and every string it uses exists in en and zh', () => {
  const js = readFileSync(join(WWW, 'explain-view.js'), 'utf8');
  // The SVG namespace is a name, not an address the page fetches.
  assert.doesNotMatch(js.replaceAll("'http://www.w3.org/2000/svg'", ''), /https?:\/\//);
  const keys = [...js.matchAll(/\bt\('([a-z0-9_.]+)'/g)].map((m) => m[1]);
  assert.ok(keys.length > 25, `explain-view.js uses ${keys.length} strings`);
  // Keys the module builds from the Report's values.
  for (const s of ['probability', 'log_odds', 'value']) keys.push(`explain.scale.${s}`);
  for (const d of ['up', 'down', 'mixed']) keys.push(`explain.dir.${d}`, `explain.dir.${d}_input`);
  for (const m of ['tree_path_dependent', 'linear', 'permutation', 'other']) keys.push(`explain.method.${m}`, `explain.method_apply.${m}`);
  for (const dir of ['raised', 'lowered']) {
    for (const what of ['risk', 'value']) keys.push(`explain.wf.${dir}_${what}`, `explain.wf.${dir}_${what}_most`);
  }
  keys.push('explain.wf.total_plain', 'explain.wf.total_log_odds', 'explain.apply_toggle');
  for (const k of keys) {
    assert.ok(k in STRINGS.en, `en lacks ${k}`);
    assert.ok(k in STRINGS.zh, `zh lacks ${k}`);
  }
});

test('explanations: the switch, the Results views, the model report and the Apply waterfall, in en and zh', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    const kinds = ['gradient_boosting', 'logistic_regression'];
    recipe.models = [{ kind: 'gradient_boosting', max_iter: 30 }, { kind: 'logistic_regression' }];
    recipe.evaluation = { method: 'stratified_kfold', folds: 3, compare_original: false, permutation_repeats: 3 };
    await page.setInputFiles('#upload-recipe', {
      name: 'explain.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
    });
    // Uploading a recipe runs it: without explanations (evaluation.shap absent is off).
    await waitForResults(page, kinds, 180_000);
    assert.equal(await page.locator('#explain-views').count(), 0, 'no explanations without the switch');

    // The Train panel's switch writes evaluation.shap into the recipe, and keeps it when the
    // evaluation method changes.
    await page.click('#steps li[data-step="train"] a');
    await page.waitForSelector('#eval-shap');
    assert.equal(await page.isChecked('#eval-shap'), false);
    assert.match(await page.textContent('#eval-shap-label'), /SHAP/);
    await page.check('#eval-shap');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#recipe-json').value).evaluation?.shap === true);
    await page.fill('#eval-folds', '3');
    await page.dispatchEvent('#eval-folds', 'change');
    const edited = JSON.parse(await page.inputValue('#recipe-json'));
    assert.equal(edited.evaluation.shap, true, 'the switch survives an evaluation edit');
    await page.click('#run');
    await page.waitForSelector('#explain-views', { timeout: 180_000 });
    await waitForResults(page, kinds, 180_000);

    // Bars per original column with a direction, described in text.
    const bars = page.locator('#explain-0-bars rect.bar');
    assert.ok(await bars.count() >= 3, 'bars per column');
    const values = (await bars.evaluateAll((rs) => rs.map((r) => Number(r.dataset.value))));
    assert.deepEqual([...values].sort((a, b) => b - a), values, 'largest first');
    assert.ok(values.every((v) => v >= 0));
    assert.equal(await page.getAttribute('#explain-0-bars', 'aria-describedby'), 'explain-0-bars-desc');
    assert.match(await page.textContent('#explain-0-bars-desc'), /test rows/);
    // The beeswarm: the Report carries the explained rows, one dot per row and input shown.
    const dots = await page.locator('#explain-0-swarm circle').count();
    assert.ok(dots > 100, `${dots} dots`);
    assert.match(await page.textContent('#explain-0-swarm-desc'), /explained test rows/);
    // Partial dependence with the centred ICE curves, and the comparison with permutation importance.
    assert.ok(await page.locator('#explain-views .pd-figure').count() >= 1);
    assert.equal(await page.locator('#explain-0-pd-0 path.pd-line').count(), 1);
    assert.ok(await page.locator('#explain-0-pd-0 g.ice path').count() >= 1, 'centred ICE curves');
    assert.match(await page.textContent('#explain-0-pd-0-desc'), /mean prediction/);
    assert.ok(await page.locator('#explain-0-compare tbody tr').count() >= 2);
    assert.match(await page.textContent('#explain-0-compare-desc'), /Spearman/);
    assert.match(await page.textContent('#explain-views [data-method]'), /Exact tree SHAP/);
    await page.locator('#explain-views').scrollIntoViewIfNeeded();
    await ctx.shot('explain-results-en');
    // The other model: exact linear SHAP.
    await page.selectOption('#explain-model', '1');
    await page.waitForSelector('#explain-1-bars');
    assert.match(await page.textContent('#explain-views [data-method]'), /linear SHAP/);

    // The printable model report carries the explanations.
    const report = await download(page, '#download-model-report');
    assert.match(report.text, /class="explain-views"/);
    assert.equal(report.text.match(/class="model-explanation"/g)?.length, 2, 'both models explained in the report');
    assert.equal(report.text.match(/class="chart hbar-chart shap-bars"/g)?.length, 2);
    assert.match(report.text, /Partial dependence and centred ICE curves/);

    // Apply: the boosting model (the run's export) explains every row of the demo file.
    await page.click('#apply-exports button[data-model-index="0"]');
    await page.waitForSelector('#apply-model[data-kind="gradient_boosting"]');
    const demo = readFileSync(join(WWW, 'demo', 'patients.csv'));
    await page.setInputFiles('#apply-records-file', { name: 'patients.csv', mimeType: 'text/csv', buffer: demo });
    await page.check('#apply-explain-toggle');
    await page.click('#apply-score');
    await page.waitForSelector('#apply-explain, #apply-status.error', { timeout: 60_000 });
    assert.equal(await page.$('#apply-status.error'), null, 'scoring failed');
    const sums = async () => page.evaluate(() => {
      const svg = document.querySelector('#apply-waterfall');
      const steps = [...svg.querySelectorAll('rect.wf-step, rect.wf-rest')].map((r) => Number(r.dataset.value));
      return { base: Number(svg.dataset.base), output: Number(svg.dataset.output), steps };
    });
    for (const row of ['0', '7']) {
      if (row !== '0') {
        await page.selectOption('#apply-explain-row', row);
        await page.waitForFunction((r) => document.querySelector('#apply-explain-row')?.value === r, row);
      }
      const { base, output, steps } = await sums();
      assert.ok(steps.length >= 2, 'contributions shown');
      const total = base + steps.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - output) < 1e-9, `row ${row}: ${base} + Σ ${steps} = ${total} vs ${output}`);
    }
    const words = await page.locator('#apply-waterfall-desc li').allTextContents();
    assert.match(words[0], /(raised|lowered) the predicted risk most/);
    assert.match(words.at(-1), /log-odds scale, a predicted probability of \d/);
    await page.locator('#apply-explain').scrollIntoViewIfNeeded();
    await ctx.shot('explain-apply-waterfall-en');

    // Chinese: the same views, in Chinese.
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match(await page.textContent('#explain-heading'), /模型解释/);
    assert.match(await page.textContent('#explain-0-bars-desc'), /测试行/);
    assert.match(await page.textContent('#apply-explain h4'), /为什么是这个预测/);
    assert.match((await page.locator('#apply-waterfall-desc li').allTextContents())[0], /预测风险(升高|降低)最多/);
    assert.match(await page.textContent('#eval-shap-label'), /解释模型/);
    await page.locator('#explain-views').scrollIntoViewIfNeeded();
    await ctx.shot('explain-results-zh');
    await page.locator('#apply-explain').scrollIntoViewIfNeeded();
    await ctx.shot('explain-apply-waterfall-zh');

    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
