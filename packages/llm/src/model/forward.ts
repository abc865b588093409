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
  private readonly acc: Float64Array;
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
    this.acc = new Float64Array(c.headSize);
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
    const { att, acc, q, xb2 } = this;
    const scale = this.scoreScale;
    for (let h = 0; h < nHeads; h++) {
      const qo = t * qDim + h * headSize;
      const kvo = Math.floor(h / group) * headSize;
      let max = Number.NEGATIVE_INFINITY;
      const even = headSize - (headSize % 2);
      for (let s = 0; s <= pos; s++) {
        const ko = s * kvDim + kvo;
        let d0 = 0;
        let d1 = 0;
        let i = 0;
        for (; i < even; i += 2) {
          d0 += q[qo + i] * keys[ko + i];
          d1 += q[qo + i + 1] * keys[ko + i + 1];
        }
        if (i < headSize) d0 += q[qo + i] * keys[ko + i];
        const score = f(f(d0 + d1) / scale);
        att[s] = score;
        if (score > max) max = score;
      }
      let sum = 0;
      for (let s = 0; s <= pos; s++) {
        const e = f(Math.exp(f(att[s] - max)));
        att[s] = e;
        sum = f(sum + e);
      }
      acc.fill(0);
      for (let s = 0; s <= pos; s++) {
        const a = f(att[s] / sum);
        const vo = s * kvDim + kvo;
        for (let i = 0; i < headSize; i++) acc[i] += a * values[vo + i];
      }
      for (let i = 0; i < headSize; i++) xb2[qo + i] = acc[i];
    }
  }
}
