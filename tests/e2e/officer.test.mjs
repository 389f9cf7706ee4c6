// Browser end-to-end: what a privacy officer needs to say yes (issue #20), in both languages.
// The suggested recipe meets the risk threshold; the meter, the step summary and the Report
// agree; the attribute-risk chart and every explanation carry the Report's numbers; a recipe
// above the threshold is marked in the step bar and its export asks for a reason, recorded in
// the recipe of the run that makes the file (risk.accept); the external summary discloses no
// value and no count below 5; the frontier's chosen point is the Report's. Screenshots: the
// Protect step and both reports, in each language.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containsValue } from '../common.mjs';
import {
  ARTIFACTS, STRINGS, WWW, download, foreignRequests, loadDemo, openPage, parseCsv, previewAfter, startEnvironment, waitForResults,
} from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const MODELS = ['logistic_regression'];

/** Replace the recipe through its JSON box (as a user typing it). */
async function typeRecipe(page, recipe) {
  await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
}

test('officer strings exist in both languages', () => {
  for (const file of ['officer.js', 'reports.js', 'stepbar.js', 'protect.js']) {
    const js = readFileSync(join(WWW, file), 'utf8');
    for (const [, key] of js.matchAll(/\bt\('((?:officer|explain|method|flow|report|export)\.[a-z0-9_.]+)'/g)) {
      assert.ok(key in STRINGS.en && key in STRINGS.zh, `${file} uses ${key}`);
    }
  }
  // Every explanation key has its Chinese sentence with the same placeholders.
  for (const [key, text] of Object.entries(STRINGS.en)) {
    if (!/^(officer|explain|method)\./.test(key)) continue;
    assert.ok(STRINGS.zh[key], `zh: ${key}`);
    const names = (s) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    assert.deepEqual(names(STRINGS.zh[key]), names(text), `${key}: placeholders`);
  }
});

for (const lang of ['en', 'zh']) {
  test(`privacy officer flow (${lang})`, async () => {
    const ctx = await openPage(env, { locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    const { page } = ctx;
    const S = STRINGS[lang];
    const original = parseCsv(readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8'));
    try {
      await loadDemo(page);
      await page.selectOption('#target-select', 'readmitted_30d');
      let v = await previewAfter(page, 0);

      // The suggested recipe meets the threshold: the meter says so, the step bar does not warn.
      assert.equal(await page.getAttribute('#risk-meter', 'data-above'), 'false', await page.textContent('#protect-threshold'));
      assert.ok(Number(await page.getAttribute('#risk-meter', 'data-k-after')) >= 5);
      assert.equal(await page.getAttribute('#steps li[data-step="protect"]', 'data-above'), null);
      const suggested = JSON.parse(await page.inputValue('#recipe-json'));
      const kStep = suggested.privacy.find((s) => s.op === 'k_anonymize');
      assert.ok(kStep, 'the suggested recipe uses k_anonymize');
      const quasi = Object.entries(suggested.columns).filter(([, r]) => r === 'quasi').map(([c]) => c);
      assert.deepEqual([...kStep.quasi].sort(), [...quasi].sort(), 'k_anonymize covers the measured quasi-identifiers');
      await page.locator('#protect-section').screenshot({ path: join(ARTIFACTS, `officer-protect-${lang}.png`) });

      // Run: the Report agrees with the meter, the chart and the explanations.
      const kShown = Number(await page.getAttribute('#risk-meter', 'data-k-after'));
      const atRiskShown = Number(await page.getAttribute('#risk-meter', 'data-at-risk'));
      await page.click('#run');
      await waitForResults(page, MODELS);
      const report = JSON.parse((await download(page, '#download-report')).text);
      const p = report.privacy;
      assert.equal(p.k_anonymity, kShown, 'meter k = Report k');
      assert.equal(p.risk.records_at_risk, atRiskShown, 'meter records at risk = Report');
      assert.equal(await page.getAttribute('#steps li[data-step="protect"]', 'data-state') === 'above', false);
      const kLine = await page.textContent('#risk-explain li[data-figure="k"]');
      assert.ok(kLine.includes(`k = ${p.k_anonymity}`), kLine);
      assert.ok(kLine.includes(p.quasi_identifiers[0]), kLine);
      for (const id of ['records_at_risk', 'prosecutor', 'journalist', 'marketer']) {
        assert.equal(await page.locator(`#risk-explain li[data-figure="${id}"]`).count(), 1, `${id} explained`);
      }
      // The attribute chart: its rows are the Report's attribute risk (released, or input when nothing is unique any more).
      const released = p.attribute_risk.some((e) => e.uniques > 0);
      const expected = (released ? p.attribute_risk : p.attribute_risk_before).slice().sort((a, b) => b.share - a.share);
      const rows = await page.$$eval('#attribute-risk tbody tr', (rs) => rs.map((r) => ({ columns: r.dataset.columns, share: Number(r.dataset.share), uniques: Number(r.dataset.uniques) })));
      assert.ok(rows.length > 0, 'attribute chart present');
      assert.equal(rows[0].share, expected[0].share);
      assert.equal(rows[0].uniques, expected[0].uniques);
      assert.equal(rows[0].columns, expected[0].columns.join('+'));
      // The frontier's chosen point is the Report's.
      if (Array.isArray(p.frontier) && p.frontier.length) {
        const chosen = p.frontier.find((f) => f.chosen);
        assert.equal(await page.getAttribute('#frontier-table tr[data-chosen="true"]', 'data-levels'), JSON.stringify(chosen.level_index));
        assert.equal(Number(await page.getAttribute('#frontier-table tr[data-chosen="true"]', 'data-k')), chosen.k);
        // On request, the first model's cross-validated ROC-AUC at a point: at the chosen point it
        // is the run's own figure (the same generalization, the same splits).
        const chosenRow = page.locator('#frontier-table tr[data-chosen="true"]');
        await page.click('#officer-frontier > summary');
        await chosenRow.locator('.estimate-auc').click();
        await page.waitForFunction(() => {
          const r = document.querySelector('#frontier-table tr[data-chosen="true"]');
          return r?.dataset.auc || /failed|失败/.test(r?.querySelector('.auc-cell')?.textContent ?? '');
        }, null, { timeout: 120_000 });
        const auc = report.models[0].metrics.roc_auc;
        assert.ok(Math.abs(Number(await chosenRow.getAttribute('data-auc')) - (auc.pooled ?? auc.mean)) < 1e-9, 'AUC at the chosen point = the run\'s');
        // "Use this point" pins another point that meets k within the cap.
        const other = p.frontier.find((f) => !f.chosen && f.satisfies);
        if (other) {
          await page.click(`#frontier-table tr[data-levels='${JSON.stringify(other.level_index)}'] .use-point`);
          v = await previewAfter(page, v);
          const pinned = JSON.parse(await page.inputValue('#recipe-json')).privacy.find((s) => s.op === 'k_anonymize');
          assert.deepEqual(pinned.levels, other.level_index);
          assert.equal(await page.getAttribute('#frontier-table tr[data-chosen="true"]', 'data-levels'), JSON.stringify(other.level_index));
          assert.equal(await page.getAttribute('#risk-meter', 'data-above'), 'false');
        }
      } else {
        assert.fail('the Report has no privacy.frontier');
      }

      // The two reports: screenshots, the method section, and the external one discloses nothing.
      const internal = await download(page, '#download-privacy-report');
      const external = await download(page, '#download-external-report');
      assert.equal(external.name, `patients-external-report.${lang}.html`);
      const view = await page.context().newPage();
      try {
        for (const [name, doc] of [['internal', internal], ['external', external]]) {
          await view.setContent(doc.text);
          assert.equal(await view.locator('[data-section="method"] dd').count(), 7, `${name}: method in 7 parts`);
          assert.ok((await view.textContent('[data-section="method"] dd[data-field="quasi"]')).includes(p.quasi_identifiers[0]));
          await view.screenshot({ path: join(ARTIFACTS, `officer-report-${name}-${lang}.png`), fullPage: true });
        }
        await view.setContent(external.text);
        const text = (await view.textContent('main')).replace(report.input.sha256, '');
        const header = original[0];
        for (const row of original.slice(1).filter((r) => r.length === header.length)) {
          row.forEach((cell, i) => {
            const value = cell.trim();
            // Short values ("F", "no", "25") stand for too many things to test; names, codes, dates, notes do not.
            if (value.length < 4 || /^\d+(\.\d+)?$/.test(value) && value.length < 5) return;
            assert.ok(!containsValue(text, value), `external summary holds a value of ${header[i]}: ${value}`);
          });
        }
        assert.ok(!text.includes('patients.csv'), 'no file name');
        // No count of records below 5: the result's counts and the chart's unique counts.
        const counts = await view.$$eval('[data-section="attribute-risk"] td:last-child', (tds) => tds.map((td) => td.textContent));
        for (const c of counts) assert.ok(c === '<5' || Number(c.replace(/[,，]/g, '')) === 0 || Number(c.replace(/[,，]/g, '')) >= 5, `count ${c}`);
        for (const n of [p.risk.records_at_risk, p.suppressed_rows]) {
          if (n > 0 && n < 5) assert.ok((await view.textContent('[data-section="method"] dd[data-field="result"]')).includes('<5'));
        }
      } finally {
        await view.close();
      }

      // A recipe above the threshold (k_anonymize and the date step taken out): the step bar
      // marks Protect, the exact admission date is a warning at the step, and the core's
      // suggestion for the attribute driving the risk can be added in one click.
      const bare = structuredClone(suggested);
      bare.privacy = bare.privacy.filter((s) => s.op !== 'k_anonymize' && s.op !== 'date');
      await typeRecipe(page, bare);
      v = await previewAfter(page, v);
      assert.equal(await page.getAttribute('#risk-meter', 'data-above'), 'true');
      assert.match(await page.textContent('#safe-harbor'), /admission_date/);
      const suggestion = page.locator('#risk-suggestion');
      assert.equal(await suggestion.getAttribute('data-column'), 'admission_date');
      assert.match(await suggestion.textContent(), lang === 'zh' ? /建议/ : /Suggestion/);
      const atRiskBare = Number(await page.getAttribute('#risk-meter', 'data-at-risk'));
      await page.click('#add-suggestion');
      v = await previewAfter(page, v);
      const withSuggestion = JSON.parse(await page.inputValue('#recipe-json'));
      assert.ok(withSuggestion.privacy.some((s) => s.op === 'date' && s.columns.includes('admission_date')), 'the suggested step is in the recipe');
      assert.ok(Number(await page.getAttribute('#risk-meter', 'data-at-risk')) < atRiskBare, 'the suggestion lowers the records at risk');
      assert.equal(await page.getAttribute('#risk-meter', 'data-above'), 'true');
      await page.waitForSelector('#steps li[data-step="protect"][data-above="true"]');
      assert.equal(await page.getAttribute('#protect-threshold .threshold-line', 'data-above'), 'true');
      await page.locator('#protect-section').screenshot({ path: join(ARTIFACTS, `officer-protect-above-${lang}.png`) });

      // Export above the threshold: a confirmation naming the risk, a reason required, recorded in the audit.
      await page.click('#run');
      await waitForResults(page, MODELS);
      const above = JSON.parse((await download(page, '#download-report')).text);
      assert.ok(above.privacy.risk.records_at_risk > 0);
      assert.ok(!above.audit.some((a) => a.op === 'accept_risk'));
      await page.click('#download-csv');
      await page.waitForSelector('#risk-confirm[open]');
      assert.equal(await page.getAttribute('#risk-confirm', 'data-k'), String(above.privacy.k_anonymity));
      assert.equal(await page.getAttribute('#risk-confirm', 'data-at-risk'), String(above.privacy.risk.records_at_risk));
      const prompt = await page.textContent('#risk-confirm-text');
      assert.ok(prompt.includes(`k = ${above.privacy.k_anonymity}`), prompt);
      await page.click('#risk-confirm-ok');
      assert.equal(await page.textContent('#risk-confirm-error'), S['officer.confirm_need_reason']);
      const reason = lang === 'zh' ? '已获伦理委员会批准，仅限院内使用' : 'approved by the ethics board for internal use only';
      await page.fill('#risk-reason', reason);
      await page.fill('#risk-by', 'Privacy Officer');
      const [csv] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('#risk-confirm-ok')]);
      assert.match(csv.suggestedFilename(), /masked\.csv$/);
      // The run that produced the file carries the acceptance in its recipe (risk.accept).
      const accepted = JSON.parse((await download(page, '#download-report')).text);
      assert.deepEqual(accepted.recipe.risk.accept, { reason, by: 'Privacy Officer' });
      const entry = accepted.audit.find((a) => a.op === 'accept_risk');
      assert.ok(entry && JSON.stringify(entry).includes(reason), 'accept_risk in the audit, with the reason');
      // Both privacy documents state it under "Accepted risk"; exporting again asks nothing.
      for (const selector of ['#download-privacy-report', '#download-external-report']) {
        const doc = await download(page, selector);
        const view2 = await page.context().newPage();
        await view2.setContent(doc.text);
        assert.ok((await view2.textContent('[data-section="method"] dd[data-field="accepted"]')).includes(reason), selector);
        await view2.close();
      }
      const [again] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      assert.match(again.suggestedFilename(), /masked\.csv$/);
      assert.equal(await page.locator('#risk-confirm[open]').count(), 0);

      assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
      assert.deepEqual(ctx.problems, [], 'console errors or page errors');
    } finally {
      await ctx.close();
    }
  });
}
