import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LineStats, newLineStats, readLines } from './lines.ts';

async function collect(
  chunks: readonly (string | Uint8Array)[],
): Promise<{ lines: string[]; stats: LineStats }> {
  const stats = newLineStats();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const lines: string[] = [];
  async function* source(): AsyncGenerator<string | Uint8Array> {
    yield* chunks;
  }
  for await (const batch of readLines(source(), stats)) {
    for (const line of batch) lines.push(decoder.decode(line));
  }
  return { lines, stats };
}

describe('readLines', () => {
  it('readLines(source) splits on \\n, strips one trailing \\r and keeps a last unterminated line', async () => {
    const { lines, stats } = await collect(['alpha\r\nbeta\ngamma\r\r\ndelta']);
    expect(lines).toEqual(['alpha', 'beta', 'gamma\r', 'delta']);
    expect(stats).toEqual({ bytesRead: 25, lines: 4, emptyLines: 0 });
  });

  it('readLines(source) skips and counts empty lines, including bare \\r lines', async () => {
    const { lines, stats } = await collect(['\n\na\n\r\n\nb\n\n']);
    expect(lines).toEqual(['a', 'b']);
    expect(stats.emptyLines).toBe(5);
  });

  it('readLines(source) yields nothing for empty input', async () => {
    expect(await collect([])).toEqual({ lines: [], stats: newLineStats() });
    expect((await collect([''])).lines).toEqual([]);
  });

  it('readLines(source) drops a UTF-8 byte-order mark at the start only', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0a, 0xef, 0xbb, 0xbf, 0x62]);
    expect((await collect([bytes])).lines).toEqual(['a', '\ufeffb']);
  });

  it('readLines(source) joins a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('naïve\n日本\n');
    const chunks = [...bytes].map((b) => new Uint8Array([b]));
    expect((await collect(chunks)).lines).toEqual(['naïve', '日本']);
  });

  it('readLines(source) gives the same lines however the input is cut into chunks', async () => {
    const line = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !/[\r\n]/.test(s));
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 20 }),
        fc.array(fc.nat(40), { maxLength: 10 }),
        fc.boolean(),
        async (words, cuts, crlf) => {
          const bytes = new TextEncoder().encode(words.join(crlf ? '\r\n' : '\n'));
          const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort(
            (a, b) => a - b,
          );
          const chunks: Uint8Array[] = [];
          let from = 0;
          for (const to of [...points, bytes.length]) {
            chunks.push(bytes.subarray(from, to));
            from = to;
          }
          const { lines, stats } = await collect(chunks);
          expect(lines).toEqual(words);
          expect(stats.bytesRead).toBe(bytes.length);
        },
      ),
    );
  });
});
