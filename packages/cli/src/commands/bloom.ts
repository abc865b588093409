import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { BLOOM_HELP } from '../help.ts';
import { bloomBuild } from './build.ts';
import { bloomCheck } from './check.ts';
import { bloomInfo } from './info.ts';
import { bloomSize } from './size.ts';

const VERBS: Readonly<Record<string, (argv: readonly string[], ctx: Context) => Promise<number>>> =
  {
    size: bloomSize,
    build: bloomBuild,
    check: bloomCheck,
    info: bloomInfo,
  };

/**
 * `explorables bloom <verb> …`: dispatches to size, build, check or info; resolves to the exit
 * code.
 * @example await bloom(['size', '--n', '1000'], ctx) // 0
 */
export async function bloom(argv: readonly string[], ctx: Context): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === '--help' || verb === '-h') {
    await ctx.out.line(BLOOM_HELP.trimEnd());
    return 0;
  }
  const expected = `expected one of ${Object.keys(VERBS).join(', ')} (see explorables bloom --help)`;
  if (verb === undefined) throw new UsageError(`bloom needs a verb; ${expected}`);
  if (!Object.hasOwn(VERBS, verb))
    throw new UsageError(`unknown bloom verb '${verb}'; ${expected}`);
  return VERBS[verb](rest, ctx);
}
