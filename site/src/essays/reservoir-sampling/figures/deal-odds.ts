/**
 * The two "hold one card" rules of the essay and their odds. Cards are dealt one at a time and
 * you may hold one; you never learn how many will come.
 * - The coin flip: hold the first card; for every later card flip a fair coin and swap on heads.
 *   It is not a reservoir sampler (it is the tempting wrong answer), so it lives here.
 * - The 1/n rule: keep the n-th card with probability 1/n. That is Algorithm R with one slot, so
 *   every simulation of it runs the engine's ReservoirR with k = 1.
 * Theory comes from closed forms; simulations are seeded and yield their progress so a page can
 * spread them over frames.
 */
import {
  chiSquare,
  chiSquareCritical001,
  createRng,
  type Rng,
  type Seed,
} from '@explorables/random';
import { ReservoirR } from '@explorables/reservoir';

function checkDealt(dealt: number, where: string): void {
  if (!Number.isInteger(dealt) || dealt < 1) {
    throw new Error(
      `${where} needs the number of cards dealt as an integer ≥ 1, got ${String(dealt)}`,
    );
  }
}

function checkCard(card: number, dealt: number, where: string): void {
  checkDealt(dealt, where);
  if (!Number.isInteger(card) || card < 1 || card > dealt) {
    throw new Error(`${where} needs a card position in 1…${dealt}, got ${String(card)}`);
  }
}

/**
 * Chance that the coin-flip rule holds card `card` (1-based) after `dealt` cards: 1/2^(dealt−card+1)
 * for a later card (it was kept, then never replaced), 1/2^(dealt−1) for the first (never replaced).
 * @example coinHeldChance(1, 3) // 0.25; coinHeldChance(3, 3) // 0.5
 */
export function coinHeldChance(card: number, dealt: number): number {
  checkCard(card, dealt, 'coinHeldChance(card, dealt)');
  if (card === 1) return 2 ** -(dealt - 1);
  return 2 ** -(dealt - card + 1);
}

/**
 * Chance that the 1/n rule holds card `card` after `dealt` cards: 1/dealt, whatever the card.
 * @example fairHeldChance(1, 4) // 0.25
 */
export function fairHeldChance(card: number, dealt: number): number {
  checkCard(card, dealt, 'fairHeldChance(card, dealt)');
  return 1 / dealt;
}

/**
 * coinHeldChance for every card 1…dealt (index 0 is card 1); the entries sum to 1.
 * @example coinHeldChances(3) // [0.25, 0.25, 0.5]
 */
export function coinHeldChances(dealt: number): number[] {
  checkDealt(dealt, 'coinHeldChances(dealt)');
  return Array.from({ length: dealt }, (_, i) => coinHeldChance(i + 1, dealt));
}

/**
 * fairHeldChance for every card 1…dealt (index 0 is card 1).
 * @example fairHeldChances(4) // [0.25, 0.25, 0.25, 0.25]
 */
export function fairHeldChances(dealt: number): number[] {
  checkDealt(dealt, 'fairHeldChances(dealt)');
  return new Array<number>(dealt).fill(1 / dealt);
}

/** What one rule did with one dealt card (positions are 1-based). */
export interface HandMove {
  /** The card just dealt. */
  card: number;
  /** Whether it is now the held card. */
  kept: boolean;
  /** The card it replaced (now discarded), 0 when none. */
  replaced: number;
  /** The chance the rule gave this card of being kept: 1 for the first, else 1/2 or 1/card. */
  keepChance: number;
}

/**
 * The coin-flip rule as a hand: the first card is always held; each later card replaces the held
 * one when a fair coin (rng.bernoulli(0.5)) comes up heads.
 * @example const hand = new CoinFlipHand(createRng(1)); hand.deal(); hand.deal(); hand.held // 1 or 2
 */
export class CoinFlipHand {
  private readonly rng: Rng;
  private dealtCount = 0;
  private heldCard = 0;

  /**
   * An empty hand drawing its coin flips from `rng`.
   * @example new CoinFlipHand(createRng('deal').child('coin'))
   */
  constructor(rng: Rng) {
    this.rng = rng;
  }

  /** Cards dealt so far. */
  get dealt(): number {
    return this.dealtCount;
  }

  /** The held card (1-based position), 0 before the first card. */
  get held(): number {
    return this.heldCard;
  }

  /**
   * Deals the next card and reports whether the hand kept it.
   * @example hand.deal() // { card: 2, kept: true, replaced: 1, keepChance: 0.5 }
   */
  deal(): HandMove {
    const card = ++this.dealtCount;
    if (card === 1) {
      this.heldCard = 1;
      return { card, kept: true, replaced: 0, keepChance: 1 };
    }
    if (!this.rng.bernoulli(0.5)) return { card, kept: false, replaced: 0, keepChance: 0.5 };
    const replaced = this.heldCard;
    this.heldCard = card;
    return { card, kept: true, replaced, keepChance: 0.5 };
  }
}

/**
 * The 1/n rule as a hand: the engine's ReservoirR with one slot; each move is read off its Offer.
 * @example const hand = new FairHand(createRng(1)); hand.deal().kept // true (the first card)
 */
export class FairHand {
  private readonly reservoir: ReservoirR<number>;
  private heldCard = 0;

  /**
   * An empty hand whose reservoir draws from `rng`.
   * @example new FairHand(createRng('deal').child('fair'))
   */
  constructor(rng: Rng) {
    this.reservoir = new ReservoirR<number>(1, rng);
  }

  /** Cards dealt so far. */
  get dealt(): number {
    return this.reservoir.seen;
  }

  /** The held card (1-based position), 0 before the first card. */
  get held(): number {
    return this.heldCard;
  }

  /**
   * Deals the next card into the reservoir and reports whether it was kept.
   * @example hand.deal() // { card: 3, kept: false, replaced: 0, keepChance: 0.333… }
   */
  deal(): HandMove {
    const card = this.reservoir.seen + 1;
    const offer = this.reservoir.offer(card);
    const keepChance = 1 / card;
    if (!offer.kept) return { card, kept: false, replaced: 0, keepChance };
    const replaced = offer.evictedIndex >= 0 ? offer.evictedIndex + 1 : 0;
    this.heldCard = card;
    return { card, kept: true, replaced, keepChance };
  }
}

/** Counts of the held card over many seeded deals of `dealt` cards, for both rules. */
export interface DealTally {
  dealt: number;
  deals: number;
  seed: Seed;
  /** coin[i]: deals in which the coin flip ended holding card i + 1. */
  coin: Uint32Array;
  /** fair[i]: deals in which the 1/n rule (ReservoirR, k = 1) ended holding card i + 1. */
  fair: Uint32Array;
}

/** What simulateDeals runs. */
export interface DealSimulation {
  /** Cards per deal, ≥ 1. */
  dealt: number;
  /** Number of deals, ≥ 1. */
  deals: number;
  /** Root seed; the coin flips use child 'coin', the reservoirs child 'fair'. */
  seed: Seed;
  /** Deals between progress yields; default 2,000. */
  dealsPerSlice?: number;
}

/**
 * Deals `deals` times `dealt` cards under both rules and counts which card each rule ends up
 * holding; yields progress (0…1) every `dealsPerSlice` deals and returns the tally.
 * @example const tally = runNow(simulateDeals({ dealt: 10, deals: 20000, seed: 1 }));
 */
export function* simulateDeals(options: DealSimulation): Generator<number, DealTally, void> {
  const { dealt, deals, seed } = options;
  checkDealt(dealt, 'simulateDeals({ dealt })');
  if (!Number.isInteger(deals) || deals < 1) {
    throw new Error(`simulateDeals({ deals }) needs an integer ≥ 1, got ${String(deals)}`);
  }
  const perSlice = options.dealsPerSlice ?? 2000;
  const root = createRng(seed);
  const coinRng = root.child('coin');
  const fairRng = root.child('fair');
  const coin = new Uint32Array(dealt);
  const fair = new Uint32Array(dealt);
  const cards = Array.from({ length: dealt }, (_, i) => i);
  for (let d = 0; d < deals; d++) {
    // Coin flip: the held card is the last one whose flip came up heads (card 1 needs none).
    let held = 0;
    for (let i = 1; i < dealt; i++) if (coinRng.bernoulli(0.5)) held = i;
    coin[held]++;
    const reservoir = new ReservoirR<number>(1, fairRng);
    reservoir.offerAll(cards);
    fair[reservoir.items()[0]]++;
    if ((d + 1) % perSlice === 0 && d + 1 < deals) yield (d + 1) / deals;
  }
  return { dealt, deals, seed, coin, fair };
}

/** How far simulated counts are from a rule that gives every card the same chance. */
export interface FairnessCheck {
  /** Pearson's chi-square of the counts against equal expected counts. */
  chiSquare: number;
  /** Degrees of freedom: bins − 1. */
  degreesOfFreedom: number;
  /** The value a fair rule exceeds only one time in a thousand (chiSquareCritical001). */
  critical: number;
  /** Largest |count/trials − expected share| over the bins. */
  maxDeviation: number;
  /** chiSquare < critical. */
  passes: boolean;
}

/**
 * Tests counts of `trials` draws for an equal share `perBin` (1/bins for one card, k/bins for k
 * slots) in every bin; chi-square against trials · perBin each, critical value at p = 0.001.
 * @example checkFairness([480, 520], 1000, 0.5).passes // true
 */
export function checkFairness(
  counts: ArrayLike<number>,
  trials: number,
  perBin: number,
): FairnessCheck {
  if (counts.length < 2) {
    throw new Error(`checkFairness(counts) needs at least 2 bins, got ${counts.length}`);
  }
  if (!Number.isInteger(trials) || trials < 1) {
    throw new Error(`checkFairness(trials) needs an integer ≥ 1, got ${String(trials)}`);
  }
  if (!(perBin > 0 && perBin <= 1)) {
    throw new Error(`checkFairness(perBin) needs a share in (0, 1], got ${String(perBin)}`);
  }
  const expected = new Array<number>(counts.length).fill(trials * perBin);
  let maxDeviation = 0;
  for (let i = 0; i < counts.length; i++) {
    maxDeviation = Math.max(maxDeviation, Math.abs(counts[i] / trials - perBin));
  }
  const statistic = chiSquare(counts, expected);
  const degreesOfFreedom = counts.length - 1;
  const critical = chiSquareCritical001(degreesOfFreedom);
  return {
    chiSquare: statistic,
    degreesOfFreedom,
    critical,
    maxDeviation,
    passes: statistic < critical,
  };
}
