// Builds dist/bedside.html: the whole app in one self-contained file (wasm, JS, CSS, strings, the
// step schema and demo data inlined) that works opened from disk with no server, under a CSP that
// forbids every connection (`connect-src 'none'`). Run after build.mjs (which calls it).
//
// How: the page's ES modules are bundled into one inline module (each imported module wrapped in
// a function that returns its exports); the worker (wasm-bindgen glue + worker.js + the wasm as
// base64) becomes a blob: URL; the CSP allows exactly the inline script and style by hash.
// It carries the baseline module only, not the SIMD one the served page prefers: both would make
// the file about 4 MB larger (base64) for a gain of a few percent (docs/design.md), and the
// baseline loads in every browser an offline laptop may have.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, ROOT, StepError, log, main } from './lib.mjs';

const WWW = join(ROOT, 'www');
const OUT = join(ROOT, 'dist', 'bedside.html');
const read = (...p) => readFileSync(join(...p), 'utf8');

/** Replace `from` with `to` in `text`, failing the build if `from` is not there exactly once. */
function replaceOnce(text, from, to, what) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) {
    throw new StepError(`single-file build: expected exactly one ${JSON.stringify(from.slice(0, 60))} in ${what}`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'\.\/([\w./-]+\.js)';\s*$/gm;
const EXPORT_DECL = /^export\s+((?:async\s+)?function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/gm;

/** Bundle a page module and its relative imports into one script body. */
function bundle(file, seen = new Map(), order = []) {
  const name = file;
  if (seen.has(name)) return seen.get(name);
  const id = `__module_${order.length}_${file.replace(/\W/g, '_')}`;
  seen.set(name, id);
  let code = read(WWW, file);
  code = code.replace(IMPORT, (_, names, dep) => {
    const depId = bundle(dep, seen, order);
    const bindings = names.split(',').map((n) => n.trim()).filter(Boolean)
      .map((n) => n.replace(/\s+as\s+/, ': ')).join(', ');
    return `const { ${bindings} } = ${depId};`;
  });
  if (/^import\s/m.test(code)) throw new StepError(`single-file build: ${file} has an import form the bundler does not handle`);
  const exported = [];
  code = code.replace(EXPORT_DECL, (_, kind, ident) => { exported.push(ident); return `${kind} ${ident}`; });
  if (/^export\s/m.test(code)) throw new StepError(`single-file build: ${file} has an export form the bundler does not handle`);
  order.push(file === 'app.js' ? code : `const ${id} = (() => {\n${code}\nreturn { ${exported.join(', ')} };\n})();`);
  return id;
}

/** The worker as one classic script: glue without exports + worker.js + wasm bytes. */
function workerSource() {
  let glue = read(PATHS.pkg, 'bedside.js');
  glue = replaceOnce(glue, 'export { initSync, __wbg_init as default };', '', 'bedside.js');
  glue = glue.replace(/^export\s+(class|function|const|let)\s/gm, '$1 ');
  // A classic worker (module workers from a file:// page's blob: URL do not start in Chromium):
  // `import.meta` is module-only syntax; it is only reached when fetching the .wasm, never here.
  glue = glue.replaceAll('import.meta.url', 'self.location.href');
  if (/^export\s/m.test(glue)) throw new StepError('single-file build: unexpected export in www/pkg/bedside.js');
  let worker = read(WWW, 'worker.js');
  worker = replaceOnce(worker, `import init, {
  Session, columnar_format, encodings, export_formats, export_masked, masked_columns, sha256_blob, version, warm_up,
} from './pkg/bedside.js';`, '', 'worker.js');
  // No columnar module here (it would double the page): a Parquet or Arrow file, or a Parquet
  // export, gets the worker's error.columnar_unavailable (docs/formats.md).
  worker = replaceOnce(worker, "import('./pkg/columnar.js')", 'Promise.reject(new Error())', 'worker.js');
  worker = replaceOnce(worker, 'ready = (module ? init({ module_or_path: module }) : init()).then(warmUp);',
    'ready = Promise.resolve().then(() => initSync({ module: module || Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0)) })).then(warmUp);',
    'worker.js');
  const wasm = readFileSync(PATHS.wasmOut).toString('base64');
  return `const WASM_BASE64 = ${JSON.stringify(wasm)};\n${glue}\n${worker}`;
}

function strings() {
  const out = {};
  for (const lang of ['en', 'zh']) {
    out[lang] = {};
    const files = readdirSync(join(WWW, 'i18n')).filter((f) => f === `${lang}.json` || (f.startsWith(`${lang}.`) && f.endsWith('.json')));
    files.sort((a, b) => (a === `${lang}.json` ? -1 : b === `${lang}.json` ? 1 : a.localeCompare(b)));
    for (const f of files) Object.assign(out[lang], JSON.parse(read(WWW, 'i18n', f)));
  }
  return out;
}

/** Replace the `<li>`s of the about text that contain `marker` (in order) by `items`, failing if their number differs. */
function replaceItems(text, marker, items) {
  const found = [...text.matchAll(/<li>(?:(?!<\/li>)[\s\S])*<\/li>/g)].filter((m) => m[0].includes(marker));
  if (found.length !== items.length) {
    throw new StepError(`single-file build: expected ${items.length} list items with ${JSON.stringify(marker)} in about.html, found ${found.length}`);
  }
  found.reverse().forEach((m, i) => {
    text = text.slice(0, m.index) + items[items.length - 1 - i] + text.slice(m.index + m[0].length);
  });
  return text;
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * about.html's text as it is true of this file: the served page may fetch its own files
 * (`connect-src 'self'`) and is served from a folder; this file may connect nowhere
 * (`connect-src 'none'`) and is opened from disk. English first, then Chinese, as in about.html.
 */
function singleFileAbout(text, csp) {
  const policy = `<code class="csp">${escapeHtml(csp)}</code>`;
  text = replaceItems(text, "connect-src 'self'", [
    `<li>This file declares a <strong>Content Security Policy</strong> that forbids every connection
      (<code>connect-src 'none'</code>, <code>default-src 'none'</code>): it runs only the script and
      style written inside it (allowed by their SHA-256 hashes), starts its background thread from
      a <code>blob:</code> address made from its own text, and cannot contact any server, not even
      one on this computer. The whole policy: ${policy}</li>`,
    `<li>本文件声明了<strong>内容安全策略</strong>（CSP），禁止一切连接（<code>connect-src 'none'</code>、<code>default-src 'none'</code>）：它只运行写在文件内部的脚本和样式（按其 SHA-256 哈希值放行），用由自身内容生成的 <code>blob:</code> 地址启动后台线程，无法连接任何服务器，连本机上的也不行。完整的策略：${policy}</li>`,
  ]);
  text = replaceItems(text, 'copy the folder', [`<li>This file works with no network at all: copy it to an offline
      laptop and open it in a browser; it needs no server and no other file.</li>`]);
  text = replaceItems(text, '把文件夹复制', ['<li>本文件完全可以离线使用：把它复制到离线笔记本电脑上，用浏览器直接打开即可，不需要服务器，也不需要其他文件。</li>']);
  return text;
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
// Keep `</script` out of inline script text.
const safe = (js) => js.replace(/<\/script/gi, '<\\/script');

main(async () => {
  const order = [];
  bundle('app.js', new Map(), order);
  const embed = `globalThis.BEDSIDE_EMBED = {
  workerUrl: URL.createObjectURL(new Blob([${safe(JSON.stringify(workerSource()))}], { type: 'text/javascript' })),
  strings: ${safe(JSON.stringify(strings()))},
  steps: ${safe(JSON.stringify(JSON.parse(read(WWW, 'steps.json'))))},
  demo: ${safe(JSON.stringify(read(WWW, 'demo', 'patients.csv')))},
  followup: ${safe(JSON.stringify(read(WWW, 'demo', 'followup.csv')))},
};`;
  const script = `\n${embed}\n${order.map(safe).join('\n')}\n`;
  const style = `\n${read(WWW, 'style.css')}\n`;
  const csp = ["default-src 'none'", `script-src ${sha256(script)} 'wasm-unsafe-eval'`, 'worker-src blob:',
    `style-src ${sha256(style)}`, 'img-src data: blob:', "connect-src 'none'", "object-src 'none'",
    "base-uri 'none'", "form-action 'none'"].join('; ');

  let html = read(WWW, 'index.html');
  html = html.replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
  if (!html.includes("connect-src 'none'")) throw new StepError('single-file build: index.html has no CSP meta tag to replace');
  html = replaceOnce(html, '<link rel="stylesheet" href="style.css">', `<style>${style}</style>`, 'index.html');
  html = replaceOnce(html, '<script type="module" src="app.js"></script>', `<script type="module">${script}</script>`, 'index.html');
  // The "where does my data go" page comes along, inside <main> after the last step (not below
  // the footer), and says what this file's policy really is: no connection at all.
  const about = read(WWW, 'about.html').match(/<main[^>]*>([\s\S]*)<\/main>/);
  if (about) {
    html = replaceOnce(html, 'href="about.html"', 'href="#about"', 'index.html');
    html = replaceOnce(html, '\n</main>', `\n<div id="about" class="prose">${singleFileAbout(about[1], csp)}</div>\n</main>`, 'index.html');
  }
  const leftovers = [...html.matchAll(/(?:src|href)="(?!#|data:)([^"]+)"/g)].map((m) => m[1]);
  if (leftovers.length) throw new StepError(`single-file build: index.html still references ${leftovers.join(', ')}`);

  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  writeFileSync(OUT, html);
  log(`dist/bedside.html: ${(statSync(OUT).size / 1024).toFixed(0)} kB, one file, opens from disk`);
});
