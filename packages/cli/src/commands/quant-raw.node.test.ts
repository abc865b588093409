import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeShared, readShared, readSharedJson, sharedPath } from '@explorables/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../testing.ts';

interface Case {
  id: string;
  ggml_type_name: string;
  variant: string;
  rows: number;
  n_per_row: number;
  input: string;
  imatrix: string | null;
  quantized: string;
  dequantized: string;
}

const DIR = 'ggml-quants';

/** undefined when equal, else the first differing byte. */
function mismatch(got: Uint8Array, want: Uint8Array): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) return `byte ${i}: ${got[i]}, expected ${want[i]}`;
  }
  return undefined;
}

describeShared(
  'quant-raw and dequant-raw against ggml',
  [['reference', `${DIR}/manifest.json`]],
  () => {
    let dir: string;
    const path = (relative: string) => {
      const found = sharedPath('reference', `${DIR}/${relative}`);
      if (found === undefined) throw new Error(`missing reference file ${relative}`);
      return found;
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'explorables-quant-raw-ref-'));
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('quant-raw --type q4_K (with and without --imatrix) and dequant-raw reproduce ggml byte for byte', async () => {
      const out = join(dir, 'q4_k.bin');
      const back = join(dir, 'q4_k.f32');
      const input = path('seed1/n256/input.f32.bin');
      const plain = await run(['quant-raw', '--type', 'q4_K', '--cols', '256', input, out]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stderr).toContain('17 rows × 256 values as q4_K');
      const want = readShared('reference', `${DIR}/seed1/n256/q4_k.quant.bin`);
      expect(mismatch(new Uint8Array(await readFile(out)), want)).toBeUndefined();
      const imatrix = path('seed1/n256/imatrix.f32.bin');
      const args = ['--type', 'q4_k', '--cols', '256', '--imatrix', imatrix, input, out];
      const weighted = await run(['quant-raw', ...args]);
      expect(weighted.code, weighted.stderr).toBe(0);
      const wantImatrix = readShared('reference', `${DIR}/seed1/n256/q4_k.imatrix.quant.bin`);
      expect(mismatch(new Uint8Array(await readFile(out)), wantImatrix)).toBeUndefined();
      const quantized = path('seed1/n256/q4_k.quant.bin');
      const d = await run(['dequant-raw', '--type', 'Q4_K', '--cols', '256', quantized, back]);
      expect(d.code, d.stderr).toBe(0);
      const wantBack = readShared('reference', `${DIR}/seed1/n256/q4_k.dequant.f32.bin`);
      expect(mismatch(new Uint8Array(await readFile(back)), wantBack)).toBeUndefined();
    });

    it('quant-raw and dequant-raw reproduce every case of the manifest byte for byte', async () => {
      const { cases } = readSharedJson<{ cases: Case[] }>('reference', `${DIR}/manifest.json`);
      expect(cases.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const c of cases) {
        const cols = String(c.n_per_row);
        const out = join(dir, 'case.bin');
        const back = join(dir, 'case.f32');
        const imatrix = c.imatrix === null ? [] : ['--imatrix', path(c.imatrix)];
        const q = await run([
          'quant-raw',
          '--type',
          c.ggml_type_name,
          '--cols',
          cols,
          ...imatrix,
          path(c.input),
          out,
        ]);
        if (q.code !== 0) failures.push(`${c.id} ${c.variant}: quant-raw: ${q.stderr}`);
        const wrong = mismatch(
          new Uint8Array(await readFile(out)),
          readShared('reference', `${DIR}/${c.quantized}`),
        );
        if (wrong) failures.push(`${c.id} ${c.variant} quantize: ${wrong}`);
        const d = await run([
          'dequant-raw',
          '--type',
          c.ggml_type_name,
          '--cols',
          cols,
          path(c.quantized),
          back,
        ]);
        if (d.code !== 0) failures.push(`${c.id} ${c.variant}: dequant-raw: ${d.stderr}`);
        // Bytes, not numbers: -0 and NaN payloads count.
        const wrongBack = mismatch(
          new Uint8Array(await readFile(back)),
          readShared('reference', `${DIR}/${c.dequantized}`),
        );
        if (wrongBack) failures.push(`${c.id} ${c.variant} dequantize: ${wrongBack}`);
      }
      expect(failures).toEqual([]);
    });
  },
);
