/**
 * Weighted sampling without replacement (Efraimidis and Spirakis 2006). Each item gets the key
 * u^(1/w) for a uniform u and its weight w, and the reservoir keeps the k largest keys; the
 * result is distributed like drawing k items one at a time, each draw proportional to weight
 * among the items not yet drawn. Keys are stored as logs, log(u)/w, which keep their order and
 * do not underflow to 0 when w is large or u small.
 *
 * A-Res draws one key per item. A-ExpJ (exponential jumps) draws once per kept item instead:
 * with T the smallest key held, the total weight that passes before some item beats T is
 * exponential, log(r)/log(T), so items are skipped until their accumulated weight reaches it; the
 * item that crosses gets a key drawn uniformly from (T^w, 1), i.e. conditioned to beat T.
 * Both give the same distribution; A-ExpJ needs O(k log(n/k)) draws.
 *
 * Slots hold the items; a binary min-heap of slot numbers (Int32Array) ordered by the keys
 * (Float64Array) finds the smallest key, so a kept item stays in its slot until evicted.
 */
import type { Rng } from '@explorables/random';
import { checkK, checkRng, type Offer, openUniform, type WeightedSnapshot } from './offer.ts';

/** The two Efraimidis–Spirakis methods: a key per item, or exponential jumps. */
export type WeightedMethod = 'a-res' | 'a-expj';

/**
 * A weighted reservoir of k items: item i ends up in the sample like the i-th ball of an urn
 * drawn k times without replacement, each time proportional to weight.
 * @example
 * const w = new WeightedReservoir<string>(2, createRng(1));
 * w.offer('INFO ok', 1); w.offer('ERROR boom', 20); w.offer('INFO ok', 1);
 * w.items(); // 'ERROR boom' almost surely among them
 */
export class WeightedReservoir<T> {
  /** Capacity: the most items the reservoir holds. */
  readonly k: number;
  /** The sampling method, 'a-expj' unless chosen otherwise. */
  readonly method: WeightedMethod;
  private readonly rng: Rng;
  private readonly slotItems: T[];
  private readonly slotIndex: Float64Array;
  private readonly slotKey: Float64Array;
  private readonly heap: Int32Array;
  private held = 0;
  private seenCount = 0;
  private drawCount = 0;
  private weightSum = 0;
  /** A-ExpJ: weight still to pass before the next kept item. */
  private jumpWeight = Number.POSITIVE_INFINITY;
  private lastEvictedIndex = -1;

  /**
   * An empty reservoir of capacity k (an integer in [0, 2^28]) drawing from `rng`, by
   * A-ExpJ (default) or A-Res.
   * @example new WeightedReservoir<string>(10, createRng('seed'), 'a-res')
   */
  constructor(k: number, rng: Rng, method: WeightedMethod = 'a-expj') {
    const where = 'new WeightedReservoir(k, rng, method)';
    checkK(k, where);
    checkRng(rng, where);
    if (method !== 'a-res' && method !== 'a-expj') {
      throw new Error(`${where} needs method 'a-res' or 'a-expj', got ${String(method)}`);
    }
    this.k = k;
    this.rng = rng;
    this.method = method;
    this.slotItems = new Array<T>(k);
    this.slotIndex = new Float64Array(k);
    this.slotKey = new Float64Array(k);
    this.heap = new Int32Array(k);
  }

  /** Items offered so far. */
  get seen(): number {
    return this.seenCount;
  }

  /** Random numbers consumed so far. */
  get draws(): number {
    return this.drawCount;
  }

  /** Sum of the weights of all items offered so far. */
  get totalWeight(): number {
    return this.weightSum;
  }

  /** Items currently held: min(k, seen). */
  get size(): number {
    return this.held;
  }

  /**
   * The smallest log-key held, which a new item's key must beat once the reservoir is full;
   * −Infinity while it is filling.
   * @example w.thresholdLogKey // e.g. -0.83
   */
  get thresholdLogKey(): number {
    return this.held < this.k || this.k === 0
      ? Number.NEGATIVE_INFINITY
      : this.slotKey[this.heap[0]];
  }

  /**
   * Offers the next item with its weight (finite, > 0; anything else throws an Error naming the
   * item's stream position) and reports whether it was kept.
   * @example w.offer('ERROR disk full', 10) // { index: 4, kept: true, slot: 1, evictedIndex: 2 }
   */
  offer(item: T, weight: number): Offer {
    const index = this.seenCount;
    const slot = this.offerSlot(item, weight);
    if (slot < 0) return { index, kept: false, slot: -1, evictedIndex: -1 };
    return { index, kept: true, slot, evictedIndex: this.lastEvictedIndex };
  }

  /**
   * Offers the next item without allocating a record: returns its slot, or −1 when not kept.
   * @example if (w.offerSlot(line, 2) >= 0) console.log('kept')
   */
  offerSlot(item: T, weight: number): number {
    const index = this.seenCount;
    if (typeof weight !== 'number' || !(weight > 0) || weight === Number.POSITIVE_INFINITY) {
      throw new Error(
        `WeightedReservoir: the weight of item ${index} must be a finite number > 0, ` +
          `got ${String(weight)}`,
      );
    }
    this.seenCount = index + 1;
    this.weightSum += weight;
    if (this.held < this.k) {
      const slot = this.held;
      this.drawCount++;
      this.slotItems[slot] = item;
      this.slotIndex[slot] = index;
      this.slotKey[slot] = Math.log(openUniform(this.rng)) / weight;
      this.held = slot + 1;
      this.siftUp(slot, slot);
      this.lastEvictedIndex = -1;
      if (this.held === this.k && this.method === 'a-expj') this.armJump();
      return slot;
    }
    if (this.k === 0) return -1;
    let logKey: number;
    if (this.method === 'a-res') {
      this.drawCount++;
      logKey = Math.log(openUniform(this.rng)) / weight;
      if (!(logKey > this.slotKey[this.heap[0]])) return -1;
    } else {
      this.jumpWeight -= weight;
      if (this.jumpWeight > 0) return -1;
      // Key uniform on (T^w, 1): log(T^w + (1 − T^w)u) = log1p(expm1(w log T) · v), v = 1 − u.
      const logT = this.slotKey[this.heap[0]];
      this.drawCount++;
      logKey = Math.log1p(Math.expm1(weight * logT) * openUniform(this.rng)) / weight;
      if (logKey < logT) logKey = logT; // rounding only; the exact key is above T
    }
    const slot = this.heap[0];
    this.lastEvictedIndex = this.slotIndex[slot];
    this.slotItems[slot] = item;
    this.slotIndex[slot] = index;
    this.slotKey[slot] = logKey;
    this.siftDown();
    if (this.method === 'a-expj') this.armJump();
    return slot;
  }

  /**
   * Offers every item of `items` in order with weight weightOf(item) (no allocation per item).
   * @example w.offerAll(lines, (line) => (line.level === 'ERROR' ? 50 : 1))
   */
  offerAll(items: Iterable<T>, weightOf: (item: T) => number): void {
    if (typeof weightOf !== 'function') {
      throw new Error('WeightedReservoir.offerAll(items, weightOf) needs a weightOf function');
    }
    if (Array.isArray(items)) {
      const array = items as T[];
      for (let i = 0; i < array.length; i++) this.offerSlot(array[i], weightOf(array[i]));
      return;
    }
    for (const item of items) this.offerSlot(item, weightOf(item));
  }

  /**
   * The kept items in slot order (a copy).
   * @example w.items() // ['b', 'e']
   */
  items(): T[] {
    return this.slotItems.slice(0, this.held);
  }

  /**
   * The stream positions of the kept items, in slot order.
   * @example w.indices() // [1, 4]
   */
  indices(): number[] {
    return Array.from(this.slotIndex.subarray(0, this.held));
  }

  /**
   * The log-keys log(u)/w of the kept items, in slot order (all ≤ 0; larger is stronger).
   * @example w.logKeys() // [-0.02, -1.3]
   */
  logKeys(): number[] {
    return Array.from(this.slotKey.subarray(0, this.held));
  }

  /**
   * The kept items sorted by stream position.
   * @example w.inArrivalOrder() // ['b', 'e']
   */
  inArrivalOrder(): T[] {
    return this.arrivalOrderSlots().map((slot) => this.slotItems[slot]);
  }

  /**
   * Items and keys (arrival order), seen and totalWeight, for mergeWeighted.
   * @example mergeWeighted([a.snapshot(), b.snapshot()], 10)
   */
  snapshot(): WeightedSnapshot<T> {
    const order = this.arrivalOrderSlots();
    return {
      items: order.map((slot) => this.slotItems[slot]),
      logKeys: order.map((slot) => this.slotKey[slot]),
      seen: this.seenCount,
      totalWeight: this.weightSum,
    };
  }

  private arrivalOrderSlots(): number[] {
    const order = Array.from({ length: this.held }, (_, i) => i);
    return order.sort((a, b) => this.slotIndex[a] - this.slotIndex[b]);
  }

  /** A-ExpJ: the weight that passes before the next key beats the smallest one held. */
  private armJump(): void {
    this.drawCount++;
    const logT = this.slotKey[this.heap[0]];
    // log(T) = 0 means a key of exactly 1, which nothing can beat.
    this.jumpWeight = logT < 0 ? Math.log(openUniform(this.rng)) / logT : Number.POSITIVE_INFINITY;
  }

  /** Moves heap entry `at` (slot `slot`) up until its parent's key is not larger. */
  private siftUp(at: number, slot: number): void {
    const heap = this.heap;
    const key = this.slotKey[slot];
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.slotKey[heap[parent]] <= key) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = slot;
  }

  /** Moves the root down until both children's keys are not smaller. */
  private siftDown(): void {
    const heap = this.heap;
    const keys = this.slotKey;
    const n = this.held;
    const slot = heap[0];
    const key = keys[slot];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && keys[heap[child + 1]] < keys[heap[child]]) child++;
      if (keys[heap[child]] >= key) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = slot;
  }
}
