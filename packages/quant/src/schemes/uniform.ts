// Textbook uniform (linear) quantization: symmetric absmax and asymmetric scale + zero point, per
// tensor, per row or per block, with optional clipping.
//
// Conventions, shared by both schemes:
// - Arithmetic is in double precision; each group's scale is rounded once to float32 (it is what
//   a file would store) and every later step uses that stored scale. `dequantized` holds
//   (q - zeroPoint) * scale rounded once to float32.
// - Rounding is half away from zero (C's roundf): 2.5 → 3, -2.5 → -3. It is odd-symmetric,
//   round(-v) = -round(v), so a symmetric grid treats +x and -x alike.
// - Symmetric: qmax = 2^(b-1) - 1 and qmin = -qmax (the restricted range, so the grid is symmetric
//   about zero: 4 bits gives -7…7). scale = a / qmax where a = absmax of the group after clipping;
//   q = clamp(round(x / scale), qmin, qmax); x̂ = q · scale.
// - Asymmetric: q ∈ [0, 2^b - 1]. With lo, hi the group's min and max after clipping (widened to
//   include 0 unless includeZero is false), scale = (hi - lo) / (2^b - 1),
//   zeroPoint = round(-lo / scale), q = clamp(round(x / scale) + zeroPoint, 0, 2^b - 1),
//   x̂ = (q - zeroPoint) · scale. Without includeZero, a range narrow and far from 0 can need a
//   zero point beyond int32; that throws rather than wrapping.
// - Zero scale: a group whose range is zero (all zeros) gets scale 0, q = zeroPoint = 0 and x̂ = 0,
//   never NaN. So does a group whose scale underflows float32 (|x| below about 1e-43).
// - Clipping clamps x to [-c, c] before the range is measured: c is a fixed value, a percentile of
//   |x| within the group, or the c = r · absmax (r on a grid from 1 down to minRatio) that gives
//   the group the smallest squared error; r = 1 (no clipping) is always a candidate, so the search
//   is never worse than no clipping.
// - Granularity: 'tensor' is one group; 'row' is one group per row (needs rows × cols); 'block'
//   cuts every row into blocks of blockSize (the last block of a row may be shorter; blocks never
//   straddle rows; without rows/cols the tensor is one row).

/** How a tensor is cut into groups that each get their own scale (and zero point). */
export type Granularity = 'tensor' | 'row' | 'block';

/**
 * Clipping: a fixed |x| limit, a percentile (0–100) of |x| within each group, or a search for the
 * limit that minimises each group's squared error over `steps` ratios of absmax in [minRatio, 1].
 */
export type ClipOption =
  | number
  | { readonly value: number }
  | { readonly percentile: number }
  | { readonly search: 'mse'; readonly steps?: number; readonly minRatio?: number };

/** Options shared by quantizeSymmetric and quantizeAsymmetric. */
export interface UniformOptions {
  /** Bits per value, an integer 2–16. */
  readonly bits: number;
  /** 'tensor' (default), 'row' or 'block'. */
  readonly granularity?: Granularity;
  /** Rows of the tensor (rows × cols = x.length); needed for 'row'. */
  readonly rows?: number;
  /** Columns of the tensor; needed for 'row'. */
  readonly cols?: number;
  /** Elements per block; needed for 'block'. */
  readonly blockSize?: number;
  /** Optional clipping; none by default. */
  readonly clip?: ClipOption;
}

/** Options of quantizeAsymmetric. */
export interface AsymmetricOptions extends UniformOptions {
  /**
   * Widen each group's [min, max] to include 0, so 0 is exactly representable and the zero point
   * lies in [0, 2^b - 1] (default true). When false, the zero point may fall outside that range.
   */
  readonly includeZero?: boolean;
}

/** The result of a uniform quantization. */
export interface UniformResult {
  /** Integer codes, one per element, in [qmin, qmax]. */
  readonly q: Int32Array;
  /** One float32 scale per group, in group order (row-major, blocks left to right). */
  readonly scales: Float32Array;
  /** One zero point per group (asymmetric only). */
  readonly zeroPoints?: Int32Array;
  /** The reconstruction (q - zeroPoint) · scale, rounded to float32. */
  readonly dequantized: Float32Array;
  /** Smallest code. */
  readonly qmin: number;
  /** Largest code. */
  readonly qmax: number;
  /** Elements per group (the last block of a row may be shorter). */
  readonly groupSize: number;
  /** The |x| limit each group was clipped to (Infinity where no clipping applied). */
  readonly clips: Float64Array;
}

const f = Math.fround;

/**
 * Rounds half away from zero, as C's roundf: the rounding every scheme here uses.
 * @example roundHalfAway(-2.5) // -3
 */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * The code range of a symmetric b-bit grid: qmax = 2^(b-1) - 1 and qmin = -qmax.
 * @example symmetricRange(4) // { qmin: -7, qmax: 7 }
 */
export function symmetricRange(bits: number): { qmin: number; qmax: number } {
  checkBits(bits);
  const qmax = 2 ** (bits - 1) - 1;
  return { qmin: -qmax, qmax };
}

/**
 * The code range of an asymmetric b-bit grid: 0 … 2^b - 1.
 * @example asymmetricRange(4) // { qmin: 0, qmax: 15 }
 */
export function asymmetricRange(bits: number): { qmin: number; qmax: number } {
  checkBits(bits);
  return { qmin: 0, qmax: 2 ** bits - 1 };
}

/**
 * Symmetric absmax quantization of `x` to `bits` bits per group (see the file header for the exact
 * conventions: scale = absmax / qmax, round half away from zero, qmin = -qmax).
 * @example quantizeSymmetric(new Float32Array([0.3, -1]), { bits: 4 }).q // Int32Array [2, -7]
 */
export function quantizeSymmetric(x: Float32Array, opts: UniformOptions): UniformResult {
  return quantizeUniform('quantizeSymmetric', x, opts, true, true);
}

/**
 * Asymmetric quantization of `x` with a scale and an integer zero point per group (see the file
 * header: scale = (max - min) / (2^b - 1), zeroPoint = round(-min / scale), codes 0 … 2^b - 1).
 * @example quantizeAsymmetric(new Float32Array([0, 1.5, 3]), { bits: 2 }).q // Int32Array [0, 2, 3]
 */
export function quantizeAsymmetric(x: Float32Array, opts: AsymmetricOptions): UniformResult {
  return quantizeUniform('quantizeAsymmetric', x, opts, false, opts.includeZero ?? true);
}

interface Groups {
  /** Start index of every group, plus x.length at the end. */
  readonly starts: Int32Array;
  readonly groupSize: number;
}

function quantizeUniform(
  fn: string,
  x: Float32Array,
  opts: UniformOptions,
  symmetric: boolean,
  includeZero: boolean,
): UniformResult {
  checkBits(opts.bits, fn);
  const { qmin, qmax } = symmetric ? symmetricRange(opts.bits) : asymmetricRange(opts.bits);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new Error(`${fn}: x[${i}] is ${x[i]}; expected finite numbers only`);
    }
  }
  const groups = makeGroups(fn, x.length, opts);
  const clip = parseClip(fn, opts.clip);
  const groupCount = groups.starts.length - 1;
  const q = new Int32Array(x.length);
  const dequantized = new Float32Array(x.length);
  const scales = new Float32Array(groupCount);
  const zeroPoints = symmetric ? undefined : new Int32Array(groupCount);
  const clips = new Float64Array(groupCount);
  const scratch = clip.kind === 'percentile' ? new Float64Array(groups.groupSize) : undefined;
  const grid: Grid = { scale: 0, zeroPoint: 0 };

  for (let g = 0; g < groupCount; g++) {
    const start = groups.starts[g];
    const end = groups.starts[g + 1];
    let lo = 0;
    let hi = 0;
    let absMax = 0;
    if (end > start) {
      lo = x[start];
      hi = x[start];
      for (let i = start + 1; i < end; i++) {
        const v = x[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      absMax = Math.max(-lo, hi);
    }
    let c = Number.POSITIVE_INFINITY;
    if (clip.kind === 'value') c = clip.value;
    else if (clip.kind === 'percentile')
      c = absPercentile(x, start, end, clip.percentile, scratch!);
    else if (clip.kind === 'search') {
      let bestSse = Number.POSITIVE_INFINITY;
      for (let s = 0; s < clip.steps; s++) {
        const ratio = s === 0 ? 1 : 1 - ((1 - clip.minRatio) * s) / (clip.steps - 1);
        const candidate = s === 0 ? Number.POSITIVE_INFINITY : absMax * ratio;
        if (!makeGrid(lo, hi, candidate, symmetric, includeZero, qmax, grid)) continue;
        const sse = groupSse(x, start, end, grid, qmin, qmax);
        if (sse < bestSse) {
          bestSse = sse;
          c = candidate;
        }
      }
    }
    clips[g] = c;
    if (!makeGrid(lo, hi, c, symmetric, includeZero, qmax, grid)) {
      throw new Error(
        `${fn}: group ${g} (elements ${start}…${end - 1}) spans [${lo}, ${hi}], so narrow and ` +
          `far from 0 that its zero point ${grid.zeroPoint} does not fit int32; ` +
          'use includeZero: true',
      );
    }
    scales[g] = grid.scale;
    if (zeroPoints) zeroPoints[g] = grid.zeroPoint;
    const { scale, zeroPoint } = grid;
    for (let i = start; i < end; i++) {
      let code = zeroPoint;
      if (scale !== 0) {
        code = roundHalfAway(x[i] / scale) + zeroPoint;
        if (code < qmin) code = qmin;
        else if (code > qmax) code = qmax;
      }
      q[i] = code;
      dequantized[i] = (code - zeroPoint) * scale;
    }
  }
  return {
    q,
    scales,
    ...(zeroPoints ? { zeroPoints } : {}),
    dequantized,
    qmin,
    qmax,
    groupSize: groups.groupSize,
    clips,
  };
}

interface Grid {
  scale: number;
  zeroPoint: number;
}

/**
 * Fills `grid` with the float32 scale and zero point for range [lo, hi] clipped to [-c, c]; returns
 * false when the zero point does not fit int32 (only possible with includeZero false).
 */
function makeGrid(
  lo: number,
  hi: number,
  c: number,
  symmetric: boolean,
  includeZero: boolean,
  qmax: number,
  grid: Grid,
): boolean {
  lo = Math.min(Math.max(lo, -c), c);
  hi = Math.min(Math.max(hi, -c), c);
  if (symmetric) {
    grid.scale = f(Math.max(-lo, hi) / qmax);
    grid.zeroPoint = 0;
    return true;
  }
  if (includeZero || lo === hi) {
    // A zero-width nonzero range [v, v] is widened to include 0 so that v stays representable.
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  const scale = f((hi - lo) / qmax);
  grid.scale = scale;
  if (scale === 0) {
    grid.zeroPoint = 0;
    return true;
  }
  let zp = roundHalfAway(-lo / scale);
  if (includeZero) zp = Math.min(Math.max(zp, 0), qmax);
  grid.zeroPoint = zp;
  return zp >= -0x80000000 && zp <= 0x7fffffff;
}

/** The squared error of quantizing x[start, end) on `grid`, with the same float32 rounding. */
function groupSse(
  x: Float32Array,
  start: number,
  end: number,
  grid: Grid,
  qmin: number,
  qmax: number,
): number {
  const { scale, zeroPoint } = grid;
  let sse = 0;
  for (let i = start; i < end; i++) {
    let deq = 0;
    if (scale !== 0) {
      let code = roundHalfAway(x[i] / scale) + zeroPoint;
      if (code < qmin) code = qmin;
      else if (code > qmax) code = qmax;
      deq = f((code - zeroPoint) * scale);
    }
    const e = x[i] - deq;
    sse += e * e;
  }
  return sse;
}

/** The p-th percentile (0–100, linear interpolation of order statistics) of |x[start, end)|. */
function absPercentile(
  x: Float32Array,
  start: number,
  end: number,
  p: number,
  scratch: Float64Array,
): number {
  const m = end - start;
  if (m === 0) return 0;
  const a = scratch.subarray(0, m);
  for (let i = 0; i < m; i++) a[i] = Math.abs(x[start + i]);
  a.sort();
  const pos = (p / 100) * (m - 1);
  const i0 = Math.floor(pos);
  const i1 = Math.min(i0 + 1, m - 1);
  return a[i0] + (a[i1] - a[i0]) * (pos - i0);
}

type ParsedClip =
  | { kind: 'none' }
  | { kind: 'value'; value: number }
  | { kind: 'percentile'; percentile: number }
  | { kind: 'search'; steps: number; minRatio: number };

function parseClip(fn: string, clip: ClipOption | undefined): ParsedClip {
  if (clip === undefined) return { kind: 'none' };
  if (typeof clip === 'number' || 'value' in clip) {
    const value = typeof clip === 'number' ? clip : clip.value;
    if (!(value >= 0)) throw new Error(`${fn}: clip is ${value}; expected a number >= 0`);
    return { kind: 'value', value };
  }
  if ('percentile' in clip) {
    const p = clip.percentile;
    if (!(p >= 0 && p <= 100)) {
      throw new Error(`${fn}: clip.percentile is ${p}; expected a number in [0, 100]`);
    }
    return { kind: 'percentile', percentile: p };
  }
  if (clip.search === 'mse') {
    const steps = clip.steps ?? 50;
    const minRatio = clip.minRatio ?? 0.1;
    if (!Number.isInteger(steps) || steps < 2 || steps > 10_000) {
      throw new Error(`${fn}: clip.steps is ${steps}; expected an integer in [2, 10000]`);
    }
    if (!(minRatio > 0 && minRatio <= 1)) {
      throw new Error(`${fn}: clip.minRatio is ${minRatio}; expected a number in (0, 1]`);
    }
    return { kind: 'search', steps, minRatio };
  }
  throw new Error(`${fn}: clip.search is ${String(clip.search)}; expected 'mse'`);
}

function makeGroups(fn: string, n: number, opts: UniformOptions): Groups {
  const granularity = opts.granularity ?? 'tensor';
  let rows = 1;
  let cols = n;
  if (opts.rows !== undefined || opts.cols !== undefined) {
    rows = opts.rows ?? -1;
    cols = opts.cols ?? -1;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new Error(
        `${fn}: rows ${opts.rows} and cols ${opts.cols} must both be given as integers >= 0`,
      );
    }
    if (rows * cols !== n) {
      throw new Error(
        `${fn}: rows × cols = ${rows} × ${cols} = ${rows * cols}, but x.length = ${n}`,
      );
    }
  }
  if (granularity === 'tensor') return { starts: Int32Array.of(0, n), groupSize: n };
  if (granularity === 'row') {
    if (opts.rows === undefined) throw new Error(`${fn}: granularity 'row' needs rows and cols`);
    const starts = new Int32Array(rows + 1);
    for (let r = 0; r <= rows; r++) starts[r] = r * cols;
    return { starts, groupSize: cols };
  }
  if (granularity === 'block') {
    const bs = opts.blockSize;
    if (bs === undefined || !Number.isInteger(bs) || bs < 1) {
      throw new Error(`${fn}: blockSize is ${bs}; granularity 'block' needs an integer >= 1`);
    }
    const perRow = Math.ceil(cols / bs);
    const starts = new Int32Array(rows * perRow + 1);
    let g = 0;
    for (let r = 0; r < rows; r++) {
      for (let b = 0; b < perRow; b++) starts[g++] = r * cols + b * bs;
    }
    starts[g] = n;
    return { starts, groupSize: bs };
  }
  throw new Error(
    `${fn}: granularity is ${String(granularity)}; expected 'tensor', 'row' or 'block'`,
  );
}

function checkBits(bits: number, fn = 'bits'): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new Error(`${fn}: bits is ${bits}; expected an integer from 2 to 16`);
  }
}
