// Browser end-to-end: the Protect panel. Detected identifiers with reasons, choosing an operator,
// the before/after preview and the risk meter updating, and a masked CSV download that holds no
// original identifier. Every request must stay on the page's origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containsValue } from '../common.mjs';
import {
  STRINGS, WWW, foreignRequests, loadDemo, openPage, parseCsv, startEnvironment, waitForResults,
} from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const meter = (page, field) => page.getAttribute('#risk-meter', `data-${field}`);

/** Wait until a preview newer than `version` has rendered and no other one is pending. */
async function previewVersionAbove(page, version) {
  await page.waitForFunction((v) => {
    const m = document.querySelector('#risk-meter');
    return Number(m?.dataset.version) > v && m?.dataset.pending === 'false';
  }, version, { timeout: 30_000 });
  return Number(await meter(page, 'version'));
}

test('protect panel strings exist in both languages', () => {
  const js = readFileSync(join(WWW, 'protect.js'), 'utf8');
  for (const [, key] of js.matchAll(/\bt\('([a-z0-9_.]+)'/g)) assert.ok(key in STRINGS.en && key in STRINGS.zh, `protect.js uses ${key}`);
  // The operators offered: every privacy op of the core's schema (www/steps.json).
  for (const { op } of JSON.parse(readFileSync(join(WWW, 'steps.json'), 'utf8')).privacy) {
    for (const lang of ['en', 'zh']) {
      assert.ok(STRINGS[lang][`op.${op}.label`] && STRINGS[lang][`op.${op}.help`], `${lang}: op.${op}`);
    }
  }
});

test('privacy flow: detection, operator choice, live preview and risk meter, masked export', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    await page.waitForSelector('#protect-section:not([hidden])');

    // Detection is visible, with reasons; ordinary clinical numbers are not flagged.
    const row = (name) => page.locator(`#protect-table tr[data-column="${name}"]`);
    assert.equal(await row('patient_name').getAttribute('data-verdict'), 'direct_identifier');
    assert.equal(await row('phone').getAttribute('data-verdict'), 'direct_identifier');
    assert.equal(await row('zip').getAttribute('data-verdict'), 'quasi_identifier');
    assert.equal(await row('glucose').getAttribute('data-verdict'), 'ordinary');
    assert.equal(await row('systolic_bp').getAttribute('data-verdict'), 'ordinary');
    assert.match(await row('patient_name').locator('.reasons').textContent(), /column name suggests a name/);
    assert.match(await row('phone').locator('.reasons').textContent(), /phone number/);
    // Every operator is offered with its explanation.
    const options = await page.locator('#protect-table tr[data-column="phone"] select option').evaluateAll(
      (os) => os.map((o) => ({ value: o.value, title: o.title })));
    assert.equal(options.length, 18, 'none + 17 operators (deduplicate included)');
    for (const o of options.slice(1)) assert.ok(o.title.length > 20, `${o.value} explained`);

    // The first preview fills the meter and the before/after tables (with the target set, as a
    // user would have it).
    await page.selectOption('#target-select', 'readmitted_30d');
    const v1 = await previewVersionAbove(page, 0);
    assert.equal(await page.getAttribute('#protect-status', 'data-state'), 'idle', await page.textContent('#protect-status'));
    assert.ok(Number(await meter(page, 'k-before')) >= 1);
    const atRisk1 = Number(await meter(page, 'at-risk'));
    assert.equal(await page.locator('#preview-before tbody tr').count(), 5);
    assert.equal(await page.locator('#preview-after tbody tr').count(), 5);
    assert.equal(await page.locator('#preview-after th', { hasText: 'phone' }).count(), 0, 'phone is dropped by the suggestion');
    // The suggested scrub_text step shows a sample of its notes, each replacement marked with its
    // category, and no patient's name in it.
    const notesReview = page.locator('#protect-notes .notes-review');
    assert.equal(await notesReview.count(), 1, 'the notes review is shown');
    assert.equal(await notesReview.locator('.notes-note').count(), 5);
    const reviewText = await notesReview.textContent();
    const demoNames = parseCsv(readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8')).slice(1, 50).map((r) => r[0]);
    for (const name of demoNames) assert.ok(!reviewText.includes(name), `${name} not in the notes review`);
    await ctx.shot('privacy-01-detected');

    // Choose "redact" for the phone: the preview shows it redacted.
    await page.selectOption('#protect-table tr[data-column="phone"] select', 'redact');
    const v2 = await previewVersionAbove(page, v1);
    const phones = await page.locator('#preview-after td[data-column="phone"]').allTextContents();
    assert.deepEqual(phones, Array(5).fill('[REDACTED]'));
    assert.equal(await row('phone').getAttribute('data-op'), 'redact');
    assert.match(await row('phone').locator('.op-help').textContent(), /REDACTED/);
    let recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.ok(recipe.privacy.some((s) => s.op === 'redact' && s.columns.includes('phone')), 'the recipe follows the picker');
    assert.ok(!recipe.privacy.some((s) => s.op === 'drop' && s.columns.includes('phone')));

    // The suggestion meets the threshold: no record at risk.
    assert.equal(atRisk1, 0, 'the suggested recipe leaves no record above the risk threshold');
    // Without its automatic k-anonymity step (typed in the recipe JSON, as a user may): more
    // records at risk, and the step bar marks Protect as above the threshold.
    const typed = JSON.parse(await page.inputValue('#recipe-json'));
    typed.privacy = typed.privacy.filter((s) => s.op !== 'k_anonymize');
    await page.fill('#recipe-json', JSON.stringify(typed, null, 2));
    await page.press('#recipe-json', 'End');
    await page.keyboard.type(' ');
    const v3 = await previewVersionAbove(page, v2);
    const atRisk3 = Number(await meter(page, 'at-risk'));
    assert.ok(atRisk3 > atRisk1, `without k-anonymity more records are at risk (${atRisk1} → ${atRisk3})`);
    await page.waitForSelector('.stepbar li[data-step="protect"][data-above="true"]');
    // Editing an argument updates the preview too: bands of 20 years for age.
    await page.fill('#arg-age-width', '20');
    await page.locator('#arg-age-width').dispatchEvent('change');
    const v4 = await previewVersionAbove(page, v3);
    const ages = await page.locator('#preview-after td[data-column="age"]').allTextContents();
    for (const a of ages) assert.match(a, /^(\d+-\d+|90\+)$/);
    assert.ok(ages.some((a) => /^(0-19|20-39|40-59|60-79|80-89)$/.test(a)), `bands of 20: ${ages}`);
    // Automatic k-anonymity chosen for the ZIP code: one step over every quasi-identifier (the
    // columns the meter measures), so that the step's "k = 5 reached" and the meter's k agree.
    await page.selectOption('#protect-table tr[data-column="zip"] select', 'k_anonymize');
    await previewVersionAbove(page, v4);
    assert.equal(await row('zip').getAttribute('data-op'), 'k_anonymize');
    const edited = JSON.parse(await page.inputValue('#recipe-json'));
    const kStep = edited.privacy.find((s) => s.op === 'k_anonymize');
    const measured = Object.entries(edited.columns).filter(([, r]) => r === 'quasi').map(([c]) => c);
    assert.deepEqual([...kStep.quasi].sort(), [...measured].sort(), 'the step covers the measured quasi-identifiers');
    assert.ok(Number(await meter(page, 'at-risk')) < atRisk3, 'k_anonymize lowers the records at risk');
    assert.ok(Number(await meter(page, 'k-after')) >= kStep.k, 'the meter shows the k the step reached');
    assert.ok(await page.locator('#protect-audit li[data-op="k_anonymize"]').count() === 1, 'audit entry shown');
    await page.locator('#protect-section').scrollIntoViewIfNeeded();
    await ctx.shot('privacy-02-edited');

    // Run and download: no original name, record number or phone survives, notes included.
    await page.click('#run');
    await waitForResults(page, ['logistic_regression']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const masked = await readFile(await download.path(), 'utf8');
    const original = parseCsv(readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8'));
    const header = original[0];
    const rows = parseCsv(masked);
    const cells = new Set(rows.slice(1).flat());
    for (const column of ['patient_name', 'mrn', 'phone']) {
      const i = header.indexOf(column);
      // Rows of the right width only (the demo holds two malformed rows, which are rejected).
      for (const r of original.slice(1).filter((r) => r.length === header.length)) {
        const v = (r[i] ?? '').trim();
        if (v.length < 4) continue;
        assert.ok(!cells.has(v), `${column}: an original value survived as a cell`);
        if (v.length >= 6) assert.ok(!containsValue(masked, v), `${column}: an original value survived inside the output`);
      }
    }
    const phoneCol = rows[0].indexOf('phone');
    assert.ok(phoneCol >= 0 && rows.slice(1).every((r) => r[phoneCol] === '[REDACTED]' || r[phoneCol] === ''));
    const report = JSON.parse(await (async () => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
      return readFile(await d.path(), 'utf8');
    })());
    assert.ok(report.audit.some((a) => a.op === 'k_anonymize' && a.args.result.levels.zip));
    assert.equal(report.privacy.suppressed_rows + report.privacy.output_rows, report.input.rows);

    // Chinese.
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.querySelector('#protect-title')?.textContent === '隐私保护');
    assert.equal(await row('patient_name').locator('.verdict').textContent(), '直接标识符');
    await ctx.shot('privacy-03-zh');

    assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
    assert.deepEqual(ctx.problems, [], 'console errors or page errors');
  } finally {
    await ctx.close();
  }
});
