import { describe, expect, it } from 'vitest';
import type { KldChunkRow, KldSummary } from './kl-divergence.ts';
import {
  formatKldChunkRow,
  formatKldReport,
  formatKldSummary,
  formatPerplexityReport,
  KLD_TABLE_HEADER,
  kldToJson,
  perplexityToJson,
} from './report.ts';

const f = Math.fround;

/** A hand-built summary (inputs chosen to print like a Q4_0 log; formatting only). */
function summary(): KldSummary {
  const dist = {
    max: f(9.370188),
    p999: f(2.966873),
    p99: f(1.244693),
    p95: f(0.5),
    p90: f(0.25),
    median: f(0.061195),
    p10: f(0.002181),
    p05: f(0.000553),
    p01: f(0.000062),
    p001: f(0.000001),
    min: f(-0.000001),
  };
  return {
    count: 97409,
    pplQ: { value: 7.238281, err: 0.070837 },
    pplBase: { value: 6.072419, err: 0.050781 },
    corLnPpl: 0.9635,
    lnPplRatio: { value: 0.175627, err: 0.002827 },
    pplRatio: { value: 1.191993, err: 0.00337 },
    pplDiff: { value: 1.165862, err: 0.025778 },
    kld: { value: 0.134178, err: 0.000847 },
    kldDistribution: dist,
    deltaP: { value: -0.02919, err: 0.00037 },
    deltaPDistribution: {
      max: f(0.86665),
      p999: f(0.54976),
      p99: f(0.26502),
      p95: f(0.11073),
      p90: f(0.05504),
      p75: f(0.00543),
      median: f(-0.00352),
      p25: f(-0.05053),
      p10: f(-0.15703),
      p05: f(-0.23895),
      p01: f(-0.44685),
      p001: f(-0.76554),
      min: f(-0.98003),
    },
    rmsDeltaP: { value: 0.11957, err: 0.00064 },
    sameTop: { value: 0.81887, err: 0.00123 },
    maxAbsDeltaP: f(0.98003),
  };
}

const row: KldChunkRow = {
  chunk: 1,
  ppl: { value: 16.4482, err: 6.9324 },
  lnPplRatio: { value: 0.41028, err: 0.13053 },
  kld: { value: 0.1903, err: 0.02981 },
  rmsDeltaP: { value: 0.16951, err: 0.02332 },
  sameTop: { value: 0.81102, err: 0.03488 },
};

describe('formatPerplexityReport', () => {
  it('formatPerplexityReport prints "[i]%.4lf," then the Final estimate with %.4lf +/- %.5lf', () => {
    const text = formatPerplexityReport({
      runningPpl: new Float64Array([13.80591, 6.66224, 6.50985]),
      ppl: 6.50985,
      pplStdErr: 0.063961,
    });
    expect(text).toBe(
      '[1]13.8059,[2]6.6622,[3]6.5099,\nFinal estimate: PPL = 6.5099 +/- 0.06396\n',
    );
  });

  it('formatPerplexityReport prints llama.cpp error line when the stderr is NaN', () => {
    const text = formatPerplexityReport({
      runningPpl: new Float64Array([4]),
      ppl: 4,
      pplStdErr: Number.NaN,
    });
    expect(text).toBe('[1]4.0000,\nUnexpected negative standard deviation of log(prob)\n');
  });
});

describe('formatKldChunkRow', () => {
  it('formatKldChunkRow lays out %4d and the five "value ± err" columns like llama.cpp', () => {
    expect(formatKldChunkRow(row)).toBe(
      '   1      16.4482 ±    6.9324       0.41028 ±    0.13053       0.19030 ±    0.02981' +
        '    16.951 ±  2.332 %    81.102 ±  3.488 %',
    );
  });

  it('formatKldChunkRow prints -nan for an undefined RMS uncertainty', () => {
    const zero = { ...row, chunk: 767, rmsDeltaP: { value: 0, err: Number.NaN } };
    expect(formatKldChunkRow(zero)).toContain('     0.000 ±   -nan %');
  });
});

describe('formatKldSummary', () => {
  it('formatKldSummary prints the c392e50 layout (99.0% twice, no 95/90/0.1% KLD lines)', () => {
    expect(formatKldSummary(summary()).split('\n')).toEqual([
      '====== Perplexity statistics ======',
      'Mean PPL(Q)                   :   7.238281 ±   0.070837',
      'Mean PPL(base)                :   6.072419 ±   0.050781',
      'Cor(ln(PPL(Q)), ln(PPL(base))):  96.35%',
      'Mean ln(PPL(Q)/PPL(base))     :   0.175627 ±   0.002827',
      'Mean PPL(Q)/PPL(base)         :   1.191993 ±   0.003370',
      'Mean PPL(Q)-PPL(base)         :   1.165862 ±   0.025778',
      '',
      '====== KL divergence statistics ======',
      'Mean    KLD:   0.134178 ±   0.000847',
      'Maximum KLD:   9.370188',
      '99.9%   KLD:   2.966873',
      '99.0%   KLD:   1.244693',
      '99.0%   KLD:   1.244693',
      'Median  KLD:   0.061195',
      '10.0%   KLD:   0.002181',
      ' 5.0%   KLD:   0.000553',
      ' 1.0%   KLD:   0.000062',
      'Minimum KLD:  -0.000001',
      '',
      '====== Token probability statistics ======',
      'Mean    Δp: -2.919 ± 0.037 %',
      'Maximum Δp: 86.665%',
      '99.9%   Δp: 54.976%',
      '99.0%   Δp: 26.502%',
      '95.0%   Δp: 11.073%',
      '90.0%   Δp:  5.504%',
      '75.0%   Δp:  0.543%',
      'Median  Δp: -0.352%',
      '25.0%   Δp: -5.053%',
      '10.0%   Δp: -15.703%',
      ' 5.0%   Δp: -23.895%',
      ' 1.0%   Δp: -44.685%',
      ' 0.1%   Δp: -76.554%',
      'Minimum Δp: -98.003%',
      'RMS Δp    : 11.957 ± 0.064 %',
      'Same top p: 81.887 ± 0.123 %',
      '',
    ]);
  });

  it('formatKldSummary with the upstream layout prints 95, 90 and 0.1% KLD lines', () => {
    const lines = formatKldSummary(summary(), 'upstream').split('\n');
    const start = lines.indexOf('Maximum KLD:   9.370188');
    expect(lines.slice(start, start + 11)).toEqual([
      'Maximum KLD:   9.370188',
      '99.9%   KLD:   2.966873',
      '99.0%   KLD:   1.244693',
      '95.0%   KLD:   0.500000',
      '90.0%   KLD:   0.250000',
      'Median  KLD:   0.061195',
      '10.0%   KLD:   0.002181',
      ' 5.0%   KLD:   0.000553',
      ' 1.0%   KLD:   0.000062',
      ' 0.1%   KLD:   0.000001',
      'Minimum KLD:  -0.000001',
    ]);
  });
});

describe('formatKldReport', () => {
  it('formatKldReport puts a blank line and the header before each row, statistics from 100 on', () => {
    const small = formatKldReport({ rows: [row], summary: summary(), count: 99 });
    expect(small).toBe(`\n${KLD_TABLE_HEADER}\n${formatKldChunkRow(row)}\n\n`);
    const full = formatKldReport({
      rows: [row, { ...row, chunk: 2 }],
      summary: summary(),
      count: 100,
    });
    const lines = full.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      '',
      KLD_TABLE_HEADER,
      formatKldChunkRow(row),
      '',
      KLD_TABLE_HEADER,
      formatKldChunkRow({ ...row, chunk: 2 }),
      '',
    ]);
    expect(lines[7]).toBe('====== Perplexity statistics ======');
  });

  it('KLD_TABLE_HEADER is llama.cpp header, column for column', () => {
    expect(KLD_TABLE_HEADER).toBe(
      'chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence' +
        '              Δp RMS            Same top p',
    );
  });
});

describe('JSON forms', () => {
  it('perplexityToJson turns typed arrays into arrays and NaN stderr into null', () => {
    const json = perplexityToJson({
      ppl: 4,
      pplStdErr: Number.NaN,
      meanNll: Math.log(4),
      chunks: 1,
      nCtx: 8,
      nVocab: 4,
      nScored: 3,
      scoredPerChunk: 3,
      chunkNllSum: new Float64Array([3 * Math.log(4)]),
      runningPpl: new Float64Array([4]),
      nllSum: 3 * Math.log(4),
      nll2Sum: 0,
      mode: 'plain',
    });
    expect(json.pplStdErr).toBeNull();
    expect(json.runningPpl).toEqual([4]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('kldToJson leaves out the per-position arrays unless asked', () => {
    const s = summary();
    const result = {
      chunks: 1,
      nCtx: 8,
      nVocab: 4,
      count: 2,
      sums: {
        sumNll: 1,
        sumNll2: 1,
        sumNllBase: 1,
        sumNllBase2: 1,
        sumNllNllBase: 1,
        sumKld: 0,
        sumKld2: 0,
        sumPDiff: 0,
        sumPDiff2: 0,
        sumPDiff4: 0,
        maxPDiff: 0,
        nSameTop: 2,
        count: 2,
      },
      rows: [row],
      kldValues: new Float32Array([0, 0]),
      deltaPValues: new Float32Array([0, 0]),
      summary: s,
      printsStatistics: false,
    };
    expect(kldToJson(result)).not.toHaveProperty('kldValues');
    expect(kldToJson(result, { withValues: true }).kldValues).toEqual([0, 0]);
  });
});
