/**
 * The logic behind the "inside a Bloom filter" figure: the arithmetic that turns a word into its k
 * bit positions (shown row by row, and checked against the engine's own indicesOf), what adding a
 * word changes, and the verdict of checking one, naming the added words behind a false positive.
 */
import { type BloomFilter, fmix32 } from '@explorables/bloom';

const TWO_POW_32 = 4294967296;

/**
 * One hash function's step: x_i = (h1 + i·h2) mod 2^32, mixed to y_i = fmix32(x_i), then
 * index_i = floor(y_i · m / 2^32) (the engine's scheme, documented in bloom.ts).
 */
export interface HashRow {
  /** Which hash function, 0 … k−1. */
  i: number;
  /** (h1 + i·h2) mod 2^32, an unsigned 32-bit integer. */
  x: number;
  /** fmix32(x): x scrambled so that nearby values of x land far apart; unsigned 32-bit. */
  mixed: number;
  /** mixed · m / 2^32, a real number in [0, m). */
  scaled: number;
  /** The bit position, floor(scaled); equal to indicesOf(word)[i]. */
  index: number;
}

/** A word's two base hashes and its k rows. */
export interface WordHashes {
  word: string;
  h1: number;
  h2: number;
  rows: HashRow[];
}

/**
 * The two hashes of `word` and the k steps from them to bit positions, as the engine computes
 * them; throws if the step-by-step arithmetic disagrees with filter.indicesOf (never a wrong
 * explanation on screen).
 * @example wordHashes(new BloomFilter({ bits: 32, hashes: 3, seed: 1 }), 'cat').rows[0].index
 */
export function wordHashes(filter: BloomFilter, word: string): WordHashes {
  const [h1, h2] = filter.hashPair(word);
  const indices = filter.indicesOf(word);
  const rows: HashRow[] = [];
  for (let i = 0; i < filter.hashes; i++) {
    // i·h2 < 2^40 and h1 < 2^32, so the sum is exact in a double before the mod.
    const x = (h1 + i * h2) % TWO_POW_32;
    const mixed = fmix32(x);
    const scaled = (mixed * filter.bits) / TWO_POW_32;
    const index = Math.floor(scaled);
    if (index !== indices[i]) {
      throw new Error(
        `wordHashes: row ${i} of '${word}' gives bit ${index} but the filter uses bit ` +
          `${indices[i]}; the figure's arithmetic no longer matches the engine`,
      );
    }
    rows.push({ i, x, mixed, scaled, index });
  }
  return { word, h1, h2, rows };
}

/** What adding a word did. */
export interface AddResult {
  word: string;
  /** Its k bit positions in hash order (may repeat). */
  indices: number[];
  /** The distinct positions that went from 0 to 1. */
  newlySet: number[];
}

/**
 * Adds `word` to the filter (mutating it) and reports which of its bits were newly set.
 * @example addWord(filter, 'cat').newlySet // e.g. [3, 17, 29] on an empty filter
 */
export function addWord(filter: BloomFilter, word: string): AddResult {
  const indices = Array.from(filter.indicesOf(word));
  const newlySet = [...new Set(indices)].filter((index) => !filter.getBit(index));
  filter.add(word);
  return { word, indices, newlySet };
}

/** The added words whose own bits include `index`. */
export interface Culprit {
  index: number;
  words: string[];
}

/** The verdict of checking a word against the filter and the list of words really added. */
export type CheckResult =
  | { verdict: 'absent'; word: string; indices: number[]; zeroBits: number[] }
  | { verdict: 'present'; word: string; indices: number[] }
  | { verdict: 'false-positive'; word: string; indices: number[]; culprits: Culprit[] };

/**
 * Checks `word`: 'absent' (some bit is 0; those bits listed), 'present' (all bits set and the word
 * was added) or 'false-positive' (all bits set but the word was never added; for each of its bits,
 * the added words that set it).
 * @example checkWord(filter, ['cat'], 'dog').verdict // 'absent' or 'false-positive'
 */
export function checkWord(
  filter: BloomFilter,
  addedWords: readonly string[],
  word: string,
): CheckResult {
  const indices = Array.from(filter.indicesOf(word));
  const distinct = [...new Set(indices)];
  const zeroBits = distinct.filter((index) => !filter.getBit(index));
  const answer = filter.has(word);
  if (answer !== (zeroBits.length === 0)) {
    throw new Error(`checkWord: has('${word}') disagrees with the bits of indicesOf('${word}')`);
  }
  if (!answer) return { verdict: 'absent', word, indices, zeroBits };
  if (addedWords.includes(word)) return { verdict: 'present', word, indices };
  const culprits = distinct.map((index) => ({
    index,
    words: addedWords.filter((added) => filter.indicesOf(added).includes(index)),
  }));
  return { verdict: 'false-positive', word, indices, culprits };
}

/**
 * The first word of `candidates` that was not added but that the filter answers "maybe" for, or
 * undefined when there is none.
 * @example findFalsePositive(filter, ['cat', 'dog'], ['emu', 'yak']) // 'yak' or undefined
 */
export function findFalsePositive(
  filter: BloomFilter,
  addedWords: readonly string[],
  candidates: readonly string[],
): string | undefined {
  return candidates.find((word) => !addedWords.includes(word) && filter.has(word));
}

/**
 * Formats a whole number with thousands separators, e.g. 3,141,592,653.
 * @example groupDigits(3141592653) // '3,141,592,653'
 */
export function groupDigits(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Formats mixed · m / 2^32 with two decimals cut off (not rounded), so the shown number's whole
 * part is always the bit index: 5.999 shows as 5.99, never 6.00.
 * @example truncate2(5.999) // '5.99'
 */
export function truncate2(value: number): string {
  const whole = Math.floor(value);
  // value·100 can land a hair below a whole number (5.29 · 100 = 528.999…); nudge, but never
  // across the next whole number.
  const hundredths = Math.min(99, Math.floor((value - whole) * 100 + 1e-7));
  return `${whole}.${String(hundredths).padStart(2, '0')}`;
}

/** Words the figure offers as one-click adds. */
export const PRESET_WORDS: readonly string[] = ['cat', 'dog', 'fox', 'owl', 'bee', 'yak'];

/**
 * Words tried, in order, when the reader asks the figure to find a false positive: common short
 * English words (none of them special; any list would do).
 */
export const CANDIDATE_WORDS: readonly string[] = (
  'ant ape bat bear bird boar bull calf carp clam cod colt cow crab crow deer dove duck eel elk ' +
  'emu ewe fawn fish flea fly frog gnat goat gull hare hawk hen hog ibis jay kid kite koi lamb ' +
  'lark lion lynx mole moth mule newt orca otter ox panda pig pony pug puma rat ram seal shark ' +
  'sheep slug snail swan tick toad trout tuna vole wasp whale wolf worm wren zebra apple bread ' +
  'cake corn date fig grape kiwi leek lime melon nut oat olive pea pear plum rice rye sage soup ' +
  'tea yam red blue green gold pink grey teal navy rose ruby jade onyx'
).split(' ');
