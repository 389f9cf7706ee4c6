// Browser end-to-end for time-to-event outcomes (docs/survival.md, "Survival in the page"): the
// follow-up demo, the Train step's time-to-event target (time, event, event value written into
// the recipe by the core's rule) and its model kinds from steps.json, a cox_ph run, and the
// Results views: the Kaplan–Meier chart (one curve per group, bands, censoring ticks, numbers at
// risk), the log-rank test in words, the medians, the concordance table and the hazard ratios —
// each checked against the Report the page downloads — with no classification panel, no
// overflow, in English and Chinese (screenshots test-artifacts/survival-{en,zh}.png); the
// printable model report's TRIPOD+AI section written for a time-to-event model in both
// languages (test-artifacts/tripod-survival-{en,zh}.png).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, STRINGS, WWW, download, foreignRequests, openPage, readJson, startEnvironment } from './helpers.mjs';
import { AUTHOR_ITEMS } from '../../www/tripod.js';

let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

const SURVIVAL_KINDS = readJson(join(WWW, 'steps.json')).models.filter((m) => m.tasks.includes('survival')).map((m) => m.kind);
// Panels of a class target that a time-to-event report must not show.
const CLASS_PANELS = ['#results-table', '#roc-chart', '#calibration-chart', '#calib-chart', '#dca-chart', '.cm-grid',
  '#operating-threshold', '#threshold-view', '#compare-table', '#samplesize'];

// The TRIPOD+AI items a time-to-event run fills (as a classifier's: item 13 says why class
// imbalance does not apply), and words of a classifier's items that must not appear.
const TRIPOD_FILLED = ['5a', '7', '8a', '9a', '10', '11', '12a', '12b', '12c', '12e', '12f', '12g', '13', '14', '15', '20a', '21', '23a'];
const CLASS_WORDS = {
  en: ['ROC', 'net benefit', 'prevalence', 'sensitivity', 'predicted probability', 'positive class', 'ECE'],
  zh: ['ROC', '净获益', '患病率', '灵敏度', '预测概率', '阳性类别', 'ECE'],
};

/** The printable model report's TRIPOD+AI section of a time-to-event run, checked against the Report. */
async function checkTripod(ctx, html, report, lang) {
  const S = STRINGS[lang];
  const num = (v, digits) => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', digits == null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
  const view = await ctx.page.context().newPage();
  try {
    await view.setContent(html);
    const section = view.locator('[data-section="tripod"]');
    assert.equal(await section.locator('h2').textContent(), S['tripod.title']);
    assert.deepEqual(await view.$$eval('[data-section="tripod-filled"] tbody tr', (rs) => rs.map((r) => r.dataset.item)), TRIPOD_FILLED);
    assert.deepEqual(await view.$$eval('[data-section="tripod-author"] li', (ls) => ls.map((l) => l.dataset.item)), AUTHOR_ITEMS);
    const text = async (id) => view.textContent(`[data-section="tripod-filled"] tr[data-item="${id}"] td:last-child`);
    const s = report.survival;
    const m = report.models[0];
    // 8a: the event, censoring and the median follow-up by reverse Kaplan–Meier from the Report.
    const t8 = await text('8a');
    assert.ok(t8.includes(s.event) && t8.includes(s.event_value) && t8.includes(num(s.events)) && t8.includes(num(s.rows - s.events)), `8a: ${t8}`);
    assert.equal(s.follow_up.method, 'reverse_km');
    assert.ok(Number.isInteger(s.follow_up.median) && t8.includes(num(s.follow_up.median)), `8a follow-up: ${t8}`);
    // 12c: the hazard ratios of the fit on all rows; 12e: the horizons; 14: the log-rank test.
    const hr = m.final.coefficients[0];
    assert.ok((await text('12c')).includes(`${hr.feature} ${num(hr.hazard_ratio, 2)}`), '12c: hazard ratios');
    assert.ok((await text('12e')).includes(`${num(365)}, ${num(730)}`), '12e: horizons');
    assert.ok((await text('14')).includes(`χ² = ${num(s.log_rank.statistic, 2)}`), '14: log-rank');
    // 20a: records analysed, events and censored; 23a: every survival metric with its interval.
    assert.ok((await text('20a')).includes(num(s.rows)), '20a');
    const t23 = await text('23a');
    for (const k of ['c_index', 'uno_c', 'auc@365', 'brier@730', 'integrated_brier']) {
      const st = m.metrics[k];
      assert.ok(t23.includes(`${num(st.pooled, 3)} (${num(st.ci[0], 3)}–${num(st.ci[1], 3)})`), `23a ${k}: ${t23}`);
    }
    assert.equal((t23.match(new RegExp(lang === 'zh' ? '的校准' : 'calibration at', 'g')) || []).length, m.survival_calibration.length, '23a: calibration at each horizon');
    const all = await section.textContent();
    for (const w of CLASS_WORDS[lang]) assert.ok(!all.includes(w), `no classifier wording: ${w}`);
    assert.ok(!all.includes('tripod.'), 'no raw keys');
    await section.screenshot({ path: join(ARTIFACTS, `tripod-survival-${lang}.png`) });
  } finally {
    await view.close();
  }
}

/** Pages wider than the window, or boxes of the Results step wider than themselves. */
async function overflow(page) {
  return page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > innerWidth + 1) out.push(`page ${doc.scrollWidth} px wide in a ${innerWidth} px window`);
    for (const el of document.querySelectorAll('#results-section, #train-section, #survival-views figure, #survival-views .table-wrap')) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible') out.push(`${el.id || el.className} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return out;
  });
}

test('follow-up demo: time to event, cox_ph, Kaplan–Meier, log-rank and hazard ratios in both languages', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    // The pure helpers: the Kaplan–Meier step path, numbers at risk, the core's event-value rule.
    const pure = await page.evaluate(async () => {
      const m = await import('./survival-view.js');
      const pts = [{ time: 2, survival: 0.8, at_risk: 5 }, { time: 5, survival: 0.8, at_risk: 3 }, { time: 7, survival: 0.4, at_risk: 2 }];
      const id = (v) => v;
      return {
        path: m.stepPath(pts, id, id),
        risk: [0, 2, 3, 5, 6, 7, 8].map((t) => m.atRisk(pts, t)),
        events: [['alive', 'died'], ['0', '1'], ['b', 'a'], ['10', '9'], ['死亡', '存活']].map((v) => m.defaultEventValue(v)),
        horizons: m.parseHorizons('730, 365 ;365'),
      };
    });
    assert.equal(pure.path, 'M0.0,1.0H2.0V0.8H5.0H7.0V0.4');
    assert.deepEqual(pure.risk, [5, 5, 3, 3, 2, 2, 0]);
    assert.deepEqual(pure.events, ['died', '1', 'b', '10', '死亡']);
    assert.deepEqual(pure.horizons, { error: false, values: [365, 730] });
    // Fields other cores add (metrics at horizons, integrated Brier, calibration at horizons): drawn when present.
    const extra = await page.evaluate(async () => {
      const { ui } = await import('./i18n.js');
      const m = await import('./survival-view.js');
      const stat = (v) => ({ mean: v, std: 0.01, pooled: v, ci: [v - 0.02, v + 0.02] });
      const km = [{ group: 'all', time: 1, survival: 0.9, lower: 0.8, upper: 0.95, at_risk: 10, events: 1, censored: 0 },
        { group: 'all', time: 3, survival: 0.7, lower: 0.5, upper: 0.85, at_risk: 8, events: 2, censored: 1 }];
      const report = {
        target: { task: 'survival', column: 't' },
        survival: {
          time: 't', event: 'e', kaplan_meier: km, medians: [], horizons: { times: [2, 3], source: 'recipe' },
          rejected_rows: [{ row: 40, line: 44, reason: "the follow-up time in 't' is negative (-3)", code: 'survival.time_negative', params: { column: 't', value: '-3' } }],
        },
        models: [{
          kind: 'random_survival_forest',
          metrics: { integrated_brier: stat(0.15), 'brier@3': stat(0.2), 'auc@3': stat(0.7), 'auc@2': stat(0.72), uno_c: stat(0.68), c_index: stat(0.7) },
          survival_calibration: [{ time: 3, groups: [{ rows: 5, events: 2, predicted: 0.6, observed: 0.55, lower: 0.4, upper: 0.7 },
            { rows: 5, events: 1, predicted: 0.8, observed: 0.85, lower: 0.7, upper: 0.95 }] }],
        }],
      };
      const view = m.survivalViews(report, ui, 'h3');
      return {
        metrics: [...view.querySelectorAll('#survival-metrics th[data-metric]')].map((th) => th.dataset.metric),
        calibration: view.querySelectorAll('#survival-calibration-chart polyline.series').length,
        horizons: view.querySelector('#survival-horizons-note')?.textContent ?? '',
        hr: view.querySelectorAll('.hr-table').length,
        rejected: view.querySelector('#survival-rejected li[data-line="44"]')?.textContent ?? '',
      };
    });
    assert.deepEqual(extra.metrics, ['c_index', 'uno_c', 'auc@2', 'auc@3', 'brier@3', 'integrated_brier']);
    assert.equal(extra.calibration, 1);
    assert.match(extra.horizons, /2, 3/);
    assert.equal(extra.hr, 0, 'no hazard ratios without coefficients');
    assert.equal(extra.rejected, "line 44: the follow-up time in 't' is negative (-3)", 'a row left out is named by its line');

    await page.click('#load-followup-demo');
    await page.waitForFunction(() => document.querySelectorAll('#profile-table tbody tr').length > 0
      && !document.querySelector('#profile-section').hidden, null, { timeout: 30_000 });
    assert.match(await page.textContent('#load-status'), /followup\.csv/);

    // Train: the outcome is a time to event; the columns and event value are guessed by the core's rule.
    await page.check('#outcome-survival');
    await page.waitForSelector('#survival-time');
    assert.equal(await page.inputValue('#survival-time'), 'follow_up_days');
    assert.equal(await page.inputValue('#survival-event'), 'status');
    assert.equal(await page.inputValue('#survival-event-value'), 'died');
    assert.ok(await page.locator('#models-fieldset').isHidden(), 'the class models are hidden');
    assert.ok(await page.locator('#clinical-options').isHidden(), 'threshold and recalibration are hidden');
    for (const kind of SURVIVAL_KINDS) assert.equal(await page.locator(`#survival-model-${kind}`).count(), 1, `${kind} offered`);
    await page.selectOption('#survival-groups', 'treatment');
    let recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.deepEqual(recipe.target, { time: 'follow_up_days', event: 'status', event_value: 'died' });
    assert.deepEqual(recipe.models, [{ kind: 'cox_ph', penalizer: 0.01 }]);
    assert.equal(recipe.evaluation.groups, 'treatment');
    assert.equal(recipe.columns.follow_up_days, 'target');
    assert.equal(recipe.columns.status, 'target');
    // Switching back gives a class target again (the event column) and class models.
    await page.check('#outcome-class');
    await page.waitForFunction(() => typeof JSON.parse(document.querySelector('#recipe-json').value).target === 'string');
    recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.equal(recipe.target, 'status');
    assert.ok(recipe.models.every((m) => !SURVIVAL_KINDS.includes(m.kind)) && recipe.models.length > 0);
    assert.equal(recipe.evaluation.groups, undefined);
    await page.check('#outcome-survival');
    await page.waitForSelector('#survival-groups');
    await page.selectOption('#survival-groups', 'treatment');
    await page.fill('#survival-horizons', '365, 730');
    await page.press('#survival-horizons', 'Tab');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#recipe-json').value).evaluation.horizons?.length === 2);
    assert.deepEqual(JSON.parse(await page.inputValue('#recipe-json')).evaluation.horizons, [365, 730]);

    // The run's estimate works on a time-to-event recipe.
    await page.waitForFunction(() => document.querySelector('#run-estimate')?.dataset.status === 'done', null, { timeout: 30_000 })
      .catch(async () => assert.fail(`no estimate: ${await page.textContent('#run-estimate')}`));
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#run-status')?.dataset.state === 'error'
      || (!document.querySelector('#results-previous') && document.querySelector('#survival-metrics tr[data-kind="cox_ph"]')), null, { timeout: 120_000 });
    assert.notEqual(await page.getAttribute('#run-status', 'data-state'), 'error', await page.textContent('#run-status'));
    const report = JSON.parse((await download(page, '#download-report')).text);
    assert.equal(report.target.task, 'survival');
    const s = report.survival;

    // Kaplan–Meier: a curve per treatment arm with its band and censoring ticks, numbers at risk from the report.
    const groups = [...new Set(s.kaplan_meier.map((p) => p.group))].filter((g) => g !== 'all');
    assert.deepEqual(groups.sort(), ['new drug', 'standard']);
    assert.equal(await page.locator('#km-chart path.km-curve').count(), 2);
    assert.ok(await page.locator('#km-chart polygon.band').count() >= 2, 'Greenwood bands');
    assert.equal(await page.locator('#km-chart path.censor-ticks').count(), 2, 'censoring ticks');
    for (const g of groups) {
      const first = s.kaplan_meier.find((p) => p.group === g);
      const shown = await page.textContent(`#km-chart g.at-risk[data-group="${g}"] text[data-time="0"]`);
      assert.equal(Number(shown), first.at_risk, `${g}: at risk at 0`);
      const median = s.medians.find((m) => m.group === g);
      assert.equal(await page.getAttribute(`#km-medians tr[data-group="${g}"] td[data-value]`, 'data-value'), median.median == null ? '' : String(median.median));
    }
    assert.match(await page.textContent('#km-desc'), /new drug/);
    // The log-rank test in words.
    const lr = s.log_rank;
    const p = lr.p < 0.001 ? 'p < 0.001' : `p = ${lr.p.toFixed(3)}`;
    assert.ok((await page.textContent('#log-rank')).includes(`χ² = ${lr.statistic.toFixed(2)}, ${lr.df} df, ${p}`), await page.textContent('#log-rank'));
    // Concordance with intervals; hazard ratios equal to the report's.
    const m = report.models[0];
    for (const key of ['c_index', 'uno_c']) {
      assert.equal(Number(await page.getAttribute(`#survival-metrics tr[data-kind="cox_ph"] td[data-metric="${key}"]`, 'data-value')), m.metrics[key].pooled);
    }
    // Metrics at the horizons typed above, with the calibration at each horizon.
    assert.deepEqual(report.survival.horizons, { times: [365, 730], source: 'recipe' });
    for (const key of ['auc@365', 'brier@730', 'integrated_brier']) {
      assert.equal(Number(await page.getAttribute(`#survival-metrics tr[data-kind="cox_ph"] td[data-metric="${key}"]`, 'data-value')), m.metrics[key].pooled, key);
    }
    assert.equal(m.survival_calibration.length, 2);
    assert.ok(await page.locator('#survival-calibration-chart polyline.series').count() >= 1, 'calibration at the horizons drawn');
    const coefs = m.final.coefficients;
    assert.equal(await page.locator('#hr-table-0 tbody tr').count(), coefs.length);
    for (const c of coefs) {
      const shown = await page.getAttribute(`#hr-table-0 tr[data-feature="${c.feature}"] td[data-col="hr"]`, 'data-value');
      assert.equal(Number(shown), c.hazard_ratio, c.feature);
    }
    const withInterval = coefs.filter((c) => c.lower != null && c.upper != null);
    assert.equal(await page.locator('#forest-chart-0 g.forest-row').count(), withInterval.length);
    // The generator's true effects: higher creatinine raises the hazard, the new drug and a higher ejection fraction lower it.
    const hr = (f) => coefs.find((c) => c.feature === f);
    assert.ok(hr('creatinine').lower > 1 && hr('ejection_fraction').upper < 1 && hr('treatment=new drug').upper < 1, 'hazard ratios in the true direction');
    const flagged = coefs.filter((c) => c.ph_p != null && c.ph_p < 0.05).map((c) => c.feature);
    assert.equal(await page.getAttribute('#ph-check-0', 'data-flagged'), flagged.join('|'));
    for (const sel of CLASS_PANELS) assert.equal(await page.locator(`#results ${sel}`).count(), 0, `${sel} is not shown`);
    assert.match(await page.textContent('.step-about[data-step="results"] .step-does'), /Kaplan–Meier/);
    assert.deepEqual(await overflow(page), []);
    await page.locator('#results-section').screenshot({ path: join(ARTIFACTS, 'survival-en.png') });

    // The printable model report has the same survival views, and no class metrics table.
    const printable = (await download(page, '#download-model-report')).text;
    assert.match(printable, /<svg[^>]*class="chart km-chart"/);
    assert.match(printable, /<table[^>]*class="data hr-table"/);
    assert.match(printable, /<svg[^>]*class="chart forest-chart"/);
    assert.match(printable, /χ² = /);
    assert.doesNotMatch(printable, /data-section="metrics"/);
    await checkTripod(ctx, printable, report, 'en');

    // Apply: the exported cox_ph model scores records with a risk score (and survival at the
    // horizons and a row's curve when the core returns them: drawn from a result of that shape).
    await page.click('#apply-exports button[data-model-index="0"]');
    await page.waitForSelector('#apply-model[data-kind="cox_ph"]');
    await page.setInputFiles('#apply-records-file', join(WWW, 'demo', 'followup.csv'));
    await page.click('#apply-score');
    await page.waitForSelector('#apply-result[data-task="survival"]', { timeout: 30_000 });
    assert.equal(await page.locator('#apply-table tbody tr').count(), 10);
    assert.ok(Number.isFinite(Number(await page.getAttribute('#apply-table tbody tr:first-child td[data-value]', 'data-value'))));
    // The real result: survival at both horizons per row, and the first row's predicted curve.
    assert.equal(await page.locator('#apply-table thead th').count(), 5);
    assert.equal(await page.locator('#apply-curve-chart path.km-curve').count(), 1);
    const shape = await page.evaluate(async () => {
      const { ui } = await import('./i18n.js');
      const m = await import('./survival-view.js');
      const scored = Array.from({ length: 1001 }, (_, i) => ({
        row: i + 1, line: i + 2, value: 0.1 * (i % 7), survival_at: [0.9, 0.8], ...(i < 1000 ? { curve: [1, 0.9, 0.7] } : {}),
      }));
      const result = { predictions: { task: 'survival', scored, unscorable: [], rows: 1001, survival: { horizons: [365, 730], curve_times: [0, 365, 730] } } };
      const box = (row) => ui.h('div', {}, ...m.applySurvivalView(result, ui, { shown: 10, row, chooseRow: () => {} }));
      const first = box(0), last = box(1000);
      return {
        head: [...first.querySelectorAll('#apply-table th')].map((th) => th.textContent),
        curve: !!first.querySelector('#apply-curve-chart path.km-curve'),
        none: last.querySelector('#apply-curve-none')?.textContent ?? '',
      };
    });
    assert.equal(shape.head.length, 5, shape.head.join(' | '));
    assert.ok(shape.curve, 'a row among the first 1,000 has its curve drawn');
    assert.match(shape.none, /1,000/);

    // Chinese: the same views, worded in Chinese.
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const zh = STRINGS.zh;
    assert.equal((await page.textContent('#km-heading')).trim(), zh['survival.km_title']);
    assert.ok((await page.textContent('#log-rank')).includes(`χ² = ${lr.statistic.toFixed(2)}，自由度 ${lr.df}`));
    assert.match(await page.textContent('#survival-target'), /事件发生时间/);
    assert.deepEqual(await overflow(page), []);
    await page.locator('#results-section').screenshot({ path: join(ARTIFACTS, 'survival-zh.png') });
    await checkTripod(ctx, (await download(page, '#download-model-report')).text, report, 'zh');
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
