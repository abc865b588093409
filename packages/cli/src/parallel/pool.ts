// A pool of worker threads that evaluate whole perplexity / KL-divergence chunks in parallel.
// Chunks go round-robin (chunk c to worker c mod size) and the caller still receives the results
// in chunk order, so eval/perplexity's sequential accumulation — and so its numbers — are the
// same as in process. A runner awaits one chunk at a time, so `lookahead` starts the next chunks
// of the same token stream before they are asked for.

import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EvalChunk, ModelWeights } from '@explorables/llm';
import type { ChunkRequest, ChunkResponse, ChunkWorkerData } from './protocol.ts';
import { shareModel } from './shared-model.ts';

/** Options of createChunkPool. */
export interface ChunkPoolOptions {
  /** Worker threads (default: os.availableParallelism(), the machine's cores). */
  workers?: number;
  /** Positions per forward block inside a worker (default 128). */
  blockSize?: number;
}

/** The token stream of one perplexity or KL-divergence run, for ChunkPool.lookahead. */
export interface ChunkStream {
  /** The whole tokenized text. */
  tokens: Int32Array;
  /** Context length per chunk, tokens. */
  nCtx: number;
  /** Token that replaces each chunk's first token when addBos. */
  bosId: number;
  /** Whether chunks start with BOS (default true, as the runners). */
  addBos?: boolean;
}

/** Worker threads holding one model, evaluating chunks. */
export interface ChunkPool {
  /** Number of workers. */
  readonly size: number;
  /**
   * An EvalChunk that evaluates chunk info.chunkIndex on worker chunkIndex mod size.
   * @example await perplexity({ ...options, evalChunk: pool.evalChunk })
   */
  readonly evalChunk: EvalChunk;
  /**
   * An EvalChunk for a run over `stream`: when asked for chunk c it also starts chunks
   * c+1 … c+size-1 of the stream, so all workers are busy while the runner consumes results in
   * order; a chunk whose tokens differ from the stream's is evaluated as given.
   * @example await perplexity({ tokens, nCtx: 256, nVocab, bosId: 1,
   *   evalChunk: pool.lookahead({ tokens, nCtx: 256, bosId: 1 }) })
   */
  lookahead(stream: ChunkStream): EvalChunk;
  /**
   * Stops the workers; chunks still in flight reject.
   * @example await pool.close()
   */
  close(): Promise<void>;
}

interface Pending {
  resolve: (logits: Float32Array) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * The source of a worker bootstrap: register tsx's loader in the worker thread (as
 * bin/explorables.js does in the main one), then import worker.ts. tsx is resolved from this file,
 * so it works whatever the current directory.
 */
function bootstrapSource(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('tsx/package.json');
  const exports = require('tsx/package.json').exports as Record<
    string,
    { import: { default: string } }
  >;
  const tsxApi = new URL(exports['./esm/api'].import.default, pathToFileURL(packageJson)).href;
  const worker = new URL('./worker.ts', import.meta.url).href;
  return (
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`
  );
}

/**
 * Starts `workers` threads, each holding the model (its tensors shared through one
 * SharedArrayBuffer, not copied per worker).
 * @example const pool = createChunkPool(model, { workers: 2 }); try { … } finally {
 *   await pool.close() }
 */
export function createChunkPool(model: ModelWeights, options: ChunkPoolOptions = {}): ChunkPool {
  const size = options.workers ?? os.availableParallelism();
  const blockSize = options.blockSize ?? 128;
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`createChunkPool: workers ${size}; expected a positive integer`);
  }
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new Error(`createChunkPool: blockSize ${blockSize}; expected a positive integer`);
  }
  const workerData: ChunkWorkerData = { model: shareModel(model), blockSize };
  const source = bootstrapSource();
  let nextId = 0;
  let closed = false;

  const failAll = (slot: Slot, error: Error) => {
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
    slot.worker.unref();
  };
  const slots: Slot[] = [];
  for (let i = 0; i < size; i++) {
    const slot: Slot = {
      worker: new Worker(source, { eval: true, workerData }),
      pending: new Map(),
    };
    slot.worker.unref();
    slot.worker.on('message', (response: ChunkResponse) => {
      const p = slot.pending.get(response.id);
      if (!p) return;
      slot.pending.delete(response.id);
      if (slot.pending.size === 0) slot.worker.unref();
      if ('error' in response) p.reject(new Error(`chunk worker ${i}: ${response.error}`));
      else p.resolve(response.logits);
    });
    slot.worker.on('error', (error) => failAll(slot, error));
    slot.worker.on('exit', (code) => {
      failAll(slot, new Error(`chunk worker ${i} exited (code ${code}) with chunks in flight`));
    });
    slots.push(slot);
  }

  const dispatch = (chunkIndex: number, tokens: Int32Array, first: number) => {
    if (closed) return Promise.reject(new Error('chunk pool: already closed'));
    const slot = slots[chunkIndex % size];
    const id = nextId++;
    const request: ChunkRequest = { id, tokens, firstOutputPosition: first };
    return new Promise<Float32Array>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage(request);
    });
  };

  const evalChunk: EvalChunk = (tokens, info) =>
    dispatch(info.chunkIndex, tokens, info.firstOutputPosition);

  const lookahead = (stream: ChunkStream): EvalChunk => {
    const { tokens, nCtx, bosId } = stream;
    const addBos = stream.addBos ?? true;
    const nChunk = Math.floor(tokens.length / nCtx);
    const started = new Map<
      number,
      { input: Int32Array; first: number; result: Promise<Float32Array> }
    >();
    const start = (c: number, first: number) => {
      const input = tokens.slice(c * nCtx, (c + 1) * nCtx);
      if (addBos) input[0] = bosId;
      const result = dispatch(c, input, first);
      result.catch(() => {}); // a chunk started ahead may never be asked for
      started.set(c, { input, first, result });
    };
    return (input, info) => {
      const c = info.chunkIndex;
      const first = info.firstOutputPosition;
      for (const k of started.keys()) if (k < c) started.delete(k);
      if (input.length === nCtx) {
        for (let k = c; k < Math.min(nChunk, c + size); k++) if (!started.has(k)) start(k, first);
      }
      const ahead = started.get(c);
      started.delete(c);
      if (ahead && ahead.first === first && sameTokens(ahead.input, input)) return ahead.result;
      return dispatch(c, input, first);
    };
  };

  const close = async () => {
    closed = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  };
  return { size, evalChunk, lookahead, close };
}

function sameTokens(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
