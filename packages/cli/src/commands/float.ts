import {
  FLOAT_FORMATS,
  type FloatFormat,
  type FloatValue,
  FORMATS,
  formatByName,
  fromBits,
  inspect,
  nextDown,
  nextUp,
  type OverflowPolicy,
  type RoundingMode,
  toDecimalString,
  ulp,
} from '@explorables/floats';
import { parseArgs } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { table } from '../format.ts';

/** Usage text of `explorables float --help`. */
export const FLOAT_HELP = `explorables float: how a number is stored in fp32, bf16, fp8, fp4 and friends.

Usage:
  explorables float <value> [--format F] [--round R] [--overflow O] [--json]
  explorables float --bits B [--format F] [--json]

The value is read exactly: 0.1 is one tenth, not the double nearest to it. Decimals
(0.1, -2.5e-3, 1e-40) and inf, -inf, nan are accepted.

Options:
  --format F     fp32 (default), fp64, fp16, bf16, e4m3, e5m2, e2m3, e3m2, e2m1, e8m0,
                 int2..int8, uint2..uint8, or all (a table of every float format).
                 Also: f32 float32 f16 half bfloat16 fp8-e4m3 fp8-e5m2 fp6-e2m3
                 fp6-e3m2 fp4 double int8 i8 u4 … (case-insensitive)
  --round R      nearest (default, ties to even) | zero | away
  --overflow O   inf-or-nan (default: infinity, or NaN where the format only has NaN,
                 else saturate) | saturate (clamp to the largest finite value)
  --bits B       show the value of a bit pattern instead (0x3dcccccd, 0b0111, 42)
  --json         print one JSON object

Prints the sign, exponent and mantissa fields, the class (zero, subnormal, normal,
infinity, NaN), the exact stored value, the error against the input, the neighbouring
values and the gap between them (ULP).

Examples:
  explorables float 0.1
  explorables float 0.1 --format all
  explorables float 1000 --format e4m3 --overflow saturate
  explorables float --bits 0x7e00 --format fp16 --json
`;

const OPTIONS = {
  format: { kind: 'string' },
  round: { kind: 'string' },
  overflow: { kind: 'string' },
  bits: { kind: 'string' },
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

const ROUNDING: Readonly<Record<string, RoundingMode>> = {
  nearest: 'nearest-even',
  'nearest-even': 'nearest-even',
  zero: 'toward-zero',
  'toward-zero': 'toward-zero',
  away: 'away-from-zero',
  'away-from-zero': 'away-from-zero',
};

const NEGATIVE_NUMBER = /^-(\d|\.\d|inf|nan)/i;

/** One value in one format, with everything the picture and the JSON need. */
interface Report {
  inputText: string | null;
  inputDecimal: string | null;
  stored: FloatValue;
  isExact: boolean;
  errorDecimal: string | null;
  errorNumber: number | null;
  relativeError: number | null;
  previous: FloatValue | null;
  next: FloatValue | null;
  ulpDecimal: string | null;
}

/**
 * `explorables float <value> [--format F] [--round R] [--overflow O] [--bits B] [--json]`: shows
 * how a value is stored in a number format (fields, class, exact value, error, neighbours, gap),
 * or a table over every float format; resolves to the exit code.
 * @example await float(['0.1', '--format', 'bf16'], ctx) // prints the bf16 picture, returns 0
 */
export async function float(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(
    withNegativeValues(argv),
    OPTIONS,
    'explorables float',
  );
  if (options.has('help')) {
    await ctx.out.line(FLOAT_HELP.trimEnd());
    return 0;
  }
  const formatText = stringOption(options, 'format') ?? 'fp32';
  const rounding = parseRounding(stringOption(options, 'round') ?? 'nearest');
  const overflow = parseOverflow(stringOption(options, 'overflow') ?? 'inf-or-nan');
  const bitsText = stringOption(options, 'bits');
  const json = options.has('json');
  if (bitsText !== undefined) {
    if (positionals.length > 0) {
      throw new UsageError(`float --bits takes no value argument, got '${positionals[0]}'`);
    }
    if (formatText.toLowerCase() === 'all') {
      throw new UsageError('float --bits needs one --format, not all (bits differ per format)');
    }
    const report = fromBitsReport(parseFormat(formatText), bitsText);
    await ctx.out.line(
      json ? JSON.stringify(reportJson(report, rounding, overflow)) : picture(report, rounding),
    );
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'float needs a value, such as 0.1, -2.5e-3, 1e-40, inf or nan (or --bits B)'
        : `float takes one value, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const value = positionals[0];
  if (formatText.toLowerCase() === 'all') {
    const rows = FLOAT_FORMATS.map((f) => tryInspect(f, value, rounding, overflow));
    if (json) {
      const formats = rows.map(([f, r]) =>
        r ? reportJson(r, rounding, overflow) : unsupported(f, value),
      );
      await ctx.out.line(JSON.stringify({ input: value, rounding, overflow, formats }));
    } else {
      await ctx.out.line(allTable(value, rounding, rows).trimEnd());
    }
    return 0;
  }
  const format = parseFormat(formatText);
  const [, report] = tryInspect(format, value, rounding, overflow);
  if (report === null) {
    throw new UsageError(`${format.name} has no NaN; pick a format with NaN or a finite value`);
  }
  await ctx.out.line(
    json ? JSON.stringify(reportJson(report, rounding, overflow)) : picture(report, rounding),
  );
  return 0;
}

/** Pulls out negative numbers (-0.5, -inf) so parseArgs does not read them as options. */
function withNegativeValues(argv: readonly string[]): string[] {
  const options: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      values.push(...argv.slice(i + 1));
      break;
    }
    const previous = argv[i - 1];
    const takesValue = previous !== undefined && /^--(format|round|overflow|bits)$/.test(previous);
    if (NEGATIVE_NUMBER.test(token) && !takesValue) values.push(token);
    else options.push(token);
  }
  return values.length === 0 ? options : [...options, '--', ...values];
}

function stringOption(options: Map<string, string | true>, name: string): string | undefined {
  const value = options.get(name);
  return typeof value === 'string' ? value : undefined;
}

function parseFormat(text: string): FloatFormat {
  try {
    return formatByName(text);
  } catch {
    const names = FORMATS.map((f) => f.name).join(', ');
    throw new UsageError(`unknown --format '${text}'; expected all or one of ${names}`);
  }
}

function parseRounding(text: string): RoundingMode {
  const mode = ROUNDING[text.toLowerCase()];
  if (mode === undefined) {
    throw new UsageError(`unknown --round '${text}'; expected nearest, zero or away`);
  }
  return mode;
}

function parseOverflow(text: string): OverflowPolicy {
  const policy = text.toLowerCase();
  if (policy !== 'saturate' && policy !== 'inf-or-nan') {
    throw new UsageError(`unknown --overflow '${text}'; expected inf-or-nan or saturate`);
  }
  return policy;
}

/** The report of `value` in `format`, or null when the format cannot hold it (NaN, no NaN). */
function tryInspect(
  format: FloatFormat,
  value: string,
  rounding: RoundingMode,
  overflow: OverflowPolicy,
): [FloatFormat, Report | null] {
  let result: ReturnType<typeof inspect>;
  try {
    result = inspect(format, value, { rounding, overflow });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('cannot read') || message.includes('too large')) {
      throw new UsageError(
        `cannot read value '${value}'; expected a decimal such as 0.1, -2.5e-3 or 1e-40, or inf, -inf, nan`,
      );
    }
    if (message.includes('has no NaN')) return [format, null];
    throw error;
  }
  return [
    format,
    {
      inputText: value,
      inputDecimal: result.inputDecimal,
      stored: result.stored,
      isExact: result.isExact,
      errorDecimal: result.error?.absolute.decimal ?? null,
      errorNumber: result.error?.absolute.number ?? null,
      relativeError: result.error?.relative ?? null,
      previous: result.previous,
      next: result.next,
      ulpDecimal: result.ulp?.decimal ?? null,
    },
  ];
}

function fromBitsReport(format: FloatFormat, text: string): Report {
  const syntax = /^(0x[0-9a-f]+|0b[01]+|\d+)$/i;
  if (!syntax.test(text)) {
    throw new UsageError(`--bits must be hex (0x7e00), binary (0b0111) or decimal, got '${text}'`);
  }
  let stored: FloatValue;
  try {
    stored = fromBits(format, BigInt(text));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    inputText: null,
    inputDecimal: null,
    stored,
    isExact: true,
    errorDecimal: null,
    errorNumber: null,
    relativeError: null,
    previous: nextDown(stored),
    next: nextUp(stored),
    ulpDecimal: ulp(stored)?.decimal ?? null,
  };
}

function hex(v: FloatValue): string {
  return `0x${v.bits.toString(16).padStart(Math.ceil(v.format.totalBits / 4), '0')}`;
}

function bitString(v: FloatValue): string {
  const { sign, exponent, mantissa } = v.fieldStrings;
  return [sign, exponent, mantissa].filter((s) => s.length > 0).join(' ');
}

function relativeText(relative: number | null, exact: boolean): string {
  if (exact) return 'exact';
  if (relative === null) return 'n/a';
  const magnitude = Math.abs(relative);
  const text =
    magnitude >= 0.001 && magnitude < 1000
      ? relative.toPrecision(3)
      : relative.toExponential(2).replace('e+', 'e');
  return relative > 0 ? `+${text}` : text;
}

/** The significand 1.m or 0.m of a finite float value, exactly. */
function significand(v: FloatValue): string {
  const m = v.format.mantissaBits;
  const lead = v.class === 'normal' ? 1n << BigInt(m) : 0n;
  return toDecimalString({
    negative: false,
    num: lead + BigInt(v.mantissaField),
    den: 1n << BigInt(m),
  });
}

/** Three rows per field: its label, its bits and what they mean. */
function fieldColumns(v: FloatValue): [string, string, string][] {
  const f = v.format;
  const columns: [string, string, string][] = [];
  const fields = v.fieldStrings;
  if (f.kind === 'int') {
    const magnitude = String(v.mantissaField);
    if (f.signBits === 1) {
      columns.push(['sign', fields.sign, v.sign === 1 ? `-${2 ** f.mantissaBits}` : '0']);
    }
    columns.push([`value bits (${f.mantissaBits})`, fields.mantissa, `+${magnitude}`]);
    return columns;
  }
  if (f.signBits === 1) columns.push(['sign', fields.sign, v.sign === 1 ? '-' : '+']);
  let exponentMeaning: string;
  let mantissaMeaning: string;
  if (v.class === 'nan' || v.class === 'infinity') {
    exponentMeaning = 'special';
    mantissaMeaning = v.class === 'nan' ? `NaN payload ${v.mantissaField}` : 'infinity';
  } else if (v.class === 'zero') {
    exponentMeaning = 'zero';
    mantissaMeaning = '0';
  } else {
    const e = v.exponent ?? 0;
    exponentMeaning =
      v.class === 'subnormal' ? `subnormal: 2^${e}` : `${v.exponentField} - ${f.bias} = ${e}`;
    mantissaMeaning = significand(v);
  }
  columns.push([`exponent (${f.exponentBits})`, fields.exponent, exponentMeaning]);
  if (f.mantissaBits > 0)
    columns.push([`mantissa (${f.mantissaBits})`, fields.mantissa, mantissaMeaning]);
  return columns;
}

function fieldPicture(v: FloatValue): string[] {
  const columns = fieldColumns(v);
  const widths = columns.map((c) => Math.max(...c.map((s) => s.length)));
  return [0, 1, 2].map(
    (row) =>
      `  ${columns
        .map((c, i) => c[row].padEnd(widths[i]))
        .join(' | ')
        .trimEnd()}`,
  );
}

function valueLine(v: FloatValue): string | null {
  if (v.format.kind === 'int' || v.class === 'zero' || v.exact === null) return null;
  const sign = v.sign === 1 ? '-' : '+';
  return `  = ${sign}${significand(v)} × 2^${v.exponent}`;
}

function picture(r: Report, rounding: RoundingMode): string {
  const v = r.stored;
  const f = v.format;
  const head =
    r.inputText === null
      ? `bits ${hex(v)} as ${f.name}: ${f.title}`
      : `${r.inputText} as ${f.name}: ${f.title}; rounding ${rounding}`;
  const lines = [head, '', ...fieldPicture(v)];
  const equation = valueLine(v);
  if (equation !== null) lines.push(equation);
  lines.push('');
  const rows: [string, string][] = [
    ['bits', `${hex(v)}  ${bitString(v)}`],
    ['class', v.class],
    ['stored', v.decimal],
  ];
  if (r.inputDecimal !== null) {
    rows.push(['input', r.inputDecimal]);
    const error =
      r.errorDecimal === null
        ? 'n/a (not finite)'
        : r.isExact
          ? '0 (exact)'
          : `${r.errorDecimal.startsWith('-') ? '' : '+'}${r.errorDecimal} (relative ${relativeText(r.relativeError, false)})`;
    rows.push(['error', error]);
    const finiteInput = r.inputDecimal !== 'NaN' && !r.inputDecimal.endsWith('Infinity');
    const overflowed = r.errorDecimal === null && finiteInput;
    if (overflowed && v.class === 'nan') {
      rows.push(['note', `overflow: ${f.name} has no infinity (--overflow saturate clamps)`]);
    } else if (overflowed) {
      rows.push(['note', `overflow beyond ${f.name}'s largest finite value`]);
    }
  }
  rows.push(['previous', r.previous?.decimal ?? 'none']);
  rows.push(['next', r.next?.decimal ?? 'none']);
  rows.push(['gap (ULP)', r.ulpDecimal ?? 'n/a']);
  return `${lines.join('\n')}\n${table(rows)}`;
}

function allTable(
  value: string,
  rounding: RoundingMode,
  rows: readonly [FloatFormat, Report | null][],
): string {
  const header = ['format', 'bits', 'class', 'rel. error', 'stored (exact)'];
  const cells = rows.map(([f, r]) =>
    r === null
      ? [f.name, '-', 'n/a', 'n/a', `(${f.name} has no NaN)`]
      : [
          f.name,
          hex(r.stored),
          r.stored.class,
          relativeText(r.relativeError, r.isExact),
          r.stored.decimal,
        ],
  );
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const lines = all.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '),
  );
  return `${value} in every float format, rounding ${rounding}\n\n${lines.join('\n')}\n`;
}

function reportJson(r: Report, rounding: RoundingMode, overflow: OverflowPolicy) {
  const v = r.stored;
  return {
    input: r.inputText,
    inputExact: r.inputDecimal,
    format: v.format.name,
    rounding,
    overflow,
    bits: hex(v),
    bitString: bitString(v),
    sign: v.sign,
    exponentField: v.exponentField,
    mantissaField: v.mantissaField,
    exponent: v.exponent,
    class: v.class,
    stored: v.decimal,
    storedNumber: Number.isFinite(v.number) ? v.number : null,
    exact: r.isExact,
    error:
      r.errorDecimal === null
        ? null
        : { absolute: r.errorDecimal, absoluteNumber: r.errorNumber, relative: r.relativeError },
    previous: r.previous?.decimal ?? null,
    next: r.next?.decimal ?? null,
    ulp: r.ulpDecimal,
  };
}

function unsupported(f: FloatFormat, value: string) {
  return { input: value, format: f.name, class: null, stored: null, error: `${f.name} has no NaN` };
}
