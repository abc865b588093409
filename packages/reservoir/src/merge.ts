/**
 * Merging samples taken on several machines into one sample of the union of their streams.
 *
 * Uniform: a uniform sample of size K = min(k, total seen) from the union contains a
 * multivariate-hypergeometric number of items from each part (K draws without replacement from
 * an urn holding `seen` balls per part), and, given those counts, a uniform subset of each part.
 * A uniform subset of a uniform sample is a uniform subset of the part, so picking the counts
 * from each part's sample gives an exactly uniform sample of the union, provided every part's
 * sample holds min(k, seen) items (then no count can exceed what a part holds).
 *
 * Weighted: with Efraimidis–Spirakis keys the sample of a stream is its k largest keys, and the
 * k largest keys of a union are among the k largest of each part, so the top k of all keys held
 * is exactly the sample of the union.
 */
import type { Rng } from '@explorables/random';
import {
  checkK,
  checkRng,
  randomBelow,
  type UniformSnapshot,
  type WeightedSnapshot,
} from './offer.ts';

/**
 * Merges uniform samples of disjoint streams into a uniform sample of their union of size
 * min(k, Σ seen), seen = Σ seen. Exact when each part's sample has min(k, part.seen) items
 * (what ReservoirR/ReservoirL snapshots hold, for the same or a larger k); a part holding fewer
 * gives at most its sample size and the rest is drawn from the other parts (no longer exact).
 * Items come out grouped by part in part order, each part's items in their given order.
 * @example mergeUniform([a.snapshot(), b.snapshot()], 100, createRng(1)).items.length // ≤ 100
 */
export function mergeUniform<T>(
  parts: UniformSnapshot<T>[],
  k: number,
  rng: Rng,
): UniformSnapshot<T> {
  const where = 'mergeUniform(parts, k, rng)';
  checkK(k, where);
  checkRng(rng, where);
  if (!Array.isArray(parts)) throw new Error(`${where} needs an array of snapshots`);
  let totalSeen = 0;
  let totalHeld = 0;
  parts.forEach((part, i) => {
    if (part === null || typeof part !== 'object' || !Array.isArray(part.items)) {
      throw new Error(`${where}: parts[${i}] needs an items array and a seen count`);
    }
    if (!Number.isSafeInteger(part.seen) || part.seen < part.items.length) {
      throw new Error(
        `${where}: parts[${i}].seen must be a safe integer >= items.length ` +
          `(${part.items.length}), got ${String(part.seen)}`,
      );
    }
    totalSeen += part.seen;
    totalHeld += part.items.length;
  });
  if (!Number.isSafeInteger(totalSeen)) {
    throw new Error(`${where}: the parts' seen counts add up beyond 2^53`);
  }
  // Remaining balls per part in the urn; a part whose sample is used up leaves the urn.
  const remaining = parts.map((part) => (part.items.length > 0 ? part.seen : 0));
  const take = parts.map(() => 0);
  let urn = remaining.reduce((a, b) => a + b, 0);
  const size = Math.min(k, totalSeen, totalHeld);
  for (let drawn = 0; drawn < size; drawn++) {
    let ball = randomBelow(rng, urn);
    let part = 0;
    while (ball >= remaining[part]) {
      ball -= remaining[part];
      part++;
    }
    take[part]++;
    remaining[part]--;
    urn--;
    if (take[part] === parts[part].items.length) {
      urn -= remaining[part];
      remaining[part] = 0;
    }
  }
  const items: T[] = [];
  parts.forEach((part, i) => {
    for (const at of chooseSorted(part.items.length, take[i], rng)) items.push(part.items[at]);
  });
  return { items, seen: totalSeen };
}

/**
 * Merges weighted samples (Efraimidis–Spirakis keys) of disjoint streams: the k largest keys of
 * all parts, which is exactly the weighted sample of the union. Output sorted by key, largest
 * first; seen and totalWeight are summed.
 * @example mergeWeighted([a.snapshot(), b.snapshot()], 10).logKeys // 10 keys, descending
 */
export function mergeWeighted<T>(parts: WeightedSnapshot<T>[], k: number): WeightedSnapshot<T> {
  const where = 'mergeWeighted(parts, k)';
  checkK(k, where);
  if (!Array.isArray(parts)) throw new Error(`${where} needs an array of snapshots`);
  const pool: { item: T; logKey: number }[] = [];
  let seen = 0;
  let totalWeight = 0;
  parts.forEach((part, i) => {
    if (
      part === null ||
      typeof part !== 'object' ||
      !Array.isArray(part.items) ||
      !Array.isArray(part.logKeys) ||
      part.items.length !== part.logKeys.length
    ) {
      throw new Error(`${where}: parts[${i}] needs items and logKeys arrays of equal length`);
    }
    if (!Number.isSafeInteger(part.seen) || part.seen < part.items.length) {
      throw new Error(
        `${where}: parts[${i}].seen must be a safe integer >= items.length, ` +
          `got ${String(part.seen)}`,
      );
    }
    if (!(part.totalWeight >= 0) || !Number.isFinite(part.totalWeight)) {
      throw new Error(
        `${where}: parts[${i}].totalWeight must be finite and >= 0, got ${part.totalWeight}`,
      );
    }
    part.logKeys.forEach((logKey, j) => {
      if (typeof logKey !== 'number' || !(logKey <= 0)) {
        throw new Error(
          `${where}: parts[${i}].logKeys[${j}] must be a log-key <= 0, got ${String(logKey)}`,
        );
      }
      pool.push({ item: part.items[j], logKey });
    });
    seen += part.seen;
    totalWeight += part.totalWeight;
  });
  pool.sort((a, b) => b.logKey - a.logKey);
  const top = pool.slice(0, k);
  return {
    items: top.map((entry) => entry.item),
    logKeys: top.map((entry) => entry.logKey),
    seen,
    totalWeight,
  };
}

/** `count` distinct positions of [0, n), uniformly, in increasing order (partial shuffle). */
function chooseSorted(n: number, count: number, rng: Rng): number[] {
  if (count === 0) return [];
  if (count === n) return Array.from({ length: n }, (_, i) => i);
  const positions = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + randomBelow(rng, n - i);
    const held = positions[i];
    positions[i] = positions[j];
    positions[j] = held;
  }
  return positions.slice(0, count).sort((a, b) => a - b);
}
