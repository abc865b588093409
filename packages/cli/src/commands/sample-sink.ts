/** Shared pieces of `explorables sample`: where lines go, how they are annotated, counters. */
import type { Context } from '../context.ts';

/** Where kept lines go: raw bytes (ByteWriter) or, without a raw stdout, UTF-8 text. */
export interface LineSink {
  readonly closed: boolean;
  bytes(bytes: Uint8Array, start: number, end: number): void;
  text(text: string): void;
  latin1(bytes: string): void;
  newline(): void;
  push(): void;
  settle(): Promise<void>;
  end(): Promise<void>;
}

/**
 * A LineSink over ctx.out, for callers of sample() that give no raw stdout: bytes are decoded as
 * UTF-8 (invalid ones become U+FFFD), lines are written on settle().
 * @example const sink = new TextLineSink(ctx); sink.text('a'); sink.newline(); await sink.end();
 */
export class TextLineSink implements LineSink {
  private readonly ctx: Context;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private current = '';
  private pending: string[] = [];

  constructor(ctx: Context) {
    this.ctx = ctx;
  }

  get closed(): boolean {
    return this.ctx.out.closed;
  }

  bytes(bytes: Uint8Array, start: number, end: number): void {
    this.current += this.decoder.decode(bytes.subarray(start, end));
  }

  text(text: string): void {
    this.current += text;
  }

  latin1(bytes: string): void {
    this.current += this.decoder.decode(Buffer.from(bytes, 'latin1'));
  }

  newline(): void {
    this.pending.push(this.current);
    this.current = '';
  }

  push(): void {}

  async settle(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) await this.ctx.out.line(line);
  }

  async end(): Promise<void> {
    await this.settle();
  }
}

/** One row of --stats: a window (or the whole stream) and key. */
export interface StatsRow {
  startMs: number | undefined;
  key: string | undefined;
  seen: number;
  sampled: number;
  forced: number;
}

/** Counters of one run, and the --stats rows. */
export interface Counts {
  lines: number;
  written: number;
  /** Lines whose --time pattern found no timestamp (they took the previous line's time). */
  untimed: number;
  /** Lines whose timestamp was earlier than an earlier line's (counted in the open window). */
  late: number;
  rows: StatsRow[];
}

/** A way of sampling: fed chunk by chunk, then finished. */
export interface Job {
  push(chunk: Uint8Array | string): void;
  endInput(): void;
  finish(): void;
  dispose(): void;
}

/**
 * A line as the windowed sampler holds it: a byte string (one char per byte, latin1, so any
 * bytes survive unchanged), or a Buffer for lines too long to be strings (over 64 MiB).
 */
export type Line = string | Buffer;

const CR = 0x0d;

/**
 * Writes one kept line and its `\n`; with `annotate`, annotation(represents) goes before a
 * trailing `\r` (so CRLF files stay CRLF).
 * @example writeLine(sink, Buffer.from('GET /'), 37, true) // 'GET /\t# 1/37\n'
 */
export function writeLine(sink: LineSink, line: Line, represents: number, annotate: boolean): void {
  if (typeof line === 'string') {
    const cr = annotate && line.endsWith('\r');
    sink.latin1(cr ? line.slice(0, -1) : line);
    if (annotate) sink.text(annotation(represents) + (cr ? '\r' : ''));
  } else {
    const cr = annotate && line.length > 0 && line[line.length - 1] === CR;
    sink.bytes(line, 0, cr ? line.length - 1 : line.length);
    if (annotate) sink.text(annotation(represents) + (cr ? '\r' : ''));
  }
  sink.newline();
}

/**
 * The `--annotate` suffix: a tab and `# 1/N`, N the number of input lines this one stands for
 * (at most two decimals; 1 for lines kept by --keep).
 * @example annotation(37) // '\t# 1/37'
 */
export function annotation(represents: number): string {
  return `\t# 1/${Number(represents.toFixed(2))}`;
}
