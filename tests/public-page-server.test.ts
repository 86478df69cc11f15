// The real built server on loopback, with its own temporary libSQL file.
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

describe('automation API', () => {
  test('no token or a wrong one is 401 with a message', async () => {
    const none = await api(server.url, null, 'GET', '/api/v1/components');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/Authorization: Bearer/);
    expect((await api(server.url, 'candor_nope', 'GET', '/api/v1/components')).status).toBe(401);
  });

  test('bad JSON, unknown ids and wrong states are 4xx with a message, and nothing is written', async () => {
    const before = (await api(server.url, token, 'GET', '/api/v1/incidents')).body.incidents.length;
    const bad = await api(server.url, token, 'POST', '/api/v1/incidents', '{"title": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not valid JSON/);
    const wrongState = await api(server.url, token, 'POST', '/api/v1/incidents', { title: 'x', impact: 'minor', message: 'm', components: { 1: 'exploded' } });
    expect(wrongState.status).toBe(400);
    expect(wrongState.body.error.message).toMatch(/components\.1: must be one of operational/);
    const unknown = await api(server.url, token, 'POST', '/api/v1/incidents', { title: 'x', impact: 'minor', message: 'm', components: { 1: 'major_outage', 4040: 'major_outage' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('No component with id 4040.');
    expect((await api(server.url, token, 'POST', '/api/v1/incidents/99999/updates', { status: 'resolved', message: 'x' })).status).toBe(404);
    // "abc" cannot be an id, so it names no component.
    expect((await api(server.url, token, 'PATCH', '/api/v1/components/abc', { status: 'operational' })).status).toBe(404);
    expect((await api(server.url, token, 'PATCH', '/api/v1/components/1', { status: 'on_fire' })).body.error.message).toMatch(/^status: must be one of/);
    expect((await api(server.url, token, 'GET', '/api/v1/incidents')).body.incidents.length).toBe(before);
    const components = (await api(server.url, token, 'GET', '/api/v1/components')).body.components;
    expect(components.find((c: { id: number }) => c.id === 1).status).toBe('operational');
  });

  test('open, update and resolve an incident; component states follow', async () => {
    const created = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Sign-in failures', impact: 'major', status: 'investigating', message: 'Some logins fail.', components: { 3: 'partial_outage' },
    });
    expect(created.status).toBe(201);
    const incident = created.body.incident;
    expect(incident).toMatchObject({ title: 'Sign-in failures', impact: 'major', status: 'investigating', resolved_at: null });
    expect(incident.updates[0].affected_components).toEqual([{ id: 3, name: 'Sign-in', old_status: 'operational', new_status: 'partial_outage' }]);
    expect(incident.updates[0].author).toBe('Test support');

    const update = await api(server.url, token, 'POST', `/api/v1/incidents/${incident.id}/updates`, { status: 'resolved', message: 'Fixed.', components: { 3: 'operational' } });
    expect(update.status).toBe(201);
    expect(update.body.update).toMatchObject({ status: 'resolved', message: 'Fixed.' });
    expect(update.body.incident.resolved_at).not.toBeNull();
    const patched = await api(server.url, token, 'PATCH', '/api/v1/components/2', { status: 'degraded_performance' });
    expect(patched.status).toBe(200);
    expect(patched.body.component.status).toBe('degraded_performance');
    await api(server.url, token, 'PATCH', '/api/v1/components/2', { status: 'operational' });
  });

  test('an author may not post incidents', async () => {
    const author = createUserWithToken(server.dbFile, 'author').token;
    const denied = await api(server.url, author, 'POST', '/api/v1/incidents', { title: 'x', impact: 'minor', message: 'm' });
    expect(denied.status).toBe(403);
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
    const created = await api(server.url, token, 'POST', '/api/v1/incidents', { title: 'Cache check', impact: 'critical', message: 'Down', components: { 1: 'major_outage' } });
    const after = await (await fetch(server.url + '/')).text();
    expect(banner(after)).toBe('critical');
    expect(after).toContain('Cache check');
    await api(server.url, token, 'POST', `/api/v1/incidents/${created.body.incident.id}/updates`, { status: 'resolved', message: 'Up', components: { 1: 'operational' } });
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
      method: 'POST', redirect: 'manual',
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
    const crossSite = await fetch(server.url + '/admin/login', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a&password=b' });
    expect(crossSite.status).toBe(403);
  });
});
