// Generate www/steps.json, the page's list of privacy operators, feature steps and models with
// their arguments, from the core's registries (`bedside schema`). Run after adding or changing
// a step; `cargo test --test all schema::` fails while the file is stale.
//
//   node scripts/gen-steps.mjs
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './lib.mjs';

const schema = execFileSync('cargo', ['run', '--quiet', '--bin', 'bedside', '--', 'schema'], {
  cwd: ROOT,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
JSON.parse(schema); // refuse to write anything but JSON
const out = resolve(ROOT, 'www', 'steps.json');
writeFileSync(out, schema);
console.log(`wrote ${out}`);
