import { createHash } from 'node:crypto';
import { describeShared, readShared } from '@explorables/testkit';
import { expect, it } from 'vitest';
import { bytesSource } from '../byte-source.ts';
import { readGguf } from '../gguf-read.ts';
import { writeGguf, writeGgufChunks } from '../gguf-write.ts';
import { readLlama2cCheckpoint } from '../llama2c/checkpoint.ts';
import { readLlama2cTokenizer } from '../llama2c/tokenizer-file.ts';
import { llama2cToGguf } from './llama2c-to-gguf.ts';
import {
  outlierTablesFromMetadata,
  quantizeModel,
  sourceFromGguf,
  sourceFromGgufInput,
} from './model.ts';
import { parseFileType } from './plan.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// File sizes of llama.cpp's quantized stories260K GGUFs (llamacpp-ppl/README.md, summary table).
const FILE_BYTES: Record<string, number> = {
  Q8_0: 379_168,
  Q6_K: 379_168,
  Q5_1: 315_168,
  Q5_0: 302_560,
  Q4_1: 289_632,
  Q4_0: 277_024,
  Q4_K_M: 304_096,
  Q3_K_M: 281_120,
  Q2_K: 277_024,
};

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describeShared(
  'stories260K converted and quantized like llama.cpp',
  [
    ['models', 'stories260K.bin'],
    ['models', 'tok512.bin'],
    ['reference', 'llamacpp-ppl/tensors.tsv'],
  ],
  () => {
    const checkpoint = readLlama2cCheckpoint(readShared('models', 'stories260K.bin'));
    const tokenizer = readLlama2cTokenizer(readShared('models', 'tok512.bin'), 512);
    const tsv = new TextDecoder()
      .decode(readShared('reference', 'llamacpp-ppl/tensors.tsv'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'));

    it('llama2cToGguf with context 128 writes the same bytes as llama.cpp’s converter', () => {
      const bytes = writeGguf(llama2cToGguf(checkpoint, tokenizer, { contextLength: 128 }));
      expect(bytes.length).toBe(1_185_376);
      expect(sha256(bytes)).toBe(
        '047bf46455a544931cff6fef14d7910154c56afbc23ab1c5e56a72e69912c04b',
      );
    });

    it('llama2cToGguf records the real context length (512) by default', async () => {
      const file = await readGguf(bytesSource(writeGguf(llama2cToGguf(checkpoint, tokenizer))));
      expect(file.get('llama.context_length')).toEqual({ type: 'uint32', value: 512 });
      expect(file.get('tokenizer.ggml.tokens')).toMatchObject({ itemType: 'string' });
    });

    it.each(Object.keys(FILE_BYTES))(
      'quantizeModel(%s) reproduces every tensor hash and the file size of llama-quantize',
      async (model) => {
        const source = sourceFromGgufInput(
          llama2cToGguf(checkpoint, tokenizer, { contextLength: 128 }),
        );
        const q = await quantizeModel(source, { fileType: parseFileType(model) });
        const bytes = await collect(writeGgufChunks(q.output));
        expect(bytes.length).toBe(FILE_BYTES[model]);
        const file = await readGguf(bytesSource(bytes));
        const expected = tsv.filter((r) => r[0] === model);
        expect(file.tensors.map((t) => t.name)).toEqual(q.plan.tensors.map((t) => t.name));
        for (const [, name, type, , , size, hash] of expected) {
          const info = file.tensor(name);
          expect(info?.typeName, name).toBe(type);
          const data = await file.readTensorData(name);
          expect(data.length, name).toBe(Number(size));
          expect(`${name} ${sha256(data)}`).toBe(`${name} ${hash}`);
        }
        expect(file.get('general.file_type')).toMatchObject({ type: 'uint32' });
        expect(q.reports).toHaveLength(48);
      },
    );

    it('quantizeModel with outliers keeps a side table that lowers the RMSE, and reads back', async () => {
      const source = sourceFromGgufInput(llama2cToGguf(checkpoint, tokenizer));
      const q = await quantizeModel(source, { fileType: 'Q4_0', outliers: { fraction: 0.001 } });
      const bytes = await collect(writeGgufChunks(q.output));
      const withTables = q.reports.filter((r) => r.outliers !== undefined);
      expect(withTables.length).toBeGreaterThan(20);
      for (const r of withTables) expect(r.rmse).toBeLessThanOrEqual(r.rmseWithoutOutliers ?? 0);
      const file = await readGguf(bytesSource(bytes));
      const tables = outlierTablesFromMetadata(file.metadata, (n) => file.tensor(n)?.dims);
      expect(tables.size).toBe(withTables.length);
    });

    it('quantizeModel re-quantizes a quantized GGUF read back from bytes (Q8_0 to Q4_0)', async () => {
      const f32 = sourceFromGgufInput(llama2cToGguf(checkpoint, tokenizer, { contextLength: 128 }));
      const q8 = await collect(
        writeGgufChunks((await quantizeModel(f32, { fileType: 'Q8_0' })).output),
      );
      const again = await quantizeModel(sourceFromGguf(await readGguf(bytesSource(q8))), {
        fileType: 'Q4_0',
      });
      const bytes = await collect(writeGgufChunks(again.output));
      expect(bytes.length).toBe(FILE_BYTES.Q4_0);
      const down = again.reports.find((r) => r.name === 'blk.0.ffn_down.weight');
      expect(down).toMatchObject({ fromType: 'f16', toType: 'f16', rmse: 0 });
    });
  },
);
