import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from './byte-source.ts';
import { WeightsFormatError } from './errors.ts';
import { GGML_TYPE_ID } from './ggml-types.ts';
import { parseGgufHeader, readGguf } from './gguf-read.ts';
import type { GgufArrayValue, GgufMetadataEntry, GgufValue } from './gguf-types.ts';
import { type GgufWriteInput, layoutGguf, writeGguf, writeGgufChunks } from './gguf-write.ts';
import {
  f32Bytes,
  patternBytes,
  recordingSource,
  sampleGgufInput,
  sampleMetadata,
  sampleTensors,
} from './test-fixtures.ts';

async function roundTrip(input: GgufWriteInput): Promise<GgufWriteInput> {
  const file = await readGguf(bytesSource(writeGguf(input)));
  const tensors = await Promise.all(
    file.tensors.map(async (t) => ({
      name: t.name,
      type: t.type,
      dims: t.dims,
      data: (await file.readTensorData(t)).slice(),
    })),
  );
  return { version: file.version as 2 | 3, metadata: file.metadata, tensors };
}

async function concat(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Builds an input whose single key/value sits at known offsets: key "k" at 24, value at 37. */
function oneEntry(value: GgufValue): Uint8Array {
  return writeGguf({ metadata: [{ key: 'k', value }], tensors: [] });
}

async function formatError(bytes: Uint8Array): Promise<WeightsFormatError> {
  try {
    await readGguf(bytesSource(bytes), { initialChunkBytes: 16 });
  } catch (error) {
    expect(error).toBeInstanceOf(WeightsFormatError);
    const syncError = (() => {
      try {
        parseGgufHeader(bytes);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(syncError?.message).toBe((error as Error).message);
    return error as WeightsFormatError;
  }
  throw new Error('expected a WeightsFormatError');
}

/** Offsets of the fields in the info record of tensor `index` (fixture names are ASCII). */
function tensorFields(bytes: Uint8Array, index: number) {
  const info = parseGgufHeader(bytes).tensors[index];
  const nDims = info.infoOffsetBytes + 8 + info.name.length;
  const dims = nDims + 4;
  const type = dims + 8 * info.dims.length;
  return { info, nDims, dims, type, offset: type + 4 };
}

function setU64(bytes: Uint8Array, at: number, v: bigint): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(at, v, true);
  return out;
}

function setU32(bytes: Uint8Array, at: number, v: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, v, true);
  return out;
}

describe('writeGguf / readGguf round trips', () => {
  it('readGguf(writeGguf(x)) deep-equals x for every metadata type, nested arrays and bigints', async () => {
    const input = sampleGgufInput();
    const back = await roundTrip(input);
    expect(back.version).toBe(3);
    expect(back.metadata).toEqual(input.metadata);
    expect(back.tensors).toEqual(input.tensors);
  });

  it('readGguf returns 64-bit integers as numbers up to 2^53 - 1 and as bigints beyond', async () => {
    const metadata: GgufMetadataEntry[] = [
      { key: 'a', value: { type: 'uint64', value: Number.MAX_SAFE_INTEGER } },
      { key: 'b', value: { type: 'uint64', value: 2n ** 53n } },
      { key: 'c', value: { type: 'int64', value: -Number.MAX_SAFE_INTEGER } },
      { key: 'd', value: { type: 'int64', value: -(2n ** 53n) } },
      { key: 'e', value: { type: 'int64', value: 2n ** 63n - 1n } },
    ];
    const file = await readGguf(bytesSource(writeGguf({ metadata, tensors: [] })));
    expect(file.metadata.map((e) => e.value.value)).toEqual([
      Number.MAX_SAFE_INTEGER,
      2n ** 53n,
      -Number.MAX_SAFE_INTEGER,
      -(2n ** 53n),
      2n ** 63n - 1n,
    ]);
  });

  it('writeGguf keeps float bits exactly, NaN payloads in float32 and float64 arrays included', async () => {
    const f32bits = new Uint32Array([
      0x7fc00000, 0x7fa00001, 0xffffffff, 0x80000000, 1, 0x7f800000,
    ]);
    const f64 = new Float64Array(3);
    new BigUint64Array(f64.buffer).set([0x7ff0000000000001n, 0xfff8000000000123n, 1n]);
    const metadata: GgufMetadataEntry[] = [
      {
        key: 'f32',
        value: { type: 'array', itemType: 'float32', value: new Float32Array(f32bits.buffer) },
      },
      { key: 'f64', value: { type: 'array', itemType: 'float64', value: f64 } },
      { key: 's', value: { type: 'float32', value: 1.401298464324817e-45 } },
    ];
    const bytes = writeGguf({ metadata, tensors: [] });
    const file = await readGguf(bytesSource(bytes));
    const a = file.get('f32') as GgufArrayValue;
    const b = file.get('f64') as GgufArrayValue;
    expect(Array.from(new Uint32Array((a.value as Float32Array).buffer))).toEqual(
      Array.from(f32bits),
    );
    expect(Array.from(new BigUint64Array((b.value as Float64Array).buffer))).toEqual([
      0x7ff0000000000001n,
      0xfff8000000000123n,
      1n,
    ]);
    expect(file.get('s')).toEqual({ type: 'float32', value: 1.401298464324817e-45 });
  });

  it('writeGguf(read(file)) reproduces the original bytes, through writeGgufChunks too', async () => {
    const original = writeGguf(sampleGgufInput());
    const file = await readGguf(bytesSource(original));
    const again = writeGguf({
      version: file.version as 3,
      metadata: file.metadata,
      tensors: await Promise.all(
        file.tensors.map(async (t) => ({ ...t, data: await file.readTensorData(t) })),
      ),
    });
    expect(again).toEqual(original);
    const streamed = await concat(
      writeGgufChunks({
        metadata: file.metadata,
        tensors: file.tensors.map((t) => ({ ...t, data: () => file.readTensorData(t) })),
      }),
    );
    expect(streamed).toEqual(original);
  });

  it('writeGguf pads the data section and every tensor with zeros to the alignment, like llama.cpp', async () => {
    const bytes = writeGguf(sampleGgufInput());
    const file = await readGguf(bytesSource(bytes));
    expect(file.dataOffsetBytes % 32).toBe(0);
    expect(bytes.subarray(file.headerSizeBytes, file.dataOffsetBytes).every((b) => b === 0)).toBe(
      true,
    );
    expect(file.tensors.map((t) => t.offsetBytes)).toEqual([0, 64, 96]);
    expect(file.tensors.map((t) => t.sizeBytes)).toEqual([48, 10, 136]);
    expect(bytes.length).toBe(file.dataOffsetBytes + 96 + 160);
    expect(
      bytes.subarray(file.dataOffsetBytes + 48, file.dataOffsetBytes + 64).every((b) => b === 0),
    ).toBe(true);
  });

  it('readGguf honours general.alignment other than 32 (64 and 1)', async () => {
    for (const alignment of [64, 1]) {
      const input: GgufWriteInput = {
        metadata: [
          { key: 'general.alignment', value: { type: 'uint32', value: alignment } },
          ...sampleMetadata(),
        ],
        tensors: sampleTensors(),
        alignment,
      };
      const bytes = writeGguf(input);
      const file = await readGguf(bytesSource(bytes));
      expect(file.alignment).toBe(alignment);
      expect(file.dataOffsetBytes % alignment).toBe(0);
      expect(file.tensors.every((t) => t.offsetBytes % alignment === 0)).toBe(true);
      expect(await roundTrip(input)).toEqual({ ...input, alignment: undefined, version: 3 });
    }
    const file = await readGguf(
      bytesSource(
        writeGguf({
          metadata: [{ key: 'general.alignment', value: { type: 'uint32', value: 64 } }],
          tensors: sampleTensors(),
        }),
      ),
    );
    expect(file.tensors.map((t) => t.offsetBytes)).toEqual([0, 64, 128]);
  });

  it('readGguf reads version 2 files, and writeGguf({ version: 2 }) writes them byte-exactly', async () => {
    const bytes = writeGguf({ ...sampleGgufInput(), version: 2 });
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(2);
    const back = await roundTrip({ ...sampleGgufInput(), version: 2 });
    expect(back.version).toBe(2);
    expect(writeGguf(back)).toEqual(bytes);
  });

  it('readGguf of a file without tensors or metadata gives empty lists', async () => {
    const bytes = writeGguf({ metadata: [], tensors: [] });
    expect(bytes.length).toBe(32);
    const file = await readGguf(bytesSource(bytes));
    expect(file.metadata).toEqual([]);
    expect(file.tensors).toEqual([]);
    expect(file.headerSizeBytes).toBe(24);
  });

  it('readGguf accepts zero-size tensors and tensors stored out of order', async () => {
    const input: GgufWriteInput = {
      metadata: [],
      tensors: [
        { name: 'empty', type: GGML_TYPE_ID.q4_K, dims: [256, 0], data: new Uint8Array(0) },
        { name: 'x', type: GGML_TYPE_ID.f32, dims: [1], data: f32Bytes([2]) },
      ],
    };
    expect(await roundTrip(input)).toEqual({ ...input, version: 3 });
    // Swap the two data offsets of a two-tensor file: still valid, data follows the offsets.
    const bytes = writeGguf({
      metadata: [],
      tensors: [
        { name: 'a', type: GGML_TYPE_ID.f32, dims: [1], data: f32Bytes([1]) },
        { name: 'b', type: GGML_TYPE_ID.f32, dims: [1], data: f32Bytes([2]) },
      ],
    });
    const swapped = setU64(
      setU64(bytes, tensorFields(bytes, 0).offset, 32n),
      tensorFields(bytes, 1).offset,
      0n,
    );
    const file = await readGguf(bytesSource(swapped));
    expect(await file.readTensorData('a')).toEqual(f32Bytes([2]));
  });

  it('readGguf(x) then writeGguf round-trips random metadata (property)', async () => {
    const scalar = fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((value): GgufValue => ({ type: 'uint8', value })),
      fc
        .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
        .map((value): GgufValue => ({ type: 'int32', value })),
      fc
        .float({ noDefaultInfinity: false })
        .map((value): GgufValue => ({ type: 'float32', value })),
      fc.double().map((value): GgufValue => ({ type: 'float64', value })),
      fc.boolean().map((value): GgufValue => ({ type: 'bool', value })),
      fc.string({ unit: 'binary' }).map((value): GgufValue => ({ type: 'string', value })),
      fc
        .bigInt({ min: 0n, max: 2n ** 64n - 1n })
        .map((v): GgufValue => ({ type: 'uint64', value: v <= 2n ** 53n - 1n ? Number(v) : v })),
      fc
        .array(fc.string({ unit: 'binary' }))
        .map((value): GgufValue => ({ type: 'array', itemType: 'string', value })),
      fc
        .array(fc.integer({ min: -128, max: 127 }))
        .map((v): GgufValue => ({ type: 'array', itemType: 'int8', value: new Int8Array(v) })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary' }), scalar), { selector: (e) => e[0] }),
        async (entries) => {
          const metadata = entries.map(([key, value]) => ({ key, value }));
          const bytes = writeGguf({ metadata, tensors: [] });
          const file = await readGguf(bytesSource(bytes), { initialChunkBytes: 7 });
          expect(file.metadata).toEqual(metadata);
          expect(writeGguf({ metadata: file.metadata, tensors: [] })).toEqual(bytes);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('readGguf reads lazily', () => {
  it('readGguf reads only the header, and readTensorData exactly one tensor range', async () => {
    const big = (name: string, seed: number) => ({
      name,
      type: GGML_TYPE_ID.f32,
      dims: [64 * 1024],
      data: patternBytes(256 * 1024, seed),
    });
    const bytes = writeGguf({
      metadata: sampleMetadata(),
      tensors: [big('a', 1), big('b', 2), big('c', 3)],
    });
    const source = recordingSource(bytes);
    const file = await readGguf(source);
    expect(source.reads).toEqual([[0, 64 * 1024]]);
    const b = file.tensor('b')!;
    const data = await file.readTensorData('b');
    const expected = patternBytes(256 * 1024, 2);
    expect(data.length).toBe(expected.length);
    expect(data.every((x, i) => x === expected[i])).toBe(true);
    expect(source.reads).toEqual([
      [0, 64 * 1024],
      [b.absoluteOffsetBytes, 256 * 1024],
    ]);
  });

  it('readGguf grows its header buffer by doubling when a string runs past the first chunk', async () => {
    const tokens = Array.from({ length: 3000 }, (_, i) => `token-${i}`);
    const bytes = writeGguf({
      metadata: [
        {
          key: 'tokenizer.ggml.tokens',
          value: { type: 'array', itemType: 'string', value: tokens },
        },
      ],
      tensors: [{ name: 't', type: 0, dims: [1 << 20], data: new Uint8Array(4 << 20) }],
    });
    const source = recordingSource(bytes);
    const file = await readGguf(source, { initialChunkBytes: 1024 });
    expect((file.get('tokenizer.ggml.tokens') as GgufArrayValue).value).toEqual(tokens);
    const loaded = source.reads.reduce((n, [, len]) => n + len, 0);
    expect(loaded).toBeGreaterThanOrEqual(file.headerSizeBytes);
    expect(loaded).toBeLessThan(2 * file.headerSizeBytes + 1024);
    expect(source.reads.map(([offset]) => offset)).toEqual(
      source.reads.map((_, i) => source.reads.slice(0, i).reduce((n, [, len]) => n + len, 0)),
    );
  });

  it('readTensorData reports a source that returns too few bytes as a WeightsFormatError', async () => {
    const bytes = writeGguf(sampleGgufInput());
    const file = await readGguf({
      sizeBytes: bytes.length,
      read: async (offset, length) =>
        bytes.subarray(offset, offset + (offset === 0 ? length : length - 1)),
    });
    await expect(file.readTensorData('output.weight')).rejects.toThrow(WeightsFormatError);
    await expect(file.readTensorData('missing')).rejects.toThrow(/no tensor named "missing"/);
  });
});

describe('readGguf rejects malformed files with the offset of the problem', () => {
  const valid = writeGguf(sampleGgufInput());

  it('readGguf rejects a wrong magic at offset 0', async () => {
    const bad = valid.slice();
    bad[0] = 0x67;
    const error = await formatError(bad);
    expect(error.offset).toBe(0);
    expect(error.message).toMatch(/not a GGUF file \(magic 67 47 55 46\) at byte 0: expected/);
  });

  it('readGguf rejects an empty file and a 3-byte file as truncated at offset 0', async () => {
    expect((await formatError(new Uint8Array(0))).offset).toBe(0);
    expect((await formatError(valid.slice(0, 3))).message).toMatch(/ends inside magic/);
  });

  it('readGguf rejects version 1, version 4 and big-endian files at offset 4', async () => {
    const v1 = await formatError(setU32(valid, 4, 1));
    expect(v1.offset).toBe(4);
    expect(v1.message).toMatch(/version 1 \(32-bit counts\) is not supported/);
    expect((await formatError(setU32(valid, 4, 4))).message).toMatch(/unsupported GGUF version 4/);
    expect((await formatError(setU32(valid, 4, 0x03000000))).message).toMatch(/big-endian/);
  });

  it('readGguf rejects tensor and metadata counts that cannot fit before allocating', async () => {
    const t = await formatError(setU64(valid, 8, 2n ** 40n));
    expect(t.offset).toBe(8);
    expect(t.message).toMatch(/tensor count 1099511627776 needs at least/);
    const m = await formatError(setU64(valid, 16, 2n ** 64n - 1n));
    expect(m.offset).toBe(16);
    expect(m.message).toMatch(/metadata count 18446744073709551615 is too large/);
  });

  it('readGguf rejects a file truncated anywhere in the header at the field that runs out', async () => {
    const header = parseGgufHeader(valid);
    for (let cut = 0; cut < header.headerSizeBytes; cut += 7) {
      const error = await formatError(valid.slice(0, cut));
      expect(error.offset).toBeLessThanOrEqual(cut);
      expect(error.message).toMatch(/ends inside|runs past|needs at least/);
    }
  });

  it('readGguf rejects a file truncated in the data section at the offset field of the cut tensor', async () => {
    const fields = tensorFields(valid, 2);
    const error = await formatError(valid.slice(0, valid.length - 100));
    expect(error.offset).toBe(fields.offset);
    expect(error.message).toMatch(/tensor output.weight data \[\d+, \d+\) runs past the end/);
  });

  it('readGguf rejects a string length running past the end at the length field', async () => {
    const bytes = oneEntry({ type: 'string', value: 'hello' });
    const error = await formatError(setU64(bytes, 37, 1000n));
    expect(error.offset).toBe(37);
    expect(error.message).toMatch(/value of k length 1000 runs past the end of the file/);
    expect((await formatError(setU64(bytes, 24, 2n ** 63n))).offset).toBe(24);
  });

  it('readGguf rejects an array count running past the end at the count field', async () => {
    const bytes = oneEntry({ type: 'array', itemType: 'uint32', value: new Uint32Array([1, 2]) });
    const error = await formatError(setU64(bytes, 41, 100n));
    expect(error.offset).toBe(41);
    expect(error.message).toMatch(/array count of k 100 needs at least 400 bytes/);
    const strings = oneEntry({ type: 'array', itemType: 'string', value: ['a'] });
    expect((await formatError(setU64(strings, 41, 2n ** 50n))).offset).toBe(41);
  });

  it('readGguf rejects unknown value types, bad bools and invalid UTF-8 where they sit', async () => {
    const bool = oneEntry({ type: 'bool', value: true });
    const type = await formatError(setU32(bool, 33, 13));
    expect([type.offset, type.expected]).toEqual([33, 'a value type id 0..12']);
    const two = bool.slice();
    two[37] = 2;
    expect((await formatError(two)).offset).toBe(37);
    const text = oneEntry({ type: 'string', value: 'hello' });
    text[46] = 0xff;
    const utf8 = await formatError(text);
    expect([utf8.offset, utf8.expected]).toEqual([45, 'UTF-8 text']);
    const item = oneEntry({ type: 'array', itemType: 'bool', value: [true] });
    expect((await formatError(setU32(item, 37, 99))).offset).toBe(37);
  });

  it('readGguf rejects duplicate metadata keys at the second key', async () => {
    const bytes = writeGguf({
      metadata: [
        { key: 'a', value: { type: 'uint8', value: 1 } },
        { key: 'b', value: { type: 'uint8', value: 2 } },
      ],
      tensors: [],
    });
    bytes[24 + 8 + 1 + 4 + 1 + 8] = 'a'.charCodeAt(0);
    const error = await formatError(bytes);
    expect(error.offset).toBe(38);
    expect(error.message).toMatch(/duplicate metadata key "a"/);
  });

  it('readGguf rejects general.alignment that is not a uint32 power of two', async () => {
    const bytes = writeGguf({
      metadata: [{ key: 'general.alignment', value: { type: 'uint32', value: 64 } }],
      tensors: [],
    });
    const at = 24 + 8 + 'general.alignment'.length;
    const error = await formatError(setU32(bytes, at + 4, 48));
    expect([error.offset, error.expected]).toEqual([at + 4, 'a power of two']);
    expect((await formatError(setU32(bytes, at + 4, 0))).offset).toBe(at + 4);
    const typed = await formatError(setU32(bytes, at, 5));
    expect([typed.offset, typed.expected]).toEqual([at, 'type uint32']);
  });

  it('readGguf rejects arrays nested deeper than 32 levels', async () => {
    let inner: GgufArrayValue = { type: 'array', itemType: 'uint8', value: new Uint8Array(0) };
    for (let i = 0; i < 32; i++) inner = { type: 'array', itemType: 'array', value: [inner] };
    expect(() => oneEntry(inner)).toThrow(/nests arrays more than 32 deep/);
    // Hand-build 40 levels: each level is item type 9 (array) and count 1.
    const head = oneEntry({ type: 'array', itemType: 'array', value: [] }).subarray(0, 37);
    const levels = new Uint8Array(12 * 40 + 12);
    const view = new DataView(levels.buffer);
    for (let i = 0; i < 40; i++) {
      view.setUint32(12 * i, 9, true);
      view.setBigUint64(12 * i + 4, 1n, true);
    }
    const bytes = new Uint8Array(head.length + levels.length);
    bytes.set(head);
    bytes.set(levels, head.length);
    const error = await formatError(bytes);
    expect(error.message).toMatch(/nested more than 32 deep/);
    expect(error.offset).toBe(37 + 12 * 32);
  });

  it('readGguf rejects n_dims 0 and 5 at the n_dims field', async () => {
    const { nDims } = tensorFields(valid, 0);
    for (const n of [0, 5]) {
      const error = await formatError(setU32(valid, nDims, n));
      expect([error.offset, error.expected]).toEqual([nDims, 'n_dims 1..4']);
    }
  });

  it('readGguf rejects a dimension beyond 2^53 - 1 and a size that overflows', async () => {
    const { dims } = tensorFields(valid, 0);
    const huge = await formatError(setU64(valid, dims, 2n ** 53n));
    expect(huge.offset).toBe(dims);
    const product = await formatError(setU64(setU64(valid, dims, 2n ** 30n), dims + 8, 2n ** 30n));
    expect(product.offset).toBe(dims - 4);
    expect(product.message).toMatch(/larger than 2\^53 - 1 bytes/);
  });

  it('readGguf rejects a q8_0 first dimension that is not a multiple of 32', async () => {
    const { dims, nDims } = tensorFields(valid, 2);
    const error = await formatError(setU64(valid, dims, 33n));
    expect(error.offset).toBe(nDims);
    expect(error.message).toMatch(/first dimension 33 is not a multiple of q8_0's block size 32/);
  });

  it('readGguf rejects unknown and removed ggml type ids at the type field', async () => {
    const { type } = tensorFields(valid, 1);
    const unknown = await formatError(setU32(valid, type, 99));
    expect([unknown.offset, unknown.message]).toEqual([
      type,
      expect.stringMatching(/unknown ggml type 99/),
    ]);
    const removed = await formatError(setU32(valid, type, 31));
    expect(removed.message).toMatch(/ggml type 31 \(q4_0_4_4\), which ggml removed/);
  });

  it('readGguf rejects duplicate tensor names at the second info record', async () => {
    const bytes = writeGguf({
      metadata: [],
      tensors: [
        { name: 'a', type: 0, dims: [1], data: f32Bytes([1]) },
        { name: 'b', type: 0, dims: [1], data: f32Bytes([2]) },
      ],
    });
    const second = tensorFields(bytes, 1).info.infoOffsetBytes;
    bytes[second + 8] = 'a'.charCodeAt(0);
    const error = await formatError(bytes);
    expect([error.offset, error.expected]).toEqual([second, 'unique tensor names']);
  });

  it('readGguf rejects misaligned, overlapping and out-of-file tensor offsets at the offset field', async () => {
    const f1 = tensorFields(valid, 1);
    const misaligned = await formatError(setU64(valid, f1.offset, 65n));
    expect([misaligned.offset, misaligned.expected]).toEqual([f1.offset, 'a multiple of 32']);
    const overlap = await formatError(setU64(valid, f1.offset, 32n));
    expect(overlap.offset).toBe(f1.offset);
    expect(overlap.message).toMatch(/overlaps tensor token_embd.weight/);
    const outside = await formatError(setU64(valid, f1.offset, 2n ** 40n));
    expect(outside.offset).toBe(f1.offset);
    const tooBig = await formatError(setU64(valid, f1.offset, 2n ** 60n));
    expect(tooBig.message).toMatch(
      /data offset of blk.0.attn_q.weight 1152921504606846976 is too large/,
    );
  });

  it('readGguf stops at maxHeaderBytes instead of loading a huge header', async () => {
    const bytes = oneEntry({ type: 'array', itemType: 'uint8', value: new Uint8Array(100_000) });
    const source = recordingSource(bytes);
    await expect(
      readGguf(source, { maxHeaderBytes: 50_000, initialChunkBytes: 1000 }),
    ).rejects.toThrow(/header runs past the 50000-byte limit/);
    expect(source.reads.reduce((n, [, len]) => n + len, 0)).toBeLessThanOrEqual(50_000);
  });
});

describe('writeGguf rejects input it cannot write faithfully', () => {
  const tensor = { name: 't', type: 0, dims: [1], data: f32Bytes([1]) };

  it('writeGguf rejects values outside their type, naming the key', () => {
    const bad: GgufValue[] = [
      { type: 'uint8', value: 256 },
      { type: 'int8', value: 1.5 },
      { type: 'uint32', value: -1 },
      { type: 'uint64', value: -1 },
      { type: 'uint64', value: 2n ** 64n },
      { type: 'int64', value: 2 ** 60 },
      { type: 'string', value: '\ud800' },
      { type: 'bool', value: 1 as unknown as boolean },
      { type: 'array', itemType: 'float32', value: [1] as unknown as Float32Array },
    ];
    for (const value of bad) {
      expect(() => writeGguf({ metadata: [{ key: 'x', value }], tensors: [] })).toThrow(
        /metadata "x"/,
      );
    }
  });

  it('writeGguf rejects duplicate keys and names, wrong data sizes and unknown types', () => {
    const u8: GgufValue = { type: 'uint8', value: 1 };
    expect(() =>
      writeGguf({
        metadata: [
          { key: 'a', value: u8 },
          { key: 'a', value: u8 },
        ],
        tensors: [],
      }),
    ).toThrow(/appears twice/);
    expect(() => writeGguf({ metadata: [], tensors: [tensor, tensor] })).toThrow(/appears twice/);
    expect(() =>
      writeGguf({ metadata: [], tensors: [{ ...tensor, data: new Uint8Array(3) }] }),
    ).toThrow(/has data of 3 bytes: expected 4 bytes/);
    expect(() => writeGguf({ metadata: [], tensors: [{ ...tensor, type: 4 }] })).toThrow(
      /ggml type 4/,
    );
    expect(() =>
      writeGguf({ metadata: [], tensors: [{ ...tensor, dims: [1, 1, 1, 1, 1] }] }),
    ).toThrow(/1 to 4 dims/);
    expect(() =>
      writeGguf({ metadata: [], tensors: [{ ...tensor, type: 2, dims: [16] }] }),
    ).toThrow(/not a multiple of q4_0's block size/);
  });

  it('writeGguf rejects an alignment option that the metadata does not record', () => {
    expect(() => writeGguf({ metadata: [], tensors: [], alignment: 64 })).toThrow(
      /general.alignment/,
    );
    const a = { key: 'general.alignment', value: { type: 'uint32', value: 24 } } as const;
    expect(() => writeGguf({ metadata: [a], tensors: [] })).toThrow(/power of two/);
    expect(layoutGguf({ metadata: [], tensors: [tensor], alignment: 32 }).fileSizeBytes).toBe(
      64 + 32,
    );
  });

  it('writeGgufChunks asks for each lazy tensor in turn and checks its size', async () => {
    const asked: string[] = [];
    const chunks = writeGgufChunks({
      metadata: [],
      tensors: ['a', 'b'].map((name) => ({
        ...tensor,
        name,
        data: async () => {
          asked.push(name);
          return name === 'a' ? f32Bytes([1]) : new Uint8Array(2);
        },
      })),
    });
    const first = await chunks.next();
    expect(asked).toEqual([]);
    expect(first.value?.length).toBe(96);
    await chunks.next();
    expect(asked).toEqual(['a']);
    await expect(concat(chunks)).rejects.toThrow(/tensor "b" has data of 2 bytes/);
  });
});
