import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { generate as engineGenerate, loadModel } from '@explorables/llm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context } from '../context.ts';
import { EXIT_USAGE, oneLine, UsageError } from '../errors.ts';
import { Output } from '../output.ts';
import { type RunResult, Sink } from '../testing.ts';
import { GENERATE_HELP, generate } from './generate.ts';
import { tinyModelFiles } from './llm-fixtures.ts';

/** Runs the verb as main() would (the lead registers it there), streaming to a raw stdout. */
async function runGenerate(argv: readonly string[], raw = true): Promise<RunResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const out = new Output(stdout);
  const ctx: Context & { stdout?: Sink } = {
    stdin: Readable.from([]),
    out,
    stderr,
    now: (() => {
      let t = 0;
      return () => (t += 10);
    })(),
    ...(raw ? { stdout } : {}),
  };
  let code: number;
  try {
    code = await generate(argv, ctx);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`explorables: ${oneLine(error.message)}\n`);
    code = EXIT_USAGE;
  }
  await out.end();
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let dir: string;
let files: ReturnType<typeof tinyModelFiles>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'explorables-generate-'));
  files = tinyModelFiles(dir);
  vi.stubEnv('EXPLORABLES_MODELS', dir);
  vi.stubEnv('EXPLORABLES_OFFLINE', '1');
  vi.stubEnv('XDG_CACHE_HOME', join(dir, 'cache'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('generate', () => {
  it('generate -t 0 prints exactly the engine’s run.c text and a newline, tok/s on stderr', async () => {
    const { readFileSync } = await import('node:fs');
    const loaded = await loadModel(readFileSync(files.model), {
      tokenizer: readFileSync(files.tok),
    });
    const expected = engineGenerate(loaded.model, loaded.tokenizer, {
      prompt: 'ab c',
      steps: 20,
      temperature: 0,
    });
    for (const raw of [true, false]) {
      const r = await runGenerate(
        ['-m', files.model, '-z', files.tok, '-t', '0', '-n', '20', '-i', 'ab c'],
        raw,
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${expected.text}\n`);
      expect(r.stdout.startsWith('ab c')).toBe(true);
      expect(r.stdout.length).toBeGreaterThan(10);
      expect(r.stderr).toMatch(/^achieved tok\/s: \d+\.\d{6}\n$/);
    }
  });

  it('generate with a seed is repeatable and the GGUF conversion gives the same text', async () => {
    const args = ['-t', '1', '-p', '0.9', '-s', '42', '-n', '30', '-i', 'a'];
    const a = await runGenerate(['-m', files.model, '-z', files.tok, ...args]);
    const b = await runGenerate([files.model, '-z', files.tok, ...args]);
    const g = await runGenerate(['-m', files.gguf, ...args]);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(g.stdout).toBe(a.stdout);
    const other = await runGenerate([
      '-m',
      files.model,
      '-z',
      files.tok,
      ...args.slice(0, 4),
      '-s',
      '7',
      '-n',
      '30',
    ]);
    expect(other.code).toBe(0);
  });

  it('generate --topk 1 equals greedy decoding', async () => {
    const greedy = await runGenerate(['-m', files.gguf, '-t', '0', '-n', '16']);
    const topk = await runGenerate([
      '-m',
      files.gguf,
      '-t',
      '0.8',
      '-s',
      '3',
      '--topk',
      '1',
      '-n',
      '16',
    ]);
    expect(topk.stdout).toBe(greedy.stdout);
  });

  it('generate -m stories260K.bin finds the model and its tok512.bin pairing through EXPLORABLES_MODELS', async () => {
    const { copyFileSync } = await import('node:fs');
    copyFileSync(files.model, join(dir, 'stories260K.bin'));
    copyFileSync(files.tok, join(dir, 'tok512.bin'));
    const named = await runGenerate(['-m', 'stories260K.bin', '-t', '0', '-n', '12']);
    const direct = await runGenerate(['-m', files.model, '-z', files.tok, '-t', '0', '-n', '12']);
    expect(named.code).toBe(0);
    expect(named.stdout).toBe(direct.stdout);
  });

  it('generate of a llama2.c checkpoint without -z or a pairing says it needs -z', async () => {
    const r = await runGenerate(['-m', files.model, '-t', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^explorables: llama2\.c checkpoints need their tokenizer\.bin \(-z\)/,
    );
    expect(r.stderr.split('\n').length).toBe(2);
  });

  it('generate with a tokenizer of another vocabulary names both sizes', async () => {
    const { readFileSync } = await import('node:fs');
    const tok = readFileSync(files.tok);
    // Drop the last entry (' n': 4 + 2 bytes).
    const cut = join(dir, 'short-tok.bin');
    writeFileSync(cut, tok.subarray(0, tok.length - 10));
    const r = await runGenerate(['-m', files.model, '-z', cut, '-t', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the tokenizer has 299 tokens but the model's vocabulary is 300");
    // The message names the tokenizer file, not the model.
    expect(r.stderr).toMatch(/^explorables: '[^']*short-tok\.bin': /);
  });

  it('generate of a truncated model says truncated and names both sizes', async () => {
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(files.model);
    const cut = join(dir, 'cut.bin');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 64));
    const r = await runGenerate(['-m', cut, '-z', files.tok]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `truncated or malformed.*${bytes.length - 64} bytes at byte ${bytes.length - 64}: expected ${bytes.length}`,
      ),
    );
    const gguf = readFileSync(files.gguf);
    const cutGguf = join(dir, 'cut.gguf');
    writeFileSync(cutGguf, gguf.subarray(0, gguf.length - 8));
    const g = await runGenerate(['-m', cutGguf]);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('GGUF model is truncated or malformed');
  });

  it('generate rejects bad flag values, a missing model and stray arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['-m', files.gguf, '-t', '-1'], /-t must be ≥ 0/],
      [['-m', files.gguf, '-t', 'hot'], /-t must be a number/],
      [['-m', files.gguf, '-p', '2'], /-p must be in \[0, 1\]/],
      [['-m', files.gguf, '-n', '2.5'], /-n must be an integer/],
      [['-m', files.gguf, '-s', '-3'], /-s must be an integer/],
      [['-t', '0'], /needs a model/],
      [['-m', join(dir, 'absent.bin')], /cannot open model/],
      [['-m', files.gguf, 'once upon'], /unexpected argument 'once upon'/],
      [['-m', files.gguf, '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const r = await runGenerate(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
  });

  it('generate --help prints the usage', async () => {
    const r = await runGenerate(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${GENERATE_HELP.trimEnd()}\n`);
  });
});
