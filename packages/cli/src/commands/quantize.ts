import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveModel } from '@explorables/models';
import type { OutlierSelection } from '@explorables/quant';
import {
  type FallbackRule,
  type FileTypeName,
  llama2cToGguf,
  parseFileType,
  quantizeModel,
  readImatrixDat,
  readLlama2cTokenizer,
  type SourceModel,
  sourceFromGguf,
  sourceFromGgufInput,
  type TensorReport,
  writeGgufChunks,
} from '@explorables/weights';
import { parseArgs } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { fileError, readWholeFile } from '../files.ts';
import { humanBytes } from '../format.ts';
import { Progress } from '../progress.ts';
import { openModelFile } from './model-file.ts';

export const QUANTIZE_HELP = `usage: explorables quantize <in> <out.gguf> --type TYPE [options]

Quantizes a model (GGUF, or a llama2.c checkpoint with its tokenizer) to a GGUF that llama.cpp
loads, choosing each tensor's type with llama-quantize's rules (Q4_K_M gives attn_v and ffn_down
more bits in some layers; rows that fit no block fall back, see --fallback).

  --type TYPE        F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S
                     Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL MXFP4 (any case; Q4_K means Q4_K_M)
  -z, --tokenizer F  llama2.c input: its tokenizer.bin (default: the catalogue's pair, found on the
                     model search path, e.g. tok512.bin for stories260K.bin)
  --imatrix FILE     llama.cpp importance matrix (.dat from llama-imatrix)
  --outliers SPEC    keep outliers in an fp16 side table: 0.01% (a fraction of each tensor),
                     0.0001, or abs:6 (|x| > 6); stored in the metadata, which llama.cpp ignores
  --pure             every quantizable matrix gets exactly TYPE (no mixture rules)
  --fallback RULE    llama.cpp-2025 (default: Q2_K/Q3_K rows that do not fit become IQ4_NL, as in
                     the llama.cpp of the shared reference) or upstream (they become Q4_0)
  --context N        llama2.c input: llama.context_length to record (default: the model's seq_len;
                     llama.cpp's converter writes 128)
  --json             print the per-tensor report as JSON instead of a table
`;

const OPTIONS = {
  type: { kind: 'string' },
  tokenizer: { kind: 'string', short: 'z' },
  imatrix: { kind: 'string' },
  outliers: { kind: 'string' },
  pure: { kind: 'boolean' },
  fallback: { kind: 'string' },
  context: { kind: 'string' },
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

/**
 * Parses an --outliers value: a percentage ('0.01%'), a fraction ('0.0001') or a threshold
 * ('abs:6'); throws UsageError otherwise.
 * @example parseOutliers('0.01%') // { fraction: 0.0001 }
 */
export function parseOutliers(text: string): OutlierSelection {
  const t = text.trim();
  if (t.startsWith('abs:')) {
    const threshold = Number(t.slice(4));
    if (!Number.isFinite(threshold) || threshold <= 0) {
      throw new UsageError(`--outliers ${text}: expected abs:T with a positive number T`);
    }
    return { threshold };
  }
  const percent = t.endsWith('%');
  const value = Number(percent ? t.slice(0, -1) : t);
  const fraction = percent ? value / 100 : value;
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction >= 1) {
    throw new UsageError(
      `--outliers ${text}: expected a fraction in (0, 1) such as 0.0001, a percentage such as 0.01%, or abs:T`,
    );
  }
  return { fraction };
}

async function openSource(
  input: string,
  tokenizerPath: string | undefined,
  contextLength: number | undefined,
): Promise<{ source: SourceModel; close: () => Promise<void>; format: string; sizeBytes: number }> {
  const file = await openModelFile(input);
  if (file.kind === 'gguf') {
    return {
      source: sourceFromGguf(file.gguf),
      close: file.close,
      format: file.format,
      sizeBytes: file.sizeBytes,
    };
  }
  if (file.kind === 'safetensors') {
    await file.close();
    throw new UsageError(
      `'${input}' is safetensors, which carries no architecture or tokenizer; quantize needs a GGUF ` +
        'or a llama2.c checkpoint (convert with llama.cpp convert_hf_to_gguf.py first)',
    );
  }
  const checkpoint = file.llama2c;
  let tokPath = tokenizerPath;
  if (tokPath === undefined) {
    const guess = checkpoint.config.vocabSize === 512 ? 'tok512.bin' : 'tokenizer.bin';
    const sibling = join(dirname(input), guess);
    try {
      tokPath = (await resolveModel(sibling, { download: false })).path;
    } catch {
      try {
        tokPath = (await resolveModel(guess, { download: false })).path;
      } catch {
        throw new UsageError(
          `'${input}' is a llama2.c checkpoint: give its tokenizer with -z (tried ${sibling} and ` +
            `${guess} on the model search path)`,
        );
      }
    }
  }
  const tokenizer = readLlama2cTokenizer(await readWholeFile(tokPath), checkpoint.config.vocabSize);
  let gguf: ReturnType<typeof llama2cToGguf>;
  try {
    gguf = llama2cToGguf(checkpoint, tokenizer, { contextLength });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    source: sourceFromGgufInput(gguf),
    close: file.close,
    format: `${file.format} with tokenizer ${basename(tokPath)}`,
    sizeBytes: file.sizeBytes,
  };
}

function tensorTable(reports: readonly TensorReport[]): string {
  const rows = reports.map((r) => [
    r.name,
    r.fromType === r.toType ? r.toType : `${r.fromType} → ${r.toType}`,
    `[${r.dims.join(', ')}]`,
    String(r.bytesBefore),
    String(r.bytesAfter),
    r.rmse === 0 ? '0' : r.rmse.toExponential(3),
    r.outliers === undefined
      ? ''
      : `${r.outliers} (${r.outlierBytes} B; ${r.rmseWithoutOutliers?.toExponential(3)} without)`,
    r.note ?? '',
  ]);
  const head = ['tensor', 'type', 'shape', 'bytes in', 'bytes out', 'RMSE', 'outliers', 'note'];
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const right = new Set([3, 4, 5]);
  return all
    .map((r) =>
      r
        .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `explorables quantize <in> <out.gguf> --type T`: writes a GGUF quantized with llama-quantize's
 * rules, streaming one tensor at a time, with progress on a TTY and a per-tensor report.
 * @example await quantize(['stories260K.bin', 'q.gguf', '--type', 'q4_0'], ctx)
 */
export async function quantize(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'explorables quantize');
  if (options.has('help')) {
    await ctx.out.line(QUANTIZE_HELP.trimEnd());
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      `quantize takes <in> <out.gguf>, got ${positionals.length} argument(s); see 'explorables quantize --help'`,
    );
  }
  const [input, output] = positionals;
  const typeText = options.get('type');
  if (typeof typeText !== 'string') throw new UsageError('quantize needs --type, e.g. --type q4_0');
  let fileType: FileTypeName;
  try {
    fileType = parseFileType(typeText);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const fallbackText = options.get('fallback');
  if (
    fallbackText !== undefined &&
    fallbackText !== 'llama.cpp-2025' &&
    fallbackText !== 'upstream'
  ) {
    throw new UsageError(`--fallback ${String(fallbackText)}: expected llama.cpp-2025 or upstream`);
  }
  const fallback = fallbackText as FallbackRule | undefined;
  const outliersText = options.get('outliers');
  const outliers = typeof outliersText === 'string' ? parseOutliers(outliersText) : undefined;
  const contextText = options.get('context');
  const contextLength = typeof contextText === 'string' ? Number(contextText) : undefined;
  if (contextLength !== undefined && !(Number.isInteger(contextLength) && contextLength > 0)) {
    throw new UsageError(`--context ${String(contextText)}: expected a positive integer`);
  }
  const imatrixPath = options.get('imatrix');
  let imatrix: ReadonlyMap<string, Float32Array> | undefined;
  if (typeof imatrixPath === 'string') {
    try {
      imatrix = readImatrixDat(await readWholeFile(imatrixPath)).entries;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot use imatrix '${imatrixPath}': ${(error as Error).message}`);
    }
  }
  const tokenizer = options.get('tokenizer');
  const opened = await openSource(
    input,
    typeof tokenizer === 'string' ? tokenizer : undefined,
    contextLength,
  );
  const partial = `${output}.part-${process.pid}`;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const progress = new Progress({
    stream: ctx.stderr,
    label: `quantizing to ${fileType}`,
    totalBytes: opened.sizeBytes,
    now: ctx.now,
  });
  try {
    let doneBytes = 0;
    const quantized = await quantizeModel(opened.source, {
      fileType,
      fallback,
      pure: options.has('pure'),
      imatrix,
      outliers,
      onTensor: (report) => {
        doneBytes += report.bytesBefore;
        progress.update(doneBytes);
      },
    });
    if (imatrix) {
      const used = quantized.plan.tensors.filter((t) => t.quantized && imatrix.has(t.name)).length;
      if (used === 0) {
        throw new UsageError(
          `imatrix '${String(imatrixPath)}' has no entry for any tensor of '${input}'`,
        );
      }
    }
    try {
      handle = await open(partial, 'w');
    } catch (error) {
      throw fileError('cannot write', output, error);
    }
    let written = 0;
    for await (const chunk of writeGgufChunks(quantized.output)) {
      await handle.write(chunk);
      written += chunk.length;
    }
    await handle.close();
    handle = undefined;
    await rename(partial, output);
    progress.done();
    const reports = quantized.reports;
    const params = reports.reduce((n, r) => n + r.dims.reduce((a, b) => a * b, 1), 0);
    const dataBefore = reports.reduce((n, r) => n + r.bytesBefore, 0);
    const dataAfter = reports.reduce((n, r) => n + r.bytesAfter, 0);
    const outlierBytes = reports.reduce((n, r) => n + (r.outlierBytes ?? 0), 0);
    if (options.has('json')) {
      await ctx.out.line(
        JSON.stringify({
          input,
          output,
          fileType,
          fileTypeId: quantized.plan.fileTypeId,
          fileBytes: written,
          inputBytes: opened.sizeBytes,
          parameters: params,
          bitsPerWeight: (dataAfter * 8) / params,
          outlierBytes,
          tensors: reports,
        }),
      );
      return 0;
    }
    await ctx.out.line(tensorTable(reports));
    await ctx.out.line('');
    await ctx.out.line(`input   ${input} (${opened.format}), ${humanBytes(opened.sizeBytes)}`);
    await ctx.out.line(
      `output  ${output}: ${fileType}, ${written} bytes (${humanBytes(written)}), ` +
        `${((written * 8) / params).toFixed(2)} bits per weight for the file, ` +
        `${((dataAfter * 8) / params).toFixed(3)} for the tensor data ` +
        `(${humanBytes(dataBefore)} → ${humanBytes(dataAfter)})`,
    );
    if (outliers) {
      await ctx.out.line(
        `outliers ${reports.reduce((n, r) => n + (r.outliers ?? 0), 0)} values in side tables, ${humanBytes(outlierBytes)}`,
      );
    }
    return 0;
  } catch (error) {
    progress.done();
    await handle?.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  } finally {
    await opened.close();
  }
}
