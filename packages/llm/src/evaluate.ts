// Perplexity and KL-divergence runs on a real model: the glue between the float32 engine
// (createSession) and llama.cpp's evaluation rules (eval/).

import type { AbortSignalLike, EvalChunk } from './eval/chunks.ts';
import { type KldChunkRow, type KldResult, klDivergence } from './eval/kl-divergence.ts';
import type { KldBaseReader } from './eval/kld-base.ts';
import { type PerplexityResult, perplexity, writeKldBase } from './eval/perplexity.ts';
import type { ModelWeights } from './model/weights.ts';
import { createSession, type Session } from './session.ts';

/** Options of modelEvalChunk. */
export interface ModelEvalOptions {
  /** Positions per forward block in prefill (default: the session's default). */
  blockSize?: number;
  /**
   * Awaited after every chunk, e.g. `() => new Promise((r) => setTimeout(r))`, so a UI thread or a
   * test runner gets the event loop between chunks (the forward pass itself is synchronous).
   */
  pause?: () => Promise<void>;
}

/**
 * An EvalChunk for a model: one session (KV cache of nCtx positions, made on the first call and
 * reused with truncate(0) for every chunk of the same length) prefills the unscored first half
 * without logits, then the scored half with all logits, and returns those rows
 * ((nCtx − nCtx/2) × vocabSize). Throws when nCtx exceeds the model's context length.
 * @example const evalChunk = modelEvalChunk(model); await perplexity({ ..., evalChunk })
 */
export function modelEvalChunk(model: ModelWeights, options: ModelEvalOptions = {}): EvalChunk {
  let session: Session | undefined;
  const run: EvalChunk = (tokens, info) => {
    const nCtx = tokens.length;
    checkContextFits(model, nCtx);
    if (session === undefined || session.cacheLength !== nCtx) {
      session = createSession(model, { cacheLength: nCtx, blockSize: options.blockSize });
    }
    session.truncate(0);
    const first = info.firstOutputPosition;
    if (first > 0) session.prefill(tokens.subarray(0, first));
    return session.prefill(tokens.subarray(first), { allLogits: true });
  };
  const pause = options.pause;
  if (pause === undefined) return run;
  return async (tokens, info) => {
    const logits = await run(tokens, info);
    await pause();
    return logits;
  };
}

/**
 * Throws a message naming both numbers when a context of nCtx positions does not fit the model.
 * @example checkContextFits(model, 256)
 */
export function checkContextFits(model: ModelWeights, nCtx: number): void {
  const max = model.config.seqLen;
  if (!Number.isInteger(nCtx) || nCtx < 1 || nCtx > max) {
    throw new Error(
      `n_ctx ${nCtx} is beyond the model's context length ${max}; expected 3..${max}`,
    );
  }
}

/** Options of runPerplexity and runKldBase. */
export interface RunPerplexityOptions {
  model: ModelWeights;
  /** The whole tokenized text (BOS first when the tokenizer adds it). */
  tokens: Int32Array;
  /** Context length per chunk, tokens (llama.cpp's -c). */
  nCtx: number;
  /** Evaluate at most this many chunks (default all). */
  chunks?: number;
  /** BOS id written over each chunk's first token (default 1, Llama's and llama2.c's). */
  bosId?: number;
  /** Whether chunks start with BOS (default true; false for vocabularies without BOS). */
  addBos?: boolean;
  /** Called after each chunk with its 1-based index, the total and the running PPL. */
  onProgress?: (chunk: number, total: number, partialPpl: number) => void;
  /** Cancels between chunks. */
  signal?: AbortSignalLike;
  /** Positions per forward block (default: the session's). */
  blockSize?: number;
  /** Awaited after every chunk (see ModelEvalOptions.pause). */
  pause?: () => Promise<void>;
  /**
   * Evaluates chunks instead of the in-process session, e.g. a pool of worker threads; it must
   * return the same logits the model would.
   */
  evalChunk?: EvalChunk;
}

function perplexityOptions(o: RunPerplexityOptions) {
  checkContextFits(o.model, o.nCtx);
  return {
    tokens: o.tokens,
    nCtx: o.nCtx,
    nVocab: o.model.config.vocabSize,
    evalChunk: o.evalChunk ?? modelEvalChunk(o.model, { blockSize: o.blockSize, pause: o.pause }),
    chunks: o.chunks,
    bosId: o.bosId ?? 1,
    addBos: o.addBos ?? true,
    onProgress: o.onProgress,
    signal: o.signal,
  };
}

/**
 * Perplexity of a model over a token stream exactly as `llama-perplexity -c nCtx` scores it (see
 * perplexity in eval/): chunks from an empty cache, BOS first, second half scored.
 * @example const r = await runPerplexity({ model, tokens, nCtx: 256 }); r.ppl
 */
export async function runPerplexity(options: RunPerplexityOptions): Promise<PerplexityResult> {
  return perplexity(perplexityOptions(options));
}

/**
 * Runs perplexity while producing llama.cpp's `--kl-divergence-base` file: yields the header piece
 * and one piece per chunk (write them in order), returns the perplexity result (mode 'kld-base').
 * @example for await (const piece of runKldBase({ model, tokens, nCtx: 256 })) sink.write(piece)
 */
export async function* runKldBase(
  options: RunPerplexityOptions,
): AsyncGenerator<Uint8Array, PerplexityResult, void> {
  return yield* writeKldBase(perplexityOptions(options));
}

/**
 * Runs runKldBase to the end and joins the pieces into one in-memory base file.
 * @example const { bytes, result } = await kldBaseInMemory({ model, tokens, nCtx: 256, chunks: 4 })
 */
export async function kldBaseInMemory(
  options: RunPerplexityOptions,
): Promise<{ bytes: Uint8Array; result: PerplexityResult }> {
  const it = runKldBase(options);
  const pieces: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const step = await it.next();
    if (step.done) {
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const p of pieces) {
        bytes.set(p, at);
        at += p.length;
      }
      return { bytes, result: step.value };
    }
    pieces.push(step.value);
    total += step.value.length;
  }
}

/** Options of runKld. */
export interface RunKldOptions {
  /** Model Q. */
  model: ModelWeights;
  /** The opened base file (readKldBase); its tokens and n_ctx drive the run. */
  base: KldBaseReader;
  /** Evaluate only the first N chunks. */
  chunks?: number;
  /** BOS id (default 1). */
  bosId?: number;
  /** Whether chunks start with BOS (default true). */
  addBos?: boolean;
  /** Called after each chunk with the row llama.cpp prints. */
  onProgress?: (chunk: number, total: number, row: KldChunkRow) => void;
  signal?: AbortSignalLike;
  /** Positions per forward block (default: the session's). */
  blockSize?: number;
  /** Awaited after every chunk (see ModelEvalOptions.pause). */
  pause?: () => Promise<void>;
  /** Evaluates chunks instead of the in-process session (see RunPerplexityOptions.evalChunk). */
  evalChunk?: EvalChunk;
}

/**
 * KL divergence of a model against a saved base, as `llama-perplexity --kl-divergence` (see
 * klDivergence in eval/); the base's vocabulary must be the model's.
 * @example const r = await runKld({ model: q4, base: await readKldBase(bytes) }); r.summary?.kld
 */
export async function runKld(options: RunKldOptions): Promise<KldResult> {
  const { model, base } = options;
  if (base.nVocab !== model.config.vocabSize) {
    throw new Error(
      `the KLD base has n_vocab ${base.nVocab} but the model's vocabulary is ` +
        `${model.config.vocabSize}; it was made with a different model family`,
    );
  }
  checkContextFits(model, base.nCtx);
  return klDivergence({
    base,
    evalChunk:
      options.evalChunk ??
      modelEvalChunk(model, { blockSize: options.blockSize, pause: options.pause }),
    bosId: options.bosId ?? 1,
    addBos: options.addBos ?? true,
    chunks: options.chunks,
    onProgress: options.onProgress,
    signal: options.signal,
  });
}
