import type { Writable } from 'node:stream';
import { type Histogram, histogram, type TensorStats, tensorStats } from '@explorables/quant';
import type { GgufArrayValue, GgufValue } from '@explorables/weights';
import { parseArgs, parsePositiveInteger } from '../args.ts';
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { humanBytes } from '../format.ts';
import { isTty, Progress } from '../progress.ts';
import { closeNames, type ModelFile, type ModelTensor, openModelFile } from './model-file.ts';

/** Usage text of `explorables inspect --help`. */
export const INSPECT_HELP = `explorables inspect: what is in a model file; how its weights are spread.

Usage:
  explorables inspect MODEL [--json] [--no-stats]
  explorables inspect MODEL --tensor NAME [--bins N] [--log] [--ascii] [--json]

MODEL is a GGUF file, a safetensors file or a llama2.c checkpoint; the kind is told by the
content ("GGUF" magic; an 8-byte header length then '{'; else llama2.c, whose legacy layout
has no magic). GGUF and safetensors are read lazily (the header, then one tensor at a time);
a llama2.c checkpoint is read whole.

Prints the metadata (GGUF: every key with its type; long arrays abbreviated), then one row per
tensor: name, type, shape, bytes and the statistics of its values (quantized GGUF tensors are
dequantized first): min, max, mean, std, kurtosis (Pearson: 3 for a normal distribution,
larger for heavy tails) and >6σ, the count of values more than 6 standard deviations from the
mean. Last, the totals: tensors, parameters, bytes and bits per weight.

Shapes are listed as the file stores them: GGUF puts ne0 (the contiguous dimension) first,
safetensors and llama2.c the outermost dimension first. llama2.c tensors are named as
llama.cpp's converter names them in GGUF (blk.0.attn_q.weight, blk.0.ffn_down.weight,
token_embd.weight …), with llama2.c's own name (wq[0], w2[0] …) in a second column; either
name works with --tensor. The legacy freq_cis tables are listed apart: they are not weights.

Options:
  --tensor NAME   only this tensor: its statistics and a histogram of its values
  --bins N        histogram bins (default 32, at most 1000)
  --log           histogram bars on a log scale (helps with heavy tails)
  --ascii         draw bars with '#' instead of block characters
  --no-stats      list tensors without reading their data (fast on huge files)
  --json          print one JSON object (64-bit integers as strings, NaN as null,
                  metadata arrays cut to their first 64 items with "truncated": true)

Examples:
  explorables inspect stories260K.bin
  explorables inspect model.gguf --no-stats
  explorables inspect model.gguf --tensor blk.0.ffn_down.weight --log
  explorables inspect model.safetensors --json
`;

const OPTIONS = {
  tensor: { kind: 'string' },
  bins: { kind: 'string' },
  log: { kind: 'boolean' },
  ascii: { kind: 'boolean' },
  'no-stats': { kind: 'boolean' },
  json: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const;

const DEFAULT_BINS = 32;
const MAX_BINS = 1000;
const JSON_ARRAY_ITEMS = 64;
const DEFAULT_BAR_WIDTH = 60;

/**
 * `explorables inspect MODEL [--tensor NAME] [--json]`: prints a model file's metadata, its
 * tensors with statistics and totals, or one tensor's statistics and histogram; resolves to the
 * exit code.
 * @example await inspect(['stories260K.bin'], ctx) // prints the table, returns 0
 */
export async function inspect(argv: readonly string[], ctx: Context): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, 'explorables inspect');
  if (options.has('help')) {
    await ctx.out.line(INSPECT_HELP.trimEnd());
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'inspect needs a model file: explorables inspect MODEL [--tensor NAME] [--json]'
        : `inspect takes one model file, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const binsText = options.get('bins');
  const bins = typeof binsText === 'string' ? parsePositiveInteger('--bins', binsText) : undefined;
  if (bins !== undefined && bins > MAX_BINS) {
    throw new UsageError(`--bins must be at most ${MAX_BINS}, got '${binsText}'`);
  }
  const tensorName = options.get('tensor');
  if (typeof tensorName !== 'string') {
    for (const flag of ['bins', 'log', 'ascii'] as const) {
      if (options.has(flag)) throw new UsageError(`--${flag} needs --tensor NAME (a histogram)`);
    }
  }
  const model = await openModelFile(positionals[0]);
  try {
    if (typeof tensorName === 'string') {
      await inspectTensor(model, tensorName, ctx, {
        bins: bins ?? DEFAULT_BINS,
        log: options.has('log'),
        ascii: options.has('ascii'),
        json: options.has('json'),
      });
    } else {
      await inspectModel(model, ctx, {
        json: options.has('json'),
        stats: !options.has('no-stats'),
      });
    }
  } finally {
    await model.close();
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Whole model

interface TensorReport {
  tensor: ModelTensor;
  stats: TensorStats | null;
  /** Why there are no statistics (not decodable, or --no-stats), or null. */
  statsProblem: string | null;
}

async function inspectModel(
  model: ModelFile,
  ctx: Context,
  opts: { json: boolean; stats: boolean },
): Promise<void> {
  const reports = await collectStats(model, ctx, opts.stats);
  const totals = totalsOf(model.tensors);
  const metadata = metadataRows(model);
  if (opts.json) {
    await ctx.out.line(
      toJson({
        path: model.path,
        kind: model.kind,
        format: model.format,
        fileSizeBytes: model.sizeBytes,
        metadata: metadata.map((m) => m.json),
        tensors: reports.map(tensorJson),
        totals,
      }),
    );
    return;
  }
  const lines: string[] = [];
  lines.push(`file    ${model.path}`);
  lines.push(`format  ${model.format}`);
  lines.push(`size    ${model.sizeBytes} bytes (${humanBytes(model.sizeBytes)})`);
  lines.push('');
  lines.push(`metadata (${metadata.length} ${metadata.length === 1 ? 'entry' : 'entries'})`);
  if (metadata.length > 0) {
    lines.push(
      ...alignRows(
        metadata.map((m) => [`  ${m.key}`, m.type, m.text]),
        [false, false, false],
      ),
    );
  }
  lines.push('');
  const weights = reports.filter((r) => r.tensor.isWeight);
  const others = reports.filter((r) => !r.tensor.isWeight);
  lines.push(`tensors (${weights.length})`);
  lines.push(...tensorTable(weights, opts.stats));
  if (others.length > 0) {
    lines.push('');
    lines.push(`not weights (${others.length}), left out of the totals`);
    lines.push(...tensorTable(others, opts.stats));
  }
  lines.push('');
  lines.push(
    `total  ${totals.tensors} tensors, ${grouped(totals.parameters)} parameters, ` +
      `${grouped(totals.sizeBytes)} bytes (${humanBytes(totals.sizeBytes)}), ` +
      `${totals.bitsPerWeight === null ? 'n/a' : totals.bitsPerWeight.toFixed(2)} bits per weight`,
  );
  const skipped = reports.filter((r) => opts.stats && r.statsProblem !== null);
  for (const r of skipped)
    lines.push(`note: no statistics for ${r.tensor.name}: ${r.statsProblem}`);
  for (const line of lines) await ctx.out.line(line);
}

async function collectStats(
  model: ModelFile,
  ctx: Context,
  wanted: boolean,
): Promise<TensorReport[]> {
  if (!wanted) {
    return model.tensors.map((tensor) => ({ tensor, stats: null, statsProblem: 'not computed' }));
  }
  const decodable = model.tensors.filter((t) => t.decodeProblem === null);
  const totalBytes = decodable.reduce((sum, t) => sum + t.sizeBytes, 0);
  const progress = new Progress({
    stream: ctx.stderr,
    label: 'reading tensors',
    totalBytes,
    now: ctx.now,
  });
  const reports: TensorReport[] = [];
  let doneBytes = 0;
  try {
    for (const tensor of model.tensors) {
      if (tensor.decodeProblem !== null) {
        reports.push({ tensor, stats: null, statsProblem: tensor.decodeProblem });
        continue;
      }
      const values = await model.readFloat32(tensor);
      reports.push({ tensor, stats: tensorStats(values), statsProblem: null });
      doneBytes += tensor.sizeBytes;
      progress.update(doneBytes);
    }
  } finally {
    progress.done();
  }
  return reports;
}

/** Totals over the weights (not the llama2.c freq_cis tables). */
interface Totals {
  tensors: number;
  parameters: number;
  sizeBytes: number;
  bitsPerWeight: number | null;
}

function totalsOf(tensors: readonly ModelTensor[]): Totals {
  let count = 0;
  let parameters = 0;
  let sizeBytes = 0;
  for (const t of tensors) {
    if (!t.isWeight) continue;
    count++;
    parameters += t.elementCount;
    sizeBytes += t.sizeBytes;
  }
  return {
    tensors: count,
    parameters,
    sizeBytes,
    bitsPerWeight: parameters > 0 ? (sizeBytes * 8) / parameters : null,
  };
}

function tensorTable(reports: readonly TensorReport[], withStats: boolean): string[] {
  const hasSource = reports.some((r) => r.tensor.sourceName !== null);
  const hasNote = reports.some((r) => r.tensor.note !== null);
  const header = ['  name'];
  if (hasSource) header.push('llama2.c');
  header.push('type', 'shape', 'bytes');
  if (withStats) header.push('min', 'max', 'mean', 'std', 'kurt', '>6σ');
  if (hasNote) header.push('note');
  const right = header.map((h) =>
    ['bytes', 'min', 'max', 'mean', 'std', 'kurt', '>6σ'].includes(h),
  );
  const rows = reports.map((r) => {
    const t = r.tensor;
    const row = [`  ${t.name}`];
    if (hasSource) row.push(t.sourceName ?? '');
    row.push(t.type, `[${t.shape.join(', ')}]`, String(t.sizeBytes));
    if (withStats) {
      const s = r.stats;
      if (s === null) row.push('-', '-', '-', '-', '-', '-');
      else {
        row.push(num(s.min), num(s.max), num(s.mean), num(s.std), num(s.kurtosis));
        row.push(String(s.countBeyond6Sigma));
      }
    }
    if (hasNote) row.push(t.note ?? '');
    return row;
  });
  return alignRows([header, ...rows], right);
}

// ---------------------------------------------------------------------------------------------
// One tensor

async function inspectTensor(
  model: ModelFile,
  name: string,
  ctx: Context,
  opts: { bins: number; log: boolean; ascii: boolean; json: boolean },
): Promise<void> {
  const tensor = model.tensor(name);
  if (tensor === undefined) {
    const close = closeNames(model.tensors, name, 5);
    throw new UsageError(
      `no tensor '${name}' in '${model.path}' (${model.tensors.length} tensors); ` +
        `close names: ${close.join(', ')}`,
    );
  }
  if (tensor.decodeProblem !== null) {
    throw new UsageError(`cannot read tensor '${tensor.name}': ${tensor.decodeProblem}`);
  }
  const values = await model.readFloat32(tensor);
  const stats = tensorStats(values);
  const hist = histogram(values, { bins: opts.bins });
  if (opts.json) {
    await ctx.out.line(
      toJson({
        path: model.path,
        kind: model.kind,
        format: model.format,
        tensor: tensorJson({ tensor, stats, statsProblem: null }),
        histogram: {
          bins: opts.bins,
          edges: Array.from(hist.edges),
          counts: Array.from(hist.counts),
          underflow: hist.underflow,
          overflow: hist.overflow,
          nanCount: hist.nanCount,
        },
      }),
    );
    return;
  }
  const rows: [string, string][] = [['tensor', tensor.name]];
  if (tensor.sourceName !== null) rows.push(['llama2.c name', tensor.sourceName]);
  rows.push(
    ['type', tensor.type],
    ['shape', `[${tensor.shape.join(', ')}]`],
    ['values', grouped(tensor.elementCount)],
    ['bytes', `${tensor.sizeBytes} (${humanBytes(tensor.sizeBytes)})`],
    [
      'bits per weight',
      tensor.elementCount > 0 ? ((tensor.sizeBytes * 8) / tensor.elementCount).toFixed(2) : 'n/a',
    ],
  );
  if (tensor.note !== null) rows.push(['note', tensor.note]);
  rows.push(
    ['min', num(stats.min)],
    ['max', num(stats.max)],
    ['mean', num(stats.mean)],
    ['std', num(stats.std)],
    ['kurtosis', `${num(stats.kurtosis)} (3 for a normal distribution)`],
    ['|x - mean| > 6σ', String(stats.countBeyond6Sigma)],
  );
  if (stats.nanCount > 0) rows.push(['NaN', String(stats.nanCount)]);
  if (stats.infCount > 0) rows.push(['±Infinity', String(stats.infCount)]);
  for (const line of alignRows(rows, [false, false])) await ctx.out.line(line);
  await ctx.out.line('');
  const stdout = (ctx as Partial<{ stdout: Writable }>).stdout;
  const columns = stdout !== undefined && isTty(stdout) ? terminalColumns(stdout) : undefined;
  for (const line of renderHistogram(hist, { log: opts.log, ascii: opts.ascii, columns })) {
    await ctx.out.line(line);
  }
}

function terminalColumns(stream: Writable): number | undefined {
  const columns = (stream as { columns?: number }).columns;
  return typeof columns === 'number' && columns > 0 ? columns : undefined;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * Draws a histogram as one labelled line per bin: `[lo, hi)  bar  count`. Bars are `barWidth`
 * (60, or what fits in `columns`) at the largest count, in block characters with eighth-width
 * partials or in '#'; a non-empty bin shows at least a sliver. With `log`, bar length follows
 * log(1 + count).
 * @example renderHistogram(histogram([1, 2, 2], { bins: 2 }), { log: false, ascii: true })
 */
export function renderHistogram(
  hist: Histogram,
  opts: { log: boolean; ascii: boolean; columns?: number },
): string[] {
  const bins = hist.counts.length;
  const format = edgeFormatter(hist.edges);
  const edgeTexts = Array.from(hist.edges, format);
  const edgeWidth = Math.max(...edgeTexts.map((e) => e.length));
  const labels: string[] = [];
  for (let i = 0; i < bins; i++) {
    const close = i === bins - 1 ? ']' : ')';
    const lo = edgeTexts[i].padStart(edgeWidth);
    labels.push(`[${lo}, ${edgeTexts[i + 1].padStart(edgeWidth)}${close}`);
  }
  const labelWidth = Math.max(...labels.map((l) => l.length));
  let maxCount = 0;
  for (const c of hist.counts) maxCount = Math.max(maxCount, c);
  const countWidth = String(maxCount).length;
  const fixed = 2 + labelWidth + 2 + 1 + countWidth;
  const barWidth =
    opts.columns === undefined ? DEFAULT_BAR_WIDTH : Math.max(10, opts.columns - fixed - 1);
  const scale = (c: number) =>
    maxCount === 0 ? 0 : opts.log ? Math.log1p(c) / Math.log1p(maxCount) : c / maxCount;
  const width = (hist.edges[bins] - hist.edges[0]) / bins;
  const scaleText = opts.log ? 'log(1 + count)' : 'proportional to the count';
  const lines = [`histogram: ${bins} bins of width ${num(width)}, bar length ${scaleText}`];
  for (let i = 0; i < bins; i++) {
    const c = hist.counts[i];
    const bar = drawBar(scale(c) * barWidth, c > 0, opts.ascii);
    const count = String(c).padStart(countWidth);
    lines.push(`  ${labels[i].padEnd(labelWidth)}  ${bar.padEnd(barWidth)} ${count}`);
  }
  if (hist.underflow > 0) lines.push(`  below ${format(hist.edges[0])}: ${hist.underflow}`);
  if (hist.overflow > 0) lines.push(`  above ${format(hist.edges[bins])}: ${hist.overflow}`);
  if (hist.nanCount > 0) lines.push(`  NaN (in no bin): ${hist.nanCount}`);
  return lines;
}

function drawBar(length: number, nonEmpty: boolean, ascii: boolean): string {
  if (ascii) {
    const n = Math.round(length);
    return '#'.repeat(n === 0 && nonEmpty ? 1 : n);
  }
  const eighths = Math.round(length * 8);
  if (eighths === 0) return nonEmpty ? EIGHTHS[1] : '';
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** Formats bin edges with just enough digits that neighbouring edges differ. */
function edgeFormatter(edges: Float64Array): (x: number) => string {
  const bins = edges.length - 1;
  const width = (edges[bins] - edges[0]) / bins;
  const magnitude = Math.max(Math.abs(edges[0]), Math.abs(edges[bins]));
  if (magnitude >= 1e6 || (width > 0 && width < 1e-5)) {
    const digits = Math.min(12, Math.max(3, Math.ceil(Math.log10(magnitude / width)) + 2));
    return (x) => x.toExponential(digits - 1);
  }
  const decimals = width > 0 ? Math.min(10, Math.max(0, Math.ceil(-Math.log10(width)) + 1)) : 4;
  return (x) => (Object.is(x, -0) ? 0 : x).toFixed(decimals);
}

// ---------------------------------------------------------------------------------------------
// Metadata

interface MetadataRow {
  key: string;
  type: string;
  text: string;
  json: Record<string, unknown>;
}

const SHORT_TYPE: Readonly<Record<string, string>> = {
  uint8: 'u8',
  int8: 'i8',
  uint16: 'u16',
  int16: 'i16',
  uint32: 'u32',
  int32: 'i32',
  uint64: 'u64',
  int64: 'i64',
  float32: 'f32',
  float64: 'f64',
  bool: 'bool',
  string: 'str',
  array: 'arr',
};

function metadataRows(model: ModelFile): MetadataRow[] {
  if (model.kind === 'gguf') {
    return model.gguf.metadata.map(({ key, value }) => ({
      key,
      type: value.type === 'array' ? `arr[${SHORT_TYPE[value.itemType]}]` : SHORT_TYPE[value.type],
      text: valueText(value),
      json: { key, ...valueJson(value) },
    }));
  }
  if (model.kind === 'safetensors') {
    const meta = model.safetensors.metadata ?? {};
    return Object.entries(meta).map(([key, value]) => ({
      key,
      type: 'str',
      text: quoted(value),
      json: { key, type: 'string', value },
    }));
  }
  const ckpt = model.llama2c;
  const c = ckpt.config;
  const rows: [string, number | boolean][] = [
    ['version', ckpt.version],
    ['dim', c.dim],
    ['hidden_dim', c.hiddenDim],
    ['n_layers', c.nLayers],
    ['n_heads', c.nHeads],
    ['n_kv_heads', c.nKvHeads],
    ['vocab_size', c.vocabSize],
    ['seq_len', c.seqLen],
    ['shared_classifier', c.sharedClassifier],
  ];
  if (ckpt.version === 0) rows.push(['legacy_freq_cis_tables', ckpt.legacyRope]);
  if (ckpt.version === 2) rows.push(['group_size', ckpt.groupSize]);
  return rows.map(([key, value]) => ({
    key,
    type: typeof value === 'boolean' ? 'bool' : 'i32',
    text: String(value),
    json: { key, type: typeof value === 'boolean' ? 'bool' : 'int32', value },
  }));
}

const TEXT_ARRAY_WIDTH = 60;
const TEXT_STRING_CHARS = 80;

function quoted(s: string): string {
  const text = JSON.stringify(s.length > TEXT_STRING_CHARS ? s.slice(0, TEXT_STRING_CHARS) : s);
  return s.length > TEXT_STRING_CHARS ? `${text}… (${s.length} chars)` : text;
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return quoted(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return String(v);
}

function itemsOf(value: GgufArrayValue): unknown[] {
  return Array.from(value.value as ArrayLike<unknown>);
}

function valueText(value: GgufValue): string {
  if (value.type !== 'array') return scalarText(value.value);
  const items = itemsOf(value);
  const head = `[${SHORT_TYPE[value.itemType]} × ${items.length}`;
  if (items.length === 0) return `${head}]`;
  const parts: string[] = [];
  let used = head.length + 2;
  for (const item of items) {
    const text = value.itemType === 'array' ? valueText(item as GgufArrayValue) : scalarText(item);
    if (parts.length > 0 && used + text.length + 2 > TEXT_ARRAY_WIDTH) break;
    parts.push(text);
    used += text.length + 2;
  }
  const more = parts.length < items.length ? ', …' : '';
  return `${head}: ${parts.join(', ')}${more}]`;
}

function valueJson(value: GgufValue): Record<string, unknown> {
  if (value.type !== 'array') return { type: value.type, value: value.value };
  const items = itemsOf(value);
  const kept = items.slice(0, JSON_ARRAY_ITEMS);
  return {
    type: 'array',
    itemType: value.itemType,
    length: items.length,
    value:
      value.itemType === 'array' ? kept.map((item) => valueJson(item as GgufArrayValue)) : kept,
    truncated: items.length > JSON_ARRAY_ITEMS,
  };
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

function tensorJson(r: TensorReport): Record<string, unknown> {
  const t = r.tensor;
  const s = r.stats;
  return {
    name: t.name,
    sourceName: t.sourceName,
    type: t.type,
    shape: t.shape,
    elementCount: t.elementCount,
    sizeBytes: t.sizeBytes,
    offsetBytes: t.offsetBytes,
    isWeight: t.isWeight,
    note: t.note,
    stats:
      s === null
        ? null
        : {
            count: s.count,
            min: s.min,
            max: s.max,
            absMax: s.absMax,
            mean: s.mean,
            std: s.std,
            kurtosis: s.kurtosis,
            excessKurtosis: s.excessKurtosis,
            countBeyond6Sigma: s.countBeyond6Sigma,
            nanCount: s.nanCount,
            infCount: s.infCount,
          },
    statsProblem: r.statsProblem,
  };
}

/** JSON with bigints as strings (NaN and ±Infinity become null, as JSON.stringify does). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v));
}

/** A number in 4 significant digits, scientific when very small or large; '-' for NaN. */
function num(x: number): string {
  if (Number.isNaN(x)) return '-';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(3).replace(/\.?0+e/, 'e');
}

/** An integer with thousands separators: 260,032. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Pads columns to equal width (two spaces apart), right-aligning where `right` says. */
function alignRows(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && !right[i]) return cell;
        return right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd(),
  );
}
