import type { Key } from '@explorables/bloom';
import { parseArgs } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { loadFilter } from '../filter-file.ts';
import { CHECK_HELP } from '../help.ts';
import { newLineStats, readLines } from '../lines.ts';

const OPTIONS = {
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/**
 * `explorables bloom check FILE [words...] [--json]`: prints `maybe<TAB>word` or `no<TAB>word`
 * (or JSON lines `{"key":…,"result":…}`) for each word from the arguments or, when none are
 * given, from stdin; stops quietly when stdout closes. Resolves to the exit code.
 * @example await bloomCheck(['words.bloom', 'cat'], ctx) // prints "maybe\tcat", returns 0
 */
export async function bloomCheck(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'explorables bloom check');
  if (options.has('help')) {
    await ctx.out.line(CHECK_HELP.trimEnd());
    return 0;
  }
  if (positionals.length === 0) {
    throw new UsageError('bloom check needs a filter file (made by bloom build), then words');
  }
  const [path, ...words] = positionals;
  const filter = await loadFilter(path);
  const json = options.has('json');
  const report = async (key: Key, word: string): Promise<void> => {
    const result = filter.has(key) ? 'maybe' : 'no';
    await ctx.out.line(json ? JSON.stringify({ key: word, result }) : `${result}\t${word}`);
  };
  if (words.length > 0) {
    for (const word of words) {
      if (ctx.out.closed) break;
      await report(word, word);
    }
    return 0;
  }
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const source = ctx.stdin as AsyncIterable<Uint8Array | string>;
  for await (const batch of readLines(source, newLineStats())) {
    for (const line of batch) {
      if (ctx.out.closed) return 0;
      await report(line, decoder.decode(line));
    }
  }
  return 0;
}
