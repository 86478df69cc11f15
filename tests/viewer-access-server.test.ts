// How audience viewers get in (issue 20), through the built server on loopback: an emailed
// sign-in link (sent by the real outbox through the real resend SDK to a local Resend mock), a
// shared password, an IP allowlist behind a trusted proxy, and the private-site gate. Proof of
// access is the server's own account of the viewer (/access/me), which carries no page content.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { createAudience, sqlOn, ViewerBrowser } from './support/audiences.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, waitFor } from './support/subscribers.ts';

let mock: ResendMock;
let server: TestServer;
let admin: string;

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  server = await startServer({ env: mailEnv(mock) });
  admin = createUserWithToken(server.dbFile, 'admin').token;
});
afterAll(async () => {
  await server?.stop();
  await mock?.stop();
});

const sql = (query: string, args: (string | number | null)[] = []) => sqlOn(server.dbFile, query, args);

/** Waits until the outbox has nothing queued. */
const drained = () =>
  waitFor(
    'the outbox to drain',
    async () => (await sql(`select count(*) as n from deliveries where state = 'queued'`))[0].n === 0,
  );

/** Asks for a sign-in link as `browser` and returns the link from the email that arrives. */
async function emailedLink(browser: ViewerBrowser, email: string, next?: string): Promise<string> {
  const before = mock.emailsTo(email.toLowerCase()).length;
  const asked = await browser.post(next ? `/access?next=${encodeURIComponent(next)}` : '/access', [['email', email]]);
  expect(asked.status).toBe(200);
  expect(asked.text).toContain('data-link-requested');
  const mail = await waitFor(`the sign-in email to ${email}`, () => mock.emailsTo(email.toLowerCase())[before]);
  const link = /(http:\/\/\S+\/access\/link\/[a-z0-9]+)/.exec(mail.text)![1];
  return new URL(link).pathname;
}

const auditRows = (action: string) =>
  sql(`select actor_kind, actor_name, subject_id, after from audit_log where action = ? order by id`, [action]);

describe('email sign-in link', () => {
  test('a member gets a one-time link; following it signs in to every audience the address belongs to', async () => {
    const acme = await createAudience(server.dbFile, {
      name: 'Acme',
      members: [{ kind: 'email', value: 'pat@acme.example' }],
    });
    const acmeDomain = await createAudience(server.dbFile, {
      name: 'Acme staff',
      members: [{ kind: 'domain', value: 'acme.example' }],
    });
    const browser = new ViewerBrowser(server.url);
    expect((await browser.me()).public).toBe(true);

    const path = await emailedLink(browser, 'Pat@Acme.example', '/history');
    const mail = mock.emailsTo('pat@acme.example').at(-1)!;
    expect(mail.subject).toBe('Sign in to Example Cloud status');
    expect(mail.text).toContain('The link works once');
    // Sign-in mail is personal: no list headers, no unsubscribe footer.
    expect(mail.headers['List-Unsubscribe']).toBeUndefined();
    // Only the hash is stored.
    const token = path.split('/').at(-1)!;
    expect(await sql(`select * from viewer_links where token_hash = ?`, [token])).toHaveLength(0);
    expect(await sql(`select * from viewer_links where email = 'pat@acme.example'`)).toHaveLength(1);

    // GET only shows a button (mail scanners follow links) and uses nothing up.
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.text).toContain('Sign in to the Example Cloud status page with this link?');
    expect((await browser.me()).public).toBe(true);

    const followed = await browser.post(path, []);
    expect(followed.status).toBe(303);
    expect(followed.location).toBe('/history');
    const setCookie = followed.headers.getSetCookie().find((c) => c.startsWith('candor_viewer='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(setCookie)![1]);
    expect(expires - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(expires - Date.now()).toBeLessThan(7.1 * 86_400_000);

    const me = await browser.me();
    expect(me).toMatchObject({ signedIn: true, public: false, email: 'pat@acme.example' });
    expect(me.audiences).toEqual([
      { id: acme, name: 'Acme', method: 'email' },
      { id: acmeDomain, name: 'Acme staff', method: 'email' },
    ]);
    const signedInPage = await browser.get('/access');
    expect(signedInPage.text).toContain('You are signed in as pat@acme.example.');

    // The link is used up, for this browser and any other; a link never sent is no better.
    const again = await new ViewerBrowser(server.url).post(path, []);
    expect(again.status).toBe(404);
    expect(again.text).toContain('This sign-in link is not valid.');
    const made = await new ViewerBrowser(server.url).post('/access/link/abcdefghijklmnopqrstuvwxyz234567', []);
    expect(made.status).toBe(404);
    expect(made.headers.getSetCookie()).toEqual([]);

    const signins = await auditRows('audience.signin');
    const pats = signins.filter((r) => r.actor_name === 'pat@acme.example');
    expect(pats.map((r) => Number(r.subject_id)).sort()).toEqual([acme, acmeDomain].sort());
    expect(pats.every((r) => r.actor_kind === 'viewer')).toBe(true);
    expect(JSON.parse(String(pats[0].after))).toEqual({ method: 'email', email: 'pat@acme.example' });
  });

  test('an address that is no member gets the same answer, and no email and no link exist for it', async () => {
    await createAudience(server.dbFile, { name: 'Gamma', members: [{ kind: 'email', value: 'known@gamma.example' }] });
    const browser = new ViewerBrowser(server.url);
    const member = await browser.post('/access', [['email', 'known@gamma.example']]);
    const stranger = await browser.post('/access', [['email', 'stranger@gamma.example']]);
    expect(stranger.status).toBe(member.status);
    const strip = (html: string, email: string) => html.replaceAll(email, 'ADDRESS');
    expect(strip(stranger.text, 'stranger@gamma.example')).toBe(strip(member.text, 'known@gamma.example'));
    await waitFor('the member’s email', () => mock.emailsTo('known@gamma.example')[0]);
    await drained();
    expect(mock.emailsTo('stranger@gamma.example')).toHaveLength(0);
    expect(await sql(`select * from viewer_links where email = 'stranger@gamma.example'`)).toHaveLength(0);
  });

  test('the email is in the language of the page the link was asked for on', async () => {
    await createAudience(server.dbFile, { name: 'Kappa', members: [{ kind: 'email', value: 'jo@kappa.example' }] });
    const browser = new ViewerBrowser(server.url);
    browser.cookies.set('candor_lang', 'de');
    const page = await browser.get('/access');
    expect(page.text).toContain('Anmeldelink per E-Mail');
    await browser.post('/access', [['email', 'jo@kappa.example']]);
    const mail = await waitFor('the German sign-in email', () => mock.emailsTo('jo@kappa.example')[0]);
    expect(mail.subject).toBe('Bei Example Cloud Status anmelden');
    expect(mail.text).toMatch(/\/access\/link\/[a-z0-9]+\?lang=de/);
  });

  test('an expired link is refused and signs nobody in', async () => {
    await createAudience(server.dbFile, { name: 'Delta', members: [{ kind: 'domain', value: 'delta.example' }] });
    const browser = new ViewerBrowser(server.url);
    const path = await emailedLink(browser, 'late@delta.example');
    await sql(`update viewer_links set expires_at = ? where email = 'late@delta.example'`, [Date.now() - 1]);
    const followed = await browser.post(path, []);
    expect(followed.status).toBe(400);
    expect(followed.text).toContain('This sign-in link has expired.');
    expect(browser.cookie('candor_viewer')).toBeUndefined();
    expect((await browser.me()).public).toBe(true);
    const failures = await auditRows('audience.signin_failed');
    expect(failures.some((r) => String(r.after).includes('expired link'))).toBe(true);
  });

  test('removing the member ends the session at its next request', async () => {
    const epsilon = await createAudience(server.dbFile, {
      name: 'Epsilon',
      members: [{ kind: 'email', value: 'sam@epsilon.example' }],
    });
    const browser = new ViewerBrowser(server.url);
    await browser.post(await emailedLink(browser, 'sam@epsilon.example'), []);
    expect((await browser.me()).audiences.map((a) => a.id)).toEqual([epsilon]);
    await sql(`delete from audience_members where audience_id = ?`, [epsilon]);
    expect(await browser.me()).toMatchObject({ public: true, signedIn: false });
    // The dead cookie is cleared, and its session is gone.
    expect(browser.cookie('candor_viewer')).toBeUndefined();
    expect(await sql(`select * from viewer_sessions where email = 'sam@epsilon.example'`)).toHaveLength(0);
  });

  test('sign-in forms only take posts from the site itself', async () => {
    const browser = new ViewerBrowser(server.url);
    const forged = await browser.post('/access', [['email', 'x@acme.example']], {
      origin: 'https://evil.example',
    });
    expect(forged.status).toBe(403);
    const fromElsewhere = await browser.post(
      '/access/password',
      [
        ['audience', 'Acme'],
        ['password', 'x'],
      ],
      {
        'sec-fetch-site': 'cross-site',
      },
    );
    expect(fromElsewhere.status).toBe(403);
  });

  test('signing out ends the viewer session but not the way back in', async () => {
    await createAudience(server.dbFile, { name: 'Zeta', members: [{ kind: 'email', value: 'kim@zeta.example' }] });
    const browser = new ViewerBrowser(server.url);
    await browser.post(await emailedLink(browser, 'kim@zeta.example'), []);
    const secret = browser.cookie('candor_viewer')!;
    expect((await browser.me()).signedIn).toBe(true);
    const out = await browser.post('/access/sign-out', []);
    expect(out.status).toBe(303);
    expect(out.location).toBe('/access?signed-out');
    expect(browser.cookie('candor_viewer')).toBeUndefined();
    // The old secret is worth nothing now, even if someone kept it.
    const replay = await fetch(`${server.url}/access/me`, { headers: { cookie: `candor_viewer=${secret}` } });
    expect(((await replay.json()) as { public: boolean }).public).toBe(true);
  });
});

describe('shared password', () => {
  test('the right password signs in, a wrong one is refused and audited, a new password ends the session', async () => {
    const partners = await createAudience(server.dbFile, { name: 'Partners', password: 'correct horse battery' });
    const browser = new ViewerBrowser(server.url);
    const form = await browser.get('/access/password?audience=Partners');
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Partners"');

    const wrong = await browser.post('/access/password', [
      ['audience', 'Partners'],
      ['password', 'wrong horse'],
    ]);
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('The name or the password is wrong.');
    const unknown = await browser.post('/access/password', [
      ['audience', 'Nobody'],
      ['password', 'correct horse battery'],
    ]);
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('The name or the password is wrong.');
    const failures = (await auditRows('audience.signin_failed')).map((r) => JSON.parse(String(r.after)));
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'password', reason: 'wrong password', audience: 'Partners' }),
        expect.objectContaining({ method: 'password', reason: 'no such audience', audience: 'Nobody' }),
      ]),
    );
    expect(JSON.stringify(failures)).not.toContain('wrong horse');

    const right = await browser.post('/access/password?next=%2Fhistory', [
      ['audience', 'partners'],
      ['password', 'correct horse battery'],
    ]);
    expect(right.status).toBe(303);
    expect(right.location).toBe('/history');
    expect(await browser.me()).toMatchObject({
      signedIn: true,
      email: null,
      audiences: [{ id: partners, name: 'Partners', method: 'password' }],
    });
    expect((await browser.get('/access')).text).toContain('You are signed in with a shared password.');

    // A new password, set through the API as the admin does, ends the session at its next request.
    const changed = await api(server.url, admin, 'PUT', `/api/v1/audiences/${partners}/password`, {
      password: 'a brand new shared password',
    });
    expect(changed.status).toBe(200);
    expect((await browser.me()).public).toBe(true);
    expect(browser.cookie('candor_viewer')).toBeUndefined();
    // The new password works.
    const again = await browser.post('/access/password', [
      ['audience', 'Partners'],
      ['password', 'a brand new shared password'],
    ]);
    expect(again.status).toBe(303);
    expect((await browser.me()).audiences.map((a) => a.id)).toEqual([partners]);
  });

  test('a form no person could type is refused before anything is counted or recorded', async () => {
    await createAudience(server.dbFile, { name: 'Iota', password: 'iota password 1' });
    const failuresBefore = (await auditRows('audience.signin_failed')).length;
    const browser = new ViewerBrowser(server.url);
    const nul = await browser.post('/access/password', [
      ['audience', 'Iota\u0000'],
      ['password', 'iota password 1'],
    ]);
    expect(nul.status).toBe(400);
    const long = await browser.post('/access/password', [
      ['audience', 'Iota'],
      ['password', 'x'.repeat(300)],
    ]);
    expect(long.status).toBe(400);
    expect(long.text).toContain('Password must be at most 256 characters');
    expect((await auditRows('audience.signin_failed')).length).toBe(failuresBefore);
    expect(await sql(`select * from rate_limits where key like 'access-password:audience:iota%'`)).toHaveLength(0);
  });

  test('`next` only ever leads to a path on this site', async () => {
    await createAudience(server.dbFile, { name: 'Theta', password: 'theta password 1' });
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/access/sign-out']) {
      const browser = new ViewerBrowser(server.url);
      const answer = await browser.post(`/access/password?next=${encodeURIComponent(next)}`, [
        ['audience', 'Theta'],
        ['password', 'theta password 1'],
      ]);
      expect(answer.status).toBe(303);
      expect(answer.location).toBe('/');
    }
  });

  test('guessing is rate-limited per audience, from any number of addresses', async () => {
    await createAudience(server.dbFile, { name: 'Limited', password: 'the real password' });
    for (let i = 0; i < 10; i++) {
      const guess = await new ViewerBrowser(server.url).post('/access/password', [
        ['audience', 'Limited'],
        ['password', `guess ${i}`],
      ]);
      expect(guess.status).toBe(400);
    }
    const refused = await new ViewerBrowser(server.url).post('/access/password', [
      ['audience', 'Limited'],
      ['password', 'the real password'],
    ]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.text).toContain('Too many wrong passwords.');
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('candor_viewer='))).toBe(false);
  });

  test('signing in to a second audience keeps the first', async () => {
    const one = await createAudience(server.dbFile, { name: 'One', password: 'first password' });
    const two = await createAudience(server.dbFile, {
      name: 'Two',
      members: [{ kind: 'email', value: 'lee@two.example' }],
    });
    const browser = new ViewerBrowser(server.url);
    await browser.post('/access/password', [
      ['audience', 'One'],
      ['password', 'first password'],
    ]);
    const first = browser.cookie('candor_viewer');
    await browser.post(await emailedLink(browser, 'lee@two.example'), []);
    // A new secret after each sign-in: a cookie known before is worth nothing after.
    expect(browser.cookie('candor_viewer')).not.toBe(first);
    const me = await browser.me();
    expect(me.email).toBe('lee@two.example');
    expect(me.audiences).toEqual([
      { id: one, name: 'One', method: 'password' },
      { id: two, name: 'Two', method: 'email' },
    ]);
  });
});

describe('IP allowlist', () => {
  test('an address in an allowlist reads as the audience without signing in; a forged hop does not', async () => {
    const office = await createAudience(server.dbFile, {
      name: 'Office',
      ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'],
    });
    expect(await new ViewerBrowser(server.url, '203.0.113.77').me()).toMatchObject({
      signedIn: false,
      public: false,
      audiences: [{ id: office, name: 'Office', method: 'ip' }],
    });
    expect((await new ViewerBrowser(server.url, '2001:db8:1::5').me()).audiences).toEqual([
      { id: office, name: 'Office', method: 'ip' },
    ]);
    expect((await new ViewerBrowser(server.url, '198.51.100.7').me()).public).toBe(true);
    // TRUST_PROXY=1: only the hop our proxy appended counts; whatever the client wrote before it is ignored.
    expect((await new ViewerBrowser(server.url, '203.0.113.77, 198.51.100.7').me()).public).toBe(true);
    const inOffice = await new ViewerBrowser(server.url, '203.0.113.77').get('/access');
    expect(inOffice.text).toContain('Your network is allowed to read this page without signing in.');
  });
});

describe('private site', () => {
  test('the public is sent to sign in or refused; an admitted viewer reads', async () => {
    const staff = await createAudience(server.dbFile, { name: 'Staff viewers', password: 'private site password' });
    const set = await api(server.url, admin, 'PATCH', '/api/v1/settings', { privateSite: true });
    expect(set.status).toBe(200);
    try {
      const anonymous = new ViewerBrowser(server.url);
      // The front server hears of the switch from the change feed.
      await waitFor('the front server to close live updates', async () => {
        return (await anonymous.get('/live/version.json')).status === 401;
      });
      const events = await anonymous.get('/events', { accept: 'text/event-stream' });
      expect(events.status).toBe(401);
      expect(events.text).toMatch(/This status page is private\./);
      expect((await anonymous.get('/mcp')).status).toBe(401);
      const home = await anonymous.get('/');
      expect(home.status).toBe(303);
      expect(home.location).toBe('/access?next=%2F');
      expect(home.headers.get('cache-control')).toBe('no-store');
      const history = await anonymous.get('/history?month=2026-01');
      expect(history.status).toBe(303);
      expect(history.location).toBe(`/access?next=${encodeURIComponent('/history?month=2026-01')}`);
      for (const path of [
        '/api/v2/status.json',
        '/api/v2/summary.json',
        '/history.atom',
        '/maintenance.ics',
        '/badge.svg',
        '/widget.js',
      ]) {
        const refused = await anonymous.get(path);
        expect(refused.status, path).toBe(401);
        const message = path.startsWith('/api/')
          ? (JSON.parse(refused.text) as { error: { code: string; message: string } }).error
          : { code: 'unauthorized', message: refused.text };
        expect(refused.headers.get('content-type'), path).toMatch(
          path.startsWith('/api/') ? /^application\/json/ : /^text\/plain/,
        );
        expect(message.code, path).toBe('unauthorized');
        expect(message.message, path).toMatch(/This status page is private\. Sign in at http\S+\/access/);
      }
      const signIn = await anonymous.get('/access?next=%2F');
      expect(signIn.status).toBe(200);
      expect(signIn.text).toContain('This status page is private.');
      expect((await anonymous.get('/access/password')).status).toBe(200);
      expect((await anonymous.get('/healthz')).status).toBe(200);
      // Staff doors keep their own keys.
      expect((await api(server.url, admin, 'GET', '/api/v1/settings')).status).toBe(200);
      expect((await anonymous.get('/admin')).location).toMatch(/^\/admin\/login/);

      const viewer = new ViewerBrowser(server.url);
      // The sign-in page sent here keeps where the reader was going.
      const form = await viewer.get('/access/password?next=%2F');
      expect(form.status).toBe(200);
      const signedIn = await viewer.post('/access/password?next=%2F', [
        ['audience', 'Staff viewers'],
        ['password', 'private site password'],
      ]);
      expect(signedIn.location).toBe('/');
      const page = await viewer.get('/');
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toMatch(/private/);
      const version = await viewer.get('/live/version.json');
      expect(version.status).toBe(200);
      const fragment = await viewer.get((JSON.parse(version.text) as { status: string }).status);
      expect(fragment.status).toBe(200);
      const json = await viewer.get('/api/v2/status.json');
      expect(json.status).toBe(200);
      expect(json.headers.get('cache-control')).toMatch(/private/);
      // The viewer's answers were not kept for anyone else.
      expect((await anonymous.get('/')).status).toBe(303);

      // A member's feed link reads the feed on a private site without a cookie (and /my only takes its own forms).
      expect(
        (
          await viewer.post(
            '/my',
            [
              ['action', 'create'],
              ['audience', String(staff)],
            ],
            { origin: 'https://evil.example' },
          )
        ).status,
      ).toBe(403);
      const made = await viewer.post('/my', [
        ['action', 'create'],
        ['audience', String(staff)],
      ]);
      expect(made.status).toBe(200);
      const feedUrl = new URL(/<code>(http\S+\/history\.atom)<\/code>/.exec(made.text)![1]);
      const feed = await new ViewerBrowser(server.url).get(feedUrl.pathname);
      expect(feed.status).toBe(200);
      expect(feed.text).toContain('<feed');
      expect((await anonymous.get(feedUrl.pathname.replace(/\/my\/[^/]+/, '/my/not-a-real-token-at-all'))).status).toBe(
        404,
      );

      // An allowed network reads too.
      await sql(`update audiences set ip_allowlist = '["192.0.2.0/24"]' where id = ?`, [staff]);
      expect((await new ViewerBrowser(server.url, '192.0.2.10').get('/')).status).toBe(200);
    } finally {
      await api(server.url, admin, 'PATCH', '/api/v1/settings', { privateSite: false });
    }
    const reader = new ViewerBrowser(server.url);
    await waitFor('live updates to open again', async () => (await reader.get('/live/version.json')).status === 200);
    expect((await reader.get('/')).status).toBe(200);
  });
});
