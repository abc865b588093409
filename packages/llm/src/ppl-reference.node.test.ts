// stories260K perplexity and KL divergence against llama.cpp's own printed numbers
// (/work/shared/reference/llamacpp-ppl). By default the first 24 chunks at n_ctx 256 (a few
// seconds); EXPLORABLES_PPL_CHUNKS=N runs N chunks, =all the whole text (767 chunks, minutes) and
// prints the whole-text figures.

import { describeShared, readShared } from '@explorables/testkit';
import { beforeAll, expect, it } from 'vitest';
import type { KldResult } from './eval/kl-divergence.ts';
import { type KldBaseReader, readKldBase } from './eval/kld-base.ts';
import { type LlamaCppReport, parseLlamaCppReport } from './eval/parse-report.ts';
import type { PerplexityResult } from './eval/perplexity.ts';
import { formatFixed } from './eval/printf.ts';
import { kldBaseInMemory, runKld } from './evaluate.ts';
import { loadModel } from './load/load-model.ts';
import type { ModelWeights } from './model/weights.ts';
import { quantizeWeightsLikeFileType } from './quantized.ts';

const N_CTX = 256;
const TOTAL_CHUNKS = 767;

function chunkSetting(): number {
  const raw = process.env.EXPLORABLES_PPL_CHUNKS;
  if (raw === undefined || raw === '') return 24;
  if (raw === 'all') return TOTAL_CHUNKS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`EXPLORABLES_PPL_CHUNKS=${raw}: expected a positive integer or 'all'`);
  }
  return Math.min(n, TOTAL_CHUNKS);
}

const CHUNKS = chunkSetting();
/** Lets vitest's worker talk to the main process between chunks on long runs. */
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const FULL = CHUNKS === TOTAL_CHUNKS;

function report(name: string): LlamaCppReport {
  return parseLlamaCppReport(
    new TextDecoder().decode(readShared('reference', `llamacpp-ppl/${name}`)),
  );
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const needs = [
  ['models', 'stories260K.bin'],
  ['models', 'tok512.bin'],
  ['data', 'tinystories-valid-400k.txt'],
  ['reference', 'llamacpp-ppl/F32.f32kv.c256.txt'],
  ['reference', 'llamacpp-ppl/Q4_0.deqF32-f32kv.c256.txt'],
  ['reference', 'llamacpp-ppl/Q8_0.deqF32-f32kv.c256.txt'],
  ['reference', 'llamacpp-ppl/Q4_K_M.deqF32-f32kv.c256.txt'],
] as const;

describeShared(`stories260K PPL/KLD vs llama.cpp, n_ctx 256, ${CHUNKS} chunks`, needs, () => {
  let model: ModelWeights;
  let tokens: Int32Array;
  let base: PerplexityResult;
  let baseReader: KldBaseReader;
  const kld = new Map<string, KldResult>();

  beforeAll(async () => {
    const loaded = await loadModel(readShared('models', 'stories260K.bin'), {
      tokenizer: readShared('models', 'tok512.bin'),
    });
    model = loaded.model;
    const text = new TextDecoder().decode(readShared('data', 'tinystories-valid-400k.txt'));
    tokens = loaded.tokenizer.encode(text, { bos: true });
    // One pass gives both the F32 perplexity (as llama.cpp's base run computes it) and the base.
    const made = await kldBaseInMemory({ model, tokens, nCtx: N_CTX, chunks: CHUNKS, pause });
    base = made.result;
    baseReader = await readKldBase(made.bytes);
  }, 900_000);

  async function kldOf(fileType: string): Promise<KldResult> {
    const cached = kld.get(fileType);
    if (cached) return cached;
    const q = quantizeWeightsLikeFileType(model, fileType).model;
    const r = await runKld({ model: q, base: baseReader, chunks: CHUNKS, pause });
    kld.set(fileType, r);
    return r;
  }

  it('tokenizing the text llama.cpp’s way gives 196,604 tokens', () => {
    expect(tokens.length).toBe(196604);
    expect(base.chunks).toBe(CHUNKS);
  });

  it(`runPerplexity running PPL at chunk ${CHUNKS} is within 0.1 % of llama.cpp's (F32, f32 KV)`, () => {
    const ref = report('F32.f32kv.c256.txt');
    const ours = base.runningPpl[CHUNKS - 1];
    const theirs = ref.runningPpl[CHUNKS - 1];
    const rel = relative(ours, theirs);
    console.log(
      `F32 running PPL [${CHUNKS}]: ours ${ours.toFixed(6)}, llama.cpp ${theirs.toFixed(4)}, ` +
        `relative difference ${rel.toExponential(2)}`,
    );
    expect(rel).toBeLessThan(1e-3);
    let printedSame = 0;
    for (let i = 0; i < CHUNKS; i++) {
      if (formatFixed(base.runningPpl[i], 4) === formatFixed(ref.runningPpl[i], 4)) printedSame++;
    }
    console.log(`F32: ${printedSame} of ${CHUNKS} running values print the same as llama.cpp's`);
    // Every printed running value (4 decimals) agrees to within its rounding plus 1e-4 relative.
    for (let i = 0; i < CHUNKS; i++) {
      const r = ref.runningPpl[i];
      expect(Math.abs(base.runningPpl[i] - r), `chunk ${i + 1}`).toBeLessThan(5e-5 + 1e-4 * r);
    }
    if (FULL) {
      console.log(
        `F32 whole text: PPL ${base.ppl.toFixed(6)} ± ${base.pplStdErr.toFixed(5)} ` +
          `(llama.cpp f32 KV ${ref.finalEstimate?.ppl}, default F16 KV 6.5099)`,
      );
      expect(relative(base.ppl, ref.finalEstimate?.ppl ?? Number.NaN)).toBeLessThan(1e-3);
    }
  });

  // Tolerances: KLD of a dequantized model against our own F32 base vs llama.cpp's (same weights,
  // same float32 computation, different summation order and expf): 2 % relative on the running
  // mean KLD, 0.1 % on the running PPL(Q), per chunk row. Measured differences are far smaller.
  const KLD_REL = 0.02;
  const PPL_REL = 1e-3;
  for (const type of ['Q4_0', 'Q8_0'] as const) {
    it(`runKld of quantizeWeightsLikeFileType(model, '${type}') matches the ${type} deqF32 rows`, async () => {
      const ref = report(`${type}.deqF32-f32kv.c256.txt`);
      const r = await kldOf(type);
      let worstKld = 0;
      let worstPpl = 0;
      for (let i = 0; i < CHUNKS; i++) {
        const ours = r.rows[i];
        const theirs = ref.kldRows[i];
        expect(theirs.chunk).toBe(i + 1);
        // The printed KLD has 5 decimals: allow its rounding on top of the relative tolerance.
        const dk = Math.abs(ours.kld.value - theirs.kld.value);
        const dp = relative(ours.ppl.value, theirs.ppl.value);
        worstKld = Math.max(worstKld, dk / theirs.kld.value);
        worstPpl = Math.max(worstPpl, dp);
        expect(dk, `chunk ${i + 1} KLD`).toBeLessThan(5e-6 + KLD_REL * theirs.kld.value);
        expect(dp, `chunk ${i + 1} PPL(Q)`).toBeLessThan(PPL_REL);
      }
      const same = r.rows.filter(
        (row, i) =>
          formatFixed(row.ppl.value, 4) === formatFixed(ref.kldRows[i].ppl.value, 4) &&
          formatFixed(row.kld.value, 5) === formatFixed(ref.kldRows[i].kld.value, 5),
      ).length;
      console.log(
        `${type}: ${same} of ${CHUNKS} rows print the same PPL(Q) and KLD as llama.cpp's`,
      );
      const last = r.rows[CHUNKS - 1];
      console.log(
        `${type} [${CHUNKS}]: PPL(Q) ${last.ppl.value.toFixed(4)} vs ${ref.kldRows[CHUNKS - 1].ppl.value}, ` +
          `KLD ${last.kld.value.toFixed(6)} vs ${ref.kldRows[CHUNKS - 1].kld.value}; worst row ` +
          `rel. diff KLD ${worstKld.toExponential(2)}, PPL ${worstPpl.toExponential(2)}`,
      );
      if (FULL) printWhole(type, r, ref);
    }, 900_000);
  }

  if (FULL) {
    it("runKld of quantizeWeightsLikeFileType(model, 'Q4_K_M') matches the Q4_K_M deqF32 summary", async () => {
      const ref = report('Q4_K_M.deqF32-f32kv.c256.txt');
      const r = await kldOf('Q4_K_M');
      printWhole('Q4_K_M', r, ref);
      const s = r.summary!;
      expect(relative(s.kld.value, ref.kldStatistics!.mean.value)).toBeLessThan(KLD_REL);
      expect(relative(s.pplQ.value, ref.perplexityStatistics!.meanPplQ.value)).toBeLessThan(
        PPL_REL,
      );
    }, 900_000);
  }
});

function printWhole(type: string, r: KldResult, ref: LlamaCppReport): void {
  const s = r.summary!;
  const p = ref.perplexityStatistics!;
  const k = ref.kldStatistics!;
  const t = ref.tokenProbabilityStatistics!;
  console.log(
    `${type} whole text: PPL(Q) ${s.pplQ.value.toFixed(6)} vs ${p.meanPplQ.value}; ` +
      `PPL(base) ${s.pplBase.value.toFixed(6)} vs ${p.meanPplBase.value}; ` +
      `KLD ${s.kld.value.toFixed(6)} ± ${s.kld.err.toFixed(6)} vs ${k.mean.value} ± ${k.mean.err}; ` +
      `same top ${(100 * s.sameTop.value).toFixed(3)} % vs ${t.sameTopPercent.value} %; ` +
      `RMS Δp ${(100 * s.rmsDeltaP.value).toFixed(3)} % vs ${t.rmsPercent.value} %`,
  );
}
