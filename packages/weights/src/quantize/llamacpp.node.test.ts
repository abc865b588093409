// Proof that llama.cpp itself loads the GGUF files we write: node-llama-cpp (pinned 3.21.1, a
// prebuilt CPU build of llama.cpp) loads each file type, tokenizes like run.c and generates.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@explorables/random';
import { describeShared, readShared } from '@explorables/testkit';
import { getLlama, type Llama, LlamaLogLevel } from 'node-llama-cpp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeGguf, writeGgufChunks } from '../gguf-write.ts';
import { readLlama2cCheckpoint, writeLlama2cCheckpoint } from '../llama2c/checkpoint.ts';
import { readLlama2cTokenizer } from '../llama2c/tokenizer-file.ts';
import { llama2cToGguf } from './llama2c-to-gguf.ts';
import { quantizeModel, sourceFromGgufInput } from './model.ts';
import type { FileTypeName } from './plan.ts';

// run.c's greedy continuation of "Once upon a time" (llama2c-golden.md, run 1), first 30 tokens.
const GOLDEN = [
  432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419,
  292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432,
];

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function greedy(llama: Llama, path: string, prompt: string, n: number) {
  const model = await llama.loadModel({ modelPath: path });
  try {
    const tokens = [...model.tokenize(prompt)].map(Number);
    const context = await model.createContext({ contextSize: 128 });
    const out: number[] = [];
    const sequence = context.getSequence();
    for await (const t of sequence.evaluate([model.tokens.bos ?? 1, ...tokens] as never, {
      temperature: 0,
    })) {
      out.push(Number(t));
      if (out.length >= n) break;
    }
    await context.dispose();
    return { tokens, out };
  } finally {
    await model.dispose();
  }
}

describeShared(
  'llama.cpp (node-llama-cpp 3.21.1) loads the GGUF files we write',
  [
    ['models', 'stories260K.bin'],
    ['models', 'tok512.bin'],
  ],
  () => {
    let llama: Llama;
    let dir: string;
    const tokenizer = readLlama2cTokenizer(readShared('models', 'tok512.bin'), 512);
    const stories = llama2cToGguf(
      readLlama2cCheckpoint(readShared('models', 'stories260K.bin')),
      tokenizer,
    );

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'explorables-llamacpp-'));
      llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    }, 120_000);
    afterAll(async () => {
      await llama?.dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    it('llama.cpp tokenizes our F32 stories260K like run.c and continues it greedily as run.c does', async () => {
      const path = join(dir, 'f32.gguf');
      writeFileSync(path, writeGguf(stories));
      const { tokens, out } = await greedy(llama, path, 'Once upon a time', GOLDEN.length);
      expect(tokens).toEqual([403, 407, 261, 378]);
      expect(out).toEqual(GOLDEN);
    });

    // One file per quantizer family; the other 32-element types are byte-identical to llama-quantize's
    // own output (model.node.test.ts), so llama.cpp reading them is already shown.
    const types: FileTypeName[] = ['F16', 'BF16', 'Q8_0', 'Q4_1', 'Q5_0', 'IQ4_NL', 'MXFP4'];
    it.each(types)(
      'llama.cpp loads our %s stories260K and generates in-vocabulary tokens',
      async (fileType) => {
        const path = join(dir, `${fileType}.gguf`);
        const q = await quantizeModel(sourceFromGgufInput(stories), { fileType });
        writeFileSync(path, await bytesOf(writeGgufChunks(q.output)));
        const { tokens, out } = await greedy(llama, path, 'Once upon a time', 12);
        expect(tokens).toEqual([403, 407, 261, 378]);
        expect(out).toHaveLength(12);
        for (const t of out) expect(t >= 0 && t < 512).toBe(true);
      },
    );

    // stories260K's rows (64, 172) fit no 256-block, so K-quant blocks need a wider model: a
    // seeded random llama2.c model with dim 256 and hidden 512, quantized with --pure.
    it.each(['Q2_K', 'Q3_K_M', 'Q4_K_M', 'Q5_K_M', 'Q6_K'] as FileTypeName[])(
      'llama.cpp loads real %s blocks (a 256-wide random model, pure)',
      async (fileType) => {
        const rng = createRng(`kquant-${fileType}`);
        const dim = 256;
        const hidden = 512;
        const layers = 2;
        const vocab = 512;
        const m = (rows: number, cols: number) =>
          Float32Array.from({ length: rows * cols }, () => rng.normal() * 0.05);
        const ones = () => new Float32Array(dim).fill(1);
        const per = (f: () => Float32Array) => Array.from({ length: layers }, f);
        const embedding = m(vocab, dim);
        const bytes = writeLlama2cCheckpoint({
          config: {
            dim,
            hiddenDim: hidden,
            nLayers: layers,
            nHeads: 8,
            nKvHeads: 8,
            vocabSize: vocab,
            seqLen: 128,
            sharedClassifier: true,
          },
          tensors: {
            tokenEmbedding: embedding,
            rmsAtt: per(ones),
            wq: per(() => m(dim, dim)),
            wk: per(() => m(dim, dim)),
            wv: per(() => m(dim, dim)),
            wo: per(() => m(dim, dim)),
            rmsFfn: per(ones),
            w1: per(() => m(hidden, dim)),
            w2: per(() => m(dim, hidden)),
            w3: per(() => m(hidden, dim)),
            rmsFinal: ones(),
            wcls: embedding,
          },
        });
        const input = llama2cToGguf(readLlama2cCheckpoint(bytes), tokenizer);
        const q = await quantizeModel(sourceFromGgufInput(input), { fileType, pure: true });
        expect(q.plan.tensors.filter((t) => t.quantized).every((t) => t.type.endsWith('_K'))).toBe(
          true,
        );
        const path = join(dir, `random-${fileType}.gguf`);
        writeFileSync(path, await bytesOf(writeGgufChunks(q.output)));
        const { out } = await greedy(llama, path, 'Once upon a time', 8);
        expect(out).toHaveLength(8);
      },
    );
  },
);
