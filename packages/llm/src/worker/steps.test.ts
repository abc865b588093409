import { describe, expect, it } from 'vitest';
import { type GeneratedToken, generate } from '../generate.ts';
import { Llama2cTokenizer } from '../tokenizer/llama2c.ts';
import { utf8Encode } from '../tokenizer/utf8.ts';
import { fixtureFiles, fixtureVocab } from './fixture.ts';
import { generateSteps } from './steps.ts';

const { model } = fixtureFiles();
const vocab = fixtureVocab();
const tokenizer = new Llama2cTokenizer({
  pieceBytes: vocab.pieces.map(utf8Encode),
  scores: vocab.scores,
});

function drain(it: Generator<GeneratedToken, ReturnType<typeof generate>>) {
  const tokens: GeneratedToken[] = [];
  for (;;) {
    const r = it.next();
    if (r.done) return { tokens, result: r.value };
    tokens.push(r.value);
  }
}

describe('generateSteps', () => {
  const cases = [
    { prompt: 'the cat', steps: 30, temperature: 0 },
    { prompt: '', steps: 0, temperature: 0 },
    { prompt: 'an end', steps: 48, temperature: 1, seed: 7 },
    { prompt: 'hello there', steps: 20, temperature: 0.8, topp: 0.5, seed: 123 },
    { prompt: 'in the end and the rest', steps: 3, temperature: 0 },
    { prompt: 'x', steps: 40, temperature: 1.2, topk: 5, seed: 99 },
  ];
  for (const options of cases) {
    it(`generateSteps(model, tokenizer, ${JSON.stringify(options)}) matches generate() token for token`, () => {
      const expected: GeneratedToken[] = [];
      const direct = generate(model, tokenizer, { ...options, onToken: (t) => expected.push(t) });
      const { tokens, result } = drain(generateSteps(model, tokenizer, options));
      expect(tokens).toEqual(expected);
      expect([...result.ids]).toEqual([...direct.ids]);
      expect(result.text).toBe(direct.text);
      expect(result.bytes).toEqual(direct.bytes);
      expect(result.stopped).toBe(direct.stopped);
    });
  }

  it('generateSteps() run to the model context yields seqLen tokens unless a stop id comes', () => {
    const { tokens, result } = drain(generateSteps(model, tokenizer, { temperature: 0, steps: 0 }));
    if (!result.stopped) expect(tokens.length).toBe(model.config.seqLen);
    else expect(tokens.length).toBeLessThan(model.config.seqLen);
    expect(result.ids.length).toBe(tokens.length + 1);
  });

  it('generateSteps() with steps -1 or 1.5 throws naming steps', () => {
    expect(() => generateSteps(model, tokenizer, { steps: -1 }).next()).toThrow(/steps -1/);
    expect(() => generateSteps(model, tokenizer, { steps: 1.5 }).next()).toThrow(/steps 1.5/);
  });

  it('generateSteps() at temperature > 0 without a seed throws as the Sampler does', () => {
    expect(() => generateSteps(model, tokenizer, { temperature: 1 }).next()).toThrow(/seed/);
  });
});
