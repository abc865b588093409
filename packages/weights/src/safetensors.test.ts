import { describe, expect, it } from 'vitest';
import { bytesSource } from './byte-source.ts';
import { tensorToFloat32 } from './decode.ts';
import { WeightsFormatError } from './errors.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';
import { f32Bytes, recordingSource, sampleSafetensorsInput } from './test-fixtures.ts';

/** A safetensors file with a hand-written JSON header (padded to 8 bytes) and `dataBytes`. */
function handMade(header: string, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  return out;
}

async function formatError(bytes: Uint8Array): Promise<WeightsFormatError> {
  const error = await readSafetensors(bytesSource(bytes)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeightsFormatError);
  return error as WeightsFormatError;
}

describe('writeSafetensors / readSafetensors', () => {
  it('readSafetensors(writeSafetensors(x)) gives back the tensors, shapes, data and metadata', async () => {
    const input = sampleSafetensorsInput();
    const bytes = writeSafetensors(input);
    const file = await readSafetensors(bytesSource(bytes));
    expect(file.metadata).toEqual(input.metadata);
    expect(file.headerSizeBytes % 8).toBe(0);
    const back = await Promise.all(
      file.tensors.map(async (t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        data: (await file.readTensorData(t)).slice(),
      })),
    );
    expect(back).toEqual(input.tensors);
    expect(writeSafetensors({ metadata: file.metadata, tensors: back })).toEqual(bytes);
  });

  it('readSafetensors gives metadata undefined when the header has no __metadata__', async () => {
    const file = await readSafetensors(bytesSource(writeSafetensors({ tensors: [] })));
    expect(file.metadata).toBeUndefined();
    expect(file.tensors).toEqual([]);
  });

  it('readSafetensors keeps a tensor named like an array index and one named __proto__', async () => {
    const tensors = [
      { name: '__proto__', dtype: 'U8' as const, shape: [1], data: new Uint8Array([7]) },
      { name: '0', dtype: 'U8' as const, shape: [1], data: new Uint8Array([9]) },
    ];
    const file = await readSafetensors(bytesSource(writeSafetensors({ tensors })));
    expect(file.tensors.map((t) => t.name)).toEqual(['__proto__', '0']);
    expect(await file.readTensorData('0')).toEqual(new Uint8Array([9]));
  });

  it('readSafetensors reads the length, the JSON header, then only the tensor asked for', async () => {
    const bytes = writeSafetensors(sampleSafetensorsInput());
    const source = recordingSource(bytes);
    const file = await readSafetensors(source);
    const h = file.tensor('h')!;
    expect(tensorToFloat32(h, await file.readTensorData(h))).toEqual(new Float32Array([1, -2]));
    expect(source.reads).toEqual([
      [0, 8],
      [8, file.headerSizeBytes],
      [h.absoluteOffsetBytes, 4],
    ]);
  });

  it('readSafetensors sizes sub-byte F4 tensors in bits and rejects half bytes', async () => {
    const f4 = handMade('{"a":{"dtype":"F4","shape":[3,2],"data_offsets":[0,3]}}', 3);
    expect((await readSafetensors(bytesSource(f4))).tensors[0].sizeBytes).toBe(3);
    const odd = handMade('{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', 2);
    expect((await formatError(odd)).message).toMatch(/not a whole number of bytes/);
  });

  it('writeSafetensors rejects wrong data sizes, reserved names and duplicates', () => {
    const t = { name: 'a', dtype: 'F32' as const, shape: [2], data: f32Bytes([1]) };
    expect(() => writeSafetensors({ tensors: [t] })).toThrow(/has 4 data bytes: expected 8/);
    const ok = { ...t, data: f32Bytes([1, 2]) };
    expect(() => writeSafetensors({ tensors: [ok, ok] })).toThrow(/duplicate or reserved/);
    expect(() => writeSafetensors({ tensors: [{ ...ok, name: '__metadata__' }] })).toThrow(
      /reserved/,
    );
  });
});

describe('readSafetensors rejects malformed files with the offset of the problem', () => {
  it('readSafetensors rejects files shorter than 8 bytes and header lengths past the end at 0', async () => {
    expect((await formatError(new Uint8Array(5))).offset).toBe(0);
    const bytes = writeSafetensors(sampleSafetensorsInput());
    new DataView(bytes.buffer).setUint32(4, 0xffffffff, true);
    const error = await formatError(bytes);
    expect(error.offset).toBe(0);
    expect(error.message).toMatch(/header length \d+ runs past the end/);
  });

  it('readSafetensors rejects a header over maxHeaderBytes before reading it', async () => {
    const source = recordingSource(writeSafetensors(sampleSafetensorsInput()));
    await expect(readSafetensors(source, { maxHeaderBytes: 16 })).rejects.toThrow(/over the limit/);
    expect(source.reads).toEqual([[0, 8]]);
  });

  it('readSafetensors rejects headers that are not JSON objects at offset 8', async () => {
    for (const header of ['{"a":', '[1,2]', 'null', '{"a":1}', '{"__metadata__":{"k":1}}']) {
      const error = await formatError(handMade(header, 0));
      expect(error.offset).toBe(8);
    }
    const bad = handMade('{}  ', 0);
    bad[10] = 0xff;
    expect((await formatError(bad)).message).toMatch(/not valid UTF-8/);
  });

  it('readSafetensors rejects unknown dtypes, bad shapes and bad data_offsets', async () => {
    const cases = [
      '{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}',
      '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}',
      '{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}',
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}',
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}',
      '{"a":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}}',
    ];
    for (const header of cases) expect((await formatError(handMade(header, 4))).offset).toBe(8);
  });

  it('readSafetensors rejects a size that does not match dtype and shape at the data offset', async () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}';
    const error = await formatError(handMade(header, 4));
    expect(error.offset).toBe(8 + header.length);
    expect(error.message).toMatch(/spans 4 bytes but F32 \[2\] needs 8/);
  });

  it('readSafetensors rejects data past the end, gaps, overlaps and trailing bytes', async () => {
    const a = '"a":{"dtype":"U8","shape":[2],"data_offsets":';
    const b = '"b":{"dtype":"U8","shape":[2],"data_offsets":';
    const past = `{${a}[0,2]}}`;
    expect((await formatError(handMade(past, 1))).message).toMatch(
      /runs past the end of the 1-byte/,
    );
    const gap = `{${a}[0,2]},${b}[3,5]}}`;
    const gapError = await formatError(handMade(gap, 5));
    expect([gapError.offset, gapError.message]).toEqual([
      8 + gap.length + 2,
      expect.stringMatching(/gap in the data buffer before tensor "b"/),
    ]);
    const overlap = `{${a}[0,2]},${b}[1,3]}}`;
    const overlapError = await formatError(handMade(overlap, 3));
    expect([overlapError.offset, overlapError.message]).toEqual([
      8 + overlap.length + 1,
      expect.stringMatching(/overlaps the previous tensor/),
    ]);
    const trailing = `{${a}[0,2]}}`;
    const trailingError = await formatError(handMade(trailing, 5));
    expect([trailingError.offset, trailingError.message]).toEqual([
      8 + trailing.length + 2,
      expect.stringMatching(/3 bytes after the last tensor/),
    ]);
  });
});
