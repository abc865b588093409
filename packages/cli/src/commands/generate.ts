import type { Writable } from 'node:stream';
import { generate as generateText } from '@explorables/llm';
import { parseArgs } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { openLlmModel } from './llm-model.ts';

/** Usage text of `explorables generate --help`. */
export const GENERATE_HELP = `explorables generate: run a language model the way llama2.c's run does.

Usage:
  explorables generate -m MODEL [-z TOKENIZER] [-t TEMP] [-p TOPP] [-s SEED] [-n STEPS]
                       [-i PROMPT] [--topk K]

Prints exactly what llama2.c's run.c prints: the prompt and the generated text, token by
token, then a newline; "achieved tok/s: X" goes to standard error. With the same model,
seed and flags the text is the same, byte for byte.

Options:
  -m, --model MODEL      a llama2.c checkpoint or a GGUF (llama architecture): a path, or a
                         file name found in EXPLORABLES_MODELS or the cache (catalogue names
                         are downloaded); the model may also be given as the first argument
  -z, --tokenizer FILE   tokenizer.bin of a llama2.c checkpoint (default: its known pairing)
  -t, --temperature T    0 = greedy; default 1.0
  -p, --topp P           nucleus sampling threshold in [0, 1]; default 0.9 (0 or 1 = off)
  -s, --seed S           random seed; default 0 = the current Unix time in seconds, as run.c
                         does (so two runs differ: give a seed for repeatable output)
  -n, --steps N          positions to run, BOS included; default 256, 0 = the context length
  -i, --prompt TEXT      the prompt (default empty)
  --topk K               keep only the K most likely tokens before top-p (run.c has none)

Examples:
  explorables generate -m stories260K.bin -t 0 -n 64 -i "Once upon a time"
  explorables generate stories260K.bin -s 42
`;

const OPTIONS = {
  model: { kind: 'string', short: 'm' },
  tokenizer: { kind: 'string', short: 'z' },
  temperature: { kind: 'string', short: 't' },
  topp: { kind: 'string', short: 'p' },
  seed: { kind: 'string', short: 's' },
  steps: { kind: 'string', short: 'n' },
  prompt: { kind: 'string', short: 'i' },
  topk: { kind: 'string' },
  help: { kind: 'boolean', short: 'h' },
} as const;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function numberOption(flag: string, text: string | true | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = typeof text === 'string' && NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got '${text}'`);
  return value;
}

function integerOption(flag: string, text: string | true | undefined, fallback: number): number {
  const value = numberOption(flag, text, fallback);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`${flag} must be an integer ≥ 0, got '${text}'`);
  }
  return value;
}

/** The command context, optionally with the raw stdout to stream bytes to (main provides it). */
export type GenerateContext = Context & { stdout?: Writable };

/**
 * `explorables generate`: llama2.c run.c's generate mode on a model.
 * @example await generate(['-m', 'stories260K.bin', '-t', '0', '-n', '32'], ctx)
 */
export async function generate(argv: readonly string[], ctx: GenerateContext): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'generate');
  if (options.has('help')) {
    await ctx.out.line(GENERATE_HELP.trimEnd());
    return 0;
  }
  let model = options.get('model');
  if (model === undefined && positionals.length === 1) model = positionals[0];
  else if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument '${positionals[0]}' (the prompt goes after -i, quoted)`,
    );
  }
  if (typeof model !== 'string') throw new UsageError('generate needs a model: -m MODEL');
  const temperature = numberOption('-t', options.get('temperature'), 1);
  if (temperature < 0) throw new UsageError(`-t must be ≥ 0, got ${temperature}`);
  const topp = numberOption('-p', options.get('topp'), 0.9);
  if (topp < 0 || topp > 1) throw new UsageError(`-p must be in [0, 1], got ${topp}`);
  const steps = integerOption('-n', options.get('steps'), 256);
  const topk = integerOption('--topk', options.get('topk'), 0);
  let seed = integerOption('-s', options.get('seed'), 0);
  // run.c: rng_seed <= 0 means time(NULL).
  if (seed === 0) seed = Math.floor(Date.now() / 1000);
  const prompt = options.get('prompt');
  const tokenizerArg = options.get('tokenizer');

  const { model: weights, tokenizer } = await openLlmModel({
    model,
    tokenizer: typeof tokenizerArg === 'string' ? tokenizerArg : undefined,
    stderr: ctx.stderr,
    now: ctx.now,
  });
  const stream = ctx.stdout;
  let start = 0;
  let lastPosition = 0;
  let result: ReturnType<typeof generateText>;
  try {
    result = generateText(weights, tokenizer, {
      prompt: typeof prompt === 'string' ? prompt : '',
      steps,
      temperature,
      topp,
      topk,
      seed,
      onToken: (token) => {
        if (stream !== undefined && token.bytes.length > 0) stream.write(token.bytes);
        lastPosition = token.position;
        if (start === 0) start = ctx.now();
      },
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(why);
  }
  const end = ctx.now();
  if (stream !== undefined) stream.write('\n');
  else await ctx.out.line(new TextDecoder().decode(result.bytes));
  // run.c counts forward passes: a stop token was computed but not printed.
  const pos = result.stopped ? lastPosition + 1 : lastPosition;
  if (pos > 1) {
    const rate = end > start ? ((pos - 1) / (end - start)) * 1000 : Number.POSITIVE_INFINITY;
    ctx.stderr.write(`achieved tok/s: ${Number.isFinite(rate) ? rate.toFixed(6) : 'inf'}\n`);
  }
  return 0;
}
