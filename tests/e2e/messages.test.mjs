// Browser end-to-end: the core's sentences (audit notes, warnings, rejected rows, errors) are
// codes the page renders in its language (src/message.rs, www/message.js). In the Chinese page,
// after the demo flow, no English sentence from the core is left in the Protect step, the
// Results and the privacy reports; the English page shows the core's own English text.
// Screenshots: test-artifacts/messages-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, STRINGS, download, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults,
} from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const MODELS = ['logistic_regression'];

/**
 * An English sentence: two words of three or more ASCII letters in a row. Column names, op
 * names and technical tokens (`admission_date`, `HMAC-SHA256`, `k = 5`) are single words.
 */
const ENGLISH = /[A-Za-z]{3,}[ ,;:]+[A-Za-z]{3,}/;

function assertNoEnglish(where, texts) {
  const english = texts.filter((s) => ENGLISH.test(s));
  assert.deepEqual(english, [], `${where}: English left in the Chinese page`);
}

test('message strings: every msg.* key exists in both languages with the same placeholders', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)[^}]*\}/g)].map((m) => m[1]).sort();
  const keys = Object.keys(STRINGS.en).filter((k) => k.startsWith('msg.'));
  assert.ok(keys.length > 50, `${keys.length} message strings`);
  for (const k of keys) {
    assert.ok(k in STRINGS.zh, `zh lacks ${k}`);
    assert.deepEqual([...new Set(names(STRINGS.zh[k]))], [...new Set(names(STRINGS.en[k]))], `${k}: placeholders`);
  }
  for (const k of Object.keys(STRINGS.zh).filter((x) => x.startsWith('msg.'))) assert.ok(k in STRINGS.en, `en lacks ${k}`);
});

test('Chinese page: the core\'s messages are rendered in Chinese in Protect, Results and both reports', async () => {
  const ctx = await openPage(env, { locale: 'zh-CN' });
  const { page } = ctx;
  try {
    await loadDemo(page);
    // Rejected rows in the Profile: "第 N 行：应有 16 个字段，实际读到 17 个".
    const rejected = await page.locator('#rejected-list li').allTextContents();
    assert.equal(rejected.length, 2, JSON.stringify(rejected));
    assertNoEnglish('rejected rows', rejected);
    assert.ok(rejected.some((r) => /应有 \d+ 个字段，实际读到 \d+ 个/.test(r)), JSON.stringify(rejected));

    await page.selectOption('#target-select', 'readmitted_30d');
    await page.waitForFunction(() => document.querySelectorAll('#protect-audit li').length > 0
      && document.querySelector('#risk-meter')?.dataset.pending === 'false', null, { timeout: 60_000 });
    const protect = await page.locator('#protect-audit li .note').allTextContents();
    assert.ok(protect.length > 0, 'the Protect step lists its audit');
    assertNoEnglish('Protect audit', protect);
    assert.ok(protect.some((n) => n.includes('已达到 k = ')), JSON.stringify(protect));
    await page.locator('#protect-section').screenshot({ path: join(ARTIFACTS, 'messages-protect-zh.png') });
    const meterWarnings = await page.locator('#safe-harbor li[data-source="warning"]').allTextContents();
    assertNoEnglish('Protect warnings', meterWarnings);

    await page.click('#run');
    await waitForResults(page, MODELS);
    const audit = await page.locator('#audit-list li .note').allTextContents();
    assert.ok(audit.length >= 3, JSON.stringify(audit));
    assertNoEnglish('Results audit', audit);
    assertNoEnglish('Results warnings', await page.locator('#warnings li').allTextContents());
    assertNoEnglish('Results rejected rows', await page.locator('#results-rejected li').allTextContents());
    await page.locator('#results-section').screenshot({ path: join(ARTIFACTS, 'messages-results-zh.png') });

    const report = JSON.parse((await download(page, '#download-report')).text);
    // The Report keeps its English beside the codes.
    assert.equal(report.warnings.length, report.warning_codes.length);
    assert.ok(report.input.rejected_rows.every((r) => r.code === 'csv.field_count' && /^expected \d+ fields, found \d+$/.test(r.reason)));
    assert.ok(report.audit.filter((a) => a.note).every((a) => typeof a.code === 'string'), 'every audit note has its code');

    const view = await page.context().newPage();
    try {
      for (const selector of ['#download-privacy-report', '#download-external-report']) {
        const doc = await download(page, selector);
        await view.setContent(doc.text);
        const notes = await view.$$eval('table td:last-child', (tds) => tds.map((td) => td.textContent));
        const warnings = await view.$$eval('ul.warnings li', (lis) => lis.map((li) => li.textContent));
        const rows = await view.$$eval('li', (lis) => lis.map((li) => li.textContent).filter((s) => /^第 /.test(s)));
        assertNoEnglish(`${doc.name}: audit`, notes.filter((n) => n && !/^[\d.,% ]+$/.test(n)));
        assertNoEnglish(`${doc.name}: warnings`, warnings);
        assertNoEnglish(`${doc.name}: rejected rows`, rows);
        await view.screenshot({ path: join(ARTIFACTS, `messages-${doc.name.replace(/\.html$/, '')}.png`), fullPage: true });
      }
    } finally {
      await view.close();
    }
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('English page: the core\'s English text, and a switch to Chinese re-renders the same messages', async () => {
  const ctx = await openPage(env, { locale: 'en-US' });
  const { page } = ctx;
  try {
    await loadDemo(page);
    const rejected = await page.locator('#rejected-list li').allTextContents();
    assert.ok(rejected.every((r) => /^line \d+: expected \d+ fields, found \d+$/.test(r)), JSON.stringify(rejected));
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const zh = await page.locator('#rejected-list li').allTextContents();
    assert.ok(zh.every((r) => /应有 \d+ 个字段，实际读到 \d+ 个/.test(r)), JSON.stringify(zh));
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
