export { log1mExp, ReservoirL } from './algorithm-l.ts';
export { ReservoirR } from './algorithm-r.ts';
export { expectedDrawsL, expectedDrawsR, expectedWrites, harmonic } from './expected.ts';
export {
  BASELINE_LEVEL_SHARES,
  BURST_LEVEL_SHARES,
  expectedRatePerSec,
  formatLogLine,
  generateLogStream,
  LOG_EPOCH_MS,
  LOG_SERVICES,
  type LogBurst,
  type LogLevel,
  type LogLine,
  type LogStreamOptions,
} from './log-stream.ts';
export { mergeUniform, mergeWeighted } from './merge.ts';
export {
  MAX_K,
  type Offer,
  type UniformSnapshot,
  type WeightedSnapshot,
} from './offer.ts';
export { type WeightedMethod, WeightedReservoir } from './weighted.ts';
export {
  type KeptItem,
  type SamplerOptions,
  type WindowBatch,
  WindowedSampler,
} from './windowed.ts';
