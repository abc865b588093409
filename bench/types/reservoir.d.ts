// Types for the npm package `reservoir` (Jon-Carlos Rivera), which ships none. Only what the
// benchmark calls is declared.
declare module 'reservoir' {
  /** A plain array holding the sample, decorated with `pushSome`. */
  export interface ReservoirArray<T> extends Array<T> {
    /** Offers each argument in order; returns the number of items held. */
    pushSome(...items: T[]): number;
  }
  /** An empty reservoir of at most `reservoirSize` items drawing from `rng` (default Math.random). */
  export default function Reservoir<T>(
    reservoirSize?: number,
    rng?: () => number,
  ): ReservoirArray<T>;
}
