// Staff webhooks behind the SSRF guard, through the real server: a private or metadata address is
// refused when typed, and rows that reach the outbox anyway (a name resolving to loopback, rows
// from before the rule, a redirect to the metadata service) fail with the reason on the delivery.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/subscribers.ts';

let server: TestServer;
let hits: string[] = [];
let loopbackPort = 0;
let allowedPort = 0;
const handler: http.RequestListener = (req, res) => {
  hits.push(`${req.socket.localAddress} ${req.url}`);
  if (req.url === '/redirect') {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/' });
    return res.end();
  }
  res.writeHead(200);
  res.end('{}');
};
const onLoopback = http.createServer(handler);
// The one address the allow-list lets through, so a redirecting endpoint can be reached at all.
const onAllowed = http.createServer(handler);

beforeAll(async () => {
  await new Promise<void>((ok) => onLoopback.listen(0, '127.0.0.1', ok));
  await new Promise<void>((ok) => onAllowed.listen(0, '127.0.0.2', ok));
  loopbackPort = (onLoopback.address() as { port: number }).port;
  allowedPort = (onAllowed.address() as { port: number }).port;
  server = await startServer({ env: { CANDOR_SEED: '0', CANDOR_OUTBOUND_ALLOW: '127.0.0.2/32' } });
});
afterAll(async () => {
  await server?.stop();
  for (const s of [onLoopback, onAllowed]) {
    s.closeAllConnections();
    await new Promise((ok) => s.close(ok));
  }
});

async function sql(query: string, args: (string | number)[] = []) {
  const client = createClient({ url: `file:${server.dbFile}` });
  try {
    return (await client.execute({ sql: query, args })).rows;
  } finally {
    client.close();
  }
}

describe('webhooks to private addresses', () => {
  test('refused when an admin types one', async () => {
    const { token } = createUserWithToken(server.dbFile, 'admin');
    for (const [url, words] of [
      ['http://169.254.169.254/latest/meta-data/', 'link-local'],
      ['http://10.0.0.7/hook', 'private network'],
      [`http://[::1]:${loopbackPort}/hook`, 'loopback'],
    ]) {
      const answer = await api(server.url, token, 'POST', '/api/v1/subscribers', { url, verify: false });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain(words);
    }
  });

  test('every call that would reach one fails with the reason on its delivery, and nothing is reached', async () => {
    const targets = {
      loopback: `http://127.0.0.1:${loopbackPort}/hook`,
      ipv6: `http://[::1]:${loopbackPort}/hook`,
      private: 'http://10.0.0.7/hook',
      metadata: 'http://169.254.169.254/latest/meta-data/',
      name: `http://localhost:${loopbackPort}/hook`,
      redirect: `http://127.0.0.2:${allowedPort}/redirect`,
    };
    // Rows written straight to the database, as if saved before the rule or by another route.
    for (const url of Object.values(targets))
      await sql(
        `insert into subscribers (kind, address, state, all_components, manage_token, secret, source, created_at, confirmed_at)
         values ('webhook', ?, 'active', 1, ?, 'whsec_test', 'admin', 0, 0)`,
        [url, randomBytes(20).toString('hex')],
      );
    hits = [];
    const { token } = createUserWithToken(server.dbFile, 'admin', 'ssrf-admin@example.com');
    expect(
      (await api(server.url, token, 'POST', '/api/v1/incidents', { title: 'SSRF', impact: 'minor', message: 'Hm.' }))
        .status,
    ).toBe(201);
    const settled = await waitFor('all six settled', async () => {
      const found = await sql(`select s.address, d.state, d.attempts, d.last_error from deliveries d
        join subscribers s on s.id = d.subscriber_id where s.kind = 'webhook' and d.channel = 'webhook'`);
      return found.length === 6 && found.every((r) => r.state !== 'queued') && found;
    });
    const reason = (url: string) => {
      const row = settled.find((r) => r.address === url)!;
      expect(row.state).toBe('failed');
      expect(row.attempts).toBe(1);
      return String(row.last_error);
    };
    expect(reason(targets.loopback)).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(reason(targets.ipv6)).toMatch(/::1 is a loopback address/);
    expect(reason(targets.private)).toMatch(/10\.0\.0\.7 is a private network address/);
    expect(reason(targets.metadata)).toMatch(/169\.254\.169\.254 is a link-local address/);
    expect(reason(targets.name)).toMatch(/localhost resolves to .* loopback address/);
    expect(reason(targets.redirect)).toMatch(/302, a redirect to http:\/\/169\.254\.169\.254.*no redirects/);
    // Only the allowed address was reached, once, and its redirect was not followed.
    expect(hits).toEqual(['127.0.0.2 /redirect']);

    // The admin reads the reason in the outbox.
    const { email, password } = createUserWithToken(server.dbFile, 'admin', 'ssrf-reader@example.com');
    const admin = await adminSession(server.url, email, password);
    const outbox = await admin.get('/admin/outbox?state=failed');
    expect(outbox.html).toContain('169.254.169.254 is a link-local address');
  });
});
