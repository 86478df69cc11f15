// Every shipped language in a real browser: choosing it from the footer is remembered, axe finds
// nothing on / and /subscribe in it, the page's script speaks it (the reader's time zone note),
// and an open page in German swaps in German fragments when something changes.
import { describe, expect, test } from 'vitest';
import { SUPPORTED_LOCALES } from '../src/domain/locales.ts';
import { LANGUAGE_NAMES } from '../src/i18n/catalogues.ts';
import { t } from '../src/i18n/t.ts';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();

describe('languages in the browser', () => {
  test.each(SUPPORTED_LOCALES)('%s: chosen from the footer, remembered, and axe passes', async (locale) => {
    const context = await ctx.browser.newContext({ timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    await page.goto(ctx.server.url + '/subscribe');
    // The switch is a plain link: no script needed to follow it.
    await page.locator('.language-switch').getByRole('link', { name: LANGUAGE_NAMES[locale] }).click();
    await expect.poll(() => page.url()).toBe(ctx.server.url + '/subscribe');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
    expect(await page.getByRole('button', { name: t(locale, 'subscribe.submit'), exact: true }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    // Remembered: a fresh navigation to another page is in the same language.
    await page.goto(ctx.server.url + '/');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
    expect(await page.locator('#components-heading').innerText()).toBe(t(locale, 'home.components'));
    // The script's own words are the page's language too.
    await expect
      .poll(() => page.locator('[data-zone-note]').textContent())
      .toBe(t(locale, 'script.zoneNote', { zone: 'Europe/Berlin' }));
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  test('an open German page swaps in German fragments', async () => {
    const { token } = createUserWithToken(ctx.server.dbFile, 'admin');
    const context = await ctx.browser.newContext();
    await context.addCookies([{ name: 'candor_lang', value: 'de', url: ctx.server.url }]);
    const page = await context.newPage();
    const fragments: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/live/') && url.pathname !== '/live/version.json')
        fragments.push(url.pathname + url.search);
    });
    await page.goto(ctx.server.url + '/');
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    const opened = await api(ctx.server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Langsame Anmeldungen',
      impact: 'minor',
      message: 'Wir untersuchen langsame Anmeldungen.',
    });
    expect(opened.status).toBe(201);
    const slot = page.locator('[data-slot="incidents"]');
    await slot.getByText('Wir untersuchen langsame Anmeldungen.').waitFor({ timeout: 5000 });
    expect(await slot.locator('h2').first().innerText()).toBe(t('de', 'home.activeIncidents'));
    expect(await slot.getByText(t('de', 'incidentStatus.investigating')).count()).toBeGreaterThan(0);
    expect(fragments.length).toBeGreaterThan(0);
    for (const path of fragments) expect(path).toMatch(/\?lang=de$/);
    await expect
      .poll(() => page.locator('[data-live-announcer]').innerText())
      .toBe(t('de', 'script.updated', { parts: t('de', 'script.slotIncidents') }));
    await context.close();
  });
});
