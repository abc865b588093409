import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The lower-case hex sha256 of a file, read as a stream (constant memory for any size).
 * @example await sha256File('/data/models/tok512.bin') // '037cb335…'
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Streams a file through sha256 and resolves to the hash when it equals `expected` (hex, any
 * case); otherwise rejects with an Error naming the file and both hashes.
 * @example await verifySha256('tok512.bin', MODEL_CATALOGUE['tok512.bin'].sha256)
 */
export async function verifySha256(path: string, expected: string): Promise<string> {
  const want = normaliseSha256(expected);
  const actual = await sha256File(path);
  if (actual !== want) {
    throw new Error(`${path} has sha256 ${actual}, expected ${want}`);
  }
  return actual;
}

/**
 * Checks that a string is 64 hex digits and returns it in lower case; throws otherwise.
 * @example normaliseSha256('B0A5…') // 'b0a5…'
 */
export function normaliseSha256(hex: string): string {
  const lower = hex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(lower)) {
    throw new Error(`sha256 "${hex}" is not 64 hexadecimal digits`);
  }
  return lower;
}
