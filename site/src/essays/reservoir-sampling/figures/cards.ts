/**
 * Small helpers shared by the card figures of the reservoir essay (known size, the deal, the odds
 * and the k slots): how a card is labelled, how a probability is printed, and how a long seeded
 * computation is spread over browser frames.
 */

/** The four suit glyphs, in the order cards cycle through them (decoration only). */
export const SUITS = ['♠', '♥', '♦', '♣'] as const;

/** English suit names, index-aligned with SUITS, for screen-reader labels. */
export const SUIT_NAMES = ['spades', 'hearts', 'diamonds', 'clubs'] as const;

function checkPosition(position: number, where: string): void {
  if (!Number.isInteger(position) || position < 1) {
    throw new Error(
      `${where} needs a 1-based card position (integer ≥ 1), got ${String(position)}`,
    );
  }
}

/**
 * The suit glyph of the card at a 1-based position: suits cycle ♠ ♥ ♦ ♣ so neighbours differ.
 * @example suitOf(1) // '♠'; suitOf(6) // '♥'
 */
export function suitOf(position: number): string {
  checkPosition(position, 'suitOf(position)');
  return SUITS[(position - 1) % 4];
}

/**
 * The spoken name of the card at a 1-based position, for aria-labels.
 * @example cardName(6) // 'card 6 of hearts'
 */
export function cardName(position: number): string {
  checkPosition(position, 'cardName(position)');
  return `card ${position} of ${SUIT_NAMES[(position - 1) % 4]}`;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/**
 * A probability in [0, 1] with two significant digits: plain decimals while it is at least 10^-6
 * (0.0000019), "1.8 × 10⁻¹⁵" below that; exact 0 prints as "0".
 * @example formatChance(1 / 2 ** 19) // '0.0000019'; formatChance(0.25) // '0.25'
 */
export function formatChance(p: number): string {
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`formatChance(p) needs a probability in [0, 1], got ${String(p)}`);
  }
  if (p === 0) return '0';
  // Number#toString prints plain decimals down to 10^-6 and switches to exponents below.
  if (p >= 1e-6) return String(Number(p.toPrecision(2)));
  const [mantissa, exponent] = p.toExponential(1).split('e');
  const power = String(Number(exponent))
    .split('')
    .map((c) => SUPERSCRIPT[c])
    .join('');
  return `${mantissa} × 10${power}`;
}

/**
 * The smallest "round" number (1, 2, 3, 4, 5, 6 or 8 times a power of ten) that is at least v,
 * for chart axes whose middle tick (half of it) must print short too; 1 for v ≤ 0 or NaN.
 * @example niceCeiling(0.057) // 0.06; niceCeiling(0.26) // 0.3
 */
export function niceCeiling(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 3, 4, 5, 6, 8, 10]) {
    // Compare with a relative slack so 0.3 is not pushed to 0.4 by 0.30000000000000004.
    if (m * power >= v * (1 - 1e-12)) return Number((m * power).toPrecision(12));
  }
  return 10 * power;
}

/**
 * Labels for an axis of `count` bars `bandPx` wide: 1, the last, and the multiples of the smallest
 * step in 1, 2, 5, 10, 20, 50 that leaves at least 22 px per label, skipping multiples that
 * crowd the first or last label.
 * @example barTicks(20, 10) // [1, 5, 10, 15, 20]
 */
export function barTicks(count: number, bandPx: number): number[] {
  if (!Number.isInteger(count) || count < 1) return [];
  const step = [1, 2, 5, 10, 20, 50].find((s) => bandPx * s >= 22) ?? 100;
  const out: number[] = [1];
  for (let c = step; c < count; c += step) {
    if (c - 1 >= step * 0.8 && count - c >= step * 0.8) out.push(c);
  }
  if (count > 1) out.push(count);
  return out;
}

/**
 * A count with thousands separators, the same on every platform.
 * @example formatCount(20000) // '20,000'
 */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** How runInSlices reports; `onDone` gets the generator's return value. */
export interface SliceCallbacks<T> {
  /** Called between slices with the generator's last yielded progress (0…1). */
  onProgress?: (fraction: number) => void;
  onDone: (result: T) => void;
  /** Work per slice in milliseconds before yielding to the page; default 12. */
  sliceMs?: number;
}

/**
 * Runs a generator that yields its progress (0…1) in slices of about `sliceMs` milliseconds,
 * each slice started by setTimeout so the page stays responsive; returns a cancel function
 * (after cancel, no callback fires).
 * @example const cancel = runInSlices(simulateDeals({ ... }), { onDone: (t) => (tally = t) });
 */
export function runInSlices<T>(
  work: Generator<number, T, void>,
  callbacks: SliceCallbacks<T>,
): () => void {
  const sliceMs = callbacks.sliceMs ?? 12;
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slice = () => {
    if (cancelled) return;
    const start = performance.now();
    let step = work.next();
    while (!step.done && performance.now() - start < sliceMs) step = work.next();
    if (cancelled) return;
    if (step.done) {
      callbacks.onDone(step.value);
    } else {
      callbacks.onProgress?.(step.value);
      timer = setTimeout(slice, 0);
    }
  };
  timer = setTimeout(slice, 0);
  return () => {
    cancelled = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/**
 * Runs a progress-yielding generator to its end at once and returns its result (tests, Node).
 * @example const tally = runNow(simulateDeals({ dealt: 10, deals: 1000, seed: 1 }));
 */
export function runNow<T>(work: Generator<number, T, void>): T {
  let step = work.next();
  while (!step.done) step = work.next();
  return step.value;
}
