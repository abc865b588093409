import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomModel } from './model/test-model.ts';
import { measureTtft, PromptCache } from './prompt-cache.ts';
import { createSession } from './session.ts';

const CONFIG = {
  dim: 16,
  hiddenDim: 24,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: 20,
  seqLen: 48,
};
const model = randomModel(CONFIG, 9);
/** Bytes of an entry of n tokens: 2 · 2 layers · n · kvDim 8 · 4 + 4n. */
const entryBytes = (n: number) => 2 * 2 * n * 8 * 4 + 4 * n;

function cold(tokens: number[]): Float32Array {
  return createSession(model).prefill(tokens);
}

describe('PromptCache', () => {
  it('run(session, tokens) on an empty cache computes everything and stores the prompt', () => {
    const cache = new PromptCache({ budgetBytes: 1e6 });
    const session = createSession(model);
    const tokens = [1, 4, 7, 2, 9];
    const r = cache.run(session, tokens);
    expect(r).toMatchObject({
      reusedTokens: 0,
      computedTokens: 5,
      hit: false,
      stored: 'new',
      entryBytes: entryBytes(5),
      evicted: 0,
      timing: null,
    });
    expect(r.entryBytes).toBe(session.kvState().sizeBytes + 4 * 5);
    expect(r.logits).toEqual(cold(tokens));
    expect(cache.stats()).toEqual({
      entries: 1,
      bytesUsed: entryBytes(5),
      budgetBytes: 1e6,
      hits: 0,
      misses: 1,
      evictions: 0,
      reusedTokens: 0,
      computedTokens: 5,
    });
  });

  it('run(session, prefix ++ suffix) reuses the prefix; logits equal a cold prefill', () => {
    const cache = new PromptCache({ budgetBytes: 1e6 });
    const session = createSession(model);
    const prefix = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 2, 4];
    cache.run(session, prefix);
    const other = createSession(model, { blockSize: 3 });
    other.prefill([5, 5, 5]); // a session in any state: run restores what it needs
    const full = [...prefix, 6, 8, 10];
    const r = cache.run(other, full);
    expect(r.hit).toBe(true);
    expect(r.reusedTokens).toBe(12);
    expect(r.computedTokens).toBe(3);
    expect(r.superseded).toBe(1); // the prefix's own entry is now part of the longer one
    // Exact: cached K/V rows are the same float32 values a cold prefill computes, and the
    // forward pass gives bit-identical results whatever the block split.
    expect(r.logits).toEqual(cold(full));
    expect(other.position).toBe(15);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1, reusedTokens: 12 });
  });

  it('run reuses the longest common prefix with any entry, even a partial one', () => {
    const cache = new PromptCache({ budgetBytes: 1e6 });
    const s = createSession(model);
    cache.run(s, [1, 2, 3, 4, 5]);
    cache.run(s, [1, 2, 9, 9]);
    expect(cache.peek([1, 2, 3, 7])).toBe(3);
    expect(cache.peek([1, 2, 9, 9, 9])).toBe(4);
    expect(cache.peek([2, 2])).toBe(0);
    const r = cache.run(s, [1, 2, 3, 7]);
    expect([r.reusedTokens, r.computedTokens]).toEqual([3, 1]);
    expect(r.logits).toEqual(cold([1, 2, 3, 7]));
  });

  it('run(session, same tokens) computes only the last token and does not store twice', () => {
    const cache = new PromptCache({ budgetBytes: 1e6 });
    const s = createSession(model);
    const tokens = [1, 6, 6, 6];
    cache.run(s, tokens);
    const again = cache.run(s, tokens);
    expect([again.reusedTokens, again.computedTokens, again.stored]).toEqual([
      3,
      1,
      'already-cached',
    ]);
    expect(again.logits).toEqual(cold(tokens));
    expect(cache.stats().entries).toBe(1);
    expect(cache.run(s, [3]).computedTokens).toBe(1);
  });

  it('run evicts the least recently used entry when the budget is full', () => {
    const cache = new PromptCache({ budgetBytes: 2 * entryBytes(4) });
    const s = createSession(model);
    const a = [1, 10, 11, 12];
    const b = [2, 10, 11, 12];
    const c = [3, 10, 11, 12];
    cache.run(s, a);
    cache.run(s, b);
    cache.run(s, a); // touches a: b is now the least recently used
    const r = cache.run(s, c);
    expect(r.evicted).toBe(1);
    expect(cache.peek(b)).toBe(0);
    expect(cache.peek(a)).toBe(3);
    expect(cache.entries().map((e) => e.tokens[0])).toEqual([1, 3]);
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 1, bytesUsed: 2 * entryBytes(4) });
  });

  it('run does not store an entry larger than the budget and says so', () => {
    const cache = new PromptCache({ budgetBytes: entryBytes(4) - 1 });
    const s = createSession(model);
    const r = cache.run(s, [1, 2, 3, 4]);
    expect(r.stored).toBe('too-large');
    expect(cache.stats()).toMatchObject({ entries: 0, bytesUsed: 0 });
    expect(cache.run(s, [1, 2, 3]).stored).toBe('new');
    const zero = new PromptCache({ budgetBytes: 0 });
    expect(zero.run(s, [1]).stored).toBe('too-large');
  });

  it('run keeps its invariants over random prompt sequences (property)', () => {
    const prompt = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(
        fc.array(prompt, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 4 }),
        (prompts, budgetEntries) => {
          const budget = budgetEntries * entryBytes(6);
          const cache = new PromptCache({ budgetBytes: budget });
          const s = createSession(model);
          for (const p of prompts) {
            let expected = 0;
            for (const e of cache.entries()) {
              let k = 0;
              while (k < p.length - 1 && k < e.tokens.length && e.tokens[k] === p[k]) k++;
              expected = Math.max(expected, k);
            }
            const r = cache.run(s, p);
            expect(r.reusedTokens).toBe(expected);
            expect(r.reusedTokens + r.computedTokens).toBe(p.length);
            expect(r.logits).toEqual(cold(p));
            const st = cache.stats();
            const entries = cache.entries();
            expect(st.bytesUsed).toBeLessThanOrEqual(budget);
            expect(st.bytesUsed).toBe(entries.reduce((a, e) => a + e.sizeBytes, 0));
            expect(st.entries).toBe(entries.length);
          }
        },
      ),
      { numRuns: 40, seed: 42 },
    );
  });

  it('run rejects empty, invalid or too long prompts and a session of another model', () => {
    const cache = new PromptCache({ budgetBytes: 1e6 });
    const s = createSession(model, { cacheLength: 8 });
    expect(() => cache.run(s, [])).toThrow(/no tokens/);
    expect(() => cache.run(s, [1, 20])).toThrow(/token 1 is 20/);
    expect(() => cache.run(s, [1.5])).toThrow(/token 0 is 1\.5/);
    expect(() => cache.run(s, new Array(9).fill(1))).toThrow(/cache of 8/);
    cache.run(s, [1, 2]);
    const otherModel = randomModel(CONFIG, 10);
    expect(() => cache.run(createSession(otherModel), [1, 2])).toThrow(/different model/);
    expect(() => new PromptCache({ budgetBytes: -1 })).toThrow(/budgetBytes -1/);
    expect(() => new PromptCache({ budgetBytes: Number.NaN })).toThrow(/budgetBytes NaN/);
  });

  it('clear() empties the cache and keeps the totals', () => {
    const cache = new PromptCache({ budgetBytes: 1e6 });
    const s = createSession(model);
    cache.run(s, [1, 2, 3]);
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytesUsed: 0, misses: 1 });
    expect(cache.run(s, [1, 2, 3]).hit).toBe(false);
  });
});

describe('measureTtft', () => {
  it('measureTtft(model, { prefix, suffixes, now }) reads the given clock, counts tokens', () => {
    let tick = 0;
    const now = () => {
      tick += 10;
      return tick;
    };
    const prefix = [1, 3, 5, 7, 9, 11, 13, 15];
    const suffixes = [[2, 4], [6, 8, 10], [12]];
    const r = measureTtft(model, { prefix, suffixes, now });
    // Each timed span is two consecutive clock reads: 10 ms apart with this clock.
    expect(r.primeMs).toBe(10);
    expect(r.prefixTokens).toBe(8);
    expect(r.runs).toEqual(
      suffixes.map((s) => ({
        suffixTokens: s.length,
        coldMs: 10,
        warmMs: 20,
        storeMs: 10,
        reusedTokens: 8,
        computedTokens: s.length,
        logitsEqual: true,
      })),
    );
    expect([r.coldMeanMs, r.warmMeanMs, r.speedup]).toEqual([10, 20, 0.5]);
  });

  it('measureTtft rejects an empty prefix, no suffixes and empty suffixes', () => {
    const now = () => 0;
    expect(() => measureTtft(model, { prefix: [], suffixes: [[1]], now })).toThrow(/prefix/);
    expect(() => measureTtft(model, { prefix: [1], suffixes: [], now })).toThrow(/suffixes/);
    expect(() => measureTtft(model, { prefix: [1], suffixes: [[2], []], now })).toThrow(/suffix 1/);
    const r = measureTtft(model, { prefix: [1], suffixes: [[2]], now });
    expect(r.speedup).toBe(Number.POSITIVE_INFINITY);
  });
});
