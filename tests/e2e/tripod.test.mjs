// Browser end-to-end for the TRIPOD+AI checklist of the printable model report and the operating
// threshold table of the Results: the demo run with a recalibrated model and a threshold rule, in
// English and Chinese; every filled item numbered as the checklist numbers it, values taken from
// the Report, "not computed" for what the run did not compute, the author's items listed; a
// screenshot of each.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, STRINGS, download, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults,
} from './helpers.mjs';
import { AUTHOR_ITEMS } from '../../www/tripod.js';

const KINDS = ['logistic_regression', 'decision_tree'];
// The 52 sub-items of the published checklist (Collins et al., BMJ 2024;385:e078378): every one
// is either filled from the run or listed for the author, once.
const CHECKLIST = ['1', '2', '3a', '3b', '3c', '4', '5a', '5b', '6a', '6b', '6c', '7', '8a', '8b', '8c', '9a', '9b', '9c',
  '10', '11', '12a', '12b', '12c', '12d', '12e', '12f', '12g', '13', '14', '15', '16', '17', '18a', '18b', '18c', '18d',
  '18e', '18f', '19', '20a', '20b', '20c', '21', '22', '23a', '23b', '24', '25', '26', '27a', '27b', '27c'];
const FILLED = ['5a', '7', '8a', '9a', '10', '11', '12a', '12b', '12c', '12e', '12f', '12g', '13', '14', '15', '20a', '21', '23a'];
let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

for (const lang of ['en', 'zh']) {
  test(`TRIPOD+AI checklist and the operating threshold (${lang})`, async () => {
    const ctx = await openPage(env, { locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    const { page } = ctx;
    const S = STRINGS[lang];
    try {
      await loadDemo(page);
      const recipe = JSON.parse(await page.inputValue('#recipe-json'));
      recipe.models = [{ kind: 'logistic_regression', calibration: 'sigmoid' }, { kind: 'decision_tree', max_depth: 4 }];
      recipe.evaluation = { ...recipe.evaluation, threshold: { rule: 'net_benefit', pt: 0.2 } };
      await page.setInputFiles('#upload-recipe', {
        name: 'tripod.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
      });
      await waitForResults(page, KINDS, 180_000);
      const report = JSON.parse((await download(page, '#download-report')).text);
      assert.equal(report.models[0].recalibration.method, 'sigmoid');
      assert.equal(report.models[1].recalibration, undefined);

      // Results: the threshold table, one row per model, values from the Report.
      await page.waitForSelector('#operating-threshold-table');
      assert.equal(await page.textContent('#operating-threshold h4'), S['threshold.title']);
      for (const m of report.models) {
        const row = page.locator(`#operating-threshold-table tr[data-kind="${m.kind}"]`);
        assert.equal(Number(await row.locator('td[data-metric="chosen"]').getAttribute('data-value')), m.threshold.chosen.mean);
        for (const k of ['sensitivity', 'specificity', 'ppv', 'npv']) {
          assert.equal(Number(await row.locator(`td[data-metric="${k}"]`).getAttribute('data-value')), m.threshold[k].pooled, `${m.kind} ${k}`);
        }
        assert.ok((await row.textContent()).includes(S['threshold.rule_net_benefit']));
      }
      await page.locator('#operating-threshold').screenshot({ path: join(ARTIFACTS, `threshold-${lang}.png`) });

      // The model report: the checklist section.
      const model = await download(page, '#download-model-report');
      const view = await ctx.page.context().newPage();
      try {
        await view.setContent(model.text);
        const section = view.locator('[data-section="tripod"]');
        assert.equal(await section.locator('h2').textContent(), S['tripod.title']);
        const items = await view.$$eval('[data-section="tripod-filled"] tbody tr', (rs) => rs.map((r) => r.dataset.item));
        assert.deepEqual(items, FILLED, 'the filled items in checklist order');
        const text = async (id) => view.textContent(`[data-section="tripod-filled"] tr[data-item="${id}"] td:last-child`);
        assert.ok((await text('5a')).includes(report.input.sha256), '5a: the fingerprint');
        assert.ok((await text('9a')).includes(report.evaluation.model_inputs[0]), '9a: the inputs after encoding');
        const privacyOps = report.audit.filter((a) => a.step.startsWith('privacy[')).map((a) => a.op);
        for (const op of privacyOps) assert.ok((await text('7')).includes(op), `7: privacy step ${op}`);
        assert.ok((await text('12f')).includes('sigmoid'), '12f: the recalibration');
        // 23a: the pooled ROC-AUC and its interval as the report formats it; calibration and the
        // decision curve say "not computed" unless this build computes them.
        const t23 = await text('23a');
        for (const m of report.models) {
          assert.ok(!m.calibration ? t23.includes(S['tripod.not_computed']) : /slope|斜率/.test(t23), `${m.kind}: calibration`);
        }
        const roc = report.models[0].metrics.roc_auc;
        const fmt = (v) => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(v);
        assert.ok(t23.includes(`${fmt(roc.pooled)} (${fmt(roc.ci[0])}–${fmt(roc.ci[1])})`), `23a: ${t23}`);
        if (!report.sample_size) assert.ok((await text('10')).includes(S['tripod.not_computed']), '10: sample size not computed');
        // The author's items, numbered as the checklist.
        const author = await view.$$eval('[data-section="tripod-author"] li', (ls) => ls.map((l) => l.dataset.item));
        assert.deepEqual(author, AUTHOR_ITEMS);
        for (const id of [...FILLED, ...AUTHOR_ITEMS]) assert.ok(S[`tripod.topic_${id}`], `topic ${id}`);
        const order = (id) => CHECKLIST.indexOf(id);
        assert.deepEqual([...FILLED, ...AUTHOR_ITEMS].sort((a, b) => order(a) - order(b)), CHECKLIST, 'every checklist item once');
        assert.ok((await text('12g')).length > 0 && (await text('12b')).length > 0, '12b, 12g filled');
        assert.ok(!(await section.textContent()).includes('tripod.'), 'no raw keys');
        await section.screenshot({ path: join(ARTIFACTS, `tripod-${lang}.png`) });
      } finally {
        await view.close();
      }
      assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
      assert.deepEqual(ctx.problems, [], 'console errors or page errors');
    } finally {
      await ctx.close();
    }
  });
}
