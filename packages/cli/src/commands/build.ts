import { resolve } from 'node:path';
import {
  type AnyFilter,
  BinaryFuse8,
  BloomFilter,
  CountingBloomFilter,
  MAX_BITS,
  ScalableBloomFilter,
  sizeFor,
} from '@explorables/bloom';
import { parseArgs, parsePositiveInteger, parseProbability, parseSeed } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { checkInputFile, type InputFile, openFile } from '../files.ts';
import { saveFilter } from '../filter-file.ts';
import { type FilterKind, FUSE8_FALSE_POSITIVE_RATE, statsOf } from '../filter-stats.ts';
import { formatRate, humanBytes } from '../format.ts';
import { BUILD_HELP } from '../help.ts';
import { type LineStats, newLineStats, readLines } from '../lines.ts';
import { Progress } from '../progress.ts';

const OPTIONS = {
  output: { kind: 'string', short: 'o' },
  p: { kind: 'string' },
  n: { kind: 'string' },
  kind: { kind: 'string' },
  seed: { kind: 'string' },
  help: { kind: 'boolean', short: 'h' },
} as const;

const KINDS: readonly FilterKind[] = ['bloom', 'counting', 'scalable', 'fuse'];

/** Capacity of the first sub-filter of a scalable filter when --n is not given. */
export const DEFAULT_SCALABLE_CAPACITY = 1000;

/**
 * `explorables bloom build <keys|-> -o FILE [--p P] [--n N] [--kind K] [--seed S]`: streams keys
 * (one per line) into a filter, writes it, and prints a one-line summary on stderr; resolves to the
 * exit code.
 * @example await bloomBuild(['words.txt', '-o', 'words.bloom'], ctx) // 0
 */
export async function bloomBuild(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'explorables bloom build');
  if (options.has('help')) {
    await ctx.out.line(BUILD_HELP.trimEnd());
    return 0;
  }
  if (positionals.length === 0) {
    throw new UsageError(
      'bloom build needs an input: a file with one key per line, or - for stdin',
    );
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `bloom build takes one input, got ${positionals.length} ('${positionals.join("', '")}')`,
    );
  }
  const output = options.get('output');
  if (typeof output !== 'string') {
    throw new UsageError('bloom build needs -o FILE, where to write the filter');
  }
  if (output === '-') {
    throw new UsageError('bloom build cannot write the filter to stdout; give -o a file name');
  }
  const kindText = options.get('kind') ?? 'bloom';
  if (!KINDS.includes(kindText as FilterKind)) {
    throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, got '${String(kindText)}'`);
  }
  const kind = kindText as FilterKind;
  const pText = options.get('p');
  const p = typeof pText === 'string' ? parseProbability('--p', pText) : 0.01;
  const nText = options.get('n');
  const n = typeof nText === 'string' ? parsePositiveInteger('--n', nText) : undefined;
  const seedText = options.get('seed');
  const seed = typeof seedText === 'string' ? parseSeed('--seed', seedText) : 0;
  if (kind === 'fuse' && typeof pText === 'string' && p < FUSE8_FALSE_POSITIVE_RATE) {
    throw new UsageError(
      `--kind fuse has a fixed false-positive rate of 2^-8 ≈ 0.0039, so --p ${pText} cannot be` +
        ' met; use --kind bloom for lower rates',
    );
  }

  const input = positionals[0];
  if (input !== '-' && resolve(input) === resolve(output)) {
    throw new UsageError(`bloom build would overwrite its input '${input}'; give -o another file`);
  }
  const file = input === '-' ? undefined : await checkInputFile(input);
  const source = (): AsyncIterable<Uint8Array | string> =>
    file ? openFile(file.path) : (ctx.stdin as AsyncIterable<Uint8Array | string>);

  let capacity = n;
  if (capacity === undefined && (kind === 'bloom' || kind === 'counting')) {
    if (!file) {
      throw new UsageError(
        `reading keys from stdin needs --n N for --kind ${kind} (the filter is sized before` +
          ' the first key arrives); give --n, a file instead of -, or use --kind scalable',
      );
    }
    capacity = Math.max(1, await countLines(file, ctx));
  }
  if (kind === 'bloom' || kind === 'counting') {
    const bits = sizeFor(capacity ?? 1, p).bits;
    if (bits > MAX_BITS) {
      throw new UsageError(
        `${capacity} keys at --p ${p} need ${bits} bits, more than the ${MAX_BITS} a filter can` +
          ' hold; raise --p, split the keys, or use --kind scalable',
      );
    }
  }

  const stats = newLineStats();
  const progress = new Progress({
    stream: ctx.stderr,
    label: kind === 'fuse' ? 'reading keys' : 'adding keys',
    totalBytes: file?.sizeBytes,
    now: ctx.now,
  });
  const lines = readLines(source(), stats, (bytes) => progress.update(bytes));
  let filter: AnyFilter;
  try {
    filter = await fill(kind, lines, { capacity, p, seed });
  } finally {
    progress.done();
  }

  const sizeBytes = await saveFilter(output, filter);
  ctx.stderr.write(`${summary(output, kind, filter, stats, sizeBytes)}\n`);
  if (n !== undefined && (kind === 'bloom' || kind === 'counting') && stats.lines > n) {
    ctx.stderr.write(
      `warning: ${stats.lines} keys exceed --n ${n}; the false-positive rate is above --p ${p}\n`,
    );
  }
  return 0;
}

type GrowingFilter = BloomFilter | CountingBloomFilter | ScalableBloomFilter;

/** An empty filter of a kind that takes keys one at a time; bad sizes become a UsageError. */
function emptyFilter(
  kind: Exclude<FilterKind, 'fuse'>,
  capacity: number,
  p: number,
  seed: number,
): GrowingFilter {
  try {
    if (kind === 'bloom') return BloomFilter.forCapacity(capacity, p, seed);
    if (kind === 'counting') return CountingBloomFilter.forCapacity(capacity, p, seed);
    return new ScalableBloomFilter({ initialCapacity: capacity, errorRate: p, seed });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `cannot make a ${kind} filter for ${capacity} keys at --p ${p}: ${reason}`,
    );
  }
}

async function fill(
  kind: FilterKind,
  batches: AsyncIterable<Uint8Array[]>,
  sizing: { capacity: number | undefined; p: number; seed: number },
): Promise<AnyFilter> {
  const { p, seed } = sizing;
  if (kind === 'fuse') {
    const keys: Uint8Array[] = [];
    for await (const batch of batches) for (const key of batch) keys.push(key.slice());
    return BinaryFuse8.build(keys, { seed });
  }
  const filter = emptyFilter(kind, sizing.capacity ?? DEFAULT_SCALABLE_CAPACITY, p, seed);
  for await (const batch of batches) for (const key of batch) filter.add(key);
  return filter;
}

/** First pass over a file: counts its non-empty lines, with a progress bar on a terminal. */
async function countLines(file: InputFile, ctx: Context): Promise<number> {
  const stats = newLineStats();
  const progress = new Progress({
    stream: ctx.stderr,
    label: 'counting keys',
    totalBytes: file.sizeBytes,
    now: ctx.now,
  });
  try {
    for await (const _ of readLines(openFile(file.path), stats, (b) => progress.update(b))) {
      // Only the count (in stats) matters.
    }
  } finally {
    progress.done();
  }
  return stats.lines;
}

function summary(
  output: string,
  kind: FilterKind,
  filter: AnyFilter,
  stats: LineStats,
  fileBytes: number,
): string {
  const info = statsOf(filter);
  // fuse counts distinct keys; scalable skips keys that already test present.
  const keys =
    info.count === stats.lines
      ? `${stats.lines} keys`
      : `${stats.lines} keys (${info.count} ${kind === 'fuse' ? 'distinct' : 'inserted'})`;
  const shape =
    kind === 'fuse'
      ? 'fuse'
      : info.hashes === null
        ? `scalable, ${info.filters?.length ?? 0} sub-filters`
        : `${kind} k=${info.hashes}`;
  const perKey = info.bitsPerKey === null ? 'n/a' : info.bitsPerKey.toFixed(2);
  const skipped = stats.emptyLines > 0 ? `; skipped ${stats.emptyLines} empty lines` : '';
  return (
    `wrote ${output}: ${keys}, ${shape}, ${perKey} bits/key, ${humanBytes(fileBytes)} on disk,` +
    ` predicted FPR ${formatRate(info.predictedFalsePositiveRate)}${skipped}`
  );
}
