import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from './errors.ts';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory, expected a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a parent of it is not a directory',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/**
 * Turns a Node file-system error into a UsageError (exit 2) naming the file and the reason, or
 * returns the error unchanged when it is not one a user can fix.
 * @example throw fileError('cannot read', 'x.txt', err) // "cannot read 'x.txt': no such file"
 */
export function fileError(action: string, path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && Object.hasOwn(REASONS, code)) {
    return new UsageError(`${action} '${path}': ${REASONS[code]}`);
  }
  return error;
}

/** An input file that was checked to exist and be a regular file. */
export interface InputFile {
  path: string;
  sizeBytes: number;
}

/**
 * Checks that `path` names a readable regular file and returns its size in bytes; throws UsageError
 * for a missing file, a directory or a permission problem.
 * @example await checkInputFile('words.txt') // { path: 'words.txt', sizeBytes: 4953680 }
 */
export async function checkInputFile(path: string): Promise<InputFile> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
  if (info.isDirectory()) throw new UsageError(`cannot read '${path}': ${REASONS.EISDIR}`);
  return { path, sizeBytes: info.isFile() ? info.size : 0 };
}

/**
 * A byte stream over a file whose read errors surface as UsageError during iteration.
 * @example for await (const chunk of openFile('words.txt')) …
 */
export async function* openFile(path: string): AsyncGenerator<Uint8Array> {
  const stream: Readable = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    throw fileError('cannot read', path, error);
  } finally {
    stream.destroy();
  }
}

/**
 * Reads a whole file; missing files, directories and permission problems become UsageError.
 * @example const bytes = await readWholeFile('words.bloom')
 */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
}

/**
 * Writes `bytes` to `path` (replacing it); unwritable paths become UsageError.
 * @example await writeWholeFile('words.bloom', bytes)
 */
export async function writeWholeFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (error) {
    throw fileError('cannot write', path, error);
  }
}
