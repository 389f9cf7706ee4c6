// Accessibility of the guided app in real Chromium: the whole demo flow with the keyboard alone,
// an accessible name (from Chromium's accessibility tree) for every control, a visible focus ring
// with enough contrast, and a screenshot of each of the seven steps in English and Chinese with
// the step bar's state asserted at each.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, foreignRequests, loadDemo, openPage, startEnvironment, waitForResults } from './helpers.mjs';

const MODELS = ['logistic_regression', 'decision_tree'];
let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

function assertClean(ctx) {
  assert.deepEqual(foreignRequests(ctx.requests, env.origin), [], 'requests left the page origin');
  assert.deepEqual(ctx.problems, [], 'console errors or page errors');
}

/** Press Tab (or Shift+Tab) until the focused element matches `selector`; fail after `max` presses. */
async function tabTo(page, selector, { back = false, max = 400 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return i;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${selector} not reached with ${back ? 'Shift+Tab' : 'Tab'} in ${max} presses`);
}

const active = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

test('keyboard only: load the demo, change a model, undo, run, read the results, download the report', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    // Skip link first, then the language, then the steps.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
    await tabTo(page, '#load-demo');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#profile-table tbody tr');
    assert.equal(await page.getAttribute('#steps li[data-step="load"]', 'data-state'), 'done');

    // The step bar: reach it with Shift+Tab, move along it with the arrow keys, Enter to go.
    await tabTo(page, '#steps li[data-step="profile"] a', { back: true });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.dataset.step), 'train');
    await page.keyboard.press('Enter');
    assert.equal(await active(page), 'train-h');
    assert.equal(await page.getAttribute('#steps li[data-step="train"] a', 'aria-current'), 'step');

    // Tick random forest with Space, untick it with Ctrl+Z (focus on a checkbox, not a text field).
    await tabTo(page, '#model-random_forest');
    await page.keyboard.press('Space');
    assert.ok(await page.isChecked('#model-random_forest'));
    await page.keyboard.press('Control+z');
    assert.ok(!(await page.isChecked('#model-random_forest')));

    // Run with the keyboard.
    await tabTo(page, '#run');
    await page.keyboard.press('Enter');
    await waitForResults(page, MODELS);
    assert.equal(await page.getAttribute('#steps li[data-step="results"] a', 'aria-current'), 'step');

    // Results: go there from the bar, sort the table with Enter, move the threshold with arrows.
    await tabTo(page, '#steps li[data-step="results"] a', { back: true });
    await page.keyboard.press('Enter');
    assert.equal(await active(page), 'results-h');
    await tabTo(page, '#compare-table button[data-sort="accuracy"]');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#compare-table th[data-metric="accuracy"]', 'aria-sort'), 'descending');
    await tabTo(page, '#threshold-slider');
    const before = await page.inputValue('#threshold-slider');
    await page.keyboard.press('ArrowRight');
    assert.notEqual(await page.inputValue('#threshold-slider'), before);

    // Export: the bar, then the privacy report button, Enter → a download.
    await tabTo(page, '#steps li[data-step="export"] a', { back: true });
    await page.keyboard.press('Enter');
    assert.equal(await active(page), 'export-h');
    await tabTo(page, '#download-privacy-report');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const html = await readFile(await dl.path(), 'utf8');
    assert.match(html, /<h1>Bedside privacy report<\/h1>/);
    assert.equal(await page.getAttribute('#steps li[data-step="export"]', 'data-done'), 'true');
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

test('every control has an accessible name (Chromium accessibility tree), and focus is visible', async () => {
  const ctx = await openPage(env);
  const { page } = ctx;
  try {
    await loadDemo(page);
    await page.click('#run');
    await waitForResults(page, MODELS);
    const cdp = await page.context().newCDPSession(page);
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'input, select, textarea, button, a[href]' });
    assert.ok(nodeIds.length > 100, `controls found: ${nodeIds.length}`);
    const unnamed = [];
    let checked = 0;
    for (const nodeId of nodeIds) {
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const node = nodes[0];
      if (!node || node.ignored) continue; // hidden (display: none): not operable either
      checked++;
      const name = node.name?.value?.trim();
      if (!name) {
        const { node: d } = await cdp.send('DOM.describeNode', { nodeId });
        unnamed.push(`${d.nodeName}#${(d.attributes || []).join(' ')}`);
      }
    }
    assert.ok(checked > 100, `controls checked: ${checked}`);
    assert.deepEqual(unnamed, [], 'controls without an accessible name');

    // Focus ring: keyboard focus draws an outline of at least 2px with 3:1 contrast on the card.
    await page.focus('#load-demo');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, id: document.activeElement.id };
    });
    assert.equal(ring.id, 'load-demo');
    assert.notEqual(ring.style, 'none');
    assert.ok(ring.width >= 2, `outline ${ring.width}px`);
    const rgb = ring.color.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const c = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
    };
    for (const bg of [[255, 255, 255], [245, 247, 249]]) {
      const contrast = (lum(bg) + 0.05) / (lum(rgb) + 0.05);
      assert.ok(contrast >= 3, `focus outline ${ring.color} contrast ${contrast.toFixed(2)}:1 on rgb(${bg})`);
    }

    // Charts: lines differ by dash pattern and marker shape as well as colour, with a legend.
    const series = await page.$$eval('#roc-chart polyline.series', (ls) => ls.map((l) => `${l.dataset.dash}/${l.dataset.marker}`));
    assert.equal(series.length, MODELS.length);
    assert.equal(new Set(series).size, series.length, `distinct line styles: ${series}`);
    assert.equal(await page.locator('#roc-chart text.legend').count(), MODELS.length);
    assertClean(ctx);
  } finally {
    await ctx.close();
  }
});

const EXPECTED = {
  // step shown → the states of the bar when the screenshot is taken
  load: { load: 'current', profile: 'blocked', protect: 'blocked', features: 'blocked', train: 'blocked', results: 'blocked', export: 'blocked' },
  profile: { load: 'done', profile: 'current', protect: 'todo', features: 'todo', train: 'todo', results: 'blocked', export: 'blocked' },
  protect: { load: 'done', profile: 'done', protect: 'current', features: 'todo', train: 'todo', results: 'blocked', export: 'blocked' },
  features: { load: 'done', profile: 'done', protect: 'done', features: 'current', train: 'todo', results: 'blocked', export: 'blocked' },
  train: { load: 'done', profile: 'done', protect: 'done', features: 'done', train: 'current', results: 'blocked', export: 'blocked' },
  results: { load: 'done', profile: 'done', protect: 'done', features: 'done', train: 'done', results: 'current', export: 'todo' },
  export: { load: 'done', profile: 'done', protect: 'done', features: 'done', train: 'done', results: 'done', export: 'current' },
};

for (const lang of ['en', 'zh']) {
  test(`screenshots of every step (${lang}) with the step bar's state`, async () => {
    const ctx = await openPage(env, { locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    const { page } = ctx;
    try {
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang === 'zh' ? 'zh-CN' : 'en');
      const check = async (step, i) => {
        const states = await page.$$eval('#steps > li', (ls) => Object.fromEntries(ls.map((l) => [l.dataset.step, l.dataset.state])));
        assert.deepEqual(states, EXPECTED[step], `bar at step ${step}`);
        assert.equal(await page.getAttribute(`#steps li[data-step="${step}"] a`, 'aria-current'), 'step');
        assert.equal(await page.locator('#steps a[aria-current]').count(), 1);
        const about = await page.textContent(`.step-about[data-step="${step}"]`);
        assert.ok(about.length > 40, `step ${step} says what it does`);
        await page.screenshot({ path: join(ARTIFACTS, `flow-${lang}-${i}-${step}.png`) });
      };
      await check('load', 1);
      await loadDemo(page);
      await page.locator('#profile-section').scrollIntoViewIfNeeded();
      await check('profile', 2);
      for (const [i, step] of [[3, 'protect'], [4, 'features'], [5, 'train']]) {
        await page.click(`#steps li[data-step="${step}"] a`);
        if (step === 'protect') await page.waitForSelector('#risk-meter[data-pending="false"]');
        await check(step, i);
      }
      await page.click('#run');
      await waitForResults(page, MODELS);
      await page.click('#steps li[data-step="results"] a');
      await check('results', 6);
      await page.click('#steps li[data-step="export"] a');
      await Promise.all([page.waitForEvent('download'), page.click('#download-model-report')]);
      await check('export', 7);
      assert.match(await page.textContent('.step-did[data-step="export"]'), lang === 'zh' ? /已保存：模型报告（HTML）/ : /Saved: model report \(HTML\)/);
      assertClean(ctx);
    } finally {
      await ctx.close();
    }
  });
}
