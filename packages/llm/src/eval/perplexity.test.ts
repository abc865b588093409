import { describe, expect, it } from 'vitest';
import { chunkCount, type EvalChunk, firstScoredPosition, scoredPerChunk } from './chunks.ts';
import { perplexity, writeKldBase } from './perplexity.ts';
import { bigramModel, concatBytes, randomTokens } from './test-model.ts';

const f = Math.fround;

/** Independent per-token NLL with llama.cpp's float steps, written as plainly as possible. */
function referenceNll(row: Float32Array, tok: number): number {
  const values = Array.from(row);
  const max = Math.max(...values);
  const terms = values.map((x) => f(Math.exp(f(x - max))));
  let sum = 0;
  for (const t of terms) sum += t;
  return Math.log(sum) - f(row[tok] - max);
}

/** The same NLL in pure double precision (no float rounding anywhere). */
function doubleNll(row: Float32Array, tok: number): number {
  const values = Array.from(row);
  const max = Math.max(...values);
  const sum = values.reduce((s, x) => s + Math.exp(x - max), 0);
  return Math.log(sum) + max - row[tok];
}

async function bruteForce(
  tokens: Int32Array,
  nCtx: number,
  nVocab: number,
  evalChunk: EvalChunk,
  nll: (row: Float32Array, tok: number) => number,
) {
  const nChunk = Math.floor(tokens.length / nCtx);
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  for (let c = 0; c < nChunk; c++) {
    const input = tokens.slice(c * nCtx, (c + 1) * nCtx);
    input[0] = 1;
    const logits = await evalChunk(input, { chunkIndex: c, firstOutputPosition: nCtx >> 1 });
    for (let p = Math.floor(nCtx / 2); p <= nCtx - 2; p++) {
      const v = nll(logits.subarray(p * nVocab, (p + 1) * nVocab), tokens[c * nCtx + p + 1]);
      sum += v;
      sum2 += v * v;
      count++;
    }
  }
  return { sum, sum2, count };
}

describe('chunking', () => {
  it('chunkCount(196604, 256) is 767 chunks scoring 767 × 127 = 97,409 tokens', () => {
    expect(chunkCount(196604, 256)).toBe(767);
    expect(scoredPerChunk(256)).toBe(127);
    expect(767 * scoredPerChunk(256)).toBe(97409);
    expect(chunkCount(196604, 512)).toBe(383);
    expect(383 * scoredPerChunk(512)).toBe(97665);
  });

  it('chunkCount requires at least 2·nCtx tokens, as llama.cpp does', () => {
    expect(chunkCount(512, 256)).toBe(2);
    expect(() => chunkCount(511, 256)).toThrow(
      /at least 512 tokens .* context of 256; the input tokenizes to only 511 tokens/,
    );
    expect(() => chunkCount(0, 256)).toThrow(/at least 512/);
  });

  it('chunkCount caps at `chunks` and rejects zero or fractional counts', () => {
    expect(chunkCount(10000, 256, 5)).toBe(5);
    expect(chunkCount(10000, 256, 500)).toBe(39);
    expect(chunkCount(10000, 256, -1)).toBe(39);
    expect(() => chunkCount(10000, 256, 0)).toThrow(/chunks = 0/);
    expect(() => chunkCount(10000, 256, 1.5)).toThrow(/chunks = 1.5/);
  });

  it('chunkCount rejects a context too small to score any token', () => {
    expect(() => chunkCount(100, 2)).toThrow(/nCtx = 2/);
    expect(() => chunkCount(100, Number.NaN)).toThrow(/nCtx = NaN/);
    expect(firstScoredPosition(3)).toBe(1);
    expect(scoredPerChunk(3)).toBe(1);
    expect(scoredPerChunk(7)).toBe(3);
  });
});

describe('perplexity', () => {
  it('perplexity over 196,604 tokens at nCtx 256 evaluates 767 chunks and scores 97,409', async () => {
    const nVocab = 6;
    const model = bigramModel(nVocab, 11);
    const tokens = randomTokens(196604, nVocab, 12);
    const r = await perplexity({ tokens, nCtx: 256, nVocab, evalChunk: model.evalChunk, bosId: 1 });
    expect(r.chunks).toBe(767);
    expect(r.nScored).toBe(97409);
    expect(r.runningPpl.length).toBe(767);
    expect(model.calls.length).toBe(767);
    expect(r.runningPpl[766]).toBe(r.ppl);
  });

  it('perplexity replaces the first token of every chunk by BOS and nothing else', async () => {
    const nVocab = 8;
    const model = bigramModel(nVocab, 3);
    const tokens = randomTokens(64 * 5 + 17, nVocab, 4);
    const before = tokens.slice();
    await perplexity({ tokens, nCtx: 64, nVocab, evalChunk: model.evalChunk, bosId: 7 });
    expect(model.calls.length).toBe(5);
    model.calls.forEach((input, c) => {
      expect(input[0]).toBe(7);
      expect(Array.from(input.subarray(1))).toEqual(
        Array.from(tokens.subarray(c * 64 + 1, c * 64 + 64)),
      );
    });
    expect(tokens).toEqual(before); // the caller's stream is untouched
  });

  it('perplexity with addBos false feeds the chunk unchanged', async () => {
    const nVocab = 8;
    const model = bigramModel(nVocab, 3);
    const tokens = randomTokens(128, nVocab, 4);
    await perplexity({
      tokens,
      nCtx: 64,
      nVocab,
      evalChunk: model.evalChunk,
      bosId: 7,
      addBos: false,
    });
    expect(model.calls[1]).toEqual(tokens.slice(64, 128));
  });

  it('perplexity scores only positions nCtx/2 … nCtx-2 (NaN logits elsewhere change nothing)', async () => {
    const nVocab = 5;
    const nCtx = 10;
    const model = bigramModel(nVocab, 21);
    const poisoned: EvalChunk = (t, info) => {
      const out = model.evalChunk(t, info) as Float32Array;
      for (let p = 0; p < nCtx; p++) {
        if (p < 5 || p === 9) out.fill(Number.NaN, p * nVocab, (p + 1) * nVocab);
      }
      return out;
    };
    const tokens = randomTokens(40, nVocab, 22);
    const clean = await perplexity({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 0 });
    const r = await perplexity({ tokens, nCtx, nVocab, evalChunk: poisoned, bosId: 0 });
    expect(r.nScored).toBe(4 * 4);
    expect(r.ppl).toBe(clean.ppl);
  });

  it('perplexity predicts token p+1 from the row of position p', async () => {
    // A model that puts all mass on token (p+1) mod nVocab at position p scores ~0 NLL on a
    // counting stream, and a huge NLL when shifted by one.
    const nVocab = 4;
    const counting = new Int32Array(32).map((_, i) => i % nVocab);
    const oracle: EvalChunk = (t) => {
      const out = new Float32Array(t.length * nVocab).fill(-50);
      for (let p = 0; p < t.length; p++) out[p * nVocab + ((p + 1) % nVocab)] = 50;
      return out;
    };
    const r = await perplexity({ tokens: counting, nCtx: 8, nVocab, evalChunk: oracle, bosId: 0 });
    expect(r.ppl).toBeCloseTo(1, 12);
    const shifted: EvalChunk = (t) => {
      const out = new Float32Array(t.length * nVocab).fill(-50);
      for (let p = 0; p < t.length; p++) out[p * nVocab + ((p + 2) % nVocab)] = 50;
      return out;
    };
    const s = await perplexity({ tokens: counting, nCtx: 8, nVocab, evalChunk: shifted, bosId: 0 });
    expect(Math.log(s.ppl)).toBeCloseTo(100, 4);
  });

  it('perplexity equals an independent brute-force sum with the same float steps (1e-12)', async () => {
    const nVocab = 32;
    const nCtx = 48;
    const model = bigramModel(nVocab, 5, { sdNats: 4 });
    const tokens = randomTokens(nCtx * 9 + 5, nVocab, 6);
    const r = await perplexity({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 1 });
    const ref = await bruteForce(tokens, nCtx, nVocab, model.evalChunk, referenceNll);
    expect(r.nScored).toBe(ref.count);
    expect(Math.abs(r.ppl / Math.exp(ref.sum / ref.count) - 1)).toBeLessThan(1e-12);
    const mean = ref.sum / ref.count;
    const sd = Math.sqrt((ref.sum2 / ref.count - mean * mean) / (ref.count - 1));
    expect(Math.abs(r.pplStdErr / (sd * r.ppl) - 1)).toBeLessThan(1e-9);
  });

  it('perplexity is within 1e-6 relative of a pure double-precision log-softmax', async () => {
    const nVocab = 32;
    const nCtx = 48;
    const model = bigramModel(nVocab, 5, { sdNats: 4 });
    const tokens = randomTokens(nCtx * 9, nVocab, 6);
    const r = await perplexity({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 1 });
    const ref = await bruteForce(tokens, nCtx, nVocab, model.evalChunk, doubleNll);
    expect(Math.abs(r.ppl / Math.exp(ref.sum / ref.count) - 1)).toBeLessThan(1e-6);
  });

  it('perplexity reports llama.cpp stderr = ppl · sqrt((E[nll²] - E[nll]²) / (n - 1))', async () => {
    const nVocab = 8;
    const model = bigramModel(nVocab, 8);
    const tokens = randomTokens(200, nVocab, 9);
    const r = await perplexity({ tokens, nCtx: 20, nVocab, evalChunk: model.evalChunk, bosId: 0 });
    const mean = r.nllSum / r.nScored;
    const variance = r.nll2Sum / r.nScored - mean * mean;
    expect(r.pplStdErr).toBe(Math.sqrt(variance / (r.nScored - 1)) * Math.exp(mean));
    expect(r.meanNll).toBe(mean);
    let total = 0;
    for (const s of r.chunkNllSum) total += s;
    expect(total).toBeCloseTo(r.nllSum, 10);
  });

  it('perplexity gives NaN stderr when every token has the same NLL (llama.cpp errors there)', async () => {
    const flat: EvalChunk = (t) => new Float32Array(t.length * 4);
    const r = await perplexity({
      tokens: new Int32Array(16),
      nCtx: 8,
      nVocab: 4,
      evalChunk: flat,
      bosId: 0,
    });
    expect(r.ppl).toBeCloseTo(4, 12);
    expect(r.pplStdErr).toBeNaN();
  });

  it('perplexity accepts logits for only the scored half of the chunk', async () => {
    const nVocab = 8;
    const nCtx = 16;
    const model = bigramModel(nVocab, 31);
    const half: EvalChunk = (t, info) => {
      const all = model.evalChunk(t, info) as Float32Array;
      return all.slice(info.firstOutputPosition * nVocab);
    };
    const tokens = randomTokens(80, nVocab, 32);
    const a = await perplexity({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 1 });
    const b = await perplexity({ tokens, nCtx, nVocab, evalChunk: half, bosId: 1 });
    expect(b.ppl).toBe(a.ppl);
  });

  it('perplexity awaits an async model and reports progress after every chunk', async () => {
    const nVocab = 8;
    const model = bigramModel(nVocab, 2);
    const tokens = randomTokens(100, nVocab, 3);
    const seen: Array<[number, number, number]> = [];
    const r = await perplexity({
      tokens,
      nCtx: 20,
      nVocab,
      evalChunk: async (t, info) => model.evalChunk(t, info),
      bosId: 0,
      onProgress: (c, n, p) => seen.push([c, n, p]),
    });
    expect(seen.map((s) => s[0])).toEqual([1, 2, 3, 4, 5]);
    expect(seen.every((s) => s[1] === 5)).toBe(true);
    expect(seen[4][2]).toBe(r.ppl);
  });

  it('perplexity stops with the signal reason when aborted between chunks', async () => {
    const nVocab = 8;
    const model = bigramModel(nVocab, 2);
    const signal = { aborted: false, reason: new Error('user cancelled') };
    const run = perplexity({
      tokens: randomTokens(100, nVocab, 3),
      nCtx: 20,
      nVocab,
      evalChunk: model.evalChunk,
      bosId: 0,
      signal,
      onProgress: (c) => {
        if (c === 2) signal.aborted = true;
      },
    });
    await expect(run).rejects.toThrow('user cancelled');
    expect(model.calls.length).toBe(2);
  });

  it('perplexity rejects a wrong logits length, bad token ids and a bad BOS id', async () => {
    const tokens = new Int32Array(40);
    const short: EvalChunk = () => new Float32Array(7);
    await expect(
      perplexity({ tokens, nCtx: 10, nVocab: 4, evalChunk: short, bosId: 0 }),
    ).rejects.toThrow(/returned 7 logits for chunk 0; expected .* 40 .* 20/);
    const bad = tokens.slice();
    bad[13] = 9;
    const model = bigramModel(4, 1);
    await expect(
      perplexity({ tokens: bad, nCtx: 10, nVocab: 4, evalChunk: model.evalChunk, bosId: 0 }),
    ).rejects.toThrow(/token 13 \(chunk 1, position 3\) is 9, outside the vocabulary \[0, 4\)/);
    await expect(
      perplexity({ tokens, nCtx: 10, nVocab: 4, evalChunk: model.evalChunk, bosId: 4 }),
    ).rejects.toThrow(/bosId = 4/);
    await expect(
      perplexity({
        tokens: new Int32Array(19),
        nCtx: 10,
        nVocab: 4,
        evalChunk: model.evalChunk,
        bosId: 0,
      }),
    ).rejects.toThrow(/at least 20 tokens/);
  });
});

describe('writeKldBase', () => {
  it('writeKldBase yields the header then one piece per chunk and returns a float-NLL PPL', async () => {
    const nVocab = 16;
    const nCtx = 32;
    const model = bigramModel(nVocab, 41);
    const tokens = randomTokens(nCtx * 4 + 3, nVocab, 42);
    const it = writeKldBase({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 1 });
    const pieces: Uint8Array[] = [];
    let step = await it.next();
    while (!step.done) {
      pieces.push(step.value);
      step = await it.next();
    }
    const result = step.value;
    expect(pieces.length).toBe(5);
    expect(pieces[0].length).toBe(20 + 4 * nCtx * 4);
    for (const p of pieces.slice(1)) expect(p.length).toBe(15 * (nVocab + 4) * 2);
    expect(concatBytes(pieces).length).toBe(20 + 4 * 128 + 4 * 15 * 20 * 2);
    expect(result.mode).toBe('kld-base');
    const plain = await perplexity({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 1 });
    expect(plain.mode).toBe('plain');
    // float NLL vs double NLL: same value to float precision, not bit-identical
    expect(Math.abs(result.ppl / plain.ppl - 1)).toBeLessThan(1e-6);
  });
});
