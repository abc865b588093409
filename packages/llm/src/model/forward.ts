import { addInPlace, matmul, rmsnorm, swiglu } from './kernels.ts';
import { RopeTables } from './rope.ts';
import type { ModelWeights } from './weights.ts';

const f = Math.fround;

/**
 * The Llama decoder's forward pass over blocks of positions, with a float32 KV cache per layer
 * ([cacheLength][kvDim] for keys and for values). Holds the scratch buffers for one block.
 */
export class Forward {
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  readonly kvDim: number;
  readonly cacheLength: number;
  private readonly rope: RopeTables;
  private readonly x: Float32Array;
  private readonly xb: Float32Array;
  private readonly q: Float32Array;
  private readonly xb2: Float32Array;
  private readonly hb: Float32Array;
  private readonly hb2: Float32Array;
  private readonly att: Float32Array;
  private readonly evenSums: Float64Array;
  private readonly oddSums: Float64Array;
  private readonly scoreScale: number;

  /**
   * Allocates the cache (cacheLength positions) and scratch for blocks of up to blockSize positions.
   * @example new Forward(model, 512, 64)
   */
  constructor(
    readonly model: ModelWeights,
    cacheLength: number,
    readonly blockSize: number,
  ) {
    const c = model.config;
    this.cacheLength = cacheLength;
    this.kvDim = c.nKvHeads * c.headSize;
    const qDim = c.nHeads * c.headSize;
    this.keys = [];
    this.values = [];
    for (let l = 0; l < c.nLayers; l++) {
      this.keys.push(new Float32Array(cacheLength * this.kvDim));
      this.values.push(new Float32Array(cacheLength * this.kvDim));
    }
    this.rope = new RopeTables({ ...c, seqLen: Math.max(cacheLength, 1) });
    this.x = new Float32Array(blockSize * c.dim);
    this.xb = new Float32Array(blockSize * Math.max(c.dim, qDim));
    this.q = new Float32Array(blockSize * qDim);
    this.xb2 = new Float32Array(blockSize * qDim);
    this.hb = new Float32Array(blockSize * c.hiddenDim);
    this.hb2 = new Float32Array(blockSize * c.hiddenDim);
    this.att = new Float32Array(cacheLength);
    this.evenSums = new Float64Array(cacheLength);
    this.oddSums = new Float64Array(cacheLength);
    this.scoreScale = f(Math.sqrt(c.headSize));
  }

  /**
   * Runs `count` ≤ blockSize tokens tokens[start..] at positions pos0.., filling the cache, and
   * writes logits for positions [logitsFrom, count) of the block into `logits` (row-major).
   * @example fwd.block(ids, 0, 4, 0, 3, logits) // logits of the 4th position
   */
  block(
    tokens: ArrayLike<number>,
    start: number,
    count: number,
    pos0: number,
    logitsFrom: number,
    logits: Float32Array | undefined,
  ): void {
    const m = this.model;
    const c = m.config;
    const { dim, hiddenDim, nHeads, nKvHeads, headSize, vocabSize } = c;
    const qDim = nHeads * headSize;
    const kvDim = this.kvDim;
    const { x, xb, q, xb2, hb, hb2 } = this;
    for (let t = 0; t < count; t++) {
      const token = tokens[start + t];
      x.set(m.tokenEmbedding.subarray(token * dim, (token + 1) * dim), t * dim);
    }
    for (let l = 0; l < c.nLayers; l++) {
      const w = m.layers[l];
      rmsnorm(xb, x, w.attnNorm, count, dim, c.rmsEps);
      matmul(q, xb, w.wq, count, dim, qDim);
      const kRows = this.keys[l].subarray(pos0 * kvDim, (pos0 + count) * kvDim);
      const vRows = this.values[l].subarray(pos0 * kvDim, (pos0 + count) * kvDim);
      matmul(kRows, xb, w.wk, count, dim, kvDim);
      matmul(vRows, xb, w.wv, count, dim, kvDim);
      for (let t = 0; t < count; t++) {
        this.rope.apply(q, t * qDim, nHeads, pos0 + t);
        this.rope.apply(kRows, t * kvDim, nKvHeads, pos0 + t);
      }
      for (let t = 0; t < count; t++) this.attend(l, t, pos0 + t);
      matmul(xb, xb2, w.wo, count, qDim, dim);
      addInPlace(x, xb, count * dim);
      rmsnorm(xb, x, w.ffnNorm, count, dim, c.rmsEps);
      matmul(hb, xb, w.w1, count, dim, hiddenDim);
      matmul(hb2, xb, w.w3, count, dim, hiddenDim);
      swiglu(hb, hb2, count * hiddenDim);
      matmul(xb, hb, w.w2, count, hiddenDim, dim);
      addInPlace(x, xb, count * dim);
    }
    if (logits === undefined || logitsFrom >= count) return;
    const rows = count - logitsFrom;
    const tail = x.subarray(logitsFrom * dim, count * dim);
    rmsnorm(xb, tail, m.outputNorm, rows, dim, c.rmsEps);
    matmul(logits, xb, m.output, rows, dim, vocabSize);
  }

  /** Causal attention of block row t (absolute position pos) over cache positions 0..pos. */
  private attend(layer: number, t: number, pos: number): void {
    const c = this.model.config;
    const { nHeads, nKvHeads, headSize } = c;
    const qDim = nHeads * headSize;
    const kvDim = this.kvDim;
    const group = nHeads / nKvHeads;
    const keys = this.keys[layer];
    const values = this.values[layer];
    const { att, evenSums, oddSums, q, xb2 } = this;
    const count = pos + 1;
    const scale = this.scoreScale;
    for (let h = 0; h < nHeads; h++) {
      const qo = t * qDim + h * headSize;
      const kvo = Math.floor(h / group) * headSize;
      const max =
        headSize % 8 === 0
          ? headScoresBy8(att, evenSums, oddSums, q, qo, keys, kvo, kvDim, count, headSize, scale)
          : headScores(att, evenSums, oddSums, q, qo, keys, kvo, kvDim, count, headSize, scale);
      softmaxWeights(att, count, max);
      weightedValues(xb2, qo, att, values, kvo, kvDim, count, headSize);
    }
  }
}

/**
 * The scaled attention scores of query head q[qo..qo+headSize) against the keys at
 * keys[s·kvDim + ko ..] for s < count: att[s] = f(f(even + odd) / scale), where even and odd are
 * double sums of q·k over the even and the odd dimensions, each in dimension order (an odd last
 * dimension joins the even sum). Returns the largest score. Uses even/odd as scratch.
 * @example headScores(att, even, odd, q, 0, keys, 0, 32, 5, 6, Math.fround(Math.sqrt(6)))
 */
function headScores(
  att: Float32Array,
  even: Float64Array,
  odd: Float64Array,
  q: Float32Array,
  qo: number,
  keys: Float32Array,
  ko: number,
  kvDim: number,
  count: number,
  headSize: number,
  scale: number,
): number {
  headDots(even, odd, q, qo, keys, ko, kvDim, count, headSize);
  return scaleScores(att, even, odd, count, scale);
}

/**
 * headScores for a headSize that is a multiple of 8, in the same order of operations: walks the
 * keys once per 8 dimensions with those query values in registers, and the last walk writes the
 * scores (a head of 8 needs no scratch at all).
 */
function headScoresBy8(
  att: Float32Array,
  even: Float64Array,
  odd: Float64Array,
  q: Float32Array,
  qo: number,
  keys: Float32Array,
  ko: number,
  kvDim: number,
  count: number,
  headSize: number,
  scale: number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < headSize; i += 8) {
    const first = i === 0;
    const last = i + 8 === headSize;
    const q0 = q[qo + i];
    const q1 = q[qo + i + 1];
    const q2 = q[qo + i + 2];
    const q3 = q[qo + i + 3];
    const q4 = q[qo + i + 4];
    const q5 = q[qo + i + 5];
    const q6 = q[qo + i + 6];
    const q7 = q[qo + i + 7];
    for (let s = 0, k = ko + i; s < count; s++, k += kvDim) {
      let e = first ? 0 : even[s];
      let o = first ? 0 : odd[s];
      e = e + q0 * keys[k] + q2 * keys[k + 2] + q4 * keys[k + 4] + q6 * keys[k + 6];
      o = o + q1 * keys[k + 1] + q3 * keys[k + 3] + q5 * keys[k + 5] + q7 * keys[k + 7];
      if (last) {
        const score = f(f(e + o) / scale);
        att[s] = score;
        if (score > max) max = score;
      } else {
        even[s] = e;
        odd[s] = o;
      }
    }
  }
  return max;
}

/** even[s], odd[s] of headScores: walks the keys once per 4 (then 2, 1) dimensions. */
function headDots(
  even: Float64Array,
  odd: Float64Array,
  q: Float32Array,
  qo: number,
  keys: Float32Array,
  ko: number,
  kvDim: number,
  count: number,
  headSize: number,
): void {
  even.fill(0, 0, count);
  odd.fill(0, 0, count);
  let i = 0;
  for (; i + 4 <= headSize; i += 4) {
    const q0 = q[qo + i];
    const q1 = q[qo + i + 1];
    const q2 = q[qo + i + 2];
    const q3 = q[qo + i + 3];
    for (let s = 0, k = ko + i; s < count; s++, k += kvDim) {
      even[s] = even[s] + q0 * keys[k] + q2 * keys[k + 2];
      odd[s] = odd[s] + q1 * keys[k + 1] + q3 * keys[k + 3];
    }
  }
  for (; i + 2 <= headSize; i += 2) {
    const q0 = q[qo + i];
    const q1 = q[qo + i + 1];
    for (let s = 0, k = ko + i; s < count; s++, k += kvDim) {
      even[s] += q0 * keys[k];
      odd[s] += q1 * keys[k + 1];
    }
  }
  if (i < headSize) {
    const q0 = q[qo + i];
    for (let s = 0, k = ko + i; s < count; s++, k += kvDim) even[s] += q0 * keys[k];
  }
}

/** att[s] = f(f(even[s] + odd[s]) / scale) for s < count; returns the largest score. */
function scaleScores(
  att: Float32Array,
  even: Float64Array,
  odd: Float64Array,
  count: number,
  scale: number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < count; s++) {
    const score = f(f(even[s] + odd[s]) / scale);
    att[s] = score;
    if (score > max) max = score;
  }
  return max;
}

/**
 * Scores to attention weights in place, as run.c in float32: e = expf(score - max), a float32
 * running sum, then each weight e / sum rounded to float32.
 */
function softmaxWeights(att: Float32Array, count: number, max: number): void {
  let sum = 0;
  for (let s = 0; s < count; s++) {
    const e = f(Math.exp(f(att[s] - max)));
    att[s] = e;
    sum = f(sum + e);
  }
  for (let s = 0; s < count; s++) att[s] = att[s] / sum;
}

/**
 * out[oo + i] = Σ_s att[s] · values[s·kvDim + vo + i] for i < headSize, each a double sum in
 * position order; walks the values once per group of 8 (then 4, 1) dimensions.
 */
function weightedValues(
  out: Float32Array,
  oo: number,
  att: Float32Array,
  values: Float32Array,
  vo: number,
  kvDim: number,
  count: number,
  headSize: number,
): void {
  let i = 0;
  for (; i + 8 <= headSize; i += 8) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (let s = 0, v = vo + i; s < count; s++, v += kvDim) {
      const a = att[s];
      a0 += a * values[v];
      a1 += a * values[v + 1];
      a2 += a * values[v + 2];
      a3 += a * values[v + 3];
      a4 += a * values[v + 4];
      a5 += a * values[v + 5];
      a6 += a * values[v + 6];
      a7 += a * values[v + 7];
    }
    out[oo + i] = a0;
    out[oo + i + 1] = a1;
    out[oo + i + 2] = a2;
    out[oo + i + 3] = a3;
    out[oo + i + 4] = a4;
    out[oo + i + 5] = a5;
    out[oo + i + 6] = a6;
    out[oo + i + 7] = a7;
  }
  for (; i + 4 <= headSize; i += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let s = 0, v = vo + i; s < count; s++, v += kvDim) {
      const a = att[s];
      a0 += a * values[v];
      a1 += a * values[v + 1];
      a2 += a * values[v + 2];
      a3 += a * values[v + 3];
    }
    out[oo + i] = a0;
    out[oo + i + 1] = a1;
    out[oo + i + 2] = a2;
    out[oo + i + 3] = a3;
  }
  for (; i < headSize; i++) {
    let a0 = 0;
    for (let s = 0, v = vo + i; s < count; s++, v += kvDim) a0 += att[s] * values[v];
    out[oo + i] = a0;
  }
}
