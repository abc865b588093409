import { describe, expect, it } from 'vitest';
import {
  type DownloadProgress,
  downloadModel,
  type FetchLike,
  fetchBytes,
  fetchModelsIndex,
  ModelUnavailableError,
  pickModel,
} from './download.ts';

/** A Response streaming `bytes` in chunks of `chunk` bytes, with or without Content-Length. */
function streamed(bytes: Uint8Array, chunk: number, withLength = true): Response {
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
  const headers = withLength ? { 'content-length': String(bytes.length) } : undefined;
  return new Response(body, { status: 200, headers });
}

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);

describe('fetchBytes', () => {
  it('fetchBytes(url) assembles the chunks and reports loaded bytes after each one', async () => {
    const seen: Array<[number, number | undefined]> = [];
    const buffer = await fetchBytes('/x.bin', {
      fetch: async () => streamed(bytes, 300),
      onChunk: (n, t) => seen.push([n, t]),
    });
    expect(new Uint8Array(buffer)).toEqual(bytes);
    expect(seen).toEqual([
      [0, 1000],
      [300, 1000],
      [600, 1000],
      [900, 1000],
      [1000, 1000],
    ]);
  });

  it('fetchBytes(url) without Content-Length grows its buffer and reports an unknown total', async () => {
    const seen: Array<number | undefined> = [];
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => i & 255);
    const buffer = await fetchBytes('/x.bin', {
      fetch: async () => streamed(big, 50_000, false),
      onChunk: (_, t) => seen.push(t),
    });
    expect(buffer.byteLength).toBe(200_000);
    const got = new Uint8Array(buffer);
    expect(got.every((v, i) => v === big[i])).toBe(true);
    expect(new Set(seen)).toEqual(new Set([undefined]));
  });

  it('fetchBytes(url) rejects on a 404 naming the URL, and on a short body', async () => {
    await expect(
      fetchBytes('/gone.bin', { fetch: async () => new Response('no', { status: 404 }) }),
    ).rejects.toThrow('GET /gone.bin answered 404');
    await expect(
      fetchBytes('/x.bin', { fetch: async () => streamed(bytes, 400), expectedBytes: 1200 }),
    ).rejects.toThrow('GET /x.bin gave 1000 bytes; expected 1200');
  });
});

const index = {
  models: [
    { name: 'tok512.bin', sizeBytes: 10, kind: 'llama2c-tokenizer' },
    { name: 'stories260K.bin', sizeBytes: 30, kind: 'llama2c-checkpoint', pairsWith: 'tok512.bin' },
  ],
};

describe('models/index.json', () => {
  it('fetchModelsIndex(base) turns a 404 into ModelUnavailableError', async () => {
    const error = await fetchModelsIndex('/', {
      fetch: async () => new Response('missing', { status: 404 }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('/models/index.json');
  });

  it('pickModel(index) finds the checkpoint and the tokenizer it pairs with', () => {
    expect(pickModel(index)?.checkpoint.name).toBe('stories260K.bin');
    expect(pickModel(index)?.tokenizer.name).toBe('tok512.bin');
    expect(pickModel({ models: [index.models[1]] })).toBeUndefined();
    expect(pickModel({ models: [] })).toBeUndefined();
  });

  it('downloadModel(base) fetches both files and reports progress over their total', async () => {
    const urls: string[] = [];
    const fetchFake: FetchLike = async (url) => {
      urls.push(url);
      if (url.endsWith('index.json')) return Response.json(index);
      const n = url.endsWith('tok512.bin') ? 10 : 30;
      return streamed(new Uint8Array(n).fill(n), 7);
    };
    const progress: DownloadProgress[] = [];
    const files = await downloadModel('/sub/', {
      fetch: fetchFake,
      onProgress: (p) => progress.push(p),
    });
    expect(urls).toEqual([
      '/sub/models/index.json',
      '/sub/models/tok512.bin',
      '/sub/models/stories260K.bin',
    ]);
    expect(files.name).toBe('stories260K.bin');
    expect(files.checkpoint.byteLength).toBe(30);
    expect(files.tokenizer.byteLength).toBe(10);
    expect(progress.every((p) => p.totalBytes === 40)).toBe(true);
    const loaded = progress.map((p) => p.loadedBytes);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(loaded.at(-1)).toBe(40);
  });

  it('downloadModel(base) with an index lacking a paired model rejects with ModelUnavailableError', async () => {
    const fetchFake: FetchLike = async () => Response.json({ models: [index.models[0]] });
    await expect(downloadModel('/', { fetch: fetchFake })).rejects.toBeInstanceOf(
      ModelUnavailableError,
    );
  });
});
