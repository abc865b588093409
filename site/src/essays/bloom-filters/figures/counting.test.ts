import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionsOf, presetWords, RemovalPair, WORD_POOL } from './counting.ts';

const shape = { cells: 24, hashes: 3, seed: 0 };

describe('counting figure logic', () => {
  it('presetWords(pool, 4, shape) starts with two words that share a position, for seeds 0…49', () => {
    for (let seed = 0; seed < 50; seed++) {
      const s = { ...shape, seed };
      const words = presetWords(WORD_POOL, 4, s);
      expect(words).toHaveLength(4);
      expect(new Set(words).size).toBe(4);
      const a = positionsOf(words[0], s);
      const b = new Set(positionsOf(words[1], s));
      expect(a.some((p) => b.has(p))).toBe(true);
    }
  });

  it('presetWords(pool) throws when no pair shares a position', () => {
    expect(() => presetWords(['apple'], 4, shape)).toThrow(/no two/);
  });

  it('positionsOf(word) gives sorted distinct positions inside the cells', () => {
    const p = positionsOf('apple', shape);
    expect(p.length).toBeGreaterThanOrEqual(1);
    expect(p.length).toBeLessThanOrEqual(3);
    for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
    for (const x of p) expect(x).toBeLessThan(24);
    expect([...p].sort((x, y) => x - y)).toEqual(p);
  });

  it('RemovalPair.remove(first preset) knocks out the second in the plain filter only', () => {
    const words = presetWords(WORD_POOL, 4, shape);
    const pair = new RemovalPair(shape);
    for (const w of words) pair.add(w);
    const knocked = pair.remove(words[0]);
    expect(knocked).toContain(words[1]);
    const status = pair.statuses();
    const second = status.find((s) => s.word === words[1])!;
    expect(second.plainFalseNegative).toBe(true);
    expect(second.countingSays).toBe(true);
    for (const s of status) if (s.inSet) expect(s.countingSays).toBe(true);
    expect(pair.lastRemoved).toBe(words[0]);
  });

  it('RemovalPair.remove(word) throws for a word that is not in the set', () => {
    const pair = new RemovalPair(shape);
    expect(() => pair.remove('apple')).toThrow(/not in the set/);
  });

  it('RemovalPair counting filter never rejects a word in the set (any adds and removals)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...WORD_POOL), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat(1000),
        (words, removals, seed) => {
          const pair = new RemovalPair({ ...shape, seed });
          for (const w of words) pair.add(w);
          for (const r of removals) {
            const present = words.filter((w) => pair.inSet(w));
            if (present.length === 0) break;
            pair.remove(present[r % present.length]);
          }
          for (const s of pair.statuses()) if (s.inSet) expect(s.countingSays).toBe(true);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});
