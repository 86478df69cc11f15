// Email subscriptions end to end: the built server on loopback, its outbox worker and the real
// resend SDK talking to a local server that speaks Resend's API.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, postForm, subscribe, subscribeConfirmed, waitFor } from './support/subscribers.ts';

let mock: ResendMock;
let server: TestServer;
let token: string;

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  server = await startServer({ env: mailEnv(mock) });
  token = createUserWithToken(server.dbFile, 'support').token;
});
afterAll(async () => {
  await server?.stop();
  await mock?.stop();
});

const sql = async (query: string, args: (string | number)[] = []) => {
  // The server may be writing (the outbox records a send): wait for its lock, as it waits for ours.
  const client = createClient({ url: `file:${server.dbFile}`, timeout: 10_000 });
  try {
    return (await client.execute({ sql: query, args })).rows;
  } finally {
    client.close();
  }
};

const openIncident = (components: Record<string, string>, extra: Record<string, unknown> = {}) =>
  api(server.url, token, 'POST', '/api/v1/incidents', {
    title: `Test ${Math.random()}`,
    impact: 'major',
    message: 'We are looking into errors.',
    components,
    ...extra,
  });

/** Waits until the outbox has nothing queued, then a little longer for stragglers. */
const drained = () =>
  waitFor(
    'the outbox to drain',
    async () => (await sql(`select count(*) as n from deliveries where state = 'queued'`))[0].n === 0,
  );

describe('subscribing', () => {
  test('double opt-in: only the confirmation is sent until the link is followed', async () => {
    const answer = await subscribe(server.url, 'Pending.Person@Example.com');
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Check your inbox');
    const confirmation = await waitFor('confirmation', () => mock.emailsTo('pending.person@example.com')[0]);
    expect(confirmation.subject).toBe('Confirm your subscription to Example Cloud status updates');
    expect(confirmation.text).toMatch(/\/subscribe\/confirm\/[a-z0-9]{32}/);
    expect(confirmation.html).toContain('Confirm your subscription');

    await openIncident({ 1: 'partial_outage' });
    await drained();
    expect(mock.emailsTo('pending.person@example.com')).toHaveLength(1);

    // GET only shows a button (mail scanners follow links); POST confirms.
    const link = /(http:\/\/\S+\/subscribe\/confirm\/[a-z0-9]+)/
      .exec(confirmation.text)![1]
      .replace('localhost', '127.0.0.1');
    const page = await fetch(link);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('Confirm subscription');
    expect((await sql(`select state from subscribers where address = 'pending.person@example.com'`))[0].state).toBe(
      'pending',
    );
    const confirmed = await fetch(link, { method: 'POST' });
    expect(await confirmed.text()).toContain('You are subscribed');
    expect((await fetch(link, { method: 'POST' })).status).toBe(404);

    await openIncident({ 1: 'degraded_performance' });
    await waitFor('incident email', () => mock.emailsTo('pending.person@example.com')[1]);
  });

  test('re-subscribing makes no duplicate and answers the same whether or not the address was known', async () => {
    await subscribeConfirmed(server.url, mock, 'known@example.com');
    const known = await subscribe(server.url, 'known@example.com');
    const unknown = await subscribe(server.url, 'stranger@example.com');
    const strip = (html: string, address: string) => html.replaceAll(address, 'ADDRESS');
    expect(known.status).toBe(unknown.status);
    expect(strip(known.html, 'known@example.com')).toBe(strip(unknown.html, 'stranger@example.com'));
    expect((await sql(`select count(*) as n from subscribers where address = 'known@example.com'`))[0].n).toBe(1);
    const notice = await waitFor('already-subscribed notice', () =>
      mock.emailsTo('known@example.com').find((e) => e.subject.startsWith('You are already subscribed')),
    );
    expect(notice.text).toMatch(/\/subscription\/[a-z0-9]+/);
    expect((await sql(`select state from subscribers where address = 'known@example.com'`))[0].state).toBe('active');
  });

  test('bad input is a 400 that says what is wrong; an expired link says so', async () => {
    const bad = await subscribe(server.url, 'not-an-address');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('must be an email address');
    const none = await postForm(`${server.url}/subscribe`, [
      ['email', 'picky@example.com'],
      ['scope', 'some'],
    ]);
    expect(none.status).toBe(400);
    expect(none.html).toContain('choose at least one component');
    const unknown = await subscribe(server.url, 'ghost@example.com', [999]);
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('no component with id 999');
    expect(
      (
        await sql(`select count(*) as n from subscribers where address in ('picky@example.com', 'ghost@example.com')`)
      )[0].n,
    ).toBe(0);

    await subscribe(server.url, 'late@example.com');
    const mail = await waitFor('confirmation', () => mock.emailsTo('late@example.com')[0]);
    await sql(`update subscribers set confirm_expires_at = 1 where address = 'late@example.com'`);
    const link = /(http:\/\/\S+\/subscribe\/confirm\/[a-z0-9]+)/.exec(mail.text)![1].replace('localhost', '127.0.0.1');
    const expired = await fetch(link, { method: 'POST' });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('expired');
    expect((await sql(`select state from subscribers where address = 'late@example.com'`))[0].state).toBe('pending');
  });

  test('subscribe is rate-limited per address and per IP, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await subscribe(server.url, 'flood@example.com')).status).toBe(200);
    const fourth = await subscribe(server.url, 'flood@example.com');
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(fourth.html).toContain('Too many subscription requests for this address');

    const ip = { 'x-forwarded-for': '192.0.2.7' };
    for (let i = 0; i < 10; i++)
      expect((await subscribe(server.url, `ip${i}@example.com`, 'all', ip)).status).toBe(200);
    const eleventh = await subscribe(server.url, 'ip10@example.com', 'all', ip);
    expect(eleventh.status).toBe(429);
    expect(eleventh.html).toContain('from your network');
  });
});

describe('what is sent', () => {
  test('subscribers hear only about their components; an incident naming none reaches everyone', async () => {
    await subscribeConfirmed(server.url, mock, 'api-only@example.com', [1]);
    await subscribeConfirmed(server.url, mock, 'db-only@example.com', [4]);
    await subscribeConfirmed(server.url, mock, 'everything@example.com', 'all');
    const count = (a: string) => mock.emailsTo(a).filter((e) => e.subject.startsWith('[Example Cloud]')).length;
    const before = {
      api: count('api-only@example.com'),
      db: count('db-only@example.com'),
      all: count('everything@example.com'),
    };

    await openIncident({ 1: 'major_outage' });
    await drained();
    expect(count('api-only@example.com')).toBe(before.api + 1);
    expect(count('db-only@example.com')).toBe(before.db);
    expect(count('everything@example.com')).toBe(before.all + 1);

    await openIncident({});
    await drained();
    expect(count('api-only@example.com')).toBe(before.api + 2);
    expect(count('db-only@example.com')).toBe(before.db + 1);
    expect(count('everything@example.com')).toBe(before.all + 2);
  });

  test('created, notified updates and resolution are sent; an update without notify is not', async () => {
    await subscribeConfirmed(server.url, mock, 'story@example.com', [2]);
    const created = await openIncident({ 2: 'partial_outage' });
    const id = created.body.incident.id;
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'identified',
      message: 'Typo fix, nobody needs an email.',
      notify: false,
    });
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'monitoring',
      message: 'A fix is **deployed**.',
    });
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'resolved',
      message: 'All good.',
      components: { 2: 'operational' },
    });
    await drained();
    const mails = mock.emailsTo('story@example.com').filter((e) => e.subject.startsWith('[Example Cloud]'));
    expect(mails.map((m) => m.subject.split(':')[0])).toEqual([
      '[Example Cloud] New incident',
      '[Example Cloud] Monitoring',
      '[Example Cloud] Resolved',
    ]);

    const monitoring = mails[1];
    expect(monitoring.text).toContain('Current state: Monitoring');
    expect(monitoring.text).toContain('A fix is **deployed**.');
    expect(monitoring.text).toContain(`/incidents/${id}`);
    expect(monitoring.html).toContain('<strong>deployed</strong>');
    expect(monitoring.html).toContain(`/incidents/${id}"`);
    expect(monitoring.html).toContain('Example Cloud status');
    expect(monitoring.from).toBe('Example Cloud Status <status@example.com>');
    expect(monitoring.headers['List-Unsubscribe']).toMatch(/^<http:\/\/\S+\/subscription\/[a-z0-9]+\/unsubscribe>$/);
    expect(monitoring.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mails[2].text).toContain('Dashboard: Operational');
  });

  test('one-click unsubscribe works with no session or cookie, and stops the mail', async () => {
    await subscribeConfirmed(server.url, mock, 'leaver@example.com');
    await openIncident({ 3: 'degraded_performance' });
    const mail = await waitFor('incident email', () =>
      mock.emailsTo('leaver@example.com').find((e) => e.subject.startsWith('[Example Cloud]')),
    );
    const url = mail.headers['List-Unsubscribe'].slice(1, -1).replace('localhost', '127.0.0.1');
    // What a mail provider sends (RFC 8058): a bare POST with this exact body, cross-site, no cookies.
    const oneClick = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example.net' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You are unsubscribed');
    expect((await sql(`select state from subscribers where address = 'leaver@example.com'`))[0].state).toBe(
      'unsubscribed',
    );
    const count = mock.emailsTo('leaver@example.com').length;
    await openIncident({});
    await drained();
    expect(mock.emailsTo('leaver@example.com')).toHaveLength(count);
    // Repeating it is harmless; an unknown token is a 404.
    expect((await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    expect((await fetch(url.replace(/subscription\/[a-z0-9]+/, 'subscription/nope'), { method: 'POST' })).status).toBe(
      404,
    );
  });

  test('the manage page changes components', async () => {
    const manage = await subscribeConfirmed(server.url, mock, 'chooser@example.com');
    const saved = await postForm(server.url + manage, [
      ['scope', 'some'],
      ['components', '5'],
      ['components', '6'],
    ]);
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('Saved');
    const rows = await sql(
      `select component_id from subscriber_components sc join subscribers s on s.id = sc.subscriber_id where s.address = 'chooser@example.com' order by 1`,
    );
    expect(rows.map((r) => r.component_id)).toEqual([5, 6]);
    expect(
      (await sql(`select all_components from subscribers where address = 'chooser@example.com'`))[0].all_components,
    ).toBe(0);
  });
});
