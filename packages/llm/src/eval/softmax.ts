/**
 * The per-position log-softmax kernels of llama.cpp's `llama-perplexity`
 * (tools/perplexity/perplexity.cpp, formerly examples/perplexity/perplexity.cpp), reproduced
 * operation by operation: `float` arithmetic is wrapped in Math.fround, `double` arithmetic is
 * plain JavaScript, `expf(x)` is modelled as fround(Math.exp(x)) and `log(double)` as Math.log.
 *
 * Known last-bit gap: glibc's expf is not guaranteed to equal fround(exp(x)) in every case (its
 * error bound is about 0.502 ulp) and V8's Math.exp / Math.log may differ from glibc in the last
 * bit of a double, so rare values can differ by one float ulp. Over a whole run this moves sums by
 * far less than the printed digits.
 */

import { nearestInt } from '@explorables/quant';

const f = Math.fround;

/** Width of the window kept by the compressed base: log-probs below max - 16 nats are clamped. */
export const KLD_BASE_WINDOW_NATS = 16;

/** Levels of the uint16 code used for compressed log-probabilities (0 … 65535). */
export const KLD_BASE_LEVELS = 65535;

/**
 * The uint16 words per scored position in a KLD base file: 4 words for the floats
 * (scale, min_log_prob), then n_vocab codes padded to an even count (`nv` in llama.cpp).
 * @example kldBaseRowWords(512) // 516
 */
export function kldBaseRowWords(nVocab: number): number {
  return 2 * Math.floor((nVocab + 1) / 2) + 4;
}

/**
 * Negative log-likelihood of token `tok` under the softmax of one logits row, as llama.cpp's plain
 * perplexity run computes it (`log_softmax(n_vocab, logits, tok)`): max subtraction in float, sum of
 * expf accumulated in double, result `-(float(logit[tok] - max) - log(sum))` in double.
 * @example pplNll(new Float32Array([0, 0]), 0, 2, 1) // Math.LN2
 */
export function pplNll(logits: Float32Array, offset: number, nVocab: number, tok: number): number {
  let maxLogit = logits[offset];
  for (let i = 1; i < nVocab; i++) {
    const v = logits[offset + i];
    if (maxLogit < v) maxLogit = v; // std::max(a, b) keeps a unless a < b
  }
  let sumExp = 0;
  for (let i = 0; i < nVocab; i++) sumExp += f(Math.exp(f(logits[offset + i] - maxLogit)));
  return -(f(logits[offset + tok] - maxLogit) - Math.log(sumExp));
}

/**
 * Compresses one logits row into a KLD base record and returns the token's NLL, as llama.cpp's
 * base-writing `log_softmax(n_vocab, logits, log_prob, tok)` does: floats `scale` and
 * `min_log_prob` at words 0..3, then one uint16 code per vocab entry, where
 * `log p ≈ scale * code + min_log_prob` over the window [max - 16, max]. The NLL is computed in
 * float (`max + float(log(sum)) - logit[tok]`), unlike {@link pplNll}.
 * `out` is a DataView over the record (little-endian), starting at `outOffsetBytes`.
 * @example compressLogProbs(row, 0, 512, tok, view, 0) // writes 516 words, returns the NLL
 */
export function compressLogProbs(
  logits: Float32Array,
  offset: number,
  nVocab: number,
  tok: number,
  out: DataView,
  outOffsetBytes: number,
): number {
  let maxLogit = logits[offset];
  let minLogit = logits[offset];
  for (let i = 1; i < nVocab; i++) {
    const v = logits[offset + i];
    if (maxLogit < v) maxLogit = v; // std::max
    if (v < minLogit) minLogit = v; // std::min(a, b) keeps a unless b < a
  }
  const windowFloor = f(maxLogit - KLD_BASE_WINDOW_NATS);
  if (minLogit < windowFloor) minLogit = windowFloor; // std::max(min_logit, max_logit - 16)
  let sumExp = 0;
  for (let i = 0; i < nVocab; i++) sumExp += f(Math.exp(f(logits[offset + i] - maxLogit)));
  const logSumExp = f(Math.log(sumExp));
  const minLogProb = f(f(minLogit - maxLogit) - logSumExp);
  const scale = f(f(maxLogit - minLogit) / KLD_BASE_LEVELS);
  out.setFloat32(outOffsetBytes, scale, true);
  out.setFloat32(outOffsetBytes + 4, minLogProb, true);
  const codes = outOffsetBytes + 8;
  if (scale !== 0) {
    const invScale = f(1 / scale);
    for (let i = 0; i < nVocab; i++) {
      const v = logits[offset + i];
      const code = v > minLogit ? nearestInt(f(invScale * f(v - minLogit))) : 0;
      out.setUint16(codes + 2 * i, code & 0xffff, true); // stored into uint16_t: modulo 2^16
    }
  } else {
    for (let i = 0; i < nVocab; i++) out.setUint16(codes + 2 * i, 0, true);
  }
  return f(f(maxLogit + logSumExp) - logits[offset + tok]);
}

/**
 * Decodes one compressed log-probability: `scale * code + min_log_prob` in float.
 * @example decodeLogProb(0.001, -20, 1000) // -19 (to float precision)
 */
export function decodeLogProb(scale: number, minLogProb: number, code: number): number {
  return f(f(scale * code) + minLogProb);
}

/** Running sums of llama.cpp's `kl_divergence_result`, all doubles except the noted ones. */
export interface KldSums {
  /** Σ nll(Q), nll computed in float. */
  sumNll: number;
  /** Σ float(nll²). */
  sumNll2: number;
  /** Σ nll(base) from the decompressed base. */
  sumNllBase: number;
  /** Σ float(nll_base²). */
  sumNllBase2: number;
  /** Σ float(nll · nll_base). */
  sumNllNllBase: number;
  /** Σ KLD per position. */
  sumKld: number;
  /** Σ KLD². */
  sumKld2: number;
  /** Σ Δp. */
  sumPDiff: number;
  /** Σ float(Δp²). */
  sumPDiff2: number;
  /** Σ (Δp²)². */
  sumPDiff4: number;
  /** max |Δp| (float). */
  maxPDiff: number;
  /** Positions where argmax Q equals argmax of the decompressed base. */
  nSameTop: number;
  /** Positions scored. */
  count: number;
}

/**
 * Fresh, zeroed KLD sums.
 * @example const sums = emptyKldSums()
 */
export function emptyKldSums(): KldSums {
  return {
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
    count: 0,
  };
}

/** One position's KLD and Δp, both as the floats llama.cpp stores for its percentiles. */
export interface KldPosition {
  kld: number;
  pDiff: number;
}

/**
 * Scores one position of model Q against one decompressed base record, as llama.cpp's
 * `log_softmax(n_vocab, logits, base_log_prob, tok, kld)`: adds to `sums` and returns the
 * position's KLD (double, stored as float) and Δp = p_Q(tok) - p_base(tok) (float).
 * KLD sums only vocab entries whose decoded base log-prob is above -16.
 * `codes` holds n_vocab uint16 codes starting at `codesOffset`.
 * @example kldAtPosition(row, 0, 512, scale, minLogProb, codes, 0, tok, sums)
 */
export function kldAtPosition(
  logits: Float32Array,
  offset: number,
  nVocab: number,
  scale: number,
  minLogProb: number,
  codes: Uint16Array,
  codesOffset: number,
  tok: number,
  sums: KldSums,
  out: KldPosition,
): void {
  let maxLogit = logits[offset];
  let imax = 0;
  for (let i = 1; i < nVocab; i++) {
    const v = logits[offset + i];
    if (v > maxLogit) {
      maxLogit = v;
      imax = i;
    }
  }
  let sumExp = 0;
  for (let i = 0; i < nVocab; i++) sumExp += f(Math.exp(f(logits[offset + i] - maxLogit)));
  const logSumExp = f(Math.log(sumExp));

  const nll = f(f(maxLogit + logSumExp) - logits[offset + tok]);
  sums.sumNll += nll;
  sums.sumNll2 += f(nll * nll);

  const nllBase = -f(f(scale * codes[codesOffset + tok]) + minLogProb);
  sums.sumNllBase += nllBase;
  sums.sumNllBase2 += f(nllBase * nllBase);
  sums.sumNllNllBase += f(nll * nllBase);

  const shiftedMax = f(maxLogit + logSumExp);
  let sum = 0;
  let imaxBase = -1;
  let pLogBaseMax = 0;
  for (let i = 0; i < nVocab; i++) {
    const pLogBase = f(f(scale * codes[codesOffset + i]) + minLogProb);
    if (i === 0 || pLogBase > pLogBaseMax) {
      pLogBaseMax = pLogBase;
      imaxBase = i;
    }
    if (pLogBase > -KLD_BASE_WINDOW_NATS) {
      const pBase = f(Math.exp(pLogBase));
      sum += f(pBase * f(f(pLogBase - logits[offset + i]) + shiftedMax));
    }
  }
  sums.sumKld += sum;
  sums.sumKld2 += sum * sum;
  sums.count++;
  if (imax === imaxBase) sums.nSameTop++;

  const pBase = f(Math.exp(-nllBase));
  const p = f(Math.exp(-nll));
  const pDiff = f(p - pBase);
  sums.sumPDiff += pDiff;
  const pDiff2 = f(pDiff * pDiff);
  sums.sumPDiff2 += pDiff2;
  sums.sumPDiff4 += pDiff2 * pDiff2;
  const absDiff = Math.abs(pDiff);
  if (sums.maxPDiff < absDiff) sums.maxPDiff = absDiff;

  out.kld = f(sum);
  out.pDiff = pDiff;
}
