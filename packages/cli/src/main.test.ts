import { describe, expect, it } from 'vitest';
import { run } from './testing.ts';

/** Asserts the shape every user error has: exit 2, nothing on stdout, one `explorables:` line. */
function expectUsageError(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^explorables: [^\n]+\n$/);
  expect(result.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
}

describe('main', () => {
  it('main(["--help"]) prints usage with examples on stdout and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await run([flag]);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage:');
      expect(stdout).toContain('explorables bloom size --n 1000000 --p 1e-6');
      expect(stderr).toBe('');
    }
  });

  it('main(["bloom", verb, "--help"]) prints the help of each verb', async () => {
    expect((await run(['bloom', '--help'])).stdout).toContain('explorables bloom check FILE');
    for (const verb of ['size', 'build', 'check', 'info']) {
      const { code, stdout } = await run(['bloom', verb, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`explorables bloom ${verb}`);
      expect(stdout).toContain('Example');
    }
  });

  it('main(["--version"]) prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^explorables \d+\.\d+\.\d+\n$/);
  });

  it('main(argv) exits 2 with one line for a missing or unknown command or verb', async () => {
    for (const argv of [[], ['frobnicate'], ['--frob'], ['bloom'], ['bloom', 'grow']]) {
      const result = await run(argv);
      expectUsageError(result);
    }
    expect((await run(['frobnicate'])).stderr).toBe(
      "explorables: unknown command 'frobnicate'; expected one of bloom, sample, float, inspect, quant-raw, dequant-raw, quantize, generate, tokenize, perplexity, superweights (see explorables --help)\n",
    );
    expect((await run(['bloom', 'grow'])).stderr).toContain(
      'expected one of size, build, check, info',
    );
  });
});
