// What audience members are served beyond the page (issue 20), end to end through the real
// flows: the admin gives a component to an audience through API v1, the member signs in with an
// emailed link, subscribes to the audience's component, and makes, uses and revokes secret feed
// links on /my. The built server, its outbox, the Resend mock; feeds read by Python's feedparser.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { sqlOn, ViewerBrowser } from './support/audiences.ts';
import { parseFeed } from './support/parsers.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, subscribe, subscribeConfirmed, waitFor } from './support/subscribers.ts';

let mock: ResendMock;
let server: TestServer;
let token: string;
let privateId: number;
let audienceId: number;
let member: ViewerBrowser;
const MARKER = 'Zephyr-Quartz-7731';
const MEMBER = 'ops@acme.test';

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  server = await startServer({ env: mailEnv(mock) });
  token = createUserWithToken(server.dbFile, 'admin').token;
  const component = await api(server.url, token, 'POST', '/api/v1/components', { name: `Private edge ${MARKER}` });
  expect(component.status).toBe(201);
  privateId = (component.body as { component: { id: number } }).component.id;
  const audience = await api(server.url, token, 'POST', '/api/v1/audiences', {
    name: 'Acme',
    members: [MEMBER],
    componentIds: [privateId],
  });
  expect(audience.status).toBe(201);
  audienceId = (audience.body as { audience: { id: number } }).audience.id;

  // The member signs in with the link the sign-in page emails.
  member = new ViewerBrowser(server.url);
  expect((await member.post('/access', [['email', MEMBER]])).status).toBe(200);
  const mail = await waitFor('the sign-in email', () => mock.emailsTo(MEMBER)[0]);
  const link = new URL(/(http:\/\/\S+\/access\/link\/[a-z0-9]+)/.exec(mail.text)![1]).pathname;
  expect((await member.post(link, [])).status).toBe(303);
  expect((await member.me()).audiences.map((a) => a.id)).toEqual([audienceId]);
});
afterAll(async () => {
  await server?.stop();
  await mock?.stop();
});

const drained = () =>
  waitFor(
    'the outbox to drain',
    async () => (await sqlOn(server.dbFile, `select count(*) as n from deliveries where state = 'queued'`))[0].n === 0,
  );

describe('audience members', () => {
  test('every page shows members the way in: the public a sign-in link, a member their own page', async () => {
    expect((await new ViewerBrowser(server.url).get('/history')).text).toMatch(/<a href="\/access">Sign in<\/a>/);
    const own = await member.get('/history');
    expect(own.text).toMatch(/<a href="\/my">Your access<\/a>/);
    expect(own.text).not.toContain('href="/access"');
  });

  test('subscribe to their audience components; the public can neither see nor name them', async () => {
    expect((await new ViewerBrowser(server.url).get('/subscribe')).text).not.toContain(MARKER);
    expect((await member.get('/subscribe')).text).toContain(MARKER);
    const refused = await subscribe(server.url, 'outsider@example.com', [privateId]);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain(`no component with id ${privateId}`);

    await subscribeConfirmed(server.url, mock, 'public@example.com');
    const asked = await member.post('/subscribe', [
      ['email', MEMBER],
      ['scope', 'some'],
      ['components', String(privateId)],
    ]);
    expect(asked.status).toBe(200);
    const mail = await waitFor('the confirmation', () =>
      mock.emailsTo(MEMBER).find((m) => m.subject.startsWith('Confirm your subscription')),
    );
    const link = /(http:\/\/\S+\/subscribe\/confirm\/[a-z0-9]+)/.exec(mail.text)![1].replace('localhost', '127.0.0.1');
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    const [row] = await sqlOn(
      server.dbFile,
      `select count(*) as n from subscriber_audiences sa join subscribers s on s.id = sa.subscriber_id where s.address = ?`,
      [MEMBER],
    );
    expect(row.n).toBe(1);

    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: `Edge errors ${MARKER}`,
      impact: 'major',
      message: `Requests through the private edge fail (${MARKER}).`,
      components: { [privateId]: 'major_outage' },
    });
    expect(opened.status).toBe(201);
    const told = await waitFor('the member to be told', () =>
      mock.emailsTo(MEMBER).find((m) => m.subject.includes(MARKER)),
    );
    expect(told.text).toContain(MARKER);
    await drained();
    const publicMail = mock.emailsTo('public@example.com');
    expect(publicMail.length).toBeGreaterThan(0); // the confirmation at least
    for (const m of publicMail) expect(`${m.subject}\n${m.text}\n${m.html}`).not.toContain(MARKER);

    // The manage page (no sign-in: its link is the credential) offers the audience's components.
    const manage = /(\/subscription\/[a-z0-9]+)/.exec(told.text)![1];
    expect(await (await fetch(`${server.url}${manage}`)).text()).toContain(MARKER);
  });

  test('feed links: made on /my, read without a cookie, private, revoked, and ended with membership', async () => {
    expect((await new ViewerBrowser(server.url).get('/my')).status).toBe(303);
    const mine = await member.get('/my');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toMatch(/no-store/);

    const make = async () => {
      const made = await member.post('/my', [
        ['action', 'create'],
        ['audience', String(audienceId)],
      ]);
      expect(made.status).toBe(200);
      return /\/my\/([a-z0-9]+)\/history\.atom/.exec(made.text)![1];
    };
    const secret = await make();
    const feed = await fetch(`${server.url}/my/${secret}/history.atom`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('cache-control')).toBe('private, no-store');
    const parsed = parseFeed(Buffer.from(await feed.arrayBuffer()));
    expect(parsed.bozo).toBe(false);
    expect(parsed.entries.some((e) => e.title.includes(MARKER))).toBe(true);
    // It names its own link: a reader that follows rel="self" keeps the member's feed.
    expect(parsed.self).toBe(`${server.publicUrl}/my/${secret}/history.atom`);
    const rss = parseFeed(Buffer.from(await (await fetch(`${server.url}/my/${secret}/history.rss`)).arrayBuffer()));
    expect(rss.self).toBe(`${server.publicUrl}/my/${secret}/history.rss`);
    expect(parseFeed(Buffer.from(await (await fetch(`${server.url}/history.atom`)).arrayBuffer())).self).toBe(
      `${server.publicUrl}/history.atom`,
    );
    expect(await (await fetch(`${server.url}/history.atom`)).text()).not.toContain(MARKER);
    const json = await (await fetch(`${server.url}/my/${secret}/api/v2/summary.json`)).json();
    expect(JSON.stringify(json)).toContain(MARKER);
    const elsewhere = await fetch(`${server.url}/my/${secret}/admin`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toContain('A feed link ends in one of');

    // Revoked by the member on /my: the link stops at once; a cross-site post changes nothing.
    const [link] = await sqlOn(server.dbFile, 'select id from viewer_feed_tokens where revoked_at is null');
    const forged = await member.post(
      '/my',
      [
        ['action', 'revoke'],
        ['link', String(link.id)],
      ],
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(forged.status).toBe(403);
    expect((await fetch(`${server.url}/my/${secret}/history.atom`)).status).toBe(200);
    const revoked = await member.post('/my', [
      ['action', 'revoke'],
      ['link', String(link.id)],
    ]);
    expect(revoked.status).toBe(200);
    const gone = await fetch(`${server.url}/my/${secret}/history.atom`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('revoked');
    const audit = await sqlOn(
      server.dbFile,
      `select action from audit_log where action like 'audience.feed_link.%' order by id`,
    );
    expect(audit.map((r) => r.action)).toEqual(['audience.feed_link.create', 'audience.feed_link.revoke']);

    // A link made after an emailed sign-in ends when the admin removes the address.
    const second = await make();
    expect((await fetch(`${server.url}/my/${second}/history.atom`)).status).toBe(200);
    const removed = await api(server.url, token, 'PATCH', `/api/v1/audiences/${audienceId}`, { members: [] });
    expect(removed.status).toBe(200);
    expect((await fetch(`${server.url}/my/${second}/history.atom`)).status).toBe(404);
  });
});
