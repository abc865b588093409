import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@explorables/llm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunResult, run } from '../testing.ts';
import { tinyModelFiles } from './llm-fixtures.ts';
import { TOKENIZE_HELP } from './tokenize.ts';

/** Runs the verb through main(), as the command line does. */
async function runTokenize(argv: readonly string[], stdin = ''): Promise<RunResult> {
  return run(['tokenize', ...argv], { stdin, now: () => 0 });
}

let dir: string;
let files: ReturnType<typeof tinyModelFiles>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'explorables-tokenize-'));
  files = tinyModelFiles(dir);
  vi.stubEnv('EXPLORABLES_MODELS', dir);
  vi.stubEnv('EXPLORABLES_OFFLINE', '1');
  vi.stubEnv('XDG_CACHE_HOME', join(dir, 'cache'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const text = 'ab c\nb';

describe('tokenize', () => {
  it('tokenize --ids prints the tokenizer’s encoding with BOS, like llama-tokenize --ids', async () => {
    const loaded = await loadModel(readFileSync(files.model), {
      tokenizer: readFileSync(files.tok),
    });
    const ids = Array.from(loaded.tokenizer.encode(text, { bos: true }));
    expect(ids[0]).toBe(1);
    expect(ids).toContain(13); // the newline as byte token <0x0A>
    const r = await runTokenize(['-m', files.model, '-z', files.tok, '--ids', text]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`[${ids.join(', ')}]\n`);
    const g = await runTokenize(['-m', files.gguf, '--ids', text]);
    expect(g.stdout).toBe(r.stdout);
  });

  it('tokenize prints "id -> \'piece\'" lines by default and the count with --count', async () => {
    const r = await runTokenize(['-m', files.model, '-z', files.tok, '--count', 'z b']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("     1 -> '\\n<s>\\n'");
    // ' z' is not in the vocabulary: the dummy-prefix space stays a token of its own.
    expect(lines[1]).toBe("   259 -> ' '");
    expect(lines[2]).toBe("   285 -> 'z'");
    expect(lines[lines.length - 1]).toBe(`Total number of tokens: ${lines.length - 1}`);
    const g = await runTokenize(['-m', files.gguf, 'z b']);
    expect(g.stdout.split('\n')[0]).toBe("     1 -> '<s>'");
    expect(g.stdout).toContain("   259 -> ' '");
  });

  it('tokenize --no-bos, --pieces, --json, -f FILE and stdin agree with each other', async () => {
    const path = join(dir, 'text.txt');
    writeFileSync(path, text);
    const base = ['-m', files.gguf];
    const fromArg = JSON.parse((await runTokenize([...base, '--json', text])).stdout);
    const fromFile = JSON.parse((await runTokenize([...base, '--json', '-f', path])).stdout);
    const fromStdin = JSON.parse((await runTokenize([...base, '--json'], text)).stdout);
    const fromDash = JSON.parse((await runTokenize([...base, '--json', '-'], text)).stdout);
    expect(fromFile).toEqual(fromArg);
    expect(fromStdin).toEqual(fromArg);
    expect(fromDash).toEqual(fromArg);
    expect(fromArg.count).toBe(fromArg.ids.length);
    expect(fromArg.pieces[0]).toBe('<s>');
    const noBos = JSON.parse((await runTokenize([...base, '--json', '--no-bos', text])).stdout);
    expect(noBos.ids).toEqual(fromArg.ids.slice(1));
    const pieces = (await runTokenize([...base, '--pieces', text])).stdout;
    expect(pieces.split('\n')[0]).toBe('<s>');
    expect(pieces).toContain('<0x0A>');
  });

  it('tokenize finds stories260K.bin and its tok512.bin pairing by name', async () => {
    const { copyFileSync } = await import('node:fs');
    copyFileSync(files.model, join(dir, 'stories260K.bin'));
    copyFileSync(files.tok, join(dir, 'tok512.bin'));
    const named = await runTokenize(['-m', 'stories260K.bin', '--ids', text]);
    const direct = await runTokenize(['-m', files.model, '-z', files.tok, '--ids', text]);
    expect(named.code).toBe(0);
    expect(named.stdout).toBe(direct.stdout);
  });

  it('tokenize rejects a missing model, missing -z, clashing modes and extra text, in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['abc'], /needs a model/],
      [['-m', files.model, 'abc'], /llama2\.c checkpoints need their tokenizer\.bin \(-z\)/],
      [['-m', files.gguf, '--ids', '--json', 'a'], /--ids and --json exclude each other/],
      [['-m', files.gguf, 'a', 'b'], /one TEXT argument, got 2/],
      [['-m', files.gguf, '-f', join(dir, 'text.txt'), 'a'], /either TEXT or -f FILE/],
      [
        ['-m', files.gguf, '-f', join(dir, 'absent.txt')],
        /cannot read .*absent\.txt.*no such file/,
      ],
      [['-m', join(dir, 'nothing.gguf'), 'a'], /cannot open model/],
    ];
    for (const [argv, message] of cases) {
      const r = await runTokenize(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stderr.split('\n').length).toBe(2);
    }
  });

  it('tokenize --help prints the usage', async () => {
    const r = await runTokenize(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${TOKENIZE_HELP.trimEnd()}\n`);
  });
});
