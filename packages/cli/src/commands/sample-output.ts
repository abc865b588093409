/**
 * A byte-exact buffered writer for `explorables sample`: output.ts writes text, but a sampled
 * line must leave exactly as it came in, invalid UTF-8 included.
 */
import type { Writable } from 'node:stream';

const CAPACITY = 64 * 1024;

/**
 * Buffers bytes and strings (as UTF-8) into 64 KiB chunks for `stream`; writes are synchronous
 * and settle() waits for the stream to drain, so memory stays bounded when the caller awaits it
 * now and then. After EPIPE (the reader went away) `closed` is true and writes are dropped; other
 * write errors are rethrown by end().
 * @example
 * const w = new ByteWriter(process.stdout);
 * w.bytes(buf, 0, 5); w.newline(); await w.end();
 */
export class ByteWriter {
  private readonly stream: Writable;
  private buffer = Buffer.allocUnsafe(CAPACITY);
  private used = 0;
  private broken = false;
  private failure: Error | undefined;

  constructor(stream: Writable) {
    this.stream = stream;
    stream.on('error', this.onError);
  }

  /** True once the reader has gone away; callers stop producing output. */
  get closed(): boolean {
    return this.broken;
  }

  /**
   * Appends `bytes[start, end)`.
   * @example w.bytes(line, 0, line.length)
   */
  bytes(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length > CAPACITY - this.used) {
      this.push();
      if (length > CAPACITY) {
        this.send(Buffer.from(bytes.subarray(start, end)));
        return;
      }
    }
    this.buffer.set(bytes.subarray(start, end), this.used);
    this.used += length;
  }

  /**
   * Appends `text` encoded as UTF-8.
   * @example w.text('\t# 1/37')
   */
  text(text: string): void {
    // A UTF-16 code unit becomes at most 3 bytes of UTF-8.
    if (text.length * 3 > CAPACITY - this.used) {
      this.push();
      if (text.length * 3 > CAPACITY) {
        this.send(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /**
   * Appends a byte string (one char per byte, as Buffer's 'latin1' encoding) as those bytes.
   * @example w.latin1('caf\xc3\xa9') // the 5 bytes of 'café' in UTF-8
   */
  latin1(bytes: string): void {
    if (bytes.length > CAPACITY - this.used) {
      this.push();
      if (bytes.length > CAPACITY) {
        this.send(Buffer.from(bytes, 'latin1'));
        return;
      }
    }
    this.used += this.buffer.write(bytes, this.used, 'latin1');
  }

  /**
   * Appends a `\n`.
   * @example w.newline()
   */
  newline(): void {
    if (this.used === CAPACITY) this.push();
    this.buffer[this.used++] = 0x0a;
  }

  /**
   * Hands everything buffered to the stream (without waiting), so a live reader sees it now.
   * @example w.push()
   */
  push(): void {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(CAPACITY);
    this.used = 0;
    this.send(full);
  }

  /**
   * Resolves once the stream has room again (immediately when it has), so a fast producer does
   * not pile output up in memory.
   * @example await w.settle()
   */
  async settle(): Promise<void> {
    if (this.broken || !this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  /**
   * Writes what is buffered, waits for the stream to take it, detaches, and rethrows a write error
   * other than EPIPE.
   * @example await w.end()
   */
  async end(): Promise<void> {
    this.push();
    await this.settle();
    // Let an asynchronous EPIPE from the last write arrive before detaching.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.stream.off('error', this.onError);
    if (this.failure) throw this.failure;
  }

  private send(chunk: Buffer): void {
    if (this.broken) return;
    this.stream.write(chunk);
  }

  private readonly onError = (error: Error & { code?: string }): void => {
    this.broken = true;
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') this.failure = error;
  };
}
