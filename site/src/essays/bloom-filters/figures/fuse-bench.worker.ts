/// <reference lib="webworker" />
/**
 * Web Worker running runFuseBench off the main thread: receives { keyCount, queryCount, seed },
 * posts { type: 'progress', fraction, phase } while it runs, then { type: 'done', result } or
 * { type: 'error', message }. Cancel by terminating the worker.
 */
import { type BenchResult, runFuseBench } from './fuse-bench.ts';

/** The message the figure sends to start a run. */
export interface BenchRequest {
  keyCount: number;
  queryCount: number;
  seed: number;
}

/** Messages the worker sends back. */
export type BenchMessage =
  | { type: 'progress'; fraction: number; phase: string }
  | { type: 'done'; result: BenchResult }
  | { type: 'error'; message: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<BenchRequest>) => {
  const { keyCount, queryCount, seed } = event.data;
  const post = (message: BenchMessage) => scope.postMessage(message);
  try {
    const result = runFuseBench({
      keyCount,
      queryCount,
      seed,
      now: () => performance.now(),
      onProgress: (fraction, phase) => post({ type: 'progress', fraction, phase }),
    });
    post({ type: 'done', result });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
