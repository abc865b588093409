import { utf8Scratch } from './utf8.ts';

/**
 * MurmurHash3 x86_32 (Austin Appleby's reference algorithm) of `bytes[start, end)` with a 32-bit
 * seed, as an unsigned 32-bit integer.
 * @example murmur3_32(new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0) // 0xf55b516b
 */
export function murmur3_32(bytes: Uint8Array, seed: number, start = 0, end = bytes.length): number {
  let h = seed >>> 0;
  const length = end - start;
  const tail = start + (length & ~3);
  let i = start;
  for (; i < tail; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = bytes[i];
    if (rest > 1) k ^= bytes[i + 1] << 8;
    if (rest > 2) k ^= bytes[i + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A key the filters accept: text (hashed as its UTF-8 bytes) or raw bytes. */
export type Key = string | Uint8Array;

/**
 * MurmurHash3 x86_32 of a key: strings are hashed as their UTF-8 bytes, so the same word gives the
 * same hash in every language that follows the reference.
 * @example hashKey('hello', 0) // 0x248bfa47
 */
export function hashKey(key: Key, seed: number): number {
  if (typeof key === 'string') {
    const { bytes, length } = utf8Scratch(key);
    return murmur3_32(bytes, seed, 0, length);
  }
  return murmur3_32(key, seed);
}
