import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_MODEL, DEFAULT_TOKENIZER, type ModelKind } from './catalogue.ts';
import { MODELS_VARIABLE } from './paths.ts';
import { type ResolveOptions, resolveModel } from './resolve.ts';
import { sha256File } from './sha256.ts';

/** The files the site ships by default: the default model and its tokenizer. */
export const SITE_MODELS: readonly string[] = Object.freeze([DEFAULT_MODEL, DEFAULT_TOKENIZER]);

/** One file listed in `models/index.json`. */
export interface PublishedModel {
  /** File name; the file is served at `models/<name>` under the site's base. */
  readonly name: string;
  readonly sizeBytes: number;
  /** Lower-case hex sha256 of the served bytes. */
  readonly sha256: string;
  /** Present for catalogue names. */
  readonly kind?: ModelKind;
  readonly pairsWith?: string;
}

/** The content of `models/index.json`, which pages fetch to learn what the site can load. */
export interface ModelsIndex {
  readonly models: readonly PublishedModel[];
}

/** Where messages go (Astro's integration logger fits). */
export interface ModelsLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Options for publishModels and createModelsMiddleware. */
export interface SiteModelsOptions extends ResolveOptions {
  /** File names to ship (default SITE_MODELS). */
  readonly names?: readonly string[];
  readonly logger?: ModelsLogger;
}

interface Located extends PublishedModel {
  readonly path: string;
}

const consoleLogger: ModelsLogger = {
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
};

/**
 * Resolves every name (verifying catalogue files against their sha256) and reads size and hash of
 * each; rejects with the first failure.
 * @example const files = await locateModels(['stories260K.bin'], { env: process.env })
 */
async function locateModels(names: readonly string[], options: ResolveOptions): Promise<Located[]> {
  const located: Located[] = [];
  for (const name of names) {
    const resolved = await resolveModel(name, { ...options, verify: true });
    const sizeBytes = (await stat(resolved.path)).size;
    const sha256 = await sha256File(resolved.path);
    const entry = resolved.entry;
    located.push({
      name: resolved.name,
      path: resolved.path,
      sizeBytes,
      sha256,
      ...(entry ? { kind: entry.kind } : {}),
      ...(entry?.pairsWith ? { pairsWith: entry.pairsWith } : {}),
    });
  }
  return located;
}

function unavailable(error: unknown, where: string): string {
  const why = error instanceof Error ? error.message : String(error);
  const hint = why.includes(MODELS_VARIABLE)
    ? ''
    : ` Set ${MODELS_VARIABLE} to a folder that holds the model files.`;
  return (
    `models not ${where}: ${why}.${hint} ` +
    'Essays that run a model will show "model not available".'
  );
}

function toIndex(located: readonly Located[]): ModelsIndex {
  return { models: located.map(({ path: _path, ...published }) => published) };
}

/**
 * Copies the site's model files into `<distDir>/models/<name>` and writes
 * `<distDir>/models/index.json` listing them with sizes and sha256. When any file cannot be found
 * (or fails its checksum) it logs one warning naming EXPLORABLES_MODELS, writes nothing and
 * resolves to undefined; the build goes on.
 * @example await publishModels(fileURLToPath(dir), { env: process.env, logger })
 */
export async function publishModels(
  distDir: string,
  options: SiteModelsOptions = {},
): Promise<ModelsIndex | undefined> {
  const logger = options.logger ?? consoleLogger;
  let located: Located[];
  try {
    located = await locateModels(options.names ?? SITE_MODELS, options);
  } catch (error) {
    logger.warn(unavailable(error, `copied into ${join(distDir, 'models')}`));
    return undefined;
  }
  const dir = join(distDir, 'models');
  await mkdir(dir, { recursive: true });
  for (const file of located) {
    const dest = join(dir, file.name);
    await rm(dest, { force: true });
    await copyFile(file.path, dest);
    // The source may be read-only (a shared folder); the copy must stay replaceable.
    await chmod(dest, 0o644);
  }
  const index = toIndex(located);
  await writeFile(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  const total = located.reduce((sum, file) => sum + file.sizeBytes, 0);
  logger.info(`copied ${located.length} model files (${total} bytes) into ${dir}`);
  return index;
}

/** A connect-style middleware, as Vite's dev server takes. */
export type ModelsMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * A dev-server middleware that answers GET/HEAD `<base>models/<name>` with the resolved file and
 * `<base>models/index.json` with the index publishModels would write. Files are resolved on the
 * first request (a download may run then); when they cannot be found it answers 404 with the
 * reason, warns once, and tries again on the next request.
 * @example server.middlewares.use(createModelsMiddleware({ env: process.env, logger }))
 */
export function createModelsMiddleware(
  options: SiteModelsOptions & { readonly base?: string } = {},
): ModelsMiddleware {
  const logger = options.logger ?? consoleLogger;
  const names = options.names ?? SITE_MODELS;
  const prefix = `${(options.base ?? '/').replace(/\/?$/, '/')}models/`;
  let pending: Promise<Located[]> | undefined;
  let warned = false;

  const located = (): Promise<Located[]> => {
    pending ??= locateModels(names, options).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };

  return (request, response, next) => {
    const pathname = (request.url ?? '').split('?')[0]!;
    if (!pathname.startsWith(prefix)) return next();
    let name: string;
    try {
      name = decodeURIComponent(pathname.slice(prefix.length));
    } catch {
      return next();
    }
    if (name !== 'index.json' && !names.includes(name)) return next();
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    located().then(
      (files) => {
        if (name === 'index.json') {
          const body = `${JSON.stringify(toIndex(files), null, 2)}\n`;
          response.writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            'cache-control': 'no-cache',
          });
          response.end(request.method === 'HEAD' ? undefined : body);
          return;
        }
        const file = files.find((candidate) => candidate.name === name)!;
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': file.sizeBytes,
          'cache-control': 'no-cache',
        });
        if (request.method === 'HEAD') {
          response.end();
          return;
        }
        createReadStream(file.path)
          .on('error', (error) => response.destroy(error))
          .pipe(response);
      },
      (error: unknown) => {
        const message = unavailable(error, 'served');
        if (!warned) logger.warn(message);
        warned = true;
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`model not available: ${message}\n`);
      },
    );
  };
}
