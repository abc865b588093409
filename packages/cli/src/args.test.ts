import { describe, expect, it } from 'vitest';
import { parseArgs, parsePositiveInteger, parseProbability, parseSeed } from './args.ts';
import { UsageError } from './errors.ts';

const SPEC = {
  n: { kind: 'string' },
  output: { kind: 'string', short: 'o' },
  json: { kind: 'boolean' },
} as const;

describe('parseArgs', () => {
  it('parseArgs(argv) reads --name value, --name=value, short aliases and booleans', () => {
    const { options, positionals } = parseArgs(
      ['in.txt', '--n', '5', '-o', 'x.bloom', '--json'],
      SPEC,
      'test',
    );
    expect(options.get('n')).toBe('5');
    expect(options.get('output')).toBe('x.bloom');
    expect(options.get('json')).toBe(true);
    expect(positionals).toEqual(['in.txt']);
    expect(parseArgs(['--n=7', '-o=f'], SPEC, 'test').options.get('n')).toBe('7');
  });

  it('parseArgs(argv) treats a lone - as a positional and everything after -- as positionals', () => {
    const { options, positionals } = parseArgs(['-', '--', '--json', '-x'], SPEC, 'test');
    expect(positionals).toEqual(['-', '--json', '-x']);
    expect(options.has('json')).toBe(false);
  });

  it('parseArgs(argv) takes a value that starts with one dash (so --n -5 reaches validation)', () => {
    expect(parseArgs(['--n', '-5'], SPEC, 'test').options.get('n')).toBe('-5');
  });

  it('parseArgs(argv) throws UsageError for unknown options, naming the known ones', () => {
    expect(() => parseArgs(['--nope'], SPEC, 'test')).toThrow(UsageError);
    expect(() => parseArgs(['--nope'], SPEC, 'test')).toThrow(/'--nope'.*--n, -o\/--output/);
    expect(() => parseArgs(['-z'], SPEC, 'test')).toThrow(/unknown option '-z'/);
    expect(() => parseArgs(['--toString'], SPEC, 'test')).toThrow(UsageError);
  });

  it('parseArgs(argv) throws UsageError for a missing value', () => {
    expect(() => parseArgs(['--n'], SPEC, 'test')).toThrow(/--n needs a value/);
    expect(() => parseArgs(['--n', '--json'], SPEC, 'test')).toThrow(/--n needs a value/);
    expect(() => parseArgs(['--n='], SPEC, 'test')).toThrow(/--n needs a value/);
    expect(() => parseArgs(['--json=yes'], SPEC, 'test')).toThrow(/takes no value/);
  });
});

describe('value parsers', () => {
  it('parseProbability(flag, text) accepts decimals and scientific notation inside (0, 1)', () => {
    expect(parseProbability('--p', '0.01')).toBe(0.01);
    expect(parseProbability('--p', '1e-6')).toBe(1e-6);
    expect(parseProbability('--p', '.5')).toBe(0.5);
  });

  it('parseProbability(flag, text) rejects 0, 1, negatives, NaN, Infinity, hex and junk', () => {
    for (const bad of ['0', '1', '-0.1', '2', 'NaN', 'Infinity', '0x1', 'abc', '', ' 0.1', '1%']) {
      expect(() => parseProbability('--p', bad), bad).toThrow(UsageError);
    }
    expect(() => parseProbability('--p', '1.5')).toThrow(
      "--p must be a probability strictly between 0 and 1, got '1.5'",
    );
  });

  it('parsePositiveInteger(flag, text) accepts integers and integral scientific notation', () => {
    expect(parsePositiveInteger('--n', '1000')).toBe(1000);
    expect(parsePositiveInteger('--n', '1e6')).toBe(1_000_000);
    expect(parsePositiveInteger('--n', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('parsePositiveInteger(flag, text) rejects zero, negatives, fractions, huge and junk', () => {
    for (const bad of ['0', '-1', '1.5', '1e-3', '1e300', '9007199254740993', 'NaN', 'x', '0x10']) {
      expect(() => parsePositiveInteger('--n', bad), bad).toThrow(UsageError);
    }
    expect(() => parsePositiveInteger('--n', '2.5')).toThrow(
      "--n must be a positive integer, got '2.5'",
    );
  });

  it('parseSeed(flag, text) accepts 0 … 2^32 − 1 and rejects the rest', () => {
    expect(parseSeed('--seed', '0')).toBe(0);
    expect(parseSeed('--seed', '4294967295')).toBe(4294967295);
    for (const bad of ['4294967296', '-1', '1.5', 'abc', '1e3']) {
      expect(() => parseSeed('--seed', bad), bad).toThrow(UsageError);
    }
  });
});
