// The lab page /lab/llm/: the real model downloads, loads into a Web Worker and, greedy, writes
// exactly what llama2.c's run.c wrote (llama2c-golden.md run 1, read from EXPLORABLES_REFERENCE);
// Stop cancels a running generation; the keyboard alone can start one; no console error; axe
// passes. Full-page screenshots go to e2e/screenshots/lab/llm-<mode>.png.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeShared, readShared } from '@explorables/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { goto, launchBrowser, type Mode, modeNamed, type OpenedPage, openPage } from './browser.ts';
import { expectNoSeriousAxe } from './checks.ts';
import { DIST_DIR } from './server.ts';

const baseUrl = inject('baseUrl');
const shots = fileURLToPath(new URL('./screenshots/lab/', import.meta.url));
const PATH = '/lab/llm/';
const ROOT = '[data-figure="llm-playground"]';
const hasModel = existsSync(join(DIST_DIR, 'models', 'index.json'));

/** The four ways the lab page is looked at: 1280 px and 390 px, light and dark. */
const LOOKS: Array<{ name: string; mode: Mode }> = [
  { name: 'desktop-light', mode: modeNamed('light') },
  { name: 'desktop-dark', mode: modeNamed('dark') },
  { name: 'phone-light', mode: modeNamed('phone') },
  { name: 'phone-dark', mode: { ...modeNamed('phone'), colorScheme: 'dark' } },
];

/** Run 1 of llama2c-golden.md: its command's prompt and its stdout (a JSON string). */
function goldenRun1(markdown: string): { prompt: string; steps: number; stdout: string } {
  const section = markdown.split(/^### /m).find((s) => s.startsWith('1.'));
  const command = section && /```\n(\.\/run [^\n]*)\n```/.exec(section)?.[1];
  const json = section && /```json\n(".*")\n```/.exec(section)?.[1];
  const prompt = command && /-i "((?:[^"\\]|\\.)*)"/.exec(command)?.[1];
  const steps = command && /-n (\d+)/.exec(command)?.[1];
  if (!command?.includes('-t 0') || !json || !prompt || !steps) {
    throw new Error(
      'llama2c-golden.md: run 1 ("### 1.") should hold a greedy ./run command with -i and -n ' +
        'and its stdout as a ```json block; the file changed shape.',
    );
  }
  return { prompt, steps: Number(steps), stdout: JSON.parse(json) as string };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  await mkdir(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** Waits until the playground is hydrated and its model has loaded (or failed to). */
async function waitModel(page: Page): Promise<string> {
  await page.waitForSelector(`${ROOT}[data-ready="true"]`, { state: 'attached', timeout: 20_000 });
  await page.waitForFunction(
    (sel) => {
      const state = document.querySelector(sel)?.getAttribute('data-model');
      return state !== null && state !== undefined && state !== 'loading';
    },
    ROOT,
    { timeout: 60_000, polling: 50 },
  );
  return (await page.locator(ROOT).getAttribute('data-model')) ?? '';
}

/** Waits for the current generation to end; returns data-run ('done', 'stopped' or 'failed'). */
async function waitRunEnd(page: Page, timeoutMs = 60_000): Promise<string> {
  await page.waitForFunction(
    (sel) => {
      const root = document.querySelector(sel);
      const run = root?.getAttribute('data-run');
      return run !== 'running' && run !== 'idle' && !root?.hasAttribute('data-busy');
    },
    ROOT,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await page.locator(ROOT).getAttribute('data-run')) ?? '';
}

async function outputText(page: Page): Promise<string> {
  return page.locator(`${ROOT} [data-output]`).evaluate((el) => {
    const tokens = [...el.querySelectorAll('.tok')];
    return tokens.map((t) => t.textContent ?? '').join('');
  });
}

async function setInputs(
  page: Page,
  values: { prompt: string; steps: number; temperature: number; seed?: number },
): Promise<void> {
  const root = page.locator(ROOT);
  await root.locator('[data-prompt]').fill(values.prompt);
  await root.locator('[data-steps]').fill(String(values.steps));
  await root.locator('[data-temperature]').fill(String(values.temperature));
  if (values.seed !== undefined) await root.locator('[data-seed]').fill(String(values.seed));
}

describe(`${PATH} when the site ships no model`, () => {
  for (const look of [LOOKS[0], LOOKS[3]]) {
    it(`${PATH} says "Model not available" and disables Generate (${look.name})`, async () => {
      const opened = await openPage(browser, look.mode);
      try {
        const { page, errors } = opened;
        // What a build without EXPLORABLES_MODELS serves: no models/index.json.
        await page.route('**/models/index.json', (route) =>
          route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }),
        );
        await goto(page, `${baseUrl}${PATH}`);
        expect(await waitModel(page)).toBe('unavailable');
        await expect.poll(() => page.locator(ROOT).textContent()).toContain('Model not available');
        expect(await page.locator(`${ROOT} [data-generate]`).isDisabled()).toBe(true);
        await expectNoSeriousAxe(page, `${PATH} without a model (${look.name})`);
        await page.screenshot({
          path: `${shots}llm-unavailable-${look.name}.png`,
          fullPage: true,
          animations: 'disabled',
        });
        // Chromium logs the 404 itself; that line is the expected one, anything else is not.
        const unexpected = errors
          .take()
          .filter((m) => !(m.includes('404') && m.includes('/models/index.json')));
        expect(unexpected).toEqual([]);
      } finally {
        await opened.close();
      }
    });
  }
});

describe.skipIf(!hasModel)(`${PATH} with the model (built with EXPLORABLES_MODELS)`, () => {
  it(`${PATH} shows a progress bar while the model downloads`, async () => {
    const opened = await openPage(browser, modeNamed('light'));
    try {
      await opened.errors.check(`${PATH} loading`, async () => {
        const { page } = opened;
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        // Hold the checkpoint back so the loading state stays on screen.
        await page.route(/\/models\/[^/]+\.bin$/, async (route) => {
          if (route.request().url().includes('tok512')) return route.continue();
          await held;
          await route.continue();
        });
        await goto(page, `${baseUrl}${PATH}`);
        await page.waitForSelector(`${ROOT}[data-ready="true"] progress`, { timeout: 20_000 });
        expect(await page.locator(ROOT).getAttribute('data-busy')).toBe('true');
        await expect
          .poll(() => page.locator(`${ROOT} .loading`).textContent())
          .toMatch(/Downloading .*KiB/);
        await page.locator(ROOT).screenshot({ path: `${shots}llm-loading.png` });
        release();
        expect(await waitModel(page)).toBe('ready');
      });
    } finally {
      await opened.close();
    }
  });

  for (const look of LOOKS) {
    it(`${PATH} loads the model, generates and passes axe (${look.name})`, async () => {
      const opened = await openPage(browser, look.mode);
      try {
        await opened.errors.check(`${PATH} (${look.name})`, async () => {
          const { page } = opened;
          await goto(page, `${baseUrl}${PATH}`);
          expect(await waitModel(page)).toBe('ready');
          await setInputs(page, {
            prompt: 'Once upon a time',
            steps: 96,
            temperature: 0.8,
            seed: 7,
          });
          await page.locator(`${ROOT} [data-generate]`).click();
          expect(await waitRunEnd(page)).toBe('done');
          expect((await outputText(page)).length).toBeGreaterThan(40);
          await expect.poll(() => page.locator(`${ROOT} [data-rate]`).count()).toBe(1);
          const overflow = await page.evaluate(() => {
            const s = document.scrollingElement ?? document.documentElement;
            return s.scrollWidth - s.clientWidth;
          });
          expect(overflow, `${PATH} overflows horizontally by ${overflow} px`).toBeLessThanOrEqual(
            1,
          );
          await expectNoSeriousAxe(page, `${PATH} (${look.name})`);
          await page.screenshot({
            path: `${shots}llm-${look.name}.png`,
            fullPage: true,
            animations: 'disabled',
          });
        });
      } finally {
        await opened.close();
      }
    });
  }

  describeShared(`${PATH} against llama2.c run.c`, [['reference', 'llama2c-golden.md']], () => {
    const golden = goldenRun1(
      new TextDecoder().decode(readShared('reference', 'llama2c-golden.md')),
    );
    let opened: OpenedPage;
    beforeAll(async () => {
      opened = await openPage(browser, modeNamed('light'));
      await goto(opened.page, `${baseUrl}${PATH}`);
      expect(await waitModel(opened.page)).toBe('ready');
    });
    afterAll(async () => {
      await opened?.close();
    });

    it('Stop cancels a running generation: the output stops growing at once', async () => {
      await opened.errors.check(`${PATH} stop`, async () => {
        const { page } = opened;
        await setInputs(page, { prompt: 'Once upon a time', steps: 512, temperature: 1, seed: 3 });
        // Press Stop from inside the page as soon as 12 tokens are out, so the click cannot
        // lose a race against a fast machine finishing all 512 steps.
        const armed = page.evaluate((sel) => {
          const root = document.querySelector(sel)!;
          const output = root.querySelector('[data-output]')!;
          return new Promise<number>((resolve) => {
            const observer = new MutationObserver(() => {
              const n = output.querySelectorAll('.tok').length;
              if (n < 12) return;
              observer.disconnect();
              (root.querySelector('[data-stop]') as HTMLButtonElement).click();
              resolve(n);
            });
            observer.observe(output, { childList: true, subtree: true, characterData: true });
          });
        }, ROOT);
        await page.locator(`${ROOT} [data-generate]`).click();
        const atStop = await armed;
        expect(await waitRunEnd(page)).toBe('stopped');
        const count = () => page.locator(`${ROOT} [data-output] .tok`).count();
        const afterStop = await count();
        expect(afterStop).toBe(atStop);
        await page.waitForTimeout(400);
        expect(await count(), 'the output grew after Stop').toBe(afterStop);
        expect(afterStop).toBeLessThan(512);
        await expect
          .poll(() => page.locator(ROOT).textContent())
          .toMatch(/Stopped after \d+ generated tokens/);
      });
    });

    it(`greedy "${golden.prompt}" for ${golden.steps} steps writes run.c's stdout exactly`, async () => {
      await opened.errors.check(`${PATH} golden`, async () => {
        const { page } = opened;
        await setInputs(page, { prompt: golden.prompt, steps: golden.steps, temperature: 0 });
        await page.locator(`${ROOT} [data-generate]`).click();
        expect(await waitRunEnd(page)).toBe('done');
        const text = await outputText(page);
        expect(`${text}\n`).toBe(golden.stdout);
        expect(Buffer.byteLength(`${text}\n`)).toBe(566);
      });
    });

    it('the keyboard alone runs it: Tab from Temperature to Generate, Enter starts, Escape stops', async () => {
      await opened.errors.check(`${PATH} keyboard`, async () => {
        const { page } = opened;
        // A short different run first, so only the keyboard run can fill in the golden text.
        await setInputs(page, { prompt: 'One day', steps: 12, temperature: 0 });
        await page.locator(`${ROOT} [data-generate]`).click();
        expect(await waitRunEnd(page)).toBe('done');
        expect(`${await outputText(page)}\n`).not.toBe(golden.stdout);
        await setInputs(page, { prompt: golden.prompt, steps: golden.steps, temperature: 0 });
        await page.locator(`${ROOT} [data-temperature]`).focus();
        let onGenerate = false;
        for (let i = 0; i < 4 && !onGenerate; i++) {
          await page.keyboard.press('Tab');
          onGenerate = await page.evaluate(
            (sel) => document.activeElement === document.querySelector(`${sel} [data-generate]`),
            ROOT,
          );
        }
        expect(onGenerate, 'Tab from Temperature should reach Generate').toBe(true);
        await page.keyboard.press('Enter');
        expect(await waitRunEnd(page)).toBe('done');
        expect(`${await outputText(page)}\n`).toBe(golden.stdout);
        // Escape stops a running generation. 512 sampled steps take only a fraction of a second
        // now, so a separate key press could arrive after the end; instead the Escape keydown is
        // sent to the focused prompt the moment the 8th token is on screen, through the same
        // handler a real key reaches, while the worker still has hundreds of tokens to go.
        await setInputs(page, { prompt: golden.prompt, steps: 512, temperature: 1, seed: 9 });
        const escaped = page.evaluate((sel) => {
          const out = document.querySelector(`${sel} [data-output]`);
          if (out === null) throw new Error('no output element');
          return new Promise<number>((resolve) => {
            const watch = new MutationObserver(() => {
              const count = out.querySelectorAll('.tok').length;
              if (count < 8) return;
              watch.disconnect();
              const target = document.activeElement ?? document.body;
              target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
              resolve(count);
            });
            watch.observe(out, { childList: true, subtree: true });
          });
        }, ROOT);
        await page.locator(`${ROOT} [data-prompt]`).press('Enter');
        expect(await escaped).toBeGreaterThanOrEqual(8);
        expect(await waitRunEnd(page)).toBe('stopped');
        expect(await page.locator(`${ROOT} [data-output] .tok`).count()).toBeLessThan(512);
      });
    });
  });
});
