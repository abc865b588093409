// Tests of the harness itself, against a fixture site written to a temporary folder: the static
// server answers correctly, and checkFigure passes a good figure and fails each kind of bad one
// with a message that names the problem.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FigureSpec } from '../site/src/essays/manifest.ts';
import { launchBrowser, modeNamed, type OpenedPage, openPage } from './browser.ts';
import { checkFigure } from './checks.ts';
import { type StaticServer, startStaticServer } from './server.ts';

// Each fixture figure hydrates only once scrolled into view, like an Astro client:visible island.
const FIGURES_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fixture figures</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"></head>
<body><main><h1>Fixture figures</h1>
<div style="height: 2000px">Spacer</div>
<figure data-figure="good"><button type="button">Add</button> <output>0</output></figure>
<figure data-figure="slow"><button type="button">Compute</button> <output>0</output></figure>
<figure data-figure="silent"><button type="button">Nothing</button></figure>
<figure data-figure="noisy"><button type="button">Shout</button> <output>0</output></figure>
<figure data-figure="unlabelled"><button type="button"></button> <output>0</output></figure>
<figure data-figure="twice"><button type="button">One</button></figure>
<figure data-figure="twice"><button type="button">Two</button></figure>
<figure data-figure="never-ready" data-lazy="never"><button type="button">Hi</button></figure>
<script>
  const bump = (fig) => { const o = fig.querySelector('output'); o.textContent = +o.textContent + 1; };
  const actions = {
    good: bump,
    slow: (fig) => {
      fig.setAttribute('data-busy', '');
      setTimeout(() => { bump(fig); fig.removeAttribute('data-busy'); }, 300);
    },
    silent: () => {},
    noisy: (fig) => { console.error('boom from the noisy figure'); bump(fig); },
    unlabelled: bump,
    twice: () => {},
  };
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting || e.target.dataset.lazy === 'never') continue;
      io.unobserve(e.target);
      const fig = e.target;
      setTimeout(() => {
        fig.querySelector('button').addEventListener('click', () => actions[fig.dataset.figure](fig));
        fig.setAttribute('data-ready', 'true');
      }, 50);
    }
  });
  for (const fig of document.querySelectorAll('[data-figure]')) io.observe(fig);
</script></main></body></html>`;

const FILES: Record<string, string | Buffer> = {
  'index.html': '<!doctype html><title>home</title><p>home</p>',
  '404.html': '<!doctype html><title>lost</title><p>custom not found</p>',
  'essay/index.html': '<!doctype html><title>essay</title><p>essay</p>',
  'figures.html': FIGURES_HTML,
  'a.js': 'export const a = 1;',
  'a.css': 'p { color: red }',
  'a.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'a.json': '{"a":1}',
  'a.wasm': Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  'a.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  'a.woff2': Buffer.from('wOF2'),
};

let tmp: string;
let server: StaticServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'explorables-e2e-'));
  const dist = join(tmp, 'dist');
  for (const [name, body] of Object.entries(FILES)) {
    await mkdir(join(dist, name, '..'), { recursive: true });
    await writeFile(join(dist, name), body);
  }
  await writeFile(join(tmp, 'secret.txt'), 'outside the root');
  server = await startStaticServer(dist);
});
afterAll(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** GET with the path sent exactly as written (fetch would normalise ../ away). */
function rawGet(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((done, fail) => {
    get({ host: '127.0.0.1', port: server.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    }).on('error', fail);
  });
}

describe('startStaticServer', () => {
  it.each([
    ['/a.js', 'text/javascript'],
    ['/a.css', 'text/css'],
    ['/a.svg', 'image/svg+xml'],
    ['/a.json', 'application/json'],
    ['/a.wasm', 'application/wasm'],
    ['/a.png', 'image/png'],
    ['/a.woff2', 'font/woff2'],
    ['/figures.html', 'text/html'],
  ])('startStaticServer serves %s as %s', async (path, type) => {
    const r = await rawGet(path);
    expect(r.status).toBe(200);
    expect(r.type.startsWith(type)).toBe(true);
  });

  it('startStaticServer answers a directory with its index.html', async () => {
    expect(await rawGet('/')).toMatchObject({ status: 200, body: FILES['index.html'] });
    expect(await rawGet('/essay/?x=1')).toMatchObject({
      status: 200,
      body: FILES['essay/index.html'],
    });
  });

  it('startStaticServer redirects a directory without its trailing slash', async () => {
    const r = await new Promise<{ status: number; location: string }>((done, fail) => {
      get({ host: '127.0.0.1', port: server.port, path: '/essay?x=1' }, (res) => {
        res.resume();
        done({ status: res.statusCode ?? 0, location: String(res.headers.location) });
      }).on('error', fail);
    });
    expect(r).toEqual({ status: 301, location: '/essay/?x=1' });
  });

  it('startStaticServer answers unknown paths with 404.html and status 404', async () => {
    const r = await rawGet('/no/such/page/');
    expect(r.status).toBe(404);
    expect(r.type.startsWith('text/html')).toBe(true);
    expect(r.body).toBe(FILES['404.html']);
  });

  it.each(['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/essay/../../secret.txt'])(
    'startStaticServer never serves outside its root (%s)',
    async (path) => {
      const r = await rawGet(path);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('outside the root');
    },
  );

  it('startStaticServer answers a malformed escape with 400', async () => {
    expect((await rawGet('/%E0%A4%A')).status).toBe(400);
  });
});

describe('checkFigure', () => {
  let browser: Browser;
  let opened: OpenedPage;
  let shots = 0;
  const shot = () => join(tmp, 'shots', `${++shots}.png`);
  const spec = (id: string, focus = 'button', keys = ['Enter']): FigureSpec => ({
    id,
    title: id,
    keyboard: { focus, keys },
  });
  const fast = { readyTimeoutMs: 3_000, busyTimeoutMs: 3_000, changeTimeoutMs: 1_000 };

  beforeAll(async () => {
    browser = await launchBrowser();
    opened = await openPage(browser, modeNamed('light'), { url: `${server.url}/figures.html` });
  });
  afterAll(async () => {
    await opened?.close();
    await browser?.close();
  });

  it('checkFigure passes a figure that hydrates when visible, answers Enter and passes axe', async () => {
    const path = shot();
    await opened.errors.check('good', () =>
      checkFigure(opened.page, spec('good'), { ...fast, screenshotPath: path }),
    );
    expect(existsSync(path)).toBe(true);
  });

  it('checkFigure waits while the figure is data-busy', async () => {
    await checkFigure(opened.page, spec('slow'), fast);
    expect(await opened.page.locator('[data-figure="slow"] output').textContent()).toBe('1');
  });

  it('checkFigure fails a figure that does not answer the keys', async () => {
    await expect(checkFigure(opened.page, spec('silent'), fast)).rejects.toThrow(
      /figure silent did not change within 1000 ms after pressing "Enter" on "button"/,
    );
  });

  it('checkFigure with errors.check fails a figure that logs a console error', async () => {
    await expect(
      opened.errors.check('noisy', () => checkFigure(opened.page, spec('noisy'), fast)),
    ).rejects.toThrow(/noisy: 1 console\/page error\(s\):\n.*boom from the noisy figure/);
  });

  it('checkFigure fails a figure with a serious axe violation, naming the rule', async () => {
    await expect(checkFigure(opened.page, spec('unlabelled'), fast)).rejects.toThrow(
      /axe found 1 serious\/critical violation\(s\):\n {2}\[critical\] button-name/,
    );
  });

  it('checkFigure fails a figure that is on the page twice', async () => {
    await expect(checkFigure(opened.page, spec('twice'), fast)).rejects.toThrow(
      /has 2 elements \[data-figure="twice"\]; each figure must be on its page exactly once/,
    );
  });

  it('checkFigure fails a registered figure missing from the page', async () => {
    await expect(checkFigure(opened.page, spec('absent'), fast)).rejects.toThrow(
      /has no element \[data-figure="absent"\]/,
    );
  });

  it('checkFigure fails a figure that never sets data-ready', async () => {
    await expect(checkFigure(opened.page, spec('never-ready'), fast)).rejects.toThrow(
      /figure never-ready never set data-ready="true" within 3000 ms/,
    );
  });

  it('checkFigure fails when keyboard.focus matches nothing inside the figure', async () => {
    await expect(
      checkFigure(opened.page, spec('good', 'input[type=range]', ['ArrowRight']), fast),
    ).rejects.toThrow(/nothing inside it matches keyboard.focus "input\[type=range\]"/);
  });
});
