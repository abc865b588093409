import { describeShared, readShared } from '@explorables/testkit';
import { expect, it } from 'vitest';
import { type FileTypeName, parseFileType, planQuantization } from './plan.ts';

interface Row {
  model: string;
  tensor: string;
  type: string;
  ne0: number;
  ne1: number;
}

function readTsv(): Row[] {
  const text = new TextDecoder().decode(readShared('reference', 'llamacpp-ppl/tensors.tsv'));
  const [, ...lines] = text.trim().split('\n');
  return lines.map((line) => {
    const [model, tensor, type, ne0, ne1] = line.split('\t');
    return { model, tensor, type, ne0: Number(ne0), ne1: Number(ne1) };
  });
}

describeShared(
  'planQuantization against llama-quantize on stories260K',
  [['reference', 'llamacpp-ppl/tensors.tsv']],
  () => {
    const rows = readTsv();
    const f32 = rows.filter((r) => r.model === 'F32');
    const tensors = f32.map((r) => ({
      name: r.tensor,
      dims: r.ne1 === 1 ? [r.ne0] : [r.ne0, r.ne1],
    }));
    const models = [...new Set(rows.map((r) => r.model))].filter((m) => m !== 'F32');

    it.each(models)(
      'planQuantization(%s) chooses the type llama-quantize chose for all 48 tensors',
      (model) => {
        const plan = planQuantization(tensors, parseFileType(model) as FileTypeName, {
          nHeads: 8,
          nKvHeads: 4,
        });
        const chosen = new Map(plan.tensors.map((t) => [t.name, t.type]));
        const expected = rows.filter((r) => r.model === model);
        expect(expected).toHaveLength(48);
        for (const r of expected)
          expect(`${r.tensor}: ${chosen.get(r.tensor)}`).toBe(`${r.tensor}: ${r.type}`);
      },
    );

    it('planQuantization lists tensors in llama-quantize order (outside blocks first, then by layer and name)', () => {
      const plan = planQuantization(tensors, 'Q4_0', { nHeads: 8, nKvHeads: 4 });
      expect(plan.tensors.slice(0, 5).map((t) => t.name)).toEqual([
        'output.weight',
        'output_norm.weight',
        'token_embd.weight',
        'blk.0.attn_k.weight',
        'blk.0.attn_norm.weight',
      ]);
    });
  },
);
