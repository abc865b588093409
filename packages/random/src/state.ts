import { describeValue } from './describe.ts';
import { checkXoshiroWords, type Xoshiro128Words } from './xoshiro128.ts';

/**
 * A generator's complete state as a plain JSON-able object: its seed key (for children), the
 * xoshiro128** words (its position) and the cached second normal deviate, if one is pending.
 */
export interface RngState {
  /** Always 'xoshiro128**'. */
  algorithm: 'xoshiro128**';
  /** Format version, always 1. */
  version: 1;
  /** The stream's 128-bit seed key as four unsigned 32-bit integers. */
  key: [number, number, number, number];
  /** The xoshiro128** state words (unsigned 32-bit, not all zero). */
  words: Xoshiro128Words;
  /** The pending standard-normal spare from the polar method, or null when none is cached. */
  spareNormal: number | null;
}

/**
 * Checks that `value` (for example the result of JSON.parse) is a valid RngState and returns a
 * fresh copy; throws an Error naming the first wrong field.
 * @example parseRngState(JSON.parse(JSON.stringify(rng.state())))
 */
export function parseRngState(value: unknown): RngState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('rng state must be an object like rng.state() returns');
  }
  const record = value as Record<string, unknown>;
  if (record.algorithm !== 'xoshiro128**') {
    throw new Error(
      `rng state.algorithm must be 'xoshiro128**', got ${describeValue(record.algorithm)}`,
    );
  }
  if (record.version !== 1) {
    throw new Error(`rng state.version must be 1, got ${describeValue(record.version)}`);
  }
  const key = checkKey(record.key);
  const words = checkXoshiroWords(record.words, 'rng state.words');
  const spare = record.spareNormal;
  if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) {
    throw new Error(
      `rng state.spareNormal must be a finite number or null, got ${describeValue(spare)}`,
    );
  }
  return { algorithm: 'xoshiro128**', version: 1, key, words, spareNormal: spare };
}

function checkKey(key: unknown): [number, number, number, number] {
  if (!Array.isArray(key) || key.length !== 4) {
    throw new Error('rng state.key must be an array of 4 unsigned 32-bit integers');
  }
  for (let i = 0; i < 4; i++) {
    const w: unknown = key[i];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 0xffffffff) {
      throw new Error(
        `rng state.key[${i}] must be an integer in [0, 2^32 - 1], got ${describeValue(w)}`,
      );
    }
  }
  return [key[0], key[1], key[2], key[3]];
}
