// Session.notes_review (the notes review of a scrub_text step) in Node. Run after
// `node scripts/build.mjs`: node --test tests/wasm/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PATHS } from '../../scripts/lib.mjs';

const { initSync, Session } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
initSync({ module: readFileSync(PATHS.wasmOut) });

const csv = [
  'name,mrn,note',
  'Ada Quill,B6827688,"Ada Quill (MRN B6827688) seen April 5, 2023 with her son Leonardo Terrazas; BP 128/82, NT-proBNP 1976 pg/mL. Lives in Castroshire AZ 85975."',
  '张伟,00412345,"患者张伟，96岁，家属王丽（电话13812345678）陪同。住址：浙江省杭州市西湖区文三路90号。血压 128/82 mmHg。"',
].join('\n');
const session = new Session(new TextEncoder().encode(csv), 'notes.csv');
after(() => session.free());

const recipe = {
  version: 1, seed: 7, columns: { name: 'identifier', mrn: 'identifier', note: 'text' },
  privacy: [{ op: 'drop', columns: ['name', 'mrn'] }, { op: 'scrub_text', columns: ['note'] }],
};

test('notes_review shows each replacement with its category and no original identifier', () => {
  const r = session.notes_review(recipe, 1, 5);
  assert.equal(r.notes.length, 2);
  const [en, zh] = r.notes;
  const cats = (n) => n.spans.map((s) => s.category);
  for (const c of ['NAME', 'ID', 'DATE', 'ADDRESS', 'ZIP']) assert.ok(cats(en).includes(c), `${c}: ${JSON.stringify(en)}`);
  for (const c of ['NAME', 'AGE', 'PHONE', 'ADDRESS']) assert.ok(cats(zh).includes(c), `${c}: ${JSON.stringify(zh)}`);
  // Spans index the scrubbed text (UTF-16, as JS slices it) and are the tags.
  for (const n of r.notes) for (const s of n.spans) assert.equal(n.scrubbed.slice(s.start, s.end), `[${s.category}]`);
  // The original spans cover the identifiers of the original note.
  const original = csv.split('\n')[2].split(',"')[1].replace(/"$/, '');
  const covered = zh.original_spans.map((s) => original.slice(s.start, s.end));
  assert.ok(covered.includes('张伟') && covered.includes('13812345678'), covered.join('|'));
  const json = JSON.stringify(r);
  for (const v of ['Quill', 'B6827688', 'Terrazas', 'Castroshire', '85975', '张伟', '13812345678', '文三路']) {
    assert.ok(!json.includes(v), `${v} in the review`);
  }
  for (const kept of ['128/82', '1976 pg/mL']) assert.ok(en.scrubbed.includes(kept), en.scrubbed);
  assert.ok(r.replaced.NAME >= 3 && r.replaced.PHONE === 1, JSON.stringify(r.replaced));
  assert.ok(Array.isArray(r.possible_names_kept));
});

test('notes_review names the step when it is not scrub_text', () => {
  assert.throws(() => session.notes_review(recipe, 0, 5), /privacy\[0\].*not a scrub_text step/);
});
