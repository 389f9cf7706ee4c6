// Generates the malformed-input corpus under tests/corpus/: CSV files and recipes, each with the
// outcome Bedside must give (a specific error, or the rows/rejections/repairs it must report).
// tests/corpus.rs checks every case; run `node scripts/gen-corpus.mjs` after adding cases here.
//
//   tests/corpus/csv/NAME.csv      + NAME.expect.json  {"error": "..."} or
//                                  {"rows", "columns", "rejected": [[line, "reason part"]], "repairs": ["column"]}
//   tests/corpus/recipe/NAME.json  + NAME.expect.json  {"error": "..."} or {"ok": true}
//                                  (recipes run on tests/corpus/recipe-data.csv)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'tests', 'corpus');
const cases = { csv: [], recipe: [] };
const csvCase = (name, bytes, expect) => cases.csv.push({ name, bytes: Buffer.from(bytes), expect });
const recipeCase = (name, text, expect) => cases.recipe.push({ name, text, expect });
const ok = (rows, columns, rejected = [], repairs = []) => ({ rows, columns, rejected, repairs });

// ── CSV ────────────────────────────────────────────────────────────────────────────────────
const DELIMS = { comma: ',', semicolon: ';', tab: '\t', pipe: '|' };
const table = (d, rows) => rows.map((r) => r.join(d)).join('\n') + '\n';
const base = [['id', 'age', 'sex'], ['a1', '30', 'F'], ['a2', '41', 'M'], ['a3', '52', 'F'], ['a4', '63', 'M'], ['a5', '74', 'F']];

// Ragged rows: every delimiter, every position, one field too many or too few.
for (const [dname, d] of Object.entries(DELIMS)) {
  for (const pos of [1, 2, 4, 5]) {
    for (const kind of ['extra', 'missing']) {
      const rows = base.map((r) => [...r]);
      if (kind === 'extra') rows[pos].push('x');
      else rows[pos].pop();
      const found = kind === 'extra' ? 4 : 2;
      csvCase(`ragged-${dname}-row${pos}-${kind}`, table(d, rows),
        ok(4, 3, [[pos + 1, `expected 3 fields, found ${found}`]]));
    }
  }
}
// Several ragged rows at once, and every data row ragged.
csvCase('ragged-many', table(',', [base[0], ['1', '2'], base[2], ['1', '2', '3', '4'], ['x'], base[5]]),
  ok(2, 3, [[2, 'found 2'], [4, 'found 4'], [5, 'found 1']]));
csvCase('ragged-all', table(',', [base[0], ['1'], ['1', '2'], ['1', '2', '3', '4']]),
  ok(0, 3, [[2, 'found 1'], [3, 'found 2'], [4, 'found 4']]));

// Unclosed quotes swallow the rest of the file: the record is rejected, and says why.
for (const [dname, d] of Object.entries({ comma: ',', semicolon: ';' })) {
  for (const pos of [1, 3, 5]) {
    const rows = base.map((r) => [...r]);
    rows[pos][2] = '"F';
    const keptBefore = pos - 1;
    csvCase(`unclosed-quote-${dname}-row${pos}`, table(d, rows), ok(keptBefore, 3, [[pos + 1, 'never closed']]));
  }
}

// Line endings.
const lines = base.map((r) => r.join(','));
csvCase('line-endings-lf', lines.join('\n') + '\n', ok(5, 3));
csvCase('line-endings-crlf', lines.join('\r\n') + '\r\n', ok(5, 3));
csvCase('line-endings-cr', lines.join('\r') + '\r', ok(5, 3));
csvCase('line-endings-mixed', `${lines[0]}\r\n${lines[1]}\n${lines[2]}\r${lines[3]}\r\n${lines[4]}\n${lines[5]}`, ok(5, 3));
csvCase('no-final-newline', lines.join('\n'), ok(5, 3));
csvCase('blank-lines-between', `${lines[0]}\n\n${lines[1]}\n\n\n${lines[2]}\n`, ok(2, 3));
csvCase('trailing-blank-lines', `${lines.join('\n')}\n\n\n\n`, ok(5, 3));

// Encodings.
const utf16 = (s, le) => {
  const b = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (le) b.writeUInt16LE(c, 2 * i); else b.writeUInt16BE(c, 2 * i);
  }
  return b;
};
const text = 'name2,age\nZoë,30\n李雷,41\n';
csvCase('utf8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), ok(2, 2));
csvCase('utf16le-bom', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(text, true)]), ok(2, 2));
csvCase('utf16be-bom', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16(text, false)]), ok(2, 2));
csvCase('utf16le-no-bom', utf16(text, true), { error: 'UTF-16 text without a byte-order mark' });
csvCase('utf16le-odd-length', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16(text, true), Buffer.from([0x41])]), { error: 'odd number of bytes' });
// A Latin-1 byte in an otherwise ASCII file: the file is Windows-1252 (detected), every row loads.
csvCase('latin1-in-row', Buffer.concat([Buffer.from('a,b\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n2,ok\n')]),
  ok(2, 2));
// Legacy encodings, detected (src/table/encoding.rs; bytes written by Python's codecs).
csvCase('gbk-chinese', Buffer.from('d0d5c3fb2cc4eac1e42cb3c7cad00ad5c5c8fd2c33302cb1b1bea90ac0eecbc42c34312cc9cfbaa30acdf5b7bc2c35322cb9e3d6dd0a', 'hex'),
  ok(3, 3));
csvCase('windows-1252-accents', Buffer.from('6e616d652c636974790a4a6f73e9204dfc6c6c65722c5afc726963680a4672616ee76f69732c47656ee876650a', 'hex'),
  ok(2, 2));
// Stray bytes in a file that is otherwise UTF-8 (at least 4 valid non-ASCII characters per
// invalid sequence): the file stays UTF-8 and the stray bytes reject their row or header.
const utf8Tail = Buffer.from('3,张三李四王五赵六孙七周八吴九\n');
csvCase('invalid-utf8-header', Buffer.concat([Buffer.from('a,'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('\n1,2\n'), utf8Tail]),
  { error: "line 1, field '#2': header name is not valid UTF-8" });
csvCase('truncated-utf8-sequence', Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xe4, 0xb8]), Buffer.from('\n2,x\n'), utf8Tail]),
  ok(2, 2, [[2, 'not valid UTF-8']]));

// NUL bytes and binary files.
csvCase('nul-in-row', Buffer.concat([Buffer.from('a,b\n' + '1,x\n'.repeat(300) + '2,y'), Buffer.from([0]), Buffer.from('z\n')]),
  ok(300, 2, [[302, 'NUL byte']]));
csvCase('binary-many-nuls', Buffer.alloc(2000, 0), { error: 'binary file' });
csvCase('xlsx-magic', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]), { error: 'cannot be read as one' });
csvCase('xls-magic', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100, 1)]), { error: 'cannot be read as one' });
// Parquet and Arrow IPC signatures over junk. (Whole pyarrow files are not corpus seeds yet:
// mutated, arrow-rs 60.1 can abort on a huge allocation; see tests/fuzz.rs.)
csvCase('parquet-magic', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 3)]), { error: 'cannot be read as one' });
csvCase('arrow-magic', Buffer.concat([Buffer.from('ARROW1\0\0'), Buffer.alloc(100, 5)]), { error: 'cannot be read as one' });
csvCase('arrow-stream-magic', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0]), Buffer.alloc(100, 9)]), { error: 'cannot be read as one' });
csvCase('png-bytes', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 0)]), { error: 'binary file' });

// Empty files and headers only.
csvCase('empty', '', { error: 'the file is empty' });
csvCase('only-newlines', '\n\n\n', { error: 'the file is empty' });
csvCase('only-spaces', '   \n  \t \n', { error: 'the file is empty' });
csvCase('header-only', 'a,b,c\n', ok(0, 3));
csvCase('header-only-no-newline', 'a,b,c', ok(0, 3));
csvCase('single-column', 'x\n1\n2\n3\n', ok(3, 1));
csvCase('single-cell', 'x\n1\n', ok(1, 1));

// Header names: repaired and reported, never silently.
csvCase('duplicate-header', 'a,b,a\n1,2,3\n', ok(1, 3, [], ['a → a_2']));
csvCase('duplicate-header-thrice', 'a,a,a\n1,2,3\n', ok(1, 3, [], ['a → a_2, a → a_3']));
csvCase('duplicate-header-suffix-taken', 'a,a_2,a\n1,2,3\n', ok(1, 3, [], ['a → a_3']));
csvCase('empty-header', 'a,,c\n1,2,3\n', ok(1, 3, [], ['column_2']));
csvCase('all-headers-empty', ',,\n1,2,3\n', ok(1, 3, [], ['column_1, column_2, column_3']));
csvCase('header-spaces-trimmed', ' a , b \n1,2\n', ok(1, 2));
csvCase('header-only-spaces', 'a,   ,c\n1,2,3\n', ok(1, 3, [], ['column_2']));
csvCase('chinese-headers', '姓名,年龄,性别\n张三,30,男\n李四,41,女\n', ok(2, 3));

// Numbers.
csvCase('decimal-comma-semicolon', 'x;y\n1,5;a\n2,25;b\n-3,75;c\n', ok(3, 2, [], ['x']));
csvCase('decimal-comma-tab', 'x\ty\n1,5\ta\n2\tb\n', ok(2, 2, [], ['x']));
csvCase('decimal-comma-in-comma-file', 'x,y\n"1,5",a\n"2,5",b\n', ok(2, 2));
csvCase('overflow-1e309-mostly-numbers', 'v\n' + Array.from({ length: 30 }, (_, i) => `${i}\n`).join('') + '1e309\n', ok(31, 1, [], ['v']));
csvCase('overflow-1e309-alone', 'v\n1e309\n', ok(1, 1));
csvCase('less-than-lab-value', 'crp\n' + Array.from({ length: 40 }, (_, i) => `${i + 1}.5\n`).join('') + '<5\n', ok(41, 1, [], ['crp']));
csvCase('inf-nan-words', 'v\ninf\n-inf\nnan\n', ok(3, 1));
csvCase('leading-zero-codes', 'zip\n02139\n10025\n00501\n', ok(3, 1));
csvCase('plus-sign-numbers', 'v\n+5\n+6\n', ok(2, 1));
csvCase('thousands-separator-quoted', 'v,w\n"1,234",a\n"5,678",b\n', ok(2, 2));
csvCase('negative-and-exponent', 'v\n-1.5\n2e3\n-4E-2\n.5\n', ok(4, 1));
csvCase('huge-integers', 'v\n123456789012345678901234567890\n1\n', ok(2, 1));
csvCase('hex-like', 'v\n0x1F\n0x20\n', ok(2, 1));

// Missing tokens, each alone and together.
for (const tok of ['', 'NA', 'N/A', 'NaN', 'NULL', '?', '-']) {
  const safe = tok === '' ? 'empty' : tok.replace(/[^A-Za-z]/g, (c) => ({ '/': 'slash', '?': 'qmark', '-': 'dash' }[c]));
  csvCase(`missing-token-${safe}`, `v,w\n1,a\n${tok},b\n3,c\n`, ok(3, 2));
}
csvCase('missing-everything', 'v,w\nNA,\n?,-\n', ok(2, 2));

// Quoting.
csvCase('escaped-quotes', 'a,b\n"say ""hi""",1\n', ok(1, 2));
csvCase('delimiter-in-quotes', 'a,b\n"x, y",1\n', ok(1, 2));
csvCase('newline-in-quotes', 'a,b\n"line1\nline2",1\n3,4\n5\n', ok(2, 2, [[5, 'found 1']]));
csvCase('crlf-in-quotes', 'a,b\r\n"line1\r\nline2",1\r\n', ok(1, 2));
csvCase('quote-in-unquoted-field', 'a,b\nab"c,1\n', ok(1, 2));
csvCase('spaces-around-fields', 'a,b\n  1 , x  \n2,y\n', ok(2, 2));
csvCase('empty-quoted-field', 'a,b\n"",1\n', ok(1, 2));
csvCase('quoted-header', '"a","b"\n1,2\n', ok(1, 2));

// Dates and types.
csvCase('invalid-dates', 'd\n2024-02-30\n2024-13-01\n', ok(2, 1));
csvCase('valid-dates', 'd\n2024-02-29\n2023-12-31\n', ok(2, 1));
csvCase('all-missing-column', 'a,b\n1,\n2,\n', ok(2, 2));
csvCase('wide-header-short-rows', 'a,b,c,d,e\n1,2\n', ok(0, 5, [[2, 'expected 5 fields, found 2']]));

// ── Recipes (on recipe-data.csv: name, mrn, age, sex, zip, glucose, outcome) ─────────────────
const DATA = ['name,mrn,age,sex,zip,glucose,diagnosis,outcome'];
const dx = ['flu', 'copd', 'sepsis'];
for (let i = 0; i < 40; i++) {
  DATA.push(`Person ${i},${String(1000 + i).padStart(8, '0')},${20 + (i * 7) % 60},${i % 2 ? 'F' : 'M'},0${2100 + (i % 5)},${i % 9 ? 80 + i : 'NA'},${dx[i % 3]},${(i * 13) % 5 < 2 ? 1 : 0}`);
}
const good = {
  version: 1, seed: 7,
  columns: { name: 'identifier', mrn: 'identifier', age: 'quasi', sex: 'quasi', zip: 'quasi' },
  privacy: [{ op: 'drop', columns: ['name'] }, { op: 'pseudonymize', columns: ['mrn'] }],
  features: [{ op: 'impute', strategy: 'median' }, { op: 'scale', method: 'standard' }, { op: 'one_hot' }],
  target: 'outcome',
  models: [{ kind: 'logistic_regression' }, { kind: 'decision_tree', max_depth: 3 }],
  evaluation: { method: 'stratified_kfold', folds: 3 },
};
const clone = () => JSON.parse(JSON.stringify(good));
const edit = (name, fn, expect) => { const r = clone(); fn(r); recipeCase(name, JSON.stringify(r, null, 1), expect); };
edit('good', () => {}, { ok: true });
edit('good-holdout', (r) => { r.evaluation = { method: 'holdout', test_fraction: 0.3 }; }, { ok: true });
edit('good-generalize-truncate', (r) => { r.privacy.push({ op: 'generalize', column: 'age', width: 10 }, { op: 'truncate', column: 'zip', keep: 3 }); }, { ok: true });
edit('good-no-models', (r) => { r.models = []; delete r.target; }, { ok: true });

// Unknown ops, kinds and methods in every section.
edit('unknown-privacy-op', (r) => { r.privacy[1] = { op: 'shred', columns: ['mrn'] }; }, { error: "privacy[1] (shred), field 'op': unknown variant `shred`" });
edit('unknown-feature-op', (r) => { r.features[0] = { op: 'magic' }; }, { error: "features[0] (magic), field 'op'" });
edit('unknown-model-kind', (r) => { r.models[0] = { kind: 'deep_forest' }; }, { error: "models[0] (deep_forest), field 'kind'" });
edit('unknown-eval-method', (r) => { r.evaluation = { method: 'bootstrap' }; }, { error: "evaluation, field 'method'" });
edit('op-missing', (r) => { r.privacy[0] = { columns: ['name'] }; }, { error: "privacy[0], field 'op'" });
edit('kind-missing', (r) => { r.models[0] = { alpha: 1 }; }, { error: "models[0], field 'kind'" });
edit('op-not-a-string', (r) => { r.privacy[0] = { op: 3, columns: ['name'] }; }, { error: 'privacy[0]' });

// Unknown arguments for every op and model.
const unknownArg = [
  ['privacy', 0, { op: 'drop', columns: ['name'], colour: 1 }],
  ['privacy', 1, { op: 'pseudonymize', columns: ['mrn'], salt: 'x' }],
  ['features', 0, { op: 'impute', strategy: 'median', how: 1 }],
  ['features', 1, { op: 'scale', method: 'standard', centre: true }],
  ['features', 2, { op: 'one_hot', sparse: true }],
  ['models', 0, { kind: 'logistic_regression', C: 1 }],
  ['models', 1, { kind: 'decision_tree', depth: 3 }],
];
for (const [section, i, step] of unknownArg) {
  const field = Object.keys(step).at(-1);
  const label = step.op || step.kind;
  edit(`unknown-arg-${label}`, (r) => { r[section][i] = step; }, { error: `${section}[${i}] (${label}), field '${field}'` });
}
edit('unknown-arg-generalize', (r) => { r.privacy.push({ op: 'generalize', column: 'age', width: 10, round: 1 }); }, { error: "privacy[2] (generalize), field 'round'" });
edit('unknown-arg-truncate', (r) => { r.privacy.push({ op: 'truncate', column: 'zip', keep: 3, pad: '*' }); }, { error: "privacy[2] (truncate), field 'pad'" });
edit('unknown-arg-evaluation', (r) => { r.evaluation.shuffle = false; }, { error: "evaluation, field 'shuffle'" });
edit('unknown-top-level', (r) => { r.modles = []; }, { error: "(top level), field 'modles'" });

// Wrong types.
edit('columns-not-a-list', (r) => { r.privacy[0].columns = 'name'; }, { error: 'privacy[0] (drop)' });
edit('width-a-string', (r) => { r.privacy.push({ op: 'generalize', column: 'age', width: 'ten' }); }, { error: 'privacy[2] (generalize)' });
edit('keep-negative', (r) => { r.privacy.push({ op: 'truncate', column: 'zip', keep: -1 }); }, { error: 'privacy[2] (truncate)' });
edit('folds-a-string', (r) => { r.evaluation.folds = 'five'; }, { error: 'evaluation' });
edit('seed-negative', (r) => { r.seed = -1; }, { error: "field 'seed'" });
edit('seed-a-string', (r) => { r.seed = 'x'; }, { error: "field 'seed'" });
edit('version-a-string', (r) => { r.version = '1'; }, { error: "field 'version'" });
edit('version-2', (r) => { r.version = 2; }, { error: 'unsupported version 2' });
edit('version-missing', (r) => { delete r.version; }, { error: "field 'version'" });
edit('target-a-number', (r) => { r.target = 5; }, { error: "field 'target'" });
edit('role-unknown', (r) => { r.columns.age = 'secret'; }, { error: 'columns' });
edit('privacy-not-a-list', (r) => { r.privacy = { op: 'drop' }; }, { error: 'privacy' });
edit('models-not-a-list', (r) => { r.models = 'logistic_regression'; }, { error: 'models' });
edit('max-depth-a-string', (r) => { r.models[1].max_depth = 'deep'; }, { error: 'models[1] (decision_tree)' });
edit('alpha-a-string', (r) => { r.models[0].alpha = 'strong'; }, { error: 'models[0] (logistic_regression)' });

// Missing required arguments.
edit('drop-without-columns', (r) => { r.privacy[0] = { op: 'drop' }; }, { error: "privacy[0] (drop), field 'columns'" });
edit('generalize-without-width', (r) => { r.privacy.push({ op: 'generalize', column: 'age' }); }, { error: "privacy[2] (generalize), field 'width'" });
edit('truncate-without-column', (r) => { r.privacy.push({ op: 'truncate', keep: 3 }); }, { error: "privacy[2] (truncate), field 'column'" });
edit('impute-without-strategy', (r) => { r.features[0] = { op: 'impute' }; }, { error: "features[0] (impute), field 'strategy'" });
edit('scale-without-method', (r) => { r.features[1] = { op: 'scale' }; }, { error: "features[1] (scale), field 'method'" });

// Bad values.
edit('width-zero', (r) => { r.privacy.push({ op: 'generalize', column: 'age', width: 0 }); }, { error: "privacy[2] (generalize), field 'width'" });
edit('width-negative', (r) => { r.privacy.push({ op: 'generalize', column: 'age', width: -5 }); }, { error: "field 'width'" });
edit('keep-zero', (r) => { r.privacy.push({ op: 'truncate', column: 'zip', keep: 0 }); }, { error: "privacy[2] (truncate), field 'keep'" });
edit('drop-empty-list', (r) => { r.privacy[0].columns = []; }, { error: "privacy[0] (drop), field 'columns': names no column" });
edit('drop-same-column-twice', (r) => { r.privacy[0].columns = ['name', 'name']; }, { error: "names column 'name' twice" });
edit('impute-strategy-unknown', (r) => { r.features[0].strategy = 'avg'; }, { error: 'features[0] (impute)' });
edit('impute-value-without-constant', (r) => { r.features[0].value = 3; }, { error: "features[0] (impute), field 'value'" });
edit('scale-method-unknown', (r) => { r.features[1].method = 'zscore'; }, { error: 'features[1] (scale)' });
edit('criterion-unknown', (r) => { r.models[1].criterion = 'gain'; }, { error: 'models[1] (decision_tree)' });
edit('max-depth-zero', (r) => { r.models[1].max_depth = 0; }, { error: "models[1] (decision_tree), field 'max_depth'" });
edit('min-samples-leaf-zero', (r) => { r.models[1].min_samples_leaf = 0; }, { error: "field 'min_samples_leaf'" });
edit('alpha-negative', (r) => { r.models[0].alpha = -1; }, { error: "models[0] (logistic_regression), field 'alpha'" });
edit('max-iterations-zero', (r) => { r.models[0].max_iterations = 0; }, { error: "field 'max_iterations'" });
edit('folds-one', (r) => { r.evaluation.folds = 1; }, { error: "evaluation, field 'folds': must be at least 2" });
edit('folds-zero', (r) => { r.evaluation.folds = 0; }, { error: "evaluation, field 'folds'" });
edit('folds-more-than-class-count', (r) => { r.evaluation.folds = 30; }, { error: "evaluation, field 'folds': 30 folds but the smaller class has only" });
edit('folds-more-than-rows', (r) => { r.evaluation = { method: 'kfold', folds: 100 }; }, { error: '100 folds but only 40 rows' });
edit('repeats-zero', (r) => { r.evaluation = { method: 'repeated_stratified_kfold', folds: 3, repeats: 0 }; }, { error: "field 'repeats'" });
for (const f of [0, 1, 1.5, -0.2]) {
  edit(`test-fraction-${String(f).replace('.', '_').replace('-', 'minus')}`, (r) => { r.evaluation = { method: 'holdout', test_fraction: f }; }, { error: "evaluation, field 'test_fraction'" });
}
edit('test-fraction-too-small', (r) => { r.evaluation = { method: 'holdout', test_fraction: 0.001 }; }, { ok: true });

// Columns and roles against the data.
edit('target-missing', (r) => { delete r.target; }, { error: 'models need a target column' });
edit('target-unknown-column', (r) => { r.target = 'outcom'; }, { error: "field 'target': no such column 'outcom'" });
edit('target-is-identifier', (r) => { r.target = 'mrn'; }, { error: "'mrn' is an identifier" });
edit('target-dropped', (r) => { r.target = 'name'; delete r.columns.name; r.privacy[0].columns = ['name']; }, { error: "column 'name' is dropped by a privacy step" });
edit('target-three-classes', (r) => { r.target = 'diagnosis'; }, { error: "target 'diagnosis' has 3 distinct values" });
edit('target-role-elsewhere', (r) => { r.columns.sex = 'target'; }, { error: "columns, field 'sex': has role target but the recipe's target is another column" });
edit('role-unknown-column', (r) => { r.columns.weight = 'feature'; }, { error: "columns, field 'weight': no such column in the data" });
edit('privacy-unknown-column', (r) => { r.privacy[0].columns = ['nmae']; }, { error: "privacy[0] (drop), field 'columns': no such column 'nmae'" });
edit('privacy-column-dropped-earlier', (r) => { r.privacy[1].columns = ['mrn', 'name']; }, { error: "column 'name' was dropped by an earlier step" });
edit('feature-unknown-column', (r) => { r.features[1].columns = ['weight']; }, { error: "features[1] (scale), field 'columns': no such column 'weight'" });
edit('feature-on-target', (r) => { r.features[1].columns = ['outcome']; }, { error: "column 'outcome' is not a model input" });
edit('identifier-unmasked', (r) => { r.privacy = [{ op: 'drop', columns: ['name'] }]; }, { error: "columns, field 'mrn': has role identifier but no privacy step" });
edit('identifier-only-generalized', (r) => { r.columns.age = 'identifier'; r.privacy.push({ op: 'generalize', column: 'age', width: 10 }); }, { error: "field 'age': has role identifier" });
edit('generalize-categorical', (r) => { r.privacy.push({ op: 'generalize', column: 'sex', width: 5 }); }, { error: "column 'sex' is categorical, this step needs a numeric column" });
edit('missing-values-without-impute', (r) => { r.features = [{ op: 'one_hot' }]; }, { error: "column 'glucose' has 5 missing value(s)" });
edit('categorical-without-one-hot', (r) => { r.features = [{ op: 'impute', strategy: 'median' }]; }, { error: 'is categorical and no one_hot step covers it' });
edit('positive-not-a-class', (r) => { r.positive = 'yes'; }, { error: "field 'positive': 'yes' is not one of the target's classes" });

// Privacy and feature steps with arguments that cannot work.
const addPrivacy = (step) => (r) => { r.privacy.push(step); };
const addFeature = (step) => (r) => { r.features.unshift(step); };
edit('noise-epsilon-zero', addPrivacy({ op: 'noise', columns: ['glucose'], epsilon: 0, sensitivity: 1 }), { error: "privacy[2] (noise), field 'epsilon': must be a positive number" });
edit('noise-epsilon-negative', addPrivacy({ op: 'noise', columns: ['glucose'], epsilon: -1, sensitivity: 1 }), { error: "privacy[2] (noise), field 'epsilon'" });
edit('noise-sensitivity-zero', addPrivacy({ op: 'noise', columns: ['glucose'], epsilon: 1, sensitivity: 0 }), { error: "privacy[2] (noise), field 'sensitivity'" });
edit('noise-on-categorical', addPrivacy({ op: 'noise', columns: ['sex'], epsilon: 1, sensitivity: 1 }), { error: "column 'sex' is categorical, this step needs a numeric column" });
edit('k-larger-than-rows', addPrivacy({ op: 'k_anonymize', quasi: ['age', 'sex', 'zip'], k: 100, max_suppression: 0.05 }), { error: "privacy[2] (k_anonymize), field 'k': the table has 40 record(s), fewer than k = 100" });
edit('k-zero', addPrivacy({ op: 'k_anonymize', quasi: ['age', 'sex', 'zip'], k: 0, max_suppression: 0.05 }), { error: "privacy[2] (k_anonymize), field 'k': must be at least 2" });
edit('k-suppression-over-one', addPrivacy({ op: 'k_anonymize', quasi: ['age', 'sex', 'zip'], k: 2, max_suppression: 1.5 }), { error: "field 'max_suppression': must be between 0 and 1" });
edit('k-unknown-quasi', addPrivacy({ op: 'k_anonymize', quasi: ['age', 'height'], k: 2, max_suppression: 0.05 }), { error: "field 'quasi': no such column 'height'" });
edit('k-no-quasi', addPrivacy({ op: 'k_anonymize', quasi: [], k: 2, max_suppression: 0.05 }), { error: "privacy[2] (k_anonymize), field 'quasi': names no column" });
edit('mask-keep-negative', addPrivacy({ op: 'mask', columns: ['zip'], keep_first: -2 }), { error: "privacy[2] (mask), field 'keep_first': invalid value" });
edit('date-shift-on-numeric', addPrivacy({ op: 'date_shift', columns: ['age'], by: 'mrn', max_days: 30 }), { error: "privacy[2] (date_shift), field 'columns': column 'age' is numeric, this step needs a date column" });
edit('microaggregate-size-zero', addPrivacy({ op: 'microaggregate', columns: ['glucose'], size: 0 }), { error: "privacy[2] (microaggregate), field 'size': must be at least 2" });
edit('pram-wrong-argument', addPrivacy({ op: 'pram', columns: ['sex'] }), { error: "privacy[2] (pram), field 'columns': unknown field" });
edit('suppress-nothing-to-do', addPrivacy({ op: 'suppress', columns: ['zip'] }), { error: 'privacy[2] (suppress)' });
edit('impute-knn-zero-neighbours', addFeature({ op: 'impute', strategy: 'knn', neighbors: 0 }), { error: 'features[0] (impute)' });
edit('pca-zero-components', addFeature({ op: 'pca', components: 0 }), { error: "features[0] (pca), field 'components': must be at least 1" });
edit('select-zero-features', addFeature({ op: 'select', method: 'anova_f', k: 0 }), { error: "features[0] (select), field 'k': must be at least 1" });
edit('balance-unknown-method', (r) => { r.features.push({ op: 'balance', method: 'duplicate' }); }, { error: "features[3] (balance), field 'method': unknown variant `duplicate`" });
edit('clip-unknown-method', addFeature({ op: 'clip', method: 'percentile' }), { error: "features[0] (clip), field 'method': unknown variant `percentile`" });

// Not JSON, or not a recipe.
recipeCase('invalid-json-truncated', '{"version": 1, "privacy": [', { error: 'not valid JSON' });
recipeCase('invalid-json-trailing-comma', '{"version": 1,}', { error: 'not valid JSON' });
recipeCase('invalid-json-empty', '', { error: 'not valid JSON' });
recipeCase('json-array', '[{"op": "drop"}]', { error: 'a recipe is a JSON object' });
recipeCase('json-string', '"recipe"', { error: 'a recipe is a JSON object' });
recipeCase('json-null', 'null', { error: 'a recipe is a JSON object' });

// ── write ───────────────────────────────────────────────────────────────────────────────────
rmSync(OUT, { recursive: true, force: true });
for (const sub of ['csv', 'recipe']) mkdirSync(join(OUT, sub), { recursive: true });
writeFileSync(join(OUT, 'recipe-data.csv'), DATA.join('\n') + '\n');
const names = new Set();
for (const c of cases.csv) {
  if (names.has(c.name)) throw new Error(`duplicate case ${c.name}`);
  names.add(c.name);
  writeFileSync(join(OUT, 'csv', `${c.name}.csv`), c.bytes);
  writeFileSync(join(OUT, 'csv', `${c.name}.expect.json`), JSON.stringify(c.expect) + '\n');
}
for (const c of cases.recipe) {
  if (names.has(c.name)) throw new Error(`duplicate case ${c.name}`);
  names.add(c.name);
  writeFileSync(join(OUT, 'recipe', `${c.name}.json`), c.text);
  writeFileSync(join(OUT, 'recipe', `${c.name}.expect.json`), JSON.stringify(c.expect) + '\n');
}
console.log(`tests/corpus: ${cases.csv.length} CSV cases, ${cases.recipe.length} recipe cases (${cases.csv.length + cases.recipe.length} in all)`);
