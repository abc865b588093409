/**
 * Binary and JSON forms of the four filters, versioned, so a filter built by the CLI can be read
 * back later (by the CLI, a figure, or another program).
 *
 * Binary layout, all integers little-endian, offsets in bytes:
 *
 *   Header (8 bytes)
 *     0   4  magic: ASCII "XPBF" (0x58 0x50 0x42 0x46)
 *     4   2  u16 version = 1
 *     6   1  u8 kind: 1 Bloom, 2 counting Bloom, 3 scalable Bloom, 4 binary fuse 8
 *     7   1  u8 flags, reserved, must be 0
 *
 *   Kind 1, Bloom filter ("Bloom body", B = 8)
 *     B+0   4  u32 bits m, 1 … 2^32 − 1
 *     B+4   4  u32 hashes k, 1 … 255
 *     B+8   4  u32 seed (h1 seed; h2 seed = seed + 0x9e3779b9 mod 2^32; scheme in bloom.ts)
 *     B+12  8  u64 count (add() calls), ≤ 2^53 − 1
 *     B+20  4W the bit array as W = ceil(m / 32) u32 words; bit i is bit (i mod 32) of word
 *              floor(i / 32); bits m … 32W − 1 of the last word must be 0
 *     Total 28 + 4W bytes.
 *
 *   Kind 2, counting Bloom filter (B = 8)
 *     B+0 … B+19 as kind 1 (bits = number of counters; count = adds − removes)
 *     B+20  C  C = ceil(m / 2) bytes of 4-bit counters: counter i is the low nibble of byte
 *              floor(i / 2) for even i, the high nibble for odd i; when m is odd the high nibble
 *              of the last byte must be 0
 *     Total 28 + C bytes.
 *
 *   Kind 3, scalable Bloom filter
 *     8    8  f64 errorRate P, in (0, 1)
 *     16   8  f64 growth, in [1, 1024]
 *     24   8  f64 tightening r, in (0, 1)
 *     32   4  u32 initialCapacity, ≥ 1
 *     36   4  u32 seed
 *     40   4  u32 n = number of sub-filters, 1 … 64
 *     44      n Bloom bodies (as kind 1 from B+0) back to back, sub-filter 0 first. Sub-filter i
 *             must have exactly the bits, hashes and seed the options give it (see scalable.ts),
 *             count = its capacity for all but the last, ≤ its capacity for the last.
 *
 *   Kind 4, binary fuse filter with 8-bit fingerprints
 *     8    4  u32 seed
 *     12   4  u32 size (distinct keys)
 *     16   4  u32 segmentLength, a power of two ≤ 2^18
 *     20   4  u32 segmentCount, ≥ 1
 *     24   A  A = (segmentCount + 2) · segmentLength fingerprint bytes
 *     Total 24 + A bytes.
 *
 * Nothing may follow the filter. JSON form: { format: 'explorables-filter', version: 1, kind:
 * 'bloom' | 'counting' | 'scalable' | 'fuse', …the header fields above by name…, data: base64 of
 * the payload bytes exactly as in the binary form }; a scalable filter has `filters: [{ bits,
 * hashes, seed, count, data }, …]` instead of `data`.
 */
import { BloomFilter, MAX_BITS, MAX_HASHES } from './bloom.ts';
import { CountingBloomFilter } from './counting.ts';
import { BinaryFuse8 } from './fuse.ts';
import { MAX_SUB_FILTERS, ScalableBloomFilter, subFilterSeed } from './scalable.ts';
import { sizeFor } from './sizing.ts';

/** Any filter this package can save and load. */
export type AnyFilter = BloomFilter | CountingBloomFilter | ScalableBloomFilter | BinaryFuse8;

/** The magic bytes "XPBF" that open every serialized filter. */
export const FILTER_MAGIC = new Uint8Array([0x58, 0x50, 0x42, 0x46]);
/** The format version this code writes and reads. */
export const FILTER_FORMAT_VERSION = 1;
/** Kind byte of each filter type. */
export const FILTER_KIND = { bloom: 1, counting: 2, scalable: 3, fuse: 4 } as const;

type KindName = keyof typeof FILTER_KIND;

const HEADER_BYTES = 8;
const BLOOM_FIELDS_BYTES = 20;
const MAX_SEGMENT_LENGTH = 1 << 18;

/** A serialized filter that cannot be read; `offset` is the byte where the problem is. */
export class FilterFormatError extends Error {
  /** Byte offset in the input where the problem was found. */
  readonly offset: number;

  /**
   * An error about the byte at `offset`; the message gets " (at byte offset N)" appended.
   * @example new FilterFormatError('wrong magic', 0)
   */
  constructor(message: string, offset: number) {
    super(`${message} (at byte offset ${offset})`);
    this.name = 'FilterFormatError';
    this.offset = offset;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared validation: the binary and JSON readers both describe where a field came from through
// a `Fail` callback, so the checks are written once and errors name a byte offset or a field.

type Fail = (field: string, message: string, delta?: number) => never;

interface BloomFields {
  bits: number;
  hashes: number;
  seed: number;
  count: number;
}

function checkBloomFields(f: BloomFields, fail: Fail): void {
  if (!Number.isInteger(f.bits) || f.bits < 1 || f.bits > MAX_BITS) {
    fail('bits', `bits must be an integer in [1, ${MAX_BITS}], got ${String(f.bits)}`);
  }
  if (!Number.isInteger(f.hashes) || f.hashes < 1 || f.hashes > MAX_HASHES) {
    fail('hashes', `hashes must be an integer in [1, ${MAX_HASHES}], got ${String(f.hashes)}`);
  }
  checkU32(f.seed, 'seed', fail);
  if (!Number.isSafeInteger(f.count) || f.count < 0) {
    fail('count', `count must be an integer in [0, 2^53 − 1], got ${String(f.count)}`);
  }
}

function checkU32(value: number, field: string, fail: Fail): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    fail(field, `${field} must be an integer in [0, 2^32 − 1], got ${String(value)}`);
  }
}

function bloomPayloadBytes(bits: number): number {
  return 4 * Math.ceil(bits / 32);
}

function countingPayloadBytes(bits: number): number {
  return Math.ceil(bits / 2);
}

function makeBloom(f: BloomFields, payload: Uint8Array, fail: Fail): BloomFilter {
  const filter = new BloomFilter({ bits: f.bits, hashes: f.hashes, seed: f.seed });
  wordsFromBytes(payload, filter.words);
  const spare = f.bits & 31;
  if (spare !== 0) {
    const last = filter.words.length - 1;
    if (filter.words[last] >>> spare !== 0) {
      fail(
        'data',
        `bits ${f.bits} … ${32 * filter.words.length - 1} past the end of the filter are set ` +
          'in its last word; they must be 0',
        4 * last,
      );
    }
  }
  filter.restoreCount(f.count);
  return filter;
}

function makeCounting(f: BloomFields, payload: Uint8Array, fail: Fail): CountingBloomFilter {
  const filter = new CountingBloomFilter({ bits: f.bits, hashes: f.hashes, seed: f.seed });
  filter.nibbles.set(payload);
  if ((f.bits & 1) === 1 && payload[payload.length - 1] >>> 4 !== 0) {
    fail(
      'data',
      `counter ${f.bits} past the end of the filter (high nibble of the last byte) must be 0`,
      payload.length - 1,
    );
  }
  filter.restoreCount(f.count);
  return filter;
}

interface ScalableFields {
  errorRate: number;
  growth: number;
  tightening: number;
  initialCapacity: number;
  seed: number;
}

function makeScalable(f: ScalableFields, fail: Fail): ScalableBloomFilter {
  if (typeof f.errorRate !== 'number' || !(f.errorRate > 0 && f.errorRate < 1)) {
    fail('errorRate', `errorRate must be in (0, 1), got ${String(f.errorRate)}`);
  }
  if (typeof f.growth !== 'number' || !(f.growth >= 1 && f.growth <= 1024)) {
    fail('growth', `growth must be in [1, 1024], got ${String(f.growth)}`);
  }
  if (typeof f.tightening !== 'number' || !(f.tightening > 0 && f.tightening < 1)) {
    fail('tightening', `tightening must be in (0, 1), got ${String(f.tightening)}`);
  }
  if (!Number.isInteger(f.initialCapacity) || f.initialCapacity < 1) {
    fail(
      'initialCapacity',
      `initialCapacity must be an integer in [1, 2^32 − 1], got ${String(f.initialCapacity)}`,
    );
  }
  checkU32(f.initialCapacity, 'initialCapacity', fail);
  checkU32(f.seed, 'seed', fail);
  return new ScalableBloomFilter(f);
}

/** Checks sub-filter `index`'s fields against what `scalable` makes (before reading its bits). */
function checkSubFilterFields(
  scalable: ScalableBloomFilter,
  index: number,
  isLast: boolean,
  f: BloomFields,
  fail: Fail,
): void {
  let expected: { bits: number; hashes: number };
  try {
    expected = sizeFor(scalable.capacityOf(index), scalable.errorRateOf(index));
  } catch (error) {
    fail('bits', `sub-filter ${index} cannot be sized: ${(error as Error).message}`);
  }
  const p = `sub-filter ${index}:`;
  if (f.bits !== expected.bits) fail('bits', `${p} bits is ${f.bits}, expected ${expected.bits}`);
  if (f.hashes !== expected.hashes) {
    fail('hashes', `${p} hashes is ${f.hashes}, expected ${expected.hashes}`);
  }
  const seed = subFilterSeed(scalable.seed, index);
  if (f.seed !== seed) fail('seed', `${p} seed is ${f.seed}, expected ${seed}`);
  const capacity = scalable.capacityOf(index);
  if (isLast ? f.count > capacity : f.count !== capacity) {
    fail(
      'count',
      `${p} count is ${f.count}, expected ${isLast ? `at most ${capacity}` : `${capacity} (full)`}`,
    );
  }
}

interface FuseFields {
  seed: number;
  size: number;
  segmentLength: number;
  segmentCount: number;
}

/** Validates the fuse fields and returns the fingerprint array length. */
function checkFuseFields(f: FuseFields, fail: Fail): number {
  checkU32(f.seed, 'seed', fail);
  const L = f.segmentLength;
  if (!Number.isInteger(L) || L < 1 || L > MAX_SEGMENT_LENGTH || (L & (L - 1)) !== 0) {
    fail('segmentLength', `segmentLength must be a power of two in [1, 2^18], got ${String(L)}`);
  }
  if (!Number.isInteger(f.segmentCount) || f.segmentCount < 1 || f.segmentCount > 0xffffffff) {
    fail('segmentCount', `segmentCount must be an integer ≥ 1, got ${String(f.segmentCount)}`);
  }
  const arrayLength = (f.segmentCount + 2) * L;
  if (arrayLength > 0x7fffffff) {
    fail(
      'segmentCount',
      `(segmentCount + 2) · segmentLength = ${arrayLength} cells, more than 2^31 − 1`,
    );
  }
  if (!Number.isInteger(f.size) || f.size < 0 || f.size > arrayLength) {
    fail('size', `size must be an integer in [0, ${arrayLength}], got ${String(f.size)}`);
  }
  return arrayLength;
}

function makeFuse(f: FuseFields, fingerprints: Uint8Array, fail: Fail): BinaryFuse8 {
  try {
    return BinaryFuse8.fromParts({ ...f, fingerprints });
  } catch (error) {
    fail('data', (error as Error).message);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary

/**
 * The binary form of a filter (layout at the top of this file), as a new byte array.
 * @example deserializeFilter(serializeFilter(f)).has('apple') === f.has('apple')
 */
export function serializeFilter(filter: AnyFilter): Uint8Array {
  const kind = kindOf(filter);
  let total = HEADER_BYTES;
  if (filter instanceof BloomFilter) total += BLOOM_FIELDS_BYTES + filter.words.byteLength;
  else if (filter instanceof CountingBloomFilter) total += BLOOM_FIELDS_BYTES + filter.sizeBytes;
  else if (filter instanceof ScalableBloomFilter) {
    total += 36;
    for (const sub of filter.filters) total += BLOOM_FIELDS_BYTES + sub.words.byteLength;
  } else total += 16 + filter.fingerprints.length;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(FILTER_MAGIC, 0);
  view.setUint16(4, FILTER_FORMAT_VERSION, true);
  out[6] = FILTER_KIND[kind];
  out[7] = 0;
  let pos = HEADER_BYTES;
  const bloomFields = (f: BloomFilter | CountingBloomFilter) => {
    view.setUint32(pos, f.bits, true);
    view.setUint32(pos + 4, f.hashes, true);
    view.setUint32(pos + 8, f.seed, true);
    setU64(view, pos + 12, f.count);
    pos += BLOOM_FIELDS_BYTES;
  };
  if (filter instanceof BloomFilter) {
    bloomFields(filter);
    bytesFromWords(filter.words, out, pos);
  } else if (filter instanceof CountingBloomFilter) {
    bloomFields(filter);
    out.set(filter.nibbles, pos);
  } else if (filter instanceof ScalableBloomFilter) {
    view.setFloat64(8, filter.errorRate, true);
    view.setFloat64(16, filter.growth, true);
    view.setFloat64(24, filter.tightening, true);
    view.setUint32(32, filter.initialCapacity, true);
    view.setUint32(36, filter.seed, true);
    view.setUint32(40, filter.filters.length, true);
    pos = 44;
    for (const sub of filter.filters) {
      bloomFields(sub);
      bytesFromWords(sub.words, out, pos);
      pos += sub.words.byteLength;
    }
  } else {
    view.setUint32(8, filter.seed, true);
    view.setUint32(12, filter.size, true);
    view.setUint32(16, filter.segmentLength, true);
    view.setUint32(20, filter.segmentCount, true);
    out.set(filter.fingerprints, 24);
  }
  return out;
}

/** Reads fields in order, remembering where each one started, and reports truncation. */
class Reader {
  pos = 0;
  readonly view: DataView;
  readonly fields = new Map<string, number>();

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  readonly fail: Fail = (field, message, delta = 0) => {
    throw new FilterFormatError(message, (this.fields.get(field) ?? this.pos) + delta);
  };

  need(n: number, what: string): void {
    const available = this.bytes.length - this.pos;
    if (available < n) {
      throw new FilterFormatError(
        `truncated ${what}: expected ${n} bytes from offset ${this.pos}, ` +
          `but the input ends after ${available}`,
        this.bytes.length,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    this.fields.set(field, this.pos);
    return this.bytes[this.pos++];
  }

  u16(field: string): number {
    this.need(2, field);
    this.fields.set(field, this.pos);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    this.fields.set(field, this.pos);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(field: string): number {
    this.need(8, field);
    this.fields.set(field, this.pos);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    // Values above 2^53 − 1 become unsafe numbers and are rejected by the field checks.
    return hi > 0x1fffff ? Number.POSITIVE_INFINITY : hi * 4294967296 + lo;
  }

  f64(field: string): number {
    this.need(8, field);
    this.fields.set(field, this.pos);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  payload(n: number, what: string): Uint8Array {
    this.need(n, what);
    this.fields.set('data', this.pos);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  bloomFields(): BloomFields {
    return {
      bits: this.u32('bits'),
      hashes: this.u32('hashes'),
      seed: this.u32('seed'),
      count: this.u64('count'),
    };
  }
}

/**
 * Reads a filter written by serializeFilter. Throws FilterFormatError, whose `offset` is the byte
 * where the problem is, for wrong magic (0), unsupported version (4), unknown kind (6), non-zero
 * flags (7), truncation (the input length: where the bytes ran out), inconsistent fields (that
 * field's offset) and trailing bytes (where the filter should have ended).
 * @example deserializeFilter(serializeFilter(BloomFilter.forCapacity(10, 0.1))) // a BloomFilter
 */
export function deserializeFilter(bytes: Uint8Array): AnyFilter {
  if (!(bytes instanceof Uint8Array)) {
    throw new FilterFormatError('expected a Uint8Array of serialized filter bytes', 0);
  }
  for (let i = 0; i < 4 && i < bytes.length; i++) {
    if (bytes[i] !== FILTER_MAGIC[i]) {
      throw new FilterFormatError(
        `wrong magic: expected the bytes "XPBF" (58 50 42 46) that start a serialized filter`,
        0,
      );
    }
  }
  const r = new Reader(bytes);
  r.need(4, 'magic');
  r.pos = 4;
  const version = r.u16('version');
  if (version !== FILTER_FORMAT_VERSION) {
    throw new FilterFormatError(
      `unsupported format version ${version}; this reader understands version ${FILTER_FORMAT_VERSION}`,
      4,
    );
  }
  const kind = r.u8('kind');
  if (kind < 1 || kind > 4) {
    throw new FilterFormatError(
      `unknown filter kind ${kind}; expected 1 (Bloom), 2 (counting), 3 (scalable) or 4 (fuse)`,
      6,
    );
  }
  const flags = r.u8('flags');
  if (flags !== 0) r.fail('flags', `flags byte is ${flags}; it is reserved and must be 0`);

  let filter: AnyFilter;
  if (kind === FILTER_KIND.bloom || kind === FILTER_KIND.counting) {
    const f = r.bloomFields();
    checkBloomFields(f, r.fail);
    if (kind === FILTER_KIND.bloom) {
      const payload = r.payload(bloomPayloadBytes(f.bits), `bit array of ${f.bits} bits`);
      filter = makeBloom(f, payload, r.fail);
    } else {
      const payload = r.payload(countingPayloadBytes(f.bits), `${f.bits} 4-bit counters`);
      filter = makeCounting(f, payload, r.fail);
    }
  } else if (kind === FILTER_KIND.scalable) {
    const fields: ScalableFields = {
      errorRate: r.f64('errorRate'),
      growth: r.f64('growth'),
      tightening: r.f64('tightening'),
      initialCapacity: r.u32('initialCapacity'),
      seed: r.u32('seed'),
    };
    const n = r.u32('filterCount');
    const scalable = makeScalable(fields, r.fail);
    if (n < 1 || n > MAX_SUB_FILTERS) {
      r.fail('filterCount', `sub-filter count must be in [1, ${MAX_SUB_FILTERS}], got ${n}`);
    }
    const subs: BloomFilter[] = [];
    for (let i = 0; i < n; i++) {
      const f = r.bloomFields();
      checkBloomFields(f, r.fail);
      checkSubFilterFields(scalable, i, i === n - 1, f, r.fail);
      const payload = r.payload(bloomPayloadBytes(f.bits), `bit array of sub-filter ${i}`);
      subs.push(makeBloom(f, payload, r.fail));
    }
    scalable.restoreFilters(subs);
    filter = scalable;
  } else {
    const f: FuseFields = {
      seed: r.u32('seed'),
      size: r.u32('size'),
      segmentLength: r.u32('segmentLength'),
      segmentCount: r.u32('segmentCount'),
    };
    const arrayLength = checkFuseFields(f, r.fail);
    const payload = r.payload(arrayLength, `${arrayLength} fingerprint bytes`);
    filter = makeFuse(f, payload.slice(), r.fail);
  }
  if (r.pos !== bytes.length) {
    throw new FilterFormatError(
      `${bytes.length - r.pos} trailing bytes after the filter, which ends at offset ${r.pos}`,
      r.pos,
    );
  }
  return filter;
}

// ---------------------------------------------------------------------------------------------
// JSON

const JSON_FORMAT = 'explorables-filter';

/**
 * The JSON form of a filter: { format: 'explorables-filter', version: 1, kind, …fields, data }
 * with `data` the base64 of the binary payload (see the top of this file).
 * @example filterToJSON(f) // { format: 'explorables-filter', version: 1, kind: 'bloom', bits: … }
 */
export function filterToJSON(filter: AnyFilter): unknown {
  const kind = kindOf(filter);
  const head = { format: JSON_FORMAT, version: FILTER_FORMAT_VERSION, kind };
  const bloomJSON = (f: BloomFilter) => ({
    bits: f.bits,
    hashes: f.hashes,
    seed: f.seed,
    count: f.count,
    data: encodeBase64(wordsAsBytes(f.words)),
  });
  if (filter instanceof BloomFilter) return { ...head, ...bloomJSON(filter) };
  if (filter instanceof CountingBloomFilter) {
    const { bits, hashes, seed, count } = filter;
    return { ...head, bits, hashes, seed, count, data: encodeBase64(filter.nibbles) };
  }
  if (filter instanceof ScalableBloomFilter) {
    const { initialCapacity, errorRate, growth, tightening, seed } = filter;
    const filters = filter.filters.map(bloomJSON);
    return { ...head, initialCapacity, errorRate, growth, tightening, seed, filters };
  }
  const { seed, size, segmentLength, segmentCount } = filter;
  return {
    ...head,
    seed,
    size,
    segmentLength,
    segmentCount,
    data: encodeBase64(filter.fingerprints),
  };
}

/**
 * Reads the JSON form written by filterToJSON (an object, or its JSON text). Throws an Error
 * naming the bad field (e.g. `filters[1].bits`) when something is missing or inconsistent.
 * @example filterFromJSON(filterToJSON(f)).has('apple') === f.has('apple')
 */
export function filterFromJSON(json: unknown): AnyFilter {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new Error(`filter JSON text does not parse: ${(error as Error).message}`);
    }
  }
  const obj = asObject(value, 'filter JSON');
  const failAt =
    (prefix: string): Fail =>
    (field, message) => {
      throw new Error(`filter JSON field "${prefix}${field}": ${message}`);
    };
  const fail = failAt('');
  if (obj.format !== JSON_FORMAT) {
    fail('format', `expected "${JSON_FORMAT}", got ${JSON.stringify(obj.format)}`);
  }
  if (obj.version !== FILTER_FORMAT_VERSION) {
    fail(
      'version',
      `unsupported version ${JSON.stringify(obj.version)}; expected ${FILTER_FORMAT_VERSION}`,
    );
  }
  const kind = obj.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(FILTER_KIND, kind)) {
    fail('kind', `expected "bloom", "counting", "scalable" or "fuse", got ${JSON.stringify(kind)}`);
  }
  const num = (o: Record<string, unknown>, field: string, f: Fail): number => {
    const v = o[field];
    if (typeof v !== 'number') f(field, `expected a number, got ${JSON.stringify(v) ?? 'nothing'}`);
    return v as number;
  };
  const bloomOf = (o: Record<string, unknown>, f: Fail): BloomFields => ({
    bits: num(o, 'bits', f),
    hashes: num(o, 'hashes', f),
    seed: num(o, 'seed', f),
    count: num(o, 'count', f),
  });
  const data = (o: Record<string, unknown>, expectedBytes: number, f: Fail): Uint8Array => {
    const bytes = decodeBase64(o.data, f);
    if (bytes.length !== expectedBytes) {
      f('data', `decodes to ${bytes.length} bytes, expected ${expectedBytes}`);
    }
    return bytes;
  };
  if (kind === 'bloom' || kind === 'counting') {
    const fields = bloomOf(obj, fail);
    checkBloomFields(fields, fail);
    if (kind === 'bloom') {
      return makeBloom(fields, data(obj, bloomPayloadBytes(fields.bits), fail), fail);
    }
    return makeCounting(fields, data(obj, countingPayloadBytes(fields.bits), fail), fail);
  }
  if (kind === 'scalable') {
    const fields: ScalableFields = {
      errorRate: num(obj, 'errorRate', fail),
      growth: num(obj, 'growth', fail),
      tightening: num(obj, 'tightening', fail),
      initialCapacity: num(obj, 'initialCapacity', fail),
      seed: num(obj, 'seed', fail),
    };
    const scalable = makeScalable(fields, fail);
    const list = obj.filters;
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_SUB_FILTERS) {
      fail('filters', `expected an array of 1 … ${MAX_SUB_FILTERS} sub-filters`);
    }
    const subs = (list as unknown[]).map((item, i) => {
      const subFail = failAt(`filters[${i}].`);
      const o = asObject(item, `filter JSON field "filters[${i}]"`);
      const f = bloomOf(o, subFail);
      checkBloomFields(f, subFail);
      checkSubFilterFields(scalable, i, i === (list as unknown[]).length - 1, f, subFail);
      return makeBloom(f, data(o, bloomPayloadBytes(f.bits), subFail), subFail);
    });
    scalable.restoreFilters(subs);
    return scalable;
  }
  const fields: FuseFields = {
    seed: num(obj, 'seed', fail),
    size: num(obj, 'size', fail),
    segmentLength: num(obj, 'segmentLength', fail),
    segmentCount: num(obj, 'segmentCount', fail),
  };
  const arrayLength = checkFuseFields(fields, fail);
  return makeFuse(fields, data(obj, arrayLength, fail), fail);
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what}: expected an object, got ${value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function kindOf(filter: AnyFilter): KindName {
  if (filter instanceof BloomFilter) return 'bloom';
  if (filter instanceof CountingBloomFilter) return 'counting';
  if (filter instanceof ScalableBloomFilter) return 'scalable';
  if (filter instanceof BinaryFuse8) return 'fuse';
  throw new Error(
    'serialize: expected a BloomFilter, CountingBloomFilter, ScalableBloomFilter or BinaryFuse8',
  );
}

// ---------------------------------------------------------------------------------------------
// Bytes helpers

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function setU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % 4294967296, true);
  view.setUint32(offset + 4, Math.floor(value / 4294967296), true);
}

/** Writes `words` as little-endian bytes into `out` at `offset`. */
function bytesFromWords(words: Uint32Array, out: Uint8Array, offset: number): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < words.length; i++) view.setUint32(offset + 4 * i, words[i], true);
}

function wordsAsBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.byteLength);
  bytesFromWords(words, out, 0);
  return out;
}

/** Reads little-endian bytes (length 4 · words.length) into `words`. */
function wordsFromBytes(bytes: Uint8Array, words: Uint32Array): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(words.buffer, words.byteOffset, words.byteLength).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(4 * i, true);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/**
 * Standard base64 (RFC 4648, alphabet A–Z a–z 0–9 + /, with '=' padding) of `bytes`.
 * @example encodeBase64(new Uint8Array([1, 2, 3])) // 'AQID'
 */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += BASE64[v >>> 18] + BASE64[(v >>> 12) & 63] + BASE64[(v >>> 6) & 63] + BASE64[v & 63];
    }
    if (end - i === 1) {
      const v = bytes[i] << 16;
      s += `${BASE64[v >>> 18]}${BASE64[(v >>> 12) & 63]}==`;
    } else if (end - i === 2) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
      s += `${BASE64[v >>> 18]}${BASE64[(v >>> 12) & 63]}${BASE64[(v >>> 6) & 63]}=`;
    }
    parts.push(s);
  }
  return parts.join('');
}

/**
 * Decodes strict standard base64 (length a multiple of 4, '=' only as final padding, unused bits
 * zero); throws an Error naming the position of the first bad character.
 * @example decodeBase64('AQID') // Uint8Array [1, 2, 3]
 */
export function decodeBase64(text: unknown, fail?: Fail): Uint8Array {
  const bad: Fail =
    fail ??
    ((_field, message) => {
      throw new Error(message);
    });
  if (typeof text !== 'string') {
    bad('data', `expected a base64 string, got ${typeof text}`);
  }
  const s = text as string;
  if (s.length % 4 !== 0) bad('data', `base64 length ${s.length} is not a multiple of 4`);
  let pad = 0;
  if (s.length > 0 && s[s.length - 1] === '=') pad = s[s.length - 2] === '=' ? 2 : 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    const groupPad = i + 4 === s.length ? pad : 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      let d = c < 128 ? BASE64_VALUE[c] : -1;
      if (j >= 4 - groupPad) d = 0;
      if (d < 0) {
        bad('data', `invalid base64 character ${JSON.stringify(s[i + j])} at position ${i + j}`);
      }
      v = (v << 6) | d;
    }
    if (groupPad === 2 && (v & 0xffff) !== 0) {
      bad('data', `non-zero padding bits in base64 at position ${i + 1}`);
    }
    if (groupPad === 1 && (v & 0xff) !== 0) {
      bad('data', `non-zero padding bits in base64 at position ${i + 2}`);
    }
    out[o++] = v >>> 16;
    if (groupPad < 2) out[o++] = (v >>> 8) & 0xff;
    if (groupPad < 1) out[o++] = v & 0xff;
  }
  return out;
}
