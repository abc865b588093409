import type { Writable } from 'node:stream';

/**
 * A buffered text writer over stdout that stops quietly when the reader goes away (EPIPE, as in
 * `explorables bloom check … | head`): after that, `closed` is true and writes are dropped.
 * Text is gathered into chunks of ~64 KiB and flushed with back-pressure.
 * @example const out = new Output(stdout); await out.line('maybe\tcat'); await out.end();
 */
export class Output {
  private readonly stream: Writable;
  private buffer = '';
  private failure: Error | undefined;
  private broken = false;

  constructor(stream: Writable) {
    this.stream = stream;
    stream.on('error', this.onError);
  }

  /** True once the reader has gone away; callers stop producing output. */
  get closed(): boolean {
    return this.broken;
  }

  /**
   * Appends `text` and a newline; flushes (awaiting drain) when the buffer passes 64 KiB.
   * @example await out.line('no\tdog')
   */
  async line(text: string): Promise<void> {
    if (this.broken) return;
    this.buffer += `${text}\n`;
    if (this.buffer.length >= 65536) await this.flush();
  }

  /**
   * Writes everything buffered, detaches from the stream and rethrows a write error other than EPIPE.
   * @example await out.end()
   */
  async end(): Promise<void> {
    await this.flush();
    // Let an asynchronous EPIPE from the last write arrive before detaching.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    const text = this.buffer;
    this.buffer = '';
    if (this.broken || text.length === 0) return;
    const ok = this.stream.write(text);
    if (ok || this.broken) return;
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

  private readonly onError = (error: Error & { code?: string }): void => {
    this.broken = true;
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') this.failure = error;
  };
}
