/**
 * JavaScript weight of the built site: for every essay page (and the home page), every JS file
 * the page can load — <script src>, inline scripts, <link rel="modulepreload">, Astro islands'
 * component-url / renderer-url / before-hydration-url, and recursively the static imports,
 * re-exports and literal import("…") calls inside those files — summed raw and gzip-compressed
 * (node:zlib, level 9, each file on its own, as a server would send it). Web Workers created with
 * `new Worker(new URL("…", import.meta.url))` (and their imports) are counted in a separate column:
 * they load only when a figure starts heavy work.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { essays } from '../site/src/essays/manifest.ts';
import { kB, machineFacts, type SectionReport, type Table } from './report.ts';

/** The goal: at most 150 kB (150 000 bytes) of gzip-compressed JavaScript per essay page. */
export const PAGE_JS_LIMIT_GZIP_BYTES = 150_000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}site/dist`;
const ORIGIN = 'https://site.invalid';

/** Options of the JS size benchmark. */
export interface JsSizeOptions {
  command: string;
  log: (line: string) => void;
  /** Rebuild the site first even when site/dist exists. */
  build: boolean;
}

/** One JavaScript resource of a page. */
export interface JsFile {
  /** Site path ('/_astro/x.js') or 'inline #i'. */
  name: string;
  /** How the page reaches it: 'script', 'inline', 'island', 'import', 'worker', … */
  via: string;
  rawBytes: number;
  gzipBytes: number;
  worker: boolean;
}

/** Every JS file of one page. */
export interface PageJs {
  page: string;
  files: JsFile[];
  /** Specifiers that point off-site (not counted; listed so nothing hides). */
  external: string[];
}

function gzipBytes(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attribute(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(
    attrs,
  );
  if (!m) return undefined;
  return decodeEntities(m[1] ?? m[2] ?? m[3] ?? '');
}

/** Specifiers a JS module text loads: static imports/re-exports, import("…"), workers. */
export function moduleSpecifiers(code: string): { spec: string; via: string }[] {
  const found: { spec: string; via: string }[] = [];
  const patterns: [RegExp, string][] = [
    [/(?:^|[^\w$.])import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"'\n]+)["']/g, 'import'],
    [
      /(?:^|[^\w$.])export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*["']([^"'\n]+)["']/g,
      'import',
    ],
    [/(?:^|[^\w$.])import\(\s*["'`]([^"'`\n]+)["'`]\s*\)/g, 'dynamic import'],
    [/new\s+Worker\(\s*new\s+URL\(\s*["'`]([^"'`\n]+)["'`]/g, 'worker'],
  ];
  for (const [pattern, via] of patterns) {
    for (const m of code.matchAll(pattern)) found.push({ spec: m[1], via });
  }
  // Vite's preload helper lists the chunks of dynamic imports as site-root-relative paths.
  for (const m of code.matchAll(/m\.f\s*\|\|\s*\(\s*m\.f\s*=\s*\[([^\]]*)\]/g)) {
    for (const s of m[1].matchAll(/["']([^"']+\.m?js)["']/g)) {
      found.push({ spec: `/${s[1].replace(/^\//, '')}`, via: 'dynamic import' });
    }
  }
  return found;
}

/** Collects every JS file a built page loads (see the file comment). */
export function collectPageJs(pagePath: string): PageJs {
  const htmlFile = `${DIST}${pagePath}index.html`;
  const html = readFileSync(htmlFile, 'utf8');
  const files: JsFile[] = [];
  const external: string[] = [];
  const seen = new Set<string>();
  const queue: { url: URL; via: string; worker: boolean }[] = [];
  const pageUrl = new URL(pagePath, ORIGIN);

  const enqueue = (spec: string, base: URL, via: string, worker: boolean) => {
    const url = new URL(spec, base);
    if (url.origin !== ORIGIN) {
      external.push(spec);
      return;
    }
    queue.push({ url, via, worker });
  };

  let inline = 0;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attrs = m[1];
    const type = (attribute(attrs, 'type') ?? '').toLowerCase();
    if (type !== '' && type !== 'module' && !type.includes('javascript')) continue;
    const src = attribute(attrs, 'src');
    if (src) {
      enqueue(src, pageUrl, 'script', false);
      continue;
    }
    const code = m[2];
    if (code.trim() === '') continue;
    inline++;
    const bytes = Buffer.from(code, 'utf8');
    files.push({
      name: `inline script #${inline}`,
      via: type === 'module' ? 'inline module' : 'inline',
      rawBytes: bytes.length,
      gzipBytes: gzipBytes(bytes),
      worker: false,
    });
    for (const { spec, via } of moduleSpecifiers(code)) {
      enqueue(spec, pageUrl, via, via === 'worker');
    }
  }
  for (const m of html.matchAll(/<link\b([^>]*)>/gi)) {
    const rel = (attribute(m[1], 'rel') ?? '').toLowerCase();
    const href = attribute(m[1], 'href');
    if (href && rel === 'modulepreload') enqueue(href, pageUrl, 'modulepreload', false);
  }
  for (const m of html.matchAll(/<astro-island\b([^>]*)>/gi)) {
    for (const name of ['component-url', 'renderer-url', 'before-hydration-url']) {
      const url = attribute(m[1], name);
      if (url) enqueue(url, pageUrl, `island ${name}`, false);
    }
  }

  while (queue.length > 0) {
    const { url, via, worker } = queue.shift()!;
    const key = url.pathname;
    if (seen.has(key)) continue;
    seen.add(key);
    const file = `${DIST}${decodeURIComponent(key)}`;
    if (!existsSync(file)) {
      throw new Error(`${pagePath}: ${via} points at ${key}, but ${file} does not exist`);
    }
    const bytes = readFileSync(file);
    files.push({
      name: key,
      via,
      rawBytes: bytes.length,
      gzipBytes: gzipBytes(bytes),
      worker,
    });
    for (const dep of moduleSpecifiers(bytes.toString('utf8'))) {
      if (!/\.m?js(?:$|[?#])/.test(dep.spec) && dep.via !== 'worker') continue;
      enqueue(dep.spec, url, dep.via, worker || dep.via === 'worker');
    }
  }
  return { page: pagePath, files, external };
}

/** Process ids of `astro build` runs writing into site/dist (another helper or terminal). */
function siteBuildsRunning(): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const astro = argv.some((a) => /(^|\/)astro(\.m?js)?$/.test(a));
      if (!astro || !argv.includes('build') || argv.includes('--outDir')) continue;
      if (readlinkSync(`/proc/${entry}/cwd`) === `${ROOT}site`) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Waits (up to 5 minutes) for builds of site/dist started elsewhere, so we never race them. */
async function waitForOtherBuilds(log: (line: string) => void): Promise<void> {
  const deadline = performance.now() + 5 * 60_000;
  let pids = siteBuildsRunning();
  if (pids.length > 0) log(`js-size: waiting for a running site build (pid ${pids.join(', ')})…`);
  while (pids.length > 0) {
    if (performance.now() > deadline) {
      throw new Error(`a site build (pid ${pids.join(', ')}) is still running after 5 minutes`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    pids = siteBuildsRunning();
  }
}

async function ensureBuilt(options: JsSizeOptions): Promise<string> {
  await waitForOtherBuilds(options.log);
  const missing = essays.filter((e) => !existsSync(`${DIST}/${e.slug}/index.html`));
  const reason = options.build
    ? '--build was given'
    : !existsSync(`${DIST}/index.html`)
      ? 'site/dist is missing'
      : missing.length > 0
        ? `site/dist lacks ${missing.map((e) => e.slug).join(', ')}`
        : '';
  if (reason === '') {
    const when = statSync(`${DIST}/index.html`)
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z');
    return `Measured the existing build in site/dist (built ${when}); \`npm run bench -- --build\` rebuilds it first.`;
  }
  options.log(`js-size: ${reason}; building the site (npm run build -w site)…`);
  const r = spawnSync('npm', ['run', 'build', '-w', 'site'], {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (r.status !== 0) throw new Error(`npm run build -w site failed with status ${r.status}`);
  return `The site was built first (\`npm run build -w site\`) because ${reason}.`;
}

const sum = (files: JsFile[], field: 'rawBytes' | 'gzipBytes') =>
  files.reduce((total, f) => total + f[field], 0);

/**
 * Measures the JavaScript of every essay page and the home page against the 150 kB gzip goal.
 * @example const section = await runJsSizeBench({ command: 'x', log: console.error, build: false });
 */
export async function runJsSizeBench(options: JsSizeOptions): Promise<SectionReport> {
  const facts = machineFacts();
  const buildNote = await ensureBuilt(options);
  options.log('js-size: measuring pages…');
  const pages = [
    ...essays.map((e) => ({ label: e.slug, path: `/${e.slug}/`, essay: true })),
    { label: 'home (/)', path: '/', essay: false },
  ];
  const measured = pages.map((p) => ({ ...p, js: collectPageJs(p.path) }));

  const rows = measured.map(({ label, essay, js }) => {
    const page = js.files.filter((f) => !f.worker);
    const workers = js.files.filter((f) => f.worker);
    const gz = sum(page, 'gzipBytes');
    const ratio = gz / PAGE_JS_LIMIT_GZIP_BYTES;
    return [
      label,
      String(page.length),
      kB(sum(page, 'rawBytes')),
      kB(gz),
      `${ratio.toFixed(2)}`,
      essay ? (ratio <= 1 ? 'yes' : 'NO') : '(no goal)',
      workers.length > 0
        ? `${kB(sum(workers, 'gzipBytes'))} (${workers.length} file${workers.length === 1 ? '' : 's'})`
        : '—',
    ];
  });
  const tables: Table[] = [
    {
      title: `JavaScript per page (goal: ≤ ${kB(PAGE_JS_LIMIT_GZIP_BYTES)} gzip per essay page)`,
      head: ['page', 'JS files', 'raw', 'gzip', 'gzip / limit', 'met?', 'workers (gzip, extra)'],
      rows,
    },
  ];
  for (const { label, essay, js } of measured) {
    if (!essay) continue;
    const largest = [...js.files].sort((a, b) => b.gzipBytes - a.gzipBytes).slice(0, 8);
    tables.push({
      title: `Largest JS files of ${label} (gzip)`,
      head: ['file', 'loaded via', 'raw', 'gzip'],
      rows: largest.map((f) => [
        f.name,
        f.worker ? `${f.via} (worker)` : f.via,
        kB(f.rawBytes),
        kB(f.gzipBytes),
      ]),
    });
  }
  const external = measured.flatMap((m) => m.js.external.map((e) => `${m.label}: ${e}`));

  const essayRows = measured.filter((m) => m.essay);
  const over = essayRows.filter(
    (m) =>
      sum(
        m.js.files.filter((f) => !f.worker),
        'gzipBytes',
      ) > PAGE_JS_LIMIT_GZIP_BYTES,
  );
  const method = [
    buildNote,
    '',
    'For each page of site/dist: every `<script src>`, inline script, `<link rel="modulepreload">` ' +
      'and Astro island (`component-url`, `renderer-url`, `before-hydration-url`), then ' +
      'recursively every static `import`/`export … from` and literal `import("…")` inside those ' +
      'files, each file counted once per page. Sizes are raw bytes and gzip level 9 of each file ' +
      'separately (inline scripts on their own, so slightly more than they cost inside the ' +
      'compressed HTML). Islands hydrate when scrolled into view, so this is what a reader who ' +
      'scrolls through the whole essay downloads. Web Workers are listed apart: they load only ' +
      'when a figure starts heavy work. kB = 1000 bytes.' +
      (external.length > 0 ? ` Off-site scripts (not counted): ${external.join(', ')}.` : ''),
  ].join('\n');
  const meaning =
    over.length === 0
      ? `Every essay page stays within the ${kB(PAGE_JS_LIMIT_GZIP_BYTES)} gzip budget ` +
        `(largest: ${maxRatio(essayRows).toFixed(2)} of the limit, workers excluded). The ` +
        'figures share the Svelte runtime and the engine chunks, so a new figure mostly adds ' +
        'its own component file.'
      : `Over budget: ${over.map((m) => m.label).join(', ')}. The per-file table shows where the ` +
        'bytes go; the usual fixes are lazy-loading heavy figures and keeping engines out of ' +
        'the page bundle (workers).';
  return {
    id: 'js-size',
    heading: 'JavaScript weight of the built pages',
    facts,
    command: options.command,
    method,
    tables,
    meaning,
  };
}

function maxRatio(rows: { js: PageJs }[]): number {
  return Math.max(
    0,
    ...rows.map(
      (m) =>
        sum(
          m.js.files.filter((f) => !f.worker),
          'gzipBytes',
        ) / PAGE_JS_LIMIT_GZIP_BYTES,
    ),
  );
}
