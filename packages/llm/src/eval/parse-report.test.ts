import { describe, expect, it } from 'vitest';
import type { KldChunkRow, KldSummary } from './kl-divergence.ts';
import { parseLlamaCppReport } from './parse-report.ts';
import { formatKldReport, formatPerplexityReport } from './report.ts';

const f = Math.fround;

const row: KldChunkRow = {
  chunk: 1,
  ppl: { value: 16.4482, err: 6.9324 },
  lnPplRatio: { value: -0.41028, err: 0.13053 },
  kld: { value: 0.1903, err: 0.02981 },
  rmsDeltaP: { value: 0.16951, err: 0.02332 },
  sameTop: { value: 0.81102, err: 0.03488 },
};

function summary(): KldSummary {
  const d = {
    max: f(0.9),
    p999: f(0.8),
    p99: f(0.7),
    p95: f(0.6),
    p90: f(0.5),
    p75: f(0.4),
    median: f(0.3),
    p25: f(0.2),
    p10: f(0.1),
    p05: f(0.05),
    p01: f(0.01),
    p001: f(0.001),
    min: f(-0.5),
  };
  return {
    count: 1000,
    pplQ: { value: 7.5, err: 0.25 },
    pplBase: { value: 6.5, err: 0.125 },
    corLnPpl: 0.9,
    lnPplRatio: { value: 0.14, err: 0.01 },
    pplRatio: { value: 1.15, err: 0.02 },
    pplDiff: { value: 1, err: 0.03 },
    kld: { value: 0.125, err: 0.001 },
    kldDistribution: d,
    deltaP: { value: -0.01, err: 0.001 },
    deltaPDistribution: d,
    rmsDeltaP: { value: 0.1, err: 0.002 },
    sameTop: { value: 0.8, err: 0.004 },
    maxAbsDeltaP: f(0.9),
  };
}

describe('parseLlamaCppReport', () => {
  it('parseLlamaCppReport reads back what formatPerplexityReport prints', () => {
    const text =
      'perplexity: calculating perplexity over 3 chunks, n_ctx=16, batch_size=2048, n_seq=8\n' +
      formatPerplexityReport({
        runningPpl: new Float64Array([13.5, 7.25, 6.5]),
        ppl: 6.5,
        pplStdErr: 0.0625,
      });
    const r = parseLlamaCppReport(text);
    expect(r.nChunks).toBe(3);
    expect(r.nCtx).toBe(16);
    expect(r.runningPpl).toEqual([13.5, 7.25, 6.5]);
    expect(r.finalEstimate).toEqual({ ppl: 6.5, stdErr: 0.0625 });
    expect(r.kldRows).toEqual([]);
    expect(r.kldStatistics).toBeUndefined();
  });

  it('parseLlamaCppReport reads back every KLD row and statistic formatKldReport prints', () => {
    const r = parseLlamaCppReport(
      formatKldReport({ rows: [row, { ...row, chunk: 2 }], summary: summary(), count: 1000 }),
    );
    expect(r.kldRows.length).toBe(2);
    expect(r.kldRows[0]).toEqual({
      chunk: 1,
      ppl: { value: 16.4482, err: 6.9324 },
      lnPplRatio: { value: -0.41028, err: 0.13053 },
      kld: { value: 0.1903, err: 0.02981 },
      rmsDeltaPPercent: { value: 16.951, err: 2.332 },
      sameTopPercent: { value: 81.102, err: 3.488 },
    });
    expect(r.perplexityStatistics).toEqual({
      meanPplQ: { value: 7.5, err: 0.25 },
      meanPplBase: { value: 6.5, err: 0.125 },
      corPercent: 90,
      meanLnPplRatio: { value: 0.14, err: 0.01 },
      meanPplRatio: { value: 1.15, err: 0.02 },
      meanPplDiff: { value: 1, err: 0.03 },
    });
    expect(r.kldStatistics?.mean).toEqual({ value: 0.125, err: 0.001 });
    expect(r.kldStatistics?.lines.map((l) => l.label)).toEqual([
      'Maximum',
      '99.9%',
      '99.0%',
      '99.0%',
      'Median',
      '10.0%',
      '5.0%',
      '1.0%',
      'Minimum',
    ]);
    expect(r.kldStatistics?.byLabel.Minimum).toBe(-0.5);
    const t = r.tokenProbabilityStatistics!;
    expect(t.meanPercent).toEqual({ value: -1, err: 0.1 });
    expect(t.byLabel['0.1%']).toBe(0.1);
    expect(t.byLabel.Maximum).toBe(90);
    expect(t.rmsPercent).toEqual({ value: 10, err: 0.2 });
    expect(t.sameTopPercent).toEqual({ value: 80, err: 0.4 });
  });

  it('parseLlamaCppReport reads nan and inf as numbers', () => {
    const r = parseLlamaCppReport(
      '   1         -nan ±       inf          -nan ±       -nan       0.00000 ±    0.00000' +
        '     0.000 ±   -nan %   100.000 ±  0.000 %\n',
    );
    expect(r.kldRows[0].ppl.value).toBeNaN();
    expect(r.kldRows[0].ppl.err).toBe(Number.POSITIVE_INFINITY);
    expect(r.kldRows[0].rmsDeltaPPercent.err).toBeNaN();
  });

  it('parseLlamaCppReport throws when the running estimates skip an index', () => {
    expect(() => parseLlamaCppReport('[1]5.0000,[3]4.0000,\n')).toThrow(
      /line 1: running estimate \[3\] follows \[1\]/,
    );
  });

  it('parseLlamaCppReport throws when a statistics block is incomplete', () => {
    expect(() =>
      parseLlamaCppReport('Mean PPL(Q)                   :   7.238281 ±   0.070837\n'),
    ).toThrow(/Cor\(\.\.\.\) line is missing/);
    expect(() => parseLlamaCppReport('Maximum KLD:   9.370188\n')).toThrow(/Mean KLD" is missing/);
  });

  it('parseLlamaCppReport of unrelated text finds nothing', () => {
    const r = parseLlamaCppReport('llama_model_loader: loaded meta data\nexit code: 0\n');
    expect(r).toEqual({ runningPpl: [], kldRows: [] });
  });
});
