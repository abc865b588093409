import { readFileSync } from 'node:fs';
import { bloom } from './commands/bloom.ts';
import { float } from './commands/float.ts';
import { generate } from './commands/generate.ts';
import { inspect } from './commands/inspect.ts';
import { perplexity } from './commands/perplexity.ts';
import { dequantRaw, quantRaw } from './commands/quant-raw.ts';
import { quantize } from './commands/quantize.ts';
import { type SampleContext, sample } from './commands/sample.ts';
import { superweights } from './commands/superweights.ts';
import { tokenize } from './commands/tokenize.ts';
import type { CliStreams, Context } from './context.ts';
import { EXIT_INTERNAL, EXIT_USAGE, oneLine, UsageError } from './errors.ts';
import { MAIN_HELP } from './help.ts';
import { Output } from './output.ts';

/** A verb: runs with its arguments (after the verb's name) and resolves to the exit code. */
type Command = (argv: readonly string[], ctx: Context) => Promise<number>;

// One line per verb; the order is the order of `expected one of …` in error messages.
const COMMANDS: Readonly<Record<string, Command>> = {
  bloom,
  sample,
  float,
  inspect,
  'quant-raw': quantRaw,
  'dequant-raw': dequantRaw,
  quantize,
  generate,
  tokenize,
  perplexity,
  superweights,
};

/**
 * Runs the `explorables` command line and resolves to the process exit code: 0 success, 2 a usage
 * or input-file mistake (one `explorables: …` line on stderr), 1 an unexpected internal error.
 * Output to a closed pipe (EPIPE) ends the command quietly with 0.
 * @example process.exitCode = await main(['bloom', 'size', '--n', '1000'], process)
 */
export async function main(argv: readonly string[], streams: CliStreams): Promise<number> {
  const out = new Output(streams.stdout);
  // stdout itself also travels along, for commands that write raw bytes (sample).
  const ctx: SampleContext = {
    stdin: streams.stdin,
    stdout: streams.stdout,
    out,
    stderr: streams.stderr,
    now: streams.now ?? (() => performance.now()),
  };
  try {
    const code = await dispatch(argv, ctx);
    await out.end();
    return code;
  } catch (error) {
    if (out.closed && !(error instanceof UsageError)) return 0;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      streams.stderr.write(`explorables: ${oneLine(message)}\n`);
      return EXIT_USAGE;
    }
    streams.stderr.write(`explorables: internal error: ${oneLine(message)}\n`);
    return EXIT_INTERNAL;
  }
}

async function dispatch(argv: readonly string[], ctx: Context): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    await ctx.out.line(MAIN_HELP.trimEnd());
    return 0;
  }
  if (command === '--version' || command === '-v') {
    await ctx.out.line(version());
    return 0;
  }
  const expected = `expected one of ${Object.keys(COMMANDS).join(', ')} (see explorables --help)`;
  if (command === undefined) throw new UsageError(`missing command; ${expected}`);
  if (command.startsWith('-')) throw new UsageError(`unknown option '${command}'; ${expected}`);
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(`unknown command '${command}'; ${expected}`);
  }
  return COMMANDS[command](rest, ctx);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return `explorables ${String(pkg.version)}`;
}
