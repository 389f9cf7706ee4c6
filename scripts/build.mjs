// Build the wasm package into www/pkg (cargo → wasm-bindgen → wasm-opt when available), the
// one-file offline page dist/bedside.html (build-single.mjs) and the native CLI into
// target/debug/bedside. Run scripts/setup.mjs once before this.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  PATHS, ROOT, StepError, capture, findWasmOpt, log, main, run, wasmBindgenPath, wasmBindgenVersion,
  which,
} from './lib.mjs';

// wasm features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them
// (and wasm-bindgen emits reference types when the module was compiled with them).
const WASM_OPT_FEATURES = [
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
];

function findWasmBindgen() {
  const version = wasmBindgenVersion();
  const cached = wasmBindgenPath(version);
  if (existsSync(cached)) return cached;
  const onPath = which('wasm-bindgen');
  if (onPath && capture(onPath, ['--version']).stdout.trim().endsWith(version)) return onPath;
  throw new StepError(
    `wasm-bindgen-cli ${version} (the version in Cargo.lock) is not installed; run \`node scripts/setup.mjs\``);
}

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;

/**
 * Can the wasm-bindgen glue load `wasmFile` and call into it? Checked in a child Node process,
 * because some wasm-opt releases (Debian's binaryen 108) write a module that validates but
 * exports the wrong table, so it fails only when instantiated.
 */
function loads(wasmFile) {
  const glue = pathToFileURL(join(PATHS.pkg, 'bedside.js')).href;
  const code = `const m = await import(${JSON.stringify(glue)});
    m.initSync({ module: (await import('node:fs')).readFileSync(${JSON.stringify(wasmFile)}) });
    if (typeof m.version() !== 'string') throw new Error('version() did not return a string');`;
  const r = capture(process.execPath, ['--input-type=module', '-e', code]);
  return { ok: r.status === 0, why: (r.stderr.split('\n').find((l) => /Error/.test(l)) || r.stderr).trim() };
}

function wasmOpt() {
  const bin = findWasmOpt();
  if (!bin) {
    log('wasm-opt not found: keeping the unoptimized .wasm (run `node scripts/setup.mjs` to install binaryen)');
    return;
  }
  const tmp = `${PATHS.wasmOut}.opt`;
  log(`$ wasm-opt -O3 ${WASM_OPT_FEATURES.join(' ')} ${relative(ROOT, PATHS.wasmOut)} -o ${relative(ROOT, tmp)}`);
  const r = capture(bin, ['-O3', ...WASM_OPT_FEATURES, PATHS.wasmOut, '-o', tmp]);
  const check = r.status === 0 && existsSync(tmp) ? loads(tmp) : { ok: false, why: (r.stderr || r.stdout).trim() };
  if (check.ok) {
    renameSync(tmp, PATHS.wasmOut);
  } else {
    rmSync(tmp, { force: true });
    const version = capture(bin, ['--version']).stdout.trim();
    console.warn(`[bedside] warning: ${version || 'wasm-opt'} produced an unusable module (${check.why}); ` +
      'keeping the unoptimized .wasm. `node scripts/setup.mjs --wasm-opt` installs one that works.');
  }
}

/** www/precache.json: every file of the served app, for the service worker (www/sw.js). */
function writePrecacheList() {
  const www = join(ROOT, 'www');
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(join(www, dir))) {
      const rel = dir ? `${dir}/${name}` : name;
      if (statSync(join(www, rel)).isDirectory()) walk(rel);
      else if (rel !== 'sw.js' && rel !== 'precache.json') files.push(rel);
    }
  };
  walk('');
  writeFileSync(join(www, 'precache.json'), `${JSON.stringify(files.sort(), null, 1)}\n`);
  log(`www/precache.json: ${files.length} files for offline use`);
}

main(async () => {
  if (!existsSync(PATHS.demoCsv)) run(process.execPath, ['scripts/gen-demo.mjs']);

  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib']);
  if (!existsSync(PATHS.wasmIn)) throw new StepError(`cargo did not produce ${PATHS.wasmIn}`);
  run(findWasmBindgen(), ['--target', 'web', '--out-dir', PATHS.pkg, '--no-typescript', PATHS.wasmIn]);
  const before = statSync(PATHS.wasmOut).size;
  wasmOpt();
  const bytes = readFileSync(PATHS.wasmOut);
  log(`www/pkg/bedside_bg.wasm: ${kB(bytes.length)} (${kB(gzipSync(bytes, { level: 9 }).length)} gzipped)` +
      (bytes.length !== before ? `; ${kB(before)} before wasm-opt` : ''));

  writePrecacheList();
  run(process.execPath, ['scripts/build-single.mjs']);

  run('cargo', ['build', '--bin', 'bedside']);
  log(`CLI: ${relative(ROOT, PATHS.cli)}`);
});
