import { describe, expect, it } from 'vitest';
import { generate } from './generate.ts';
import { randomModel } from './model/test-model.ts';
import { argmax, RunCRandom, Sampler, sampleMult, sampleTopP } from './sample.ts';
import { Llama2cTokenizer } from './tokenizer/llama2c.ts';
import { utf8Encode } from './tokenizer/utf8.ts';

/** xorshift64* written with two 32-bit halves, as an independent check of the BigInt version. */
function referenceU32(state: { hi: number; lo: number }): number {
  const shiftRight = (hi: number, lo: number, k: number): [number, number] =>
    k < 32 ? [hi >>> k, ((lo >>> k) | (hi << (32 - k))) >>> 0] : [0, hi >>> (k - 32)];
  const shiftLeft = (hi: number, lo: number, k: number): [number, number] => [
    ((hi << k) | (lo >>> (32 - k))) >>> 0,
    (lo << k) >>> 0,
  ];
  let { hi, lo } = state;
  let [a, b] = shiftRight(hi, lo, 12);
  hi = (hi ^ a) >>> 0;
  lo = (lo ^ b) >>> 0;
  [a, b] = shiftLeft(hi, lo, 25);
  hi = (hi ^ a) >>> 0;
  lo = (lo ^ b) >>> 0;
  [a, b] = shiftRight(hi, lo, 27);
  hi = (hi ^ a) >>> 0;
  lo = (lo ^ b) >>> 0;
  state.hi = hi;
  state.lo = lo;
  // high 32 bits of (hi·2^32 + lo) × 0x2545F4914F6CDD1D mod 2^64, by 16-bit limbs
  const x = [lo & 0xffff, lo >>> 16, hi & 0xffff, hi >>> 16];
  const m = [0xdd1d, 0x4f6c, 0xf491, 0x2545];
  const limbs = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) for (let j = 0; i + j < 4; j++) limbs[i + j] += x[i] * m[j];
  let carry = 0;
  for (let k = 0; k < 4; k++) {
    const v = limbs[k] + carry;
    limbs[k] = v % 65536;
    carry = Math.floor(v / 65536);
  }
  return (limbs[3] * 65536 + limbs[2]) >>> 0;
}

describe('RunCRandom', () => {
  it('nextU32() equals an independent 32-bit-limb xorshift64* for seeds 42 and 2^40+7', () => {
    for (const seed of [42, 2 ** 40 + 7]) {
      const rng = new RunCRandom(seed);
      const state = { hi: Math.floor(seed / 2 ** 32), lo: seed >>> 0 };
      for (let i = 0; i < 1000; i++) expect(rng.nextU32()).toBe(referenceU32(state));
    }
  });

  it('nextF32() lies in [0, 1) and seed 0 or NaN is refused', () => {
    const rng = new RunCRandom(7n);
    for (let i = 0; i < 1000; i++) {
      const x = rng.nextF32();
      expect(x >= 0 && x < 1).toBe(true);
    }
    expect(() => new RunCRandom(0)).toThrow(/seed 0/);
    expect(() => new RunCRandom(Number.NaN)).toThrow(/NaN/);
  });
});

describe('sampling', () => {
  it('argmax(values) returns the first index on ties', () => {
    expect(argmax(Float32Array.of(1, 3, 3, 2))).toBe(1);
  });

  it('sampleMult(probs, coin) picks the first index whose cumulative sum exceeds coin', () => {
    const p = Float32Array.of(0.25, 0.5, 0.25);
    expect(sampleMult(p, 0)).toBe(0);
    expect(sampleMult(p, 0.25)).toBe(1);
    expect(sampleMult(p, 0.99)).toBe(2);
  });

  it('sampleTopP(probs, topp, coin) only draws from the smallest top set exceeding topp', () => {
    const p = Float32Array.of(0.1, 0.6, 0.05, 0.25);
    // sorted: 1 (0.6), 3 (0.25) → cumulative 0.85 > 0.8 stops; r = coin × 0.85
    expect(sampleTopP(p, 0.8, 0)).toBe(1);
    expect(sampleTopP(p, 0.8, 0.7)).toBe(1);
    expect(sampleTopP(p, 0.8, 0.75)).toBe(3);
    expect(sampleTopP(p, 0.8, 0.9999)).toBe(3);
  });

  it('Sampler at temperature 0 is argmax and needs no seed; sampling without a seed throws', () => {
    expect(new Sampler({ temperature: 0 }).sample(Float32Array.of(0, 5, 5))).toBe(1);
    expect(() => new Sampler({ temperature: 0.8 })).toThrow(/needs a seed/);
    expect(() => new Sampler({ temperature: -1, seed: 1 })).toThrow(/temperature/);
    expect(() => new Sampler({ topk: 1.5, seed: 1 })).toThrow(/topk/);
  });

  it('Sampler with topk 1 always returns the argmax; the same seed gives the same draws', () => {
    const logits = Float32Array.of(0.1, 2, 0.3, 1.9, -1);
    const k1 = new Sampler({ temperature: 1, topk: 1, seed: 3 });
    for (let i = 0; i < 50; i++) expect(k1.sample(logits)).toBe(1);
    const a = new Sampler({ temperature: 1.2, topp: 0.95, seed: 99 });
    const b = new Sampler({ temperature: 1.2, topp: 0.95, seed: 99 });
    const drawsA = Array.from({ length: 40 }, () => a.sample(logits));
    expect(Array.from({ length: 40 }, () => b.sample(logits))).toEqual(drawsA);
    expect(new Set(drawsA).size).toBeGreaterThan(1);
  });
});

describe('generate', () => {
  const pieces = [
    '<unk>',
    '\n<s>\n',
    '\n</s>\n',
    ...Array.from(
      { length: 256 },
      (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
    ),
    ' ',
    'a',
    ' a',
    'é',
  ];
  const tokenizer = new Llama2cTokenizer({
    pieceBytes: pieces.map(utf8Encode),
    scores: pieces.map((_, i) => -i),
  });
  const model = randomModel(
    { dim: 16, hiddenDim: 24, nLayers: 1, nHeads: 4, vocabSize: pieces.length, seqLen: 24 },
    5,
  );

  it('generate(model, tokenizer, opts) returns BOS + steps ids and prints the prompt first', () => {
    const seen: string[] = [];
    const result = generate(model, tokenizer, {
      prompt: 'a a',
      steps: 10,
      temperature: 0,
      stopIds: [],
      onToken: (t) => seen.push(t.text),
    });
    expect(result.ids.length).toBe(11);
    expect([...result.promptIds]).toEqual([1, 261, 261]);
    expect([...result.ids.subarray(0, 3)]).toEqual([1, 261, 261]);
    expect(result.text.startsWith('a a')).toBe(true);
    expect(seen.join('')).toBe(result.text);
    expect(result.stopped).toBe(false);
  });

  it('generate with steps shorter than the prompt stops inside the prompt', () => {
    const result = generate(model, tokenizer, { prompt: 'a a a', steps: 2, temperature: 0 });
    expect([...result.ids]).toEqual([1, 261, 261]);
    expect(result.text).toBe('a a');
  });

  it('generate skips single non-printable bytes as run.c safe_printf does', () => {
    const result = generate(model, tokenizer, {
      prompt: '\u0001\u00ff',
      steps: 4,
      temperature: 0,
    });
    // ' ' then byte tokens 0x01, 0xC3, 0xBF: none printable on its own; ' ' after BOS is dropped
    expect([...result.promptIds]).toEqual([1, 259, 4, 0xc3 + 3, 0xbf + 3]);
    expect(result.text).toBe('');
  });
});
