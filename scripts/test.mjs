// Run the three test layers in order, stopping at the first failure:
//   1. cargo test (core unit + integration tests)
//   2. the built wasm package in Node (tests/wasm)
//   3. the page in headless Chromium (tests/e2e)
// Expects `node scripts/build.mjs` to have run (npm test does both).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, ROOT, StepError, log, main, run } from './lib.mjs';

// The names `node --test` picks up in a folder: test.js, *.test.js, *-test.js, *_test.js, test-*.js.
/** End-to-end files that measure time in the page: run alone (see layer 3). */
const E2E_ALONE = ['progress.test.mjs', 'pool.test.mjs'];

const isTestFile = (f) => /^(test|.+[.\-_]test|test-.+)\.[cm]?js$/.test(f);

function testFiles(dir) {
  const abs = join(ROOT, dir);
  return existsSync(abs) ? readdirSync(abs).filter(isTestFile) : [];
}

main(async () => {
  log('layer 1/3: cargo test');
  // --workspace: the columnar crate's own tests too (columnar/; its features unify with those
  // bedside's tests use, so arrow-rs is compiled once).
  run('cargo', ['test', '--workspace', '--all-targets']);
  run('cargo', ['test', '--workspace', '--doc']); // --all-targets leaves out the examples in doc comments
  // The integration tests need the `bedside` binary, so the cargo layer has just built it into
  // target/debug (npm test's build step leaves it out: with the dev-dependencies' features a
  // separate `cargo build` would compile the crate and a few dependencies a second time).
  if (!existsSync(PATHS.cli)) throw new StepError(`${PATHS.cli} is missing after cargo test; run \`npm run build\``);

  log('layer 2/3: wasm package in Node (tests/wasm)');
  if (!existsSync(join(PATHS.pkg, 'bedside.js'))) {
    throw new StepError('www/pkg/bedside.js is missing; run `node scripts/build.mjs` first');
  }
  if (!testFiles('tests/wasm').length) throw new StepError('no test files in tests/wasm');
  // Two files at a time: each runs wasm on one thread (node's default here would be one).
  run(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', 'tests/wasm/']);

  log('layer 3/3: browser end-to-end (tests/e2e)');
  // A layer with no test file is a failure, never a silent skip.
  const e2e = testFiles('tests/e2e');
  if (!e2e.length) throw new StepError('no test files in tests/e2e');
  // Most files spend their time waiting on the page (drawing, workers, downloads), so two run side
  // by side. The files that time the page (the progress bar must move every second; the pool's
  // timings) run first, alone, so that no other page competes for the cores while they measure.
  const missing = E2E_ALONE.filter((f) => !e2e.includes(f));
  if (missing.length) throw new StepError(`scripts/test.mjs runs ${missing.join(', ')} alone, but tests/e2e has no such file`);
  const e2eRun = (files, concurrency) => run(process.execPath,
    ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...files.map((f) => `tests/e2e/${f}`)]);
  e2eRun(E2E_ALONE, 1);
  e2eRun(e2e.filter((f) => !E2E_ALONE.includes(f)), 2);
  log('all test layers passed');
});
