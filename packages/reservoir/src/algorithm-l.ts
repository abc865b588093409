/**
 * Algorithm L (Li 1994): instead of a coin per item, jump straight to the next item that will be
 * kept. Think of every item as carrying a uniform random key and the reservoir as holding the k
 * smallest keys; W is the largest key held. The gap to the next key below W is geometric with
 * success probability W, so one draw finds it; the kept item takes a random slot, and the new W
 * shrinks by the factor u^(1/k) (the largest of k uniforms below W).
 *
 * Numerics: W is kept as log W, so it never underflows; log(1 − W) is computed as
 * log(−expm1(log W)) when W > 1/2 and log1p(−exp(log W)) otherwise, accurate at both ends; u is
 * drawn from (0, 1) so log(u) is finite. A jump that would land beyond Number.MAX_SAFE_INTEGER
 * (or is infinite because W underflowed) sets the next kept position to Infinity: no stream of
 * countable length reaches it.
 *
 * Draws: 1 for the first W and 1 for the first jump when the reservoir fills, then 3 per kept
 * item (slot, new W, next jump): 2 + 3k(H(n) − H(k)) ≈ 2 + 3k ln(n/k) in expectation, against
 * n − k for Algorithm R (see expectedDrawsL).
 */
import type { Rng } from '@explorables/random';
import { type Offer, openUniform, randomBelow } from './offer.ts';
import { UniformReservoirBase } from './uniform-base.ts';

/**
 * ln(1 − e^x) for x ≤ 0, accurate for x near 0 and for very negative x (Mächler's log1mexp).
 * @example log1mExp(Math.log(0.25)) // Math.log(0.75)
 */
export function log1mExp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/**
 * A uniform reservoir of k items by Algorithm L: the same output distribution as ReservoirR with
 * far fewer random draws, and items between jumps are not even looked at by offerAll(array).
 * @example
 * const l = new ReservoirL<number>(100, createRng(1));
 * l.offerAll(bigArray);
 * l.draws; // about 3 · 100 · ln(bigArray.length / 100)
 */
export class ReservoirL<T> extends UniformReservoirBase<T> {
  /** ln W: W is the largest of the k smallest uniform keys so far. */
  private logW = 0;
  /** Stream position of the next item that will be kept once the reservoir is full. */
  private next = Number.POSITIVE_INFINITY;

  /**
   * An empty reservoir of capacity k (an integer in [0, 2^28]) drawing from `rng`.
   * @example new ReservoirL<string>(5, createRng('seed'))
   */
  constructor(k: number, rng: Rng) {
    super(k, rng, 'new ReservoirL(k, rng)');
  }

  /**
   * Stream position of the next item that will be kept (the target of the current jump):
   * `seen` while the reservoir is filling, Infinity when k = 0 or the jump passes 2^53.
   * @example l.nextKeptIndex - l.seen // items that will be skipped without a draw
   */
  get nextKeptIndex(): number {
    if (this.k === 0) return Number.POSITIVE_INFINITY;
    return this.seenCount < this.k ? this.seenCount : this.next;
  }

  /**
   * Offers the next stream item and reports whether it was kept, into which slot, and which
   * stream position it evicted.
   * @example l.offer('x') // { index: 9, kept: false, slot: -1, evictedIndex: -1 }
   */
  offer(item: T): Offer {
    const index = this.seenCount;
    const slot = this.offerSlot(item);
    if (slot < 0) return { index, kept: false, slot: -1, evictedIndex: -1 };
    return { index, kept: true, slot, evictedIndex: this.lastEvictedIndex };
  }

  /**
   * Offers the next item without allocating a record: returns the slot it went into, or −1.
   * Skipped items cost no draw.
   * @example if (l.offerSlot(line) >= 0) console.log('kept')
   */
  offerSlot(item: T): number {
    const index = this.seenCount;
    if (index < this.k) {
      this.fill(item, index);
      this.seenCount = index + 1;
      return index;
    }
    if (index !== this.next) {
      this.seenCount = index + 1;
      return -1;
    }
    const slot = this.replace(item, index);
    this.seenCount = index + 1;
    return slot;
  }

  /**
   * Offers every item of `items` in order (the bulk path, no allocation per item). An array is
   * entered only at the jump targets; any other iterable is advanced item by item without draws.
   * @example l.offerAll(lines); l.seen // lines.length
   */
  offerAll(items: Iterable<T>): void {
    if (Array.isArray(items)) {
      const array = items as T[];
      const base = this.seenCount;
      const n = array.length;
      let i = 0;
      for (; i < n && this.seenCount < this.k; i++) {
        this.fill(array[i], base + i);
        this.seenCount = base + i + 1;
      }
      const end = base + n;
      let next = this.next;
      while (next < end) {
        this.replace(array[next - base], next);
        next = this.next;
      }
      this.seenCount = end;
      return;
    }
    for (const item of items) {
      const index = this.seenCount;
      if (index < this.k) this.fill(item, index);
      else if (index === this.next) this.replace(item, index);
      this.seenCount = index + 1;
    }
  }

  /** Puts the item at stream position `index` < k into slot `index`; arms the first jump. */
  private fill(item: T, index: number): void {
    this.place(index, item, index);
    if (index === this.k - 1) {
      this.drawCount++;
      this.logW = Math.log(openUniform(this.rng)) / this.k;
      this.jumpFrom(index);
    }
  }

  /** Keeps the item at the jump target `index`: random slot, shrink W, next jump. */
  private replace(item: T, index: number): number {
    const slot = randomBelow(this.rng, this.k);
    this.place(slot, item, index);
    this.logW += Math.log(openUniform(this.rng)) / this.k;
    this.drawCount += 2;
    this.jumpFrom(index);
    return slot;
  }

  /** Draws the geometric gap (≥ 1) from stream position `index` to the next kept item. */
  private jumpFrom(index: number): void {
    this.drawCount++;
    const gap = Math.floor(Math.log(openUniform(this.rng)) / log1mExp(this.logW)) + 1;
    const next = index + gap;
    this.next = next <= Number.MAX_SAFE_INTEGER ? next : Number.POSITIVE_INFINITY;
  }
}
