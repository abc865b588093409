import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../generate.ts';
import { isAbortError } from '../rpc/errors.ts';
import type { MessageEventLike, MessagePortLike } from '../rpc/protocol.ts';
import { createSession } from '../session.ts';
import { Llama2cTokenizer } from '../tokenizer/llama2c.ts';
import { utf8Encode } from '../tokenizer/utf8.ts';
import { LlmClient } from './client.ts';
import { fixtureFiles, fixtureVocab } from './fixture.ts';
import { PREFILL_CHUNK, serveLlm, type TokenEvent, type WorkerLoadProgress } from './service.ts';

interface TestPort extends MessagePortLike {
  close(): void;
}
const { MessageChannel } = globalThis as unknown as {
  MessageChannel: new () => { port1: TestPort; port2: TestPort };
};

const ports: TestPort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

const vocab = fixtureVocab();
const tokenizer = new Llama2cTokenizer({
  pieceBytes: vocab.pieces.map(utf8Encode),
  scores: vocab.scores,
});

/** Counts token events the worker side posts, and how many it had posted when a cancel arrived. */
const posted = { tokens: 0, atCancel: -1 };

function start() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  posted.tokens = 0;
  posted.atCancel = -1;
  const workerSide: MessagePortLike = {
    postMessage(message, transfer) {
      const m = message as { kind?: string; value?: { position?: number } };
      if (m.kind === 'progress' && typeof m.value?.position === 'number') posted.tokens++;
      port2.postMessage(message, transfer);
    },
    addEventListener: (type, fn) =>
      port2.addEventListener(type, (event: unknown) => {
        if (
          ((event as MessageEventLike).data as { kind?: string }).kind === 'cancel' &&
          posted.atCancel < 0
        ) {
          posted.atCancel = posted.tokens;
        }
        fn(event);
      }),
  };
  const server = serveLlm(workerSide);
  return { llm: new LlmClient(port1), server };
}

async function loaded() {
  const s = start();
  const files = fixtureFiles();
  await s.llm.loadModel({ checkpoint: files.checkpoint, tokenizer: files.tokenizer, name: 'fx' });
  return { ...s, model: files.model };
}

describe('LlmClient talking to serveLlm over a MessageChannel', () => {
  it('loadModel(files) reports each phase, moves both buffers and describes the model', async () => {
    const { llm } = start();
    const files = fixtureFiles();
    const checkpointSize = files.checkpoint.byteLength;
    const phases: WorkerLoadProgress[] = [];
    const info = await llm.loadModel(
      { checkpoint: files.checkpoint, tokenizer: files.tokenizer, name: 'fixture.bin' },
      { onProgress: (p) => phases.push(p) },
    );
    expect(phases.map((p) => p.phase)).toEqual(['checkpoint', 'tokenizer', 'model', 'ready']);
    expect(phases.map((p) => p.fraction)).toEqual([...phases.map((p) => p.fraction)].sort());
    expect(phases.at(-1)?.fraction).toBe(1);
    expect(files.checkpoint.byteLength).toBe(0);
    expect(files.tokenizer.byteLength).toBe(0);
    expect(info.name).toBe('fixture.bin');
    expect(info.checkpointSizeBytes).toBe(checkpointSize);
    expect(info.config).toMatchObject({ dim: 24, nLayers: 2, vocabSize: 300, seqLen: 96 });
    const c = info.config;
    const perLayer = 2 * c.dim + 2 * c.dim * c.dim + 2 * c.dim * (c.nKvHeads * c.headSize);
    const expected =
      2 * c.vocabSize * c.dim + c.dim + c.nLayers * (perLayer + 3 * c.dim * c.hiddenDim);
    expect(info.parameterCount).toBe(expected);
    expect(info.bosId).toBe(1);
  });

  it('loadModel() with bytes that are not a checkpoint rejects with the reader’s message', async () => {
    const { llm } = start();
    const bad = new Uint8Array(16).fill(0xff).buffer;
    const tok = fixtureFiles().tokenizer;
    await expect(llm.loadModel({ checkpoint: bad, tokenizer: tok })).rejects.toThrow(/llama2\.c/);
  });

  it('generate(), tokenize(), decode() and logits() before loadModel reject naming loadModel', async () => {
    const { llm } = start();
    await expect(llm.generate({ temperature: 0 })).rejects.toThrow(
      'generate: no model is loaded; call loadModel first',
    );
    await expect(llm.tokenize('a')).rejects.toThrow(/tokenize: no model/);
    await expect(llm.decode([1])).rejects.toThrow(/decode: no model/);
    await expect(llm.logits([1])).rejects.toThrow(/logits: no model/);
  });

  it('tokenize(text, { bos }) gives the engine’s ids and their pieces; decode() inverts it', async () => {
    const { llm } = await loaded();
    const text = 'the end and the rest';
    const { ids, pieces } = await llm.tokenize(text, { bos: true });
    expect([...ids]).toEqual([...tokenizer.encode(text, { bos: true })]);
    expect(pieces).toEqual([...ids].map((id) => tokenizer.piece(id)));
    await expect(llm.decode(ids)).resolves.toBe(text);
    expect((await llm.tokenize('')).ids.length).toBe(0);
  });

  it('generate(request, { onToken }) streams the same tokens and text as generate() in-process', async () => {
    const { llm, model } = await loaded();
    const request = { prompt: 'the cat', steps: 40, temperature: 0.9, seed: 5 };
    const direct = generate(model, tokenizer, request);
    const seen: TokenEvent[] = [];
    const summary = await llm.generate(request, { onToken: (t) => seen.push(t) });
    expect([...summary.ids]).toEqual([...direct.ids]);
    expect(summary.text).toBe(direct.text);
    expect(seen.map((t) => t.text).join('')).toBe(direct.text);
    expect(seen.map((t) => t.id)).toEqual([...direct.ids.subarray(1)]);
    expect(summary.promptTokenCount).toBe(direct.promptIds.length);
    expect(summary.generatedTokenCount).toBe(seen.filter((t) => !t.fromPrompt).length);
    expect(summary.generatedTokenCount).toBe(direct.ids.length - direct.promptIds.length);
  });

  it('tokens(request) iterates the printed tokens; result holds the summary', async () => {
    const { llm, model } = await loaded();
    const request = { prompt: 'an', steps: 25, temperature: 0 };
    const direct = generate(model, tokenizer, request);
    const stream = llm.tokens(request);
    let text = '';
    for await (const t of stream) text += t.text;
    expect(text).toBe(direct.text);
    expect((await stream.result).text).toBe(direct.text);
  });

  it('aborting generate() mid-way rejects with AbortError and the worker stops within one token', async () => {
    const { llm, server } = await loaded();
    const controller = new AbortController();
    const seen: TokenEvent[] = [];
    const error = await llm
      .generate(
        { prompt: 'the', steps: 0, temperature: 1, seed: 11 },
        {
          signal: controller.signal,
          onToken: (t) => {
            seen.push(t);
            if (seen.length === 5) controller.abort();
          },
        },
      )
      .catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(seen.length).toBe(5);
    while (server.activeCalls > 0) await new Promise((r) => setTimeout(r, 1));
    expect(posted.atCancel).toBeGreaterThanOrEqual(5);
    expect(posted.tokens - posted.atCancel).toBeLessThanOrEqual(1);
    expect(posted.tokens).toBeLessThan(96);
  });

  it('breaking out of a tokens() loop cancels the generation in the worker', async () => {
    const { llm, server } = await loaded();
    const stream = llm.tokens({ prompt: '', steps: 0, temperature: 1, seed: 3 });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    await expect(stream.result).rejects.toThrow('generate was cancelled');
    while (server.activeCalls > 0) await new Promise((r) => setTimeout(r, 1));
    expect(posted.tokens - posted.atCancel).toBeLessThanOrEqual(1);
  });

  it('generate() with a bad temperature rejects with the sampler’s message', async () => {
    const { llm } = await loaded();
    await expect(llm.generate({ temperature: Number.NaN })).rejects.toThrow(/temperature NaN/);
    await expect(llm.generate({ temperature: 1 })).rejects.toThrow(/needs a seed/);
  });

  it('logits(ids) equals a session prefill: last row, or every row with all', async () => {
    const { llm, model } = await loaded();
    const ids = Int32Array.from({ length: PREFILL_CHUNK + 9 }, (_, i) => (i * 37 + 1) % 300);
    const progress: number[] = [];
    const all = await llm.logits(ids, { all: true, onProgress: (p) => progress.push(p.done) });
    const expected = createSession(model).prefill(ids, { allLogits: true });
    expect(all.count).toBe(ids.length);
    expect(all.vocabSize).toBe(300);
    expect(all.logits).toEqual(expected);
    expect(progress).toEqual([PREFILL_CHUNK, ids.length]);
    const last = await llm.logits([...ids]);
    expect(last.count).toBe(1);
    expect(last.logits).toEqual(expected.subarray((ids.length - 1) * 300));
  });

  it('logits([]) and logits(more ids than the context) reject saying what was wrong', async () => {
    const { llm } = await loaded();
    await expect(llm.logits([])).rejects.toThrow('logits: ids is empty');
    await expect(llm.logits(new Int32Array(97).fill(5))).rejects.toThrow(
      'logits: 97 ids exceed the model context of 96 positions',
    );
  });

  it('close() rejects a running generation', async () => {
    const { llm } = await loaded();
    const run = llm.generate({ steps: 0, temperature: 1, seed: 2 }, { onToken: () => llm.close() });
    await expect(run).rejects.toThrow('LlmClient: closed');
  });
});
