// A readable forward pass that records what happens inside the model, one position at a time.
// It runs the very kernels of the fast forward (model/forward.ts): the same matmul, rmsnorm,
// RoPE tables, SwiGLU and residual adds, and the attention loop written out with the same
// operations in the same order, so its logits equal Session.prefill's bit for bit.

import type { ModelConfig } from '../model/config.ts';
import { addInPlace, matmul, rmsnorm, softmaxF32, swiglu } from '../model/kernels.ts';
import { RopeTables } from '../model/rope.ts';
import type { ModelWeights } from '../model/weights.ts';

const f = Math.fround;

/** Which (possibly large) arrays traceForward keeps; see {@link traceSizeBytes} for their sizes. */
export interface TraceCapture {
  /** The embedding row of each token, [T][dim] (default true). */
  embeddings?: boolean;
  /** Q per selected head and K (after RoPE), V per kv head (default true). */
  qkv?: boolean;
  /** Scaled pre-softmax scores and softmax weights, [layer][head][T][T] each (default true). */
  attention?: boolean;
  /** The MLP's input (after RMSNorm) and output (before the residual add), [layer][T][dim]. */
  mlp?: boolean;
  /** The down projection's input silu(w1·x)·(w3·x), [layer][T][hiddenDim] (default false). */
  mlpHidden?: boolean;
  /** Logits of the last position only, of every position, or none (default 'last'). */
  logits?: 'last' | 'all' | 'none';
  /** Also softmax the captured logits into probabilities (default true). */
  probabilities?: boolean;
}

/** Options of traceForward. */
export interface TraceOptions {
  /** Layers whose per-layer arrays are captured, ascending (default all). */
  layers?: readonly number[];
  /** Query heads whose Q, scores and weights are captured, ascending (default all). */
  heads?: readonly number[];
  /** What to keep (defaults: everything but mlpHidden; logits of the last position). */
  capture?: TraceCapture;
  /** Turns ids into strings for tokenStrings (a Tokenizer's piece method fits). */
  pieceOf?: (id: number) => string;
}

/** The largest |value| of an activation over every position and channel of one layer. */
export interface ActivationPeak {
  layer: number;
  /** Position (index into the prompt) where the peak sits. */
  position: number;
  /** Channel (index inside the vector) where the peak sits. */
  channel: number;
  /** The signed value; its magnitude is the peak. */
  value: number;
}

/**
 * Everything recorded by traceForward. Multi-dimensional arrays are flat, row-major, over the
 * *selected* layers and heads: index li into `layers` and hi into `heads`, never the model's own
 * numbering. With T = tokens.length and hs = headSize:
 * - q: [li][hi][t][i] at ((li·H + hi)·T + t)·hs + i, H = heads.length
 * - k, v: [li][kvh][t][i] at ((li·nKvHeads + kvh)·T + t)·hs + i, every kv head
 * - scores, weights: [li][hi][query][key] at ((li·H + hi)·T + query)·T + key
 * - mlpInput, mlpOutput: [li][t][j] at (li·T + t)·dim + j; mlpHidden the same with hiddenDim
 * - residualNorms: [l][t] at l·T + t for l = 0..nLayers (0 is the embedding, l the output of
 *   layer l-1), every layer
 * - logits, probabilities: [row][vocab], row = t for 'all', a single row for 'last'
 * Arrays not captured have length 0.
 */
export interface Trace {
  config: ModelConfig;
  tokens: Int32Array;
  /** pieceOf(id) per token when given, else null. */
  tokenStrings: string[] | null;
  /** Selected layers (the li axis), ascending. */
  layers: number[];
  /** Selected query heads (the hi axis), ascending. */
  heads: number[];
  /** For every query head h, the kv head it reads: floor(h / (nHeads / nKvHeads)). */
  kvHeadOf: Int32Array;
  /** [T][dim] embedding rows. */
  embeddings: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** q·k / sqrt(headSize) as the forward rounds it; -Infinity above the diagonal (masked). */
  scores: Float32Array;
  /** Softmax of each query's scores (rows sum to 1 within float32 rounding); 0 above it. */
  weights: Float32Array;
  mlpInput: Float32Array;
  mlpOutput: Float32Array;
  mlpHidden: Float32Array;
  /** Per layer (every layer), the peak |value| of the down projection's input. */
  downInputPeaks: ActivationPeak[];
  /** Per layer (every layer), the peak |value| of the down projection's output. */
  downOutputPeaks: ActivationPeak[];
  /** L2 norm of the residual stream, [nLayers + 1][T] (always captured). */
  residualNorms: Float32Array;
  /** Positions whose logits rows are stored: [T-1] for 'last', 0..T-1 for 'all', [] for 'none'. */
  logitPositions: number[];
  logits: Float32Array;
  probabilities: Float32Array;
}

interface ResolvedCapture {
  embeddings: boolean;
  qkv: boolean;
  attention: boolean;
  mlp: boolean;
  mlpHidden: boolean;
  logits: 'last' | 'all' | 'none';
  probabilities: boolean;
}

function resolveCapture(c: TraceCapture = {}): ResolvedCapture {
  const logits = c.logits ?? 'last';
  if (logits !== 'last' && logits !== 'all' && logits !== 'none') {
    throw new Error(`traceForward: capture.logits is '${logits}'; expected last, all or none`);
  }
  return {
    embeddings: c.embeddings ?? true,
    qkv: c.qkv ?? true,
    attention: c.attention ?? true,
    mlp: c.mlp ?? true,
    mlpHidden: c.mlpHidden ?? false,
    logits,
    probabilities: c.probabilities ?? true,
  };
}

function selection(given: readonly number[] | undefined, count: number, what: string): number[] {
  if (given === undefined) return Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < given.length; i++) {
    const v = given[i];
    if (!Number.isInteger(v) || v < 0 || v >= count) {
      throw new Error(
        `traceForward: ${what}[${i}] is ${v}; expected an integer in 0..${count - 1}`,
      );
    }
    if (i > 0 && v <= given[i - 1]) {
      throw new Error(`traceForward: ${what} must be strictly ascending; ${what}[${i}] is ${v}`);
    }
  }
  return [...given];
}

/**
 * Bytes the captured arrays of a trace of `tokenCount` tokens take (4 bytes per float32), per
 * array and in total. The attention arrays grow with T², everything else with T.
 * @example traceSizeBytes(model.config, 200).totalBytes
 */
export function traceSizeBytes(
  config: ModelConfig,
  tokenCount: number,
  options: Omit<TraceOptions, 'pieceOf'> = {},
): Record<
  | 'embeddings'
  | 'qkv'
  | 'attention'
  | 'mlp'
  | 'mlpHidden'
  | 'residualNorms'
  | 'logits'
  | 'totalBytes',
  number
> {
  const cap = resolveCapture(options.capture);
  const t = tokenCount;
  const nl = options.layers?.length ?? config.nLayers;
  const nh = options.heads?.length ?? config.nHeads;
  const hs = config.headSize;
  const logitRows = cap.logits === 'all' ? t : cap.logits === 'last' ? 1 : 0;
  const sizes = {
    embeddings: cap.embeddings ? t * config.dim * 4 : 0,
    qkv: cap.qkv ? nl * (nh + 2 * config.nKvHeads) * t * hs * 4 : 0,
    attention: cap.attention ? 2 * nl * nh * t * t * 4 : 0,
    mlp: cap.mlp ? 2 * nl * t * config.dim * 4 : 0,
    mlpHidden: cap.mlpHidden ? nl * t * config.hiddenDim * 4 : 0,
    residualNorms: (config.nLayers + 1) * t * 4,
    logits: logitRows * config.vocabSize * 4 * (cap.probabilities ? 2 : 1),
    totalBytes: 0,
  };
  sizes.totalBytes =
    sizes.embeddings +
    sizes.qkv +
    sizes.attention +
    sizes.mlp +
    sizes.mlpHidden +
    sizes.residualNorms +
    sizes.logits;
  return sizes;
}

function norm2(x: Float32Array, offset: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[offset + i] * x[offset + i];
  return Math.sqrt(s);
}

function updatePeak(peak: ActivationPeak, x: Float32Array, n: number, position: number): void {
  for (let i = 0; i < n; i++) {
    if (Math.abs(x[i]) > Math.abs(peak.value)) {
      peak.value = x[i];
      peak.position = position;
      peak.channel = i;
    }
  }
}

/**
 * Runs the model over `tokens` from an empty cache, one position at a time, and records
 * embeddings, Q/K/V, attention scores and weights, MLP input/output, the down projection's
 * input peaks, residual norms and logits. Its logits are bit-identical to a Session's prefill
 * (same kernels, same rounding order). Memory: see traceSizeBytes; attention is 8·L·H·T² bytes.
 * @example const trace = traceForward(model, [1, 403, 407], { capture: { logits: 'all' } })
 */
export function traceForward(
  model: ModelWeights,
  tokens: ArrayLike<number>,
  options: TraceOptions = {},
): Trace {
  const c = model.config;
  const { dim, hiddenDim, nHeads, nKvHeads, headSize, vocabSize, nLayers } = c;
  const T = tokens.length;
  if (T === 0) throw new Error('traceForward: no tokens given; expected at least one');
  if (T > c.seqLen) {
    throw new Error(`traceForward: ${T} tokens exceed the model's seqLen of ${c.seqLen}`);
  }
  const ids = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    const id = tokens[t];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(`traceForward: token ${t} is ${id}; expected an id in 0..${vocabSize - 1}`);
    }
    ids[t] = id;
  }
  const cap = resolveCapture(options.capture);
  const layers = selection(options.layers, nLayers, 'layers');
  const heads = selection(options.heads, nHeads, 'heads');
  const layerSlot = new Int32Array(nLayers).fill(-1);
  layers.forEach((l, i) => {
    layerSlot[l] = i;
  });
  const headSlot = new Int32Array(nHeads).fill(-1);
  heads.forEach((h, i) => {
    headSlot[h] = i;
  });
  const nl = layers.length;
  const nh = heads.length;
  const qDim = nHeads * headSize;
  const kvDim = nKvHeads * headSize;
  const group = nHeads / nKvHeads;
  const kvHeadOf = Int32Array.from({ length: nHeads }, (_, h) => Math.floor(h / group));
  const alloc = (on: boolean, n: number) => new Float32Array(on ? n : 0);

  const trace: Trace = {
    config: c,
    tokens: ids,
    tokenStrings: options.pieceOf ? Array.from(ids, (id) => options.pieceOf?.(id) ?? '') : null,
    layers,
    heads,
    kvHeadOf,
    embeddings: alloc(cap.embeddings, T * dim),
    q: alloc(cap.qkv, nl * nh * T * headSize),
    k: alloc(cap.qkv, nl * nKvHeads * T * headSize),
    v: alloc(cap.qkv, nl * nKvHeads * T * headSize),
    scores: alloc(cap.attention, nl * nh * T * T),
    weights: alloc(cap.attention, nl * nh * T * T),
    mlpInput: alloc(cap.mlp, nl * T * dim),
    mlpOutput: alloc(cap.mlp, nl * T * dim),
    mlpHidden: alloc(cap.mlpHidden, nl * T * hiddenDim),
    downInputPeaks: [],
    downOutputPeaks: [],
    residualNorms: new Float32Array((nLayers + 1) * T),
    logitPositions: [],
    logits: new Float32Array(0),
    probabilities: new Float32Array(0),
  };
  for (let l = 0; l < nLayers; l++) {
    trace.downInputPeaks.push({ layer: l, position: 0, channel: 0, value: 0 });
    trace.downOutputPeaks.push({ layer: l, position: 0, channel: 0, value: 0 });
  }
  if (cap.attention) trace.scores.fill(Number.NEGATIVE_INFINITY);

  const keys = Array.from({ length: nLayers }, () => new Float32Array(T * kvDim));
  const values = Array.from({ length: nLayers }, () => new Float32Array(T * kvDim));
  const rope = new RopeTables({ ...c, seqLen: T });
  const scale = f(Math.sqrt(headSize));
  const x = new Float32Array(dim);
  const xb = new Float32Array(Math.max(dim, qDim));
  const q = new Float32Array(qDim);
  const xb2 = new Float32Array(qDim);
  const hb = new Float32Array(hiddenDim);
  const hb2 = new Float32Array(hiddenDim);
  const att = new Float32Array(T);
  const acc = new Float64Array(headSize);
  const logitRows = cap.logits === 'all' ? T : cap.logits === 'last' ? 1 : 0;
  trace.logits = new Float32Array(logitRows * vocabSize);
  trace.logitPositions =
    cap.logits === 'all' ? Array.from({ length: T }, (_, t) => t) : logitRows ? [T - 1] : [];

  for (let t = 0; t < T; t++) {
    const token = ids[t];
    x.set(model.tokenEmbedding.subarray(token * dim, (token + 1) * dim));
    if (cap.embeddings) trace.embeddings.set(x, t * dim);
    trace.residualNorms[t] = norm2(x, 0, dim);
    for (let l = 0; l < nLayers; l++) {
      const w = model.layers[l];
      const li = layerSlot[l];
      // Attention block: RMSNorm, Q/K/V projections, RoPE on Q and K.
      rmsnorm(xb, x, w.attnNorm, 1, dim, c.rmsEps);
      matmul(q, xb, w.wq, 1, dim, qDim);
      const kRow = keys[l].subarray(t * kvDim, (t + 1) * kvDim);
      const vRow = values[l].subarray(t * kvDim, (t + 1) * kvDim);
      matmul(kRow, xb, w.wk, 1, dim, kvDim);
      matmul(vRow, xb, w.wv, 1, dim, kvDim);
      rope.apply(q, 0, nHeads, t);
      rope.apply(kRow, 0, nKvHeads, t);
      if (li >= 0 && cap.qkv) {
        for (let g = 0; g < nKvHeads; g++) {
          const o = ((li * nKvHeads + g) * T + t) * headSize;
          trace.k.set(kRow.subarray(g * headSize, (g + 1) * headSize), o);
          trace.v.set(vRow.subarray(g * headSize, (g + 1) * headSize), o);
        }
      }
      // Causal attention of position t over positions 0..t, per head (as Forward.attend).
      for (let h = 0; h < nHeads; h++) {
        const qo = h * headSize;
        const kvo = kvHeadOf[h] * headSize;
        const hi = li >= 0 ? headSlot[h] : -1;
        if (hi >= 0 && cap.qkv) {
          trace.q.set(q.subarray(qo, qo + headSize), ((li * nh + hi) * T + t) * headSize);
        }
        let max = Number.NEGATIVE_INFINITY;
        const even = headSize - (headSize % 2);
        for (let s = 0; s <= t; s++) {
          const ko = s * kvDim + kvo;
          const keyRows = keys[l];
          let d0 = 0;
          let d1 = 0;
          let i = 0;
          for (; i < even; i += 2) {
            d0 += q[qo + i] * keyRows[ko + i];
            d1 += q[qo + i + 1] * keyRows[ko + i + 1];
          }
          if (i < headSize) d0 += q[qo + i] * keyRows[ko + i];
          const score = f(f(d0 + d1) / scale);
          att[s] = score;
          if (score > max) max = score;
        }
        const rowOffset = hi >= 0 && cap.attention ? ((li * nh + hi) * T + t) * T : -1;
        if (rowOffset >= 0) trace.scores.set(att.subarray(0, t + 1), rowOffset);
        let sum = 0;
        for (let s = 0; s <= t; s++) {
          const e = f(Math.exp(f(att[s] - max)));
          att[s] = e;
          sum = f(sum + e);
        }
        acc.fill(0);
        const valueRows = values[l];
        for (let s = 0; s <= t; s++) {
          const a = f(att[s] / sum);
          if (rowOffset >= 0) trace.weights[rowOffset + s] = a;
          const vo = s * kvDim + kvo;
          for (let i = 0; i < headSize; i++) acc[i] += a * valueRows[vo + i];
        }
        for (let i = 0; i < headSize; i++) xb2[qo + i] = acc[i];
      }
      matmul(xb, xb2, w.wo, 1, qDim, dim);
      addInPlace(x, xb, dim);
      // MLP block: RMSNorm, SwiGLU, down projection.
      rmsnorm(xb, x, w.ffnNorm, 1, dim, c.rmsEps);
      if (li >= 0 && cap.mlp) trace.mlpInput.set(xb.subarray(0, dim), (li * T + t) * dim);
      matmul(hb, xb, w.w1, 1, dim, hiddenDim);
      matmul(hb2, xb, w.w3, 1, dim, hiddenDim);
      swiglu(hb, hb2, hiddenDim);
      updatePeak(trace.downInputPeaks[l], hb, hiddenDim, t);
      if (li >= 0 && cap.mlpHidden) trace.mlpHidden.set(hb, (li * T + t) * hiddenDim);
      matmul(xb, hb, w.w2, 1, hiddenDim, dim);
      updatePeak(trace.downOutputPeaks[l], xb, dim, t);
      if (li >= 0 && cap.mlp) trace.mlpOutput.set(xb.subarray(0, dim), (li * T + t) * dim);
      addInPlace(x, xb, dim);
      trace.residualNorms[(l + 1) * T + t] = norm2(x, 0, dim);
    }
    const row = cap.logits === 'all' ? t : cap.logits === 'last' && t === T - 1 ? 0 : -1;
    if (row >= 0) {
      rmsnorm(xb, x, model.outputNorm, 1, dim, c.rmsEps);
      matmul(trace.logits.subarray(row * vocabSize), xb, model.output, 1, dim, vocabSize);
    }
  }
  if (cap.probabilities && logitRows > 0) {
    trace.probabilities = trace.logits.slice();
    for (let r = 0; r < logitRows; r++) softmaxF32(trace.probabilities, r * vocabSize, vocabSize);
  }
  return trace;
}

/**
 * Offset of attention row (layer, head, query) in trace.scores / trace.weights, using the model's
 * layer and head numbers; throws when that layer or head was not captured.
 * @example trace.weights.subarray(attentionRowOffset(trace, 0, 3, 5), +6) // weights of query 5
 */
export function attentionRowOffset(
  trace: Trace,
  layer: number,
  head: number,
  query: number,
): number {
  const T = trace.tokens.length;
  const li = trace.layers.indexOf(layer);
  const hi = trace.heads.indexOf(head);
  if (li < 0 || hi < 0 || trace.weights.length === 0) {
    throw new Error(
      `attentionRowOffset: layer ${layer} head ${head} was not captured ` +
        `(layers ${trace.layers.join(',')}, heads ${trace.heads.join(',')}, attention ` +
        `${trace.weights.length > 0 ? 'on' : 'off'})`,
    );
  }
  if (!Number.isInteger(query) || query < 0 || query >= T) {
    throw new Error(`attentionRowOffset: query ${query}; expected 0..${T - 1}`);
  }
  return ((li * trace.heads.length + hi) * T + query) * T;
}
