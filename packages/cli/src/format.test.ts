import { describe, expect, it } from 'vitest';
import { formatRate, humanBytes, table } from './format.ts';

describe('humanBytes', () => {
  it('humanBytes(bytes) uses plain bytes below 1 KiB and binary units with two decimals above', () => {
    expect(humanBytes(0)).toBe('0 B');
    expect(humanBytes(1023)).toBe('1023 B');
    expect(humanBytes(1024)).toBe('1.00 KiB');
    expect(humanBytes(3594397)).toBe('3.43 MiB');
    expect(humanBytes(2 ** 30)).toBe('1.00 GiB');
    expect(humanBytes(2 ** 60)).toBe('1024.00 PiB');
  });
});

describe('formatRate', () => {
  it('formatRate(p) keeps three significant digits, scientific below 0.0001', () => {
    expect(formatRate(0.01)).toBe('0.0100');
    expect(formatRate(0.001)).toBe('0.00100');
    expect(formatRate(9.74e-4)).toBe('0.000974');
    expect(formatRate(9.99e-5)).toBe('9.99e-5');
    expect(formatRate(9.99e-7)).toBe('9.99e-7');
    expect(formatRate(0)).toBe('0');
  });
});

describe('table', () => {
  it('table(rows) pads names to the widest one', () => {
    expect(
      table([
        ['a', '1'],
        ['long', '2'],
      ]),
    ).toBe('a     1\nlong  2\n');
  });
});
