import { abortError, serializeError } from './errors.ts';
import {
  type ClientMessage,
  isRpcMessage,
  type MessageEventLike,
  type MessagePortLike,
  type ProtocolOf,
  RPC_TAG,
  type ServerMessage,
  Transferred,
  uniqueBuffers,
} from './protocol.ts';

/** What a method implementation gets besides its arguments. */
export interface CallContext<Progress> {
  /** Name of the method being served. */
  readonly method: string;
  /** True once the caller sent a cancel for this call. */
  readonly cancelled: boolean;
  /**
   * Sends one progress event (or stream item) to the caller; `transfer` lists buffers inside it
   * to move instead of copy. Ignored after cancellation.
   * @example ctx.progress({ done: 3, total: 10 })
   */
  progress(value: Progress, transfer?: readonly ArrayBufferLike[]): void;
  /**
   * Throws an AbortError if the call was cancelled.
   * @example ctx.throwIfCancelled()
   */
  throwIfCancelled(): void;
  /**
   * Lets the event loop run once (so a cancel message can arrive), then throws an AbortError if
   * the call was cancelled. Call it between chunks of work (between tokens).
   * @example for (const t of tokens) { work(t); await ctx.checkpoint(); }
   */
  checkpoint(): Promise<void>;
}

/** The functions that serve a protocol: each may return its result or transfer(result, buffers). */
export type Implementation<P extends ProtocolOf<P>> = {
  [K in keyof P]: (
    args: P[K]['args'],
    ctx: CallContext<P[K]['progress']>,
  ) =>
    | P[K]['result']
    | Transferred<P[K]['result']>
    | Promise<P[K]['result'] | Transferred<P[K]['result']>>;
};

/** Options for serve. */
export interface ServeOptions {
  /**
   * Resolves after the event loop has had a turn (default: a zero-delay timer when the platform
   * has setTimeout, else a resolved promise, which lets no message in).
   */
  pause?: () => Promise<void>;
}

/** A running server. */
export interface RpcServer {
  /** Calls currently running. */
  readonly activeCalls: number;
  /**
   * Stops listening; running calls are cancelled and their results dropped.
   * @example server.close()
   */
  close(): void;
}

type TimerHost = { setTimeout?: (fn: () => void, ms: number) => unknown };

function defaultPause(): () => Promise<void> {
  const host = globalThis as TimerHost;
  const timer = host.setTimeout;
  if (typeof timer === 'function') {
    return () => new Promise<void>((resolve) => timer.call(globalThis, resolve, 0));
  }
  return () => Promise.resolve();
}

interface Running {
  cancelled: boolean;
}

/**
 * Serves `impl` on `port`: answers each call message with progress messages, then one result or
 * error message with the same id; a cancel message marks the call cancelled, which the method sees
 * at its next checkpoint (the caller gets an AbortError). Unknown methods answer with an error.
 * @example serve<CalcProtocol>(port, { add: ({ a, b }) => a + b })
 */
export function serve<P extends ProtocolOf<P>>(
  port: MessagePortLike,
  impl: Implementation<P>,
  options: ServeOptions = {},
): RpcServer {
  const pause = options.pause ?? defaultPause();
  const running = new Map<number, Running>();
  let closed = false;

  const send = (message: ServerMessage, buffers: readonly ArrayBufferLike[] = []) => {
    if (closed) return;
    port.postMessage(message, uniqueBuffers(buffers));
  };

  const run = async (id: number, method: string, args: unknown) => {
    const state: Running = { cancelled: false };
    running.set(id, state);
    const fn = Object.hasOwn(impl, method)
      ? (impl as Record<string, (a: unknown, c: CallContext<unknown>) => unknown>)[method]
      : undefined;
    const ctx: CallContext<unknown> = {
      method,
      get cancelled() {
        return state.cancelled || closed;
      },
      progress(value, buffers) {
        if (state.cancelled) return;
        send({ tag: RPC_TAG, kind: 'progress', id, value }, buffers);
      },
      throwIfCancelled() {
        if (state.cancelled || closed) throw abortError(method);
      },
      async checkpoint() {
        await pause();
        if (state.cancelled || closed) throw abortError(method);
      },
    };
    try {
      if (typeof fn !== 'function') {
        const known = Object.keys(impl).join(', ');
        throw new Error(`rpc: no method "${method}"; this server has: ${known}`);
      }
      const out = await fn.call(impl, args, ctx);
      // A call cancelled at its very end still reports the cancellation: the caller asked for it.
      if (state.cancelled) throw abortError(method);
      if (out instanceof Transferred) {
        send({ tag: RPC_TAG, kind: 'result', id, value: out.value }, out.buffers);
      } else {
        send({ tag: RPC_TAG, kind: 'result', id, value: out });
      }
    } catch (error) {
      const e = state.cancelled ? abortError(method) : error;
      try {
        send({ tag: RPC_TAG, kind: 'error', id, error: serializeError(e) });
      } catch {
        // The port itself failed (closed): nobody is left to tell.
      }
    } finally {
      running.delete(id);
    }
  };

  const listener = (event: unknown) => {
    const data = (event as MessageEventLike).data;
    if (!isRpcMessage(data)) return;
    const message = data as ClientMessage;
    if (message.kind === 'call') {
      if (running.has(message.id)) {
        send({
          tag: RPC_TAG,
          kind: 'error',
          id: message.id,
          error: { name: 'Error', message: `rpc: call id ${message.id} is already running` },
        });
        return;
      }
      void run(message.id, message.method, message.args);
    } else if (message.kind === 'cancel') {
      const state = running.get(message.id);
      if (state) state.cancelled = true;
    }
  };

  port.addEventListener('message', listener);
  port.start?.();
  return {
    get activeCalls() {
      return running.size;
    },
    close() {
      closed = true;
      for (const state of running.values()) state.cancelled = true;
      port.removeEventListener?.('message', listener);
    },
  };
}
