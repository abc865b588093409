import { Forward } from './model/forward.ts';
import type { ModelWeights } from './model/weights.ts';

/** A copy of the first `position` rows of every layer's key and value cache. */
export interface KvState {
  /** Number of cached positions. */
  position: number;
  /** Width of one cached key (= value) row: nKvHeads × headSize. */
  kvDim: number;
  /** Per layer, [position][kvDim] keys. */
  keys: Float32Array[];
  /** Per layer, [position][kvDim] values. */
  values: Float32Array[];
  /** Bytes held by keys and values: 2 × nLayers × position × kvDim × 4. */
  sizeBytes: number;
}

/** Options for createSession. */
export interface SessionOptions {
  /** Positions the KV cache holds (default and maximum: config.seqLen). */
  cacheLength?: number;
  /** Positions processed per forward block in prefill (default 64); larger reads weights less. */
  blockSize?: number;
}

/** Options for Session.prefill. */
export interface PrefillOptions {
  /** Return logits of every prefilled position ([count][vocabSize]) instead of only the last. */
  allLogits?: boolean;
}

/** A model with a KV cache: feed tokens, read next-token logits, rewind, save and restore. */
export interface Session {
  readonly model: ModelWeights;
  /** Number of positions in the cache (the position the next token will take). */
  readonly position: number;
  /** Cache capacity in positions. */
  readonly cacheLength: number;
  /**
   * Runs `tokens` at positions position.. in blocks and returns fresh logits of the last position
   * ([vocabSize]) or, with allLogits, of all of them ([tokens.length][vocabSize]).
   * @example const logits = session.prefill([1, 403, 407])
   */
  prefill(tokens: ArrayLike<number>, options?: PrefillOptions): Float32Array;
  /**
   * Runs one token at the current position and returns fresh next-token logits ([vocabSize]).
   * @example const logits = session.step(403)
   */
  step(token: number): Float32Array;
  /**
   * Forgets every position ≥ n (0 ≤ n ≤ position); the next token goes to position n.
   * @example session.truncate(5)
   */
  truncate(n: number): void;
  /**
   * Copies the cache of positions 0..position-1 (sizeBytes tells its size).
   * @example const saved = session.kvState()
   */
  kvState(): KvState;
  /**
   * Replaces the cache with a saved state of the same model shape; position becomes its position.
   * @example session.restore(saved)
   */
  restore(state: KvState): void;
}

class LlamaSession implements Session {
  private pos = 0;
  private readonly fwd: Forward;

  constructor(
    readonly model: ModelWeights,
    options: SessionOptions,
  ) {
    const seqLen = model.config.seqLen;
    const cacheLength = options.cacheLength ?? seqLen;
    const blockSize = options.blockSize ?? 64;
    if (!Number.isInteger(cacheLength) || cacheLength < 1 || cacheLength > seqLen) {
      throw new Error(`createSession: cacheLength ${cacheLength}; expected 1..${seqLen}`);
    }
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      throw new Error(`createSession: blockSize ${blockSize}; expected a positive integer`);
    }
    this.fwd = new Forward(model, cacheLength, blockSize);
  }

  get position(): number {
    return this.pos;
  }

  get cacheLength(): number {
    return this.fwd.cacheLength;
  }

  prefill(tokens: ArrayLike<number>, options: PrefillOptions = {}): Float32Array {
    const n = tokens.length;
    const vocab = this.model.config.vocabSize;
    if (n === 0) throw new Error('session.prefill: no tokens given; expected at least one');
    if (this.pos + n > this.fwd.cacheLength) {
      throw new Error(
        `session.prefill: ${n} tokens at position ${this.pos} exceed the cache of ` +
          `${this.fwd.cacheLength} positions`,
      );
    }
    for (let i = 0; i < n; i++) this.checkToken(tokens[i], `prefill token ${i}`);
    const all = options.allLogits === true;
    const out = new Float32Array((all ? n : 1) * vocab);
    const block = this.fwd.blockSize;
    for (let start = 0; start < n; start += block) {
      const count = Math.min(block, n - start);
      const last = start + count === n;
      if (all) {
        this.fwd.block(tokens, start, count, this.pos, 0, out.subarray(start * vocab));
      } else {
        this.fwd.block(
          tokens,
          start,
          count,
          this.pos,
          last ? count - 1 : count,
          last ? out : undefined,
        );
      }
      this.pos += count;
    }
    return out;
  }

  step(token: number): Float32Array {
    return this.prefill([token]);
  }

  truncate(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.pos) {
      throw new Error(`session.truncate: ${n} is not in 0..${this.pos} (the current position)`);
    }
    this.pos = n;
  }

  kvState(): KvState {
    const rows = this.pos * this.fwd.kvDim;
    const keys = this.fwd.keys.map((k) => k.slice(0, rows));
    const values = this.fwd.values.map((v) => v.slice(0, rows));
    return {
      position: this.pos,
      kvDim: this.fwd.kvDim,
      keys,
      values,
      sizeBytes: 2 * keys.length * rows * 4,
    };
  }

  restore(state: KvState): void {
    const layers = this.fwd.keys.length;
    const rows = state.position * this.fwd.kvDim;
    if (state.kvDim !== this.fwd.kvDim || state.keys.length !== layers) {
      throw new Error(
        `session.restore: state has kvDim ${state.kvDim} and ${state.keys.length} layers; ` +
          `expected ${this.fwd.kvDim} and ${layers}`,
      );
    }
    if (state.position > this.fwd.cacheLength) {
      throw new Error(
        `session.restore: state has ${state.position} positions; the cache holds ${this.fwd.cacheLength}`,
      );
    }
    for (let l = 0; l < layers; l++) {
      if (state.keys[l].length < rows || state.values[l].length < rows) {
        throw new Error(`session.restore: layer ${l} holds fewer than ${rows} values`);
      }
      this.fwd.keys[l].set(state.keys[l].subarray(0, rows));
      this.fwd.values[l].set(state.values[l].subarray(0, rows));
    }
    this.pos = state.position;
  }

  private checkToken(token: number, where: string): void {
    const vocab = this.model.config.vocabSize;
    if (!Number.isInteger(token) || token < 0 || token >= vocab) {
      throw new Error(`session.${where} is ${token}; expected an id in 0..${vocab - 1}`);
    }
  }
}

/**
 * A fresh session (empty KV cache, position 0) over a model.
 * @example const s = createSession(model); const logits = s.prefill(tokenizer.encode(p, { bos: true }))
 */
export function createSession(model: ModelWeights, options: SessionOptions = {}): Session {
  return new LlamaSession(model, options);
}
