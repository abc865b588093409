import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedPath } from '@explorables/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CatalogueEntry, MODEL_CATALOGUE } from './catalogue.ts';
import { ChecksumMismatchError } from './download.ts';
import type { Env } from './paths.ts';
import { resolveModel } from './resolve.ts';
import {
  failingFetch,
  listDir,
  redirectingFetch,
  rejection,
  sha256Of,
  startServer,
  type TestServer,
  tempDir,
  testBytes,
} from './test-server.ts';

const TINY = testBytes(3000, 9);
const CATALOGUE: Record<string, CatalogueEntry> = {
  'tiny.bin': {
    url: 'https://models.example/tiny/tiny.bin',
    sha256: sha256Of(TINY),
    sizeBytes: TINY.byteLength,
    kind: 'llama2c-checkpoint',
    description: 'test file',
  },
};

describe('resolveModel', () => {
  let server: TestServer;
  let root: string;
  let remove: () => Promise<void>;
  let envDir: string;
  let cacheDir: string;
  let env: Env;
  beforeAll(async () => {
    server = await startServer({ 'tiny.bin': TINY, 'model.gguf': TINY });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    ({ dir: root, remove } = await tempDir());
    envDir = join(root, 'env');
    cacheDir = join(root, 'xdg', 'explorables', 'models');
    await mkdir(envDir);
    env = { EXPLORABLES_MODELS: envDir, XDG_CACHE_HOME: join(root, 'xdg'), HOME: root };
    server.requests.length = 0;
  });
  afterEach(() => remove());

  const options = () => ({ env, catalogue: CATALOGUE, platform: 'linux' as const, cwd: root });

  it('resolveModel(existing path) uses it as is, also relative to cwd', async () => {
    await writeFile(join(root, 'mine.bin'), 'x');
    expect(await resolveModel(join(root, 'mine.bin'), options())).toEqual({
      path: join(root, 'mine.bin'),
      source: 'path',
      name: join(root, 'mine.bin'),
    });
    const relative = await resolveModel('./mine.bin', options());
    expect(relative.path).toBe(join(root, 'mine.bin'));
    expect(relative.source).toBe('path');
  });

  it('resolveModel(missing path with a slash) fails without searching or downloading', async () => {
    const calls: string[] = [];
    await expect(
      resolveModel('models/tiny.bin', { ...options(), fetch: failingFetch('x', calls) }),
    ).rejects.toThrow(`model file ${join(root, 'models', 'tiny.bin')} not found`);
    expect(calls).toEqual([]);
  });

  it('resolveModel(a folder) rejects: a model is a file', async () => {
    await expect(resolveModel(envDir, options())).rejects.toThrow('is not a file');
  });

  it('resolveModel(name) prefers EXPLORABLES_MODELS over the cache', async () => {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(join(envDir, 'tiny.bin'), 'from env');
    await writeFile(join(cacheDir, 'tiny.bin'), 'from cache');
    const found = await resolveModel('tiny.bin', options());
    expect(found.source).toBe('env');
    expect(await readFile(found.path, 'utf8')).toBe('from env');
    expect(found.entry).toBe(CATALOGUE['tiny.bin']);
  });

  it('resolveModel(name) falls back to the cache when EXPLORABLES_MODELS lacks the file', async () => {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(join(cacheDir, 'tiny.bin'), 'from cache');
    const found = await resolveModel('tiny.bin', options());
    expect(found).toMatchObject({ path: join(cacheDir, 'tiny.bin'), source: 'cache' });
  });

  it('resolveModel(name, { verify: true }) refuses a catalogue file whose sha256 differs', async () => {
    await writeFile(join(envDir, 'tiny.bin'), 'not the model');
    await expect(resolveModel('tiny.bin', { ...options(), verify: true })).rejects.toThrow(
      /has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}: the copy in EXPLORABLES_MODELS/,
    );
  });

  it('resolveModel(name) when the download fails names EXPLORABLES_MODELS, the URL and why', async () => {
    const error = await rejection(
      resolveModel('stories260K.bin', {
        ...options(),
        catalogue: undefined,
        fetch: failingFetch('huggingface.co'),
      }),
    );
    expect(error.message).toBe(
      `model stories260K.bin not found in ${envDir}, ${cacheDir}: set EXPLORABLES_MODELS to a ` +
        'folder that holds it, or allow a download from ' +
        'https://huggingface.co/karpathy/tinyllamas/resolve/main/stories260K/stories260K.bin ' +
        '(failed: getaddrinfo ENOTFOUND huggingface.co)',
    );
  });

  it('resolveModel(name) with EXPLORABLES_OFFLINE=1 never fetches and says why', async () => {
    const calls: string[] = [];
    const error = await rejection(
      resolveModel('tiny.bin', {
        ...options(),
        env: { ...env, EXPLORABLES_OFFLINE: '1' },
        fetch: failingFetch('x', calls),
      }),
    );
    expect(calls).toEqual([]);
    expect(error.message).toContain('set EXPLORABLES_MODELS to a folder that holds it');
    expect(error.message).toContain('https://models.example/tiny/tiny.bin');
    expect(error.message).toContain('(EXPLORABLES_OFFLINE=1 forbids it)');
    expect(await listDir(cacheDir)).toEqual([]);
  });

  it('resolveModel(name, { download: false }) never fetches', async () => {
    const calls: string[] = [];
    await expect(
      resolveModel('tiny.bin', { ...options(), download: false, fetch: failingFetch('x', calls) }),
    ).rejects.toThrow('(downloads are turned off)');
    expect(calls).toEqual([]);
  });

  it('resolveModel(unknown name) names EXPLORABLES_MODELS and the downloadable names', async () => {
    await expect(resolveModel('nope.bin', options())).rejects.toThrow(
      /^model nope\.bin not found in .*: set EXPLORABLES_MODELS to a folder that holds it, or give a path or an https URL \(names that can be downloaded: tiny\.bin\)$/,
    );
  });

  it('resolveModel(name) downloads a catalogue file through redirects into the cache', async () => {
    const calls: [number, number | undefined][] = [];
    const found = await resolveModel('tiny.bin', {
      ...options(),
      fetch: redirectingFetch(server.origin),
      onProgress: (received, total) => calls.push([received, total]),
    });
    expect(found).toMatchObject({ path: join(cacheDir, 'tiny.bin'), source: 'download' });
    expect(sha256Of(new Uint8Array(await readFile(found.path)))).toBe(sha256Of(TINY));
    expect(server.requests).toEqual([
      'GET /redirect/tiny.bin',
      'GET /hop/tiny.bin',
      'GET /files/tiny.bin',
    ]);
    expect(calls.at(-1)).toEqual([TINY.byteLength, TINY.byteLength]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
    // The second time it is in the cache: no request.
    const again = await resolveModel('tiny.bin', { ...options(), fetch: failingFetch('x') });
    expect(again.source).toBe('cache');
    expect(server.requests).toHaveLength(3);
  });

  it('resolveModel(name) when the server sends other bytes deletes them and names both hashes', async () => {
    const liar = {
      ...CATALOGUE,
      'tiny.bin': { ...CATALOGUE['tiny.bin']!, sha256: 'f'.repeat(64) },
    };
    const error = await rejection(
      resolveModel('tiny.bin', {
        ...options(),
        catalogue: liar,
        fetch: redirectingFetch(server.origin),
      }),
    );
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toContain(
      `has sha256 ${sha256Of(TINY)}, expected ${'f'.repeat(64)}`,
    );
    expect(await listDir(cacheDir)).toEqual([]);
  });

  it('resolveModel(http URL on 127.0.0.1) downloads into the cache under its file name', async () => {
    const url = `${server.origin}/redirect/model.gguf`;
    const found = await resolveModel(url, { ...options(), sha256: sha256Of(TINY) });
    expect(found).toMatchObject({ path: join(cacheDir, 'model.gguf'), source: 'download' });
    expect(found.entry).toBeUndefined();
    const again = await resolveModel(url, options());
    expect(again.source).toBe('cache');
  });

  it('resolveModel(URL, { sha256: wrong }) refuses the download and keeps the cache clean', async () => {
    const url = `${server.origin}/files/model.gguf`;
    await expect(resolveModel(url, { ...options(), sha256: '1'.repeat(64) })).rejects.toThrow(
      ChecksumMismatchError,
    );
    expect(await listDir(cacheDir)).toEqual([]);
  });

  it('resolveModel(URL) rejects plain http to other hosts and URLs without a file name', async () => {
    await expect(resolveModel('http://example.com/a.gguf', options())).rejects.toThrow(
      'must use https',
    );
    await expect(resolveModel('https://example.com/', options())).rejects.toThrow(
      'does not end in a file name',
    );
    await expect(resolveModel('ftp://example.com/a.gguf', options())).rejects.toThrow(
      'must use https',
    );
  });

  it('resolveModel(URL of a 404) reports the HTTP status as the reason', async () => {
    await expect(resolveModel(`${server.origin}/files/gone.gguf`, options())).rejects.toThrow(
      /or allow a download from http:\/\/127\.0\.0\.1:\d+\/files\/gone\.gguf \(failed: HTTP 404 Not Found/,
    );
  });

  it('resolveModel(name) 5 times at once fetches once and every caller gets the intact file', async () => {
    const progress = [0, 0, 0, 0, 0];
    const found = await Promise.all(
      progress.map((_, i) =>
        resolveModel('tiny.bin', {
          ...options(),
          fetch: redirectingFetch(server.origin, 'chunked'),
          onProgress: (received) => {
            progress[i] = received;
          },
        }),
      ),
    );
    expect(new Set(found.map((f) => f.path)).size).toBe(1);
    expect(server.requests).toEqual(['GET /chunked/tiny.bin']);
    expect(progress).toEqual(progress.map(() => TINY.byteLength));
    expect(sha256Of(new Uint8Array(await readFile(found[0]!.path)))).toBe(sha256Of(TINY));
    expect(await listDir(cacheDir)).toEqual(['tiny.bin']);
  });

  it('resolveModel(empty) rejects', async () => {
    await expect(resolveModel('  ', options())).rejects.toThrow('model name is empty');
  });
});

// The real stories260K.bin (from the shared folder) served by the local server and downloaded
// under its catalogue name, so the catalogue's sha256 and size are checked against the real bytes.
const shared = sharedPath('models', 'stories260K.bin');
describe.skipIf(shared === undefined)(
  'resolveModel with the shared stories260K.bin [needs EXPLORABLES_MODELS]',
  () => {
    it('resolveModel(stories260K.bin) downloads the real file and its sha256 matches', async () => {
      const bytes = new Uint8Array(readFileSync(shared!));
      const server = await startServer({ 'stories260K.bin': bytes });
      const { dir, remove } = await tempDir();
      try {
        let last: [number, number | undefined] = [0, 0];
        const found = await resolveModel('stories260K.bin', {
          env: { XDG_CACHE_HOME: dir, HOME: dir },
          platform: 'linux',
          fetch: redirectingFetch(server.origin),
          onProgress: (received, total) => {
            last = [received, total];
          },
        });
        expect(found.source).toBe('download');
        expect(last).toEqual([1_056_540, 1_056_540]);
        expect(sha256Of(new Uint8Array(await readFile(found.path)))).toBe(
          MODEL_CATALOGUE['stories260K.bin']!.sha256,
        );
      } finally {
        await server.close();
        await remove();
      }
    });
  },
);
