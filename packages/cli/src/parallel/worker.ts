// The worker of a chunk pool: unpacks the shared model once, then evaluates whole chunks with one
// session per context length, exactly as modelEvalChunk does in process (so the logits are the
// same bits), and posts the rows back as a transferred buffer.

import { parentPort, workerData } from 'node:worker_threads';
import { createSession, type Session } from '@explorables/llm';
import type { ChunkRequest, ChunkResponse, ChunkWorkerData } from './protocol.ts';
import { unshareModel } from './shared-model.ts';

const data = workerData as ChunkWorkerData;
const model = unshareModel(data.model);
let session: Session | undefined;

function evaluate(request: ChunkRequest): Float32Array {
  const { tokens, firstOutputPosition: first } = request;
  const nCtx = tokens.length;
  if (nCtx < 1 || nCtx > model.config.seqLen) {
    throw new Error(
      `chunk of ${nCtx} tokens is beyond the model's context length ${model.config.seqLen}`,
    );
  }
  if (session === undefined || session.cacheLength !== nCtx) {
    session = createSession(model, { cacheLength: nCtx, blockSize: data.blockSize });
  }
  session.truncate(0);
  if (first > 0) session.prefill(tokens.subarray(0, first));
  return session.prefill(tokens.subarray(first), { allLogits: true });
}

parentPort?.on('message', (request: ChunkRequest) => {
  let response: ChunkResponse;
  try {
    const logits = evaluate(request);
    response = { id: request.id, logits };
    parentPort?.postMessage(response, [logits.buffer as ArrayBuffer]);
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    parentPort?.postMessage(response);
  }
});
