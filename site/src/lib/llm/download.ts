/**
 * Fetching the site's model files with byte-level progress: models/index.json says what the site
 * ships (written by the models integration at build time), then the checkpoint and its tokenizer
 * are streamed with a ReadableStream reader.
 */

/** One file listed in models/index.json (the fields the browser reads). */
export interface ModelsIndexEntry {
  name: string;
  sizeBytes: number;
  kind?: string;
  pairsWith?: string;
}

/** The content of models/index.json. */
export interface ModelsIndex {
  models: ModelsIndexEntry[];
}

/** Bytes downloaded so far over all files of one load. */
export interface DownloadProgress {
  loadedBytes: number;
  /** Undefined when neither the index nor the server says how big the files are. */
  totalBytes: number | undefined;
  /** The file being downloaded. */
  file: string;
}

/** The site has no model to load (its build ran without the model files). */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

/** The fetch function used (window.fetch by default; tests pass their own). */
export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface FetchOptions {
  fetch?: FetchLike;
  signal?: AbortSignal;
}

/**
 * Downloads `url` into one ArrayBuffer, calling onChunk(loadedBytes, totalBytes) after every
 * chunk; totalBytes comes from `expectedBytes` or else Content-Length. Rejects on an HTTP error
 * status naming the URL.
 * @example const buffer = await fetchBytes('/models/tok512.bin', { onChunk: (n, t) => log(n, t) })
 */
export async function fetchBytes(
  url: string,
  options: FetchOptions & {
    expectedBytes?: number;
    onChunk?: (loadedBytes: number, totalBytes: number | undefined) => void;
  } = {},
): Promise<ArrayBuffer> {
  const doFetch = options.fetch ?? ((u, init) => fetch(u, init));
  const response = await doFetch(url, { signal: options.signal });
  if (!response.ok) {
    throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`.trimEnd());
  }
  const header = Number(response.headers.get('content-length') ?? Number.NaN);
  const total =
    options.expectedBytes ?? (Number.isFinite(header) && header >= 0 ? header : undefined);
  options.onChunk?.(0, total);
  if (!response.body) {
    const whole = await response.arrayBuffer();
    options.onChunk?.(whole.byteLength, total ?? whole.byteLength);
    return whole;
  }
  const reader = response.body.getReader();
  let buffer = new Uint8Array(total ?? 64 * 1024);
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.max(buffer.byteLength * 2, loaded + value.byteLength));
      grown.set(buffer.subarray(0, loaded));
      buffer = grown;
    }
    buffer.set(value, loaded);
    loaded += value.byteLength;
    options.onChunk?.(loaded, total);
  }
  if (total !== undefined && loaded !== total) {
    throw new Error(`GET ${url} gave ${loaded} bytes; expected ${total}`);
  }
  return loaded === buffer.byteLength ? buffer.buffer : buffer.slice(0, loaded).buffer;
}

/**
 * Reads `<base>models/index.json`; a 404 (a build without models) rejects with
 * ModelUnavailableError, other failures with an Error naming the URL.
 * @example const index = await fetchModelsIndex('/')
 */
export async function fetchModelsIndex(
  base: string,
  options: FetchOptions = {},
): Promise<ModelsIndex> {
  const url = `${base.replace(/\/?$/, '/')}models/index.json`;
  const doFetch = options.fetch ?? ((u, init) => fetch(u, init));
  const response = await doFetch(url, { signal: options.signal });
  if (response.status === 404) {
    throw new ModelUnavailableError(
      `This build of the site has no model files (${url} is missing).`,
    );
  }
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const index = (await response.json()) as ModelsIndex;
  if (!Array.isArray(index?.models)) {
    throw new Error(`${url} has no "models" list; expected { models: [{ name, sizeBytes }] }`);
  }
  return index;
}

/**
 * The first llama2.c checkpoint in the index whose tokenizer is listed too.
 * @example pickModel(index) // { checkpoint: { name: 'stories260K.bin', … }, tokenizer: … }
 */
export function pickModel(
  index: ModelsIndex,
): { checkpoint: ModelsIndexEntry; tokenizer: ModelsIndexEntry } | undefined {
  for (const entry of index.models) {
    if (entry.kind !== 'llama2c-checkpoint' || !entry.pairsWith) continue;
    const tokenizer = index.models.find((m) => m.name === entry.pairsWith);
    if (tokenizer) return { checkpoint: entry, tokenizer };
  }
  return undefined;
}

/** The downloaded files of one model. */
export interface ModelFiles {
  name: string;
  checkpoint: ArrayBuffer;
  tokenizer: ArrayBuffer;
}

/**
 * Downloads the site's default model and tokenizer, reporting bytes over both files.
 * @example const files = await downloadModel('/', { onProgress: (p) => show(p.loadedBytes) })
 */
export async function downloadModel(
  base: string,
  options: FetchOptions & { onProgress?: (progress: DownloadProgress) => void } = {},
): Promise<ModelFiles> {
  const index = await fetchModelsIndex(base, options);
  const pick = pickModel(index);
  if (!pick) {
    throw new ModelUnavailableError(
      'The site lists no llama2.c model with its tokenizer in models/index.json.',
    );
  }
  const root = `${base.replace(/\/?$/, '/')}models/`;
  const files = [pick.tokenizer, pick.checkpoint];
  const totalBytes = files.reduce((sum, f) => sum + f.sizeBytes, 0);
  let done = 0;
  const buffers: ArrayBuffer[] = [];
  for (const file of files) {
    const buffer = await fetchBytes(root + encodeURIComponent(file.name), {
      ...options,
      expectedBytes: file.sizeBytes,
      onChunk: (loaded) =>
        options.onProgress?.({ loadedBytes: done + loaded, totalBytes, file: file.name }),
    });
    done += buffer.byteLength;
    buffers.push(buffer);
  }
  return { name: pick.checkpoint.name, tokenizer: buffers[0], checkpoint: buffers[1] };
}
