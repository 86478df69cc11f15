// The status badge and the embeddable widget, the widget on a page served from another origin.
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, expectNoCspViolations, launchBrowser } from './support/browser.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let browser: Browser;
let token: string;
let host: http.Server;
let hostUrl: string;

beforeAll(async () => {
  server = await startServer();
  token = createUserWithToken(server.dbFile, 'admin').token;
  browser = await launchBrowser();
  // Another site (another origin) that embeds the widget both ways.
  host = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Acme docs</title></head><body>
<p>Service status: <script src="${server.url}/widget.js" data-refresh="2"></script></p>
<iframe title="Status" src="${server.url}/widget?refresh=1" width="320" height="40"></iframe>
</body></html>`);
  });
  await new Promise<void>((ok) => host.listen(0, '127.0.0.1', () => ok()));
  hostUrl = `http://localhost:${(host.address() as { port: number }).port}/`;
});
afterEach(() => expectNoCspViolations(browser));
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  host?.closeAllConnections();
  await new Promise((ok) => host?.close(ok));
});

describe('badge', () => {
  test('overall and per component, coloured by state; bad ids are refused', async () => {
    const overall = await fetch(`${server.url}/badge.svg`);
    expect(overall.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(overall.headers.get('etag')).toBeTruthy();
    const svg = await overall.text();
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="status: All Systems Operational" data-indicator="none"/);
    expect(svg).toContain('fill="#1a7f37"');

    await api(server.url, token, 'PATCH', '/api/v1/components/3', { status: 'partial_outage' });
    const component = await (await fetch(`${server.url}/badge.svg?component=3`)).text();
    expect(component).toMatch(/aria-label="[^"]+: Partial outage" data-indicator="major"/);
    const labelled = await (await fetch(`${server.url}/badge.svg?label=Acme`)).text();
    expect(labelled).toContain('aria-label="Acme: Partial System Outage"');
    expect((await fetch(`${server.url}/badge.svg?component=999`)).status).toBe(404);
    const bad = await fetch(`${server.url}/badge.svg?component=abc`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('component must be a component id');
    await api(server.url, token, 'PATCH', '/api/v1/components/3', { status: 'operational' });
  });
});

describe('widget on another site', () => {
  test('the script and the iframe show the current state and the script follows changes', async () => {
    const page = await browser.newPage();
    await page.goto(hostUrl);
    const widget = page.locator('a.candor-status');
    await expect.poll(() => widget.innerText()).toBe('Example Cloud: All Systems Operational');
    expect(await widget.getAttribute('href')).toBe(`${server.url}/`);
    const frame = page.frameLocator('iframe[title="Status"]');
    expect(await frame.locator('a').innerText()).toBe('Example Cloud: All Systems Operational');

    await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Logins fail',
      impact: 'major',
      message: 'Logins fail.',
      components: {},
    });
    await expect.poll(() => widget.innerText(), { timeout: 8000 }).toBe('Example Cloud: Partial System Outage');
    expect(await widget.getAttribute('data-indicator')).toBe('major');
    // The iframe follows too, in place, without reloading.
    await expect
      .poll(() => frame.locator('a').innerText(), { timeout: 8000 })
      .toBe('Example Cloud: Partial System Outage');
    expect(await frame.locator('a').getAttribute('data-indicator')).toBe('major');
    await page.close();
  });

  test('the iframe page passes axe and does not refresh itself with meta refresh', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/widget`);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(await page.locator('main h1').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
