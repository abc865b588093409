import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from './sample-output.ts';

class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly failWith?: string) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error) => void): void {
    if (this.failWith) {
      done(Object.assign(new Error(this.failWith), { code: this.failWith }));
      return;
    }
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

describe('ByteWriter', () => {
  it('bytes(), text(), latin1() and newline() write exactly those bytes, across buffer refills', async () => {
    const sink = new Collect();
    const writer = new ByteWriter(sink);
    const expected: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const raw = Buffer.from([0xff, i & 0xff, 0x80]);
      writer.bytes(raw, 0, 3);
      writer.text(`é${i}`);
      writer.latin1('\u00ff\u0000');
      writer.newline();
      expected.push(raw, Buffer.from(`é${i}`), Buffer.from([0xff, 0, 0x0a]));
    }
    const big = Buffer.alloc(200_000, 0x41);
    writer.bytes(big, 0, big.length);
    writer.text('b'.repeat(100_000));
    writer.latin1('c'.repeat(70_000));
    expected.push(big, Buffer.from('b'.repeat(100_000)), Buffer.from('c'.repeat(70_000)));
    await writer.end();
    expect(sink.bytes.equals(Buffer.concat(expected))).toBe(true);
  });

  it('end() is quiet after EPIPE and marks the writer closed', async () => {
    const writer = new ByteWriter(new Collect('EPIPE'));
    writer.text('x');
    await writer.end();
    expect(writer.closed).toBe(true);
  });

  it('end() rethrows a write error other than EPIPE', async () => {
    const writer = new ByteWriter(new Collect('EIO'));
    writer.text('x');
    await expect(writer.end()).rejects.toThrow('EIO');
  });
});
