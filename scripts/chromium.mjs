// Finds the Chromium the browser tests drive: $CHROME_PATH, then /usr/bin/chromium. On Debian as
// root it installs Debian's package when missing; anywhere else it says exactly what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH is set to ${fromEnv}, but no file is there.`);
  }
  const debian = '/usr/bin/chromium';
  if (existsSync(debian)) return debian;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const isDebian = existsSync('/etc/debian_version');
  if (isRoot && isDebian) {
    console.log("Chromium is missing: installing Debian's package (apt-get install -y chromium)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    if (r.status === 0 && existsSync(debian)) return debian;
    throw new Error('apt-get install -y chromium failed: see the messages above.');
  }
  throw new Error(
    'The browser tests need Chromium and found none. Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`; ' +
      'macOS: install Google Chrome) and, if it is not at /usr/bin/chromium, set CHROME_PATH to its executable.',
  );
}
