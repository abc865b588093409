/**
 * The "Binary fuse vs Bloom" measurement: build a Bloom filter at p = 1/256 and a BinaryFuse8
 * over the same random keys, time the builds and the queries (present and absent keys) with an
 * injected clock, and measure bits per key and the false-positive rate of both. Runs in a Web
 * Worker in the browser (fuse-bench.worker.ts) and directly under Vitest.
 */
import { BinaryFuse8, BloomFilter } from '@explorables/bloom';
import { createRng, mix32 } from '@explorables/random';

/** The false-positive rate of an 8-bit fingerprint, which the Bloom filter is sized to match. */
export const FUSE8_RATE = 1 / 256;

/** Key counts the figure offers. */
export const KEY_COUNTS: readonly number[] = [10_000, 100_000, 1_000_000];

/** What one run measures. */
export interface BenchOptions {
  /** Distinct keys in both filters. */
  keyCount: number;
  /** Queries of present keys, and separately of absent keys, per filter. */
  queryCount: number;
  /** Seeds the keys and both filters. */
  seed: number;
  /** Milliseconds from an arbitrary origin (performance.now in the browser). */
  now: () => number;
  /** Called between chunks with the fraction done (0…1) and what is running. */
  onProgress?: (fraction: number, phase: string) => void;
  /** Returns true to abandon the run (checked between chunks); the run then throws. */
  shouldStop?: () => boolean;
}

/** One filter's measurements. */
export interface FilterMeasurement {
  name: string;
  sizeBytes: number;
  /** Memory of the structure answering queries, in bits, divided by the key count. */
  bitsPerKey: number;
  buildMs: number;
  /** Distinct absent keys that answered "maybe" (out of BenchResult.absentKeyCount). */
  falsePositives: number;
  falsePositiveRate: number;
  /** Present-key queries that answered "maybe" (must equal the present query count). */
  presentHits: number;
  presentQueriesPerSecond: number;
  absentQueriesPerSecond: number;
}

/** The whole comparison. */
export interface BenchResult {
  keyCount: number;
  queryCount: number;
  seed: number;
  targetRate: number;
  /** Distinct absent keys the false-positive rates are measured on. */
  absentKeyCount: number;
  /** log2(1/p): no filter with rate p can use fewer bits per key. */
  lowerBoundBitsPerKey: number;
  bloom: FilterMeasurement;
  fuse: FilterMeasurement;
}

/** Thrown by runFuseBench when shouldStop() returned true. */
export class BenchCancelled extends Error {
  constructor() {
    super('benchmark cancelled');
    this.name = 'BenchCancelled';
  }
}

// Hex digit character codes, so keys are built as flat strings (no concatenation ropes that
// the first hash would have to flatten inside a timed loop).
const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * `count` distinct random-looking keys (`prefix` + 8 hex digits), reproducible from `seed`: key i
 * is mix32(i + offset) with a seeded offset, and mix32 is a bijection, so keys never repeat (up to
 * 2^32 of them) and keys with different prefixes never collide.
 * @example randomKeys(3, 1, 'p') // ['p3f09c1e2', 'p9a4410b7', 'p07d2e6a5'] (digits vary by seed)
 */
export function randomKeys(count: number, seed: number, prefix: string): string[] {
  if (!Number.isInteger(count) || count < 0 || count > 2 ** 32) {
    throw new Error(`randomKeys: count must be an integer in [0, 2^32], got ${count}`);
  }
  const offset = createRng(`fuse-bench:${prefix}:${seed}`).nextUint32();
  const codes = Array.from({ length: prefix.length }, (_, i) => prefix.charCodeAt(i));
  const digitsAt = codes.length;
  for (let d = 0; d < 8; d++) codes.push(0);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const x = mix32((i + offset) >>> 0);
    for (let d = 0; d < 8; d++) codes[digitsAt + d] = HEX_CODES[(x >>> (28 - 4 * d)) & 15];
    out[i] = String.fromCharCode.apply(null, codes);
  }
  return out;
}

const CHUNK = 1 << 15;

/**
 * Builds both filters over `keyCount` random keys and measures them; timings come from
 * `options.now`. Throws BenchCancelled when `shouldStop` says so.
 * @example runFuseBench({ keyCount: 1e4, queryCount: 1e5, seed: 1, now: () => performance.now() })
 */
export function runFuseBench(options: BenchOptions): BenchResult {
  const { keyCount, queryCount, seed, now } = options;
  if (!Number.isInteger(keyCount) || keyCount < 1) {
    throw new Error(`runFuseBench: keyCount must be an integer ≥ 1, got ${keyCount}`);
  }
  if (!Number.isInteger(queryCount) || queryCount < 1) {
    throw new Error(`runFuseBench: queryCount must be an integer ≥ 1, got ${queryCount}`);
  }
  const progress = options.onProgress ?? (() => {});
  const stop = options.shouldStop ?? (() => false);
  const check = () => {
    if (stop()) throw new BenchCancelled();
  };
  // Work units, for the progress bar: keys ×2 (generate), builds ×2, queries ×4.
  const total = 2 * keyCount + 2 * keyCount + 4 * queryCount;
  let done = 0;
  const advance = (units: number, phase: string) => {
    done += units;
    progress(Math.min(1, done / total), phase);
    check();
  };

  progress(0, 'generating keys');
  const present = randomKeys(keyCount, seed, 'p');
  advance(keyCount, 'generating absent keys');
  const absent = randomKeys(Math.min(queryCount, 4 * keyCount + CHUNK), seed, 'a');
  advance(keyCount, 'building the Bloom filter');

  // Bloom: sized for exactly keyCount keys at 1/256, then filled.
  let t0 = now();
  const bloom = BloomFilter.forCapacity(keyCount, FUSE8_RATE, seed);
  for (let i = 0; i < keyCount; i++) bloom.add(present[i]);
  const bloomBuildMs = now() - t0;
  advance(keyCount, 'building the binary fuse filter');

  t0 = now();
  const fuse = BinaryFuse8.build(present, { seed });
  const fuseBuildMs = now() - t0;
  advance(keyCount, 'querying');

  let sink = 0;
  const timeQueries = (
    has: (key: string) => boolean,
    keys: readonly string[],
    phase: string,
  ): { hits: number; ms: number } => {
    let hits = 0;
    let ms = 0;
    // One untimed chunk first, so the timed loop does not pay for compiling or cold caches.
    const warm = Math.min(CHUNK, queryCount);
    for (let i = 0; i < warm; i++) if (has(keys[i % keys.length])) sink++;
    for (let start = 0; start < queryCount; start += CHUNK) {
      const end = Math.min(queryCount, start + CHUNK);
      const length = keys.length;
      const t = now();
      for (let i = start; i < end; i++) if (has(keys[i % length])) hits++;
      ms += now() - t;
      advance(end - start, phase);
    }
    return { hits, ms };
  };

  const bloomHas = (key: string) => bloom.has(key);
  const fuseHas = (key: string) => fuse.has(key);
  const bloomPresent = timeQueries(bloomHas, present, 'Bloom: present keys');
  const fusePresent = timeQueries(fuseHas, present, 'fuse: present keys');
  const bloomAbsent = timeQueries(bloomHas, absent, 'Bloom: absent keys');
  const fuseAbsent = timeQueries(fuseHas, absent, 'fuse: absent keys');

  // The absent set may be cycled when queryCount exceeds it; rates count each distinct key once.
  const distinctAbsent = Math.min(queryCount, absent.length);
  let bloomFalse = 0;
  let fuseFalse = 0;
  for (let i = 0; i < distinctAbsent; i++) {
    if (bloom.has(absent[i])) bloomFalse++;
    if (fuse.has(absent[i])) fuseFalse++;
  }

  const perSecond = (ms: number) => (ms > 0 ? (queryCount / ms) * 1000 : Number.POSITIVE_INFINITY);
  const result: BenchResult = {
    keyCount,
    queryCount,
    seed,
    targetRate: FUSE8_RATE,
    absentKeyCount: distinctAbsent,
    lowerBoundBitsPerKey: Math.log2(1 / FUSE8_RATE),
    bloom: {
      name: 'Bloom filter',
      sizeBytes: bloom.sizeBytes,
      bitsPerKey: (8 * bloom.sizeBytes) / keyCount,
      buildMs: bloomBuildMs,
      falsePositives: bloomFalse,
      falsePositiveRate: bloomFalse / distinctAbsent,
      presentHits: bloomPresent.hits,
      presentQueriesPerSecond: perSecond(bloomPresent.ms),
      absentQueriesPerSecond: perSecond(bloomAbsent.ms),
    },
    fuse: {
      name: 'Binary fuse 8',
      sizeBytes: fuse.sizeBytes,
      bitsPerKey: fuse.bitsPerKey,
      buildMs: fuseBuildMs,
      falsePositives: fuseFalse,
      falsePositiveRate: fuseFalse / distinctAbsent,
      presentHits: fusePresent.hits,
      presentQueriesPerSecond: perSecond(fusePresent.ms),
      absentQueriesPerSecond: perSecond(fuseAbsent.ms),
    },
  };
  // `sink` keeps the warm-up loop from being optimised away.
  if (sink < 0) throw new Error('unreachable');
  return result;
}
