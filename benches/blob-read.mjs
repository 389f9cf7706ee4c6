// The memory a worker holds while it reads a picked file, by way of reading (docs/design.md,
// "The worker pool"): FileReaderSync in pieces of 4, 1 and 0.25 MiB (each piece a fresh
// ArrayBuffer, left to the garbage collector) against Blob.stream() with a BYOB reader (one
// buffer, handed back by each read). Each way runs twice, each in a fresh page; the worker then
// stays busy for 8 s (as a worker inside one long call does), so the collector's own timing
// cannot hide what the reading left.
//   node benches/blob-read.mjs [file]   (default: target/bench/full/wide.csv, from `npm run bench`)
// Prints, per way, the time to read the file and the peak and the end resident memory the
// renderer processes added (MiB).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/lib.mjs';
import { startEnvironment } from '../tests/e2e/helpers.mjs';

const file = process.argv[2] ?? join(ROOT, 'target', 'bench', 'full', 'wide.csv');

/** Resident memory of Chromium's renderer processes (MiB). */
function renderers() {
  let bytes = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/i.test(cmd) || !cmd.includes('--type=renderer')) continue;
      bytes += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch { /* the process ended */ }
  }
  return bytes / 2 ** 20;
}

// The worker: reads the file one way, stays busy 8 s, then answers with the reading's time (ms).
const WORKER = `onmessage = async (e) => {
  const { f, way } = e.data;
  const t0 = performance.now();
  let sum = 0;
  if (way === 'stream') {
    const reader = f.stream().getReader({ mode: 'byob' });
    let buffer = new ArrayBuffer(4 << 20);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      sum += value[0];
      buffer = value.buffer;
    }
  } else {
    const r = new FileReaderSync();
    const n = Number(way) * (1 << 20);
    for (let at = 0; at < f.size; at += n) sum += new Uint8Array(r.readAsArrayBuffer(f.slice(at, at + n)))[0];
  }
  const read = performance.now() - t0;
  const t = Date.now();
  while (Date.now() - t < 8000) { /* busy, as in a long call */ }
  postMessage(sum >= 0 ? read : -1); // (the sum: every piece's bytes were there to read)
};`;

const env = await startEnvironment();
try {
  console.log(`| way of reading ${file} | time to read (s) | peak added (MiB) | at the end (MiB) |\n|---|---|---|---|`);
  for (const way of ['4', '1', '0.25', 'stream', '4', '1', '0.25', 'stream']) {
    // The page's CSP allows no blob: worker; this bench's own worker is not part of the page.
    const context = await env.browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(env.server.url);
      await page.evaluate(() => { const i = document.createElement('input'); i.type = 'file'; i.id = 'bench-file'; document.body.append(i); });
      await page.setInputFiles('#bench-file', file);
      await page.waitForTimeout(2000);
      const base = renderers();
      let peak = 0;
      const timer = setInterval(() => { peak = Math.max(peak, renderers() - base); }, 100);
      const ms = await page.evaluate(({ code, way }) => new Promise((resolve) => {
        const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
        w.onmessage = (e) => resolve(e.data);
        w.postMessage({ f: document.querySelector('#bench-file').files[0], way });
      }), { code: WORKER, way });
      clearInterval(timer);
      const label = way === 'stream' ? 'Blob.stream(), BYOB reader, one 4 MiB buffer' : `FileReaderSync, ${way} MiB pieces`;
      console.log(`| ${label} | ${(ms / 1000).toFixed(2)} | ${peak.toFixed(0)} | ${(renderers() - base).toFixed(0)} |`);
    } finally {
      await context.close();
    }
  }
} finally {
  await env.close();
}
