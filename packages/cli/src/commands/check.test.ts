import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { run, Sink } from '../testing.ts';

let dir = '';
let filterPath = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-check-'));
  filterPath = join(dir, 'w.bloom');
  const keys = join(dir, 'w.txt');
  await writeFile(keys, 'apple\nbanana\n-dash\nnaïve café\n');
  const built = await run(['bloom', 'build', keys, '--p', '1e-6', '-o', filterPath]);
  expect(built.code).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bloom check', () => {
  it('bloom check FILE words… prints maybe<TAB>word or no<TAB>word in argument order', async () => {
    const { code, stdout, stderr } = await run([
      'bloom',
      'check',
      filterPath,
      'banana',
      'zzz',
      'apple',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe('maybe\tbanana\nno\tzzz\nmaybe\tapple\n');
  });

  it('bloom check FILE reads words from stdin when none are given (CRLF, empty lines, UTF-8)', async () => {
    const { stdout } = await run(['bloom', 'check', filterPath], {
      stdin: ['naïve café\r\n\nban', 'ana\ncherry'],
    });
    expect(stdout).toBe('maybe\tnaïve café\nmaybe\tbanana\nno\tcherry\n');
  });

  it('bloom check --json prints one JSON object per line', async () => {
    const { stdout } = await run(['bloom', 'check', '--json', filterPath, 'apple', 'say "hi"']);
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { key: 'apple', result: 'maybe' },
      { key: 'say "hi"', result: 'no' },
    ]);
  });

  it('bloom check FILE -- -dash checks a word that starts with a dash', async () => {
    const { code, stdout } = await run(['bloom', 'check', filterPath, '--', '-dash', '--json']);
    expect(code).toBe(0);
    expect(stdout).toBe('maybe\t-dash\nno\t--json\n');
  });

  it('bloom check with an empty stdin prints nothing and exits 0', async () => {
    expect(await run(['bloom', 'check', filterPath], { stdin: '' })).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('bloom check stops quietly with exit 0 when stdout is closed (EPIPE)', async () => {
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, done) {
        writes++;
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const many = Array.from({ length: 200_000 }, (_, i) => `w${i}\n`).join('');
    const stderr = new Sink();
    const code = await main(['bloom', 'check', filterPath], {
      stdin: Readable.from([many]),
      stdout,
      stderr,
    });
    expect(code).toBe(0);
    expect(stderr.text).toBe('');
    expect(writes).toBe(1);
  });

  it('bloom check exits 2 with one line naming the byte offset for a corrupt filter file', async () => {
    const good = await readFile(filterPath);
    const garbage = join(dir, 'garbage.bloom');
    await writeFile(garbage, 'this is not a filter at all');
    const truncated = join(dir, 'truncated.bloom');
    await writeFile(truncated, good.subarray(0, good.length - 5));
    for (const path of [garbage, truncated]) {
      const { code, stdout, stderr } = await run(['bloom', 'check', path, 'apple']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^explorables: '.*' is not a valid filter file: [^\n]*offset[^\n]*\n$/,
      );
    }
  });

  it('bloom check exits 2 with one line for a missing file, a directory or no file at all', async () => {
    const missing = join(dir, 'nope.bloom');
    const cases: [string[], string][] = [
      [[missing, 'x'], `explorables: cannot read '${missing}': no such file\n`],
      [[dir, 'x'], `explorables: cannot read '${dir}': it is a directory, expected a file\n`],
      [[], 'explorables: bloom check needs a filter file (made by bloom build), then words\n'],
      [
        [filterPath, '--jsn'],
        "explorables: unknown option '--jsn' for 'explorables bloom check'; expected one of --json, -h/--help\n",
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(['bloom', 'check', ...args]);
      expect(result).toEqual({ code: 2, stdout: '', stderr: message });
    }
  });
});
