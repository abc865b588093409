import { sizeFor } from '@explorables/bloom';
import { describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

describe('bloom size', () => {
  it('bloom size --n 1000000 --p 1e-6 prints the numbers of sizeFor with a human-readable size', async () => {
    const { code, stdout, stderr } = await run(['bloom', 'size', '--n', '1000000', '--p', '1e-6']);
    const size = sizeFor(1_000_000, 1e-6);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(new RegExp(`^bits \\(m\\) +${size.bits}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^bytes +${size.bytes} \\(3\\.43 MiB\\)$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^hashes \\(k\\) +${size.hashes}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^bits per key +${size.bitsPerKey.toFixed(2)}$`, 'm'));
    const rate = size.falsePositiveRate.toExponential(2).replace('+', '');
    expect(stdout).toMatch(new RegExp(`^predicted FPR +${rate.replace('.', '\\.')}$`, 'm'));
  });

  it('bloom size --json prints one object with stable keys equal to sizeFor', async () => {
    const { code, stdout } = await run(['bloom', 'size', '--n=1e6', '--p=0.01', '--json']);
    expect(code).toBe(0);
    const size = sizeFor(1e6, 0.01);
    expect(JSON.parse(stdout)).toEqual({
      n: 1e6,
      p: 0.01,
      bits: size.bits,
      bytes: size.bytes,
      hashes: size.hashes,
      bitsPerKey: size.bitsPerKey,
      falsePositiveRate: size.falsePositiveRate,
    });
    expect(Object.keys(JSON.parse(stdout))).toEqual([
      'n',
      'p',
      'bits',
      'bytes',
      'hashes',
      'bitsPerKey',
      'falsePositiveRate',
    ]);
  });

  it('bloom size defaults --p to 0.01 and handles n = 1', async () => {
    const { stdout } = await run(['bloom', 'size', '--n', '1', '--json']);
    const size = sizeFor(1, 0.01);
    expect(JSON.parse(stdout).bits).toBe(size.bits);
    expect(JSON.parse(stdout).p).toBe(0.01);
  });

  it('bloom size exits 2 with one line for a bad or missing --n or --p', async () => {
    const cases: [string[], string][] = [
      [['--n', '0'], "--n must be a positive integer, got '0'"],
      [['--n', '-5'], "--n must be a positive integer, got '-5'"],
      [['--n', '1.5'], "--n must be a positive integer, got '1.5'"],
      [['--n', 'NaN'], "--n must be a positive integer, got 'NaN'"],
      [['--n', '10', '--p', '0'], "--p must be a probability strictly between 0 and 1, got '0'"],
      [['--n', '10', '--p', '1'], "--p must be a probability strictly between 0 and 1, got '1'"],
      [
        ['--n', '10', '--p', 'NaN'],
        "--p must be a probability strictly between 0 and 1, got 'NaN'",
      ],
      [['--p', '0.1'], 'bloom size needs --n N, the number of keys (a positive integer)'],
      [['--n'], "option --n needs a value (see 'explorables bloom size --help')"],
      [['--n', '10', '--bogus'], "unknown option '--bogus' for 'explorables bloom size'"],
      [['--n', '10', 'extra'], "bloom size takes no arguments, got 'extra'"],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await run(['bloom', 'size', ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.startsWith(`explorables: ${message}`), stderr).toBe(true);
      expect(stderr.indexOf('\n')).toBe(stderr.length - 1);
    }
  });
});
