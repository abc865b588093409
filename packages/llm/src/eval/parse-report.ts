/**
 * Reads the numbers out of a `llama-perplexity` log (perplexity or KLD run), for comparing an
 * engine's results with llama.cpp's. Values stay in the units printed (percent where llama.cpp
 * prints '%').
 */

/** A printed value and its printed uncertainty. */
export interface PrintedValueWithError {
  value: number;
  err: number;
}

/** One row of the per-chunk KLD table, as printed. */
export interface ParsedKldRow {
  chunk: number;
  ppl: PrintedValueWithError;
  lnPplRatio: PrintedValueWithError;
  kld: PrintedValueWithError;
  /** RMS Δp, percent. */
  rmsDeltaPPercent: PrintedValueWithError;
  /** Same top p, percent. */
  sameTopPercent: PrintedValueWithError;
}

/** One "label: value" line of a percentile block, in print order (duplicates kept). */
export interface ParsedStatLine {
  /** The label with padding trimmed: 'Maximum', '99.9%', 'Median', '5.0%', 'Minimum'. */
  label: string;
  value: number;
}

/** Everything {@link parseLlamaCppReport} finds; absent parts are undefined or empty. */
export interface LlamaCppReport {
  /** From "calculating perplexity over N chunks, n_ctx=C" (perplexity runs only). */
  nChunks?: number;
  nCtx?: number;
  /** The running estimates "[1]x,[2]y,…", index i-1 for "[i]". */
  runningPpl: number[];
  /** "Final estimate: PPL = X +/- Y". */
  finalEstimate?: { ppl: number; stdErr: number };
  /** The per-chunk KLD table. */
  kldRows: ParsedKldRow[];
  /** "====== Perplexity statistics ======". */
  perplexityStatistics?: {
    meanPplQ: PrintedValueWithError;
    meanPplBase: PrintedValueWithError;
    /** Cor(ln(PPL(Q)), ln(PPL(base))), percent. */
    corPercent: number;
    meanLnPplRatio: PrintedValueWithError;
    meanPplRatio: PrintedValueWithError;
    meanPplDiff: PrintedValueWithError;
  };
  /** "====== KL divergence statistics ======" (nats). */
  kldStatistics?: {
    mean: PrintedValueWithError;
    /** Maximum, percentiles, Median, Minimum in print order. */
    lines: ParsedStatLine[];
    /** The same lines by label (first occurrence). */
    byLabel: Record<string, number>;
  };
  /** "====== Token probability statistics ======" (percent). */
  tokenProbabilityStatistics?: {
    meanPercent: PrintedValueWithError;
    lines: ParsedStatLine[];
    byLabel: Record<string, number>;
    rmsPercent: PrintedValueWithError;
    sameTopPercent: PrintedValueWithError;
  };
}

const NUM = String.raw`(-?(?:\d+(?:\.\d*)?|nan|inf))`;
const PM = String.raw`\s*${NUM} ±\s*${NUM}`;
const RUNNING = new RegExp(String.raw`\[(\d+)\]${NUM},`, 'g');
const FINAL = new RegExp(String.raw`^Final estimate: PPL = ${NUM} \+/- ${NUM}\s*$`);
const OVER = /calculating perplexity over (\d+) chunks, n_ctx=(\d+)/;
const ROW = new RegExp(
  String.raw`^\s*(\d+)\s+${NUM} ±\s+${NUM}\s+${NUM} ±\s+${NUM}\s+${NUM} ±\s+${NUM}` +
    String.raw`\s+${NUM} ±\s+${NUM} %\s+${NUM} ±\s+${NUM} %\s*$`,
);
const PPL_STAT = new RegExp(String.raw`^(Mean [^:]+?)\s*:${PM}\s*$`);
const COR = new RegExp(String.raw`^Cor\(ln\(PPL\(Q\)\), ln\(PPL\(base\)\)\):\s*${NUM}%\s*$`);
const KLD_MEAN = new RegExp(String.raw`^Mean    KLD:${PM}\s*$`);
const KLD_LINE = new RegExp(String.raw`^(.{7}) KLD:\s*${NUM}\s*$`);
const DP_MEAN = new RegExp(String.raw`^Mean    Δp:${PM} %\s*$`);
const DP_LINE = new RegExp(String.raw`^(.{7}) Δp:\s*${NUM}%\s*$`);
const DP_RMS = new RegExp(String.raw`^RMS Δp    :${PM} %\s*$`);
const SAME_TOP = new RegExp(String.raw`^Same top p:${PM} %\s*$`);

function num(s: string): number {
  if (s === 'nan' || s === '-nan') return Number.NaN;
  if (s === 'inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}

function pm(a: string, b: string): PrintedValueWithError {
  return { value: num(a), err: num(b) };
}

/**
 * Parses a llama-perplexity log (stdout and stderr together, as in the reference .txt files).
 * Throws when the running "[i]" indices skip or a statistics block is incomplete, naming the line.
 * @example parseLlamaCppReport(text).finalEstimate // { ppl: 6.5099, stdErr: 0.06396 }
 */
export function parseLlamaCppReport(text: string): LlamaCppReport {
  const report: LlamaCppReport = { runningPpl: [], kldRows: [] };
  const lines = text.split(/\r?\n/);
  const pplStats = new Map<string, PrintedValueWithError>();
  let cor: number | undefined;
  const kldLines: ParsedStatLine[] = [];
  const dpLines: ParsedStatLine[] = [];
  let kldMean: PrintedValueWithError | undefined;
  let dpMean: PrintedValueWithError | undefined;
  let dpRms: PrintedValueWithError | undefined;
  let sameTop: PrintedValueWithError | undefined;

  const handlers: Array<[RegExp, (m: RegExpExecArray) => void]> = [
    [FINAL, (m) => (report.finalEstimate = { ppl: num(m[1]), stdErr: num(m[2]) })],
    [
      OVER,
      (m) => {
        report.nChunks = Number(m[1]);
        report.nCtx = Number(m[2]);
      },
    ],
    [
      ROW,
      (m) =>
        report.kldRows.push({
          chunk: Number(m[1]),
          ppl: pm(m[2], m[3]),
          lnPplRatio: pm(m[4], m[5]),
          kld: pm(m[6], m[7]),
          rmsDeltaPPercent: pm(m[8], m[9]),
          sameTopPercent: pm(m[10], m[11]),
        }),
    ],
    [KLD_MEAN, (m) => (kldMean = pm(m[1], m[2]))],
    [PPL_STAT, (m) => pplStats.set(m[1], pm(m[2], m[3]))],
    [COR, (m) => (cor = num(m[1]))],
    [KLD_LINE, (m) => kldLines.push({ label: m[1].trim(), value: num(m[2]) })],
    [DP_MEAN, (m) => (dpMean = pm(m[1], m[2]))],
    [DP_LINE, (m) => dpLines.push({ label: m[1].trim(), value: num(m[2]) })],
    [DP_RMS, (m) => (dpRms = pm(m[1], m[2]))],
    [SAME_TOP, (m) => (sameTop = pm(m[1], m[2]))],
  ];

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line.startsWith('[1]')) {
      for (const hit of line.matchAll(RUNNING)) {
        const index = Number(hit[1]);
        if (index !== report.runningPpl.length + 1) {
          throw new Error(
            `line ${n + 1}: running estimate [${index}] follows [${report.runningPpl.length}]`,
          );
        }
        report.runningPpl.push(num(hit[2]));
      }
      continue;
    }
    for (const [pattern, handle] of handlers) {
      const m = pattern.exec(line);
      if (m !== null) {
        handle(m);
        break;
      }
    }
  }

  if (pplStats.size > 0 || cor !== undefined) {
    const need = (label: string): PrintedValueWithError => {
      const v = pplStats.get(label);
      if (v === undefined) throw new Error(`Perplexity statistics: the line '${label}' is missing`);
      return v;
    };
    if (cor === undefined) throw new Error('Perplexity statistics: the Cor(...) line is missing');
    report.perplexityStatistics = {
      meanPplQ: need('Mean PPL(Q)'),
      meanPplBase: need('Mean PPL(base)'),
      corPercent: cor,
      meanLnPplRatio: need('Mean ln(PPL(Q)/PPL(base))'),
      meanPplRatio: need('Mean PPL(Q)/PPL(base)'),
      meanPplDiff: need('Mean PPL(Q)-PPL(base)'),
    };
  }
  if (kldMean !== undefined || kldLines.length > 0) {
    if (kldMean === undefined) throw new Error('KL divergence statistics: "Mean KLD" is missing');
    report.kldStatistics = { mean: kldMean, lines: kldLines, byLabel: byLabel(kldLines) };
  }
  if (dpMean !== undefined || dpLines.length > 0 || dpRms !== undefined) {
    if (dpMean === undefined || dpRms === undefined || sameTop === undefined) {
      throw new Error(
        'Token probability statistics: "Mean Δp", "RMS Δp" or "Same top p" is missing',
      );
    }
    report.tokenProbabilityStatistics = {
      meanPercent: dpMean,
      lines: dpLines,
      byLabel: byLabel(dpLines),
      rmsPercent: dpRms,
      sameTopPercent: sameTop,
    };
  }
  return report;
}

function byLabel(lines: ParsedStatLine[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { label, value } of lines) if (!(label in out)) out[label] = value;
  return out;
}
