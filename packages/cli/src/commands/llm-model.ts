// Opening a language model (and its tokenizer) for the CLI verbs generate, tokenize and
// perplexity: names are resolved through @explorables/models (a path, EXPLORABLES_MODELS, the
// cache, a download), files are read through fileSource, and every problem a user can fix becomes
// a one-line UsageError.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import {
  type LoadedModel,
  type LoadedTokenizer,
  loadModel,
  loadTokenizer,
  sniffModelFormat,
  TokenizerFileError,
} from '@explorables/llm';
import { MODEL_CATALOGUE, type ResolvedModel, resolveModel } from '@explorables/models';
import { UsageError } from '../errors.ts';
import { fileSource } from '../file-source.ts';
import { checkInputFile, fileError } from '../files.ts';
import { isTty, Progress } from '../progress.ts';

/** What to open. */
export interface LlmModelRequest {
  /** -m: a path, a file name looked up through EXPLORABLES_MODELS / the cache, or an https URL. */
  model: string;
  /** -z: the tokenizer.bin of a llama2.c checkpoint (default: the catalogue's pairing). */
  tokenizer?: string;
  /** Environment for the model search path (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where a progress bar goes (drawn only on a TTY). */
  stderr: Writable;
  now: () => number;
}

/** A model opened for the CLI, with the paths it came from. */
export interface OpenedLlm extends LoadedModel {
  modelPath: string;
  /** The tokenizer.bin used, for llama2.c checkpoints. */
  tokenizerPath?: string;
}

async function resolveOrFail(
  what: string,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedModel> {
  try {
    return await resolveModel(name, { env });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot open ${what} '${name}': ${why}`);
  }
}

/** The first bytes of a file, to tell GGUF from llama2.c. */
async function sniffFile(path: string): Promise<ReturnType<typeof sniffModelFormat>> {
  await checkInputFile(path);
  let source: Awaited<ReturnType<typeof fileSource>>;
  try {
    source = await fileSource(path);
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
  try {
    return sniffModelFormat(await source.read(0, Math.min(16, source.sizeBytes)));
  } finally {
    await source.close();
  }
}

/**
 * Finds the tokenizer.bin for a llama2.c checkpoint: -z when given (resolved like a model name),
 * else the catalogue's pairing for the model's file name (looked for next to the model first,
 * then through the search path). Throws the "-z" UsageError when there is none.
 * @example await tokenizerPathFor(resolved, undefined, process.env) // '/…/tok512.bin'
 */
export async function tokenizerPathFor(
  model: ResolvedModel,
  tokenizer: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (tokenizer !== undefined) return (await resolveOrFail('tokenizer', tokenizer, env)).path;
  const entry = model.entry ?? MODEL_CATALOGUE[basename(model.path)];
  const pair = entry?.pairsWith;
  if (pair === undefined) {
    throw new UsageError(
      `llama2.c checkpoints need their tokenizer.bin (-z); '${model.name}' has no known pairing`,
    );
  }
  const sibling = join(dirname(model.path), pair);
  if (existsSync(sibling)) return sibling;
  return (
    await resolveOrFail(`tokenizer ${pair} (the pairing of ${model.name}; or give -z)`, pair, env)
  ).path;
}

/** A tokenizer file's error as a UsageError naming that file (not the model's). */
function tokenizerError(error: unknown, tokenizerPath: string | undefined): unknown {
  if (!(error instanceof TokenizerFileError) || tokenizerPath === undefined) return error;
  return new UsageError(`'${tokenizerPath}': ${error.message}`);
}

async function withSource<T>(
  path: string,
  use: (source: Awaited<ReturnType<typeof fileSource>>) => Promise<T>,
): Promise<T> {
  await checkInputFile(path);
  let source: Awaited<ReturnType<typeof fileSource>>;
  try {
    source = await fileSource(path);
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
  try {
    return await use(source);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const mapped = fileError('cannot read', path, error);
    if (mapped !== error) throw mapped;
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(`'${path}': ${why}`);
  } finally {
    await source.close();
  }
}

/**
 * Resolves, reads and dequantizes a model and its tokenizer (GGUF lazily through fileSource; a
 * llama2.c checkpoint whole, with -z or its catalogue pairing), drawing a progress bar on a TTY.
 * Truncated files, mismatched tokenizers and unsupported models become UsageError.
 * @example const { model, tokenizer } = await openLlmModel({ model: 'stories260K.bin', stderr, now })
 */
export async function openLlmModel(request: LlmModelRequest): Promise<OpenedLlm> {
  const env = request.env ?? process.env;
  const resolved = await resolveOrFail('model', request.model, env);
  const format = await sniffFile(resolved.path);
  const tokenizerPath =
    format === 'gguf' && request.tokenizer === undefined
      ? undefined
      : await tokenizerPathFor(resolved, request.tokenizer, env);
  const tokenizer =
    tokenizerPath === undefined
      ? undefined
      : await withSource(tokenizerPath, async (s) => s.read(0, s.sizeBytes));
  return withSource(resolved.path, async (source) => {
    const bar = new Progress({
      stream: request.stderr,
      label: `loading ${basename(resolved.path)}`,
      totalBytes: source.sizeBytes,
      now: request.now,
    });
    try {
      const loaded = await loadModel(source, {
        tokenizer,
        onProgress: isTty(request.stderr) ? (p) => bar.update(p.bytesRead) : undefined,
      }).catch((error: unknown) => {
        throw tokenizerError(error, tokenizerPath);
      });
      return { ...loaded, modelPath: resolved.path, tokenizerPath };
    } finally {
      bar.done();
    }
  });
}

/**
 * Only the tokenizer of a model (a GGUF's header, or a llama2.c checkpoint's tokenizer.bin checked
 * against its vocabulary), resolved as openLlmModel does.
 * @example const { tokenizer } = await openLlmTokenizer({ model: 'model.gguf', stderr, now })
 */
export async function openLlmTokenizer(request: LlmModelRequest): Promise<LoadedTokenizer> {
  const env = request.env ?? process.env;
  const resolved = await resolveOrFail('model', request.model, env);
  const format = await sniffFile(resolved.path);
  const tokenizerPath =
    format === 'gguf' && request.tokenizer === undefined
      ? undefined
      : await tokenizerPathFor(resolved, request.tokenizer, env);
  const tokenizer =
    tokenizerPath === undefined
      ? undefined
      : await withSource(tokenizerPath, async (s) => s.read(0, s.sizeBytes));
  return withSource(resolved.path, (source) =>
    loadTokenizer(source, { tokenizer }).catch((error: unknown) => {
      throw tokenizerError(error, tokenizerPath);
    }),
  );
}
