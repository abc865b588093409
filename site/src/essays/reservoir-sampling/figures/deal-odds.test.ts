import { createRng } from '@explorables/random';
import { ReservoirR } from '@explorables/reservoir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runNow } from './cards.ts';
import {
  CoinFlipHand,
  checkFairness,
  coinHeldChance,
  coinHeldChances,
  FairHand,
  fairHeldChance,
  fairHeldChances,
  simulateDeals,
} from './deal-odds.ts';

/** Exact odds of the coin rule by enumerating every sequence of dealt − 1 coin flips. */
function enumerateCoin(dealt: number): number[] {
  const odds = new Array<number>(dealt).fill(0);
  const sequences = 2 ** (dealt - 1);
  for (let flips = 0; flips < sequences; flips++) {
    let held = 0;
    for (let i = 1; i < dealt; i++) if (flips & (1 << (i - 1))) held = i;
    odds[held] += 1 / sequences;
  }
  return odds;
}

describe('coin-flip odds', () => {
  it('coinHeldChances(dealt) sums to 1 for every deal length 1…60', () => {
    for (let dealt = 1; dealt <= 60; dealt++) {
      const sum = coinHeldChances(dealt).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('coinHeldChances(dealt) equals the enumeration of every coin-flip sequence (dealt ≤ 12)', () => {
    for (let dealt = 1; dealt <= 12; dealt++) {
      const exact = enumerateCoin(dealt);
      coinHeldChances(dealt).forEach((p, i) => {
        expect(p).toBeCloseTo(exact[i], 14);
      });
    }
  });

  it('coinHeldChance gives the newest card 1/2 and halves per older card (forgetting)', () => {
    expect(coinHeldChance(10, 10)).toBe(0.5);
    expect(coinHeldChance(9, 10)).toBe(0.25);
    expect(coinHeldChance(2, 10)).toBe(2 ** -9);
    expect(coinHeldChance(1, 10)).toBe(2 ** -9);
    expect(coinHeldChance(1, 20)).toBeCloseTo(0.0000019, 7);
    expect(coinHeldChance(1, 1)).toBe(1);
  });

  it('coinHeldChance rejects a card outside 1…dealt and a bad deal length', () => {
    expect(() => coinHeldChance(0, 5)).toThrow(/1…5/);
    expect(() => coinHeldChance(6, 5)).toThrow(/1…5/);
    expect(() => coinHeldChance(1, 0)).toThrow(/≥ 1/);
    expect(() => coinHeldChance(1, Number.NaN)).toThrow(/≥ 1/);
  });
});

describe('1/n odds', () => {
  it('fairHeldChance(card, dealt) is 1/dealt for every card', () => {
    expect(fairHeldChances(4)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(fairHeldChance(1, 50)).toBe(0.02);
    expect(fairHeldChances(1)).toEqual([1]);
  });
});

describe('CoinFlipHand', () => {
  it('deal() always keeps the first card', () => {
    const hand = new CoinFlipHand(createRng(3));
    expect(hand.held).toBe(0);
    expect(hand.deal()).toEqual({ card: 1, kept: true, replaced: 0, keepChance: 1 });
    expect(hand.held).toBe(1);
  });

  it('deal() holds the last card whose coin came up heads, replacing the one held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer(), (dealt, seed) => {
        const hand = new CoinFlipHand(createRng(seed));
        let held = 0;
        for (let i = 0; i < dealt; i++) {
          const move = hand.deal();
          if (move.kept) {
            expect(move.replaced).toBe(held);
            held = move.card;
          }
          expect(hand.held).toBe(held);
        }
        expect(hand.dealt).toBe(dealt);
      }),
    );
  });

  it('simulateDeals counts the card a CoinFlipHand on the same rng ends up holding', () => {
    const tally = runNow(simulateDeals({ dealt: 7, deals: 300, seed: 'same' }));
    const rng = createRng('same').child('coin');
    const counts = new Uint32Array(7);
    for (let d = 0; d < 300; d++) {
      const hand = new CoinFlipHand(rng);
      for (let i = 0; i < 7; i++) hand.deal();
      counts[hand.held - 1]++;
    }
    expect(Array.from(tally.coin)).toEqual(Array.from(counts));
  });
});

describe('FairHand', () => {
  it('deal() follows the Offer of a ReservoirR(1) on the same seed', () => {
    const hand = new FairHand(createRng(11));
    const reservoir = new ReservoirR<number>(1, createRng(11));
    let held = 0;
    for (let card = 1; card <= 200; card++) {
      const move = hand.deal();
      const offer = reservoir.offer(card);
      expect(move.kept).toBe(offer.kept);
      expect(move.keepChance).toBe(1 / card);
      if (offer.kept) {
        expect(move.replaced).toBe(held);
        held = card;
      }
      expect(hand.held).toBe(reservoir.items()[0]);
    }
  });
});

describe('simulateDeals', () => {
  // 20,000 deals of 20 cards, seed 'odds': the figure's default.
  const tally = runNow(simulateDeals({ dealt: 20, deals: 20000, seed: 'odds' }));

  it('simulateDeals counts every deal once per rule', () => {
    expect(tally.coin.reduce((a, b) => a + b, 0)).toBe(20000);
    expect(tally.fair.reduce((a, b) => a + b, 0)).toBe(20000);
  });

  it('simulateDeals: the 1/n rule passes chi-square for fairness at p = 0.001 (seed "odds")', () => {
    const check = checkFairness(tally.fair, 20000, 1 / 20);
    expect(check.degreesOfFreedom).toBe(19);
    expect(check.chiSquare).toBeLessThan(check.critical);
    // Binomial sd of one card's share: sqrt(0.05 · 0.95 / 20,000) ≈ 0.0015; allow 4 sd.
    expect(check.maxDeviation).toBeLessThan(0.0062);
  });

  it('simulateDeals: the coin flip matches its closed form (each card within 4.5 binomial sd)', () => {
    const theory = coinHeldChances(20);
    theory.forEach((p, i) => {
      const sd = Math.sqrt(20000 * p * (1 - p));
      expect(Math.abs(tally.coin[i] - 20000 * p)).toBeLessThanOrEqual(4.5 * sd + 0.5);
    });
  });

  it('simulateDeals: the coin flip fails the fairness test by a wide margin', () => {
    const check = checkFairness(tally.coin, 20000, 1 / 20);
    expect(check.passes).toBe(false);
    expect(check.chiSquare).toBeGreaterThan(100 * check.critical);
  });

  it('simulateDeals with the same seed gives the same counts; another seed differs', () => {
    const again = runNow(simulateDeals({ dealt: 20, deals: 20000, seed: 'odds' }));
    const other = runNow(simulateDeals({ dealt: 20, deals: 20000, seed: 'other' }));
    expect(Array.from(again.fair)).toEqual(Array.from(tally.fair));
    expect(Array.from(other.fair)).not.toEqual(Array.from(tally.fair));
  });

  it('simulateDeals yields progress below 1 between slices', () => {
    const gen = simulateDeals({ dealt: 5, deals: 10, seed: 1, dealsPerSlice: 3 });
    const seen: number[] = [];
    let step = gen.next();
    while (!step.done) {
      seen.push(step.value);
      step = gen.next();
    }
    expect(seen).toEqual([0.3, 0.6, 0.9]);
  });

  it('simulateDeals with one card always holds it under both rules', () => {
    const one = runNow(simulateDeals({ dealt: 1, deals: 50, seed: 2 }));
    expect(Array.from(one.coin)).toEqual([50]);
    expect(Array.from(one.fair)).toEqual([50]);
  });

  it('simulateDeals rejects zero deals and a zero-card deal', () => {
    expect(() => runNow(simulateDeals({ dealt: 0, deals: 5, seed: 1 }))).toThrow(/dealt/);
    expect(() => runNow(simulateDeals({ dealt: 5, deals: 0, seed: 1 }))).toThrow(/deals/);
  });
});

describe('checkFairness', () => {
  it('checkFairness(counts) passes equal counts with chi-square 0', () => {
    const check = checkFairness([100, 100, 100, 100], 400, 0.25);
    expect(check.chiSquare).toBe(0);
    expect(check.maxDeviation).toBe(0);
    expect(check.passes).toBe(true);
  });

  it('checkFairness(counts) fails a lopsided tally', () => {
    expect(checkFairness([300, 100], 400, 0.5).passes).toBe(false);
  });

  it('checkFairness rejects one bin, no trials and a zero share', () => {
    expect(() => checkFairness([5], 5, 1)).toThrow(/2 bins/);
    expect(() => checkFairness([5, 5], 0, 0.5)).toThrow(/trials/);
    expect(() => checkFairness([5, 5], 10, 0)).toThrow(/perBin/);
  });
});
