// The wasm package's privacy calls (Session.preview, Session.measure, detection in the profile),
// loaded in Node. Run after `node scripts/build.mjs`: node --test tests/wasm/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PATHS } from '../../scripts/lib.mjs';

const { initSync, Session } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
initSync({ module: readFileSync(PATHS.wasmOut) });
const session = new Session(new Uint8Array(readFileSync(PATHS.demoCsv)), 'patients.csv');
after(() => session.free());

test('the profile carries a detection per column', () => {
  const cols = session.profile().columns;
  const by = (n) => cols.find((c) => c.name === n).detection;
  assert.equal(by('patient_name').verdict, 'direct_identifier');
  assert.equal(by('phone').kind, 'phone');
  assert.equal(by('glucose').verdict, 'ordinary');
  assert.ok(by('patient_name').reasons.length > 0);
});

test('preview applies only the privacy steps and measures risk before and after', () => {
  const recipe = session.suggest_recipe('readmitted_30d');
  const p = session.preview(recipe, 3);
  assert.equal(p.masked_rows.length, 3);
  assert.equal(p.original_rows.length, 3);
  assert.ok(!p.masked_columns.includes('patient_name'));
  assert.deepEqual(p.audit.map((a) => a.op), recipe.privacy.map((s) => s.op));
  assert.ok(p.after.k_anonymity >= p.before.k_anonymity);
  // Pseudonyms are stable within a session (one preview key), so edits compare like with like.
  assert.deepEqual(session.preview(recipe, 3).masked_rows, p.masked_rows);
  // A bad recipe fails with the step and field, never a cell value.
  recipe.privacy.push({ op: 'generalize', column: 'sex', width: 5 });
  assert.throws(() => session.preview(recipe, 3), /privacy\[\d+\] \(generalize\), field 'column'/);
});

/**
 * The demo's records as the core accepts them, read here independently: a small RFC 4180 reader
 * (quotes, doubled quotes, newlines in quotes); records whose field count differs from the
 * header's are the ones the core rejects (the demo has two, on purpose).
 */
function demoRecords() {
  const text = readFileSync(PATHS.demoCsv, 'utf8');
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return body.filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]])));
}

/** Zayatz (1991) from its formula: P(X = 1) of a hypergeometric (population N, i successes, n draws). */
function zayatz(sizes, n, N) {
  const hyper1 = (i) => {
    let p = i * n;
    for (let k = 0; k <= i - 2; k++) p *= N - n - k;
    for (let k = 0; k <= i - 1; k++) p /= N - k;
    return p;
  };
  const u = sizes.length;
  const f1 = sizes.filter((s) => s === 1).length;
  const freq = new Map();
  for (const s of sizes) freq.set(s, (freq.get(s) || 0) + 1);
  let denominator = 0;
  for (const [i, fi] of freq) denominator += (fi / u) * hyper1(i);
  const conditional = ((f1 / u) * hyper1(1)) / denominator;
  return (f1 * conditional) / (n / N);
}

test('measure gives k, l and the population uniques computed independently from the records', () => {
  const records = demoRecords();
  assert.equal(records.length, 1000);
  const classes = (quasi) => {
    const by = new Map();
    for (const r of records) {
      const key = JSON.stringify(quasi.map((q) => r[q]));
      if (!by.has(key)) by.set(key, []);
      by.get(key).push(r);
    }
    return [...by.values()];
  };
  const m = session.measure(['sex'], undefined, undefined);
  assert.equal(m.k_anonymity, Math.min(...classes(['sex']).map((c) => c.length)));
  assert.ok(m.k_anonymity > 100);

  const quasi = ['age', 'zip', 'sex'];
  const m2 = session.measure(quasi, 'diagnosis', 1_000_000);
  const cls = classes(quasi);
  assert.equal(m2.risk.population_size, 1_000_000);
  assert.equal(m2.k_anonymity, Math.min(...cls.map((c) => c.length)));
  assert.equal(m2.l_diversity, Math.min(...cls.map((c) => new Set(c.map((r) => r.diagnosis)).size)));
  const uniques = zayatz(cls.map((c) => c.length), records.length, 1_000_000);
  assert.ok(uniques > 1, `the demo has population uniques: ${uniques}`);
  const est = m2.risk.population_estimates;
  assert.ok(Math.abs(est.zayatz * 1_000_000 - uniques) < 1e-6 * uniques, `${est.zayatz * 1_000_000} vs ${uniques}`);
  // Dankar et al.'s rule as ARX: at a sampling fraction of 10% or less (here 0.1%), Pitman, or
  // Zayatz when Pitman fails; the reported uniques are the chosen estimator's.
  assert.equal(m2.risk.population_model, est.pitman == null ? 'zayatz' : 'pitman');
  const chosen = est[m2.risk.population_model] * 1_000_000;
  assert.ok(Math.abs(m2.risk.population_uniques - chosen) < 1e-9 * chosen, `${m2.risk.population_uniques} vs ${chosen}`);
});
