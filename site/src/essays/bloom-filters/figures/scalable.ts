/**
 * Logic of the "A filter that grows" figure: drives a ScalableBloomFilter item by item, records
 * when each sub-filter appears and the error bound after it, measures the false-positive rate on
 * a fixed set of absent keys, and computes the bound of the naive variant (first sub-filter at the
 * full target P) as arithmetic from the same geometric series.
 */
import { ScalableBloomFilter } from '@explorables/bloom';

/** Parameters of the growing filter. */
export interface GrowthOptions {
  initialCapacity: number;
  errorRate: number;
  growth: number;
  tightening: number;
  seed: number;
}

/** One sub-filter as the figure draws it. */
export interface SubFilterView {
  index: number;
  bits: number;
  hashes: number;
  /** Items the sub-filter was sized for: ceil(initialCapacity · growth^i) (engine's capacityOf). */
  capacity: number;
  /** Keys stored in it so far (an item that already tested present is not stored again). */
  items: number;
  /** Its target rate P · (1 − r) · r^i (engine's errorRateOf). */
  targetRate: number;
  fillRatio: number;
  sizeBytes: number;
}

/** The bound right after a sub-filter appeared (a step of the bound's staircase). */
export interface BoundStep {
  /** Items added when the sub-filter was created (0 for the first). */
  atItem: number;
  /** Σ of the target rates so far (the engine's errorBound()). */
  bound: number;
  /** The same sum if the first sub-filter had the full target P: Σ P · r^j. */
  naiveBound: number;
}

/** One measurement of the false-positive rate. */
export interface RatePoint {
  items: number;
  measuredRate: number;
  bound: number;
}

/**
 * The error bound of the naive variant after `filterCount` sub-filters, where sub-filter i has
 * target P · r^i (first at the full P): P · (1 − r^count) / (1 − r), which exceeds P from the
 * second sub-filter on.
 * @example naiveBound(0.01, 0.5, 3) // 0.0175
 */
export function naiveBound(errorRate: number, tightening: number, filterCount: number): number {
  let sum = 0;
  for (let i = 0; i < filterCount; i++) sum += errorRate * tightening ** i;
  return sum;
}

/** The key of the i-th item added (0-based). */
export const itemKey = (i: number): string => `item ${i}`;
/** The key of the j-th absent probe; never equal to an item key. */
export const probeKey = (j: number): string => `probe ${j}`;

/**
 * A ScalableBloomFilter fed with itemKey(0), itemKey(1), …, with the history the figure charts.
 * @example const g = new GrowingFilter({ initialCapacity: 20, errorRate: 0.01, growth: 2,
 *   tightening: 0.5, seed: 1 }); g.addItems(100); g.subFilters().length // 3
 */
export class GrowingFilter {
  readonly filter: ScalableBloomFilter;
  readonly steps: BoundStep[] = [];
  readonly measurements: RatePoint[] = [];
  private added = 0;

  constructor(
    readonly options: GrowthOptions,
    readonly probeCount = 10_000,
  ) {
    this.filter = new ScalableBloomFilter({
      initialCapacity: options.initialCapacity,
      errorRate: options.errorRate,
      growth: options.growth,
      tightening: options.tightening,
      seed: options.seed,
    });
    this.noteNewFilters();
  }

  /** Items added so far. */
  get items(): number {
    return this.added;
  }

  /** Adds the next `count` items, noting every sub-filter that appears on the way. */
  addItems(count: number): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`addItems: count must be an integer ≥ 0, got ${count}`);
    }
    for (let i = 0; i < count; i++) {
      this.filter.add(itemKey(this.added));
      this.added++;
      this.noteNewFilters();
    }
  }

  /** Queries the probe keys and records the fraction that answer "maybe". */
  measure(): RatePoint {
    let hits = 0;
    for (let j = 0; j < this.probeCount; j++) if (this.filter.has(probeKey(j))) hits++;
    const point = {
      items: this.added,
      measuredRate: hits / this.probeCount,
      bound: this.filter.errorBound(),
    };
    const last = this.measurements.at(-1);
    if (last && last.items === point.items) this.measurements[this.measurements.length - 1] = point;
    else this.measurements.push(point);
    return point;
  }

  /** The sub-filters, oldest first, with their sizes, targets and fill. */
  subFilters(): SubFilterView[] {
    return this.filter.filters.map((f, index) => ({
      index,
      bits: f.bits,
      hashes: f.hashes,
      capacity: this.filter.capacityOf(index),
      items: f.count,
      targetRate: this.filter.errorRateOf(index),
      fillRatio: f.fillRatio(),
      sizeBytes: f.sizeBytes,
    }));
  }

  private noteNewFilters(): void {
    const count = this.filter.filters.length;
    while (this.steps.length < count) {
      const n = this.steps.length + 1;
      this.steps.push({
        atItem: this.added === 0 ? 0 : this.added - 1,
        bound: count === n ? this.filter.errorBound() : Number.NaN,
        naiveBound: naiveBound(this.options.errorRate, this.options.tightening, n),
      });
    }
  }
}
