import { describe, expect, it } from 'vitest';
import { parseFileType, planQuantization, sortLikeLlamaCpp } from './plan.ts';

// A 32-layer Llama-7B-shaped model: rows of 4096 and 11008 fit every block size.
const layers = 32;
const tensors = [
  { name: 'token_embd.weight', dims: [4096, 32000] },
  { name: 'output_norm.weight', dims: [4096] },
  { name: 'output.weight', dims: [4096, 32000] },
];
for (let l = 0; l < layers; l++) {
  tensors.push(
    { name: `blk.${l}.attn_q.weight`, dims: [4096, 4096] },
    { name: `blk.${l}.attn_v.weight`, dims: [4096, 4096] },
    { name: `blk.${l}.attn_norm.weight`, dims: [4096] },
    { name: `blk.${l}.ffn_down.weight`, dims: [11008, 4096] },
  );
}
const typeOf = (plan: ReturnType<typeof planQuantization>, name: string) =>
  plan.tensors.find((t) => t.name === name)?.type;

describe('planQuantization', () => {
  it('planQuantization(Q4_K_M) gives Q6_K to attn_v and ffn_down in the "more bits" layers only', () => {
    const plan = planQuantization(tensors, 'Q4_K_M', { nHeads: 32, nKvHeads: 32 });
    const moreBits = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31];
    for (let l = 0; l < layers; l++) {
      const want = moreBits.includes(l) ? 'q6_K' : 'q4_K';
      expect(typeOf(plan, `blk.${l}.attn_v.weight`), `layer ${l}`).toBe(want);
      expect(typeOf(plan, `blk.${l}.ffn_down.weight`), `layer ${l}`).toBe(want);
    }
    expect(typeOf(plan, 'blk.5.attn_q.weight')).toBe('q4_K');
    expect(typeOf(plan, 'output.weight')).toBe('q6_K');
    expect(typeOf(plan, 'token_embd.weight')).toBe('q4_K');
    expect(typeOf(plan, 'output_norm.weight')).toBe('f32');
  });

  it('planQuantization(Q4_0) keeps Q8_0 output rules and never quantizes norms', () => {
    const plan = planQuantization(tensors, 'Q4_0', { nHeads: 32, nKvHeads: 32 });
    expect(typeOf(plan, 'output.weight')).toBe('q6_K');
    expect(plan.tensors.filter((t) => t.name.includes('norm')).every((t) => !t.quantized)).toBe(
      true,
    );
    expect(typeOf(plan, 'blk.0.ffn_down.weight')).toBe('q4_0');
  });

  it('planQuantization falls back for rows that fit no block, naming the reason', () => {
    const odd = [{ name: 'blk.0.ffn_down.weight', dims: [172, 64] }];
    const q4 = planQuantization(odd, 'Q4_0', { nHeads: 8, nKvHeads: 4 }).tensors[0];
    expect(q4.type).toBe('f16');
    expect(q4.note).toMatch(/172/);
    const small = [{ name: 'blk.0.attn_q.weight', dims: [64, 64] }];
    expect(planQuantization(small, 'Q2_K', { nHeads: 8, nKvHeads: 4 }).tensors[0].type).toBe(
      'iq4_nl',
    );
    const upstream = planQuantization(
      small,
      'Q2_K',
      { nHeads: 8, nKvHeads: 4 },
      { fallback: 'upstream' },
    );
    expect(upstream.tensors[0].type).toBe('q4_0');
  });

  it('planQuantization(MXFP4) writes every quantizable matrix as MXFP4', () => {
    const plan = planQuantization(tensors, 'MXFP4', { nHeads: 32, nKvHeads: 32 });
    expect(plan.tensors.filter((t) => t.quantized).every((t) => t.type === 'mxfp4')).toBe(true);
  });

  it('parseFileType accepts any case and the Q4_K alias, and rejects unknown names with the list', () => {
    expect(parseFileType('q4_k_m')).toBe('Q4_K_M');
    expect(parseFileType('Q4_K')).toBe('Q4_K_M');
    expect(() => parseFileType('q7_0')).toThrow(/Q4_K_M/);
  });

  it('sortLikeLlamaCpp orders layer 10 after layer 9 (numerically, not by string)', () => {
    const names = sortLikeLlamaCpp([{ name: 'blk.10.a' }, { name: 'blk.9.b' }, { name: 'x' }]);
    expect(names.map((t) => t.name)).toEqual(['x', 'blk.9.b', 'blk.10.a']);
  });
});
