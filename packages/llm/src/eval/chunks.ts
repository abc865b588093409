/**
 * The chunking rules shared by llama.cpp's perplexity and KL-divergence runs, and the injected
 * model interface.
 */

/**
 * The model, injected: given one chunk of nCtx token ids (its first token already replaced by BOS
 * when the vocabulary adds BOS), returns float32 logits, row-major, one row of nVocab per position:
 * either all nCtx rows, or only the rows of the scored half, positions floor(nCtx/2) … nCtx-1.
 * May return a Promise (a Web Worker, a GPU). The tokens array is a fresh copy the callee may keep.
 */
export type EvalChunk = (
  tokens: Int32Array,
  info: { chunkIndex: number; firstOutputPosition: number },
) => Float32Array | Promise<Float32Array>;

/** The part of AbortSignal the runners use (engines have no DOM types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/**
 * The first scored position of a chunk: llama.cpp's `first = n_ctx / 2`.
 * @example firstScoredPosition(256) // 128
 */
export function firstScoredPosition(nCtx: number): number {
  return Math.floor(nCtx / 2);
}

/**
 * Tokens scored per chunk: positions first … nCtx-2 predict tokens first+1 … nCtx-1.
 * @example scoredPerChunk(256) // 127
 */
export function scoredPerChunk(nCtx: number): number {
  return nCtx - 1 - firstScoredPosition(nCtx);
}

/**
 * Number of chunks llama.cpp evaluates: floor(nTokens / nCtx), capped by `chunks` when given;
 * throws llama.cpp's "you need at least 2·n_ctx tokens" condition.
 * @example chunkCount(196604, 256) // 767
 */
export function chunkCount(nTokens: number, nCtx: number, chunks?: number): number {
  checkContext(nCtx);
  if (nTokens < 2 * nCtx) {
    throw new Error(
      `perplexity: you need at least ${2 * nCtx} tokens (2 × nCtx) to evaluate perplexity ` +
        `with a context of ${nCtx}; the input tokenizes to only ${nTokens} tokens`,
    );
  }
  const max = Math.floor(nTokens / nCtx);
  if (chunks === undefined || chunks < 0) return max;
  if (!Number.isInteger(chunks) || chunks === 0) {
    throw new Error(`perplexity: chunks = ${chunks}, expected a positive integer (or omit it)`);
  }
  return Math.min(chunks, max);
}

/** Throws unless nCtx is an integer ≥ 3 (so a chunk scores at least one token). */
export function checkContext(nCtx: number): void {
  if (!Number.isInteger(nCtx) || nCtx < 3) {
    throw new Error(`nCtx = ${nCtx}: expected an integer ≥ 3 so each chunk scores a token`);
  }
}

/** Throws the signal's reason (or an Error) when it is aborted. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new Error('evaluation was aborted');
  }
}

/**
 * Copies chunk `chunkIndex` out of the token stream, validates its ids and puts BOS first when
 * `addBos` (llama.cpp replaces, it does not insert).
 */
export function chunkInput(
  tokens: Int32Array,
  chunkIndex: number,
  nCtx: number,
  nVocab: number,
  bosId: number,
  addBos: boolean,
): Int32Array {
  const start = chunkIndex * nCtx;
  const input = tokens.slice(start, start + nCtx);
  for (let i = 0; i < nCtx; i++) {
    const t = input[i];
    if (!(t >= 0 && t < nVocab)) {
      throw new Error(
        `token ${start + i} (chunk ${chunkIndex}, position ${i}) is ${t}, outside the ` +
          `vocabulary [0, ${nVocab})`,
      );
    }
  }
  if (addBos) input[0] = bosId;
  return input;
}

/**
 * Calls the model on one chunk and returns the offset of row `firstScoredPosition` in its
 * result, checking the result's length.
 */
export async function evalScoredRows(
  evalChunk: EvalChunk,
  input: Int32Array,
  chunkIndex: number,
  nVocab: number,
): Promise<{ logits: Float32Array; offset: number }> {
  const nCtx = input.length;
  const first = firstScoredPosition(nCtx);
  const logits = await evalChunk(input, { chunkIndex, firstOutputPosition: first });
  if (!(logits instanceof Float32Array)) {
    throw new Error(
      `evalChunk returned ${typeof logits} for chunk ${chunkIndex}, not Float32Array`,
    );
  }
  if (logits.length === nCtx * nVocab) return { logits, offset: first * nVocab };
  if (logits.length === (nCtx - first) * nVocab) return { logits, offset: 0 };
  throw new Error(
    `evalChunk returned ${logits.length} logits for chunk ${chunkIndex}; expected ` +
      `nCtx × nVocab = ${nCtx} × ${nVocab} = ${nCtx * nVocab} (all positions) or ` +
      `${nCtx - first} × ${nVocab} = ${(nCtx - first) * nVocab} (positions ${first} … ${nCtx - 1})`,
  );
}

/** Validates the shared options of both runners. */
export function checkVocab(nVocab: number, bosId: number, addBos: boolean): void {
  if (!Number.isInteger(nVocab) || nVocab < 1) {
    throw new Error(`nVocab = ${nVocab}: expected a positive integer`);
  }
  if (addBos && !(Number.isInteger(bosId) && bosId >= 0 && bosId < nVocab)) {
    throw new Error(`bosId = ${bosId}: expected a token id in [0, ${nVocab})`);
  }
}
