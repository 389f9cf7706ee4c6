// Browser end-to-end for the Load step's reading choices and the Export step's formats
// (www/load-options.js): a Windows-1252 file read with the detected encoding, then read again
// with another encoding and with UTF-8 (the rows it cannot decode listed by line), and back; a
// two-sheet workbook where choosing the second sheet loads its columns; the masked data of a run
// downloaded in every format the core offers, each read back by the core to the same table; a
// Parquet file dropped (the columnar module fetched only then: not for a CSV), profiled as
// Parquet, run, and its masked data exported as Parquet reading back to the masked CSV's table.
// English and Chinese in one test. A run's masked data and predictions of several Blob pieces
// download as the CLI's files byte for byte.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { PATHS, ROOT } from '../../scripts/lib.mjs';
import { bytesBlob, installFileReaderSync } from '../../scripts/node-blob.mjs';
import { ARTIFACTS, STRINGS, openPage, startEnvironment, waitForResults } from './helpers.mjs';

const core = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
core.initSync({ module: readFileSync(PATHS.wasmOut) });
// The page's columnar module (Parquet, Arrow), to read a Parquet download back as the worker does.
const columnar = await import(pathToFileURL(join(PATHS.pkg, 'columnar.js')).href);
columnar.initSync({ module: readFileSync(PATHS.columnarOut) });
installFileReaderSync();

let env;
before(async () => { env = await startEnvironment(); });
after(async () => { await env?.close(); });

// ───────────── the files (synthetic, made here) ─────────────

const PEOPLE = [
  ['José Müller', 'Zürich'], ['Anna Berg', 'Oslo'], ['François Lefèvre', 'Genève'], ['Jürgen Groß', 'Köln'],
  ['Inés Peña', 'Málaga'], ['Tom Hill', 'Leeds'], ['Zoë Brontë', 'Dijon'], ['Søren Dahl', 'Århus'],
];
/** A European system's export: Windows-1252 bytes (every character here is in Latin-1). */
function latin1Csv() {
  const rows = Array.from({ length: 16 }, (_, i) => `${i + 1},${PEOPLE[i % 8][0]},${PEOPLE[i % 8][1]},${30 + i}`);
  return Buffer.from(`id,name,city,age\n${rows.join('\n')}\n`, 'latin1');
}
/** The file lines (header = line 1) of the rows with a character outside ASCII. */
const accentedLines = Array.from({ length: 16 }, (_, i) => i).filter((i) => /[^\x20-\x7e]/.test(PEOPLE[i % 8].join('')))
  .map((i) => i + 2);

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
/** A ZIP archive of `files` ({name: text}), deflated: what an .xlsx is. */
function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const packed = deflateRawSync(data);
    const n = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(8, 8);
    head.writeUInt32LE(crc32(data), 14); head.writeUInt32LE(packed.length, 18); head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(n.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE(20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc32(data), 16); entry.writeUInt32LE(packed.length, 20); entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(n.length, 28); entry.writeUInt32LE(offset, 42);
    locals.push(head, n, packed);
    central.push(entry, n);
    offset += head.length + n.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(central.length / 2, 8); end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
/** A sheet's XML: numbers as numbers, text as inline strings. */
function sheetXml(rows) {
  const col = (j) => String.fromCharCode(65 + j);
  const cells = rows.map((row, i) => `<row r="${i + 1}">${row.map((v, j) => (typeof v === 'number'
    ? `<c r="${col(j)}${i + 1}"><v>${v}</v></c>`
    : `<c r="${col(j)}${i + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`)).join('')}</row>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${cells}</sheetData></worksheet>`;
}
/** A workbook of two sheets: a short cover sheet first, then the patients (three notes are formulas). */
function workbook() {
  const patients = [['id', 'age', 'note', 'outcome']];
  for (let i = 0; i < 60; i++) {
    const note = i % 20 === 3 ? '=HYPERLINK("http://example.invalid")' : `visit ${i % 7}`;
    patients.push([`P${100 + i}`, 35 + ((i * 7) % 40), note, (i * 7) % 40 > 20 ? 1 : 0]);
  }
  const ns = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const type = (t) => `http://schemas.openxmlformats.org/officeDocument/2006/relationships/${t}`;
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${type('officeDocument')}" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${ns}"><sheets><sheet name="cover" sheetId="1" r:id="rId1"/><sheet name="patients" sheetId="2" r:id="rId2"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${type('worksheet')}" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${type('worksheet')}" Target="worksheets/sheet2.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': sheetXml([['study', 'site'], ['readmission audit', 'ward 7'], ['2026', 'north']]),
    'xl/worksheets/sheet2.xml': sheetXml(patients),
  });
}

// ───────────── helpers ─────────────

/** A Parquet or Arrow file read as the worker reads it: CSV text from the columnar module. */
function columnarSession(bytes, name) {
  const reader = new columnar.Reader(new Uint8Array(bytes));
  try {
    const parts = [];
    for (let chunk = reader.next_chunk(); chunk !== undefined; chunk = reader.next_chunk()) parts.push(chunk);
    const text = Buffer.concat(parts);
    return core.Session.from_columnar_text(bytesBlob(text), name, '0'.repeat(64), false, reader.notes());
  } finally {
    reader.free();
  }
}

/** The first sample row's cell of `column` becomes `text` (the file was read again and previewed). */
async function sampleShows(page, column, text) {
  await page.waitForFunction(([c, v]) => {
    const sample = document.querySelector('#load-sample');
    return sample && !sample.hidden && document.querySelector(`#load-sample-table td[data-column="${c}"]`)?.textContent === v;
  }, [column, text], { timeout: 30_000 });
}

/** Every cell of a downloaded file as the core reads it: column names and rows of text. */
function coreTable(bytes, name) {
  const s = core.columnar_format(new Uint8Array(bytes.subarray(0, 8))) ? columnarSession(bytes, name)
    : new core.Session(new Uint8Array(bytes), name);
  try {
    const rows = s.profile().input.rows;
    const p = s.preview({ version: 1, seed: 0, columns: {}, privacy: [] }, rows);
    return { columns: p.original_columns, rows: p.original_rows };
  } finally {
    s.free();
  }
}

test('encoding and sheet choices re-read the file; every export format reads back to the same table', async () => {
  // One page (opening a page starts every worker: slow), English then Chinese.
  const ctx = await openPage(env);
  const { page } = ctx;
  // The page's own requests and its workers' (not the service worker's precaching).
  const pageRequests = [];
  page.on('request', (r) => pageRequests.push(r.url()));
  const columnarFetched = () => pageRequests.some((u) => /\/pkg\/columnar(_bg\.wasm|\.js)$/.test(u));
  const [en, zh] = [STRINGS.en, STRINGS.zh];
  const shot = (section, name) => page.locator(section).screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  try {
    // English: a Windows-1252 export, its detected encoding, an override and back.
    await page.setInputFiles('#file-input', { name: 'europe.csv', mimeType: 'text/csv', buffer: latin1Csv() });
    await sampleShows(page, 'name', 'José Müller');
    assert.match(await page.textContent('#load-encoding-detected'), /windows-1252/);
    assert.equal(await page.textContent('#load-encoding-label'), en['loadctl.encoding']);
    // The select offers "automatic" and every encoding the core lists.
    const offered = await page.$$eval('#load-encoding option', (os) => os.map((o) => o.value));
    assert.deepEqual(offered, ['', ...core.encodings()]);
    assert.ok(await page.$eval('#load-sheet-field', (e) => e.hidden), 'no sheet select for a text file');

    // Cyrillic Windows: the same bytes, other letters (é → й, ü → ь).
    await page.selectOption('#load-encoding', 'windows-1251');
    await sampleShows(page, 'name', 'Josй Mьller');
    assert.equal(await page.inputValue('#load-encoding'), 'windows-1251');
    // UTF-8: the rows with bytes it cannot decode are not loaded, each reported with its line.
    await page.selectOption('#load-encoding', 'UTF-8');
    await sampleShows(page, 'name', 'Anna Berg');
    await page.waitForSelector('#load-malformed:not([hidden])');
    const lines = await page.$$eval('#load-malformed-list li', (ls) => ls.map((l) => Number(l.dataset.line)));
    assert.deepEqual(lines, accentedLines);
    assert.match(await page.textContent('#load-malformed-summary'), new RegExp(`^${accentedLines.length} row`));
    assert.equal(await page.getAttribute('#profile-summary', 'data-rejected'), String(accentedLines.length));
    // Automatic again: the detected encoding, every row back.
    await page.selectOption('#load-encoding', '');
    await sampleShows(page, 'name', 'José Müller');
    assert.ok(await page.$eval('#load-malformed', (e) => e.hidden));
    assert.equal(await page.getAttribute('#profile-summary', 'data-rows'), '16');
    await shot('#load-section', 'formats-load-en');
    assert.ok(!columnarFetched(), 'the columnar module is not fetched for a CSV file');


    // Chinese: a two-sheet workbook, its second sheet, a run and the masked data in every format.
    await page.selectOption('#lang', 'zh');
    // The Chinese strings arrive by fetch: wait for them, or a fast load draws its labels in English.
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.setInputFiles('#file-input', {
      name: 'audit.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: workbook(),
    });
    await sampleShows(page, 'study', 'readmission audit');
    assert.ok(await page.$eval('#load-encoding-field', (e) => e.hidden), 'no encoding select for a workbook');
    assert.equal(await page.textContent('#load-sheet-label'), zh['loadctl.sheet']);
    assert.deepEqual(await page.$$eval('#load-sheet option', (os) => os.map((o) => o.value)), ['cover', 'patients']);
    await page.selectOption('#load-sheet', 'patients');
    await sampleShows(page, 'id', 'P100');
    const names = await page.$$eval('#profile-table tbody tr', (rs) => rs.map((r) => r.dataset.column));
    assert.deepEqual(names, ['id', 'age', 'note', 'outcome']);
    assert.equal(await page.inputValue('#load-sheet'), 'patients');

    const recipe = {
      version: 1, seed: 1, target: 'outcome', columns: { id: 'identifier', note: 'text' },
      privacy: [{ op: 'drop', columns: ['id'] }], features: [],
      models: [{ kind: 'logistic_regression' }], evaluation: { method: 'stratified_kfold', folds: 3 },
    };
    // Three units: the pool's other workers take some, and must read the same sheet (a worker
    // that read the first sheet would find no `outcome` column and fail the run).
    await page.setInputFiles('#upload-recipe', {
      name: 'r.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(recipe)),
    });
    await waitForResults(page, ['logistic_regression'], 120_000);
    // The formats are the core's; the Report's count of formula-like cells is shown.
    const formats = core.export_formats();
    assert.deepEqual(await page.$$eval('#export-format option', (os) => os.map((o) => o.value)), formats.map((f) => f.name));
    assert.equal(await page.textContent('#export-format-label'), zh['loadctl.export_format']);
    assert.equal(await page.getAttribute('#export-formulas', 'data-count'), '3');
    assert.match(await page.textContent('#export-formulas'), /^有 3 个单元格/);

    const files = {};
    for (const f of formats) {
      await page.selectOption('#export-format', f.name);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      files[f.name] = { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
      assert.ok(files[f.name].name.endsWith(`-masked.${f.extension}`), files[f.name].name);
    }
    assert.ok(columnarFetched(), 'the Parquet export fetched the columnar module');
    const csv = files.csv.bytes;
    assert.deepEqual([...files.csv_bom.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.deepEqual(files.csv_bom.bytes.subarray(3), csv);
    assert.equal(files.xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');
    // Each file, read back by the core, is the masked table: id dropped, the formulas neutralised.
    const table = coreTable(csv, 'm.csv');
    assert.deepEqual(table.columns, ['age', 'note', 'outcome']);
    assert.equal(table.rows.length, 60);
    assert.equal(table.rows.filter((r) => r[1] === '\'=HYPERLINK("http://example.invalid")').length, 3);
    for (const f of formats.filter((x) => x.name !== 'csv')) {
      assert.deepEqual(coreTable(files[f.name].bytes, files[f.name].name), table, f.name);
    }
    await shot('#export-section', 'formats-export-zh');
    // Parquet (last, after the workbook's exports): the worker turns the file into CSV text with
    // the columnar module, and the profile is the file's (format parquet); a run, and the masked
    // data exported as Parquet (the columnar module writes it) reads back to the masked CSV's table.
    const parquet = readFileSync(join(ROOT, 'tests', 'data', 'same.snappy.parquet'));
    await page.setInputFiles('#file-input', { name: 'same.snappy.parquet', mimeType: 'application/vnd.apache.parquet', buffer: parquet });
    await page.waitForSelector('#profile-summary[data-format="parquet"]', { state: 'attached', timeout: 60_000 });
    assert.equal(await page.getAttribute('#profile-summary', 'data-rows'), '120');
    await page.setInputFiles('#upload-recipe', {
      name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({
        version: 1, seed: 1, target: 'outcome', columns: { name: 'identifier', mrn: 'identifier' },
        privacy: [{ op: 'drop', columns: ['name', 'mrn'] }], features: [{ op: 'impute', strategy: 'median' }, { op: 'one_hot' }],
        models: [{ kind: 'logistic_regression' }], evaluation: { method: 'stratified_kfold', folds: 3 },
      })),
    });
    await waitForResults(page, ['logistic_regression'], 120_000);
    const masked = {};
    for (const name of ['csv', 'parquet']) {
      await page.selectOption('#export-format', name);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      masked[name] = await readFile(await dl.path());
    }
    assert.equal(masked.parquet.subarray(0, 4).toString('latin1'), 'PAR1');
    const maskedTable = coreTable(masked.csv, 'm.csv');
    assert.deepEqual(maskedTable.columns.slice(0, 2), ['age', 'sex']);
    assert.deepEqual(coreTable(masked.parquet, 'm.parquet'), maskedTable);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});

test('a run\'s masked data and predictions larger than a Blob piece download as the CLI\'s --out and --predictions files', async (t) => {
  // 160,000 rows: the masked CSV (5.6 MB) is made of two 4 MiB pieces in the worker; a tree's
  // scores are the same bits natively and in wasm, so both files must match byte for byte, and a
  // formula-like cell is neutralised the same way in both.
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bedside-blob-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines = ['id,age,sex,note,code,y'];
  for (let i = 0; i < 160_000; i++) {
    lines.push(`${i},${(i * 37) % 1000 / 10},${i % 2 ? 'F' : 'M'},"seen, day ${i % 365}",${i % 7 ? `c${i % 50}` : `=cmd${i % 50}`},${i % 3 ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'big.csv'), `${lines.join('\n')}\n`);
  const recipe = {
    version: 1, seed: 7, privacy: [], features: [{ op: 'one_hot' }], target: 'y',
    models: [{ kind: 'decision_tree', max_depth: 4 }], evaluation: { method: 'holdout' },
  };
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify(recipe));
  const cli = spawnSync(PATHS.cli, ['run', '--data', 'big.csv', '--recipe', 'recipe.json', '--out', 'm.csv', '--predictions', 'p.csv'],
    { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(cli.status, 0, cli.stderr);
  const ctx = await openPage(env, {});
  const { page } = ctx;
  try {
    await page.setInputFiles('#file-input', join(dir, 'big.csv'));
    await page.waitForFunction(() => document.querySelector('#profile-summary')?.dataset.rows === '160000', null, { timeout: 120_000 });
    await page.fill('#recipe-json', JSON.stringify(recipe, null, 2));
    await page.dispatchEvent('#recipe-json', 'input');
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#run-status')?.dataset.state), null, { timeout: 300_000 });
    assert.equal(await page.getAttribute('#run-status', 'data-state'), 'done', await page.textContent('#run-status'));
    for (const [button, file] of [['#download-csv', 'm.csv'], ['#download-predictions', 'p.csv']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      const got = await readFile(await download.path());
      const want = readFileSync(join(dir, file));
      assert.ok(got.length > 1_000_000 && got.equals(want), `${button}: ${got.length} bytes, the CLI's ${want.length}`);
    }
    assert.match(readFileSync(join(dir, 'm.csv'), 'utf8'), /,'=cmd0,/);
    assert.deepEqual(ctx.problems, []);
  } finally {
    await ctx.close();
  }
});
