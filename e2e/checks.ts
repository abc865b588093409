/**
 * The checks the browser tests share: axe scans that fail on serious or critical violations, and
 * the whole life of one figure (present once, hydrated, ready, not busy, answers the keyboard).
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Page } from 'playwright-core';
import type { FigureSpec } from '../site/src/essays/manifest.ts';

/** Axe impacts that fail a test. */
export const FAILING_IMPACTS: ReadonlySet<string> = new Set(['serious', 'critical']);

/**
 * Renders axe violations as readable text: rule, impact, help, and each offending node.
 * @example formatViolations(results.violations)
 */
export function formatViolations(violations: readonly Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => {
        const target = n.target.map((t) => (typeof t === 'string' ? t : JSON.stringify(t)));
        const summary = (n.failureSummary ?? '').split('\n').join('\n        ');
        return `    - ${target.join(' ')}\n        ${summary}\n        html: ${n.html.slice(0, 200)}`;
      });
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/**
 * Runs axe on the page (or only inside `include`, a CSS selector) and throws, listing them, if
 * any violation is serious or critical.
 * @example await expectNoSeriousAxe(page, '/bloom-filters/ (dark)');
 */
export async function expectNoSeriousAxe(
  page: Page,
  where: string,
  include?: string,
): Promise<void> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  const failing = results.violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ''));
  if (failing.length > 0) {
    throw new Error(
      `${where}: axe found ${failing.length} serious/critical violation(s):\n` +
        formatViolations(failing),
    );
  }
}

/**
 * CSS selector of a figure's root element.
 * @example figureSelector('bloom-fill') // '[data-figure="bloom-fill"]'
 */
export function figureSelector(id: string): string {
  return `[data-figure="${id}"]`;
}

/**
 * Waits until neither the element matched by selector nor anything inside it carries data-busy
 * (data-busy="false" counts as not busy).
 * @example await waitNotBusy(page, '[data-figure="bloom-fill"]', 30_000);
 */
export async function waitNotBusy(page: Page, selector: string, timeoutMs: number): Promise<void> {
  try {
    await page.waitForFunction(
      (sel) => {
        const root = document.querySelector(sel);
        const busy = '[data-busy]:not([data-busy="false"])';
        return root !== null && !root.matches(busy) && root.querySelector(busy) === null;
      },
      selector,
      { timeout: timeoutMs, polling: 50 },
    );
  } catch (err) {
    throw new Error(`${selector} stayed busy (data-busy) for more than ${timeoutMs} ms.`, {
      cause: err,
    });
  }
}

export interface FigureCheckOptions {
  /** Where to save a screenshot of the figure; none when absent. */
  screenshotPath?: string;
  /** How long hydration may take after the figure scrolls into view. */
  readyTimeoutMs?: number;
  /** How long a figure may stay busy. */
  busyTimeoutMs?: number;
  /** How long after the last key the figure may take to change. */
  changeTimeoutMs?: number;
  /** Included in every message, e.g. 'dark'. */
  label?: string;
}

/**
 * Checks one registered figure on an open page: present exactly once, hydrates when scrolled into
 * view and sets data-ready="true", settles (no data-busy), changes its markup when keyboard.keys
 * are pressed on the element keyboard.focus selects, passes axe (no serious/critical), and is
 * screenshotted (also when a step failed, if the figure is there). Throws an Error saying
 * which step failed.
 * @example await checkFigure(page, essays[0].figures[0], { screenshotPath: 'shots/a.png' });
 */
export async function checkFigure(
  page: Page,
  figure: FigureSpec,
  options: FigureCheckOptions = {},
): Promise<void> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
  const changeTimeoutMs = options.changeTimeoutMs ?? 5_000;
  const sel = figureSelector(figure.id);
  const name = options.label ? `figure ${figure.id} (${options.label})` : `figure ${figure.id}`;
  const shot = options.screenshotPath;
  if (shot) await rm(shot, { force: true });
  try {
    await driveFigure(page, figure, name, { readyTimeoutMs, busyTimeoutMs, changeTimeoutMs });
  } finally {
    // A screenshot helps most when a step failed, so take it either way (best effort then).
    if (shot && (await page.locator(sel).count()) === 1) {
      await mkdir(dirname(shot), { recursive: true });
      await page
        .locator(sel)
        .screenshot({ path: shot, animations: 'disabled', timeout: 10_000 })
        .catch(() => undefined);
    }
  }
}

interface Timeouts {
  readyTimeoutMs: number;
  busyTimeoutMs: number;
  changeTimeoutMs: number;
}

async function driveFigure(
  page: Page,
  figure: FigureSpec,
  name: string,
  { readyTimeoutMs, busyTimeoutMs, changeTimeoutMs }: Timeouts,
): Promise<void> {
  const sel = figureSelector(figure.id);
  const count = await page.locator(sel).count();
  if (count !== 1) {
    throw new Error(
      count === 0
        ? `${name}: the page ${page.url()} has no element ${sel}; every figure registered in ` +
            'site/src/essays/manifest.ts must be on its essay page (its root carries data-figure).'
        : `${name}: the page ${page.url()} has ${count} elements ${sel}; each figure must be on ` +
            'its page exactly once.',
    );
  }
  const root = page.locator(sel);
  await root.scrollIntoViewIfNeeded();
  try {
    await page.waitForSelector(`${sel}[data-ready="true"]`, {
      state: 'attached',
      timeout: readyTimeoutMs,
    });
  } catch (err) {
    const attrs = await root.evaluate((el) =>
      el.getAttributeNames().map((a) => `${a}="${el.getAttribute(a)}"`),
    );
    throw new Error(
      `${name} never set data-ready="true" within ${readyTimeoutMs} ms of being scrolled into ` +
        `view (it should, after its first render). Its root has: ${attrs.join(' ')}`,
      { cause: err },
    );
  }
  await waitNotBusy(page, sel, busyTimeoutMs);

  const target = root.locator(figure.keyboard.focus).first();
  if ((await root.locator(figure.keyboard.focus).count()) === 0) {
    throw new Error(
      `${name}: nothing inside it matches keyboard.focus "${figure.keyboard.focus}" from the ` +
        'manifest, so a keyboard user has nothing to drive.',
    );
  }
  await target.scrollIntoViewIfNeeded();
  await target.focus();
  const focused = await target.evaluate((el) => el === document.activeElement);
  if (!focused) {
    throw new Error(
      `${name}: "${figure.keyboard.focus}" cannot take keyboard focus (disabled, hidden, or not ` +
        'focusable).',
    );
  }
  // Snapshot after focusing, so that only the keys count as the figure's response.
  const before = await root.evaluate((el) => el.outerHTML);
  for (const key of figure.keyboard.keys) await page.keyboard.press(key);
  try {
    await page.waitForFunction(
      ([s, html]) => document.querySelector(s)?.outerHTML !== html,
      [sel, before] as const,
      { timeout: changeTimeoutMs, polling: 50 },
    );
  } catch (err) {
    throw new Error(
      `${name} did not change within ${changeTimeoutMs} ms after pressing ` +
        `${figure.keyboard.keys.map((k) => `"${k}"`).join(', ')} on "${figure.keyboard.focus}": ` +
        'a keyboard user gets no response.',
      { cause: err },
    );
  }
  await waitNotBusy(page, sel, busyTimeoutMs);

  await expectNoSeriousAxe(page, name, sel);
}

/**
 * Scrolls every figure on the page into view in turn, waiting at each until it sets
 * data-ready="true", then waits until none is busy, so layout checks and screenshots see hydrated
 * figures. Throws naming the first figure that never became ready.
 * @example await hydrateAllFigures(page);
 */
export async function hydrateAllFigures(page: Page, timeoutMs = 20_000): Promise<void> {
  const roots = page.locator('[data-figure]');
  const count = await roots.count();
  for (let i = 0; i < count; i++) {
    const root = roots.nth(i);
    const id = await root.getAttribute('data-figure');
    await root.scrollIntoViewIfNeeded();
    try {
      await page.waitForFunction(
        (index) =>
          document.querySelectorAll('[data-figure]')[index]?.getAttribute('data-ready') === 'true',
        i,
        { timeout: timeoutMs, polling: 50 },
      );
    } catch (err) {
      throw new Error(
        `figure ${id} never set data-ready="true" within ${timeoutMs} ms of being scrolled into ` +
          'view.',
        { cause: err },
      );
    }
  }
  for (let i = 0; i < count; i++) {
    const id = await roots.nth(i).getAttribute('data-figure');
    await waitNotBusy(page, figureSelector(id ?? ''), timeoutMs);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}
