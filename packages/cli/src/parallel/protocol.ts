// Messages between a chunk pool and its workers.

import type { SharedModel } from './shared-model.ts';

/** What a worker is started with. */
export interface ChunkWorkerData {
  model: SharedModel;
  /** Positions per forward block (the session's blockSize). */
  blockSize: number;
}

/** Evaluate one chunk: logits of positions firstOutputPosition … tokens.length-1. */
export interface ChunkRequest {
  id: number;
  tokens: Int32Array;
  firstOutputPosition: number;
}

/** A worker's answer: the logits rows, or the error message of a failed chunk. */
export type ChunkResponse = { id: number; logits: Float32Array } | { id: number; error: string };
