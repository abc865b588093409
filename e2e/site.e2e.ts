// The site around the figures: the home page lists the manifest's essays; each essay page has an
// h1, a working table of contents, passes axe in light and dark, does not overflow a phone, honours
// prefers-reduced-motion; the theme toggle works and persists. Full-page screenshots go to
// e2e/screenshots/pages/<page>-<mode>.png.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { essays } from '../site/src/essays/manifest.ts';
import { goto, launchBrowser, MODES, modeNamed, type OpenedPage, openPage } from './browser.ts';
import { expectNoSeriousAxe, hydrateAllFigures } from './checks.ts';

const baseUrl = inject('baseUrl');
const pageShots = fileURLToPath(new URL('./screenshots/pages/', import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  await mkdir(pageShots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** Selectors a table of contents may carry, most explicit first. */
const TOC_SELECTORS = [
  '[data-toc]',
  'nav[aria-label*="contents" i]',
  'nav[aria-labelledby*="toc" i]',
  'nav.toc',
  '#toc',
];

async function findToc(page: Page): Promise<Locator> {
  for (const sel of TOC_SELECTORS) {
    const found = page.locator(sel);
    if ((await found.count()) > 0) return found.first();
  }
  throw new Error(
    `${page.url()} has no table of contents: expected a <nav aria-label="Contents"> ` +
      `(or an element with data-toc); looked for ${TOC_SELECTORS.join(', ')}.`,
  );
}

async function findThemeToggle(page: Page): Promise<Locator> {
  const candidates = [
    page.locator('[data-theme-toggle]'),
    page.getByRole('button', { name: /theme|dark|light/i }),
    page.getByRole('switch', { name: /theme|dark|light/i }),
  ];
  for (const c of candidates) if ((await c.count()) > 0) return c.first();
  throw new Error(
    `${page.url()} has no theme toggle: expected a button with data-theme-toggle (or a button ` +
      'whose accessible name mentions theme, dark or light).',
  );
}

/** Relative luminance (0 black … 1 white) of what the page paints behind its text. */
async function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const parse = (c: string) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return a === 0 ? null : [r, g, b];
    };
    const rgb = parse(getComputedStyle(document.body).backgroundColor) ??
      parse(getComputedStyle(document.documentElement).backgroundColor) ?? [255, 255, 255];
    const lin = (v: number) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  });
}

async function expectNoHorizontalOverflow(page: Page, where: string): Promise<void> {
  const report = await page.evaluate(() => {
    const scroller = document.scrollingElement ?? document.documentElement;
    const width = scroller.clientWidth;
    if (scroller.scrollWidth <= width + 1) return null;
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` +
      `${[...el.classList].map((c) => `.${c}`).join('')}` +
      `${el.getAttribute('data-figure') ? `[data-figure=${el.getAttribute('data-figure')}]` : ''}`;
    // An element inside a scroll box (or a clipping box) that fits does not widen the page.
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const fits = a.getBoundingClientRect().right <= width + 1;
        if (fits && getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter(
      (el) => el.getBoundingClientRect().right > width + 1 && !clipped(el),
    );
    // The innermost offenders say most about the cause.
    const leaves = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    const lines = leaves.slice(0, 10).map((el) => {
      const r = el.getBoundingClientRect();
      return `${describe(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`;
    });
    return `scrollWidth ${scroller.scrollWidth} > clientWidth ${width}; wide elements:\n  ${lines.join('\n  ')}`;
  });
  if (report) throw new Error(`${where} overflows horizontally: ${report}`);
}

function parseSeconds(list: string): number[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.endsWith('ms') ? Number.parseFloat(s) / 1000 : Number.parseFloat(s)));
}

describe('home page', () => {
  for (const mode of MODES) {
    it(`/ lists every essay of the manifest and each link opens it (${mode.name})`, async () => {
      const opened = await openPage(browser, mode);
      try {
        await opened.errors.check(`/ (${mode.name})`, async () => {
          const { page } = opened;
          await goto(page, `${baseUrl}/`);
          const text = ((await page.locator('body').textContent()) ?? '').toLowerCase();
          for (const essay of essays) {
            expect(text, `the home page should name the essay "${essay.title}"`).toContain(
              essay.title.toLowerCase(),
            );
            const links = page.locator(`a[href="/${essay.slug}/"], a[href="/${essay.slug}"]`);
            expect(
              await links.count(),
              `the home page should link to /${essay.slug}/ (essay "${essay.title}")`,
            ).toBeGreaterThan(0);
          }
          await page.screenshot({
            path: `${pageShots}home-${mode.name}.png`,
            fullPage: true,
            animations: 'disabled',
          });
          if (mode.name === 'phone') await expectNoHorizontalOverflow(page, `/ (${mode.name})`);
          if (mode.name !== 'phone') await expectNoSeriousAxe(page, `/ (${mode.name})`);
          for (const essay of essays) {
            const link = page.locator(`a[href="/${essay.slug}/"], a[href="/${essay.slug}"]`);
            await link.first().click();
            await page.waitForURL(new RegExp(`/${essay.slug}/?$`));
            await page.waitForLoadState('load');
            const h1 = (await page.locator('h1').first().textContent()) ?? '';
            expect(h1.toLowerCase(), `/${essay.slug}/ should open with its title`).toContain(
              essay.title.toLowerCase(),
            );
            await goto(page, `${baseUrl}/`);
          }
        });
      } finally {
        await opened.close();
      }
    });
  }
});

for (const essay of essays) {
  const path = `/${essay.slug}/`;
  for (const mode of MODES) {
    describe(`${path} (${mode.name})`, () => {
      let opened: OpenedPage;
      beforeAll(async () => {
        opened = await openPage(browser, mode);
      });
      afterAll(async () => {
        await opened?.close();
      });

      it(`${path} loads with every figure ready and no error (${mode.name})`, async () => {
        await opened.errors.check(`${path} (${mode.name})`, async () => {
          await goto(opened.page, `${baseUrl}${path}`);
          await hydrateAllFigures(opened.page);
        });
      });

      if (mode.name === 'light') {
        it(`${path} has exactly one h1, naming the essay`, async () => {
          const h1s = await opened.page.locator('h1').allInnerTexts();
          expect(h1s.length, `${path} should have exactly one h1; found ${h1s.length}`).toBe(1);
          expect(h1s[0].toLowerCase()).toContain(essay.title.toLowerCase());
        });

        it(`${path} has a table of contents whose links point to headings on the page`, async () => {
          const toc = await findToc(opened.page);
          const hrefs = await toc
            .locator('a[href]')
            .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
          expect(hrefs.length, `the table of contents of ${path} has no links`).toBeGreaterThan(0);
          const broken: string[] = [];
          for (const href of hrefs) {
            const url = new URL(href);
            const id = decodeURIComponent(url.hash.slice(1));
            const samePage = url.pathname.replace(/\/$/, '') === path.replace(/\/$/, '');
            const tag = await opened.page.evaluate(
              (i) => document.getElementById(i)?.tagName.toLowerCase() ?? null,
              id,
            );
            if (!samePage || !id || tag === null || !/^h[1-6]$/.test(tag)) {
              const why =
                !samePage || !id
                  ? 'not an anchor on this page'
                  : tag === null
                    ? `no element has id "${id}"`
                    : `#${id} is a <${tag}>, not a heading`;
              broken.push(`${href}: ${why}`);
            }
          }
          expect(broken, `table of contents links of ${path} that reach no heading`).toEqual([]);
        });
      }

      if (mode.name !== 'phone') {
        it(`${path} passes axe with no serious or critical violation (${mode.name})`, async () => {
          await expectNoSeriousAxe(opened.page, `${path} (${mode.name})`);
        });
      }

      if (mode.name === 'dark') {
        it(`${path} is dark when the system prefers dark and no theme was chosen`, async () => {
          const luminance = await backgroundLuminance(opened.page);
          expect(luminance, 'relative luminance of the page background').toBeLessThan(0.2);
        });
      }

      if (mode.name === 'phone') {
        it(`${path} does not overflow horizontally at ${mode.viewport.width} px`, async () => {
          await expectNoHorizontalOverflow(opened.page, `${path} (${mode.name})`);
        });
      }

      it(`${path} full-page screenshot (${mode.name})`, async () => {
        await opened.page.screenshot({
          path: `${pageShots}${essay.slug}-${mode.name}.png`,
          fullPage: true,
          animations: 'disabled',
        });
      });
    });
  }
}

describe('theme toggle', () => {
  for (const path of ['/', ...essays.map((e) => `/${e.slug}/`)]) {
    it(`on ${path} the theme toggle switches data-theme on <html> and survives a reload`, async () => {
      const opened = await openPage(browser, modeNamed('light'));
      try {
        await opened.errors.check(`theme toggle on ${path}`, async () => {
          const { page } = opened;
          await goto(page, `${baseUrl}${path}`);
          const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? null);
          const before = await theme();
          await (await findThemeToggle(page)).click();
          await page.waitForFunction(
            (b) => {
              const now = document.documentElement.dataset.theme;
              return now !== undefined && now !== b;
            },
            before,
            { timeout: 5_000 },
          );
          const chosen = await theme();
          await page.reload({ waitUntil: 'load' });
          expect(await theme(), 'data-theme after a reload').toBe(chosen);
          if (chosen === 'dark' || chosen === 'light') {
            const luminance = await backgroundLuminance(page);
            if (chosen === 'dark') expect(luminance, 'dark background').toBeLessThan(0.2);
            else expect(luminance, 'light background').toBeGreaterThan(0.5);
          }
        });
      } finally {
        await opened.close();
      }
    });
  }
});

describe('reduced motion', () => {
  for (const essay of essays) {
    const path = `/${essay.slug}/`;
    it(`with prefers-reduced-motion: reduce, nothing on ${path} transitions or animates`, async () => {
      const opened = await openPage(browser, modeNamed('light'), { reducedMotion: 'reduce' });
      try {
        await opened.errors.check(`${path} (reduced motion)`, async () => {
          const { page } = opened;
          await goto(page, `${baseUrl}${path}`);
          await hydrateAllFigures(page);
          const styles = await page.evaluate(() =>
            [...document.querySelectorAll('[data-figure] button, button, [role="button"]')].map(
              (el) => {
                const s = getComputedStyle(el);
                const figure = el.closest('[data-figure]')?.getAttribute('data-figure') ?? null;
                const name = el.textContent?.trim().slice(0, 30) || el.getAttribute('aria-label');
                return {
                  what: `${figure ? `${figure} ` : ''}button "${name}"`,
                  inFigure: figure !== null,
                  property: s.transitionProperty,
                  duration: s.transitionDuration,
                  animation: s.animationName,
                  animationDuration: s.animationDuration,
                };
              },
            ),
          );
          expect(
            styles.filter((s) => s.inFigure).length,
            `${path}: no button inside any figure, so reduced motion cannot be checked`,
          ).toBeGreaterThan(0);
          const moving = styles.filter((s) => {
            const transition =
              s.property !== 'none' && Math.max(0, ...parseSeconds(s.duration)) > 0.01;
            const animation =
              s.animation !== 'none' && Math.max(0, ...parseSeconds(s.animationDuration)) > 0.01;
            return transition || animation;
          });
          expect(
            moving.map(
              (s) => `${s.what}: transition ${s.property} ${s.duration}, animation ${s.animation}`,
            ),
            'buttons that still move under prefers-reduced-motion: reduce',
          ).toEqual([]);
          const running = await page.evaluate(() =>
            document
              .getAnimations()
              .filter((a) => {
                const d = a.effect?.getComputedTiming().duration;
                return a.playState === 'running' && typeof d === 'number' && d > 10;
              })
              .map((a) => {
                const t = (a.effect as KeyframeEffect | null)?.target;
                return `${a.constructor.name} on ${t?.tagName.toLowerCase() ?? '?'}`;
              }),
          );
          expect(running, 'animations still running under reduced motion').toEqual([]);
        });
      } finally {
        await opened.close();
      }
    });
  }
});
