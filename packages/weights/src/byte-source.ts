import { WeightsFormatError } from './errors.ts';

/**
 * Random access to the bytes of a file-like object, so a reader fetches only the ranges it needs
 * (a 4 GB model needs only its header and the tensors actually used).
 *
 * Contract: `read(offset, length)` resolves to exactly `length` bytes when
 * 0 <= offset <= offset + length <= sizeBytes, and rejects with a RangeError otherwise.
 */
export interface ByteSource {
  /** Total size of the underlying file in bytes. */
  readonly sizeBytes: number;
  /**
   * Reads `length` bytes starting at byte `offset`.
   * @example const magic = await source.read(0, 4)
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The part of the Blob API `blobSource` needs (a browser File or Blob, or Node's Blob). */
export interface BlobLike {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * Throws a RangeError unless [offset, offset + length) is a valid range of a source of `sizeBytes`.
 * @example checkReadRange(10, 0, 4) // ok
 */
export function checkReadRange(sizeBytes: number, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > sizeBytes
  ) {
    throw new RangeError(
      `read(${offset}, ${length}) is outside the source of ${sizeBytes} bytes: ` +
        'expected 0 <= offset <= offset + length <= sizeBytes',
    );
  }
}

/**
 * A ByteSource over bytes already in memory; reads return views (no copy), so callers must not
 * modify them.
 * @example const source = bytesSource(new Uint8Array([1, 2, 3])); await source.read(1, 2) // [2, 3]
 */
export function bytesSource(data: Uint8Array | ArrayBuffer): ByteSource {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return {
    sizeBytes: bytes.length,
    read(offset: number, length: number): Promise<Uint8Array> {
      try {
        checkReadRange(bytes.length, offset, length);
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/**
 * A ByteSource over a Blob or File: each read slices the blob and loads only that range.
 * @example const source = blobSource(fileInput.files[0]); await source.read(0, 4)
 */
export function blobSource(blob: BlobLike): ByteSource {
  return {
    sizeBytes: blob.size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      checkReadRange(blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/**
 * Reads a range and checks the source kept its promise of returning exactly `length` bytes (a file
 * that shrank while open returns fewer), reporting a short read as a WeightsFormatError.
 * @example const header = await readExactly(source, 0, 24, 'GGUF header')
 */
export async function readExactly(
  source: ByteSource,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  if (offset + length > source.sizeBytes) {
    throw new WeightsFormatError(
      `file of ${source.sizeBytes} bytes ends inside ${what}`,
      offset,
      `${length} bytes of ${what}`,
    );
  }
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw new WeightsFormatError(
      `source returned ${bytes.length} bytes for ${what}`,
      offset,
      `${length} bytes (did the file change while it was open?)`,
    );
  }
  return bytes;
}
