import { describe, expect, it } from 'vitest';
import { createRng, createRngFromState } from './rng.ts';
import { parseRngState } from './state.ts';

const VALID = {
  algorithm: 'xoshiro128**',
  version: 1,
  key: [1, 2, 3, 4],
  words: [5, 6, 7, 8],
  spareNormal: null,
};

describe('parseRngState', () => {
  it('parseRngState(rng.state()) accepts a real state and returns a copy', () => {
    const rng = createRng('parse');
    rng.normal();
    const state = rng.state();
    const parsed = parseRngState(JSON.parse(JSON.stringify(state)));
    expect(parsed).toEqual(state);
    expect(parsed.words).not.toBe(state.words);
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /must be an object/],
    ['an array', [1, 2, 3, 4], /must be an object/],
    ['a string', 'state', /must be an object/],
    [
      'another algorithm',
      { ...VALID, algorithm: 'mt19937' },
      /algorithm must be 'xoshiro128\*\*', got "mt19937"/,
    ],
    ['version 2', { ...VALID, version: 2 }, /version must be 1, got 2/],
    ['no key', { ...VALID, key: undefined }, /key must be an array of 4/],
    ['a short key', { ...VALID, key: [1, 2, 3] }, /key must be an array of 4/],
    [
      'a negative key word',
      { ...VALID, key: [1, -2, 3, 4] },
      /key\[1\] must be an integer .* got -2/,
    ],
    ['no words', { ...VALID, words: undefined }, /words must be an array of 4/],
    ['a fractional word', { ...VALID, words: [5, 6, 7.5, 8] }, /words\[2\] must be an integer/],
    ['a word of 2^32', { ...VALID, words: [5, 6, 7, 2 ** 32] }, /words\[3\] must be an integer/],
    [
      'a string word',
      { ...VALID, words: ['5', 6, 7, 8] },
      /words\[0\] must be an integer .* got "5"/,
    ],
    ['all-zero words', { ...VALID, words: [0, 0, 0, 0] }, /words is all zero/],
    [
      'a NaN spare',
      { ...VALID, spareNormal: Number.NaN },
      /spareNormal must be a finite number or null, got NaN/,
    ],
    ['a missing spare', { ...VALID, spareNormal: undefined }, /spareNormal .* got undefined/],
    ['a string spare', { ...VALID, spareNormal: '0.5' }, /spareNormal .* got "0.5"/],
  ])('parseRngState(%s) throws naming the field', (_, value, message) => {
    expect(() => parseRngState(value)).toThrow(message);
    expect(() => createRngFromState(value as never)).toThrow(message);
  });

  it('parseRngState(state with an all-zero key) is accepted: the key only seeds children', () => {
    expect(parseRngState({ ...VALID, key: [0, 0, 0, 0] }).key).toEqual([0, 0, 0, 0]);
  });
});
