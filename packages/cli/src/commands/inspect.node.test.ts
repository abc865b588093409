import { tensorStats } from '@explorables/quant';
import { describeShared, readShared, sharedPath } from '@explorables/testkit';
import { readLlama2cCheckpoint } from '@explorables/weights';
import { expect, it } from 'vitest';
import { run } from '../testing.ts';

const MODEL = 'stories260K.bin';

describeShared('inspect stories260K.bin', [['models', MODEL]], () => {
  const path = () => sharedPath('models', MODEL) ?? '';

  it('inspect stories260K.bin reports 47 weight tensors, 260,032 parameters and the freq_cis tables apart', async () => {
    const { code, stdout, stderr } = await run(['inspect', path()]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('legacy layout (version 0, no magic); read whole (1.01 MiB)');
    expect(stdout).toMatch(/^ {2}vocab_size +i32 +512$/m);
    expect(stdout).toContain('tensors (47)');
    expect(stdout).toContain('not weights (2), left out of the totals');
    expect(stdout).toMatch(/^ {2}freq_cis_real +freq_cis_real +f32 +\[512, 4\] +8192 /m);
    expect(stdout).toContain(
      'total  47 tensors, 260,032 parameters, 1,040,128 bytes (1015.75 KiB), 32.00 bits per weight',
    );
    const json = JSON.parse((await run(['inspect', path(), '--json'])).stdout);
    expect(json.kind).toBe('llama2c');
    expect(json.totals.parameters).toBe(260_032);
    expect(json.tensors.filter((t: { isWeight: boolean }) => t.isWeight)).toHaveLength(47);
    const freq = json.tensors.filter((t: { isWeight: boolean }) => !t.isWeight);
    expect(freq.map((t: { name: string }) => t.name)).toEqual(['freq_cis_real', 'freq_cis_imag']);
    // cos and sin tables: every value in [-1, 1].
    for (const t of freq) {
      expect(t.stats.min).toBeGreaterThanOrEqual(-1);
      expect(t.stats.max).toBeLessThanOrEqual(1);
    }
  });

  it('inspect stories260K.bin --tensor blk.0.ffn_down.weight gives the statistics of llama2.c w2[0]', async () => {
    const ckpt = readLlama2cCheckpoint(readShared('models', MODEL));
    const want = tensorStats(ckpt.tensors.w2[0]);
    const args = ['inspect', path(), '--tensor', 'blk.0.ffn_down.weight', '--json'];
    const { code, stdout } = await run(args);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.tensor.sourceName).toBe('w2[0]');
    expect(report.tensor.shape).toEqual([64, 172]);
    expect(report.tensor.stats.mean).toBe(want.mean);
    expect(report.tensor.stats.std).toBe(want.std);
    const total = report.histogram.counts.reduce((a: number, b: number) => a + b, 0);
    expect(total).toBe(64 * 172);
  });
});
