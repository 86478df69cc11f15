// Debian's chromium through playwright-core, axe-core for accessibility, and an admin login. Every
// page a test opens is watched for Content-Security-Policy violations; serverAndBrowser fails the
// file when there was one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startServer, type TestServer } from './server.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What Chromium reported as blocked by a Content-Security-Policy, per browser. */
const cspViolations = new WeakMap<Browser, string[]>();

export function violationsOf(browser: Browser): string[] {
  return cspViolations.get(browser) ?? [];
}

/** Fails the test when any page of `browser` had something blocked by its CSP since the last check. */
export function expectNoCspViolations(browser: Browser | undefined): void {
  const violations = browser ? violationsOf(browser).splice(0) : [];
  expect(violations, 'Content-Security-Policy violations').toEqual([]);
}

function watch(browser: Browser, context: BrowserContext): BrowserContext {
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text()))
      violationsOf(browser).push(`${message.page()?.url()}: ${message.text()}`);
  });
  return context;
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cspViolations.set(browser, []);
  // Every context (and browser.newPage()'s own) is watched from its first page on.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watch(browser, await newContext(options));
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    // The browser may be closing too (a file's afterAll right after its last test): then there is
    // nothing left to close, and the rejected close must not surface as an unhandled rejection.
    page.once('close', () => void context.close().catch(() => {}));
    return page;
  };
  return browser;
}

/** The axe rules whose outcome depends on colours alone: all a second colour scheme can change. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/** Axe's findings on the page: every WCAG 2.1 AA and best-practice rule, or only the rules named. */
export async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  // Evaluated through the DevTools protocol, not as an inline <script>, which the page's CSP forbids.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE}\n;0`);
  return page.evaluate(async (rules) => {
    const runOnly = rules ? { type: 'rule', values: rules } : ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'];
    // @ts-expect-error axe is injected above
    const result = await window.axe.run(document, { runOnly });
    return result.violations.map(
      (v: { id: string; nodes: { target: string[] }[] }) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  }, rules);
}

/** A fresh browser context logged in to the admin. */
export async function loggedIn(
  browser: Browser,
  base: string,
  email: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('main button[type=submit]');
  await expect.poll(() => page.url(), { timeout: 5000 }).toBe(base + '/admin');
  return { context, page };
}

/**
 * A built server and a browser for the test file: started before its tests, closed after. Read
 * `.server` and `.browser` inside tests (they exist once beforeAll has run).
 */
export function serverAndBrowser(
  options: Parameters<typeof startServer>[0] | (() => Parameters<typeof startServer>[0]) = {},
): { server: TestServer; browser: Browser } {
  const ctx = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    // A function is read when the hook runs, after earlier hooks (a mail server's port, say) ran.
    ctx.server = await startServer(typeof options === 'function' ? options() : options);
    ctx.browser = await launchBrowser();
  });
  afterEach(() => expectNoCspViolations(ctx.browser));
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}
