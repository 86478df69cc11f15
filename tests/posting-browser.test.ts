// Posting from the admin in a real browser. With JavaScript off, the open-incident, post-update
// and maintenance forms show a preview (the Markdown as it will read, the email subject) that saves
// nothing and keeps what was typed, and posting still works. On a 375 × 667 phone, posting an
// update needs no horizontal scrolling and its primary button sits in the bottom part of the
// screen, where the thumb reaches, once the form is filled.
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();

async function login(page: Page, email: string, password: string) {
  await page.goto(ctx.server.url + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('main button[type=submit]');
  await expect.poll(() => page.url(), { timeout: 5000 }).toBe(ctx.server.url + '/admin');
}

const incidentTitles = async () =>
  (
    (await (await fetch(`${ctx.server.url}/api/v2/incidents.json`)).json()) as { incidents: { name: string }[] }
  ).incidents.map((i) => i.name);

describe('previews, without JavaScript', () => {
  test('open an incident, post an update and schedule maintenance: preview first, then post', async () => {
    const { email, password, token } = createUserWithToken(ctx.server.dbFile, 'support', 'desk@example.com', 'Desk');
    // Every script is cut out of the admin pages before the browser sees them (these forms ship
    // none today; one added later must not become necessary), so nothing the pages ship runs.
    // Playwright's own waiting still works, which switching JavaScript off outright would stop.
    const context = await ctx.browser.newContext();
    await context.route(`${ctx.server.url}/admin/**`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const type = response.headers()['content-type'] ?? '';
      if (!type.startsWith('text/html')) return route.fulfill({ response });
      const body = (await response.text()).replace(/<script\b[\s\S]*?<\/script>/g, '');
      await route.fulfill({ response, body });
    });
    const page = await context.newPage();
    await login(page, email, password);

    // Open an incident: the preview renders the Markdown and names the email, and saves nothing.
    await page.goto(ctx.server.url + '/admin/incidents/new');
    await page.fill('#title', 'Checkout errors');
    await page.selectOption('#impact', 'major');
    await page.fill('#message', 'Some **payments** fail.\n\n- card\n- wallet');
    await page.click('button:has-text("Preview")');
    await page.locator('[data-preview]').waitFor();
    expect(await page.locator('[data-preview-body] strong').innerText()).toBe('payments');
    expect(await page.locator('[data-preview-body] li').allInnerTexts()).toEqual(['card', 'wallet']);
    expect(await page.locator('[data-preview-subject]').innerText()).toMatch(
      /^Email subject: \[.+\] New incident: Checkout errors$/,
    );
    expect(await page.inputValue('#title')).toBe('Checkout errors');
    expect(await page.inputValue('#impact')).toBe('major');
    expect(await page.inputValue('#message')).toBe('Some **payments** fail.\n\n- card\n- wallet');
    expect(await incidentTitles()).not.toContain('Checkout errors');
    expect(await axeViolations(page)).toEqual([]);
    // A preview checks what posting would check, and says so beside the form, keeping the rest.
    await page.fill('#message', '');
    await page.click('button:has-text("Preview")');
    expect(await page.locator('.error-box').innerText()).toContain('Message is required');
    expect(await page.locator('[data-preview]').count()).toBe(0);
    expect(await page.inputValue('#title')).toBe('Checkout errors');
    await page.fill('#message', 'Some **payments** fail.\n\n- card\n- wallet');
    // Without notifying, the preview says nobody is emailed.
    await page.uncheck('#notify');
    await page.click('button:has-text("Preview")');
    expect(await page.locator('[data-preview-subject]').innerText()).toBe(
      'No email: subscribers will not be notified.',
    );
    await page.check('#notify');
    await page.click('button:has-text("Open incident")');
    await expect.poll(() => page.url(), { timeout: 5000 }).toMatch(/\/admin\/incidents\/\d+\?posted=1/);
    expect(await incidentTitles()).toContain('Checkout errors');
    const id = Number(/incidents\/(\d+)/.exec(page.url())![1]);

    // Post an update: the subject follows the status chosen.
    await page.selectOption('#status', 'resolved');
    await page.fill('#message', 'Payments work _again_.');
    await page.click('button:has-text("Preview")');
    expect(await page.locator('[data-preview-body] em').innerText()).toBe('again');
    expect(await page.locator('[data-preview-subject]').innerText()).toMatch(
      /^Email subject: \[.+\] Resolved: Checkout errors$/,
    );
    expect(await page.inputValue('#status')).toBe('resolved');
    const before = await api(ctx.server.url, token, 'GET', `/api/v1/incidents/${id}`);
    expect(before.body.incident.updates).toHaveLength(1);
    await page.click('button:has-text("Post update")');
    await page.locator('.notice', { hasText: 'Update posted' }).waitFor();
    const after = await api(ctx.server.url, token, 'GET', `/api/v1/incidents/${id}`);
    // (a browser sends a textarea's line breaks as CRLF)
    expect(after.body.incident.updates.map((u: { message: string }) => u.message.replace(/\r\n/g, '\n'))).toEqual([
      'Payments work _again_.',
      'Some **payments** fail.\n\n- card\n- wallet',
    ]);
    expect(after.body.incident.status).toBe('resolved');

    // Schedule maintenance, then post an update to it.
    const start = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 16);
    const end = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 16);
    await page.goto(ctx.server.url + '/admin/maintenance');
    await page.fill('#m-title', 'Database upgrade');
    await page.fill('#m-body', 'Writes pause for **5 minutes**.');
    await page.fill('#m-for', start);
    await page.fill('#m-until', end);
    await page.click('button:has-text("Preview")');
    expect(await page.locator('[data-preview-body] strong').innerText()).toBe('5 minutes');
    expect(await page.locator('[data-preview-subject]').innerText()).toMatch(
      /^Email subject: \[.+\] Scheduled maintenance: Database upgrade$/,
    );
    expect(await page.inputValue('#m-for')).toBe(start);
    expect(await page.inputValue('#m-body')).toBe('Writes pause for **5 minutes**.');
    await page.click('button:has-text("Schedule")');
    await expect.poll(() => page.url(), { timeout: 5000 }).toMatch(/\/admin\/maintenance\/\d+\?scheduled=1/);
    await page.selectOption('#status', 'in_progress');
    await page.fill('#message', 'Started *now*.');
    await page.click('button:has-text("Preview")');
    expect(await page.locator('[data-preview-body] em').innerText()).toBe('now');
    expect(await page.locator('[data-preview-subject]').innerText()).toMatch(
      /^Email subject: \[.+\] Maintenance in progress: Database upgrade$/,
    );
    expect(await page.inputValue('#message')).toBe('Started *now*.');
    await page.click('button:has-text("Post update")');
    await page.locator('.notice', { hasText: 'Saved.' }).waitFor();
    expect(await page.locator('.updates').innerText()).toContain('Started now.');
    expect(await page.locator('script').count()).toBe(0);
    await context.close();
  });
});

describe('posting an update on a phone', () => {
  test('at 375 × 667 nothing scrolls sideways and Post update is in the bottom part of the screen', async () => {
    const { email, password, token } = createUserWithToken(ctx.server.dbFile, 'support', 'phone@example.com', 'Ph');
    const opened = await api(ctx.server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Slow search',
      impact: 'minor',
      message: 'Searches take longer than usual.',
      components: { 1: 'degraded_performance' },
    });
    expect(opened.status).toBe(201);
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await ctx.browser.newContext({
        viewport: { width: 375, height: 667 },
        colorScheme,
        isMobile: true,
        hasTouch: true,
      });
      const page = await context.newPage();
      await login(page, email, password);
      await page.goto(`${ctx.server.url}/admin/incidents/${opened.body.incident.id}`);
      await page.selectOption('#status', 'identified');
      await page.fill('#message', 'We found the cause: a slow index. A fix is rolling out; next update in 30 minutes.');
      await page.locator('#message').focus();
      const layout = await page.evaluate(() => {
        const button = [...document.querySelectorAll<HTMLButtonElement>('button.primary')].find(
          (b) => b.textContent?.trim() === 'Post update',
        )!;
        const box = button.getBoundingClientRect();
        return {
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          innerHeight: window.innerHeight,
          top: box.top,
          bottom: box.bottom,
          left: box.left,
          right: box.right,
          // the button is the element the thumb would touch at its centre (nothing covers it)
          hit: document.elementFromPoint((box.left + box.right) / 2, (box.top + box.bottom) / 2) === button,
        };
      });
      expect(layout.scrollWidth, colorScheme).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.left).toBeGreaterThanOrEqual(0);
      expect(layout.right).toBeLessThanOrEqual(layout.innerWidth);
      // In the bottom third of the screen and fully on it.
      expect(layout.top, `Post update starts at ${layout.top}px of ${layout.innerHeight}`).toBeGreaterThanOrEqual(
        (layout.innerHeight * 2) / 3,
      );
      expect(layout.bottom).toBeLessThanOrEqual(layout.innerHeight);
      expect(layout.hit).toBe(true);
      expect(layout.bottom - layout.top, 'a button a thumb can hit (44 px)').toBeGreaterThanOrEqual(44);
      expect(await axeViolations(page)).toEqual([]);
      await page.tap('button.primary:has-text("Post update")');
      await page.locator('.notice', { hasText: 'Update posted' }).waitFor();
      await context.close();
    }
  });
});
