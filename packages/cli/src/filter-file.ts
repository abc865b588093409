import {
  type AnyFilter,
  deserializeFilter,
  FilterFormatError,
  serializeFilter,
} from '@explorables/bloom';
import { UsageError } from './errors.ts';
import { readWholeFile, writeWholeFile } from './files.ts';

/**
 * Reads and decodes a filter file; a missing or malformed file becomes a UsageError whose message
 * names the file and, for a malformed one, the byte offset of the problem.
 * @example const filter = await loadFilter('words.bloom')
 */
export async function loadFilter(path: string): Promise<AnyFilter> {
  const bytes = await readWholeFile(path);
  try {
    return deserializeFilter(bytes);
  } catch (error) {
    if (error instanceof FilterFormatError) {
      throw new UsageError(`'${path}' is not a valid filter file: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Encodes `filter` in the versioned binary format and writes it to `path`; returns the byte count.
 * @example await saveFilter('words.bloom', filter) // 1198156
 */
export async function saveFilter(path: string, filter: AnyFilter): Promise<number> {
  const bytes = serializeFilter(filter);
  await writeWholeFile(path, bytes);
  return bytes.length;
}
