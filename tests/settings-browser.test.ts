// Settings in a real browser: an admin sets the brand colour, the logo and the language, and a
// public page that was already open takes all three without a reload; axe finds nothing with the custom colour in light
// and dark, and its contrast arithmetic agrees with Candor's; bad uploads and colours are refused
// on the form with a message that says why.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { contrastRatio } from '../src/domain/brand-colour.ts';
import { t } from '../src/i18n/t.ts';
import { createUserWithToken } from './support/api.ts';
import { axeViolations, loggedIn, serverAndBrowser } from './support/browser.ts';
import { LOGO_SVG, oversizedPng, SCRIPTED_SVG } from './support/images.ts';

const ctx = serverAndBrowser();

/** Files to pick in the upload field, under the names a person's disk would give them. */
function files(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'candor-uploads-'));
  const write = (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  return {
    logo: write('acme-logo.svg', LOGO_SVG),
    notImage: write('logo.png', Buffer.from('These are the minutes of the meeting, not a logo.')),
    tooLarge: write('huge.png', oversizedPng(512 * 1024)),
    scripted: write('sneaky.svg', SCRIPTED_SVG),
  };
}

describe('settings in a browser', () => {
  test('colour and logo set in the admin reach an open public page live; bad ones are refused with reasons', async () => {
    const { password, email } = createUserWithToken(ctx.server.dbFile, 'admin', 'ada@example.com', 'Ada');
    const upload = files();
    const publicPage = await ctx.browser.newPage();
    await publicPage.goto(ctx.server.url + '/');
    await publicPage.waitForFunction(() => document.documentElement.dataset.live === 'open');
    // Marks this very document: a reload would lose it.
    await publicPage.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const subscribeBackground = () =>
      publicPage.evaluate(
        () => getComputedStyle(document.querySelector('.site-header .subscribe-link')!).backgroundColor,
      );
    expect(await subscribeBackground()).toBe('rgb(5, 80, 174)');

    const { context, page } = await loggedIn(ctx.browser, ctx.server.url, email, password);
    await page.goto(ctx.server.url + '/admin/settings');

    // A colour white text fails AA on: refused, with the ratio and what is needed.
    await page.fill('#brandColor', '#f5a623');
    await page.click('form:has(#brandColor) button[type=submit]');
    const alert = await page.locator('[role=alert]').innerText();
    expect(alert).toContain('Brand colour must give white text on it a contrast ratio of at least 4.5:1 (WCAG AA)');
    expect(alert).toMatch(/#f5a623 gives only 2\.02:1, so choose a darker colour/);
    expect(await page.inputValue('#brandColor')).toBe('#f5a623');

    await page.fill('#brandColor', '#7b2d8e');
    await page.fill('#name', 'Acme Cloud');
    await page.click('form:has(#brandColor) button[type=submit]');
    await expect.poll(() => page.url()).toContain('saved=save');
    await expect.poll(subscribeBackground, { timeout: 3000 }).toBe('rgb(123, 45, 142)');
    expect(await publicPage.locator('.brand').innerText()).toContain('Acme Cloud');

    // Uploads that are not images, too large, or scripted are refused on the form.
    const refusals: [string, RegExp][] = [
      [upload.notImage, /This file is not an image Candor accepts: a logo must be a PNG, JPEG, WebP or SVG image/],
      [upload.tooLarge, /The logo is 513 KB; the largest accepted is 512 KB/],
      [upload.scripted, /This SVG is refused because it contains a <script> element/],
    ];
    for (const [file, message] of refusals) {
      await page.setInputFiles('#logo-file', file);
      await page.click('form:has(#logo-file) button[type=submit]');
      await expect.poll(() => page.locator('section:has(#logo-file) [role=alert]').innerText()).toMatch(message);
    }

    await page.setInputFiles('#logo-file', upload.logo);
    await page.click('form:has(#logo-file) button[type=submit]');
    await expect.poll(() => page.url()).toContain('saved=upload-logo');
    const logo = publicPage.locator('header img.brand-logo');
    await logo.waitFor({ timeout: 3000 });
    expect(await logo.getAttribute('alt')).toBe('Acme Cloud');
    // The image itself loads (served from /brand/ under the page's CSP).
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    expect(await publicPage.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The admin wears the logo too.
    const adminLogo = page.locator('header img.brand-logo');
    await expect.poll(() => adminLogo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    expect(await adminLogo.getAttribute('alt')).toBe('Acme Cloud');

    // The site's language: a visitor who never chose one follows it, on the page already open.
    const language = () => publicPage.evaluate(() => document.documentElement.lang);
    const historyLink = async () =>
      (await publicPage.locator('.site-header nav a[href="/history"]').textContent())?.trim();
    for (const code of ['de', 'en'] as const) {
      await page.selectOption('#defaultLocale', code);
      await page.click('form:has(#defaultLocale) button[type=submit]');
      await expect.poll(language, { timeout: 3000 }).toBe(code);
      expect(await historyLink()).toBe(t(code, 'layout.navHistory'));
      expect((await publicPage.locator('a.skip').textContent())?.trim()).toBe(t(code, 'layout.skip'));
      expect(await publicPage.locator('.language-switch [aria-current="true"]').getAttribute('lang')).toBe(code);
    }
    expect(await publicPage.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  test('axe passes with the custom brand colour in light and dark, and agrees with Candor on contrast', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await ctx.browser.newPage({ colorScheme });
      for (const path of ['/', '/subscribe', '/history']) {
        await page.goto(ctx.server.url + path);
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--brand'))).toBe(
          '#7b2d8e',
        );
        expect(await axeViolations(page), `${colorScheme} ${path}`).toEqual([]);
      }
      if (colorScheme === 'light') {
        // axe's own colour arithmetic (an implementation nobody here wrote) gives the same ratios.
        const pairs: [string, string][] = [
          ['#7b2d8e', '#ffffff'],
          ['#f5a623', '#ffffff'],
          ['#0550ae', '#f6f8fa'],
          ['#b68cc1', '#0d1117'],
        ];
        const theirs = await page.evaluate((pairs) => {
          // @ts-expect-error axe is injected by axeViolations
          const { Color, getContrast } = window.axe.commons.color;
          const parse = (hex: string) =>
            new Color(parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16), 1);
          return pairs.map(([a, b]) => getContrast(parse(a), parse(b)) as number);
        }, pairs);
        pairs.forEach(([a, b], i) => expect(contrastRatio(a, b)).toBeCloseTo(theirs[i], 2));
      }
      await page.close();
    }
  });
});
