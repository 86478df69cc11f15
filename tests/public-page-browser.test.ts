// A real browser (Debian's chromium via playwright-core) against the real server.
import { createClient } from '@libsql/client';
import { describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, loggedIn, serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();

/** A fresh browser context logged in as the first admin (created by the first test). */
const adminPage = () => loggedIn(ctx.browser, ctx.server.url, 'ada@example.com', 'correct horse battery');

describe('public page in a browser', () => {
  test('first admin via the setup link, incident opened through the admin form, live on an open page', async () => {
    const publicPage = await ctx.browser.newPage({ timezoneId: 'Europe/Paris' });
    await publicPage.goto(ctx.server.url + '/');
    await publicPage.waitForFunction(() => document.documentElement.dataset.live === 'open');
    // The reader's zone is shown next to UTC.
    await expect.poll(() => publicPage.locator('.local-time').count()).toBeGreaterThan(0);
    expect(await publicPage.locator('footer').innerText()).toContain('Europe/Paris');

    const admin = await ctx.browser.newPage();
    await admin.goto(ctx.server.setupLink!);
    await admin.fill('#name', 'Ada Admin');
    await admin.fill('#email', 'ada@example.com');
    await admin.fill('#password', 'short');
    // the browser's own minlength check would block; remove it to see the server's message
    await admin.evaluate(() => document.querySelector('#password')!.removeAttribute('minlength'));
    await admin.click('main button[type=submit]');
    await expect.poll(() => admin.locator('[role=alert]').innerText()).toContain('at least 10 characters');
    await admin.fill('#password', 'correct horse battery');
    await admin.click('main button[type=submit]');
    await expect.poll(() => admin.url(), { timeout: 5000 }).toBe(ctx.server.url + '/admin');

    await admin.goto(ctx.server.url + '/admin/incidents/new');
    await admin.fill('#title', 'Browser-made incident');
    await admin.selectOption('#impact', 'major');
    await admin.fill('#message', 'Uploads **fail** for some customers.');
    await admin.selectOption('#component-6', 'partial_outage');
    await admin.click('main button[type=submit]');
    await expect.poll(() => admin.url(), { timeout: 5000 }).toMatch(/\/admin\/incidents\/\d+\?posted=1/);

    // The open public page changes without reload.
    await publicPage.getByText('Browser-made incident').first().waitFor({ timeout: 2000 });
    expect(await publicPage.locator('.banner').innerText()).toBe('Partial System Outage');

    // An update posted through the API appears live too, within a second.
    const { token } = createUserWithToken(ctx.server.dbFile, 'support');
    const id = Number(/incidents\/(\d+)/.exec(admin.url())![1]);
    const started = Date.now();
    const posted = await api(ctx.server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'resolved',
      message: 'Uploads work again.',
      components: { 6: 'operational' },
    });
    expect(posted.status).toBe(201);
    await publicPage.getByText('Uploads work again.').first().waitFor({ timeout: 1500 });
    expect(Date.now() - started).toBeLessThan(1500);
    await expect.poll(() => publicPage.locator('.banner').innerText()).toBe('All Systems Operational');
  });

  test('a form with mistakes says what is wrong and keeps what was typed', async () => {
    const { context, page } = await adminPage();
    await page.goto(ctx.server.url + '/admin/incidents/new');
    await page.fill('#title', 'Half-typed');
    await page.evaluate(() => document.querySelector('#message')!.removeAttribute('required'));
    await page.click('main button[type=submit]');
    expect(await page.locator('[role=alert]').innerText()).toMatch(/Message is required/);
    expect(await page.inputValue('#title')).toBe('Half-typed');
    await context.close();
  });

  test('an admin adds a group and a component, edits it, and the public page shows it', async () => {
    const { context, page } = await adminPage();

    await page.goto(ctx.server.url + '/admin/components');
    await page.fill('#new-group-name', 'Edge network');
    await page.fill('#new-group-pos', '9');
    await page.click('form:has(#new-group-name) button[type=submit]');
    await expect.poll(() => page.url()).toContain('done=create-group');

    await page.fill('#new-component-name', 'CDN');
    await page.fill('#new-component-desc', 'Static assets worldwide');
    await page.selectOption('#new-component-group', { label: 'Edge network' });
    await page.click('form:has(#new-component-name) button[type=submit]');
    await expect.poll(() => page.url()).toContain('done=create-component');

    // The edit form is filled with what was saved; change the name.
    const edit = page.locator('details', { hasText: 'CDN — Edge network' });
    await edit.locator('summary').click();
    const nameField = edit.locator('input[name=name]');
    expect(await nameField.inputValue()).toBe('CDN');
    expect(await edit.locator('input[name=description]').inputValue()).toBe('Static assets worldwide');
    await nameField.fill('Content delivery');
    await edit.locator('form:has(input[value=update-component]) button[type=submit]').click();
    await expect.poll(() => page.url()).toContain('done=update-component');
    expect(await axeViolations(page)).toEqual([]);

    const publicHtml = await (await fetch(ctx.server.url + '/')).text();
    expect(publicHtml).toContain('Edge network');
    expect(publicHtml).toContain('Content delivery');
    await context.close();
  });

  test('a reader subscribes to some components, confirms, changes them and unsubscribes', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(ctx.server.url + '/');
    await page.click('text=Subscribe to updates');
    await expect.poll(() => page.url()).toBe(ctx.server.url + '/subscribe');
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#email', 'reader@example.com');
    await page.check('#scope-some');
    await page.check('#pick-1');
    await page.click('main button[type=submit]');
    await page.getByText('Check your inbox').waitFor();

    // No provider is configured here, so the confirmation waits in the local outbox.
    const client = createClient({ url: `file:${ctx.server.dbFile}` });
    const [row] = (
      await client.execute(
        `select n.payload from notifications n where n.kind = 'subscription.confirm' order by id desc limit 1`,
      )
    ).rows;
    client.close();
    const { token } = JSON.parse(String(row.payload));
    await page.goto(`${ctx.server.url}/subscribe/confirm/${token}`);
    await page.click('main button[type=submit]');
    await page.getByText('You are subscribed').waitFor();
    await page.click('text=Choose components or unsubscribe');
    expect(await page.isChecked('#pick-1')).toBe(true);
    expect(await page.isChecked('#pick-2')).toBe(false);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page)).toEqual([]);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.check('#pick-2');
    await page.click('main form:first-of-type button[type=submit]');
    await page.getByText('Saved.').waitFor();
    expect(await page.isChecked('#pick-2')).toBe(true);
    await page.click('button:has-text("Unsubscribe")');
    await page.getByText('You are unsubscribed').waitFor();
    await page.close();
  });

  test('the admin subscribers and outbox pages have no accessibility violations', async () => {
    const { context, page } = await adminPage();
    await page.click('nav >> text=Subscribers');
    await page.fill('#q', 'reader');
    await page.click('main form[role=search] button[type=submit]');
    await page.click('text=reader@example.com');
    expect(await page.locator('main').innerText()).toContain('Unsubscribed');
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(ctx.server.url + '/admin/subscribers');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('nav >> text=Outbox');
    expect(await page.locator('[data-email-off]').innerText()).toContain('Neither SMTP_URL nor RESEND_API_KEY is set');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('main table a >> nth=0');
    await expect.poll(() => page.url()).toMatch(/\/admin\/outbox\/\d+$/);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  test('no accessibility violations on the status page and an incident page, light and dark, on a phone', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await ctx.browser.newPage({ colorScheme, viewport: { width: 375, height: 740 } });
      await page.goto(ctx.server.url + '/');
      expect(await axeViolations(page)).toEqual([]);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(375);
      await page.goto(ctx.server.url + '/incidents/1');
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }
  });
});
