import { describe, expect, it } from 'vitest';
import { Progress } from './progress.ts';
import { Sink } from './testing.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('Progress', () => {
  it('Progress.update() writes nothing when the stream is not a TTY', () => {
    const sink = new Sink();
    const c = clock();
    const bar = new Progress({ stream: sink, label: 'x', totalBytes: 100, now: c.now });
    for (let i = 0; i < 100; i++) {
      c.advance(1000);
      bar.update(i);
    }
    bar.done();
    expect(sink.text).toBe('');
  });

  it('Progress.update() waits delayMs, then draws at most once per intervalMs', () => {
    const sink = new Sink();
    sink.isTTY = true;
    const c = clock();
    const bar = new Progress({ stream: sink, label: 'reading', totalBytes: 1000, now: c.now });
    bar.update(1);
    c.advance(299);
    bar.update(2);
    expect(sink.chunks).toHaveLength(0);
    // 2 s of updates every 10 ms: at most 10 draws per second.
    for (let i = 0; i < 200; i++) {
      c.advance(10);
      bar.update(i * 5);
    }
    expect(sink.chunks.length).toBeGreaterThanOrEqual(19);
    expect(sink.chunks.length).toBeLessThanOrEqual(21);
    const last = sink.chunks.at(-1) ?? '';
    expect(last.startsWith('\rreading: [#')).toBe(true);
    expect(last.endsWith(' B / 1000 B\x1b[K')).toBe(true);
    // The bar keeps its width while the numbers grow.
    expect(new Set(sink.chunks.map((chunk) => chunk.length)).size).toBe(1);
  });

  it('Progress.done() erases a drawn line and stays silent when nothing was drawn', () => {
    const sink = new Sink();
    sink.isTTY = true;
    const c = clock();
    const quick = new Progress({ stream: sink, label: 'x', now: c.now });
    quick.update(10);
    quick.done();
    expect(sink.text).toBe('');
    const slow = new Progress({ stream: sink, label: 'x', now: c.now });
    c.advance(1000);
    slow.update(2048);
    slow.done();
    expect(sink.chunks).toEqual(['\rx: 2.00 KiB read\x1b[K', '\r\x1b[K']);
  });

  it('Progress assumes 80 columns when the terminal reports a width of 0', () => {
    const sink = new Sink();
    sink.isTTY = true;
    sink.columns = 0;
    const c = clock();
    const bar = new Progress({ stream: sink, label: 'adding keys', totalBytes: 5e9, now: c.now });
    c.advance(1000);
    bar.update(2e9);
    expect(sink.text).toMatch(/\[#{15}\.{23}\]/);
    expect(sink.text).toContain('1.86 GiB / 4.66 GiB');
  });

  it('Progress fits the line in the terminal width', () => {
    const sink = new Sink();
    sink.isTTY = true;
    sink.columns = 30;
    const c = clock();
    const bar = new Progress({ stream: sink, label: 'adding keys', totalBytes: 5e9, now: c.now });
    c.advance(1000);
    bar.update(2e9);
    const drawn = sink.text.replace('\r', '').replace('\x1b[K', '');
    expect(drawn.length).toBeLessThanOrEqual(29);
  });
});
