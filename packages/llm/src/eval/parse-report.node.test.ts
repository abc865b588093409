import { readdirSync } from 'node:fs';
import { describeShared, readShared, sharedPath } from '@explorables/testkit';
import { expect, it } from 'vitest';
import type { KldChunkRow, KldSummary } from './kl-divergence.ts';
import { type LlamaCppReport, parseLlamaCppReport } from './parse-report.ts';
import { formatKldReport, formatPerplexityReport } from './report.ts';

const DIR = 'llamacpp-ppl';

function read(name: string): string {
  return new TextDecoder().decode(readShared('reference', `${DIR}/${name}`));
}

function parse(name: string): LlamaCppReport {
  return parseLlamaCppReport(read(name));
}

/** The number printed with d decimals in the README equals the parsed value rounded there. */
function expectRoundsTo(parsed: number, printed: string): void {
  const decimals = printed.split('.')[1]?.length ?? 0;
  expect(Math.abs(parsed - Number(printed))).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
}

/** Rows of a README table whose first cell names a type, as arrays of cells. */
function readmeTable(readme: string, heading: string): Map<string, string[]> {
  const start = readme.indexOf(heading);
  const lines = readme.slice(start).split('\n');
  const rows = new Map<string, string[]>();
  let inTable = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith('|')) {
      inTable = true;
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      if (/^(F32|Q\d|IQ)/.test(cells[0])) rows.set(cells[0].replace(/ \(= Q6_K\)$/, ''), cells);
    } else if (inTable) break;
  }
  return rows;
}

/** Rebuilds the structures the formatter takes from a parsed log (percent back to fractions). */
function rebuild(r: LlamaCppReport): { rows: KldChunkRow[]; summary: KldSummary; count: number } {
  const rows = r.kldRows.map((row) => ({
    chunk: row.chunk,
    ppl: row.ppl,
    lnPplRatio: row.lnPplRatio,
    kld: row.kld,
    rmsDeltaP: {
      value: row.rmsDeltaPPercent.value / 100,
      err: row.rmsDeltaPPercent.err / 100,
    },
    sameTop: { value: row.sameTopPercent.value / 100, err: row.sameTopPercent.err / 100 },
  }));
  const p = r.perplexityStatistics!;
  const k = r.kldStatistics!.byLabel;
  const t = r.tokenProbabilityStatistics!;
  const d = (label: string) => t.byLabel[label] / 100;
  const summary: KldSummary = {
    count: 100000,
    pplQ: p.meanPplQ,
    pplBase: p.meanPplBase,
    corLnPpl: p.corPercent / 100,
    lnPplRatio: p.meanLnPplRatio,
    pplRatio: p.meanPplRatio,
    pplDiff: p.meanPplDiff,
    kld: r.kldStatistics!.mean,
    kldDistribution: {
      max: k.Maximum,
      p999: k['99.9%'],
      p99: k['99.0%'],
      p95: Number.NaN,
      p90: Number.NaN,
      median: k.Median,
      p10: k['10.0%'],
      p05: k['5.0%'],
      p01: k['1.0%'],
      p001: Number.NaN,
      min: k.Minimum,
    },
    deltaP: { value: t.meanPercent.value / 100, err: t.meanPercent.err / 100 },
    deltaPDistribution: {
      max: d('Maximum'),
      p999: d('99.9%'),
      p99: d('99.0%'),
      p95: d('95.0%'),
      p90: d('90.0%'),
      p75: d('75.0%'),
      median: d('Median'),
      p25: d('25.0%'),
      p10: d('10.0%'),
      p05: d('5.0%'),
      p01: d('1.0%'),
      p001: d('0.1%'),
      min: d('Minimum'),
    },
    rmsDeltaP: { value: t.rmsPercent.value / 100, err: t.rmsPercent.err / 100 },
    sameTop: { value: t.sameTopPercent.value / 100, err: t.sameTopPercent.err / 100 },
    maxAbsDeltaP: Number.NaN,
  };
  return { rows, summary, count: summary.count };
}

const TYPES = ['Q8_0', 'Q6_K', 'Q5_1', 'Q5_0', 'Q4_1', 'Q4_0', 'Q4_K_M', 'Q3_K_M', 'Q2_K'];

describeShared(
  'parseLlamaCppReport on the llama.cpp reference logs',
  [['reference', `${DIR}/README.md`]],
  () => {
    it('parseLlamaCppReport(F32.c256.txt) finds 767 chunks and PPL 6.5099 +/- 0.06396', () => {
      const r = parse('F32.c256.txt');
      expect(r.nChunks).toBe(767);
      expect(r.nCtx).toBe(256);
      expect(r.runningPpl.length).toBe(767);
      expect(r.runningPpl[0]).toBe(13.8059);
      expect(r.runningPpl[766]).toBe(6.5099);
      expect(r.finalEstimate).toEqual({ ppl: 6.5099, stdErr: 0.06396 });
      expect(r.kldRows).toEqual([]);
    });

    it('parseLlamaCppReport(F32.c512.txt) finds 383 chunks and PPL 8.3028 +/- 0.0814', () => {
      const r = parse('F32.c512.txt');
      expect(r.nChunks).toBe(383);
      expect(r.nCtx).toBe(512);
      expect(r.runningPpl.length).toBe(383);
      expect(r.finalEstimate?.ppl).toBe(8.3028);
      expectRoundsTo(r.finalEstimate!.stdErr, '0.0814');
    });

    it('parseLlamaCppReport(Q4_0.c256.txt) finds every KLD statistic', () => {
      const r = parse('Q4_0.c256.txt');
      expect(r.kldRows.length).toBe(767);
      expect(r.kldRows.map((x) => x.chunk)).toEqual(Array.from({ length: 767 }, (_, i) => i + 1));
      expect(r.kldRows[766].ppl).toEqual({ value: 7.2383, err: 0.0708 });
      expect(r.perplexityStatistics).toEqual({
        meanPplQ: { value: 7.238281, err: 0.070837 },
        meanPplBase: { value: 6.072419, err: 0.050781 },
        corPercent: 96.35,
        meanLnPplRatio: { value: 0.175627, err: 0.002827 },
        meanPplRatio: { value: 1.191993, err: 0.00337 },
        meanPplDiff: { value: 1.165862, err: 0.025778 },
      });
      expect(r.kldStatistics?.mean).toEqual({ value: 0.134178, err: 0.000847 });
      expect(r.kldStatistics?.lines).toEqual([
        { label: 'Maximum', value: 9.370188 },
        { label: '99.9%', value: 2.966873 },
        { label: '99.0%', value: 1.244693 },
        { label: '99.0%', value: 1.244693 },
        { label: 'Median', value: 0.061195 },
        { label: '10.0%', value: 0.002181 },
        { label: '5.0%', value: 0.000553 },
        { label: '1.0%', value: 0.000062 },
        { label: 'Minimum', value: -0.000001 },
      ]);
      const t = r.tokenProbabilityStatistics!;
      expect(t.meanPercent).toEqual({ value: -2.919, err: 0.037 });
      expect(t.byLabel.Maximum).toBe(86.665);
      expect(t.byLabel['0.1%']).toBe(-76.554);
      expect(t.byLabel.Minimum).toBe(-98.003);
      expect(t.rmsPercent).toEqual({ value: 11.957, err: 0.064 });
      expect(t.sameTopPercent).toEqual({ value: 81.887, err: 0.123 });
    });

    it('parseLlamaCppReport(F32.selfkld.c256.txt) shows the compression floor: max KLD 7.2e-5', () => {
      const r = parse('F32.selfkld.c256.txt');
      expect(r.perplexityStatistics?.meanPplQ.value).toBe(6.509859);
      expect(r.perplexityStatistics?.meanPplBase.value).toBe(6.072419);
      expect(r.kldStatistics?.mean.value).toBe(0);
      expect(r.kldStatistics?.byLabel.Maximum).toBe(0.000072);
      expect(r.tokenProbabilityStatistics?.sameTopPercent.value).toBe(99.996);
    });

    it('parseLlamaCppReport agrees with every row of the README summary tables', () => {
      const readme = read('README.md');
      const checks: Array<[string, string, Map<string, string[]>]> = [
        ['c256', '### Default llama.cpp settings, context 256', new Map()],
        ['c512', '### Default llama.cpp settings, context 512', new Map()],
      ];
      let compared = 0;
      for (const [ctx, heading] of checks) {
        const table = readmeTable(readme, heading);
        expect(table.size).toBe(10);
        const f32 = parse(`F32.${ctx}.txt`).finalEstimate!;
        const [pplF32, errF32] = table.get('F32')![3].split(' ± ');
        expectRoundsTo(f32.ppl, pplF32);
        expectRoundsTo(f32.stdErr, errF32);
        for (const type of TYPES) {
          const cells = table.get(type)!;
          const r = parse(`${type}.${ctx}.txt`);
          const [ppl, pplErr] = cells[3].split(' ± ');
          expectRoundsTo(r.perplexityStatistics!.meanPplQ.value, ppl);
          expectRoundsTo(r.perplexityStatistics!.meanPplQ.err, pplErr);
          const [kld, kldErr] = cells[5].split(' ± ');
          expect(r.kldStatistics!.mean).toEqual({ value: Number(kld), err: Number(kldErr) });
          const [top, topErr] = cells[6].split(' ± ');
          expect(r.tokenProbabilityStatistics!.sameTopPercent).toEqual({
            value: Number(top),
            err: Number(topErr),
          });
          const [rms, rmsErr] = cells[7].split(' ± ');
          expect(r.tokenProbabilityStatistics!.rmsPercent).toEqual({
            value: Number(rms),
            err: Number(rmsErr),
          });
          compared++;
        }
      }
      const extra = readmeTable(readme, '### Extra set');
      for (const type of TYPES) {
        const cells = extra.get(type === 'Q6_K' ? 'Q8_0' : type)!;
        const r = parse(`${type}.deqF32-f32kv.c256.txt`);
        const [ppl, pplErr] = cells[1].split(' ± ');
        expectRoundsTo(r.perplexityStatistics!.meanPplQ.value, ppl);
        expectRoundsTo(r.perplexityStatistics!.meanPplQ.err, pplErr);
        const [kld, kldErr] = cells[3].split(' ± ');
        expect(r.kldStatistics!.mean).toEqual({ value: Number(kld), err: Number(kldErr) });
        expect(r.tokenProbabilityStatistics!.sameTopPercent.value).toBe(Number(cells[4]));
        expect(r.tokenProbabilityStatistics!.rmsPercent.value).toBe(Number(cells[5]));
        compared++;
      }
      const f32kv = parse('F32.f32kv.c256.txt').finalEstimate!;
      expectRoundsTo(f32kv.ppl, extra.get('F32')![1].split(' ± ')[0]);
      expect(compared).toBe(27);
    });

    it('formatKldReport reprints every reference KLD log byte for byte from its parsed values', () => {
      const dir = sharedPath('reference', DIR)!;
      const files = readdirSync(dir).filter((n) => /\.c(256|512)\.txt$/.test(n));
      let reprinted = 0;
      for (const name of files) {
        const text = read(name);
        if (!text.includes('====== KL divergence statistics ======')) continue;
        reprinted++;
        const start = text.indexOf('\nchunk ');
        const endMarker = text.indexOf('\n', text.indexOf('Same top p: ')) + 1;
        const expected = text.slice(start, endMarker);
        const ours = formatKldReport(rebuild(parseLlamaCppReport(text)));
        expect(ours, name).toBe(expected);
      }
      // 9 types × (c256, c512, deqF32-f32kv c256) + 3 F32 self-KLD runs
      expect(reprinted).toBe(30);
    });

    it('formatPerplexityReport reprints the reference perplexity logs byte for byte', () => {
      for (const name of ['F32.c256.txt', 'F32.c512.txt', 'F32.f32kv.c256.txt']) {
        const text = read(name);
        const r = parseLlamaCppReport(text);
        const start = text.indexOf('[1]');
        const end = text.indexOf('\n', text.indexOf('Final estimate:')) + 1;
        const ours = formatPerplexityReport({
          runningPpl: Float64Array.from(r.runningPpl),
          ppl: r.finalEstimate!.ppl,
          pplStdErr: r.finalEstimate!.stdErr,
        });
        expect(ours, name).toBe(text.slice(start, end));
      }
    });
  },
);
