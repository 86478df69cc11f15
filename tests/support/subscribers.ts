// Subscribing like a reader would (the public form, the emailed link), and adding many confirmed
// subscribers straight into the database for fan-out tests and the benchmark.
import { createClient } from '@libsql/client';
import { randomBytes } from 'node:crypto';
import type { ResendMock } from './resend-mock.ts';

/** Settings for a server that mails through the local Resend mock. */
export function mailEnv(mock: ResendMock, extra: Record<string, string> = {}): Record<string, string> {
  return {
    RESEND_API_KEY: 're_test_key',
    EMAIL_FROM: 'Example Cloud Status <status@example.com>',
    RESEND_BASE_URL: mock.url,
    TRUST_PROXY: '1',
    CANDOR_OUTBOX_POLL_MS: '100',
    CANDOR_RETRY_BASE_MS: '200',
    CANDOR_RETRY_MAX_MS: '1000',
    ...extra,
  };
}

let ipCounter = 0;
/** A different client address per call, so per-IP limits only bite where a test wants them to. */
export function nextIp(): string {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export async function postForm(url: string, fields: [string, string][], headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': nextIp(), ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

export function subscribe(
  base: string,
  email: string,
  components: number[] | 'all' = 'all',
  headers: Record<string, string> = {},
) {
  const fields: [string, string][] = [['email', email]];
  if (components === 'all') fields.push(['scope', 'all']);
  else {
    fields.push(['scope', 'some']);
    for (const id of components) fields.push(['components', String(id)]);
  }
  return postForm(`${base}/subscribe`, fields, headers);
}

export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Subscribes through the form and follows the emailed confirmation link. Returns the manage URL. */
export async function subscribeConfirmed(
  base: string,
  mock: ResendMock,
  email: string,
  components: number[] | 'all' = 'all',
): Promise<string> {
  const before = mock.emailsTo(email).length;
  const answer = await subscribe(base, email, components);
  if (answer.status !== 200) throw new Error(`subscribe answered ${answer.status}`);
  const mail = await waitFor(`confirmation for ${email}`, () => mock.emailsTo(email)[before]);
  const link = /(http:\/\/\S+\/subscribe\/confirm\/[a-z0-9]+)/.exec(mail.text)![1].replace('localhost', '127.0.0.1');
  const confirmed = await fetch(link, { method: 'POST' });
  const html = await confirmed.text();
  return /href="(\/subscription\/[a-z0-9]+)"/.exec(html)![1];
}

/** Inserts `count` confirmed email subscribers following every component, in one transaction. */
export async function addConfirmedSubscribers(
  dbFileOrUrl: string,
  count: number,
  domain = 'bulk.example',
): Promise<string[]> {
  const client = createClient({
    url: /^\w+:\/\//.test(dbFileOrUrl) ? dbFileOrUrl : `file:${dbFileOrUrl}`,
    timeout: 10_000,
  });
  const addresses = Array.from({ length: count }, (_, i) => `user${i}@${domain}`);
  const now = Date.now();
  const tx = await client.transaction('write');
  for (let i = 0; i < count; i += 500) {
    await tx.batch(
      addresses.slice(i, i + 500).map((address) => ({
        sql: `insert into subscribers (kind, address, state, all_components, manage_token, source, created_at, confirmed_at)
              values ('email', ?, 'active', 1, ?, 'public', ?, ?)`,
        args: [address, randomBytes(20).toString('hex'), now, now],
      })),
    );
  }
  await tx.commit();
  client.close();
  return addresses;
}
