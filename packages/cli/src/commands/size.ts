import { sizeFor } from '@explorables/bloom';
import { parseArgs, parsePositiveInteger, parseProbability } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatRate, humanBytes, table } from '../format.ts';
import { SIZE_HELP } from '../help.ts';

const OPTIONS = {
  n: { kind: 'string' },
  p: { kind: 'string' },
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/**
 * `explorables bloom size --n N [--p P] [--json]`: prints the Bloom filter size for n keys at
 * false-positive rate p, as a table or one JSON object; resolves to the exit code.
 * @example await bloomSize(['--n', '1000', '--p', '0.01'], ctx) // prints bits 9586 …, returns 0
 */
export async function bloomSize(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'explorables bloom size');
  if (options.has('help')) {
    await ctx.out.line(SIZE_HELP.trimEnd());
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `bloom size takes no arguments, got '${positionals[0]}'; expected --n N [--p P]`,
    );
  }
  const nText = options.get('n');
  if (typeof nText !== 'string') {
    throw new UsageError('bloom size needs --n N, the number of keys (a positive integer)');
  }
  const n = parsePositiveInteger('--n', nText);
  const pText = options.get('p');
  const p = typeof pText === 'string' ? parseProbability('--p', pText) : 0.01;
  const size = sizeFor(n, p);
  if (options.has('json')) {
    await ctx.out.line(
      JSON.stringify({
        n,
        p,
        bits: size.bits,
        bytes: size.bytes,
        hashes: size.hashes,
        bitsPerKey: size.bitsPerKey,
        falsePositiveRate: size.falsePositiveRate,
      }),
    );
    return 0;
  }
  const report = table([
    ['keys (n)', String(n)],
    ['target FPR (p)', String(p)],
    ['bits (m)', String(size.bits)],
    ['bytes', `${size.bytes} (${humanBytes(size.bytes)})`],
    ['hashes (k)', String(size.hashes)],
    ['bits per key', size.bitsPerKey.toFixed(2)],
    ['predicted FPR', formatRate(size.falsePositiveRate)],
  ]);
  await ctx.out.line(report.trimEnd());
  return 0;
}
