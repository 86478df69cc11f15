// Live updates in a real browser: an open status page fetches only the versioned fragments a
// change names (in its own language, `?lang=`), swaps only the slots that changed, keeps focus and
// scroll, tells screen readers, and falls back to polling /live/version.json when the event stream is blocked.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { serverAndBrowser } from './support/browser.ts';

// An empty page: no demo incident whose duration grows while the test runs.
const ctx = serverAndBrowser({ env: { CANDOR_SEED: '0' } });
let token: string;
let componentId: number;
let otherId: number;

beforeAll(async () => {
  token = createUserWithToken(ctx.server.dbFile, 'admin').token;
  const made = await api(ctx.server.url, token, 'POST', '/api/v1/components', { name: 'API' });
  componentId = made.body.component.id;
  const other = await api(ctx.server.url, token, 'POST', '/api/v1/components', { name: 'Dashboard' });
  otherId = other.body.component.id;
});

/** Every same-origin request the page makes from now on, by path. */
function recordRequests(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === ctx.server.url) paths.push(url.pathname + url.search);
  });
  return paths;
}

const fragmentFetches = (paths: string[]) => paths.filter((p) => p.startsWith('/live/'));

describe('live fragments', () => {
  test('a change swaps only its slots, from versioned fragments, and keeps focus and scroll', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1000, height: 300 } });
    await page.goto(ctx.server.url + '/');
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    const requests = recordRequests(page);
    const otherSlot = `[data-slot="component-${otherId}"]`;
    const untouched = await page.evaluate((selector) => {
      const slot = document.querySelector(selector)!;
      (slot as HTMLElement & { marker?: boolean }).marker = true;
      return slot.getAttribute('data-hash');
    }, otherSlot);

    // An incident that touches no component: the status fragment only, no uptime bars.
    const opened = await api(ctx.server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Slow logins',
      impact: 'minor',
      message: 'We are looking into slow logins.',
    });
    expect(opened.status).toBe(201);
    await page
      .locator('[data-slot="incidents"]')
      .getByText('We are looking into slow logins.')
      .waitFor({ timeout: 2000 });
    expect(fragmentFetches(requests)).toEqual([expect.stringMatching(/^\/live\/\d+\/status\?lang=en$/)]);
    expect(requests).not.toContain('/');
    await expect.poll(() => page.locator('[data-live-announcer]').innerText()).toBe('Updated: active incidents.');

    // Focus a link inside the incidents slot and scroll the components into view.
    const link = page.locator('[data-slot="incidents"] a').first();
    await link.focus();
    const focusedText = await link.innerText();
    await page.evaluate(() =>
      window.scrollTo(
        0,
        document.querySelector('#components-heading')!.getBoundingClientRect().top + window.scrollY - 20,
      ),
    );
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    const before = await page.locator('#components-heading').boundingBox();

    // A component state change: the status and the uptime fragments, in place.
    requests.length = 0;
    const update = await api(ctx.server.url, token, 'POST', `/api/v1/incidents/${opened.body.incident.id}/updates`, {
      status: 'identified',
      message: 'Logins are slow in one region.',
      components: { [componentId]: 'degraded_performance' },
    });
    expect(update.status).toBe(201);
    await page
      .locator('[data-slot="incidents"]')
      .getByText('Logins are slow in one region.')
      .waitFor({ timeout: 2000 });
    await expect
      .poll(() => fragmentFetches(requests))
      .toEqual([
        expect.stringMatching(/^\/live\/\d+\/status\?lang=en$/),
        expect.stringMatching(/^\/live\/\d+\/uptime\?lang=en$/),
      ]);
    expect(await page.locator(`[data-slot="component-${componentId}"]`).innerText()).toContain('Degraded');
    expect(await page.locator('.banner').innerText()).toBe('Minor Service Outage');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(focusedText.trim());
    const after = await page.locator('#components-heading').boundingBox();
    expect(Math.abs(after!.y - before!.y)).toBeLessThan(2);
    // The other component's slot was left alone: same element, same hash.
    expect(
      await page.evaluate((selector) => {
        const slot = document.querySelector(selector) as HTMLElement & { marker?: boolean };
        return [slot.marker, slot.dataset.hash];
      }, otherSlot),
    ).toEqual([true, untouched]);

    // A fragment is served once per version and may be kept for good.
    const [status] = fragmentFetches(requests);
    const response = await fetch(ctx.server.url + status);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await page.close();
  });

  test('a new component changes the structure: the main region is fetched again under a versioned URL', async () => {
    const page = await ctx.browser.newPage();
    await page.goto(ctx.server.url + '/');
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    const requests = recordRequests(page);
    const made = await api(ctx.server.url, token, 'POST', '/api/v1/components', { name: 'Webhooks' });
    expect(made.status).toBe(201);
    await page.locator('.component-name', { hasText: 'Webhooks' }).waitFor({ timeout: 2000 });
    expect(requests).toContainEqual(expect.stringMatching(/^\/\?v=\d+$/));
    await page.close();
  });

  test('with the event stream blocked, the page polls the version document every 30 s', async () => {
    const page = await ctx.browser.newPage();
    await page.clock.install();
    // A proxy that cuts event streams.
    await page.route('**/events', (route) => route.abort());
    const requests = recordRequests(page);
    await page.goto(ctx.server.url + '/');
    await page.clock.runFor(16_000);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.live)).toBe('polling');
    await expect.poll(() => requests.filter((p) => p === '/live/version.json').length).toBe(1);

    const opened = await api(ctx.server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Webhook delays',
      impact: 'minor',
      message: 'Webhooks are delayed.',
    });
    expect(opened.status).toBe(201);
    await page.clock.runFor(30_000);
    await page.locator('[data-slot="incidents"]').getByText('Webhooks are delayed.').waitFor({ timeout: 3000 });
    expect(requests.filter((p) => p === '/live/version.json').length).toBe(2);
    await page.close();
  });
});
