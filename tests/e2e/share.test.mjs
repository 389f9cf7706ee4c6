// A recipe travels as a link (#recipe=...), never data: make a link, open it, load data, run it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containsValue } from '../common.mjs';
import { WWW, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const param = (link, name) => new URLSearchParams(new URL(link).hash.slice(1)).get(name);
const decode = (link, name = 'recipe') => JSON.parse(Buffer.from(param(link, name), 'base64url').toString('utf8'));

test('share link: holds the recipe (without keys), and opening it applies the recipe to loaded data', async () => {
  const ctx = await openPage(env);
  let page = ctx.page;
  try {
    await loadDemo(page);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    recipe.models = [{ kind: 'decision_tree', max_depth: 3 }];
    recipe.evaluation = { method: 'stratified_kfold', folds: 3 };
    // Mask `phone` with a keyed pseudonym instead of whatever was suggested for it.
    for (const step of recipe.privacy) {
      if (Array.isArray(step.columns)) step.columns = step.columns.filter((c) => c !== 'phone');
    }
    recipe.privacy = recipe.privacy.filter((s) => s.column !== 'phone' && (!Array.isArray(s.columns) || s.columns.length));
    recipe.privacy.push({ op: 'pseudonymize', columns: ['phone'], key: 'do-not-share-me' });
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 1));
    await page.dispatchEvent('#recipe-json', 'input');
    await page.click('#share-recipe');
    const link = await page.inputValue('#share-link');
    assert.match(link, /#recipe=/);
    const shared = decode(link);
    assert.deepEqual(shared.models, recipe.models);
    assert.ok(shared.privacy.every((s) => !('key' in s)), 'keys never travel in a link');
    assert.ok(!link.includes('do-not-share-me'));
    const demoText = await page.evaluate(() => fetch('demo/patients.csv').then((r) => r.text()));
    const someName = demoText.split('\n')[1].split(',')[0];
    assert.ok(!decodeURIComponent(link).includes(someName), 'no data value in the link');

    await openLinkAndLoad(page, link);
    const applied = JSON.parse(await page.inputValue('#recipe-json'));
    assert.deepEqual(applied.models, recipe.models);
    await page.click('#run');
    await waitForResults(page, ['decision_tree']);
    assert.equal(await page.locator('#results-table tbody tr[data-kind="logistic_regression"]').count(), 0);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

/**
 * Opens a share link and loads the demo data with it. The link may differ from the page only in
 * its fragment (no reload), so the previous load's profile is still there when loadDemo looks:
 * wait for this load's own outcome (the recipe applied, or the steps that need values named, or
 * an error), not for a quiet status (which it is for a moment before the new load writes
 * "Reading…"). A run started before that outcome would race the load (a CI failure: the run's
 * results never came).
 */
async function openLinkAndLoad(page, link) {
  await page.goto(link);
  await page.waitForSelector('body[data-ready="true"]');
  await loadDemo(page);
  await page.waitForFunction(() => {
    const el = document.querySelector('#load-status');
    return el?.dataset.state === 'error' || /was applied|need values filled in/.test(el?.textContent || '');
  }, null, { timeout: 30_000 });
}

// Real identifier values of the demo data: names, record numbers and phone numbers.
function identifierValues() {
  const lines = readFileSync(join(WWW, 'demo', 'patients.csv'), 'utf8').split('\n').slice(1, 40).filter(Boolean);
  const out = [];
  for (const line of lines) {
    const [name, mrn, , , , , , phone] = line.split(',');
    out.push(name, mrn, phone);
  }
  return out;
}

/** A value of argument `arg`'s type made of identifier values taken from `pool`. */
function filled(arg, pool) {
  const next = () => pool.shift();
  switch (arg.type) {
    case 'string': return next();
    case 'list': return [next(), next()];
    case 'map': return { [next()]: next(), [next()]: [next(), next()], [next()]: { [next()]: 1 } };
    case 'object': return Object.fromEntries((arg.args || []).map((a) => [a.name, filled(a, pool)]));
    default: throw new Error(`data_values argument of type ${arg.type}: teach this test to fill it`);
  }
}

test('share link: no argument that can hold data values reaches the link, and the page says which steps need filling in', async () => {
  const schema = JSON.parse(readFileSync(join(WWW, 'steps.json'), 'utf8'));
  const pool = identifierValues();
  const used = [];
  const take = (arg) => {
    const before = [...pool];
    const value = filled(arg, pool);
    used.push(...before.slice(0, before.length - pool.length));
    return value;
  };
  const recipe = { version: 1, seed: 7, privacy: [], features: [], models: [] };
  const expected = [];
  for (const [family, tag] of [['privacy', 'op'], ['features', 'op'], ['models', 'kind']]) {
    for (const step of schema[family]) {
      const marked = step.args.filter((a) => a.data_values);
      if (!marked.length) continue;
      const entry = { [tag]: step[tag] };
      for (const a of step.args) {
        if (a.type === 'column') entry[a.name] = 'diagnosis';
        else if (a.type === 'columns') entry[a.name] = ['diagnosis'];
      }
      for (const a of marked) entry[a.name] = take(a);
      expected.push(`${family}[${recipe[family].length}] ${step[tag]}`);
      recipe[family].push(entry);
    }
  }
  for (const field of schema.recipe.data_values) recipe[field] = take({ type: 'string' });
  assert.ok(expected.length >= 5, `steps with data values: ${expected}`);
  assert.ok(used.length >= 20 && used.every((v) => JSON.stringify(recipe).includes(v)));

  const ctx = await openPage(env);
  let page = ctx.page;
  try {
    await loadDemo(page);
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 1));
    await page.dispatchEvent('#recipe-json', 'input');
    await page.click('#share-recipe');
    const link = await page.inputValue('#share-link');
    const text = decodeURIComponent(link) + JSON.stringify(decode(link)) + JSON.stringify(decode(link, 'fill'));
    const leaked = used.filter((v) => containsValue(text, v));
    assert.deepEqual(leaked, [], 'values from the data reached the link');
    // Everything else stays: every step, its columns.
    const shared = decode(link);
    assert.equal(shared.privacy.length, recipe.privacy.length);
    assert.equal(shared.features.length, recipe.features.length);
    const fill = decode(link, 'fill');
    assert.deepEqual(fill.map((f) => `${f.step} ${f.op}`), [...expected, 'recipe recipe']);
    // The page says which steps the link shortened.
    const status = await page.textContent('#share-status');
    for (const e of expected) assert.ok(status.includes(e), `${e} in: ${status}`);

    // The downloaded recipe file keeps everything, and the page says so.
    assert.match(await page.textContent('[data-i18n="export.recipe_note"]'), /keeps everything/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-recipe')]);
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(saved.privacy, recipe.privacy);
    assert.equal(saved.positive, recipe.positive);

    // Opening the link: the steps that need values filled in are named.
    await openLinkAndLoad(page, link);
    const loaded = await page.textContent('#load-status');
    assert.match(loaded, /need values filled in/);
    for (const e of expected) assert.ok(loaded.includes(e), `${e} in: ${loaded}`);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
