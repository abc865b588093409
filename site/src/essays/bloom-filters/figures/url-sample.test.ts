import { createRng } from '@explorables/random';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  hashSetBytesPerEntry,
  ITEM_COUNTS,
  LEAN_HASH_SET,
  meanUtf8Bytes,
  oneIn,
  RATES,
  ratioLabel,
  sampleUrl,
  sampleUrls,
} from './url-sample.ts';

describe('sampleUrl', () => {
  it('sampleUrl gives the same URLs for the same seed and others for another seed', () => {
    expect(sampleUrls(createRng(5), 50)).toEqual(sampleUrls(createRng(5), 50));
    expect(sampleUrls(createRng(5), 50)).not.toEqual(sampleUrls(createRng(6), 50));
  });

  it('sampleUrl always gives a URL the WHATWG URL parser accepts, with http(s) and a host', () => {
    const rng = createRng('urls');
    for (let i = 0; i < 2_000; i++) {
      const text = sampleUrl(rng);
      const url = new URL(text);
      expect(['http:', 'https:']).toContain(url.protocol);
      expect(url.hostname).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
      expect(text).not.toMatch(/\s/);
    }
  });

  it('sampleUrls of 10,000 has a mean length between 40 and 120 bytes and few duplicates', () => {
    const urls = sampleUrls(createRng(1), 10_000);
    const mean = meanUtf8Bytes(urls);
    expect(mean).toBeGreaterThan(40);
    expect(mean).toBeLessThan(120);
    expect(new Set(urls).size).toBeGreaterThan(9_000);
  });

  it('sampleUrls(rng, 0) is empty and a negative count throws', () => {
    expect(sampleUrls(createRng(1), 0)).toEqual([]);
    expect(() => sampleUrls(createRng(1), -1)).toThrow(/count/);
  });
});

describe('memory model', () => {
  it('meanUtf8Bytes counts UTF-8 bytes, not UTF-16 units', () => {
    expect(meanUtf8Bytes(['ab', 'é'])).toBe(2);
    expect(meanUtf8Bytes(['😀'])).toBe(4);
    expect(() => meanUtf8Bytes([])).toThrow(/at least one/);
  });

  it('hashSetBytesPerEntry adds the slot cost divided by the load factor', () => {
    expect(hashSetBytesPerEntry(70, LEAN_HASH_SET)).toBeCloseTo(70 + 8 / 0.75, 12);
    expect(hashSetBytesPerEntry(0, { slotBytes: 8, loadFactor: 1 })).toBe(8);
    expect(() => hashSetBytesPerEntry(Number.NaN, LEAN_HASH_SET)).toThrow(/meanKeyBytes/);
    expect(() => hashSetBytesPerEntry(1, { slotBytes: 8, loadFactor: 0 })).toThrow(/loadFactor/);
  });
});

describe('formatting', () => {
  it('formatBytes uses binary units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(1024 * 1024 * 81.23)).toBe('81.2 MiB');
    expect(formatBytes(1024 ** 3 * 123.4)).toBe('123 GiB');
    expect(formatBytes(1024 * 9.999)).toBe('10.0 KiB');
    expect(() => formatBytes(Number.NaN)).toThrow(/bytes/);
  });

  it('ratioLabel rounds to whole numbers from 10 up and one decimal below', () => {
    expect(ratioLabel(81, 3.6)).toBe('23');
    expect(ratioLabel(5, 2)).toBe('2.5');
    expect(ratioLabel(1234.4, 1)).toBe('1,234');
    expect(() => ratioLabel(1, 0)).toThrow(/> 0/);
  });

  it('ITEM_COUNTS runs 1-2-5 from 1,000 to 1,000,000,000 and RATES by decades', () => {
    expect(ITEM_COUNTS[0]).toBe(1_000);
    expect(ITEM_COUNTS.at(-1)).toBe(1e9);
    expect(ITEM_COUNTS).toContain(1e6);
    expect(ITEM_COUNTS.length).toBe(19);
    expect(RATES.length).toBe(9);
    expect(RATES[5]).toBe(1e-6);
  });

  it('formatCount and oneIn write numbers in words a reader scans easily', () => {
    expect(formatCount(2e6)).toBe('2,000,000');
    expect(formatCount(1e9)).toBe('1 billion');
    expect(oneIn(1e-6)).toBe('1 in 1,000,000');
    expect(() => oneIn(0)).toThrow(/rate/);
  });
});
