// Browser end-to-end for data quality (www/quality-view.js): a messy generated export shows its
// flags per column in the Profile step (ZIP+4 read as text, sex spellings, npreg missing for
// every male, impossible ages, repeated patients) in English and Chinese, a one-click fix puts
// its step in the recipe, and a run on duplicated records shows the leakage warning above the
// results with its deduplicate fix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STRINGS, openPage, startEnvironment, waitForResults } from './helpers.mjs';

let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.close();
});

/** A deterministic generator (xorshift) so that the files are the same on every run. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

/** A messy EHR export (synthetic): the faults of tests/common/messy.rs. */
function messyCsv(n = 400) {
  const r = rng(7);
  const female = ['F', 'female', 'Female', 'f', 'FEMALE'];
  const male = ['M', 'male', 'Male'];
  const patients = Math.floor((n * 4) / 5);
  const people = Array.from({ length: patients }, () => {
    const isF = r() < 0.5;
    return {
      isF,
      sex: isF ? female[Math.floor(r() * female.length)] : male[Math.floor(r() * male.length)],
      age: 20 + Math.floor(r() * 65),
      zip: 85700 + Math.floor(r() * 40),
      npreg: Math.floor(r() * 6),
    };
  });
  const lines = ['patient_id,age,sex,zip,npreg,glucose,outcome'];
  for (let i = 0; i < n; i += 1) {
    const id = i < patients ? i : Math.floor(r() * patients);
    const p = people[id];
    const age = i === 5 || i === 17 ? -p.age : p.age;
    const zip = r() < 0.05 ? `${p.zip}-${String(Math.floor(r() * 9999)).padStart(4, '0')}` : String(p.zip);
    const glucose = (70 + r() * 130).toFixed(1);
    const y = r() < 1 / (1 + Math.exp(-(-6 + 0.04 * p.age + 0.02 * Number(glucose)))) ? 1 : 0;
    lines.push(`P${String(id).padStart(5, '0')},${age},${p.sex},${zip},${p.isF ? p.npreg : ''},${glucose},${y}`);
  }
  return `${lines.join('\n')}\n`;
}

/** 150 distinct clinical rows, each written 8 times under a new record number, shuffled. */
function duplicatedCsv() {
  const r = rng(11);
  const base = Array.from({ length: 150 }, () => {
    const age = 20 + Math.floor(r() * 70);
    const glucose = (70 + r() * 130).toFixed(1);
    const bmi = (18 + r() * 22).toFixed(1);
    const y = r() < 1 / (1 + Math.exp(-(-7 + 0.05 * age + 0.02 * Number(glucose) + (r() * 4 - 2)))) ? 1 : 0;
    return `${age},${bmi},${glucose},${y}`;
  });
  const rows = base.flatMap((b) => Array(8).fill(b));
  for (let i = rows.length - 1; i > 0; i -= 1) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return `record_no,age,bmi,glucose,outcome\n${rows.map((x, i) => `R${i},${x}`).join('\n')}\n`;
}

async function loadCsv(page, name, csv) {
  await page.setInputFiles('#file-input', { name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => document.querySelectorAll('#profile-table tbody tr').length > 0
    && document.querySelector('#quality'), null, { timeout: 30_000 });
}

const flag = (code, column) => `#quality-list li[data-code="${code}"][data-column="${column}"]`;

test('the profile flags a messy export per column, and a fix adds its step to the recipe', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadCsv(page, 'messy.csv', messyCsv());
    // ZIP+4 kept: zip is read as text, not a number.
    const zipType = await page.getAttribute('#profile-table tr[data-column="zip"] .type', 'class');
    assert.doesNotMatch(zipType, /type-numeric/);
    for (const [code, column] of [['read_as_text', 'zip'], ['spellings', 'sex'], ['structural_missing', 'npreg'], ['impossible', 'age']]) {
      assert.ok(await page.$(flag(code, column)), `${code} on ${column}`);
    }
    assert.ok(await page.$('#quality-list li[data-code="repeated_patients"]'), 'repeated patients');
    const npreg = await page.textContent(flag('structural_missing', 'npreg'));
    assert.match(npreg, /sex/);

    await page.click(`${flag('spellings', 'sex')} button.fix`);
    await page.waitForSelector(`${flag('spellings', 'sex')} .fix-applied`);
    const recipe = JSON.parse(await page.inputValue('#recipe-json'));
    const recode = recipe.features.find((s) => s.op === 'recode');
    assert.equal(recode?.column, 'sex');
    assert.equal(new Set(Object.values(recode.map)).size, 2, JSON.stringify(recode.map));
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('the profile flags in Chinese', async () => {
  const ctx = await openPage(env, { locale: 'zh-CN' });
  const { page } = ctx;
  try {
    await loadCsv(page, 'messy.csv', messyCsv());
    assert.equal((await page.textContent('#quality h3')).trim(), STRINGS.zh['quality.title']);
    const text = await page.textContent(`${flag('structural_missing', 'npreg')} .flag-text`);
    assert.match(text, /并非随机缺失/);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('a run on duplicated records warns above its results and offers deduplicate', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadCsv(page, 'copies.csv', duplicatedCsv());
    const recipe = {
      version: 1, seed: 1, target: 'outcome', columns: { record_no: 'identifier' },
      privacy: [{ op: 'drop', columns: ['record_no'] }], features: [],
      models: [{ kind: 'random_forest', trees: 10 }], evaluation: { method: 'stratified_kfold', folds: 3 },
    };
    await page.setInputFiles('#upload-recipe', {
      name: 'copies.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
    });
    await waitForResults(page, ['random_forest'], 120_000);
    const item = '#leakage-list li[data-code="duplicates"]';
    await page.waitForSelector(item);
    assert.equal((await page.textContent('#leakage h3')).trim(), STRINGS.en['leak.title']);
    // The warning comes before the numbers.
    const before = await page.evaluate(() => {
      const l = document.querySelector('#leakage');
      const r = document.querySelector('#results-table');
      return !!(l.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(before, 'leakage box above the results table');
    await page.click(`${item} button.fix`);
    const next = JSON.parse(await page.inputValue('#recipe-json'));
    assert.equal(next.privacy[0].op, 'deduplicate');
    assert.ok(next.privacy[0].columns.includes('outcome'));
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
