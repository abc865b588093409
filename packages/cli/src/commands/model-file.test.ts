import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dequantizeRows, ggmlType, quantizeRows } from '@explorables/quant';
import {
  type Llama2cConfig,
  type Llama2cTensors,
  readLlama2cCheckpoint,
  writeGguf,
  writeLlama2cCheckpoint,
  writeSafetensors,
} from '@explorables/weights';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { closeNames, editDistance, openModelFile } from './model-file.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-model-file-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function wave(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + seed) * 0.5);
}

function bytesOf(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

const CONFIG: Llama2cConfig = {
  dim: 8,
  hiddenDim: 12,
  nLayers: 2,
  nHeads: 2,
  nKvHeads: 1,
  vocabSize: 16,
  seqLen: 4,
  sharedClassifier: true,
};

function llama2cTensors(c: Llama2cConfig): Llama2cTensors {
  const kv = (c.dim / c.nHeads) * c.nKvHeads;
  const layers = (n: number, seed: number) =>
    Array.from({ length: c.nLayers }, (_, l) => wave(n, seed + 10 * l));
  const emb = wave(c.vocabSize * c.dim, 1);
  return {
    tokenEmbedding: emb,
    rmsAtt: layers(c.dim, 2),
    wq: layers(c.dim * c.dim, 3),
    wk: layers(kv * c.dim, 4),
    wv: layers(kv * c.dim, 5),
    wo: layers(c.dim * c.dim, 6),
    rmsFfn: layers(c.dim, 7),
    w1: layers(c.hiddenDim * c.dim, 8),
    w2: layers(c.dim * c.hiddenDim, 9),
    w3: layers(c.hiddenDim * c.dim, 10),
    rmsFinal: wave(c.dim, 11),
    wcls: c.sharedClassifier ? emb : wave(c.vocabSize * c.dim, 12),
  };
}

async function put(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('openModelFile', () => {
  it('openModelFile(gguf) lists tensors with ggml type names and decodes f32, f16 and quantized data', async () => {
    const values = wave(2 * 256, 3);
    const q4k = quantizeRows(ggmlType('q4_K'), values, 256);
    const f16 = quantizeRows(ggmlType('f16'), values.subarray(0, 64), 64);
    const path = await put(
      'm.gguf',
      writeGguf({
        metadata: [{ key: 'general.architecture', value: { type: 'string', value: 'llama' } }],
        tensors: [
          { name: 'a.f32', type: 0, dims: [4, 2], data: bytesOf(values.slice(0, 8)) },
          { name: 'b.f16', type: 1, dims: [64], data: f16 },
          { name: 'c.q4k', type: 12, dims: [256, 2], data: q4k },
          { name: 'd.iq2', type: 16, dims: [256], data: new Uint8Array(66) },
        ],
      }),
    );
    const model = await openModelFile(path);
    try {
      expect(model.kind).toBe('gguf');
      expect(model.format).toBe('GGUF v3');
      expect(model.tensors.map((t) => [t.name, t.type, t.shape, t.sizeBytes])).toEqual([
        ['a.f32', 'f32', [4, 2], 32],
        ['b.f16', 'f16', [64], 128],
        ['c.q4k', 'q4_K', [256, 2], 288],
        ['d.iq2', 'iq2_xxs', [256], 66],
      ]);
      expect(await model.readFloat32(model.tensors[0])).toEqual(values.slice(0, 8));
      expect(await model.readFloat32(model.tensors[1])).toEqual(
        dequantizeRows(ggmlType('f16'), f16, 64),
      );
      expect(await model.readFloat32(model.tensors[2])).toEqual(
        dequantizeRows(ggmlType('q4_K'), q4k, 256),
      );
      expect(model.tensors[3].decodeProblem).toBe('no dequantizer for ggml type iq2_xxs');
      await expect(model.readFloat32(model.tensors[3])).rejects.toThrow('no dequantizer');
    } finally {
      await model.close();
    }
  });

  it('openModelFile(safetensors) keeps row-major shapes and decodes BF16 and integer dtypes', async () => {
    const path = await put(
      'm.safetensors',
      writeSafetensors({
        metadata: { format: 'pt' },
        tensors: [
          {
            name: 'w',
            dtype: 'BF16',
            shape: [2, 2],
            data: new Uint8Array([0, 0x3f, 0x80, 0x3f, 0, 0xc0, 0, 0]),
          },
          { name: 'i', dtype: 'I8', shape: [3], data: new Uint8Array([1, 0xff, 0x80]) },
          { name: 'e', dtype: 'F8_E4M3', shape: [1], data: new Uint8Array([0x38]) },
        ],
      }),
    );
    const model = await openModelFile(path);
    try {
      expect(model.kind).toBe('safetensors');
      expect(model.tensors.map((t) => [t.name, t.type, t.shape])).toEqual([
        ['w', 'BF16', [2, 2]],
        ['i', 'I8', [3]],
        ['e', 'F8_E4M3', [1]],
      ]);
      expect(Array.from(await model.readFloat32(model.tensors[0]))).toEqual([0.5, 1, -2, 0]);
      expect(Array.from(await model.readFloat32(model.tensors[1]))).toEqual([1, -1, -128]);
      expect(model.tensors[2].decodeProblem).toBe('no decoder for dtype F8_E4M3');
    } finally {
      await model.close();
    }
  });

  it('openModelFile(llama2.c) names tensors as GGUF does, one per layer, with llama2.c names beside', async () => {
    const tensors = llama2cTensors(CONFIG);
    const bytes = writeLlama2cCheckpoint({ config: CONFIG, tensors }, { version: 0 });
    const path = await put('m.bin', bytes);
    const model = await openModelFile(path);
    expect(model.kind).toBe('llama2c');
    expect(model.format).toContain('legacy layout (version 0, no magic); read whole');
    const names = model.tensors.map((t) => `${t.name}=${t.sourceName}`);
    expect(names.slice(0, 4)).toEqual([
      'token_embd.weight=token_embedding_table',
      'blk.0.attn_norm.weight=rms_att_weight[0]',
      'blk.0.attn_q.weight=wq[0]',
      'blk.0.attn_k.weight=wk[0]',
    ]);
    expect(names.slice(-3)).toEqual([
      'output_norm.weight=rms_final_weight',
      'freq_cis_real=freq_cis_real',
      'freq_cis_imag=freq_cis_imag',
    ]);
    expect(model.tensors.filter((t) => t.isWeight)).toHaveLength(1 + 9 * 2 + 1);
    const down = model.tensor('blk.1.ffn_down.weight');
    expect(down?.shape).toEqual([8, 12]);
    expect(model.tensor('w2[1]')).toBe(down);
    expect(await model.readFloat32(down!)).toEqual(tensors.w2[1]);
    // Every offset points at that tensor's float32 data in the file.
    const view = new DataView(bytes.buffer);
    for (const t of model.tensors) {
      const values = await model.readFloat32(t);
      expect(values.length, t.name).toBe(t.elementCount);
      expect(view.getFloat32(t.offsetBytes, true), t.name).toBe(values[0]);
      expect(t.sizeBytes).toBe(4 * t.elementCount);
    }
    const real = await model.readFloat32(model.tensor('freq_cis_real')!);
    expect(real[0]).toBe(1); // cos(0)
    await model.close();
  });

  it('openModelFile reads llama2.c versions 1 and 2 and an unshared classifier', async () => {
    const config = { ...CONFIG, sharedClassifier: false };
    const tensors = llama2cTensors(config);
    for (const version of [1, 2] as const) {
      const bytes = writeLlama2cCheckpoint({ config, tensors }, { version, groupSize: 8 });
      const model = await openModelFile(await put(`v${version}.bin`, bytes));
      const ckpt = readLlama2cCheckpoint(bytes);
      expect(model.format).toContain(`version ${version} ("ak42"`);
      const output = model.tensor('output.weight');
      expect(output?.sourceName).toBe('wcls');
      expect(await model.readFloat32(output!)).toEqual(ckpt.tensors.wcls);
      const q = model.tensor('blk.1.attn_q.weight')!;
      expect(q.type).toBe(version === 1 ? 'f32' : 'q8/g8');
      expect(q.sizeBytes).toBe(version === 1 ? 256 : 64 + 32);
      expect(await model.readFloat32(q)).toEqual(ckpt.tensors.wq[1]);
      if (version === 2) {
        // Layer 1's int8 values follow layer 0's 64 in the file.
        const wqInfo = ckpt.layout.find((l) => l.name === 'wq')!;
        expect(q.offsetBytes).toBe(wqInfo.offsetBytes + 64);
      }
      expect(model.tensors.every((t) => t.isWeight)).toBe(true);
    }
  });

  it('openModelFile rejects a file that is no model, naming the three formats tried', async () => {
    const text = await put(
      'notes.txt',
      new TextEncoder().encode('hello, this is not a model file at all\n'),
    );
    const error = await openModelFile(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain('not GGUF');
    expect(message).toContain('not safetensors');
    expect(message).toContain('not a llama2.c checkpoint (header field dim at byte 0');
    expect(message).toContain('first bytes: 68 65 6c 6c');
    const empty = await put('empty.bin', new Uint8Array(0));
    await expect(openModelFile(empty)).rejects.toThrow('the file is empty');
    const short = await put('short.bin', new Uint8Array(12));
    await expect(openModelFile(short)).rejects.toThrow('12 bytes, fewer than the 28-byte header');
  });

  it('openModelFile names the file and the reason for a missing file or a directory', async () => {
    await expect(openModelFile(join(dir, 'nope.gguf'))).rejects.toThrow(
      `cannot read '${join(dir, 'nope.gguf')}': no such file`,
    );
    await mkdir(join(dir, 'sub'));
    await expect(openModelFile(join(dir, 'sub'))).rejects.toThrow('it is a directory');
  });

  it('openModelFile turns a truncated GGUF or safetensors file into a UsageError naming the byte offset', async () => {
    const gguf = writeGguf({
      metadata: [],
      tensors: [{ name: 'w', type: 0, dims: [64], data: new Uint8Array(256) }],
    });
    const cut = await put('cut.gguf', gguf.subarray(0, gguf.length - 10));
    const error = await openModelFile(cut).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^'.*cut\.gguf': .*runs past the end.* at byte \d+/);
    const st = writeSafetensors({
      tensors: [{ name: 'w', dtype: 'F32', shape: [4], data: new Uint8Array(16) }],
    });
    const cutSt = await put('cut.safetensors', st.subarray(0, st.length - 4));
    await expect(openModelFile(cutSt)).rejects.toThrow(/at byte \d+/);
    const llama = writeLlama2cCheckpoint({ config: CONFIG, tensors: llama2cTensors(CONFIG) });
    const cutLlama = await put('cut.bin', llama.subarray(0, llama.length - 4));
    await expect(openModelFile(cutLlama)).rejects.toThrow(
      /not a llama2\.c checkpoint \(llama2\.c checkpoint: file is \d+ bytes/,
    );
  });
});

describe('closeNames and editDistance', () => {
  it('editDistance(a, b) counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('closeNames(tensors, name, k) puts the nearest names first', () => {
    const t = (name: string, sourceName: string | null = null) => ({
      name,
      sourceName,
      type: 'f32',
      shape: [1],
      elementCount: 1,
      sizeBytes: 4,
      offsetBytes: 0,
      isWeight: true,
      note: null,
      decodeProblem: null,
    });
    const tensors = [
      t('blk.0.ffn_up.weight'),
      t('blk.0.ffn_down.weight', 'w2[0]'),
      t('output.weight'),
    ];
    expect(closeNames(tensors, 'blk.0.ffn_dwn.weight', 2)).toEqual([
      'blk.0.ffn_down.weight',
      'blk.0.ffn_up.weight',
    ]);
    expect(closeNames(tensors, 'w2', 1)).toEqual(['blk.0.ffn_down.weight']);
  });
});
