// Scheduled maintenance in a real browser: the public and admin maintenance pages, light and dark,
// on a phone, have no accessibility violations.
import { describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { createUserWithToken } from './support/api.ts';
import { axeViolations, loggedIn, serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();

describe('maintenance pages in a browser', () => {
  test('no accessibility violations on the public and admin maintenance pages', async () => {
    const { email, password } = createUserWithToken(ctx.server.dbFile, 'support', 'ops@example.com', 'Ops');
    const admin = await adminSession(ctx.server.url, email, password);
    const start = Date.now() + 3_600_000;
    const scheduled = await admin.post('/admin/maintenance', [
      ['title', 'Storage migration'],
      ['body', 'Uploads pause for up to **10 minutes**.'],
      ['scheduledFor', new Date(start).toISOString().slice(0, 16)],
      ['scheduledUntil', new Date(start + 3_600_000).toISOString().slice(0, 16)],
      ['componentIds', '3'],
      ['autoStart', 'on'],
      ['autoComplete', 'on'],
      ['remindMinutes', '30'],
    ]);
    expect(scheduled.status).toBe(303);
    const path = scheduled.location!.replace(/\?.*$/, '').replace('/admin', '');
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await ctx.browser.newPage({ colorScheme, viewport: { width: 375, height: 740 } });
      for (const url of ['/', path]) {
        await page.goto(ctx.server.url + url);
        expect(await page.locator('main').innerText()).toContain('Storage migration');
        expect(await axeViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      }
      await page.close();
    }
    const { context, page } = await loggedIn(ctx.browser, ctx.server.url, email, password);
    for (const url of ['/admin/maintenance', `/admin${path}`]) {
      await page.goto(ctx.server.url + url);
      expect(await axeViolations(page)).toEqual([]);
    }
    await context.close();
  });
});
