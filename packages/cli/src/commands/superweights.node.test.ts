import { Readable } from 'node:stream';
import { describeShared, sharedPath } from '@explorables/testkit';
import { expect, it } from 'vitest';
import type { Context } from '../context.ts';
import { Output } from '../output.ts';
import { Sink } from '../testing.ts';
import { superweights } from './superweights.ts';

const needs = [
  ['models', 'stories260K.bin'],
  ['models', 'tok512.bin'],
] as const;

async function runVerb(argv: readonly string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new Sink();
  const out = new Output(stdout);
  const ctx: Context = { stdin: Readable.from([]), out, stderr: new Sink(), now: () => 0 };
  const code = await superweights(argv, ctx);
  await out.end();
  return { code, stdout: stdout.text };
}

describeShared('explorables superweights on stories260K', needs, () => {
  const model = sharedPath('models', 'stories260K.bin') as string;
  const tok = sharedPath('models', 'tok512.bin') as string;

  it('superweights -m stories260K.bin lists candidates for the default prompts', async () => {
    const text = await runVerb(['-m', model, '-z', tok]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/dim 64, 5 layers, hidden 172\), 3 prompts, \d+ tokens/);
    // Measured: the top candidate is blk.4.ffn_down[20][102]; zeroing it costs well under 1%.
    expect(text.stdout).toMatch(/^1 +4 +20 +102 +-0\.88\d\d /m);
    expect(text.stdout).toContain('zeroing blk.4.ffn_down.weight[20][102]');
    // Without -z the tokenizer is stories260K's known pairing, tok512.bin beside it.
    const json = JSON.parse((await runVerb(['-m', model, '--json'])).stdout);
    expect(json.candidates).toHaveLength(5);
    const { pplBefore, pplAfter } = json.zeroTop;
    expect(Math.abs(pplAfter / pplBefore - 1)).toBeLessThan(0.01);
  });
});
