import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from './output.ts';
import { Sink } from './testing.ts';

/** A stdout whose reader went away after the first write, like `| head -1`. */
class ClosedPipe extends Writable {
  writes = 0;
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: (e?: Error) => void): void {
    this.writes++;
    const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    done(error);
  }
}

describe('Output', () => {
  it('Output.line() buffers text and end() flushes it in order', async () => {
    const sink = new Sink();
    const out = new Output(sink);
    for (let i = 0; i < 20000; i++) await out.line(`line ${i}`);
    await out.end();
    const lines = sink.text.split('\n');
    expect(lines).toHaveLength(20001);
    expect(lines[19999]).toBe('line 19999');
    expect(sink.chunks.length).toBeGreaterThan(1);
  });

  it('Output goes quiet after EPIPE: closed turns true and end() does not throw', async () => {
    const pipe = new ClosedPipe();
    const out = new Output(pipe);
    for (let i = 0; i < 100000 && !out.closed; i++) await out.line(`word ${i}`);
    await out.end();
    expect(out.closed).toBe(true);
    expect(pipe.writes).toBe(1);
  });

  it('Output.end() rethrows a write error other than EPIPE', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
      },
    });
    const out = new Output(broken);
    await out.line('x');
    await expect(out.end()).rejects.toThrow('disk on fire');
  });
});
