// Build the wasm package into www/pkg (cargo → wasm-bindgen → wasm-opt), twice: the baseline
// module (bedside_bg.wasm) and the same crate with wasm SIMD (bedside_simd_bg.wasm, which the page
// loads where the browser has SIMD); once, baseline only, the columnar module (columnar/:
// Parquet and Arrow, columnar.js + columnar_bg.wasm, which the worker imports only when a
// Parquet or Arrow file is dropped or a Parquet export is asked for); then the one-file offline page dist/bedside.html
// (build-single.mjs) and the native CLI into target/debug/bedside. Run scripts/setup.mjs first.
//
//   node scripts/build.mjs           all of the above (npm start, npm run build)
//   node scripts/build.mjs --tests   the native test build in place of the CLI (npm test): every
//                                    test binary of the workspace and the CLI, with the test
//                                    build's features (what scripts/test.mjs's cargo layer runs),
//                                    compiled beside the wasm builds at the lowest priority, so
//                                    that it takes only what they leave of the cores
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  PATHS, ROOT, StepError, TEST_BUILD, TEST_ENV, binaryenVersion, capture, findWasmOpt, log, main, run, runAsync, wasmBindgenPath,
  wasmBindgenVersion, which,
} from './lib.mjs';

// -O1: rustc's LLVM has already optimised the code, so wasm-opt's gain is size; -O2 took 4× as
// long (146 s against 37 s on the main module) for a module as large gzipped (2,352,740 B
// against 2,347,074 B), with no speed difference measurable (docs/design.md).
const WASM_OPT_LEVEL = '-O1';
// The SIMD build: rustc's flag for that build only (added to .cargo/config.toml's rustflags), in
// its own target folder so neither build invalidates the other's artifacts.
const SIMD_RUSTFLAGS = "target.wasm32-unknown-unknown.rustflags=['-Ctarget-feature=+simd128']";
const SIMD_TARGET_DIR = join(ROOT, 'target', 'simd');

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
  const columnar = wasmFile.startsWith(PATHS.columnarOut);
  const glue = pathToFileURL(join(PATHS.pkg, columnar ? 'columnar.js' : 'bedside.js')).href;
  const check = columnar
    ? "if (m.format_of(new Uint8Array([80, 65, 82, 49])) !== 'parquet') throw new Error('format_of(PAR1) did not return parquet');"
    : "if (typeof m.version() !== 'string') throw new Error('version() did not return a string');";
  const code = `const m = await import(${JSON.stringify(glue)});
    m.initSync({ module: (await import('node:fs')).readFileSync(${JSON.stringify(wasmFile)}) });
    ${check}`;
  const r = capture(process.execPath, ['--input-type=module', '-e', code]);
  return { ok: r.status === 0, why: (r.stderr.split('\n').find((l) => /Error/.test(l)) || r.stderr).trim() };
}

/** Run a command without blocking this process (so the two wasm-opt runs share the cores). */
function spawned(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (e) => resolve({ status: -1, out: e.message }));
    child.on('close', (status) => resolve({ status, out }));
  });
}

/** wasm-opt one module in place, keeping the input if the output does not load. */
async function wasmOpt(cmd, file, features) {
  const tmp = `${file}.opt`;
  const [bin, ...pre] = cmd;
  log(`$ wasm-opt ${WASM_OPT_LEVEL} ${features.join(' ')} ${relative(ROOT, file)} -o ${relative(ROOT, tmp)}`);
  const t0 = performance.now();
  const r = await spawned(bin, [...pre, WASM_OPT_LEVEL, ...features, file, '-o', tmp]);
  const check = r.status === 0 && existsSync(tmp) ? loads(tmp) : { ok: false, why: r.out.trim() };
  if (check.ok) {
    renameSync(tmp, file);
    log(`wasm-opt ${relative(ROOT, file)}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } else {
    rmSync(tmp, { force: true });
    const version = binaryenVersion(cmd);
    console.warn(`[bedside] warning: wasm-opt ${version ?? ''} produced an unusable ${relative(ROOT, file)} (${check.why}); ` +
      'keeping it unoptimized. `npm ci` installs the npm package binaryen, whose wasm-opt works.');
  }
}

/**
 * The two release builds of the crate at once: each ends in one long single-threaded step (LTO,
 * one codegen unit), so side by side they take about the time of one on two cores.
 */
function cargoBuilds() {
  const wasm = ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib'];
  return Promise.all([
    runAsync('cargo', wasm),
    runAsync('cargo', [...wasm, '--target-dir', SIMD_TARGET_DIR, '--config', SIMD_RUSTFLAGS]),
  ]);
}

/** The columnar module: baseline only (arrow-rs gains nothing the page needs from SIMD). */
async function columnarBuild(bindgen) {
  const t0 = performance.now();
  await runAsync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib', '-p', 'bedside-columnar']);
  if (!existsSync(PATHS.columnarIn)) throw new StepError(`cargo did not produce ${PATHS.columnarIn}`);
  run(bindgen, ['--target', 'web', '--out-dir', PATHS.pkg, '--out-name', 'columnar', '--no-typescript', PATHS.columnarIn]);
  log(`columnar module build: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** The SIMD module: compiled with simd128, bound by wasm-bindgen to the very same glue. */
function bindSimd(bindgen) {
  if (!existsSync(PATHS.wasmSimdIn)) throw new StepError(`cargo did not produce ${PATHS.wasmSimdIn}`);
  const out = mkdtempSync(join(tmpdir(), 'bedside-simd-'));
  try {
    run(bindgen, ['--target', 'web', '--out-dir', out, '--no-typescript', PATHS.wasmSimdIn]);
    // One glue for both modules: the page instantiates either with www/pkg/bedside.js. Their
    // comments may differ (a closure's cast names the module's internal index of its shim, which
    // SIMD code shifts); the code must not.
    const code = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
    if (code(join(out, 'bedside.js')) !== code(join(PATHS.pkg, 'bedside.js'))) {
      throw new StepError('wasm-bindgen wrote a different bedside.js for the SIMD module than for the baseline; ' +
        'the page loads both with one glue file');
    }
    renameSync(join(out, 'bedside_bg.wasm'), PATHS.wasmSimdOut);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const sizes = (file) => {
  const bytes = readFileSync(file);
  return `${kB(bytes.length)} (${kB(gzipSync(bytes, { level: 9 }).length)} gzipped)`;
};

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

/**
 * The native test build (scripts/test.mjs's cargo layer then finds it done), started first under
 * `nice -n 19`: the wasm builds keep the cores they use, and this build fills the time they leave
 * one idle (each ends in a single-threaded LTO step, wasm-opt runs partly on one thread). The
 * two use different folders of target/ (debug against wasm32-unknown-unknown/release), so
 * neither waits for the other's lock.
 */
function testBuild() {
  const t0 = performance.now();
  const [cmd, args] = which('nice') ? ['nice', ['-n', '19', 'cargo', ...TEST_BUILD]] : ['cargo', TEST_BUILD];
  const done = runAsync(cmd, args, { env: TEST_ENV })
    .then(() => log(`native test build: ${((performance.now() - t0) / 1000).toFixed(0)} s`));
  done.catch(() => {}); // its failure is thrown where it is awaited
  return done;
}

main(async () => {
  if (!existsSync(PATHS.demoCsv)) run(process.execPath, ['scripts/gen-demo.mjs']);

  const tests = process.argv.includes('--tests') ? testBuild() : null;
  const bindgen = findWasmBindgen();
  const t0 = performance.now();
  await cargoBuilds();
  log(`wasm builds (baseline and SIMD): ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // The columnar module after the main builds (two cores are busy with those), beside the main
  // modules' wasm-bindgen and wasm-opt: its dependencies compile on both cores, then its one
  // long LTO step leaves a core to them.
  const columnar = columnarBuild(bindgen);
  columnar.catch(() => {}); // its failure is thrown where it is awaited, below
  if (!existsSync(PATHS.wasmIn)) throw new StepError(`cargo did not produce ${PATHS.wasmIn}`);
  run(bindgen, ['--target', 'web', '--out-dir', PATHS.pkg, '--no-typescript', PATHS.wasmIn]);
  bindSimd(bindgen);
  const modules = [PATHS.wasmOut, PATHS.wasmSimdOut, PATHS.columnarOut];
  const before = new Map(modules.slice(0, 2).map((file) => [file, sizes(file)]));
  const cmd = findWasmOpt();
  if (!cmd) log('wasm-opt not found: keeping the unoptimized modules (`npm ci` installs the npm package binaryen)');
  if (cmd) {
    await Promise.all([
      wasmOpt(cmd, PATHS.wasmOut, WASM_OPT_FEATURES),
      wasmOpt(cmd, PATHS.wasmSimdOut, [...WASM_OPT_FEATURES, '--enable-simd']),
    ]);
  }
  await columnar;
  before.set(PATHS.columnarOut, sizes(PATHS.columnarOut));
  if (cmd) await wasmOpt(cmd, PATHS.columnarOut, WASM_OPT_FEATURES);
  modules.forEach((file) => {
    const now = sizes(file);
    log(`${relative(ROOT, file)}: ${now}${now !== before.get(file) ? `; ${before.get(file)} before wasm-opt` : ''}`);
  });

  writePrecacheList();
  run(process.execPath, ['scripts/build-single.mjs']);

  if (tests) {
    await tests;
    if (!existsSync(PATHS.cli)) throw new StepError(`${PATHS.cli} is missing after the native test build`);
    log(`CLI: ${relative(ROOT, PATHS.cli)} (the test build's)`);
    return;
  }
  run('cargo', ['build', '--bin', 'bedside']);
  log(`CLI: ${relative(ROOT, PATHS.cli)}`);
});
