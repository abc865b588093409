import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeShared, sharedPath } from '@explorables/testkit';
import { expect, it } from 'vitest';
import { run } from '../testing.ts';

describeShared(
  'explorables quantize on stories260K',
  [
    ['models', 'stories260K.bin'],
    ['models', 'tok512.bin'],
  ],
  () => {
    it('quantize stories260K.bin --type q4_0 --context 128 gives llama-quantize’s 277,024-byte file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'explorables-quantize-'));
      try {
        const out = join(dir, 'q4_0.gguf');
        const model = sharedPath('models', 'stories260K.bin') as string;
        const result = await run(['quantize', model, out, '--type', 'q4_0', '--context', '128']);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect((await readFile(out)).length).toBe(277_024);
        expect(result.stdout).toMatch(/blk\.0\.ffn_down\.weight\s+f32 → f16/);
        expect(result.stdout).toMatch(/with tokenizer tok512\.bin/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
