import { softmaxF32 } from './model/kernels.ts';

const f = Math.fround;
const MASK64 = (1n << 64n) - 1n;

/**
 * llama2.c run.c's xorshift64* generator over an `unsigned long long` state, so that a seed gives
 * the same stream as `./run -s seed`.
 */
export class RunCRandom {
  private state: bigint;

  /**
   * Starts from `seed` (a non-zero integer below 2^64; zero would repeat zeros forever).
   * @example new RunCRandom(42).nextU32()
   */
  constructor(seed: number | bigint) {
    const s = typeof seed === 'bigint' ? seed : Number.isSafeInteger(seed) ? BigInt(seed) : -1n;
    if (s <= 0n || s > MASK64) {
      throw new Error(`RunCRandom: seed ${seed} is not an integer in 1..2^64-1`);
    }
    this.state = s;
  }

  /**
   * run.c random_u32: xorshift the state, return the top 32 bits of state × 0x2545F4914F6CDD1D.
   * @example new RunCRandom(1).nextU32() // an integer in 0..2^32-1
   */
  nextU32(): number {
    let s = this.state;
    s ^= s >> 12n;
    s ^= (s << 25n) & MASK64;
    s ^= s >> 27n;
    this.state = s;
    return Number(((s * 0x2545f4914f6cdd1dn) & MASK64) >> 32n);
  }

  /**
   * run.c random_f32: (u32 >> 8) / 2^24, a float32 in [0, 1).
   * @example new RunCRandom(42).nextF32() < 1 // true
   */
  nextF32(): number {
    return f((this.nextU32() >>> 8) / 16777216);
  }
}

/**
 * Index of the largest value; the first one on ties (run.c sample_argmax).
 * @example argmax(Float32Array.of(1, 3, 3)) // 1
 */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * run.c sample_mult: the first index whose float32 running sum of probabilities exceeds coin, or
 * the last index.
 * @example sampleMult(Float32Array.of(0.5, 0.5), 0.7) // 1
 */
export function sampleMult(probs: ArrayLike<number>, coin: number, n = probs.length): number {
  let cdf = 0;
  for (let i = 0; i < n; i++) {
    cdf = f(cdf + probs[i]);
    if (coin < cdf) return i;
  }
  return n - 1;
}

/**
 * run.c sample_topp: keep probabilities ≥ (1 − topp)/(n − 1), sort them descending (stable),
 * cut after the running float32 sum first exceeds topp, and draw with coin × that sum.
 * @example sampleTopP(probs, 0.9, 0.5)
 */
export function sampleTopP(probs: ArrayLike<number>, topp: number, coin: number): number {
  const n = probs.length;
  const tp = f(topp);
  const cutoff = f(f(1 - tp) / (n - 1));
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (probs[i] >= cutoff) order.push(i);
  order.sort((a, b) => probs[b] - probs[a]);
  let cumulative = 0;
  let last = order.length - 1;
  for (let i = 0; i < order.length; i++) {
    cumulative = f(cumulative + probs[order[i]]);
    if (cumulative > tp) {
      last = i;
      break;
    }
  }
  const r = f(coin * cumulative);
  let cdf = 0;
  for (let i = 0; i <= last; i++) {
    cdf = f(cdf + probs[order[i]]);
    if (r < cdf) return order[i];
  }
  return order[last];
}

/** How to pick the next token from logits. */
export interface SamplerOptions {
  /** 0 = greedy (argmax). Default 1, as run.c. */
  temperature?: number;
  /** Nucleus threshold; ≤ 0 or ≥ 1 disables it. Default 0.9, as run.c. */
  topp?: number;
  /** Keep only the k most probable tokens (renormalised) before top-p; 0 = off (run.c has none). */
  topk?: number;
  /** Seed of run.c's xorshift generator; required when temperature > 0. */
  seed?: number | bigint;
}

/**
 * run.c's sampler: argmax at temperature 0, else logits / temperature, float32 softmax, one
 * random_f32 coin per token, then top-p (or plain multinomial) — plus optional top-k.
 */
export class Sampler {
  readonly temperature: number;
  readonly topp: number;
  readonly topk: number;
  private readonly rng: RunCRandom | undefined;
  private probs = new Float32Array(0);

  /**
   * Validates the options; sampling (temperature > 0) needs a seed.
   * @example new Sampler({ temperature: 1, topp: 0.9, seed: 42 })
   */
  constructor(options: SamplerOptions = {}) {
    this.temperature = options.temperature ?? 1;
    this.topp = options.topp ?? 0.9;
    this.topk = options.topk ?? 0;
    if (!(this.temperature >= 0) || !Number.isFinite(this.temperature)) {
      throw new Error(`sampler: temperature ${this.temperature}; expected a finite number ≥ 0`);
    }
    if (Number.isNaN(this.topp)) throw new Error('sampler: topp is NaN; expected a number');
    if (!Number.isInteger(this.topk) || this.topk < 0) {
      throw new Error(`sampler: topk ${this.topk}; expected an integer ≥ 0`);
    }
    if (this.temperature > 0) {
      if (options.seed === undefined) {
        throw new Error('sampler: temperature > 0 needs a seed (run.c uses -s)');
      }
      this.rng = new RunCRandom(options.seed);
    }
  }

  /**
   * The next token id for `logits` (which are not modified).
   * @example sampler.sample(session.step(token))
   */
  sample(logits: Float32Array): number {
    if (this.rng === undefined) return argmax(logits);
    const n = logits.length;
    if (this.probs.length !== n) this.probs = new Float32Array(n);
    const p = this.probs;
    const t = f(this.temperature);
    for (let i = 0; i < n; i++) p[i] = logits[i] / t;
    softmaxF32(p, 0, n);
    const coin = this.rng.nextF32();
    if (this.topk > 0 && this.topk < n) return this.sampleTopK(p, coin);
    if (this.topp <= 0 || this.topp >= 1) return sampleMult(p, coin);
    return sampleTopP(p, this.topp, coin);
  }

  private sampleTopK(p: Float32Array, coin: number): number {
    const order = Array.from({ length: p.length }, (_, i) => i);
    order.sort((a, b) => p[b] - p[a]);
    const kept = order.slice(0, this.topk);
    let sum = 0;
    for (const i of kept) sum = f(sum + p[i]);
    const q = Float32Array.from(kept, (i) => p[i] / sum);
    const pick =
      this.topp <= 0 || this.topp >= 1 || kept.length < 2
        ? sampleMult(q, coin)
        : sampleTopP(q, this.topp, coin);
    return kept[pick];
  }
}
