/**
 * Quantization benchmark: quantize and dequantize throughput of every ggml type of
 * @explorables/quant, in MB/s of float32, against a plain `Float32Array` copy of the same data
 * measured in the same run (the memory-bandwidth limit), as paired ratios.
 *
 * Method. The data is a row-major matrix of seeded normal(0, 0.02) weights with a few outliers,
 * rows of 4096 floats. The copy lane is `dst.set(src)` of the whole matrix into a preallocated
 * array. Quantize and dequantize lanes walk the matrix in chunks of CHUNK_ROWS rows, cyclically,
 * picking up where they stopped, into preallocated full-size outputs, so every chunk they read
 * comes from memory as a copy would, and a slow K-quant does not need the whole matrix to be
 * timed. Every lane repeats until it has used `minLaneMs` of CPU time. One group per type (copy
 * next to quantize and dequantize, the order alternating) is run per repetition, the groups in
 * an order rotating from one repetition to the next; each ratio divides a lane's MB/s by the copy
 * measured in its own group (paired) before the median. Time is CPU time of this process.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRng } from '@explorables/random';
import type { GgmlType } from '../packages/quant/src/types.ts';
import {
  loadAverageNow,
  machineFacts,
  type SectionReport,
  type Summary,
  spread,
  summarize,
  type Table,
} from './report.ts';

/** Options of the quant benchmark. */
export interface QuantBenchOptions {
  /** Small sizes for a smoke run (seconds, not minutes). */
  quick: boolean;
  /** The command line, recorded with the results. */
  command: string;
  /** Progress lines (to stderr). */
  log: (line: string) => void;
}

/** The types timed, in the order of the table (ggml's spelling). */
const TYPE_NAMES = [
  'f16',
  'bf16',
  'q8_0',
  'q4_0',
  'q4_1',
  'q5_0',
  'q5_1',
  'iq4_nl',
  'mxfp4',
  'q2_K',
  'q3_K',
  'q4_K',
  'q5_K',
  'q6_K',
] as const;
/** Quantize goal as a fraction of the copy bandwidth, for the types that have one. */
const GOALS: Readonly<Record<string, number>> = { q8_0: 0.1, q4_0: 0.1 };
/** The type that also gets a lane with an importance matrix. */
const IMATRIX_TYPE = 'q4_K';
const ROW = 4096;
/** Rows per timed call of a quantize or dequantize lane (16 rows = 256 KiB of float32). */
const CHUNK_ROWS = 16;
const SEED = 'bench-quant';
const NA = '—';

/** Sizes and repetitions of one run. */
interface Plan {
  /** Floats in the matrix (a multiple of ROW * CHUNK_ROWS). */
  n: number;
  reps: number;
  /** CPU time each quantize/dequantize lane runs per repetition. */
  minLaneMs: number;
  /** CPU time the copy lane runs per group. */
  minCopyMs: number;
  /** CPU time of the untimed warm-up of each lane. */
  warmupMs: number;
}

function planFor(quick: boolean): Plan {
  return quick
    ? { n: 256 * 1024, reps: 3, minLaneMs: 40, minCopyMs: 20, warmupMs: 20 }
    : { n: 4 * 1024 * 1024, reps: 5, minLaneMs: 200, minCopyMs: 100, warmupMs: 100 };
}

// ── Timing helpers (as in reservoir.bench.ts) ──

/** V8's gc hook (made available at run time), or a no-op if it cannot be had. */
function makeGc(): (options?: { type: 'minor' | 'major' }) => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
    return (options) => gc(options);
  } catch {
    return () => {};
  }
}
const gc = makeGc();

/** Collects the young generation and idles so no collector thread is billed to the next lane. */
async function settle(): Promise<void> {
  gc({ type: 'minor' });
  await new Promise((resolve) => setTimeout(resolve, 25));
}

/** CPU time of this process in ms (user + system, all threads). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// ── Data ──

/**
 * Seeded normal(0, 0.02) weights; about one value in 2048 is an outlier of 5–15 standard
 * deviations with a random sign, as the few large weights of a trained matrix.
 */
function makeWeights(n: number): Float32Array {
  const rng = createRng(`${SEED}-weights`);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    w[i] = rng.normal(0, 0.02);
    if (rng.bernoulli(1 / 2048))
      w[i] = (rng.bernoulli(0.5) ? 1 : -1) * 0.02 * (5 + 10 * rng.float());
  }
  return w;
}

/** A seeded positive importance matrix (one weight per column), like mean squared activations. */
function makeImatrix(): Float32Array {
  const rng = createRng(`${SEED}-imatrix`);
  const m = new Float32Array(ROW);
  for (let i = 0; i < ROW; i++) m[i] = rng.lognormal(0, 1);
  return m;
}

// ── Lanes ──

/** The quant engine's module, loaded at run time so a missing piece cannot crash the bench. */
type Registry = typeof import('../packages/quant/src/registry.ts');
/** The scalar ports of the two types that also have a SIMD kernel. */
type ScalarPorts = typeof import('../packages/quant/src/index.ts');
/** Types timed a second time through their scalar port, next to the SIMD kernel. */
const SCALAR_TYPES = ['q8_0', 'q4_0'] as const;

/** One timed lane: a call that processes some floats and returns how many. */
interface Lane {
  id: string;
  /** Processes the next chunk; returns floats processed. */
  step: () => number;
}

/** One type being measured, with its buffers. */
interface Subject {
  /** Row label: the type's name, 'q4_K + imatrix', or 'q8_0 scalar port'. */
  label: string;
  /** Timed through the scalar JavaScript port instead of `quantizeRows` (SIMD for q8_0, q4_0). */
  scalar?: boolean;
  name: string;
  type: GgmlType | undefined;
  /** Why it is not measured (missing type, or a throw during the first full pass). */
  unavailable?: string;
  bitsPerWeight?: number;
  imatrix?: Float32Array;
  /** Whether this row times dequantize too (the imatrix row does not: same bytes layout). */
  dequantize: boolean;
  quantize?: Lane;
  dequant?: Lane;
  /** Round trip: RMS error over RMS of the weights, on the whole matrix. */
  relRmsError?: number;
}

/** A lane over the matrix in chunks of CHUNK_ROWS rows, continuing where the last call stopped. */
function chunkedLane(
  id: string,
  n: number,
  run: (fromFloat: number, toFloat: number) => void,
): Lane {
  const chunk = CHUNK_ROWS * ROW;
  let at = 0;
  return {
    id,
    step: () => {
      run(at, at + chunk);
      at += chunk;
      if (at >= n) at = 0;
      return chunk;
    },
  };
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].split('; supported:')[0].slice(0, 160);
}

/** Builds the subjects: looks every type up, quantizes the whole matrix once, checks the result. */
async function prepare(
  weights: Float32Array,
  imatrix: Float32Array,
  log: (line: string) => void,
): Promise<Subject[]> {
  const n = weights.length;
  let registry: Registry | undefined;
  let ports: ScalarPorts | undefined;
  let registryError = '';
  try {
    registry = await import('../packages/quant/src/registry.ts');
    ports = await import('../packages/quant/src/index.ts');
  } catch (error) {
    registryError = `the quant registry did not load: ${describeError(error)}`;
  }
  const plans = [
    ...TYPE_NAMES.map((name) => ({ label: name, name, imatrix: false, scalar: false })),
    ...SCALAR_TYPES.map((name) => ({
      label: `${name} scalar port`,
      name,
      imatrix: false,
      scalar: true,
    })),
    { label: `${IMATRIX_TYPE} + imatrix`, name: IMATRIX_TYPE, imatrix: true, scalar: false },
  ];
  let meanSquare = 0;
  for (let i = 0; i < n; i++) meanSquare += weights[i] * weights[i];
  const rms = Math.sqrt(meanSquare / n);
  const subjects: Subject[] = [];
  for (const p of plans) {
    const subject: Subject = {
      label: p.label,
      name: p.name,
      scalar: p.scalar,
      type: undefined,
      dequantize: !p.imatrix && !p.scalar,
    };
    subjects.push(subject);
    if (!registry) {
      subject.unavailable = registryError;
      continue;
    }
    try {
      const reg = registry;
      const type = reg.ggmlType(p.name);
      subject.type = type;
      subject.bitsPerWeight = (type.typeSizeBytes * 8) / type.blockSize;
      if (p.imatrix) subject.imatrix = imatrix;
      const rowBytes = reg.rowSizeBytes(type, ROW);
      const im = subject.imatrix;
      const started = cpuMs();
      const bytes = reg.quantizeRows(type, weights, ROW, im);
      const back = reg.dequantizeRows(type, bytes, ROW);
      let err = 0;
      for (let i = 0; i < n; i++) err += (back[i] - weights[i]) ** 2;
      subject.relRmsError = Math.sqrt(err / n) / rms;
      if (!(subject.relRmsError < 0.6)) {
        throw new Error(
          `round trip off: RMS error ${subject.relRmsError.toFixed(3)} of the weights' RMS`,
        );
      }
      log(
        `  ${p.label}: first full pass ${((cpuMs() - started) / 1000).toFixed(1)} s CPU, ` +
          `relative RMS error ${subject.relRmsError.toFixed(4)}`,
      );
      const qOut = new Uint8Array(bytes.length);
      const port =
        p.scalar && ports
          ? p.name === 'q8_0'
            ? ports.quantizeQ8_0Scalar
            : ports.quantizeQ4_0Scalar
          : undefined;
      if (port) {
        // The scalar port must give the same bytes as the dispatching quantizer.
        const again = new Uint8Array(bytes.length);
        for (let r = 0; r < n / ROW; r++) {
          port(
            weights.subarray(r * ROW, (r + 1) * ROW),
            again.subarray(r * rowBytes, (r + 1) * rowBytes),
          );
        }
        if (again.some((b, i) => b !== bytes[i])) {
          throw new Error('the scalar port and quantizeRows disagree');
        }
      }
      subject.quantize = chunkedLane(`${p.label}/q`, n, (from, to) => {
        const r0 = from / ROW;
        const r1 = to / ROW;
        if (port) {
          for (let r = r0; r < r1; r++) {
            port(
              weights.subarray(r * ROW, (r + 1) * ROW),
              qOut.subarray(r * rowBytes, (r + 1) * rowBytes),
            );
          }
          return;
        }
        reg.quantizeRows(
          type,
          weights.subarray(from, to),
          ROW,
          im,
          qOut.subarray(r0 * rowBytes, r1 * rowBytes),
        );
      });
      const dOut = new Float32Array(n);
      subject.dequant = chunkedLane(`${p.label}/d`, n, (from, to) => {
        const r0 = from / ROW;
        const r1 = to / ROW;
        reg.dequantizeRows(
          type,
          bytes.subarray(r0 * rowBytes, r1 * rowBytes),
          ROW,
          dOut.subarray(from, to),
        );
      });
    } catch (error) {
      subject.unavailable = describeError(error);
      subject.quantize = undefined;
      subject.dequant = undefined;
      log(`  ${p.label}: not available (${subject.unavailable})`);
    }
  }
  return subjects;
}

/** Runs a lane until it has used `minMs` of CPU time; returns MB/s of float32 (1 MB = 1e6 B). */
function timeLane(lane: Lane, minMs: number): number {
  const t0 = cpuMs();
  let floats = 0;
  let ms = 0;
  do {
    floats += lane.step();
    ms = cpuMs() - t0;
  } while (ms < minMs);
  return (floats * 4) / 1e6 / (ms / 1000);
}

/** Untimed: every lane runs at least three calls and `warmupMs` of CPU time. */
function warmUp(lanes: Lane[], warmupMs: number): void {
  for (const lane of lanes) {
    const t0 = cpuMs();
    for (let calls = 0; calls < 3 || cpuMs() - t0 < warmupMs; calls++) lane.step();
  }
}

/** Samples of one subject: MB/s per repetition and the paired ratios to the group's copy. */
interface Samples {
  quantize: number[];
  quantizeRatio: number[];
  dequantize: number[];
  dequantizeRatio: number[];
}

// ── Formatting ──

function mbps(s: Summary): string {
  const m = s.median;
  const digits = m >= 100 ? 0 : m >= 10 ? 1 : 2;
  return `${m.toFixed(digits)} MB/s ${spread(s)}`;
}

function ratioCell(s: Summary): string {
  const f = (x: number) => (x >= 0.1 ? x.toFixed(3) : x.toPrecision(2));
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** Runs the quant section and returns its report. */
export async function runQuantBench(options: QuantBenchOptions): Promise<SectionReport> {
  const { log } = options;
  const facts = machineFacts();
  const plan = planFor(options.quick);
  const started = performance.now();
  log(`quant: ${plan.n.toLocaleString('en-US')} floats, ${plan.reps} repetitions`);

  const weights = makeWeights(plan.n);
  const imatrix = makeImatrix();
  const copyDst = new Float32Array(plan.n);
  const copyLane: Lane = {
    id: 'copy',
    step: () => {
      copyDst.set(weights);
      return plan.n;
    },
  };
  const subjects = await prepare(weights, imatrix, log);
  const live = subjects.filter((s) => s.quantize !== undefined);
  const lanes: Lane[] = [copyLane];
  for (const s of live) {
    if (s.quantize) lanes.push(s.quantize);
    if (s.dequantize && s.dequant) lanes.push(s.dequant);
  }
  warmUp(lanes, plan.warmupMs);

  const copies: number[] = [];
  const samples = new Map<string, Samples>(
    live.map((s) => [
      s.label,
      { quantize: [], quantizeRatio: [], dequantize: [], dequantizeRatio: [] },
    ]),
  );
  for (let r = 0; r < plan.reps; r++) {
    const repStarted = performance.now();
    for (let g = 0; g < live.length; g++) {
      const subject = live[(g + r) % live.length];
      const out = samples.get(subject.label);
      if (!out || !subject.quantize) continue;
      const copyFirst = (g + r) % 2 === 0;
      const timeQ = async () => {
        await settle();
        if (subject.quantize) out.quantize.push(timeLane(subject.quantize, plan.minLaneMs));
      };
      const timeD = async () => {
        if (!subject.dequantize || !subject.dequant) return;
        await settle();
        out.dequantize.push(timeLane(subject.dequant, plan.minLaneMs));
      };
      await (copyFirst ? timeQ() : timeD());
      await settle();
      const copy = timeLane(copyLane, plan.minCopyMs);
      copies.push(copy);
      await (copyFirst ? timeD() : timeQ());
      out.quantizeRatio.push(out.quantize[out.quantize.length - 1] / copy);
      if (out.dequantize.length > out.dequantizeRatio.length) {
        out.dequantizeRatio.push(out.dequantize[out.dequantize.length - 1] / copy);
      }
    }
    const seconds = ((performance.now() - repStarted) / 1000).toFixed(1);
    log(`  repetition ${r + 1}/${plan.reps} done (${seconds} s wall)`);
  }

  const copy = copies.length > 0 ? summarize(copies) : undefined;
  const mb = (plan.n * 4) / 1e6;
  const rows: string[][] = [];
  if (copy) {
    rows.push([
      '`Float32Array` copy (`dst.set(src)`)',
      '32',
      `${mbps(copy)} (read)`,
      '1',
      NA,
      NA,
      NA,
    ]);
  }
  for (const s of subjects) {
    const out = samples.get(s.label);
    const goal = GOALS[s.name] !== undefined && !s.imatrix && !s.scalar ? GOALS[s.name] : undefined;
    if (!out || out.quantize.length === 0) {
      rows.push([
        s.label,
        s.bitsPerWeight !== undefined ? s.bitsPerWeight.toFixed(4).replace(/\.?0+$/, '') : NA,
        'not available',
        NA,
        NA,
        NA,
        goal !== undefined ? `≥ ${goal}: not available` : NA,
      ]);
      continue;
    }
    const q = summarize(out.quantize);
    const qr = summarize(out.quantizeRatio);
    const d = out.dequantize.length > 0 ? summarize(out.dequantize) : undefined;
    const dr = out.dequantizeRatio.length > 0 ? summarize(out.dequantizeRatio) : undefined;
    rows.push([
      s.label,
      (s.bitsPerWeight ?? 0).toFixed(4).replace(/\.?0+$/, ''),
      mbps(q),
      ratioCell(qr),
      d ? mbps(d) : s.dequantize ? NA : `as ${s.name}`,
      dr ? ratioCell(dr) : NA,
      goal !== undefined ? `≥ ${goal}: ${qr.median >= goal ? 'met' : 'not met'}` : NA,
    ]);
  }
  const tables: Table[] = [
    {
      title:
        `Quantize and dequantize, ${(plan.n / 2 ** 20).toFixed(plan.n >= 2 ** 20 ? 0 : 2)}M ` +
        `floats (${mb.toFixed(1)} MB of float32) in rows of ${ROW}: MB/s of float32 (median ± ` +
        `half the min–max range over ${plan.reps} repetitions; CPU time) and ratio to the copy ` +
        'in the same repetition (median, min–max)',
      head: [
        'type',
        'bits/weight',
        'quantize MB/s',
        'quantize ÷ copy',
        'dequantize MB/s',
        'dequantize ÷ copy',
        'goal (quantize ÷ copy)',
      ],
      rows,
    },
  ];

  // ── Prose ──
  const measured = live.map((s) => ({ s, out: samples.get(s.label) }));
  const medianOf = (xs: number[] | undefined) => (xs && xs.length > 0 ? summarize(xs).median : NaN);
  const byQuant = measured
    .filter((m) => m.out && m.out.quantize.length > 0)
    .sort((a, b) => medianOf(a.out?.quantize) - medianOf(b.out?.quantize));
  const slowest = byQuant.find((m) => !m.s.imatrix);
  const fastestK = byQuant.filter((m) => m.s.name.endsWith('_K') && !m.s.imatrix).at(-1);
  const simdLines = SCALAR_TYPES.map((name) => {
    const simd = byQuant.find((m) => m.s.label === name);
    const scalar = byQuant.find((m) => m.s.label === `${name} scalar port`);
    if (!simd?.out || !scalar?.out) return '';
    return (
      `${name} ${mbps(summarize(simd.out.quantize))} against its scalar port's ` +
      `${mbps(summarize(scalar.out.quantize))} ` +
      `(${(medianOf(simd.out.quantize) / medianOf(scalar.out.quantize)).toFixed(1)}×)`
    );
  }).filter((line) => line !== '');
  const simdSentence =
    simdLines.length > 0
      ? 'For rows of 256 floats or more, `quantizeRows` runs q8_0 and q4_0 in a WebAssembly ' +
        'SIMD kernel (quant/src/ggml/wasm/, checked byte for byte against the scalar ports and ' +
        `ggml's reference vectors): ${simdLines.join('; ')}.`
      : '';
  const plain = byQuant.find((m) => m.s.label === IMATRIX_TYPE);
  const withIm = byQuant.find((m) => m.s.imatrix);
  const goalLines = Object.entries(GOALS).map(([name, goal]) => {
    const m = byQuant.find((x) => x.s.label === name);
    if (!m?.out) return `- ${name} quantize ≥ ${goal} of copy: **not available**.`;
    const r = summarize(m.out.quantizeRatio);
    return (
      `- ${name} quantize ≥ ${goal} of copy: ${r.median >= goal ? '**met**' : '**not met**'} ` +
      `(${ratioCell(r)}, ${mbps(summarize(m.out.quantize))} against a copy at ` +
      `${copy ? mbps(copy) : NA}).`
    );
  });
  const dequantRatios = byQuant
    .filter((m) => m.out && m.out.dequantizeRatio.length > 0)
    .map((m) => ({ label: m.s.label, r: medianOf(m.out?.dequantizeRatio) }))
    .sort((a, b) => a.r - b.r);
  const lowD = dequantRatios[0];
  const highD = dequantRatios.at(-1);
  const dequantSentence =
    lowD && highD
      ? 'Dequantizing needs no search, only a scale (and min) per block and a multiply or a ' +
        `table lookup per weight; it ran at ${lowD.r.toPrecision(2)} (${lowD.label}) to ` +
        `${highD.r.toPrecision(2)} (${highD.label}) of the copy bandwidth.`
      : '';
  const unavailable = subjects.filter((s) => s.unavailable !== undefined);
  const errors = live
    .filter((s) => s.relRmsError !== undefined)
    .map((s) => `${s.label} ${(s.relRmsError ?? 0).toFixed(4)}`)
    .join(', ');

  const method = [
    options.quick
      ? '**Quick smoke run** (`--quick`): small sizes, not the reference numbers.'
      : 'Reference run.',
    '',
    `The data is ${plan.n.toLocaleString('en-US')} float32 weights (${mb.toFixed(1)} MB, rows ` +
      `of ${ROW}) drawn normal(0, 0.02) from a seeded generator, about one in 2048 an outlier ` +
      'of 5–15 standard deviations; the copy lane is `dst.set(src)` of all of it into a ' +
      'preallocated `Float32Array` (the memory-bandwidth limit), while `quantizeRows` and ' +
      `\`dequantizeRows\` walk it in calls of ${CHUNK_ROWS} rows, cyclically, into preallocated ` +
      'outputs, and MB/s counts the float32 bytes read (quantize, copy) or written ' +
      `(dequantize). Each lane runs for ${plan.minLaneMs} ms of CPU time (the copy ` +
      `${plan.minCopyMs} ms; \`process.cpuUsage()\`, not the wall clock, as other processes ` +
      'share the machine), and each repetition times every type as a group (quantize, copy, ' +
      'dequantize, the order alternating; groups rotating), so every ratio divides a lane by ' +
      `the copy of its own group (paired) before the median over ${plan.reps} repetitions. ` +
      'Before timing, each type round-trips the whole matrix once (relative RMS error checked ' +
      `below 0.6; measured: ${errors || NA}) and every lane warms up for ${plan.warmupMs} ms; ` +
      `the ${IMATRIX_TYPE} + imatrix lane uses a seeded lognormal(0, 1) importance matrix, and ` +
      'bits/weight is bytes per block × 8 / block size.',
  ].join('\n');

  const meaning = [
    'Goal: Q8_0 and Q4_0 quantize at ≥ 0.1 of the copy bandwidth:',
    ...goalLines,
    ...(simdSentence ? ['', simdSentence] : []),
    '',
    slowest?.out
      ? `Slowest quantizer: ${slowest.s.label} at ${mbps(summarize(slowest.out.quantize))} ` +
        `(${ratioCell(summarize(slowest.out.quantizeRatio))} of copy). ` +
        'The K-quants (and iq4_nl) do not just round: for every sub-block they search for the ' +
        'scale (and min) that minimizes the weighted squared error, trying a range of ' +
        'candidate scales and re-rounding every value for each, so they cost tens to hundreds ' +
        'of float operations per weight where q8_0 and q4_0 cost a few; every float operation ' +
        'also goes through `Math.fround` to match ggml bit for bit (a CPU profile of q4_K ' +
        'quantize, taken when this section was written, put most of its time in ' +
        '`makeQkxQuants`, the port of ggml’s make_qkx2_quants search). ' +
        (fastestK?.out
          ? `The fastest K-quant quantizer here is ${fastestK.s.label} at ` +
            `${mbps(summarize(fastestK.out.quantize))}. `
          : '') +
        (plain?.out && withIm?.out
          ? `With an importance matrix, ${IMATRIX_TYPE} quantizes at ` +
            `${mbps(summarize(withIm.out.quantize))} against ` +
            `${mbps(summarize(plain.out.quantize))} without ` +
            `(${(medianOf(withIm.out.quantize) / medianOf(plain.out.quantize)).toFixed(2)}×). `
          : '') +
        dequantSentence
      : 'No type could be measured.',
    ...(unavailable.length > 0
      ? [
          '',
          'Not available: ' +
            unavailable.map((s) => `${s.label} (${s.unavailable ?? ''})`).join('; ') +
            '.',
        ]
      : []),
  ].join('\n');

  log(`quant: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return {
    id: 'quant',
    heading: 'Quantization: quantize and dequantize throughput against a memory copy',
    facts,
    endLoadAverage: loadAverageNow(),
    command: options.command,
    method,
    tables,
    meaning,
  };
}
