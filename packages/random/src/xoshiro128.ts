import { describeValue } from './describe.ts';

/** The four 32-bit words of xoshiro128 state, each an unsigned integer in [0, 2^32). */
export type Xoshiro128Words = [number, number, number, number];

/**
 * Checks that `words` is four unsigned 32-bit integers, not all zero (the one state xoshiro never
 * leaves), and returns them as a fresh tuple; `where` names the field in the Error message.
 * @example checkXoshiroWords([1, 2, 3, 4], 'state') // [1, 2, 3, 4]
 */
export function checkXoshiroWords(words: unknown, where: string): Xoshiro128Words {
  if (!Array.isArray(words) || words.length !== 4) {
    throw new Error(`${where} must be an array of 4 unsigned 32-bit integers`);
  }
  for (let i = 0; i < 4; i++) {
    const w: unknown = words[i];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 0xffffffff) {
      throw new Error(
        `${where}[${i}] must be an integer in [0, 2^32 - 1], got ${describeValue(w)}`,
      );
    }
  }
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0) {
    throw new Error(`${where} is all zero; xoshiro128** needs at least one non-zero bit`);
  }
  return [words[0], words[1], words[2], words[3]];
}

/**
 * xoshiro128** 1.1 (Blackman and Vigna): 128 bits of state, period 2^128 - 1, one unsigned 32-bit
 * output per call using only 32-bit operations.
 * @example new Xoshiro128StarStar([1, 2, 3, 4]).next() // 0x00002d00
 */
export class Xoshiro128StarStar {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * Starts from the given state words (unsigned 32-bit, not all zero).
   * @example const x = new Xoshiro128StarStar([0x9e3779b9, 0x243f6a88, 0xb7e15162, 0xdeadbeef]);
   */
  constructor(words: Xoshiro128Words) {
    const [a, b, c, d] = checkXoshiroWords(words, 'xoshiro128** state');
    this.s0 = a | 0;
    this.s1 = b | 0;
    this.s2 = c | 0;
    this.s3 = d | 0;
  }

  /**
   * Returns the next output, an unsigned 32-bit integer in [0, 2^32), and advances the state.
   * @example new Xoshiro128StarStar([1, 2, 3, 4]).next() // 11520
   */
  next(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /**
   * The current state as four unsigned 32-bit integers; a new generator built from them continues
   * this one's sequence exactly.
   * @example new Xoshiro128StarStar([1, 2, 3, 4]).words() // [1, 2, 3, 4]
   */
  words(): Xoshiro128Words {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }
}
