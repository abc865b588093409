import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dequantizeRows, ggmlType, histogram, quantizeRows, tensorStats } from '@explorables/quant';
import {
  type GgufMetadataEntry,
  type Llama2cConfig,
  writeGguf,
  writeLlama2cCheckpoint,
  writeSafetensors,
} from '@explorables/weights';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../testing.ts';
import { renderHistogram } from './inspect.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-inspect-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function wave(n: number, seed: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.7 + seed) * 0.5 + (i === 7 ? 9 : 0),
  );
}

function bytesOf(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

async function put(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const TOKENS = ['<unk>', '<s>', '</s>', ...Array.from({ length: 509 }, (_, i) => `tok${i}`)];
const DOWN = wave(128, 1);
const Q = wave(256, 2);
const Q8 = quantizeRows(ggmlType('q8_0'), DOWN, 64);
const Q4K = quantizeRows(ggmlType('q4_K'), Q, 256);

/** A small GGUF: metadata of several types, an f32, a q8_0, a q4_K and an undecodable tensor. */
async function smallGguf(): Promise<string> {
  const metadata: GgufMetadataEntry[] = [
    { key: 'general.architecture', value: { type: 'string', value: 'llama' } },
    { key: 'llama.block_count', value: { type: 'uint32', value: 1 } },
    { key: 'llama.rope.freq_base', value: { type: 'float32', value: 10000 } },
    { key: 'big', value: { type: 'uint64', value: 2n ** 64n - 1n } },
    { key: 'flag', value: { type: 'bool', value: true } },
    { key: 'tokenizer.ggml.tokens', value: { type: 'array', itemType: 'string', value: TOKENS } },
    {
      key: 'short.ints',
      value: { type: 'array', itemType: 'int32', value: new Int32Array([1, -2, 3]) },
    },
  ];
  return put(
    'small.gguf',
    writeGguf({
      metadata,
      tensors: [
        { name: 'token_embd.weight', type: 0, dims: [32, 4], data: bytesOf(wave(128, 0)) },
        { name: 'blk.0.ffn_down.weight', type: 8, dims: [64, 2], data: Q8 },
        { name: 'blk.0.attn_q.weight', type: 12, dims: [256], data: Q4K },
        { name: 'x.iq2', type: 16, dims: [256], data: new Uint8Array(66) },
      ],
    }),
  );
}

const CONFIG: Llama2cConfig = {
  dim: 8,
  hiddenDim: 12,
  nLayers: 2,
  nHeads: 2,
  nKvHeads: 1,
  vocabSize: 16,
  seqLen: 4,
  sharedClassifier: true,
};

async function smallLlama2c(): Promise<string> {
  const c = CONFIG;
  const layers = (n: number, seed: number) =>
    Array.from({ length: c.nLayers }, (_, l) => wave(n, seed + l));
  const emb = wave(c.vocabSize * c.dim, 1);
  const tensors = {
    tokenEmbedding: emb,
    rmsAtt: layers(8, 2),
    wq: layers(64, 3),
    wk: layers(32, 4),
    wv: layers(32, 5),
    wo: layers(64, 6),
    rmsFfn: layers(8, 7),
    w1: layers(96, 8),
    w2: layers(96, 9),
    w3: layers(96, 10),
    rmsFinal: wave(8, 11),
    wcls: emb,
  };
  return put('tiny.bin', writeLlama2cCheckpoint({ config: c, tensors }, { version: 0 }));
}

function expectOneLineError(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.startsWith('explorables: ')).toBe(true);
  expect(result.stderr.indexOf('\n')).toBe(result.stderr.length - 1);
}

describe('inspect', () => {
  it('inspect MODEL.gguf prints every metadata key with its type, long arrays abbreviated', async () => {
    const { code, stdout, stderr } = await run(['inspect', await smallGguf()]);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^format {2}GGUF v3$/m);
    expect(stdout).toMatch(/^metadata \(7 entries\)$/m);
    expect(stdout).toMatch(/^ {2}general\.architecture +str +"llama"$/m);
    expect(stdout).toMatch(/^ {2}llama\.block_count +u32 +1$/m);
    expect(stdout).toMatch(/^ {2}llama\.rope\.freq_base +f32 +10000$/m);
    expect(stdout).toMatch(/^ {2}big +u64 +18446744073709551615$/m);
    expect(stdout).toMatch(/^ {2}flag +bool +true$/m);
    expect(stdout).toMatch(
      /^ {2}tokenizer\.ggml\.tokens +arr\[str\] +\[str × 512: "<unk>", "<s>", "<\/s>", .*, …\]$/m,
    );
    expect(stdout).toMatch(/^ {2}short\.ints +arr\[i32\] +\[i32 × 3: 1, -2, 3\]$/m);
  });

  it('inspect MODEL.gguf prints an aligned tensor table with statistics and totals', async () => {
    const { stdout } = await run(['inspect', await smallGguf()]);
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('  name'));
    expect(lines[header]).toMatch(/^ {2}name +type +shape +bytes +min +max +mean +std +kurt +>6σ$/);
    expect(lines[header - 1]).toBe('tensors (4)');
    const rows = lines.slice(header + 1, header + 5);
    expect(rows[0]).toMatch(/^ {2}token_embd\.weight +f32 +\[32, 4\] +512 /);
    expect(rows[1]).toMatch(/^ {2}blk\.0\.ffn_down\.weight +q8_0 +\[64, 2\] +136 /);
    expect(rows[2]).toMatch(/^ {2}blk\.0\.attn_q\.weight +q4_K +\[256\] +144 /);
    expect(rows[3]).toMatch(/^ {2}x\.iq2 +iq2_xxs +\[256\] +66 +- +- +- +- +- +-$/);
    // Columns line up: every row's bytes column ends where the header's does.
    const end = lines[header].indexOf('bytes') + 'bytes'.length;
    for (const row of rows) expect(row.slice(0, end)).toMatch(/\d$/);
    // The one 9.x spike in each wave tensor is more than 6 sigma out.
    expect(rows[0]).toMatch(/ 1$/);
    const total = 128 + 128 + 256 + 256;
    const bytes = 512 + 136 + 144 + 66;
    expect(stdout).toContain(
      `total  4 tensors, ${total} parameters, ${bytes} bytes (${bytes} B), ` +
        `${((bytes * 8) / total).toFixed(2)} bits per weight`,
    );
    expect(stdout).toContain('note: no statistics for x.iq2: no dequantizer for ggml type iq2_xxs');
  });

  it('inspect MODEL.gguf --json prints one object: metadata with bigints as strings, tensor stats, totals', async () => {
    const { code, stdout } = await run(['inspect', await smallGguf(), '--json']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout);
    expect(report.kind).toBe('gguf');
    expect(report.metadata[3]).toEqual({
      key: 'big',
      type: 'uint64',
      value: '18446744073709551615',
    });
    const tokens = report.metadata[5];
    expect(tokens).toMatchObject({
      key: 'tokenizer.ggml.tokens',
      type: 'array',
      itemType: 'string',
    });
    expect(tokens.length).toBe(512);
    expect(tokens.value).toEqual(TOKENS.slice(0, 64));
    expect(tokens.truncated).toBe(true);
    expect(report.metadata[6]).toEqual({
      key: 'short.ints',
      type: 'array',
      itemType: 'int32',
      length: 3,
      value: [1, -2, 3],
      truncated: false,
    });
    const down = report.tensors[1];
    expect(down).toMatchObject({ name: 'blk.0.ffn_down.weight', type: 'q8_0', shape: [64, 2] });
    const want = tensorStats(dequantizeRows(ggmlType('q8_0'), Q8, 64));
    expect(down.stats.mean).toBe(want.mean);
    expect(down.stats.kurtosis).toBe(want.kurtosis);
    expect(down.stats.countBeyond6Sigma).toBe(want.countBeyond6Sigma);
    expect(report.tensors[3].stats).toBeNull();
    expect(report.tensors[3].statsProblem).toBe('no dequantizer for ggml type iq2_xxs');
    expect(report.totals).toEqual({
      tensors: 4,
      parameters: 768,
      sizeBytes: 858,
      bitsPerWeight: (858 * 8) / 768,
    });
  });

  it('inspect MODEL.safetensors lists metadata, row-major shapes and NaN kurtosis as -', async () => {
    const path = await put(
      'm.safetensors',
      writeSafetensors({
        metadata: { format: 'pt' },
        tensors: [
          { name: 'w', dtype: 'F32', shape: [2, 3], data: bytesOf(new Float32Array(6).fill(0.25)) },
          { name: 'b', dtype: 'F32', shape: [3], data: bytesOf(new Float32Array([1, 2, 3])) },
        ],
      }),
    );
    const { code, stdout } = await run(['inspect', path]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^format {2}safetensors$/m);
    expect(stdout).toMatch(/^ {2}format +str +"pt"$/m);
    // A constant tensor has std 0: its kurtosis is undefined.
    expect(stdout).toMatch(/^ {2}w +F32 +\[2, 3\] +24 +0\.25 +0\.25 +0\.25 +0 +- +0$/m);
    expect(stdout).toMatch(/^ {2}b +F32 +\[3\] +12 +1 +3 +2 +0\.8165 +1\.5 +0$/m);
    expect(stdout).toContain(
      'total  2 tensors, 9 parameters, 36 bytes (36 B), 32.00 bits per weight',
    );
    const json = JSON.parse((await run(['inspect', path, '--json'])).stdout);
    expect(json.metadata).toEqual([{ key: 'format', type: 'string', value: 'pt' }]);
    expect(json.tensors[0].stats.kurtosis).toBeNull();
  });

  it('inspect MODEL.bin (llama2.c) uses GGUF names with the llama2.c names in a column and keeps freq_cis apart', async () => {
    const { code, stdout } = await run(['inspect', await smallLlama2c()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^format {2}llama2\.c checkpoint, legacy layout \(version 0, no magic\); read whole \(\d+\.\d\d KiB\)$/m,
    );
    expect(stdout).toMatch(/^ {2}n_kv_heads +i32 +1$/m);
    expect(stdout).toMatch(/^ {2}name +llama2\.c +type +shape +bytes +min/m);
    expect(stdout).toMatch(/^ {2}token_embd\.weight +token_embedding_table +f32 +\[16, 8\] +512 /m);
    expect(stdout).toMatch(/^ {2}blk\.1\.ffn_down\.weight +w2\[1\] +f32 +\[8, 12\] +384 /m);
    expect(stdout).toContain('tensors (20)');
    expect(stdout).toContain('not weights (2), left out of the totals');
    expect(stdout).toMatch(
      /^ {2}freq_cis_real +freq_cis_real +f32 +\[4, 2\] +32 .*legacy RoPE table/m,
    );
    const parameters = 128 + 2 * (8 + 64 + 32 + 32 + 64 + 8 + 96 + 96 + 96) + 8;
    expect(stdout).toContain(`total  20 tensors, ${parameters.toLocaleString('en-US')} parameters`);
    const json = JSON.parse((await run(['inspect', await smallLlama2c(), '--json'])).stdout);
    expect(json.totals.parameters).toBe(parameters);
    expect(json.tensors).toHaveLength(22);
    expect(json.tensors.filter((t: { isWeight: boolean }) => !t.isWeight)).toHaveLength(2);
  });

  it('inspect MODEL --tensor NAME prints its statistics and a histogram whose counts add up', async () => {
    const path = await smallGguf();
    const { code, stdout } = await run([
      'inspect',
      path,
      '--tensor',
      'blk.0.ffn_down.weight',
      '--bins',
      '8',
      '--ascii',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^tensor +blk\.0\.ffn_down\.weight$/m);
    expect(stdout).toMatch(/^type +q8_0$/m);
    expect(stdout).toMatch(/^bits per weight +8\.50$/m);
    expect(stdout).toMatch(/^\|x - mean\| > 6σ +1$/m);
    const bins = stdout.split('\n').filter((l) => /^ {2}\[/.test(l));
    expect(bins).toHaveLength(8);
    const counts = bins.map((l) => Number(l.trim().split(/ +/).at(-1)));
    const want = histogram(dequantizeRows(ggmlType('q8_0'), Q8, 64), { bins: 8 });
    expect(counts).toEqual(Array.from(want.counts));
    const longest = Math.max(...bins.map((l) => (l.match(/#+/)?.[0] ?? '').length));
    expect(longest).toBe(60);
    expect(bins.at(-1)).toMatch(/\] /); // the last bin is closed
  });

  it('inspect MODEL --tensor NAME --json prints the stats and the histogram edges and counts', async () => {
    const { stdout } = await run([
      'inspect',
      await smallGguf(),
      '--tensor',
      'blk.0.attn_q.weight',
      '--json',
    ]);
    const report = JSON.parse(stdout);
    const values = dequantizeRows(ggmlType('q4_K'), Q4K, 256);
    const want = histogram(values, { bins: 32 });
    expect(report.tensor.name).toBe('blk.0.attn_q.weight');
    expect(report.tensor.stats.max).toBe(tensorStats(values).max);
    expect(report.histogram.counts).toEqual(Array.from(want.counts));
    expect(report.histogram.edges).toEqual(Array.from(want.edges));
    expect(report.histogram.bins).toBe(32);
  });

  it('inspect MODEL --tensor accepts the llama2.c name and --log rescales the bars', async () => {
    const path = await smallLlama2c();
    const linear = await run(['inspect', path, '--tensor', 'w2[1]', '--bins', '4']);
    const log = await run([
      'inspect',
      path,
      '--tensor',
      'blk.1.ffn_down.weight',
      '--bins',
      '4',
      '--log',
    ]);
    expect(linear.code).toBe(0);
    expect(linear.stdout).toMatch(/^llama2\.c name +w2\[1\]$/m);
    expect(log.stdout).toContain('bar length log(1 + count)');
    const barLengths = (text: string) =>
      text
        .split('\n')
        .filter((l) => /^ {2}\[/.test(l))
        .map((l) => (l.match(/[█▏▎▍▌▋▊▉]+/)?.[0] ?? '').length);
    // The spike's bin holds 1 value: on a log scale its bar is far longer than on a linear one.
    expect(barLengths(log.stdout).at(-1)).toBeGreaterThan(barLengths(linear.stdout).at(-1)! * 3);
  });

  it('inspect MODEL --tensor with an unknown name exits 2 listing close names', async () => {
    const result = await run(['inspect', await smallGguf(), '--tensor', 'blk.0.ffn_dwn.weight']);
    expectOneLineError(result);
    expect(result.stderr).toContain("no tensor 'blk.0.ffn_dwn.weight' in '");
    expect(result.stderr).toContain('(4 tensors); close names: blk.0.ffn_down.weight, ');
    const undecodable = await run(['inspect', await smallGguf(), '--tensor', 'x.iq2']);
    expectOneLineError(undecodable);
    expect(undecodable.stderr).toContain(
      "cannot read tensor 'x.iq2': no dequantizer for ggml type iq2_xxs",
    );
  });

  it('inspect on a truncated GGUF exits 2 with the reader message naming the byte offset', async () => {
    const bytes = writeGguf({
      metadata: [{ key: 'general.name', value: { type: 'string', value: 'cut' } }],
      tensors: [{ name: 'w', type: 0, dims: [64], data: new Uint8Array(256) }],
    });
    for (const keep of [bytes.length - 1, 30]) {
      const path = await put(`cut${keep}.gguf`, bytes.subarray(0, keep));
      const result = await run(['inspect', path]);
      expectOneLineError(result);
      expect(result.stderr).toMatch(/^explorables: '.*cut\d+\.gguf': .* at byte \d+: expected /);
    }
  });

  it('inspect on a file of no known kind exits 2 naming the formats tried', async () => {
    const path = await put(
      'readme.txt',
      new TextEncoder().encode('# Just some text, not a model at all.\n'),
    );
    const result = await run(['inspect', path]);
    expectOneLineError(result);
    expect(result.stderr).toContain('is not a model file this reads: not GGUF');
    expect(result.stderr).toContain('not a llama2.c checkpoint');
  });

  it('inspect --no-stats lists tensors without statistics', async () => {
    const { code, stdout } = await run(['inspect', await smallGguf(), '--no-stats']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}name +type +shape +bytes$/m);
    expect(stdout).toMatch(/^ {2}x\.iq2 +iq2_xxs +\[256\] +66$/m);
    expect(stdout).not.toContain('note:');
    expect(stdout).toContain('total  4 tensors, 768 parameters');
  });

  it('inspect shows a progress line on a terminal stderr and erases it, leaving stdout alone', async () => {
    let t = 0;
    const tty = await run(['inspect', await smallGguf()], {
      ttyStderr: true,
      now: () => (t += 500),
    });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('reading tensors: [');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(tty.stdout).not.toContain('reading tensors');
    const plain = await run(['inspect', await smallGguf()], { now: () => (t += 500) });
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe(tty.stdout);
  });

  it('inspect exits 2 with one line for missing or extra files and bad options', async () => {
    const path = await smallGguf();
    const cases: [string[], string][] = [
      [[], 'inspect needs a model file'],
      [[path, path], 'inspect takes one model file, got 2'],
      [[path, '--tensor', 'w', '--bins', '0'], "--bins must be a positive integer, got '0'"],
      [[path, '--tensor', 'w', '--bins', '5000'], "--bins must be at most 1000, got '5000'"],
      [[path, '--log'], '--log needs --tensor NAME'],
      [[path, '--bins', '4'], '--bins needs --tensor NAME'],
      [[join(dir, 'missing.gguf')], `cannot read '${join(dir, 'missing.gguf')}': no such file`],
      [[path, '--frobnicate'], "unknown option '--frobnicate' for 'explorables inspect'"],
    ];
    for (const [args, message] of cases) {
      const result = await run(['inspect', ...args]);
      expectOneLineError(result);
      expect(result.stderr, args.join(' ')).toContain(message);
    }
  });

  it('inspect --help prints the usage', async () => {
    const { code, stdout } = await run(['inspect', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('explorables inspect MODEL --tensor NAME');
  });
});

describe('renderHistogram', () => {
  it('renderHistogram(h) draws bars proportional to the counts, 60 wide at the largest', () => {
    const lines = renderHistogram(histogram([0, 0, 0, 0, 1], { bins: 2 }), {
      log: false,
      ascii: false,
    });
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`  [0.00, 0.50)  ${'█'.repeat(60)} 4`);
    expect(lines[2]).toBe(`  [0.50, 1.00]  ${'█'.repeat(15).padEnd(60)} 1`);
  });

  it('renderHistogram(h, { log }) follows log(1 + count) and shows a sliver for tiny counts', () => {
    const h = histogram([...new Array(1000).fill(0), 1], { bins: 2 });
    const linear = renderHistogram(h, { log: false, ascii: false });
    expect(linear[2]).toContain(' ▏ ');
    const ascii = renderHistogram(h, { log: false, ascii: true });
    expect(ascii[2]).toMatch(/\] {2}# +1$/);
    const log = renderHistogram(h, { log: true, ascii: true });
    const expected = Math.round((Math.log1p(1) / Math.log1p(1000)) * 60);
    expect(log[2]).toContain(` ${'#'.repeat(expected)} `);
  });

  it('renderHistogram(h, { columns }) fits the bars into the terminal width', () => {
    const lines = renderHistogram(histogram([1, 2, 3], { bins: 3 }), {
      log: false,
      ascii: true,
      columns: 50,
    });
    for (const line of lines.slice(1)) expect(line.length).toBeLessThan(50);
    expect(lines[1]).toMatch(/#{10,}/);
  });

  it('renderHistogram reports values outside the range and NaN', () => {
    const h = histogram([0, 1, 5, Number.NaN], { bins: 2, min: 0, max: 2 });
    const lines = renderHistogram(h, { log: false, ascii: true });
    expect(lines).toContain('  above 2.0: 1');
    expect(lines).toContain('  NaN (in no bin): 1');
  });
});
