export {
  type AbortSignalLike,
  chunkCount,
  type EvalChunk,
  firstScoredPosition,
  scoredPerChunk,
} from './chunks.ts';
export {
  type DeltaPDistribution,
  type KlDivergenceOptions,
  type KldChunkRow,
  type KldDistribution,
  type KldResult,
  type KldSummary,
  klDivergence,
  kldChunkRow,
  kldSummary,
  mergeKldSums,
} from './kl-divergence.ts';
export {
  encodeKldBaseChunk,
  encodeKldBaseHeader,
  KLD_BASE_HEADER_BYTES,
  KLD_BASE_MAGIC,
  type KldBaseChunk,
  type KldBaseLayout,
  type KldBaseReader,
  type KldBaseSource,
  kldBaseLayout,
  readKldBase,
} from './kld-base.ts';
export {
  type LlamaCppReport,
  type ParsedKldRow,
  type ParsedStatLine,
  type PrintedValueWithError,
  parseLlamaCppReport,
} from './parse-report.ts';
export {
  type PerplexityOptions,
  type PerplexityResult,
  perplexity,
  writeKldBase,
} from './perplexity.ts';
export { formatFixed, formatInt } from './printf.ts';
export {
  formatKldChunkRow,
  formatKldReport,
  formatKldSummary,
  formatPerplexityReport,
  KLD_TABLE_HEADER,
  type KldReportLayout,
  kldToJson,
  type PerplexityJson,
  perplexityToJson,
} from './report.ts';
export {
  compressLogProbs,
  decodeLogProb,
  emptyKldSums,
  KLD_BASE_LEVELS,
  KLD_BASE_WINDOW_NATS,
  type KldPosition,
  type KldSums,
  kldAtPosition,
  kldBaseRowWords,
  pplNll,
} from './softmax.ts';
export {
  covarianceOfMeans,
  meanAndUncertainty,
  medianOfSorted,
  percentileOfSorted,
  type ValueWithError,
} from './stats.ts';
