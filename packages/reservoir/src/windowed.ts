/**
 * The log-aggregator sampler: time is cut into windows [start, start + windowMs) aligned to
 * multiples of windowMs, and each window keeps at most k items per key (a uniform reservoir, or
 * a weighted one when weightOf is given), so a burst can never send more than k lines per window
 * and key downstream, while a quiet window keeps everything it saw.
 *
 * Must-keep semantics (the choice made here): items for which mustKeep(item) is true are always
 * kept, in addition to the k sampled items, and do not take a slot. An ERROR line must never be
 * dropped; had it counted against k, an error storm would evict the ordinary lines around it that
 * explain what was happening. The price is that a window can send more than k items: k plus its
 * must-keep items. Forced items carry represents = 1 and forced = true.
 *
 * `represents` of a sampled item is seen / kept of its reservoir (the items it stands for), so
 * the sum of represents over a batch equals the batch's seen count.
 *
 * Time: an arrival with timeMs at or after the open window's end closes that window (its batches
 * are returned by that offer) and opens the window that contains timeMs; windows in between
 * that saw nothing are skipped, not emitted. An arrival earlier than the open window's start
 * (clock skew between sources) is counted in the open window: it is neither dropped nor an
 * error, and its KeptItem keeps its own timeMs.
 */
import type { Rng } from '@explorables/random';
import { ReservoirL } from './algorithm-l.ts';
import { checkK, checkRng } from './offer.ts';
import { WeightedReservoir } from './weighted.ts';

/**
 * Options of a WindowedSampler.
 * @example { windowMs: 1000, k: 5, rng: createRng(1), mustKeep: (l) => l.level === 'ERROR' }
 */
export interface SamplerOptions<T> {
  /** Window length in ms (> 0, finite); windows are aligned to multiples of it. */
  windowMs: number;
  /** Sampled items kept per window and key (an integer ≥ 0). */
  k: number;
  /** The random source (shared by all reservoirs of the sampler, in arrival order). */
  rng: Rng;
  /** One reservoir per key within each window. */
  keyOf?: (item: T) => string;
  /** Items that are always kept, in addition to the k sampled ones. */
  mustKeep?: (item: T) => boolean;
  /** Weighted reservoirs (A-ExpJ) instead of uniform ones; weights finite and > 0. */
  weightOf?: (item: T) => number;
}

/**
 * One item a window kept: its sampler-wide 0-based arrival index, its time, how many seen items
 * it stands for, and whether it was kept by the must-keep rule.
 * @example { item: line, index: 1042, timeMs: 5012.5, represents: 37.4, forced: false }
 */
export interface KeptItem<T> {
  item: T;
  index: number;
  timeMs: number;
  represents: number;
  forced: boolean;
}

/**
 * What one window kept for one key (key undefined without keyOf), items in arrival order.
 * @example { startMs: 5000, endMs: 6000, key: 'ERROR', seen: 380, kept: [...] }
 */
export interface WindowBatch<T> {
  startMs: number;
  endMs: number;
  key: string | undefined;
  seen: number;
  kept: KeptItem<T>[];
}

/** The reservoir and bookkeeping of one key in the open window. */
interface KeyState<T> {
  key: string | undefined;
  uniform: ReservoirL<T> | undefined;
  weighted: WeightedReservoir<T> | undefined;
  /** Arrival index and time of the item in each reservoir slot. */
  slotIndex: Float64Array;
  slotTimeMs: Float64Array;
  forced: KeptItem<T>[];
  seen: number;
}

/**
 * Samples a timed stream window by window (and key by key), with a must-keep rule.
 * @example
 * const sampler = new WindowedSampler<LogLine>({ windowMs: 1000, k: 5, rng: createRng(1) });
 * for (const line of lines) for (const batch of sampler.offer(line, line.timeMs)) send(batch);
 * for (const batch of sampler.flush()) send(batch);
 */
export class WindowedSampler<T> {
  /** Window length in ms. */
  readonly windowMs: number;
  /** Sampled items kept per window and key. */
  readonly k: number;
  private readonly rng: Rng;
  private readonly keyOf: ((item: T) => string) | undefined;
  private readonly mustKeep: ((item: T) => boolean) | undefined;
  private readonly weightOf: ((item: T) => number) | undefined;
  private readonly states = new Map<string | undefined, KeyState<T>>();
  private openStartMs = Number.NaN;
  private offered = 0;

  /**
   * A sampler with no open window; throws for windowMs not finite and > 0, a bad k or rng, or
   * callbacks that are not functions.
   * @example new WindowedSampler<string>({ windowMs: 60_000, k: 100, rng: createRng(1) })
   */
  constructor(options: SamplerOptions<T>) {
    const where = 'new WindowedSampler(options)';
    if (options === null || typeof options !== 'object') {
      throw new Error(`${where} needs an options object`);
    }
    const { windowMs, k, rng, keyOf, mustKeep, weightOf } = options;
    if (typeof windowMs !== 'number' || !(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new Error(`${where} needs options.windowMs finite and > 0, got ${String(windowMs)}`);
    }
    checkK(k, `${where} options.k:`);
    checkRng(rng, where);
    for (const [name, f] of [
      ['keyOf', keyOf],
      ['mustKeep', mustKeep],
      ['weightOf', weightOf],
    ] as const) {
      if (f !== undefined && typeof f !== 'function') {
        throw new Error(`${where} options.${name} must be a function when given`);
      }
    }
    this.windowMs = windowMs;
    this.k = k;
    this.rng = rng;
    this.keyOf = keyOf;
    this.mustKeep = mustKeep;
    this.weightOf = weightOf;
  }

  /** Items offered so far (the next item's arrival index). */
  get seen(): number {
    return this.offered;
  }

  /**
   * Start of the open window in ms, or undefined when no window is open.
   * @example sampler.openWindowStartMs // 5000
   */
  get openWindowStartMs(): number | undefined {
    return Number.isNaN(this.openStartMs) ? undefined : this.openStartMs;
  }

  /**
   * Offers an item that arrived at timeMs (finite); returns the batches of the window this
   * arrival closed (one per key, keys in order of first arrival), usually none.
   * @example sampler.offer(line, line.timeMs) // [] until a window ends
   */
  offer(item: T, timeMs: number): WindowBatch<T>[] {
    const index = this.offered;
    if (typeof timeMs !== 'number' || !Number.isFinite(timeMs)) {
      throw new Error(
        `WindowedSampler.offer: timeMs of item ${index} must be a finite number, ` +
          `got ${String(timeMs)}`,
      );
    }
    // Evaluate the callbacks first, so a throwing callback cannot lose a closed window.
    const key = this.keyOf === undefined ? undefined : this.keyOf(item);
    const forced = Boolean(this.mustKeep?.(item));
    let weight = 1;
    if (this.weightOf !== undefined && !forced) {
      weight = this.weightOf(item);
      if (typeof weight !== 'number' || !(weight > 0) || weight === Number.POSITIVE_INFINITY) {
        throw new Error(
          `WindowedSampler.offer: weightOf(item ${index}) must be a finite number > 0, ` +
            `got ${String(weight)}`,
        );
      }
    }
    let closed: WindowBatch<T>[] = [];
    if (Number.isNaN(this.openStartMs)) {
      this.openStartMs = this.alignedStartMs(timeMs);
    } else if (timeMs >= this.openStartMs + this.windowMs) {
      closed = this.closeWindow();
      this.openStartMs = this.alignedStartMs(timeMs);
    }
    this.offered = index + 1;
    const state = this.stateFor(key);
    state.seen++;
    if (forced) {
      state.forced.push({ item, index, timeMs, represents: 1, forced: true });
      return closed;
    }
    const slot =
      state.uniform !== undefined
        ? state.uniform.offerSlot(item)
        : (state.weighted as WeightedReservoir<T>).offerSlot(item, weight);
    if (slot >= 0) {
      state.slotIndex[slot] = index;
      state.slotTimeMs[slot] = timeMs;
    }
    return closed;
  }

  /**
   * Closes the open window, if any, and returns its batches; the next offer opens a new window.
   * @example const last = sampler.flush()
   */
  flush(): WindowBatch<T>[] {
    if (Number.isNaN(this.openStartMs)) return [];
    const batches = this.closeWindow();
    this.openStartMs = Number.NaN;
    return batches;
  }

  /** The multiple of windowMs at or below timeMs, corrected for rounding of the division. */
  private alignedStartMs(timeMs: number): number {
    let start = Math.floor(timeMs / this.windowMs) * this.windowMs;
    if (start > timeMs) start -= this.windowMs;
    else if (timeMs >= start + this.windowMs) start += this.windowMs;
    return start;
  }

  private stateFor(key: string | undefined): KeyState<T> {
    let state = this.states.get(key);
    if (state === undefined) {
      const weighted = this.weightOf !== undefined;
      state = {
        key,
        uniform: weighted ? undefined : new ReservoirL<T>(this.k, this.rng),
        weighted: weighted ? new WeightedReservoir<T>(this.k, this.rng, 'a-expj') : undefined,
        slotIndex: new Float64Array(this.k),
        slotTimeMs: new Float64Array(this.k),
        forced: [],
        seen: 0,
      };
      this.states.set(key, state);
    }
    return state;
  }

  private closeWindow(): WindowBatch<T>[] {
    const startMs = this.openStartMs;
    const endMs = startMs + this.windowMs;
    const batches: WindowBatch<T>[] = [];
    for (const state of this.states.values()) {
      const reservoir = state.uniform ?? (state.weighted as WeightedReservoir<T>);
      const items = reservoir.items();
      const represents = items.length > 0 ? reservoir.seen / items.length : 0;
      const kept: KeptItem<T>[] = items.map((item, slot) => ({
        item,
        index: state.slotIndex[slot],
        timeMs: state.slotTimeMs[slot],
        represents,
        forced: false,
      }));
      for (const entry of state.forced) kept.push(entry);
      kept.sort((a, b) => a.index - b.index);
      batches.push({ startMs, endMs, key: state.key, seen: state.seen, kept });
    }
    this.states.clear();
    return batches;
  }
}
