import { describe, expect, it } from 'vitest';
import { tensorToFloat32 } from './decode.ts';
import { GGML_TYPE_ID } from './ggml-types.ts';

const gguf = (type: number, elementCount: number) => ({ name: 't', type, elementCount });
const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer));

describe('tensorToFloat32', () => {
  it('tensorToFloat32(f32) copies the bits exactly, NaN payloads and -0 included', () => {
    const src = new Uint32Array([0x3f800000, 0x7fa00001, 0x80000000, 0xff800000, 1]);
    const out = tensorToFloat32(gguf(GGML_TYPE_ID.f32, 5), new Uint8Array(src.buffer));
    expect(bits(out)).toEqual(Array.from(src));
  });

  it('tensorToFloat32(f32) accepts unaligned byte views', () => {
    const buffer = new Uint8Array(9);
    buffer.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 1);
    const out = tensorToFloat32({ name: 'x', dtype: 'F32', elementCount: 2 }, buffer.subarray(1));
    expect(Array.from(out)).toEqual([1.5, -2]);
  });

  it('tensorToFloat32(f16) gives exact values: one, -0, max, smallest subnormal, infinity, NaN', () => {
    const halves = new Uint16Array([0x3c00, 0x8000, 0x7bff, 0x0001, 0xfc00, 0x7e01]);
    const out = tensorToFloat32(gguf(GGML_TYPE_ID.f16, 6), new Uint8Array(halves.buffer));
    expect(Array.from(out.subarray(0, 5))).toEqual([1, -0, 65504, 2 ** -24, -Infinity]);
    expect(bits(out)[5]).toBe(0x7fc02000);
  });

  it('tensorToFloat32(bf16) puts the 16 bits on top of a float32', () => {
    const halves = new Uint16Array([0x3f80, 0xc000, 0x7fc1, 0x0001]);
    const out = tensorToFloat32(
      { name: 'b', dtype: 'BF16', elementCount: 4 },
      new Uint8Array(halves.buffer),
    );
    expect(bits(out)).toEqual([0x3f800000, 0xc0000000, 0x7fc10000, 0x00010000]);
  });

  it('tensorToFloat32 of an empty tensor is an empty array', () => {
    expect(tensorToFloat32(gguf(GGML_TYPE_ID.f16, 0), new Uint8Array(0))).toEqual(
      new Float32Array(0),
    );
  });

  it('tensorToFloat32 rejects quantized and integer types, naming them', () => {
    expect(() => tensorToFloat32(gguf(GGML_TYPE_ID.q4_0, 32), new Uint8Array(18))).toThrow(
      /ggml type q4_0: expected F32, F16 or BF16/,
    );
    expect(() =>
      tensorToFloat32({ name: 'i', dtype: 'I32', elementCount: 1 }, new Uint8Array(4)),
    ).toThrow(/dtype I32/);
  });

  it('tensorToFloat32 rejects a byte count that does not match the element count', () => {
    expect(() => tensorToFloat32(gguf(GGML_TYPE_ID.f32, 2), new Uint8Array(4))).toThrow(
      /got 4 bytes: expected 8/,
    );
  });
});
