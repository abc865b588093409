import { describe, expect, it } from 'vitest';
import { restoreWeight, tensorShape, weightAt, withWeight, zeroWeight } from './edit.ts';
import { randomModel } from './model/test-model.ts';
import { createSession } from './session.ts';

const model = randomModel(
  { dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 30, seqLen: 16 },
  5,
);

describe('weight edits', () => {
  it('zeroWeight(model, coord) zeroes one ffn_down weight, copying only that tensor', () => {
    const coord = { layer: 1, row: 3, col: 17 };
    const before = model.layers[1].w2.slice();
    expect(weightAt(model, coord)).not.toBe(0);
    const edited = zeroWeight(model, coord);
    expect(weightAt(edited, coord)).toBe(0);
    expect(model.layers[1].w2).toEqual(before);
    expect(edited.layers[1].w2).not.toBe(model.layers[1].w2);
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (edited.layers[1].w2[i] !== before[i]) changed++;
    expect(changed).toBe(1);
    expect(edited.layers[1].w2[3 * 24 + 17]).toBe(0);
    expect(edited.layers[0]).toBe(model.layers[0]);
    expect(edited.layers[1].w1).toBe(model.layers[1].w1);
    expect(edited.tokenEmbedding).toBe(model.tokenEmbedding);
    expect(edited.output).toBe(model.output);
  });

  it('withWeight(model, coord, value) stores float32 and edits other tensors by GGUF name', () => {
    const edited = withWeight(model, { layer: 0, row: 5, col: 2, tensor: 'attn_k' }, 0.1);
    expect(edited.layers[0].wk[5 * 16 + 2]).toBe(Math.fround(0.1));
    expect(edited.layers[0].wq).toBe(model.layers[0].wq);
    const norm = withWeight(model, { layer: 1, row: 0, col: 15, tensor: 'ffn_norm' }, 3);
    expect(norm.layers[1].ffnNorm[15]).toBe(3);
    expect(tensorShape(model, 'ffn_down')).toEqual([16, 24]);
    expect(tensorShape(model, 'attn_v')).toEqual([8, 16]);
  });

  it('restoreWeight(edited, original, coord) shares the original tensor again', () => {
    const coord = { layer: 0, row: 0, col: 0 };
    const a = zeroWeight(model, coord);
    const b = withWeight(a, { layer: 0, row: 1, col: 1, tensor: 'ffn_up' }, 9);
    const back = restoreWeight(b, model, coord);
    expect(back.layers[0].w2).toBe(model.layers[0].w2);
    expect(back.layers[0].w3[16 + 1]).toBe(9);
    const ids = [1, 2, 3];
    expect(createSession(restoreWeight(a, model, coord)).prefill(ids)).toEqual(
      createSession(model).prefill(ids),
    );
  });

  it('edits reject out-of-range coordinates and non-finite values', () => {
    expect(() => zeroWeight(model, { layer: 2, row: 0, col: 0 })).toThrow(/layer 2.*0\.\.1/);
    expect(() => zeroWeight(model, { layer: 0, row: 16, col: 0 })).toThrow(/row 16.*0\.\.15/);
    expect(() => zeroWeight(model, { layer: 0, row: 0, col: 24 })).toThrow(/col 24.*0\.\.23/);
    expect(() => zeroWeight(model, { layer: 0, row: 0.5, col: 0 })).toThrow(/row/);
    expect(() => withWeight(model, { layer: 0, row: 0, col: 0 }, Number.NaN)).toThrow(/finite/);
    expect(() =>
      zeroWeight(model, { layer: 0, row: 0, col: 0, tensor: 'nope' as 'ffn_up' }),
    ).toThrow(/tensor 'nope'/);
  });
});
