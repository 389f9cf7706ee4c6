// Dependency-free static file server for www/ on 127.0.0.1.
//
//   node scripts/serve.mjs [--port N]     (or PORT=N; default 8080; 0 picks a free port)
//
// Tests import startServer() and run it in-process.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATHS } from './lib.mjs';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(`${text}\n`);
}

/** Map a request path to a file under root, or null if it escapes root or is malformed. */
function resolvePath(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((seg) => seg === '..')) return null;
  const file = resolve(join(root, decoded));
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function handle(root, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method Not Allowed');
  }
  const urlPath = (req.url || '/').split(/[?#]/)[0];
  let file = resolvePath(root, urlPath);
  if (!file) return send(res, 400, 'Bad Request');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    // Serve the folder's index.html; never list a directory.
    if (!urlPath.endsWith('/')) {
      res.writeHead(301, { Location: `${urlPath}/`, 'Cache-Control': 'no-cache' });
      return res.end();
    }
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, 'Not Found');
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/**
 * Serve `root` on 127.0.0.1:`port` (0 = any free port).
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export function startServer({ root = PATHS.www, port = 8080 } = {}) {
  const absRoot = resolve(root);
  const server = createServer((req, res) => {
    handle(absRoot, req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
      console.error(`[bedside] ${req.url}: ${e.message}`);
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = server.address().port;
      resolvePromise({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

function portFromArgs() {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === '--port' || a.startsWith('--port='));
  const raw = i < 0 ? process.env.PORT ?? '8080' : args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`[bedside] error: invalid port ${JSON.stringify(raw)}; use an integer 0-65535`);
    process.exit(2);
  }
  return port;
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const port = portFromArgs();
  startServer({ port }).then(
    ({ url, close }) => {
      console.log(`Bedside is running at ${url}`);
      console.log('Press Ctrl-C to stop.');
      const stop = () => close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e) => {
      const hint = e.code === 'EADDRINUSE' ? ` (port ${port} is in use; try --port 0 or PORT=...)` : '';
      console.error(`[bedside] error: could not start the server: ${e.message}${hint}`);
      process.exit(1);
    },
  );
}
