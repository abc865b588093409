import {
  findSuperWeights,
  type SuperWeightCandidate,
  textPerplexity,
  zeroWeight,
} from '@explorables/llm';
import { parseArgs, parsePositiveInteger } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { openLlmModel } from './llm-model.ts';

/** Usage text of `explorables superweights --help`. */
export const SUPERWEIGHTS_HELP = `explorables superweights: the few weights a model cannot lose.

Usage:
  explorables superweights -m MODEL [-z TOKENIZER] [--prompt TEXT ...] [--top N] [--json]

Runs the prompts through the model and, in every layer, looks at the input of the MLP's down
projection (silu(gate·x)·(up·x)) for activation spikes: a hidden channel whose value is far
larger than the rest. The weight of ffn_down in that spike's column and the row it writes most
strongly is a candidate "super weight" (Yu et al. 2024); candidates are ranked by
|weight × activation|, what that one product adds to the residual stream. Then the top
candidate is zeroed and the perplexity on the prompts is measured before and after.

Options:
  -m, --model MODEL     a GGUF file or llama2.c checkpoint: a path, or a name found through
                        EXPLORABLES_MODELS or the model cache (stories260K.bin, …)
  -z, --tokenizer FILE  a llama2.c checkpoint's tokenizer.bin (default: its known pairing,
                        e.g. tok512.bin next to stories260K.bin); GGUF files carry their own
  --prompt TEXT         a prompt to run (repeat for more; default: three short stories)
  --top N               candidates to list (default 5)
  --json                print one JSON object

Columns: layer, row and col of blk.L.ffn_down.weight; its value; the spike (prompt:position,
value) at the down projection's input; ratio = |spike| / mean |input| of that layer; out = the
output channel where the down projection peaks at that position (* when it is the row);
score = |weight × spike|. A real super weight shows a spike hundreds of times the mean and a
perplexity that explodes when it is zeroed; small models may have none.

Examples:
  explorables superweights -m stories260K.bin -z tok512.bin
  explorables superweights -m model.gguf --prompt "The capital of France is" --top 10 --json
`;

/** Prompts used when none are given: short stories in the style of TinyStories. */
export const DEFAULT_PROMPTS: readonly string[] = [
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.',
  'Tom had a big red ball. He liked to kick it with his friend Sam.',
  'One day, a cat saw a bird in the tree. The cat wanted to catch the bird.',
];

const OPTIONS = {
  model: { kind: 'string', short: 'm' },
  tokenizer: { kind: 'string', short: 'z' },
  top: { kind: 'string' },
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/** Pulls every `--prompt TEXT` / `--prompt=TEXT` out of argv (parseArgs keeps one value). */
function takePrompts(argv: readonly string[]): { prompts: string[]; rest: string[] } {
  const prompts: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--prompt') {
      const value = argv[i + 1];
      if (value === undefined) {
        throw new UsageError(
          "option --prompt needs a value (see 'explorables superweights --help')",
        );
      }
      prompts.push(value);
      i++;
    } else if (a.startsWith('--prompt=')) {
      prompts.push(a.slice('--prompt='.length));
    } else {
      rest.push(a);
    }
  }
  return { prompts, rest };
}

function fixed(x: number, digits: number): string {
  return x.toFixed(digits);
}

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n');
}

function candidateRow(c: SuperWeightCandidate, rank: number): string[] {
  const s = c.activationSpike;
  return [
    String(rank),
    String(c.layer),
    String(c.row),
    String(c.col),
    fixed(c.weight, 4),
    `${s.prompt}:${s.position}`,
    fixed(s.value, 3),
    fixed(c.spikeToMeanRatio, 1),
    `${c.outputSpike.channel}${c.rowIsOutputSpike ? '*' : ''}`,
    fixed(c.score, 3),
  ];
}

/**
 * `explorables superweights -m MODEL [-z TOKENIZER] [--prompt TEXT ...] [--top N] [--json]`:
 * lists candidate super weights of a model and the perplexity cost of zeroing the top one;
 * resolves to the exit code.
 * @example await superweights(['-m', 'stories260K.bin', '-z', 'tok512.bin'], ctx) // 0
 */
export async function superweights(argv: readonly string[], ctx: Context): Promise<number> {
  const { prompts: given, rest } = takePrompts(argv);
  const { options, positionals } = parseArgs(rest, OPTIONS, 'explorables superweights');
  if (options.has('help')) {
    await ctx.out.line(SUPERWEIGHTS_HELP.trimEnd());
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `superweights takes no positional arguments, got '${positionals[0]}' (use --prompt TEXT)`,
    );
  }
  const modelName = options.get('model');
  const tokenizerName = options.get('tokenizer');
  if (typeof modelName !== 'string') {
    throw new UsageError('superweights needs a model: -m MODEL (GGUF or llama2.c checkpoint)');
  }
  const topText = options.get('top');
  const top = typeof topText === 'string' ? parsePositiveInteger('--top', topText) : 5;
  const texts = given.length > 0 ? given : [...DEFAULT_PROMPTS];
  texts.forEach((t, i) => {
    if (t.length === 0) throw new UsageError(`--prompt ${i + 1} is empty; give some text`);
  });
  const opened = await openLlmModel({
    model: modelName,
    tokenizer: typeof tokenizerName === 'string' ? tokenizerName : undefined,
    stderr: ctx.stderr,
    now: ctx.now,
  });
  const { model, tokenizer, modelPath } = opened;
  const seqLen = model.config.seqLen;
  const prompts = texts.map((t, i) => {
    let ids: Int32Array;
    try {
      ids = tokenizer.encode(t, { bos: true });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new UsageError(`prompt ${i + 1} cannot be encoded by the model's tokenizer: ${why}`);
    }
    if (ids.length > seqLen) {
      throw new UsageError(
        `prompt ${i + 1} is ${ids.length} tokens; the model holds at most ${seqLen}`,
      );
    }
    return ids;
  });
  const candidates = findSuperWeights(model, { prompts, topK: top });
  const best = candidates[0];
  const predictable = prompts.some((p) => p.length >= 2);
  const before = predictable ? textPerplexity(model, prompts) : null;
  const after = predictable ? textPerplexity(zeroWeight(model, best), prompts) : null;
  const tokens = prompts.reduce((a, p) => a + p.length, 0);
  const c = model.config;
  if (options.has('json')) {
    await ctx.out.line(
      JSON.stringify({
        model: modelPath,
        config: c,
        prompts: texts,
        tokens,
        candidates,
        zeroTop: {
          layer: best.layer,
          row: best.row,
          col: best.col,
          tensor: `blk.${best.layer}.ffn_down.weight`,
          pplBefore: before?.ppl ?? null,
          pplAfter: after?.ppl ?? null,
          predictedTokens: before?.predicted ?? 0,
        },
      }),
    );
    return 0;
  }
  const header = [
    'rank',
    'layer',
    'row',
    'col',
    'weight',
    'spike at',
    'spike',
    'ratio',
    'out',
    'score',
  ];
  const lines = [
    `superweights: ${modelPath} (dim ${c.dim}, ${c.nLayers} layers, hidden ${c.hiddenDim}), ` +
      `${prompts.length} prompt${prompts.length === 1 ? '' : 's'}, ${tokens} tokens`,
    '',
    columns([header, ...candidates.map((cand, i) => candidateRow(cand, i + 1))]),
    '',
    `zeroing blk.${best.layer}.ffn_down.weight[${best.row}][${best.col}] ` +
      `(${fixed(best.weight, 4)}):`,
  ];
  if (before !== null && after !== null) {
    const change = (after.ppl / before.ppl - 1) * 100;
    lines.push(
      `  perplexity on the prompts  ${fixed(before.ppl, 4)} -> ${fixed(after.ppl, 4)} ` +
        `(${change >= 0 ? '+' : ''}${fixed(change, 2)}%, ${before.predicted} tokens)`,
    );
  } else {
    lines.push('  perplexity: no prompt has two or more tokens, nothing to predict');
  }
  await ctx.out.line(lines.join('\n'));
  return 0;
}
