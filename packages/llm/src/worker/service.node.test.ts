import { MessageChannel } from 'node:worker_threads';
import { describeShared, readShared } from '@explorables/testkit';
import { afterAll, expect, it } from 'vitest';
import { LlmClient } from './client.ts';
import { serveLlm } from './service.ts';

/** Run 1 of llama2c-golden.md: greedy "Once upon a time", 256 steps, and its stdout. */
function goldenRun1(markdown: string): string {
  const section = markdown.split(/^### /m).find((s) => s.startsWith('1.'));
  const json = section && /```json\n(".*")\n```/.exec(section)?.[1];
  if (!section?.includes('-t 0 -n 256 -i "Once upon a time"') || !json) {
    throw new Error('llama2c-golden.md: run 1 is not the greedy "Once upon a time" run');
  }
  return JSON.parse(json) as string;
}

describeShared(
  'LlmClient over a MessageChannel with stories260K (llama2c-golden.md run 1)',
  [
    ['models', 'stories260K.bin'],
    ['models', 'tok512.bin'],
    ['reference', 'llama2c-golden.md'],
  ],
  () => {
    const { port1, port2 } = new MessageChannel();
    serveLlm(port2);
    const llm = new LlmClient(port1);
    afterAll(() => {
      port1.close();
      port2.close();
    });
    const stdout = goldenRun1(
      new TextDecoder().decode(readShared('reference', 'llama2c-golden.md')),
    );
    const copy = (b: Uint8Array) => b.slice().buffer;

    it('loadModel() then generate() greedy reproduces run.c’s 566-byte stdout', async () => {
      const info = await llm.loadModel({
        checkpoint: copy(readShared('models', 'stories260K.bin')),
        tokenizer: copy(readShared('models', 'tok512.bin')),
        name: 'stories260K.bin',
      });
      expect(info.config).toMatchObject({ dim: 64, nLayers: 5, vocabSize: 512, seqLen: 512 });
      let streamed = '';
      const summary = await llm.generate(
        { prompt: 'Once upon a time', steps: 256, temperature: 0 },
        { onToken: (t) => (streamed += t.text) },
      );
      expect(`${summary.text}\n`).toBe(stdout);
      expect(streamed).toBe(summary.text);
      expect(new TextEncoder().encode(stdout).length).toBe(566);
      expect(summary.ids.length).toBe(257);
    });
  },
);
