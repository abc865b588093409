import { RpcClient, type RpcStream } from '../rpc/client.ts';
import type { MessagePortLike, RpcAbortSignal } from '../rpc/protocol.ts';
import type {
  GenerateRequest,
  GenerateSummary,
  LlmProtocol,
  LogitsResult,
  ModelInfo,
  PrefillProgress,
  TokenEvent,
  Tokenized,
  WorkerLoadProgress,
} from './service.ts';

/** Cancellation for one call. */
export interface CancelOptions {
  /** Aborting it cancels the call, which rejects with an AbortError. */
  signal?: RpcAbortSignal;
}

/**
 * The main-thread face of the LLM worker: typed methods over the RPC, each returning a Promise
 * (or, for tokens, an async iterable) and cancellable with an AbortSignal.
 */
export class LlmClient {
  private readonly rpc: RpcClient<LlmProtocol>;

  /**
   * Talks to a worker (or any port) that runs serveLlm.
   * @example const llm = new LlmClient(new Worker(url, { type: 'module' }))
   */
  constructor(port: MessagePortLike) {
    this.rpc = new RpcClient<LlmProtocol>(port);
  }

  /**
   * Loads a llama2.c model and tokenizer from their file bytes; the buffers are transferred to
   * the worker (detached here, no copy). Reports each loading phase to onProgress.
   * @example const info = await llm.loadModel({ checkpoint, tokenizer, name: 'stories260K.bin' })
   */
  loadModel(
    files: { checkpoint: ArrayBuffer; tokenizer: ArrayBuffer; name?: string },
    options: CancelOptions & { onProgress?: (progress: WorkerLoadProgress) => void } = {},
  ): Promise<ModelInfo> {
    return this.rpc.call('loadModel', files, {
      ...options,
      transfer: [files.checkpoint, files.tokenizer],
    });
  }

  /**
   * Token ids of `text` with each id's vocabulary piece.
   * @example (await llm.tokenize('Once upon', { bos: true })).ids // Int32Array [1, 403, 407]
   */
  tokenize(
    text: string,
    options: CancelOptions & { bos?: boolean; eos?: boolean } = {},
  ): Promise<Tokenized> {
    const { signal, bos, eos } = options;
    return this.rpc.call('tokenize', { text, bos, eos }, { signal });
  }

  /**
   * The text of a sequence of ids.
   * @example await llm.decode([1, 403, 407]) // 'Once upon'
   */
  decode(ids: Int32Array | number[], options: CancelOptions = {}): Promise<string> {
    return this.rpc.call('decode', { ids }, options);
  }

  /**
   * Generates as run.c does; onToken sees each printed token as it is made. Aborting the signal
   * stops the worker before its next token and rejects with an AbortError.
   * @example const { text } = await llm.generate({ prompt: 'Once upon a time', temperature: 0 })
   */
  generate(
    request: GenerateRequest,
    options: CancelOptions & { onToken?: (token: TokenEvent) => void } = {},
  ): Promise<GenerateSummary> {
    return this.rpc.call('generate', request, {
      signal: options.signal,
      onProgress: options.onToken,
    });
  }

  /**
   * The printed tokens of a generation as an async iterable; leaving the loop early cancels it.
   * `.result` holds the summary.
   * @example for await (const t of llm.tokens({ prompt: 'Once', temperature: 0 })) out += t.text
   */
  tokens(
    request: GenerateRequest,
    options: CancelOptions = {},
  ): RpcStream<TokenEvent, GenerateSummary> {
    return this.rpc.stream('generate', request, options);
  }

  /**
   * Next-token logits after running `ids` from an empty cache: the last position's row, or with
   * `all` one row per position ([ids.length][vocabSize]); prefilled in chunks with progress.
   * @example const { logits } = await llm.logits([1, 403, 407])
   */
  logits(
    ids: Int32Array | number[],
    options: CancelOptions & {
      all?: boolean;
      onProgress?: (progress: PrefillProgress) => void;
    } = {},
  ): Promise<LogitsResult> {
    const { all, signal, onProgress } = options;
    return this.rpc.call('logits', { ids, all }, { signal, onProgress });
  }

  /**
   * Stops listening; pending and later calls reject with `reason` (terminate the worker
   * separately).
   * @example llm.close()
   */
  close(reason: Error = new Error('LlmClient: closed')): void {
    this.rpc.close(reason);
  }
}
