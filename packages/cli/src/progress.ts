import type { Writable } from 'node:stream';
import { humanBytes } from './format.ts';

/** Settings of a progress line. */
export interface ProgressOptions {
  /** Where to draw; nothing is drawn unless it is a TTY. */
  stream: Writable;
  /** What is happening, e.g. `reading keys`. */
  label: string;
  /** Total bytes when known (a file); undefined for stdin. */
  totalBytes?: number;
  /** Clock in milliseconds. */
  now: () => number;
  /** The line appears only once the work has run this long, so quick runs never flash. */
  delayMs?: number;
  /** Minimum time between redraws (100 ms ≈ 10 updates per second). */
  intervalMs?: number;
}

/** True when `stream` is an interactive terminal. */
export function isTty(stream: Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * A one-line progress bar on a TTY (bytes read of total), redrawn at most every `intervalMs` after
 * an initial `delayMs`, and erased by done(); a no-op when the stream is not a TTY.
 * @example const bar = new Progress({ stream: stderr, label: 'reading', totalBytes: 1e9, now });
 *   bar.update(5e8); bar.done();
 */
export class Progress {
  private readonly options: ProgressOptions;
  private readonly enabled: boolean;
  private readonly startMs: number;
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.enabled = isTty(options.stream);
    this.startMs = this.enabled ? options.now() : 0;
  }

  /**
   * Reports `doneBytes` processed so far; draws only when enabled, late enough and not too soon
   * after the previous draw.
   * @example bar.update(1024)
   */
  update(doneBytes: number): void {
    if (!this.enabled) return;
    const t = this.options.now();
    if (t - this.startMs < (this.options.delayMs ?? 300)) return;
    if (t - this.lastDrawMs < (this.options.intervalMs ?? 100)) return;
    this.lastDrawMs = t;
    this.drawn = true;
    this.options.stream.write(`\r${this.render(doneBytes)}\x1b[K`);
  }

  /**
   * Erases the progress line if one was drawn, leaving the cursor at the start of an empty line.
   * @example bar.done()
   */
  done(): void {
    if (this.drawn) this.options.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  private render(doneBytes: number): string {
    const { label, totalBytes } = this.options;
    const reported = (this.options.stream as { columns?: number }).columns ?? 0;
    const columns = reported > 0 ? reported : 80;
    if (totalBytes === undefined || totalBytes <= 0) {
      return `${label}: ${humanBytes(doneBytes)} read`.slice(0, columns - 1);
    }
    const fraction = Math.min(1, doneBytes / totalBytes);
    const total = humanBytes(totalBytes);
    const done = humanBytes(doneBytes).padStart(total.length);
    const tail = ` ${(fraction * 100).toFixed(0).padStart(3)}%  ${done} / ${total}`;
    const barWidth = Math.max(0, Math.min(40, columns - 1 - label.length - 4 - tail.length));
    const filled = Math.round(fraction * barWidth);
    const bar = barWidth > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]` : '';
    return `${label}:${bar}${tail}`.slice(0, columns - 1);
  }
}
