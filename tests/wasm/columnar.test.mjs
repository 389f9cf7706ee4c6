// Layer 2: the page's columnar module (www/pkg/columnar.js + columnar_bg.wasm, built from
// columnar/) turns Parquet and Arrow files into CSV text batch by batch, and the main module reads
// that text with the module's notes (`Session.from_columnar_text`): the profile is the CSV's, the
// Report's input names the original file (format, SHA-256). The main module alone refuses a
// columnar file with an error naming it; a damaged file gives the check's message.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PATHS, ROOT } from '../../scripts/lib.mjs';
import { bytesBlob, installFileReaderSync } from '../../scripts/node-blob.mjs';

installFileReaderSync();

for (const f of [join(PATHS.pkg, 'bedside.js'), join(PATHS.pkg, 'columnar.js'), PATHS.wasmOut, PATHS.columnarOut]) {
  if (!existsSync(f)) throw new Error(`${f} is missing: run \`node scripts/build.mjs\` first`);
}
const core = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
core.initSync({ module: readFileSync(PATHS.wasmOut) });
const columnar = await import(pathToFileURL(join(PATHS.pkg, 'columnar.js')).href);
columnar.initSync({ module: readFileSync(PATHS.columnarOut) });

const data = (name) => readFileSync(join(ROOT, 'tests', 'data', name));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The file as the worker reads it: CSV text from the columnar module, then the main module. */
function readColumnar(bytes, name) {
  const reader = new columnar.Reader(new Uint8Array(bytes));
  try {
    const parts = [];
    for (let chunk = reader.next_chunk(); chunk !== undefined; chunk = reader.next_chunk()) parts.push(chunk);
    const text = Buffer.concat(parts);
    const notes = reader.notes();
    return core.Session.from_columnar_text(bytesBlob(text), name, sha256(bytes), false, notes);
  } finally {
    reader.free();
  }
}

const csvProfile = new core.Session(new Uint8Array(data('same.csv')), 'same.csv').profile();

for (const [name, format] of [
  ['same.snappy.parquet', 'parquet'], ['same.gzip.parquet', 'parquet'], ['same.none.parquet', 'parquet'],
  ['same.arrow', 'arrow'], ['same.arrows', 'arrow_stream'],
]) {
  test(`${name}: converted by the columnar module, profiled as same.csv`, () => {
    const bytes = data(name);
    assert.equal(core.columnar_format(new Uint8Array(bytes.subarray(0, 8))), format);
    const session = readColumnar(bytes, name);
    try {
      const profile = session.profile();
      assert.deepEqual(profile.columns, csvProfile.columns);
      assert.equal(profile.input.rows, csvProfile.input.rows);
      assert.equal(profile.input.format, format);
      assert.equal(profile.input.sha256, sha256(bytes));
      assert.equal(profile.input.file, name);
    } finally {
      session.free();
    }
  });
}

test('the main module alone refuses a columnar file with an error naming it', () => {
  assert.equal(core.columnar_format(new Uint8Array(data('same.csv').subarray(0, 8))), undefined);
  assert.throws(() => new core.Session(new Uint8Array(data('same.snappy.parquet')), 'direct.parquet'),
    (e) => /direct\.parquet/.test(e.message) && /columnar module/.test(e.message));
});

test('a damaged Parquet file gives the check\'s message, no panic', () => {
  const bytes = Buffer.from(data('same.snappy.parquet'));
  // The footer's length (the 4 bytes before the closing PAR1) made far larger than the file.
  bytes.writeUInt32LE(0x7fffffff, bytes.length - 8);
  assert.throws(() => new columnar.Reader(new Uint8Array(bytes)), (e) => /Parquet/.test(e.message));
  // The module is still usable after the error.
  assert.ok(readColumnar(data('same.arrow'), 'again.arrow').profile().input.rows > 0);
});

test('the masked table written to Parquet by the columnar module reads back as the CSV', () => {
  const csv = 'age,sex,seen,note\n34,F,2020-01-05,"a, b"\n,M,2021-12-31,x\n51.5,F,,y\n';
  // The masked CSV comes to the worker as the run's Blob, read in pieces.
  const bytes = columnar.write_parquet(core.masked_columns(bytesBlob(new TextEncoder().encode(csv))));
  assert.equal(Buffer.from(bytes.subarray(0, 4)).toString(), 'PAR1');
  const back = readColumnar(bytes, 'masked.parquet').profile();
  const direct = new core.Session(new TextEncoder().encode(csv), 'masked.csv').profile();
  assert.deepEqual(back.columns, direct.columns);
});
