// Running Candor behind a load balancer: health answers for the balancer, and an instance told to
// stop (SIGTERM) hands over cleanly — the request under way completes, live readers are told to
// reconnect elsewhere, and the outbox batches it claimed but had not sent are given back at once,
// so the other instance carries on within seconds instead of after the lease.
import http from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { addConfirmedSubscribers, mailEnv, waitFor } from './support/subscribers.ts';
import { queryRows as rows } from './support/db.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function started(options: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(options);
  cleanup.push(() => s.stop());
  return s;
}

/** A POST whose body arrives in two parts, with `between` run after the first. */
function slowPost(url: string, token: string, body: string, between: () => Promise<void>) {
  return new Promise<{ status: number; text: string }>((ok, fail) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => ok({ status: res.statusCode!, text }));
    });
    req.on('error', fail);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    // Stop the server only once it holds the request: connected, headers and half the body read.
    req.once('socket', (socket) =>
      socket.once('connect', () => {
        setTimeout(() => void between().then(() => req.end(body.slice(half)), fail), 300);
      }),
    );
  });
}

/** A GET with a Host header of our choosing (fetch would not send it). */
function getWithHost(base: string, path: string, host: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((ok, fail) => {
    http
      .get(base + path, { headers: { host } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, text }));
      })
      .on('error', fail);
  });
}

describe('health checks', () => {
  test('/healthz and /readyz answer under any Host, are never cached, and say what they checked', async () => {
    const s = await started({ env: { CANDOR_SEED: '0' } });
    for (const path of ['/healthz', '/readyz']) {
      // A balancer probes the instance by its own address or name, which is not the public one.
      const answer = await getWithHost(s.url, path, '10.1.2.3:8080');
      expect(answer.status, path).toBe(200);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
    }
    const ready = (await (await fetch(s.url + '/readyz')).json()) as {
      status: string;
      checks: Record<string, { ok: boolean }>;
    };
    expect(ready.status).toBe('ready');
    expect(Object.keys(ready.checks).sort()).toEqual(['changeFeed', 'database', 'migrations', 'shutdown']);
    // Other paths still check the Host.
    expect((await getWithHost(s.url, '/', '10.1.2.3:8080')).status).toBe(421);
  });
});

describe('SIGTERM hands over', () => {
  test('the request under way completes, and live readers are told to come back after a short spread-out wait', async () => {
    const dbFile = tempDbFile();
    const s = await started({ dbFile, env: { CANDOR_SEED: '0', CANDOR_WORKER: '0' } });
    const { token } = createUserWithToken(dbFile, 'support');
    const stream = await openEvents(s.url);
    await stream.until(/event: hello/);
    stream.clear();
    let stopped: Promise<void> = Promise.resolve();
    const answer = await slowPost(
      `${s.url}/api/v1/incidents`,
      token,
      JSON.stringify({ title: 'Signed off mid-request', impact: 'minor', message: 'Looking into it.' }),
      async () => {
        stopped = s.stop();
        // The stream ends with its reconnect hint while the request is still waiting for its body.
        await stream.until(/retry: (\d+)/);
      },
    );
    await stopped;
    expect(answer.status, answer.text).toBe(201);
    const retry = Number(/retry: (\d+)/.exec(stream.text)![1]);
    expect(retry).toBeGreaterThanOrEqual(500);
    expect(retry).toBeLessThanOrEqual(3000);
    const [incident] = await rows(dbFile, `select title from incidents where title = 'Signed off mid-request'`);
    expect(incident).toBeDefined();
  });

  test('mid fan-out: the batches it held are given back, the other instance sends them within 5 s, nobody twice', async () => {
    // Resend's 2 requests a second: lanes hold claimed batches while they wait for their slot.
    const mock = new ResendMock({ requestsPerSecond: 2 });
    await mock.start();
    cleanup.push(() => mock.stop());
    const dbFile = tempDbFile();
    // The default lease (15 s): without the hand-over, held batches would wait that long.
    const env = mailEnv(mock, { CANDOR_SEED: '0' });
    const a = await startServer({ dbFile, env });
    cleanup.push(() => a.stop());
    const b = await started({ dbFile, env });
    const addresses = await addConfirmedSubscribers(dbFile, 800);
    const { token } = createUserWithToken(dbFile, 'support');
    const opened = await api(b.url, token, 'POST', '/api/v1/incidents', {
      title: 'Fan-out during a deploy',
      impact: 'major',
      message: 'Checking.',
    });
    expect(opened.status).toBe(201);

    // Wait until A holds a batch it has not sent yet, then stop it.
    const ownedByA = `%:${a.pid}:%`;
    const held = await waitFor(
      'A holding an unsent batch',
      async () => {
        const open = await rows(
          dbFile,
          `select idempotency_key as key from delivery_batches where state = 'open' and lease_owner like ? and lease_until > ?`,
          [ownedByA, Date.now()],
        );
        const requested = new Set(mock.requests.map((r) => r.idempotencyKey));
        const unsent = open.map((r) => String(r.key)).filter((k) => !requested.has(k));
        return unsent.length > 0 && unsent;
      },
      20_000,
    );
    await a.stop();
    const exitedAt = Date.now();
    expect(
      await rows(dbFile, `select id from delivery_batches where state = 'open' and lease_owner like ?`, [ownedByA]),
    ).toEqual([]);

    await waitFor(
      'every delivery recorded as sent',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`))[0].n === 800,
      30_000,
    );
    for (const key of held) {
      const first = mock.requests.find((r) => r.idempotencyKey === key && r.status === 200);
      expect(first, `batch ${key} was sent`).toBeDefined();
      expect(first!.at - exitedAt, `batch ${key} resumed`).toBeLessThan(5_000);
    }
    expect(mock.duplicates()).toEqual([]);
    expect(addresses.filter((x) => mock.perRecipient.get(x) !== 1)).toEqual([]);
  }, 90_000);

  test('a slow provider call keeps its lease, however short: nobody takes the batch over while it is under way', async () => {
    let stalled = false;
    // The first batch's answer takes 4 s, well past the 1.5 s lease.
    const mock = new ResendMock({
      onAccepted: async () => {
        if (stalled) return;
        stalled = true;
        await new Promise((ok) => setTimeout(ok, 4_000));
      },
    });
    await mock.start();
    cleanup.push(() => mock.stop());
    const dbFile = tempDbFile();
    const env = mailEnv(mock, { CANDOR_SEED: '0', CANDOR_OUTBOX_LEASE_MS: '1500' });
    const a = await started({ dbFile, env });
    await started({ dbFile, env });
    const addresses = await addConfirmedSubscribers(dbFile, 500);
    const { token } = createUserWithToken(dbFile, 'support');
    expect(
      (await api(a.url, token, 'POST', '/api/v1/incidents', { title: 'Slow', impact: 'minor', message: 'Slow.' }))
        .status,
    ).toBe(201);
    await waitFor(
      'every delivery recorded as sent',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`))[0].n === 500,
      20_000,
    );
    expect(stalled).toBe(true);
    // Taken over while under way, the batch would have been sent again under its key: a 409 here.
    expect(mock.requests.filter((r) => r.status !== 200 || r.replay)).toEqual([]);
    expect(addresses.filter((x) => mock.perRecipient.get(x) !== 1)).toEqual([]);
  }, 90_000);
});
