import { describeValue } from './describe.ts';
import { samplePoisson } from './poisson.ts';
import { childKey, type Seed, type SeedKey, seedKey, xoshiroWordsFromKey } from './seed.ts';
import { parseRngState, type RngState } from './state.ts';
import { uniformInt } from './uniform-int.ts';
import { Xoshiro128StarStar } from './xoshiro128.ts';

/** An array or typed array whose elements can be reassigned in place. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * The one seeded random number generator every engine takes as an injected `rng` argument:
 * xoshiro128** seeded through splitmix32, with exact distributions, JSON-able state and
 * independent child streams.
 */
export interface Rng {
  /**
   * Returns a uniform unsigned 32-bit integer in [0, 2^32).
   * @example createRng(1).nextUint32() // an integer below 4294967296
   */
  nextUint32(): number;
  /**
   * Returns a uniform number in [0, 1) carrying 53 random bits (every multiple of 2^-53 equally
   * likely).
   * @example createRng(1).float() // 0 <= x < 1
   */
  float(): number;
  /**
   * Returns an integer uniform on [min, max] inclusive, without modulo bias; min and max are safe
   * integers with max - min < 2^53.
   * @example rng.int(1, 6) // a fair die
   */
  int(min: number, max: number): number;
  /**
   * Returns true with probability p (0 <= p <= 1).
   * @example rng.bernoulli(0.25) // true one time in four
   */
  bernoulli(p: number): boolean;
  /**
   * Draws from the exponential distribution with the given rate (events per unit, > 0), so the
   * mean is 1 / rate in the same unit, e.g. a gap in ms for a rate per ms.
   * @example rng.exponential(2) // mean 0.5
   */
  exponential(rate: number): number;
  /**
   * Draws from the normal distribution (Marsaglia's polar method; the second deviate of each pair
   * is cached and is part of state()).
   * @example rng.normal(100, 15) // mean 100, standard deviation 15
   */
  normal(mean?: number, sd?: number): number;
  /**
   * Draws exp(X) with X normal(mu, sigma): mu and sigma are the log-scale mean and standard
   * deviation.
   * @example rng.lognormal(0, 0.5) // median 1, mean exp(0.125)
   */
  lognormal(mu: number, sigma: number): number;
  /**
   * Draws a count from the Poisson distribution with mean lambda (0 <= lambda <= 1e15), exact in
   * distribution.
   * @example rng.poisson(3) // 0, 1, 2, ... with mean 3
   */
  poisson(lambda: number): number;
  /**
   * Shuffles `array` in place uniformly (Fisher–Yates) and returns the same array.
   * @example rng.shuffle([1, 2, 3]) // e.g. [3, 1, 2]
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A;
  /**
   * Returns a uniformly chosen element of a non-empty array.
   * @example rng.pick(['a', 'b', 'c']) // 'b'
   */
  pick<T>(array: ArrayLike<T>): T;
  /**
   * Returns an independent generator for `index`, derived from this stream's seed key and the
   * index only, so it is the same however far this generator has advanced.
   * @example const arrivals = rng.child('arrivals'); const service = rng.child('service');
   */
  child(index: Seed): Rng;
  /**
   * Returns the complete state as a plain JSON-able object; createRngFromState resumes it exactly.
   * @example const saved = JSON.stringify(rng.state());
   */
  state(): RngState;
}

const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 2 ** -53;

class SeededRng implements Rng {
  private readonly key: SeedKey;
  private readonly generator: Xoshiro128StarStar;
  private spareNormal: number | null;

  constructor(key: SeedKey, generator: Xoshiro128StarStar, spareNormal: number | null) {
    this.key = key;
    this.generator = generator;
    this.spareNormal = spareNormal;
  }

  nextUint32(): number {
    return this.generator.next();
  }

  float(): number {
    const high = this.generator.next() >>> 5;
    const low = this.generator.next() >>> 6;
    return (high * TWO_POW_26 + low) * TWO_POW_MINUS_53;
  }

  int(min: number, max: number): number {
    return uniformInt(this, min, max);
  }

  bernoulli(p: number): boolean {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new Error(`bernoulli(p) needs a probability 0 <= p <= 1, got ${describeValue(p)}`);
    }
    return this.float() < p;
  }

  exponential(rate: number): number {
    if (typeof rate !== 'number' || !(rate > 0) || rate === Number.POSITIVE_INFINITY) {
      throw new Error(
        `exponential(rate) needs a finite rate > 0 (mean 1 / rate), got ${describeValue(rate)}`,
      );
    }
    return -Math.log(1 - this.float()) / rate;
  }

  normal(mean = 0, sd = 1): number {
    checkLocationScale('normal(mean, sd)', 'mean', mean, 'sd', sd);
    return mean + sd * this.standardNormal();
  }

  lognormal(mu: number, sigma: number): number {
    checkLocationScale('lognormal(mu, sigma)', 'mu', mu, 'sigma', sigma);
    return Math.exp(mu + sigma * this.standardNormal());
  }

  poisson(lambda: number): number {
    return samplePoisson(this, lambda);
  }

  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = uniformInt(this, 0, i);
      const held = array[i];
      array[i] = array[j];
      array[j] = held;
    }
    return array;
  }

  pick<T>(array: ArrayLike<T>): T {
    if (array.length === 0) throw new Error('pick(array) needs a non-empty array, got length 0');
    return array[uniformInt(this, 0, array.length - 1)];
  }

  child(index: Seed): Rng {
    return rngFromKey(childKey(this.key, index));
  }

  state(): RngState {
    return {
      algorithm: 'xoshiro128**',
      version: 1,
      key: [this.key[0], this.key[1], this.key[2], this.key[3]],
      words: this.generator.words(),
      spareNormal: this.spareNormal,
    };
  }

  /** Marsaglia's polar method: one pair per accepted point, the second deviate kept as spare. */
  private standardNormal(): number {
    const spare = this.spareNormal;
    if (spare !== null) {
      this.spareNormal = null;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * scale;
    return u * scale;
  }
}

function checkLocationScale(
  call: string,
  locationName: string,
  location: number,
  scaleName: string,
  scale: number,
): void {
  if (typeof location !== 'number' || !Number.isFinite(location)) {
    throw new Error(`${call} needs a finite ${locationName}, got ${describeValue(location)}`);
  }
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
    throw new Error(`${call} needs a finite ${scaleName} >= 0, got ${describeValue(scale)}`);
  }
}

function rngFromKey(key: SeedKey): Rng {
  return new SeededRng(key, new Xoshiro128StarStar(xoshiroWordsFromKey(key)), null);
}

/**
 * Creates a generator from a seed (a finite number or any string); the same seed gives the same
 * sequence on every run and platform.
 * @example const rng = createRng('bloom-essay'); rng.float();
 */
export function createRng(seed: Seed): Rng {
  return rngFromKey(seedKey(seed));
}

/**
 * Resumes a generator from a state saved by rng.state() (possibly through JSON), continuing the
 * identical sequence, pending normal spare included; throws an Error naming a malformed field.
 * @example const copy = createRngFromState(JSON.parse(JSON.stringify(rng.state())));
 */
export function createRngFromState(state: RngState): Rng {
  const checked = parseRngState(state);
  return new SeededRng(checked.key, new Xoshiro128StarStar(checked.words), checked.spareNormal);
}
