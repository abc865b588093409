/**
 * Sampling k of n cards when n is known, two ways, both with the seeded rng of
 * @explorables/random: shuffle the deck (rng.shuffle, Fisher–Yates) and take the first k, or pick
 * random positions and reject the ones already picked. The tally runs both many times and counts
 * how often each card was chosen; both should give every card k/n.
 */
import { createRng, type Rng, type Seed } from '@explorables/random';

function checkSizes(n: number, k: number, where: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${where} needs a deck size n as an integer ≥ 1, got ${String(n)}`);
  }
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new Error(`${where} needs k as an integer in 0…${n} (the deck size), got ${String(k)}`);
  }
}

/**
 * A deck of cards 1…n in order.
 * @example deckOf(4) // [1, 2, 3, 4]
 */
export function deckOf(n: number): number[] {
  checkSizes(n, 0, 'deckOf(n)');
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** The result of shuffling a deck and taking its first k cards. */
export interface ShuffleDeal {
  /** The whole deck after rng.shuffle. */
  order: number[];
  /** order.slice(0, k): the sample. */
  chosen: number[];
}

/**
 * Shuffles cards 1…n with rng.shuffle (Fisher–Yates, n − 1 draws) and takes the first k.
 * @example shuffleTakeFirst(5, 2, createRng(1)).chosen // two distinct cards of 1…5
 */
export function shuffleTakeFirst(n: number, k: number, rng: Rng): ShuffleDeal {
  checkSizes(n, k, 'shuffleTakeFirst(n, k, rng)');
  const order = rng.shuffle(deckOf(n));
  return { order, chosen: order.slice(0, k) };
}

/** One random position drawn by pickPositions. */
export interface PickDraw {
  /** The card at the drawn position (positions and cards coincide: the deck is in order). */
  card: number;
  /** True when the card was already picked, so the draw was thrown away. */
  repeat: boolean;
}

/** The result of picking k distinct positions at random. */
export interface PickDeal {
  /** Every draw, repeats included, in order. */
  draws: PickDraw[];
  /** The k distinct cards, in the order they were first drawn. */
  chosen: number[];
}

/**
 * Draws positions uniformly from 1…n with rng.int, throwing away repeats, until k distinct cards
 * are chosen.
 * @example pickPositions(5, 2, createRng(1)).draws.length // 2 or more
 */
export function pickPositions(n: number, k: number, rng: Rng): PickDeal {
  checkSizes(n, k, 'pickPositions(n, k, rng)');
  const picked = new Uint8Array(n + 1);
  const draws: PickDraw[] = [];
  const chosen: number[] = [];
  while (chosen.length < k) {
    const card = rng.int(1, n);
    const repeat = picked[card] === 1;
    draws.push({ card, repeat });
    if (!repeat) {
      picked[card] = 1;
      chosen.push(card);
    }
  }
  return { draws, chosen };
}

/**
 * Mean number of draws pickPositions makes for k of n: the sum of n/(n − j) for j = 0…k − 1
 * (the j-th new card takes a geometric number of draws with success chance (n − j)/n).
 * @example expectedPickDraws(52, 52) // ≈ 235.98
 */
export function expectedPickDraws(n: number, k: number): number {
  checkSizes(n, k, 'expectedPickDraws(n, k)');
  let sum = 0;
  for (let j = 0; j < k; j++) sum += n / (n - j);
  return sum;
}

/** How often each card was chosen over many runs of both methods. */
export interface KnownTally {
  n: number;
  k: number;
  runs: number;
  seed: Seed;
  /** shuffle[i]: runs in which "shuffle, take the first k" chose card i + 1. */
  shuffle: Uint32Array;
  /** pick[i]: runs in which "pick k positions" chose card i + 1. */
  pick: Uint32Array;
  /** Draws made by pickPositions over all runs, repeats included. */
  pickDraws: number;
}

/** What tallyKnownSize runs. */
export interface KnownTallyOptions {
  n: number;
  k: number;
  /** Runs of each method, ≥ 1. */
  runs: number;
  /** Root seed: shuffles use child 'shuffle', picks child 'pick'. */
  seed: Seed;
  /** Runs between progress yields; default 1,000. */
  runsPerSlice?: number;
}

/**
 * Runs both methods `runs` times and counts how often each card is chosen; yields progress (0…1)
 * every `runsPerSlice` runs and returns the tally.
 * @example runNow(tallyKnownSize({ n: 10, k: 3, runs: 10000, seed: 1 })).shuffle // ≈ 3,000 each
 */
export function* tallyKnownSize(options: KnownTallyOptions): Generator<number, KnownTally, void> {
  const { n, k, runs, seed } = options;
  checkSizes(n, k, 'tallyKnownSize({ n, k })');
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`tallyKnownSize({ runs }) needs an integer ≥ 1, got ${String(runs)}`);
  }
  const perSlice = options.runsPerSlice ?? 1000;
  const root = createRng(seed);
  const shuffleRng = root.child('shuffle');
  const pickRng = root.child('pick');
  const shuffle = new Uint32Array(n);
  const pick = new Uint32Array(n);
  const deck = new Int32Array(n);
  const stamp = new Uint32Array(n + 1);
  let pickDraws = 0;
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < n; i++) deck[i] = i + 1;
    shuffleRng.shuffle(deck);
    for (let i = 0; i < k; i++) shuffle[deck[i] - 1]++;
    // The same rejection loop as pickPositions, without allocating: stamp marks this run's picks.
    const mark = r + 1;
    let got = 0;
    while (got < k) {
      const card = pickRng.int(1, n);
      pickDraws++;
      if (stamp[card] !== mark) {
        stamp[card] = mark;
        pick[card - 1]++;
        got++;
      }
    }
    if ((r + 1) % perSlice === 0 && r + 1 < runs) yield (r + 1) / runs;
  }
  return { n, k, runs, seed, shuffle, pick, pickDraws };
}
