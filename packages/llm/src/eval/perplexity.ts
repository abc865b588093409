/**
 * Perplexity exactly as llama.cpp's `llama-perplexity` computes it (function `perplexity` in
 * tools/perplexity/perplexity.cpp): floor(n_tokens / n_ctx) chunks, each evaluated from an empty
 * cache with its first token replaced by BOS, only positions n_ctx/2 … n_ctx-2 scored.
 */

import {
  type AbortSignalLike,
  checkVocab,
  chunkCount,
  chunkInput,
  type EvalChunk,
  evalScoredRows,
  scoredPerChunk,
  throwIfAborted,
} from './chunks.ts';
import { encodeKldBaseChunk, encodeKldBaseHeader } from './kld-base.ts';
import { pplNll } from './softmax.ts';

/** Options of {@link perplexity} and {@link writeKldBase}. */
export interface PerplexityOptions {
  /** The whole tokenized text (with BOS at index 0 when the tokenizer adds it). */
  tokens: Int32Array;
  /** Context length per chunk, tokens (llama.cpp's `-c`). */
  nCtx: number;
  /** Vocabulary size: logits per position. */
  nVocab: number;
  /** The model. */
  evalChunk: EvalChunk;
  /** Evaluate at most this many chunks (llama.cpp's `--chunks`); default all. */
  chunks?: number;
  /** Token id of BOS, written over each chunk's first token when `addBos`. */
  bosId: number;
  /** Whether the vocabulary adds BOS (llama_vocab_get_add_bos); default true. */
  addBos?: boolean;
  /** Called after each chunk with its 1-based index, the total and the running PPL. */
  onProgress?: (chunk: number, total: number, partialPpl: number) => void;
  /** Cancels between chunks. */
  signal?: AbortSignalLike;
}

/** What llama.cpp's perplexity run prints, with the sums behind it. */
export interface PerplexityResult {
  /** exp(mean NLL). */
  ppl: number;
  /**
   * llama.cpp's uncertainty: ppl · sqrt((E[nll²] - E[nll]²) / (count - 1)); NaN when that variance
   * is not positive (llama.cpp then prints "Unexpected negative standard deviation of log(prob)").
   */
  pplStdErr: number;
  /** Mean NLL over the scored tokens, nats. */
  meanNll: number;
  /** Chunks evaluated. */
  chunks: number;
  /** Context length, tokens. */
  nCtx: number;
  /** Vocabulary size. */
  nVocab: number;
  /** Tokens scored in total (chunks × scoredPerChunk). */
  nScored: number;
  /** Tokens scored per chunk. */
  scoredPerChunk: number;
  /** Per chunk: Σ NLL of its scored tokens, nats. */
  chunkNllSum: Float64Array;
  /** Per chunk: the running estimate exp(Σ nll / count) after it, as printed "[i]x,". */
  runningPpl: Float64Array;
  /** Σ nll over all scored tokens (double). */
  nllSum: number;
  /** Σ nll² over all scored tokens (double). */
  nll2Sum: number;
  /**
   * 'plain': NLL in double, llama.cpp without `--kl-divergence-base`; 'kld-base': NLL in float,
   * as llama.cpp computes it while saving the base file (results differ in the last bits).
   */
  mode: 'plain' | 'kld-base';
}

/**
 * Computes perplexity over the token stream like `llama-perplexity -c nCtx` (without a base file).
 * @example const r = await perplexity({ tokens, nCtx: 256, nVocab: 512, evalChunk, bosId: 1 })
 */
export async function perplexity(options: PerplexityOptions): Promise<PerplexityResult> {
  const run = runPerplexity(options, false);
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs perplexity while producing a `--kl-divergence-base` file, like
 * `llama-perplexity -c nCtx --kl-divergence-base FILE`: yields the header piece, then one piece
 * per chunk (write them in order to get the file; about 131 KB per chunk at nCtx 256, nVocab 512),
 * and returns the perplexity result (mode 'kld-base').
 * @example
 * const it = writeKldBase(opts); let s = await it.next();
 * while (!s.done) { sink(s.value); s = await it.next(); } const result = s.value;
 */
export function writeKldBase(
  options: PerplexityOptions,
): AsyncGenerator<Uint8Array, PerplexityResult, void> {
  return runPerplexity(options, true);
}

async function* runPerplexity(
  options: PerplexityOptions,
  saveBase: boolean,
): AsyncGenerator<Uint8Array, PerplexityResult, void> {
  const { tokens, nCtx, nVocab, evalChunk, bosId, onProgress, signal } = options;
  const addBos = options.addBos ?? true;
  checkVocab(nVocab, bosId, addBos);
  const nChunk = chunkCount(tokens.length, nCtx, options.chunks);
  const perChunk = scoredPerChunk(nCtx);
  const first = nCtx - 1 - perChunk;
  const chunkNllSum = new Float64Array(nChunk);
  const runningPpl = new Float64Array(nChunk);

  if (saveBase) yield encodeKldBaseHeader({ nCtx, nVocab, nChunk, tokens });

  let nll = 0;
  let nll2 = 0;
  let count = 0;
  for (let c = 0; c < nChunk; c++) {
    throwIfAborted(signal);
    const input = chunkInput(tokens, c, nCtx, nVocab, bosId, addBos);
    const { logits, offset } = await evalScoredRows(evalChunk, input, c, nVocab);
    const chunkTokens = tokens.subarray(c * nCtx, (c + 1) * nCtx);
    // process_logits keeps per-thread sums and adds them once per chunk; this is the
    // one-thread order (llama.cpp with several threads adds interleaved partial sums).
    let localNll = 0;
    let localNll2 = 0;
    if (saveBase) {
      const piece = encodeKldBaseChunk(logits, offset, nCtx, nVocab, chunkTokens);
      for (let j = 0; j < perChunk; j++) {
        const v = piece.nll[j];
        localNll += v;
        localNll2 += v * v;
      }
      nll += localNll;
      nll2 += localNll2;
      yield piece.bytes;
    } else {
      for (let j = 0; j < perChunk; j++) {
        const v = pplNll(logits, offset + j * nVocab, nVocab, chunkTokens[first + j + 1]);
        localNll += v;
        localNll2 += v * v;
      }
      nll += localNll;
      nll2 += localNll2;
    }
    count += perChunk;
    chunkNllSum[c] = localNll;
    runningPpl[c] = Math.exp(nll / count);
    onProgress?.(c + 1, nChunk, runningPpl[c]);
  }

  const meanNll = nll / count;
  const ppl = Math.exp(meanNll);
  const variance = nll2 / count - meanNll * meanNll;
  const pplStdErr = variance > 0 ? Math.sqrt(variance / (count - 1)) * ppl : Number.NaN;
  return {
    ppl,
    pplStdErr,
    meanNll,
    chunks: nChunk,
    nCtx,
    nVocab,
    nScored: count,
    scoredPerChunk: perChunk,
    chunkNllSum,
    runningPpl,
    nllSum: nll,
    nll2Sum: nll2,
    mode: saveBase ? 'kld-base' : 'plain',
  };
}
