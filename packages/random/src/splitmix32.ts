/** The increment splitmix32 adds to its state before each output: 2^32 over the golden ratio. */
export const SPLITMIX32_GAMMA = 0x9e3779b9;

/**
 * The splitmix32 output function (MurmurHash3's fmix32 finaliser): a bijection on 32-bit words
 * that spreads every input bit over every output bit; returns an unsigned 32-bit integer.
 * @example mix32(0x9e3779b9) // 0x92ca2f0e, the first splitmix32 output from state 0
 */
export function mix32(word: number): number {
  let z = word | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * splitmix32: a 32-bit-state generator (state += golden gamma, output mix32(state)) used only to
 * expand seed material into generator state, never as the simulation generator itself.
 * @example new SplitMix32(0).next() // 0x92ca2f0e
 */
export class SplitMix32 {
  private word: number;

  /**
   * Starts the sequence at `seed`, an unsigned 32-bit integer.
   * @example const sm = new SplitMix32(42);
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`SplitMix32 seed must be an integer in [0, 2^32 - 1], got ${String(seed)}`);
    }
    this.word = seed | 0;
  }

  /**
   * Advances the state by one gamma and returns the next output as an unsigned 32-bit integer.
   * @example new SplitMix32(1).next() // 0x96a0f96b
   */
  next(): number {
    this.word = (this.word + SPLITMIX32_GAMMA) | 0;
    return mix32(this.word);
  }

  /**
   * The current state as an unsigned 32-bit integer; `new SplitMix32(s.state)` continues `s`.
   * @example new SplitMix32(7).state // 7
   */
  get state(): number {
    return this.word >>> 0;
  }
}
