import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGguf, WeightsFormatError, writeGguf } from '@explorables/weights';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSource } from './file-source.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-file-source-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fileSource', () => {
  it('fileSource(path).read(offset, length) returns exactly that byte range of the file', async () => {
    const path = join(dir, 'bytes.bin');
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
    await writeFile(path, bytes);
    const source = await fileSource(path);
    try {
      expect(source.sizeBytes).toBe(100_000);
      expect(await source.read(99_990, 10)).toEqual(bytes.subarray(99_990));
      expect(await source.read(0, 0)).toEqual(new Uint8Array(0));
      await expect(source.read(99_995, 10)).rejects.toThrow(RangeError);
    } finally {
      await source.close();
    }
    await expect(source.read(0, 1)).rejects.toThrow();
  });

  it('fileSource feeds readGguf, which reads one tensor from disk', async () => {
    const path = join(dir, 'tiny.gguf');
    const data = Uint8Array.from({ length: 64 }, (_, i) => i);
    await writeFile(
      path,
      writeGguf({
        metadata: [{ key: 'general.name', value: { type: 'string', value: 'tiny' } }],
        tensors: [{ name: 'w', type: 0, dims: [4, 4], data }],
      }),
    );
    const source = await fileSource(path);
    try {
      const file = await readGguf(source);
      expect(file.get('general.name')).toEqual({ type: 'string', value: 'tiny' });
      expect(await file.readTensorData('w')).toEqual(data);
    } finally {
      await source.close();
    }
  });

  it('fileSource returns short reads for a file truncated while open, which readers report', async () => {
    const path = join(dir, 'shrinking.gguf');
    await writeFile(
      path,
      writeGguf({
        metadata: [],
        tensors: [{ name: 'w', type: 0, dims: [16], data: new Uint8Array(64) }],
      }),
    );
    const source = await fileSource(path);
    try {
      const file = await readGguf(source);
      await truncate(path, 70);
      await expect(file.readTensorData('w')).rejects.toThrow(WeightsFormatError);
    } finally {
      await source.close();
    }
  });

  it('fileSource rejects a missing path with the file system error', async () => {
    await expect(fileSource(join(dir, 'missing.gguf'))).rejects.toThrow(/ENOENT/);
  });
});
