import type { ModelConfig } from './config.ts';

const f = Math.fround;

/**
 * Precomputed RoPE rotations: for position p and pair i < ropeDims/2, the angle is
 * p · θ^(-2i/ropeDims), computed in float32 like run.c (powf, then cosf/sinf of the product).
 */
export class RopeTables {
  readonly cos: Float32Array;
  readonly sin: Float32Array;
  readonly pairs: number;

  /**
   * Tables for positions 0..seqLen-1.
   * @example new RopeTables(config).cos.length // seqLen × ropeDims/2
   */
  constructor(readonly config: ModelConfig) {
    const pairs = config.ropeDims / 2;
    this.pairs = pairs;
    this.cos = new Float32Array(config.seqLen * pairs);
    this.sin = new Float32Array(config.seqLen * pairs);
    const theta = f(config.ropeTheta);
    const freqs = new Float32Array(pairs);
    for (let i = 0; i < pairs; i++) {
      freqs[i] = f(1 / f(theta ** f((2 * i) / config.ropeDims)));
    }
    for (let p = 0; p < config.seqLen; p++) {
      for (let i = 0; i < pairs; i++) {
        const angle = f(p * freqs[i]);
        this.cos[p * pairs + i] = Math.cos(angle);
        this.sin[p * pairs + i] = Math.sin(angle);
      }
    }
  }

  /**
   * Rotates `heads` heads of width headSize stored at vec[offset..] for position `pos`, in the
   * config's layout, in place.
   * @example rope.apply(q, 0, 8, 3)
   */
  apply(vec: Float32Array, offset: number, heads: number, pos: number): void {
    const { headSize, ropeLayout } = this.config;
    const pairs = this.pairs;
    const base = pos * pairs;
    const step = ropeLayout === 'adjacent' ? 1 : 0;
    for (let h = 0; h < heads; h++) {
      const o = offset + h * headSize;
      for (let i = 0; i < pairs; i++) {
        const c = this.cos[base + i];
        const s = this.sin[base + i];
        const i0 = step === 1 ? o + 2 * i : o + i;
        const i1 = step === 1 ? i0 + 1 : i0 + pairs;
        const v0 = vec[i0];
        const v1 = vec[i1];
        vec[i0] = f(v0 * c) - f(v1 * s);
        vec[i1] = f(v0 * s) + f(v1 * c);
      }
    }
  }
}
