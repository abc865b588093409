// The (scale, min) fit shared by the imatrix paths of Q4_1 and Q5_1 (quantize_row_q4_1_impl and
// quantize_row_q5_1_impl): make_qkx3_quants over one block of 32 with candidate scales
// −0.9 + 0.05·k for k = 0..36 and squared error.

import { makeQkx3Quants } from '../kquants/common.ts';

const QK = 32;
const RMIN = Math.fround(-0.9);
const RDELTA = Math.fround(0.05);
const NSTEP = 36;

// Scratch reused by every call: no allocation per block.
const Laux = new Uint8Array(QK);
const theMin = new Float32Array(1);

/**
 * Fits x[xo..xo+32) ≈ d·L + m under `weight` with levels L in 0..nmax (written to `L`); returns
 * [d, m] as ggml stores them (m = the fitted minimum, ≤ 0).
 * @example const [d, m] = fitBlockWithMin(15, row, 0, weight, levels)
 */
export function fitBlockWithMin(
  nmax: number,
  x: Float32Array,
  xo: number,
  weight: Float32Array,
  L: Uint8Array,
): [number, number] {
  const d = makeQkx3Quants(
    QK,
    nmax,
    x,
    xo,
    weight,
    0,
    L,
    0,
    theMin,
    0,
    Laux,
    RMIN,
    RDELTA,
    NSTEP,
    false,
  );
  return [d, -theMin[0]];
}
