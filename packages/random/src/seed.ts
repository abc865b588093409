import { mix32, SPLITMIX32_GAMMA } from './splitmix32.ts';
import { utf8Encode } from './utf8.ts';
import type { Xoshiro128Words } from './xoshiro128.ts';

/** What a generator is seeded from: any finite number, or any string (hashed as UTF-8). */
export type Seed = number | string;

/**
 * 128 bits of seed material as four unsigned 32-bit integers: the identity of a stream, from which
 * both its starting state and its children's keys are derived.
 */
export type SeedKey = readonly [number, number, number, number];

// Nothing-up-my-sleeve lane offsets: the first fractional hex digits of pi.
const LANE_OFFSETS = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344] as const;
const TAG_NUMBER = 1;
const TAG_STRING = 2;
const TAG_CHILD = 3;

const float64Scratch = new DataView(new ArrayBuffer(8));

/**
 * Four independent 32-bit lanes, each folding a word in as lane = mix32((lane ^ word) + offset).
 * Inputs are tagged and length-prefixed, so different seeds are different word sequences.
 */
class KeyHasher {
  private readonly lanes = [0, 0, 0, 0];
  private wordCount = 0;

  absorb(word: number): void {
    for (let j = 0; j < 4; j++) {
      this.lanes[j] = mix32((this.lanes[j] ^ word) + LANE_OFFSETS[j]);
    }
    this.wordCount++;
  }

  absorbSeed(seed: Seed, where: string): void {
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) {
        throw new Error(`${where} must be a finite number or a string, got ${String(seed)}`);
      }
      // -0 and 0 are the same seed; any other number is identified by its float64 bits.
      float64Scratch.setFloat64(0, seed === 0 ? 0 : seed, true);
      this.absorb(TAG_NUMBER);
      this.absorb(float64Scratch.getUint32(0, true));
      this.absorb(float64Scratch.getUint32(4, true));
      return;
    }
    if (typeof seed === 'string') {
      const bytes = utf8Encode(seed);
      this.absorb(TAG_STRING);
      this.absorb(bytes.length);
      for (let i = 0; i < bytes.length; i += 4) {
        this.absorb(
          (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0,
        );
      }
      return;
    }
    throw new Error(`${where} must be a finite number or a string, got ${typeof seed}`);
  }

  finish(): SeedKey {
    this.absorb(this.wordCount);
    return [this.lanes[0], this.lanes[1], this.lanes[2], this.lanes[3]];
  }
}

/**
 * Derives the 128-bit seed key of a root stream from a seed; equal seeds give equal keys, and
 * `0` and `'0'` are different seeds.
 * @example seedKey(42) // four unsigned 32-bit integers, the same on every run and platform
 */
export function seedKey(seed: Seed): SeedKey {
  const hasher = new KeyHasher();
  hasher.absorbSeed(seed, 'seed');
  return hasher.finish();
}

/**
 * Derives the key of child stream `index` from its parent's key alone (never from the parent's
 * position), so a child is the same however much its parent has been used.
 * @example childKey(seedKey(42), 'arrivals') // differs from childKey(seedKey(42), 'service')
 */
export function childKey(parent: SeedKey, index: Seed): SeedKey {
  const hasher = new KeyHasher();
  hasher.absorb(TAG_CHILD);
  for (let j = 0; j < 4; j++) hasher.absorb(parent[j]);
  hasher.absorbSeed(index, 'child index');
  return hasher.finish();
}

/**
 * Expands a seed key into xoshiro128** starting state: word j is the first splitmix32 output from
 * state key[j]; the (2^-128 likely) all-zero result is replaced by a fixed non-zero state.
 * @example xoshiroWordsFromKey(seedKey(42)) // four words, not all zero
 */
export function xoshiroWordsFromKey(key: SeedKey): Xoshiro128Words {
  const words: Xoshiro128Words = [0, 0, 0, 0];
  for (let j = 0; j < 4; j++) words[j] = mix32(key[j] + SPLITMIX32_GAMMA);
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = SPLITMIX32_GAMMA;
  return words;
}
