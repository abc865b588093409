import { describe, expect, it } from 'vitest';
import {
  barTicks,
  cardName,
  formatChance,
  formatCount,
  niceCeiling,
  runInSlices,
  runNow,
  suitOf,
} from './cards.ts';

function* counter(steps: number): Generator<number, string, void> {
  for (let i = 1; i < steps; i++) yield i / steps;
  return `done after ${steps}`;
}

describe('cards', () => {
  it('suitOf(position) cycles ♠ ♥ ♦ ♣ from card 1', () => {
    expect([1, 2, 3, 4, 5, 52].map(suitOf)).toEqual(['♠', '♥', '♦', '♣', '♠', '♣']);
  });

  it('suitOf and cardName reject 0, fractions and NaN', () => {
    expect(() => suitOf(0)).toThrow(/1-based/);
    expect(() => suitOf(1.5)).toThrow(/1-based/);
    expect(() => cardName(Number.NaN)).toThrow(/1-based/);
  });

  it('cardName(6) names the position and the suit', () => {
    expect(cardName(6)).toBe('card 6 of hearts');
  });

  it('formatChance prints two significant digits in plain decimals down to 10^-6', () => {
    expect(formatChance(1 / 2 ** 19)).toBe('0.0000019');
    expect(formatChance(0.25)).toBe('0.25');
    expect(formatChance(1 / 3)).toBe('0.33');
    expect(formatChance(0.5)).toBe('0.5');
    expect(formatChance(1)).toBe('1');
    expect(formatChance(0)).toBe('0');
  });

  it('formatChance switches to a power of ten below 10^-6', () => {
    expect(formatChance(2 ** -49)).toBe('1.8 × 10⁻¹⁵');
    expect(formatChance(5e-7)).toBe('5.0 × 10⁻⁷');
  });

  it('formatChance rejects NaN, negatives and values above 1', () => {
    expect(() => formatChance(Number.NaN)).toThrow(/probability/);
    expect(() => formatChance(-0.1)).toThrow(/probability/);
    expect(() => formatChance(1.5)).toThrow(/probability/);
  });

  it('formatCount(20000) uses a comma separator', () => {
    expect(formatCount(20000)).toBe('20,000');
  });

  it('runNow(generator) returns the generator result', () => {
    expect(runNow(counter(5))).toBe('done after 5');
  });

  it('runInSlices(generator) calls onDone with the result and reports progress', async () => {
    const progress: number[] = [];
    const result = await new Promise<string>((resolve) => {
      runInSlices(counter(4), { onProgress: (f) => progress.push(f), onDone: resolve, sliceMs: 0 });
    });
    expect(result).toBe('done after 4');
    expect(progress.length).toBeGreaterThan(0);
    for (const f of progress) expect(f).toBeLessThan(1);
  });

  it('runInSlices(generator) then cancel() never calls onDone', async () => {
    let done = false;
    const cancel = runInSlices(counter(4), { onDone: () => (done = true) });
    cancel();
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
  });
});

describe('axis helpers', () => {
  it('niceCeiling(v) rounds up to 1, 2, 3, 4, 5, 6 or 8 times a power of ten', () => {
    expect(niceCeiling(0.057)).toBe(0.06);
    expect(niceCeiling(0.3)).toBe(0.3);
    expect(niceCeiling(0.023)).toBe(0.03);
    expect(niceCeiling(0.26)).toBe(0.3);
    expect(niceCeiling(0.54)).toBe(0.6);
    expect(niceCeiling(9)).toBe(10);
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(Number.NaN)).toBe(1);
  });

  it('barTicks(count, band) labels every bar when there is room', () => {
    expect(barTicks(5, 30)).toEqual([1, 2, 3, 4, 5]);
    expect(barTicks(1, 30)).toEqual([1]);
  });

  it('barTicks(count, band) keeps 1 and the last and drops multiples that crowd them', () => {
    expect(barTicks(20, 12)).toEqual([1, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(barTicks(20, 10)).toEqual([1, 5, 10, 15, 20]);
    expect(barTicks(52, 6)).toEqual([1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 52]);
    expect(barTicks(0, 10)).toEqual([]);
  });
});
