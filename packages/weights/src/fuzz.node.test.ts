import { createRng, type Rng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import { bytesSource } from './byte-source.ts';
import { tensorToFloat32 } from './decode.ts';
import { WeightsFormatError } from './errors.ts';
import { readGguf } from './gguf-read.ts';
import { writeGguf } from './gguf-write.ts';
import { readLlama2cCheckpoint, writeLlama2cCheckpoint } from './llama2c/checkpoint.ts';
import { readLlama2cTokenizer, writeLlama2cTokenizer } from './llama2c/tokenizer-file.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';
import { sampleGgufInput, sampleLlama2cModel, sampleSafetensorsInput } from './test-fixtures.ts';

/**
 * Total fuzz cases: 10,000 in CI, 1,000 locally; 60% GGUF, 20% safetensors, 10% llama2.c
 * checkpoints, 10% llama2.c tokenizers. A hang fails through the test timeout.
 */
const TOTAL_CASES = process.env.CI ? 10_000 : 1_000;
const GGUF_CASES = Math.round(TOTAL_CASES * 0.6);
const SAFETENSORS_CASES = Math.round(TOTAL_CASES * 0.2);
const LLAMA2C_CASES = Math.round(TOTAL_CASES * 0.1);
const TOKENIZER_CASES = TOTAL_CASES - GGUF_CASES - SAFETENSORS_CASES - LLAMA2C_CASES;

const HUGE_U64 = [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n, 2n ** 53n - 1n, 2n ** 32n, 2n ** 31n, 0n];
const ODD_U32 = [0xffffffff, 0x80000000, 0, 1, 4, 5, 9, 12, 13, 31, 39, 40];

function mutate(rng: Rng, input: Uint8Array, text: boolean): Uint8Array {
  let bytes = input.slice();
  const steps = rng.int(1, 3);
  for (let s = 0; s < steps; s++) {
    const len = bytes.length;
    const at = len > 0 ? rng.int(0, len - 1) : 0;
    switch (rng.int(0, text ? 7 : 6)) {
      case 0: {
        const flips = rng.int(1, 8);
        for (let i = 0; i < flips && len > 0; i++) bytes[rng.int(0, len - 1)] ^= rng.int(1, 255);
        break;
      }
      case 1:
        bytes = bytes.slice(0, rng.int(0, len));
        break;
      case 2: {
        const extra = new Uint8Array(rng.int(1, 16)).map(() => rng.int(0, 255));
        const out = new Uint8Array(len + extra.length);
        out.set(bytes.subarray(0, at));
        out.set(extra, at);
        out.set(bytes.subarray(at), at + extra.length);
        bytes = out;
        break;
      }
      case 3: {
        const end = Math.min(len, at + rng.int(1, 32));
        const out = new Uint8Array(len - (end - at));
        out.set(bytes.subarray(0, at));
        out.set(bytes.subarray(end), at);
        bytes = out;
        break;
      }
      case 4:
        if (len >= 8) {
          const p = rng.bernoulli(0.5) ? rng.int(0, (len >> 3) - 1) * 8 : rng.int(0, len - 8);
          const v = rng.bernoulli(0.8) ? rng.pick(HUGE_U64) : BigInt(rng.int(0, len * 2));
          new DataView(bytes.buffer).setBigUint64(p, v, true);
        }
        break;
      case 5:
        if (len >= 4)
          new DataView(bytes.buffer).setUint32(rng.int(0, len - 4), rng.pick(ODD_U32), true);
        break;
      case 6: {
        const garbage = new Uint8Array(rng.int(0, 600)).map(() => rng.int(0, 255));
        if (rng.bernoulli(0.5))
          garbage.set(bytes.subarray(0, Math.min(garbage.length, rng.int(0, 24))));
        bytes = garbage;
        break;
      }
      default: {
        // Text-aware: replace a digit or punctuation byte of the JSON header with another.
        const pool = '0123456789[]{}",:-.e ';
        const p = rng.int(0, Math.min(len, 400) - 1);
        bytes[p] = pool.charCodeAt(rng.int(0, pool.length - 1));
      }
    }
  }
  return bytes;
}

async function exerciseGguf(bytes: Uint8Array, chunk: number): Promise<'valid' | 'error'> {
  try {
    const file = await readGguf(bytesSource(bytes), { initialChunkBytes: chunk });
    const tensors = [];
    for (const t of file.tensors) {
      const data = await file.readTensorData(t);
      expect(data.length).toBe(t.sizeBytes);
      if (t.type === 0 || t.type === 1 || t.type === 30) tensorToFloat32(t, data);
      tensors.push({ name: t.name, type: t.type, dims: t.dims, data });
    }
    // A valid parse must survive a rewrite: same metadata and tensors when read again.
    const rewritten = writeGguf({
      version: file.version as 2 | 3,
      metadata: file.metadata,
      tensors,
    });
    const again = await readGguf(bytesSource(rewritten));
    expect(again.metadata).toEqual(file.metadata);
    expect(again.tensors.map((t) => [t.name, t.type, t.dims])).toEqual(
      file.tensors.map((t) => [t.name, t.type, t.dims]),
    );
    return 'valid';
  } catch (error) {
    if (error instanceof WeightsFormatError) return 'error';
    throw error;
  }
}

async function exerciseSafetensors(bytes: Uint8Array): Promise<'valid' | 'error'> {
  try {
    const file = await readSafetensors(bytesSource(bytes));
    for (const t of file.tensors) {
      const data = await file.readTensorData(t);
      expect(data.length).toBe(t.sizeBytes);
      if (t.dtype === 'F32' || t.dtype === 'F16' || t.dtype === 'BF16') tensorToFloat32(t, data);
    }
    return 'valid';
  } catch (error) {
    if (error instanceof WeightsFormatError) return 'error';
    throw error;
  }
}

/** The fixture llama2.c model with seeded normal values. */
function sampleLlama2c(rng: Rng, shared: boolean) {
  return sampleLlama2cModel(shared, (n) =>
    Float32Array.from({ length: n }, () => rng.normal(0, 0.5)),
  );
}

function exerciseLlama2c(bytes: Uint8Array): 'valid' | 'error' {
  try {
    const ckpt = readLlama2cCheckpoint(bytes);
    const c = ckpt.config;
    const headSize = c.dim / c.nHeads;
    // A valid parse hands out tensors of the header's shapes, inside the file.
    expect(ckpt.tensors.tokenEmbedding.length).toBe(c.vocabSize * c.dim);
    expect(ckpt.tensors.wk.length).toBe(c.nLayers);
    for (const wk of ckpt.tensors.wk) expect(wk.length).toBe(c.nKvHeads * headSize * c.dim);
    for (const t of ckpt.layout)
      expect(t.offsetBytes + t.sizeBytes).toBeLessThanOrEqual(bytes.length);
    return 'valid';
  } catch (error) {
    if (error instanceof WeightsFormatError) return 'error';
    throw error;
  }
}

function exerciseTokenizer(bytes: Uint8Array, vocabSize: number): 'valid' | 'error' {
  try {
    const tok = readLlama2cTokenizer(bytes, vocabSize);
    expect(tok.pieces.length).toBe(vocabSize);
    expect(tok.scores.length).toBe(vocabSize);
    return 'valid';
  } catch (error) {
    if (error instanceof WeightsFormatError) return 'error';
    throw error;
  }
}

describe('fuzzing the readers with mutated files', () => {
  it(`readGguf gives a WeightsFormatError or a valid parse for ${GGUF_CASES} mutated files`, async () => {
    const rng = createRng('weights-fuzz-gguf');
    const valid = writeGguf(sampleGgufInput());
    const counts = { valid: 0, error: 0 };
    for (let i = 0; i < GGUF_CASES; i++) {
      const bytes = mutate(rng, valid, false);
      counts[await exerciseGguf(bytes, rng.pick([16, 100, 65536]))]++;
    }
    expect(counts.error).toBeGreaterThan(GGUF_CASES / 2);
    expect(counts.valid).toBeGreaterThan(0);
  });

  it(`readSafetensors gives a WeightsFormatError or a valid parse for ${SAFETENSORS_CASES} mutated files`, async () => {
    const rng = createRng('weights-fuzz-safetensors');
    const valid = writeSafetensors(sampleSafetensorsInput());
    const counts = { valid: 0, error: 0 };
    for (let i = 0; i < SAFETENSORS_CASES; i++) {
      const bytes = mutate(rng, valid, true);
      counts[await exerciseSafetensors(bytes)]++;
    }
    expect(counts.error).toBeGreaterThan(SAFETENSORS_CASES / 2);
    expect(counts.valid).toBeGreaterThan(0);
  });

  it(`readLlama2cCheckpoint gives a WeightsFormatError or a valid parse for ${LLAMA2C_CASES} mutated files`, () => {
    const rng = createRng('weights-fuzz-llama2c');
    const valid = [
      writeLlama2cCheckpoint(sampleLlama2c(rng, true), { version: 0, legacyRope: true }),
      writeLlama2cCheckpoint(sampleLlama2c(rng, false), { version: 0, legacyRope: false }),
      writeLlama2cCheckpoint(sampleLlama2c(rng, false), { version: 1 }),
      writeLlama2cCheckpoint(sampleLlama2c(rng, true), { version: 2, groupSize: 8 }),
    ];
    const counts = { valid: 0, error: 0 };
    for (let i = 0; i < LLAMA2C_CASES; i++) {
      counts[exerciseLlama2c(mutate(rng, rng.pick(valid), false))]++;
    }
    expect(counts.error).toBeGreaterThan(LLAMA2C_CASES / 2);
    expect(counts.valid).toBeGreaterThan(0);
  });

  it(`readLlama2cTokenizer gives a WeightsFormatError or a valid parse for ${TOKENIZER_CASES} mutated files`, () => {
    const rng = createRng('weights-fuzz-tokenizer');
    const valid = writeLlama2cTokenizer({
      pieces: ['<unk>', '\n<s>\n', '\n</s>\n', ' the', 'é', ''],
      scores: [0, 0, 0, -1, -2.5, -3],
    });
    const counts = { valid: 0, error: 0 };
    for (let i = 0; i < TOKENIZER_CASES; i++) {
      counts[exerciseTokenizer(mutate(rng, valid, false), rng.pick([5, 6, 6, 6, 7]))]++;
    }
    expect(counts.error).toBeGreaterThan(TOKENIZER_CASES / 4);
    expect(counts.valid).toBeGreaterThan(0);
  });
});
