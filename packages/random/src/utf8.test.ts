import { describe, expect, it } from 'vitest';
import { utf8Encode } from './utf8.ts';

describe('utf8Encode', () => {
  it.each([
    ['', []],
    ['abc', [0x61, 0x62, 0x63]],
    ['é', [0xc3, 0xa9]],
    ['€', [0xe2, 0x82, 0xac]],
    ['😀', [0xf0, 0x9f, 0x98, 0x80]],
    ['\ud800', [0xef, 0xbf, 0xbd]],
    ['a\udc00b', [0x61, 0xef, 0xbf, 0xbd, 0x62]],
    ['\ud83d', [0xef, 0xbf, 0xbd]],
  ])('utf8Encode(%j) gives the UTF-8 bytes %j', (text, bytes) => {
    expect(Array.from(utf8Encode(text))).toEqual(bytes);
  });

  it('utf8Encode(text) agrees with Buffer for every BMP code point outside surrogates', () => {
    let text = '';
    for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) text += String.fromCharCode(c);
    const expected = globalThis as unknown as {
      Buffer: { from(s: string, e: string): Uint8Array };
    };
    expect(Array.from(utf8Encode(text))).toEqual(Array.from(expected.Buffer.from(text, 'utf8')));
  });
});
