import { open } from 'node:fs/promises';
import { type ByteSource, checkReadRange } from '@explorables/weights';

/** A ByteSource over an open file; call close() when done to release the file handle. */
export interface FileByteSource extends ByteSource {
  /**
   * Closes the underlying file handle; later reads reject.
   * @example await source.close()
   */
  close(): Promise<void>;
}

/**
 * Opens `path` for random-access reading: each read fetches exactly its byte range with positioned
 * reads (never the whole file), so `readGguf(await fileSource('model.gguf'))` loads only the
 * header of a multi-gigabyte model.
 * @example const source = await fileSource('model.gguf'); try { ... } finally { await source.close() }
 */
export async function fileSource(path: string): Promise<FileByteSource> {
  const handle = await open(path, 'r');
  let sizeBytes: number;
  try {
    sizeBytes = (await handle.stat()).size;
  } catch (error) {
    await handle.close();
    throw error;
  }
  return {
    sizeBytes,
    async read(offset: number, length: number): Promise<Uint8Array> {
      checkReadRange(sizeBytes, offset, length);
      const out = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(out, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      // A file that shrank since it was opened gives a short result; readers report it.
      return filled === length ? out : out.subarray(0, filled);
    },
    close: () => handle.close(),
  };
}
