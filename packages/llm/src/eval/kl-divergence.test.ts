import { describe, expect, it } from 'vitest';
import type { EvalChunk } from './chunks.ts';
import { klDivergence, kldSummary } from './kl-divergence.ts';
import { readKldBase } from './kld-base.ts';
import { writeKldBase } from './perplexity.ts';
import { decodeLogProb } from './softmax.ts';
import { bigramModel, concatBytes, randomTokens } from './test-model.ts';

async function baseFor(evalChunk: EvalChunk, tokens: Int32Array, nCtx: number, nVocab: number) {
  const pieces: Uint8Array[] = [];
  const it = writeKldBase({ tokens, nCtx, nVocab, evalChunk, bosId: 1 });
  let step = await it.next();
  while (!step.done) {
    pieces.push(step.value);
    step = await it.next();
  }
  return { base: await readKldBase(concatBytes(pieces)), ppl: step.value };
}

function logSoftmax(row: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of row) max = Math.max(max, x);
  let s = 0;
  for (const x of row) s += Math.exp(x - max);
  const lse = Math.log(s) + max;
  return Float64Array.from(row, (x) => x - lse);
}

describe('klDivergence', () => {
  const nVocab = 64;
  const nCtx = 64;
  const p = bigramModel(nVocab, 101, { sdNats: 4 });
  const q = bigramModel(nVocab, 102, { from: p.table, noise: 0.3 });
  const tokens = randomTokens(nCtx * 8 + 11, nVocab, 103);

  it('klDivergence of a model against its own base is only compression error (< 1e-4 per token)', async () => {
    const { base, ppl } = await baseFor(p.evalChunk, tokens, nCtx, nVocab);
    const r = await klDivergence({ base, evalChunk: p.evalChunk, bosId: 1 });
    expect(r.count).toBe(8 * 31);
    const s = r.summary!;
    expect(Math.max(s.kldDistribution.max, -s.kldDistribution.min)).toBeLessThan(1e-4);
    // The mean is compression noise: zero within 4 standard errors (248 tokens here; llama.cpp's
    // 97,409-token self-KLD prints 0.000000).
    expect(Math.abs(s.kld.value)).toBeLessThan(4 * s.kld.err);
    expect(Math.abs(s.kld.value)).toBeLessThan(1e-5);
    expect(Math.abs(s.rmsDeltaP.value)).toBeLessThan(1e-4);
    expect(s.sameTop.value).toBeGreaterThan(0.99);
    // Mean PPL(Q) is the base run's float-NLL perplexity, exactly
    expect(s.pplQ.value).toBe(ppl.ppl);
  });

  it('klDivergence of a perturbed model matches a brute-force KLD over the decoded base', async () => {
    const { base } = await baseFor(p.evalChunk, tokens, nCtx, nVocab);
    const r = await klDivergence({ base, evalChunk: q.evalChunk, bosId: 1 });
    let sum = 0;
    let exactSum = 0;
    let count = 0;
    for (let c = 0; c < base.nChunk; c++) {
      const chunk = await base.readChunk(c);
      const input = base.tokens.slice(c * nCtx, (c + 1) * nCtx);
      input[0] = 1;
      const ql = q.evalChunk(input, { chunkIndex: c, firstOutputPosition: 32 }) as Float32Array;
      const pl = p.evalChunk(input, { chunkIndex: c, firstOutputPosition: 32 }) as Float32Array;
      for (let j = 0; j < chunk.nPositions; j++) {
        const row = (32 + j) * nVocab;
        const lq = logSoftmax(ql.subarray(row, row + nVocab));
        const lp = logSoftmax(pl.subarray(row, row + nVocab));
        let kld = 0;
        let exact = 0;
        for (let i = 0; i < nVocab; i++) {
          const lb = decodeLogProb(
            chunk.scale[j],
            chunk.minLogProb[j],
            chunk.codes[j * nVocab + i],
          );
          if (lb > -16) kld += Math.exp(lb) * (lb - lq[i]);
          exact += Math.exp(lp[i]) * (lp[i] - lq[i]);
        }
        sum += kld;
        exactSum += exact;
        count++;
      }
    }
    const s = r.summary!;
    expect(r.count).toBe(count);
    expect(Math.abs(s.kld.value / (sum / count) - 1)).toBeLessThan(1e-5);
    // and close to the true, uncompressed, unclamped KLD (compression and clamp error only)
    expect(Math.abs(s.kld.value / (exactSum / count) - 1)).toBeLessThan(1e-2);
    expect(s.kld.value).toBeGreaterThan(0.01);
    expect(s.sameTop.value).toBeLessThan(1);
  });

  it('klDivergence rows follow the running sums and the summary follows llama.cpp formulas', async () => {
    const { base } = await baseFor(p.evalChunk, tokens, nCtx, nVocab);
    const rows: number[] = [];
    const r = await klDivergence({
      base,
      evalChunk: q.evalChunk,
      bosId: 1,
      onProgress: (c) => rows.push(c),
    });
    expect(rows).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.rows.length).toBe(8);
    const last = r.rows[7];
    const s = r.summary!;
    expect(last.ppl).toEqual(s.pplQ);
    expect(last.kld).toEqual(s.kld);
    expect(last.sameTop).toEqual(s.sameTop);
    expect(last.rmsDeltaP).toEqual(s.rmsDeltaP);
    expect(last.lnPplRatio).toEqual(s.lnPplRatio);
    const n = r.count;
    expect(s.sameTop.value).toBe(r.sums.nSameTop / n);
    expect(s.sameTop.err).toBe(Math.sqrt((s.sameTop.value * (1 - s.sameTop.value)) / (n - 1)));
    expect(s.pplRatio.value).toBe(Math.exp(s.lnPplRatio.value));
    expect(s.pplDiff.value).toBe(s.pplQ.value - s.pplBase.value);
    expect(s.rmsDeltaP.value).toBe(Math.sqrt(r.sums.sumPDiff2 / n));
    expect(s.corLnPpl).toBeGreaterThan(0.5);
    expect(s.corLnPpl).toBeLessThanOrEqual(1.0000001);
    const sorted = r.kldValues.slice().sort();
    expect(s.kldDistribution.max).toBe(sorted[n - 1]);
    expect(s.kldDistribution.min).toBe(sorted[0]);
    expect(s.deltaPDistribution.p25).toBeLessThanOrEqual(s.deltaPDistribution.median);
    expect(r.printsStatistics).toBe(true);
  });

  it('klDivergence clamps the base: a target more than 16 nats below the top costs 16 + lse', async () => {
    // Base model: token 3 always 40 nats below token 0; the stream is all 3s.
    const nV = 4;
    const base: EvalChunk = (t) => {
      const out = new Float32Array(t.length * nV);
      for (let p2 = 0; p2 < t.length; p2++) out.set([10, 0, 0, -30], p2 * nV);
      return out;
    };
    const stream = new Int32Array(40).fill(3);
    const { base: file, ppl } = await baseFor(base, stream, 10, nV);
    const r = await klDivergence({ base: file, evalChunk: base, bosId: 1 });
    const lse = Math.log(1 + 2 * Math.exp(-10) + Math.exp(-40));
    expect(Math.log(ppl.ppl)).toBeCloseTo(40 + lse, 4);
    expect(Math.log(r.summary!.pplBase.value)).toBeCloseTo(16 + lse, 4);
    expect(Math.log(r.summary!.pplQ.value)).toBeCloseTo(40 + lse, 4);
  });

  it('klDivergence with chunks evaluates only the first chunks and skips statistics below 100', async () => {
    const { base } = await baseFor(p.evalChunk, tokens, nCtx, nVocab);
    const r = await klDivergence({ base, evalChunk: q.evalChunk, bosId: 1, chunks: 2 });
    expect(r.chunks).toBe(2);
    expect(r.count).toBe(62);
    expect(r.printsStatistics).toBe(false);
    await expect(
      klDivergence({ base, evalChunk: q.evalChunk, bosId: 1, chunks: 0 }),
    ).rejects.toThrow(/chunks = 0/);
  });

  it('kldSummary rejects value arrays that do not match the count', () => {
    expect(() =>
      kldSummary(
        {
          sumNll: 0,
          sumNll2: 0,
          sumNllBase: 0,
          sumNllBase2: 0,
          sumNllNllBase: 0,
          sumKld: 0,
          sumKld2: 0,
          sumPDiff: 0,
          sumPDiff2: 0,
          sumPDiff4: 0,
          maxPDiff: 0,
          nSameTop: 0,
          count: 3,
        },
        new Float32Array(2),
        new Float32Array(3),
      ),
    ).toThrow(/count 3, 2 KLD values/);
  });
});
