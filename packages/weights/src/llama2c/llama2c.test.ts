import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.ts';
import { sampleLlama2cModel } from '../test-fixtures.ts';
import {
  type Llama2cConfig,
  type Llama2cTensors,
  readLlama2cCheckpoint,
  writeLlama2cCheckpoint,
} from './checkpoint.ts';
import { readLlama2cTokenizer, writeLlama2cTokenizer } from './tokenizer-file.ts';

function filled(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i) * 0.5);
}

function tinyModel(shared: boolean): { config: Llama2cConfig; tensors: Llama2cTensors } {
  return sampleLlama2cModel(shared, filled);
}

describe('readLlama2cCheckpoint', () => {
  for (const shared of [true, false]) {
    for (const legacyRope of [true, false]) {
      it(`readLlama2cCheckpoint(writeLlama2cCheckpoint(m)) round-trips v0 (shared ${shared}, rope ${legacyRope})`, () => {
        const model = tinyModel(shared);
        const bytes = writeLlama2cCheckpoint(model, { version: 0, legacyRope });
        const back = readLlama2cCheckpoint(bytes);
        expect(back.version).toBe(0);
        expect(back.config).toEqual(model.config);
        expect(back.legacyRope).toBe(legacyRope);
        expect(back.tensors).toEqual(model.tensors);
        expect(back.tensors.wcls === back.tensors.tokenEmbedding).toBe(shared);
        const last = back.layout[back.layout.length - 1];
        expect(last.offsetBytes + last.sizeBytes).toBe(bytes.length);
        expect(back.layout.map((t) => t.name).includes('freq_cis_imag')).toBe(legacyRope);
      });
    }
  }

  it('readLlama2cCheckpoint reads version 1 (fp32, "ak42" header) exactly', () => {
    for (const shared of [true, false]) {
      const model = tinyModel(shared);
      const back = readLlama2cCheckpoint(writeLlama2cCheckpoint(model, { version: 1 }));
      expect(back.version).toBe(1);
      expect(back.headerBytes).toBe(256);
      expect(back.config).toEqual(model.config);
      expect(back.tensors).toEqual(model.tensors);
    }
  });

  it('readLlama2cCheckpoint dequantizes version 2 (Q8_0) within half a step per group', () => {
    const model = tinyModel(false);
    const bytes = writeLlama2cCheckpoint(model, { version: 2, groupSize: 8 });
    const back = readLlama2cCheckpoint(bytes);
    expect(back.version).toBe(2);
    expect(back.groupSize).toBe(8);
    expect(back.layout.find((t) => t.name === 'wq')?.encoding).toBe('q8_0');
    expect(back.tensors.rmsFinal).toEqual(model.tensors.rmsFinal);
    const a = model.tensors.w2[1];
    const b = back.tensors.w2[1];
    for (let g = 0; g < a.length; g += 8) {
      const max = Math.max(...a.subarray(g, g + 8).map(Math.abs));
      for (let j = g; j < g + 8; j++)
        expect(Math.abs(a[j] - b[j])).toBeLessThanOrEqual(max / 254 + 1e-7);
    }
  });

  it('readLlama2cCheckpoint names the expected sizes when the file is truncated or too long', () => {
    const bytes = writeLlama2cCheckpoint(tinyModel(true), { legacyRope: true });
    expect(() => readLlama2cCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(
      new RegExp(
        `file is ${bytes.length - 4} bytes at byte ${bytes.length - 4}: expected ${bytes.length} \\(with`,
      ),
    );
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => readLlama2cCheckpoint(longer)).toThrow(/expected \d+ \(with the legacy/);
    expect(() => readLlama2cCheckpoint(new Uint8Array(10))).toThrow(/28-byte header/);
  });

  it('readLlama2cCheckpoint refuses bogus headers before allocating anything', () => {
    const header = new Uint8Array(28);
    const view = new DataView(header.buffer);
    [2 ** 30, 2 ** 30, 2 ** 30, 1, 1, 2 ** 30, 2 ** 30].forEach((v, i) => {
      view.setInt32(4 * i, v, true);
    });
    expect(() => readLlama2cCheckpoint(header)).toThrow(/dim is 1073741824/);
    [4096, 11008, 32, 32, 32, 32000, 2048].forEach((v, i) => {
      view.setInt32(4 * i, v, true);
    });
    expect(() => readLlama2cCheckpoint(header)).toThrow(
      /file is 28 bytes at byte 28: expected \d{10,}/,
    );
    view.setInt32(0, 0, true);
    expect(() => readLlama2cCheckpoint(header)).toThrow(/dim is 0/);
    [8, 12, 2, 3, 2, 10, 6].forEach((v, i) => {
      view.setInt32(4 * i, v, true);
    });
    expect(() => readLlama2cCheckpoint(header)).toThrow(/not a multiple of n_heads 3 at byte 0/);
    expect(() => readLlama2cCheckpoint(header)).toThrow(WeightsFormatError);
  });

  it('readLlama2cCheckpoint rejects unknown "ak42" versions by name', () => {
    const bytes = writeLlama2cCheckpoint(tinyModel(true), { version: 1 });
    new DataView(bytes.buffer).setInt32(4, 3, true);
    expect(() => readLlama2cCheckpoint(bytes)).toThrow(
      /version field is 3 at byte 4: expected version 1/,
    );
  });
});

describe('readLlama2cTokenizer', () => {
  const pieces = ['<unk>', '\n<s>\n', ' the', 'é', ''];
  const scores = [0, 0, -1, -2.5, -3];

  it('readLlama2cTokenizer(writeLlama2cTokenizer(t)) round-trips pieces, bytes and scores', () => {
    const bytes = writeLlama2cTokenizer({ pieces, scores });
    const back = readLlama2cTokenizer(bytes, 5);
    expect(back.pieces).toEqual(pieces);
    expect([...back.scores]).toEqual(scores);
    expect(back.maxTokenLength).toBe(5);
    expect([...back.pieceBytes[3]]).toEqual([0xc3, 0xa9]);
  });

  it('readLlama2cTokenizer names the entry and offset of a bad length', () => {
    const bytes = writeLlama2cTokenizer({ pieces, scores });
    const view = new DataView(bytes.buffer);
    view.setInt32(4 + 8 + 5 + 4, 1000, true);
    expect(() => readLlama2cTokenizer(bytes, 5)).toThrow(
      /entry 1 has length 1000 at byte 21: expected a length in 0\.\./,
    );
    const good = writeLlama2cTokenizer({ pieces, scores });
    expect(() => readLlama2cTokenizer(good, 4)).toThrow(/bytes left after 4 entries/);
    expect(() => readLlama2cTokenizer(good, 6)).toThrow(/which 6 entries need|entry 5/);
    expect(() => readLlama2cTokenizer(good, 0)).toThrow(/positive integer/);
  });
});
