/**
 * Greedy pairwise merging shared by the tokenizers: repeatedly merge the adjacent pair with the
 * highest priority, the leftmost pair on ties, until no pair has a priority. This equals llama2.c's
 * quadratic rescan (and llama.cpp's bigram queue) but runs in O(n log n) with a heap and lazy
 * invalidation.
 */

/** Priority of merging `left` then `right` (higher first), or undefined when they cannot merge. */
export type PairPriority = (left: string, right: string) => number | undefined;

/**
 * Merges adjacent symbols of `texts` greedily by `priority` and returns the surviving symbols'
 * texts in order.
 * @example mergeSymbols(['a', 'b', 'c'], (l, r) => (l + r === 'ab' ? 1 : undefined)) // ['ab', 'c']
 */
export function mergeSymbols(texts: string[], priority: PairPriority): string[] {
  const n = texts.length;
  if (n < 2) return texts.slice();
  const text = texts.slice();
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  const version = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  // Heap entries in parallel arrays; the heap stores entry indices.
  const prio: number[] = [];
  const left: number[] = [];
  const leftVersion: number[] = [];
  const rightVersion: number[] = [];
  const heap: number[] = [];

  const before = (a: number, b: number): boolean =>
    prio[a] > prio[b] || (prio[a] === prio[b] && left[a] < left[b]);

  const push = (l: number) => {
    const r = next[l];
    if (r < 0) return;
    const p = priority(text[l], text[r]);
    if (p === undefined) return;
    const e = prio.length;
    prio.push(p);
    left.push(l);
    leftVersion.push(version[l]);
    rightVersion.push(version[r]);
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = e;
  };

  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const size = heap.length;
      for (;;) {
        const a = 2 * i + 1;
        if (a >= size) break;
        const b = a + 1;
        const child = b < size && before(heap[b], heap[a]) ? b : a;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  };

  for (let i = 0; i + 1 < n; i++) push(i);
  while (heap.length > 0) {
    const e = pop();
    const l = left[e];
    const r = next[l];
    if (!alive[l] || r < 0 || version[l] !== leftVersion[e] || version[r] !== rightVersion[e]) {
      continue;
    }
    text[l] = text[l] + text[r];
    version[l]++;
    alive[r] = 0;
    next[l] = next[r];
    if (next[r] >= 0) prev[next[r]] = l;
    if (prev[l] >= 0) push(prev[l]);
    push(l);
  }
  const out: string[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(text[i]);
  return out;
}
