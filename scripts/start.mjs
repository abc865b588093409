// `npm start`: install if needed, build the site, serve it on http://localhost:$PORT (default 4321).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureInstall } from './ensure-install.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureInstall();
const port = process.env.PORT ?? '4321';
console.log('Building the site…');
const build = spawnSync('npm', ['run', 'build', '-w', 'site'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
console.log(`Serving on http://localhost:${port}/ (Ctrl-C to stop)`);
const server = spawn('npx', ['astro', 'preview', '--port', port], {
  cwd: `${root}site`,
  stdio: 'inherit',
});
server.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
