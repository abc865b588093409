import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import {
  compilePattern,
  DEFAULT_SAMPLE_SEED,
  extractRepeated,
  parseDurationMs,
  parseSampleSeed,
  parseWeightRule,
} from './sample-options.ts';

describe('sample options', () => {
  it('parseDurationMs(flag, text) reads ms, s, m and h, fractions included', () => {
    expect(parseDurationMs('--per', '500ms')).toBe(500);
    expect(parseDurationMs('--per', '1s')).toBe(1000);
    expect(parseDurationMs('--per', '2.5s')).toBe(2500);
    expect(parseDurationMs('--per', '.5s')).toBe(500);
    expect(parseDurationMs('--per', '10m')).toBe(600_000);
    expect(parseDurationMs('--per', '1h')).toBe(3_600_000);
    expect(parseDurationMs('--per', '8760h')).toBe(365 * 86_400_000);
  });

  it('parseDurationMs(flag, text) throws a UsageError naming the flag for bad durations', () => {
    for (const text of [
      '1',
      '0s',
      '0ms',
      '1.5ms',
      '-1s',
      '1d',
      '1 s',
      's',
      'NaNs',
      '1e3ms',
      '8761h',
    ]) {
      expect(() => parseDurationMs('--per', text), text).toThrow(UsageError);
      expect(() => parseDurationMs('--per', text), text).toThrow(/^--per must be a duration/);
    }
  });

  it('compilePattern(flag, source) uses the first capture group, or the whole match without one', () => {
    expect(compilePattern('--time', '^(\\S+) (\\w+)').group).toBe(1);
    expect(compilePattern('--keep', 'ERROR').group).toBe(0);
    expect(compilePattern('--keep', '(?:ERROR|WARN)').group).toBe(0);
    expect(compilePattern('--key', 'a|(b)').group).toBe(1);
  });

  it('compilePattern(flag, source) throws one UsageError line naming the flag for a bad regex', () => {
    for (const source of ['(', '[a-', '*x', 'a{2,1}', '(?<n>a)(?<n>b)']) {
      expect(() => compilePattern('--key', source), source).toThrow(UsageError);
      expect(() => compilePattern('--key', source), source).toThrow(
        /^--key is not a valid regular expression/,
      );
    }
  });

  it('parseWeightRule(text) splits at the last = and needs a positive finite weight', () => {
    const rule = parseWeightRule('a=b=2.5');
    expect(rule.weight).toBe(2.5);
    expect(rule.pattern.regex.source).toBe('a=b');
    expect(parseWeightRule('ERROR=1e3').weight).toBe(1000);
    for (const text of [
      'ERROR',
      '=3',
      'ERROR=',
      'ERROR=0',
      'ERROR=-1',
      'ERROR=x',
      'E=1e999',
      '(=2',
    ]) {
      expect(() => parseWeightRule(text), text).toThrow(UsageError);
    }
  });

  it('parseSampleSeed(text) defaults to a fixed seed, reads integers and draws for random', () => {
    expect(parseSampleSeed(undefined)).toEqual({ seed: DEFAULT_SAMPLE_SEED, random: false });
    expect(parseSampleSeed('42')).toEqual({ seed: 42, random: false });
    expect(parseSampleSeed('4294967295').seed).toBe(4294967295);
    const drawn = parseSampleSeed('random');
    expect(drawn.random).toBe(true);
    expect(Number.isInteger(drawn.seed) && drawn.seed >= 0 && drawn.seed < 2 ** 32).toBe(true);
    for (const text of ['-1', '4294967296', '1.5', 'abc', '']) {
      expect(() => parseSampleSeed(text), text).toThrow(UsageError);
    }
  });

  it('extractRepeated(argv, name) collects every occurrence and leaves the rest in order', () => {
    expect(
      extractRepeated(['--weight', 'E=2', 'f.log', '--weight=W=3', '--k', '3'], 'weight'),
    ).toEqual({ values: ['E=2', 'W=3'], rest: ['f.log', '--k', '3'] });
    expect(extractRepeated(['--', '--weight', 'x'], 'weight')).toEqual({
      values: [],
      rest: ['--', '--weight', 'x'],
    });
    expect(() => extractRepeated(['--weight'], 'weight')).toThrow(UsageError);
    expect(() => extractRepeated(['--weight', '--k'], 'weight')).toThrow(UsageError);
    expect(() => extractRepeated(['--weight='], 'weight')).toThrow(UsageError);
  });
});
