import {
  dequantizeRows,
  GGML_TYPES,
  type GgmlType,
  ggmlType,
  quantizeRows,
  rowSizeBytes,
} from '@explorables/quant';
import { parseArgs, parsePositiveInteger } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { readWholeFile, writeWholeFile } from '../files.ts';
import { humanBytes } from '../format.ts';

/** Usage text of `explorables quant-raw --help`. */
export const QUANT_RAW_HELP = `explorables quant-raw: float32 rows to ggml blocks, byte for byte as ggml.

Usage:
  explorables quant-raw --type T --cols N [--imatrix IMATRIX] IN.f32 OUT.bin

IN is little-endian float32 values with no header: rows of N values, one after the other.
OUT receives each row quantized on its own (blocks never straddle rows), exactly as ggml's
ggml_quantize_chunk writes them: rows × (N / block size × bytes per block) bytes.

Options:
  --type T        a ggml type, spelled as ggml does, in any case:
${wrappedTypeNames(18)}
  --cols N        values per row (n_per_row); a multiple of the type's block size
                  (1 for f32/f16/bf16, 32 for q4_0 … mxfp4, iq4_nl, 256 for the K-quants)
  --imatrix FILE  importance weights: N little-endian float32, one per column. Used by the
                  types that support it (q4_0, q4_1, q5_0, q5_1, q2_K … q6_K, iq4_nl); the
                  others ignore it, as ggml does (a warning says so)

Prints one summary line on stderr: rows, bytes in and out, bits per weight.

Examples:
  explorables quant-raw --type q4_K --cols 4096 weights.f32 weights.q4_k
  explorables quant-raw --type Q4_K --cols 4096 --imatrix imat.f32 weights.f32 weights.q4_k
  explorables dequant-raw --type q4_K --cols 4096 weights.q4_k roundtrip.f32
`;

/** Usage text of `explorables dequant-raw --help`. */
export const DEQUANT_RAW_HELP = `explorables dequant-raw: ggml blocks back to float32 rows.

Usage:
  explorables dequant-raw --type T --cols N IN.bin OUT.f32

IN is rows of ggml blocks with no header (what quant-raw writes): each row holds N values,
N / block size blocks. OUT receives little-endian float32, N values per row, decoded as ggml's
to_float does.

Options:
  --type T   a ggml type, in any case:
${wrappedTypeNames(13)}
  --cols N   values per row; a multiple of the type's block size

Prints one summary line on stderr: rows, bytes in and out, bits per weight.

Example:
  explorables dequant-raw --type q8_0 --cols 256 x.q8_0 x.f32
`;

function typeNames(): string {
  return GGML_TYPES.map((t) => t.name).join(', ');
}

/** The supported type names as help-text lines indented by `indent` spaces, under 90 columns. */
function wrappedTypeNames(indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const name of GGML_TYPES.map((t) => t.name)) {
    const next = line === '' ? name : `${line}, ${name}`;
    if (indent + next.length > 88) {
      lines.push(`${line},`);
      line = name;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

const QUANT_OPTIONS = {
  type: { kind: 'string' },
  cols: { kind: 'string' },
  imatrix: { kind: 'string' },
  help: { kind: 'boolean', short: 'h' },
} as const;

const DEQUANT_OPTIONS = {
  type: { kind: 'string' },
  cols: { kind: 'string' },
  help: { kind: 'boolean', short: 'h' },
} as const;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `explorables quant-raw --type T --cols N [--imatrix F] IN OUT`: quantizes little-endian float32
 * rows into ggml blocks; resolves to the exit code.
 * @example await quantRaw(['--type', 'q8_0', '--cols', '32', 'x.f32', 'x.q8'], ctx) // 0
 */
export async function quantRaw(argv: readonly string[], ctx: Context): Promise<number> {
  const command = 'quant-raw';
  const { options, positionals } = parseArgs(argv, QUANT_OPTIONS, `explorables ${command}`);
  if (options.has('help')) {
    await ctx.out.line(QUANT_RAW_HELP.trimEnd());
    return 0;
  }
  const { type, cols, input, output } = common(command, options, positionals, 'IN.f32 OUT.bin');
  const rowBytesIn = 4 * cols;
  const inBytes = await readWholeFile(input);
  checkWholeRows(input, inBytes.length, rowBytesIn, `${cols} float32 values`);
  let imatrix: Float32Array | undefined;
  const imatrixPath = options.get('imatrix');
  if (typeof imatrixPath === 'string') {
    const imatrixBytes = await readWholeFile(imatrixPath);
    if (imatrixBytes.length !== rowBytesIn) {
      throw new UsageError(
        `--imatrix '${imatrixPath}' has ${imatrixBytes.length} bytes; expected ${rowBytesIn} ` +
          `(--cols ${cols} float32 weights, one per column)`,
      );
    }
    imatrix = float32s(imatrixBytes);
    if (!type.usesImatrix) {
      ctx.stderr.write(`warning: ${type.name} ignores --imatrix (as ggml does)\n`);
    }
  }
  const rows = inBytes.length / rowBytesIn;
  const out = quantizeRows(type, float32s(inBytes), cols, imatrix);
  await writeWholeFile(output, out);
  ctx.stderr.write(
    `wrote ${output}: ${rows} rows × ${cols} values as ${type.name}` +
      `${imatrix !== undefined && type.usesImatrix ? ' (with imatrix)' : ''}, ` +
      `${inBytes.length} → ${bytesText(out.length)}, ` +
      `${bitsPerWeight(type).toFixed(2)} bits per weight\n`,
  );
  return 0;
}

/**
 * `explorables dequant-raw --type T --cols N IN OUT`: decodes rows of ggml blocks into
 * little-endian float32; resolves to the exit code.
 * @example await dequantRaw(['--type', 'q8_0', '--cols', '32', 'x.q8', 'x.f32'], ctx) // 0
 */
export async function dequantRaw(argv: readonly string[], ctx: Context): Promise<number> {
  const command = 'dequant-raw';
  const { options, positionals } = parseArgs(argv, DEQUANT_OPTIONS, `explorables ${command}`);
  if (options.has('help')) {
    await ctx.out.line(DEQUANT_RAW_HELP.trimEnd());
    return 0;
  }
  const { type, cols, input, output } = common(command, options, positionals, 'IN.bin OUT.f32');
  const rowBytesIn = rowSizeBytes(type, cols);
  const inBytes = await readWholeFile(input);
  checkWholeRows(
    input,
    inBytes.length,
    rowBytesIn,
    `${cols} values as ${type.name}: ${cols / type.blockSize} × ${type.typeSizeBytes}-byte blocks`,
  );
  const rows = inBytes.length / rowBytesIn;
  const values = dequantizeRows(type, inBytes, cols);
  const outBytes = littleEndianFloat32(values);
  await writeWholeFile(output, outBytes);
  ctx.stderr.write(
    `wrote ${output}: ${rows} rows × ${cols} values from ${type.name}, ` +
      `${inBytes.length} → ${bytesText(outBytes.length)}, ` +
      `${bitsPerWeight(type).toFixed(2)} bits per weight in\n`,
  );
  return 0;
}

interface Common {
  type: GgmlType;
  cols: number;
  input: string;
  output: string;
}

function common(
  command: string,
  options: Map<string, string | true>,
  positionals: readonly string[],
  files: string,
): Common {
  const typeText = options.get('type');
  if (typeof typeText !== 'string') {
    throw new UsageError(`${command} needs --type T, one of ${typeNames()}`);
  }
  let type: GgmlType;
  try {
    type = ggmlType(typeText);
  } catch (error) {
    throw new UsageError(`--type: ${error instanceof Error ? error.message : String(error)}`);
  }
  const colsText = options.get('cols');
  if (typeof colsText !== 'string') {
    throw new UsageError(
      `${command} needs --cols N, the values per row (a multiple of ${type.name}'s block size ` +
        `${type.blockSize})`,
    );
  }
  const cols = parsePositiveInteger('--cols', colsText);
  if (cols % type.blockSize !== 0) {
    throw new UsageError(
      `--cols ${cols} is not a multiple of ${type.name}'s block size ${type.blockSize}`,
    );
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      `${command} takes two files, ${files}; got ${positionals.length}` +
        (positionals.length > 0 ? `: ${positionals.join(' ')}` : ''),
    );
  }
  return { type, cols, input: positionals[0], output: positionals[1] };
}

function checkWholeRows(path: string, sizeBytes: number, rowBytes: number, row: string): void {
  if (sizeBytes % rowBytes !== 0) {
    throw new UsageError(
      `'${path}' has ${sizeBytes} bytes, not a whole number of rows of ${rowBytes} bytes ` +
        `(${row}); ${sizeBytes % rowBytes} bytes are left over`,
    );
  }
}

function bytesText(sizeBytes: number): string {
  return sizeBytes < 1024 ? `${sizeBytes} bytes` : `${sizeBytes} bytes (${humanBytes(sizeBytes)})`;
}

function bitsPerWeight(type: GgmlType): number {
  return (type.typeSizeBytes * 8) / type.blockSize;
}

/** Little-endian float32 bytes as a Float32Array (a view when aligned on a little-endian host). */
function float32s(bytes: Uint8Array): Float32Array {
  const n = bytes.length / 4;
  if (HOST_IS_LITTLE_ENDIAN) {
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    return new Float32Array(bytes.slice().buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = view.getUint32(4 * i, true);
  return out;
}

function littleEndianFloat32(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) view.setUint32(4 * i, bits[i], true);
  return out;
}
