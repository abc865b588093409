import { UsageError } from './errors.ts';

/** How one option is spelled and whether it takes a value. */
export interface OptionSpec {
  /** `string` options take a value (`--n 10` or `--n=10`); `boolean` ones take none. */
  kind: 'string' | 'boolean';
  /** A one-letter alias such as `o` for `-o`. */
  short?: string;
}

/** Parsed command line: option values by long name, and the remaining positional arguments. */
export interface ParsedArgs {
  options: Map<string, string | true>;
  positionals: string[];
}

/**
 * Splits `argv` into options (as declared in `spec`) and positionals; `--` ends the options and a
 * lone `-` is a positional (stdin). Throws UsageError for an unknown option or a missing value.
 * @example parseArgs(['--n', '5', 'x'], { n: { kind: 'string' } }, 'bloom size')
 *   // { options: Map { n → '5' }, positionals: ['x'] }
 */
export function parseArgs(
  argv: readonly string[],
  spec: Readonly<Record<string, OptionSpec>>,
  command: string,
): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(spec)) {
    if (option.short) byShort.set(option.short, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-' || !token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const flag = eq >= 0 ? token.slice(0, eq) : token;
    const name = flag.startsWith('--') ? flag.slice(2) : byShort.get(flag.slice(1));
    const option = name === undefined ? undefined : spec[name];
    if (name === undefined || option === undefined || !Object.hasOwn(spec, name)) {
      throw new UsageError(
        `unknown option '${flag}' for '${command}'; expected one of ${describe(spec)}`,
      );
    }
    if (option.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`option ${flag} takes no value, got '${token}'`);
      options.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') {
      throw new UsageError(`option ${flag} needs a value (see '${command} --help')`);
    }
    options.set(name, value);
  }
  return { options, positionals };
}

function describe(spec: Readonly<Record<string, OptionSpec>>): string {
  return Object.entries(spec)
    .map(([name, o]) => (o.short ? `-${o.short}/--${name}` : `--${name}`))
    .join(', ');
}

const DECIMAL = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses a probability strictly inside (0, 1), such as `0.01` or `1e-6`; throws UsageError naming
 * the option otherwise.
 * @example parseProbability('--p', '1e-6') // 0.000001
 */
export function parseProbability(flag: string, text: string): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0 && value < 1)) {
    throw new UsageError(`${flag} must be a probability strictly between 0 and 1, got '${text}'`);
  }
  return value;
}

/**
 * Parses a positive integer no larger than 2^53 − 1 (`1000`, `1e6`); throws UsageError naming the
 * option otherwise.
 * @example parsePositiveInteger('--n', '1e6') // 1000000
 */
export function parsePositiveInteger(flag: string, text: string): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  }
  return value;
}

/**
 * Parses a hash seed: an integer in [0, 2^32 − 1]; throws UsageError naming the option otherwise.
 * @example parseSeed('--seed', '42') // 42
 */
export function parseSeed(flag: string, text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > 0xffffffff) {
    throw new UsageError(`${flag} must be an integer from 0 to 4294967295, got '${text}'`);
  }
  return value;
}
