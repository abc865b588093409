import { describe, expect, it } from 'vitest';
import { checkXoshiroWords, Xoshiro128StarStar, type Xoshiro128Words } from './xoshiro128.ts';

// Reference outputs of Blackman and Vigna's xoshiro128** 1.1 C code, compiled with g++ here:
// the first 8 outputs, output number 1001 and the state right after it.
const REFERENCE: Array<{
  start: Xoshiro128Words;
  first: number[];
  output1001: number;
  after1001: Xoshiro128Words;
}> = [
  {
    start: [1, 2, 3, 4],
    first: [
      0x00002d00, 0x00000000, 0x005a7080, 0x04389d80, 0x79199d9b, 0x61963b24, 0x4cb9b57a,
      0xde9d7431,
    ],
    output1001: 0x081c0583,
    after1001: [0x81457f92, 0x3b71fba4, 0x37d53e8c, 0xd450998a],
  },
  {
    start: [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0xdeadbeef],
    first: [
      0x92dcf72a, 0x00544cb2, 0x046d0ff3, 0x7192e3d9, 0xba2b8389, 0x12be2f0f, 0x4b522e7e,
      0x5b4901af,
    ],
    output1001: 0x97752991,
    after1001: [0x9a508d3c, 0x939e7fcc, 0x7e05e58a, 0x5ac273df],
  },
  {
    start: [0, 0, 0, 1],
    first: [
      0x00000000, 0x00000000, 0x00001680, 0x00b41680, 0xa0e11680, 0x082d2d00, 0x639545c0,
      0x03ef0099,
    ],
    output1001: 0xaa9731f0,
    after1001: [0x1423d60d, 0x8119623c, 0xb69ebf70, 0x8c5e0ab8],
  },
];

describe('Xoshiro128StarStar', () => {
  it.each(REFERENCE)('next() from $start matches the C reference outputs', (vector) => {
    const x = new Xoshiro128StarStar(vector.start);
    expect(vector.first.map(() => x.next())).toEqual(vector.first);
    for (let i = 8; i < 1000; i++) x.next();
    expect(x.next()).toBe(vector.output1001);
    expect(x.words()).toEqual(vector.after1001);
  });

  it('words() then new Xoshiro128StarStar(words) continues the identical sequence', () => {
    const x = new Xoshiro128StarStar([0x9e3779b9, 0x243f6a88, 0xb7e15162, 0xdeadbeef]);
    for (let i = 0; i < 4; i++) x.next();
    const y = new Xoshiro128StarStar(x.words());
    expect([y.next(), y.next(), y.next(), y.next()]).toEqual(REFERENCE[1].first.slice(4));
  });

  it('new Xoshiro128StarStar([0, 0, 0, 0]) throws: the all-zero state is a fixed point', () => {
    expect(() => new Xoshiro128StarStar([0, 0, 0, 0])).toThrow(/all zero/);
  });

  it.each([
    [[1, 2, 3], /array of 4/],
    [[1, 2, 3, -1], /\[3\] must be an integer/],
    [[1, 2, 2 ** 32, 4], /\[2\] must be an integer/],
    [[1, Number.NaN, 3, 4], /\[1\] must be an integer in \[0, 2\^32 - 1\], got NaN/],
    [[0.5, 2, 3, 4], /\[0\] must be an integer/],
    ['1234', /array of 4/],
  ])('checkXoshiroWords(%j) throws naming the bad word', (words, message) => {
    expect(() => checkXoshiroWords(words, 'state')).toThrow(message);
  });
});
