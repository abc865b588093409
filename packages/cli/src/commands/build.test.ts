import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deserializeFilter } from '@explorables/bloom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { run, Sink, words } from '../testing.ts';

let dir = '';
const KEYS = words(3000, 'key');
const STRANGERS = words(3000, 'stranger');
let keysFile = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-build-'));
  keysFile = join(dir, 'keys.txt');
  // CRLF endings on some lines and a few empty lines, as real exported word lists have.
  const text = KEYS.map((k, i) => (i % 3 === 0 ? `${k}\r\n` : `${k}\n`)).join('');
  await writeFile(keysFile, `\n${text}\r\n\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function checkAll(filterPath: string, keys: readonly string[]): Promise<string[]> {
  const { code, stdout, stderr } = await run(['bloom', 'check', filterPath], {
    stdin: keys.join('\n'),
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.trimEnd().split('\n');
}

describe('bloom build', () => {
  it('bloom build FILE then check says maybe for every key and mostly no for others', async () => {
    const out = join(dir, 'keys.bloom');
    const { code, stdout, stderr } = await run([
      'bloom',
      'build',
      keysFile,
      '--p',
      '0.01',
      '-o',
      out,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^wrote .*keys\.bloom: 3000 keys, bloom k=7, \d+\.\d\d bits\/key, [\d.]+ KiB on disk, predicted FPR 0\.0\d+; skipped 3 empty lines\n$/,
    );
    expect((await checkAll(out, KEYS)).every((line, i) => line === `maybe\t${KEYS[i]}`)).toBe(true);
    // Target 1 %; with seed 0 the count is fixed, and 3 % of 3000 leaves room for the binomial tail.
    const answers = await checkAll(out, STRANGERS);
    const falsePositives = answers.filter((line) => line.startsWith('maybe\t')).length;
    expect(answers).toHaveLength(STRANGERS.length);
    expect(falsePositives).toBeLessThan(90);
  });

  it('bloom build without --n sizes a bloom filter by counting the lines of the file first', async () => {
    const out = join(dir, 'counted.bloom');
    expect((await run(['bloom', 'build', keysFile, '-o', out])).code).toBe(0);
    const filter = deserializeFilter(await readFile(out));
    const withN = join(dir, 'with-n.bloom');
    expect((await run(['bloom', 'build', keysFile, '--n', '3000', '-o', withN])).code).toBe(0);
    expect(await readFile(out)).toEqual(await readFile(withN));
    expect(filter).toMatchObject({ count: 3000 });
  });

  it('bloom build - reads keys from stdin when --n is given', async () => {
    const out = join(dir, 'stdin.bloom');
    const result = await run(['bloom', 'build', '-', '--n', '3000', '-o', out], {
      stdin: KEYS.map((k) => `${k}\n`),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/: 3000 keys, bloom k=7,/);
    expect(result.stderr).not.toContain('skipped');
    expect(await readFile(out)).toEqual(await readFile(join(dir, 'with-n.bloom')));
  });

  it('bloom build - without --n exits 2 and says to give --n, a file or --kind scalable', async () => {
    const result = await run(['bloom', 'build', '-', '-o', join(dir, 'x.bloom')], {
      stdin: 'a\nb\n',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'explorables: reading keys from stdin needs --n N for --kind bloom (the filter is sized' +
        ' before the first key arrives); give --n, a file instead of -, or use --kind scalable\n',
    );
  });

  for (const kind of ['bloom', 'counting', 'scalable', 'fuse']) {
    it(`bloom build --kind ${kind} round trips: info names the kind and check finds every key`, async () => {
      const out = join(dir, `all.${kind}`);
      const built = await run([
        'bloom',
        'build',
        keysFile,
        '--kind',
        kind,
        '--seed',
        '7',
        '-o',
        out,
      ]);
      expect(built.code).toBe(0);
      expect(built.stderr.split('\n')).toHaveLength(2);
      const info = JSON.parse((await run(['bloom', 'info', out, '--json'])).stdout);
      expect(info).toMatchObject({ kind, seed: 7 });
      if (kind === 'scalable') {
        // A scalable filter skips keys that already test present (false positives): a few.
        expect(built.stderr).toContain(`3000 keys (${info.count} inserted), scalable`);
        expect(info.count).toBeGreaterThan(2950);
        expect(info.count).toBeLessThan(3000);
      } else {
        expect(built.stderr).toContain(`3000 keys, ${kind}`);
        expect(info.count).toBe(3000);
      }
      const answers = await checkAll(out, KEYS);
      expect(answers.filter((line) => line.startsWith('no\t'))).toEqual([]);
      const strangers = await checkAll(out, STRANGERS);
      expect(strangers.filter((line) => line.startsWith('maybe\t')).length).toBeLessThan(90);
    });
  }

  it('bloom build --kind scalable from stdin grows past --n without a warning', async () => {
    const out = join(dir, 'grow.scalable');
    const result = await run(
      ['bloom', 'build', '-', '--kind', 'scalable', '--n', '100', '-o', out],
      {
        stdin: KEYS.join('\n'),
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/3000 keys \(\d+ inserted\), scalable, \d+ sub-filters,/);
    expect(result.stderr).not.toContain('warning');
  });

  it('bloom build --kind fuse reports distinct keys when the input repeats some', async () => {
    const out = join(dir, 'dup.fuse');
    const result = await run(['bloom', 'build', '-', '--kind', 'fuse', '-o', out], {
      stdin: 'a\nb\na\nc\nb\n',
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/: 5 keys \(3 distinct\), fuse,/);
  });

  it('bloom build warns on a second line when the input holds more keys than --n', async () => {
    const out = join(dir, 'over.bloom');
    const result = await run(['bloom', 'build', keysFile, '--n', '1000', '-o', out]);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[1]).toBe(
      'warning: 3000 keys exceed --n 1000; the false-positive rate is above --p 0.01',
    );
  });

  it('bloom build of an empty input writes an empty filter', async () => {
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '\n\n');
    for (const kind of ['bloom', 'counting', 'scalable', 'fuse']) {
      const out = join(dir, `empty.${kind}`);
      const result = await run(['bloom', 'build', empty, '--kind', kind, '-o', out]);
      expect(result.code, `${kind}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toMatch(/: 0 keys, .*skipped 2 empty lines/);
      expect((await run(['bloom', 'check', out, 'x'])).stdout).toBe('no\tx\n');
    }
  });

  it('bloom build draws progress on a TTY stderr and erases it before the summary', async () => {
    let t = 0;
    const out = join(dir, 'tty.bloom');
    const result = await run(['bloom', 'build', keysFile, '-o', out], {
      ttyStderr: true,
      now: () => (t += 400),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('\radding keys: [');
    expect(result.stderr).toContain('\rcounting keys: [');
    const summaryAt = result.stderr.indexOf('wrote ');
    expect(result.stderr.slice(0, summaryAt).endsWith('\r\x1b[K')).toBe(true);
  });

  it('bloom build writes no progress when stderr is not a TTY, only the summary line', async () => {
    const out = join(dir, 'quiet.bloom');
    let t = 0;
    const result = await run(['bloom', 'build', keysFile, '-o', out], { now: () => (t += 400) });
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it('bloom build exits 2 with one line for every usage and file mistake', async () => {
    const subdir = join(dir, 'a-directory');
    await mkdir(subdir, { recursive: true });
    const o = join(dir, 'never.bloom');
    const cases: [string[], string][] = [
      [[keysFile], 'bloom build needs -o FILE, where to write the filter'],
      [['-o', o], 'bloom build needs an input: a file with one key per line, or - for stdin'],
      [[keysFile, keysFile, '-o', o], 'bloom build takes one input, got 2'],
      [[keysFile, '-o'], "option -o needs a value (see 'explorables bloom build --help')"],
      [[keysFile, '-o', '-'], 'bloom build cannot write the filter to stdout'],
      [
        [keysFile, '-o', o, '--p', '1.5'],
        "--p must be a probability strictly between 0 and 1, got '1.5'",
      ],
      [
        [keysFile, '-o', o, '--p', '0'],
        "--p must be a probability strictly between 0 and 1, got '0'",
      ],
      [[keysFile, '-o', o, '--n', '0'], "--n must be a positive integer, got '0'"],
      [[keysFile, '-o', o, '--n', '2.5'], "--n must be a positive integer, got '2.5'"],
      [
        [keysFile, '-o', o, '--kind', 'cuckoo'],
        '--kind must be one of bloom, counting, scalable, fuse',
      ],
      [
        [keysFile, '-o', o, '--seed', '-1'],
        "--seed must be an integer from 0 to 4294967295, got '-1'",
      ],
      [
        [keysFile, '-o', o, '--kind', 'fuse', '--p', '1e-6'],
        '--kind fuse has a fixed false-positive rate',
      ],
      [[keysFile, '-o', o, '--n', '1e12'], '1000000000000 keys at --p 0.01 need'],
      [
        [keysFile, '-o', o, '--kind', 'scalable', '--n', '1e12'],
        'cannot make a scalable filter for 1000000000000 keys at --p 0.01',
      ],
      [[keysFile, '-o', keysFile], `bloom build would overwrite its input '${keysFile}'`],
      [
        [keysFile, '-o', o, '--verbose'],
        "unknown option '--verbose' for 'explorables bloom build'",
      ],
      [
        [join(dir, 'missing.txt'), '-o', o],
        `cannot read '${join(dir, 'missing.txt')}': no such file`,
      ],
      [[subdir, '-o', o], `cannot read '${subdir}': it is a directory, expected a file`],
      [[keysFile, '-o', join(dir, 'no', 'such', 'dir.bloom')], 'cannot write'],
      [[keysFile, '-o', subdir], `cannot write '${subdir}': it is a directory`],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await run(['bloom', 'build', ...args]);
      expect(code, `${args.join(' ')} → ${stderr}`).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.startsWith(`explorables: ${message}`), stderr).toBe(true);
      expect(stderr.indexOf('\n'), stderr).toBe(stderr.length - 1);
    }
  });

  it('bloom build exits 1 with the message when reading fails unexpectedly', async () => {
    const stdin = new Readable({
      read() {
        this.destroy(new Error('the tape snapped'));
      },
    });
    const stdout = new Sink();
    const stderr = new Sink();
    const argv = ['bloom', 'build', '-', '--n', '10', '-o', join(dir, 'snap.bloom')];
    const code = await main(argv, { stdin, stdout, stderr });
    expect(code).toBe(1);
    expect(stderr.text).toBe('explorables: internal error: the tape snapped\n');
  });
});
