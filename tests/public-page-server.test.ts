// The real built server on loopback, with its own temporary libSQL file: the first start, and the
// public read path (cache, ETag, 304, invalidation on change) that never serves an admin page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const banner = (html: string) => /class="banner banner-(\w+)"/.exec(html)?.[1];

describe('first start', () => {
  test('seeds the demo and prints a one-time admin setup link', async () => {
    expect(server.setupLink).toMatch(/\/admin\/setup\?token=[a-z2-7]{32}$/);
    const html = await (await fetch(server.url + '/')).text();
    expect(banner(html)).toBe('none');
    expect(html).toContain('Core platform');
    expect(html).toContain('uptime over the last 90 days');
    expect((await fetch(server.setupLink!)).status).toBe(200);
    expect((await fetch(server.url + '/admin/setup?token=wrong')).status).toBe(404);
    // Once any user exists the link is spent: setup cannot create a second first admin.
    token = createUserWithToken(server.dbFile, 'support').token;
    expect((await fetch(server.setupLink!)).status).toBe(404);
  });
});

describe('the status page', () => {
  test('an open incident is shown once, among the active ones, and only pointed to in the past days', async () => {
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Shown once zqx',
      impact: 'minor',
      message: 'Looking into it.',
    });
    expect(opened.status).toBe(201);
    const html = await (await fetch(server.url + '/')).text();
    expect(html.split('Shown once zqx').length - 1).toBe(1);
    const recent = /data-slot="recent"[\s\S]*?<\/section>|data-slot="recent"[\s\S]*$/.exec(html)![0];
    expect(recent).toContain('An incident still open, shown above.');
    const resolved = await api(server.url, token, 'POST', `/api/v1/incidents/${opened.body.incident.id}/updates`, {
      status: 'resolved',
      message: 'Fixed.',
    });
    expect(resolved.status).toBe(201);
    await expect
      .poll(async () => (await (await fetch(server.url + '/')).text()).split('Shown once zqx').length - 1)
      .toBe(1);
    expect(await (await fetch(server.url + '/')).text()).not.toContain('still open, shown above');
  });
});

describe('public read path', () => {
  test('pages carry an ETag and CDN-friendly Cache-Control, and revalidate with 304', async () => {
    const first = await fetch(server.url + '/');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/public.*s-maxage=\d+.*stale-if-error/);
    await first.text();
    const again = await fetch(server.url + '/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const gz = await fetch(server.url + '/', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toMatch(/^<!doctype html>/i);
  });

  test('a change through the API invalidates the cached page at once', async () => {
    const before = await (await fetch(server.url + '/')).text();
    expect(banner(before)).toBe('none');
    const created = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Cache check',
      impact: 'critical',
      message: 'Down',
      components: { 1: 'major_outage' },
    });
    const after = await (await fetch(server.url + '/')).text();
    expect(banner(after)).toBe('critical');
    expect(after).toContain('Cache check');
    await api(server.url, token, 'POST', `/api/v1/incidents/${created.body.incident.id}/updates`, {
      status: 'resolved',
      message: 'Up',
      components: { 1: 'operational' },
    });
    expect(banner(await (await fetch(server.url + '/')).text())).toBe('none');
  });

  test('incident, history and unknown pages', async () => {
    expect((await fetch(server.url + '/incidents/1')).status).toBe(200);
    expect((await fetch(server.url + '/incidents/987654')).status).toBe(404);
    expect((await fetch(server.url + '/incidents/abc')).status).toBe(404);
    expect((await fetch(server.url + '/history?month=2026-13')).status).toBe(400);
    const history = await (await fetch(server.url + '/history')).text();
    expect(history).toMatch(/Incident history/);
    expect((await fetch(server.url + '/no-such-page')).status).toBe(404);
  });

  test('an admin page reached by an encoded path is never cached for others', async () => {
    const { email, password } = createUserWithToken(server.dbFile, 'admin');
    const login = await fetch(server.url + '/admin/login', {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }),
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    for (const path of ['/%61dmin', '/%61dmin/login', '//admin', '/./admin']) {
      const mine = await fetch(server.url + path, { headers: { cookie }, redirect: 'manual' });
      expect(mine.headers.get('cache-control')).toBe('no-store');
      await mine.text();
      const anonymous = await fetch(server.url + path, { redirect: 'manual' });
      expect(await anonymous.text()).not.toContain('Signed in as');
      expect(anonymous.headers.get('cache-control')).toBe('no-store');
    }
  });

  test('admin pages need a session and are never cached', async () => {
    const { email, password } = createUserWithToken(server.dbFile, 'admin', `ids-${Date.now()}@example.com`);
    const login = await fetch(server.url + '/admin/login', {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    for (const bad of ['abc', '0', '1.5', '987654']) {
      expect((await fetch(`${server.url}/admin/incidents/${bad}`, { headers: { cookie } })).status).toBe(404);
    }
    const response = await fetch(server.url + '/admin', { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin/login?next=%2Fadmin');
    const crossSite = await fetch(server.url + '/admin/login', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a&password=b',
    });
    expect(crossSite.status).toBe(403);
  });
});
