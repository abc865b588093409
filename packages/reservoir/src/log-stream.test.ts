import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import {
  expectedRatePerSec,
  formatLogLine,
  generateLogStream,
  LOG_EPOCH_MS,
  LOG_SERVICES,
  type LogLine,
} from './log-stream.ts';

function collect(lines: Iterable<LogLine>): LogLine[] {
  return Array.from(lines);
}

describe('generateLogStream', () => {
  it('generateLogStream(options) is the same for a seed and replays when iterated again', () => {
    const options = { durationMs: 5000, baseRatePerSec: 200 };
    const a = generateLogStream({ rng: createRng(1), ...options });
    const first = collect(a);
    expect(collect(a)).toEqual(first);
    expect(collect(generateLogStream({ rng: createRng(1), ...options }))).toEqual(first);
    expect(collect(generateLogStream({ rng: createRng(2), ...options }))).not.toEqual(first);
  });

  it('generateLogStream(options) yields lines in time order inside [0, durationMs)', () => {
    const lines = collect(
      generateLogStream({
        rng: createRng(3),
        durationMs: 10000,
        baseRatePerSec: 100,
        bursts: [{ startMs: 2000, durationMs: 1000, ratePerSec: 3000 }],
        wobble: { amplitude: 0.5, periodMs: 4000 },
      }),
    );
    for (let i = 1; i < lines.length; i++) {
      expect(lines[i].timeMs).toBeGreaterThanOrEqual(lines[i - 1].timeMs);
    }
    expect(lines[0].timeMs).toBeGreaterThanOrEqual(0);
    expect(lines[lines.length - 1].timeMs).toBeLessThan(10000);
  });

  it('generateLogStream(options) arrives at the expected rates, with more ERRORs in bursts', () => {
    // Baseline 500/s for 60 s = 30 000 lines (Poisson sd 173) plus a 5 s burst at 4000/s =
    // 20 000 lines (sd 141); tolerances 5 sd.
    const lines = collect(
      generateLogStream({
        rng: createRng(4),
        durationMs: 60000,
        baseRatePerSec: 500,
        bursts: [{ startMs: 30000, durationMs: 5000, ratePerSec: 4000, service: 'db' }],
      }),
    );
    const inBurst = lines.filter((l) => l.timeMs >= 30000 && l.timeMs < 35000);
    const outside = lines.filter((l) => l.timeMs < 30000 || l.timeMs >= 35000);
    expect(Math.abs(outside.length - 27500)).toBeLessThan(5 * Math.sqrt(27500));
    expect(Math.abs(inBurst.length - 22500)).toBeLessThan(5 * Math.sqrt(22500));
    const errorShare = (ls: LogLine[]) => ls.filter((l) => l.level === 'ERROR').length / ls.length;
    expect(errorShare(outside)).toBeGreaterThan(0.005);
    expect(errorShare(outside)).toBeLessThan(0.02);
    expect(errorShare(inBurst)).toBeGreaterThan(0.1);
    const dbShare = inBurst.filter((l) => l.service === 'db').length / inBurst.length;
    expect(dbShare).toBeGreaterThan(0.5);
    const levels = new Set(lines.map((l) => l.level));
    expect([...levels].sort()).toEqual(['DEBUG', 'ERROR', 'INFO', 'WARN']);
    for (const l of lines.slice(0, 500)) expect(LOG_SERVICES).toContain(l.service);
  });

  it('generateLogStream(options) streams hours of lines lazily', () => {
    // Ten hours at 5000 lines/s is 1.8e8 lines: only the first few are ever produced here.
    const stream = generateLogStream({
      rng: createRng(5),
      durationMs: 10 * 3600 * 1000,
      baseRatePerSec: 5000,
    });
    let count = 0;
    for (const line of stream) {
      if (++count === 1000) {
        expect(line.timeMs).toBeLessThan(1000);
        break;
      }
    }
    expect(count).toBe(1000);
  });

  it('generateLogStream(options) with zero duration or zero rates yields nothing', () => {
    expect(
      collect(generateLogStream({ rng: createRng(1), durationMs: 0, baseRatePerSec: 9 })),
    ).toEqual([]);
    expect(
      collect(
        generateLogStream({
          rng: createRng(1),
          durationMs: 1000,
          baseRatePerSec: 0,
          bursts: [{ startMs: 2000, durationMs: 10, ratePerSec: 100 }],
        }),
      ),
    ).toEqual([]);
  });

  it('generateLogStream(options) rejects NaN, negative, infinite numbers naming the field', () => {
    const rng = createRng(1);
    expect(() => generateLogStream({ rng, durationMs: Number.NaN, baseRatePerSec: 1 })).toThrow(
      /options.durationMs must be a finite number >= 0, got NaN/,
    );
    expect(() => generateLogStream({ rng, durationMs: 1, baseRatePerSec: -1 })).toThrow(
      /baseRatePerSec/,
    );
    expect(() =>
      generateLogStream({
        rng,
        durationMs: 1,
        baseRatePerSec: 1,
        bursts: [{ startMs: 0, durationMs: 1, ratePerSec: Number.POSITIVE_INFINITY }],
      }),
    ).toThrow(/bursts\[0\].ratePerSec/);
    expect(() =>
      generateLogStream({
        rng,
        durationMs: 1,
        baseRatePerSec: 1,
        wobble: { amplitude: 2, periodMs: 10 },
      }),
    ).toThrow(/amplitude must be in \[0, 1\]/);
  });

  it('expectedRatePerSec(options, timeMs) adds active bursts to the wobbling baseline', () => {
    const options = {
      rng: createRng(1),
      durationMs: 10000,
      baseRatePerSec: 100,
      bursts: [{ startMs: 1000, durationMs: 500, ratePerSec: 900 }],
      wobble: { amplitude: 0.5, periodMs: 4000 },
    };
    expect(expectedRatePerSec(options, 0)).toBeCloseTo(100, 10);
    expect(expectedRatePerSec(options, 1000)).toBeCloseTo(150 + 900, 10);
    expect(expectedRatePerSec(options, 3000)).toBeCloseTo(50, 10);
    expect(expectedRatePerSec(options, 10000)).toBe(0);
  });
});

describe('formatLogLine', () => {
  it('formatLogLine(line) writes the ISO time from LOG_EPOCH_MS, padded level and service', () => {
    expect(LOG_EPOCH_MS).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(formatLogLine({ timeMs: 123.9, level: 'ERROR', service: 'api', message: 'boom' })).toBe(
      '2026-01-01T00:00:00.123Z ERROR api  boom',
    );
    expect(formatLogLine({ timeMs: 3_600_000, level: 'INFO', service: 'mail', message: 'm' })).toBe(
      '2026-01-01T01:00:00.000Z INFO  mail m',
    );
  });
});
