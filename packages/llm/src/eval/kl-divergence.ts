/**
 * KL divergence against a saved base, exactly as llama.cpp's `kl_divergence()`
 * (`llama-perplexity --kl-divergence --kl-divergence-base FILE`, tools/perplexity/perplexity.cpp).
 */

import {
  type AbortSignalLike,
  checkVocab,
  chunkInput,
  type EvalChunk,
  evalScoredRows,
  throwIfAborted,
} from './chunks.ts';
import type { KldBaseReader } from './kld-base.ts';
import { emptyKldSums, type KldPosition, type KldSums, kldAtPosition } from './softmax.ts';
import {
  covarianceOfMeans,
  meanAndUncertainty,
  medianOfSorted,
  percentileOfSorted,
  type ValueWithError,
} from './stats.ts';

/** Options of {@link klDivergence}. */
export interface KlDivergenceOptions {
  /** The opened base file (its tokens, n_ctx and n_vocab drive the run). */
  base: KldBaseReader;
  /** Model Q. */
  evalChunk: EvalChunk;
  /** Token id of BOS, written over each chunk's first token when `addBos`. */
  bosId: number;
  /** Whether the vocabulary adds BOS; default true. */
  addBos?: boolean;
  /** Evaluate only the first N chunks (llama.cpp always uses every chunk of the file). */
  chunks?: number;
  /** Called after each chunk with its 1-based index, the total and the row llama.cpp prints. */
  onProgress?: (chunk: number, total: number, row: KldChunkRow) => void;
  /** Cancels between chunks. */
  signal?: AbortSignalLike;
}

/** The running statistics llama.cpp prints after each chunk (fractions, not percent). */
export interface KldChunkRow {
  /** 1-based chunk number. */
  chunk: number;
  /** exp(mean NLL of Q) ± ppl · err. */
  ppl: ValueWithError;
  /** Mean ln(PPL(Q)/PPL(base)) ± its uncertainty (with the covariance term). */
  lnPplRatio: ValueWithError;
  /** Mean KLD, nats. */
  kld: ValueWithError;
  /** RMS of Δp (a probability, 0…1) ± 0.5/rms · err(mean Δp²). */
  rmsDeltaP: ValueWithError;
  /** Fraction of positions with the same argmax ± sqrt(p(1-p)/(count-1)). */
  sameTop: ValueWithError;
}

/** KLD percentiles (nats) as llama.cpp picks them; values are floats. */
export interface KldDistribution {
  max: number;
  p999: number;
  p99: number;
  p95: number;
  p90: number;
  median: number;
  p10: number;
  p05: number;
  p01: number;
  p001: number;
  min: number;
}

/** Δp percentiles (probabilities, not percent) as llama.cpp picks them; values are floats. */
export interface DeltaPDistribution extends KldDistribution {
  p75: number;
  p25: number;
}

/** Every final statistic llama.cpp prints after a KLD run (fractions, not percent). */
export interface KldSummary {
  /** Positions scored. */
  count: number;
  /** Mean PPL(Q) ± err. */
  pplQ: ValueWithError;
  /** Mean PPL(base) from the decompressed (clamped) base ± err. */
  pplBase: ValueWithError;
  /** Cor(ln(PPL(Q)), ln(PPL(base))) as a fraction (printed ×100 with '%'). */
  corLnPpl: number;
  /** Mean ln(PPL(Q)/PPL(base)) ± err. */
  lnPplRatio: ValueWithError;
  /** Mean PPL(Q)/PPL(base) ± err. */
  pplRatio: ValueWithError;
  /** Mean PPL(Q)-PPL(base) ± err. */
  pplDiff: ValueWithError;
  /** Mean KLD ± err, nats. */
  kld: ValueWithError;
  /** KLD percentiles. */
  kldDistribution: KldDistribution;
  /** Mean Δp ± err. */
  deltaP: ValueWithError;
  /** Δp percentiles. */
  deltaPDistribution: DeltaPDistribution;
  /** RMS Δp ± err. */
  rmsDeltaP: ValueWithError;
  /** Same top p ± err. */
  sameTop: ValueWithError;
  /** max |Δp| (kept by llama.cpp, not printed). */
  maxAbsDeltaP: number;
}

/** The result of {@link klDivergence}. */
export interface KldResult {
  /** Chunks evaluated. */
  chunks: number;
  /** Context length, tokens. */
  nCtx: number;
  /** Vocabulary size. */
  nVocab: number;
  /** Positions scored. */
  count: number;
  /** The raw sums. */
  sums: KldSums;
  /** One row per chunk, as printed in the table. */
  rows: KldChunkRow[];
  /** KLD per scored position, in position order (float). */
  kldValues: Float32Array;
  /** Δp per scored position, in position order (float). */
  deltaPValues: Float32Array;
  /** The final statistics (computed whenever count ≥ 1). */
  summary: KldSummary | undefined;
  /** llama.cpp prints the statistics blocks only when count ≥ 100. */
  printsStatistics: boolean;
}

/**
 * Scores model Q against a saved base like `llama-perplexity --kl-divergence`: per chunk, evaluates
 * the base's tokens (first replaced by BOS), compares each scored position with the decompressed
 * base, and returns every statistic llama.cpp prints.
 * @example const r = await klDivergence({ base: await readKldBase(bytes), evalChunk, bosId: 1 })
 */
export async function klDivergence(options: KlDivergenceOptions): Promise<KldResult> {
  const { base, evalChunk, bosId, onProgress, signal } = options;
  const addBos = options.addBos ?? true;
  const { nCtx, nVocab } = base;
  checkVocab(nVocab, bosId, addBos);
  let nChunk = base.nChunk;
  if (options.chunks !== undefined) {
    if (!Number.isInteger(options.chunks) || options.chunks < 1) {
      throw new Error(`klDivergence: chunks = ${options.chunks}, expected a positive integer`);
    }
    nChunk = Math.min(nChunk, options.chunks);
  }
  const perChunk = base.nPositionsPerChunk;
  const first = nCtx - 1 - perChunk;
  const kldValues = new Float32Array(perChunk * nChunk);
  const deltaPValues = new Float32Array(perChunk * nChunk);
  const sums = emptyKldSums();
  const rows: KldChunkRow[] = [];
  const position: KldPosition = { kld: 0, pDiff: 0 };

  for (let c = 0; c < nChunk; c++) {
    throwIfAborted(signal);
    const baseChunk = await base.readChunk(c);
    const input = chunkInput(base.tokens, c, nCtx, nVocab, bosId, addBos);
    const { logits, offset } = await evalScoredRows(evalChunk, input, c, nVocab);
    const chunkTokens = base.tokens.subarray(c * nCtx, (c + 1) * nCtx);
    // Per-chunk local sums merged once, as process_logits does with one thread.
    const local = emptyKldSums();
    for (let j = 0; j < perChunk; j++) {
      kldAtPosition(
        logits,
        offset + j * nVocab,
        nVocab,
        baseChunk.scale[j],
        baseChunk.minLogProb[j],
        baseChunk.codes,
        j * nVocab,
        chunkTokens[first + j + 1],
        local,
        position,
      );
      kldValues[c * perChunk + j] = position.kld;
      deltaPValues[c * perChunk + j] = position.pDiff;
    }
    mergeKldSums(sums, local);
    const row = kldChunkRow(c + 1, sums);
    rows.push(row);
    onProgress?.(c + 1, nChunk, row);
  }

  return {
    chunks: nChunk,
    nCtx,
    nVocab,
    count: sums.count,
    sums,
    rows,
    kldValues,
    deltaPValues,
    summary: sums.count >= 1 ? kldSummary(sums, kldValues, deltaPValues) : undefined,
    printsStatistics: sums.count >= 100,
  };
}

/**
 * Adds `local` into `total` in llama.cpp's merge order.
 * @example mergeKldSums(total, local)
 */
export function mergeKldSums(total: KldSums, local: KldSums): void {
  total.sumNll += local.sumNll;
  total.sumNll2 += local.sumNll2;
  total.sumNllBase += local.sumNllBase;
  total.sumNllBase2 += local.sumNllBase2;
  total.sumNllNllBase += local.sumNllNllBase;
  total.sumKld += local.sumKld;
  total.sumKld2 += local.sumKld2;
  total.sumPDiff += local.sumPDiff;
  total.sumPDiff2 += local.sumPDiff2;
  total.sumPDiff4 += local.sumPDiff4;
  total.nSameTop += local.nSameTop;
  total.maxPDiff = Math.max(total.maxPDiff, local.maxPDiff);
  total.count += local.count;
}

/**
 * The row llama.cpp prints after a chunk, from the running sums.
 * @example kldChunkRow(1, sums).kld.value
 */
export function kldChunkRow(chunk: number, sums: KldSums): KldChunkRow {
  const n = sums.count;
  const logPpl = meanAndUncertainty(sums.sumNll, sums.sumNll2, n);
  const pplValue = Math.exp(logPpl.value);
  const logPplBase = meanAndUncertainty(sums.sumNllBase, sums.sumNllBase2, n);
  const cov = covarianceOfMeans(sums.sumNll, sums.sumNllBase, sums.sumNllNllBase, n);
  const mse = meanAndUncertainty(sums.sumPDiff2, sums.sumPDiff4, n);
  const rms = Math.sqrt(mse.value);
  const pTop = sums.nSameTop / n;
  return {
    chunk,
    ppl: { value: pplValue, err: pplValue * logPpl.err },
    lnPplRatio: {
      value: logPpl.value - logPplBase.value,
      err: Math.sqrt(logPpl.err * logPpl.err + logPplBase.err * logPplBase.err - 2.0 * cov),
    },
    kld: meanAndUncertainty(sums.sumKld, sums.sumKld2, n),
    rmsDeltaP: { value: rms, err: (0.5 / rms) * mse.err },
    sameTop: { value: pTop, err: Math.sqrt((pTop * (1 - pTop)) / (n - 1)) },
  };
}

/**
 * Every final statistic of a KLD run from its sums and per-position values (which are copied and
 * sorted, as llama.cpp sorts its float arrays).
 * @example kldSummary(result.sums, result.kldValues, result.deltaPValues).kld.value
 */
export function kldSummary(
  sums: KldSums,
  kldValues: Float32Array,
  deltaPValues: Float32Array,
): KldSummary {
  const n = sums.count;
  if (n < 1 || kldValues.length !== n || deltaPValues.length !== n) {
    throw new Error(
      `kldSummary: count ${n}, ${kldValues.length} KLD values and ${deltaPValues.length} Δp ` +
        'values; expected the same positive count for all three',
    );
  }
  const kldSorted = kldValues.slice().sort();
  const pSorted = deltaPValues.slice().sort();

  const logPpl = meanAndUncertainty(sums.sumNll, sums.sumNll2, n);
  const pplValue = Math.exp(logPpl.value);
  const pplErr = pplValue * logPpl.err;
  const logPplBase = meanAndUncertainty(sums.sumNllBase, sums.sumNllBase2, n);
  const pplBaseValue = Math.exp(logPplBase.value);
  const pplBaseErr = pplBaseValue * logPplBase.err;
  const cov = covarianceOfMeans(sums.sumNll, sums.sumNllBase, sums.sumNllNllBase, n);
  const cor = cov / (logPpl.err * logPplBase.err);
  const ratioValue = logPpl.value - logPplBase.value;
  const ratioErr = Math.sqrt(logPpl.err * logPpl.err + logPplBase.err * logPplBase.err - 2.0 * cov);
  const pplRatioValue = Math.exp(ratioValue);
  const pplCov = pplValue * pplBaseValue * cov;
  const mse = meanAndUncertainty(sums.sumPDiff2, sums.sumPDiff4, n);
  const rms = Math.sqrt(mse.value);
  const sameTop = sums.nSameTop / n;

  return {
    count: n,
    pplQ: { value: pplValue, err: pplErr },
    pplBase: { value: pplBaseValue, err: pplBaseErr },
    corLnPpl: cor,
    lnPplRatio: { value: ratioValue, err: ratioErr },
    pplRatio: { value: pplRatioValue, err: pplRatioValue * ratioErr },
    pplDiff: {
      value: pplValue - pplBaseValue,
      err: Math.sqrt(pplErr * pplErr + pplBaseErr * pplBaseErr - 2.0 * pplCov),
    },
    kld: meanAndUncertainty(sums.sumKld, sums.sumKld2, n),
    kldDistribution: distribution(kldSorted),
    deltaP: meanAndUncertainty(sums.sumPDiff, sums.sumPDiff2, n),
    deltaPDistribution: {
      ...distribution(pSorted),
      p75: percentileOfSorted(pSorted, 0.75),
      p25: percentileOfSorted(pSorted, 0.25),
    },
    rmsDeltaP: { value: rms, err: (0.5 / rms) * mse.err },
    sameTop: { value: sameTop, err: Math.sqrt((sameTop * (1.0 - sameTop)) / (n - 1)) },
    maxAbsDeltaP: sums.maxPDiff,
  };
}

function distribution(sorted: Float32Array): KldDistribution {
  return {
    max: sorted[sorted.length - 1],
    p999: percentileOfSorted(sorted, 0.999),
    p99: percentileOfSorted(sorted, 0.99),
    p95: percentileOfSorted(sorted, 0.95),
    p90: percentileOfSorted(sorted, 0.9),
    median: medianOfSorted(sorted),
    p10: percentileOfSorted(sorted, 0.1),
    p05: percentileOfSorted(sorted, 0.05),
    p01: percentileOfSorted(sorted, 0.01),
    p001: percentileOfSorted(sorted, 0.001),
    min: sorted[0],
  };
}
