import { logFactorial, stirlingRemainder } from './log-factorial.ts';

/** Anything that yields independent uniform floats in [0, 1). */
export interface FloatSource {
  /** Returns a uniform number in [0, 1). */
  float(): number;
}

/** The largest Poisson mean accepted; above it doubles cannot keep k - lambda exact. */
export const MAX_POISSON_LAMBDA = 1e15;

/** Below this mean Knuth's product method is used, at or above it Hörmann's PTRS. */
export const POISSON_PTRS_THRESHOLD = 10;

/**
 * ln P(X = k) for X ~ Poisson(lambda), computed without cancelling huge terms when k and lambda
 * are large (k ln(lambda/k) + (k - lambda) is evaluated through log1p).
 * @example logPoissonPmf(0, 2) // -2
 */
export function logPoissonPmf(k: number, lambda: number): number {
  if (k < 256) return -lambda + k * Math.log(lambda) - logFactorial(k);
  const d = k - lambda;
  return -k * Math.log1p(d / lambda) + d - 0.5 * Math.log(2 * Math.PI * k) - stirlingRemainder(k);
}

/**
 * Draws from the Poisson distribution with mean `lambda` (events per interval, >= 0, at most
 * 1e15), exactly in distribution: Knuth's multiplication of uniforms below 10, Hörmann's
 * transformed rejection with squeeze (PTRS, 1993) from 10 on.
 * @example samplePoisson(rng, 3) // 0, 1, 2, ... with mean 3
 */
export function samplePoisson(source: FloatSource, lambda: number): number {
  if (typeof lambda !== 'number' || Number.isNaN(lambda) || lambda < 0) {
    throw new Error(`poisson(lambda) needs a mean lambda >= 0, got ${String(lambda)}`);
  }
  if (lambda > MAX_POISSON_LAMBDA) {
    throw new Error(`poisson(lambda) supports lambda <= 1e15, got ${String(lambda)}`);
  }
  if (lambda === 0) return 0;
  if (lambda < POISSON_PTRS_THRESHOLD) return knuth(source, lambda);
  return ptrs(source, lambda);
}

/** Counts uniforms multiplied before the product drops to exp(-lambda) or below. */
function knuth(source: FloatSource, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = source.float();
  while (product > limit) {
    k++;
    product *= source.float();
  }
  return k;
}

/**
 * ln of the factor by which the PTRS hat is enlarged over Hörmann's published constant. Scanning
 * lambda in [10, 1e15] shows the published hat falls short of the pmf by up to 0.6% (ln 0.0057) in
 * small spots, which would under-sample a few k by about 3e-5; 0.02 restores dominance with margin.
 */
export const PTRS_HAT_LOG_ENLARGEMENT = 0.02;

/**
 * ln of the factor applied to Hörmann's squeeze bound vr: the published squeeze exceeds the
 * acceptance bound by up to ln 0.0052 near us = 0.07, so vr is lowered by this plus the hat change.
 */
export const PTRS_SQUEEZE_LOG_SHRINK = -0.04;

/** The constants of Hörmann's PTRS hat for one mean lambda (>= 10), enlarged to be exact. */
export interface PtrsHat {
  readonly lambda: number;
  readonly a: number;
  readonly b: number;
  /** Below this v, candidates with us >= 0.07 are accepted by the squeeze alone. */
  readonly vr: number;
  readonly logInvAlpha: number;
  readonly lambdaWhole: number;
  readonly shift: number;
}

/**
 * Sets up Hörmann's PTRS hat for mean lambda >= 10: the constants of his 1993 paper, with the
 * hat enlarged and the squeeze lowered slightly so that the method is exact (see the constants).
 * @example ptrsHat(500).vr // about 0.88
 */
export function ptrsHat(lambda: number): PtrsHat {
  const b = 0.931 + 2.53 * Math.sqrt(lambda);
  const lambdaWhole = Math.floor(lambda);
  return {
    lambda,
    a: -0.059 + 0.02483 * b,
    b,
    vr: (0.9277 - 3.6224 / (b - 2)) * Math.exp(PTRS_SQUEEZE_LOG_SHRINK),
    logInvAlpha: Math.log(1.1239 + 1.1328 / (b - 3.4)) + PTRS_HAT_LOG_ENLARGEMENT,
    lambdaWhole,
    // k = floor(offset + lambda + 0.43), split around floor(lambda) so huge lambdas stay exact.
    shift: lambda - lambdaWhole + 0.43,
  };
}

/**
 * The PTRS candidate count for u in [-0.5, 0.5): floor((2a / us + b) u + lambda + 0.43) with
 * us = 0.5 - |u|; it increases with u and takes every integer on an interval of width 1/G'(u).
 * @example ptrsCandidate(ptrsHat(100), 0) // 100
 */
export function ptrsCandidate(hat: PtrsHat, u: number): number {
  const us = 0.5 - Math.abs(u);
  return hat.lambdaWhole + Math.floor(((2 * hat.a) / us + hat.b) * u + hat.shift);
}

/**
 * ln of the PTRS acceptance bound for candidate k drawn at u: the candidate is kept when
 * ln(v) is at most this, exact when it never exceeds 0 (the hat dominates).
 * @example ptrsLogAcceptance(ptrsHat(100), 0, 100) // below 0
 */
export function ptrsLogAcceptance(hat: PtrsHat, u: number, k: number): number {
  const us = 0.5 - Math.abs(u);
  return logPoissonPmf(k, hat.lambda) - hat.logInvAlpha + Math.log(hat.a / (us * us) + hat.b);
}

/** Hörmann's PTRS for lambda >= 10: transformed rejection with a squeeze and a quick reject. */
function ptrs(source: FloatSource, lambda: number): number {
  const hat = ptrsHat(lambda);
  for (;;) {
    const u = source.float() - 0.5;
    const v = source.float();
    const us = 0.5 - Math.abs(u);
    const k = ptrsCandidate(hat, u);
    if (us >= 0.07 && v <= hat.vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) <= ptrsLogAcceptance(hat, u, k)) return k;
  }
}
