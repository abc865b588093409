import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPerplexityReport, kldBaseLayout, loadModel, runPerplexity } from '@explorables/llm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunResult, run } from '../testing.ts';
import { tinyModelFiles } from './llm-fixtures.ts';
import { PERPLEXITY_HELP } from './perplexity.ts';

/** Runs the verb through main(), as the command line does. */
async function runPerplexityVerb(argv: readonly string[], tty = false): Promise<RunResult> {
  let t = 0;
  return run(['perplexity', ...argv], { ttyStderr: tty, now: () => (t += 1000) });
}

let dir: string;
let files: ReturnType<typeof tinyModelFiles>;
let textPath: string;
let shortPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'explorables-perplexity-'));
  files = tinyModelFiles(dir);
  const words = ['a', 'b c', 'ab', 'c a b', 'd', 'e f'];
  let text = '';
  for (let i = 0; text.length < 1500; i++) text += `${words[(i * 7) % words.length]} `;
  textPath = join(dir, 'text.txt');
  writeFileSync(textPath, text);
  shortPath = join(dir, 'short.txt');
  writeFileSync(shortPath, 'a b c');
  vi.stubEnv('EXPLORABLES_MODELS', dir);
  vi.stubEnv('EXPLORABLES_OFFLINE', '1');
  vi.stubEnv('XDG_CACHE_HOME', join(dir, 'cache'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const model = () => ['-m', files.model, '-z', files.tok];

describe('perplexity', () => {
  it('perplexity -c 16 prints llama.cpp’s report of the engine’s runPerplexity', async () => {
    const loaded = await loadModel(readFileSync(files.model), {
      tokenizer: readFileSync(files.tok),
    });
    const tokens = loaded.tokenizer.encode(readFileSync(textPath, 'utf8'), { bos: true });
    const expected = await runPerplexity({ model: loaded.model, tokens, nCtx: 16 });
    const r = await runPerplexityVerb([...model(), '-f', textPath, '-c', '16']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(formatPerplexityReport(expected));
    expect(r.stdout).toMatch(/^\[1\]\d+\.\d{4},\[2\]/);
    expect(r.stdout).toMatch(/\nFinal estimate: PPL = \d+\.\d{4} \+\/- \d+\.\d{5}\n$/);
  });

  it('perplexity -t 2 (worker threads) prints exactly what -t 1 (in process) prints', async () => {
    const one = await runPerplexityVerb([...model(), '-f', textPath, '-c', '16', '-t', '1']);
    const two = await runPerplexityVerb([...model(), '-f', textPath, '-c', '16', '-t', '2']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });

  it('perplexity --chunks 2 --json prints the JSON of two chunks; the GGUF gives the same numbers', async () => {
    const r = await runPerplexityVerb([
      ...model(),
      '-f',
      textPath,
      '-c',
      '16',
      '--chunks',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.chunks).toBe(2);
    expect(json.runningPpl).toHaveLength(2);
    expect(json.mode).toBe('plain');
    const g = await runPerplexityVerb([
      '-m',
      files.gguf,
      '-f',
      textPath,
      '-c',
      '16',
      '--chunks',
      '2',
      '--json',
    ]);
    expect(JSON.parse(g.stdout).ppl).toBe(json.ppl);
  });

  it('perplexity --kl-divergence-base writes the base; --kl-divergence scores against it', async () => {
    const base = join(dir, 'base.kld');
    const w = await runPerplexityVerb([
      ...model(),
      '-f',
      textPath,
      '-c',
      '16',
      '--kl-divergence-base',
      base,
    ]);
    expect(w.code).toBe(0);
    const plain = await runPerplexityVerb([...model(), '-f', textPath, '-c', '16', '--json']);
    const nChunk = JSON.parse(plain.stdout).chunks;
    expect(statSync(base).size).toBe(kldBaseLayout(16, 300, nChunk).totalBytes);
    expect(nChunk * 7).toBeGreaterThanOrEqual(100);
    const self = await runPerplexityVerb([
      ...model(),
      '--kl-divergence-base',
      base,
      '--kl-divergence',
    ]);
    expect(self.code).toBe(0);
    expect(self.stdout).toMatch(/^\nchunk {13}PPL/);
    const selfKld = Number(/Mean {4}KLD: +(\S+)/.exec(self.stdout)?.[1]);
    expect(selfKld).toBeLessThan(1e-4);
    const q = await runPerplexityVerb([
      ...model(),
      '--kl-divergence-base',
      base,
      '--kl-divergence',
      '--quant',
      'q4_0',
    ]);
    expect(q.code).toBe(0);
    const qKld = Number(/Mean {4}KLD: +(\S+)/.exec(q.stdout)?.[1]);
    // Rows of 16 fit no 32-block type (f16 fallback); only ffn_down (rows of 32) gets q4_0.
    expect(qKld).toBeGreaterThan(1e-4);
    expect(qKld).toBeGreaterThan(10 * selfKld);
    const json = await runPerplexityVerb([
      ...model(),
      '--kl-divergence-base',
      base,
      '--kl-divergence',
      '--json',
      '--chunks',
      '3',
    ]);
    expect(JSON.parse(json.stdout).chunks).toBe(3);
  });

  it('perplexity draws progress on a TTY stderr and erases it', async () => {
    const r = await runPerplexityVerb(
      [...model(), '-f', textPath, '-c', '16', '--chunks', '3'],
      true,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[1/3] PPL ');
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('perplexity refuses a text shorter than two contexts, naming both numbers', async () => {
    const r = await runPerplexityVerb([...model(), '-f', shortPath, '-c', '16']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^explorables: need at least 2·n_ctx = 32 tokens, the text has \d+\n$/,
    );
  });

  it('perplexity refuses n_ctx beyond the model’s context length', async () => {
    const r = await runPerplexityVerb([...model(), '-f', textPath, '-c', '128']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("n_ctx 128 is beyond the model's context length 64");
  });

  it('perplexity refuses a base made with another vocabulary', async () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    const small = tinyModelFiles(other, 280);
    const base = join(dir, 'base-280.kld');
    const w = await runPerplexityVerb([
      '-m',
      small.model,
      '-z',
      small.tok,
      '-f',
      textPath,
      '-c',
      '16',
      '--kl-divergence-base',
      base,
    ]);
    expect(w.code).toBe(0);
    const r = await runPerplexityVerb([
      ...model(),
      '--kl-divergence-base',
      base,
      '--kl-divergence',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("has n_vocab 280 but the model's vocabulary is 300");
  });

  it('perplexity rejects missing and contradictory options with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['-f', textPath], /needs a model/],
      [[...model()], /needs the text to score: -f TEXT/],
      [[...model(), '--kl-divergence'], /--kl-divergence needs --kl-divergence-base/],
      [[...model(), '-f', textPath, '--quant', 'Q9_9'], /--quant: unknown quantization type/],
      [[...model(), '-f', textPath, '-c', '2'], /-c must be at least 3/],
      [[...model(), '-f', textPath, '-c', 'x'], /-c must be a positive integer/],
      [[...model(), '-f', join(dir, 'absent.txt'), '-c', '16'], /cannot read .*absent\.txt/],
      [
        [...model(), '--kl-divergence-base', textPath, '--kl-divergence'],
        /is not a llama-perplexity --kl-divergence-base file/,
      ],
      [[...model(), '-f', textPath, 'extra'], /unexpected argument 'extra'/],
    ];
    for (const [argv, message] of cases) {
      const r = await runPerplexityVerb(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stderr.split('\n').length, argv.join(' ')).toBe(2);
    }
  });

  it('perplexity --help prints the usage', async () => {
    const r = await runPerplexityVerb(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${PERPLEXITY_HELP.trimEnd()}\n`);
  });
});
