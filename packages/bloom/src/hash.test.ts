import { describe, expect, it } from 'vitest';
import { hashKey, murmur3_32 } from './hash.ts';
import { encodeUtf8Into } from './utf8.ts';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('murmur3_32', () => {
  // Published test vectors of the reference MurmurHash3_x86_32.
  it.each([
    [bytes(), 0, 0x00000000],
    [bytes(), 1, 0x514e28b7],
    [bytes(), 0xffffffff, 0x81f16f39],
    [bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
    [bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
    [bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
    [bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
    [bytes(0x21, 0x43), 0, 0xa0f7b07a],
    [bytes(0x21), 0, 0x72661cf4],
    [bytes(0, 0, 0, 0), 0, 0x2362f9de],
    [bytes(0, 0, 0), 0, 0x85f0b427],
    [bytes(0, 0), 0, 0x30f4c306],
    [bytes(0), 0, 0x514e28b7],
  ])('murmur3_32(%j, %d) matches the reference vector', (input, seed, expected) => {
    expect(murmur3_32(input, seed)).toBe(expected);
  });

  it('murmur3_32(bytes, seed, start, end) hashes only the given range', () => {
    const padded = bytes(9, 9, 0x21, 0x43, 0x65, 0x87, 9);
    expect(murmur3_32(padded, 0, 2, 6)).toBe(0xf55b516b);
  });
});

describe('hashKey', () => {
  it.each([
    ['', 0, 0x00000000],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('hashKey(%j, %d) matches the reference vector', (text, seed, expected) => {
    expect(hashKey(text, seed)).toBe(expected);
  });

  it('hashKey(string) equals hashKey of its UTF-8 bytes, also beyond ASCII', () => {
    for (const text of ['π', 'ümlaut', '日本語', '😀 emoji', 'a'.repeat(1000)]) {
      expect(hashKey(text, 7)).toBe(hashKey(new TextEncoder().encode(text), 7));
    }
  });
});

describe('encodeUtf8Into', () => {
  it('encodeUtf8Into(text, out) agrees with TextEncoder, lone surrogates included', () => {
    const out = new Uint8Array(64);
    for (const text of ['', 'abc', 'é', '€', '𝄞', '\ud800', 'a\udc00b', '\ud83d\ude00']) {
      const n = encodeUtf8Into(text, out);
      expect(Array.from(out.subarray(0, n))).toEqual(Array.from(new TextEncoder().encode(text)));
    }
  });

  it('encodeUtf8Into(text, out) returns -1 when out is too small', () => {
    expect(encodeUtf8Into('abcd', new Uint8Array(3))).toBe(-1);
    expect(encodeUtf8Into('€', new Uint8Array(2))).toBe(-1);
  });
});
