/**
 * A tiny seeded stand-in for a language model, for tests of the evaluation code: logits at
 * position p depend on the token at p (a bigram table) and weakly on p itself. Not exported from
 * the package.
 */

import { createRng } from '@explorables/random';
import type { EvalChunk } from './chunks.ts';

const f = Math.fround;

/** A synthetic model and a log of every chunk it was asked to evaluate. */
export interface BigramModel {
  /** nVocab × nVocab float logits: row = previous token. */
  table: Float32Array;
  /** Returns nCtx × nVocab logits for a chunk. */
  evalChunk: EvalChunk;
  /** Every input chunk, in call order. */
  calls: Int32Array[];
}

/**
 * Builds a bigram model with normal(0, sdNats) logits; `noise` > 0 perturbs a copy of another
 * model's table (a "quantized" model Q) with normal(0, noise) deviations.
 * @example const m = bigramModel(16, 1); await m.evalChunk(tokens, info)
 */
export function bigramModel(
  nVocab: number,
  seed: number,
  options: { sdNats?: number; from?: Float32Array; noise?: number } = {},
): BigramModel {
  const rng = createRng(seed);
  const table = new Float32Array(nVocab * nVocab);
  for (let i = 0; i < table.length; i++) {
    const base = options.from ? options.from[i] : rng.normal(0, options.sdNats ?? 3);
    table[i] = options.noise ? base + rng.normal(0, options.noise) : base;
  }
  const calls: Int32Array[] = [];
  const evalChunk: EvalChunk = (tokens) => {
    calls.push(tokens);
    const out = new Float32Array(tokens.length * nVocab);
    for (let p = 0; p < tokens.length; p++) {
      const row = tokens[p] * nVocab;
      for (let v = 0; v < nVocab; v++) {
        out[p * nVocab + v] = f(table[row + v] + f(0.01 * (p % 7) * (((v * 13) % 5) - 2)));
      }
    }
    return out;
  };
  return { table, evalChunk, calls };
}

/**
 * Uniform random token ids in [0, nVocab), seeded.
 * @example randomTokens(1000, 16, 7)
 */
export function randomTokens(n: number, nVocab: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(0, nVocab - 1);
  return out;
}

/**
 * Concatenates byte pieces (e.g. the pieces of writeKldBase) into one array.
 * @example concatBytes([a, b]).length === a.length + b.length
 */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of pieces) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
