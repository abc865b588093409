import { createHash } from 'node:crypto';
import { describeShared, readShared } from '@explorables/testkit';
import { readLlama2cCheckpoint, readLlama2cTokenizer } from '@explorables/weights';
import { expect, it } from 'vitest';
import { generate } from './generate.ts';
import { modelFromLlama2c } from './model/weights.ts';
import { createSession } from './session.ts';
import { Llama2cTokenizer } from './tokenizer/llama2c.ts';

interface GoldenRun {
  title: string;
  temperature: number;
  steps: number;
  prompt: string | undefined;
  seed: number | undefined;
  ids: number[];
  stdout: string;
}

/** Reads the prompt-encoding table and the runs out of llama2c-golden.md (never copied here). */
function parseGolden(markdown: string): {
  encodings: Array<[string, number[]]>;
  runs: GoldenRun[];
} {
  const encodings: Array<[string, number[]]> = [];
  for (const line of markdown.split('\n')) {
    const m = /^\| `(".*")(?: \([^)]*\))?` \| `(\[[\d, ]*\])` \|$/.exec(line);
    if (m) encodings.push([JSON.parse(m[1]) as string, JSON.parse(m[2]) as number[]]);
  }
  const runs: GoldenRun[] = [];
  for (const section of markdown.split(/^### /m).slice(1)) {
    const command = /```\n(\.\/run [^\n]*)\n```/.exec(section)?.[1];
    const ids = /full token sequence[^\n]*\n\n```\n([\d ]+)\n```/.exec(section)?.[1];
    const stdout = /```json\n(".*")\n```/.exec(section)?.[1];
    if (!command || !ids || !stdout) continue;
    const flag = (name: string) => new RegExp(`-${name} (\\S+)`).exec(command)?.[1];
    const prompt = /-i "((?:[^"\\]|\\.)*)"/.exec(command)?.[1];
    runs.push({
      title: section.split('\n')[0],
      temperature: Number(flag('t') ?? '1'),
      steps: Number(flag('n') ?? '256'),
      prompt,
      seed: flag('s') === undefined ? undefined : Number(flag('s')),
      ids: ids.trim().split(/\s+/).map(Number),
      stdout: JSON.parse(stdout) as string,
    });
  }
  return { encodings, runs };
}

const needs = [
  ['models', 'stories260K.bin'],
  ['models', 'tok512.bin'],
  ['reference', 'llama2c-golden.md'],
] as const;

describeShared('stories260K against llama2.c run.c (llama2c-golden.md)', needs, () => {
  const golden = parseGolden(
    new TextDecoder().decode(readShared('reference', 'llama2c-golden.md')),
  );
  const checkpoint = readLlama2cCheckpoint(readShared('models', 'stories260K.bin'));
  const model = modelFromLlama2c(checkpoint);
  const tokenizer = new Llama2cTokenizer(
    readLlama2cTokenizer(readShared('models', 'tok512.bin'), 512),
  );

  it('the golden file parses into 8 encodings and 5 runs', () => {
    expect(golden.encodings.length).toBe(8);
    expect(golden.runs.length).toBe(5);
  });

  it('encode(prompt, { bos: true }) equals run.c encode for every golden prompt', () => {
    for (const [text, ids] of golden.encodings) {
      expect([...tokenizer.encode(text, { bos: true })], JSON.stringify(text)).toEqual(ids);
    }
  });

  it('decode(encode(prompt)) gives every golden prompt back', () => {
    for (const [text] of golden.encodings)
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  for (const [index, run] of golden.runs.entries()) {
    it(`generate() reproduces run ${index + 1} (${run.title}) token for token and byte for byte`, () => {
      const result = generate(model, tokenizer, {
        prompt: run.prompt,
        steps: run.steps,
        temperature: run.temperature,
        seed: run.seed,
      });
      expect([...result.ids]).toEqual(run.ids);
      expect(`${result.text}\n`).toBe(run.stdout);
    });
  }

  it('prefill of the 256-token greedy sequence predicts each next token by argmax', () => {
    const ids = golden.runs[0].ids;
    const session = createSession(model);
    const logits = session.prefill(ids.slice(0, 256), { allLogits: true });
    for (let p = 4; p < 256; p++) {
      const row = logits.subarray(p * 512, (p + 1) * 512);
      let best = 0;
      for (let i = 1; i < 512; i++) if (row[i] > row[best]) best = i;
      expect(best, `position ${p}`).toBe(ids[p + 1]);
    }
  });
});

describeShared(
  'tok512 on the shared TinyStories text (llamacpp-ppl README)',
  [
    ['models', 'tok512.bin'],
    ['data', 'tinystories-valid-400k.txt'],
  ],
  () => {
    const tokenizer = new Llama2cTokenizer(
      readLlama2cTokenizer(readShared('models', 'tok512.bin'), 512),
    );
    const bytes = readShared('data', 'tinystories-valid-400k.txt');
    const text = new TextDecoder().decode(bytes);
    const ids = tokenizer.encode(text, { bos: true });

    it('encode(file, { bos: true }) gives 196,604 tokens starting with the README’s 20', () => {
      expect(ids.length).toBe(196604);
      expect([...ids.subarray(0, 20)]).toEqual([
        1, 410, 301, 427, 309, 426, 301, 427, 309, 394, 265, 262, 415, 271, 422, 280, 295, 269, 336,
        432,
      ]);
    });

    it('a naive port of run.c encode, line by line (newline = id 13), gives the same ids', () => {
      const vocab = readLlama2cTokenizer(readShared('models', 'tok512.bin'), 512);
      const lines = text.split('\n');
      const parts: number[] = [];
      lines.forEach((line, i) => {
        if (i > 0) parts.push(13);
        parts.push(...naiveRunCEncode(vocab.pieceBytes, vocab.scores, line, i === 0));
      });
      expect(parts.length).toBe(ids.length);
      expect(Int32Array.from(parts)).toEqual(ids);
    });

    it('decode(encode(file)) gives the file back', () => {
      expect(tokenizer.decode(ids)).toBe(text);
    });

    it('the ids as int32 little-endian have the sha256 this port computed (regression anchor)', () => {
      const hash = createHash('sha256').update(new Uint8Array(ids.buffer)).digest('hex');
      expect(hash).toBe('0e030d1eb1290d0f991793e4d001468df536da7b0b2d7f411755bcba9eb71cd6');
    });
  },
);

/**
 * run.c's encode written out plainly (quadratic rescans, as in the C), used as an independent
 * reference. `start` adds BOS and the dummy-prefix space (only the file start gets them).
 */
function naiveRunCEncode(
  pieceBytes: Uint8Array[],
  scores: Float32Array,
  line: string,
  start: boolean,
): number[] {
  const key = (b: Uint8Array) => String.fromCharCode(...b);
  const pieces = pieceBytes.map(key);
  const lookup = new Map<string, number>();
  pieces.forEach((p, id) => {
    if (!lookup.has(p)) lookup.set(p, id);
  });
  const bytes = new TextEncoder().encode(line);
  const tokens: number[] = [];
  if (start) tokens.push(1);
  if (start && bytes.length > 0) tokens.push(lookup.get(' ')!);
  let buffer: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] & 0xc0) !== 0x80) buffer = [];
    buffer.push(bytes[i]);
    if (((bytes[i + 1] ?? 0) & 0xc0) === 0x80 && buffer.length < 4) continue;
    const id = lookup.get(String.fromCharCode(...buffer));
    if (id !== undefined) tokens.push(id);
    else tokens.push(...buffer.map((b) => b + 3));
    buffer = [];
  }
  for (;;) {
    let bestScore = -1e10;
    let bestId = -1;
    let bestIndex = -1;
    for (let i = 0; i < tokens.length - 1; i++) {
      const id = lookup.get(pieces[tokens[i]] + pieces[tokens[i + 1]]);
      if (id !== undefined && scores[id] > bestScore) {
        bestScore = scores[id];
        bestId = id;
        bestIndex = i;
      }
    }
    if (bestIndex < 0) break;
    tokens[bestIndex] = bestId;
    tokens.splice(bestIndex + 1, 1);
  }
  return tokens;
}
