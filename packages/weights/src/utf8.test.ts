import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8Strict, encodeUtf8Strict } from './utf8.ts';

const decode = (bytes: number[]) => decodeUtf8Strict(new Uint8Array(bytes), 0, bytes.length);

describe('decodeUtf8Strict / encodeUtf8Strict', () => {
  it('decodeUtf8Strict(encodeUtf8Strict(s)) is s for every well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const bytes = encodeUtf8Strict(s)!;
        expect(Array.from(bytes)).toEqual(Array.from(new TextEncoder().encode(s)));
        expect(decodeUtf8Strict(bytes, 0, bytes.length)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('decodeUtf8Strict rejects overlong forms, surrogates, code points past U+10FFFF and cut sequences', () => {
    expect(decode([0xc0, 0x80])).toBeUndefined();
    expect(decode([0xe0, 0x80, 0x80])).toBeUndefined();
    expect(decode([0xf0, 0x80, 0x80, 0x80])).toBeUndefined();
    expect(decode([0xed, 0xa0, 0x80])).toBeUndefined();
    expect(decode([0xf4, 0x90, 0x80, 0x80])).toBeUndefined();
    expect(decode([0xe2, 0x82])).toBeUndefined();
    expect(decode([0x80])).toBeUndefined();
    expect(decode([0xf0, 0x9d, 0x84, 0x9e])).toBe('𝄞');
  });

  it('decodeUtf8Strict decodes long text across its internal chunk boundary', () => {
    const text = 'é'.repeat(20_000);
    const bytes = encodeUtf8Strict(text)!;
    expect(decodeUtf8Strict(bytes, 0, bytes.length)).toBe(text);
    expect(decodeUtf8Strict(bytes, 2, 6)).toBe('éé');
  });

  it('encodeUtf8Strict rejects lone surrogates', () => {
    expect(encodeUtf8Strict('a\ud800')).toBeUndefined();
    expect(encodeUtf8Strict('\udc00b')).toBeUndefined();
    expect(encodeUtf8Strict('')).toEqual(new Uint8Array(0));
  });
});
