/**
 * Shared records and checks of the reservoir engine: what happened to one offered item, the
 * snapshot shapes that merging consumes, and the argument checks every sampler uses.
 */
import type { Rng } from '@explorables/random';

/**
 * What happened to one offered item, so a figure can animate it and a test can check it.
 * @example reservoir.offer('line') // { index: 7, kept: true, slot: 2, evictedIndex: 4 }
 */
export interface Offer {
  /** 0-based stream position of this item. */
  index: number;
  /** Whether the item entered the reservoir. */
  kept: boolean;
  /** The reservoir slot it went into, −1 when not kept. */
  slot: number;
  /** Stream position of the item it replaced, −1 when none (filling phase or not kept). */
  evictedIndex: number;
}

/**
 * A uniform sample (`items`, arrival order) of the `seen` items a reservoir has been offered.
 * @example { items: ['b', 'e'], seen: 6 }
 */
export interface UniformSnapshot<T> {
  items: T[];
  seen: number;
}

/**
 * A weighted sample with the log-space key of each item (`logKeys[i]` belongs to `items[i]`),
 * the count of items offered and the sum of their weights.
 * @example { items: ['a'], logKeys: [-0.12], seen: 3, totalWeight: 7.5 }
 */
export interface WeightedSnapshot<T> {
  items: T[];
  logKeys: number[];
  seen: number;
  totalWeight: number;
}

/** The largest reservoir size accepted (slots are preallocated). */
export const MAX_K = 2 ** 28;

/**
 * Throws unless k is an integer in [0, 2^28]; `where` names the call in the message.
 * @example checkK(5, 'new ReservoirR(k, rng)') // passes
 */
export function checkK(k: number, where: string): void {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > MAX_K) {
    throw new Error(`${where} needs an integer k in [0, ${MAX_K}], got ${String(k)}`);
  }
}

/**
 * Throws unless rng looks like an Rng from @explorables/random (has float and nextUint32).
 * @example checkRng(createRng(1), 'new ReservoirR(k, rng)') // passes
 */
export function checkRng(rng: Rng, where: string): void {
  if (
    rng === null ||
    typeof rng !== 'object' ||
    typeof rng.float !== 'function' ||
    typeof rng.nextUint32 !== 'function'
  ) {
    throw new Error(`${where} needs an rng from @explorables/random (createRng(seed))`);
  }
}

/**
 * A uniform number in the open interval (0, 1): rng.float() with an exact 0 (probability 2^-53)
 * redrawn, so log(u) is always finite and negative.
 * @example Math.log(openUniform(rng)) // < 0, finite
 */
export function openUniform(rng: Rng): number {
  let u = rng.float();
  while (u === 0) u = rng.float();
  return u;
}

const TWO_POW_32 = 4294967296;

/**
 * A uniform integer in [0, bound) for an integer bound ≥ 1, exactly unbiased: Lemire's
 * multiply-and-shift (the high 32 bits of x · bound for one 32-bit draw x, computed exactly in
 * two 16-bit halves), rejecting the few x whose low 32 bits fall below 2^32 mod bound, while
 * bound ≤ 2^32; rng.int beyond.
 * @example randomBelow(rng, 6) // 0..5
 */
export function randomBelow(rng: Rng, bound: number): number {
  if (bound > TWO_POW_32) return rng.int(0, bound - 1);
  let x = rng.nextUint32();
  // Low 32 bits of x · bound (Math.imul keeps exactly those), as an unsigned number.
  let low = Math.imul(x, bound) >>> 0;
  if (low < bound) {
    const threshold = (TWO_POW_32 - bound) % bound;
    while (low < threshold) {
      x = rng.nextUint32();
      low = Math.imul(x, bound) >>> 0;
    }
  }
  return highProduct32(x, bound);
}

/**
 * floor(x · bound / 2^32) exactly for x < 2^32 and bound ≤ 2^32 (each half-product stays below
 * 2^49, so no rounding).
 * @example highProduct32(2 ** 31, 10) // 5
 */
export function highProduct32(x: number, bound: number): number {
  const high = (x >>> 16) * bound;
  const low = (x & 0xffff) * bound;
  return Math.floor((high + Math.floor(low / 65536)) / 65536);
}
