import { describe, expect, it } from 'vitest';
import {
  encodeKldBaseChunk,
  encodeKldBaseHeader,
  KLD_BASE_HEADER_BYTES,
  kldBaseLayout,
  readKldBase,
} from './kld-base.ts';
import { writeKldBase } from './perplexity.ts';
import { compressLogProbs, kldBaseRowWords } from './softmax.ts';
import { bigramModel, concatBytes, randomTokens } from './test-model.ts';

async function baseFile(nVocab: number, nCtx: number, nChunk: number, seed: number) {
  const model = bigramModel(nVocab, seed);
  const tokens = randomTokens(nCtx * nChunk + 7, nVocab, seed + 1);
  const pieces: Uint8Array[] = [];
  const it = writeKldBase({ tokens, nCtx, nVocab, evalChunk: model.evalChunk, bosId: 1 });
  let step = await it.next();
  while (!step.done) {
    pieces.push(step.value);
    step = await it.next();
  }
  return { bytes: concatBytes(pieces), tokens, model, result: step.value };
}

describe('kldBaseLayout', () => {
  it('kldBaseLayout(256, 512, 767) is the ~101 MB stories260K base file', () => {
    const l = kldBaseLayout(256, 512, 767);
    expect(l.nPositionsPerChunk).toBe(127);
    expect(l.rowWords).toBe(516);
    expect(l.chunkBytes).toBe(127 * 1032);
    expect(l.dataOffsetBytes).toBe(20 + 4 * 256 * 767);
    expect(l.totalBytes).toBe(101311516);
  });
});

describe('encodeKldBaseHeader', () => {
  it('encodeKldBaseHeader writes _logits_, n_ctx, n_vocab, n_chunk and the tokens, little-endian', () => {
    const tokens = new Int32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const bytes = encodeKldBaseHeader({ nCtx: 4, nVocab: 300, nChunk: 2, tokens });
    expect(bytes.length).toBe(20 + 32);
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe('_logits_');
    expect(Array.from(bytes.subarray(8, 20))).toEqual([4, 0, 0, 0, 44, 1, 0, 0, 2, 0, 0, 0]);
    const view = new DataView(bytes.buffer);
    expect(view.getInt32(20, true)).toBe(1);
    expect(view.getInt32(20 + 28, true)).toBe(8);
  });

  it('encodeKldBaseHeader rejects a token list shorter than nChunk · nCtx', () => {
    expect(() =>
      encodeKldBaseHeader({ nCtx: 4, nVocab: 8, nChunk: 3, tokens: new Int32Array(11) }),
    ).toThrow(/11 tokens given, expected at least .* = 12/);
  });
});

describe('readKldBase', () => {
  it('readKldBase(writeKldBase(...)) returns the header, the original tokens and every code', async () => {
    const nVocab = 13; // odd: exercises the padding word
    const nCtx = 12;
    const { bytes, tokens, model } = await baseFile(nVocab, nCtx, 3, 50);
    const base = await readKldBase(bytes);
    expect(base.nCtx).toBe(nCtx);
    expect(base.nVocab).toBe(nVocab);
    expect(base.nChunk).toBe(3);
    expect(base.tokens).toEqual(tokens.slice(0, 36)); // not BOS-replaced
    expect(bytes.length).toBe(base.totalBytes);
    const rowBytes = 2 * kldBaseRowWords(nVocab);
    for (let c = 0; c < 3; c++) {
      const chunk = await base.readChunk(c);
      const input = tokens.slice(c * nCtx, (c + 1) * nCtx);
      input[0] = 1;
      const logits = model.evalChunk(input, {
        chunkIndex: c,
        firstOutputPosition: 6,
      }) as Float32Array;
      for (let j = 0; j < 5; j++) {
        const expected = new DataView(new ArrayBuffer(rowBytes));
        compressLogProbs(logits, (6 + j) * nVocab, nVocab, tokens[c * nCtx + 7 + j], expected, 0);
        expect(chunk.scale[j]).toBe(expected.getFloat32(0, true));
        expect(chunk.minLogProb[j]).toBe(expected.getFloat32(4, true));
        for (let i = 0; i < nVocab; i++) {
          expect(chunk.codes[j * nVocab + i]).toBe(expected.getUint16(8 + 2 * i, true));
        }
      }
    }
  });

  it('readKldBase reads through an async KldBaseSource the same as from bytes', async () => {
    const { bytes } = await baseFile(8, 10, 2, 60);
    const reads: Array<[number, number]> = [];
    const source = {
      sizeBytes: bytes.length,
      read: async (o: number, n: number) => {
        reads.push([o, n]);
        return bytes.slice(o, o + n);
      },
    };
    const a = await readKldBase(bytes);
    const b = await readKldBase(source);
    expect(b.tokens).toEqual(a.tokens);
    expect((await b.readChunk(1)).codes).toEqual((await a.readChunk(1)).codes);
    expect(reads[0]).toEqual([0, KLD_BASE_HEADER_BYTES]);
  });

  it('encodeKldBaseChunk produces the same bytes as the chunk pieces of writeKldBase', async () => {
    const nVocab = 8;
    const nCtx = 10;
    const { bytes, tokens, model } = await baseFile(nVocab, nCtx, 2, 70);
    const input = tokens.slice(10, 20);
    input[0] = 1;
    const logits = model.evalChunk(input, {
      chunkIndex: 1,
      firstOutputPosition: 5,
    }) as Float32Array;
    const { bytes: piece } = encodeKldBaseChunk(
      logits,
      5 * nVocab,
      nCtx,
      nVocab,
      tokens.subarray(10, 20),
    );
    const layout = kldBaseLayout(nCtx, nVocab, 2);
    const start = layout.dataOffsetBytes + layout.chunkBytes;
    expect(piece).toEqual(bytes.slice(start, start + layout.chunkBytes));
  });

  it('readKldBase names the offset of a bad magic', async () => {
    const { bytes } = await baseFile(8, 10, 2, 80);
    const bad = bytes.slice();
    bad[3] = 120;
    await expect(readKldBase(bad)).rejects.toThrow(/offset 0: expected magic '_logits_'/);
  });

  it('readKldBase rejects files shorter than the header', async () => {
    await expect(readKldBase(new Uint8Array(10))).rejects.toThrow(/10 bytes; its header needs 20/);
  });

  it('readKldBase reports truncation inside the tokens and inside a chunk', async () => {
    const { bytes } = await baseFile(8, 10, 2, 90);
    const layout = kldBaseLayout(10, 8, 2);
    await expect(readKldBase(bytes.subarray(0, 40))).rejects.toThrow(
      /truncated: 40 bytes, expected \d+ .*token list .* cut at offset 40/,
    );
    const cut = layout.dataOffsetBytes + layout.chunkBytes + 3;
    await expect(readKldBase(bytes.subarray(0, cut))).rejects.toThrow(
      new RegExp(
        `chunk 1 \\(from offset ${layout.dataOffsetBytes + layout.chunkBytes}\\) is incomplete`,
      ),
    );
  });

  it('readKldBase rejects trailing bytes after the last chunk', async () => {
    const { bytes } = await baseFile(8, 10, 2, 91);
    const longer = new Uint8Array(bytes.length + 6);
    longer.set(bytes);
    await expect(readKldBase(longer)).rejects.toThrow(
      new RegExp(`6 unexpected trailing bytes from offset ${bytes.length}`),
    );
  });

  it('readKldBase rejects impossible header fields, naming their offsets', async () => {
    const { bytes } = await baseFile(8, 10, 2, 92);
    const withField = (offset: number, value: number) => {
      const b = bytes.slice();
      new DataView(b.buffer).setInt32(offset, value, true);
      return b;
    };
    await expect(readKldBase(withField(8, 2))).rejects.toThrow(/offset 8: n_ctx = 2/);
    await expect(readKldBase(withField(12, 0))).rejects.toThrow(/offset 12: n_vocab = 0/);
    await expect(readKldBase(withField(16, -1))).rejects.toThrow(/offset 16: n_chunk = -1/);
  });

  it('readKldBase rejects a token id outside the vocabulary, naming its offset', async () => {
    const { bytes } = await baseFile(8, 10, 2, 93);
    const bad = bytes.slice();
    new DataView(bad.buffer).setInt32(20 + 4 * 13, 8, true);
    await expect(readKldBase(bad)).rejects.toThrow(
      /offset 72: token 13 \(chunk 1, position 3\) is 8, outside the vocabulary \[0, 8\)/,
    );
  });

  it('readChunk rejects a NaN scale and a chunk index out of range', async () => {
    const { bytes } = await baseFile(8, 10, 2, 94);
    const layout = kldBaseLayout(10, 8, 2);
    const bad = bytes.slice();
    const at = layout.dataOffsetBytes + layout.rowBytes * 2;
    new DataView(bad.buffer).setFloat32(at, Number.NaN, true);
    const base = await readKldBase(bad);
    await expect(base.readChunk(0)).rejects.toThrow(
      new RegExp(`offset ${at}: chunk 0 position 2 has scale NaN`),
    );
    await expect(base.readChunk(2)).rejects.toThrow(/chunk 2 does not exist \(the file has 2\)/);
  });

  it('readKldBase without a known size reports where a short read ended', async () => {
    const { bytes } = await baseFile(8, 10, 2, 95);
    const cut = bytes.subarray(0, bytes.length - 5);
    const base = await readKldBase({ read: (o, n) => cut.subarray(o, o + n) });
    await expect(base.readChunk(1)).rejects.toThrow(
      /ends inside chunk 1: wanted \d+ bytes at offset \d+/,
    );
  });
});
