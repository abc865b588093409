export { type Histogram, type HistogramOptions, histogram } from './histogram.ts';
export { type ErrorMetrics, errorMetrics } from './metrics.ts';
export {
  applyOutliers,
  type Coordinate,
  deserializeOutliers,
  type ExtractedOutliers,
  extractOutliers,
  type OutlierQuantization,
  type OutlierSelection,
  type OutlierTable,
  outlierEntries,
  outlierTableBytes,
  quantizeWithOutliers,
  serializeOutliers,
} from './outliers.ts';
export { type TensorStats, tensorStats } from './tensor-stats.ts';
export {
  type AsymmetricOptions,
  asymmetricRange,
  type ClipOption,
  type Granularity,
  quantizeAsymmetric,
  quantizeSymmetric,
  roundHalfAway,
  symmetricRange,
  type UniformOptions,
  type UniformResult,
} from './uniform.ts';
