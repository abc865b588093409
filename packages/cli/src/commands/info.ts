import { parseArgs } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { loadFilter } from '../filter-file.ts';
import { statsOf } from '../filter-stats.ts';
import { formatRate, humanBytes, table } from '../format.ts';
import { INFO_HELP } from '../help.ts';

const OPTIONS = {
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/**
 * `explorables bloom info FILE [--json]`: describes a filter file (kind, size, bits, hashes,
 * count, fill ratio, estimated and predicted false-positive rates); resolves to the exit code.
 * @example await bloomInfo(['words.bloom'], ctx) // prints "kind  bloom" …, returns 0
 */
export async function bloomInfo(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'explorables bloom info');
  if (options.has('help')) {
    await ctx.out.line(INFO_HELP.trimEnd());
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `bloom info takes exactly one filter file, got ${positionals.length} arguments`,
    );
  }
  const stats = statsOf(await loadFilter(positionals[0]));
  if (options.has('json')) {
    await ctx.out.line(JSON.stringify(stats));
    return 0;
  }
  const rows: [string, string][] = [
    ['kind', stats.kind],
    ['size', `${stats.sizeBytes} bytes (${humanBytes(stats.sizeBytes)})`],
    [stats.kind === 'counting' ? 'counters' : 'bits', String(stats.bits)],
    ['hashes', stats.hashes === null ? 'per sub-filter' : String(stats.hashes)],
    ['seed', String(stats.seed)],
    [stats.kind === 'fuse' ? 'keys' : 'count', String(stats.count)],
  ];
  if (stats.fillRatio !== null) rows.push(['fill ratio', stats.fillRatio.toFixed(4)]);
  rows.push(['estimated FPR', formatRate(stats.estimatedFalsePositiveRate)]);
  rows.push(['predicted FPR', formatRate(stats.predictedFalsePositiveRate)]);
  if (stats.bitsPerKey !== null) rows.push(['bits per key', stats.bitsPerKey.toFixed(2)]);
  stats.filters?.forEach((sub, i) => {
    rows.push([
      `sub-filter ${i}`,
      `${sub.bits} bits, k=${sub.hashes}, ${sub.count} keys, fill ${sub.fillRatio.toFixed(4)}`,
    ]);
  });
  await ctx.out.line(table(rows).trimEnd());
  return 0;
}
