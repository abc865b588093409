import { abortError, deserializeError } from './errors.ts';
import {
  isRpcMessage,
  type MessageEventLike,
  type MessagePortLike,
  type ProtocolOf,
  RPC_TAG,
  type RpcAbortSignal,
  type ServerMessage,
  uniqueBuffers,
} from './protocol.ts';

/** Options of one call. */
export interface CallOptions<Progress> {
  /** Aborting it sends a cancel; the call then rejects with an AbortError. */
  signal?: RpcAbortSignal;
  /** Receives every progress event (stream item) of the call, in order. */
  onProgress?: (value: Progress) => void;
  /** Buffers inside the arguments to move to the other side (they are detached here). */
  transfer?: readonly ArrayBufferLike[];
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  onProgress: ((value: unknown) => void) | undefined;
}

/**
 * The progress events of one call as an async iterable, plus its final result. Leaving a
 * for-await loop early (break, throw) cancels the call.
 */
export interface RpcStream<Progress, Result> extends AsyncIterableIterator<Progress> {
  /** The call's result; rejects as the call does (AbortError when cancelled). */
  readonly result: Promise<Result>;
  /**
   * Cancels the call (no-op once it has finished).
   * @example stream.cancel()
   */
  cancel(): void;
}

/** The calling side of the RPC: typed calls over a port, matched to answers by id. */
export class RpcClient<P extends ProtocolOf<P>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: Error | undefined;
  private readonly listener = (event: unknown) => this.receive((event as MessageEventLike).data);

  /**
   * Starts listening on `port` for answers.
   * @example const client = new RpcClient<CalcProtocol>(worker)
   */
  constructor(private readonly port: MessagePortLike) {
    port.addEventListener('message', this.listener);
    port.start?.();
  }

  /** Calls in flight. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /**
   * Calls `method` with `args`; resolves with its result, rejects with its error (same name and
   * message as thrown on the other side) or, as soon as options.signal aborts, an AbortError.
   * @example await client.call('add', { a: 1, b: 2 }) // 3
   */
  call<K extends keyof P & string>(
    method: K,
    args: P[K]['args'],
    options: CallOptions<P[K]['progress']> = {},
  ): Promise<P[K]['result']> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError(method));
    const id = this.nextId++;
    return new Promise<P[K]['result']>((resolve, reject) => {
      // Aborting rejects at once (as fetch does) and tells the server, which stops at its next
      // checkpoint; whatever it still sends for this id is dropped.
      const onAbort = () => {
        const p = this.pending.get(id);
        if (!p) return;
        try {
          this.port.postMessage({ tag: RPC_TAG, kind: 'cancel', id });
        } catch {
          // The port is gone; the call is over either way.
        }
        p.reject(abortError(method));
      };
      const settle = () => {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        method,
        resolve: (value) => {
          settle();
          resolve(value as P[K]['result']);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        onProgress: options.onProgress as ((value: unknown) => void) | undefined,
      });
      signal?.addEventListener('abort', onAbort);
      try {
        this.port.postMessage(
          { tag: RPC_TAG, kind: 'call', id, method, args },
          uniqueBuffers(options.transfer ?? []),
        );
      } catch (error) {
        settle();
        reject(error);
      }
    });
  }

  /**
   * Calls `method` and returns its progress events as an async iterable (with the result
   * alongside); events are buffered until read.
   * @example for await (const token of client.stream('generate', { steps: 8 })) log(token)
   */
  stream<K extends keyof P & string>(
    method: K,
    args: P[K]['args'],
    options: Omit<CallOptions<P[K]['progress']>, 'onProgress'> = {},
  ): RpcStream<P[K]['progress'], P[K]['result']> {
    type Item = P[K]['progress'];
    const queue: Item[] = [];
    const waiters: Array<{
      resolve: (r: IteratorResult<Item>) => void;
      reject: (e: unknown) => void;
    }> = [];
    let finished = false;
    let failure: unknown;
    let failed = false;
    const cancelHandle = new LocalAbort();
    const outer = options.signal;
    const forward = () => cancelHandle.abort();
    if (outer?.aborted) cancelHandle.abort();
    outer?.addEventListener('abort', forward);

    const result = this.call(method, args, {
      ...options,
      signal: cancelHandle,
      onProgress: (value) => {
        const waiter = waiters.shift();
        if (waiter) waiter.resolve({ value, done: false });
        else queue.push(value);
      },
    });
    const end = (error?: unknown, isError = false) => {
      finished = true;
      failed = isError;
      failure = error;
      outer?.removeEventListener('abort', forward);
      for (const w of waiters.splice(0)) {
        if (isError) w.reject(error);
        else w.resolve({ value: undefined, done: true });
      }
    };
    result.then(
      () => end(),
      (error) => end(error, true),
    );

    const iterator: RpcStream<Item, P[K]['result']> = {
      result,
      cancel: () => cancelHandle.abort(),
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as Item, done: false });
        if (finished) {
          if (failed) {
            failed = false;
            return Promise.reject(failure);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
      },
      return: () => {
        if (!finished) cancelHandle.abort();
        queue.length = 0;
        failed = false;
        // The caller stopped listening; a cancellation is what it asked for, not an error.
        result.catch(() => undefined);
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /**
   * Stops listening and rejects every pending call with `reason` (later calls reject too).
   * @example client.close()
   */
  close(reason: Error = new Error('rpc: the client was closed')): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.port.removeEventListener?.('message', this.listener);
    for (const p of [...this.pending.values()]) p.reject(reason);
  }

  private receive(data: unknown): void {
    if (!isRpcMessage(data)) return;
    const message = data as ServerMessage;
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.kind === 'progress') {
      try {
        p.onProgress?.(message.value);
      } catch (error) {
        // A throwing listener must not kill the transport; it cancels its own call instead.
        this.port.postMessage({ tag: RPC_TAG, kind: 'cancel', id: message.id });
        p.reject(error);
      }
    } else if (message.kind === 'result') {
      p.resolve(message.value);
    } else if (message.kind === 'error') {
      p.reject(deserializeError(message.error));
    }
  }
}

/** A minimal RpcAbortSignal the stream uses to cancel its own call. */
class LocalAbort implements RpcAbortSignal {
  aborted = false;
  reason: unknown;
  private readonly listeners = new Set<() => void>();

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const l of [...this.listeners]) l();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }
}
