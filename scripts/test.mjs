// Run the three test layers in order, stopping at the first failure:
//   1. cargo test (core unit + integration tests)
//   2. the built wasm package in Node (tests/wasm)
//   3. the page in headless Chromium (tests/e2e)
// Expects `node scripts/build.mjs` to have run (npm test does both).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CARGO_TEST, PATHS, ROOT, StepError, TEST_ENV, log, main, run } from './lib.mjs';

// The names `node --test` picks up in a folder: test.js, *.test.js, *-test.js, *_test.js, test-*.js.
/** End-to-end files that measure time in the page: run alone (see layer 3). */
const E2E_ALONE = ['progress.test.mjs', 'pool.test.mjs'];

const isTestFile = (f) => /^(test|.+[.\-_]test|test-.+)\.[cm]?js$/.test(f);

function testFiles(dir) {
  const abs = join(ROOT, dir);
  return existsSync(abs) ? readdirSync(abs).filter(isTestFile) : [];
}

/** Log how long a layer took (the suite's time budget is kept by looking at these). */
function timed(name, body) {
  const t0 = performance.now();
  body();
  log(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main(async () => {
  log('layer 1/3: cargo test');
  // npm test's build step (build.mjs --tests) has compiled all of it beside the wasm builds.
  timed('cargo test', () => {
    run('cargo', CARGO_TEST, { env: TEST_ENV });
    run('cargo', ['test', '--workspace', '--doc'], { env: TEST_ENV }); // --all-targets leaves out the examples in doc comments
  });
  // The integration tests run the `bedside` binary of the same build (with the dev-dependencies'
  // features a separate `cargo build` would compile the crate and a few dependencies again).
  if (!existsSync(PATHS.cli)) throw new StepError(`${PATHS.cli} is missing after cargo test; run \`npm run build\``);

  log('layer 2/3: wasm package in Node (tests/wasm)');
  if (!existsSync(join(PATHS.pkg, 'bedside.js'))) {
    throw new StepError('www/pkg/bedside.js is missing; run `node scripts/build.mjs` first');
  }
  if (!testFiles('tests/wasm').length) throw new StepError('no test files in tests/wasm');
  // Two files at a time: each runs wasm on one thread (node's default here would be one).
  timed('tests/wasm', () => run(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', 'tests/wasm/']));

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
  timed('e2e, alone', () => e2eRun(E2E_ALONE, 1));
  timed('e2e, two at a time', () => e2eRun(e2e.filter((f) => !E2E_ALONE.includes(f)), 2));
  log('all test layers passed');
});
