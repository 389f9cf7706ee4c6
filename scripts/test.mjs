// Run the three test layers in order, stopping at the first failure:
//   1. cargo test (core unit + integration tests)
//   2. the built wasm package in Node (tests/wasm)
//   3. the page in headless Chromium (tests/e2e)
// Expects `node scripts/build.mjs` to have run (npm test does both).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, ROOT, StepError, log, main, run } from './lib.mjs';

// The names `node --test` picks up in a folder: test.js, *.test.js, *-test.js, *_test.js, test-*.js.
const isTestFile = (f) => /^(test|.+[.\-_]test|test-.+)\.[cm]?js$/.test(f);

function testFiles(dir) {
  const abs = join(ROOT, dir);
  return existsSync(abs) ? readdirSync(abs).filter(isTestFile) : [];
}

main(async () => {
  log('layer 1/3: cargo test');
  run('cargo', ['test', '--all-targets']);
  run('cargo', ['test', '--doc']); // --all-targets leaves out the examples in doc comments

  log('layer 2/3: wasm package in Node (tests/wasm)');
  if (!existsSync(join(PATHS.pkg, 'bedside.js'))) {
    throw new StepError('www/pkg/bedside.js is missing; run `node scripts/build.mjs` first');
  }
  if (!testFiles('tests/wasm').length) throw new StepError('no test files in tests/wasm');
  run(process.execPath, ['--test', '--test-timeout=600000', 'tests/wasm/']);

  log('layer 3/3: browser end-to-end (tests/e2e)');
  // A layer with no test file is a failure, never a silent skip.
  if (!testFiles('tests/e2e').length) throw new StepError('no test files in tests/e2e');
  run(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=600000', 'tests/e2e/']);
  log('all test layers passed');
});
