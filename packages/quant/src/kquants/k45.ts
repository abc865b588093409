// The part Q4_K and Q5_K share: fitting 8 sub-blocks of 32 with a scale and a min, quantizing
// those to 6 bits against fp16 super-block d/dmin, and requantizing the values with the stored
// scales. Only the final packing of the levels (4 or 5 bits) differs between the two types.

import { writeFp16 } from '../half.ts';
import {
  makeQkx2Quants,
  makeQkx3Quants,
  makeQpQuants,
  minK4,
  nearestInt,
  packScaleMinK4,
  QK_K,
  scaleK4,
} from './common.ts';

const f = Math.fround;

const Laux = new Uint8Array(32);
const weights = new Float32Array(32);
const mins = new Float32Array(8);
const scales = new Float32Array(8);
const sw = new Float32Array(8);
const Ls = new Uint8Array(8);
const Lm = new Uint8Array(8);

const RMIN_X3 = f(-0.9);
const RDELTA_X3 = f(0.05);

/**
 * Quantizes the super-block at `src[xo..xo+256)` into d, dmin and the 12 scale bytes of the block at
 * `dst[yo..]` (Q4_K/Q5_K header layout) and leaves its levels 0..nmax in `L[0..256)`. Without
 * `imatrix` it follows quantize_row_q{4,5}_K_ref (make_qkx2_quants with rmin/rdelta/nstep), with
 * it quantize_row_q{4,5}_K_impl (make_qkx3_quants, make_qp_quants).
 * @example quantizeBlockK45(x, 0, block, 0, undefined, 15, f(-1), f(0.1), 20, false, L)
 */
export function quantizeBlockK45(
  src: Float32Array,
  xo: number,
  dst: Uint8Array,
  yo: number,
  imatrix: Float32Array | undefined,
  nmax: number,
  rmin: number,
  rdelta: number,
  nstep: number,
  clampImatrixLevels: boolean,
  L: Uint8Array,
): void {
  let dBlock: number;
  let mBlock: number;
  if (imatrix === undefined) {
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const so = xo + 32 * j;
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = f(sumX2 + f(src[so + l] * src[so + l]));
      const avX = f(Math.sqrt(f(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = f(avX + Math.abs(src[so + l]));
      const scale = makeQkx2Quants(
        32,
        nmax,
        src,
        so,
        weights,
        0,
        L,
        32 * j,
        mins,
        j,
        Laux,
        rmin,
        rdelta,
        nstep,
        false,
      );
      scales[j] = scale;
      if (scale > maxScale) maxScale = scale;
      const min = mins[j];
      if (min > maxMin) maxMin = min;
    }
    const invScale = maxScale > 0 ? f(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? f(63 / maxMin) : 0;
    for (let j = 0; j < 8; j++) {
      const ls = nearestInt(f(invScale * scales[j])) & 0xff;
      const lm = nearestInt(f(invMin * mins[j])) & 0xff;
      Ls[j] = Math.min(63, ls);
      Lm[j] = Math.min(63, lm);
    }
    dBlock = f(maxScale / 63);
    mBlock = f(maxMin / 63);
  } else {
    let sumX2 = 0;
    for (let l = 0; l < QK_K; l++) sumX2 = f(sumX2 + f(src[xo + l] * src[xo + l]));
    const sigma2 = f(f(2 * sumX2) / QK_K);
    for (let j = 0; j < 8; j++) {
      const so = xo + 32 * j;
      for (let l = 0; l < 32; l++) {
        const x = src[so + l];
        weights[l] = f(imatrix[so + l] * f(Math.sqrt(f(sigma2 + f(x * x)))));
      }
      let sumw = 0;
      for (let l = 0; l < 32; l++) sumw = f(sumw + weights[l]);
      sw[j] = sumw;
      scales[j] = makeQkx3Quants(
        32,
        nmax,
        src,
        so,
        weights,
        0,
        L,
        32 * j,
        mins,
        j,
        Laux,
        RMIN_X3,
        RDELTA_X3,
        36,
        false,
      );
    }
    dBlock = makeQpQuants(8, 63, scales, Ls, sw);
    mBlock = makeQpQuants(8, 63, mins, Lm, sw);
    if (clampImatrixLevels) {
      for (let j = 0; j < 8; j++) {
        if (Ls[j] > 63) Ls[j] = 63;
        if (Lm[j] > 63) Lm[j] = 63;
      }
    }
  }
  packScaleMinK4(dst, yo + 4, Ls, Lm);
  const d = writeFp16(dst, yo, dBlock);
  const dmin = writeFp16(dst, yo + 2, mBlock);
  for (let j = 0; j < 8; j++) {
    const dj = f(d * scaleK4(j, dst, yo + 4));
    if (dj === 0) continue;
    const dm = f(dmin * minK4(j, dst, yo + 4));
    const so = xo + 32 * j;
    for (let ii = 0; ii < 32; ii++) {
      let l = nearestInt(f(f(src[so + ii] + dm) / dj));
      l = Math.min(nmax, l);
      L[32 * j + ii] = Math.max(0, l);
    }
  }
}
