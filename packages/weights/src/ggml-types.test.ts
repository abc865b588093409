import { describe, expect, it } from 'vitest';
import {
  GGML_TYPE_ID,
  GGML_TYPE_LAYOUTS,
  ggmlTensorSizeBytes,
  ggmlTypeById,
  ggmlTypeByName,
  removedGgmlTypeName,
} from './ggml-types.ts';

describe('ggml type layouts', () => {
  it('ggmlTypeById covers every id 0..39 exactly once, as a layout or as a removed type', () => {
    for (let id = 0; id < 40; id++) {
      const known = ggmlTypeById(id) !== undefined;
      const removed = removedGgmlTypeName(id) !== undefined;
      expect(known !== removed).toBe(true);
    }
    expect(ggmlTypeById(40)).toBeUndefined();
    expect(new Set(GGML_TYPE_LAYOUTS.map((t) => t.name)).size).toBe(GGML_TYPE_LAYOUTS.length);
  });

  it('ggmlTypeById gives the block layouts of ggml-common.h', () => {
    const layout = (id: number) => {
      const t = ggmlTypeById(id)!;
      return [t.name, t.blockSize, t.typeSizeBytes];
    };
    expect(layout(2)).toEqual(['q4_0', 32, 18]);
    expect(layout(8)).toEqual(['q8_0', 32, 34]);
    expect(layout(12)).toEqual(['q4_K', 256, 144]);
    expect(layout(14)).toEqual(['q6_K', 256, 210]);
    expect(layout(15)).toEqual(['q8_K', 256, 292]);
    expect(layout(23)).toEqual(['iq4_xs', 256, 136]);
    expect(layout(29)).toEqual(['iq1_m', 256, 56]);
    expect(layout(34)).toEqual(['tq1_0', 256, 54]);
    expect(layout(39)).toEqual(['mxfp4', 32, 17]);
  });

  it('ggmlTypeByName is case-insensitive and GGML_TYPE_ID agrees with the table', () => {
    expect(ggmlTypeByName('Q4_K')?.id).toBe(12);
    for (const [name, id] of Object.entries(GGML_TYPE_ID))
      expect(ggmlTypeById(id)?.name).toBe(name);
  });

  it('ggmlTensorSizeBytes multiplies blocks per row by the other dims', () => {
    expect(ggmlTensorSizeBytes(ggmlTypeById(2)!, [64, 3])).toBe(108);
    expect(ggmlTensorSizeBytes(ggmlTypeById(0)!, [7, 0, 5])).toBe(0);
    expect(ggmlTensorSizeBytes(ggmlTypeById(12)!, [100])).toMatch(/not a multiple/);
    expect(ggmlTensorSizeBytes(ggmlTypeById(0)!, [2 ** 30, 2 ** 30])).toMatch(/larger than/);
  });
});
