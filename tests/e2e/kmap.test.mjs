// Browser end-to-end: the population picker and k-map (issue #20, item 4), and the reports in a
// language other than the page's. The picker writes `risk.population` / `risk.population_table`
// into the recipe; the meter's preview, the explanations and the Report agree on k-map; a bad
// table is refused with its file, line and field; the external summary is written in the chosen
// language and states the population table's k-map. Both page languages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, STRINGS, WWW, download, loadDemo, openPage, parseCsv, previewAfter, startEnvironment, waitForResults,
} from './helpers.mjs';

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const MODELS = ['logistic_regression'];

const recipeOf = async (page) => JSON.parse(await page.inputValue('#recipe-json'));

test('k-map strings exist in both languages with the same placeholders', () => {
  for (const file of ['officer.js', 'reports.js', 'protect.js']) {
    const js = readFileSync(join(WWW, file), 'utf8');
    for (const [, key] of js.matchAll(/\bt\('((?:kmap|report)\.[a-z0-9_.]+)'/g)) {
      assert.ok(key in STRINGS.en && key in STRINGS.zh, `${file} uses ${key}`);
    }
  }
  const names = (s) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
  for (const [key, text] of Object.entries(STRINGS.en)) {
    if (!/^kmap\./.test(key)) continue;
    assert.ok(STRINGS.zh[key], `zh: ${key}`);
    assert.deepEqual(names(STRINGS.zh[key]), names(text), `${key}: placeholders`);
  }
  const steps = JSON.parse(readFileSync(join(WWW, 'steps.json'), 'utf8'));
  for (const p of steps.populations) {
    assert.ok(STRINGS.en[`kmap.pop.${p.name}`] && STRINGS.zh[`kmap.pop.${p.name}`], `population ${p.name} named in both languages`);
  }
});

for (const lang of ['en', 'zh']) {
  test(`population picker, k-map and reports in the other language (${lang})`, async () => {
    const ctx = await openPage(env, { locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    const { page } = ctx;
    const other = lang === 'en' ? 'zh' : 'en';
    try {
      await loadDemo(page);
      await page.selectOption('#target-select', 'readmitted_30d');
      let v = await previewAfter(page, 0);
      assert.equal(await page.inputValue('#population-choice'), '');

      // A built-in population: in the recipe, its source shown, the preview measured with it.
      await page.selectOption('#population-choice', 'us-ca');
      v = await previewAfter(page, v);
      assert.equal((await recipeOf(page)).risk.population, 'us-ca');
      assert.match(await page.textContent('#population-source'), /Census Bureau/);
      assert.equal(await page.locator('#risk-explain li[data-figure="population"]').count(), 1);

      // A size of one's own.
      await page.selectOption('#population-choice', 'custom');
      await page.fill('#population-size', '50000');
      await page.press('#population-size', 'Tab');
      v = await previewAfter(page, v);
      assert.equal((await recipeOf(page)).risk.population, 50000);
      assert.equal(await page.inputValue('#population-choice'), 'custom');

      // A population table with an error: refused with its file, line and field.
      await page.setInputFiles('#population-table-file', { name: 'bad-counts.csv', mimeType: 'text/csv', buffer: Buffer.from('sex,count\nF,12\nM,-3\n') });
      await page.waitForFunction(() => /bad-counts\.csv, line 3, field 'count'/.test(document.querySelector('#protect-status')?.textContent ?? ''), null, { timeout: 60_000 });

      // A good one over sex: F listed, M not (the data's own count is used for M).
      await page.click('#population-table-remove');
      v = await previewAfter(page, v);
      assert.equal((await recipeOf(page)).risk.population_table, undefined);
      await page.setInputFiles('#population-table-file', { name: 'sex-counts.csv', mimeType: 'text/csv', buffer: Buffer.from('sex,count\nF,150000\n') });
      v = await previewAfter(page, v);
      await page.waitForSelector('#risk-explain li[data-figure="k_map"]', { timeout: 60_000 });
      const recipe = await recipeOf(page);
      assert.equal(recipe.risk.population_table.name, 'sex-counts.csv');
      assert.match(await page.textContent('#population-table-status'), /sex-counts\.csv/);
      const kmapLine = page.locator('#risk-explain li[data-figure="k_map"]');
      assert.equal(await kmapLine.count(), 1);
      const kShown = Number(await kmapLine.getAttribute('data-value'));
      await page.locator('#protect-section').screenshot({ path: join(ARTIFACTS, `kmap-protect-${lang}.png`) });

      // The run: the Report's k-map is the preview's, and the masked file's count of M.
      await page.click('#run');
      await waitForResults(page, MODELS);
      const report = JSON.parse((await download(page, '#download-report')).text);
      const r = report.privacy.risk;
      assert.equal(r.population_size, 50000);
      assert.equal(r.k_map, kShown, 'preview k-map = Report k-map');
      const masked = parseCsv((await download(page, '#download-csv')).text);
      const sex = masked[0].indexOf('sex');
      const males = masked.slice(1).filter((row) => row[sex] === 'M').length;
      assert.ok(males > 0);
      assert.equal(r.k_map, Math.min(150000, males));
      assert.equal(r.population_table.missing_records, males);
      assert.deepEqual(r.population_table.columns, ['sex']);
      assert.ok(r.population_table.uncovered.length > 0, 'the other quasi-identifiers are stated as not covered');

      // The external summary in the other language: its file name, its language, the k-map stated.
      await page.selectOption('#report-lang', other);
      const external = await download(page, '#download-external-report');
      assert.equal(external.name, `patients-external-report.${other}.html`);
      const view = await page.context().newPage();
      try {
        await view.setContent(external.text);
        assert.match(await view.getAttribute('html', 'lang'), new RegExp(`^${other}`));
        assert.equal((await view.textContent('h1')).trim(), STRINGS[other]['report.external_title']);
        const kmap = await view.textContent('[data-section="method"] dd[data-field="kmap_title"]');
        assert.ok(kmap.includes(String(r.k_map)) || kmap.includes(r.k_map.toLocaleString(other === 'zh' ? 'zh-CN' : 'en-US')), kmap);
        assert.ok(!external.text.includes('sex-counts.csv'), 'the external summary names no file');
        // The internal report in the page's language again.
        await page.selectOption('#report-lang', '');
        const internal = await download(page, '#download-privacy-report');
        assert.equal(internal.name, `patients-privacy-report.${lang}.html`);
        await view.setContent(internal.text);
        assert.equal(await view.locator('[data-section="method"] dd').count(), 8, 'the method with its k-map part');
        assert.match(await view.textContent('[data-section="method"] dd[data-field="kmap_title"]'), /sex-counts\.csv/);
        await view.screenshot({ path: join(ARTIFACTS, `kmap-report-${lang}.png`), fullPage: true });
      } finally {
        await view.close();
      }
      assert.deepEqual(ctx.problems.filter((p) => !/bad-counts/.test(p)), []);
    } finally {
      await ctx.close();
    }
  });
}
