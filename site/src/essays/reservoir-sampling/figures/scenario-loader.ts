/**
 * Builds LogScenarios in the browser without blocking it: scenarioSteps runs in ~10 ms slices
 * between timers, and each seed's result is shared by every figure on the page (the three log
 * figures start from the same seed, so the minute is generated once).
 */
import { type LogScenario, scenarioSteps } from './log-scenario.ts';

interface Entry {
  promise: Promise<LogScenario>;
  result: LogScenario | undefined;
  progress: number;
  listeners: Set<(fraction: number) => void>;
}

const entries = new Map<number, Entry>();
/** Seeds kept in memory at most (a few MB each at most). */
const MAX_ENTRIES = 6;

/**
 * The scenario for `seed` if it is already built, else undefined.
 * @example const s = cachedScenario(1) ?? null
 */
export function cachedScenario(seed: number): LogScenario | undefined {
  return entries.get(seed)?.result;
}

/**
 * Resolves to the scenario for `seed`, generating it in slices of `sliceMs` between timers the
 * first time; onProgress gets 0…1 while it is generated. Call the returned `detach` when the
 * progress is no longer wanted (the work itself still finishes, for the other figures).
 * @example const { promise } = loadScenario(1, (f) => (progress = f));
 */
export function loadScenario(
  seed: number,
  onProgress?: (fraction: number) => void,
  sliceMs = 10,
): { promise: Promise<LogScenario>; detach: () => void } {
  let entry = entries.get(seed);
  if (entry === undefined) {
    entry = start(seed, sliceMs);
    entries.set(seed, entry);
    while (entries.size > MAX_ENTRIES) {
      const oldest = entries.keys().next().value as number;
      entries.delete(oldest);
    }
  }
  const e = entry;
  if (onProgress && e.result === undefined) {
    e.listeners.add(onProgress);
    onProgress(e.progress);
  }
  return { promise: e.promise, detach: () => onProgress && e.listeners.delete(onProgress) };
}

function start(seed: number, sliceMs: number): Entry {
  const entry: Entry = {
    promise: Promise.resolve(null as unknown as LogScenario),
    result: undefined,
    progress: 0,
    listeners: new Set(),
  };
  entry.promise = new Promise<LogScenario>((resolve, reject) => {
    const steps = scenarioSteps(seed, 500);
    const slice = () => {
      try {
        const t0 = performance.now();
        let step = steps.next();
        while (!step.done && performance.now() - t0 < sliceMs) step = steps.next();
        if (step.done) {
          entry.result = step.value;
          entry.progress = 1;
          for (const l of entry.listeners) l(1);
          entry.listeners.clear();
          resolve(step.value);
        } else {
          entry.progress = step.value;
          for (const l of entry.listeners) l(step.value);
          setTimeout(slice, 0);
        }
      } catch (err) {
        entries.delete(seed);
        reject(err);
      }
    };
    setTimeout(slice, 0);
  });
  return entry;
}

/**
 * Delivers the scenario for `seed` to `onScenario` (at once when cached, else when built), with
 * progress to `onProgress` meanwhile; returns a cleanup that stops both callbacks. The three log
 * figures call it from one $effect each, so a seed change cancels the stale delivery.
 * @example $effect(() => watchScenario(seed, (s) => (scenario = s), (f) => (progress = f)))
 */
export function watchScenario(
  seed: number,
  onScenario: (scenario: LogScenario) => void,
  onProgress: (fraction: number) => void,
): () => void {
  const hit = cachedScenario(seed);
  if (hit) {
    onScenario(hit);
    return () => {};
  }
  let live = true;
  const { promise, detach } = loadScenario(seed, (f) => {
    if (live) onProgress(f);
  });
  promise.then((scenario) => {
    if (live && scenario.seed === seed) onScenario(scenario);
  });
  return () => {
    live = false;
    detach();
  };
}
