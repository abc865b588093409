/** The windowed modes of `explorables sample` (--per, --key, --keep, --weight). */
import { isAscii } from 'node:buffer';
import { createRng } from '@explorables/random';
import { type WindowBatch, WindowedSampler } from '@explorables/reservoir';
import type { Context } from '../context.ts';
import type { SamplePlan } from './sample.ts';
import { LineSplitter } from './sample-lines.ts';
import type { Pattern, WeightRule } from './sample-options.ts';
import { type Counts, type Job, type Line, type LineSink, writeLine } from './sample-sink.ts';
import { TimestampParser } from './sample-time.ts';

/**
 * Patterns see at most this many bytes from the start of a line (64 MiB); longer lines are still
 * sampled and written whole.
 */
export const MAX_MATCH_BYTES = 64 * 1024 * 1024;

/** The window used for a whole-stream sample that needs the windowed sampler (keys, rules). */
const WHOLE_STREAM_MS = Number.MAX_SAFE_INTEGER;

const NON_ASCII = /[\u0080-\u00ff]/;

/**
 * The text patterns are matched against: the line decoded as UTF-8 (invalid bytes as U+FFFD), at
 * most MAX_MATCH_BYTES of it. An ASCII byte string is already that text.
 */
function textOf(line: Line): string {
  if (typeof line !== 'string') return line.toString('utf8', 0, MAX_MATCH_BYTES);
  return NON_ASCII.test(line) ? Buffer.from(line, 'latin1').toString('utf8') : line;
}

/** The text a pattern captured in `text` (its first group, or the whole match), or undefined. */
function capture(pattern: Pattern, text: string): string | undefined {
  const match = pattern.regex.exec(text);
  return match === null ? undefined : match[pattern.group];
}

/**
 * Every mode but plain --k: the engine's WindowedSampler (per window and/or per key, --keep,
 * --weight); without --per the whole stream is one window, written at the end. Lines are given
 * to the sampler as byte strings (see Line), so every byte survives; each line's time comes from
 * --time, or from the wall clock when its chunk arrived.
 * @example const job = new WindowedJob(plan, sink, counts, ctx); job.push(chunk); job.finish();
 */
export class WindowedJob implements Job {
  private readonly plan: SamplePlan;
  private readonly sink: LineSink;
  private readonly counts: Counts;
  private readonly sampler: WindowedSampler<Line>;
  private readonly splitter: LineSplitter;
  private readonly clockMs: () => number;
  private readonly windowMs: number;
  /** Time given to the lines of the current chunk (arrival mode) or of the latest line. */
  private timeMs = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly timestamps = new TimestampParser();
  /** The line being offered and its text, so the sampler's callbacks decode it only once. */
  private currentLine: Line = '';
  private currentText = '';
  /** The chunk being split when it is all ASCII (checked once per chunk), else undefined. */
  private asciiChunk: Buffer | undefined;

  constructor(plan: SamplePlan, sink: LineSink, counts: Counts, ctx: Context) {
    this.plan = plan;
    this.sink = sink;
    this.counts = counts;
    this.windowMs = plan.windowMs ?? WHOLE_STREAM_MS;
    // Arrival time: wall-clock milliseconds (performance.timeOrigin + the monotonic ctx.now()).
    this.clockMs = () => performance.timeOrigin + ctx.now();
    const rng = createRng(plan.seed);
    const { key, keep, weights } = plan;
    this.sampler = new WindowedSampler<Line>({
      windowMs: this.windowMs,
      k: plan.k,
      rng,
      keyOf: key ? (line) => capture(key, this.textOf(line)) ?? '' : undefined,
      mustKeep: keep ? (line) => keep.regex.test(this.textOf(line)) : undefined,
      weightOf: weights.length > 0 ? (line) => weightOf(weights, this.textOf(line)) : undefined,
    });
    const time = plan.windowMs === undefined ? undefined : plan.time;
    const decode = plan.key !== undefined || plan.keep !== undefined || plan.weights.length > 0;
    this.splitter = new LineSplitter((bytes, start, end) => {
      this.counts.lines++;
      const line: Line =
        end - start > MAX_MATCH_BYTES
          ? Buffer.from(bytes.subarray(start, end))
          : bytes.toString('latin1', start, end);
      if (time !== undefined || decode) {
        this.currentLine = line;
        // Lines of an all-ASCII chunk are their own text; others are checked one by one.
        this.currentText =
          typeof line === 'string' && bytes === this.asciiChunk ? line : textOf(line);
      }
      if (time !== undefined) this.timeLine(time, this.currentText);
      this.write(this.sampler.offer(line, this.timeMs));
    });
  }

  /** textOf(line), reusing the text of the line being offered. */
  private textOf(line: Line): string {
    return line === this.currentLine ? this.currentText : textOf(line);
  }

  private timeLine(time: Pattern, text: string): void {
    const captured = capture(time, text);
    const t = captured === undefined ? Number.NaN : this.timestamps.parse(captured);
    if (Number.isNaN(t)) {
      this.counts.untimed++;
      if (this.timeMs === Number.NEGATIVE_INFINITY) this.timeMs = 0;
    } else if (t < this.timeMs) {
      this.counts.late++;
    } else {
      this.timeMs = t;
    }
  }

  push(raw: Uint8Array | string): void {
    const chunk =
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    this.asciiChunk = isAscii(chunk) ? chunk : undefined;
    if (this.plan.windowMs === undefined) {
      this.timeMs = 0;
    } else if (this.plan.time === undefined) {
      this.timeMs = Math.max(this.timeMs, this.clockMs());
    }
    this.splitter.push(chunk);
    if (this.plan.windowMs !== undefined) this.sink.push();
    if (this.plan.windowMs !== undefined && this.plan.time === undefined) this.armTimer();
  }

  endInput(): void {
    this.splitter.end();
  }

  finish(): void {
    this.write(this.sampler.flush());
    this.sink.push();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Arrival mode: close the open window when the wall clock passes its end, even if no further
   * line arrives (a quiet pipe still gets its sample on time).
   */
  private armTimer(): void {
    this.dispose();
    const endMs = (Math.floor(this.timeMs / this.windowMs) + 1) * this.windowMs;
    const delayMs = Math.max(0, endMs - this.clockMs());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write(this.sampler.flush());
      this.sink.push();
    }, delayMs + 1);
    this.timer.unref?.();
  }

  /**
   * Writes the batches one arrival (or flush) closed: they all belong to one window, one per key,
   * so their lines are merged back into arrival order before writing.
   */
  private write(batches: WindowBatch<Line>[]): void {
    if (batches.length === 0) return;
    const { sink, counts, plan } = this;
    const kept = batches.length === 1 ? batches[0].kept : batches.flatMap((batch) => batch.kept);
    if (batches.length > 1) kept.sort((a, b) => a.index - b.index);
    for (const entry of kept) writeLine(sink, entry.item, entry.represents, plan.annotate);
    counts.written += kept.length;
    if (!plan.stats) return;
    for (const batch of batches) {
      let forced = 0;
      for (const entry of batch.kept) if (entry.forced) forced++;
      counts.rows.push({
        startMs: plan.windowMs === undefined ? undefined : batch.startMs,
        key: batch.key,
        seen: batch.seen,
        sampled: batch.kept.length - forced,
        forced,
      });
    }
  }
}

/** The weight of the first rule whose pattern matches `text`, else 1. */
function weightOf(rules: readonly WeightRule[], text: string): number {
  for (const rule of rules) if (rule.pattern.regex.test(text)) return rule.weight;
  return 1;
}
