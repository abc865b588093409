/**
 * Logic of the "Removing items" figure: picks preset words that share a bit position for a given
 * seed (by computation, so the demonstration holds for whatever the engine hashes), and tracks a
 * plain Bloom filter and a counting Bloom filter side by side over the same words.
 */
import { BloomFilter, CountingBloomFilter, naiveRemove } from '@explorables/bloom';

/** The fixed pool the preset words are chosen from, in search order. */
export const WORD_POOL: readonly string[] = [
  'apple',
  'banana',
  'cherry',
  'grape',
  'lemon',
  'mango',
  'peach',
  'plum',
  'kiwi',
  'melon',
  'olive',
  'pear',
  'fig',
  'lime',
  'date',
  'guava',
];

/** Shape shared by both filters of the figure. */
export interface CellsOptions {
  cells: number;
  hashes: number;
  seed: number;
}

/**
 * The bit positions of `word` in a filter of this shape (as a sorted, de-duplicated list).
 * @example positionsOf('apple', { cells: 24, hashes: 3, seed: 0 }) // e.g. [3, 11, 20]
 */
export function positionsOf(word: string, shape: CellsOptions): number[] {
  const filter = new BloomFilter({ bits: shape.cells, hashes: shape.hashes, seed: shape.seed });
  return [...new Set(filter.indicesOf(word))].sort((a, b) => a - b);
}

/**
 * `count` preset words from `pool`: the first pair (in pool order) that shares a bit position
 * comes first (the word to remove, then the word it will knock out), then the next pool words.
 * Throws when no pair in the pool shares a position (the figure would have nothing to show).
 * @example presetWords(WORD_POOL, 4, { cells: 24, hashes: 3, seed: 0 }) // [a, b, c, d]
 */
export function presetWords(pool: readonly string[], count: number, shape: CellsOptions): string[] {
  const positions = pool.map((w) => new Set(positionsOf(w, shape)));
  for (let i = 0; i < pool.length; i++) {
    for (let j = i + 1; j < pool.length; j++) {
      if ([...positions[i]].some((p) => positions[j].has(p))) {
        const rest = pool.filter((_, index) => index !== i && index !== j);
        return [pool[i], pool[j], ...rest].slice(0, Math.max(2, count));
      }
    }
  }
  throw new Error(
    `presetWords: no two of the ${pool.length} pool words share a position in ${shape.cells} ` +
      `cells with ${shape.hashes} hashes and seed ${shape.seed}; use a larger pool`,
  );
}

/** How one word answers in each filter. */
export interface WordStatus {
  word: string;
  /** Still in the set (added and not removed). */
  inSet: boolean;
  plainSays: boolean;
  countingSays: boolean;
  /** In the set but the plain filter says no. */
  plainFalseNegative: boolean;
}

/**
 * Two filters of the same shape over the same words: a plain BloomFilter where removal clears
 * bits (naiveRemove) and a CountingBloomFilter where removal decrements counters.
 * @example const pair = new RemovalPair({ cells: 24, hashes: 3, seed: 0 }); pair.add('apple');
 */
export class RemovalPair {
  readonly plain: BloomFilter;
  readonly counting: CountingBloomFilter;
  /** Words ever added, in order (removed ones stay listed). */
  readonly words: string[] = [];
  private readonly present = new Set<string>();
  /** Words the last removal turned into false negatives in the plain filter. */
  lastKnockedOut: string[] = [];
  /** The word removed last, or undefined. */
  lastRemoved: string | undefined;

  constructor(readonly shape: CellsOptions) {
    const options = { bits: shape.cells, hashes: shape.hashes, seed: shape.seed };
    this.plain = new BloomFilter(options);
    this.counting = new CountingBloomFilter(options);
  }

  /** Adds `word` to both filters (no-op when it is already in the set). */
  add(word: string): void {
    if (this.present.has(word)) return;
    this.plain.add(word);
    this.counting.add(word);
    this.present.add(word);
    if (!this.words.includes(word)) this.words.push(word);
    this.lastKnockedOut = [];
    this.lastRemoved = undefined;
  }

  /**
   * Removes `word` from both: clears its bits in the plain filter, decrements its counters in the
   * counting one; returns the other set words the plain filter now wrongly rejects.
   */
  remove(word: string): string[] {
    if (!this.present.has(word)) {
      throw new Error(`remove: "${word}" is not in the set; add it before removing it`);
    }
    this.present.delete(word);
    const others = [...this.present];
    const knocked = naiveRemove(this.plain, word, others).filter(
      (key): key is string => typeof key === 'string',
    );
    this.counting.remove(word);
    this.lastKnockedOut = knocked;
    this.lastRemoved = word;
    return knocked;
  }

  /** Whether `word` is currently in the set. */
  inSet(word: string): boolean {
    return this.present.has(word);
  }

  /** Every word ever added with its answers in both filters. */
  statuses(): WordStatus[] {
    return this.words.map((word) => {
      const inSet = this.present.has(word);
      const plainSays = this.plain.has(word);
      return {
        word,
        inSet,
        plainSays,
        countingSays: this.counting.has(word),
        plainFalseNegative: inSet && !plainSays,
      };
    });
  }
}
