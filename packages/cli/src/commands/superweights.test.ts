import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createRng } from '@explorables/random';
import { writeLlama2cCheckpoint, writeLlama2cTokenizer } from '@explorables/weights';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../context.ts';
import { EXIT_USAGE, oneLine, UsageError } from '../errors.ts';
import { Output } from '../output.ts';
import { type RunResult, Sink } from '../testing.ts';
import { SUPERWEIGHTS_HELP, superweights } from './superweights.ts';

/** Runs the verb as main() would (the lead registers it there): exit code, stdout, stderr. */
async function runVerb(argv: readonly string[]): Promise<RunResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const out = new Output(stdout);
  const ctx: Context = { stdin: Readable.from([]), out, stderr, now: () => 0 };
  let code: number;
  try {
    code = await superweights(argv, ctx);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`explorables: ${oneLine(error.message)}\n`);
    code = EXIT_USAGE;
  }
  await out.end();
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const PIECES = ['<unk>', '\n<s>\n', '\n</s>\n', ' ', ...'abcdefghijklmnopqrstuvwxyz', '.', ','];
const CONFIG = {
  dim: 16,
  hiddenDim: 32,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: PIECES.length,
  seqLen: 64,
  sharedClassifier: true,
};

/** A random llama2.c model with a planted super weight at blk.1.ffn_down[5][9]: hidden channel 9
 * of layer 1 has its gate and up rows scaled 20× (a massive activation) and W_down[5][9] = 1.5. */
function plantedCheckpoint(): Uint8Array {
  const rng = createRng(3);
  const { dim, hiddenDim, nLayers, vocabSize } = CONFIG;
  const kv = (CONFIG.nKvHeads * dim) / CONFIG.nHeads;
  const mat = (rows: number, cols: number) =>
    Float32Array.from({ length: rows * cols }, () => (2 * rng.float() - 1) / Math.sqrt(cols));
  const norm = () => Float32Array.from({ length: dim }, () => 1 + 0.2 * (2 * rng.float() - 1));
  const layers = (make: () => Float32Array) => Array.from({ length: nLayers }, make);
  const tokenEmbedding = Float32Array.from({ length: vocabSize * dim }, () => 2 * rng.float() - 1);
  const w1 = layers(() => mat(hiddenDim, dim));
  const w2 = layers(() => mat(dim, hiddenDim));
  const w3 = layers(() => mat(hiddenDim, dim));
  for (let j = 0; j < dim; j++) {
    w1[1][9 * dim + j] *= 20;
    w3[1][9 * dim + j] *= 20;
  }
  w2[1][5 * hiddenDim + 9] = 1.5;
  return writeLlama2cCheckpoint({
    config: CONFIG,
    tensors: {
      tokenEmbedding,
      rmsAtt: layers(norm),
      wq: layers(() => mat(dim, dim)),
      wk: layers(() => mat(kv, dim)),
      wv: layers(() => mat(kv, dim)),
      wo: layers(() => mat(dim, dim)),
      rmsFfn: layers(norm),
      w1,
      w2,
      w3,
      rmsFinal: norm(),
      wcls: tokenEmbedding,
    },
  });
}

let dir: string;
let modelPath: string;
let tokPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-superweights-'));
  modelPath = join(dir, 'planted.bin');
  tokPath = join(dir, 'tok.bin');
  await writeFile(modelPath, plantedCheckpoint());
  await writeFile(
    tokPath,
    writeLlama2cTokenizer({ pieces: PIECES, scores: new Float32Array(PIECES.length) }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PROMPTS = ['--prompt', 'a cat sat on a mat.', '--prompt=the dog ran, the cat hid.'];

describe('superweights', () => {
  it('superweights --help prints the usage text', async () => {
    const r = await runVerb(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd()).toBe(SUPERWEIGHTS_HELP.trimEnd());
  });

  it('superweights -m -z --prompt … finds the planted weight and its cost', async () => {
    const r = await runVerb(['-m', modelPath, '-z', tokPath, ...PROMPTS, '--top', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/dim 16, 2 layers, hidden 32\), 2 prompts, \d+ tokens$/);
    expect(lines[2]).toMatch(/^rank +layer +row +col +weight +spike at +spike +ratio +out +score$/);
    expect(lines[3]).toMatch(
      /^1 +1 +5 +9 +1\.5000 +\d:\d+ +-?\d+\.\d{3} +\d+\.\d +5\* +\d+\.\d{3}$/,
    );
    expect(lines.filter((l) => /^\d +\d/.test(l))).toHaveLength(3);
    expect(r.stdout).toContain('zeroing blk.1.ffn_down.weight[5][9] (1.5000):');
    expect(r.stdout).toMatch(
      /perplexity on the prompts +\d+\.\d{4} -> \d+\.\d{4} \([+-]\d+\.\d{2}%/,
    );
  });

  it('superweights --json prints one object with the candidates and perplexities', async () => {
    const r = await runVerb(['-m', modelPath, '-z', tokPath, ...PROMPTS, '--json', '--top', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.stdout);
    expect(j.candidates).toHaveLength(2);
    expect(j.candidates[0]).toMatchObject({ layer: 1, row: 5, col: 9, weight: 1.5 });
    expect(j.zeroTop.tensor).toBe('blk.1.ffn_down.weight');
    expect(j.zeroTop.pplAfter).not.toBe(j.zeroTop.pplBefore);
    expect(j.prompts).toEqual(['a cat sat on a mat.', 'the dog ran, the cat hid.']);
  });

  it('superweights without --prompt runs the default prompts (this toy vocab cannot)', async () => {
    // The toy tokenizer has no capital letters and no byte tokens: the default stories fail to
    // encode, with a usage error naming the prompt. (The stories260K node test runs them.)
    const r = await runVerb(['-m', modelPath, '-z', tokPath, '--json', '--top', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/prompt 1 cannot be encoded by the model's tokenizer: .*byte 0x4f/);
  });

  it('superweights reports usage mistakes with exit 2', async () => {
    const gguf = join(dir, 'x.gguf');
    await writeFile(gguf, new TextEncoder().encode('GGUF\u0003\u0000\u0000\u0000'));
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, new Uint8Array([1, 2, 3]));
    const cases: Array<[string[], RegExp]> = [
      [[], /needs a model: -m MODEL/],
      [['-m', modelPath], /llama2\.c checkpoints need their tokenizer\.bin \(-z\)/],
      [
        ['-m', join(dir, 'missing.bin'), '-z', tokPath],
        /cannot open model .*missing\.bin.*not found/,
      ],
      [['-m', gguf, '-z', tokPath], /x\.gguf.*GGUF model is truncated or malformed/],
      [['-m', junk, '-z', tokPath], /junk\.bin.*llama2\.c checkpoint is truncated or malformed/],
      [['-m', modelPath, '-z', junk], /llama2\.c tokenizer: the file is 3 bytes/],
      [['-m', modelPath, '-z', tokPath, '--top', '0'], /--top must be a positive integer/],
      [['-m', modelPath, '-z', tokPath, 'stray'], /no positional arguments, got 'stray'/],
      [['-m', modelPath, '-z', tokPath, '--prompt'], /--prompt needs a value/],
      [['-m', modelPath, '-z', tokPath, '--prompt='], /--prompt 1 is empty/],
      [['-m', modelPath, '-z', tokPath, '--prompt', 'a '.repeat(70)], /142 tokens; .* at most 64/],
      [['--nope'], /unknown option '--nope'/],
    ];
    for (const [argv, message] of cases) {
      const r = await runVerb(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});
