// Who may still get in, through the real server: a deactivated user's API tokens are revoked for
// good (reactivation does not revive them), and the review lint endpoint takes the review-writing
// role like the review pages do.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('deactivation', () => {
  test('revokes the API tokens for good: reactivating does not bring them back, a new token works', async () => {
    const root = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
    const admin = await adminSession(server.url, root.email, root.password);
    const bot = createUserWithToken(server.dbFile, 'support', 'bot@example.com', 'Bot');
    const botId = /<tr data-user="(\d+)">\s*<td>Bot/.exec((await admin.get('/admin/users')).html)![1];
    expect((await api(server.url, bot.token, 'GET', '/api/v1/components')).status).toBe(200);

    const deactivated = await admin.post('/admin/users', [
      ['action', 'deactivate'],
      ['confirmed', 'yes'],
      ['id', botId],
    ]);
    expect(deactivated.html).toContain('their API tokens were revoked');
    expect((await api(server.url, bot.token, 'GET', '/api/v1/components')).status).toBe(401);
    await admin.post('/admin/users', [
      ['action', 'reactivate'],
      ['id', botId],
    ]);
    expect((await api(server.url, bot.token, 'GET', '/api/v1/components')).status).toBe(401);

    // The owner sees the old token as revoked, with no button to revoke it again.
    const own = await adminSession(server.url, bot.email, bot.password);
    const row = /<tr><td>tests<\/td><td>admin<\/td>[\s\S]*?<\/tr>/.exec((await own.get('/admin/account')).html)![0];
    expect(row).toContain('data-revoked');
    expect(row).not.toContain('Revoke tests');
    const made = await own.post('/admin/account', [
      ['action', 'create-token'],
      ['name', 'after return'],
      ['scope', 'read'],
    ]);
    const fresh = /<code class="secret">(candor_[a-z0-9]+)<\/code>/.exec(made.html)![1];
    expect((await api(server.url, fresh, 'GET', '/api/v1/components')).status).toBe(200);

    const audit = (await admin.get('/admin/audit?subject=token&action=token.revoke')).html;
    expect(audit).toContain('data-action="token.revoke"');
    expect(audit).toContain('user.deactivate');
  });
});

describe('review lint', () => {
  test('answers authors and refuses support with a JSON 403', async () => {
    const review = '/admin/reviews/1/lint'; // the demo's review
    const author = createUserWithToken(server.dbFile, 'author', 'writer@example.com', 'Writer');
    const support = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk');
    const allowed = await (await adminSession(server.url, author.email, author.password)).postJson(review, {});
    expect(allowed.status).toBe(200);
    expect(Array.isArray(allowed.json.findings)).toBe(true);
    const refused = await (await adminSession(server.url, support.email, support.password)).postJson(review, {});
    expect(refused).toEqual({ status: 403, json: { error: 'Your role may not edit reviews.' } });
  });
});
