/**
 * The browser side of the language model: a Web Worker running the engine, a typed client for it,
 * and loading the site's default model with download progress.
 */
import { url } from '../url.ts';
import { type DownloadProgress, downloadModel } from './download.ts';
import {
  LlmClient,
  type MessagePortLike,
  type ModelInfo,
  type WorkerLoadProgress,
} from './engine.ts';

export { type DownloadProgress, ModelUnavailableError } from './download.ts';
export {
  type GenerateRequest,
  type GenerateSummary,
  isAbortError,
  LlmClient,
  type ModelInfo,
  type TokenEvent,
} from './engine.ts';

/** A running model worker and its client. */
export interface LlmWorker {
  client: LlmClient;
  /** Stops the worker; every pending call rejects. */
  terminate(): void;
}

/**
 * Starts the model worker (no model loaded yet). If the worker fails to start or crashes, every
 * pending and later call rejects with an Error saying so.
 * @example const { client, terminate } = startLlmWorker()
 */
export function startLlmWorker(): LlmWorker {
  const worker = new Worker(new URL('./llm.worker.ts', import.meta.url), { type: 'module' });
  const port: MessagePortLike = {
    postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => worker.addEventListener(type, listener),
  };
  const client = new LlmClient(port);
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    client.close(new Error(`the model worker failed: ${event.message || 'it could not start'}`));
  });
  return {
    client,
    terminate: () => {
      client.close(new Error('the model worker was stopped'));
      worker.terminate();
    },
  };
}

/** Where loading is: downloading bytes, then the worker parsing them. */
export type LoadStage =
  | { stage: 'download'; progress: DownloadProgress }
  | { stage: 'parse'; progress: WorkerLoadProgress };

/**
 * Downloads the site's default model (models/index.json, then its files) and loads it into a
 * fresh worker. Rejects with ModelUnavailableError when the site ships no model.
 * @example const { client, info } = await loadSiteModel({ onStage: (s) => render(s) })
 */
export async function loadSiteModel(
  options: { onStage?: (stage: LoadStage) => void; signal?: AbortSignal } = {},
): Promise<LlmWorker & { info: ModelInfo }> {
  const files = await downloadModel(url(), {
    signal: options.signal,
    onProgress: (progress) => options.onStage?.({ stage: 'download', progress }),
  });
  const running = startLlmWorker();
  try {
    const info = await running.client.loadModel(files, {
      signal: options.signal,
      onProgress: (progress) => options.onStage?.({ stage: 'parse', progress }),
    });
    return { ...running, info };
  } catch (error) {
    running.terminate();
    throw error;
  }
}
