import { bytesSource, parseGgufHeader, writeGguf } from '@explorables/weights';
import { describe, expect, it } from 'vitest';
import { createSession } from '../session.ts';
import {
  TEST_CONFIG,
  testF32Gguf,
  testLlama2cFiles,
  testQuantizedGguf,
  testTokenizerBytes,
} from './fixtures.ts';
import { countLlama2cTokens, MISSING_LLAMA2C_TOKENIZER, TokenizerFileError } from './llama2c.ts';
import { loadModel, loadTokenizer, sniffModelFormat } from './load-model.ts';
import type { LoadProgress } from './types.ts';

const files = testLlama2cFiles();

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('loadModel', () => {
  it('loadModel(llama2.c bytes, { tokenizer }) reads the config, meta and a working tokenizer', async () => {
    const { model, tokenizer, meta } = await loadModel(files.checkpointBytes, {
      tokenizer: files.tokenizerBytes,
    });
    expect(model.config).toMatchObject({ dim: 64, hiddenDim: 100, nLayers: 2, nHeads: 4 });
    expect(model.config.ropeLayout).toBe('adjacent');
    expect(model.output).toBe(model.tokenEmbedding);
    expect(meta).toMatchObject({
      format: 'llama2c',
      architecture: 'llama',
      fileType: 'F32',
      contextLength: 64,
      tiedOutput: true,
      sizeBytes: files.checkpointBytes.length,
    });
    // 48·64 embedding + per layer (2·64 norms + 64·64 + 2·32·64 + 64·64 + 3·100·64) + 64.
    expect(meta.parameterCount).toBe(48 * 64 + 2 * (128 + 4096 + 4096 + 4096 + 19200) + 64);
    expect(meta.tensorTypes.get('blk.1.ffn_down.weight')).toBe('f32');
    expect(meta.tensorTypes.has('output.weight')).toBe(false);
    expect(tokenizer.vocabSize).toBe(48);
    expect(tokenizer.decode(tokenizer.encode('a cab', { bos: true }))).toBe('a cab');
  });

  it('loadModel(F32 GGUF) gives bit-identical weights and logits to the llama2.c checkpoint', async () => {
    const a = await loadModel(files.checkpointBytes, { tokenizer: files.tokenizerBytes });
    const gguf = testF32Gguf(files);
    const b = await loadModel(bytesSource(gguf));
    expect(b.meta).toMatchObject({ format: 'gguf', formatDetail: 'GGUF v3', fileType: 'F32' });
    expect(b.meta.tiedOutput).toBe(false); // the converter writes output.weight as a copy
    // GGUF stores ε as float32; the kernels round it to float32 either way.
    expect({ ...b.model.config, rmsEps: 0 }).toEqual({ ...a.model.config, rmsEps: 0 });
    expect(Math.fround(b.model.config.rmsEps)).toBe(Math.fround(a.model.config.rmsEps));
    expect(sameBits(b.model.tokenEmbedding, a.model.tokenEmbedding)).toBe(true);
    expect(sameBits(b.model.output, a.model.output)).toBe(true);
    for (let l = 0; l < 2; l++) {
      for (const k of ['wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3', 'attnNorm', 'ffnNorm'] as const) {
        expect(sameBits(b.model.layers[l][k], a.model.layers[l][k]), `${l} ${k}`).toBe(true);
      }
    }
    const ids = [1, 5, 9, 12, 40, 33];
    expect(b.tokenizer.kind).toBe('spm');
    const la = createSession(a.model).prefill(ids);
    const lb = createSession(b.model).prefill(ids);
    expect(sameBits(la, lb)).toBe(true);
  });

  it('loadModel(Q4_0 GGUF) dequantizes q4_0 and keeps f16 fallbacks, reporting each type', async () => {
    const gguf = await testQuantizedGguf(files, 'Q4_0');
    const { model, meta } = await loadModel(gguf);
    expect(meta.fileType).toBe('Q4_0');
    expect(meta.tensorTypes.get('blk.0.attn_q.weight')).toBe('q4_0');
    expect(meta.tensorTypes.get('blk.0.ffn_down.weight')).toBe('f16');
    expect(meta.tensorTypes.get('output.weight')).toBe('q8_0');
    expect(meta.tensorTypes.get('output_norm.weight')).toBe('f32');
    // Q4_0 values are multiples of a per-block scale: at most 16 distinct values per block of 32.
    const row = model.layers[0].wq.subarray(0, 32);
    expect(new Set(row).size).toBeLessThanOrEqual(16);
  });

  it('loadModel(F16 and BF16 GGUF) reads every weight as the rounded float', async () => {
    for (const [ft, type] of [
      ['F16', 'f16'],
      ['BF16', 'bf16'],
    ] as const) {
      const { model, meta } = await loadModel(await testQuantizedGguf(files, ft));
      expect(meta.tensorTypes.get('blk.1.attn_k.weight')).toBe(type);
      const orig = files.checkpoint.tensors.wk[1];
      const got = model.layers[1].wk;
      const tol = ft === 'F16' ? 1e-3 : 1e-2;
      for (let i = 0; i < orig.length; i++) {
        expect(Math.abs(got[i] - orig[i])).toBeLessThanOrEqual(tol * Math.abs(orig[i]) + 1e-7);
      }
    }
  });

  it('loadModel applies the outlier side tables a quantized GGUF carries', async () => {
    const gguf = await testQuantizedGguf(files, 'Q4_0', { outliers: { count: 4 } });
    const { model, meta } = await loadModel(gguf);
    expect(meta.outlierTensors).toContain('blk.0.attn_q.weight');
    // The 4 largest |w| of attn_q come back as their fp16 values, not as 4-bit codes.
    const orig = files.checkpoint.tensors.wq[0];
    const order = Array.from(orig.keys()).sort((i, j) => Math.abs(orig[j]) - Math.abs(orig[i]));
    for (const i of order.slice(0, 4)) {
      expect(Math.abs(model.layers[0].wq[i] - orig[i])).toBeLessThan(1e-3 * Math.abs(orig[i]));
    }
  });

  it('loadModel reports progress after the header and each tensor, ending at every byte read', async () => {
    const gguf = testF32Gguf(files);
    const seen: LoadProgress[] = [];
    await loadModel(gguf, { onProgress: (p) => seen.push({ ...p }) });
    expect(seen[0].phase).toBe('header');
    const last = seen[seen.length - 1];
    expect(last.phase).toBe('done');
    expect(last.tensorsDone).toBe(last.tensorCount);
    expect(last.tensorCount).toBe(3 + 2 * 9);
    expect(last.bytesRead).toBeLessThanOrEqual(gguf.length);
    expect(last.bytesRead).toBeGreaterThan(gguf.length - 64 * 21);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].bytesRead).toBeGreaterThanOrEqual(seen[i - 1].bytesRead);
    }
  });

  it('loadModel(…, { contextLength }) overrides the file’s context length', async () => {
    const gguf = testF32Gguf(files, 16);
    const plain = await loadModel(gguf);
    expect(plain.meta.contextLength).toBe(16);
    const wide = await loadModel(gguf, { contextLength: 64 });
    expect(wide.model.config.seqLen).toBe(64);
    expect(wide.meta.fileContextLength).toBe(16);
    const l2c = await loadModel(files.checkpointBytes, {
      tokenizer: files.tokenizerBytes,
      contextLength: 128,
    });
    expect(l2c.model.config.seqLen).toBe(128);
  });

  it('loadModel(llama2.c) without a tokenizer says it needs its tokenizer.bin', async () => {
    await expect(loadModel(files.checkpointBytes)).rejects.toThrow(MISSING_LLAMA2C_TOKENIZER);
  });

  it('loadModel with a tokenizer of another size names both vocabulary sizes', async () => {
    await expect(
      loadModel(files.checkpointBytes, { tokenizer: testTokenizerBytes(40) }),
    ).rejects.toThrow("the tokenizer has 40 tokens but the model's vocabulary is 48");
    await expect(
      loadModel(files.checkpointBytes, { tokenizer: testTokenizerBytes(40) }),
    ).rejects.toBeInstanceOf(TokenizerFileError);
    await expect(
      loadModel(testF32Gguf(files), { tokenizer: testTokenizerBytes(50) }),
    ).rejects.toThrow("the tokenizer has 50 tokens but the model's vocabulary is 48");
  });

  it('loadModel of a truncated llama2.c checkpoint names its size and the size expected', async () => {
    const cut = files.checkpointBytes.subarray(0, files.checkpointBytes.length - 100);
    await expect(loadModel(cut, { tokenizer: files.tokenizerBytes })).rejects.toThrow(
      new RegExp(
        `truncated or malformed.*file is ${cut.length} bytes at byte ${cut.length}: expected ${cut.length + 100}`,
      ),
    );
  });

  it('loadModel of a truncated GGUF says so and names the file size', async () => {
    const gguf = testF32Gguf(files);
    const cut = gguf.subarray(0, gguf.length - 10);
    await expect(loadModel(cut)).rejects.toThrow(
      new RegExp(`GGUF model is truncated or malformed: .*${cut.length}-byte file`),
    );
  });

  it('loadModel refuses unsupported architectures, extra tensors and safetensors by name', async () => {
    const gguf = testF32Gguf(files);
    const header = parseGgufHeader(gguf);
    const rewrite = (arch: string, extra = false) => {
      const metadata = header.metadata.map((e) =>
        e.key === 'general.architecture'
          ? { key: e.key, value: { type: 'string' as const, value: arch } }
          : e.key.startsWith('llama.')
            ? { ...e, key: e.key.replace('llama.', `${arch}.`) }
            : e,
      );
      const tensors = header.tensors.map((t) => ({
        name: t.name,
        type: t.type,
        dims: t.dims,
        data: gguf.subarray(t.absoluteOffsetBytes, t.absoluteOffsetBytes + t.sizeBytes),
      }));
      if (extra) {
        tensors.push({ name: 'blk.0.attn_q.bias', type: 0, dims: [64], data: new Uint8Array(256) });
      }
      return writeGguf({ metadata, tensors });
    };
    await expect(loadModel(rewrite('qwen2'))).rejects.toThrow(/"qwen2".*biases.*supported: llama/);
    await expect(loadModel(rewrite('llama', true))).rejects.toThrow(
      /does not use: blk\.0\.attn_q\.bias/,
    );
    const safetensors = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]);
    expect(sniffModelFormat(safetensors)).toBe('safetensors');
    await expect(loadModel(safetensors)).rejects.toThrow(/safetensors/);
  });

  it('countLlama2cTokens counts entries and rejects a file whose entries do not tile it', () => {
    expect(countLlama2cTokens(testTokenizerBytes(48))).toBe(48);
    expect(() => countLlama2cTokens(testTokenizerBytes(48).subarray(0, 100))).toThrow(
      /entry \d+ at byte \d+/,
    );
    expect(() => countLlama2cTokens(new Uint8Array(2))).toThrow(/2 bytes/);
  });

  it('sniffModelFormat tells GGUF, ak42 and legacy llama2.c apart', () => {
    expect(sniffModelFormat(new TextEncoder().encode('GGUF\x03\0\0\0'))).toBe('gguf');
    expect(sniffModelFormat(new Uint8Array([0x32, 0x34, 0x6b, 0x61, 1, 0, 0, 0]))).toBe(
      'llama2c-ak42',
    );
    expect(sniffModelFormat(files.checkpointBytes)).toBe('llama2c');
    expect(sniffModelFormat(new Uint8Array(0))).toBe('llama2c');
  });

  it('loadTokenizer reads a GGUF’s tokenizer or checks a tokenizer.bin against the checkpoint', async () => {
    const fromGguf = await loadTokenizer(testF32Gguf(files));
    expect(fromGguf).toMatchObject({ vocabSize: 48, format: 'gguf' });
    expect(fromGguf.tokenizer.kind).toBe('spm');
    const fromBin = await loadTokenizer(files.checkpointBytes, { tokenizer: files.tokenizerBytes });
    expect(fromBin).toMatchObject({ vocabSize: 48, format: 'llama2c' });
    const ids = fromBin.tokenizer.encode('a cab', { bos: true });
    expect([...fromGguf.tokenizer.encode('a cab', { bos: true })]).toEqual([...ids]);
    await expect(loadTokenizer(files.checkpointBytes)).rejects.toThrow(/need their tokenizer/);
    await expect(
      loadTokenizer(files.checkpointBytes, { tokenizer: testTokenizerBytes(44) }),
    ).rejects.toThrow("the tokenizer has 44 tokens but the model's vocabulary is 48");
  });

  it('TEST_CONFIG is the shape the fixtures use', () => {
    expect(files.checkpoint.config.hiddenDim).toBe(TEST_CONFIG.hiddenDim);
  });
});
