// The page as it looks, in real Chromium: every step of the flow at 1,280, 1,024 and 390 px wide,
// in English and Chinese — no section wider than its box (wide tables scroll inside their own
// box), no two pieces of visible text on top of each other, the step's heading below the sticky
// step bar, and axe-core (the accessibility checker; in Chinese at the first width) with no serious or critical violation. A
// screenshot of every step in both languages goes to test-artifacts/layout-LANG-WIDTH-STEP.png.
// Also: each step has its own address (#step=ID) with Back / Forward, the first "Next" click
// after loading works, and runs are kept side by side.
//
// Kept fast: one browser and one page, the demo loaded and run once (twice: two runs to compare),
// every step walked at every width in English, then again after switching the page to Chinese in
// place (the language select, as a user does: every view is drawn again in the new language).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { ARTIFACTS, ROOT, download, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

const STEPS = ['load', 'profile', 'protect', 'features', 'train', 'results', 'export'];
const WIDTHS = [1280, 1024, 390];
const SHOT_WIDTHS = new Set([1280, 390]);
const MODELS = ['logistic_regression', 'decision_tree'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

const current = (page) => page.evaluate(() => document.querySelector('#steps a[aria-current]')?.closest('li')?.dataset.step ?? null);
const addressStep = (page) => page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('step'));

/**
 * What is wrong with the layout of step `step` as shown now: sections wider than their box, the
 * page wider than the window, the heading under the sticky bar or out of the window, and visible
 * text boxes that overlap (each text node's line boxes, clipped to the scrolling boxes around it;
 * SVG text by its bounding box).
 */
function layoutProblems(step) {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth + 1) problems.push(`page ${doc.scrollWidth} px wide in a ${innerWidth} px window`);
  for (const s of document.querySelectorAll('main > section, main > div, header.top, .privacy-banner')) {
    if (s.hidden || !s.getClientRects().length) continue;
    if (s.scrollWidth > s.clientWidth + 1) problems.push(`#${s.id || s.className} is ${s.scrollWidth} px wide in its ${s.clientWidth} px box`);
  }
  const section = document.querySelector(`section[data-step="${step}"]`);
  const bar = document.querySelector('#flow-head').getBoundingClientRect();
  const head = section.querySelector('h2').getBoundingClientRect();
  if (head.top < bar.bottom - 1) problems.push(`heading top ${Math.round(head.top)} is under the step bar (bottom ${Math.round(bar.bottom)})`);
  if (head.bottom > innerHeight) problems.push(`heading bottom ${Math.round(head.bottom)} below the window (${innerHeight})`);

  // Charts scale with their box but their text stays legible: at least 8 px as drawn.
  for (const svg of section.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal;
    if (!box.width || !vb?.width) continue;
    const px = parseFloat(getComputedStyle(svg).fontSize) * (box.width / vb.width);
    if (px < 8) problems.push(`chart ${svg.id || svg.getAttribute('aria-label')}: text drawn at ${px.toFixed(1)} px`);
  }

  // Visible text boxes inside the step's section and inside the bar, each group on its own (the
  // sticky bar lies over the page by design).
  const clipOf = (node) => {
    let r = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
    for (let el = node.parentElement; el && el !== document.body; el = el.parentElement) {
      const cs = getComputedStyle(el);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible' || cs.clip !== 'auto') {
        const b = el.getBoundingClientRect();
        r = { left: Math.max(r.left, b.left), top: Math.max(r.top, b.top), right: Math.min(r.right, b.right), bottom: Math.min(r.bottom, b.bottom) };
      }
    }
    return r;
  };
  const boxes = (root) => {
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.data.trim()) continue;
      const el = n.parentElement;
      if (el.closest('select, option, title, desc, style, script, .visually-hidden, [hidden]')) continue;
      // The content of a closed <details> is not drawn (its boxes are left from layout).
      const closed = el.closest('details:not([open])');
      if (closed && !el.closest('summary')?.parentElement?.isSameNode(closed)) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== 'visible' || Number(cs.opacity) === 0) continue;
      let rects;
      if (el instanceof SVGElement) {
        rects = [el.getBoundingClientRect()];
      } else {
        const range = document.createRange();
        range.selectNodeContents(n);
        rects = [...range.getClientRects()];
      }
      const clip = clipOf(n);
      for (const r of rects) {
        const b = { left: Math.max(r.left, clip.left), top: Math.max(r.top, clip.top), right: Math.min(r.right, clip.right), bottom: Math.min(r.bottom, clip.bottom) };
        if (b.right - b.left >= 2 && b.bottom - b.top >= 2) out.push({ ...b, node: n, text: n.data.trim().slice(0, 40) });
      }
    }
    return out;
  };
  for (const root of [section, document.querySelector('#flow-head')]) {
    const list = boxes(root).sort((a, b) => a.top - b.top);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && list[j].top < list[i].bottom; j++) {
        const a = list[i], b = list[j];
        if (a.node === b.node) continue;
        // Overlap of more than 2 px both ways: two pieces of text drawn over each other.
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 2 && h > 2) problems.push(`text overlaps: "${a.text}" and "${b.text}" (${Math.round(w)}×${Math.round(h)} px)`);
      }
    }
  }
  return problems;
}

/**
 * axe-core on the step's section and the step bar: the serious and critical violations. Colour
 * contrast (the slowest rule, and colours do not change with the width) is checked at the first
 * width only (`contrast`).
 */
async function axeProblems(page, step, contrast) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async ([id, withContrast]) => {
    const res = await globalThis.axe.run({ include: [[`section[data-step="${id}"]`], ['#flow-head']] }, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      rules: withContrast ? {} : { 'color-contrast': { enabled: false } },
      resultTypes: ['violations'],
    });
    return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }, [step, contrast]);
}

test(`every step at ${WIDTHS.join(', ')} px in English, then in Chinese: no overflow, no overlapping text, heading below the bar, axe clean; runs side by side`, async () => {
  const ctx = await openPage(env, { locale: 'en-US' });
  const { page } = ctx;
  try {
    await loadDemo(page);
    assert.equal(await current(page), 'profile');
    // The first "Next" click after loading works (it used to be swallowed by a redraw).
    await page.click('#steps li[data-step="load"] a');
    assert.equal(await current(page), 'load');
    await page.click('.step-next[data-step="load"] button');
    assert.equal(await current(page), 'profile');
    assert.equal(await addressStep(page), 'profile');
    await page.click('.step-next[data-step="profile"] button');
    assert.equal(await current(page), 'protect');
    // Back and Forward move between the steps, by their addresses.
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('#steps a[aria-current]')?.closest('li')?.dataset.step === 'profile');
    assert.equal(await addressStep(page), 'profile');
    await page.goForward();
    await page.waitForFunction(() => document.querySelector('#steps a[aria-current]')?.closest('li')?.dataset.step === 'protect');
    await page.waitForSelector('#risk-meter[data-pending="false"]');

    // Two runs: the first as suggested, the second with another seed. Starting the second
    // keeps the first one's results and exports.
    await page.click('#steps li[data-step="train"] a');
    await page.click('#run');
    await waitForResults(page, MODELS);
    await page.click('#steps li[data-step="train"] a');
    await page.fill('#seed', '11');
    await page.press('#seed', 'Tab');
    await page.click('#run');
    assert.ok(await page.isEnabled('#download-report'), 'a new run keeps the previous report downloadable');
    assert.equal(await page.locator('#results-table').count(), 1, 'a new run keeps the previous results');
    await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 2, null, { timeout: 60_000 });
    await waitForResults(page, MODELS);
    // The runs, their recipes' difference, and the comparison.
    assert.equal(await page.getAttribute('#runs-table tr[data-run="2"]', 'data-shown'), 'true');
    assert.match(await page.textContent('#runs-table tr[data-run="2"] .run-changes'), /seed/);
    assert.equal(await page.getAttribute('#runs-recipe-diff', 'data-changes'), '1');
    assert.deepEqual(await page.$$eval('#runs-recipe-diff tbody tr[data-path="seed"] td', (tds) => tds.map((td) => td.textContent)), ['7', '11']);
    const compared = await page.$$eval('#runs-metrics tbody tr[data-metric="roc_auc"]', (rows) => rows.map((r) => ({
      kind: r.dataset.kind, a: Number(r.querySelector('[data-run="a"]').dataset.value), b: Number(r.querySelector('[data-run="b"]').dataset.value),
      d: Number(r.querySelector('[data-col="difference"]').dataset.value),
    })));
    assert.deepEqual(compared.map((c) => c.kind), MODELS);
    for (const c of compared) {
      assert.ok(c.a > 0.5 && c.a <= 1 && c.b > 0.5 && c.b <= 1, `${c.kind} ROC-AUC of both runs: ${c.a}, ${c.b}`);
      assert.ok(Math.abs(c.d - (c.b - c.a)) < 1e-12, `${c.kind} difference`);
    }
    assert.match(await page.textContent('#runs-metrics tbody tr[data-metric="roc_auc"] [data-run="a"]'), /[(（]\d[.,]\d{3}–\d[.,]\d{3}[)）]/);
    assert.equal(await page.locator('#runs-risk tr[data-field="k"] td').count(), 2);
    // Showing run 1 brings back its report, to read and to export.
    await page.click('#runs-table button[data-show-run="1"]');
    assert.equal(await page.getAttribute('#runs-table tr[data-run="1"]', 'data-shown'), 'true');
    const report = JSON.parse((await download(page, '#download-report')).text);
    assert.equal(report.recipe.seed, 7);

    // Charts: exact tick labels; an importance value right of its error bar. Apply: no stray text.
    const ticks = await page.$$eval('#calibration-chart text.tick', (ts) => ts.map((x) => x.textContent));
    assert.ok(ticks.includes('0.25') && ticks.includes('0.75'), `calibration ticks ${ticks}`);
    assert.ok(!ticks.includes('0.3') && !ticks.includes('0.8'), `calibration ticks ${ticks}`);
    const clashes = await page.$$eval('svg.hbar-chart', (charts) => charts.flatMap((svg) => {
      const values = [...svg.querySelectorAll('text.value')].map((x) => x.getBBox());
      return [...svg.querySelectorAll('line.whisker')].map((w) => w.getBBox())
        .filter((w) => values.some((v) => v.x < w.x + w.width - 0.5 && w.y >= v.y && w.y <= v.y + v.height)).length;
    }));
    assert.ok(clashes.length > 0 && clashes.every((n) => n === 0), `importance values over whiskers: ${clashes}`);
    assert.doesNotMatch(await page.textContent('#apply-section'), /\bnull\b|\bundefined\b/);

    // Every problem of every view, reported together.
    const found = [];
    for (const lang of ['en', 'zh']) {
      if (lang === 'zh') {
        await page.setViewportSize({ width: WIDTHS[0], height: 900 });
        await page.selectOption('#lang', 'zh');
        await page.waitForFunction(() => document.documentElement.lang.startsWith('zh'));
      }
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const step of STEPS) {
          await page.click(`#steps li[data-step="${step}"] a`);
          assert.equal(await current(page), step);
          assert.equal(await addressStep(page), step);
          assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H2', `${step}: the heading has the focus`);
          const where = `${lang}, ${width} px, ${step}:`;
          for (const p of await page.evaluate(layoutProblems, step)) found.push(`${where} ${p}`);
          // axe in Chinese at the first width only: the roles, names and structure it checks
          // are the same at every width, and the widths' own problems (overflow, overlapping
          // text) are measured above in both languages.
          if (lang === 'en' || width === WIDTHS[0]) {
            for (const p of await axeProblems(page, step, width === WIDTHS[0])) found.push(`${where} axe ${p}`);
          }
          if (SHOT_WIDTHS.has(width)) {
            await page.locator(`section[data-step="${step}"]`).screenshot({ path: join(ARTIFACTS, `layout-${lang}-${width}-${step}.png`) });
          }
        }
      }
    }
    assert.deepEqual(found, []);
    assert.deepEqual(foreignRequests(ctx.requests, env.origin), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('an address with #step= opens that step once the data is loaded; one typed in later moves there', async () => {
  const ctx = await openPage(env, { url: `${env.server.url}#step=protect` });
  const { page } = ctx;
  try {
    assert.equal(await current(page), 'load');
    await loadDemo(page);
    await page.waitForFunction(() => document.querySelector('#steps a[aria-current]')?.closest('li')?.dataset.step === 'protect');
    assert.equal(await addressStep(page), 'protect');
    await page.evaluate(() => { location.hash = 'step=features'; });
    await page.waitForFunction(() => document.querySelector('#steps a[aria-current]')?.closest('li')?.dataset.step === 'features');
    const { bar, head } = await page.evaluate(() => ({
      bar: document.querySelector('#flow-head').getBoundingClientRect().bottom,
      head: document.querySelector('#features-h').getBoundingClientRect().top,
    }));
    assert.ok(head >= bar - 1, `heading (top ${head}) below the step bar (bottom ${bar})`);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('single file: the About text sits inside the page, before the footer, and describes its own policy', async () => {
  const file = join(ROOT, 'dist', 'bedside.html');
  assert.ok(existsSync(file), 'dist/bedside.html is missing: run `npm run build`');
  const ctx = await openPage(env, { url: pathToFileURL(file).href });
  const { page } = ctx;
  try {
    const about = await page.evaluate(() => {
      const box = document.querySelector('#about');
      const foot = document.querySelector('footer.foot');
      return {
        inMain: !!box?.closest('main'),
        beforeFooter: !!box && !!(box.compareDocumentPosition(foot) & Node.DOCUMENT_POSITION_FOLLOWING),
        text: box?.textContent ?? '',
        csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]').content,
        link: document.querySelector('.privacy-banner a')?.getAttribute('href'),
      };
    });
    assert.ok(about.inMain && about.beforeFooter, 'the About text is inside <main>, before the footer');
    assert.equal(about.link, '#about');
    assert.doesNotMatch(about.text, /connect-src 'self'/);
    assert.match(about.text, /connect-src 'none'/);
    assert.ok(about.text.includes(about.csp), 'the About text quotes the file\'s whole policy');
    assert.match(about.text, /本文件声明了内容安全策略/);
    assert.deepEqual(await page.evaluate(layoutProblems, 'load'), []);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
