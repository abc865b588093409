import { Readable } from 'node:stream';
import { FLOAT_FORMATS, inspect, round } from '@explorables/floats';
import { describe, expect, it } from 'vitest';
import type { Context } from '../context.ts';
import { EXIT_USAGE, oneLine, UsageError } from '../errors.ts';
import { Output } from '../output.ts';
import { type RunResult, Sink } from '../testing.ts';
import { FLOAT_HELP, float } from './float.ts';

/** Runs the verb as main() would (the lead registers it there): exit code, stdout, stderr. */
async function runFloat(argv: readonly string[]): Promise<RunResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const out = new Output(stdout);
  const ctx: Context = { stdin: Readable.from([]), out, stderr, now: () => 0 };
  let code: number;
  try {
    code = await float(argv, ctx);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`explorables: ${oneLine(error.message)}\n`);
    code = EXIT_USAGE;
  }
  await out.end();
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('float', () => {
  it('float 0.1 draws the fp32 fields and prints the exact stored value, error and neighbours', async () => {
    const { code, stdout, stderr } = await runFloat(['0.1']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('0.1 as fp32: IEEE 754 binary32');
    expect(stdout).toMatch(/^ {2}sign \| exponent \(8\) +\| mantissa \(23\)$/m);
    expect(stdout).toMatch(/^ {2}0 +\| 01111011 +\| 10011001100110011001101$/m);
    expect(stdout).toMatch(/^ {2}\+ +\| 123 - 127 = -4 \| 1\.60000002384185791015625$/m);
    expect(stdout).toMatch(/^bits +0x3dcccccd {2}0 01111011 10011001100110011001101$/m);
    expect(stdout).toMatch(/^class +normal$/m);
    expect(stdout).toMatch(/^stored +0\.100000001490116119384765625$/m);
    expect(stdout).toMatch(/^input +0\.1$/m);
    expect(stdout).toMatch(/^error +\+0\.000000001490116119384765625 \(relative \+1\.49e-8\)$/m);
    expect(stdout).toMatch(/^previous +0\.0999999940395355224609375$/m);
    expect(stdout).toMatch(/^next +0\.10000000894069671630859375$/m);
    expect(stdout).toMatch(/^gap \(ULP\) +0\.000000007450580596923828125$/m);
  });

  it('float -0.1 --format BF16 reads the negative value and the format case-insensitively', async () => {
    const { code, stdout } = await runFloat(['-0.1', '--format', 'BF16']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stored +-0\.10009765625$/m);
    expect(stdout).toMatch(/^bits +0xbdcd {2}1 01111011 1001101$/m);
  });

  it('float --format accepts the documented aliases', async () => {
    const aliases: [string, string][] = [
      ['f32', 'fp32'],
      ['float32', 'fp32'],
      ['f16', 'fp16'],
      ['half', 'fp16'],
      ['fp8-e4m3', 'e4m3'],
      ['E5M2', 'e5m2'],
      ['fp4', 'e2m1'],
      ['e8m0', 'e8m0'],
      ['int8', 'int8'],
      ['uint4', 'uint4'],
    ];
    for (const [alias, name] of aliases) {
      const { code, stdout } = await runFloat(['2', '--format', alias, '--json']);
      expect(code, alias).toBe(0);
      expect(JSON.parse(stdout).format).toBe(name);
    }
  });

  it('float --json prints one object with the inspection of the engine', async () => {
    const { code, stdout } = await runFloat(['0.1', '--format', 'fp16', '--json']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const i = inspect('fp16', '0.1');
    expect(JSON.parse(stdout)).toEqual({
      input: '0.1',
      inputExact: '0.1',
      format: 'fp16',
      rounding: 'nearest-even',
      overflow: 'inf-or-nan',
      bits: '0x2e66',
      bitString: '0 01011 1001100110',
      sign: 0,
      exponentField: 11,
      mantissaField: 0x266,
      exponent: -4,
      class: 'normal',
      stored: '0.0999755859375',
      storedNumber: 0.0999755859375,
      exact: false,
      error: {
        absolute: '-0.0000244140625',
        absoluteNumber: -0.0000244140625,
        relative: i.error?.relative,
      },
      previous: i.previous?.decimal,
      next: i.next?.decimal,
      ulp: '0.00006103515625',
    });
  });

  it('float 2049 --format fp16 --round picks nearest-even, zero or away', async () => {
    const stored = async (mode: string) =>
      JSON.parse((await runFloat(['2049', '--format', 'fp16', '--round', mode, '--json'])).stdout)
        .stored;
    expect(await stored('nearest')).toBe('2048');
    expect(await stored('zero')).toBe('2048');
    expect(await stored('away')).toBe('2050');
    expect(JSON.parse((await runFloat(['2051', '--format', 'f16', '--json'])).stdout).stored).toBe(
      '2052',
    );
  });

  it('float 1000 --format e4m3 overflows to NaN, or to 448 with --overflow saturate', async () => {
    const nan = await runFloat(['1000', '--format', 'e4m3']);
    expect(nan.stdout).toMatch(/^class +nan$/m);
    expect(nan.stdout).toMatch(/^note +overflow: e4m3 has no infinity/m);
    const saturated = await runFloat(['1000', '--format', 'e4m3', '--overflow', 'saturate']);
    expect(saturated.stdout).toMatch(/^stored +448$/m);
    expect(saturated.stdout).toMatch(/^error +-552 \(relative -0\.552\)$/m);
  });

  it('float --format all prints one row per float format with the exact stored value', async () => {
    const { code, stdout } = await runFloat(['0.1', '--format', 'all']);
    expect(code).toBe(0);
    for (const f of FLOAT_FORMATS) {
      const v = round(f, '0.1');
      expect(stdout).toMatch(
        new RegExp(
          `^${f.name} +0x0*${v.bits.toString(16)} +${v.class} .* ${v.decimal.replace('.', '\\.')}$`,
          'm',
        ),
      );
    }
    expect(stdout).toMatch(
      /^fp32 +0x3dcccccd +normal +\+1\.49e-8 +0\.100000001490116119384765625$/m,
    );
  });

  it('float nan --format all marks formats without NaN, and --json lists every format', async () => {
    const { stdout } = await runFloat(['nan', '--format', 'all']);
    expect(stdout).toMatch(/^e2m1 +- +n\/a +n\/a +\(e2m1 has no NaN\)$/m);
    expect(stdout).toMatch(/^e4m3 +0x7f +nan +exact +NaN$/m);
    const json = JSON.parse((await runFloat(['-1.5', '--format', 'all', '--json'])).stdout);
    expect(json.formats.map((f: { format: string }) => f.format)).toEqual(
      FLOAT_FORMATS.map((f) => f.name),
    );
    expect(json.formats.find((f: { format: string }) => f.format === 'e8m0').class).toBe('nan');
  });

  it('float --bits B --format F decodes a pattern and keeps its NaN payload', async () => {
    const { code, stdout } = await runFloat(['--bits', '0x7e01', '--format', 'half', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ input: null, bits: '0x7e01', class: 'nan', mantissaField: 0x201 });
    const one = JSON.parse(
      (await runFloat(['--bits', '0b00111100', '--format', 'e4m3', '--json'])).stdout,
    );
    expect(one.stored).toBe('1.5');
  });

  it('float shows integers, E8M0 and specials in their own fields', async () => {
    const int = await runFloat(['-5', '--format', 'int4']);
    expect(int.stdout).toMatch(/^ {2}sign \| value bits \(3\)$/m);
    expect(int.stdout).toMatch(/^ {2}-8 +\| \+3$/m);
    const e8m0 = await runFloat(['3.5', '--format', 'e8m0']);
    expect(e8m0.stdout).toMatch(/^stored +4$/m);
    expect(e8m0.stdout).toMatch(/^ {2}129 - 127 = 2$/m);
    const inf = await runFloat(['-inf', '--format', 'fp16']);
    expect(inf.stdout).toMatch(/^class +infinity$/m);
    expect(inf.stdout).toMatch(/^next +-65504$/m);
    const sub = await runFloat(['1e-40']);
    expect(sub.stdout).toMatch(/^class +subnormal$/m);
  });

  it('float --help prints FLOAT_HELP', async () => {
    const { code, stdout } = await runFloat(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${FLOAT_HELP.trimEnd()}\n`);
  });

  it('float exits 2 with one line naming the allowed values for bad usage', async () => {
    const cases: [string[], string][] = [
      [['0.1', '--format', 'fp7'], "unknown --format 'fp7'; expected all or one of fp64, fp32"],
      [['abc'], "cannot read value 'abc'; expected a decimal such as 0.1"],
      [['0x10'], "cannot read value '0x10'"],
      [[], 'float needs a value'],
      [['1', '2'], 'float takes one value, got 2: 1 2'],
      [['1', '--round', 'up'], "unknown --round 'up'; expected nearest, zero or away"],
      [['1', '--overflow', 'wrap'], "unknown --overflow 'wrap'; expected inf-or-nan or saturate"],
      [['nan', '--format', 'fp4'], 'e2m1 has no NaN'],
      [['--bits', '0x1ff', '--format', 'e4m3'], 'fromBits(e4m3): bits 511 out of range'],
      [['--bits', 'zz'], "--bits must be hex (0x7e00), binary (0b0111) or decimal, got 'zz'"],
      [['--bits', '1', '--format', 'all'], 'float --bits needs one --format, not all'],
      [['1', '--bits', '1'], "float --bits takes no value argument, got '1'"],
      [['1', '--bogus'], "unknown option '--bogus' for 'explorables float'"],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await runFloat(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.startsWith(`explorables: ${message}`), stderr).toBe(true);
      expect(stderr.indexOf('\n')).toBe(stderr.length - 1);
    }
  });
});
