import { createHash } from 'node:crypto';
import {
  describeShared,
  readShared,
  readSharedFloat32,
  readSharedJson,
} from '@explorables/testkit';
import { expect, it } from 'vitest';
import { quantizeQ4_0Scalar } from './ggml/q4.ts';
import { quantizeQ8_0Scalar } from './ggml/q8.ts';
import { createWasmQuantizer } from './ggml/wasm/wasm-quantize.ts';
import { dequantizeRows, ggmlType, quantizeRows } from './registry.ts';
import type { GgmlType } from './types.ts';

interface Case {
  id: string;
  type: string;
  variant: string;
  rows: number;
  n_per_row: number;
  row_size_bytes: number;
  input: string;
  imatrix: string | null;
  quantized: string;
  dequantized: string;
}

const DIR = 'ggml-quants';

function lookup(name: string): GgmlType | undefined {
  try {
    return ggmlType(name);
  } catch {
    return undefined;
  }
}

/** undefined when equal, else where the first difference is, in rows and bytes. */
function byteMismatch(got: Uint8Array, want: Uint8Array, rowBytes: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      const row = Math.floor(i / rowBytes);
      return (
        `row ${row} byte ${i % rowBytes} (offset ${i}): got 0x${got[i].toString(16)}, ` +
        `want 0x${want[i].toString(16)}`
      );
    }
  }
  return undefined;
}

function bitsMismatch(got: Float32Array, want: Float32Array, nPerRow: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) {
      return (
        `row ${Math.floor(i / nPerRow)} element ${i % nPerRow}: got 0x${g[i].toString(16)} ` +
        `(${got[i]}), want 0x${w[i].toString(16)} (${want[i]})`
      );
    }
  }
  return undefined;
}

describeShared('ggml-quants reference vectors', [['reference', `${DIR}/manifest.json`]], () => {
  const manifest = readSharedJson<{ cases: Case[] }>('reference', `${DIR}/manifest.json`);

  it('manifest.json lists all 96 quantize/dequantize cases', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(96);
  });

  for (const c of manifest.cases) {
    const type = lookup(c.type);
    const label = `${c.id}${c.variant === 'imatrix' ? ' (imatrix)' : ''}`;
    if (type === undefined) {
      // Every type the reference covers must be ours: a missing one fails, naming it.
      it(`quantizeRows(${c.type}) reproduces ${label}`, () => {
        expect.fail(`ggml type ${c.type} is not in the quant registry`);
      });
      continue;
    }
    it(`quantizeRows(${c.type}) reproduces ${label} byte for byte`, () => {
      const input = readSharedFloat32('reference', `${DIR}/${c.input}`);
      const imatrix =
        c.imatrix === null ? undefined : readSharedFloat32('reference', `${DIR}/${c.imatrix}`);
      const want = readShared('reference', `${DIR}/${c.quantized}`);
      expect(input.length).toBe(c.rows * c.n_per_row);
      const got = quantizeRows(type, input, c.n_per_row, imatrix);
      expect(byteMismatch(got, want, c.row_size_bytes)).toBeUndefined();
    });
    // q8_0 and q4_0 have three paths: the dispatch above (SIMD for these rows), and each of the
    // SIMD kernel and the scalar port on its own, so neither can hide behind the other.
    const scalar = { q8_0: quantizeQ8_0Scalar, q4_0: quantizeQ4_0Scalar }[type.name];
    if (scalar !== undefined && c.imatrix === null) {
      it(`the SIMD kernel and the scalar port of ${type.name} each reproduce ${label}`, () => {
        const input = readSharedFloat32('reference', `${DIR}/${c.input}`);
        const want = readShared('reference', `${DIR}/${c.quantized}`);
        const wasm = createWasmQuantizer();
        if (wasm === undefined) throw new Error('this test needs WebAssembly SIMD');
        const viaWasm = new Uint8Array(want.length);
        expect(wasm(type.name as 'q8_0' | 'q4_0', input, viaWasm)).toBe(true);
        expect(byteMismatch(viaWasm, want, c.row_size_bytes)).toBeUndefined();
        const viaScalar = new Uint8Array(want.length);
        scalar(input, viaScalar);
        expect(byteMismatch(viaScalar, want, c.row_size_bytes)).toBeUndefined();
      });
    }
    it(`dequantizeRows(${c.type}) reproduces ${label} bit for bit`, () => {
      const bytes = readShared('reference', `${DIR}/${c.quantized}`);
      const want = readSharedFloat32('reference', `${DIR}/${c.dequantized}`);
      const got = dequantizeRows(type, bytes, c.n_per_row);
      expect(bitsMismatch(got, want, c.n_per_row)).toBeUndefined();
    });
  }
});

// stories260K.bin (llama2.c format): 7 int32 header, then float32 tensors in this order.
const DIM = 64;
const HIDDEN = 172;
const LAYERS = 5;
const KV_DIM = 32;
const VOCAB = 512;

function modelTensors(bytes: Uint8Array): Map<string, { data: Float32Array; ne0: number }> {
  const all = new Float32Array(bytes.slice(28).buffer);
  let at = 0;
  const take = (n: number): Float32Array => {
    const t = all.subarray(at, at + n);
    at += n;
    return t;
  };
  const emb = take(VOCAB * DIM);
  const rmsAtt = take(LAYERS * DIM);
  const wq = take(LAYERS * DIM * DIM);
  const wk = take(LAYERS * KV_DIM * DIM);
  const wv = take(LAYERS * KV_DIM * DIM);
  const wo = take(LAYERS * DIM * DIM);
  const rmsFfn = take(LAYERS * DIM);
  const w1 = take(LAYERS * HIDDEN * DIM);
  const w2 = take(LAYERS * DIM * HIDDEN);
  const w3 = take(LAYERS * HIDDEN * DIM);
  const rmsFinal = take(DIM);
  const out = new Map<string, { data: Float32Array; ne0: number }>();
  out.set('token_embd.weight', { data: emb, ne0: DIM });
  out.set('output.weight', { data: emb, ne0: DIM });
  out.set('output_norm.weight', { data: rmsFinal, ne0: DIM });
  const layer = (t: Float32Array, l: number, size: number) => t.subarray(l * size, (l + 1) * size);
  for (let l = 0; l < LAYERS; l++) {
    const b = `blk.${l}.`;
    out.set(`${b}attn_norm.weight`, { data: layer(rmsAtt, l, DIM), ne0: DIM });
    out.set(`${b}ffn_norm.weight`, { data: layer(rmsFfn, l, DIM), ne0: DIM });
    out.set(`${b}attn_q.weight`, { data: layer(wq, l, DIM * DIM), ne0: DIM });
    out.set(`${b}attn_k.weight`, { data: layer(wk, l, KV_DIM * DIM), ne0: DIM });
    out.set(`${b}attn_v.weight`, { data: layer(wv, l, KV_DIM * DIM), ne0: DIM });
    out.set(`${b}attn_output.weight`, { data: layer(wo, l, DIM * DIM), ne0: DIM });
    out.set(`${b}ffn_gate.weight`, { data: layer(w1, l, HIDDEN * DIM), ne0: DIM });
    out.set(`${b}ffn_down.weight`, { data: layer(w2, l, DIM * HIDDEN), ne0: HIDDEN });
    out.set(`${b}ffn_up.weight`, { data: layer(w3, l, HIDDEN * DIM), ne0: DIM });
  }
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface TsvRow {
  model: string;
  tensor: string;
  type: string;
  ne0: number;
  ne1: number;
  bytes: number;
  sha256: string;
}

describeShared(
  'llama.cpp tensors of stories260K',
  [
    ['reference', 'llamacpp-ppl/tensors.tsv'],
    ['models', 'stories260K.bin'],
  ],
  () => {
    const text = new TextDecoder().decode(readShared('reference', 'llamacpp-ppl/tensors.tsv'));
    const rows: TsvRow[] = text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [model, tensor, type, ne0, ne1, bytes, hash] = line.split('\t');
        return { model, tensor, type, ne0: +ne0, ne1: +ne1, bytes: +bytes, sha256: hash };
      });
    const tensors = modelTensors(readShared('models', 'stories260K.bin'));

    it('every F32 tensor of the F32 GGUF hashes like the llama2.c array it maps to', () => {
      const f32 = rows.filter((r) => r.model === 'F32');
      expect(f32.length).toBe(48);
      for (const r of f32) {
        const t = tensors.get(r.tensor);
        expect(t, r.tensor).toBeDefined();
        const bytes = new Uint8Array(t!.data.buffer, t!.data.byteOffset, t!.data.byteLength);
        expect(t!.ne0, r.tensor).toBe(r.ne0);
        expect(bytes.length, r.tensor).toBe(r.bytes);
        expect(sha256(bytes), r.tensor).toBe(r.sha256);
      }
    });

    const byType = new Map<string, TsvRow[]>();
    for (const r of rows) {
      if (r.model === 'F32' || r.type === 'f32') continue;
      const list = byType.get(r.type) ?? [];
      list.push(r);
      byType.set(r.type, list);
    }
    for (const [typeName, list] of byType) {
      const type = lookup(typeName);
      if (type === undefined) {
        it(`quantizeRows(${typeName}) reproduces llama-quantize`, () => {
          expect.fail(`llama-quantize wrote type ${typeName}, which is not in the quant registry`);
        });
        continue;
      }
      it(`quantizeRows(${typeName}) reproduces all ${list.length} llama-quantize tensors`, () => {
        const wrong: string[] = [];
        for (const r of list) {
          const t = tensors.get(r.tensor)!;
          const q = quantizeRows(type, t.data, r.ne0);
          if (q.length !== r.bytes || sha256(q) !== r.sha256) wrong.push(`${r.model}/${r.tensor}`);
        }
        expect(wrong).toEqual([]);
      });
    }
  },
);
