// Times k_anonymize in the built wasm package (the code the page runs), in Node:
// 100,000 generated records × 5 quasi-identifiers, k = 5, at most 2% suppressed, through
// Session.preview (the call the page's Protect panel makes). Run after `node scripts/build.mjs`:
//   node benches/k_anonymize_wasm.mjs [records]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATHS } from '../scripts/lib.mjs';

const { initSync, Session } = await import(pathToFileURL(join(PATHS.pkg, 'bedside.js')).href);
initSync({ module: readFileSync(PATHS.wasmOut) });

const n = Number(process.argv[2]) || 100_000;
// A small deterministic generator (xorshift), so every run times the same table.
let x = 42n;
const next = () => {
  x ^= (x << 13n) & 0xffffffffffffffffn;
  x ^= x >> 7n;
  x ^= (x << 17n) & 0xffffffffffffffffn;
  return Number(x % 1_000_000n) / 1_000_000;
};
const pick = (lo, hi) => lo + Math.floor(next() * (hi - lo));
const lines = ['age,sex,zip,admitted,bmi,outcome'];
for (let i = 0; i < n; i++) {
  const m = String(pick(1, 13)).padStart(2, '0');
  const d = String(pick(1, 29)).padStart(2, '0');
  lines.push(`${pick(18, 100)},${next() < 0.5 ? 'F' : 'M'},${String(pick(2000, 2600)).padStart(5, '0')},2024-${m}-${d},${(16 + next() * 29).toFixed(1)},${next() < 0.3 ? 1 : 0}`);
}
const session = new Session(new TextEncoder().encode(`${lines.join('\n')}\n`), 'bench.csv');
const recipe = {
  version: 1,
  columns: { age: 'quasi', sex: 'quasi', zip: 'quasi', admitted: 'quasi', bmi: 'quasi' },
  privacy: [{ op: 'k_anonymize', quasi: ['age', 'sex', 'zip', 'admitted', 'bmi'], k: 5, max_suppression: 0.02 }],
};
const times = [];
let out;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  out = session.preview(recipe, 5);
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
console.log(`k_anonymize in wasm (Session.preview): ${n} records x 5 quasi-identifiers, k = 5, max_suppression 2%`);
console.log(`  ${out.audit[0].note}`);
console.log(`  after: k = ${out.after.k_anonymity}, suppressed ${out.suppressed_rows}`);
console.log(`  median ${times[1].toFixed(2)} s (runs: ${times.map((t) => `${t.toFixed(2)} s`).join(', ')})`);
session.free();
