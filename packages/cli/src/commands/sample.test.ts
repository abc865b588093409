import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { chiSquare, chiSquareCritical001 } from '@explorables/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { Output } from '../output.ts';
import { run, Sink } from '../testing.ts';
import { sample } from './sample.ts';
import { annotation } from './sample-sink.ts';

/** Collects everything written as bytes (testing.ts's Sink decodes to text). */
class ByteSink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Runs main(['sample', …argv]) and returns the raw stdout bytes. */
async function runBytes(
  argv: readonly string[],
  stdin: readonly (string | Uint8Array)[],
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const stdout = new ByteSink();
  const stderr = new Sink();
  const code = await main(['sample', ...argv], {
    stdin: Readable.from([...stdin]),
    stdout,
    stderr,
  });
  return { code, stdout: stdout.bytes, stderr: stderr.text };
}

/** Splits output text into lines (dropping the final empty string after the last \n). */
function linesOf(text: string): string[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** True when `sub` appears in `all` in the same order (not necessarily adjacent). */
function isSubsequence(sub: readonly string[], all: readonly string[]): boolean {
  let j = 0;
  for (const line of sub) {
    while (j < all.length && all[j] !== line) j++;
    if (j === all.length) return false;
    j++;
  }
  return true;
}

function numbered(count: number, prefix = 'line'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i}`);
}

const input = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');

/** Asserts the shape every user error has: exit 2, nothing on stdout, one `explorables:` line. */
function expectUsageError(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^explorables: [^\n]+\n$/);
}

/** ISO time of second `s` plus `ms` milliseconds after 2026-01-01T00:00:00Z. */
function iso(s: number, ms = 0): string {
  return new Date(Date.UTC(2026, 0, 1) + s * 1000 + ms).toISOString();
}

describe('explorables sample --k', () => {
  it('sample --k 5 keeps exactly 5 of 100 lines, in input order, the same for the same seed', async () => {
    const lines = numbered(100);
    const first = await run(['sample', '--k', '5'], { stdin: input(lines) });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const kept = linesOf(first.stdout);
    expect(kept.length).toBe(5);
    expect(new Set(kept).size).toBe(5);
    expect(isSubsequence(kept, lines)).toBe(true);
    const again = await run(['sample', '--k', '5', '--seed', '0'], { stdin: input(lines) });
    expect(again.stdout).toBe(first.stdout);
    const other = await run(['sample', '--k', '5', '--seed', '7'], { stdin: input(lines) });
    expect(other.stdout).not.toBe(first.stdout);
  });

  it('sample --k 10 on 3 lines prints all 3, and empty input prints nothing', async () => {
    const few = await run(['sample', '--k', '10'], { stdin: 'a\n\nc' });
    expect(few.stdout).toBe('a\n\nc\n');
    const none = await run(['sample', '--k', '10'], { stdin: '' });
    expect(none).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('sample --k gives every position the same chance (chi-square over 2000 seeds, p = 0.001)', async () => {
    const lines = numbered(20);
    const counts = new Array(20).fill(0);
    for (let seed = 0; seed < 2000; seed++) {
      const { stdout } = await run(['sample', '--k', '5', '--seed', String(seed)], {
        stdin: input(lines),
      });
      for (const line of linesOf(stdout)) counts[Number(line.split(' ')[1])]++;
    }
    const expected = new Array(20).fill((2000 * 5) / 20);
    expect(chiSquare(counts, expected)).toBeLessThan(chiSquareCritical001(19));
  });

  it('sample FILE... reads files in order and - as stdin; each file ends its last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-'));
    writeFileSync(join(dir, 'a.log'), 'a1\na2');
    writeFileSync(join(dir, 'b.log'), 'b1\n');
    const { code, stdout } = await run(
      ['sample', join(dir, 'a.log'), '-', join(dir, 'b.log'), '--k', '9'],
      { stdin: 's1\n' },
    );
    expect(code).toBe(0);
    expect(stdout).toBe('a1\na2\ns1\nb1\n');
  });

  it('sample --k keeps invalid UTF-8, \\r and a 10 MB line byte for byte', async () => {
    const bad = Buffer.from([0x66, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    const big = Buffer.alloc(10 * 1024 * 1024, 0x7a);
    const body = Buffer.concat([bad, Buffer.from('\nok\r\n'), big, Buffer.from('\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 65536) chunks.push(body.subarray(i, i + 65536));
    const { code, stdout } = await runBytes(['--k', '3'], chunks);
    expect(code).toBe(0);
    expect(stdout.equals(body)).toBe(true);
  });

  it('sample --k --annotate appends a tab and # 1/N with N = lines per kept line, before a \\r', async () => {
    const lines = numbered(37);
    const { stdout } = await run(['sample', '--k', '1', '--annotate'], { stdin: input(lines) });
    expect(stdout).toMatch(/^line \d+\t# 1\/37\n$/);
    const crlf = await run(['sample', '--k', '4', '--annotate'], { stdin: 'a\r\nb\r\nc\r\n' });
    expect(crlf.stdout).toBe('a\t# 1/1\r\nb\t# 1/1\r\nc\t# 1/1\r\n');
    const odd = await run(['sample', '--k', '2', '--annotate'], { stdin: input(numbered(5)) });
    for (const line of linesOf(odd.stdout)) expect(line).toMatch(/\t# 1\/2\.5$/);
    expect(annotation(1 / 3 + 2)).toBe('\t# 1/2.33');
  });

  it('sample --stats prints a header, one row, a total and the seed on stderr', async () => {
    const { stdout, stderr } = await run(['sample', '--k', '2', '--stats'], {
      stdin: input(numbered(10)),
    });
    expect(linesOf(stdout).length).toBe(2);
    expect(stderr).toBe(
      'window\tkey\tseen\tsampled\tkept\nall\t-\t10\t2\t0\ntotal\t-\t10\t2\t0\n' +
        '# seed 0, 10 lines read, 2 written\n',
    );
    const random = await run(['sample', '--k', '2', '--stats', '--seed', 'random'], {
      stdin: input(numbered(10)),
    });
    expect(random.stderr).toMatch(/^# seed \d+ \(random\), /m);
  });

  it('sample without a raw stdout falls back to UTF-8 text through ctx.out', async () => {
    const stdout = new Sink();
    const out = new Output(stdout);
    const ctx = {
      stdin: Readable.from([Buffer.from([0x61, 0xff, 0x0a, 0x62, 0x0a])]),
      out,
      stderr: new Sink(),
      now: () => 0,
    };
    expect(await sample(['--k', '5', '--annotate'], ctx)).toBe(0);
    await out.end();
    expect(stdout.text).toBe('a\uFFFD\t# 1/1\nb\t# 1/1\n');
  });
});

describe('explorables sample errors', () => {
  it('sample with a bad option, value, regex or duration exits 2 with one line', async () => {
    const cases: string[][] = [
      [],
      ['--k'],
      ['--k', '0'],
      ['--k', '-3'],
      ['--k', '1.5'],
      ['--k', 'ten'],
      ['--k', '10000001'],
      ['--k', '3', '--per', '1'],
      ['--k', '3', '--per', '0s'],
      ['--k', '3', '--per', 'soon'],
      ['--k', '3', '--per', '-1s'],
      ['--k', '3', '--per', '1s', '--time', '('],
      ['--k', '3', '--time', '^(\\S+)'],
      ['--k', '3', '--key', '[a-'],
      ['--k', '3', '--keep', '*x'],
      ['--k', '3', '--weight', '(=2'],
      ['--k', '3', '--weight', 'ERROR'],
      ['--k', '3', '--weight', 'ERROR=0'],
      ['--k', '3', '--weight', 'ERROR=heavy'],
      ['--k', '3', '--weight'],
      ['--k', '3', '--seed', '-1'],
      ['--k', '3', '--seed', 'lucky'],
      ['--k', '3', '--annotate=yes'],
      ['--k', '3', '--frobnicate'],
      ['--k', '3', '/no/such/file.log'],
      ['--k', '3', tmpdir()],
    ];
    for (const argv of cases) {
      const result = await run(['sample', ...argv], { stdin: 'a\nb\n' });
      expectUsageError(result);
    }
  });

  it('sample --help prints usage with examples and exits 0', async () => {
    const { code, stdout } = await run(['sample', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('explorables sample [FILE|-]... --k N');
    expect(stdout).toContain('Examples:');
    expect((await run(['--help'])).stdout).toContain('sample');
  });
});

describe('explorables sample --per', () => {
  /** Lines over 4 seconds: second s has 2 + 3s INFO lines and one ERROR line. */
  function timedLog(): string[] {
    const lines: string[] = [];
    for (let s = 0; s < 4; s++) {
      const count = 2 + 3 * s;
      for (let i = 0; i < count; i++) {
        lines.push(`${iso(s, i * 10)} INFO request ${s}.${i}`);
        if (i === 1) lines.push(`${iso(s, i * 10 + 5)} ERROR failure ${s}`);
      }
    }
    return lines;
  }

  it('sample --per 1s --time --keep keeps at most k lines per window plus every keep line', async () => {
    const lines = timedLog();
    const argv = ['sample', '--per', '1s', '--k', '3', '--time', '^(\\S+)', '--keep', 'ERROR'];
    const { code, stdout, stderr } = await run(argv, { stdin: input(lines) });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const kept = linesOf(stdout);
    expect(isSubsequence(kept, lines)).toBe(true);
    for (let s = 0; s < 4; s++) {
      const inWindow = kept.filter((line) => line.startsWith(iso(s).slice(0, 19)));
      const errors = inWindow.filter((line) => line.includes('ERROR'));
      expect(errors).toEqual([`${iso(s, 15)} ERROR failure ${s}`]);
      expect(inWindow.length - errors.length).toBe(Math.min(3, 2 + 3 * s));
    }
  });

  it('sample --per --annotate --stats reports each window and what each line stands for', async () => {
    const lines = timedLog();
    const argv = ['sample', '--per', '1s', '--k', '3', '--time', '^(\\S+)', '--keep', 'ERROR'];
    const { stdout, stderr } = await run([...argv, '--annotate', '--stats'], {
      stdin: input(lines),
    });
    for (const line of linesOf(stdout)) {
      const s = Number(line.slice(17, 19));
      const expected = line.includes('ERROR') ? 1 : (2 + 3 * s) / Math.min(3, 2 + 3 * s);
      expect(line.endsWith(annotation(expected))).toBe(true);
    }
    const rows = linesOf(stderr);
    expect(rows[0]).toBe('window\tkey\tseen\tsampled\tkept');
    for (let s = 0; s < 4; s++) {
      expect(rows[1 + s]).toBe(`${iso(s)}\t-\t${3 + 3 * s}\t${Math.min(3, 2 + 3 * s)}\t1`);
    }
    expect(rows[5]).toBe(`total\t-\t${lines.length}\t11\t4`);
    expect(rows[6]).toBe(
      `# seed 0, ${lines.length} lines read, 15 written, 0 without a timestamp, 0 out of order`,
    );
  });

  it('sample --time reads epoch seconds and milliseconds; untimed and late lines join the open window', async () => {
    const base = Date.UTC(2026, 0, 1) / 1000;
    const lines = [
      `${base} a`,
      'untimed continuation',
      `${(base + 1) * 1000} b`,
      `${base} late`,
      `${base + 2}.5 c`,
    ];
    const argv = ['sample', '--per', '1s', '--k', '5', '--time', '^(\\d+(?:\\.\\d+)?)', '--stats'];
    const { stdout, stderr } = await run(argv, { stdin: input(lines) });
    expect(linesOf(stdout)).toEqual(lines);
    const rows = linesOf(stderr);
    expect(rows.slice(1, 4).map((row) => row.split('\t').slice(0, 3).join(' '))).toEqual([
      `${iso(0)} - 2`,
      `${iso(1)} - 2`,
      `${iso(2)} - 1`,
    ]);
    expect(rows[5]).toMatch(/, 1 without a timestamp, 1 out of order$/);
  });

  it('sample --per without --time windows lines by arrival time (the clock read per chunk)', async () => {
    let clockMs = 0;
    async function* chunks(): AsyncGenerator<string> {
      for (let second = 0; second < 3; second++) {
        clockMs = second * 1000 + 100;
        yield input(numbered(6, `s${second}`));
      }
    }
    const stdout = new Sink();
    const stderr = new Sink();
    const origin = performance.timeOrigin;
    // Shift the fake clock so that window boundaries fall on whole seconds of the fake time.
    const now = (): number => clockMs + (Math.ceil(origin / 1000) * 1000 - origin);
    const code = await main(['sample', '--per', '1s', '--k', '2', '--stats'], {
      // A bare generator (a Readable would read ahead and move the clock too early).
      stdin: chunks() as unknown as Readable,
      stdout,
      stderr,
      now,
    });
    expect(code).toBe(0);
    const kept = linesOf(stdout.text);
    for (let second = 0; second < 3; second++) {
      expect(kept.filter((line) => line.startsWith(`s${second} `)).length).toBe(2);
    }
    expect(linesOf(stderr.text).length).toBe(1 + 3 + 2);
  });

  it('sample --per without --time writes a window when the clock passes its end, before more input', async () => {
    const stdout = new Sink();
    let release: () => void = () => {};
    async function* chunks(): AsyncGenerator<string> {
      yield 'first\n';
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield 'second\n';
    }
    const done = main(['sample', '--per', '20ms', '--k', '1'], {
      stdin: Readable.from(chunks()),
      stdout,
      stderr: new Sink(),
    });
    for (let waitedMs = 0; stdout.text === '' && waitedMs < 10_000; waitedMs += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(stdout.text).toBe('first\n');
    release();
    expect(await done).toBe(0);
    expect(stdout.text).toBe('first\nsecond\n');
  });

  it('sample --per keeps invalid UTF-8 bytes and a 10 MB line byte for byte', async () => {
    const bad = Buffer.from([0x61, 0x20, 0xff, 0xc0, 0xaf, 0x20, 0xef, 0xbf, 0xbd]);
    const big = Buffer.alloc(10 * 1024 * 1024, 0x78);
    const body = Buffer.concat([bad, Buffer.from('\n'), big, Buffer.from('\nERROR\n')]);
    const { code, stdout } = await runBytes(['--per', '1h', '--k', '5', '--keep', 'ERROR'], [body]);
    expect(code).toBe(0);
    expect(stdout.equals(body)).toBe(true);
  });
});

describe('explorables sample --key, --keep, --weight', () => {
  it('sample --key keeps up to k lines for each captured key', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(`${['api', 'db', 'web'][i % 3]} request ${i}`);
    lines.push('unkeyed line');
    const argv = ['sample', '--k', '4', '--key', '^(api|db|web) ', '--stats'];
    const { stdout, stderr } = await run(argv, { stdin: input(lines) });
    const kept = linesOf(stdout);
    expect(isSubsequence(kept, lines)).toBe(true);
    for (const key of ['api', 'db', 'web']) {
      expect(kept.filter((line) => line.startsWith(`${key} `)).length).toBe(4);
    }
    expect(kept).toContain('unkeyed line');
    const rows = linesOf(stderr).slice(1, 5).sort();
    expect(rows).toEqual([
      'all\t(none)\t1\t1\t0',
      'all\tapi\t20\t4\t0',
      'all\tdb\t20\t4\t0',
      'all\tweb\t20\t4\t0',
    ]);
  });

  it('sample --keep never drops a matching line, with or without --per', async () => {
    const lines = numbered(500).map((line, i) => (i % 50 === 7 ? `${line} ERROR` : line));
    const errors = lines.filter((line) => line.includes('ERROR'));
    for (const extra of [[], ['--per', '1h']]) {
      const { stdout } = await run(['sample', '--k', '3', '--keep', 'ERROR', ...extra], {
        stdin: input(lines),
      });
      const kept = linesOf(stdout);
      expect(kept.filter((line) => line.includes('ERROR'))).toEqual(errors);
      expect(kept.length).toBe(errors.length + 3);
      expect(isSubsequence(kept, lines)).toBe(true);
    }
  });

  it('sample --weight ERROR=10 keeps an ERROR line about 10 times as often as an INFO line', async () => {
    // 200 ERROR and 9800 INFO lines, k = 20, 100 seeds. With a small sampling fraction the
    // inclusion ratio is close to the weight ratio 10; at ~3 standard deviations the measured
    // ratio stays within [8.5, 11.5]. Without weights the ratio is 1.
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i % 50 === 0 ? `ERROR ${i}` : `INFO ${i}`,
    );
    let errorsKept = 0;
    let infosKept = 0;
    for (let seed = 0; seed < 100; seed++) {
      const argv = ['sample', '--k', '20', '--weight', 'ERROR=10', '--seed', String(seed)];
      const kept = linesOf((await run(argv, { stdin: input(lines) })).stdout);
      expect(kept.length).toBe(20);
      for (const line of kept) {
        if (line.startsWith('ERROR')) errorsKept++;
        else infosKept++;
      }
    }
    const ratio = errorsKept / 200 / (infosKept / 9800);
    expect(ratio).toBeGreaterThan(8.5);
    expect(ratio).toBeLessThan(11.5);
  });

  it('sample --weight uses the first matching rule', async () => {
    // 20 ERROR lines among 2000, k = 20, 20 seeds. 'E=1' first makes ERROR lines weight 1, so
    // about 0.2 of them per sample (uniform); 'ERROR=1000' first makes them dominate (about 19).
    const lines = Array.from({ length: 2000 }, (_, i) =>
      i % 100 === 0 ? `ERROR ${i}` : `INFO ${i}`,
    );
    const meanErrors = async (rules: string[]): Promise<number> => {
      let errors = 0;
      for (let seed = 0; seed < 20; seed++) {
        const argv = ['sample', '--k', '20', ...rules, '--seed', String(seed)];
        const kept = linesOf((await run(argv, { stdin: input(lines) })).stdout);
        expect(kept.length).toBe(20);
        errors += kept.filter((line) => line.startsWith('ERROR')).length;
      }
      return errors / 20;
    };
    expect(await meanErrors(['--weight', 'E=1', '--weight', 'ERROR=1000'])).toBeLessThan(2);
    expect(await meanErrors(['--weight', 'ERROR=1000', '--weight', 'E=1'])).toBeGreaterThan(15);
  });
});

describe('explorables sample properties', () => {
  it('sample output is a subsequence of its input in every mode, with at most k lines per reservoir', async () => {
    const line = fc.stringMatching(/^[a-e ]{0,6}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('uniform', 'keep', 'key', 'weight', 'per'),
        fc.nat(1000),
        async (lines, k, mode, seed) => {
          const argv = ['sample', '--k', String(k), '--seed', String(seed)];
          if (mode === 'keep') argv.push('--keep', 'a');
          if (mode === 'key') argv.push('--key', '^(.)');
          if (mode === 'weight') argv.push('--weight', 'b=5');
          if (mode === 'per') argv.push('--per', '1s', '--time', '(\\d+)$');
          const timed = lines.map((text, i) =>
            mode === 'per' ? `${text} ${Math.floor(i / 7)}` : text,
          );
          const { code, stdout } = await run(argv, { stdin: input(timed) });
          expect(code).toBe(0);
          const kept = linesOf(stdout);
          expect(isSubsequence(kept, timed)).toBe(true);
          if (mode === 'uniform' || mode === 'weight') {
            expect(kept.length).toBe(Math.min(k, timed.length));
          }
          if (mode === 'per') {
            const perWindow = new Map<string, number>();
            for (const text of kept) {
              const window = text.slice(text.lastIndexOf(' ') + 1);
              perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
            }
            for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(k);
          }
          if (mode === 'keep') {
            const forced = timed.filter((text) => text.includes('a'));
            expect(kept.filter((text) => text.includes('a'))).toEqual(forced);
            expect(kept.length).toBe(forced.length + Math.min(k, timed.length - forced.length));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
