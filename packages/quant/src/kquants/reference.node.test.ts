import {
  describeShared,
  readShared,
  readSharedFloat32,
  readSharedJson,
} from '@explorables/testkit';
import { expect, it } from 'vitest';
import type { GgmlType } from '../types.ts';
import * as kquants from './index.ts';

interface Case {
  id: string;
  type: string;
  variant: string;
  rows: number;
  n_per_row: number;
  row_size_bytes: number;
  type_size_bytes: number;
  input: string;
  imatrix: string | null;
  quantized: string;
  dequantized: string;
}

const DIR = 'ggml-quants';
const TYPES: Record<string, GgmlType | undefined> = kquants as unknown as Record<
  string,
  GgmlType | undefined
>;
const ORDER = ['Q6_K', 'Q4_K', 'Q5_K', 'Q3_K', 'Q2_K'];

function firstByteDiff(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function firstWordDiff(a: Uint32Array, b: Uint32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describeShared('K-quants match ggml byte for byte', [['reference', `${DIR}/manifest.json`]], () => {
  const manifest = readSharedJson<{ cases: Case[] }>('reference', `${DIR}/manifest.json`);
  for (const typeName of ORDER) {
    const cases = manifest.cases.filter((c) => c.type === typeName);
    it(`manifest lists ${typeName} cases`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(8);
    });
    for (const c of cases) {
      const type = TYPES[typeName];
      it(`quantizeRow(${c.id}) equals ggml's bytes`, () => {
        if (type === undefined) throw new Error(`${typeName} is not exported from kquants`);
        const input = readSharedFloat32('reference', `${DIR}/${c.input}`);
        const imatrix =
          c.imatrix === null ? undefined : readSharedFloat32('reference', `${DIR}/${c.imatrix}`);
        const expected = readShared('reference', `${DIR}/${c.quantized}`);
        expect(expected.length).toBe(c.rows * c.row_size_bytes);
        const out = new Uint8Array(c.row_size_bytes);
        const failures: string[] = [];
        for (let r = 0; r < c.rows; r++) {
          const row = input.subarray(r * c.n_per_row, (r + 1) * c.n_per_row);
          out.fill(0xa5);
          type.quantizeRow(row, out, imatrix);
          const want = expected.subarray(r * c.row_size_bytes, (r + 1) * c.row_size_bytes);
          const at = firstByteDiff(out, want);
          if (at >= 0) {
            const block = Math.floor(at / c.type_size_bytes);
            failures.push(
              `${c.id} row ${r} block ${block} byte ${at % c.type_size_bytes}: ` +
                `got ${out[at]}, want ${want[at]}`,
            );
          }
        }
        expect(failures).toEqual([]);
      });
      it(`dequantizeRow(${c.id}) equals ggml's float bits`, () => {
        if (type === undefined) throw new Error(`${typeName} is not exported from kquants`);
        const bytes = readShared('reference', `${DIR}/${c.quantized}`);
        const expected = new Uint32Array(
          readSharedFloat32('reference', `${DIR}/${c.dequantized}`).buffer,
        );
        const out = new Float32Array(c.n_per_row);
        const bits = new Uint32Array(out.buffer);
        const failures: string[] = [];
        for (let r = 0; r < c.rows; r++) {
          type.dequantizeRow(bytes.subarray(r * c.row_size_bytes, (r + 1) * c.row_size_bytes), out);
          const want = expected.subarray(r * c.n_per_row, (r + 1) * c.n_per_row);
          const at = firstWordDiff(bits, want);
          if (at >= 0) {
            failures.push(
              `${c.id} row ${r} block ${Math.floor(at / 256)} element ${at % 256}: ` +
                `got 0x${bits[at].toString(16)}, want 0x${want[at].toString(16)}`,
            );
          }
        }
        expect(failures).toEqual([]);
      });
    }
  }
});
