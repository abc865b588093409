/**
 * Shared helpers of the benchmarks: summaries of repeated samples, machine facts, number
 * formatting and tables printed both to the terminal and as Markdown.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Median, minimum and maximum of repeated samples of one quantity. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

/**
 * Summarizes samples; throws on an empty list (a benchmark that measured nothing is a bug).
 * @example summarize([3, 1, 2]).median // 2
 */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >>> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], samples };
}

/**
 * Half the min–max range as a percentage of the median, e.g. "±4%".
 * @example spread(summarize([9, 10, 11])) // '±10%'
 */
export function spread(s: Summary): string {
  if (s.median === 0) return '±0%';
  return `±${(((s.max - s.min) / 2 / Math.abs(s.median)) * 100).toFixed(0)}%`;
}

/**
 * An operation rate in millions per second with 2–3 significant figures: 4.2 → '4.20 M/s'.
 * @example rate(4_200_000) // '4.20 M/s'
 */
export function rate(opsPerSecond: number): string {
  const m = opsPerSecond / 1e6;
  if (m >= 100) return `${m.toFixed(0)} M/s`;
  if (m >= 0.1) return `${m.toFixed(2)} M/s`;
  return `${(opsPerSecond / 1e3).toFixed(1)} k/s`;
}

/**
 * A rate summary: median and spread, e.g. '4.20 M/s ±3%'.
 * @example rateSummary(summarize([4e6, 4.2e6])) // '4.10 M/s ±2%'
 */
export function rateSummary(s: Summary): string {
  return `${rate(s.median)} ${spread(s)}`;
}

/**
 * A ratio with its min–max across paired repetitions, e.g. '1.62× (1.55–1.70)'.
 * @example ratioSummary(summarize([1.5, 1.6, 1.7])) // '1.60× (1.50–1.70)'
 */
export function ratioSummary(s: Summary): string {
  return `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/**
 * A probability as a percentage with three significant figures: 0.01004 → '1.00%'.
 * @example percent(0.0039) // '0.390%'
 */
export function percent(p: number): string {
  if (p === 0) return '0%';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(p * 100)));
  return `${(p * 100).toFixed(digits)}%`;
}

/**
 * Bytes in kB (1000 bytes), one decimal: 151234 → '151.2 kB'.
 * @example kB(2048) // '2.0 kB'
 */
export function kB(sizeBytes: number): string {
  return `${(sizeBytes / 1000).toFixed(1)} kB`;
}

/** Facts about the machine and the run, printed with every result. */
export interface MachineFacts {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  loadAverage: string;
}

/**
 * The date (ISO, UTC), node version, CPU model, cores, memory and the 1/5/15-minute load average.
 * @example machineFacts().cores // 2
 */
export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    cpu: cpuModel(cpus[0]?.model),
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: loadAverageNow(),
  };
}

/**
 * The 1/5/15-minute load average, e.g. '1.20 / 0.80 / 0.50'.
 * @example loadAverageNow() // '0.12 / 0.30 / 0.25'
 */
export function loadAverageNow(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
}

/** os.cpus() model, completed from /proc/cpuinfo when the kernel reports a bare family name. */
function cpuModel(model: string | undefined): string {
  const name = (model ?? 'unknown').trim();
  if (name.length > 12) return name;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const family = /^cpu family\s*:\s*(\d+)/m.exec(info)?.[1];
    const mod = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
    if (family && mod) return `${name} (family ${family}, model ${mod})`;
  } catch {
    // Not Linux: keep the name as reported.
  }
  return name;
}

/**
 * Machine facts as Markdown list lines, with the command and an optional note.
 * @example machineMarkdown(machineFacts(), 'npm run bench')
 */
export function machineMarkdown(
  facts: MachineFacts,
  command: string,
  endLoadAverage?: string,
): string {
  return [
    `- Date: ${facts.date}`,
    `- Command: \`${command}\``,
    `- Node ${facts.node}, ${facts.cpu}, ${facts.cores} cores, ${facts.memoryGiB} GiB, ` +
      `${facts.platform}`,
    `- Load average (1/5/15 min) when the section started: ${facts.loadAverage}` +
      (endLoadAverage ? `; when it ended: ${endLoadAverage}` : ''),
  ].join('\n');
}

/** A table: header cells and rows of cells (already formatted). */
export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

/**
 * A table as Markdown (title as a bold line above it); pipes inside cells are escaped.
 * @example markdownTable({ title: 'T', head: ['a'], rows: [['1']] })
 */
export function markdownTable(table: Table): string {
  const esc = (cell: string) => cell.replaceAll('|', '\\|');
  const lines = [`**${table.title}**`, ''];
  lines.push(`| ${table.head.map(esc).join(' | ')} |`);
  lines.push(`|${table.head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const row of table.rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * A table as aligned plain text for the terminal (first column left-aligned, others right).
 * @example console.log(textTable({ title: 'T', head: ['a'], rows: [['1']] }))
 */
export function textTable(table: Table): string {
  const all = [table.head, ...table.rows];
  const widths = table.head.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [table.title, line(table.head), rule, ...table.rows.map(line)].join('\n');
}

/** The result of one benchmark section: tables plus prose for RESULTS.md. */
export interface SectionReport {
  /** Marker name of the section in RESULTS.md ('bloom', 'js-size'). */
  id: string;
  heading: string;
  facts: MachineFacts;
  /** Load average when the section finished. */
  endLoadAverage?: string;
  command: string;
  /** What was measured and how, Markdown, shown above the tables. */
  method: string;
  tables: Table[];
  /** "What this means", Markdown, shown below the tables. */
  meaning: string;
}

/**
 * A section as Markdown, wrapped in `<!-- section:id -->` markers so a later `--only` run can
 * replace it alone.
 * @example sectionMarkdown(report)
 */
export function sectionMarkdown(report: SectionReport): string {
  return [
    `<!-- section:${report.id} -->`,
    `## ${report.heading}`,
    '',
    machineMarkdown(report.facts, report.command, report.endLoadAverage),
    '',
    report.method.trim(),
    '',
    ...report.tables.flatMap((t) => [markdownTable(t), '']),
    '### What this means',
    '',
    report.meaning.trim(),
    `<!-- /section:${report.id} -->`,
  ].join('\n');
}

/**
 * Replaces (or appends) the marked section `id` in a RESULTS.md text, keeping other sections.
 * @example replaceSection(old, 'bloom', sectionMarkdown(report))
 */
export function replaceSection(text: string, id: string, section: string): string {
  const start = `<!-- section:${id} -->`;
  const end = `<!-- /section:${id} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) return text.slice(0, i) + section + text.slice(j + end.length);
  return `${text.trimEnd()}\n\n${section}\n`;
}
