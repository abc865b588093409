/**
 * The storage shared by the uniform reservoirs (Algorithm R and Algorithm L): k preallocated slots
 * holding the kept items and their stream positions, and the read-out methods.
 */
import type { Rng } from '@explorables/random';
import { checkK, checkRng, type UniformSnapshot } from './offer.ts';

/**
 * Slots, counters and read-outs common to ReservoirR and ReservoirL; not exported from the
 * package (use one of the two algorithms).
 */
export abstract class UniformReservoirBase<T> {
  /** Capacity: the most items the reservoir holds. */
  readonly k: number;
  protected readonly rng: Rng;
  protected readonly slotItems: T[];
  protected readonly slotIndex: Float64Array;
  protected seenCount = 0;
  protected drawCount = 0;
  protected writeCount = 0;
  /** Stream position evicted by the latest placement, −1 when it filled an empty slot. */
  protected lastEvictedIndex = -1;

  protected constructor(k: number, rng: Rng, where: string) {
    checkK(k, where);
    checkRng(rng, where);
    this.k = k;
    this.rng = rng;
    this.slotItems = new Array<T>(k);
    this.slotIndex = new Float64Array(k);
  }

  /** Items offered so far (the stream length), exact up to 2^53. */
  get seen(): number {
    return this.seenCount;
  }

  /** Random numbers consumed so far (each float or bounded integer counts as one draw). */
  get draws(): number {
    return this.drawCount;
  }

  /**
   * Items written into a slot so far (fills plus replacements); its mean is
   * k(1 + H(n) − H(k)) ≈ k(1 + ln(n/k)) for both algorithms.
   */
  get writes(): number {
    return this.writeCount;
  }

  /** Items currently held: min(k, seen). */
  get size(): number {
    return Math.min(this.seenCount, this.k);
  }

  /**
   * The kept items in slot order (a copy).
   * @example r.items() // ['c', 'b', 'e']
   */
  items(): T[] {
    return this.slotItems.slice(0, this.size);
  }

  /**
   * The stream positions of the kept items, in slot order.
   * @example r.indices() // [2, 1, 4]
   */
  indices(): number[] {
    return Array.from(this.slotIndex.subarray(0, this.size));
  }

  /**
   * The kept items sorted by stream position (the order they arrived in).
   * @example r.inArrivalOrder() // ['b', 'c', 'e']
   */
  inArrivalOrder(): T[] {
    const order = this.arrivalOrderSlots();
    const out = new Array<T>(order.length);
    for (let i = 0; i < order.length; i++) out[i] = this.slotItems[order[i]];
    return out;
  }

  /**
   * The sample and stream length, for mergeUniform (items in arrival order).
   * @example mergeUniform([a.snapshot(), b.snapshot()], 10, rng)
   */
  snapshot(): UniformSnapshot<T> {
    return { items: this.inArrivalOrder(), seen: this.seenCount };
  }

  /** Slot numbers sorted by the stream position they hold. */
  protected arrivalOrderSlots(): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.size; i++) order.push(i);
    const index = this.slotIndex;
    order.sort((a, b) => index[a] - index[b]);
    return order;
  }

  /** Writes `item` (stream position `index`) into `slot`, remembering what it evicted. */
  protected place(slot: number, item: T, index: number): void {
    this.lastEvictedIndex = slot < this.seenCount && this.seenCount > 0 ? this.slotIndex[slot] : -1;
    this.slotItems[slot] = item;
    this.slotIndex[slot] = index;
    this.writeCount++;
  }
}
