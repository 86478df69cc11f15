// Users and roles: invitations and password resets by one-time link, role changes, deactivation,
// and the rule that the last admin stays.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { mailEnv, waitFor } from './support/subscribers.ts';
import { axeViolations, loggedIn, serverAndBrowser } from './support/browser.ts';

const mock = new ResendMock({ requestsPerSecond: 0 });
beforeAll(() => mock.start());
afterAll(() => mock.stop());
const ctx = serverAndBrowser(() => ({ env: mailEnv(mock) }));

async function setPassword(link: string, password: string) {
  const { server } = ctx;
  const r = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    body: new URLSearchParams({ password }).toString(),
    redirect: 'manual',
  });
  return { status: r.status, html: await r.text(), location: r.headers.get('location') };
}
const linkIn = (html: string) =>
  /<code class="secret">([^<]+)<\/code>/.exec(html)![1].replace('localhost', '127.0.0.1').replace(/&amp;/g, '&');

describe('users and roles', () => {
  test('invite by one-time link, roles, deactivation, resets; the last admin stays', async () => {
    const { server, browser } = ctx;
    const root = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
    const admin = await adminSession(server.url, root.email, root.password);

    const invited = await admin.post('/admin/users', [
      ['action', 'invite'],
      ['name', 'Sam Support'],
      ['email', 'Sam@Example.com'],
      ['role', 'support'],
    ]);
    expect(invited.status).toBe(200);
    const link = linkIn(invited.html);
    expect(link).toMatch(/\/admin\/password\?token=[a-z0-9]+$/);
    // the same link goes out by email, through the outbox
    const invitation = await waitFor('invitation email', () => mock.emailsTo('sam@example.com')[0]);
    expect(invitation.subject).toBe('You are invited to the Example Cloud status admin');
    expect(invitation.text).toContain(new URL(link).search);
    expect(invitation.headers['List-Unsubscribe']).toBeUndefined();
    expect(
      (
        await admin.post('/admin/users', [
          ['action', 'invite'],
          ['name', 'Again'],
          ['email', 'sam@example.com'],
          ['role', 'support'],
        ])
      ).status,
    ).toBe(409);
    const welcome = await fetch(link);
    expect(welcome.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await welcome.text()).toContain('Welcome, Sam Support. Choose a password for sam@example.com.');
    expect((await setPassword(link, 'short')).status).toBe(400);
    // Listed as invited, not active, until a password is chosen.
    const samRow = () => /<tr data-user="\d+">\s*<td>Sam Support[\s\S]*?<\/tr>/.exec(html)![0];
    let html = (await admin.get('/admin/users')).html;
    expect(samRow()).toContain('Invited (no password chosen yet)');
    // Choosing the password signs them in: the answer carries a session that opens the admin.
    const chosen = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ password: 'a long enough password' }).toString(),
      redirect: 'manual',
    });
    expect([chosen.status, chosen.headers.get('location')]).toEqual([303, '/admin']);
    const session = chosen.headers.get('set-cookie')!.split(';')[0];
    const signedIn = await fetch(server.url + '/admin', { headers: { cookie: session }, redirect: 'manual' });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('Log out Sam Support');
    html = (await admin.get('/admin/users')).html;
    expect(samRow()).toContain('Active');
    expect(samRow()).not.toContain('Invited');
    expect((await setPassword(link, 'another long password')).status).toBe(400);
    expect((await fetch(link)).status).toBe(410);
    const sam = await adminSession(server.url, 'sam@example.com', 'a long enough password');
    expect((await sam.get('/admin')).status).toBe(200);
    expect((await sam.get('/admin/users')).status).toBe(403);

    // the last admin can be neither demoted nor deactivated
    const rootId = /<tr data-user="(\d+)">\s*<td>Root/.exec((await admin.get('/admin/users')).html)![1];
    const samId = /<tr data-user="(\d+)">\s*<td>Sam Support/.exec((await admin.get('/admin/users')).html)![1];
    const demote = await admin.post('/admin/users', [
      ['action', 'role'],
      ['id', rootId],
      ['role', 'support'],
    ]);
    expect(demote.status).toBe(409);
    expect(demote.html).toContain('Root is the last admin; make someone else an admin first.');
    expect(
      (
        await admin.post('/admin/users', [
          ['action', 'deactivate'],
          ['confirmed', 'yes'],
          ['id', rootId],
        ])
      ).status,
    ).toBe(409);
    expect(
      (
        await admin.post('/admin/users', [
          ['action', 'role'],
          ['id', samId],
          ['role', 'admin'],
        ])
      ).status,
    ).toBe(200);
    expect((await sam.get('/admin/users')).status).toBe(200);
    expect(
      (
        await admin.post('/admin/users', [
          ['action', 'role'],
          ['id', samId],
          ['role', 'support'],
        ])
      ).status,
    ).toBe(200);

    // Deactivating asks first; only the question's own button deactivates.
    const asked = await admin.post('/admin/users', [
      ['action', 'deactivate'],
      ['id', samId],
    ]);
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('Deactivate Sam Support?');
    expect(asked.html).toMatch(/name="confirmed" value="yes"/);
    expect((await sam.get('/admin')).status).toBe(200);

    // deactivation ends sessions and stops API tokens
    const tokenUser = createUserWithToken(server.dbFile, 'support', 'bot@example.com', 'Bot');
    const botId = /<tr data-user="(\d+)">\s*<td>Bot/.exec((await admin.get('/admin/users')).html)![1];
    expect((await api(server.url, tokenUser.token, 'GET', '/api/v1/components')).status).toBe(200);
    await admin.post('/admin/users', [
      ['action', 'deactivate'],
      ['confirmed', 'yes'],
      ['id', samId],
    ]);
    await admin.post('/admin/users', [
      ['action', 'deactivate'],
      ['confirmed', 'yes'],
      ['id', botId],
    ]);
    expect((await sam.get('/admin')).status).toBe(302);
    expect((await api(server.url, tokenUser.token, 'GET', '/api/v1/components')).status).toBe(401);
    expect(
      (
        await admin.post('/admin/users', [
          ['action', 'reset'],
          ['id', samId],
          ['name', 'Sam'],
        ])
      ).status,
    ).toBe(409);
    await admin.post('/admin/users', [
      ['action', 'reactivate'],
      ['id', samId],
    ]);

    // a reset link sets a new password and ends other sessions
    const samAgain = await adminSession(server.url, 'sam@example.com', 'a long enough password');
    const reset = linkIn(
      (
        await admin.post('/admin/users', [
          ['action', 'reset'],
          ['id', samId],
          ['name', 'Sam'],
        ])
      ).html,
    );
    await waitFor('reset email', () =>
      mock
        .emailsTo('sam@example.com')
        .find(
          (m) =>
            m.subject === 'Reset your Example Cloud status admin password' && m.text.includes(new URL(reset).search),
        ),
    );
    // staff mail rows are not subscribers
    expect((await admin.get('/admin/subscribers')).html).not.toContain('sam@example.com');
    expect((await setPassword(reset, 'a brand new password')).status).toBe(303);
    expect((await samAgain.get('/admin')).status).toBe(302);
    const samNew = await adminSession(server.url, 'sam@example.com', 'a brand new password');
    const wrong = await samNew.post('/admin/account', [
      ['current', 'nope'],
      ['password', 'whatever long one'],
    ]);
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('Current password does not match the password you log in with');
    expect(
      (
        await samNew.post('/admin/account', [
          ['current', 'a brand new password'],
          ['password', 'my final password'],
        ])
      ).status,
    ).toBe(303);
    await adminSession(server.url, 'sam@example.com', 'my final password');

    // API tokens from the account page: scoped, shown once, revocable
    const made = await admin.post('/admin/account', [
      ['action', 'create-token'],
      ['name', 'status dashboard'],
      ['scope', 'read'],
    ]);
    expect(made.status).toBe(200);
    const readToken = /<code class="secret">(candor_[a-z0-9]+)<\/code>/.exec(made.html)![1];
    expect((await api(server.url, readToken, 'GET', '/api/v1/incidents')).status).toBe(200);
    expect(
      (await api(server.url, readToken, 'POST', '/api/v1/incidents', { title: 'x', impact: 'minor', message: 'y' }))
        .status,
    ).toBe(403);
    const account = (await admin.get('/admin/account')).html;
    expect(account).not.toContain(readToken);
    const tokenId = /<tr><td>status dashboard<\/td><td>read<\/td>[\s\S]*?name="id" value="(\d+)"/.exec(account)![1];
    expect(
      (
        await admin.post('/admin/account', [
          ['action', 'revoke-token'],
          ['id', tokenId],
        ])
      ).status,
    ).toBe(303);
    expect((await api(server.url, readToken, 'GET', '/api/v1/incidents')).status).toBe(401);
    expect(
      (
        await admin.post('/admin/account', [
          ['action', 'revoke-token'],
          ['id', tokenId],
        ])
      ).status,
    ).toBe(404);

    const audit = (await admin.get('/admin/audit?subject=user')).html;
    for (const action of [
      'user.invite',
      'user.accept_invite',
      'user.role',
      'user.deactivate',
      'user.reactivate',
      'user.password_reset',
      'user.password_change',
    ])
      expect(audit).toContain(`data-action="${action}"`);

    const { context, page } = await loggedIn(browser, server.url, root.email, root.password);
    for (const path of ['/admin/users', '/admin/account']) {
      await page.goto(server.url + path);
      expect(await axeViolations(page)).toEqual([]);
    }
    await context.close();
  });
});
