import type { SerializedError } from './protocol.ts';

/** The name cancelled calls reject with (as fetch does for an aborted request). */
export const ABORT_ERROR_NAME = 'AbortError';

/**
 * Turns anything thrown into plain data that survives postMessage: name, message and stack.
 * @example serializeError(new RangeError('bad')) // { name: 'RangeError', message: 'bad', stack }
 */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    if (typeof error.stack === 'string') out.stack = error.stack;
    return out;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const e = error as { name?: unknown; message?: unknown };
    return { name: String(e.name ?? 'Error'), message: String(e.message) };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * Rebuilds an Error from serialized data; the remote stack is kept as `remoteStack`, the local
 * stack shows where the call was made.
 * @example deserializeError({ name: 'TypeError', message: 'x' }).name // 'TypeError'
 */
export function deserializeError(data: SerializedError): Error & { remoteStack?: string } {
  const error: Error & { remoteStack?: string } = new Error(data.message);
  error.name = data.name;
  if (data.stack !== undefined) error.remoteStack = data.stack;
  return error;
}

/**
 * An Error named AbortError saying what was cancelled.
 * @example abortError('generate') // AbortError: generate was cancelled
 */
export function abortError(what: string): Error {
  const error = new Error(`${what} was cancelled`);
  error.name = ABORT_ERROR_NAME;
  return error;
}

/**
 * True for errors from cancelled calls (ours or a DOMException from an aborted fetch).
 * @example isAbortError(abortError('generate')) // true
 */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === ABORT_ERROR_NAME
  );
}
