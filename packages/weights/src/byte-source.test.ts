import { describe, expect, it } from 'vitest';
import { type BlobLike, blobSource, bytesSource, readExactly } from './byte-source.ts';
import { WeightsFormatError } from './errors.ts';

function fakeBlob(bytes: Uint8Array): BlobLike & { slices: [number, number][] } {
  const slices: [number, number][] = [];
  return {
    size: bytes.length,
    slices,
    slice(start, end) {
      slices.push([start, end]);
      return { arrayBuffer: async () => bytes.slice(start, end).buffer };
    },
  };
}

describe('byte sources', () => {
  it('bytesSource(bytes).read(offset, length) returns that range of an array or ArrayBuffer', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    expect(await bytesSource(bytes).read(1, 3)).toEqual(new Uint8Array([2, 3, 4]));
    expect(await bytesSource(bytes.buffer).read(5, 0)).toEqual(new Uint8Array(0));
    expect(bytesSource(bytes.subarray(2)).sizeBytes).toBe(3);
  });

  it('bytesSource and blobSource reject ranges outside the source with a RangeError', async () => {
    const bytes = new Uint8Array(4);
    for (const source of [bytesSource(bytes), blobSource(fakeBlob(bytes))]) {
      await expect(source.read(2, 3)).rejects.toThrow(RangeError);
      await expect(source.read(-1, 1)).rejects.toThrow(RangeError);
      await expect(source.read(0.5, 1)).rejects.toThrow(RangeError);
    }
  });

  it('blobSource(blob).read slices only the requested range', async () => {
    const blob = fakeBlob(new Uint8Array([9, 8, 7, 6]));
    const source = blobSource(blob);
    expect(source.sizeBytes).toBe(4);
    expect(await source.read(2, 2)).toEqual(new Uint8Array([7, 6]));
    expect(blob.slices).toEqual([[2, 4]]);
  });

  it('readExactly turns a range past the end into a WeightsFormatError at that offset', async () => {
    const error = await readExactly(bytesSource(new Uint8Array(4)), 2, 8, 'a field').catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(WeightsFormatError);
    expect(error.offset).toBe(2);
    expect(error.message).toBe(
      'file of 4 bytes ends inside a field at byte 2: expected 8 bytes of a field',
    );
  });
});
