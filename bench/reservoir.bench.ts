/**
 * Reservoir sampling benchmark: our ReservoirR and ReservoirL against the npm packages
 * `reservoir` (Vitter's Algorithms X and Z) and `pandemonium` (Algorithm R and Algorithm L), the
 * random draws each one spends, and the `explorables sample` CLI against GNU `shuf -n` on a
 * generated log file.
 *
 * Method (in process). The stream is a prebuilt array of n integers and k = 100. Every contender
 * samples the whole array once per timed call, with a fresh sampler; calls are repeated until a
 * lane has used at least `minLaneMs` of CPU time (the skipping samplers finish 10M items in
 * microseconds). Each repetition runs every lane once, the order rotating from one repetition to
 * the next, so a burst of load from other processes hits all of them; ratios ours/peer are taken
 * per repetition (paired) before the median. Time is the CPU time of this process. Each contender
 * has its own loop function, so no call site is shared; the runs that count random draws wrap the
 * peers' rng and so run after all timing, where their polluted call sites no longer matter.
 *
 * Method (CLI). A log file is generated once with generateLogStream + formatLogLine and streamed
 * to disk (reused when it exists with the recorded size); `explorables sample --k 100 FILE` and
 * `shuf -n 100 FILE` then run as whole processes, alternately, timed by the wall clock, with
 * /usr/bin/time -v (when present) reporting their CPU time and maximum resident set size.
 */

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRng, type Rng } from '@explorables/random';
import {
  expectedDrawsL,
  expectedDrawsR,
  expectedWrites,
  formatLogLine,
  generateLogStream,
  ReservoirL,
  ReservoirR,
} from '@explorables/reservoir';
import {
  createGeometricReservoirSample,
  createReservoirSample,
  geometricReservoirSample,
  ReservoirSampler,
  reservoirSample,
} from 'pandemonium';
import Reservoir from 'reservoir';
// The exact bounded draw ReservoirR makes per item; internal to the engine, so imported by path.
import { randomBelow } from '../packages/reservoir/src/offer.ts';
import {
  loadAverageNow,
  machineFacts,
  rate,
  rateSummary,
  ratioSummary,
  type SectionReport,
  type Summary,
  spread,
  summarize,
  type Table,
} from './report.ts';

/** Options of the reservoir benchmark. */
export interface ReservoirBenchOptions {
  /** Small sizes for a smoke run (seconds, not minutes). */
  quick: boolean;
  /** The command line, recorded with the results. */
  command: string;
  /** Progress lines (to stderr). */
  log: (line: string) => void;
}

const K = 100;
/** CPU time each lane runs untimed over the whole stream before the first repetition. */
const WARMUP_MS = 150;
/** Items per `pushSome(...chunk)` call of the `reservoir` bulk lane (its fastest chunk size). */
const RESERVOIR_CHUNK = 8192;
/** Seed of the generated log; bump LOG_VERSION when the generator's options change. */
const LOG_SEED = 20260101;
const LOG_VERSION = 1;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_BIN = join(ROOT, 'packages/cli/bin/explorables.js');

/** Sizes and repetitions of one run. */
interface Plan {
  n: number;
  reps: number;
  minLaneMs: number;
  logBytes: number;
  cliReps: number;
}

function planFor(quick: boolean): Plan {
  return quick
    ? { n: 1_000_000, reps: 3, minLaneMs: 30, logBytes: 50_000_000, cliReps: 3 }
    : { n: 10_000_000, reps: 5, minLaneMs: 100, logBytes: 1_000_000_000, cliReps: 3 };
}

// ── Timing helpers (as in bloom.bench.ts) ──

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

/**
 * Collects the young generation (the previous lane's garbage), then idles for a moment so the
 * collector's background threads finish before the next timed loop: process CPU time counts every
 * thread. Not a full collection: each one throws away ReservoirL's optimized code (V8 "weak
 * objects" deoptimization, seen with --trace-deopt), which would then be timed while re-warming.
 */
async function settle(): Promise<void> {
  gc({ type: 'minor' });
  await new Promise((resolve) => setTimeout(resolve, 25));
}

/** CPU time of this process in ms (user + system, all threads). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// ── Loops: one per contender, so each call site sees a single receiver and callee. ──

function oursRBulk(items: number[], rng: Rng): number {
  const r = new ReservoirR<number>(K, rng);
  r.offerAll(items);
  return r.size;
}
function oursLBulk(items: number[], rng: Rng): number {
  const r = new ReservoirL<number>(K, rng);
  r.offerAll(items);
  return r.size;
}
function oursROffer(items: number[], rng: Rng): number {
  const r = new ReservoirR<number>(K, rng);
  const n = items.length;
  let kept = 0;
  for (let i = 0; i < n; i++) if (r.offer(items[i]).kept) kept++;
  return kept >= K ? r.size : -1;
}
function oursLOffer(items: number[], rng: Rng): number {
  const r = new ReservoirL<number>(K, rng);
  const n = items.length;
  let kept = 0;
  for (let i = 0; i < n; i++) if (r.offer(items[i]).kept) kept++;
  return kept >= K ? r.size : -1;
}
function reservoirPerItem(items: number[]): number {
  const r = Reservoir<number>(K);
  const n = items.length;
  for (let i = 0; i < n; i++) r.pushSome(items[i]);
  return r.length;
}
function reservoirChunks(items: number[]): number {
  const r = Reservoir<number>(K);
  const n = items.length;
  for (let i = 0; i < n; i += RESERVOIR_CHUNK) r.pushSome(...items.slice(i, i + RESERVOIR_CHUNK));
  return r.length;
}
function pandemoniumR(items: number[]): number {
  return reservoirSample(K, items).length;
}
function pandemoniumL(items: number[]): number {
  return geometricReservoirSample(K, items).length;
}
function pandemoniumSampler(items: number[]): number {
  const s = new ReservoirSampler<number>(K);
  const n = items.length;
  for (let i = 0; i < n; i++) s.process(items[i]);
  return s.end().length;
}
/** One bounded draw per item with our rng, as Algorithm R makes them (no reservoir). */
function drawsOurs(items: number[], rng: Rng): number {
  const n = items.length;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.nextUint32();
    if (Math.floor((x / 4294967296) * (i + 1)) < K) hits++;
  }
  return hits > 0 ? K : -1;
}
/** One exact, unbiased bounded draw per item, the one ReservoirR makes (no reservoir). */
function drawsBelow(items: number[], rng: Rng): number {
  const n = items.length;
  let hits = 0;
  for (let i = 0; i < n; i++) if (randomBelow(rng, i + 1) < K) hits++;
  return hits > 0 ? K : -1;
}
/** One bounded draw per item with Math.random, as pandemonium's Algorithm R makes them. */
function drawsMathRandom(items: number[]): number {
  const n = items.length;
  let hits = 0;
  for (let i = 0; i < n; i++) if (Math.floor(Math.random() * (i + 1)) < K) hits++;
  return hits > 0 ? K : -1;
}

/** One contender: its name, what it runs, and a timed call over the whole stream. */
interface Lane {
  id: string;
  name: string;
  algorithm: string;
  api: string;
  /** Samples the whole array once with a fresh sampler; returns the sample size (must be K). */
  run: (items: number[], rng: Rng) => number;
}

const LANES: Lane[] = [
  {
    id: 'oursR',
    name: 'ours ReservoirR',
    algorithm: 'R',
    api: 'offerAll(array)',
    run: oursRBulk,
  },
  {
    id: 'oursL',
    name: 'ours ReservoirL',
    algorithm: 'L',
    api: 'offerAll(array)',
    run: oursLBulk,
  },
  {
    id: 'oursROffer',
    name: 'ours ReservoirR',
    algorithm: 'R',
    api: 'offer(item) per item',
    run: oursROffer,
  },
  {
    id: 'oursLOffer',
    name: 'ours ReservoirL',
    algorithm: 'L',
    api: 'offer(item) per item',
    run: oursLOffer,
  },
  {
    id: 'resChunks',
    name: 'reservoir',
    algorithm: 'X then Z',
    api: `pushSome(...chunk of ${RESERVOIR_CHUNK})`,
    run: reservoirChunks,
  },
  {
    id: 'resItem',
    name: 'reservoir',
    algorithm: 'X then Z',
    api: 'pushSome(item) per item',
    run: reservoirPerItem,
  },
  {
    id: 'pandR',
    name: 'pandemonium',
    algorithm: 'R',
    api: 'reservoirSample(k, array)',
    run: pandemoniumR,
  },
  {
    id: 'pandL',
    name: 'pandemonium',
    algorithm: 'L',
    api: 'geometricReservoirSample(k, array)',
    run: pandemoniumL,
  },
  {
    id: 'pandSampler',
    name: 'pandemonium',
    algorithm: 'R',
    api: 'ReservoirSampler.process(item)',
    run: pandemoniumSampler,
  },
  {
    id: 'drawOurs',
    name: 'draws only: our rng',
    algorithm: '—',
    api: 'floor(rng.nextUint32() / 2^32 · (i + 1)) per item',
    run: drawsOurs,
  },
  {
    id: 'drawBelow',
    name: 'draws only: our rng, exact bound',
    algorithm: '—',
    api: 'randomBelow(rng, i + 1) per item',
    run: drawsBelow,
  },
  {
    id: 'drawMath',
    name: 'draws only: Math.random',
    algorithm: '—',
    api: 'floor(Math.random() · (i + 1)) per item',
    run: drawsMathRandom,
  },
];

/** Items per second of each lane, one sample per repetition (same index = same repetition). */
type Rates = Map<string, number[]>;

/** Runs every lane `reps` times over `items`, rotating the order, and returns items/s. */
async function measure(items: number[], plan: Plan, log: (line: string) => void): Promise<Rates> {
  const rates: Rates = new Map(LANES.map((lane) => [lane.id, []]));
  for (let r = 0; r < plan.reps; r++) {
    const started = performance.now();
    for (let t = 0; t < LANES.length; t++) {
      const lane = LANES[(r + t) % LANES.length];
      const rng = laneRng(lane);
      await settle();
      const t0 = cpuMs();
      let calls = 0;
      let ms = 0;
      do {
        const size = lane.run(items, rng);
        if (size !== K) throw new Error(`${lane.name} ${lane.api}: sample of ${size}, not ${K}`);
        calls++;
        ms = cpuMs() - t0;
      } while (ms < plan.minLaneMs);
      rates.get(lane.id)?.push(((calls * items.length) / ms) * 1000);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`  repetition ${r + 1}/${plan.reps} done (${seconds} s wall)`);
  }
  return rates;
}

/**
 * Runs every lane untimed over the whole stream (at least twice and for WARMUP_MS of CPU time),
 * so the timed calls run code optimized on that same array: a warm-up on a short array trains
 * the bounded draws on small bounds only, and the stream's larger ones then deoptimize them.
 */
function warmUp(items: number[]): void {
  for (const lane of LANES) {
    const rng = laneRng(lane);
    const t0 = cpuMs();
    for (let calls = 0; calls < 2 || cpuMs() - t0 < WARMUP_MS; calls++) lane.run(items, rng);
  }
}

/**
 * One generator per lane for the whole run. A generator that died between repetitions would
 * throw away the optimized code that had it embedded (V8 "weak objects" deoptimization), and a
 * lane whose calls are short (ReservoirL on an array) would then be timed while re-warming.
 */
const LANE_RNGS = new Map<string, Rng>();
function laneRng(lane: Lane): Rng {
  let rng = LANE_RNGS.get(lane.id);
  if (!rng) {
    rng = createRng(`bench-reservoir-${lane.id}`);
    LANE_RNGS.set(lane.id, rng);
  }
  return rng;
}

/** Random draws and slot writes of one sampler over the stream, over several seeds. */
interface DrawCount {
  name: string;
  draws: number[];
  expected: number | undefined;
  writes: number[];
  expectedWrites: number | undefined;
}

/** Wraps Math.random so the number of calls can be read back. */
function countingRandom(): { rng: () => number; calls: () => number } {
  let calls = 0;
  return {
    rng: () => {
      calls++;
      return Math.random();
    },
    calls: () => calls,
  };
}

/** Counts draws of every sampler on the full stream (untimed; runs after all timing). */
function countDraws(items: number[], runs: number): DrawCount[] {
  const n = items.length;
  const r: DrawCount = {
    name: 'ours ReservoirR',
    draws: [],
    expected: expectedDrawsR(n, K),
    writes: [],
    expectedWrites: expectedWrites(n, K),
  };
  const l: DrawCount = {
    name: 'ours ReservoirL',
    draws: [],
    expected: expectedDrawsL(n, K),
    writes: [],
    expectedWrites: expectedWrites(n, K),
  };
  const peer = (name: string): DrawCount => ({
    name,
    draws: [],
    expected: undefined,
    writes: [],
    expectedWrites: undefined,
  });
  const res = peer('reservoir (X then Z)');
  const pandR = peer('pandemonium reservoirSample (R)');
  const pandL = peer('pandemonium geometricReservoirSample (L)');
  for (let s = 0; s < runs; s++) {
    const ourR = new ReservoirR<number>(K, createRng(`bench-reservoir-draws-${s}`));
    ourR.offerAll(items);
    r.draws.push(ourR.draws);
    r.writes.push(ourR.writes);
    const ourL = new ReservoirL<number>(K, createRng(`bench-reservoir-draws-${s}`));
    ourL.offerAll(items);
    l.draws.push(ourL.draws);
    l.writes.push(ourL.writes);

    let counter = countingRandom();
    const peerReservoir = Reservoir<number>(K, counter.rng);
    for (let i = 0; i < n; i += RESERVOIR_CHUNK) {
      peerReservoir.pushSome(...items.slice(i, i + RESERVOIR_CHUNK));
    }
    res.draws.push(counter.calls());
    counter = countingRandom();
    createReservoirSample<number>(counter.rng)(K, items);
    pandR.draws.push(counter.calls());
    counter = countingRandom();
    const geometric = createGeometricReservoirSample<number>(counter.rng) as (
      k: number,
      array: number[],
    ) => number[];
    geometric(K, items);
    pandL.draws.push(counter.calls());
  }
  return [r, l, res, pandR, pandL];
}

// ── The generated log file ──

/** A generated log file and how it was obtained. */
interface LogFile {
  path: string;
  sizeBytes: number;
  lines: number;
  reused: boolean;
  generateMs: number;
}

interface LogMeta {
  version: number;
  seed: number;
  targetBytes: number;
  sizeBytes: number;
  lines: number;
}

/**
 * The log file of about `targetBytes` bytes in os.tmpdir(), generated once (streamed to disk,
 * never held in memory) and reused while its recorded size matches.
 */
async function ensureLogFile(targetBytes: number, log: (line: string) => void): Promise<LogFile> {
  const dir = join(os.tmpdir(), 'explorables-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `log-${targetBytes}-v${LOG_VERSION}.log`);
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as LogMeta;
      if (
        meta.version === LOG_VERSION &&
        meta.seed === LOG_SEED &&
        meta.targetBytes === targetBytes &&
        statSync(path).size === meta.sizeBytes
      ) {
        log(`  reusing ${path} (${(meta.sizeBytes / 1e6).toFixed(0)} MB, ${meta.lines} lines)`);
        return { path, sizeBytes: meta.sizeBytes, lines: meta.lines, reused: true, generateMs: 0 };
      }
    } catch {
      // Unreadable metadata: generate again.
    }
  }
  log(`  generating ${path} (${(targetBytes / 1e6).toFixed(0)} MB)…`);
  const started = performance.now();
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { highWaterMark: 1 << 20 });
  // About 67 bytes per line at 2000 lines/s: give the stream twice the time the target needs and
  // stop at the target, with a slow daily-like wobble and a burst every 20 minutes.
  const durationMs = Math.ceil(((targetBytes / 67 / 2000) * 2 * 1000) / 60_000) * 60_000;
  const bursts = [];
  for (let at = 300_000; at < durationMs; at += 1_200_000) {
    bursts.push({ startMs: at, durationMs: 30_000, ratePerSec: 15_000 });
  }
  const stream = generateLogStream({
    rng: createRng(LOG_SEED),
    durationMs,
    baseRatePerSec: 2000,
    bursts,
    wobble: { amplitude: 0.5, periodMs: 3_600_000 },
  });
  let chunk = '';
  let written = 0;
  let lines = 0;
  let nextReport = 100_000_000;
  for (const line of stream) {
    chunk += `${formatLogLine(line)}\n`;
    lines++;
    if (chunk.length >= 1 << 20 || written + chunk.length >= targetBytes) {
      written += Buffer.byteLength(chunk);
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
      if (written >= nextReport) {
        log(`    ${(written / 1e6).toFixed(0)} MB…`);
        nextReport += 100_000_000;
      }
      if (written >= targetBytes) break;
    }
  }
  if (chunk.length > 0) {
    written += Buffer.byteLength(chunk);
    out.write(chunk);
  }
  out.end();
  await finished(out);
  if (written < targetBytes) {
    rmSync(partial, { force: true });
    throw new Error(`log generator ended at ${written} bytes, before the ${targetBytes} wanted`);
  }
  renameSync(partial, path);
  const sizeBytes = statSync(path).size;
  const meta: LogMeta = { version: LOG_VERSION, seed: LOG_SEED, targetBytes, sizeBytes, lines };
  writeFileSync(metaPath, `${JSON.stringify(meta)}\n`);
  const generateMs = performance.now() - started;
  log(`  generated ${lines} lines in ${(generateMs / 1000).toFixed(0)} s`);
  return { path, sizeBytes, lines, reused: false, generateMs };
}

// ── Whole-process timing ──

/** One run of a command. */
interface ProcessRun {
  wallMs: number;
  /** User + system CPU time from /usr/bin/time, if available. */
  cpuMs: number | undefined;
  /** Maximum resident set size in bytes from /usr/bin/time, if available. */
  maxRssBytes: number | undefined;
}

const TIME_BIN = '/usr/bin/time';
const HAVE_TIME = existsSync(TIME_BIN) && spawnSync(TIME_BIN, ['-v', 'true']).status === 0;

/** Runs `argv` with stdout to `stdoutPath`, timing the whole process by the wall clock. */
function runProcess(argv: string[], stdoutPath: string): Promise<ProcessRun> {
  const fd = openSync(stdoutPath, 'w');
  const [command, ...args] = HAVE_TIME ? [TIME_BIN, '-v', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', (error) => {
      closeSync(fd);
      reject(error);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      closeSync(fd);
      if (code !== 0) {
        reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const field = (name: string) => {
        const match = new RegExp(`${name}: ([0-9.]+)`).exec(stderr);
        return match ? Number(match[1]) : undefined;
      };
      const user = field('User time \\(seconds\\)');
      const system = field('System time \\(seconds\\)');
      const rssKiB = field('Maximum resident set size \\(kbytes\\)');
      resolve({
        wallMs,
        cpuMs: user !== undefined && system !== undefined ? (user + system) * 1000 : undefined,
        maxRssBytes: rssKiB !== undefined ? rssKiB * 1024 : undefined,
      });
    });
  });
}

/** Counts '\n' in a small file (the sample written by a check run). */
function lineCount(path: string): number {
  const bytes = readFileSync(path);
  let count = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) count++;
  return count;
}

/** What the CLI comparison measured. */
interface CliResult {
  file: LogFile;
  cli: ProcessRun[];
  shuf: ProcessRun[];
  startup: ProcessRun[];
  haveShuf: boolean;
}

async function runCli(plan: Plan, log: (line: string) => void): Promise<CliResult> {
  log('reservoir CLI: log file…');
  const file = await ensureLogFile(plan.logBytes, log);
  const dir = join(os.tmpdir(), 'explorables-bench');
  const emptyPath = join(dir, 'empty.log');
  writeFileSync(emptyPath, '');
  const checkPath = join(dir, 'sample-check.out');
  const cliArgv = (path: string) => [process.execPath, CLI_BIN, 'sample', '--k', String(K), path];
  const shufArgv = ['shuf', '-n', String(K), file.path];
  const haveShuf = spawnSync('shuf', ['--version']).status === 0;

  // Check runs (untimed): both print K lines; they also bring the file into the page cache.
  log('  check runs…');
  await runProcess(cliArgv(file.path), checkPath);
  if (lineCount(checkPath) !== K) throw new Error(`explorables sample did not print ${K} lines`);
  if (haveShuf) {
    await runProcess(shufArgv, checkPath);
    if (lineCount(checkPath) !== K) throw new Error(`shuf -n did not print ${K} lines`);
  }
  rmSync(checkPath, { force: true });

  const cli: ProcessRun[] = [];
  const shuf: ProcessRun[] = [];
  const startup: ProcessRun[] = [];
  for (let r = 0; r < plan.cliReps; r++) {
    const order = r % 2 === 0 ? ['cli', 'shuf', 'startup'] : ['shuf', 'cli', 'startup'];
    for (const which of order) {
      if (which === 'cli') cli.push(await runProcess(cliArgv(file.path), '/dev/null'));
      else if (which === 'shuf' && haveShuf) shuf.push(await runProcess(shufArgv, '/dev/null'));
      else if (which === 'startup') startup.push(await runProcess(cliArgv(emptyPath), '/dev/null'));
    }
    const last = cli[cli.length - 1];
    const peer = shuf[shuf.length - 1];
    log(
      `  repetition ${r + 1}/${plan.cliReps}: explorables ${(last.wallMs / 1000).toFixed(1)} s` +
        (peer ? `, shuf ${(peer.wallMs / 1000).toFixed(1)} s` : ''),
    );
  }
  return { file, cli, shuf, startup, haveShuf };
}

// ── Formatting ──

const NA = '—';

function count(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** A rate too large for M/s to read well (the skipping samplers) in G/s. */
function bigRate(s: Summary): string {
  if (s.median >= 1e9)
    return `${(s.median / 1e9).toFixed(s.median >= 1e11 ? 0 : 1)} G/s ${spread(s)}`;
  return rateSummary(s);
}

function nsPerItem(s: Summary): string {
  const ns = 1e9 / s.median;
  return ns >= 1 ? ns.toFixed(1) : ns.toFixed(4);
}

function paired(rates: Rates, a: string, b: string): Summary | undefined {
  const x = rates.get(a);
  const y = rates.get(b);
  if (!x || !y || x.length === 0 || x.length !== y.length) return undefined;
  return summarize(x.map((v, i) => v / y[i]));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function intCell(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function drawsCell(xs: number[]): string {
  if (xs.length === 0) return NA;
  const s = summarize(xs);
  if (s.min === s.max) return intCell(s.median);
  return `${intCell(mean(xs))} (${intCell(s.min)}–${intCell(s.max)})`;
}

function secondsCell(xs: number[]): string {
  if (xs.length === 0) return NA;
  const s = summarize(xs);
  return `${(s.median / 1000).toFixed(2)} s ${spread(s)}`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes >= 1e9 ? 0 : 1)} MB`;
}

function yes(ok: boolean): string {
  return ok ? 'yes' : 'NO';
}

/**
 * Runs the reservoir benchmarks (in-process samplers, random draws, CLI against shuf) and
 * returns the report section.
 * @example const section = await runReservoirBench({ quick: true, command: 'x', log: console.error });
 */
export async function runReservoirBench(options: ReservoirBenchOptions): Promise<SectionReport> {
  const { log } = options;
  const facts = machineFacts();
  const plan = planFor(options.quick);
  const n = plan.n;

  log(`reservoir: building the stream of ${count(n)} items…`);
  const items: number[] = [];
  for (let i = 0; i < n; i++) items.push(i);
  log('reservoir: warming up…');
  warmUp(items);
  log(`reservoir: timing ${LANES.length} lanes × ${plan.reps} repetitions…`);
  const rates = await measure(items, plan, log);
  log('reservoir: counting random draws…');
  const draws = countDraws(items, plan.reps);
  items.length = 0;
  gc();
  const cli = await runCli(plan, log);

  const tables: Table[] = [];
  const summaryOf = (id: string) => summarize(rates.get(id) ?? []);
  const samplerLanes = LANES.filter((lane) => !lane.id.startsWith('draw'));
  tables.push({
    title: `Items per second sampling a prebuilt array of ${count(n)} integers, k = ${K} (median ± half the min–max range over ${plan.reps} repetitions; CPU time)`,
    head: ['sampler', 'algorithm', 'API', 'items/s', 'ns per item'],
    rows: samplerLanes.map((lane) => [
      lane.name,
      lane.algorithm,
      `\`${lane.api}\``,
      bigRate(summaryOf(lane.id)),
      nsPerItem(summaryOf(lane.id)),
    ]),
  });

  const ratioRows: { label: string; a: string; b: string; goal: number | undefined }[] = [
    { label: 'ReservoirR.offerAll / reservoir (bulk)', a: 'oursR', b: 'resChunks', goal: 3 },
    { label: 'ReservoirL.offerAll / reservoir (bulk)', a: 'oursL', b: 'resChunks', goal: 3 },
    {
      label: 'ReservoirR.offer / reservoir (per item)',
      a: 'oursROffer',
      b: 'resItem',
      goal: undefined,
    },
    {
      label: 'ReservoirL.offer / reservoir (per item)',
      a: 'oursLOffer',
      b: 'resItem',
      goal: undefined,
    },
    {
      label: 'ReservoirR.offerAll / pandemonium reservoirSample',
      a: 'oursR',
      b: 'pandR',
      goal: undefined,
    },
    {
      label: 'ReservoirL.offerAll / pandemonium geometricReservoirSample',
      a: 'oursL',
      b: 'pandL',
      goal: undefined,
    },
    {
      label: 'ReservoirR.offer / pandemonium ReservoirSampler.process',
      a: 'oursROffer',
      b: 'pandSampler',
      goal: undefined,
    },
    {
      label: 'draws only: our rng / Math.random (same float bound)',
      a: 'drawOurs',
      b: 'drawMath',
      goal: undefined,
    },
    {
      label: 'draws only: randomBelow / Math.random',
      a: 'drawBelow',
      b: 'drawMath',
      goal: undefined,
    },
  ];
  tables.push({
    title: 'Speed ratios (median of paired repetitions, min–max)',
    head: ['ratio', 'value', 'goal', 'met?'],
    rows: ratioRows.map((row) => {
      const s = paired(rates, row.a, row.b);
      return [
        row.label,
        s ? ratioSummary(s) : NA,
        row.goal ? `≥ ${row.goal}×` : NA,
        row.goal && s ? yes(s.median >= row.goal) : NA,
      ];
    }),
  });
  tables.push({
    title: 'Where the time of Algorithm R goes: one bounded random draw per item, no reservoir',
    head: ['loop', 'draws/s', 'ns per draw'],
    rows: LANES.filter((lane) => lane.id.startsWith('draw')).map((lane) => [
      `${lane.name} (\`${lane.api}\`)`,
      rateSummary(summaryOf(lane.id)),
      nsPerItem(summaryOf(lane.id)),
    ]),
  });

  const drawsR = draws[0];
  const drawsL = draws[1];
  tables.push({
    title: `Random draws on the ${count(n)}-item stream, k = ${K} (mean over ${plan.reps} seeds, min–max)`,
    head: [
      'sampler',
      'random draws',
      'expected',
      'measured / expected',
      'draws per item',
      'slot writes',
      'expected writes',
    ],
    rows: draws.map((d) => [
      d.name,
      drawsCell(d.draws),
      d.expected !== undefined ? intCell(d.expected) : NA,
      d.expected ? (mean(d.draws) / d.expected).toFixed(4) : NA,
      (mean(d.draws) / n).toPrecision(3),
      d.writes.length > 0 ? drawsCell(d.writes) : NA,
      d.expectedWrites !== undefined ? intCell(d.expectedWrites) : NA,
    ]),
  });
  const drawRatio = mean(drawsR.draws) / mean(drawsL.draws);

  // CLI tables.
  const lines = cli.file.lines;
  const wall = (runs: ProcessRun[]) => runs.map((run) => run.wallMs);
  const cpu = (runs: ProcessRun[]) =>
    runs.flatMap((run) => (run.cpuMs !== undefined ? [run.cpuMs] : []));
  const rss = (runs: ProcessRun[]) =>
    runs.flatMap((run) => (run.maxRssBytes !== undefined ? [run.maxRssBytes] : []));
  const linesPerSec = (runs: ProcessRun[]) =>
    runs.length > 0 ? rate(lines / (summarize(wall(runs)).median / 1000)) : NA;
  const mbPerSec = (runs: ProcessRun[]) =>
    runs.length > 0
      ? `${(cli.file.sizeBytes / 1e6 / (summarize(wall(runs)).median / 1000)).toFixed(0)} MB/s`
      : NA;
  const rssCell = (runs: ProcessRun[]) => {
    const xs = rss(runs);
    if (xs.length === 0) return NA;
    const s = summarize(xs);
    return `${mb(s.median)} (max ${mb(s.max)})`;
  };
  const fileLabel = `FILE = ${mb(cli.file.sizeBytes)}, ${intCell(lines)} lines`;
  tables.push({
    title: `CLI on a generated log (${fileLabel}; ${plan.cliReps} alternating runs, median ± half the min–max range; wall time of the whole process)`,
    head: ['command', 'wall time', 'lines/s', 'MB/s', 'CPU time (user + sys)', 'max RSS'],
    rows: [
      [
        `\`explorables sample --k ${K} FILE\``,
        secondsCell(wall(cli.cli)),
        linesPerSec(cli.cli),
        mbPerSec(cli.cli),
        secondsCell(cpu(cli.cli)),
        rssCell(cli.cli),
      ],
      [
        `\`shuf -n ${K} FILE\``,
        cli.haveShuf ? secondsCell(wall(cli.shuf)) : 'not installed',
        linesPerSec(cli.shuf),
        mbPerSec(cli.shuf),
        secondsCell(cpu(cli.shuf)),
        rssCell(cli.shuf),
      ],
      [
        `\`explorables sample --k ${K} EMPTY\` (start-up alone)`,
        secondsCell(wall(cli.startup)),
        NA,
        NA,
        secondsCell(cpu(cli.startup)),
        rssCell(cli.startup),
      ],
    ],
  });
  const cliRatio =
    cli.shuf.length === cli.cli.length && cli.shuf.length > 0
      ? summarize(cli.cli.map((run, i) => cli.shuf[i].wallMs / run.wallMs))
      : undefined;
  const cliCpuRatio =
    cpu(cli.shuf).length === cli.cli.length && cpu(cli.cli).length === cli.cli.length
      ? summarize(cli.cli.map((run, i) => (cli.shuf[i].cpuMs ?? 0) / (run.cpuMs ?? 1)))
      : undefined;
  const cliRss = rss(cli.cli);
  const startRss = rss(cli.startup);
  const rssGrowth =
    cliRss.length > 0 && startRss.length > 0
      ? summarize(cliRss).max - summarize(startRss).median
      : undefined;
  tables.push({
    title: 'CLI against its goal and its peer',
    head: ['measure', 'value', 'goal', 'met?'],
    rows: [
      [
        'lines/s explorables / shuf (wall time, paired runs)',
        cliRatio ? ratioSummary(cliRatio) : NA,
        '≥ 0.5×',
        cliRatio ? yes(cliRatio.median >= 0.5) : NA,
      ],
      [
        'lines/s explorables / shuf (CPU time, paired runs)',
        cliCpuRatio ? ratioSummary(cliCpuRatio) : NA,
        NA,
        NA,
      ],
      [
        `max RSS of explorables on ${mb(cli.file.sizeBytes)} minus its start-up RSS`,
        rssGrowth !== undefined ? mb(rssGrowth) : NA,
        'a few reservoirs',
        NA,
      ],
    ],
  });

  const rGoal = paired(rates, 'oursR', 'resChunks');
  const lGoal = paired(rates, 'oursL', 'resChunks');
  const rPerItem = paired(rates, 'oursROffer', 'resItem');
  const rVsPand = paired(rates, 'oursR', 'pandR');
  const rngRatio = paired(rates, 'drawOurs', 'drawMath');
  const lVsPand = paired(rates, 'oursL', 'pandL');
  const drawBelow = summaryOf('drawBelow');
  const ns = (x: Summary) => (1e9 / x.median).toFixed(1);
  const rExact = drawsR.draws.every((d) => d === drawsR.expected);
  const lClose = Math.abs(mean(drawsL.draws) / (drawsL.expected ?? 1) - 1) <= 0.02;
  const goal = (s: Summary | undefined, target: number) =>
    s ? `${s.median >= target ? '**met**' : '**not met**'} (${s.median.toFixed(2)}×)` : NA;

  const method = [
    options.quick
      ? '**Quick smoke run** (`--quick`): small sizes, not the reference numbers.'
      : 'Reference run.',
    '',
    `In process: the stream is a prebuilt array of ${count(n)} integers (0, 1, 2, …) and k = ` +
      `${K}. Every timed call samples the whole array with a fresh sampler and checks that ` +
      `${K} items came back; calls repeat until the lane has used ${plan.minLaneMs} ms of CPU ` +
      'time (the skipping samplers get through the array in microseconds), and items/s is the ' +
      'stream length times the calls over that time. One repetition runs every lane once, in ' +
      `an order that rotates from one repetition to the next; ${plan.reps} repetitions, and the ` +
      'ratios ours/peer are taken per repetition (paired) and shown as median (min–max). Time ' +
      'is the CPU time of this process (`process.cpuUsage()`, user + system), not the wall ' +
      'clock: other processes were running (see the load average). Warm-up: every lane runs ' +
      `untimed over the same array, at least twice and for ${WARMUP_MS} ms of CPU time, before ` +
      'the first repetition (a warm-up on a short array was seen to leave the bounded draws ' +
      'trained on small bounds only). Before each timed run the young generation ' +
      'is collected (untimed) and the process idles 25 ms so no collector thread is billed to ' +
      'the lane. Not a full collection: with `--trace-deopt`, every full collection was seen to ' +
      'throw away the optimized code of ReservoirL (`place`, `replace`, `jumpFrom`, `offerAll`: ' +
      'V8 "weak objects" deoptimization), and timing it while it re-warmed made it look 3–5× ' +
      'slower than it runs. Each lane keeps one generator for the whole run. Our ' +
      'samplers draw from the seeded @explorables/random generator (xoshiro128** in ' +
      'JavaScript); the peers use their default, `Math.random` (V8’s built-in xorshift128+). ' +
      '`reservoir` is timed both ways it can be called: its documented bulk call (spreading ' +
      `the items into \`pushSome\`, ${RESERVOIR_CHUNK} at a time, its fastest chunk size here) ` +
      'and one `pushSome(item)` per item. The ReservoirL lanes on an array do not read the items ' +
      'between jumps at all, so their items/s is stream length over time, not items touched.',
    '',
    'Random draws are counted by the engines (`draws`, `writes`) and, for the peers, by ' +
      'wrapping `Math.random` in a counter, in separate untimed runs after all timing (so the ' +
      'wrapper cannot slow the timed code); expectations are `expectedDrawsR`, ' +
      '`expectedDrawsL` and `expectedWrites` of @explorables/reservoir.',
    '',
    `CLI: a log of ${mb(cli.file.sizeBytes)} (${intCell(lines)} lines, generated by ` +
      '`generateLogStream` + `formatLogLine` with a fixed seed: 2000 lines/s with a slow ' +
      'wobble and a 15 000 lines/s burst every 20 minutes, lines like ' +
      '`2026-01-01T00:00:00.001Z INFO  jobs user 61654 signed in`) is written once to ' +
      `\`${join(os.tmpdir(), 'explorables-bench')}\` and reused by later runs ` +
      `(${cli.file.reused ? 'reused in this run' : `generated in this run in ${(cli.file.generateMs / 1000).toFixed(0)} s`}). ` +
      `\`node packages/cli/bin/explorables.js sample --k ${K} FILE > /dev/null\` and ` +
      `\`shuf -n ${K} FILE > /dev/null\` (GNU coreutils) run as child processes, alternately ` +
      `(A B, then B A, …), ${plan.cliReps} times each, after one untimed run of each that ` +
      `checks both print ${K} lines and brings the file into the page cache. Both are whole ` +
      'processes, so the measure is the wall time from spawn to exit (start-up included; the ' +
      'start-up of the CLI alone is timed on an empty file). ' +
      (HAVE_TIME
        ? 'CPU time and maximum resident set size come from `/usr/bin/time -v` wrapped around ' +
          'each run.'
        : 'No `/usr/bin/time` on this machine: no CPU time or RSS for the child processes.'),
  ].join('\n');

  const meaning = [
    `Goal: Algorithm R and Algorithm L at ≥ 3× the items/s of \`reservoir\` on ${count(n)} ` +
      `items with k = ${K}:`,
    `- ReservoirL.offerAll: ${goal(lGoal, 3)}.`,
    `- ReservoirR.offerAll: ${goal(rGoal, 3)}.`,
    '',
    '`reservoir` does not run Algorithm R: it computes how many items to skip (Vitter’s ' +
      'Algorithm X, then Z after 22k items) and spends a random draw only per kept item (see ' +
      'its draw count), though it still steps through every item with a function call and a ' +
      'counter. Algorithm R cannot skip: it needs one bounded random draw per item, and that ' +
      'draw, not the reservoir, is where its time goes: in a loop of draws alone, an exact, ' +
      `unbiased bounded draw (\`randomBelow\`) took ${ns(drawBelow)} ns against ` +
      `${ns(summaryOf('oursR'))} ns for R’s whole step per item (loops timed apart do not ` +
      'subtract exactly; read it as: the draw is nearly all of it), and a raw draw of ' +
      `our seeded generator ${ns(summaryOf('drawOurs'))} ns, ` +
      `${rngRatio ? rngRatio.median.toFixed(2) : NA}× as fast as \`Math.random\`. So on an ` +
      `array R runs at ${rGoal ? rGoal.median.toFixed(2) : NA}× \`reservoir\` and ` +
      `${rVsPand ? rVsPand.median.toFixed(2) : NA}× pandemonium’s Algorithm R (which uses ` +
      '`Math.random` with a floating-point bound); per item ' +
      `through \`offer()\` it is ${rPerItem ? rPerItem.median.toFixed(2) : NA}× ` +
      '`reservoir`’s own per-item call. ' +
      'Algorithm L on an array jumps from kept item to kept item and never looks at the ' +
      `others, which is why it is ${lGoal ? lGoal.median.toFixed(0) : NA}× \`reservoir\` and ` +
      `${lVsPand ? lVsPand.median.toFixed(2) : NA}× pandemonium’s geometricReservoirSample, ` +
      'which makes the same jumps with `Math.random` and without keeping W in log space; ' +
      'through `offer()` L must still be handed every item, as in the CLI.',
    '',
    `Random draws: on ${count(n)} items Algorithm L used ${intCell(mean(drawsL.draws))} draws ` +
      `against ${intCell(mean(drawsR.draws))} for Algorithm R, ${drawRatio.toFixed(0)} times ` +
      `fewer. R’s count is exact (one per item after the first k: ${rExact ? 'matched' : '**did not match**'}); ` +
      `L’s mean is ${(mean(drawsL.draws) / (drawsL.expected ?? 1)).toFixed(3)} of its expectation ` +
      `${lClose ? '(within 2%)' : '(**off by more than 2%**)'}. Slot writes are the same for ` +
      'both, about k(1 + ln(n/k)).',
    '',
    cliRatio
      ? `CLI: \`explorables sample --k ${K}\` read the ${mb(cli.file.sizeBytes)} log at ` +
        `${cliRatio.median.toFixed(2)}× the lines/s of \`shuf -n ${K}\` (goal ≥ 0.5×: ` +
        `${cliRatio.median >= 0.5 ? '**met**' : '**not met**'}). Start-up alone (Node, the tsx ` +
        `loader compiling the TypeScript CLI) takes ${secondsCell(wall(cli.startup))} of wall ` +
        'time. ' +
        (rssGrowth !== undefined
          ? `Its largest resident set on that file was ${mb(rssGrowth)} above its resident ` +
            'set on an empty input: the input is streamed, not held.'
          : '')
      : 'CLI: `shuf` is not installed here, so there is no peer ratio.',
  ].join('\n');

  return {
    id: 'reservoir',
    heading: 'Reservoir sampling: our engine against npm peers, and the CLI against shuf',
    facts,
    endLoadAverage: loadAverageNow(),
    command: options.command,
    method,
    tables,
    meaning,
  };
}
