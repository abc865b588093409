/**
 * Launching Debian's Chromium through playwright-core, the three modes every page is tested in,
 * and a page opener that records every console error, uncaught exception and failed request.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** The flags Chromium runs with in the browser tests (headless, no sandbox, no background work). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Launches Chromium from $CHROME_PATH (default /usr/bin/chromium).
 * @example const browser = await launchBrowser(); await browser.close();
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium was not found at ${executablePath}: install it (Debian: apt-get install chromium) ` +
        'or set CHROME_PATH to its executable.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}

export type ModeName = 'light' | 'dark' | 'phone';

/** One way a reader sees the site: viewport, colour scheme, touch. */
export interface Mode {
  name: ModeName;
  viewport: { width: number; height: number };
  colorScheme: 'light' | 'dark';
  isMobile: boolean;
  hasTouch: boolean;
  deviceScaleFactor: number;
}

/** Light desktop, dark desktop and a phone (light), in that order. */
export const MODES: readonly Mode[] = [
  {
    name: 'light',
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    isMobile: false,
    hasTouch: false,
    deviceScaleFactor: 1,
  },
  {
    name: 'dark',
    viewport: { width: 1280, height: 900 },
    colorScheme: 'dark',
    isMobile: false,
    hasTouch: false,
    deviceScaleFactor: 1,
  },
  {
    name: 'phone',
    viewport: { width: 390, height: 844 },
    colorScheme: 'light',
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  },
];

/**
 * Returns the mode with that name.
 * @example modeNamed('phone').viewport.width // 390
 */
export function modeNamed(name: ModeName): Mode {
  const mode = MODES.find((m) => m.name === name);
  if (!mode) throw new Error(`No mode named ${name}; expected one of light, dark, phone.`);
  return mode;
}

/** Console errors, uncaught exceptions and failed requests of one page, in arrival order. */
export class PageErrors {
  private readonly pending: string[] = [];

  /**
   * Records one problem.
   * @example errors.add('console.error: boom')
   */
  add(message: string): void {
    this.pending.push(message);
  }

  /**
   * Returns the problems recorded since the last take() and forgets them.
   * @example const fresh = errors.take();
   */
  take(): string[] {
    return this.pending.splice(0, this.pending.length);
  }

  /**
   * Throws, listing them, if any problem was recorded since the last take(); `where` names the
   * page or figure in the message.
   * @example errors.expectNone('bloom-fill (dark)');
   */
  expectNone(where: string): void {
    const found = this.take();
    if (found.length > 0) throw new Error(describeErrors(where, found));
  }

  /**
   * Runs body, then fails if it threw or if any problem was recorded since the last take()
   * (late errors from before body are reported here rather than lost); a thrown error gets the
   * recorded problems appended, so both causes show up together.
   * @example await errors.check('bloom-fill (dark)', () => checkFigure(page, figure));
   */
  async check(where: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      const found = this.take();
      if (found.length > 0 && err instanceof Error) {
        err.message += `\n\n${describeErrors(where, found)}`;
      }
      throw err;
    }
    this.expectNone(where);
  }
}

/** Lists problems once each, in order of first arrival, with a repeat count; at most 20. */
function describeErrors(where: string, found: string[]): string {
  const counts = new Map<string, number>();
  for (const m of found) counts.set(m, (counts.get(m) ?? 0) + 1);
  const distinct = [...counts];
  const lines = distinct
    .slice(0, 20)
    .map(([m, n], i) => `  ${i + 1}. ${m}${n > 1 ? ` (×${n})` : ''}`);
  if (distinct.length > 20) lines.push(`  … and ${distinct.length - 20} more distinct messages`);
  return `${where}: ${found.length} console/page error(s):\n${lines.join('\n')}`;
}

/** A page opened in one mode, with its error log. */
export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  errors: PageErrors;
  mode: Mode;
  /** Closes the page's context (and so the page). */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Emulated prefers-reduced-motion; default 'no-preference'. */
  reducedMotion?: 'reduce' | 'no-preference';
  /** Navigate here right away; without it the page stays blank. */
  url?: string;
}

/**
 * Opens a fresh context and page in the given mode, wires up error collection before anything
 * loads, and (with options.url) navigates there, failing if the response is not 2xx/3xx.
 * @example const { page, errors, close } = await openPage(browser, modeNamed('dark'), { url });
 */
export async function openPage(
  browser: Browser,
  mode: Mode,
  options: OpenOptions = {},
): Promise<OpenedPage> {
  const reducedMotion = options.reducedMotion ?? 'no-preference';
  const context = await browser.newContext({
    viewport: mode.viewport,
    isMobile: mode.isMobile,
    hasTouch: mode.hasTouch,
    deviceScaleFactor: mode.deviceScaleFactor,
    colorScheme: mode.colorScheme,
    reducedMotion,
  });
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme: mode.colorScheme, reducedMotion });
  const errors = new PageErrors();
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const { url, lineNumber } = msg.location();
    const where = url ? ` (${url}:${lineNumber + 1})` : '';
    errors.add(`console.error: ${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => {
    errors.add(`uncaught ${err.name}: ${err.message}${err.stack ? `\n${err.stack}` : ''}`);
  });
  page.on('crash', () => errors.add('the page crashed'));
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText ?? 'unknown error';
    // Navigations and reloads abort requests that are still in flight; that is not a bug.
    if (failure.includes('ERR_ABORTED')) return;
    errors.add(`request failed: ${req.method()} ${req.url()}: ${failure}`);
  });
  const opened: OpenedPage = { context, page, errors, mode, close: () => context.close() };
  if (options.url) await goto(page, options.url);
  return opened;
}

/**
 * Navigates page to url and waits for load; throws if the server answers with an error status.
 * @example await goto(page, `${baseUrl}/bloom-filters/`);
 */
export async function goto(page: Page, url: string): Promise<void> {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) throw new Error(`GET ${url} gave no response.`);
  if (response.status() >= 400) {
    throw new Error(`GET ${url} answered ${response.status()} ${response.statusText()}.`);
  }
}
