import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestampMs, TimestampParser } from './sample-time.ts';

describe('parseTimestampMs', () => {
  it('parseTimestampMs(iso) reads ISO-8601 with Z, offsets, a space separator and fractions', () => {
    expect(parseTimestampMs('2026-01-01T00:00:00.123Z')).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 123));
    expect(parseTimestampMs('2026-01-01 12:34:56')).toBe(Date.UTC(2026, 0, 1, 12, 34, 56));
    expect(parseTimestampMs('2024-05-01T12:00:00.250+02:00')).toBe(
      Date.UTC(2024, 4, 1, 10, 0, 0, 250),
    );
    expect(parseTimestampMs('2024-05-01T12:00:00-0130')).toBe(Date.UTC(2024, 4, 1, 13, 30));
    expect(parseTimestampMs('2024-05-01T12:00+05')).toBe(Date.UTC(2024, 4, 1, 7, 0));
    expect(parseTimestampMs('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestampMs('2024-05-01T12:00:00,5z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 500));
    expect(parseTimestampMs('2024-05-01T12:00:00.123456789Z')).toBe(
      Date.UTC(2024, 4, 1, 12, 0, 0, 123),
    );
  });

  it('parseTimestampMs(iso) without a zone is UTC, not local time', () => {
    expect(parseTimestampMs('1970-01-01T00:00:01')).toBe(1000);
  });

  it('parseTimestampMs(epoch) tells seconds, milliseconds, microseconds and nanoseconds by size', () => {
    const ms = 1_714_564_800_123;
    expect(parseTimestampMs('1714564800')).toBe(1_714_564_800_000);
    expect(parseTimestampMs('1714564800.123')).toBeCloseTo(ms, 3);
    expect(parseTimestampMs('1714564800123')).toBe(ms);
    expect(parseTimestampMs('1714564800123456')).toBeCloseTo(ms + 0.456, 3);
    expect(parseTimestampMs('1714564800123456789')).toBeCloseTo(ms, -1);
    expect(parseTimestampMs('0')).toBe(0);
    expect(parseTimestampMs('99999999999')).toBe(99_999_999_999_000);
    expect(parseTimestampMs('100000000000')).toBe(100_000_000_000);
  });

  it('parseTimestampMs(text) is NaN for anything else', () => {
    for (const text of [
      '',
      'abc',
      '-5',
      '1e9',
      '12:00:00',
      '2026-13-01',
      '2026-02-29',
      '2026-01-32',
      '2026-01-01T24:00',
      '2026-01-01T12:60',
      '2026-01-01T12:00:61',
      '2026-01-01X12:00',
      '2026-01-01T12:00:00.',
      '2026-01-01T12:00:00Zx',
      '2026-01-01T12:00:00+2',
      '2026-01-01T12:00:00+24:00',
      '2026/01/01',
    ]) {
      expect(parseTimestampMs(text), text).toBeNaN();
    }
  });

  it('parseTimestampMs(date.toISOString()) equals date.getTime() for any date from year 1000 to 9999', () => {
    const min = Date.UTC(1000, 0, 1);
    const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        expect(parseTimestampMs(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });

  it('TimestampParser.parse(text) equals parseTimestampMs(text) on any sequence, cache or not', () => {
    const stamp = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom('', '.5', '.123', ',9', '.'),
          fc.constantFrom('', 'Z', '+01:00', '-0230', '+05', 'x'),
        )
        .map(([s, fraction, zone]) => `2026-01-01T10:00:0${s}${fraction}${zone}`),
      fc.constantFrom(
        '2026-01-01T10:00',
        '2026-01-01',
        '1767225600',
        'nope',
        '2026-01-01T10:00:00',
      ),
    );
    fc.assert(
      fc.property(fc.array(stamp, { maxLength: 30 }), (texts) => {
        const parser = new TimestampParser();
        for (const text of texts) {
          expect(Object.is(parser.parse(text), parseTimestampMs(text)), text).toBe(true);
        }
      }),
    );
  });
});
