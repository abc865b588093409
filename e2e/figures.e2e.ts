// Every figure registered in the manifest, in every mode: on its page once, hydrates, reaches
// data-ready, answers the keyboard, logs no error, passes axe; screenshots go to
// e2e/screenshots/<mode>/<id>.png.
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { essays } from '../site/src/essays/manifest.ts';
import { goto, launchBrowser, MODES, type OpenedPage, openPage } from './browser.ts';
import { checkFigure } from './checks.ts';

const baseUrl = inject('baseUrl');
const screenshots = fileURLToPath(new URL('./screenshots/', import.meta.url));
const registered = new Set(essays.flatMap((e) => e.figures.map((f) => f.id)));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

for (const essay of essays) {
  for (const mode of MODES) {
    describe(`/${essay.slug}/ (${mode.name})`, () => {
      let opened: OpenedPage;
      beforeAll(async () => {
        opened = await openPage(browser, mode);
      });
      afterAll(async () => {
        await opened?.close();
      });

      it(`/${essay.slug}/ loads in ${mode.name} mode with no error and only registered figures`, async () => {
        await opened.errors.check(`/${essay.slug}/ (${mode.name})`, async () => {
          await goto(opened.page, `${baseUrl}/${essay.slug}/`);
          const ids = await opened.page.$$eval('[data-figure]', (els) =>
            els.map((el) => el.getAttribute('data-figure') ?? ''),
          );
          const strays = ids.filter((id) => !registered.has(id));
          if (strays.length > 0) {
            throw new Error(
              `/${essay.slug}/ has figures missing from site/src/essays/manifest.ts: ` +
                `${strays.join(', ')}. Register each (id, title, keyboard) so it gets tested.`,
            );
          }
        });
      });

      for (const figure of essay.figures) {
        it(`${figure.id} renders, gets ready, answers ${figure.keyboard.keys.join('+')} and passes axe (${mode.name})`, async () => {
          if (!opened.page.url().startsWith(baseUrl)) {
            // The load test failed before navigating; try once more so this figure gets its say.
            await goto(opened.page, `${baseUrl}/${essay.slug}/`);
          }
          await opened.errors.check(`${figure.id} (${mode.name})`, () =>
            checkFigure(opened.page, figure, {
              label: mode.name,
              screenshotPath: `${screenshots}${mode.name}/${figure.id}.png`,
            }),
          );
        });
      }
    });
  }
}
