import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import {
  formatKldReport,
  formatPerplexityReport,
  type KldBaseReader,
  kldToJson,
  type ModelWeights,
  type PerplexityResult,
  perplexityToJson,
  quantizeWeightsLikeFileType,
  readKldBase,
  runKld,
  runKldBase,
  runPerplexity,
} from '@explorables/llm';
import { parseFileType } from '@explorables/weights';
import { parseArgs, parsePositiveInteger } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { fileSource } from '../file-source.ts';
import { checkInputFile, fileError, readWholeFile } from '../files.ts';
import { createChunkPool } from '../parallel/index.ts';
import { isTty } from '../progress.ts';
import { openLlmModel } from './llm-model.ts';

/** Usage text of `explorables perplexity --help`. */
export const PERPLEXITY_HELP = `explorables perplexity: llama.cpp's perplexity and KL divergence, on our engine.

Usage:
  explorables perplexity -m MODEL -f TEXT [-c N_CTX] [--chunks N] [--quant TYPE] [--json]
  explorables perplexity -m MODEL -f TEXT -c N_CTX --kl-divergence-base BASE    (write BASE)
  explorables perplexity -m MODEL --kl-divergence-base BASE --kl-divergence [--quant TYPE]

Scores the text exactly as llama-perplexity does: the whole file tokenized once with BOS,
cut into chunks of N_CTX tokens, each run from an empty cache with BOS as its first token,
and only the second half of each chunk scored. Prints llama.cpp's report: the running
estimates "[1]x,[2]y,…" and "Final estimate: PPL = …", or for --kl-divergence its per-chunk
table and statistics.

Options:
  -m, --model MODEL            a llama2.c checkpoint or a GGUF (llama architecture): a path,
                               or a file name found in EXPLORABLES_MODELS or the cache
  -z, --tokenizer FILE         tokenizer.bin of a llama2.c checkpoint (default: its pairing)
  -f, --file TEXT              the text to score (not needed with --kl-divergence)
  -c, --ctx-size N             tokens per chunk; default 512; at most the model's context
  --chunks N                   score only the first N chunks
  -t, --threads N              worker threads evaluating chunks (default: the CPU count)
  --quant TYPE                 first quantize the weights in memory as llama-quantize TYPE
                               would (Q8_0, Q4_0, Q4_K_M, …) and run on the dequantized
                               weights (activations stay float32)
  --kl-divergence-base BASE    without --kl-divergence: also write llama.cpp's base file
                               (log-probabilities of every scored position, ~131 KB per
                               chunk at n_ctx 256 and 512 tokens); with it: read BASE
  --kl-divergence              score the model against BASE: KLD, Δp, same top token
  --json                       print the result as JSON instead

Examples:
  explorables perplexity -m stories260K.bin -f tinystories-valid-400k.txt -c 256
  explorables perplexity -m stories260K.bin -f text.txt -c 256 --kl-divergence-base base.kld
  explorables perplexity -m stories260K.bin --quant Q4_0 --kl-divergence-base base.kld \\
      --kl-divergence
`;

const OPTIONS = {
  model: { kind: 'string', short: 'm' },
  tokenizer: { kind: 'string', short: 'z' },
  file: { kind: 'string', short: 'f' },
  'ctx-size': { kind: 'string', short: 'c' },
  chunks: { kind: 'string' },
  threads: { kind: 'string', short: 't' },
  quant: { kind: 'string' },
  'kl-divergence-base': { kind: 'string' },
  'kl-divergence': { kind: 'boolean' },
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/** Between chunks, let stdout, stderr and signals through (the forward pass is synchronous). */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A one-line progress display on a TTY, redrawn at most every 100 ms. */
class ChunkProgress {
  private last = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(private readonly ctx: Context) {
    this.enabled = isTty(ctx.stderr);
  }

  update(chunk: number, total: number, what: string): void {
    if (!this.enabled) return;
    const t = this.ctx.now();
    if (t - this.last < 100 && chunk < total) return;
    this.last = t;
    this.drawn = true;
    this.ctx.stderr.write(`\r[${chunk}/${total}] ${what}\x1b[K`);
  }

  done(): void {
    if (this.drawn) this.ctx.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}

function quantized(model: ModelWeights, quant: string | undefined): ModelWeights {
  if (quant === undefined) return model;
  try {
    return quantizeWeightsLikeFileType(model, parseFileType(quant)).model;
  } catch (error) {
    throw new UsageError(`--quant ${quant}: ${error instanceof Error ? error.message : error}`);
  }
}

function stringOption(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function openBase(
  path: string,
): Promise<{ base: KldBaseReader; close: () => Promise<void> }> {
  await checkInputFile(path);
  let source: Awaited<ReturnType<typeof fileSource>>;
  try {
    source = await fileSource(path);
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
  try {
    return { base: await readKldBase(source), close: () => source.close() };
  } catch (error) {
    await source.close();
    throw new UsageError(`'${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * `explorables perplexity`: llama-perplexity's PPL, base-file and KL-divergence runs on a model.
 * @example await perplexity(['-m', 'stories260K.bin', '-f', 'text.txt', '-c', '256'], ctx)
 */
export async function perplexity(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'perplexity');
  if (options.has('help')) {
    await ctx.out.line(PERPLEXITY_HELP.trimEnd());
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}' (the text goes after -f)`);
  }
  const modelName = stringOption(options.get('model'));
  if (modelName === undefined) throw new UsageError('perplexity needs a model: -m MODEL');
  const textPath = stringOption(options.get('file'));
  const basePath = stringOption(options.get('kl-divergence-base'));
  const kld = options.has('kl-divergence');
  if (kld && basePath === undefined) {
    throw new UsageError(
      '--kl-divergence needs --kl-divergence-base BASE (the file to score against)',
    );
  }
  if (!kld && textPath === undefined) {
    throw new UsageError('perplexity needs the text to score: -f TEXT');
  }
  const nCtxText = stringOption(options.get('ctx-size'));
  const nCtx = nCtxText === undefined ? 512 : parsePositiveInteger('-c', nCtxText);
  if (nCtx < 3)
    throw new UsageError(`-c must be at least 3 so a chunk scores a token, got ${nCtx}`);
  const chunksText = stringOption(options.get('chunks'));
  const chunks =
    chunksText === undefined ? undefined : parsePositiveInteger('--chunks', chunksText);
  const quant = stringOption(options.get('quant'));
  if (quant !== undefined) {
    try {
      parseFileType(quant);
    } catch (error) {
      throw new UsageError(`--quant: ${error instanceof Error ? error.message : error}`);
    }
  }
  const json = options.has('json');
  const threadsText = stringOption(options.get('threads'));
  const threads =
    threadsText === undefined ? availableParallelism() : parsePositiveInteger('-t', threadsText);

  const opened = await openLlmModel({
    model: modelName,
    tokenizer: stringOption(options.get('tokenizer')),
    stderr: ctx.stderr,
    now: ctx.now,
  });
  const model = quantized(opened.model, quant);
  const { tokenizer } = opened;
  const bosId = tokenizer.bosId;
  const addBos = bosId >= 0;
  const contextLength = model.config.seqLen;
  const progress = new ChunkProgress(ctx);

  if (kld && basePath !== undefined) {
    const { base, close } = await openBase(basePath);
    try {
      if (base.nVocab !== model.config.vocabSize) {
        throw new UsageError(
          `'${basePath}' has n_vocab ${base.nVocab} but the model's vocabulary is ` +
            `${model.config.vocabSize}; the base was made with another model family`,
        );
      }
      if (base.nCtx > contextLength) {
        throw new UsageError(
          `'${basePath}' has n_ctx ${base.nCtx}, beyond the model's context length ${contextLength}`,
        );
      }
      const pool = threads > 1 ? createChunkPool(model, { workers: threads }) : undefined;
      const result = await runKld({
        model,
        base,
        pause,
        evalChunk: pool?.lookahead({ tokens: base.tokens, nCtx: base.nCtx, bosId, addBos }),
        chunks,
        bosId: addBos ? bosId : 0,
        addBos,
        onProgress: (i, total, row) =>
          progress.update(
            i,
            total,
            `KLD ${row.kld.value.toFixed(5)}  PPL(Q) ${row.ppl.value.toFixed(4)}`,
          ),
      });
      progress.done();
      await pool?.close();
      if (json) await ctx.out.line(JSON.stringify(kldToJson(result)));
      else await ctx.out.line(formatKldReport(result).replace(/\n$/, ''));
      return 0;
    } finally {
      progress.done();
      await close();
    }
  }

  if (nCtx > contextLength) {
    throw new UsageError(`n_ctx ${nCtx} is beyond the model's context length ${contextLength}`);
  }
  const text = new TextDecoder().decode(await readWholeFile(textPath as string));
  const tokens = tokenizer.encode(text, { bos: addBos });
  if (tokens.length < 2 * nCtx) {
    throw new UsageError(
      `need at least 2·n_ctx = ${2 * nCtx} tokens, the text has ${tokens.length}`,
    );
  }
  const run = {
    model,
    pause,
    tokens,
    nCtx,
    chunks,
    bosId: addBos ? bosId : 0,
    addBos,
    onProgress: (i: number, total: number, ppl: number) =>
      progress.update(i, total, `PPL ${ppl.toFixed(4)}`),
  };
  // Worker threads evaluate the next chunks ahead while the runner scores one; the logits (and so
  // every printed digit) are the same as in process.
  const pool = threads > 1 ? createChunkPool(model, { workers: threads }) : undefined;
  const evalChunk = pool?.lookahead({ tokens, nCtx, bosId: run.bosId, addBos });
  let result: PerplexityResult;
  try {
    if (basePath === undefined) {
      result = await runPerplexity({ ...run, evalChunk });
    } else {
      result = await writeBase(basePath, runKldBase({ ...run, evalChunk }));
    }
  } finally {
    progress.done();
    await pool?.close();
  }
  if (json) await ctx.out.line(JSON.stringify(perplexityToJson(result)));
  else await ctx.out.line(formatPerplexityReport(result).replace(/\n$/, ''));
  return 0;
}

async function writeBase(
  path: string,
  pieces: AsyncGenerator<Uint8Array, PerplexityResult, void>,
): Promise<PerplexityResult> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'w');
  } catch (error) {
    throw fileError('cannot write', path, error);
  }
  try {
    for (;;) {
      const step = await pieces.next();
      if (step.done) return step.value;
      try {
        await handle.write(step.value);
      } catch (error) {
        throw fileError('cannot write', path, error);
      }
    }
  } finally {
    await handle.close();
  }
}
