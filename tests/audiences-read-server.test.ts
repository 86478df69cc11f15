// Audiences on the read path (issue 20), through the real server: a component and a group given
// to an audience carry a unique marker in their names, and so does everything that touches only
// them (an incident and its updates, a maintenance window, a post-mortem). Every public surface
// is then scanned for the marker — pages, history, feeds, calendar, every v2 document, badge,
// widget, live fragments, the event stream, the MCP public tools, and what a public subscriber
// was sent by email and webhook — while the audience's own readers (a member's feed link, a
// subscriber who subscribed as a member) are shown it. A viewer's request is never answered
// from, nor stored into, the shared cache.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import {
  addAudience,
  addPublishedPostmortem,
  addSubscriberAudience,
  feedLink,
  viewerCookie,
} from './support/audience-content.ts';
import { queryRows } from './support/db.ts';
import { openEvents, type EventStream } from './support/events.ts';
import { RawConnection } from './support/raw-http.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, subscribeConfirmed, waitFor } from './support/subscribers.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const METRICS = 'audiences-metrics-token';
// Unique to this run: nothing else on the page could contain it by chance.
const M = `Qzaud${Date.now().toString(36)}`;
const PUBLIC_MAIL = 'public.reader@example.com';
const MEMBER_MAIL = 'member.reader@partner.example';

let server: TestServer;
let mock: ResendMock;
let hooks: WebhookReceiver;
let token: string;
let events: EventStream;
const ids = {
  checkout: 0,
  ledger: 0,
  group: 0,
  audience: 0,
  hidden: 0,
  mixed: 0,
  window: 0,
  hiddenReview: 0,
};
const hiddenSlug = `ledger-${M.toLowerCase()}`;
const mixedSlug = 'checkout-report';

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(server.url + path, { headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
};
const call = async (path: string, method: string, body?: unknown) => {
  const answer = await api(server.url, token, method, path, body);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body;
};
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  hooks = new WebhookReceiver();
  const hookUrl = await hooks.start();
  server = await startServer({ env: mailEnv(mock, { CANDOR_METRICS_TOKEN: METRICS }) });
  token = createUserWithToken(server.dbFile, 'admin', 'lead@example.com', 'Lead', 'admin').token;

  // Readers who will be told: the public by email and webhook, and a member who subscribed as one.
  await subscribeConfirmed(server.url, mock, PUBLIC_MAIL);
  await subscribeConfirmed(server.url, mock, MEMBER_MAIL);
  await call('/api/v1/subscribers', 'POST', { url: `${hookUrl}/public`, components: 'all', verify: false });

  ids.checkout = (await call('/api/v1/components', 'POST', { name: 'Checkout' })).component.id;
  ids.group = (await call('/api/v1/groups', 'POST', { name: `${M} partner group` })).group.id;
  ids.ledger = (await call('/api/v1/components', 'POST', { name: `${M} ledger`, groupId: ids.group })).component.id;
  ids.audience = await addAudience(server.dbFile, `${M} partners`, { components: [ids.ledger], groups: [ids.group] });
  const [member] = await queryRows(server.dbFile, 'SELECT id FROM subscribers WHERE address = ?', [MEMBER_MAIL]);
  await addSubscriberAudience(server.dbFile, Number(member.id), ids.audience);
  // The server reads the change: from now on the public no longer sees the ledger.
  await waitFor(
    'the ledger hidden from the public',
    async () => !(await get('/api/v2/components.json')).text.includes(M),
  );

  events = await openEvents(server.url);
  await events.until(/event: hello/);

  ids.hidden = (
    await call('/api/v1/incidents', 'POST', {
      title: `${M} ledger outage`,
      impact: 'major',
      message: `${M} first word`,
      components: { [ids.ledger]: 'major_outage' },
    })
  ).incident.id;
  await call(`/api/v1/incidents/${ids.hidden}/updates`, 'POST', {
    status: 'identified',
    message: `${M} second word`,
    components: { [ids.ledger]: 'partial_outage' },
  });
  ids.mixed = (
    await call('/api/v1/incidents', 'POST', {
      title: 'Checkout slow',
      impact: 'minor',
      message: 'Payments take longer than usual.',
      components: { [ids.checkout]: 'degraded_performance', [ids.ledger]: 'degraded_performance' },
    })
  ).incident.id;
  const start = Date.now() + 60_000;
  ids.window = (
    await call('/api/v1/maintenance', 'POST', {
      title: `${M} ledger upgrade`,
      body: `${M} window body`,
      scheduledFor: new Date(start).toISOString(),
      scheduledUntil: new Date(start + 3_600_000).toISOString(),
      componentIds: [ids.ledger],
      autoStart: false,
      autoComplete: false,
    })
  ).maintenance.id;
  await call(`/api/v1/maintenance/${ids.window}/updates`, 'POST', {
    status: 'in_progress',
    message: `${M} window started`,
  });
  ids.hiddenReview = await addPublishedPostmortem(server.dbFile, {
    slug: hiddenSlug,
    title: `${M} report`,
    text: `${M} report text`,
    incidents: [{ id: ids.hidden, title: `${M} ledger outage` }],
    components: [{ id: ids.ledger, name: `${M} ledger` }],
  });
  // Covers the mixed incident only: public, but its snapshot names the ledger too.
  await addPublishedPostmortem(server.dbFile, {
    slug: mixedSlug,
    title: 'Checkout report',
    text: 'Payments were slow for an hour.',
    incidents: [{ id: ids.mixed, title: 'Checkout slow' }],
    components: [
      { id: ids.checkout, name: 'Checkout' },
      { id: ids.ledger, name: `${M} ledger` },
    ],
  });
  // Everyone who will be told has been: the member heard of the ledger, the public of checkout.
  await waitFor('the member told of the ledger outage', () =>
    mock.emailsTo(MEMBER_MAIL).some((m) => m.subject.includes(`${M} ledger outage`)),
  );
  await waitFor('the member told of the ledger upgrade', () =>
    mock.emailsTo(MEMBER_MAIL).some((m) => m.subject.includes(`${M} ledger upgrade`)),
  );
  await waitFor('the public told of the checkout incident', () =>
    mock.emailsTo(PUBLIC_MAIL).some((m) => m.subject.includes('Checkout slow')),
  );
  await waitFor('the webhook told of the checkout incident', () =>
    hooks.received.some((r) => r.body.includes('Checkout slow')),
  );
}, 120_000);

afterAll(async () => {
  events?.close();
  await server?.stop();
  await hooks?.stop();
  await mock?.stop();
});

const V2 = [
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
];

describe('nothing private reaches the public', () => {
  test('no public page, feed, document, badge, widget or fragment names anything of the audience', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const shown = [
      '/',
      '/history',
      `/history?month=${month}`,
      `/history?component=${ids.checkout}`,
      `/incidents/${ids.mixed}`,
      '/postmortems',
      `/postmortems/${mixedSlug}`,
      '/history.atom',
      '/history.rss',
      '/maintenance.ics',
      ...V2,
      '/badge.svg',
      '/widget',
      '/subscribe',
    ];
    const state = JSON.parse((await get('/live/version.json')).text) as { status: string; uptime: string };
    shown.push(state.status, state.uptime);
    for (const path of shown) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expect(answer.text, path).not.toContain(M);
    }
    // What touches only the audience does not exist for the public.
    for (const path of [
      `/incidents/${ids.hidden}`,
      `/maintenance/${ids.window}`,
      `/postmortems/${hiddenSlug}`,
      `/badge.svg?component=${ids.ledger}`,
      `/history?component=${ids.ledger}`,
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.text, path).not.toContain(M);
    }
  });

  test('a mixed incident is public, without the audience component', async () => {
    const page = await get(`/incidents/${ids.mixed}`);
    expect(page.text).toContain('Checkout slow');
    expect(page.text).toContain('Checkout');
    const incidents = JSON.parse((await get('/api/v2/incidents.json')).text) as {
      incidents: {
        id: string;
        components: { name: string }[];
        incident_updates: { affected_components: unknown[] }[];
      }[];
    };
    const listed = incidents.incidents.map((i) => i.id);
    expect(listed).toContain(String(ids.mixed));
    expect(listed).not.toContain(String(ids.hidden));
    const mixed = incidents.incidents.find((i) => i.id === String(ids.mixed))!;
    expect(mixed.components.map((c) => c.name)).toEqual(['Checkout']);
    expect(mixed.incident_updates[0].affected_components).toHaveLength(1);
    const home = await get('/');
    expect(home.text).toContain('Checkout slow');
    expect(home.text).not.toContain(`data-component-id="${ids.ledger}"`);
    const report = await get(`/postmortems/${mixedSlug}`);
    expect(report.text).toContain('Checkout report');
    const list = await get('/postmortems');
    expect(list.text).toContain('Checkout report');
  });

  test('the event stream names no audience record, and carries nothing of its content', async () => {
    await waitFor('the last change announced', () => events.text.includes(`"postmortem:`));
    expect(events.text).not.toContain(M);
    expect(events.text).not.toContain(`"incident:${ids.hidden}"`);
    expect(events.text).not.toContain(`"maintenance:${ids.window}"`);
    expect(events.text).not.toContain(`"postmortem:${ids.hiddenReview}"`);
    // The public mixed incident is named, as any public change is.
    expect(events.text).toContain(`"incident:${ids.mixed}"`);
  });

  test('the MCP public tools tell nothing of the audience', async () => {
    const client = new Client({ name: 'candor-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    try {
      const calls: [string, Record<string, unknown>][] = [
        ['get_status', {}],
        ['get_summary', {}],
        ['list_components', {}],
        ['list_incidents', { which: 'recent' }],
        ['list_incidents', { which: 'unresolved' }],
        ['list_maintenance', { which: 'active' }],
        ['list_maintenance', { which: 'upcoming' }],
        ['list_maintenance', { which: 'recent' }],
        ['list_postmortems', {}],
        ['get_postmortem', { slug: mixedSlug }],
        ['get_postmortem', { slug: hiddenSlug }],
      ];
      for (const [name, args] of calls) {
        const result = (await client.callTool({ name, arguments: args })) as {
          content: { text: string }[];
          isError?: boolean;
        };
        const text = result.content.map((c) => c.text).join('\n');
        expect(text, name).not.toContain(M);
        if (name === 'get_postmortem') expect(result.isError ?? false).toBe(args.slug === hiddenSlug);
      }
    } finally {
      await client.close();
    }
  });

  test('public subscribers are told only what the public sees; a member is told of the audience', async () => {
    const publicMail = mock.emailsTo(PUBLIC_MAIL);
    expect(publicMail.some((m) => m.subject.includes('Checkout slow'))).toBe(true);
    for (const mail of publicMail) expect(`${mail.subject}\n${mail.text}\n${mail.html}`).not.toContain(M);
    for (const hook of hooks.received) expect(hook.body).not.toContain(M);
    // The component webhook for the checkout change went out; the ledger's did not.
    expect(hooks.received.some((r) => r.json.component?.id === String(ids.checkout))).toBe(true);
    expect(hooks.received.some((r) => r.json.component?.id === String(ids.ledger))).toBe(false);
    // The member, who subscribed as one, hears of the ledger by name, in the mixed incident too.
    const memberMail = mock.emailsTo(MEMBER_MAIL);
    const mixed = await waitFor('the member told of the mixed incident', () =>
      mock.emailsTo(MEMBER_MAIL).find((m) => m.subject.includes('Checkout slow')),
    );
    expect(mixed.text).toContain(`${M} ledger`);
    expect(memberMail.some((m) => m.text.includes(`${M} second word`))).toBe(true);
  });
});

describe("an audience's readers", () => {
  test("a member's feed link shows public and audience content together, kept by nobody", async () => {
    const link = await feedLink(server.dbFile, ids.audience);
    const summary = await get(`${link}/api/v2/summary.json`);
    expect(summary.status).toBe(200);
    expect(summary.headers.get('cache-control')).toBe('private, no-store');
    const doc = JSON.parse(summary.text) as { components: { name: string }[]; incidents: { name: string }[] };
    expect(doc.components.map((c) => c.name)).toEqual(expect.arrayContaining(['Checkout', `${M} ledger`]));
    expect(doc.incidents.map((i) => i.name).sort()).toEqual(['Checkout slow', `${M} ledger outage`].sort());
    const feed = await get(`${link}/history.atom`);
    expect(feed.text).toContain(`${M} ledger outage`);
    expect(feed.text).toContain(`${M} report`);
    const calendar = await get(`${link}/maintenance.ics`);
    expect(calendar.text).toContain(`${M} ledger upgrade`);
    // The same documents read by the public right after: still the public's.
    expect((await get('/api/v2/summary.json')).text).not.toContain(M);
  });

  test('a viewer is answered privately, and the shared cache (and fast front) still answers the public', async () => {
    const cookie = await viewerCookie(server.dbFile, ids.audience);
    // A page no one has asked for yet, first by the viewer: their render is not kept for the next reader.
    const month = `/history?month=${new Date().toISOString().slice(0, 7)}&page=1`;
    expect((await get(month, { cookie })).headers.get('x-cache')).toBe('private');
    const after = await get(month);
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(after.text).not.toContain(M);
    const warmed = await get('/');
    expect(warmed.text).not.toContain(M);
    const state = JSON.parse((await get('/live/version.json')).text) as { status: string };
    await get(state.status);
    for (const path of ['/', '/history', '/api/v2/summary.json', state.status, '/badge.svg']) {
      for (let i = 0; i < 2; i++) {
        const answer = await get(path, { cookie: `theme=dark; ${cookie}` });
        expect(answer.status, path).toBe(200);
        expect(answer.headers.get('cache-control'), path).toBe('private, no-store');
        expect(answer.headers.get('vary'), path).toMatch(/\bCookie\b/);
        expect(answer.headers.get('x-cache'), path).toBe('private');
        expect(answer.headers.get('etag'), path).toBeNull();
      }
    }
    // The public right after: the cached public page, from the fast front, without the audience.
    const port = Number(new URL(server.url).port);
    for (const path of ['/', state.status]) {
      const before = await metric('candor_fast_front_answers_total');
      const connection = await RawConnection.open(port);
      connection.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      const answer = await connection.answer();
      connection.close();
      expect(answer.status).toBe(200);
      expect(answer.headers['x-cache']).toBe('hit');
      expect(answer.body.toString()).not.toContain(M);
      expect(await metric('candor_fast_front_answers_total')).toBe(before + 1);
    }
    // A viewer's request is not one the fast front answers: node:http renders it for them.
    const before = await metric('candor_fast_front_answers_total');
    const connection = await RawConnection.open(port);
    connection.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\n\r\n`);
    const viewer = await connection.answer();
    connection.close();
    expect(viewer.headers['cache-control']).toBe('private, no-store');
    expect(await metric('candor_fast_front_answers_total')).toBe(before);
  });

  // The viewer middleware (sign-in, src/web/middleware/viewer.ts) admits the cookie's audiences.
  test.skipIf(!existsSync(resolve(import.meta.dirname, '../src/web/middleware/viewer.ts')))(
    "a signed-in viewer's pages show public and audience content together",
    async () => {
      const cookie = await viewerCookie(server.dbFile, ids.audience);
      const home = await get('/', { cookie });
      expect(home.text).toContain(`${M} ledger`);
      expect(home.text).toContain(`${M} ledger outage`);
      expect(home.text).toContain('Checkout slow');
      expect((await get(`/incidents/${ids.hidden}`, { cookie })).status).toBe(200);
      expect((await get(`/maintenance/${ids.window}`, { cookie })).status).toBe(200);
      expect((await get(`/postmortems/${hiddenSlug}`, { cookie })).status).toBe(200);
      expect((await get('/')).text).not.toContain(M);
    },
  );

  test('an address in an audience allowlist, and a private site, are answered privately', async () => {
    await addAudience(server.dbFile, 'Office', { ipAllowlist: ['10.77.0.0/16'] });
    // TRUST_PROXY=1: the address the proxy saw is believed.
    await waitFor('the allowlist read', async () => {
      const inside = await get('/', { 'x-forwarded-for': '10.77.3.4' });
      return inside.headers.get('cache-control') === 'private, no-store';
    });
    const outside = await get('/', { 'x-forwarded-for': '192.0.2.9' });
    expect(outside.headers.get('cache-control')).toMatch(/^public/);
    expect(outside.text).not.toContain(M);
    // With `/` now cached for the public: the fast front answers an address outside every
    // allowlist itself, and leaves one inside to node:http.
    const port = Number(new URL(server.url).port);
    const raw = async (forwardedFor: string) => {
      const before = await metric('candor_fast_front_answers_total');
      const connection = await RawConnection.open(port);
      connection.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Forwarded-For: ${forwardedFor}\r\n\r\n`);
      const answer = await connection.answer();
      connection.close();
      return { answer, fast: (await metric('candor_fast_front_answers_total')) - before };
    };
    const outsider = await raw('192.0.2.9');
    expect(outsider.answer.headers['x-cache']).toBe('hit');
    expect(outsider.fast).toBe(1);
    const office = await raw('10.77.3.4');
    expect(office.answer.headers['cache-control']).toBe('private, no-store');
    expect(office.fast).toBe(0);
    // What the client wrote before our proxy's hop is not believed (TRUST_PROXY=1).
    const forged = await raw('10.77.3.4, 192.0.2.9');
    expect(forged.answer.headers['x-cache']).toBe('hit');

    expect((await api(server.url, token, 'PATCH', '/api/v1/settings', { privateSite: true })).status).toBe(200);
    // Whatever a page then answers the public (itself, or a way to sign in), no cache keeps it.
    const unkept = (cacheControl: string | null) => /^(private, )?no-store$/.test(cacheControl ?? '');
    await waitFor('the private switch read', async () =>
      unkept((await get('/', { 'x-forwarded-for': '192.0.2.9' })).headers.get('cache-control')),
    );
    expect(unkept((await get('/history', { 'x-forwarded-for': '192.0.2.9' })).headers.get('cache-control'))).toBe(true);
    expect((await api(server.url, token, 'PATCH', '/api/v1/settings', { privateSite: false })).status).toBe(200);
    await waitFor('the private switch off', async () => {
      const answer = await get('/', { 'x-forwarded-for': '192.0.2.9' });
      return answer.headers.get('cache-control')?.startsWith('public');
    });
  });
});
