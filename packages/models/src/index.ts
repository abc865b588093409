// Node-only: finding, downloading, verifying and serving the model files the essays run.
// Downloads use Node's global fetch, which ignores HTTPS_PROXY/HTTP_PROXY; behind a proxy, fetch
// the files some other way and point EXPLORABLES_MODELS at their folder.

export {
  type CatalogueEntry,
  DEFAULT_MODEL,
  DEFAULT_TOKENIZER,
  MODEL_CATALOGUE,
  type ModelKind,
} from './catalogue.ts';
export {
  ChecksumMismatchError,
  type DownloadOptions,
  type DownloadResult,
  describeFetchError,
  downloadFile,
  type ProgressCallback,
} from './download.ts';
export {
  type Env,
  isOffline,
  MODELS_VARIABLE,
  type ModelFolder,
  modelCacheDir,
  modelSearchPath,
  OFFLINE_VARIABLE,
} from './paths.ts';
export {
  type ModelSource,
  type ResolvedModel,
  type ResolveOptions,
  resolveModel,
} from './resolve.ts';
export { normaliseSha256, sha256File, verifySha256 } from './sha256.ts';
export {
  createModelsMiddleware,
  type ModelsIndex,
  type ModelsLogger,
  type ModelsMiddleware,
  type PublishedModel,
  publishModels,
  SITE_MODELS,
  type SiteModelsOptions,
} from './site.ts';
