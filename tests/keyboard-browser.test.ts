// On-call staff without a mouse: the first admin is created, an incident opened, updated and
// resolved with the keyboard alone (Tab to move, typing to fill and choose, Enter to press), and
// every control reached shows where the focus is.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();

/** Presses Tab until the focused element matches `selector` (and reads `text`, when given). */
async function tabTo(page: Page, selector: string, text?: string): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press('Tab');
    const reached = await page.evaluate(
      ([s, t]) => {
        const el = document.activeElement;
        return !!el && el.matches(s) && (t === undefined || el.textContent?.trim() === t);
      },
      [selector, text] as const,
    );
    if (!reached) continue;
    const shown = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!);
      return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    });
    expect(shown, `focus on ${selector} is visible`).toBe(true);
    return;
  }
  throw new Error(`Tab never reached ${selector}${text ? ` reading "${text}"` : ''} on ${page.url()}`);
}

/** Moves to a field and types into it (in a select, typing picks the option starting with it). */
async function fill(page: Page, selector: string, value: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.type(value);
}

/**
 * Presses Enter on a submit button and waits for the answer page to load: the page before it may
 * already show the notice being waited for (the second "Update posted" would otherwise be read
 * off the first one's page, before the second post has landed).
 */
async function pressAndLoad(page: Page): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
}

describe('keyboard only', () => {
  test('create the first admin, open an incident, post an update and resolve it', async () => {
    const page = await ctx.browser.newPage();
    // A step that hangs fails on its own line, well inside the test's budget, and says which.
    page.setDefaultTimeout(10_000);
    await page.goto(ctx.server.setupLink!);
    await fill(page, '#name', 'Kay Board');
    await fill(page, '#email', 'kay@example.com');
    await fill(page, '#password', 'correct horse battery');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), { timeout: 5000 }).toBe(ctx.server.url + '/admin');

    await tabTo(page, 'a[href="/admin/incidents/new"]', 'Open incident');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toBe(ctx.server.url + '/admin/incidents/new');
    await fill(page, '#title', 'Checkout errors');
    await fill(page, '#impact', 'Major');
    await fill(page, '#message', 'Some payments fail. We are investigating.');
    await fill(page, 'select[id^="component-"]', 'Partial');
    expect(await page.locator('#impact').inputValue()).toBe('major');
    await tabTo(page, 'button[type=submit]', 'Open incident');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), { timeout: 5000 }).toMatch(/\/admin\/incidents\/\d+\?posted=1/);
    const id = /incidents\/(\d+)/.exec(page.url())![1];

    await fill(page, '#status', 'Identified');
    await fill(page, '#message', 'A bad deploy; rolling it back.');
    await tabTo(page, 'button[type=submit]', 'Post update');
    await pressAndLoad(page);
    await expect.poll(() => page.locator('.notice').innerText(), { timeout: 5000 }).toContain('Update posted');

    await fill(page, '#status', 'Resolved');
    await fill(page, '#message', 'Payments work again.');
    await fill(page, 'select[id^="component-"]', 'Operational');
    await tabTo(page, 'button[type=submit]', 'Post update');
    await pressAndLoad(page);
    await expect.poll(() => page.locator('.notice').innerText(), { timeout: 5000 }).toContain('Update posted');

    // What the keyboard did is what the public API reports.
    const incident = (await (await fetch(`${ctx.server.url}/api/v2/incidents.json`)).json()) as {
      incidents: { id: string; status: string; incident_updates: { body: string }[] }[];
    };
    const posted = incident.incidents.find((i) => i.id === id)!;
    expect(posted.status).toBe('resolved');
    expect(posted.incident_updates.map((u) => u.body)).toEqual([
      'Payments work again.',
      'A bad deploy; rolling it back.',
      'Some payments fail. We are investigating.',
    ]);
    await page.close();
    // Some 40 fields and buttons reached by Tab alone: slow on a loaded machine, not stuck.
  }, 60_000);
});
