import type { Readable, Writable } from 'node:stream';
import type { Output } from './output.ts';

/** The streams main() is given: the process's own, or fakes in tests. */
export interface CliStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Clock in milliseconds for progress throttling (defaults to performance.now). */
  now?: () => number;
}

/** What a command runs with: stdin, buffered EPIPE-safe stdout, raw stderr and a clock. */
export interface Context {
  stdin: Readable;
  out: Output;
  stderr: Writable;
  now: () => number;
}
