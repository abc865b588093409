/**
 * The wire format and the minimal platform shapes of the RPC: a port anything message-based fits
 * (a Worker, a worker's global scope, a MessagePort, Node's worker_threads ports), an
 * AbortSignal-like cancel handle, and the messages both sides exchange. No DOM types here: the
 * engine is type-checked without them.
 */

/** The event a port delivers; only `data` is read. */
export interface MessageEventLike {
  readonly data: unknown;
}

/**
 * Anything that can send structured-cloned messages with a transfer list and deliver incoming
 * ones to listeners: a Worker, DedicatedWorkerGlobalScope, MessagePort (browser or Node).
 */
export interface MessagePortLike {
  /** Sends `message`; every buffer in `transfer` is moved (detached here), not copied. */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** The listener gets a MessageEventLike (typed unknown so real ports' Event types fit). */
  addEventListener(type: 'message', listener: (event: unknown) => void): void;
  removeEventListener?(type: 'message', listener: (event: unknown) => void): void;
  /** MessagePorts in browsers deliver addEventListener messages only after start(). */
  start?(): void;
}

/** The parts of AbortSignal the RPC reads (a real AbortSignal fits). */
export interface RpcAbortSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * One method of a protocol: what the caller sends, what it gets back, and the progress events
 * (or stream items) the method emits on the way.
 */
export interface MethodSpec<Args = unknown, Result = unknown, Progress = never> {
  args: Args;
  result: Result;
  progress: Progress;
}

/** A protocol: method name → MethodSpec. Use an interface, e.g. `{ add: MethodSpec<...> }`. */
export type ProtocolOf<P> = { [K in keyof P]: MethodSpec<unknown, unknown, unknown> };

/** An error as it crosses the port: plain data, since Error objects clone inconsistently. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

/** Tag on every RPC message, so other traffic on the same port is ignored. */
export const RPC_TAG = 'explorables-rpc/1';

/** Messages from the calling side. */
export type ClientMessage =
  | { tag: typeof RPC_TAG; kind: 'call'; id: number; method: string; args: unknown }
  | { tag: typeof RPC_TAG; kind: 'cancel'; id: number };

/** Messages from the serving side. */
export type ServerMessage =
  | { tag: typeof RPC_TAG; kind: 'progress'; id: number; value: unknown }
  | { tag: typeof RPC_TAG; kind: 'result'; id: number; value: unknown }
  | { tag: typeof RPC_TAG; kind: 'error'; id: number; error: SerializedError };

/**
 * True when `data` is an object carrying the RPC tag and a numeric id.
 * @example isRpcMessage({ tag: RPC_TAG, kind: 'cancel', id: 1 }) // true
 */
export function isRpcMessage(data: unknown): data is { tag: string; kind: string; id: number } {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { tag?: unknown; id?: unknown; kind?: unknown };
  return m.tag === RPC_TAG && typeof m.id === 'number' && typeof m.kind === 'string';
}

/** A value sent together with the buffers to move rather than copy. */
export class Transferred<T> {
  /**
   * Wraps `value` with the list of buffers (inside it) to transfer.
   * @example new Transferred({ ids }, [ids.buffer])
   */
  constructor(
    readonly value: T,
    readonly buffers: readonly ArrayBuffer[],
  ) {}
}

/**
 * Marks a result to be sent with `buffers` transferred: after sending, they are detached on the
 * sending side (length 0), so never list a buffer the sender still uses (e.g. model weights).
 * @example return transfer({ logits }, [logits.buffer])
 */
export function transfer<T>(value: T, buffers: readonly ArrayBufferLike[]): Transferred<T> {
  return new Transferred(value, uniqueBuffers(buffers));
}

/**
 * The distinct ArrayBuffers of a list (a buffer listed twice makes postMessage throw);
 * SharedArrayBuffers are dropped, since they are shared, not transferred.
 * @example uniqueBuffers([a.buffer, a.buffer]).length // 1
 */
export function uniqueBuffers(buffers: readonly ArrayBufferLike[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const b of buffers) {
    if (b instanceof ArrayBuffer && !out.includes(b)) out.push(b);
  }
  return out;
}
