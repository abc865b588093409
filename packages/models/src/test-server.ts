// Test helpers (not exported by the package): a local HTTP server on 127.0.0.1 that serves files,
// redirects and failures, a fetch that sends public model URLs to it, and temp folders.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running local server and what it has been asked. */
export interface TestServer {
  /** e.g. 'http://127.0.0.1:43123' */
  readonly origin: string;
  /** Requests seen, as 'METHOD /path'. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `files` by name on 127.0.0.1 at:
 * `/files/<name>` (with Content-Length, sent in 1 KiB chunks), `/redirect/<name>` (302 to
 * `/hop/<name>`, which 302s to `/files/<name>`), `/chunked/<name>` (no Content-Length),
 * `/truncated/<name>` (announces the full length, sends half, then drops the connection);
 * anything else is 404.
 * @example const server = await startServer({ 'a.bin': new Uint8Array(10) })
 */
export async function startServer(files: Record<string, Uint8Array>): Promise<TestServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '/';
    requests.push(`${request.method} ${url}`);
    const [, route, rawName] = url.split('/');
    const name = decodeURIComponent(rawName ?? '');
    const bytes = Object.hasOwn(files, name) ? files[name] : undefined;
    if (bytes === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
      return;
    }
    if (route === 'redirect' || route === 'hop') {
      const next = route === 'redirect' ? `/hop/${rawName}` : `/files/${rawName}`;
      response.writeHead(302, { location: next });
      response.end();
      return;
    }
    if (route === 'truncated') {
      response.writeHead(200, { 'content-length': bytes.byteLength });
      response.write(bytes.subarray(0, bytes.byteLength >> 1), () => response.destroy());
      return;
    }
    if (route !== 'files' && route !== 'chunked') {
      response.writeHead(404);
      response.end();
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (route === 'files') headers['content-length'] = bytes.byteLength;
    response.writeHead(200, headers);
    // One chunk per event-loop turn, so the client sees several reads (and progress calls).
    let at = 0;
    const writeNext = (): void => {
      if (at >= bytes.byteLength || response.destroyed) {
        response.end();
        return;
      }
      response.write(bytes.subarray(at, at + 1024));
      at += 1024;
      setTimeout(writeNext, 1);
    };
    writeNext();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * A fetch that sends every request for an https URL to `<origin>/<route>/<last path segment>`,
 * so catalogue downloads run against the local server; other URLs go through unchanged.
 * @example resolveModel('tok512.bin', { fetch: redirectingFetch(server.origin) })
 */
export function redirectingFetch(origin: string, route = 'redirect'): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : (input as URL).toString());
    if (url.protocol !== 'https:') return fetch(input, init);
    const name = url.pathname.split('/').pop() ?? '';
    return fetch(`${origin}/${route}/${name}`, init);
  };
}

/**
 * A fetch that always fails the way Node's does when DNS finds no host.
 * @example resolveModel('tok512.bin', { fetch: failingFetch('huggingface.co') })
 */
export function failingFetch(host: string, calls: string[] = []): typeof fetch {
  return async (input) => {
    calls.push(String(input));
    const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    throw new TypeError('fetch failed', { cause });
  };
}

/**
 * Deterministic pseudo-random bytes (xorshift32 from `seed`), so tests need no fixtures.
 * @example const data = testBytes(5000, 7)
 */
export function testBytes(sizeBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < sizeBytes; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/**
 * Hex sha256 of bytes in memory.
 * @example sha256Of(new Uint8Array()) // 'e3b0c442…'
 */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A fresh temp folder and a function that removes it.
 * @example const { dir, remove } = await tempDir()
 */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'explorables-models-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The names in a folder, or [] when it does not exist.
 * @example await listDir('/tmp/x') // ['a.bin']
 */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/**
 * The error a promise rejects with; throws when it resolves instead.
 * @example expect((await rejection(resolveModel('x'))).message).toContain('not found')
 */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
