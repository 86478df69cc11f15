// A subscriber's data rights, end to end: the export holds everything Candor has about them;
// erasure leaves the address nowhere in the database (every text column of every table is
// searched), keeps the count of messages sent, redacts the audit entries that recorded it and is
// itself audited without it; retention clears old delivery details and never the audit log.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pruneDeliveryDetails } from '../src/domain/retention.ts';
import { api, createUserWithToken } from './support/api.ts';
import { adminSession } from './support/admin-session.ts';
import { freshDb } from './support/db.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { mailEnv, subscribeConfirmed, waitFor } from './support/subscribers.ts';
import { queryRows } from './support/db.ts';

let server: TestServer;
let mock: ResendMock;
let dbFile: string;
let admin: { token: string; password: string; email: string };

beforeAll(async () => {
  mock = new ResendMock();
  await mock.start();
  dbFile = tempDbFile();
  server = await startServer({ dbFile, env: mailEnv(mock) });
  admin = createUserWithToken(dbFile, 'admin', 'dpo@example.com');
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await mock?.stop();
});

const rows = (sql: string, args: (string | number)[] = []) => queryRows(dbFile, sql, args);

/** Every table and text column holding `needle`, as "table.column" (rowid). */
async function whereFound(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const { name } of await rows(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
  )) {
    const columns = await rows(`select name from pragma_table_info(?)`, [String(name)]);
    for (const column of columns) {
      const hits = await rows(
        `select rowid from "${String(name)}" where instr(cast("${String(column.name)}" as text), ?) > 0`,
        [needle],
      );
      for (const hit of hits) found.push(`${String(name)}.${String(column.name)} (${String(hit.rowid)})`);
    }
  }
  return found;
}

describe('data rights', () => {
  test('export holds everything; erasure removes the address everywhere, keeps counts, and is audited without it', async () => {
    const email = 'jane.doe@customer.example';
    const manage = await subscribeConfirmed(server.url, mock, email);
    const webhook = await api(server.url, admin.token, 'POST', '/api/v1/subscribers', {
      url: 'https://hooks.customer.example/candor/jane',
      components: 'all',
      verify: false,
    });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    const opened = await api(server.url, admin.token, 'POST', '/api/v1/incidents', {
      title: 'Erasure drill',
      impact: 'minor',
      message: 'Checking.',
    });
    expect(opened.status).toBe(201);
    await waitFor('the incident email', () => mock.emailsTo(email).some((m) => m.subject.includes('Erasure drill')));
    const [{ id }] = await rows(`select id from subscribers where address = ?`, [email]);
    await waitFor(
      'the delivery recorded',
      async () =>
        (await rows(`select 1 from deliveries where subscriber_id = ? and state = 'sent'`, [Number(id)])).length > 0,
    );

    const exported = await api(server.url, admin.token, 'GET', `/api/v1/subscribers/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.subscriber).toMatchObject({ address: email, kind: 'email', state: 'active' });
    expect(exported.body.components).toBe('all');
    const titles = exported.body.deliveries.map((d: { about: { title: string | null } }) => d.about.title);
    expect(titles).toContain('Erasure drill');
    expect(exported.body.deliveries.find((d: { state: string }) => d.state === 'sent').provider_id).toBeTruthy();
    // The admin downloads the same document.
    const session = await adminSession(server.url, admin.email, admin.password);
    const download = await fetch(`${server.url}/admin/subscribers/${id}/export.json`, {
      headers: { cookie: session.cookie },
    });
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="subscriber-${id}.json"`);
    expect(((await download.json()) as { subscriber: { address: string } }).subscriber.address).toBe(email);

    const sentBefore = await rows(`select count(*) as n from deliveries where subscriber_id = ?`, [Number(id)]);
    expect(await whereFound(email)).not.toEqual([]);

    // The admin's first press asks; the second erases.
    const asked = await session.post(`/admin/subscribers/${id}`, [['action', 'erase']]);
    expect(asked.html).toContain('data-confirm-erase');
    expect(await whereFound(email)).not.toEqual([]);
    const erased = await session.post(`/admin/subscribers/${id}`, [
      ['action', 'erase'],
      ['confirmed', 'yes'],
    ]);
    expect(erased.status).toBe(303);

    expect(await whereFound(email)).toEqual([]);
    expect(await rows(`select count(*) as n from deliveries where subscriber_id = ?`, [Number(id)])).toEqual(
      sentBefore,
    );
    const audit = await rows(
      `select actor_name, after from audit_log where action = 'subscriber.erase' and subject_id = ?`,
      [String(id)],
    );
    expect(audit).toHaveLength(1);
    expect(JSON.parse(String(audit[0].after))).toMatchObject({ erased: true, kind: 'email' });
    // The manage link it was sent is dead.
    expect((await fetch(server.url + manage)).status).toBe(404);

    // A webhook's URL was audited when staff added it: erasing redacts that entry.
    const hookId = webhook.body.subscriber.id as number;
    const url = 'https://hooks.customer.example/candor/jane';
    expect(await whereFound(url)).not.toEqual([]);
    // Its verification-less delivery keeps failing (no such host); mid-attempt, erasure says to wait.
    const gone = await waitFor('the erasure', async () => {
      const answer = await api(server.url, admin.token, 'POST', `/api/v1/subscribers/${hookId}/erase`);
      if (answer.status === 409) expect(answer.body.error.message).toMatch(/Erase again/);
      else return answer;
    });
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    expect(gone.body.erasure).toMatchObject({ id: hookId, redacted: 1 });
    expect(await whereFound(url)).toEqual([]);
    const created = await rows(
      `select after from audit_log where action = 'subscriber.webhook_add' and subject_id = ?`,
      [String(hookId)],
    );
    expect(JSON.parse(String(created[0].after))).toMatchObject({ address: '[erased]', redacted: true });
    // Erasing again finds nothing left; an unknown subscriber is a 404 with a message.
    const again = await api(server.url, admin.token, 'POST', `/api/v1/subscribers/${hookId}/erase`);
    expect(again.body.erasure).toMatchObject({ dropped: 0, redacted: 0 });
    const missing = await api(server.url, admin.token, 'GET', `/api/v1/subscribers/999999/export`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/subscriber/i);
  }, 60_000);

  test('the audit log still refuses any other change, and deletion', async () => {
    const client = createClient({ url: `file:${dbFile}` });
    try {
      await expect(client.execute(`update audit_log set actor_name = 'Mallory'`)).rejects.toThrow(/append-only/);
      await expect(client.execute(`update audit_log set after = '{"x":1}'`)).rejects.toThrow(/append-only/);
      await expect(
        client.execute(`update audit_log set action = 'other', after = '{"redacted":true}'`),
      ).rejects.toThrow(/append-only/);
      await expect(client.execute(`delete from audit_log`)).rejects.toThrow(/append-only/);
    } finally {
      client.close();
    }
  });
});

describe('retention', () => {
  test('old delivery details are cleared, recent ones and the audit log kept', async () => {
    const { db, file } = await freshDb();
    const client = createClient({ url: `file:${file}` });
    const day = 86_400_000;
    const now = Date.parse('2026-12-01T00:00:00Z');
    await client.batch([
      `insert into notifications (id, kind, payload, created_at) values (1, 'incident.created', '{}', ${now - 200 * day})`,
      `insert into subscribers (id, kind, address, state, manage_token, source, created_at) values (1, 'email', 'a@example.com', 'active', 't', 'public', ${now})`,
      `insert into subscribers (id, kind, address, state, manage_token, source, created_at) values (2, 'email', 'b@example.com', 'active', 'u', 'public', ${now})`,
      `insert into subscribers (id, kind, address, state, manage_token, source, created_at) values (3, 'email', 'c@example.com', 'active', 'v', 'public', ${now})`,
      `insert into deliveries (notification_id, subscriber_id, channel, state, provider_id, last_error, created_at, updated_at) values (1, 1, 'email', 'sent', 'old-id', null, ${now - 200 * day}, ${now - 100 * day})`,
      `insert into deliveries (notification_id, subscriber_id, channel, state, provider_id, last_error, created_at, updated_at) values (1, 2, 'email', 'failed', null, 'bounced: mailbox full', ${now - 10 * day}, ${now - 10 * day})`,
      `insert into deliveries (notification_id, subscriber_id, channel, state, provider_id, last_error, created_at, updated_at) values (1, 3, 'email', 'queued', null, 'retrying', ${now - 200 * day}, ${now - 100 * day})`,
      `insert into audit_log (at, actor_kind, actor_name, action, subject_type, subject_id, after) values (${now - 400 * day}, 'system', 'Candor', 'x', 'y', '1', '{}')`,
    ]);
    const cleared = await pruneDeliveryDetails(db, { changeEventsMs: 1, deliveryDetailsMs: 90 * day }, now);
    expect(cleared).toBe(1);
    const kept = await client.execute(
      'select subscriber_id, provider_id, last_error from deliveries order by subscriber_id',
    );
    expect(kept.rows.map((r) => [r.subscriber_id, r.provider_id, r.last_error])).toEqual([
      [1, null, null],
      [2, null, 'bounced: mailbox full'],
      [3, null, 'retrying'],
    ]);
    expect((await client.execute('select count(*) as n from audit_log')).rows[0].n).toBe(1);
    client.close();
  });
});
