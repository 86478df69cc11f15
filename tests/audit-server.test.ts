// The audit log: who changed what, when, before and after; append-only; readable by admins.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as schema from '../db/schema.ts';
import { listAudit, runAs } from '../src/domain/audit.ts';
import { createComponent, updateComponent } from '../src/domain/components.ts';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { freshDb } from './support/db.ts';
import { startServer, type TestServer } from './support/server.ts';

describe('audit log (domain)', () => {
  test('changes are attributed to the actor in force, with before and after; entries cannot be changed or removed', async () => {
    const { db } = await freshDb();
    const c = await runAs({ kind: 'user', id: 7, name: 'Ada' }, () => createComponent(db, { name: 'API' }));
    await runAs({ kind: 'token', id: 7, name: 'Ada' }, () => updateComponent(db, c.id, { name: 'Public API' }));
    const { entries } = await listAudit(db, {});
    expect(entries.map((e) => [e.actorKind, e.actorName, e.action, e.subjectType, e.subjectId])).toEqual([
      ['token', 'Ada', 'component.update', 'component', String(c.id)],
      ['user', 'Ada', 'component.create', 'component', String(c.id)],
    ]);
    expect(JSON.parse(entries[0].before!).name).toBe('API');
    expect(JSON.parse(entries[0].after!).name).toBe('Public API');
    const failure = (run: Promise<unknown>) => run.then(() => 'no error', (e: Error & { cause?: unknown }) => String(e.cause ?? e));
    expect(await failure(db.run(sql`update audit_log set actor_name = 'Mallory'`))).toMatch(/the audit log is append-only/);
    expect(await failure(db.run(sql`delete from audit_log`))).toMatch(/the audit log is append-only/);
    expect((await db.select().from(schema.auditLog)).map((e) => e.actorName)).toEqual(['Ada', 'Ada']);
    expect((await listAudit(db, { actorKind: 'user' })).entries).toHaveLength(1);
    expect((await listAudit(db, { action: 'component.up' })).entries.map((e) => e.action)).toEqual(['component.update']);
  });
});

describe('audit log (server)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('users, tokens and alerts are told apart; secrets stay out; only admins read it', async () => {
    const admin = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
    const support = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk');
    const session = await adminSession(server.url, admin.email, admin.password);
    expect((await session.post('/admin/components', [['action', 'update-group'], ['id', '1'], ['name', 'Core platform'], ['description', ''], ['position', '0']])).status).toBe(303);
    const opened = await api(server.url, support.token, 'POST', '/api/v1/incidents', { title: 'Slow API', impact: 'minor', message: 'Looking.', components: { 1: 'degraded_performance' } });
    expect(opened.status).toBe(201);
    await api(server.url, support.token, 'POST', '/api/v1/alerts/generic', { key: 'k1', status: 'firing', component: 2, state: 'partial_outage', title: 'Dashboard down' });
    expect((await session.post('/admin/subscribers', [['url', 'https://hooks.example.com/x']])).status).toBe(303);

    const page = (await session.get('/admin/audit')).html;
    const rows = page.split('<tr data-action="').slice(1).map((chunk) => {
      const [, who, kind] = /<\/td>\s*<td>([^<]+) <span class="muted">\((.+?)\)<\/span><\/td>/.exec(chunk)!;
      return [chunk.slice(0, chunk.indexOf('"')), who, kind];
    });
    expect(rows).toEqual(expect.arrayContaining([
      ['group.update', 'Root', 'User (admin)'],
      ['incident.create', 'Desk', 'API token'],
      ['incident.create', 'Monitoring (token of Desk)', 'Alert'],
      ['subscriber.webhook_add', 'Root', 'User (admin)'],
      ['token.create', 'Candor', 'Candor'],
    ]));
    expect(page).not.toContain('whsec_');
    const filtered = (await session.get('/admin/audit?actor_kind=alert')).html;
    expect([...filtered.matchAll(/<tr data-action="([^"]+)">/g)].map((m) => m[1])).toEqual(['incident.create']);
    const supportSession = await adminSession(server.url, support.email, support.password);
    expect((await supportSession.get('/admin/audit')).status).toBe(403);
  });
});
