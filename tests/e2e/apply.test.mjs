// Browser end-to-end for "Apply a model to new records" (www/apply.js): run the demo, download a
// trained model, load it back from the file, score a CSV of new synthetic patients (the demo's
// columns without the target), check the predictions; no request leaves the origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  STRINGS, WWW, foreignRequests, loadDemo, openPage, parseCsv, startEnvironment, waitForResults,
} from './helpers.mjs';

let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

test('apply.js: only same-origin code, and every string it uses exists in en and zh', () => {
  const js = readFileSync(join(WWW, 'apply.js'), 'utf8');
  assert.doesNotMatch(js, /https?:\/\//);
  assert.doesNotMatch(js, /\b(?:fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\b/);
  const keys = [...js.matchAll(/\bt\('([a-z0-9_.]+)'/g)].map((m) => m[1]);
  assert.ok(keys.length > 15, `apply.js uses ${keys.length} strings`);
  for (const k of keys) {
    assert.ok(k in STRINGS.en, `en lacks ${k}`);
    assert.ok(k in STRINGS.zh, `zh lacks ${k}`);
  }
});

/** New synthetic patients with the demo's columns except the target, one row with a bad number. */
function newPatients(header, n) {
  const cols = header.filter((c) => c !== 'readmitted_30d');
  const value = (c, i) => ({
    patient_name: `New Patient${i}`, mrn: String(90000000 + i), date_of_birth: '1950-01-01',
    admission_date: '2025-03-01', sex: i % 2 ? 'F' : 'M', age: String(30 + (i * 7) % 60),
    zip: ['02139', '27514', '10001'][i % 3], phone: '555-000-0000', smoker: i % 3 ? 'no' : 'yes',
    bmi: i % 5 ? String(20 + (i % 15)) : '', systolic_bp: String(100 + (i * 3) % 60),
    glucose: String(80 + (i * 11) % 120), hba1c: (5 + (i % 30) / 10).toFixed(1),
    diagnosis: ['sepsis', 'COPD', 'heart failure'][i % 3], note: 'follow-up',
  }[c] ?? '');
  const rows = Array.from({ length: n }, (_, i) => cols.map((c) => value(c, i)));
  // Not numbers: lines 5 to 7 cannot be scored (3 of 40 is too many for the reader to read the
  // column as numeric with a few missing values, so the model's numeric input is checked per row).
  for (const i of [3, 4, 5]) rows[i][cols.indexOf('glucose')] = 'high';
  return [cols.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

test('apply a model: download after the demo run, load it back, score new records', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    await page.click('#run');
    await waitForResults(page, ['logistic_regression']);
    await page.waitForSelector('#apply-exports button[data-model-index="0"]');

    // Download the first model (fitted on all labelled rows).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#apply-exports button[data-model-index="0"]'),
    ]);
    const modelText = readFileSync(await download.path(), 'utf8');
    const model = JSON.parse(modelText);
    assert.equal(model.format, 'bedside-model/1');
    assert.equal(model.target.column, 'readmitted_30d');
    assert.ok(Number.isFinite(model.evaluation.metrics.roc_auc.mean));
    assert.ok(!modelText.includes('Nancy Nelson'), 'no identifier in the model file');

    // Load it back through the file picker, then pick new records and score them.
    await page.setInputFiles('#apply-model-file', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(modelText) });
    await page.waitForSelector(`#apply-model[data-kind="${model.kind}"]`);
    const demo = readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8');
    const header = demo.split('\n')[0].split(',');
    const n = 40;
    await page.setInputFiles('#apply-records-file', { name: 'new.csv', mimeType: 'text/csv', buffer: Buffer.from(newPatients(header, n)) });
    await page.click('#apply-score');
    await page.waitForSelector('#apply-result, #apply-status.error', { timeout: 30_000 });
    const error = await page.$('#apply-status.error');
    assert.equal(error, null, error ? await error.textContent() : '');
    assert.equal(Number(await page.getAttribute('#apply-result', 'data-scored')), n - 3);
    assert.equal(Number(await page.getAttribute('#apply-result', 'data-unscored')), 3);
    assert.match(await page.textContent('#apply-unscored'), /Line 5, field glucose/);
    assert.equal(await page.locator('#apply-table tbody tr').count(), 10);
    await ctx.shot('apply-model');

    // The predictions CSV: every input row once; probabilities in [0, 1], classes of the target.
    const [pred] = await Promise.all([page.waitForEvent('download'), page.click('#apply-download')]);
    const rows = parseCsv(readFileSync(await pred.path(), 'utf8')).filter((r) => r.length > 1);
    assert.deepEqual(rows[0], ['row', 'line', 'probability', 'predicted_class', 'not_scored']);
    assert.equal(rows.length - 1, n);
    const scored = rows.slice(1).filter((r) => r[2] !== '');
    assert.equal(scored.length, n - 3);
    for (const r of scored) {
      const p = Number(r[2]);
      assert.ok(p >= 0 && p <= 1, `probability ${p}`);
      assert.equal(r[3], p >= model.threshold ? model.target.classes[1] : model.target.classes[0]);
    }
    assert.ok(!rows.flat().some((c) => c.includes('New Patient')), 'no input value in the predictions');

    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
