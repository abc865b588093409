import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { normaliseSha256, verifySha256 } from './sha256.ts';

/** Called as bytes arrive: receivedBytes never decreases; the last call has receivedBytes equal
 * to totalBytes. totalBytes is the Content-Length (or the expected size) and undefined only while
 * neither is known. */
export type ProgressCallback = (receivedBytes: number, totalBytes: number | undefined) => void;

/** How to download one file. */
export interface DownloadOptions {
  /** Expected sha256 (hex); the file is kept only when it matches. Without it, nothing is checked. */
  readonly sha256?: string;
  /** The size the file should have, used for progress when the server sends no Content-Length. */
  readonly sizeBytes?: number;
  readonly onProgress?: ProgressCallback;
  /** Replaces the global fetch (tests inject one that points at a local server). */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

/** What a finished download produced. */
export interface DownloadResult {
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** A download whose bytes hashed to something other than the expected sha256. */
export class ChecksumMismatchError extends Error {
  /**
   * Records both hashes; the message names the url and both.
   * @example new ChecksumMismatchError('https://x/a.bin', 'ab…', 'cd…')
   */
  constructor(
    readonly url: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(
      `download from ${url} has sha256 ${actualSha256}, expected ${expectedSha256}; ` +
        'the partial file was deleted',
    );
    this.name = 'ChecksumMismatchError';
  }
}

/**
 * The human reason a fetch failed, digging into Node's `TypeError: fetch failed` for its cause,
 * e.g. 'getaddrinfo ENOTFOUND huggingface.co'.
 * @example describeFetchError(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))
 */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { message?: string; code?: string } | undefined;
  if (cause && typeof cause === 'object') {
    if (cause.message) return cause.message;
    if (cause.code) return cause.code;
  }
  return error.message;
}

/**
 * Downloads `url` (redirects followed) to `destPath`: bytes stream into a uniquely named temp file
 * beside it, are hashed on the way, and the temp file is renamed onto `destPath` only after the
 * sha256 matches (or when none is expected). Any failure deletes the temp file; concurrent
 * downloads of the same file each write their own temp file, so `destPath` is never half written.
 * @example await downloadFile(MODEL_CATALOGUE['tok512.bin'].url, '/tmp/tok512.bin', { sha256 })
 */
export async function downloadFile(
  url: string,
  destPath: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const expected = options.sha256 === undefined ? undefined : normaliseSha256(options.sha256);
  const doFetch = options.fetch ?? fetch;
  await mkdir(dirname(destPath), { recursive: true });
  const response = await doFetch(url, {
    redirect: 'follow',
    // Identity encoding keeps Content-Length equal to the bytes we count and hash.
    headers: { 'accept-encoding': 'identity' },
    signal: options.signal,
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} ${response.statusText} from ${response.url || url}`);
  }
  const lengthHeader = response.headers.get('content-length');
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const contentLength = lengthHeader !== null && !encoded ? Number(lengthHeader) : undefined;
  const total = Number.isSafeInteger(contentLength) ? contentLength : options.sizeBytes;

  const tempPath = join(
    dirname(destPath),
    `.${basename(destPath)}.${process.pid}-${randomBytes(6).toString('hex')}.part`,
  );
  const hash = createHash('sha256');
  let received = 0;
  let renamed = false;
  const file = await open(tempPath, 'wx');
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      await file.write(value);
      received += value.byteLength;
      options.onProgress?.(received, total !== undefined && received <= total ? total : undefined);
    }
    await file.close();
    if (contentLength !== undefined && received !== contentLength) {
      throw new Error(
        `download from ${url} stopped at ${received} of ${contentLength} bytes (connection closed)`,
      );
    }
    // The last call always reports a complete file (also for an empty body, which had no call).
    if (received === 0 || total !== received) options.onProgress?.(received, received);
    const actual = hash.digest('hex');
    if (expected !== undefined && actual !== expected) {
      throw new ChecksumMismatchError(url, expected, actual);
    }
    try {
      await rename(tempPath, destPath);
    } catch (error) {
      // Windows refuses to replace a file another process holds open; that file is a finished,
      // verified copy from a concurrent download, so it is as good as ours.
      if (!existsSync(destPath)) throw error;
      if (expected !== undefined) await verifySha256(destPath, expected);
    }
    renamed = true;
    return { path: destPath, sha256: actual, sizeBytes: received };
  } finally {
    await file.close().catch(() => {});
    if (!renamed) await unlink(tempPath).catch(() => {});
  }
}
