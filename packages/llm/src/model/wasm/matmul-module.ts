// The WebAssembly SIMD matmul kernel, generated as bytes. Each f64x2 lane holds the running sum
// of a different output (lane 0: position 2p, lane 1: position 2p+1), and for every k in index
// order the kernel does acc = acc + (w_k · x_k) with a separately rounded f64x2.mul and
// f64x2.add (baseline SIMD has no fused multiply-add). That is exactly the JS kernel's
// `s += w * x` in doubles, so every lane reproduces kernels.ts's sum bit for bit; the final
// f32.demote_f64 rounds to nearest-even like a Float32Array store.

import { Code, encodeModule, I32, Op, Simd, V128, VOID } from '@explorables/wasm';

/** Register blocking of the generated kernel: weight rows × position pairs per pass. */
export interface MatmulBlocking {
  /** Weight rows per block (each weight load serves 2·pairs positions). */
  rows: number;
  /** Position pairs per block (each interleaved input load serves `rows` rows). */
  pairs: number;
}

/** The blocking used by default: 4 rows × 2 pairs (4 positions), 8 f64x2 accumulators. */
export const DEFAULT_BLOCKING: MatmulBlocking = { rows: 4, pairs: 2 };

// Parameters of the exported function `matmul`.
const W = 0; // byte address of the weights, row-major [d][n] float32
const X = 1; // byte address of the inputs, interleaved pairs [pairs][n][2] float64
const OUT = 2; // byte address of the outputs, row-major [2·pairs][d] float32
const PAIRS = 3; // number of position pairs
const N = 4; // input width
const D = 5; // output rows of the full matrix (the out row stride)
const I0 = 6; // first weight row to compute
const I1 = 7; // one past the last weight row to compute
const PARAMS = 8;

/** Local variable layout of the generated function. */
class Locals {
  next = PARAMS;
  readonly i32s: number[] = [];
  readonly v128s: number[] = [];
  i32(): number {
    const id = this.next++;
    this.i32s.push(id);
    return id;
  }
  v128(): number {
    // v128 locals are declared after all i32 locals; renumbered in finish().
    const id = -1 - this.v128s.length;
    this.v128s.push(id);
    return id;
  }
}

/**
 * Builds the kernel module: exports `mem` (its memory) and
 * `matmul(w, x, out, pairs, n, d, i0, i1)`, which computes output rows i0..i1 for all 2·pairs
 * positions: out[t][i] = f32(Σ_k w[i][k] · x[t][k]), the sum a double in index order k = 0..n-1.
 * Inputs are interleaved pairs of float64: x[(p·n + k)·2 + lane] = input of position 2p+lane.
 * @example const bytes = buildMatmulModule(); WebAssembly.validate(bytes)
 */
export function buildMatmulModule(blocking: MatmulBlocking = DEFAULT_BLOCKING): Uint8Array {
  const { rows: R, pairs: Q } = blocking;
  if (!Number.isInteger(R) || R < 1 || R > 8 || !Number.isInteger(Q) || Q < 1 || Q > 4) {
    throw new Error(`matmul module: blocking ${R}×${Q}; expected 1..8 rows × 1..4 pairs`);
  }
  const L = new Locals();
  const p = L.i32();
  const i = L.i32();
  const wp = L.i32();
  const xp = L.i32();
  const wend = L.i32();
  const xb = L.i32();
  const ob = L.i32();
  const obi = L.i32();
  const nb16 = L.i32();
  const db4 = L.i32();
  // rowOff[r] = r·n·4 (byte offset of weight row r of a block), r ≥ 1.
  const rowOff: number[] = [0];
  for (let r = 1; r < R; r++) rowOff.push(L.i32());
  // pairOff[q] = q·n·16 (byte offset of pair q of a block), q ≥ 1.
  const pairOff: number[] = [0];
  for (let q = 1; q < Q; q++) pairOff.push(L.i32());
  // outOff[j] = j·d·4 (byte offset of output row j of a block), j ≥ 1.
  const outOff: number[] = [0];
  for (let j = 1; j < 2 * Q; j++) outOff.push(L.i32());
  const acc: number[] = [];
  for (let j = 0; j < R * Q; j++) acc.push(L.v128());
  const xv: number[] = [];
  for (let q = 0; q < Q; q++) xv.push(L.v128());
  const wv = L.v128();
  const nI32 = L.i32s.length;
  const local = (id: number): number => (id >= 0 ? id : PARAMS + nI32 + (-1 - id));

  const c = new Code();
  const get = (id: number) => c.get(local(id));
  const set = (id: number) => c.set(local(id));

  // Strides.
  for (let r = 1; r < R; r++) {
    c.get(N)
      .i32(4 * r)
      .op(Op.i32Mul);
    set(rowOff[r]);
  }
  c.get(N).i32(4).op(Op.i32Shl);
  set(nb16);
  for (let q = 1; q < Q; q++) {
    get(nb16).i32(q).op(Op.i32Mul);
    set(pairOff[q]);
  }
  c.get(D).i32(2).op(Op.i32Shl);
  set(db4);
  for (let j = 1; j < 2 * Q; j++) {
    get(db4).i32(j).op(Op.i32Mul);
    set(outOff[j]);
  }
  c.i32(0);
  set(p);

  /** One block: `rows` weight rows starting at row i × `pairs` pairs starting at pair p. */
  const block = (rows: number, pairs: number): void => {
    // wp = w + i·n·4; wend = wp + n·4; xp = xb
    get(i);
    c.get(N).op(Op.i32Mul).i32(2).op(Op.i32Shl).get(W).op(Op.i32Add);
    c.op(Op.localTee);
    c.bytes.push(local(wp));
    c.get(N).i32(2).op(Op.i32Shl).op(Op.i32Add);
    set(wend);
    get(xb);
    set(xp);
    for (let j = 0; j < rows * pairs; j++) {
      c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));
      set(acc[j]);
    }
    c.op(Op.block, VOID);
    get(wp);
    get(wend);
    c.op(Op.i32Eq).brIf(0); // n = 0: every sum stays +0
    c.op(Op.loop, VOID);
    for (let q = 0; q < pairs; q++) {
      get(xp);
      if (q > 0) get(pairOff[q]).op(Op.i32Add);
      c.simd(Simd.v128Load).memarg(4, 0);
      set(xv[q]);
    }
    for (let r = 0; r < rows; r++) {
      get(wp);
      if (r > 0) get(rowOff[r]).op(Op.i32Add);
      c.simd(Simd.v128Load32Splat).memarg(2, 0).simd(Simd.f64x2PromoteLowF32x4);
      set(wv);
      for (let q = 0; q < pairs; q++) {
        const a = acc[r * pairs + q];
        get(a);
        get(wv);
        get(xv[q]);
        c.simd(Simd.f64x2Mul).simd(Simd.f64x2Add);
        set(a);
      }
    }
    get(xp).i32(16).op(Op.i32Add);
    set(xp);
    get(wp).i32(4).op(Op.i32Add);
    c.op(Op.localTee);
    c.bytes.push(local(wp));
    get(wend);
    c.op(Op.i32Ne).brIf(0);
    c.op(Op.end, Op.end);
    // Stores: out row (2q + lane), columns i..i+rows.
    get(ob);
    get(i).i32(2).op(Op.i32Shl).op(Op.i32Add);
    set(obi);
    for (let q = 0; q < pairs; q++) {
      for (let lane = 0; lane < 2; lane++) {
        const j = 2 * q + lane;
        for (let r = 0; r < rows; r++) {
          get(obi);
          if (j > 0) get(outOff[j]).op(Op.i32Add);
          get(acc[r * pairs + q]);
          c.simd(Simd.f64x2ExtractLane, lane)
            .op(Op.f32DemoteF64, Op.f32Store)
            .memarg(2, 4 * r);
        }
      }
    }
  };

  /** All row blocks of rows i0..i1 for `pairs` pairs starting at pair p. */
  const rowLoops = (pairs: number): void => {
    // xb = x + p·n·16; ob = out + 2p·d·4
    get(p);
    get(nb16);
    c.op(Op.i32Mul).get(X).op(Op.i32Add);
    set(xb);
    get(p);
    get(db4);
    c.op(Op.i32Mul).i32(1).op(Op.i32Shl).get(OUT).op(Op.i32Add);
    set(ob);
    c.get(I0);
    set(i);
    for (const rows of R > 1 ? [R, 1] : [1]) {
      c.op(Op.block, VOID, Op.loop, VOID);
      get(i).i32(rows).op(Op.i32Add).get(I1).op(Op.i32GtU).brIf(1);
      block(rows, pairs);
      get(i).i32(rows).op(Op.i32Add);
      set(i);
      c.br(0).op(Op.end, Op.end);
    }
  };

  for (const pairs of Q > 1 ? [Q, 1] : [1]) {
    c.op(Op.block, VOID, Op.loop, VOID);
    get(p).i32(pairs).op(Op.i32Add).get(PAIRS).op(Op.i32GtU).brIf(1);
    rowLoops(pairs);
    get(p).i32(pairs).op(Op.i32Add);
    set(p);
    c.br(0).op(Op.end, Op.end);
  }

  return encodeModule(
    [
      {
        exportName: 'matmul',
        params: new Array<number>(PARAMS).fill(I32),
        locals: [
          [I32, nI32],
          [V128, L.v128s.length],
        ],
        body: c,
      },
    ],
    1,
  );
}
