// Type-checks every package with its own tsconfig (engines without DOM) and the site with astro check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let failed = false;
for (const name of readdirSync(`${root}packages`)) {
  const project = `${root}packages/${name}/tsconfig.json`;
  if (!existsSync(project)) continue;
  const r = spawnSync('npx', ['tsc', '-p', project], { cwd: root, stdio: 'inherit' });
  console.log(`typecheck packages/${name}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  failed ||= r.status !== 0;
}
for (const project of ['e2e/tsconfig.json', 'bench/tsconfig.json']) {
  if (!existsSync(`${root}${project}`)) continue;
  const r = spawnSync('npx', ['tsc', '-p', project], { cwd: root, stdio: 'inherit' });
  console.log(`typecheck ${project}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  failed ||= r.status !== 0;
}
const site = spawnSync('npx', ['astro', 'check', '--minimumSeverity', 'warning'], {
  cwd: `${root}site`,
  stdio: 'inherit',
});
console.log(`typecheck site: ${site.status === 0 ? 'ok' : 'FAILED'}`);
failed ||= site.status !== 0;
process.exit(failed ? 1 : 0);
