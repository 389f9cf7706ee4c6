// Browser end-to-end for the guided app: the step bar and its states, undo / redo of every kind of
// recipe edit, the plain-language recipe, the printable reports (downloaded, rendered, printed to
// PDF), keyboard-only use, accessible names, visible focus, and a screenshot of every step in
// English and Chinese.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, STRINGS, download, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults,
} from './helpers.mjs';

const MODELS = ['logistic_regression', 'decision_tree'];
const STEPS = ['load', 'profile', 'protect', 'features', 'train', 'results', 'export'];
let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

function assertClean(ctx) {
  assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
  assert.deepEqual(ctx.problems, [], 'console errors or page errors');
}

/** {step: state} from the step bar, and the step marked aria-current. */
async function bar(page) {
  return page.$$eval('#steps > li', (items) => {
    const states = Object.fromEntries(items.map((li) => [li.dataset.step, li.dataset.state]));
    const current = items.filter((li) => li.querySelector('a[aria-current="step"]')).map((li) => li.dataset.step);
    return { states, current };
  });
}

const recipeOf = async (page) => JSON.parse(await page.inputValue('#recipe-json'));

async function runDemo(page) {
  await page.click('#run');
  await waitForResults(page, MODELS);
}

test('step bar: states follow the flow, blocked steps say why, Next moves focus', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    let b = await bar(page);
    assert.deepEqual(b.current, ['load']);
    assert.equal(b.states.profile, 'blocked');
    assert.match(await page.textContent('#steps li[data-step="results"]'), /train first/);
    assert.equal(await page.getAttribute('#steps li[data-step="train"] a', 'aria-disabled'), 'true');
    // A blocked step cannot be entered: the bar says why.
    await page.focus('#steps li[data-step="train"] a');
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#flow-status'), /load data first/);
    assert.deepEqual((await bar(page)).current, ['load']);

    await loadDemo(page);
    b = await bar(page);
    assert.deepEqual(b.current, ['profile']);
    assert.deepEqual(b.states, { load: 'done', profile: 'current', protect: 'todo', features: 'todo', train: 'todo', results: 'blocked', export: 'blocked' });
    assert.match(await page.textContent('.step-did[data-step="load"]'), /1,000 rows, 16 columns, 2 rows rejected/);

    // Next: Protect → the bar moves, focus lands on the Protect heading.
    await page.click('.step-next[data-step="profile"] button');
    b = await bar(page);
    assert.deepEqual(b.current, ['protect']);
    assert.equal(b.states.profile, 'done');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'protect-h');
    await page.waitForSelector('.step-did[data-step="protect"]:has-text("preview")');
    assert.match(await page.textContent('.step-did[data-step="protect"]'), /6 privacy steps; preview: k 1 → 5, 22 rows suppressed/);

    // No model → Train is blocked with that reason.
    for (const kind of MODELS) await page.uncheck(`#model-${kind}`);
    b = await bar(page);
    assert.equal(b.states.train, 'blocked');
    assert.match(await page.textContent('#steps li[data-step="train"]'), /choose at least one model/);
    for (const kind of MODELS) await page.check(`#model-${kind}`);

    await runDemo(page);
    b = await bar(page);
    assert.deepEqual(b.current, ['results']);
    assert.deepEqual(b.states, { load: 'done', profile: 'done', protect: 'done', features: 'done', train: 'done', results: 'current', export: 'todo' });
    assert.match(await page.textContent('.step-did[data-step="train"]'), /2 models × 5 splits = 10 fits in [\d.]+ s/);
    assert.match(await page.textContent('.step-did[data-step="features"]'), /3 feature steps; 325 missing cells filled/);
    assert.match(await page.textContent('.step-did[data-step="results"]'), /best model: Logistic regression, ROC-AUC 0\.\d{3} \(95% interval 0\.\d{3}–0\.\d{3}\)/);
    assert.match(await page.textContent('.step-did[data-step="export"]'), /masked CSV \(978 rows\), report \(JSON\), privacy report \(HTML\), model report \(HTML\)/);
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('undo / redo: roles, operators, feature steps, models, typed JSON and uploaded recipes', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    assert.ok(await page.isDisabled('#undo'));
    const original = await recipeOf(page);

    // A role change.
    await page.selectOption('#profile-table tr[data-column="age"] select[id^="role-"]', 'feature');
    assert.equal((await recipeOf(page)).columns.age, 'feature');
    assert.equal(await page.textContent('#undo'), 'Undo: age as feature');

    // An operator pick in the Protect panel (smoker is in no privacy step of the suggestion).
    await page.selectOption('#protect-table tr[data-column="smoker"] select', 'suppress');
    assert.ok((await recipeOf(page)).privacy.some((s) => s.op === 'suppress'));
    assert.equal(await page.textContent('#undo'), 'Undo: add suppress');

    // A feature step and a model.
    await page.selectOption('#feature-add-op', 'pca');
    await page.click('#feature-add');
    assert.equal(await page.textContent('#undo'), 'Undo: add pca');
    await page.check('#model-random_forest');
    assert.equal(await page.textContent('#undo'), 'Undo: add random_forest');
    assert.ok(await page.isChecked('#model-random_forest'));
    await page.waitForSelector('#recipe-steps li[data-op="random_forest"]');

    // Ctrl+Z with the focus outside a text field undoes; every view follows.
    await page.focus('#model-random_forest');
    await page.keyboard.press('Control+z');
    assert.ok(!(await page.isChecked('#model-random_forest')));
    assert.equal(await page.locator('#recipe-steps li[data-op="random_forest"]').count(), 0);
    assert.match(await page.textContent('#flow-status'), /Undone: add random_forest/);
    assert.equal(await page.textContent('#redo'), 'Redo: add random_forest');
    await page.click('#redo');
    assert.ok(await page.isChecked('#model-random_forest'));

    await page.click('#undo'); // random forest
    await page.click('#undo'); // pca
    assert.equal(await page.locator('#features-list li[data-op="pca"]').count(), 0);
    await page.click('#undo'); // suppress
    assert.equal(await page.inputValue('#protect-table tr[data-column="smoker"] select'), '');
    await page.click('#undo'); // age role
    assert.equal(await page.inputValue('#profile-table tr[data-column="age"] select[id^="role-"]'), 'quasi');
    assert.deepEqual(await recipeOf(page), original);
    assert.ok(await page.isDisabled('#undo'));

    // Typing in the JSON is one edit however many keystrokes; Ctrl+Z inside the box is the box's own.
    const edited = { ...original, seed: 11 };
    await page.fill('#recipe-json', JSON.stringify(edited, null, 2));
    await page.press('#recipe-json', 'End');
    await page.keyboard.type(' ');
    assert.equal(await page.textContent('#undo'), 'Undo: edit the recipe JSON');
    assert.equal(await page.inputValue('#seed'), '11');
    await page.locator('#seed').blur();
    await page.click('#undo');
    assert.deepEqual(await recipeOf(page), original);
    assert.equal(await page.inputValue('#seed'), '7');

    // An uploaded recipe (it runs at once); undo restores the recipe before it.
    const uploaded = { ...original, models: [{ kind: 'naive_bayes' }] };
    const file = join(ARTIFACTS, 'undo-upload.json');
    await writeFile(file, JSON.stringify(uploaded));
    await page.setInputFiles('#upload-recipe', file);
    await waitForResults(page, ['naive_bayes']);
    assert.equal(await page.textContent('#undo'), 'Undo: load recipe undo-upload.json');
    await page.click('#undo');
    assert.deepEqual((await recipeOf(page)).models, original.models);
    assert.ok(await page.isChecked('#model-logistic_regression'));
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('recipe panel: numbered plain-language steps in English and Chinese, beside the JSON', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const steps = await page.locator('#recipe-steps li').allTextContents();
    for (const want of [
      'Predict readmitted_30d',
      'Pseudonymize mrn with a keyed hash (HMAC-SHA256)',
      'Generalize age into bands of 5',
      'Make the data 5-anonymous over admission_date, sex, age, zip, suppressing at most 5% of the rows',
      'Impute missing numbers in all suitable columns with the training median',
      'Stratified 5-fold cross-validation, seed 7',
    ]) assert.ok(steps.includes(want), `missing "${want}" in ${JSON.stringify(steps)}`);
    await page.check('#model-random_forest');
    const forest = await page.textContent('#recipe-steps li[data-op="random_forest"]');
    assert.match(forest, /^Random forest/);
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const zh = await page.locator('#recipe-steps li').allTextContents();
    assert.ok(zh.includes('分层 5 折交叉验证，随机种子 7'), JSON.stringify(zh));
    assert.ok(zh.includes('用带密钥的哈希（HMAC-SHA256）假名化 mrn'), JSON.stringify(zh));
    assert.equal(await page.locator('#recipe-steps li').count(), steps.length + 1);
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

/** Click a download button and return the file's text and suggested name. */
function assertSelfContained(html, what) {
  assert.match(html, /^<!doctype html>/i, `${what}: a complete document`);
  assert.doesNotMatch(html, /<script/i, `${what}: no script`);
  assert.doesNotMatch(html, /https?:/i, `${what}: no external URL`);
  assert.doesNotMatch(html, /\/\//, `${what}: no protocol-relative URL`);
  assert.doesNotMatch(html, /<link\b/i, `${what}: no linked resources`);
  assert.match(html, /<style>[\s\S]*@media print[\s\S]*<\/style>/, `${what}: inline print styles`);
}

for (const lang of ['en', 'zh']) {
  test(`printable reports (${lang}): fingerprint, risk before/after, metrics with intervals, charts; render and print`, async () => {
    const ctx = await openPage(env, { locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    const { page } = ctx;
    const S = STRINGS[lang];
    try {
      await loadDemo(page);
      for (const column of ['age', 'sex', 'zip']) await page.selectOption(`#protect-table tr[data-column="${column}"] select`, 'k_anonymize');
      await page.check('#model-random_forest');
      await page.click('#run');
      await waitForResults(page, [...MODELS, 'random_forest']);
      const report = JSON.parse((await download(page, '#download-report')).text);

      const privacy = await download(page, '#download-privacy-report');
      assert.equal(privacy.name, `patients-privacy-report.${lang}.html`);
      assertSelfContained(privacy.text, 'privacy report');
      assert.ok(privacy.text.includes(report.input.sha256), 'input fingerprint');
      assert.match(privacy.text, new RegExp(`<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"`));
      assert.ok(privacy.text.includes(S['report.privacy_title']));

      const model = await download(page, '#download-model-report');
      assertSelfContained(model.text, 'model report');
      assert.match(model.text, /<svg[\s>]/);

      const view = await ctx.page.context().newPage();
      try {
        // The privacy report, rendered: fingerprint, k before → after, every privacy step.
        await view.setContent(privacy.text);
        assert.equal(await view.textContent('[data-field="sha256"]'), report.input.sha256);
        assert.equal(await view.getAttribute('[data-field="rows"]', 'data-value'), String(report.input.rows));
        const k = view.locator('p[data-field="k"]');
        assert.equal(await k.getAttribute('data-before'), String(report.privacy.before.k_anonymity));
        assert.equal(await k.getAttribute('data-after'), String(report.privacy.k_anonymity));
        assert.ok(report.privacy.k_anonymity >= 5, `k_anonymize reached k ${report.privacy.k_anonymity}`);
        assert.ok((await k.textContent()).includes(`${report.privacy.before.k_anonymity} → ${report.privacy.k_anonymity}`));
        const privacySteps = report.audit.filter((a) => a.step.startsWith('privacy['));
        assert.deepEqual(await view.$$eval('[data-section="steps"] tbody tr', (rs) => rs.map((r) => r.dataset.op)), privacySteps.map((a) => a.op));
        assert.equal(await view.locator('[data-section="reid"] tbody tr').count(), 4);
        // The English text of each warning (the Chinese report renders their codes in Chinese).
        if (lang === 'en') for (const w of report.warnings) assert.ok(privacy.text.includes(w.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')), `warning: ${w}`);
        await view.emulateMedia({ media: 'print' });
        const pdf = await view.pdf({ path: join(ARTIFACTS, `privacy-report-${lang}.pdf`), format: 'A4' });
        assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');

        // The model report: every model's metrics with their 95% intervals, charts, matrices.
        await view.emulateMedia({ media: 'screen' });
        await view.setContent(model.text);
        // Every classification metric of the Report contract is in the Report; every metric the
        // model report shows (www/results.js CLASS_KEYS) is in the Report and in the view.
        for (const m of report.models) {
          for (const key of ['accuracy', 'precision', 'recall', 'specificity', 'f1', 'roc_auc']) {
            assert.ok(Number.isFinite(m.metrics[key]?.mean), `${m.kind}: ${key} in the report`);
          }
          for (const key of ['roc_auc', 'pr_auc', 'accuracy', 'balanced_accuracy', 'recall', 'specificity', 'mcc', 'brier', 'log_loss']) {
            const stat = m.metrics[key];
            assert.ok(stat && Number.isFinite(stat.pooled ?? stat.mean), `${m.kind}: ${key} in the report`);
            const cell = view.locator(`[data-section="metrics"] tr[data-kind="${m.kind}"] td[data-metric="${key}"]`);
            assert.equal(await cell.count(), 1, `${m.kind}: ${key} in the model report`);
            assert.equal(Number(await cell.getAttribute('data-value')), stat.pooled ?? stat.mean, `${m.kind} ${key}`);
            assert.deepEqual((await cell.getAttribute('data-ci')).split(',').map(Number), stat.ci, `${m.kind} ${key} interval`);
            assert.match(await cell.textContent(), /\(.+–.+\)/, `${m.kind} ${key} shows its interval`);
          }
          assert.equal(await view.locator(`[data-section="metrics"] tr[data-kind="${m.kind}"] td[data-metric="roc_auc"]`).count(), 1);
        }
        assert.ok(await view.locator('svg polyline.series').count() >= 2 * report.models.length, 'ROC and calibration lines');
        assert.equal(await view.locator('section.model figure.cm').count(), report.models.length, 'a confusion matrix per model');
        assert.ok((await view.textContent('ol.steps')).includes(lang === 'zh' ? '分层 5 折交叉验证' : 'Stratified 5-fold cross-validation'));
        await view.emulateMedia({ media: 'print' });
        const pdf2 = await view.pdf({ path: join(ARTIFACTS, `model-report-${lang}.pdf`), format: 'A4' });
        assert.equal(pdf2.subarray(0, 5).toString(), '%PDF-');
        await view.emulateMedia({ media: 'screen' });
        await view.screenshot({ path: join(ARTIFACTS, `model-report-${lang}.png`), fullPage: true });
      } finally {
        await view.close();
      }

      // "Open … to print": the same document in a new tab, styled.
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#open-model-report')]);
      const popupProblems = [];
      popup.on('console', (m) => { if (m.type() === 'error') popupProblems.push(m.text()); });
      await popup.waitForSelector('[data-field="sha256"]');
      assert.equal(await popup.textContent('[data-field="sha256"]'), report.input.sha256);
      assert.equal(await popup.$eval('h1', (e) => getComputedStyle(e).color), 'rgb(0, 114, 178)', 'report styles apply');
      assert.match(await popup.$eval('td.cm-cell', (e) => getComputedStyle(e).backgroundColor), /^rgba\(0, 114, 178/, 'cell shading applies');
      assert.ok(await popup.locator('svg').count() > 0);
      await popup.emulateMedia({ media: 'print' });
      await popup.screenshot({ path: join(ARTIFACTS, `model-report-opened-${lang}.png`) });
      assert.deepEqual(popupProblems, []);
      await popup.close();
      assert.equal(await page.getAttribute('#steps li[data-step="export"]', 'data-done'), 'true');
      assertClean(ctx);
    } finally {
      await ctx.close();
    }
  });
}
