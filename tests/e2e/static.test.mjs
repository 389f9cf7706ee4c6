// Static checks of the web shell that need no browser: CSP, no inline code, relative paths only,
// translations complete in both languages.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, STRINGS, readJson } from './helpers.mjs';

const WWW = join(ROOT, 'www');
const read = (f) => readFileSync(join(WWW, f), 'utf8');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
  + "style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'none'";

for (const page of ['index.html', 'about.html']) {
  test(`${page}: strict CSP, no inline script or style, relative URLs only`, () => {
    const html = read(page);
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
    assert.ok(csp, 'CSP meta tag present');
    assert.equal(csp[1], CSP);
    assert.doesNotMatch(html, /\sstyle\s*=/i, 'no style attributes');
    assert.doesNotMatch(html, /<style/i, 'no <style> elements');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
    for (const [, attrs] of html.matchAll(/<script([^>]*)>/gi)) assert.match(attrs, /\ssrc="[^"]+"/, 'scripts load from files');
    for (const [, url] of html.matchAll(/\s(?:src|href)="([^"]*)"/gi)) {
      assert.doesNotMatch(url, /^(?:[a-z]+:)?\/\//i, `absolute URL ${url}`);
      assert.ok(!url.startsWith('/'), `root-relative URL ${url}`);
    }
  });
}

test('scripts: no network besides same-origin relative paths', () => {
  for (const f of readdirSync(join(ROOT, 'www')).filter((name) => name.endsWith('.js'))) {
    const js = read(f);
    assert.doesNotMatch(js, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${f} names no external URL`);
    assert.doesNotMatch(js, /\b(?:XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts)\b/, `${f}`);
    assert.doesNotMatch(js, /\beval\(|new Function\(/, `${f} does not eval`);
    assert.doesNotMatch(js, /\b(?:localStorage|sessionStorage|indexedDB|document\.cookie)\b/, `${f} stores nothing in the browser`);
  }
  assert.match(read('worker.js'), /from '\.\/pkg\/bedside\.js'/);
});

test('i18n: English and Chinese have the same keys, and every key the page uses exists', () => {
  const { en, zh } = STRINGS;
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries(zh)) {
    assert.ok(typeof v === 'string' && v.length > 0, `zh ${k}`);
    const params = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(params(v), params(en[k]), `placeholders of ${k}`);
  }
  const html = read('index.html');
  for (const [, key] of html.matchAll(/data-i18n="([^"]+)"/g)) assert.ok(key in en, `index.html uses ${key}`);
  // Every module of the page (a new one is checked without being listed here).
  for (const file of readdirSync(WWW).filter((name) => name.endsWith('.js'))) {
    const js = read(file);
    for (const [, key] of js.matchAll(/\bt\('([a-z0-9_.]+)'/g)) assert.ok(key in en, `${file} uses ${key}`);
    for (const [, key] of js.matchAll(/\bkey: '([a-z0-9_.]+)'/g)) assert.ok(key in en, `${file} uses ${key}`);
    for (const [, prefix] of js.matchAll(/\bt\(`([a-z_.]+)\.\$\{/g)) {
      assert.ok(Object.keys(en).some((k) => k.startsWith(`${prefix}.`)), `${file} uses ${prefix}.*`);
    }
  }
});

test('i18n: the step bar, the history and the recipe panel have their strings', async () => {
  const { en } = STRINGS;
  const { STEPS } = await import(join(WWW, 'stepbar.js'));
  for (const id of STEPS) {
    for (const key of [`step.${id}`, `flow.does.${id}`]) assert.ok(key in en, key);
  }
  for (const state of ['done', 'current', 'todo', 'blocked']) assert.ok(`flow.state.${state}` in en);
  // The operators the Protect panel offers: every privacy op of the core's schema.
  for (const { op } of readJson(join(WWW, 'steps.json')).privacy) assert.ok(`recipe.op.${op}` in en, `recipe.op.${op}`);
  for (const m of ['stratified_kfold', 'kfold', 'repeated_stratified_kfold', 'group_kfold', 'holdout', 'leave_one_out']) assert.ok(`recipe.eval.${m}` in en, m);
});

test('i18n: every string the feature steps editor uses exists', async () => {
  const { featureForms } = await import(join(WWW, 'features.js'));
  const STEPS = featureForms(readJson(join(WWW, 'steps.json')).features);
  const { en } = STRINGS;
  const need = new Set();
  for (const [op, d] of Object.entries(STEPS)) {
    need.add(`features.op.${op}`).add(`features.help.${op}`).add(`features.family.${d.family}`);
    for (const a of d.args) {
      need.add(`features.arg.${a.name}`);
      for (const o of a.options || []) need.add(`features.opt.${o}`);
    }
  }
  for (const [, key] of read('features.js').matchAll(/\bt\('([a-z0-9_.]+)'/g)) need.add(key);
  for (const k of need) assert.ok(k in en, `features.js uses ${k}`);
});
