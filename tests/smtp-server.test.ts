// Email through any SMTP server (SMTP_URL, nodemailer) against a real SMTP server started here:
// STARTTLS and AUTH, the double opt-in and an incident read back by a MIME parser with both parts
// and the one-click unsubscribe headers, 4xx replies retried and 5xx recorded per message, and a
// sender killed the moment the server accepted a message repeating at most that one message.
import { afterEach, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { freePort } from './support/ports.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { SmtpSink, SMTP_USER } from './support/smtp-sink.ts';
import { addConfirmedSubscribers, subscribe, waitFor } from './support/subscribers.ts';
import { queryRows as rows } from './support/db.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function sink(): Promise<SmtpSink> {
  const s = new SmtpSink();
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}

function smtpEnv(smtp: SmtpSink, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Example Cloud Status <status@example.com>',
    // The server's certificate is made by the test; trusting it is how STARTTLS is checked for real.
    NODE_EXTRA_CA_CERTS: smtp.certFile,
    TRUST_PROXY: '1',
    CANDOR_OUTBOX_POLL_MS: '100',
    CANDOR_RETRY_BASE_MS: '300',
    CANDOR_RETRY_MAX_MS: '1000',
    ...extra,
  };
}

async function server(smtp: SmtpSink, dbFile: string, env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer({ dbFile, env: smtpEnv(smtp, env) });
  cleanup.push(() => s.stop());
  return s;
}

async function openIncident(s: TestServer, token: string, title = 'Mail check') {
  const answer = await api(s.url, token, 'POST', '/api/v1/incidents', {
    title,
    impact: 'major',
    message: 'We are **looking** into it.',
  });
  expect(answer.status).toBe(201);
  return answer.body.incident.id as number;
}

describe('email through SMTP', () => {
  test('subscribe, confirm, incident: both parts and the List-Unsubscribe headers, over STARTTLS with AUTH', async () => {
    const smtp = await sink();
    const dbFile = tempDbFile();
    const s = await server(smtp, dbFile);
    const answer = await subscribe(s.url, 'reader@example.org');
    expect(answer.status).toBe(200);
    const confirmation = await waitFor('the confirmation', () => smtp.to('reader@example.org')[0]);
    expect(confirmation.secure).toBe(true);
    expect(confirmation.user).toBe(SMTP_USER);
    expect(confirmation.parsed.subject).toMatch(/^Confirm your subscription/);
    // A confirmation is not a list message: no unsubscribe header yet.
    expect(confirmation.parsed.headers.has('list-unsubscribe')).toBe(false);
    const link = /(http:\/\/\S+\/subscribe\/confirm\/[a-z0-9]+)/
      .exec(confirmation.parsed.text!)![1]
      .replace('localhost', '127.0.0.1');
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);

    const { token } = createUserWithToken(dbFile, 'support');
    const id = await openIncident(s, token);
    const mail = await waitFor('the incident email', () =>
      smtp.to('reader@example.org').find((m) => m.parsed.subject?.includes('Mail check')),
    );
    const { parsed } = mail;
    expect(parsed.from?.value[0]).toMatchObject({ address: 'status@example.com', name: 'Example Cloud Status' });
    expect(parsed.text).toContain('We are **looking** into it.');
    expect(parsed.text).toContain(`/incidents/${id}`);
    expect(parsed.html).toContain('<strong>looking</strong>');
    expect(parsed.html).toContain(`/incidents/${id}`);
    // The raw header lines, as a mailbox provider reads them.
    const header = (name: string) =>
      parsed.headerLines
        .find((h) => h.key === name)
        ?.line.replace(/^[^:]+:\s*/, '')
        .replace(/\r?\n\s+/g, '');
    const unsubscribe = header('list-unsubscribe')!;
    expect(unsubscribe).toMatch(/^<http:\/\/\S+\/subscription\/[a-z0-9]+\/unsubscribe>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(parsed.messageId).toMatch(/^<delivery-\d+\.candor@/);
    // The delivery says where it went: the server's message id is recorded.
    const [delivery] = await rows(
      dbFile,
      `select state, provider_id from deliveries where state = 'sent' order by id desc`,
    );
    expect(delivery.provider_id).toBe(parsed.messageId);

    // RFC 8058: the one-click POST a mailbox provider makes works with the header's URL.
    const oneClick = await fetch(unsubscribe.slice(1, -1).replace('localhost', '127.0.0.1'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
  });

  test('421 and 451 are retried until the server takes the message; a 550 fails only its own address', async () => {
    const smtp = await sink();
    const dbFile = tempDbFile();
    const s = await server(smtp, dbFile, {
      CANDOR_SEED: '0',
      CANDOR_RETRY_BASE_MS: '1500',
      CANDOR_RETRY_MAX_MS: '3000',
    });
    const addresses = await addConfirmedSubscribers(dbFile, 3, 'retry.example');
    smtp.refuse.add(addresses[1]);
    smtp.failData.push({ code: 451, text: 'Try again later' }, { code: 421, text: 'Closing, come back soon' });
    const { token } = createUserWithToken(dbFile, 'support');
    await openIncident(s, token);

    // Between the tries, the reply is on the delivery for the admin to read.
    const waiting = await waitFor('the 4xx recorded', async () => {
      const [row] = await rows(dbFile, `select last_error from deliveries where last_error like '%451%'`);
      return row;
    });
    expect(String(waiting.last_error)).toMatch(/SMTP 451.*Try again later/);
    await waitFor(
      'every delivery settled',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'queued'`))[0].n === 0,
      20_000,
    );
    const settled = await rows(
      dbFile,
      `select s.address, d.state, d.attempts, d.last_error from deliveries d
      join subscribers s on s.id = d.subscriber_id order by s.address`,
    );
    expect(settled.map((r) => [r.address, r.state])).toEqual([
      [addresses[0], 'sent'],
      [addresses[1], 'failed'],
      [addresses[2], 'sent'],
    ]);
    expect(String(settled[1].last_error)).toMatch(/SMTP 550.*No such mailbox/);
    expect(Number(settled[0].attempts)).toBe(3);
    expect(smtp.to(addresses[0])).toHaveLength(1);
    expect(smtp.to(addresses[2])).toHaveLength(1);
    expect(smtp.to(addresses[1])).toHaveLength(0);
  });

  test('killed right after the server accepted a message: after a restart, at most that one message repeats', async () => {
    const smtp = await sink();
    const dbFile = tempDbFile();
    const port = await freePort();
    const env = {
      CANDOR_SEED: '0',
      CANDOR_OUTBOX_LEASE_MS: '1000',
      EMAIL_CONCURRENCY: '1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    const first = await server(smtp, dbFile, env);
    const addresses = await addConfirmedSubscribers(dbFile, 20, 'kill.example');
    let killedAfter = 0;
    smtp.onAccepted = () => {
      if (killedAfter || smtp.received.length < 8) return;
      killedAfter = smtp.received.length;
      void first.kill();
    };
    const { token } = createUserWithToken(dbFile, 'support');
    await openIncident(first, token);
    await waitFor('the kill', () => killedAfter, 15_000);
    smtp.onAccepted = null;
    // Everything accepted before the last message was recorded before the next one was sent.
    const [{ n: recorded }] = await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`);
    expect(Number(recorded)).toBeGreaterThanOrEqual(killedAfter - 1);

    await server(smtp, dbFile, env);
    await waitFor(
      'all 20 recorded as sent',
      async () => (await rows(dbFile, `select count(*) as n from deliveries where state = 'sent'`))[0].n === 20,
      20_000,
    );
    const counts = addresses.map((a) => smtp.to(a).length);
    expect(counts.every((n) => n >= 1)).toBe(true);
    const repeated = addresses.filter((a) => smtp.to(a).length > 1);
    expect(repeated.length).toBeLessThanOrEqual(1);
    expect(smtp.received.length).toBeLessThanOrEqual(21);
    // A repeat, if any, is the message the kill interrupted, with the same Message-ID as the first copy.
    for (const a of repeated) {
      const [one, two] = smtp.to(a);
      expect(two.parsed.messageId).toBe(one.parsed.messageId);
    }
  });
});
