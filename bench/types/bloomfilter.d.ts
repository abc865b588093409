// Types for the npm package `bloomfilter` (Jason Davies), which ships none. Only what the
// benchmark calls is declared.
declare module 'bloomfilter' {
  export class BloomFilter {
    /** `m` bits (rounded up to a multiple of 32) and `k` hash functions. */
    constructor(m: number, k: number);
    /** Bits actually allocated (m rounded up to a multiple of 32). */
    readonly m: number;
    readonly k: number;
    readonly buckets: Uint32Array;
    add(value: string): void;
    test(value: string): boolean;
  }
}
