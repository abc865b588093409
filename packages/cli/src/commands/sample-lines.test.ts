import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './sample-lines.ts';

function split(chunks: readonly (string | Uint8Array)[], want?: () => boolean): Buffer[] {
  const lines: Buffer[] = [];
  const splitter = new LineSplitter((bytes, start, end) => {
    lines.push(Buffer.from(bytes.subarray(start, end)));
  });
  if (want) splitter.wantOpenLine = want;
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

const text = (lines: Buffer[]): string[] => lines.map((line) => line.toString('utf8'));

describe('LineSplitter', () => {
  it('push(chunk) keeps \\r and empty lines, and end() delivers a last line without \\n', () => {
    expect(text(split(['a\r\n\nb\n\r\nc']))).toEqual(['a\r', '', 'b', '\r', 'c']);
    expect(text(split(['a\n']))).toEqual(['a']);
    expect(text(split(['']))).toEqual([]);
    expect(text(split(['\n']))).toEqual(['']);
  });

  it('push(chunk) joins a line that spans several chunks', () => {
    expect(text(split(['ab', 'c', 'd\ne', 'f\n', 'g']))).toEqual(['abcd', 'ef', 'g']);
  });

  it('push(chunk) drops a leading UTF-8 byte-order mark only', () => {
    expect(text(split(['\uFEFFa\n\uFEFFb\n']))).toEqual(['a', '\uFEFFb']);
  });

  it('push(chunk) passes invalid UTF-8 bytes through unchanged', () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0x80]);
    const lines = split([bytes.subarray(0, 4), bytes.subarray(4)]);
    expect(lines.map((line) => [...line])).toEqual([[0xff, 0xfe], [0xc3, 0x28], [0x80]]);
  });

  it('wantOpenLine() false skips a spanning line without gathering it (it arrives empty)', () => {
    let asked = 0;
    const lines = split(['x\nlong', 'er', 'line\ny', 'z\n'], () => asked++ > 0);
    expect(text(lines)).toEqual(['x', '', 'yz']);
    expect(asked).toBe(2);
  });

  it('push(chunk) handles a 10 MB line arriving in 64 KiB pieces', () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const input = Buffer.concat([Buffer.from('a\n'), big, Buffer.from('\nb\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += 65536) chunks.push(input.subarray(i, i + 65536));
    const lines = split(chunks);
    expect(lines.length).toBe(3);
    expect(lines[1].equals(big)).toBe(true);
  });

  it('push(chunk) gives lines that, joined with \n, rebuild the input however it is cut', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(200), { maxLength: 8 }),
        (bytes, cuts) => {
          // A leading 0xef could start a byte-order mark, which is dropped; keep that case out.
          const input = Buffer.from(bytes[0] === 0xef ? [0x78, ...bytes] : bytes);
          const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let from = 0;
          for (const point of [...points, input.length]) {
            chunks.push(input.subarray(from, point));
            from = point;
          }
          const lines = split(chunks);
          const trimmed = input[input.length - 1] === 0x0a ? input.subarray(0, -1) : input;
          expect(
            Buffer.concat(lines.flatMap((l, i) => (i > 0 ? [Buffer.from('\n'), l] : [l]))),
          ).toEqual(trimmed);
          expect(lines.length).toBe(
            input.length === 0 ? 0 : trimmed.filter((b) => b === 10).length + 1,
          );
        },
      ),
    );
  });
});
