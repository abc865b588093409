/**
 * Benchmark keys: distinct, realistic-looking URLs, generated block by block from a seeded
 * generator, so a 10-million-key run never holds more than one block of strings in memory.
 *
 * Key number i (0 ≤ i < 2^32) is
 *   https://<host>/<word>/<word>-<word>-<id>[?ref=<word>]
 * where host and words come from block-seeded random bits and id is a bijective 32-bit mix of i
 * written in base 36. Words never contain '-' and ids never contain '?', so the id can be read
 * back from the string: two different i always give two different keys. Present keys use
 * indices [0, n) and absent keys use indices from ABSENT_BASE up, so no absent key was added.
 */
import { createRng } from '@explorables/random';

/** First index of the absent keys (queries that must answer "no" unless a false positive). */
export const ABSENT_BASE = 0x8000_0000;

/** 128 words (a power of two, so 7 random bits pick one without bias). */
const WORDS = (
  'apple river stone cloud paper light green quiet north amber blue bright cedar delta eagle ' +
  'ember field forest frost garden harbor hollow island jade lake lemon maple meadow ' +
  'mountain ocean olive orbit pearl pine planet prairie rain raven reef ridge rose sand ' +
  'shadow silver sky snow solar spring star storm summer sun tide tiger timber valley ' +
  'velvet willow winter wolf wood yellow zephyr news blog docs guide api search shop cart ' +
  'user users account login help about press careers events story stories video photo ' +
  'music sport travel food health science tech world local opinion review reviews recipe ' +
  'article archive category tag page post topic forum thread report data chart market ' +
  'finance weather jobs home index media static assets images release notes product ' +
  'support download feed canyon coral dune'
).split(' ');

/** 64 hosts (6 random bits pick one). */
const HOSTS = [
  'www.example.com',
  'news.example.org',
  'blog.acme.io',
  'docs.acme.io',
  'shop.northwind.com',
  'api.contoso.net',
  'en.wikipedia.org',
  'github.com',
  'stackoverflow.com',
  'www.bbc.co.uk',
  'www.nytimes.com',
  'medium.com',
  'www.reddit.com',
  'news.ycombinator.com',
  'developer.mozilla.org',
  'www.theguardian.com',
].flatMap((host, i) => [host, `cdn${i}.${host}`, `m.${host}`, `static.${host}`]);

if (new Set(WORDS).size !== 128 || new Set(HOSTS).size !== 64) {
  throw new Error(`keys.ts: expected 128 words and 64 hosts, got ${WORDS.length}, ${HOSTS.length}`);
}

/** A bijection on 32-bit integers (xorshift-multiply rounds, each invertible). */
function mixIndex(i: number): number {
  let x = i >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Keys per page: each page of keys has its own seeded generator, so any range can be rebuilt. */
const PAGE = 4096;

/**
 * Fills `out[0 … count−1]` with keys number `first … first+count−1`. Key i depends only on i and
 * `seed` (never on how the range was cut into blocks), and each string is flattened so no timed
 * loop pays for V8's rope flattening.
 * @example const keys: string[] = []; generateKeys(0, 1000, 42, keys);
 */
export function generateKeys(first: number, count: number, seed: number, out: string[]): void {
  if (!Number.isInteger(first) || first < 0 || !Number.isInteger(count) || count < 0) {
    throw new Error(`generateKeys: first and count must be integers ≥ 0, got ${first}, ${count}`);
  }
  if (first + count > 2 ** 32) {
    throw new Error(`generateKeys: indices [${first}, ${first + count}) leave [0, 2^32)`);
  }
  let rng = createRng(`bench-keys:${seed}:${Math.floor(first / PAGE)}`);
  for (let skip = first % PAGE; skip > 0; skip--) rng.nextUint32();
  let check = 0;
  for (let j = 0; j < count; j++) {
    const index = first + j;
    if (j > 0 && index % PAGE === 0) rng = createRng(`bench-keys:${seed}:${index / PAGE}`);
    const bits = rng.nextUint32();
    const host = HOSTS[bits & 63];
    const a = WORDS[(bits >>> 6) & 127];
    const b = WORDS[(bits >>> 13) & 127];
    const c = WORDS[(bits >>> 20) & 127];
    const id = mixIndex(index).toString(36);
    let key = `https://${host}/${a}/${b}-${c}-${id}`;
    if (bits >>> 30 === 0) key += `?ref=${WORDS[(bits >>> 27) & 7]}`;
    // Reading a character flattens the rope the template literal built.
    check += key.charCodeAt(key.length >>> 1);
    out[j] = key;
  }
  out.length = count;
  if (check < 0) throw new Error('unreachable');
}
