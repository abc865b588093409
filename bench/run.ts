/**
 * `npm run bench`: runs the benchmarks, prints their tables and rewrites bench/RESULTS.md.
 *
 * Flags:
 *   --only bloom|reservoir|quant|js-size|llm
 *                          run one section; the other sections of RESULTS.md are kept as they were
 *   --quick                small sizes for a smoke run; results go to bench/out/RESULTS.quick.md
 *                          so the reference numbers in bench/RESULTS.md are not overwritten
 *   --build                rebuild the site before measuring its JavaScript (else only if missing)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBloomBench } from './bloom.bench.ts';
import { runJsSizeBench } from './js-size.bench.ts';
import { runLlmBench } from './llm.bench.ts';
import { runQuantBench } from './quant.bench.ts';
import { replaceSection, type SectionReport, sectionMarkdown, textTable } from './report.ts';
import { runReservoirBench } from './reservoir.bench.ts';

const SECTIONS = ['bloom', 'reservoir', 'quant', 'js-size', 'llm'] as const;
type SectionId = (typeof SECTIONS)[number];

interface Args {
  only: SectionId | undefined;
  quick: boolean;
  build: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: undefined, quick: false, build: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--build') args.build = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!SECTIONS.includes(value as SectionId)) {
        throw new Error(`--only expects one of ${SECTIONS.join(', ')}, got ${String(value)}`);
      }
      args.only = value as SectionId;
    } else if (arg === '--help' || arg === '-h') {
      console.log(`usage: npm run bench -- [--only ${SECTIONS.join('|')}] [--quick] [--build]`);
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg}; try --help`);
    }
  }
  return args;
}

const HEADER = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts); do not edit by hand. Speeds are reported as ratios
against a peer or a limit measured in the same run, never as absolute goals: absolute rates
depend on the machine and on whatever else it was doing.
`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--'] : [])]
    .concat(process.argv.slice(2))
    .join(' ');
  const log = (line: string) => console.error(line);
  const started = performance.now();
  const reports: SectionReport[] = [];
  if (!args.only || args.only === 'bloom') {
    reports.push(await runBloomBench({ quick: args.quick, command, log }));
  }
  if (!args.only || args.only === 'reservoir') {
    reports.push(await runReservoirBench({ quick: args.quick, command, log }));
  }
  if (!args.only || args.only === 'quant') {
    reports.push(await runQuantBench({ quick: args.quick, command, log }));
  }
  if (!args.only || args.only === 'js-size') {
    reports.push(await runJsSizeBench({ command, log, build: args.build }));
  }
  if (!args.only || args.only === 'llm') {
    reports.push(await runLlmBench({ quick: args.quick, command, log }));
  }

  for (const report of reports) {
    console.log(`\n== ${report.heading} ==\n`);
    for (const table of report.tables) console.log(`${textTable(table)}\n`);
  }

  const benchDir = fileURLToPath(new URL('.', import.meta.url));
  const outPath = args.quick ? `${benchDir}out/RESULTS.quick.md` : `${benchDir}RESULTS.md`;
  if (args.quick) mkdirSync(`${benchDir}out`, { recursive: true });
  let text = existsSync(outPath) ? readFileSync(outPath, 'utf8') : HEADER;
  if (!text.startsWith('# Benchmark results')) text = HEADER;
  for (const report of reports) text = replaceSection(text, report.id, sectionMarkdown(report));
  writeFileSync(outPath, `${text.trimEnd()}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`Wrote ${outPath} (${seconds} s).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
