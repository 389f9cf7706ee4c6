// Browser end-to-end: the real page, served on 127.0.0.1, in headless Chromium.
// Load demo data → profile → run → results → export; cancel; language switch.
// Every request the page (or its worker) makes must stay on the server's origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containsValue } from '../common.mjs';
import {
  STRINGS, WWW, foreignRequests, loadDemo, metricMean, openPage, parseCsv, startEnvironment, waitForResults,
} from './helpers.mjs';

const MODELS = ['logistic_regression', 'decision_tree'];
let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

/** Common end-of-test checks: nothing left the origin, no CSP violation or script error. */
function assertClean(ctx) {
  assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
  assert.deepEqual(ctx.problems, [], 'console errors or page errors');
}

test('demo data: load, profile, run, results and masked export, all on one origin', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await ctx.shot('01-start');
    await loadDemo(page);

    // Profile: 16 columns, 1,000 rows, 2 rejected rows with their line numbers.
    assert.equal(await page.locator('#profile-table tbody tr').count(), 16);
    const summary = page.locator('#profile-summary');
    assert.equal(await summary.getAttribute('data-rows'), '1000');
    assert.equal(await summary.getAttribute('data-columns'), '16');
    assert.match(await summary.textContent(), /1,000/);
    const rejected = await page.locator('#rejected-list li').allTextContents();
    assert.equal(rejected.length, 2, `rejected rows: ${JSON.stringify(rejected)}`);
    for (const line of rejected) assert.match(line, /^line \d+: \S/);

    // The target is suggested; set it explicitly anyway.
    assert.equal(await page.inputValue('#target-select'), 'readmitted_30d');
    await page.selectOption('#target-select', 'readmitted_30d');
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.equal(recipe.target, 'readmitted_30d');
    assert.equal(recipe.columns?.readmitted_30d, 'target');
    for (const kind of MODELS) assert.ok(await page.isChecked(`#model-${kind}`), `${kind} checked`);
    await ctx.shot('02-profile');

    // Run with real progress, then read the results.
    await page.click('#run');
    await waitForResults(page, MODELS);
    assert.equal(await page.getAttribute('#run-status', 'data-state'), 'done');
    const lrAuc = await metricMean(page, 'logistic_regression', 'roc_auc');
    const dtAuc = await metricMean(page, 'decision_tree', 'roc_auc');
    assert.ok(lrAuc > 0.6, `logistic regression ROC-AUC ${lrAuc} should be > 0.6`);
    assert.ok(Number.isFinite(dtAuc), `decision tree ROC-AUC ${dtAuc} should be a number`);
    const aucCell = await page.textContent('#results-table tr[data-kind="logistic_regression"] td[data-metric="roc_auc"]');
    assert.match(aucCell, /^0\.\d{3} ± 0\.\d{3}$/);
    assert.equal(await page.locator('.cm[data-kind] td[data-cell="tp"]').count(), 2, 'two confusion matrices');
    assert.ok(await page.locator('#audit-list li').count() > 0, 'audit trail listed');
    assert.equal(await page.locator('#results-rejected li[data-line]').count(), 2);
    const progress = await page.evaluate(() => {
      const p = document.querySelector('#progress');
      return { value: p.value, max: p.max };
    });
    assert.ok(progress.max > 1 && progress.value === progress.max, `progress ${JSON.stringify(progress)}`);
    await page.locator('#results-section').scrollIntoViewIfNeeded();
    await ctx.shot('03-results');

    // Export the masked CSV: no original name or MRN may survive in it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const masked = await readFile(await download.path(), 'utf8');
    const maskedRows = parseCsv(masked).filter((r) => r.length > 1);
    assert.ok(maskedRows.length >= 900, `masked CSV has ${maskedRows.length} rows`);
    assert.ok(!maskedRows[0].includes('patient_name'), 'patient_name column must not be exported');

    const original = parseCsv(readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8'));
    const header = original[0];
    for (const column of ['patient_name', 'mrn']) {
      const j = header.indexOf(column);
      assert.ok(j >= 0, `demo data has ${column}`);
      const values = new Set(original.slice(1).map((r) => (r[j] ?? '').trim()).filter((v) => v.length >= 4));
      assert.ok(values.size > 500, `${column}: ${values.size} distinct originals`);
      const leaked = [...values].filter((v) => containsValue(masked, v));
      assert.deepEqual(leaked.slice(0, 10), [], `${leaked.length} original ${column} values appear in the masked CSV`);
    }

    // The report and the recipe download too.
    const [report] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const reportJson = JSON.parse(await readFile(await report.path(), 'utf8'));
    assert.equal(reportJson.models.length, 2);
    const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#download-recipe')]);
    assert.equal(JSON.parse(await readFile(await saved.path(), 'utf8')).target, 'readmitted_30d');

    assert.ok(ctx.requests.some((u) => u.endsWith('/worker.js')), 'the worker was loaded from the origin');
    assert.ok(ctx.requests.some((u) => u.endsWith('.wasm')), 'the wasm module was fetched from the origin');
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('an uploaded recipe re-runs on the loaded data', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'decision_tree' }];
    recipe.evaluation = { method: 'holdout', test_fraction: 0.3 };
    recipe.seed = 11;
    await page.setInputFiles('#upload-recipe', {
      name: 'saved-recipe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
    });
    await waitForResults(page, ['decision_tree']);
    assert.equal(await page.locator('#results-table tbody tr').count(), 1);
    assert.ok(!(await page.isChecked('#model-logistic_regression')));
    assert.ok(await page.isChecked('#eval-holdout'));
    assert.equal(await page.inputValue('#seed'), '11');
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('file picker and drag-and-drop load a file; the recipe editor and the controls stay in sync', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  const csv = 'mrn,age,sex,bp,outcome\n' + Array.from({ length: 60 }, (_, i) =>
    `${100000 + i},${20 + (i % 50)},${i % 2 ? 'F' : 'M'},${110 + ((i * 7) % 40)},${i % 3 === 0 ? 1 : 0}`).join('\n') + '\n';
  try {
    // File picker.
    await page.setInputFiles('#file-input', { name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => document.querySelector('#profile-summary')?.dataset.rows === '60');
    assert.equal(await page.locator('#profile-table tbody tr').count(), 5);
    assert.equal(await page.inputValue('#target-select'), 'outcome');

    // Drag and drop a different file onto the zone.
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
      document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, csv.split('\n').slice(0, 41).join('\n') + '\n');
    await page.waitForFunction(() => document.querySelector('#profile-summary')?.dataset.rows === '40');
    assert.match(await page.textContent('#profile-summary'), /dropped\.csv/);

    // Controls → JSON.
    await page.uncheck('#model-decision_tree');
    await page.check('#eval-holdout');
    await page.fill('#seed', '42');
    await page.press('#seed', 'Tab');
    let recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.deepEqual(recipe.models.map((m) => m.kind), ['logistic_regression']);
    // The method changes; the suggested recipe's other evaluation fields (explanations on for
    // small data) stay.
    assert.deepEqual(recipe.evaluation, { method: 'holdout', test_fraction: 0.25, shap: true });
    assert.equal(recipe.seed, 42);
    await page.selectOption('#profile-table tr[data-column="sex"] select[id^="role-"]', 'identifier');
    await page.selectOption('#profile-table tr[data-column="sex"] select[id^="action-"]', 'pseudonymize');
    recipe = JSON.parse(await page.inputValue('#recipe-json'));
    assert.equal(recipe.columns.sex, 'identifier');
    assert.ok(recipe.privacy.some((op) => op.op === 'pseudonymize' && op.columns.includes('sex')));

    // JSON → controls.
    recipe.seed = 5;
    recipe.models = [{ kind: 'decision_tree' }];
    recipe.columns.age = 'ignore';
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    assert.equal(await page.inputValue('#seed'), '5');
    assert.ok(await page.isChecked('#model-decision_tree'));
    assert.ok(!(await page.isChecked('#model-logistic_regression')));
    assert.equal(await page.inputValue('#profile-table tr[data-column="age"] select[id^="role-"]'), 'ignore');

    // Invalid JSON is reported and blocks Run; a recipe the core rejects fails with its message.
    await page.fill('#recipe-json', '{"version": 1,');
    assert.match(await page.textContent('#recipe-error'), /not valid JSON/);
    await page.click('#run');
    assert.equal(await page.getAttribute('#run-status', 'data-state'), 'error');
    recipe.models = [{ kind: 'no_such_model' }];
    await page.fill('#recipe-json', JSON.stringify(recipe));
    assert.equal(await page.textContent('#recipe-error'), '');
    await page.click('#run');
    await page.waitForSelector('#run-status[data-state="error"]');
    assert.match(await page.textContent('#run-status'), /no_such_model/);
    await ctx.shot('06-recipe-error');

    // And a valid recipe runs.
    recipe.models = [{ kind: 'logistic_regression' }];
    await page.fill('#recipe-json', JSON.stringify(recipe));
    await page.click('#run');
    await waitForResults(page, ['logistic_regression']);
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('Cancel stops a running job and a later Run still works', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);

    // 1. Cancel right after pressing Run (same task: the worker is terminated before it answers).
    await page.evaluate(() => {
      document.querySelector('#run').click();
      document.querySelector('#cancel').click();
    });
    await page.waitForSelector('#run-status[data-state="cancelled"]');
    assert.ok(await page.isHidden('#results-section'), 'no results after a cancelled run');
    assert.ok(await page.isDisabled('#cancel'));
    assert.ok(await page.isEnabled('#run'));
    assert.equal(await page.textContent('#run-status'), STRINGS.en['run.cancelled']);
    await ctx.shot('04-cancelled');

    // 2. The next Run starts a new worker (re-sending the file) and completes.
    await page.click('#run');
    await waitForResults(page, MODELS);

    // 3. Cancel in the middle of a run, as soon as the worker reports progress.
    const outcome = await page.evaluate(() => new Promise((resolve) => {
      const progress = document.querySelector('#progress');
      const status = document.querySelector('#run-status');
      const observer = new MutationObserver(() => {
        if (progress.dataset.stage) {
          observer.disconnect();
          document.querySelector('#cancel').click();
          resolve('cancelled-mid-run');
        } else if (status.dataset.state === 'done') {
          observer.disconnect();
          resolve('finished-before-any-progress');
        }
      });
      observer.observe(progress, { attributes: true });
      observer.observe(status, { attributes: true, childList: true, subtree: true });
      document.querySelector('#run').click();
    }));
    assert.equal(outcome, 'cancelled-mid-run');
    await page.waitForSelector('#run-status[data-state="cancelled"]');
    // The results of the run before are kept, marked as the previous run's.
    assert.ok(await page.isVisible('#results-section'));
    assert.equal(await page.textContent('#results-previous'), STRINGS.en['results.previous_unfinished']);

    await page.click('#run');
    await waitForResults(page, MODELS);
    assert.ok((await metricMean(page, 'logistic_regression', 'roc_auc')) > 0.6);
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('switching to 简体中文 changes the visible labels, and back', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  const { en, zh } = STRINGS;
  try {
    assert.equal(await page.textContent('#load-demo'), en['load.demo']);
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await page.textContent('#load-demo'), zh['load.demo']);
    assert.equal(await page.textContent('#load-h span[data-i18n]'), zh['step.load']);

    await loadDemo(page);
    // Every static label is the Chinese string for its key.
    const labels = await page.$$eval('[data-i18n]', (els) => els.map((e) => [e.dataset.i18n, e.textContent]));
    for (const [key, text] of labels) assert.equal(text, zh[key], `label ${key}`);
    assert.equal(await page.textContent('#profile-table thead th'), zh['profile.col.name']);
    const roleOptions = await page.locator('#profile-table tbody tr select[id^="role-"]').first().locator('option').allTextContents();
    assert.ok(roleOptions.includes(zh['role.quasi']), `role options ${roleOptions}`);
    assert.match(await page.textContent('#rejected-list li'), /^第 \d+ 行：/);

    await page.click('#run');
    await waitForResults(page, MODELS);
    assert.equal(await page.textContent('#results-table thead th'), zh['results.model']);
    assert.equal(await page.textContent('#results-table tr[data-kind="logistic_regression"] th'), zh['model.logistic_regression']);
    await ctx.shot('05-zh-profile-results');

    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.textContent('#load-demo'), en['load.demo']);
    assert.equal(await page.textContent('#results-table thead th'), en['results.model']);
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});
