import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { type CatalogueEntry, MODEL_CATALOGUE } from './catalogue.ts';
import {
  ChecksumMismatchError,
  type DownloadOptions,
  type DownloadResult,
  describeFetchError,
  downloadFile,
  type ProgressCallback,
} from './download.ts';
import {
  type Env,
  isOffline,
  MODELS_VARIABLE,
  type ModelFolder,
  modelSearchPath,
  OFFLINE_VARIABLE,
} from './paths.ts';
import { verifySha256 } from './sha256.ts';

/** Where a resolved model file came from. */
export type ModelSource = 'path' | 'env' | 'cache' | 'download';

/** Options for resolveModel; every field is optional. */
export interface ResolveOptions {
  /** Environment to read EXPLORABLES_MODELS, EXPLORABLES_OFFLINE, XDG_CACHE_HOME, HOME from. */
  readonly env?: Env;
  /** Allow a download when the file is in no folder (default true; EXPLORABLES_OFFLINE wins). */
  readonly download?: boolean;
  readonly onProgress?: ProgressCallback;
  /** Replaces the global fetch (tests point it at a local server). */
  readonly fetch?: typeof fetch;
  /** Expected sha256 for a download from an arbitrary URL (catalogue entries carry their own). */
  readonly sha256?: string;
  /** Also hash a catalogue file found in a folder and refuse it when it differs (default false). */
  readonly verify?: boolean;
  /** Folder that relative paths are taken from (default process.cwd()). */
  readonly cwd?: string;
  /** Known names (default MODEL_CATALOGUE). */
  readonly catalogue?: Readonly<Record<string, CatalogueEntry>>;
  /** Platform whose cache folder convention applies (default process.platform). */
  readonly platform?: NodeJS.Platform;
  readonly signal?: AbortSignal;
}

/** A model file on disk, ready to read. */
export interface ResolvedModel {
  /** Absolute path of the file. */
  readonly path: string;
  readonly source: ModelSource;
  /** The file name it was looked up by. */
  readonly name: string;
  /** The catalogue entry for that name, when it has one. */
  readonly entry?: CatalogueEntry;
}

interface InFlight {
  readonly promise: Promise<DownloadResult>;
  readonly listeners: Set<ProgressCallback>;
}

// Downloads under way in this process, by destination path: a second resolve of the same file
// waits for the first instead of fetching it again.
const inFlight = new Map<string, InFlight>();

/**
 * Finds a model file: an existing path is used as is; a bare file name is looked up in
 * EXPLORABLES_MODELS, then in the per-user cache, and finally (catalogue names only, unless
 * offline) downloaded into the cache with its sha256 checked; an https URL is looked up by its file
 * name the same way and downloaded when absent. Throws one Error that names EXPLORABLES_MODELS and
 * the download URL when the file cannot be had.
 * @example const { path } = await resolveModel('stories260K.bin', { env: process.env })
 */
export async function resolveModel(
  nameOrPathOrUrl: string,
  options: ResolveOptions = {},
): Promise<ResolvedModel> {
  const env = options.env ?? process.env;
  const catalogue = options.catalogue ?? MODEL_CATALOGUE;
  const input = nameOrPathOrUrl.trim();
  if (input === '') throw new Error('model name is empty: give a file name, a path or a URL');

  let name: string;
  let url: string | undefined;
  let sha256 = options.sha256;
  let sizeBytes: number | undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    url = checkUrl(input);
    name = fileNameOfUrl(url);
    const entry = catalogue[name];
    if (entry?.url === url) {
      sha256 ??= entry.sha256;
      sizeBytes = entry.sizeBytes;
    }
  } else {
    const asPath = resolvePath(options.cwd ?? process.cwd(), input);
    if (existsSync(asPath)) {
      if (!statSync(asPath).isFile()) throw new Error(`model path ${asPath} is not a file`);
      return withEntry({ path: asPath, source: 'path', name: input }, catalogue);
    }
    if (/[/\\]/.test(input) || isAbsolute(input)) {
      throw new Error(
        `model file ${asPath} not found (a path was given, so no folder is searched)`,
      );
    }
    name = input;
    const entry = catalogue[name];
    url = entry?.url;
    sha256 ??= entry?.sha256;
    sizeBytes = entry?.sizeBytes;
  }

  const folders = modelSearchPath(env, options.platform);
  for (const folder of folders) {
    const path = resolvePath(folder.dir, name);
    if (existsSync(path) && statSync(path).isFile()) {
      if (options.verify && sha256 !== undefined) await verifyFound(path, sha256, folder);
      return withEntry({ path, source: folder.source, name }, catalogue);
    }
  }

  const searched = folders.map((folder) => folder.dir).join(', ');
  const hint = `set ${MODELS_VARIABLE} to a folder that holds it`;
  if (url === undefined) {
    const known = Object.keys(catalogue).join(', ');
    throw new Error(
      `model ${name} not found in ${searched}: ${hint}, or give a path or an https URL ` +
        `(names that can be downloaded: ${known})`,
    );
  }
  const notFound = (reason: string) =>
    new Error(
      `model ${name} not found in ${searched}: ${hint}, or allow a download from ${url} (${reason})`,
    );
  if (isOffline(env)) throw notFound(`${OFFLINE_VARIABLE}=${env[OFFLINE_VARIABLE]} forbids it`);
  if (options.download === false) throw notFound('downloads are turned off');

  const cache = folders.find((folder) => folder.source === 'cache')!;
  const dest = join(cache.dir, name);
  try {
    await downloadOnce(url, dest, {
      sha256,
      sizeBytes,
      fetch: options.fetch,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } catch (error) {
    if (error instanceof ChecksumMismatchError) throw error;
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw notFound(`failed: ${describeFetchError(error)}`);
  }
  return withEntry({ path: dest, source: 'download', name }, catalogue);
}

function downloadOnce(
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  let running = inFlight.get(dest);
  if (running === undefined) {
    const listeners = new Set<ProgressCallback>();
    const promise = downloadFile(url, dest, {
      ...options,
      onProgress: (received, total) => {
        for (const listener of listeners) listener(received, total);
      },
    }).finally(() => inFlight.delete(dest));
    running = { promise, listeners };
    inFlight.set(dest, running);
  }
  if (options.onProgress) running.listeners.add(options.onProgress);
  return running.promise;
}

function withEntry(
  found: Omit<ResolvedModel, 'entry'>,
  catalogue: Readonly<Record<string, CatalogueEntry>>,
): ResolvedModel {
  const entry = Object.hasOwn(catalogue, found.name) ? catalogue[found.name] : undefined;
  return entry === undefined ? found : { ...found, entry };
}

async function verifyFound(path: string, sha256: string, folder: ModelFolder): Promise<void> {
  try {
    await verifySha256(path, sha256);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${why}: the copy in ${folder.setBy} is a different file; replace or remove it`,
    );
  }
}

function checkUrl(input: string): string {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new Error(`model URL ${input} is not a valid URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new Error(
      `model URL ${input} must use https (plain http is accepted only for localhost)`,
    );
  }
  return parsed.href;
}

function fileNameOfUrl(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new Error(`model URL ${url} does not end in a file name (e.g. …/model.gguf)`);
  }
  return name;
}
