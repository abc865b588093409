/**
 * Text and JSON forms of perplexity / KLD results, laid out as llama.cpp's `llama-perplexity`
 * prints them (same printf formats, see ./printf.ts for the rounding rules).
 */

import type { KldChunkRow, KldResult, KldSummary } from './kl-divergence.ts';
import type { PerplexityResult } from './perplexity.ts';
import { formatFixed as F, formatInt } from './printf.ts';

/** The header llama.cpp prints before every chunk row of a KLD run. */
export const KLD_TABLE_HEADER =
  'chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence' +
  '              Δp RMS            Same top p';

/**
 * Which llama.cpp build's KLD percentile lines to print: 'c392e50' (Feb 2025, the build behind
 * /work/shared/reference/llamacpp-ppl: prints 99.0% twice and no 95/90/0.1% lines) or 'upstream'
 * (99.9, 99, 95, 90, median, 10, 5, 1, 0.1).
 */
export type KldReportLayout = 'c392e50' | 'upstream';

/**
 * The stdout part of a perplexity run: the running estimates "[1]x,[2]y,…," on one line, then
 * "Final estimate: PPL = %.4lf +/- %.5lf" (or llama.cpp's error line when the variance is not
 * positive).
 * @example formatPerplexityReport(r) // '[1]13.8059,[2]6.6622,\nFinal estimate: PPL = …\n'
 */
export function formatPerplexityReport(
  result: Pick<PerplexityResult, 'runningPpl' | 'ppl' | 'pplStdErr'>,
): string {
  let line = '';
  for (let i = 0; i < result.runningPpl.length; i++) {
    line += `[${i + 1}]${F(result.runningPpl[i], 4)},`;
  }
  const final = Number.isNaN(result.pplStdErr)
    ? 'Unexpected negative standard deviation of log(prob)'
    : `Final estimate: PPL = ${F(result.ppl, 4)} +/- ${F(result.pplStdErr, 5)}`;
  return `${line}\n${final}\n`;
}

/**
 * One row of llama.cpp's KLD table (without the newline).
 * @example formatKldChunkRow(row) // '   1      16.4482 ±    6.9324       0.41028 ± …'
 */
export function formatKldChunkRow(row: KldChunkRow): string {
  return (
    formatInt(row.chunk, 4) +
    `    ${F(row.ppl.value, 4, 9)} ± ${F(row.ppl.err, 4, 9)}` +
    `    ${F(row.lnPplRatio.value, 5, 10)} ± ${F(row.lnPplRatio.err, 5, 10)}` +
    `    ${F(row.kld.value, 5, 10)} ± ${F(row.kld.err, 5, 10)}` +
    `    ${F(100.0 * row.rmsDeltaP.value, 3, 6)} ± ${F(100.0 * row.rmsDeltaP.err, 3, 6)} %` +
    `    ${F(100.0 * row.sameTop.value, 3, 6)} ± ${F(100.0 * row.sameTop.err, 3, 6)} %`
  );
}

/**
 * The three statistics blocks llama.cpp prints at the end of a KLD run, one string with a trailing
 * newline.
 * @example formatKldSummary(summary).split('\n')[0] // '====== Perplexity statistics ======'
 */
export function formatKldSummary(s: KldSummary, layout: KldReportLayout = 'c392e50'): string {
  const pm = (v: { value: number; err: number }) => `${F(v.value, 6, 10)} ± ${F(v.err, 6, 10)}`;
  const k = s.kldDistribution;
  const d = s.deltaPDistribution;
  const kl = (label: string, v: number) => `${label} KLD: ${F(v, 6, 10)}`;
  const dp = (label: string, v: number) => `${label} Δp: ${F(100.0 * v, 3, 6)}%`;
  const kldLines =
    layout === 'c392e50'
      ? [kl('99.9%  ', k.p999), kl('99.0%  ', k.p99), kl('99.0%  ', k.p99)]
      : [kl('99.9%  ', k.p999), kl('99.0%  ', k.p99), kl('95.0%  ', k.p95), kl('90.0%  ', k.p90)];
  const kldLow =
    layout === 'c392e50'
      ? [kl('10.0%  ', k.p10), kl(' 5.0%  ', k.p05), kl(' 1.0%  ', k.p01)]
      : [kl('10.0%  ', k.p10), kl(' 5.0%  ', k.p05), kl(' 1.0%  ', k.p01), kl(' 0.1%  ', k.p001)];
  const lines = [
    '====== Perplexity statistics ======',
    `Mean PPL(Q)                   : ${pm(s.pplQ)}`,
    `Mean PPL(base)                : ${pm(s.pplBase)}`,
    `Cor(ln(PPL(Q)), ln(PPL(base))): ${F(100.0 * s.corLnPpl, 2, 6)}%`,
    `Mean ln(PPL(Q)/PPL(base))     : ${pm(s.lnPplRatio)}`,
    `Mean PPL(Q)/PPL(base)         : ${pm(s.pplRatio)}`,
    `Mean PPL(Q)-PPL(base)         : ${pm(s.pplDiff)}`,
    '',
    '====== KL divergence statistics ======',
    `Mean    KLD: ${pm(s.kld)}`,
    kl('Maximum', k.max),
    ...kldLines,
    kl('Median ', k.median),
    ...kldLow,
    kl('Minimum', k.min),
    '',
    '====== Token probability statistics ======',
    `Mean    Δp: ${F(100.0 * s.deltaP.value, 3, 6)} ± ${F(100.0 * s.deltaP.err, 3, 5)} %`,
    dp('Maximum', d.max),
    dp('99.9%  ', d.p999),
    dp('99.0%  ', d.p99),
    dp('95.0%  ', d.p95),
    dp('90.0%  ', d.p90),
    dp('75.0%  ', d.p75),
    dp('Median ', d.median),
    dp('25.0%  ', d.p25),
    dp('10.0%  ', d.p10),
    dp(' 5.0%  ', d.p05),
    dp(' 1.0%  ', d.p01),
    dp(' 0.1%  ', d.p001),
    dp('Minimum', d.min),
    `RMS Δp    : ${F(100.0 * s.rmsDeltaP.value, 3, 6)} ± ${F(100.0 * s.rmsDeltaP.err, 3, 5)} %`,
    `Same top p: ${F(100.0 * s.sameTop.value, 3, 6)} ± ${F(100.0 * s.sameTop.err, 3, 5)} %`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The stdout part of a KLD run as llama.cpp prints it: for each chunk a blank line, the table
 * header and the row; a blank line; then, when at least 100 positions were scored, the statistics
 * blocks.
 * @example formatKldReport(result) // '\nchunk             PPL …'
 */
export function formatKldReport(
  result: Pick<KldResult, 'rows' | 'summary' | 'count'>,
  options: { layout?: KldReportLayout } = {},
): string {
  let out = '';
  for (const row of result.rows) out += `\n${KLD_TABLE_HEADER}\n${formatKldChunkRow(row)}\n`;
  out += '\n';
  if (result.count >= 100 && result.summary !== undefined) {
    out += formatKldSummary(result.summary, options.layout);
  }
  return out;
}

/** JSON form of a perplexity result (typed arrays become plain arrays, NaN becomes null). */
export interface PerplexityJson {
  ppl: number;
  pplStdErr: number | null;
  meanNll: number;
  chunks: number;
  nCtx: number;
  nVocab: number;
  nScored: number;
  scoredPerChunk: number;
  mode: 'plain' | 'kld-base';
  runningPpl: number[];
  chunkNllSum: number[];
}

/**
 * A JSON-ready copy of a perplexity result.
 * @example JSON.stringify(perplexityToJson(r))
 */
export function perplexityToJson(r: PerplexityResult): PerplexityJson {
  return {
    ppl: r.ppl,
    pplStdErr: Number.isNaN(r.pplStdErr) ? null : r.pplStdErr,
    meanNll: r.meanNll,
    chunks: r.chunks,
    nCtx: r.nCtx,
    nVocab: r.nVocab,
    nScored: r.nScored,
    scoredPerChunk: r.scoredPerChunk,
    mode: r.mode,
    runningPpl: Array.from(r.runningPpl),
    chunkNllSum: Array.from(r.chunkNllSum),
  };
}

/**
 * A JSON-ready copy of a KLD result without the per-position arrays (pass `withValues` to keep
 * them; 97,409 floats each for the stories260K run).
 * @example JSON.stringify(kldToJson(r))
 */
export function kldToJson(
  r: KldResult,
  options: { withValues?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    chunks: r.chunks,
    nCtx: r.nCtx,
    nVocab: r.nVocab,
    count: r.count,
    printsStatistics: r.printsStatistics,
    sums: { ...r.sums },
    rows: r.rows,
    summary: r.summary ?? null,
  };
  if (options.withValues) {
    out.kldValues = Array.from(r.kldValues);
    out.deltaPValues = Array.from(r.deltaPValues);
  }
  return out;
}
