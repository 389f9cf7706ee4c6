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

test('measure gives k and the risk figures for chosen quasi-identifiers', () => {
  const m = session.measure(['sex'], undefined, undefined);
  assert.ok(m.k_anonymity > 100);
  const m2 = session.measure(['age', 'zip', 'sex'], 'diagnosis', 1_000_000);
  assert.equal(m2.risk.population_size, 1_000_000);
  assert.ok(m2.risk.population_uniques >= 0 && m2.l_diversity >= 1);
});
