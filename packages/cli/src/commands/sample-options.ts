/**
 * Parsing the values of `explorables sample`'s options: window durations, regular expressions,
 * `REGEX=W` weight rules and seeds. Every bad value becomes a one-line UsageError (exit 2).
 */
import { randomInt } from 'node:crypto';
import { parseSeed } from '../args.ts';
import { UsageError } from '../errors.ts';

/** Milliseconds per duration unit accepted by parseDurationMs. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/;

/** The longest window accepted: 365 days, in milliseconds. */
export const MAX_WINDOW_MS = 365 * 24 * 3_600_000;

/**
 * Parses a window length such as `500ms`, `1s`, `2.5s`, `10m` or `1h` into whole milliseconds
 * (≥ 1 ms, ≤ 365 days); throws UsageError naming the option otherwise (a bare number, an unknown
 * unit, zero, or a fraction of a millisecond).
 * @example parseDurationMs('--per', '1.5s') // 1500
 */
export function parseDurationMs(flag: string, text: string): number {
  const match = DURATION.exec(text);
  const value = match ? Number(match[1]) * UNIT_MS[match[2]] : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_WINDOW_MS) {
    const why = match && value > MAX_WINDOW_MS ? ' (at most 365 days)' : '';
    throw new UsageError(
      `${flag} must be a duration of at least 1ms such as 500ms, 1s, 10m or 1h${why}, ` +
        `got '${text}'`,
    );
  }
  return value;
}

/** A compiled pattern and the capture group whose text it yields. */
export interface Pattern {
  regex: RegExp;
  /** 1 when the pattern has a capture group (the first one is used), else 0 (the whole match). */
  group: number;
}

/**
 * Compiles a JavaScript regular expression given on the command line; throws UsageError naming
 * the option and the engine's complaint when it does not compile.
 * @example compilePattern('--time', '^(\\S+)') // { regex: /^(\S+)/, group: 1 }
 */
export function compilePattern(flag: string, source: string): Pattern {
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${flag} is not a valid regular expression ('${source}'): ${reason}`);
  }
  // An alternative that matches the empty string reveals the number of capture groups.
  const groups = (new RegExp(`${source}|`).exec('') ?? []).length - 1;
  return { regex, group: groups > 0 ? 1 : 0 };
}

/** One `--weight REGEX=W` rule. */
export interface WeightRule {
  pattern: Pattern;
  weight: number;
}

const WEIGHT = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses a `--weight` value `REGEX=W` (split at the last `=`, so the pattern may contain `=`)
 * with W a positive finite number; throws UsageError otherwise.
 * @example parseWeightRule('ERROR=10') // { pattern: { regex: /ERROR/, group: 0 }, weight: 10 }
 */
export function parseWeightRule(text: string): WeightRule {
  const eq = text.lastIndexOf('=');
  if (eq <= 0) {
    throw new UsageError(`--weight must look like REGEX=W (e.g. 'ERROR=10'), got '${text}'`);
  }
  const weightText = text.slice(eq + 1);
  const weight = WEIGHT.test(weightText) ? Number(weightText) : Number.NaN;
  if (!(weight > 0 && Number.isFinite(weight))) {
    throw new UsageError(
      `--weight '${text}': the weight after the last '=' must be a positive number, ` +
        `got '${weightText}'`,
    );
  }
  return { pattern: compilePattern('--weight', text.slice(0, eq)), weight };
}

/** A parsed `--seed`: the number used and whether it was drawn at random. */
export interface SeedChoice {
  seed: number;
  random: boolean;
}

/** The seed used when `--seed` is not given, so the same input gives the same sample. */
export const DEFAULT_SAMPLE_SEED = 0;

/**
 * Parses `--seed`: an integer from 0 to 2^32 − 1, or `random` for a fresh seed from the operating
 * system's generator; undefined gives DEFAULT_SAMPLE_SEED.
 * @example parseSampleSeed('42') // { seed: 42, random: false }
 */
export function parseSampleSeed(text: string | undefined): SeedChoice {
  if (text === undefined) return { seed: DEFAULT_SAMPLE_SEED, random: false };
  if (text === 'random') {
    return { seed: randomInt(0, 2 ** 32), random: true };
  }
  if (!/^\d+$/.test(text)) {
    throw new UsageError(
      `--seed must be an integer from 0 to 4294967295 or 'random', got '${text}'`,
    );
  }
  return { seed: parseSeed('--seed', text), random: false };
}

/**
 * Splits `--weight` values (the option may repeat) out of argv, leaving the rest for parseArgs.
 * Accepts `--weight X` and `--weight=X`; throws UsageError for a `--weight` with no value.
 * @example extractRepeated(['--weight', 'E=2', '--k', '3'], 'weight')
 *   // { values: ['E=2'], rest: ['--k', '3'] }
 */
export function extractRepeated(
  argv: readonly string[],
  name: string,
): { values: string[]; rest: string[] } {
  const flag = `--${name}`;
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (token.startsWith(`${flag}=`)) {
      values.push(token.slice(flag.length + 1));
    } else if (token === flag) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`option ${flag} needs a value (see 'explorables sample --help')`);
      }
      values.push(next);
      i++;
    } else {
      rest.push(token);
    }
  }
  for (const value of values) {
    if (value === '') {
      throw new UsageError(`option ${flag} needs a value (see 'explorables sample --help')`);
    }
  }
  return { values, rest };
}
