// Chat channels subscribed by customers on /subscribe: the confirmation posted into the channel
// and nothing else until someone follows it, then each platform's native message (checked against
// its documented shape and limits), unsubscribing from the link in a message, 429 with Retry-After
// honoured per webhook host, production's rules for pasted URLs, and the form's rate limits.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { adminSession } from './support/admin-session.ts';
import { ChatReceiver, type ChatPost } from './support/chat-receiver.ts';
import { CHECKS } from './support/chat-shapes.ts';
import { startServer, type TestServer } from './support/server.ts';
import { postForm, waitFor } from './support/subscribers.ts';
import { t } from '../src/i18n/t.ts';
import { queryRows } from './support/db.ts';

const PLATFORMS = ['slack', 'teams', 'discord', 'google_chat'] as const;

let server: TestServer;
let token: string;
const chat = new ChatReceiver();

beforeAll(async () => {
  await chat.start();
  server = await startServer({
    env: {
      TRUST_PROXY: '1',
      CANDOR_OUTBOX_POLL_MS: '100',
      CANDOR_RETRY_BASE_MS: '300',
      CANDOR_RETRY_MAX_MS: '1000',
      // One call at a time, so the order of calls to the receiver's host is the order they were made.
      CHAT_CONCURRENCY: '1',
    },
  });
  token = createUserWithToken(server.dbFile, 'admin').token;
});
afterAll(async () => {
  await server?.stop();
  await chat.stop();
});

const rows = (query: string) => queryRows(server.dbFile, query);

function subscribeChannel(platform: string, path: string, base = server.url, headers: Record<string, string> = {}) {
  return postForm(
    `${base}/subscribe/chat`,
    [
      ['platform', platform],
      ['url', chat.url + path],
      ['scope', 'all'],
    ],
    headers,
  );
}

async function openIncident(title: string, message = 'We are looking into it.') {
  const answer = await api(server.url, token, 'POST', '/api/v1/incidents', {
    title,
    impact: 'major',
    message,
    components: { 1: 'partial_outage' },
  });
  expect(answer.status).toBe(201);
  return answer.body.incident.id as number;
}

const link = (post: { body: string }, pattern: RegExp) =>
  pattern.exec(post.body.replace(/\\\//g, '/'))![0].replace('localhost', '127.0.0.1');

describe('chat subscriptions', () => {
  test('each platform: confirmation in the channel, nothing before it is followed, then native messages with working links', async () => {
    const paths = Object.fromEntries(PLATFORMS.map((p) => [p, `/${p}/hooks/channel-1`]));
    for (const platform of PLATFORMS) {
      const answer = await subscribeChannel(platform, paths[platform]);
      expect(answer.status).toBe(200);
      expect(answer.html).toContain('data-chat-requested');
    }
    const confirmations = await waitFor('four confirmations', () => {
      const found = PLATFORMS.map((p) => chat.to(paths[p])[0]);
      return found.every(Boolean) && found;
    });
    for (const [i, platform] of PLATFORMS.entries()) {
      const text = CHECKS[platform](confirmations[i].json);
      expect(text).toMatch(/\/subscribe\/confirm\/[a-z0-9]+/);
      expect(text).toMatch(/\/subscription\/[a-z0-9]+\/unsubscribe/);
    }

    // Not confirmed yet: an incident is not posted to any of them.
    await openIncident('Before confirming');
    await new Promise((ok) => setTimeout(ok, 1000));
    for (const platform of PLATFORMS) expect(chat.to(paths[platform])).toHaveLength(1);
    const pending = await rows(`select count(*) as n from deliveries d join subscribers s on s.id = d.subscriber_id
      where s.kind in ('slack','teams','discord','google_chat') and d.channel = 'chat'`);
    expect(pending[0].n).toBe(4);

    for (const [i, platform] of PLATFORMS.entries()) {
      const confirm = link(confirmations[i], /http:\/\/[^\s"'<>|)\\]+\/subscribe\/confirm\/[a-z0-9]+/);
      const page = await fetch(confirm, { method: 'POST' });
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain('You are subscribed');
      // The channel's URL is its secret: the page names the platform, not the URL.
      expect(html).not.toContain(paths[platform]);
    }

    const long = `Investigating <!channel> @everyone **errors**. ${'All hands on deck. '.repeat(900)}`;
    const id = await openIncident('API errors', long);
    const messages = await waitFor('four incident messages', () => {
      const found = PLATFORMS.map((p) => chat.to(paths[p]).find((post) => post.body.includes('API errors')));
      return found.every(Boolean) && (found as ChatPost[]);
    });
    for (const [i, platform] of PLATFORMS.entries()) {
      const text = CHECKS[platform](messages[i].json);
      expect(text, platform).toContain(`/incidents/${id}`);
      expect(text, platform).toMatch(/\/subscription\/[a-z0-9]+\/unsubscribe/);
      expect(text, platform).toMatch(/Partial outage/i);
    }

    // The Slack channel unsubscribes from the link in its message; Discord keeps getting updates.
    const unsubscribe = link(messages[0], /http:\/\/[^\s"'<>|)\\]+\/subscription\/[a-z0-9]+\/unsubscribe/);
    const left = await fetch(unsubscribe, { method: 'POST' });
    expect(left.status).toBe(200);
    expect(await left.text()).toContain('You are unsubscribed');
    await openIncident('After leaving');
    await waitFor('discord told', () => chat.to(paths.discord).find((p) => p.body.includes('After leaving')));
    await new Promise((ok) => setTimeout(ok, 500));
    expect(chat.to(paths.slack).filter((p) => p.body.includes('After leaving'))).toEqual([]);

    // Staff see the new kinds: the list filter, the outbox counts and the platform's message.
    const { email, password } = createUserWithToken(server.dbFile, 'admin', 'chat-admin@example.com');
    const admin = await adminSession(server.url, email, password);
    const list = await admin.get('/admin/subscribers?kind=discord');
    expect(list.html).toContain('1 subscriber found');
    expect(list.html).toContain('Discord channel (127.0.0.1');
    expect(list.html).not.toContain(paths.discord);
    const outbox = await admin.get('/admin/outbox');
    expect(outbox.html).toMatch(/data-channel="chat"/);
    const [delivery] = await rows(`select d.id from deliveries d join subscribers s on s.id = d.subscriber_id
      where s.kind = 'teams' and d.state = 'sent' order by d.id desc limit 1`);
    const shown = await admin.get(`/admin/outbox/${delivery.id}`);
    expect(shown.html).toContain('Microsoft Teams message');
    expect(shown.html).toContain('application/vnd.microsoft.card.adaptive');

    // Staff unsubscribe a channel; the audit log names it without its URL, the channel's secret.
    const [google] = await rows(`select id from subscribers where kind = 'google_chat'`);
    expect((await admin.post(`/admin/subscribers/${google.id}`, [['action', 'unsubscribe']])).status).toBe(303);
    expect((await admin.get(`/admin/subscribers/${google.id}`)).html).toContain('Unsubscribed');
    const audit = await admin.get('/admin/audit');
    expect(audit.html).toMatch(new RegExp(`data-action="subscriber.unsubscribe"[^]*?subscriber #${google.id}(?!\\d)`));
    expect(audit.html).not.toContain(paths.google_chat);
  });

  test('429 with Retry-After pauses every call to that webhook host, without spending attempts', async () => {
    const a = '/discord/hooks/limited-a';
    const b = '/discord/hooks/limited-b';
    for (const path of [a, b]) {
      expect((await subscribeChannel('discord', path)).status).toBe(200);
      const confirmation = await waitFor('confirmation', () => chat.to(path)[0]);
      const confirm = link(confirmation, /http:\/\/[^\s"'<>|)\\]+\/subscribe\/confirm\/[a-z0-9]+/);
      expect((await fetch(confirm, { method: 'POST' })).status).toBe(200);
    }
    chat.queued.set(a, [
      {
        status: 429,
        headers: { 'retry-after': '2', 'content-type': 'application/json' },
        body: '{"message":"You are being rate limited.","retry_after":2,"global":false}',
      },
    ]);
    chat.queued.set(b, [
      {
        status: 429,
        headers: { 'retry-after': '2', 'content-type': 'application/json' },
        body: '{"message":"You are being rate limited.","retry_after":2,"global":false}',
      },
    ]);
    await openIncident('Limited');
    await waitFor(
      'both delivered',
      () => [a, b].every((p) => chat.to(p).some((post) => post.status === 204 && post.body.includes('Limited'))),
      15_000,
    );
    const calls = chat.posts.filter((p) => p.body.includes('Limited'));
    const firstLimit = calls.find((p) => p.status === 429)!;
    // After the first 429, nothing reached the host before its Retry-After had passed.
    const after = calls.filter((p) => p.at > firstLimit.at);
    for (const call of after) expect(call.at - firstLimit.at).toBeGreaterThanOrEqual(1950);
    // The host has answered 204 before the worker records the delivery, so wait for the record.
    const states = await waitFor('both recorded', async () => {
      const found =
        await rows(`select d.state, d.attempts from deliveries d join subscribers s on s.id = d.subscriber_id
        join notifications n on n.id = d.notification_id
        where s.address like '%/limited-%' and n.kind = 'incident.created' order by d.id`);
      return found.length === 2 && found.every((r) => r.state !== 'queued') && found;
    });
    expect(states.map((r) => [r.state, r.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  test('a channel subscribed on a German page is told in German, with links that open the page in German', async () => {
    const path = '/slack/hooks/german';
    expect((await subscribeChannel('slack', path, server.url, { cookie: 'candor_lang=de' })).status).toBe(200);
    const confirmation = await waitFor('confirmation', () => chat.to(path)[0]);
    expect(confirmation.body).toContain(t('de', 'chat.confirmTitle', { site: 'Example Cloud' }));
    expect(confirmation.body).toContain(t('de', 'chat.confirmAction'));
    const confirm = link(confirmation, /http:\/\/[^\s"'<>|)\\]+\/subscribe\/confirm\/[a-z0-9]+\?lang=de/);
    expect((await fetch(confirm.replace('?lang=de', ''), { method: 'POST' })).status).toBe(200);
    await openIncident('Zahlungen schlagen fehl');
    const message = await waitFor('the incident message', () =>
      chat.to(path).find((p) => p.body.includes('Zahlungen schlagen fehl')),
    );
    expect(message.body).toContain(t('de', 'email.newIncident'));
    expect(message.body).toContain(t('de', 'chat.unsubscribe'));
    expect(message.body).toMatch(/\/incidents\/\d+\?lang=de/);
  });

  test('a deleted webhook (404) fails at once with the platform’s answer', async () => {
    const path = '/slack/hooks/deleted';
    expect((await subscribeChannel('slack', path)).status).toBe(200);
    const confirmation = await waitFor('confirmation', () => chat.to(path)[0]);
    const confirm = link(confirmation, /http:\/\/[^\s"'<>|)\\]+\/subscribe\/confirm\/[a-z0-9]+/);
    expect((await fetch(confirm, { method: 'POST' })).status).toBe(200);
    chat.queued.set(path, [{ status: 404, body: 'no_service' }]);
    await openIncident('Gone');
    const [failed] = await waitFor('the failure', async () => {
      const found = await rows(`select d.state, d.attempts, d.last_error from deliveries d
        join subscribers s on s.id = d.subscriber_id where s.address like '%/deleted' and d.state = 'failed'`);
      return found.length > 0 && found;
    });
    expect(failed.attempts).toBe(1);
    expect(String(failed.last_error)).toMatch(/answered 404: no_service.*may have been removed/);
  });

  test('the form refuses private addresses and, per channel, more than three requests an hour', async () => {
    const refused = await postForm(`${server.url}/subscribe/chat`, [
      ['platform', 'slack'],
      ['url', 'http://169.254.169.254/latest/meta-data/'],
      ['scope', 'all'],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('link-local');
    const path = '/teams/hooks/busy';
    for (let i = 0; i < 3; i++) expect((await subscribeChannel('teams', path)).status).toBe(200);
    const fourth = await subscribeChannel('teams', path);
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(fourth.html).toContain('Too many subscription requests for this channel');
  });
});

describe('in production (an https PUBLIC_URL)', () => {
  let production: TestServer;
  beforeAll(async () => {
    production = await startServer({
      env: { PUBLIC_URL: 'https://status.example.com', TRUST_PROXY: '1', CANDOR_WORKER: '0', CANDOR_SEED: '0' },
    });
  });
  afterAll(() => production?.stop());

  test.each([
    ['slack', 'https://hooks.example.com/services/T0/B0/x', 'hooks.slack.com/services'],
    ['slack', 'http://hooks.slack.com/services/T0/B0/x', 'https://'],
    ['discord', 'https://discord.com/api/users/@me', 'discord.com/api/webhooks'],
    ['google_chat', 'https://chat.googleapis.com/v1/spaces/AAA/members', 'chat.googleapis.com/v1/spaces'],
    ['teams', 'https://evil.example.com/workflows/1', 'logic.azure.com'],
  ])('%s: %s is refused', async (platform, url, hint) => {
    const answer = await postForm(`${production.url}/subscribe/chat`, [
      ['platform', platform],
      ['url', url],
      ['scope', 'all'],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain(hint);
  });

  test.each([
    ['slack', 'https://hooks.slack.com/services/T000/B000/XXXX'],
    ['discord', 'https://discord.com/api/webhooks/123/abc'],
    ['google_chat', 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k&token=t'],
    ['teams', 'https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x'],
    [
      'teams',
      'https://default1234.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/1',
    ],
  ])('%s: a real webhook address is taken', async (platform, url) => {
    const answer = await postForm(`${production.url}/subscribe/chat`, [
      ['platform', platform],
      ['url', url],
      ['scope', 'all'],
    ]);
    expect(answer.status).toBe(200);
  });
});
