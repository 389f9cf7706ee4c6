// Install what the build (and, with --test, the browser tests) needs. Idempotent: every step
// first checks whether its result is already there.
//
//   node scripts/setup.mjs          Rust wasm target, wasm-bindgen-cli, npm packages (playwright-core,
//                                   and binaryen, whose wasm-opt the build runs on Node)
//   node scripts/setup.mjs --test   ... and Chromium for the end-to-end tests, with a CJK font
//                                   (fonts-noto-cjk) for the Chinese screenshots
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  MIN_BINARYEN, ROOT, StepError, binaryenVersion, capture, findWasmOpt, isRoot, log,
  main, run, runAsync, wasmBindgenPath, wasmBindgenRoot, wasmBindgenVersion, which,
} from './lib.mjs';

const WASM_TARGET = 'wasm32-unknown-unknown';
const CHROMIUM = '/usr/bin/chromium';

function rustTarget() {
  if (!which('rustup')) {
    throw new StepError('`rustup` is not on PATH; install Rust from https://rustup.rs (or your package manager) first');
  }
  const installed = capture('rustup', ['target', 'list', '--installed']);
  if (installed.status === 0 && installed.stdout.split('\n').includes(WASM_TARGET)) {
    log(`Rust target ${WASM_TARGET}: installed`);
    return;
  }
  log(`Rust target ${WASM_TARGET}: adding`);
  run('rustup', ['target', 'add', WASM_TARGET]);
}

/** PIDs of running `cargo install ... wasm-bindgen-cli ... --root <root>` processes (Linux /proc). */
function installsInProgress(root) {
  if (!existsSync('/proc')) return [];
  const pids = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes('install') && argv.includes('wasm-bindgen-cli') && argv.includes(root)) pids.push(pid);
  }
  return pids;
}

async function wasmBindgen() {
  if (!existsSync(join(ROOT, 'Cargo.lock'))) {
    log('Cargo.lock missing; resolving dependencies to find the wasm-bindgen version');
    run('cargo', ['generate-lockfile']);
  }
  const version = wasmBindgenVersion();
  const bin = wasmBindgenPath(version);
  const root = wasmBindgenRoot(version);
  let busy = installsInProgress(root);
  if (busy.length && !existsSync(bin)) {
    log(`wasm-bindgen-cli ${version}: another install into ${root} is running (pid ${busy.join(', ')}); waiting for it`);
    while (installsInProgress(root).length) await sleep(5000);
  }
  if (existsSync(bin)) {
    const v = capture(bin, ['--version']);
    if (v.status === 0 && v.stdout.trim().endsWith(version)) {
      log(`wasm-bindgen-cli ${version}: ${bin}`);
      return;
    }
    log(`wasm-bindgen-cli at ${bin} does not report version ${version} (${(v.stdout || v.stderr).trim()}); reinstalling`);
  }
  log(`wasm-bindgen-cli ${version}: building from crates.io into ${root} (takes a few minutes)`);
  // No --locked: the CLI's own lock file pins crates the registry may no longer serve.
  // --debug: an unoptimized build takes 168 CPU-seconds instead of 383 and writes the same bytes
  // (checked on our module); it runs 3.5 s longer per module, twice per build.
  await runAsync('cargo', ['install', 'wasm-bindgen-cli', '--version', version, '--root', root, '--force', '--debug']);
  if (!existsSync(bin)) throw new StepError(`cargo install finished but ${bin} does not exist`);
}

/** Run an apt-get command as root, via sudo when needed. Returns false if that is impossible. */
function aptGet(args, { required }) {
  if (!which('apt-get')) {
    if (required) throw new StepError(`apt-get is not available; install the package by hand: ${args.join(' ')}`);
    return false;
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (isRoot()) {
    run('apt-get', args, { env });
  } else if (which('sudo')) {
    run('sudo', ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  } else {
    if (required) throw new StepError(`not root and no sudo: run \`apt-get ${args.join(' ')}\` as root`);
    return false;
  }
  return true;
}

/** Every devDependency installed at the version package.json pins, else `npm ci`. */
function npmPackages() {
  const want = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies;
  const have = (name) => {
    const pkgJson = join(ROOT, 'node_modules', name, 'package.json');
    return existsSync(pkgJson) ? JSON.parse(readFileSync(pkgJson, 'utf8')).version : null;
  };
  const wrong = Object.entries(want).filter(([name, version]) => have(name) !== version);
  if (!wrong.length) {
    log(`npm packages: ${Object.entries(want).map(([n, v]) => `${n} ${v}`).join(', ')} installed`);
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const cmd = existsSync(join(ROOT, 'package-lock.json')) ? 'ci' : 'install';
  log(`npm packages: ${wrong.map(([n, v]) => `${n} ${have(n) ?? 'missing'} (want ${v})`).join(', ')}; running npm ${cmd}`);
  run(npm, [cmd, '--no-audit', '--no-fund']);
}

/** Which wasm-opt the build will use (the npm package binaryen's after npmPackages). */
function wasmOpt() {
  const cmd = findWasmOpt();
  if (!cmd) {
    log('wasm-opt: not found (the npm package binaryen is missing); the build will keep the unoptimized .wasm');
    return;
  }
  const version = binaryenVersion(cmd);
  log(`wasm-opt: ${cmd[cmd.length - 1]} (binaryen ${version ?? 'version unknown'})`);
  if (version !== null && version < MIN_BINARYEN) {
    log(`wasm-opt: binaryen ${version} is older than ${MIN_BINARYEN} and breaks wasm-bindgen's output; the build ` +
      'will detect that and keep the unoptimized .wasm. `npm ci` installs the npm package binaryen, which works.');
  }
}

function chromium() {
  if (existsSync(CHROMIUM)) {
    log(`Chromium: ${CHROMIUM}`);
    return;
  }
  log(`Chromium: ${CHROMIUM} missing; installing the Debian package \`chromium\``);
  aptGet(['update'], { required: true });
  aptGet(['install', '-y', 'chromium'], { required: true });
  if (!existsSync(CHROMIUM)) throw new StepError(`apt-get installed chromium but ${CHROMIUM} does not exist`);
}

// The page's screenshots in Chinese (tests/e2e/layout.test.mjs, test-artifacts/) need a CJK font,
// or every character is drawn as a box. Debian's fonts-noto-cjk; optional where apt is missing.
const CJK_FONT_DIR = '/usr/share/fonts/opentype/noto';

function cjkFont() {
  const have = existsSync(CJK_FONT_DIR) && readdirSync(CJK_FONT_DIR).some((f) => /CJK/i.test(f));
  if (have) {
    log(`CJK font: ${CJK_FONT_DIR}`);
    return;
  }
  log('CJK font: missing; installing the Debian package `fonts-noto-cjk`');
  if (!aptGet(['install', '-y', 'fonts-noto-cjk'], { required: false })) {
    log('CJK font: could not install fonts-noto-cjk (no apt-get, or not root and no sudo); Chinese screenshots will show boxes');
  }
}

main(async () => {
  const withTest = process.argv.includes('--test');
  rustTarget();
  // Building wasm-bindgen-cli keeps the cores busy for minutes while npm and apt mostly wait on
  // the network and the disk: the installs below go on while it builds.
  const bindgen = wasmBindgen();
  try {
    npmPackages();
    wasmOpt();
    if (withTest) {
      chromium();
      cjkFont();
    }
  } finally {
    await bindgen;
  }
  log('setup complete');
});
