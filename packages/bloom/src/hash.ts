import { encodeUtf8Into, utf8Scratch } from './utf8.ts';

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

/**
 * Two MurmurHash3 x86_32 hashes of `bytes[start, end)` with seeds `seed1` and `seed2`, computed
 * in one pass (two accumulators in the same loop), written to `out[0]` and `out[1]`.
 * `out` is allocated only when not given. Equal to two murmur3_32 calls, bit for bit.
 * @example murmur3_32x2(new Uint8Array([1, 2]), 0, 1) // Uint32Array [murmur3_32(b, 0), murmur3_32(b, 1)]
 */
export function murmur3_32x2(
  bytes: Uint8Array,
  seed1: number,
  seed2: number,
  start = 0,
  end = bytes.length,
  out: Uint32Array = new Uint32Array(2),
): Uint32Array {
  let a = seed1 >>> 0;
  let b = seed2 >>> 0;
  const length = end - start;
  const tail = start + (length & ~3);
  let i = start;
  for (; i < tail; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= k;
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = bytes[i];
    if (rest > 1) k ^= bytes[i + 1] << 8;
    if (rest > 2) k ^= bytes[i + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    b ^= k;
  }
  out[0] = fmix32(a ^ length);
  out[1] = fmix32(b ^ length);
  return out;
}

/**
 * MurmurHash3's 32-bit finalizer: a bijection on unsigned 32-bit integers in which every input bit
 * flips each output bit with probability close to 1/2. It ends every murmur3_32 hash, and the
 * Bloom filters pass each double-hashing step through it before scaling to a bit index
 * (see bloom.ts).
 * @example fmix32(0) // 0; fmix32(1) // 0x514e28b7
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * murmur3_32x2 of a string whose characters are all ASCII, read straight from its UTF-16 code
 * units (which then equal its UTF-8 bytes). Returns false, leaving `out` unspecified, as soon as
 * a non-ASCII character shows up.
 */
function asciiPairInto(text: string, seed1: number, seed2: number, out: Uint32Array): boolean {
  let a = seed1 >>> 0;
  let b = seed2 >>> 0;
  const length = text.length;
  const tail = length & ~3;
  let i = 0;
  for (; i < tail; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return false;
    let k = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= k;
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    const c0 = text.charCodeAt(i);
    const c1 = rest > 1 ? text.charCodeAt(i + 1) : 0;
    const c2 = rest > 2 ? text.charCodeAt(i + 2) : 0;
    if ((c0 | c1 | c2) >= 0x80) return false;
    let k = c0 | (c1 << 8) | (c2 << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    b ^= k;
  }
  out[0] = fmix32(a ^ length);
  out[1] = fmix32(b ^ length);
  return true;
}

let pairScratch = new Uint8Array(256);
let pairScratchWords = new Uint32Array(pairScratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * murmur3_32x2 of bytes[0, length) of the scratch buffer, reading whole blocks as 32-bit words
 * through `words` (a view of the same buffer; valid on little-endian hosts only).
 */
function scratchPairInto(
  bytes: Uint8Array,
  words: Uint32Array,
  length: number,
  seed1: number,
  seed2: number,
  out: Uint32Array,
): void {
  let a = seed1 >>> 0;
  let b = seed2 >>> 0;
  const blocks = length >>> 2;
  for (let w = 0; w < blocks; w++) {
    let k = words[w];
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= k;
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    const i = blocks << 2;
    let k = bytes[i];
    if (rest > 1) k ^= bytes[i + 1] << 8;
    if (rest > 2) k ^= bytes[i + 2] << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    a ^= k;
    b ^= k;
  }
  out[0] = fmix32(a ^ length);
  out[1] = fmix32(b ^ length);
}

/** The one method of the WHATWG Encoding API's TextEncoder that the hot path uses. */
interface Utf8IntoEncoder {
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

/**
 * A TextEncoder when the runtime has one (every browser, worker, Node ≥ 11, Deno, Bun), else null.
 * Its native encodeInto copies a long string's UTF-8 bytes several times faster than reading the
 * string one charCodeAt at a time; the result is identical to encodeUtf8Into (both turn lone
 * surrogates into U+FFFD), so the hash does not depend on which path ran.
 */
const nativeEncoder: Utf8IntoEncoder | null = (() => {
  const ctor = (globalThis as { TextEncoder?: new () => Utf8IntoEncoder }).TextEncoder;
  return typeof ctor === 'function' ? new ctor() : null;
})();

/** Strings at least this long are encoded natively (when possible) before hashing. */
export const NATIVE_ENCODE_MIN_LENGTH = 24;

/**
 * The two hashes murmur3_32(key, seed1) and murmur3_32(key, seed2) of a key (strings as UTF-8),
 * computed in one pass and written to `out[0]`, `out[1]`. Short ASCII strings are hashed straight
 * from their code units with no allocation; longer strings are first copied into a reused scratch
 * buffer by the runtime's native UTF-8 encoder (whose small result object is the only allocation).
 * @example hashKeyPairInto('abc', 0, 1, pair) // pair[0] === hashKey('abc', 0)
 */
export function hashKeyPairInto(key: Key, seed1: number, seed2: number, out: Uint32Array): void {
  if (typeof key !== 'string') {
    murmur3_32x2(key, seed1, seed2, 0, key.length, out);
    return;
  }
  const n = key.length;
  if (n < NATIVE_ENCODE_MIN_LENGTH || nativeEncoder === null) {
    if (asciiPairInto(key, seed1, seed2, out)) return;
  }
  if (n * 3 > pairScratch.length) {
    pairScratch = new Uint8Array((n * 3 + 3) & ~3);
    pairScratchWords = new Uint32Array(pairScratch.buffer);
  }
  const length =
    nativeEncoder === null
      ? encodeUtf8Into(key, pairScratch)
      : nativeEncoder.encodeInto(key, pairScratch).written;
  if (LITTLE_ENDIAN) scratchPairInto(pairScratch, pairScratchWords, length, seed1, seed2, out);
  else murmur3_32x2(pairScratch, seed1, seed2, 0, length, out);
}
