// The outbox under trouble: the provider's rate limit, an outage, a worker killed in the middle of
// a fan-out, and two instances sending at once. Every subscriber must get exactly one email.
import { afterEach, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { freePort } from './support/ports.ts';
import { addConfirmedSubscribers, mailEnv, waitFor } from './support/subscribers.ts';
import { queryRows as rows } from './support/db.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function mockServer(options: ConstructorParameters<typeof ResendMock>[0] = {}) {
  const mock = new ResendMock(options);
  await mock.start();
  cleanup.push(() => mock.stop());
  return mock;
}

async function server(mock: ResendMock, dbFile: string, env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer({ dbFile, env: mailEnv(mock, { CANDOR_SEED: '0', ...env }) });
  cleanup.push(() => s.stop());
  return s;
}

async function openIncident(s: TestServer, token: string) {
  const answer = await api(s.url, token, 'POST', '/api/v1/incidents', {
    title: 'Fan-out',
    impact: 'major',
    message: 'Checking.',
  });
  expect(answer.status).toBe(201);
}

function expectExactlyOnce(mock: ResendMock, addresses: string[]) {
  expect(mock.duplicates()).toEqual([]);
  const missing = addresses.filter((a) => mock.perRecipient.get(a) !== 1);
  expect(missing).toEqual([]);
}

describe('outbox', () => {
  test('429: waits for Retry-After instead of failing, and loses nobody', async () => {
    const mock = await mockServer({ requestsPerSecond: 2 });
    const dbFile = tempDbFile();
    const s = await server(mock, dbFile);
    const addresses = await addConfirmedSubscribers(dbFile, 650);
    const { token } = createUserWithToken(dbFile, 'support');
    await openIncident(s, token);
    await waitFor('650 emails', () => mock.acceptedCount >= 650, 20_000);
    expectExactlyOnce(mock, addresses);
    // Four lanes race for two slots a second, so some calls meet a 429 (Retry-After: 1).
    const limited = mock.requests.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // The refused batch goes again only after Retry-After, counted from when the 429 left the
    // provider: the worker cannot have read it sooner, so this holds however slow the machine.
    // (That the other lanes pause too, and the pacing, are checked exactly on a virtual clock in
    // outbox-pacing.test.ts; here the trip times depend on the machine's load.)
    for (const r of limited) {
      const retry = mock.requests.find((o) => o.idempotencyKey === r.idempotencyKey && o.at > r.at);
      expect(retry, `batch ${r.idempotencyKey} was not sent again`).toBeDefined();
      expect(retry!.at - r.answeredAt!).toBeGreaterThanOrEqual(r.retryAfterMs!);
    }
    const accepted = mock.requests.filter((r) => r.status === 200 && !r.replay);
    expect(accepted).toHaveLength(7);
    // The provider may have answered the last batch a moment before the worker records it.
    await waitFor(
      'all 650 recorded as sent',
      async () =>
        (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent' and provider_id is not null`))[0]
          .n === 650,
    );
  });

  test('provider outage: retried with backoff, recorded, then everything goes out once', async () => {
    const mock = await mockServer();
    mock.mode = 'outage';
    const dbFile = tempDbFile();
    const s = await server(mock, dbFile);
    const addresses = await addConfirmedSubscribers(dbFile, 250);
    const { token } = createUserWithToken(dbFile, 'support');
    await openIncident(s, token);
    await waitFor('repeated failures', () => mock.requests.filter((r) => r.status === 503).length >= 6, 15_000);
    // The provider's answer reaches the worker before it is recorded, so wait for the record.
    const during = await waitFor('a second attempt recorded', async () => {
      const found = await rows(dbFile, `select state, attempts, last_error from deliveries`);
      return found.some((d) => Number(d.attempts) >= 2) && found;
    });
    expect(during.every((d) => d.state === 'queued')).toBe(true);
    expect(String(during.find((d) => d.last_error)!.last_error)).toContain('503 service_unavailable');
    mock.mode = 'ok';
    await waitFor('250 emails', () => mock.acceptedCount >= 250, 15_000);
    expectExactlyOnce(mock, addresses);
    await waitFor(
      'all recorded as sent',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`))[0].n === 250,
    );
  });

  test('a worker killed mid fan-out resumes after restart: nobody lost, nobody mailed twice', async () => {
    let killed = false;
    let first: TestServer | null = null;
    const mock = await mockServer({
      // The cruellest moment: the provider has accepted the third batch, the worker has not heard.
      onAccepted: async (_emails, _req, res) => {
        if (killed || mock.requests.filter((r) => r.status === 200).length < 3) return;
        killed = true;
        await first!.kill();
        res.destroy();
      },
    });
    const dbFile = tempDbFile();
    // A fixed public address, as in production: the retried batch must be byte-identical.
    const port = await freePort();
    const env = { CANDOR_OUTBOX_LEASE_MS: '1500', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    first = await server(mock, dbFile, { ...env, EMAIL_CONCURRENCY: '1' });
    const addresses = await addConfirmedSubscribers(dbFile, 1000);
    const { token } = createUserWithToken(dbFile, 'support');
    await openIncident(first, token);
    await waitFor('the kill', () => killed, 15_000);
    expect(mock.acceptedCount).toBe(300);
    const [{ n: unsent }] = await rows(dbFile, `select count(*) as n from deliveries where state = 'queued'`);
    expect(unsent).toBe(800); // the third batch went out but was never recorded

    await server(mock, dbFile, env);
    await waitFor(
      'all 1000 recorded as sent',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`))[0].n === 1000,
      20_000,
    );
    expectExactlyOnce(mock, addresses);
    // The abandoned batch was sent again under its original key, and the provider recognised it.
    expect(mock.requests.filter((r) => r.replay)).toHaveLength(1);
    expect(mock.requests.filter((r) => r.status === 409)).toEqual([]);
  });

  test('two instances send one fan-out together without sending anything twice', async () => {
    const mock = await mockServer();
    const dbFile = tempDbFile();
    const a = await server(mock, dbFile);
    await server(mock, dbFile);
    const addresses = await addConfirmedSubscribers(dbFile, 3000);
    const { token } = createUserWithToken(dbFile, 'support');
    await openIncident(a, token);
    await waitFor(
      'all 3000 recorded as sent',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`))[0].n === 3000,
      30_000,
    );
    expectExactlyOnce(mock, addresses);
    expect(mock.requests.filter((r) => r.replay || r.status !== 200)).toEqual([]);
    const owners = await rows(
      dbFile,
      `select distinct substr(lease_owner, 1, instr(substr(lease_owner, instr(lease_owner, ':') + 1), ':') + instr(lease_owner, ':')) as owner from delivery_batches`,
    );
    expect(owners.length).toBe(2);
  });
});
