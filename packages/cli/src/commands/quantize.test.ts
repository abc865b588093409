import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@explorables/random';
import {
  bytesSource,
  readGguf,
  writeImatrixDat,
  writeLlama2cCheckpoint,
  writeLlama2cTokenizer,
  writeSafetensors,
} from '@explorables/weights';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../testing.ts';
import { parseOutliers } from './quantize.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-quantize-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A tiny seeded llama2.c model (dim 64, vocab 260: 3 specials + 256 bytes + one piece) and its tokenizer.
async function writeTinyModel(): Promise<{ model: string; tokenizer: string }> {
  const rng = createRng('quantize-cli');
  const dim = 64;
  const hidden = 96;
  const vocab = 260;
  const m = (rows: number, cols: number) =>
    Float32Array.from({ length: rows * cols }, () => rng.normal() * 0.1);
  const ones = () => new Float32Array(dim).fill(1);
  const embedding = m(vocab, dim);
  const model = writeLlama2cCheckpoint({
    config: {
      dim,
      hiddenDim: hidden,
      nLayers: 1,
      nHeads: 4,
      nKvHeads: 2,
      vocabSize: vocab,
      seqLen: 64,
      sharedClassifier: true,
    },
    tensors: {
      tokenEmbedding: embedding,
      rmsAtt: [ones()],
      wq: [m(dim, dim)],
      wk: [m(dim / 2, dim)],
      wv: [m(dim / 2, dim)],
      wo: [m(dim, dim)],
      rmsFfn: [ones()],
      w1: [m(hidden, dim)],
      w2: [m(dim, hidden)],
      w3: [m(hidden, dim)],
      rmsFinal: ones(),
      wcls: embedding,
    },
  });
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n'];
  for (let b = 0; b < 256; b++) pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  pieces.push(' the');
  const tokenizer = writeLlama2cTokenizer({
    maxTokenLength: 6,
    pieces,
    scores: Float32Array.from(pieces, (_, i) => (i === 259 ? -1 : 0)),
  });
  const paths = { model: join(dir, 'tiny.bin'), tokenizer: join(dir, 'tiny-tok.bin') };
  await writeFile(paths.model, model);
  await writeFile(paths.tokenizer, tokenizer);
  return paths;
}

describe('explorables quantize', () => {
  it('quantize writes a GGUF with llama-quantize types and prints a per-tensor table', async () => {
    const { model, tokenizer } = await writeTinyModel();
    const out = join(dir, 'q.gguf');
    const result = await run(['quantize', model, out, '--type', 'q4_0', '-z', tokenizer]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/blk\.0\.attn_q\.weight\s+f32 → q4_0/);
    expect(result.stdout).toMatch(/bits per weight/);
    const file = await readGguf(bytesSource(await readFile(out)));
    expect(file.tensor('blk.0.attn_q.weight')?.typeName).toBe('q4_0');
    expect(file.tensor('output.weight')?.typeName).toBe('q8_0');
    expect(file.tensor('blk.0.attn_norm.weight')?.typeName).toBe('f32');
    expect(file.get('general.file_type')).toEqual({ type: 'uint32', value: 2 });
  });

  it('quantize --json reports every tensor with its RMSE, and --outliers adds side tables', async () => {
    const { model, tokenizer } = await writeTinyModel();
    const out = join(dir, 'q.gguf');
    const result = await run([
      'quantize',
      model,
      out,
      '--type',
      'Q4_K_M',
      '-z',
      tokenizer,
      '--outliers',
      '0.5%',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.fileType).toBe('Q4_K_M');
    const q = report.tensors.find((t: { name: string }) => t.name === 'blk.0.attn_q.weight');
    expect(q.toType).toBe('q5_0');
    expect(q.note).toMatch(/fallback/);
    expect(q.outliers).toBeGreaterThan(0);
    expect(q.rmse).toBeLessThan(q.rmseWithoutOutliers);
    const file = await readGguf(bytesSource(await readFile(out)));
    expect(file.get('explorables.outliers.blk.0.attn_q.weight.index')).toBeDefined();
  });

  it('quantize --imatrix uses the entries it has and rejects one that matches no tensor', async () => {
    const { model, tokenizer } = await writeTinyModel();
    const good = join(dir, 'good.dat');
    await writeFile(
      good,
      writeImatrixDat(new Map([['blk.0.attn_q.weight', new Float32Array(64).fill(2)]])),
    );
    const ok = await run([
      'quantize',
      model,
      join(dir, 'a.gguf'),
      '--type',
      'q4_0',
      '-z',
      tokenizer,
      '--imatrix',
      good,
    ]);
    expect(ok.code).toBe(0);
    const bad = join(dir, 'bad.dat');
    await writeFile(bad, writeImatrixDat(new Map([['nope.weight', new Float32Array(64).fill(2)]])));
    const result = await run([
      'quantize',
      model,
      join(dir, 'b.gguf'),
      '--type',
      'q4_0',
      '-z',
      tokenizer,
      '--imatrix',
      bad,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no entry for any tensor/);
  });

  it('quantize rejects bad usage with one line and exit 2, leaving no partial output', async () => {
    const { model, tokenizer } = await writeTinyModel();
    const out = join(dir, 'q.gguf');
    const cases: [string[], RegExp][] = [
      [['quantize', model, out], /needs --type/],
      [
        ['quantize', model, out, '--type', 'q7_0', '-z', tokenizer],
        /unknown quantization type 'q7_0'/,
      ],
      [['quantize', model, '--type', 'q4_0'], /takes <in> <out.gguf>/],
      [
        ['quantize', model, out, '--type', 'q4_0', '-z', tokenizer, '--outliers', '150%'],
        /--outliers 150%/,
      ],
      [['quantize', model, out, '--type', 'q4_0', '-z', join(dir, 'missing.bin')], /cannot read/],
      [
        ['quantize', model, out, '--type', 'q4_0', '--fallback', 'x', '-z', tokenizer],
        /--fallback x/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    await expect(readFile(out)).rejects.toThrow();
  });

  it('quantize explains that safetensors needs converting first', async () => {
    const path = join(dir, 'm.safetensors');
    await writeFile(
      path,
      writeSafetensors({
        tensors: [{ name: 'w', dtype: 'F32', shape: [2], data: new Uint8Array(8) }],
      }),
    );
    const result = await run(['quantize', path, join(dir, 'o.gguf'), '--type', 'q4_0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/safetensors/);
  });

  it('parseOutliers reads percentages, fractions and thresholds', () => {
    expect(parseOutliers('0.01%')).toEqual({ fraction: 0.0001 });
    expect(parseOutliers('0.001')).toEqual({ fraction: 0.001 });
    expect(parseOutliers('abs:6')).toEqual({ threshold: 6 });
    expect(() => parseOutliers('abs:-1')).toThrow(/abs:T/);
  });
});
