export { chiSquare, chiSquareCritical001 } from './chi-square.ts';
export { logFactorial } from './log-factorial.ts';
export { logPoissonPmf, MAX_POISSON_LAMBDA } from './poisson.ts';
export { createRng, createRngFromState, type MutableArrayLike, type Rng } from './rng.ts';
export { childKey, type Seed, type SeedKey, seedKey } from './seed.ts';
export { mix32, SplitMix32 } from './splitmix32.ts';
export { parseRngState, type RngState } from './state.ts';
export { Xoshiro128StarStar, type Xoshiro128Words } from './xoshiro128.ts';
