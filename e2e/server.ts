/**
 * A tiny static file server for the built site (site/dist), and the Vitest global setup that starts
 * it on 127.0.0.1 at a free port and hands its address to the tests as `inject('baseUrl')`.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the static server for site/dist, without a trailing slash. */
    baseUrl: string;
  }
}

/** Content types by lower-case file extension; anything else is served as octet-stream. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.bin': 'application/octet-stream',
};

/** A running static server. */
export interface StaticServer {
  /** Origin such as `http://127.0.0.1:41234`, without a trailing slash. */
  url: string;
  port: number;
  /** Stops listening and drops open keep-alive connections. */
  close(): Promise<void>;
}

/**
 * Returns the content type for a file path by its extension.
 * @example contentTypeFor('a/b.wasm') // 'application/wasm'
 */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer,
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': body.byteLength,
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function notFound(rootDir: string, req: IncomingMessage, res: ServerResponse) {
  const page = join(rootDir, '404.html');
  if (existsSync(page)) {
    send(req, res, 404, CONTENT_TYPES['.html'], await readFile(page));
  } else {
    send(req, res, 404, CONTENT_TYPES['.txt'], Buffer.from('404 Not Found\n'));
  }
}

async function handle(rootDir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    send(req, res, 400, CONTENT_TYPES['.txt'], Buffer.from('400 Bad Request\n'));
    return;
  }
  const target = resolve(join(rootDir, pathname));
  // Never serve outside the root, whatever the path says (../, encoded slashes, NUL bytes).
  if (pathname.includes('\0') || (target !== rootDir && !target.startsWith(rootDir + sep))) {
    await notFound(rootDir, req, res);
    return;
  }
  const info = await statOrNull(target);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      res.writeHead(301, { Location: `${url.pathname}/${url.search}` }).end();
      return;
    }
    const index = join(target, 'index.html');
    if (existsSync(index)) {
      send(req, res, 200, CONTENT_TYPES['.html'], await readFile(index));
      return;
    }
  } else if (info?.isFile()) {
    send(req, res, 200, contentTypeFor(target), await readFile(target));
    return;
  } else if (!pathname.endsWith('/') && (await statOrNull(`${target}.html`))?.isFile()) {
    send(req, res, 200, CONTENT_TYPES['.html'], await readFile(`${target}.html`));
    return;
  }
  await notFound(rootDir, req, res);
}

/**
 * Serves the files under rootDir on 127.0.0.1 at a free port: directories answer with their
 * index.html, a directory without its trailing slash is redirected (301) to it, unknown paths get
 * rootDir/404.html with status 404.
 * @example const server = await startStaticServer('site/dist'); await server.close();
 */
export async function startStaticServer(rootDir: string): Promise<StaticServer> {
  const root = resolve(rootDir);
  const server = createServer((req, res) => {
    handle(root, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': CONTENT_TYPES['.txt'] });
      res.end(`500 ${String(err)}\n`);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Absolute path of the built site that the browser tests serve ($E2E_DIST_DIR overrides it). */
export const DIST_DIR = resolve(
  process.env.E2E_DIST_DIR ?? fileURLToPath(new URL('../site/dist/', import.meta.url)),
);

/**
 * Vitest global setup: serves site/dist and provides its origin as `baseUrl`; returns the teardown.
 * @example // e2e/vitest.config.ts: test: { globalSetup: ['e2e/server.ts'] }
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error(
      `The browser tests need the built site, and ${join(DIST_DIR, 'index.html')} is missing: ` +
        'run `npm run build -w site` first (npm test does).',
    );
  }
  const server = await startStaticServer(DIST_DIR);
  project.provide('baseUrl', server.url);
  return () => server.close();
}
