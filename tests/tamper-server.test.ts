// Nothing a stranger sends changes what the public sees: the Host header, junk query strings and
// oversized bodies are refused or ignored by the real server, links come only from PUBLIC_URL,
// every response carries the security headers, and /events names no draft.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { startServer, type TestServer } from './support/server.ts';

/** Sends raw bytes (headers fetch would refuse to send) and returns the status line and the rest. */
function raw(base: string, request: string, body?: Buffer): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((ok, fail) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(request);
      if (body) socket.write(body);
    });
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('error', (error) => (data ? undefined : fail(error)));
    socket.on('close', () => {
      const [head, rest = ''] = data.split('\r\n\r\n');
      ok({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), head: head.toLowerCase(), body: rest });
    });
  });
}

const get = (base: string, path: string, host: string, extra = '') =>
  raw(base, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`);

function header(head: string, name: string): string | null {
  return new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1] ?? null;
}

describe('Host, links and cache keys (PUBLIC_URL unset)', () => {
  let server: TestServer;
  let printed: string;
  beforeAll(async () => {
    server = await startServer();
    printed = server.publicUrl;
  });
  afterAll(() => server?.stop());

  test('a malformed or foreign Host is refused with a 4xx that no cache keeps, and the cached page stays right', async () => {
    const host = new URL(server.url).host;
    for (const path of [
      '/api/v2/status.json',
      '/api/v2/summary.json',
      '/badge.svg',
      '/history.atom',
      '/widget',
      '/incidents/1',
      '/',
    ]) {
      for (const bad of ['a b', 'user@evil.example', 'evil.example/x', '0x7f.1', '%65vil.example']) {
        const answer = await get(server.url, path, bad);
        expect([400, 421], `${path} with Host ${bad}`).toContain(answer.status);
        expect(answer.head).not.toContain('public, max-age');
      }
      const foreign = await get(server.url, path, 'evil.example');
      expect(foreign.status).toBe(421);
      expect(foreign.body).toContain('CANDOR_ALLOWED_HOSTS');
      expect(header(foreign.head, 'cache-control')).toBe('no-store');
      const absolute = await raw(
        server.url,
        `GET http://evil.example${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(absolute.status).toBe(400);
    }
    const status = await fetch(server.url + '/api/v2/status.json');
    expect(status.headers.get('content-type')).toContain('application/json');
    expect((await status.json()).status.indicator).toBeTypeOf('string');
    const badge = await fetch(server.url + '/badge.svg');
    expect(badge.headers.get('content-type')).toContain('image/svg+xml');
  });

  test('links come from the printed address whatever Host or X-Forwarded-* a request carries', async () => {
    const port = new URL(server.url).port;
    const forged = 'X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nForwarded: host=evil.example\r\n';
    for (const path of ['/history.atom', '/api/v2/summary.json', '/maintenance.ics', '/api/v1/openapi.json']) {
      const viaLoopback = await get(server.url, path, `127.0.0.1:${port}`, forged);
      const viaName = await get(server.url, path, `localhost:${port}`, forged);
      expect(viaLoopback.status, path).toBe(200);
      expect(viaLoopback.body).not.toContain('evil.example');
      expect(viaLoopback.body).not.toContain(`127.0.0.1:${port}`);
      if (!path.endsWith('.ics')) expect(viaLoopback.body).toContain(printed);
      expect(viaName.body).toBe(viaLoopback.body);
    }
    const summary = await (await fetch(server.url + '/api/v2/summary.json')).json();
    expect(summary.page.id).toBe(new URL(printed).host);
    expect(summary.page.url).toBe(printed);
    const { token } = createUserWithToken(server.dbFile, 'admin', 'links@example.com', 'Links');
    const created = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Links',
      impact: 'minor',
      message: 'Checking links.',
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).toContain(`${printed}/incidents/`);
    expect(JSON.stringify(created.body)).not.toContain('127.0.0.1');
  });

  test('2,000 requests with distinct junk query strings cost a handful of renders', async () => {
    const misses = async (paths: string[]) => {
      let count = 0;
      for (let i = 0; i < paths.length; i += 50) {
        const answers = await Promise.all(paths.slice(i, i + 50).map((p) => fetch(server.url + p)));
        for (const a of answers) {
          expect(a.status).toBe(200);
          await a.arrayBuffer();
          if (a.headers.get('x-cache') === 'miss') count++;
        }
      }
      return count;
    };
    const junk = Array.from({ length: 2000 }, (_, i) => `/?utm_source=x${i}&_=${i * 7919}`);
    // A change landing mid-run (the maintenance clock, say) may force one more render.
    expect(await misses(junk)).toBeLessThanOrEqual(3);
    const history = Array.from({ length: 200 }, (_, i) => `/history?month=2026-10&junk=${i}`);
    expect(await misses(history)).toBeLessThanOrEqual(2);
  });

  test('the parameters a route reads still pick their own entry', async () => {
    const october = await (await fetch(server.url + '/history?month=2026-10&x=1')).text();
    const september = await (await fetch(server.url + '/history?month=2026-09&x=1')).text();
    expect(october).toContain('2026');
    expect(october).toMatch(/October 2026/);
    expect(september).toMatch(/September 2026/);
    const label = await (await fetch(server.url + '/badge.svg?label=uptime&junk=1')).text();
    expect(label).toContain('uptime');
    expect(await (await fetch(server.url + '/badge.svg?junk=2&label=uptime')).text()).toBe(label);
    expect(await (await fetch(server.url + '/badge.svg')).text()).not.toBe(label);
  });

  test('every kind of response carries the security headers; only /widget may be framed', async () => {
    const paths = [
      '/',
      '/api/v2/summary.json',
      '/badge.svg',
      '/favicon.svg',
      '/widget.js',
      '/admin/login',
      '/api/v1/components',
      '/no-such-page',
      '/subscribe',
    ];
    const home = await (await fetch(server.url + '/')).text();
    const script = /<script[^>]+src="(\/_astro\/[^"]+)"/.exec(home)?.[1];
    expect(script, 'the live script is a file, not inline').toBeTruthy();
    expect(home).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    paths.push(script!);
    for (const path of paths) {
      const r = await fetch(server.url + path, { redirect: 'manual' });
      await r.arrayBuffer();
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBeTruthy();
      expect(r.headers.get('strict-transport-security'), 'no HSTS on plain http').toBeNull();
    }
    const widget = await fetch(server.url + '/widget');
    expect(widget.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(widget.headers.get('x-frame-options')).toBeNull();
    const refused = await get(server.url, '/', 'evil.example');
    expect(header(refused.head, 'content-security-policy')).toContain("frame-ancestors 'none'");
    // A subscriber's personal link is never sent on as a referrer.
    const personal = await fetch(server.url + '/subscription/no-such-token');
    expect(personal.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('bodies over the limit are refused with 413 before they are read', async () => {
    const host = new URL(server.url).host;
    const declared = await raw(
      server.url,
      `POST /subscribe HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000000\r\nConnection: close\r\n\r\n`,
    );
    expect(declared.status).toBe(413);
    expect(declared.body).toContain('65536 bytes');
    // No length given: cut off as soon as the stream passes the limit.
    const chunk = Buffer.from('a'.repeat(16 * 1024));
    const chunks = Buffer.concat(
      Array.from({ length: 8 }, () =>
        Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      ),
    );
    const streamed = await raw(
      server.url,
      `POST /subscribe HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      Buffer.concat([chunks, Buffer.from('0\r\n\r\n')]),
    );
    expect(streamed.status).toBe(413);
    const { token } = createUserWithToken(server.dbFile, 'admin', 'big@example.com', 'Big');
    const staff = await fetch(server.url + '/api/v1/incidents', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', impact: 'minor', message: 'm'.repeat(2 * 1024 * 1024) }),
    });
    expect(staff.status).toBe(413);
    expect((await staff.json()).error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('1048576 bytes'),
    });
    // Under the staff limit, the same route reads it and judges the content instead.
    const underLimit = await fetch(server.url + '/api/v1/incidents', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(500), impact: 'minor', message: 'm'.repeat(200 * 1024) }),
    });
    expect(underLimit.status).toBe(400);
  });
});

describe('an https PUBLIC_URL behind a proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      env: { PUBLIC_URL: 'https://status.example.com', CANDOR_ALLOWED_HOSTS: 'candor.internal:8080' },
    });
  });
  afterAll(() => server?.stop());

  test('links, page id and HSTS follow PUBLIC_URL; its host and the listed ones are answered, others are not', async () => {
    const port = new URL(server.url).port;
    for (const host of ['status.example.com', 'status.example.com:443', 'candor.internal:8080', `127.0.0.1:${port}`]) {
      const answer = await get(server.url, '/api/v2/summary.json', host);
      expect(answer.status, host).toBe(200);
      const summary = JSON.parse(answer.body);
      expect(summary.page.url).toBe('https://status.example.com');
      expect(summary.page.id).toBe('status.example.com');
      expect(header(answer.head, 'strict-transport-security')).toBe('max-age=31536000');
    }
    for (const host of ['status.example.com:8443', 'candor.internal', 'example.com', `evil.example:${port}`]) {
      expect((await get(server.url, '/api/v2/summary.json', host)).status, host).toBe(421);
    }
    const feed = await (await fetch(server.url + '/history.atom')).text();
    expect(feed).toContain('https://status.example.com/');
    expect(feed).not.toContain('127.0.0.1');
  });
});

describe('/events', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  test('a draft is announced but never named; publishing it names it', async () => {
    const events = await openEvents(server.url);
    const until = (pattern: RegExp) => events.until(pattern);
    await until(/event: hello/);
    const { token } = createUserWithToken(server.dbFile, 'support', 'events@example.com', 'Events');
    const draft = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Secret',
      impact: 'major',
      message: 'Draft.',
      draft: true,
    });
    expect(draft.status).toBe(201);
    const id = draft.body.incident.id;
    const changes = () => events.text.match(/event: change\n/g)?.length ?? 0;
    await until(/event: change\n/);
    const afterDraft = changes();
    const update = await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'identified',
      message: 'Still a draft.',
    });
    expect(update.status).toBe(201);
    const deadline = Date.now() + 10_000;
    while (changes() <= afterDraft && Date.now() < deadline)
      await until(new RegExp(`(event: change\n[^]*){${afterDraft + 1}}`));
    expect(events.text).not.toContain(`incident:${id}`);
    expect(events.text).toContain('"subjects":[]');
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/publish`, {});
    await until(new RegExp(`incident:${id}\\b`));
    events.close();
  });
});
