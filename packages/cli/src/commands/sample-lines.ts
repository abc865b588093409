/**
 * Byte-exact line splitting for `explorables sample`: unlike lines.ts (which prepares keys), a
 * line here is every byte up to `\n`, `\r` and empty lines included, so a kept line can be written
 * back exactly as it came in.
 */

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Receives one line: its bytes are `bytes[start, end)` without the `\n`. The buffer is only valid
 * during the call (copy what you keep).
 */
export type LineHandler = (bytes: Buffer, start: number, end: number) => void;

/**
 * Splits pushed chunks into lines and hands each to `onLine` in order. A line that spans chunks is
 * gathered into one buffer, unless `wantOpenLine()` (asked only when a line runs past the end of
 * a chunk) says no: then its bytes are dropped as they pass and `onLine` gets an empty line (how
 * the uniform sampler skips lines it will not keep, so even a gigabyte-long skipped line costs no
 * memory). A UTF-8 byte-order mark at the very start is dropped; end() delivers a last line that
 * has no `\n`.
 * @example
 * const s = new LineSplitter((b, i, j) => console.log(b.toString('utf8', i, j)));
 * s.push(Buffer.from('a\nb')); s.push(Buffer.from('c\n')); s.end(); // a, bc
 */
export class LineSplitter {
  /** Asked when a line runs past a chunk: false drops its bytes (onLine then gets it empty). */
  wantOpenLine: () => boolean = () => true;
  /** Bytes pushed so far. */
  bytesRead = 0;
  private readonly onLine: LineHandler;
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** True while the bytes of a started line have been seen (in an earlier chunk). */
  private open = false;
  private dropping = false;
  private first = true;

  constructor(onLine: LineHandler) {
    this.onLine = onLine;
  }

  /**
   * Splits one chunk (a Buffer, any Uint8Array, or a string encoded as UTF-8).
   * @example splitter.push(chunk)
   */
  push(raw: Uint8Array | string): void {
    const chunk =
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : Buffer.isBuffer(raw)
          ? raw
          : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    this.bytesRead += chunk.length;
    let start = 0;
    if (this.first && chunk.length > 0) {
      this.first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    const n = chunk.length;
    if (this.open) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) {
        this.gather(chunk, start, n);
        return;
      }
      this.gather(chunk, start, end);
      this.closeOpenLine();
      start = end + 1;
    }
    const onLine = this.onLine;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      onLine(chunk, start, end);
      start = end + 1;
    }
    if (start < n) {
      this.open = true;
      this.dropping = !this.wantOpenLine();
      this.gather(chunk, start, n);
    }
  }

  /**
   * Delivers the last line if the input did not end with `\n`; the splitter can then be reused
   * for another input (a following file starts a new line and may carry its own byte-order mark).
   * @example splitter.end()
   */
  end(): void {
    if (this.open) this.closeOpenLine();
    this.first = true;
  }

  private gather(chunk: Buffer, start: number, end: number): void {
    if (this.dropping || end <= start) return;
    this.parts.push(Buffer.from(chunk.subarray(start, end)));
    this.partBytes += end - start;
  }

  private closeOpenLine(): void {
    const line =
      this.dropping || this.partBytes === 0
        ? EMPTY
        : this.parts.length === 1
          ? this.parts[0]
          : Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    this.open = false;
    this.dropping = false;
    this.onLine(line, 0, line.length);
  }
}
