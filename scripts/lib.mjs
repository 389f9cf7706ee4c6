// Shared helpers for the setup / build / serve / test scripts. Node stdlib only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (the folder holding package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A failure the scripts report as one clear line instead of a stack trace. */
export class StepError extends Error {}

export function log(msg) {
  console.log(`[bedside] ${msg}`);
}

/**
 * Run a command with inherited stdio (output streams live). Throws StepError if it cannot start
 * or exits non-zero. Returns nothing; use `capture` when you need the output.
 */
export function run(cmd, args, { cwd = ROOT, env } = {}) {
  log(`$ ${[cmd, ...args].join(' ').replaceAll(`${ROOT}/`, '')}`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: env ? { ...process.env, ...env } : process.env });
  if (r.error) throw new StepError(`could not start \`${cmd}\`: ${r.error.message}`);
  if (r.status !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.status}`;
    throw new StepError(`\`${[cmd, ...args].join(' ')}\` ${how}`);
  }
}

/**
 * `run` without blocking this process (so that other steps go on meanwhile); resolves when the
 * command exits 0, rejects with a StepError otherwise.
 */
export async function runAsync(cmd, args, { cwd = ROOT, env } = {}) {
  log(`$ ${[cmd, ...args].join(' ').replaceAll(`${ROOT}/`, '')}`);
  const status = await new Promise((done) => {
    const child = spawn(cmd, args, { cwd, stdio: 'inherit', env: env ? { ...process.env, ...env } : process.env });
    child.on('error', () => done(-1));
    child.on('close', done);
  });
  if (status !== 0) throw new StepError(`\`${[cmd, ...args].join(' ')}\` exited with code ${status}`);
}

/** Run a command and return {status, stdout, stderr} (never throws for a non-zero exit). */
export function capture(cmd, args, { cwd = ROOT, env } = {}) {
  const r = spawnSync(cmd, args, {
    cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: env ? { ...process.env, ...env } : process.env,
  });
  if (r.error) return { status: -1, stdout: '', stderr: r.error.message };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Full path of an executable found on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Version of the `wasm-bindgen` crate locked in Cargo.lock (the CLI must match it exactly). */
export function wasmBindgenVersion() {
  const lockPath = join(ROOT, 'Cargo.lock');
  if (!existsSync(lockPath)) {
    throw new StepError('Cargo.lock is missing; run `cargo generate-lockfile` (or any cargo build) first');
  }
  const lock = readFileSync(lockPath, 'utf8');
  for (const block of lock.split('[[package]]')) {
    if (/^name = "wasm-bindgen"$/m.test(block)) {
      const m = block.match(/^version = "([^"]+)"$/m);
      if (m) return m[1];
    }
  }
  throw new StepError('no `wasm-bindgen` package in Cargo.lock; is it a dependency in Cargo.toml?');
}

/** Folder where setup.mjs installs wasm-bindgen-cli of a given version (`cargo install --root`). */
export function wasmBindgenRoot(version = wasmBindgenVersion()) {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'bedside', `wasm-bindgen-${version}`);
}

/** Path of the cached wasm-bindgen binary for the locked version (may not exist yet). */
export function wasmBindgenPath(version = wasmBindgenVersion()) {
  return join(wasmBindgenRoot(version), 'bin', 'wasm-bindgen');
}

/**
 * wasm-opt from the npm package `binaryen` (a devDependency: binaryen compiled to wasm, run by
 * Node), so `npm ci` installs a current one everywhere. Older binaryen releases (Debian bookworm
 * ships 108) write modules whose externref table export wasm-bindgen's glue cannot use.
 */
export const MIN_BINARYEN = 116;

/**
 * The wasm-opt to use, as [command, ...leading args]: the npm package's (run by this Node), else
 * one on PATH, else null. The build checks the module it writes loads either way.
 */
export function findWasmOpt() {
  const npm = join(ROOT, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
  if (existsSync(npm)) return [process.execPath, npm];
  const onPath = which('wasm-opt');
  return onPath ? [onPath] : null;
}

/** binaryen release number of a wasm-opt binary (`wasm-opt version 108` → 108), or null. */
export function binaryenVersion([cmd, ...pre]) {
  const m = capture(cmd, [...pre, '--version']).stdout.match(/version (\d+)/);
  return m ? Number(m[1]) : null;
}

/**
 * The cargo layer of the tests: every target of the workspace (the columnar crate's own tests too:
 * its features unify with those bedside's tests use, so arrow-rs is compiled once). build.mjs
 * --tests compiles it (`--no-run`) and test.mjs runs it, with the same arguments and environment
 * so that cargo finds the build fresh. CARGO_INCREMENTAL=0: a build from clean gains nothing from
 * incremental compilation's caches, and writing them costs time.
 */
export const CARGO_TEST = ['test', '--workspace', '--all-targets'];
export const TEST_BUILD = [...CARGO_TEST, '--no-run'];
export const TEST_ENV = { CARGO_INCREMENTAL: '0' };

/** Paths used by several scripts. */
export const PATHS = {
  www: join(ROOT, 'www'),
  pkg: join(ROOT, 'www', 'pkg'),
  demoCsv: join(ROOT, 'www', 'demo', 'patients.csv'),
  wasmIn: join(ROOT, 'target', 'wasm32-unknown-unknown', 'release', 'bedside.wasm'),
  wasmOut: join(ROOT, 'www', 'pkg', 'bedside_bg.wasm'),
  // The columnar module (columnar/: Parquet and Arrow), loaded by the worker only when needed.
  columnarIn: join(ROOT, 'target', 'wasm32-unknown-unknown', 'release', 'bedside_columnar.wasm'),
  columnarOut: join(ROOT, 'www', 'pkg', 'columnar_bg.wasm'),
  // The same crate compiled with wasm SIMD (simd128); the page loads it where the browser has
  // SIMD (www/transport.js), else the baseline above. Same glue (www/pkg/bedside.js) for both.
  wasmSimdIn: join(ROOT, 'target', 'simd', 'wasm32-unknown-unknown', 'release', 'bedside.wasm'),
  wasmSimdOut: join(ROOT, 'www', 'pkg', 'bedside_simd_bg.wasm'),
  cli: join(ROOT, 'target', 'debug', 'bedside'),
};

/** Run `main` and turn a StepError into a one-line message and exit code 1. */
export async function main(fn) {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StepError) {
      console.error(`[bedside] error: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
