// `npm test`: lint, type check, unit and property tests, build, browser tests; then one line with
// the totals of all suites, `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findChromium } from './chromium.mjs';
import { ensureInstall } from './ensure-install.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = `${root}.vitest-results`;
ensureInstall();
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(label, cmd, args, opts = {}) {
  console.log(`\n── ${label} ──`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) problems.push(`${label} failed (exit ${r.status})`);
  return r.status === 0;
}

function vitest(label, config, file) {
  const args = [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${file}`,
  ];
  if (config) args.push('--config', config);
  run(label, 'npx', args);
  if (!existsSync(file)) {
    problems.push(`${label} wrote no results`);
    totals.failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  // A file that failed to load counts as a failure even though it ran no test.
  for (const suite of report.testResults) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) {
      totals.failed += 1;
      problems.push(`${label}: ${suite.name} failed to load: ${suite.message}`);
    }
  }
}

run('lint (biome)', 'npx', ['biome', 'check', '.']);
run('type check', 'node', ['scripts/typecheck.mjs']);
vitest('unit and property tests', null, `${results}/unit.json`);

let chromium = null;
try {
  chromium = findChromium();
} catch (err) {
  problems.push(err.message);
  totals.failed += 1;
}
if (chromium && run('build the site', 'npm', ['run', 'build', '-w', 'site'])) {
  process.env.CHROME_PATH = chromium;
  vitest('browser tests', 'e2e/vitest.config.ts', `${results}/e2e.json`);
} else if (chromium) {
  totals.failed += 1;
}

console.log('');
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(problems.length > 0 || totals.failed > 0 ? 1 : 0);
