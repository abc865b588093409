import { BloomFilter, fmix32 } from '@explorables/bloom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWord,
  CANDIDATE_WORDS,
  checkWord,
  findFalsePositive,
  groupDigits,
  PRESET_WORDS,
  truncate2,
  wordHashes,
} from './anatomy.ts';

const small = () => new BloomFilter({ bits: 32, hashes: 3, seed: 1 });

describe('wordHashes', () => {
  it('wordHashes(filter, word) rows reproduce indicesOf for any word, m and k', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        (word, bits, hashes, seed) => {
          const filter = new BloomFilter({ bits, hashes, seed });
          const { rows, h1, h2 } = wordHashes(filter, word);
          expect(rows.map((r) => r.index)).toEqual(Array.from(filter.indicesOf(word)));
          expect([h1, h2]).toEqual(filter.hashPair(word));
          for (const row of rows) {
            expect(row.x).toBe((h1 + row.i * h2) % 2 ** 32);
            expect(row.mixed).toBe(fmix32(row.x));
            expect(row.scaled).toBe((row.mixed * bits) / 2 ** 32);
            expect(Math.floor(row.scaled)).toBe(row.index);
            expect(row.index).toBeLessThan(bits);
          }
        },
      ),
    );
  });

  it('wordHashes of the empty word still gives k rows', () => {
    expect(wordHashes(small(), '').rows.length).toBe(3);
  });
});

describe('addWord', () => {
  it('addWord on an empty filter reports every distinct index as newly set', () => {
    const filter = small();
    const result = addWord(filter, 'cat');
    expect(new Set(result.newlySet)).toEqual(new Set(result.indices));
    expect(filter.has('cat')).toBe(true);
    expect(filter.count).toBe(1);
  });

  it('addWord of the same word twice sets nothing new the second time', () => {
    const filter = small();
    addWord(filter, 'cat');
    expect(addWord(filter, 'cat').newlySet).toEqual([]);
  });

  it('addWord newlySet is exactly the bits that went from 0 to 1', () => {
    const filter = small();
    for (const word of PRESET_WORDS) {
      const before = filter.clone();
      const { newlySet } = addWord(filter, word);
      const changed: number[] = [];
      for (let i = 0; i < filter.bits; i++) {
        if (filter.getBit(i) && !before.getBit(i)) changed.push(i);
      }
      expect([...newlySet].sort((a, b) => a - b)).toEqual(changed);
    }
  });
});

describe('checkWord', () => {
  it('checkWord on an empty filter says absent and lists every bit as zero', () => {
    const result = checkWord(small(), [], 'cat');
    expect(result.verdict).toBe('absent');
    if (result.verdict === 'absent') {
      expect(new Set(result.zeroBits)).toEqual(new Set(result.indices));
    }
  });

  it('checkWord of an added word is always present (no false negatives)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 20 }), (words) => {
        const filter = small();
        for (const w of words) addWord(filter, w);
        for (const w of words) expect(checkWord(filter, words, w).verdict).toBe('present');
      }),
    );
  });

  it('checkWord names a false positive and the added words behind each of its bits', () => {
    const filter = small();
    const added = [...PRESET_WORDS];
    for (const w of added) addWord(filter, w);
    const fp = findFalsePositive(filter, added, CANDIDATE_WORDS);
    expect(fp).toBeDefined();
    const result = checkWord(filter, added, fp as string);
    expect(result.verdict).toBe('false-positive');
    if (result.verdict !== 'false-positive') return;
    expect(added).not.toContain(fp);
    for (const culprit of result.culprits) {
      expect(culprit.words.length).toBeGreaterThan(0);
      for (const w of culprit.words) expect(filter.indicesOf(w)).toContain(culprit.index);
    }
  });

  it('checkWord zero bits are exactly the unset bits among the word positions', () => {
    const filter = small();
    addWord(filter, 'cat');
    for (const word of CANDIDATE_WORDS) {
      const result = checkWord(filter, ['cat'], word);
      if (result.verdict !== 'absent') continue;
      const expected = [...new Set(result.indices)].filter((i) => !filter.getBit(i));
      expect(result.zeroBits).toEqual(expected);
      expect(result.zeroBits.length).toBeGreaterThan(0);
    }
  });
});

describe('findFalsePositive', () => {
  it('findFalsePositive returns undefined on an empty filter', () => {
    expect(findFalsePositive(small(), [], CANDIDATE_WORDS)).toBeUndefined();
  });

  it('findFalsePositive never returns an added word', () => {
    const filter = small();
    const added = ['ant', 'ape', 'bat'];
    for (const w of added) addWord(filter, w);
    expect(findFalsePositive(filter, added, added)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('truncate2 cuts instead of rounding, so the whole part is the bit index', () => {
    expect(truncate2(5.999)).toBe('5.99');
    expect(truncate2(5.29)).toBe('5.29');
    expect(truncate2(0)).toBe('0.00');
    expect(truncate2(31.9999999)).toBe('31.99');
    expect(truncate2(7.05)).toBe('7.05');
  });

  it('groupDigits puts commas every three digits', () => {
    expect(groupDigits(3141592653)).toBe('3,141,592,653');
    expect(groupDigits(0)).toBe('0');
  });

  it('CANDIDATE_WORDS holds no duplicates and no preset word', () => {
    expect(new Set(CANDIDATE_WORDS).size).toBe(CANDIDATE_WORDS.length);
    for (const w of PRESET_WORDS) expect(CANDIDATE_WORDS).not.toContain(w);
  });
});
