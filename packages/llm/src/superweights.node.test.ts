import { createRng } from '@explorables/random';
import { describeShared, readShared } from '@explorables/testkit';
import { readLlama2cCheckpoint, readLlama2cTokenizer } from '@explorables/weights';
import { expect, it } from 'vitest';
import { weightAt, zeroWeight } from './edit.ts';
import { modelFromLlama2c } from './model/weights.ts';
import { measureTtft } from './prompt-cache.ts';
import { createSession } from './session.ts';
import { findSuperWeights, textPerplexity } from './superweights.ts';
import { Llama2cTokenizer } from './tokenizer/llama2c.ts';
import { traceForward } from './trace/trace.ts';

const needs = [
  ['models', 'stories260K.bin'],
  ['models', 'tok512.bin'],
] as const;

describeShared('super weights and the prompt cache on stories260K', needs, () => {
  const model = modelFromLlama2c(readLlama2cCheckpoint(readShared('models', 'stories260K.bin')));
  const tokenizer = new Llama2cTokenizer(
    readLlama2cTokenizer(readShared('models', 'tok512.bin'), 512),
  );
  const encode = (text: string) => tokenizer.encode(text, { bos: true });
  const prompts = [
    'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.',
    'Tom had a big red ball. He liked to kick it with his friend Sam.',
    'One day, a cat saw a bird in the tree. The cat wanted to catch the bird.',
  ].map(encode);
  const evalTexts = [
    'Lily and Ben went to the park. They played on the swings and had fun. Then they went home ' +
      'and ate cake.',
    'Once upon a time, there was a big bear. The bear lived in a cave in the woods. One day, the ' +
      'bear was hungry. He went out to find some honey. He saw a bee and said, "Can I have some ' +
      'honey?" The bee said no.',
  ].map(encode);

  it('findSuperWeights(stories260K) returns well-formed candidates from the real trace', () => {
    const found = findSuperWeights(model, { prompts, topK: 8 });
    expect(found).toHaveLength(8);
    for (let i = 0; i < found.length; i++) {
      const c = found[i];
      if (i > 0) expect(c.score).toBeLessThanOrEqual(found[i - 1].score);
      expect(c.weight).toBe(weightAt(model, c));
      expect(c.col).toBe(c.activationSpike.channel);
      expect(c.contribution).toBe(c.weight * c.activationSpike.value);
      const { prompt, position } = c.activationSpike;
      const trace = traceForward(model, prompts[prompt], {
        layers: [c.layer],
        capture: { mlpHidden: true, logits: 'none' },
      });
      // One layer selected: mlpHidden is [1][T][172].
      expect(trace.mlpHidden[position * 172 + c.col]).toBe(c.activationSpike.value);
      // The row is the column's largest |weight|.
      for (let r = 0; r < 64; r++) {
        expect(Math.abs(model.layers[c.layer].w2[r * 172 + c.col])).toBeLessThanOrEqual(
          Math.abs(c.weight),
        );
      }
    }
    // Measured: the top candidate is blk.4.ffn_down[20][102] (weight -0.886, spike -4.96 in
    // prompt 2 at position 15), contribution 4.39: no massive activation in a model this small.
    expect([found[0].layer, found[0].row, found[0].col]).toEqual([4, 20, 102]);
    expect(found[0].score).toBeLessThan(10);
  });

  it('zeroing the top candidate costs < 1% perplexity: stories260K has no super weight', () => {
    const top = findSuperWeights(model, { prompts, topK: 1 })[0];
    const base = textPerplexity(model, evalTexts).ppl;
    const zeroed = textPerplexity(zeroWeight(model, top), evalTexts).ppl;
    // Ten sets of 10 random ffn_down weights (seeds 1..10), each set zeroed together.
    const randomDeltas: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const rng = createRng(seed);
      let m = model;
      for (let i = 0; i < 10; i++) {
        m = zeroWeight(m, { layer: rng.int(0, 4), row: rng.int(0, 63), col: rng.int(0, 171) });
      }
      randomDeltas.push(textPerplexity(m, evalTexts).ppl - base);
    }
    const meanRandom = randomDeltas.reduce((a, b) => a + b, 0) / randomDeltas.length;
    // Measured: base 3.1203, top zeroed +0.0074 (+0.24%); random sets from -0.014 to +0.013,
    // mean +0.0002. The top candidate matters more than random weights on average, but one
    // weight is nowhere near "the model babbles".
    expect(zeroed).toBeGreaterThan(base);
    expect(zeroed - base).toBeGreaterThan(meanRandom);
    expect((zeroed - base) / base).toBeLessThan(0.01);
  });

  it('traceForward(stories260K) logits equal Session.prefill logits bit for bit', () => {
    const trace = traceForward(model, prompts[0], { capture: { logits: 'all' } });
    const fast = createSession(model).prefill(prompts[0], { allLogits: true });
    expect(trace.logits).toEqual(fast);
    expect(trace.weights.length).toBe(5 * 8 * prompts[0].length ** 2);
  });

  it('measureTtft(stories260K, 200-token prefix) reuses the prefix with identical logits', () => {
    const story = encode(
      'Once upon a time, there was a little girl named Lily. She loved to play outside in the ' +
        'park with her friends. One day, she saw a big dog. The dog was brown and had a long ' +
        'tail. Lily wanted to pet the dog, but she was scared. Her mom said, "Do not be afraid, ' +
        'Lily. The dog is nice." Lily smiled and walked to the dog. The dog wagged its tail and ' +
        'licked her hand. Lily laughed and hugged the dog. They became best friends and played ' +
        'together every day. The end. Once upon a time there was a boy named Tom.',
    );
    expect(story.length).toBeGreaterThanOrEqual(200);
    const prefix = story.subarray(0, 200);
    const suffixes = ['He went to the park.', 'She ate a big apple.'].map((s) =>
      tokenizer.encode(s),
    );
    // Timings depend on the machine (measured on a shared 2-core box: cold ≈ 70–160 ms, warm
    // ≈ 5–10 ms); only the bookkeeping is asserted.
    const r = measureTtft(model, { prefix, suffixes, now: () => performance.now() });
    expect(r.prefixTokens).toBe(200);
    for (const run of r.runs) {
      expect(run.reusedTokens).toBe(200);
      expect(run.logitsEqual).toBe(true);
      expect(run.coldMs).toBeGreaterThanOrEqual(0);
    }
  });
});
