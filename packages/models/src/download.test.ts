import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, describeFetchError, downloadFile } from './download.ts';
import {
  listDir,
  rejection,
  sha256Of,
  startServer,
  type TestServer,
  tempDir,
  testBytes,
} from './test-server.ts';

const DATA = testBytes(5000, 42);
const DATA_SHA256 = sha256Of(DATA);

describe('downloadFile', () => {
  let server: TestServer;
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    server = await startServer({ 'data.bin': DATA, 'empty.bin': new Uint8Array() });
  });
  afterAll(() => server.close());
  beforeEach(async () => ({ dir, remove } = await tempDir()));
  afterEach(() => remove());

  it('downloadFile(url, dest) follows two 302s and writes the exact bytes', async () => {
    const dest = join(dir, 'sub', 'data.bin');
    const result = await downloadFile(`${server.origin}/redirect/data.bin`, dest, {
      sha256: DATA_SHA256,
    });
    expect(result).toEqual({ path: dest, sha256: DATA_SHA256, sizeBytes: DATA.byteLength });
    expect(new Uint8Array(await readFile(dest))).toEqual(DATA);
    expect(await listDir(join(dir, 'sub'))).toEqual(['data.bin']);
  });

  it('downloadFile(url, dest, { onProgress }) reports monotonic bytes ending at the total', async () => {
    const calls: [number, number | undefined][] = [];
    await downloadFile(`${server.origin}/files/data.bin`, join(dir, 'd'), {
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(calls.length).toBeGreaterThan(1);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
    expect(calls.every(([, total]) => total === DATA.byteLength)).toBe(true);
    expect(calls.at(-1)).toEqual([DATA.byteLength, DATA.byteLength]);
  });

  it('downloadFile without Content-Length uses sizeBytes as total and still ends at it', async () => {
    const calls: [number, number | undefined][] = [];
    await downloadFile(`${server.origin}/chunked/data.bin`, join(dir, 'd'), {
      sizeBytes: DATA.byteLength,
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(calls.at(-1)).toEqual([DATA.byteLength, DATA.byteLength]);
    expect(calls.every(([, total]) => total === DATA.byteLength)).toBe(true);
  });

  it('downloadFile without Content-Length or sizeBytes ends with total equal to received', async () => {
    const calls: [number, number | undefined][] = [];
    await downloadFile(`${server.origin}/chunked/data.bin`, join(dir, 'd'), {
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(calls.slice(0, -1).every(([, total]) => total === undefined)).toBe(true);
    expect(calls.at(-1)).toEqual([DATA.byteLength, DATA.byteLength]);
  });

  it('downloadFile of an empty file reports (0, 0) once and writes an empty file', async () => {
    const calls: [number, number | undefined][] = [];
    await downloadFile(`${server.origin}/files/empty.bin`, join(dir, 'e'), {
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(calls).toEqual([[0, 0]]);
    expect((await readFile(join(dir, 'e'))).byteLength).toBe(0);
  });

  it('downloadFile with a wrong sha256 deletes the temp file and names both hashes', async () => {
    const wrong = '0'.repeat(64);
    const dest = join(dir, 'data.bin');
    const error = await rejection(
      downloadFile(`${server.origin}/redirect/data.bin`, dest, { sha256: wrong }),
    );
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toContain(`has sha256 ${DATA_SHA256}, expected ${wrong}`);
    expect(await listDir(dir)).toEqual([]);
  });

  it('downloadFile of a 404 rejects with the status and leaves nothing behind', async () => {
    await expect(
      downloadFile(`${server.origin}/files/none.bin`, join(dir, 'none.bin')),
    ).rejects.toThrow(/^HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/files\/none\.bin$/);
    expect(await listDir(dir)).toEqual([]);
  });

  it('downloadFile of a connection that drops mid-file rejects and leaves nothing behind', async () => {
    await expect(
      downloadFile(`${server.origin}/truncated/data.bin`, join(dir, 'data.bin')),
    ).rejects.toThrow();
    expect(await listDir(dir)).toEqual([]);
  });

  it('downloadFile run 4 times at once on one dest leaves one intact file and no temp files', async () => {
    const dest = join(dir, 'data.bin');
    const url = `${server.origin}/chunked/data.bin`;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => downloadFile(url, dest, { sha256: DATA_SHA256 })),
    );
    expect(results.every((r) => r.sha256 === DATA_SHA256)).toBe(true);
    expect(sha256Of(new Uint8Array(await readFile(dest)))).toBe(DATA_SHA256);
    expect(await listDir(dir)).toEqual(['data.bin']);
  });

  it('downloadFile from a closed port rejects with ECONNREFUSED as the reason', async () => {
    const closed = await startServer({});
    const origin = closed.origin;
    await closed.close();
    const error = await rejection(downloadFile(`${origin}/files/x`, join(dir, 'x')));
    expect(describeFetchError(error)).toMatch(/ECONNREFUSED/);
    expect(await listDir(dir)).toEqual([]);
  });
});

describe('describeFetchError', () => {
  it('describeFetchError(error) prefers the cause message, then its code, then the message', () => {
    const dns = new TypeError('fetch failed', {
      cause: new Error('getaddrinfo ENOTFOUND huggingface.co'),
    });
    expect(describeFetchError(dns)).toBe('getaddrinfo ENOTFOUND huggingface.co');
    const coded = new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    expect(describeFetchError(coded)).toBe('ECONNRESET');
    expect(describeFetchError(new Error('plain'))).toBe('plain');
    expect(describeFetchError('text')).toBe('text');
  });
});
