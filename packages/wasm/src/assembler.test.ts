import { describe, expect, it } from 'vitest';
import { defaultWebAssembly } from './api.ts';
import { Code, encodeModule, I32, sleb128, uleb128 } from './assembler.ts';

const enc = (f: (out: number[], v: number) => void, v: number): number[] => {
  const out: number[] = [];
  f(out, v);
  return out;
};

describe('LEB128', () => {
  it('uleb128(v) encodes the textbook examples and the 32-bit edges', () => {
    expect(enc(uleb128, 0)).toEqual([0]);
    expect(enc(uleb128, 127)).toEqual([0x7f]);
    expect(enc(uleb128, 128)).toEqual([0x80, 0x01]);
    expect(enc(uleb128, 240)).toEqual([0xf0, 0x01]); // f64x2.add's SIMD opcode
    expect(enc(uleb128, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(uleb128, 0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('uleb128(v) rejects negatives, fractions, NaN and values of 2^32 or more', () => {
    for (const v of [-1, 1.5, Number.NaN, 2 ** 32]) expect(() => enc(uleb128, v)).toThrow(/uleb/);
  });

  it('sleb128(v) encodes signed values with the sign bit in the last byte', () => {
    expect(enc(sleb128, 0)).toEqual([0]);
    expect(enc(sleb128, 63)).toEqual([0x3f]);
    expect(enc(sleb128, 64)).toEqual([0xc0, 0x00]);
    expect(enc(sleb128, -1)).toEqual([0x7f]);
    expect(enc(sleb128, -64)).toEqual([0x40]);
    expect(enc(sleb128, -65)).toEqual([0xbf, 0x7f]);
    expect(enc(sleb128, -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc(sleb128, 2 ** 31 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(enc(sleb128, -(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
    expect(() => enc(sleb128, 2 ** 31)).toThrow(/sleb/);
  });
});

describe('encodeModule', () => {
  it('encodeModule(functions) gives a module WebAssembly accepts and that runs', () => {
    const body = new Code().get(0).get(1).op(0x36).memarg(2, 0); // i32.store mem[a] = b
    const bytes = encodeModule([{ exportName: 'put', params: [I32, I32], locals: [], body }], 1);
    const wa = defaultWebAssembly();
    if (wa === undefined) throw new Error('this test needs WebAssembly');
    expect(wa.validate(bytes)).toBe(true);
    const inst = new wa.Instance(new wa.Module(bytes), {});
    const exp = inst.exports as unknown as {
      put(a: number, b: number): void;
      mem: { buffer: ArrayBuffer };
    };
    exp.put(8, 12345);
    expect(new Int32Array(exp.mem.buffer)[2]).toBe(12345);
  });
});
