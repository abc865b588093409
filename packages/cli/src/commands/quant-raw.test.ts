import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dequantizeRows, GGML_TYPES, ggmlType, quantizeRows } from '@explorables/quant';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../testing.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'explorables-quant-raw-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic float32 rows: a smooth wave plus a few large values, with a fixed pattern. */
function rowsOf(rows: number, cols: number): Float32Array {
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.1 + (i % 97 === 0 ? 3 : 0);
  return x;
}

function bytesOf(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

async function readFloat32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

async function expectUsage(args: string[], message: string): Promise<void> {
  const { code, stdout, stderr } = await run(args);
  expect(code, args.join(' ')).toBe(2);
  expect(stdout).toBe('');
  expect(stderr, args.join(' ')).toContain(message);
  expect(stderr.startsWith('explorables: ')).toBe(true);
  expect(stderr.indexOf('\n')).toBe(stderr.length - 1);
}

describe('quant-raw and dequant-raw', () => {
  it('quant-raw then dequant-raw round-trips q8_0 and q4_K through files as the engine does', async () => {
    const cols = 256;
    const input = rowsOf(3, cols);
    const inPath = join(dir, 'in.f32');
    await writeFile(inPath, bytesOf(input));
    for (const name of ['q8_0', 'q4_K']) {
      const type = ggmlType(name);
      const qPath = join(dir, `x.${name}`);
      const backPath = join(dir, `back.${name}.f32`);
      const q = await run(['quant-raw', '--type', name, '--cols', String(cols), inPath, qPath]);
      expect(q.code, q.stderr).toBe(0);
      expect(q.stdout).toBe('');
      const expected = quantizeRows(type, input, cols);
      expect(new Uint8Array(await readFile(qPath))).toEqual(expected);
      const summary =
        name === 'q8_0'
          ? '3072 → 816 bytes, 8.50 bits per weight'
          : '3072 → 432 bytes, 4.50 bits per weight';
      expect(q.stderr).toBe(`wrote ${qPath}: 3 rows × 256 values as ${name}, ${summary}\n`);
      const d = await run(['dequant-raw', '--type', name, '--cols', '256', qPath, backPath]);
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toContain(`wrote ${backPath}: 3 rows × 256 values from ${name}`);
      const back = await readFloat32(backPath);
      expect(back).toEqual(dequantizeRows(type, expected, cols));
      // Lossy but close: q8_0 within half a step amax/127 (< 0.03 here), q4_K within 0.3.
      const tolerance = name === 'q8_0' ? 0.03 : 0.3;
      for (let i = 0; i < input.length; i++) {
        expect(Math.abs(back[i] - input[i])).toBeLessThan(tolerance);
      }
    }
  });

  it('quant-raw accepts type names in any case and uses --imatrix for the types that take it', async () => {
    const cols = 256;
    const input = rowsOf(2, cols);
    const imatrix = new Float32Array(cols);
    for (let j = 0; j < cols; j++) imatrix[j] = Math.exp(Math.sin(j) * 2);
    const inPath = join(dir, 'in.f32');
    const imPath = join(dir, 'imat.f32');
    await writeFile(inPath, bytesOf(input));
    await writeFile(imPath, bytesOf(imatrix));
    const out = join(dir, 'out.bin');
    const result = await run([
      'quant-raw',
      '--type=Q4_k',
      '--cols=256',
      '--imatrix',
      imPath,
      inPath,
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('as q4_K (with imatrix)');
    const withImatrix = quantizeRows(ggmlType('q4_K'), input, cols, imatrix);
    expect(new Uint8Array(await readFile(out))).toEqual(withImatrix);
    expect(withImatrix).not.toEqual(quantizeRows(ggmlType('q4_K'), input, cols));
  });

  it('quant-raw warns that q8_0 ignores --imatrix and writes the plain result', async () => {
    const input = rowsOf(1, 32);
    const inPath = join(dir, 'in.f32');
    const imPath = join(dir, 'imat.f32');
    await writeFile(inPath, bytesOf(input));
    await writeFile(imPath, bytesOf(new Float32Array(32).fill(2)));
    const out = join(dir, 'out.bin');
    const result = await run([
      'quant-raw',
      '--type',
      'Q8_0',
      '--cols',
      '32',
      '--imatrix',
      imPath,
      inPath,
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe('warning: q8_0 ignores --imatrix (as ggml does)');
    expect(new Uint8Array(await readFile(out))).toEqual(quantizeRows(ggmlType('q8_0'), input, 32));
  });

  it('quant-raw and dequant-raw of an empty file write an empty file', async () => {
    const inPath = join(dir, 'empty.f32');
    await writeFile(inPath, new Uint8Array(0));
    const out = join(dir, 'out.bin');
    const q = await run(['quant-raw', '--type', 'q4_0', '--cols', '32', inPath, out]);
    expect(q.code).toBe(0);
    expect(q.stderr).toContain('0 rows × 32 values');
    expect((await readFile(out)).length).toBe(0);
    const d = await run(['dequant-raw', '--type', 'q4_0', '--cols', '32', out, join(dir, 'b')]);
    expect(d.code).toBe(0);
  });

  it('quant-raw then dequant-raw handles every supported type and keeps the row count', async () => {
    const input = rowsOf(2, 256);
    const inPath = join(dir, 'in.f32');
    await writeFile(inPath, bytesOf(input));
    for (const type of GGML_TYPES) {
      const qPath = join(dir, `x.${type.name}`);
      const backPath = join(dir, `x.${type.name}.f32`);
      const q = await run([
        'quant-raw',
        '--type',
        type.name.toUpperCase(),
        '--cols',
        '256',
        inPath,
        qPath,
      ]);
      expect(q.code, `${type.name}: ${q.stderr}`).toBe(0);
      expect((await readFile(qPath)).length).toBe((2 * 256 * type.typeSizeBytes) / type.blockSize);
      const d = await run(['dequant-raw', '--type', type.name, '--cols', '256', qPath, backPath]);
      expect(d.code, `${type.name}: ${d.stderr}`).toBe(0);
      expect((await readFloat32(backPath)).length).toBe(512);
    }
  });

  it('quant-raw --help and dequant-raw --help print usage listing the types', async () => {
    for (const verb of ['quant-raw', 'dequant-raw']) {
      const { code, stdout } = await run([verb, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`explorables ${verb} --type T --cols N`);
      expect(stdout).toContain('q4_K');
      expect(stdout).toContain('mxfp4');
    }
  });

  it('quant-raw and dequant-raw exit 2 with one line for bad types, columns, sizes and files', async () => {
    const inPath = join(dir, 'in.f32');
    await writeFile(inPath, bytesOf(rowsOf(2, 256)));
    const odd = join(dir, 'odd.f32');
    await writeFile(odd, new Uint8Array(1000));
    const imPath = join(dir, 'imat.f32');
    await writeFile(imPath, new Uint8Array(400));
    const out = join(dir, 'out.bin');
    const q = (...args: string[]) => ['quant-raw', ...args];
    await expectUsage(q('--cols', '256', inPath, out), 'quant-raw needs --type T, one of f32, f16');
    await expectUsage(
      q('--type', 'q9_9', '--cols', '256', inPath, out),
      "--type: unknown ggml type 'q9_9'; supported: f32 (0)",
    );
    await expectUsage(
      q('--type', 'iq2_xxs', '--cols', '256', inPath, out),
      "ggml type 'iq2_xxs' (iq2_xxs) has no quantizer here",
    );
    await expectUsage(q('--type', 'q4_K', inPath, out), 'quant-raw needs --cols N');
    await expectUsage(
      q('--type', 'q4_K', '--cols', '0', inPath, out),
      "--cols must be a positive integer, got '0'",
    );
    await expectUsage(
      q('--type', 'q4_K', '--cols', '2.5', inPath, out),
      "--cols must be a positive integer, got '2.5'",
    );
    await expectUsage(
      q('--type', 'q4_K', '--cols', '100', inPath, out),
      "--cols 100 is not a multiple of q4_K's block size 256",
    );
    await expectUsage(
      q('--type', 'q4_0', '--cols', '32', odd, out),
      `'${odd}' has 1000 bytes, not a whole number of rows of 128 bytes (32 float32 values)`,
    );
    await expectUsage(
      q('--type', 'q4_K', '--cols', '256', '--imatrix', imPath, inPath, out),
      `--imatrix '${imPath}' has 400 bytes; expected 1024 (--cols 256 float32 weights`,
    );
    await expectUsage(
      q('--type', 'q4_K', '--cols', '256', join(dir, 'missing.f32'), out),
      `cannot read '${join(dir, 'missing.f32')}': no such file`,
    );
    await expectUsage(
      q('--type', 'q4_K', '--cols', '256', inPath, join(dir, 'no', 'such', 'dir.bin')),
      `cannot write '${join(dir, 'no', 'such', 'dir.bin')}': no such file`,
    );
    await expectUsage(
      q('--type', 'q4_K', '--cols', '256', inPath),
      'quant-raw takes two files, IN.f32 OUT.bin; got 1',
    );
    await expectUsage(
      ['dequant-raw', '--type', 'q4_K', '--cols', '256', odd, out],
      `'${odd}' has 1000 bytes, not a whole number of rows of 144 bytes (256 values as q4_K: ` +
        '1 × 144-byte blocks); 136 bytes are left over',
    );
    await expectUsage(
      ['dequant-raw', '--type', 'q8_0', '--cols', '256', '--imatrix', imPath, inPath, out],
      "unknown option '--imatrix' for 'explorables dequant-raw'",
    );
  });

  // Root ignores file permissions, so the check needs an ordinary user.
  it.skipIf(process.getuid?.() === 0)(
    'quant-raw exits 2 naming the file when the output cannot be written',
    async () => {
      const inPath = join(dir, 'in.f32');
      await writeFile(inPath, bytesOf(rowsOf(1, 32)));
      const locked = join(dir, 'locked.bin');
      await writeFile(locked, '');
      await chmod(locked, 0o444);
      await expectUsage(
        ['quant-raw', '--type', 'q8_0', '--cols', '32', inPath, locked],
        `cannot write '${locked}': permission denied`,
      );
    },
  );
});
