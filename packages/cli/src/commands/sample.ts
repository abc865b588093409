import type { Writable } from 'node:stream';
import { createRng } from '@explorables/random';
import { ReservoirL } from '@explorables/reservoir';
import { parseArgs, parsePositiveInteger } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { checkInputFile, openFile } from '../files.ts';
import { SAMPLE_HELP } from '../help.ts';
import { LineSplitter } from './sample-lines.ts';
import {
  compilePattern,
  extractRepeated,
  type Pattern,
  parseDurationMs,
  parseSampleSeed,
  parseWeightRule,
  type WeightRule,
} from './sample-options.ts';
import { ByteWriter } from './sample-output.ts';
import { type Counts, type Job, type LineSink, TextLineSink, writeLine } from './sample-sink.ts';

const OPTIONS = {
  k: { kind: 'string' },
  per: { kind: 'string' },
  time: { kind: 'string' },
  key: { kind: 'string' },
  keep: { kind: 'string' },
  annotate: { kind: 'boolean' },
  seed: { kind: 'string' },
  stats: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/** The largest --k accepted: reservoir slots are allocated up front (about 100 MB at 1e7). */
export const MAX_SAMPLE_K = 10_000_000;

/** Everything `explorables sample` was asked to do, checked. */
export interface SamplePlan {
  k: number;
  /** Window length; undefined samples the whole stream at once. */
  windowMs: number | undefined;
  time: Pattern | undefined;
  key: Pattern | undefined;
  keep: Pattern | undefined;
  weights: WeightRule[];
  annotate: boolean;
  stats: boolean;
  seed: number;
  randomSeed: boolean;
  /** File names, `-` for stdin; never empty. */
  inputs: string[];
}

/**
 * What `explorables sample` runs with: the usual context plus, when main() provides it, the raw
 * stdout, so kept lines are written byte for byte (without it, lines go through ctx.out as UTF-8
 * text and invalid bytes become U+FFFD).
 */
export interface SampleContext extends Context {
  stdout?: Writable;
}

/**
 * Parses and checks the command line of `explorables sample`; throws UsageError (exit 2) for any
 * bad option, value, pattern or duration, before any input is read.
 * @example planSample(['--k', '5', 'app.log']).k // 5
 */
export function planSample(argv: readonly string[]): SamplePlan {
  const { values: weightTexts, rest } = extractRepeated(argv, 'weight');
  const { options, positionals } = parseArgs(
    rest,
    { ...OPTIONS, weight: { kind: 'string' } },
    'explorables sample',
  );
  const text = (name: string): string | undefined => {
    const value = options.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const kText = text('k');
  if (kText === undefined) {
    throw new UsageError('sample needs --k N, the number of lines to keep (per window with --per)');
  }
  const k = parsePositiveInteger('--k', kText);
  if (k > MAX_SAMPLE_K) {
    throw new UsageError(`--k must be at most ${MAX_SAMPLE_K} (1e7), got '${kText}'`);
  }
  const perText = text('per');
  const windowMs = perText === undefined ? undefined : parseDurationMs('--per', perText);
  const timeText = text('time');
  if (timeText !== undefined && windowMs === undefined) {
    throw new UsageError('--time only matters with --per (it places lines in time windows)');
  }
  const keyText = text('key');
  const keepText = text('keep');
  const seed = parseSampleSeed(text('seed'));
  return {
    k,
    windowMs,
    time: timeText === undefined ? undefined : compilePattern('--time', timeText),
    key: keyText === undefined ? undefined : compilePattern('--key', keyText),
    keep: keepText === undefined ? undefined : compilePattern('--keep', keepText),
    weights: weightTexts.map(parseWeightRule),
    annotate: options.has('annotate'),
    stats: options.has('stats'),
    seed: seed.seed,
    randomSeed: seed.random,
    inputs: positionals.length === 0 ? ['-'] : positionals,
  };
}

/**
 * `explorables sample [FILE|-]... --k N [--per DUR [--time REGEX]] [--key REGEX] [--keep REGEX]
 * [--weight REGEX=W]... [--annotate] [--seed S] [--stats]`: writes a random sample of the input
 * lines to stdout (see SAMPLE_HELP); resolves to the exit code.
 * @example await sample(['--k', '100', 'app.log'], ctx) // prints 100 random lines, returns 0
 */
export async function sample(argv: readonly string[], ctx: SampleContext): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    await ctx.out.line(SAMPLE_HELP.trimEnd());
    return 0;
  }
  const plan = planSample(argv);
  for (const input of plan.inputs) if (input !== '-') await checkInputFile(input);
  const sink: LineSink = ctx.stdout ? new ByteWriter(ctx.stdout) : new TextLineSink(ctx);
  const counts: Counts = { lines: 0, written: 0, untimed: 0, late: 0, rows: [] };
  const uniform =
    plan.windowMs === undefined &&
    plan.key === undefined &&
    plan.keep === undefined &&
    plan.weights.length === 0;
  const job: Job = uniform
    ? new UniformJob(plan, sink, counts)
    : new (await import('./sample-windowed.ts')).WindowedJob(plan, sink, counts, ctx);
  try {
    for (const input of plan.inputs) {
      const source =
        input === '-' ? (ctx.stdin as AsyncIterable<Uint8Array | string>) : openFile(input);
      for await (const chunk of source) {
        job.push(chunk);
        await sink.settle();
        if (sink.closed) return 0;
      }
      job.endInput();
    }
    job.finish();
  } finally {
    job.dispose();
  }
  await sink.end();
  if (plan.stats) ctx.stderr.write(formatStats(plan, counts));
  return 0;
}

const PLACEHOLDER = Buffer.alloc(0);

/** --k alone: one Algorithm L reservoir; lines between its jumps are never copied. */
class UniformJob implements Job {
  private readonly plan: SamplePlan;
  private readonly sink: LineSink;
  private readonly counts: Counts;
  private readonly reservoir: ReservoirL<Buffer>;
  private readonly splitter: LineSplitter;

  constructor(plan: SamplePlan, sink: LineSink, counts: Counts) {
    this.plan = plan;
    this.sink = sink;
    this.counts = counts;
    const reservoir = new ReservoirL<Buffer>(plan.k, createRng(plan.seed));
    this.reservoir = reservoir;
    let target = reservoir.nextKeptIndex;
    this.splitter = new LineSplitter((bytes, start, end) => {
      if (reservoir.seen === target) {
        reservoir.offerSlot(Buffer.from(bytes.subarray(start, end)));
        target = reservoir.nextKeptIndex;
      } else {
        reservoir.offerSlot(PLACEHOLDER);
      }
    });
    this.splitter.wantOpenLine = () => reservoir.seen === target;
  }

  push(chunk: Uint8Array | string): void {
    this.splitter.push(chunk);
  }

  endInput(): void {
    this.splitter.end();
  }

  finish(): void {
    const { reservoir, sink } = this;
    const kept = reservoir.inArrivalOrder();
    const represents = kept.length === 0 ? 0 : reservoir.seen / kept.length;
    for (const line of kept) writeLine(sink, line, represents, this.plan.annotate);
    this.counts.lines = reservoir.seen;
    this.counts.written = kept.length;
    this.counts.rows.push({
      startMs: undefined,
      key: undefined,
      seen: reservoir.seen,
      sampled: kept.length,
      forced: 0,
    });
  }

  dispose(): void {}
}

/**
 * The --stats report: a tab-separated header and one row per window (and key) in the order
 * windows closed, then a total row and a line with the seed and the special cases.
 */
function formatStats(plan: SamplePlan, counts: Counts): string {
  const rows = ['window\tkey\tseen\tsampled\tkept'];
  let seen = 0;
  let sampled = 0;
  let forced = 0;
  for (const row of counts.rows) {
    const window = row.startMs === undefined ? 'all' : new Date(row.startMs).toISOString();
    const key = row.key === undefined ? '-' : row.key === '' ? '(none)' : row.key;
    rows.push(`${window}\t${key}\t${row.seen}\t${row.sampled}\t${row.forced}`);
    seen += row.seen;
    sampled += row.sampled;
    forced += row.forced;
  }
  rows.push(`total\t-\t${seen}\t${sampled}\t${forced}`);
  const notes = [
    `seed ${plan.seed}${plan.randomSeed ? ' (random)' : ''}`,
    `${counts.lines} lines read`,
    `${counts.written} written`,
  ];
  if (plan.time !== undefined) {
    notes.push(`${counts.untimed} without a timestamp`, `${counts.late} out of order`);
  }
  rows.push(`# ${notes.join(', ')}`);
  return `${rows.join('\n')}\n`;
}
