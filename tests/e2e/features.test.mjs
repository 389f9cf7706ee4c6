// Browser end-to-end: the feature steps editor. Choose steps with the controls, check the recipe
// JSON follows (and the editor follows the JSON), run, and read in the audit trail what each
// step learned inside the training rows. Every request stays on the page's origin.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { STRINGS, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

const MODELS = ['logistic_regression', 'decision_tree'];
let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

const recipeOf = async (page) => JSON.parse(await page.inputValue('#recipe-json'));
const step = (i) => `#features-list li[data-index="${i}"]`;

/** Type a number and commit it (the editor listens to change, as when the field loses focus). */
async function setNumber(page, selector, value) {
  await page.fill(selector, value);
  await page.locator(selector).dispatchEvent('change');
}

async function addStep(page, op) {
  await page.selectOption('#feature-add-op', op);
  await page.click('#feature-add');
}

test('feature steps: choose them on the page, run, and the audit shows what each learned', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    const en = STRINGS.en;

    // The suggested recipe's steps are listed, each with its explanation line.
    assert.equal(await page.textContent('#features-editor legend'), en['features.title']);
    const ops = await page.locator('#features-list li').evaluateAll((lis) => lis.map((li) => li.dataset.op));
    assert.deepEqual(ops, ['impute', 'scale', 'one_hot']);
    assert.equal(await page.textContent(`${step(0)} .feat-help`), en['features.help.impute']);
    // Every op can be added from the list.
    const offered = await page.locator('#feature-add-op option').evaluateAll((os) => os.map((o) => o.value));
    for (const op of ['normalize_categories', 'unit_outliers', 'clip', 'drop_constant', 'drop_missing', 'drop_rows',
      'missing_indicator', 'impute', 'scale', 'log', 'one_hot', 'ordinal', 'date_parts', 'days_between', 'age_at',
      'pca', 'select', 'balance']) {
      assert.ok(offered.includes(op), `${op} offered`);
    }

    // Impute with KNN: the neighbours field appears, and the recipe JSON follows.
    await page.selectOption(`${step(0)} select[data-arg="strategy"]`, 'knn');
    assert.equal(await page.locator(`${step(0)} input[data-arg="neighbors"]`).count(), 1);
    await setNumber(page, `${step(0)} input[data-arg="neighbors"]`, '7');
    assert.deepEqual((await recipeOf(page)).features[0], { op: 'impute', strategy: 'knn', neighbors: 7 });

    // Keep the admission date exact for its month and weekday, as a user may: role feature (it
    // leaves the k_anonymize step) and no coarsening step in Protect.
    await page.selectOption('#profile-table tr[data-column="admission_date"] select[id^="role-"]', 'feature');
    await page.selectOption('#protect-table tr[data-column="admission_date"] select', '');
    assert.ok(!(await recipeOf(page)).privacy.some((s) => (s.columns || s.quasi || []).includes('admission_date')));
    // Add a date step (the admission date is a model input), selection, PCA and SMOTE.
    await addStep(page, 'date_parts');
    let recipe = await recipeOf(page);
    assert.deepEqual(recipe.features[3], { op: 'date_parts', columns: ['admission_date'] });
    assert.equal(recipe.columns.admission_date, 'feature', 'a date named by a date step is a model input');
    await addStep(page, 'select');
    await setNumber(page, `${step(4)} input[data-arg="k"]`, '8');
    await addStep(page, 'pca');
    await addStep(page, 'balance');
    recipe = await recipeOf(page);
    assert.deepEqual(recipe.features.slice(4), [
      { op: 'select', method: 'anova_f', k: 8 },
      { op: 'pca', components: 2 },
      { op: 'balance', method: 'smote' },
    ]);

    // Editing the JSON re-renders the editor: three PCA components.
    recipe.features[5].components = 3;
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    assert.equal(await page.inputValue(`${step(5)} input[data-arg="components"]`), '3');

    // Moving and removing steps edits the recipe too.
    await addStep(page, 'clip');
    await page.click(`${step(7)} button[data-action="remove"]`);
    assert.equal((await recipeOf(page)).features.length, 7);
    await ctx.shot('features-01-editor');

    // Run: every step appears in the audit with what it learned on the training rows.
    await page.click('#run');
    await waitForResults(page, MODELS);
    const learned = async (i) => page.textContent(`#audit-list li[data-step="features[${i}]"] .learned`);
    assert.match(await learned(0), /7 nearest of \d+ training rows/);
    assert.match(await learned(0), /bmi \d+/, 'cells filled per column');
    // k_anonymize of the suggested recipe generalizes sex away on this variant (sex: *).
    assert.match(await learned(2), /smoker: no, yes/);
    assert.match(await learned(4), /^Learned \(split 1 of 5\): kept /);
    assert.match(await learned(5), /explained variance ratio \d+\.\d%, \d+\.\d%, \d+\.\d%/);
    assert.match(await learned(6), /training rows negative\/positive \d+\/\d+ → (\d+)\/\1/);

    // The report holds the per-split details: model inputs are the components, test rows untouched.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const report = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.deepEqual(report.evaluation.model_inputs, ['pc1', 'pc2', 'pc3']);
    const pca = report.audit.find((a) => a.op === 'pca');
    assert.equal(pca.args.learned.length, 5);
    for (const split of pca.args.learned) assert.equal(split.explained_variance_ratio.length, 3);
    const balance = report.audit.find((a) => a.op === 'balance');
    assert.equal(balance.args.training_rows.length, 5);
    assert.equal(report.evaluation.test_sizes.reduce((a, b) => a + b, 0), report.target.counts.reduce((a, b) => a + b, 0));
    await page.locator('#audit-list').scrollIntoViewIfNeeded();
    await ctx.shot('features-02-audit');

    // Chinese strings for the editor.
    await page.selectOption('#lang', 'zh');
    await page.waitForFunction((title) => document.querySelector('#features-editor legend')?.textContent === title,
      STRINGS.zh['features.title'], { timeout: 10_000 });
    assert.equal(await page.textContent(`${step(6)} .feat-op`), STRINGS.zh['features.op.balance']);

    assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
    assert.deepEqual(ctx.problems, [], 'console errors or page errors');
  } finally {
    await ctx.close();
  }
});

test('a bad feature argument is refused with the step and field named', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    await addStep(page, 'pca');
    const recipe = await recipeOf(page);
    recipe.features.at(-1).components = 0;
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#run-status')?.dataset.state === 'error');
    const message = await page.textContent('#run-status');
    assert.match(message, /features\[3\] \(pca\)/);
    assert.match(message, /components/);
    assert.deepEqual(ctx.problems, [], 'console errors or page errors');
  } finally {
    await ctx.close();
  }
});
