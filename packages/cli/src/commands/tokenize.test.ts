import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadModel } from '@explorables/llm';
import {
  llama2cToGguf,
  readLlama2cCheckpoint,
  readLlama2cTokenizer,
  writeGguf,
  writeLlama2cCheckpoint,
  writeLlama2cTokenizer,
} from '@explorables/weights';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context } from '../context.ts';
import { EXIT_USAGE, oneLine, UsageError } from '../errors.ts';
import { Output } from '../output.ts';
import { type RunResult, Sink } from '../testing.ts';
import { TOKENIZE_HELP, tokenize } from './tokenize.ts';

/** A tiny random llama2.c model (vocab 300 with byte fallback) and its tokenizer, as files. */
function tinyModelFiles(dir: string, vocab = 300): { model: string; tok: string; gguf: string } {
  let s = 12345;
  const rand = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return ((s / 2 ** 32) * 2 - 1) * scale;
    });
  const [dim, hidden, layers, kv] = [16, 32, 1, 8];
  const per = (n: number, scale: number) => Array.from({ length: layers }, () => rand(n, scale));
  const norms = () => Array.from({ length: layers }, () => rand(dim, 0.1).map((v) => 1 + v));
  const emb = rand(vocab * dim, 1);
  const checkpoint = writeLlama2cCheckpoint({
    config: {
      dim,
      hiddenDim: hidden,
      nLayers: layers,
      nHeads: 2,
      nKvHeads: 1,
      vocabSize: vocab,
      seqLen: 64,
      sharedClassifier: true,
    },
    tensors: {
      tokenEmbedding: emb,
      rmsAtt: norms(),
      wq: per(dim * dim, 0.3),
      wk: per(kv * dim, 0.3),
      wv: per(kv * dim, 0.3),
      wo: per(dim * dim, 0.3),
      rmsFfn: norms(),
      w1: per(hidden * dim, 0.3),
      w2: per(dim * hidden, 0.2),
      w3: per(hidden * dim, 0.3),
      rmsFinal: rand(dim, 0.1).map((v) => 1 + v),
      wcls: emb,
    },
  });
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n'];
  for (let b = 0; b < 256; b++) pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  pieces.push(' ');
  for (let c = 0; pieces.length < vocab; c++) {
    const letter = String.fromCharCode(97 + (c % 26));
    pieces.push(c < 26 ? letter : ` ${letter}`);
  }
  const tok = writeLlama2cTokenizer({
    pieces,
    scores: pieces.map((_, i) => (i < 259 ? 0 : 259 - i)),
  });
  const paths = {
    model: join(dir, 'tiny.bin'),
    tok: join(dir, 'tiny-tok.bin'),
    gguf: join(dir, 'tiny.gguf'),
  };
  writeFileSync(paths.model, checkpoint);
  writeFileSync(paths.tok, tok);
  const gguf = writeGguf(
    llama2cToGguf(readLlama2cCheckpoint(checkpoint), readLlama2cTokenizer(tok, vocab)),
  );
  writeFileSync(paths.gguf, gguf);
  return paths;
}

/** Runs the verb as main() would (the lead registers it there). */
async function runTokenize(argv: readonly string[], stdin = ''): Promise<RunResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const out = new Output(stdout);
  const ctx: Context = { stdin: Readable.from([stdin]), out, stderr, now: () => 0 };
  let code: number;
  try {
    code = await tokenize(argv, ctx);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`explorables: ${oneLine(error.message)}\n`);
    code = EXIT_USAGE;
  }
  await out.end();
  return { code, stdout: stdout.text, stderr: stderr.text };
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
