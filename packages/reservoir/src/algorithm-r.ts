/**
 * Algorithm R (Waterman, published by Vitter 1985): keep the first k items, then keep item n
 * (0-based stream position) with probability k/(n + 1), into a uniformly chosen slot. After any
 * number of items every one of them is in the reservoir with the same probability k/seen.
 * One random draw per item after the first k: n − k draws for a stream of n.
 */
import type { Rng } from '@explorables/random';
import { type Offer, randomBelow } from './offer.ts';
import { UniformReservoirBase } from './uniform-base.ts';

/**
 * A uniform reservoir of k items by Algorithm R.
 * @example
 * const r = new ReservoirR<string>(3, createRng(1));
 * for (const line of lines) r.offer(line);
 * r.inArrivalOrder(); // 3 lines, each kept with probability 3 / lines.length
 */
export class ReservoirR<T> extends UniformReservoirBase<T> {
  /**
   * An empty reservoir of capacity k (an integer in [0, 2^28]) drawing from `rng`.
   * @example new ReservoirR<number>(100, createRng('seed'))
   */
  constructor(k: number, rng: Rng) {
    super(k, rng, 'new ReservoirR(k, rng)');
  }

  /**
   * Offers the next stream item and reports whether it was kept, into which slot, and which
   * stream position it evicted.
   * @example r.offer('x') // { index: 3, kept: true, slot: 1, evictedIndex: 0 }
   */
  offer(item: T): Offer {
    const index = this.seenCount;
    const slot = this.offerSlot(item);
    if (slot < 0) return { index, kept: false, slot: -1, evictedIndex: -1 };
    return { index, kept: true, slot, evictedIndex: this.lastEvictedIndex };
  }

  /**
   * Offers the next item without allocating a record: returns the slot it went into, or −1.
   * @example if (r.offerSlot(line) >= 0) console.log('kept')
   */
  offerSlot(item: T): number {
    const index = this.seenCount;
    if (index < this.k) {
      this.place(index, item, index);
      this.seenCount = index + 1;
      return index;
    }
    this.seenCount = index + 1;
    if (this.k === 0) return -1;
    this.drawCount++;
    const j = randomBelow(this.rng, index + 1);
    if (j >= this.k) return -1;
    this.place(j, item, index);
    return j;
  }

  /**
   * Offers every item of `items` in order (the bulk path: no allocation per item; arrays are
   * walked by index).
   * @example r.offerAll(lines); r.seen // lines.length
   */
  offerAll(items: Iterable<T>): void {
    const k = this.k;
    const rng = this.rng;
    const slotItems = this.slotItems;
    const slotIndex = this.slotIndex;
    let seen = this.seenCount;
    let draws = this.drawCount;
    let writes = this.writeCount;
    if (Array.isArray(items)) {
      const array = items as T[];
      const n = array.length;
      let i = 0;
      for (; i < n && seen < k; i++, seen++) {
        slotItems[seen] = array[i];
        slotIndex[seen] = seen;
        writes++;
      }
      if (k > 0) {
        draws += n - i;
        for (; i < n; i++, seen++) {
          const j = randomBelow(rng, seen + 1);
          if (j < k) {
            slotItems[j] = array[i];
            slotIndex[j] = seen;
            writes++;
          }
        }
      } else {
        seen += n - i;
      }
    } else {
      for (const item of items) {
        if (seen < k) {
          slotItems[seen] = item;
          slotIndex[seen] = seen;
          writes++;
        } else if (k > 0) {
          draws++;
          const j = randomBelow(rng, seen + 1);
          if (j < k) {
            slotItems[j] = item;
            slotIndex[j] = seen;
            writes++;
          }
        }
        seen++;
      }
    }
    this.seenCount = seen;
    this.drawCount = draws;
    this.writeCount = writes;
  }
}
